//! Reader for the goodbooks-10k data set (Zygmunt Zając, CC BY-SA 4.0):
//! `books.csv` (book metadata), `tags.csv` + `book_tags.csv` (Goodreads
//! shelves per book) and `ratings.csv` (user, book, 1–5 stars).
//!
//! Columns are found by header name, so the 547-book subset with its extra
//! `NonEnglish` column reads the same as the full file. The data has known
//! flaws that this module repairs conservatively rather than guessing:
//! ISBN-10s that lost their leading zeros, ISBN-13s written as floats that
//! lost their last digits, years written as `2008.0`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use quire_domain::{Isbn10, Isbn13, Rating};

use crate::error::{
    ImportError, bounded, display_name, find_columns, from_csv, next_record, open_capped,
};

/// The largest `books.csv` or `tags.csv` accepted (the real ones are 3.3 MB
/// and 0.7 MB).
pub const MAX_METADATA_BYTES: u64 = 32 * 1024 * 1024;
/// The largest `book_tags.csv` accepted (the full original is about 16 MB).
pub const MAX_BOOK_TAGS_BYTES: u64 = 64 * 1024 * 1024;
/// The largest `ratings.csv` accepted (the full original, 6 million rows, is
/// about 70 MB).
pub const MAX_RATINGS_BYTES: u64 = 256 * 1024 * 1024;
/// The longest text field accepted, in characters. Real titles stay under
/// 300 and author lists under 800.
pub const MAX_FIELD_CHARS: usize = 4_000;

/// One row of `books.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodbooksBook {
    /// goodbooks' own id, 1..=10000; `ratings.csv` refers to it.
    pub book_id: u32,
    /// The Goodreads id; `book_tags.csv` refers to it.
    pub goodreads_book_id: u64,
    pub work_id: u64,
    /// The title without its series suffix.
    pub title: String,
    pub series: Option<SeriesRef>,
    pub original_title: Option<String>,
    /// In the file's order; the first is the author, later ones are often
    /// translators or illustrators (goodbooks does not say which).
    pub authors: Vec<String>,
    /// Negative for BC (Homer's Iliad is -750).
    pub original_publication_year: Option<i32>,
    pub isbn13: Option<Isbn13>,
    /// An ISO 639 code, "en" for every English variant.
    pub language: Option<String>,
    /// Where the row starts in the file (1-based).
    pub line: u64,
}

/// A book's place in a series, as Goodreads writes it after the title:
/// "(The Hunger Games, #1)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRef {
    pub name: String,
    /// "1", "0.5", "1-3"; `None` when the title names the series without a
    /// number.
    pub position: Option<String>,
}

impl SeriesRef {
    /// The series name and position, as the catalog takes them.
    pub fn to_pair(&self) -> (String, Option<String>) {
        (self.name.clone(), self.position.clone())
    }
}

/// One row of `ratings.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoodbooksRating {
    pub user_id: u32,
    pub book_id: u32,
    pub rating: Rating,
}

/// Split a Goodreads title into the title proper and its series suffix.
///
/// A trailing parenthesis is a series when it holds a `#`: "Mort (Death,
/// #1; Discworld, #4)" is "Mort" in the series "Death" at "1" (only the
/// first series of several is kept). A trailing parenthesis without `#` is
/// part of the title: "I Am America (And So Can You!)".
pub fn split_series(full: &str) -> (String, Option<SeriesRef>) {
    let title = collapse_spaces(full);
    let Some(open) = trailing_group_start(&title) else {
        return (title, None);
    };
    let before = title[..open].trim();
    let inner = &title[open + 1..title.len() - 1];
    let first = inner.split(';').next().unwrap_or_default();
    let Some(hash) = first.find('#') else {
        return (title, None);
    };
    let name = first[..hash].trim().trim_end_matches(',').trim();
    if name.is_empty() || before.is_empty() {
        return (title, None);
    }
    let position = series_position(&first[hash + 1..]);
    let series = SeriesRef {
        name: name.to_string(),
        position,
    };
    (before.to_string(), Some(series))
}

