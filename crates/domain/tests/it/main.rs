//! quire-domain's integration tests: one binary, a module per area.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod poll_cross_check;
