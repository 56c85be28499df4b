//! Test support for Quire.