/// The byte offset of the '(' that opens a parenthesis closing at the very
/// end of `s`, if `s` ends with one.
fn trailing_group_start(s: &str) -> Option<usize> {
    if !s.ends_with(')') {
        return None;
    }
    let mut depth = 0usize;
    for (i, ch) in s.char_indices().rev() {
        match ch {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The number after '#': digits, dots and a range dash ("0.1 - 0.4" becomes
/// "0.1-0.4"); anything after it (", Part 1", "+ 3.5") is left out.
fn series_position(after_hash: &str) -> Option<String> {
    let raw: String = after_hash
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '–' | ' '))
        .filter(|c| *c != ' ')
        .map(|c| if c == '–' { '-' } else { c })
        .collect();
    let trimmed = raw.trim_end_matches(['-', '.']);
    if trimmed.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        Some(trimmed.to_string())
    } else {
        None
    }
}

/// The role of a person goodbooks lists among a book's "authors". The data
/// names illustrators, translators and narrators as co-authors ("J.K.
/// Rowling, Mary GrandPré, Rufus Beck"); these are the ones among its most
/// frequent co-authors who never appear first on any book and are known for
/// that other work. Everyone else, and anyone listed first, is an author.
pub fn credited_role(name: &str, position: usize) -> quire_domain::ContributorRole {
    use quire_domain::ContributorRole::{Author, Illustrator, Narrator, Translator};
    const ILLUSTRATORS: &[&str] = &[
        "mary grandpre",
        "quentin blake",
        "brett helquist",
        "garth williams",
        "ernest h shepard",
        "felicia bond",
        "jim kay",
        "peter ferguson",
        "tony diterlizzi",
        "dave mckean",
        "charles vess",
        "pauline baynes",
        "john tenniel",
        "sidney paget",
        "e h shepard",
        "brian selznick",
        "chris riddell",
    ];
    const TRANSLATORS: &[&str] = &[
        "margaret jull costa",
        "margaret sayers peden",
        "anthea bell",
        "jay rubin",
        "philip gabriel",
        "don bartlett",
        "gregory rabassa",
        "richard pevear",
        "larissa volokhonsky",
        "william weaver",
        "steven t murray",
        "edith grossman",
        "alfred birnbaum",
        "constance garnett",
        "tiina nunnally",
        "reg keeland",
        "lucia graves",
        "ann goldstein",
        "robert fagles",
    ];
    const NARRATORS: &[&str] = &["rufus beck", "jim dale", "stephen fry"];
    if position == 0 {
        return Author;
    }
    let key = quire_domain::text::name_key(name);
    if ILLUSTRATORS.contains(&key.as_str()) {
        Illustrator
    } else if TRANSLATORS.contains(&key.as_str()) {
        Translator
    } else if NARRATORS.contains(&key.as_str()) {
        Narrator
    } else {
        Author
    }
}

/// Split a comma-separated list of people ("J.K. Rowling, Mary GrandPré"),
/// keeping a name suffix with its name ("Martin Luther King, Jr.").
pub(crate) fn split_names(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in list
        .split(',')
        .map(collapse_spaces)
        .filter(|p| !p.is_empty())
    {
        let suffix = matches!(
            piece.trim_end_matches('.').to_ascii_lowercase().as_str(),
            "jr" | "sr" | "ii" | "iii" | "iv" | "phd" | "ph.d" | "md" | "m.d"
        );
        match out.last_mut() {
            Some(last) if suffix => {
                last.push_str(", ");
                last.push_str(&piece);
            }
            _ => out.push(piece),
        }
    }
    out
}

/// Replace runs of whitespace by one space and trim the ends.
pub(crate) fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The ISBN of a goodbooks row, repairing what can be repaired and never
/// inventing one.
///
/// `isbn` is the ISBN-10 read as a number by a spreadsheet, so leading zeros
/// are gone ("439023483" is 0439023483); padding it back is safe because the
/// check digit then confirms it. `isbn13` was stored as a float and is
/// usually rounded ("9.78043902348e+12" lost two digits); it is used only
/// when all 13 digits survived ("9780312353770.0").
pub fn repair_isbn(isbn: &str, isbn13: &str) -> Option<Isbn13> {
    let ten = isbn.trim();
    let looks_like_isbn10 = !ten.is_empty()
        && ten.len() <= 10
        && ten
            .char_indices()
            .all(|(i, c)| c.is_ascii_digit() || (i == ten.len() - 1 && matches!(c, 'X' | 'x')));
    if looks_like_isbn10 {
        let padded = format!("{ten:0>10}");
        if let Ok(i) = Isbn10::parse(&padded) {
            return Some(i.to_isbn13());
        }
    }
    let thirteen = isbn13.trim();
    let thirteen = thirteen.strip_suffix(".0").unwrap_or(thirteen);
    if thirteen.len() == 13 && thirteen.bytes().all(|b| b.is_ascii_digit()) {
        return Isbn13::parse(thirteen).ok();
    }
    None
}

/// goodbooks language codes ("eng", "en-US", "fre") as ISO 639 codes:
/// English, Spanish, French and German variants become their two-letter
/// code; any other code of two or three letters is kept, lower-cased.
pub fn normalise_language(code: &str) -> Option<String> {
    let lower = code.trim().to_ascii_lowercase();
    let primary = lower.split(['-', '_']).next().unwrap_or_default();
    let mapped = match primary {
        "eng" | "en" => "en",
        "spa" | "es" => "es",
        "fre" | "fra" | "fr" => "fr",
        "ger" | "deu" | "de" => "de",
        other => other,
    };
    let ok = (2..=3).contains(&mapped.len()) && mapped.bytes().all(|b| b.is_ascii_lowercase());
    ok.then(|| mapped.to_string())
}

/// A year written as "2008", "2008.0" or "-720.0".
fn parse_year(raw: &str) -> Result<Option<i32>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let whole = match t.split_once('.') {
        Some((w, frac)) if frac.bytes().all(|b| b == b'0') => w,
        _ => t,
    };
    whole
        .parse::<i32>()
        .ok()
        .filter(|y| (-9999..=9999).contains(y))
        .map(Some)
        .ok_or_else(|| format!("\"{t}\" is not a year"))
}

fn text_field<'a>(
    file: &str,
    line: u64,
    field: &str,
    value: &'a str,
) -> Result<&'a str, ImportError> {
    bounded(file, line, field, value, MAX_FIELD_CHARS)
}

