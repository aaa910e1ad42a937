//! Keys, PEM and X.509 certificates; knows nothing about Talos files or YAML.
