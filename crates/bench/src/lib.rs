//! Benchmark support for Quire.
pub mod load;
