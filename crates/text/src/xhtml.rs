//! XHTML (to be written).
