//! Covers drawn for books without a stored one: an inline SVG (nothing to
//! fetch, nothing from another site) in a style chosen from the book's
//! subjects, the way a publisher's design says "thriller" or "poetry" at a
//! glance. Within a style, the palette and ornament are chosen from the
//! work's id, so one book always looks the same and neighbours differ.
//!
//! Legibility is designed for the smallest place a cover is shown, a card
//! about 150 px wide (the SVG is 200 × 300 units, so a unit is ~0.75 px
//! there): titles are set as large as their longest word allows, authors at
//! no less than 20 units (15 px on a card), and every text colour has at
//! least 4.5:1 contrast with what is behind it (checked in the tests).

use crate::view::escape;
use quire_domain::WorkId;
use std::fmt::Write;

/// A palette as a literal, so the tables above are static.
macro_rules! pal {
    ($bg:expr, $bg2:expr, $title:expr, $author:expr, $ornament:expr) => {
        Palette {
            bg: $bg,
            bg2: $bg2,
            title: $title,
            author: $author,
            ornament: $ornament,
        }
    };
}

/// The look of a kind of book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Genre {
    Fantasy,
    ScienceFiction,
    Mystery,
    Horror,
    Romance,
    Classics,
    History,
    Poetry,
    Children,
    Default,
}

impl Genre {
    /// The genre of the heaviest subject that names one.
    fn of(subjects: &[String]) -> Genre {
        subjects
            .iter()
            .find_map(|s| Genre::named(&s.to_lowercase()))
            .unwrap_or(Genre::Default)
    }

    fn named(s: &str) -> Option<Genre> {
        let has = |words: &[&str]| words.iter().any(|w| s.contains(w));
        // Order matters: "science fiction and fantasy" is science fiction,
        // "historical romance" romance, "paranormal romance" romance.
        Some(
            if has(&[
                "science fiction",
                "sci-fi",
                "dystopia",
                "post-apocalyptic",
                "steampunk",
                "time travel",
                "space",
            ]) {
                Genre::ScienceFiction
            } else if has(&["romance", "chick lit", "love"]) {
                Genre::Romance
            } else if has(&[
                "horror",
                "vampire",
                "zombie",
                "ghost",
                "gothic",
                "supernatural",
                "paranormal",
            ]) {
                Genre::Horror
            } else if has(&["fantasy", "magic", "dragon", "fairy", "mytholog", "witch"]) {
                Genre::Fantasy
            } else if has(&[
                "mystery",
                "thriller",
                "crime",
                "detective",
                "suspense",
                "espionage",
                "noir",
            ]) {
                Genre::Mystery
            } else if has(&["poetry", "poems", "verse"]) {
                Genre::Poetry
            } else if has(&["children", "picture book", "middle grade", "kids"]) {
                Genre::Children
            } else if has(&[
                "history",
                "historical",
                "biography",
                "memoir",
                "war",
                "military",
                "autobiography",
            ]) {
                Genre::History
            } else if has(&["classic", "victorian", "19th century", "literature"]) {
                Genre::Classics
            } else {
                return None;
            },
        )
    }

