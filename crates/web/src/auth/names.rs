//! What a username and a display name may be. The join form's HTML limits
//! are only a courtesy; these checks are the rule.

use crate::error::AppError;

/// Usernames are 3 to this many characters.
pub const MAX_USERNAME_CHARS: usize = 30;
/// Display names are at most this many characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 80;
/// Passwords are at most this many characters (and at least 10).
pub const MAX_PASSWORD_CHARS: usize = 1_000;
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Names a member may not take, because they read as the site speaking or
/// would collide with an address of the site. Compared without case.
const RESERVED: &[&str] = &[
    "about",
    "account",
    "accounts",
    "admin",
    "administrator",
    "api",
    "assets",
    "books",
    "catalog",
    "clubs",
    "help",
    "librarian",
    "login",
    "logout",
    "moderator",
    "null",
    "people",
    "quire",
    "register",
    "root",
    "search",
    "security",
    "settings",
    "shelves",
    "signin",
    "signup",
    "staff",
    "support",
    "system",
    "webmaster",
];

pub fn is_reserved(username: &str) -> bool {
    let key = username.trim().to_lowercase();
    RESERVED.contains(&key.as_str())
}

pub fn validate_username(name: &str) -> Result<(), AppError> {
    let n = name.trim();
    let count = n.chars().count();
    if !(3..=MAX_USERNAME_CHARS).contains(&count) {
        return Err(AppError::bad(
            "username",
            format!("A username is 3 to {MAX_USERNAME_CHARS} characters long."),
        ));
    }
    if let Some(c) = n
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(AppError::bad(
            "username",
            format!("A username can hold letters, digits, '_', '-' and '.'; '{c}' is not allowed."),
        ));
    }
    Ok(())
}

/// A username a member may register: valid, and not one the site keeps.
pub fn validate_new_username(name: &str) -> Result<(), AppError> {
    validate_username(name)?;
    if is_reserved(name) {
        return Err(AppError::bad(
            "username",
            format!(
                "\"{}\" is kept for the site itself; choose another username.",
                name.trim()
            ),
        ));
    }
    Ok(())
}

/// Characters that reorder the text around them (bidi embeddings,
/// overrides and isolates): in a name they can make it read as another.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

pub fn validate_display_name(name: &str) -> Result<(), AppError> {
    let count = name.trim().chars().count();
    if count > MAX_DISPLAY_NAME_CHARS {
        return Err(AppError::bad(
            "display_name",
            format!(
                "A display name can be at most {MAX_DISPLAY_NAME_CHARS} characters; this one has {count}."
            ),
        ));
    }
    if name.chars().any(is_bidi_control) {
        return Err(AppError::bad(
            "display_name",
            "A display name cannot hold characters that change the direction of text; remove them.",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::bad(
            "display_name",
            "A display name cannot hold control characters (such as NUL, tabs or line breaks); remove them.",
        ));
    }
    Ok(())
}

pub fn validate_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AppError::bad(
            "password",
            format!("A password needs at least {MIN_PASSWORD_CHARS} characters; this one has {n}."),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AppError::bad(
            "password",
            "A password can be at most 1,000 characters.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords_are_checked() {
        assert!(validate_username("maya_r").is_ok());
        assert!(validate_username("ma").is_err());
        assert!(
            validate_username("maya r")
                .unwrap_err()
                .to_string()
                .contains("' '")
        );
        assert!(
            validate_password("short")
                .unwrap_err()
                .to_string()
                .contains("has 5")
        );
    }

    #[test]
    fn reserved_names_are_refused_whatever_their_case() {
        for name in ["admin", "Administrator", "LOGIN", " root ", "Quire"] {
            assert!(validate_new_username(name).is_err(), "{name}");
        }
        assert!(validate_new_username("adminfan").is_ok());
    }

    #[test]
    fn display_names_are_bounded_and_plain() {
        assert!(validate_display_name("Maya Ruiz").is_ok());
        assert!(validate_display_name("مايا").is_ok());
        assert!(validate_display_name(&"a".repeat(80)).is_ok());
        assert!(validate_display_name(&"a".repeat(81)).is_err());
        assert!(validate_display_name("evil\u{202E}gnp.exe").is_err());
        assert!(validate_display_name("a\u{2066}b").is_err());
        assert!(validate_display_name("nul\0here").is_err());
        assert!(validate_display_name("two\nlines").is_err());
    }
}
