//! Time zones as clubs choose them: the names a form offers and the check
//! of a typed name, from `quire-calendar`'s bundled zone database.

/// The zone names a form offers: every zone in the database, sorted.
pub fn names() -> &'static [String] {
    quire_calendar::zone_names()
}

/// A known zone name in the database's spelling, or the message to show
/// beside the field.
pub fn check(name: &str) -> Result<String, String> {
    quire_calendar::Zone::parse(name)
        .map(|z| z.name().to_string())
        .map_err(|e| e.to_string())
}
