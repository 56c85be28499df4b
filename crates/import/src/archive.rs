//! Archives a member or a club takes away: one zip holding every table
//! twice, as one JSON document and as one CSV file per table, a README that
//! says what each file is, and any extra files the caller adds (a
//! Goodreads-format library, say).

use std::io::{Seek, Write};

use quire_storage::archive::Table;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("could not write the archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("could not write the archive: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not write a table of the archive: {0}")]
    Csv(#[from] csv::Error),
    #[error("could not write the archive's JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// What the archive is of, for its README and JSON.
pub struct About<'a> {
    /// "the account of @ada", "the club Tuesday Readers".
    pub subject: &'a str,
    /// The name of the JSON file (`account.json`, `club.json`).
    pub json_name: &'a str,
    pub made_at: OffsetDateTime,
}

/// Write the zip: `README.txt`, the JSON document, `csv/<table>.csv` and
/// the extra files (name, bytes, one line on what it is).
pub fn write_zip<W: Write + Seek>(
    out: W,
    about: &About<'_>,
    tables: &[Table],
    extra: &[(&str, Vec<u8>, &str)],
) -> Result<W, ArchiveError> {
    let mut zip = ZipWriter::new(out);
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let made_at = about.made_at.format(&Rfc3339).unwrap_or_default();

    zip.start_file("README.txt", opts)?;
    zip.write_all(readme(about, &made_at, tables, extra).as_bytes())?;

    let mut doc = Map::new();
    doc.insert("archive_of".into(), Value::from(about.subject));
    doc.insert("made_at".into(), Value::from(made_at.clone()));
    doc.insert("format".into(), Value::from("quire-archive-1"));
    let mut all = Map::new();
    for t in tables {
        all.insert(
            t.name.to_string(),
            Value::Array(t.objects().into_iter().map(Value::Object).collect()),
        );
    }
    doc.insert("tables".into(), Value::Object(all));
    zip.start_file(about.json_name, opts)?;
    serde_json::to_writer_pretty(&mut zip, &Value::Object(doc))?;

    for t in tables {
        zip.start_file(format!("csv/{}.csv", t.name), opts)?;
        zip.write_all(&table_csv(t)?)?;
    }
    for (name, bytes, _) in extra {
        zip.start_file(*name, opts)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?)
}

/// One table as CSV: a header row of column names, then one row per
/// record; a missing value is an empty field.
pub fn table_csv(t: &Table) -> Result<Vec<u8>, ArchiveError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&t.columns)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|v| match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }))?;
    }
    w.into_inner().map_err(|e| ArchiveError::Io(e.into_error()))
}

fn readme(
    about: &About<'_>,
    made_at: &str,
    tables: &[Table],
    extra: &[(&str, Vec<u8>, &str)],
) -> String {
    let mut s = format!(
        "Quire archive of {}\nMade {}.\n\n\
         {} holds every table below as JSON (one object per row, keyed by column).\n\
         The csv folder holds the same tables, one CSV file each (UTF-8, a header row).\n\
         Times are RFC 3339 in UTC; dates are YYYY-MM-DD; ratings are stars (0.5 to 5).\n\n\
         Tables:\n",
        about.subject, made_at, about.json_name
    );
    for t in tables {
        s.push_str(&format!(
            "- {} ({} rows): {}\n",
            t.name,
            t.rows.len(),
            t.about
        ));
    }
    if !extra.is_empty() {
        s.push_str("\nAlso:\n");
        for (name, _, what) in extra {
            s.push_str(&format!("- {name}: {what}\n"));
        }
    }
    s
}
