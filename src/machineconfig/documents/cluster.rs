//! Discovery documents (≥ v1.14): `DiscoveryServiceConfig`, `DiscoveryIdentityConfig`
//! (talos `types/cluster/discovery_{service,identity}.go`, `generate/init.go:211-225`).

use super::{s, secrets, Fields};
use crate::machineconfig::{Error, Input};
use crate::yaml::Node;

/// `constants.DefaultDiscoveryServiceEndpoint`.
const DISCOVERY_SERVICE_ENDPOINT: &str = "https://discovery.talos.dev/";

/// The discovery documents the contract asks for.
pub(super) fn discovery(input: &Input<'_>) -> Result<Vec<Node>, Error> {
    let c = &input.contract;
    let mut docs = Vec::new();
    if input.options.discovery_enabled.unwrap_or(false) && c.discovery_service_multidoc_config() {
        let mut d = Fields::document("DiscoveryServiceConfig");
        d.set("name", s("default"))
            .set("endpoint", s(DISCOVERY_SERVICE_ENDPOINT));
        docs.push(d.build());
    }
    if c.discovery_identity_multidoc_config() {
        let (id, secret) = secrets::cluster(input.secrets)?;
        let mut d = Fields::document("DiscoveryIdentityConfig");
        d.set("clusterID", s(id)).set("clusterSecret", s(secret));
        docs.push(d.build());
    }
    Ok(docs)
}
