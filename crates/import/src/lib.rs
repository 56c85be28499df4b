//! Readers for outside book data and the demo loader.
