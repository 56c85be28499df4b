//! Each book loaded and analysed once per test run, shared by the tests.

use crate::loader;
use quire_insight::{Analysis, AskIndex, Options, analyse};
use quire_text::{Place, Text};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub struct Book {
    pub text: Text,
    pub analysis: Analysis,
    pub index: AskIndex,
    /// Every paragraph's text joined, for "does this label occur" checks.
    pub all_text: String,
}

impl Book {
    pub fn sentence(&self, p: Place) -> Option<&str> {
        self.text
            .sections
            .get(p.section as usize)?
            .paragraphs
            .get(p.paragraph as usize)?
            .sentence(p.sentence as usize)
    }

    pub fn places(&self) -> Vec<Place> {
        let mut out = Vec::new();
        for (s, section) in self.text.sections.iter().enumerate() {
            for (p, para) in section.paragraphs.iter().enumerate() {
                for n in 0..para.sentences.len() {
                    out.push(Place {
                        section: s as u32,
                        paragraph: p as u32,
                        sentence: n as u32,
                    });
                }
            }
        }
        out
    }
}

/// One cell per book, so two tests asking for the same book analyse it once.
type Cells = Mutex<HashMap<String, Arc<OnceLock<Arc<Book>>>>>;

pub fn book(stem: &str) -> Arc<Book> {
    static BOOKS: OnceLock<Cells> = OnceLock::new();
    let cell = {
        let mut map = BOOKS.get_or_init(Default::default).lock().unwrap();
        map.entry(stem.to_string()).or_default().clone()
    };
    cell.get_or_init(|| {
        let text = loader::load(stem);
        let analysis = analyse(&text, &Options::default());
        let index = AskIndex::build(&text, &analysis);
        let all_text = text
            .sections
            .iter()
            .flat_map(|s| s.paragraphs.iter().map(|p| p.text.as_str()))
            .collect::<Vec<_>>()
            .join("\n");
        Arc::new(Book {
            text,
            analysis,
            index,
            all_text,
        })
    })
    .clone()
}
