//! Splitting a paragraph into sentences, by rule.
//!
//! A sentence ends at `.`, `!`, `?` or an ellipsis, with any closing
//! quotes or brackets after it (`."`, `.’”`, `?)`), when a space follows
//! and the next word starts with a capital or a digit (after any opening
//! quote). So "“What is his name?” said she" stays whole, as does "the
//! time, p.m. on Tuesday". A full stop after a title ("Mr.", "Mrs.",
//! "Dr.", "St." and the like) or after an initial ("J. Comyns Carr") ends
//! nothing. Speech broken off by a dash and closed ("“I was going—” “Go
//! on.”") ends a sentence too.
//!
//! Why rules rather than Unicode's sentence boundaries (UAX #29, as in
//! `unicode-segmentation`): those break after every "Mr. " before a
//! capital, which in Pride and Prejudice alone is over a thousand wrong
//! breaks ("Mr. Darcy" is everywhere), and knowing titles is the fix
//! either way; the rules above are that fix and no more.

use std::ops::Range;

/// Words that end with a full stop without ending a sentence.
const TITLES: [&str; 28] = [
    "Mr", "Mrs", "Messrs", "Ms", "Dr", "St", "Mme", "Mlle", "Rev", "Col", "Capt", "Gen", "Lt",
    "Sgt", "Prof", "Hon", "Jr", "Sr", "No", "Nos", "Vol", "viz", "vs", "cf", "Mt", "Ft", "Gov",
    "Sen",
];

const CLOSERS: [char; 9] = ['"', '\'', '”', '’', ')', ']', '_', '»', '*'];
const OPENERS: [char; 8] = ['"', '\'', '“', '‘', '(', '[', '_', '«'];

/// The sentences of `text` as byte ranges, in order, covering every word:
/// each starts at a non-space and ends after its last non-space, and only
/// whitespace lies between them.
pub fn split(text: &str) -> Vec<Range<u32>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = match chars.iter().position(|(_, c)| !c.is_whitespace()) {
        Some(k) => k,
        None => return out,
    };
    let mut k = start;
    while k < chars.len() {
        let c = chars[k].1;
        let ends = match c {
            '.' | '!' | '?' | '…' => true,
            '—' => chars.get(k + 1).is_some_and(|(_, n)| CLOSERS.contains(n)),
            _ => false,
        };
        if !ends {
            k += 1;
            continue;
        }
        // The run of stops ("?!", "...") and closing marks after it.
        let mut j = k;
        while j < chars.len() && matches!(chars[j].1, '.' | '!' | '?' | '…') {
            j += 1;
        }
        if c == '—' {
            j = k + 1;
        }
        while j < chars.len() && CLOSERS.contains(&chars[j].1) {
            j += 1;
        }
        let end = j;
        if end < chars.len() && !chars[end].1.is_whitespace() {
            k = end.max(k + 1);
            continue;
        }
        let mut next = end;
        while next < chars.len() && chars[next].1.is_whitespace() {
            next += 1;
        }
        // A title's stop has nothing after it: "“No.”" ends a sentence.
        let single_stop = c == '.' && end == k + 1;
        let breaks = next >= chars.len()
            || (starts_sentence(&chars[next..])
                && !(single_stop && abbreviation(&chars[start..k])));
        if breaks {
            push(&mut out, &chars, text, start, end);
            start = next;
        }
        k = end.max(k + 1);
    }
    if start < chars.len() {
        push(&mut out, &chars, text, start, chars.len());
    }
    out
}

fn push(out: &mut Vec<Range<u32>>, chars: &[(usize, char)], text: &str, from: usize, to: usize) {
    let mut to = to;
    while to > from && chars[to - 1].1.is_whitespace() {
        to -= 1;
    }
    if to <= from {
        return;
    }
    let a = chars[from].0;
    let b = chars.get(to).map_or(text.len(), |(i, _)| *i);
    out.push(a as u32..b as u32);
}

/// Whether the text from here opens a sentence: past opening quotes, a
/// capital letter or a digit.
fn starts_sentence(rest: &[(usize, char)]) -> bool {
    rest.iter()
        .map(|(_, c)| *c)
        .find(|c| !OPENERS.contains(c))
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Whether the sentence so far ends with a title ("Mr") or an initial
/// ("J"), so that the full stop after it ends nothing.
fn abbreviation(before: &[(usize, char)]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .map(|(_, c)| *c)
        .take_while(|c| !c.is_whitespace() && !OPENERS.contains(c) && *c != '—' && *c != '-')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if TITLES.contains(&word.as_str()) {
        return true;
    }
    // An initial: one capital letter ("J."), but not "I", which ends
    // sentences ("…than I. She").
    let mut cs = word.chars();
    matches!((cs.next(), cs.next()), (Some(c), None) if c.is_uppercase() && c != 'I')
        || matches!(word.as_str(), "e.g" | "i.e")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split(text)
            .into_iter()
            .map(|r| &text[r.start as usize..r.end as usize])
            .collect()
    }

    #[test]
    fn titles_initials_and_quotes() {
        assert_eq!(
            sentences("“My dear Mr. Bennet,” said his lady. “Have you heard?” “No.” He went."),
            vec![
                "“My dear Mr. Bennet,” said his lady.",
                "“Have you heard?”",
                "“No.”",
                "He went."
            ]
        );
        assert_eq!(
            sentences("To J. Comyns Carr it was. Then I. Then you."),
            vec!["To J. Comyns Carr it was.", "Then I.", "Then you."]
        );
        assert_eq!(
            sentences("“What?” said he. Wait... Now!"),
            vec!["“What?” said he.", "Wait...", "Now!"]
        );
        assert_eq!(
            sentences("“I was going—” “Go on.”"),
            vec!["“I was going—”", "“Go on.”"]
        );
        assert!(sentences("   ").is_empty());
    }
}
