//! Shared fixtures for the benchmarks (being written).
