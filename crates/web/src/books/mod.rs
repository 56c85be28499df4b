//! The book page and everything done from it.

pub mod actions;
pub mod cache;
pub mod merge;
pub mod page;