    /// The palettes a work of this genre may get: background, second
    /// background (for gradients and panels), title colour, author colour,
    /// ornament colour.
    fn palettes(self) -> &'static [Palette] {
        match self {
            Genre::Fantasy => &[
                pal!("#1d1446", "#3b2470", "#f3d27a", "#e9e0ff", "#c9a545"),
                pal!("#0f2f2c", "#17524a", "#f0d58c", "#d9f2ea", "#b8934a"),
                pal!("#3a0f1f", "#5e1832", "#f6d98e", "#f6dde5", "#c79a4b"),
            ],
            Genre::ScienceFiction => &[
                pal!("#07121f", "#0e2a47", "#7fe3ff", "#e6f4ff", "#2f89c5"),
                pal!("#120a1f", "#2a1050", "#ff9de2", "#f3e8ff", "#8a5cf0"),
                pal!("#0b1a12", "#123524", "#a8ffb0", "#e3ffe6", "#3fa862"),
            ],
            Genre::Mystery => &[
                pal!("#121212", "#f2c230", "#ffffff", "#f2c230", "#f2c230"),
                pal!("#1a1d24", "#d7263d", "#ffffff", "#ff8a98", "#d7263d"),
                pal!("#0e1b24", "#e9eef2", "#e9eef2", "#9fd3ff", "#4aa3df"),
            ],
            Genre::Horror => &[
                pal!("#0b0b0b", "#2a0508", "#f4efe6", "#ff7b7b", "#8e1b1b"),
                pal!("#10140f", "#26301f", "#e8f0d8", "#c4d99b", "#6b7d4a"),
            ],
            Genre::Romance => &[
                pal!("#fbe3e8", "#f7c6d0", "#6b1235", "#5a2a3a", "#e28aa1"),
                pal!("#fdebdc", "#f8cfb0", "#7a2a14", "#5b3020", "#e39a6f"),
                pal!("#ece4f7", "#d6c6f0", "#3f1f6b", "#3d2f55", "#a58ad6"),
            ],
            Genre::Classics => &[
                pal!("#1f3b2d", "#f3ead3", "#f3ead3", "#e3d3a6", "#c9b27a"),
                pal!("#5b1a1a", "#f3ead3", "#f6ead0", "#ecd9a8", "#caa55a"),
                pal!("#1c2a4a", "#f3ead3", "#f3ead3", "#d8c9a0", "#b89b5e"),
            ],
            Genre::History => &[
                pal!("#ede3cf", "#8a5a2b", "#3b2413", "#5a3a1e", "#8a5a2b"),
                pal!("#dfe3e6", "#2e4a62", "#1e2f3e", "#2e4a62", "#2e4a62"),
                pal!("#efe6d8", "#7a1f1f", "#2b1d14", "#7a1f1f", "#7a1f1f"),
            ],
            Genre::Poetry => &[
                pal!("#f7f4ee", "#e7e0d2", "#2a2a2a", "#5b5147", "#b08d57"),
                pal!("#eef3f1", "#d5e3de", "#1f3d36", "#3f5a52", "#6d9c8f"),
            ],
            Genre::Children => &[
                pal!("#ffd84d", "#ff8c5a", "#2b1a5e", "#2b1a5e", "#ffffff"),
                pal!("#8fd3ff", "#ffe066", "#10305a", "#10305a", "#ffffff"),
                pal!("#b9f0a8", "#ff9fb2", "#173d16", "#173d16", "#ffffff"),
            ],
            Genre::Default => &[
                pal!("#20303f", "#e07a5f", "#ffffff", "#f4d6cc", "#e07a5f"),
                pal!("#f1efe9", "#2a9d8f", "#1d2b33", "#264653", "#2a9d8f"),
                pal!("#3d405b", "#f2cc8f", "#fdf6e9", "#f2cc8f", "#f2cc8f"),
                pal!("#e9f1f7", "#1b4965", "#102a3c", "#1b4965", "#62b6cb"),
                pal!("#2b2d42", "#8d99ae", "#edf2f4", "#d9dee6", "#ef233c"),
            ],
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Palette {
    bg: &'static str,
    bg2: &'static str,
    title: &'static str,
    author: &'static str,
    ornament: &'static str,
}

/// How a genre sets its type.
struct Type {
    family: &'static str,
    weight: &'static str,
    style: &'static str,
    upper: bool,
    /// Letter spacing in units.
    spacing: f32,
    /// The width of an average glyph as a share of the font size (for
    /// upper case if `upper`), measured on the widest fallback font.
    glyph: f32,
    /// The least size a long word may force (titles shrink to fit one;
    /// authors do not shrink below their minimum).
    floor: f32,
}

const SERIF: &str = "Georgia,'Iowan Old Style','Palatino Linotype','DejaVu Serif',serif";
const SANS: &str = "'Helvetica Neue',Helvetica,Arial,'DejaVu Sans',sans-serif";
const CONDENSED: &str =
    "'Arial Narrow','Roboto Condensed','DejaVu Sans Condensed','Helvetica Neue',sans-serif";
const ROUNDED: &str = "'Trebuchet MS','Verdana','DejaVu Sans',sans-serif";

fn title_type(g: Genre) -> Type {
    let t = |family, weight, style, upper, spacing, glyph| Type {
        family,
        weight,
        style,
        upper,
        spacing,
        glyph,
        floor: FLOOR,
    };
    match g {
        Genre::Fantasy => t(SERIF, "bold", "normal", true, 1.0, 0.84),
        Genre::ScienceFiction => t(SANS, "bold", "normal", true, 2.0, 0.8),
        Genre::Mystery => t(CONDENSED, "bold", "normal", true, 0.0, 0.7),
        Genre::Horror => t(SERIF, "bold", "normal", true, 1.0, 0.84),
        Genre::Romance => t(SERIF, "normal", "italic", false, 0.0, 0.58),
        Genre::Classics => t(SERIF, "normal", "normal", true, 1.0, 0.8),
        Genre::History => t(SERIF, "bold", "normal", false, 0.0, 0.64),
        Genre::Poetry => t(SERIF, "normal", "italic", false, 0.5, 0.54),
        Genre::Children => t(ROUNDED, "bold", "normal", false, 0.0, 0.68),
        Genre::Default => t(SANS, "bold", "normal", false, 0.0, 0.66),
    }
}

/// Break text into lines of at most `width` characters, by words. A word
/// longer than a line gets a line of its own (the font size is chosen so
/// that it fits). More than `max_lines` ends in an ellipsis.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(l) = lines.last_mut() {
            l.push('…');
        }
    }
    lines
}

