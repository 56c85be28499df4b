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

/// The key two titles of the same book share, for matching imports and
/// finding duplicates: [`fold`]ed, a trailing series group such as
/// "(The Kingkiller Chronicle, #1)" dropped, a subtitle after a colon (or a
/// semicolon: "Frankenstein; or, The Modern Prometheus") dropped, "&" read
/// as "and", punctuation removed (apostrophes join their word, other marks
/// separate words), a leading article dropped ("the", "a", "an", and "le",
/// "la", "les", "l'", "el", "der", "die", "das"), white space collapsed.
/// Never empty when the title has a letter or digit: a title that is only
/// an article or only a subtitle keeps it.
pub fn title_key(title: &str) -> String {
    key_of_title(title, true)
}

/// [`title_key`] with the subtitle kept: "Batman: Year One" and "Batman:
/// Hush" have one `title_key` ("batman") but two full keys. Imports match a
/// title's full key against another's full or subtitle-less key, never two
/// subtitle-less keys, so two books that share only a main title stay apart.
pub fn full_title_key(title: &str) -> String {
    key_of_title(title, false)
}

fn key_of_title(title: &str, drop_subtitle: bool) -> String {
    let title = drop_series_suffix(title);
    let main = match title.find([':', ';']) {
        Some(i) if drop_subtitle && !words(&title[..i]).is_empty() => &title[..i],
        _ => title,
    };
    let w = words(main);
    let start = match w.first().map(String::as_str) {
        Some("the" | "a" | "an" | "le" | "la" | "les" | "el" | "der" | "die" | "das")
            if w.len() > 1 =>
        {
            1
        }
        _ => 0,
    };
    let mut key = w[start..].join(" ");
    // French elision: "L'Étranger" is "letranger" once its apostrophe goes.
    if let Some(rest) = key.strip_prefix("l'") {
        key = rest.to_string();
    }
    key.replace('\'', "")
}

/// The key two spellings of one person's name share: [`fold`]ed, initials'
/// dots and other punctuation made spaces ("J.R.R. Tolkien" and
/// "J. R. R. Tolkien" are both "j r r tolkien"), apostrophes dropped
/// ("O'Brien" is "obrien"), white space collapsed.
pub fn name_key(name: &str) -> String {
    words(name).join(" ").replace('\'', "")
}

/// Folded words: letters and digits, with apostrophes kept inside a word
/// (callers drop them) and every other mark a word break; "&" is "and".
fn words(s: &str) -> Vec<String> {
    let folded = fold(s);
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in folded.chars() {
        if ch.is_alphanumeric() {
            cur.push(ch);
        } else if matches!(ch, '\'' | '\u{2019}' | '\u{2018}' | '\u{02bc}') {
            if !cur.is_empty() {
                cur.push('\'');
            }
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur).trim_end_matches('\'').to_string());
            }
            if ch == '&' {
                out.push("and".into());
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur.trim_end_matches('\'').to_string());
    }
    out.retain(|w| !w.is_empty());
    out
}

/// The title without a trailing parenthesised group that holds a "#", the
/// way Goodreads writes a series: "Mort (Discworld, #4)".
fn drop_series_suffix(title: &str) -> &str {
    let t = title.trim_end();
    if t.ends_with(')')
        && let Some(open) = t.rfind('(')
        && t[open..].contains('#')
        && !t[..open].trim().is_empty()
    {
        return t[..open].trim_end();
    }
    t
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
    fn title_keys_match_the_same_book() {
        let same = [
            (
                "The Name of the Wind (The Kingkiller Chronicle, #1)",
                "The Name of the Wind",
            ),
            (
                "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)",
                "Harry Potter and the Sorcerer’s Stone",
            ),
            (
                "A Feast for Crows (A Song of Ice and Fire, #4)",
                "Feast for Crows",
            ),
            ("Ancillary Justice: A Novel", "ancillary justice"),
            ("Frankenstein; or, The Modern Prometheus", "Frankenstein"),
            ("Moby-Dick", "Moby Dick"),
            ("Pride & Prejudice", "Pride and Prejudice"),
            ("My Ántonia", "MY  ANTONIA"),
            ("L'Étranger", "Étranger"),
            ("Les Misérables", "Miserables"),
            ("Die Verwandlung", "Verwandlung"),
        ];
        for (a, b) in same {
            assert_eq!(title_key(a), title_key(b), "{a:?} and {b:?}");
        }
        assert_eq!(
            title_key("The Name of the Wind (The Kingkiller Chronicle, #1)"),
            "name of the wind"
        );
        assert_eq!(
            title_key("Harry Potter and the Sorcerer's Stone"),
            "harry potter and the sorcerers stone"
        );
        assert_eq!(
            full_title_key("Ancillary Justice: A Novel"),
            "ancillary justice a novel"
        );
        assert_eq!(full_title_key("The Push (Push, #1)"), "push");
    }

    #[test]
    fn title_keys_keep_what_tells_books_apart() {
        assert_ne!(title_key("Emma"), title_key("Persuasion"));
        assert_ne!(
            title_key("The Two Towers"),
            title_key("The Return of the King")
        );
        // A parenthesis without "#" is part of the title.
        assert_eq!(
            title_key("I Am America (And So Can You!)"),
            "i am america and so can you"
        );
        // A title that is only an article, or starts with its subtitle mark.
        assert_eq!(title_key("The"), "the");
        assert_eq!(title_key(": Subtitle only"), "subtitle only");
        assert_eq!(title_key("(#1)"), "1");
    }

    #[test]
    fn name_keys_match_spellings_of_one_person() {
        assert_eq!(name_key("J.R.R. Tolkien"), name_key("J. R. R. Tolkien"));
        assert_eq!(name_key("J.R.R. Tolkien"), "j r r tolkien");
        assert_eq!(
            name_key("Gabriel García  Márquez"),
            "gabriel garcia marquez"
        );
        assert_eq!(name_key("Flannery O'Connor"), name_key("Flannery O’Connor"));
        assert_eq!(name_key("Jean-Paul Sartre"), name_key("Jean Paul Sartre"));
        assert_ne!(name_key("Patrick Rothfuss"), name_key("Patrick O'Brian"));
    }

    proptest::proptest! {
        #[test]
        fn keys_are_stable_and_tidy(s in "\\PC{0,60}") {
            for k in [title_key(&s), name_key(&s)] {
                // Keying a key changes nothing more, and no key has stray spaces.
                proptest::prop_assert_eq!(name_key(&k), k.clone());
                proptest::prop_assert!(!k.starts_with(' ') && !k.ends_with(' ') && !k.contains("  "));
                proptest::prop_assert!(k.chars().all(|c| c.is_alphanumeric() || c == ' '));
            }
        }

        #[test]
        fn case_and_series_suffix_never_change_a_title_key(t in "[A-Za-z][A-Za-z ']{0,30}", n in 1u32..20) {
            let suffixed = format!("{t} (Some Series, #{n})");
            proptest::prop_assert_eq!(title_key(&suffixed), title_key(&t));
            proptest::prop_assert_eq!(title_key(&t.to_uppercase()), title_key(&t));
        }
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