fn parse_id<T: std::str::FromStr>(
    file: &str,
    line: u64,
    field: &str,
    value: &str,
) -> Result<T, ImportError> {
    let t = value.trim();
    t.parse::<T>().map_err(|_| {
        let shown: String = t.chars().take(40).collect();
        ImportError::row(
            file,
            line,
            field,
            format!("\"{shown}\" is not a whole number"),
        )
    })
}

/// Read goodbooks' `books.csv` (or the subset's, which has one more column).
pub fn read_books(path: &Path) -> Result<Vec<GoodbooksBook>, ImportError> {
    let file = display_name(path);
    let input = open_capped(path, MAX_METADATA_BYTES)?;
    let mut rdr = csv::ReaderBuilder::new().from_reader(input);
    let header = rdr
        .headers()
        .map_err(|e| from_csv(&file, e, 1, MAX_METADATA_BYTES))?
        .clone();
    let [
        c_book_id,
        c_goodreads,
        c_work,
        c_title,
        c_authors,
        c_isbn,
        c_isbn13,
        c_year,
        c_original_title,
        c_language,
    ] = find_columns(
        &file,
        &header,
        [
            ("book_id", true),
            ("goodreads_book_id", true),
            ("work_id", true),
            ("title", true),
            ("authors", true),
            ("isbn", false),
            ("isbn13", false),
            ("original_publication_year", false),
            ("original_title", false),
            ("language_code", false),
        ],
    )?;
    let names: Vec<String> = header.iter().map(str::to_string).collect();
    let column = |i: Option<usize>| i.and_then(|i| names.get(i)).map_or("", String::as_str);

    let mut books = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut last_line = 1;
    while let Some(line) = next_record(
        &mut rdr,
        &mut rec,
        &file,
        &mut last_line,
        MAX_METADATA_BYTES,
    )? {
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("");

        let book_id = parse_id(&file, line, column(c_book_id), get(c_book_id))?;
        let goodreads_book_id = parse_id(&file, line, column(c_goodreads), get(c_goodreads))?;
        let work_id = parse_id(&file, line, column(c_work), get(c_work))?;

        let full_title = text_field(&file, line, column(c_title), get(c_title))?;
        if full_title.is_empty() {
            return Err(ImportError::row(
                &file,
                line,
                column(c_title),
                "the title is empty",
            ));
        }
        let (title, series) = split_series(full_title);

        let authors_text = text_field(&file, line, column(c_authors), get(c_authors))?;
        let authors = split_names(authors_text);
        if authors.is_empty() {
            return Err(ImportError::row(
                &file,
                line,
                column(c_authors),
                "no author is named",
            ));
        }

        let original_title =
            text_field(&file, line, column(c_original_title), get(c_original_title))?;
        let original_publication_year = parse_year(get(c_year))
            .map_err(|m| ImportError::row(&file, line, column(c_year), m))?;
        let isbn = text_field(&file, line, column(c_isbn), get(c_isbn))?;
        let isbn13 = text_field(&file, line, column(c_isbn13), get(c_isbn13))?;
        let language = text_field(&file, line, column(c_language), get(c_language))?;

        books.push(GoodbooksBook {
            book_id,
            goodreads_book_id,
            work_id,
            title,
            series,
            original_title: (!original_title.is_empty()).then(|| collapse_spaces(original_title)),
            authors,
            original_publication_year,
            isbn13: repair_isbn(isbn, isbn13),
            language: normalise_language(language),
            line,
        });
    }
    Ok(books)
}

