//! quire-pack's tests: the PDF is typeset and readable, the EPUB passes
//! epubcheck, and text that looks like markup stays text in both.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests stop loudly on a failed step

mod epub;
mod pdf;
mod support;
