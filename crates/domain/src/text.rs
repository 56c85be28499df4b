//! Small text rules shared by every crate: slugs, sort keys, limits.

/// The longest review body Quire accepts, in characters.
pub const MAX_REVIEW_CHARS: usize = 20_000;
/// The longest review headline, in characters.
pub const MAX_HEADLINE_CHARS: usize = 200;
/// The longest discussion question, in characters.
pub const MAX_QUESTION_CHARS: usize = 1_000;

/// A URL slug: lower-case ASCII letters and digits joined by hyphens,
/// at most 80 characters. Letters with accents lose them.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for ch in s.chars() {
        let mapped = fold_accent(ch);
        if mapped.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(mapped.to_ascii_lowercase());
        } else if mapped != '\'' && mapped != '\u{2019}' {
            dash = true;
        }
        if out.len() >= 80 {
            break;
        }
    }
    out
}

fn fold_accent(ch: char) -> char {
    match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        _ => ch,
    }
}

/// A key to sort titles by: lower case, leading article dropped.
pub fn sort_title(title: &str) -> String {
    let lower = title.trim().to_lowercase();
    for article in ["the ", "a ", "an "] {
        if let Some(rest) = lower.strip_prefix(article) {
            return rest.trim_start().to_string();
        }
    }
    lower
}

/// "Mary Ann Evans" -> "Evans, Mary Ann" for sorting people by surname.
pub fn sort_name(name: &str) -> String {
    let name = name.trim();
    match name.rsplit_once(' ') {
        Some((given, family)) if !name.contains(',') => format!("{family}, {given}"),
        _ => name.to_string(),
    }
}

/// The form of a text that search and matching compare: every letter in
/// lower case (any script, not just ASCII), accents and other marks
/// removed ("Ántonia" → "antonia", "Ærø" → "aero", "Straße" → "strasse"),
/// control characters (NUL included) dropped and runs of white space made
/// one space.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.nfkd() {
        if is_combining_mark(ch) || (ch.is_control() && !ch.is_whitespace()) {
            continue;
        }
        if ch.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match ch {
            'ø' | 'Ø' => out.push('o'),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ß' | 'ẞ' => out.push_str("ss"),
            'ł' | 'Ł' => out.push('l'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            _ => out.extend(ch.to_lowercase()),
        }
    }
    out
}

/// Cut `s` to at most `max` characters on a word boundary, adding "…"
/// when anything was cut.
pub fn truncate_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("The Push: A Novel"), "the-push-a-novel");
        assert_eq!(
            slugify("Alice's Adventures in Wonderland"),
            "alices-adventures-in-wonderland"
        );
        assert_eq!(
            slugify("El amor en los tiempos del cólera"),
            "el-amor-en-los-tiempos-del-colera"
        );
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn sort_keys() {
        assert_eq!(sort_title("The Push"), "push");
        assert_eq!(sort_name("Ashley Audrain"), "Audrain, Ashley");
        assert_eq!(sort_name("Audrain, Ashley"), "Audrain, Ashley");
    }

    #[test]
    fn folding_ignores_case_accents_and_controls() {
        assert_eq!(fold("My Ántonia"), "my antonia");
        assert_eq!(fold("ÉCOLE  des\tFemmes"), "ecole des femmes");
        assert_eq!(fold("Ærø Straße"), "aero strasse");
        assert_eq!(fold("Война и мир"), "воина и мир");
        assert_eq!(fold("a\0b"), "ab");
        assert_eq!(fold("  "), "");
    }

    #[test]
    fn truncation_keeps_words() {
        assert_eq!(
            truncate_words("A tense, page-turning drama", 12),
            "A tense,…"
        );
        assert_eq!(truncate_words("short", 12), "short");
    }
}
