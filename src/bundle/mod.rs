//! The Talos secrets bundle (`secrets.yaml`, `spec/pki.md` §1).