/// Goodreads shelf names that say what a book is about, with the name shown
/// for them. Several spellings of one subject share a display name.
///
/// The rule: a shelf is a subject when it names a genre, a literary form, an
/// audience, a period, a place or a theme, and it is kept only if it is in
/// this list. Shelves are personal free text, and most of them say where a
/// copy is (owned, kindle, library), when or how it was read (2015-reads,
/// audiobook, re-read, abandoned), what the reader thinks (favorites,
/// 5-stars) or who wrote it (stephen-king); those cannot be told from
/// subjects by their shape, so a fixed vocabulary is safer than a pattern.
pub const SUBJECTS: &[(&str, &str)] = &[
    // Broad kinds
    ("fiction", "Fiction"),
    ("general-fiction", "Fiction"),
    ("fiction-general", "Fiction"),
    ("non-fiction", "Non-fiction"),
    ("nonfiction", "Non-fiction"),
    ("classics", "Classics"),
    ("classic", "Classics"),
    ("classic-literature", "Classics"),
    ("classic-fiction", "Classics"),
    ("modern-classics", "Modern classics"),
    ("literature", "Literature"),
    ("literary-fiction", "Literary fiction"),
    ("literary", "Literary fiction"),
    ("contemporary", "Contemporary"),
    ("contemporary-fiction", "Contemporary"),
    ("realistic-fiction", "Realistic fiction"),
    ("book-club", "Book club"),
    ("bookclub", "Book club"),
    ("book-group", "Book club"),
    ("book-club-books", "Book club"),
    ("book-club-reads", "Book club"),
    // Genres
    ("fantasy", "Fantasy"),
    ("epic-fantasy", "Epic fantasy"),
    ("high-fantasy", "High fantasy"),
    ("urban-fantasy", "Urban fantasy"),
    ("science-fiction", "Science fiction"),
    ("sci-fi", "Science fiction"),
    ("scifi", "Science fiction"),
    ("sf", "Science fiction"),
    ("sci-fi-fantasy", "Science fiction and fantasy"),
    ("scifi-fantasy", "Science fiction and fantasy"),
    ("fantasy-sci-fi", "Science fiction and fantasy"),
    ("fantasy-scifi", "Science fiction and fantasy"),
    ("science-fiction-fantasy", "Science fiction and fantasy"),
    ("dystopia", "Dystopia"),
    ("dystopian", "Dystopia"),
    ("post-apocalyptic", "Post-apocalyptic"),
    ("apocalyptic", "Post-apocalyptic"),
    ("steampunk", "Steampunk"),
    ("time-travel", "Time travel"),
    ("magical-realism", "Magical realism"),
    ("fairy-tales", "Fairy tales"),
    ("mythology", "Mythology"),
    ("horror", "Horror"),
    ("paranormal", "Paranormal"),
    ("supernatural", "Supernatural"),
    ("vampires", "Vampires"),
    ("zombies", "Zombies"),
    ("ghosts", "Ghosts"),
    ("witches", "Witches"),
    ("dragons", "Dragons"),
    ("angels", "Angels"),
    ("magic", "Magic"),
    ("mystery", "Mystery"),
    ("mysteries", "Mystery"),
    ("mystery-thriller", "Mystery thriller"),
    ("thriller-mystery", "Mystery thriller"),
    ("mystery-suspense", "Mystery thriller"),
    ("crime", "Crime"),
    ("crime-fiction", "Crime"),
    ("crime-mystery", "Crime"),
    ("mystery-crime", "Crime"),
    ("crime-thriller", "Crime"),
    ("detective", "Detective fiction"),
    ("murder-mystery", "Detective fiction"),
    ("true-crime", "True crime"),
    ("thriller", "Thriller"),
    ("thrillers", "Thriller"),
    ("suspense", "Suspense"),
    ("suspense-thriller", "Thriller"),
    ("thriller-suspense", "Thriller"),
    ("espionage", "Espionage"),
    ("spy", "Espionage"),
    ("adventure", "Adventure"),
    ("action-adventure", "Adventure"),
    ("action", "Action"),
    ("romance", "Romance"),
    ("contemporary-romance", "Contemporary romance"),
    ("romance-contemporary", "Contemporary romance"),
    ("historical-romance", "Historical romance"),
    ("paranormal-romance", "Paranormal romance"),
    ("romantic-suspense", "Romantic suspense"),
    ("chick-lit", "Chick lit"),
    ("chicklit", "Chick lit"),
    ("chic-lit", "Chick lit"),
    ("women-s-fiction", "Women's fiction"),
    ("womens-fiction", "Women's fiction"),
    ("historical-fiction", "Historical fiction"),
    ("historical", "Historical fiction"),
    ("fiction-historical", "Historical fiction"),
    ("historicalfiction", "Historical fiction"),
    ("historic-fiction", "Historical fiction"),
    ("humor", "Humor"),
    ("humour", "Humor"),
    ("funny", "Humor"),
    ("comedy", "Humor"),
    ("satire", "Satire"),
    ("drama", "Drama"),
    ("plays", "Plays"),
    ("poetry", "Poetry"),
    ("short-stories", "Short stories"),
    ("essays", "Essays"),
    ("graphic-novels", "Graphic novels"),
    ("comics", "Comics"),
    ("manga", "Manga"),
    ("christian-fiction", "Christian fiction"),
    ("westerns", "Westerns"),
    ("western", "Westerns"),
    ("lgbt", "LGBTQ+"),
    ("lgbtq", "LGBTQ+"),
    ("glbt", "LGBTQ+"),
    ("queer", "LGBTQ+"),
    // Audiences
    ("young-adult", "Young adult"),
    ("ya", "Young adult"),
    ("teen", "Young adult"),
    ("new-adult", "New adult"),
    ("middle-grade", "Middle grade"),
    ("childrens", "Children's"),
    ("children", "Children's"),
    ("children-s", "Children's"),
    ("children-s-books", "Children's"),
    ("kids", "Children's"),
    ("picture-books", "Picture books"),
    // Non-fiction subjects
    ("history", "History"),
    ("american-history", "American history"),
    ("biography", "Biography"),
    ("biographies", "Biography"),
    ("bio", "Biography"),
    ("biography-memoir", "Biography"),
    ("memoir-biography", "Biography"),
    ("autobiography", "Autobiography"),
    ("memoir", "Memoir"),
    ("memoirs", "Memoir"),
    ("science", "Science"),
    ("biology", "Biology"),
    ("psychology", "Psychology"),
    ("philosophy", "Philosophy"),
    ("politics", "Politics"),
    ("political", "Politics"),
    ("economics", "Economics"),
    ("business", "Business"),
    ("leadership", "Leadership"),
    ("self-help", "Self-help"),
    ("self-improvement", "Self-help"),
    ("personal-development", "Self-help"),
    ("religion", "Religion"),
    ("religious", "Religion"),
    ("christian", "Christianity"),
    ("christianity", "Christianity"),
    ("spirituality", "Spirituality"),
    ("spiritual", "Spirituality"),
    ("inspirational", "Inspirational"),
    ("education", "Education"),
    ("writing", "Writing"),
    ("on-writing", "Writing"),
    ("books-about-books", "Books about books"),
    ("reference", "Reference"),
    ("art", "Art"),
    ("music", "Music"),
    ("travel", "Travel"),
    ("food", "Food and cooking"),
    ("cooking", "Food and cooking"),
    ("cookbooks", "Food and cooking"),
    ("sports", "Sports"),
    ("health", "Health"),
    ("parenting", "Parenting"),
    ("nature", "Nature"),
    ("feminism", "Feminism"),
    ("mental-illness", "Mental health"),
    ("mental-health", "Mental health"),
    // Themes
    ("coming-of-age", "Coming of age"),
    ("family", "Family"),
    ("friendship", "Friendship"),
    ("relationships", "Relationships"),
    ("animals", "Animals"),
    ("dogs", "Dogs"),
    ("war", "War"),
    ("military", "Military"),
    ("world-war-ii", "World War II"),
    ("wwii", "World War II"),
    ("ww2", "World War II"),
    ("world-war-2", "World War II"),
    ("holocaust", "Holocaust"),
    ("civil-war", "Civil war"),
    ("abuse", "Abuse"),
    // Periods
    ("medieval", "Medieval"),
    ("tudors", "Tudors"),
    ("victorian", "Victorian"),
    ("19th-century", "19th century"),
    ("20th-century", "20th century"),
    ("21st-century", "21st century"),
    // Places and literatures
    ("american", "American"),
    ("american-literature", "American literature"),
    ("american-lit", "American literature"),
    ("british", "British"),
    ("british-literature", "British literature"),
    ("english-literature", "British literature"),
    ("england", "England"),
    ("canadian", "Canadian"),
    ("canada", "Canada"),
    ("africa", "Africa"),
    ("asia", "Asia"),
    ("india", "India"),
    ("middle-east", "Middle East"),
    ("latin-america", "Latin America"),
    ("europe", "Europe"),
    ("france", "France"),
    ("italy", "Italy"),
    ("ireland", "Ireland"),
    ("egypt", "Egypt"),
    ("australia", "Australia"),
    ("new-york", "New York"),
    ("southern", "Southern"),
    // Awards
    ("pulitzer", "Pulitzer Prize"),
    ("pulitzer-prize", "Pulitzer Prize"),
    ("booker-prize", "Booker Prize"),
];

