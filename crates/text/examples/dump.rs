//! Prints the sections found in the files given, for looking at by eye.
fn main() {
    for arg in std::env::args().skip(1) {
        let limits = quire_text::Limits::default();
        let text = if arg.ends_with(".epub") {
            std::fs::read(&arg)
                .map_err(|e| e.to_string())
                .and_then(|b| quire_text::from_epub(&b, &arg, &limits).map_err(|e| e.to_string()))
        } else {
            quire_text::gutenberg::from_gutenberg_file(std::path::Path::new(&arg), &limits)
                .map_err(|e| e.to_string())
        };
        match text {
            Err(e) => println!("{arg}: ERROR {e}"),
            Ok(t) => {
                println!(
                    "== {arg}: {} sections, {} front, {} back paragraphs, {} chars, title {:?}, authors {:?}, lang {:?}",
                    t.sections.len(),
                    t.front_matter.len(),
                    t.back_matter.len(),
                    t.len(),
                    t.title,
                    t.authors,
                    t.language
                );
                for f in &t.front_matter {
                    println!(
                        "  front {:?} {:?} ({} paras)",
                        f.kind,
                        f.label,
                        f.paragraphs.len()
                    );
                }
                for s in &t.sections {
                    let first = s
                        .paragraphs
                        .first()
                        .map(|p| p.text.chars().take(60).collect::<String>())
                        .unwrap_or_default();
                    println!(
                        "  {:?} {:?} {:?} part={:?} paras={} | {}",
                        s.kind,
                        s.label,
                        s.title,
                        s.part,
                        s.paragraphs.len(),
                        first
                    );
                }
                if let Some(p) = t.back_matter.first() {
                    println!("  back: {}", p.text.chars().take(60).collect::<String>());
                }
            }
        }
    }
}