/// Lines and their font size: the largest size from `max` down to `min`
/// at which the text fits a box `width` × `height` units (its longest word
/// on one line). At `min`, what does not fit ends in an ellipsis.
fn fit(text: &str, ty: &Type, width: f32, height: f32, max: f32, min: f32) -> (Vec<String>, f32) {
    let floor = ty.floor.min(min);
    let longest = text
        .split_whitespace()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0);
    let mut size = max;
    loop {
        let per_char = size * ty.glyph + ty.spacing;
        let chars = ((width / per_char).floor() as usize).max(1);
        let lines = wrap(text, chars, usize::MAX);
        let tall = block_height(lines.len(), size);
        // Below `min` only while the longest word is still too wide, down
        // to a floor: a long word must never run off the cover.
        if (tall <= height && longest <= chars)
            || (size <= min && (longest <= chars || size <= floor))
        {
            let room = (((height - size * CAP) / (size * LEADING)).floor() as usize + 1).max(1);
            return (wrap(text, chars, room), size);
        }
        size -= 1.0;
    }
}

const LEADING: f32 = 1.12;
/// The smallest size a title is ever set at.
const FLOOR: f32 = 11.0;
/// The height of a capital as a share of the font size.
const CAP: f32 = 0.74;

/// From the top of the first line's capitals to the last line's baseline.
fn block_height(lines: usize, size: f32) -> f32 {
    size * CAP + lines.saturating_sub(1) as f32 * size * LEADING
}

/// Where a block of text goes: a box, and whether it is centred in it
/// (vertically and horizontally) or set from its top left.
struct Frame {
    x: f32,
    top: f32,
    bottom: f32,
    width: f32,
    centred: bool,
}

/// Fit `text` into `f` and draw it; returns the baseline of the last line.
fn set(out: &mut String, text: &str, ty: &Type, f: &Frame, max: f32, min: f32, fill: &str) -> f32 {
    if text.is_empty() {
        return f.top;
    }
    let (lines, size) = fit(text, ty, f.width, f.bottom - f.top, max, min);
    let tall = block_height(lines.len(), size);
    let first = if f.centred {
        f.top + (f.bottom - f.top - tall).max(0.0) / 2.0 + size * CAP
    } else {
        f.top + size * CAP
    };
    let (x, anchor) = if f.centred {
        (f.x + f.width / 2.0, "middle")
    } else {
        (f.x, "start")
    };
    let at = At {
        x,
        first_baseline: first,
        leading: size * LEADING,
        anchor,
    };
    text_lines(out, &lines, ty, size, fill, at);
    first + lines.len().saturating_sub(1) as f32 * size * LEADING
}

/// "A, B and C" → at most two names, then "and others".
fn byline(authors: &str) -> String {
    let names: Vec<&str> = authors.split(", ").filter(|s| !s.is_empty()).collect();
    match names.len() {
        0 => String::new(),
        1 => names[0].to_string(),
        2 => format!("{} and {}", names[0], names[1]),
        _ => format!("{} and others", names[0]),
    }
}

/// Where lines of text start: x, the first baseline, the distance between
/// baselines, and the SVG text anchor.
struct At<'a> {
    x: f32,
    first_baseline: f32,
    leading: f32,
    anchor: &'a str,
}

