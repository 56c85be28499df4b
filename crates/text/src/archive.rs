//! Bounded reading of zip archives (to be written).

/// A zip archive read with bounds.
pub struct Archive;
