//! Benchmark support for Quire.