/// The display name of a Goodreads shelf when it is a subject (see
/// [`SUBJECTS`]), `None` for every other shelf.
pub fn subject_name(shelf: &str) -> Option<&'static str> {
    let shelf = shelf.trim().to_ascii_lowercase();
    SUBJECTS
        .iter()
        .find(|(s, _)| *s == shelf)
        .map(|(_, display)| *display)
}

/// Read `tags.csv` (tag ids and shelf names) and `book_tags.csv` (how many
/// readers put each book on each shelf), and return for each Goodreads book
/// id its `per_book` most used subjects, most used first, as display names
/// ("Historical fiction"). Shelves that are not subjects are left out (see
/// [`SUBJECTS`]); spellings of one subject add up. Books with no subject are
/// absent from the map.
pub fn read_tags(
    tags_csv: &Path,
    book_tags_csv: &Path,
    per_book: usize,
) -> Result<HashMap<u64, Vec<String>>, ImportError> {
    let lookup: HashMap<&str, &'static str> = SUBJECTS.iter().copied().collect();

    // Tag id -> subject, and the set of all ids to catch dangling references.
    let tags_file = display_name(tags_csv);
    let mut subject_of: HashMap<u32, &'static str> = HashMap::new();
    let mut known: HashSet<u32> = HashSet::new();
    {
        let input = open_capped(tags_csv, MAX_METADATA_BYTES)?;
        let mut rdr = csv::ReaderBuilder::new().from_reader(input);
        let header = rdr
            .headers()
            .map_err(|e| from_csv(&tags_file, e, 1, MAX_METADATA_BYTES))?
            .clone();
        let [c_id, c_name] =
            find_columns(&tags_file, &header, [("tag_id", true), ("tag_name", true)])?;
        let mut rec = csv::StringRecord::new();
        let mut last_line = 1;
        while let Some(line) = next_record(
            &mut rdr,
            &mut rec,
            &tags_file,
            &mut last_line,
            MAX_METADATA_BYTES,
        )? {
            let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("");
            let id: u32 = parse_id(&tags_file, line, "tag_id", get(c_id))?;
            let name = text_field(&tags_file, line, "tag_name", get(c_name))?;
            known.insert(id);
            if let Some(display) = lookup.get(name.to_ascii_lowercase().as_str()) {
                subject_of.insert(id, display);
            }
        }
    }

    let bt_file = display_name(book_tags_csv);
    let mut counts: HashMap<u64, HashMap<&'static str, u64>> = HashMap::new();
    {
        let input = open_capped(book_tags_csv, MAX_BOOK_TAGS_BYTES)?;
        let mut rdr = csv::ReaderBuilder::new().from_reader(input);
        let header = rdr
            .headers()
            .map_err(|e| from_csv(&bt_file, e, 1, MAX_BOOK_TAGS_BYTES))?
            .clone();
        let [c_book, c_tag, c_count] = find_columns(
            &bt_file,
            &header,
            [
                ("goodreads_book_id", true),
                ("tag_id", true),
                ("count", true),
            ],
        )?;
        let mut rec = csv::ByteRecord::new();
        let mut last_line = 1;
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(from_csv(&bt_file, e, last_line + 1, MAX_BOOK_TAGS_BYTES)),
            }
            let line = rec.position().map_or(last_line + 1, |p| p.line());
            last_line = line;
            let get = |i: Option<usize>| {
                let bytes = i.and_then(|i| rec.get(i)).unwrap_or_default();
                String::from_utf8_lossy(bytes)
            };
            let book: u64 = parse_id(&bt_file, line, "goodreads_book_id", &get(c_book))?;
            let tag: u32 = parse_id(&bt_file, line, "tag_id", &get(c_tag))?;
            // The original file has a few negative counts; they add nothing.
            let count: i64 = parse_id(&bt_file, line, "count", &get(c_count))?;
            if !known.contains(&tag) {
                return Err(ImportError::row(
                    &bt_file,
                    line,
                    "tag_id",
                    format!("tag {tag} is not in {tags_file}"),
                ));
            }
            if let (Some(subject), Ok(count @ 1..)) = (subject_of.get(&tag), u64::try_from(count)) {
                *counts.entry(book).or_default().entry(subject).or_default() += count;
            }
        }
    }

    let mut out = HashMap::with_capacity(counts.len());
    for (book, subjects) in counts {
        let mut ranked: Vec<(&'static str, u64)> = subjects.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let names: Vec<String> = ranked
            .into_iter()
            .take(per_book)
            .map(|(name, _)| name.to_string())
            .collect();
        if !names.is_empty() {
            out.insert(book, names);
        }
    }
    Ok(out)
}

