//! loom models of the concurrent parts of tern-proto (being written).
