//! talmint: the Talos Linux PKI, offline.
//!
//! Module map (dependency order, lowest first):
//! - [`yaml`]: an ordered YAML tree and an emitter that writes it exactly as go-yaml v4 does.
//! - [`fsx`]: the only place that writes files (atomic, exact modes, no clobber, locks).
//! - [`goquote`]: Go's `%q` quoting, for talosctl-exact messages and values.
//! - [`gourl`]: URLs as Go's `net/url` parses and prints them (endpoints, mirrors).
//! - [`pflag`]: list flag values split as talosctl's pflag `StringSlice` splits them (CSV).
//! - [`roles`]: Talos API roles and role sets (`spec/roles-authz.md` §1).
//! - [`authz`]: who may call what: Talos's method → roles table, least privilege
//!   (`spec/roles-authz.md` §2).
//! - [`contract`]: Talos version contracts (`spec/gen-config.md` §2).
//! - [`pki`]: keys, PEM, X.509 certificates and CSRs; knows nothing about Talos files.
//! - [`bundle`]: the secrets bundle (`secrets.yaml`, `spec/pki.md` §1).
//! - [`talosconfig`]: the talosctl client configuration (`spec/talosconfig.md`).
//! - [`machineconfig`]: Talos machine configuration generation and patches (`spec/gen-config.md`).
//! - [`report`]: rendering shared by the reporting commands (JSON in tree order, times in words).
//! - [`verify`]: will a Talos node accept a credential? (apid's checks, `spec/roles-authz.md` §3).
//! - [`inspect`]: recognise a credential file and describe its certificates and keys.
//! - [`expiration`]: when the bundle's CAs and the talosconfig certificates expire.
//! - [`policy`], [`roster`], [`ledger`]: role policy, roster issuance and the issuance ledger.
#![warn(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr
)]

pub mod authz;
pub mod bundle;
pub mod contract;
pub mod expiration;
pub mod fsx;
#[doc(hidden)]
pub mod fuzzing;
pub mod gobase64;
pub mod goduration;
pub mod goquote;
pub mod gourl;
pub mod inspect;
pub mod ledger;
pub mod machineconfig;
pub mod pflag;
pub mod pki;
pub mod policy;
pub mod report;
pub mod roles;
pub mod roster;
pub mod talosconfig;
pub mod verify;
pub mod yaml;