fn text_lines(out: &mut String, lines: &[String], ty: &Type, size: f32, fill: &str, at: At<'_>) {
    let At {
        x,
        first_baseline,
        leading,
        anchor,
    } = at;
    for (i, line) in lines.iter().enumerate() {
        let shown = if ty.upper {
            line.to_uppercase()
        } else {
            line.clone()
        };
        let _ = write!(
            out,
            "<text x=\"{x}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-family=\"{}\" font-size=\"{size}\" font-weight=\"{}\" font-style=\"{}\" letter-spacing=\"{}\" fill=\"{fill}\">{}</text>",
            first_baseline + i as f32 * leading,
            ty.family,
            ty.weight,
            ty.style,
            ty.spacing,
            escape(&shown)
        );
    }
}

/// Authors are set at 20 units, and never below 17 (13 px on the
/// narrowest card).
const AUTHOR_MAX: f32 = 20.0;
const AUTHOR_MIN: f32 = 17.0;

/// The byline to show: all names when they fit two lines, else the first
/// name "and others".
fn fitted_byline(authors: &str, ty: &Type, width: f32) -> String {
    let full = byline(authors);
    let two_lines = block_height(2, AUTHOR_MIN);
    let (lines, _) = fit(&full, ty, width, two_lines, AUTHOR_MAX, AUTHOR_MIN);
    if lines.last().is_some_and(|l| l.ends_with('…'))
        && let Some(first) = authors
            .split(", ")
            .next()
            .filter(|_| authors.contains(", "))
    {
        return format!("{first} and others");
    }
    full
}

