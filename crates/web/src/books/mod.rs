//! The book page and everything done from it.

pub mod actions;
pub mod add;
pub mod ask;
pub mod audio;
pub mod cache;
pub mod cards;
pub mod charts;
pub mod insights;
pub mod material;
pub mod merge;
pub mod mine;
pub mod pack;
pub mod page;
pub mod text_upload;