/// Parse a small unsigned number from CSV bytes without allocating.
fn ascii_u32(bytes: &[u8]) -> Option<u32> {
    let t = bytes.trim_ascii();
    if t.is_empty() || t.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in t {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    u32::try_from(n).ok()
}

/// Read `ratings.csv`: `user_id,book_id,rating` with whole stars 1–5.
pub fn read_ratings(path: &Path) -> Result<Vec<GoodbooksRating>, ImportError> {
    let file = display_name(path);
    let input = open_capped(path, MAX_RATINGS_BYTES)?;
    let size_hint = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut rdr = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let header = rdr
        .headers()
        .map_err(|e| from_csv(&file, e, 1, MAX_RATINGS_BYTES))?
        .clone();
    let [c_user, c_book, c_rating] = find_columns(
        &file,
        &header,
        [("user_id", true), ("book_id", true), ("rating", true)],
    )?;
    let (c_user, c_book, c_rating) = (
        c_user.unwrap_or(0),
        c_book.unwrap_or(1),
        c_rating.unwrap_or(2),
    );

    // A rating row is about 12 bytes.
    let mut out = Vec::with_capacity(usize::try_from(size_hint / 12).unwrap_or(0));
    let mut rec = csv::ByteRecord::new();
    let mut last_line = 1;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(from_csv(&file, e, last_line + 1, MAX_RATINGS_BYTES)),
        }
        let line = rec.position().map_or(last_line + 1, |p| p.line());
        last_line = line;
        let field = |i: usize| rec.get(i).unwrap_or_default();
        let shown = |b: &[u8]| -> String { String::from_utf8_lossy(b).chars().take(40).collect() };

        let user_id = ascii_u32(field(c_user)).ok_or_else(|| {
            ImportError::row(
                &file,
                line,
                "user_id",
                format!("\"{}\" is not a user id", shown(field(c_user))),
            )
        })?;
        let book_id = ascii_u32(field(c_book)).ok_or_else(|| {
            ImportError::row(
                &file,
                line,
                "book_id",
                format!("\"{}\" is not a book id", shown(field(c_book))),
            )
        })?;
        let stars = ascii_u32(field(c_rating))
            .and_then(|s| Rating::from_stars(i64::from(s)).ok())
            .ok_or_else(|| {
                ImportError::row(
                    &file,
                    line,
                    "rating",
                    format!(
                        "\"{}\" is not a rating from 1 to 5 stars",
                        shown(field(c_rating))
                    ),
                )
            })?;
        out.push(GoodbooksRating {
            user_id,
            book_id,
            rating: stars,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::PathBuf;

    fn data(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/goodbooks-10k")
            .join(rel)
    }

    /// A file in the temp directory, removed when dropped.
    struct TempCsv(PathBuf);

    impl Drop for TempCsv {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    impl std::ops::Deref for TempCsv {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    fn temp_csv(name: &str, text: &str) -> TempCsv {
        let path = std::env::temp_dir().join(format!("quire-import-{}-{name}", std::process::id()));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        TempCsv(path)
    }

    #[test]
    fn series_are_split_from_titles() {
        let (t, s) = split_series("The Hunger Games (The Hunger Games, #1)");
        assert_eq!(t, "The Hunger Games");
        assert_eq!(
            s,
            Some(SeriesRef {
                name: "The Hunger Games".into(),
                position: Some("1".into())
            })
        );
        let (t, s) = split_series("Harry Potter and the Sorcerer's Stone (Harry Potter, #1)");
        assert_eq!(t, "Harry Potter and the Sorcerer's Stone");
        assert_eq!(s.unwrap().name, "Harry Potter");

        let pos = |title: &str| split_series(title).1.and_then(|s| s.position);
        assert_eq!(
            pos("His Dark Materials (His Dark Materials #1-3)").as_deref(),
            Some("1-3")
        );
        assert_eq!(
            pos("The Selection Stories (The Selection, #0.5)").as_deref(),
            Some("0.5")
        );
        assert_eq!(
            pos("Four (Divergent, #0.1 - 0.4)").as_deref(),
            Some("0.1-0.4")
        );
        assert_eq!(
            pos("The Oedipus Cycle (The Theban Plays, #1–3)").as_deref(),
            Some("1-3")
        );
        assert_eq!(
            pos("Order of the Phoenix (Harry Potter, #5, Part 1)").as_deref(),
            Some("5")
        );

        let (t, s) = split_series("Mort (Death, #1; Discworld, #4)");
        assert_eq!((t.as_str(), s.unwrap().name.as_str()), ("Mort", "Death"));
        let (t, s) = split_series("Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)");
        assert_eq!(
            (t.as_str(), s.unwrap().name.as_str()),
            ("Ranma ½, Vol. 1", "Ranma ½ (US 2nd)")
        );
        let (t, s) = split_series("Amelia Bedelia  (Amelia Bedelia #1)");
        assert_eq!(
            (t.as_str(), s.unwrap().name.as_str()),
            ("Amelia Bedelia", "Amelia Bedelia")
        );

        for keep in [
            "I Am America (And So Can You!)",
            "Nickel and Dimed: On (Not) Getting By in America",
            "Saga #1",
            "(Untitled #1)",
            "Unbalanced )(",
        ] {
            assert_eq!(split_series(keep), (keep.to_string(), None), "{keep}");
        }
    }

    #[test]
    fn isbns_are_repaired_but_never_invented() {
        let hg = repair_isbn("439023483", "9.78043902348e+12").unwrap();
        assert_eq!(hg.as_str(), "9780439023481");
        // An X check digit, and a 7-digit ISBN-10 that lost three zeros.
        assert!(repair_isbn("043965548X", "").is_some());
        assert_eq!(repair_isbn("7203116", "").map(|i| i.to_string()), None);
        // No ISBN-10; all 13 digits survived the float and the check digit agrees.
        assert_eq!(
            repair_isbn("", "9781400034680.0")
                .map(|i| i.to_string())
                .as_deref(),
            Some("9781400034680")
        );
        // 13 digits, but rounded: 9780312353766 became ...770, which fails its check.
        assert_eq!(repair_isbn("", "9780312353770.0"), None);
        // A rounded float, or an 11-digit number, is not an ISBN.
        assert_eq!(repair_isbn("", "9.78067172365e+12"), None);
        assert_eq!(repair_isbn("", "76783609419.0"), None);
        assert_eq!(repair_isbn("812971060", "9.78081297106e+12"), None);
        assert_eq!(repair_isbn("12345678901", ""), None);
    }

    #[test]
    fn illustrators_listed_as_authors_are_credited_as_illustrators() {
        use quire_domain::ContributorRole::*;
        assert_eq!(credited_role("Mary GrandPré", 1), Illustrator);
        assert_eq!(credited_role("Rufus Beck", 2), Narrator);
        assert_eq!(credited_role("Richard Pevear", 1), Translator);
        assert_eq!(credited_role("Stephen King", 1), Author);
        // Whoever goodbooks lists first is the author.
        assert_eq!(credited_role("Quentin Blake", 0), Author);
    }

    #[test]
    fn author_lists_keep_name_suffixes() {
        assert_eq!(
            split_names("J.K. Rowling, Mary GrandPré"),
            vec!["J.K. Rowling", "Mary GrandPré"]
        );
        assert_eq!(
            split_names("Martin Luther King, Jr., Coretta  Scott King,"),
            vec!["Martin Luther King, Jr.", "Coretta Scott King"]
        );
        assert!(split_names(" , ").is_empty());
    }

    #[test]
    fn languages_and_years() {
        for (code, want) in [
            ("eng", Some("en")),
            ("en-US", Some("en")),
            ("en-GB", Some("en")),
            ("en-CA", Some("en")),
            ("spa", Some("es")),
            ("fre", Some("fr")),
            ("ger", Some("de")),
            ("ara", Some("ara")),
            ("nl", Some("nl")),
            ("", None),
            ("english", None),
        ] {
            assert_eq!(normalise_language(code).as_deref(), want, "{code}");
        }
        assert_eq!(parse_year("2008.0"), Ok(Some(2008)));
        assert_eq!(parse_year("-720.0"), Ok(Some(-720)));
        assert_eq!(parse_year(""), Ok(None));
        assert!(parse_year("2008.5").is_err());
        assert!(parse_year("soon").is_err());
    }

    #[test]
    fn reads_the_real_books_file() {
        let books = read_books(&data("books.csv")).unwrap();
        assert_eq!(books.len(), 10_000);
        let hg = &books[0];
        assert_eq!(hg.book_id, 1);
        assert_eq!(hg.goodreads_book_id, 2_767_052);
        assert_eq!(hg.title, "The Hunger Games");
        assert_eq!(hg.authors, vec!["Suzanne Collins".to_string()]);
        assert_eq!(
            hg.series,
            Some(SeriesRef {
                name: "The Hunger Games".into(),
                position: Some("1".into())
            })
        );
        assert_eq!(hg.isbn13.unwrap().as_str(), "9780439023481");
        assert_eq!(hg.original_publication_year, Some(2008));
        assert_eq!(hg.language.as_deref(), Some("en"));
        assert_eq!(hg.line, 2);

        let hp = &books[1];
        assert_eq!(
            hp.authors,
            vec!["J.K. Rowling".to_string(), "Mary GrandPré".to_string()]
        );
        assert_eq!(
            hp.original_title.as_deref(),
            Some("Harry Potter and the Philosopher's Stone")
        );

        assert!(
            books
                .iter()
                .any(|b| b.original_publication_year == Some(-720))
        );
        let with_isbn = books.iter().filter(|b| b.isbn13.is_some()).count();
        assert!(with_isbn > 9_200, "{with_isbn} books have an ISBN");
        assert!(
            books
                .iter()
                .all(|b| !b.title.is_empty() && !b.authors.is_empty())
        );
    }

    #[test]
    fn reads_the_subset_with_its_extra_column() {
        let books = read_books(&data("subset-547/books.csv")).unwrap();
        assert_eq!(books.len(), 547);
        let red_tent = books.iter().find(|b| b.book_id == 150).unwrap();
        assert_eq!(red_tent.title, "The Red Tent");
        // The ISBN-10 wins over the rounded ISBN-13 column (9780312353770).
        assert_eq!(red_tent.isbn13.unwrap().as_str(), "9780312353766");
    }

    #[test]
    fn reads_the_subset_ratings() {
        let ratings = read_ratings(&data("subset-547/ratings.csv")).unwrap();
        assert_eq!(ratings.len(), 184_141);
        let fives = ratings.iter().filter(|r| r.rating.stars() == 5.0).count();
        assert_eq!(fives, 45_235);
        assert_eq!(ratings[0].user_id, 2);
        assert_eq!(ratings[0].book_id, 4081);
    }

    #[test]
    fn tags_keep_subjects_only() {
        let tags = read_tags(&data("tags.csv"), &data("subset-547/book_tags.csv"), 5).unwrap();
        assert!(tags.len() > 500, "{} books have subjects", tags.len());
        assert!(tags.values().all(|v| !v.is_empty() && v.len() <= 5));
        for shelf in [
            "to-read",
            "favorites",
            "owned",
            "kindle",
            "2015-reads",
            "Read in 2014",
        ] {
            assert!(tags.values().flatten().all(|t| t != shelf), "{shelf} kept");
        }
        // Goodreads id 231 is in the subset; its top subjects must be real ones.
        let names: HashSet<&str> = SUBJECTS.iter().map(|(_, d)| *d).collect();
        assert!(tags[&231].iter().all(|t| names.contains(t.as_str())));
        assert_eq!(
            subject_name("historical-fiction"),
            Some("Historical fiction")
        );
        assert_eq!(subject_name("sci-fi"), Some("Science fiction"));
        assert_eq!(subject_name("books-i-own"), None);
    }

    #[test]
    fn a_bad_rating_names_its_line_and_field() {
        let path = temp_csv("ratings-bad.csv", "user_id,book_id,rating\n1,2,5\n3,4,7\n");
        let err = read_ratings(&path).unwrap_err();
        match &err {
            ImportError::Row { line, field, .. } => {
                assert_eq!((*line, field.as_str()), (3, "rating"))
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            err.to_string().contains("line 3, field \"rating\""),
            "{err}"
        );
    }

    #[test]
    fn bad_books_rows_are_reported() {
        let header = "book_id,goodreads_book_id,work_id,isbn,isbn13,authors,original_publication_year,title\n";
        let path = temp_csv(
            "books-bad-year.csv",
            &format!("{header}1,2,3,,,A,2008.0,T\n2,3,4,,,B,sometime,U\n"),
        );
        let err = read_books(&path).unwrap_err();
        assert!(
            err.to_string().ends_with(
                "line 3, field \"original_publication_year\": \"sometime\" is not a year"
            ),
            "{err}"
        );
        let path = temp_csv(
            "books-no-title.csv",
            "book_id,goodreads_book_id,work_id,authors\n1,2,3,A\n",
        );
        assert!(
            matches!(read_books(&path), Err(ImportError::MissingColumn { column, .. }) if column == "title")
        );
        let path = temp_csv("books-short-row.csv", &format!("{header}1,2,3\n"));
        assert!(matches!(
            read_books(&path),
            Err(ImportError::Csv { line: 2, .. })
        ));
        let path = temp_csv("books-id.csv", &format!("{header}x,2,3,,,A,,T\n"));
        assert!(err_field(read_books(&path)) == "book_id");
    }

    fn err_field<T: std::fmt::Debug>(r: Result<T, ImportError>) -> String {
        match r {
            Err(ImportError::Row { field, .. }) => field,
            other => panic!("unexpected {other:?}"),
        }
    }

    proptest::proptest! {
        #[test]
        fn split_series_never_panics_or_loses_the_title(title in "[ a-zA-Z0-9(),#;.–-]{0,40}") {
            let (t, series) = split_series(&title);
            if !title.trim().is_empty() {
                proptest::prop_assert!(!t.is_empty());
            }
            if let Some(s) = series {
                proptest::prop_assert!(!s.name.is_empty());
            }
        }

        #[test]
        fn repair_isbn_never_panics(a in "\\PC{0,14}", b in "\\PC{0,20}") {
            let _ = repair_isbn(&a, &b);
            let _ = normalise_language(&a);
            let _ = parse_year(&b);
        }
    }
}