/// An SVG cover (2:3), to be placed inline in the page.
pub fn generated_svg(id: WorkId, title: &str, authors: &str, subjects: &[String]) -> String {
    let genre = Genre::of(subjects);
    let b = id.0.as_bytes();
    let palettes = genre.palettes();
    let p = palettes[usize::from(b[15]) % palettes.len()];
    let variant = b[14];
    let ty = title_type(genre);
    let upper_author = matches!(
        genre,
        Genre::Mystery | Genre::ScienceFiction | Genre::Classics
    );
    let author_type = Type {
        family: match genre {
            Genre::Mystery | Genre::ScienceFiction | Genre::Default => SANS,
            Genre::Children => ROUNDED,
            _ => SERIF,
        },
        weight: "normal",
        style: "normal",
        upper: upper_author,
        spacing: if upper_author { 1.0 } else { 0.0 },
        glyph: if upper_author { 0.72 } else { 0.58 },
        floor: AUTHOR_MIN,
    };
    // The narrowest author frame decides, so the byline fits every layout.
    let by = fitted_byline(authors, &author_type, 140.0);
    let two = block_height(2, AUTHOR_MAX);
    let author_at = |top: f32, x: f32, width: f32, centred: bool| Frame {
        x,
        top,
        bottom: top + two,
        width,
        centred,
    };
    // An author block that sits on a bottom line: its top moves up when the
    // byline takes two lines.
    let author_above = |baseline: f32, x: f32, width: f32, centred: bool| {
        let (lines, size) = fit(&by, &author_type, width, two, AUTHOR_MAX, AUTHOR_MIN);
        let top = baseline - block_height(lines.len(), size);
        Frame {
            x,
            top,
            bottom: baseline,
            width,
            centred,
        }
    };

    let mut svg = format!(
        "<svg class=\"cover cover-{}\" viewBox=\"0 0 200 300\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Cover of {}\">",
        genre_class(genre),
        escape(title)
    );
    let gid = format!("g{}", &id.0.simple().to_string()[..12]);
    match genre {
        Genre::Fantasy => {
            let _ = write!(
                svg,
                "<defs><linearGradient id=\"{gid}\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\"><stop offset=\"0\" stop-color=\"{}\"/><stop offset=\"1\" stop-color=\"{}\"/></linearGradient></defs>\
<rect width=\"200\" height=\"300\" fill=\"url(#{gid})\"/>\
<rect x=\"10\" y=\"10\" width=\"180\" height=\"280\" rx=\"3\" fill=\"none\" stroke=\"{o}\" stroke-width=\"1.5\"/>\
<rect x=\"15\" y=\"15\" width=\"170\" height=\"270\" rx=\"2\" fill=\"none\" stroke=\"{o}\" stroke-width=\"0.6\"/>\
<path d=\"M100 198 l7 7 l-7 7 l-7 -7 z\" fill=\"{o}\"/><path d=\"M58 205 H88 M112 205 H142\" stroke=\"{o}\" stroke-width=\"1\"/>",
                p.bg,
                p.bg2,
                o = p.ornament,
            );
            let f = Frame {
                x: 24.0,
                top: 30.0,
                bottom: 186.0,
                width: 152.0,
                centred: true,
            };
            set(&mut svg, title, &ty, &f, 36.0, 17.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_at(226.0, 24.0, 152.0, true),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
        Genre::ScienceFiction => {
            let cx = 40 + u32::from(variant % 120);
            let _ = write!(
                svg,
                "<rect width=\"200\" height=\"300\" fill=\"{bg}\"/>\
<circle cx=\"{cx}\" cy=\"252\" r=\"70\" fill=\"{bg2}\"/>\
<ellipse cx=\"{cx}\" cy=\"252\" rx=\"110\" ry=\"18\" fill=\"none\" stroke=\"{o}\" stroke-width=\"1.2\" transform=\"rotate(-12 {cx} 252)\"/>\
<g fill=\"{t}\" opacity=\"0.8\"><circle cx=\"30\" cy=\"200\" r=\"1\"/><circle cx=\"170\" cy=\"178\" r=\"1.2\"/><circle cx=\"150\" cy=\"150\" r=\"0.8\"/><circle cx=\"20\" cy=\"160\" r=\"1\"/><circle cx=\"110\" cy=\"186\" r=\"0.7\"/></g>\
<rect x=\"18\" y=\"26\" width=\"30\" height=\"3\" fill=\"{o}\"/>\
<rect x=\"0\" y=\"244\" width=\"200\" height=\"56\" fill=\"{bg}\" opacity=\"0.85\"/>",
                bg = p.bg,
                bg2 = p.bg2,
                o = p.ornament,
                t = p.title,
            );
            let f = Frame {
                x: 18.0,
                top: 42.0,
                bottom: 170.0,
                width: 166.0,
                centred: false,
            };
            set(&mut svg, title, &ty, &f, 44.0, 17.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_above(282.0, 18.0, 166.0, false),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
        Genre::Mystery => {
            let slant = 196.0 + f32::from(variant % 30);
            let _ = write!(
                svg,
                "<rect width=\"200\" height=\"300\" fill=\"{bg}\"/>\
<path d=\"M0 {slant} L200 {s2} L200 {s3} L0 {s4} Z\" fill=\"{o}\" opacity=\"0.9\"/>",
                bg = p.bg,
                o = p.ornament,
                s2 = slant - 40.0,
                s3 = slant - 28.0,
                s4 = slant + 12.0,
            );
            let f = Frame {
                x: 14.0,
                top: 24.0,
                bottom: slant - 52.0,
                width: 174.0,
                centred: false,
            };
            set(&mut svg, title, &ty, &f, 50.0, 18.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_above(282.0, 14.0, 174.0, false),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
        Genre::Horror => {
            let mx = 60 + u32::from(variant % 80);
            let _ = write!(
                svg,
                "<defs><radialGradient id=\"{gid}\" cx=\"0.5\" cy=\"0.35\" r=\"0.8\"><stop offset=\"0\" stop-color=\"{bg2}\"/><stop offset=\"1\" stop-color=\"{bg}\"/></radialGradient></defs>\
<rect width=\"200\" height=\"300\" fill=\"url(#{gid})\"/>\
<circle cx=\"{mx}\" cy=\"56\" r=\"24\" fill=\"{o}\" opacity=\"0.6\"/>\
<path d=\"M0 300 L0 236 L24 224 L40 240 L62 218 L86 238 L110 214 L134 236 L160 220 L182 234 L200 226 L200 300 Z\" fill=\"#000000\" opacity=\"0.55\"/>",
                bg = p.bg,
                bg2 = p.bg2,
                o = p.ornament,
            );
            let f = Frame {
                x: 16.0,
                top: 96.0,
                bottom: 206.0,
                width: 168.0,
                centred: true,
            };
            set(&mut svg, title, &ty, &f, 38.0, 17.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_above(282.0, 16.0, 168.0, true),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
        Genre::Romance => {
            let _ = write!(
                svg,
                "<rect width=\"200\" height=\"300\" fill=\"{bg}\"/>\
<circle cx=\"{c1}\" cy=\"36\" r=\"44\" fill=\"{bg2}\"/><circle cx=\"{c2}\" cy=\"292\" r=\"52\" fill=\"{bg2}\"/>\
<circle cx=\"{c1}\" cy=\"36\" r=\"30\" fill=\"none\" stroke=\"{o}\" stroke-width=\"1\"/>\
<path d=\"M72 200 Q100 210 128 200\" fill=\"none\" stroke=\"{o}\" stroke-width=\"1.2\"/>",
                bg = p.bg,
                bg2 = p.bg2,
                o = p.ornament,
                c1 = 160 - u32::from(variant % 3) * 60,
                c2 = 30 + u32::from(variant % 5) * 30,
            );
            let f = Frame {
                x: 18.0,
                top: 84.0,
                bottom: 188.0,
                width: 164.0,
                centred: true,
            };
            set(&mut svg, title, &ty, &f, 36.0, 18.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_at(218.0, 18.0, 164.0, true),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
        Genre::Classics => {
            let _ = write!(
                svg,
                "<rect width=\"200\" height=\"300\" fill=\"{bg}\"/>\
<rect x=\"14\" y=\"14\" width=\"172\" height=\"272\" fill=\"none\" stroke=\"{o}\" stroke-width=\"2\"/>\
<rect x=\"19\" y=\"19\" width=\"162\" height=\"262\" fill=\"none\" stroke=\"{o}\" stroke-width=\"0.7\"/>\
<path d=\"M70 196 H130\" stroke=\"{o}\" stroke-width=\"1\"/><circle cx=\"100\" cy=\"196\" r=\"3\" fill=\"{o}\"/>",
                bg = p.bg,
                o = p.ornament,
            );
            let f = Frame {
                x: 26.0,
                top: 36.0,
                bottom: 182.0,
                width: 148.0,
                centred: true,
            };
            set(&mut svg, title, &ty, &f, 32.0, 16.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_at(216.0, 26.0, 148.0, true),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
        Genre::History => {
            let _ = write!(
                svg,
                "<rect width=\"200\" height=\"300\" fill=\"{bg}\"/>\
<rect x=\"0\" y=\"0\" width=\"200\" height=\"12\" fill=\"{bg2}\"/><rect x=\"0\" y=\"288\" width=\"200\" height=\"12\" fill=\"{bg2}\"/>\
<path d=\"M20 {r} H180\" stroke=\"{o}\" stroke-width=\"2\"/><path d=\"M20 {r2} H180\" stroke=\"{o}\" stroke-width=\"0.7\"/>",
                bg = p.bg,
                bg2 = p.bg2,
                o = p.ornament,
                r = 86,
                r2 = 91,
            );
            // Biographies and histories lead with the name, above a rule.
            set(
                &mut svg,
                &by,
                &author_type,
                &author_above(74.0, 18.0, 164.0, true),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
            let f = Frame {
                x: 18.0,
                top: 108.0,
                bottom: 270.0,
                width: 164.0,
                centred: true,
            };
            set(&mut svg, title, &ty, &f, 34.0, 17.0, p.title);
        }
        Genre::Poetry => {
            let _ = write!(
                svg,
                "<rect width=\"200\" height=\"300\" fill=\"{bg}\"/>\
<rect x=\"22\" y=\"22\" width=\"156\" height=\"256\" fill=\"none\" stroke=\"{bg2}\" stroke-width=\"1.5\"/>\
<path d=\"M100 80 c-6 -10 -16 -10 -16 0 c0 8 16 14 16 14 c0 0 16 -6 16 -14 c0 -10 -10 -10 -16 0 z\" fill=\"none\" stroke=\"{o}\" stroke-width=\"1\"/>",
                bg = p.bg,
                bg2 = p.bg2,
                o = p.ornament,
            );
            let f = Frame {
                x: 32.0,
                top: 108.0,
                bottom: 214.0,
                width: 136.0,
                centred: true,
            };
            set(&mut svg, title, &ty, &f, 32.0, 18.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_above(258.0, 30.0, 140.0, true),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
        Genre::Children => {
            let cx = 40 + u32::from(variant % 120);
            let _ = write!(
                svg,
                "<rect width=\"200\" height=\"300\" fill=\"{bg}\"/>\
<path d=\"M0 228 Q50 196 100 224 T200 216 L200 300 L0 300 Z\" fill=\"{bg2}\"/>\
<circle cx=\"{cx}\" cy=\"262\" r=\"12\" fill=\"{o}\"/><circle cx=\"{c2}\" cy=\"276\" r=\"7\" fill=\"{o}\"/>\
<circle cx=\"176\" cy=\"24\" r=\"5\" fill=\"{o}\"/><circle cx=\"22\" cy=\"196\" r=\"4\" fill=\"{o}\"/>",
                bg = p.bg,
                bg2 = p.bg2,
                o = p.ornament,
                c2 = (cx + 60) % 180 + 10,
            );
            let f = Frame {
                x: 14.0,
                top: 28.0,
                bottom: 150.0,
                width: 172.0,
                centred: true,
            };
            let last = set(&mut svg, title, &ty, &f, 40.0, 18.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_at(last.max(120.0) + 18.0, 14.0, 172.0, true),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
        Genre::Default => {
            // A modernist block: a band across the cover at a height chosen
            // from the id, the title above it, the author below.
            let band = 196.0 + f32::from(variant % 24);
            let o = p.ornament;
            let _ = write!(
                svg,
                "<rect width=\"200\" height=\"300\" fill=\"{}\"/>",
                p.bg
            );
            let _ = match variant % 3 {
                0 => write!(
                    svg,
                    "<rect x=\"0\" y=\"{band}\" width=\"200\" height=\"10\" fill=\"{o}\"/>"
                ),
                1 => write!(
                    svg,
                    "<circle cx=\"168\" cy=\"{band}\" r=\"20\" fill=\"{o}\"/><rect x=\"0\" y=\"{}\" width=\"146\" height=\"3\" fill=\"{o}\"/>",
                    band - 1.5
                ),
                _ => write!(
                    svg,
                    "<rect x=\"18\" y=\"22\" width=\"40\" height=\"6\" fill=\"{o}\"/><rect x=\"0\" y=\"{band}\" width=\"200\" height=\"3\" fill=\"{o}\"/>"
                ),
            };
            let f = Frame {
                x: 18.0,
                top: 42.0,
                bottom: band - 22.0,
                width: 166.0,
                centred: false,
            };
            set(&mut svg, title, &ty, &f, 40.0, 17.0, p.title);
            set(
                &mut svg,
                &by,
                &author_type,
                &author_above(278.0, 18.0, 166.0, false),
                AUTHOR_MAX,
                AUTHOR_MIN,
                p.author,
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn genre_class(g: Genre) -> &'static str {
    match g {
        Genre::Fantasy => "fantasy",
        Genre::ScienceFiction => "science-fiction",
        Genre::Mystery => "mystery",
        Genre::Horror => "horror",
        Genre::Romance => "romance",
        Genre::Classics => "classics",
        Genre::History => "history",
        Genre::Poetry => "poetry",
        Genre::Children => "children",
        Genre::Default => "fiction",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        let channel = |c: u32| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(v >> 16 & 0xFF)
            + 0.7152 * channel(v >> 8 & 0xFF)
            + 0.0722 * channel(v & 0xFF)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    const ALL: [Genre; 10] = [
        Genre::Fantasy,
        Genre::ScienceFiction,
        Genre::Mystery,
        Genre::Horror,
        Genre::Romance,
        Genre::Classics,
        Genre::History,
        Genre::Poetry,
        Genre::Children,
        Genre::Default,
    ];

    #[test]
    fn every_text_colour_has_at_least_4_5_to_1_contrast_with_its_background() {
        for g in ALL {
            for p in g.palettes() {
                // Text sits on the main background everywhere; on the
                // gradient's second colour too in fantasy and horror.
                let mut behind = vec![p.bg];
                if matches!(g, Genre::Fantasy | Genre::Horror) {
                    behind.push(p.bg2);
                }
                for bg in behind {
                    for text in [p.title, p.author] {
                        let c = contrast(text, bg);
                        assert!(c >= 4.5, "{g:?}: {text} on {bg} is {c:.2}:1");
                    }
                }
            }
        }
    }

    #[test]
    fn subjects_choose_the_style() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            Genre::of(&s(&["Fiction", "Fantasy", "Young adult"])),
            Genre::Fantasy
        );
        assert_eq!(
            Genre::of(&s(&["Mystery thriller", "Crime"])),
            Genre::Mystery
        );
        assert_eq!(
            Genre::of(&s(&["Science fiction and fantasy"])),
            Genre::ScienceFiction
        );
        assert_eq!(Genre::of(&s(&["Historical romance"])), Genre::Romance);
        assert_eq!(Genre::of(&s(&["Classics", "Horror"])), Genre::Classics);
        assert_eq!(Genre::of(&s(&["Biography", "Memoir"])), Genre::History);
        assert_eq!(Genre::of(&s(&["Fiction", "Book club"])), Genre::Default);
        assert_eq!(Genre::of(&[]), Genre::Default);
    }

    #[test]
    fn titles_wrap_and_text_is_escaped() {
        assert_eq!(
            wrap("The Adventures of Sherlock Holmes", 14, 5),
            ["The Adventures", "of Sherlock", "Holmes"]
        );
        let svg = generated_svg(WorkId::derived("t", "1"), "<script>", "A & B", &[]);
        assert!(svg.contains("&lt;script&gt;") && svg.contains("A &amp; B"));
        assert!(!svg.contains("<script>"));
    }

    #[test]
    fn authors_are_never_set_below_twenty_units_and_long_titles_still_fit() {
        for (i, g) in [
            "Fantasy",
            "Science fiction",
            "Mystery",
            "Horror",
            "Romance",
            "Classics",
            "History",
            "Poetry",
            "Children's",
            "Fiction",
        ]
        .iter()
        .enumerate()
        {
            let svg = generated_svg(
                WorkId::derived("t", &i.to_string()),
                "The Extraordinarily Long and Winding Title of an Incomprehensibilities Novel",
                "Bartholomew Featherstonehaugh, Another Person, A Third",
                &[g.to_string()],
            );
            let sizes: Vec<f32> = svg
                .split("font-size=\"")
                .skip(1)
                .map(|s| s.split('"').next().unwrap().parse().unwrap())
                .collect();
            assert!(sizes.iter().all(|&s| s >= FLOOR), "{g}: {sizes:?}");
            let author_sizes: Vec<f32> = svg
                .split("<text")
                .filter(|t| {
                    t.contains("Bartholomew") || t.contains("BARTHOLOMEW") || t.contains("thers")
                })
                .map(|t| {
                    t.split("font-size=\"")
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap()
                })
                .collect();
            assert!(
                !author_sizes.is_empty() && author_sizes.iter().all(|&s| s >= AUTHOR_MIN),
                "{g}: {author_sizes:?}"
            );
        }
    }

    /// Writes a page of sample covers to look at:
    /// `COVER_GALLERY=/tmp/covers.html cargo test -p quire-web --lib gallery -- --ignored`.
    #[test]
    #[ignore]
    fn gallery() {
        let books: [(&str, &str, &str); 12] = [
            ("The Name of the Wind", "Patrick Rothfuss", "Fantasy"),
            ("Dune", "Frank Herbert", "Science fiction"),
            ("The Girl on the Train", "Paula Hawkins", "Thriller"),
            ("Dracula", "Bram Stoker", "Horror"),
            ("Pride and Prejudice", "Jane Austen", "Romance"),
            ("Moby Dick; Or, The Whale", "Herman Melville", "Classics"),
            (
                "Team of Rivals: The Political Genius of Abraham Lincoln",
                "Doris Kearns Goodwin",
                "History",
            ),
            ("Leaves of Grass", "Walt Whitman", "Poetry"),
            ("Where the Wild Things Are", "Maurice Sendak", "Children's"),
            ("A Little Life", "Hanya Yanagihara", "Fiction"),
            (
                "The Adventures of Sherlock Holmes",
                "Arthur Conan Doyle",
                "Mystery",
            ),
            (
                "Harry Potter and the Philosopher's Stone",
                "J.K. Rowling, Mary GrandPré",
                "Fantasy",
            ),
        ];
        let mut html = String::from(
            "<!doctype html><meta charset=utf-8><style>body{margin:16px;font-family:sans-serif;background:#faf8f4} .g{display:grid;grid-template-columns:repeat(auto-fill,minmax(152px,1fr));gap:16px} svg{width:100%;height:auto;border-radius:3px;box-shadow:0 1px 3px rgba(0,0,0,.25)}</style><div class=g>",
        );
        for (i, (t, a, s)) in books.iter().enumerate() {
            html.push_str(&generated_svg(
                WorkId::derived("gallery", &i.to_string()),
                t,
                a,
                &[s.to_string()],
            ));
        }
        html.push_str("</div>");
        let path = std::env::var("COVER_GALLERY").unwrap_or_else(|_| "/tmp/covers.html".into());
        std::fs::write(path, html).unwrap();
    }
}
