//! Block documents (≥ v1.14): the `EPHEMERAL` `VolumeConfig` and `FilesystemTrimConfig`
//! (talos `generate/block.go`, `types/block/`).

use super::{s, Fields};
use crate::machineconfig::Input;
use crate::yaml::Node;

/// `constants.DefaultFilesystemTrimInterval` (7 × 24h) as Go's `Duration.String()`.
const TRIM_INTERVAL: &str = "168h0m0s";

/// The volume and trim documents when the contract enables trimming by default.
pub(super) fn volumes(input: &Input<'_>) -> Vec<Node> {
    if !input.contract.filesystem_trim_enabled_by_default() {
        return Vec::new();
    }
    let mut volume = Fields::document("VolumeConfig");
    volume
        .set("name", s("EPHEMERAL"))
        .set("mount", Node::map([("secure", Node::Bool(true))]));
    let mut trim = Fields::document("FilesystemTrimConfig");
    trim.set("interval", s(TRIM_INTERVAL));
    vec![volume.build(), trim.build()]
}
