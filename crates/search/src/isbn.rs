//! ISBNs in queries and documents: hyphens and spaces ignored, ISBN-10 and
//! ISBN-13 (978 prefix) both indexed, so either form finds the book.

/// The digits (and a final X) of `s` if it looks like an ISBN-10 or -13,
/// whatever the separators; checksums are checked.
pub fn normalize(s: &str) -> Option<String> {
    let s = s.trim();
    // Goodreads exports write ISBNs as ="0465042333".
    let s = s
        .strip_prefix("=\"")
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(s);
    let s = s
        .strip_prefix("ISBN")
        .or_else(|| s.strip_prefix("isbn"))
        .map(|r| r.trim_start_matches([':', ' ']))
        .unwrap_or(s);
    let mut out = String::with_capacity(13);
    for ch in s.chars() {
        match ch {
            '0'..='9' => out.push(ch),
            'x' | 'X' => out.push('X'),
            '-' | ' ' => {}
            _ => return None,
        }
    }
    match out.len() {
        10 if valid10(&out) => Some(out),
        13 if valid13(&out) => Some(out),
        _ => None,
    }
}

fn valid10(s: &str) -> bool {
    let mut sum = 0u32;
    for (i, ch) in s.chars().enumerate() {
        let v = match ch {
            '0'..='9' => ch as u32 - '0' as u32,
            'X' if i == 9 => 10,
            _ => return false,
        };
        sum += v * (10 - i as u32);
    }
    sum.is_multiple_of(11)
}

fn valid13(s: &str) -> bool {
    let mut sum = 0u32;
    for (i, ch) in s.chars().enumerate() {
        let Some(v) = ch.to_digit(10) else {
            return false;
        };
        sum += if i % 2 == 0 { v } else { 3 * v };
    }
    sum.is_multiple_of(10)
}

/// The ISBN-13 of an ISBN-10 (normalised input).
pub fn to13(isbn10: &str) -> Option<String> {
    if isbn10.len() != 10 {
        return None;
    }
    let mut s = String::from("978");
    s.push_str(&isbn10[..9]);
    let mut sum = 0u32;
    for (i, ch) in s.chars().enumerate() {
        let v = ch.to_digit(10)?;
        sum += if i % 2 == 0 { v } else { 3 * v };
    }
    s.push(char::from_digit((10 - sum % 10) % 10, 10)?);
    Some(s)
}

/// The ISBN-10 of a 978 ISBN-13 (normalised input).
pub fn to10(isbn13: &str) -> Option<String> {
    let body = isbn13.strip_prefix("978")?.get(..9)?;
    let mut sum = 0u32;
    for (i, ch) in body.chars().enumerate() {
        sum += ch.to_digit(10)? * (10 - i as u32);
    }
    let check = (11 - sum % 11) % 11;
    let mut s = body.to_string();
    s.push(if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10)?
    });
    Some(s)
}

/// Every indexed form of one ISBN (nothing if it is not one).
pub(crate) fn forms(s: &str) -> Vec<String> {
    let Some(n) = normalize(s) else {
        return Vec::new();
    };
    let other = if n.len() == 10 { to13(&n) } else { to10(&n) };
    let mut v = vec![n];
    v.extend(other);
    v
}
