//! Prints the analysis of one of the shared novels, to look at by eye:
//! `cargo run -p quire-insight --example inspect -- pg1342`.

#[path = "../tests/it/loader.rs"]
#[allow(dead_code)]
mod loader;

fn main() {
    let stem = std::env::args().nth(1).unwrap_or_else(|| "pg1342".into());
    let text = loader::load(&stem);
    let t = std::time::Instant::now();
    let a = quire_insight::analyse(&text, &quire_insight::Options::default());
    eprintln!("analysed in {:?}", t.elapsed());
    let sentence = |p: &quire_text::Place| {
        let para = &text.sections[p.section as usize].paragraphs[p.paragraph as usize];
        para.sentence(p.sentence as usize)
            .unwrap_or("?")
            .to_string()
    };
    println!("sections {}", text.sections.len());
    for c in a.characters.iter().take(25) {
        let v: Vec<String> = c
            .variants
            .iter()
            .take(6)
            .map(|v| format!("{}:{}", v.form, v.count))
            .collect();
        println!(
            "{:>5} {:<28} {:?} {}",
            c.mentions,
            c.name,
            c.gender,
            v.join(", ")
        );
    }
    println!("\nSYNOPSIS");
    for p in &a.synopsis {
        println!("- [{}] {}", p.section, sentence(p));
    }
    println!("\nSUMMARY of sections 0, 1");
    for s in a.sections.iter().take(2) {
        for p in &s.summary {
            println!("- [{}] {}", p.section, sentence(p));
        }
    }
    println!("\nKEY TERMS");
    let terms: Vec<String> = a
        .key_terms
        .iter()
        .map(|t| format!("{}:{}", t.term, t.count))
        .collect();
    println!("{}", terms.join(", "));
    println!("\nSECTION TERMS 0..3");
    for s in a.sections.iter().take(3) {
        println!("- {}", s.key_terms.join(", "));
    }
    println!("\nTHEMES");
    for t in &a.themes {
        println!("- {}: {}", t.label, t.terms.join(", "));
        if let Some(p) = t.places.first() {
            println!("    {}", sentence(p));
        }
    }
    println!("\nQUOTATIONS");
    for q in &a.quotations {
        println!("- {:.1} {}", q.score, sentence(&q.place));
    }
    println!("\nWARNINGS");
    for (k, n, r) in quire_insight::warning_rates(&text) {
        let claimed = a.warnings.iter().any(|w| w.kind == k);
        println!(
            "- {k:?}: {n} sentences, {r:.2}/10k {}",
            if claimed { "CLAIMED" } else { "" }
        );
    }
    for w in &a.warnings {
        if w.kind == quire_insight::WarningKind::AnimalCruelty {
            println!(
                "- animal cruelty: {} sentences, e.g. {}",
                w.sentences,
                w.places.first().map(sentence).unwrap_or_default()
            );
        }
    }
    println!("\nMOOD");
    let m: Vec<String> = a
        .mood
        .iter()
        .map(|m| format!("{:+.2}", m.smoothed))
        .collect();
    println!("{}", m.join(" "));
    println!(
        "\n{}",
        serde_json::to_string(&a.reading).unwrap_or_default()
    );
    if std::env::args().any(|a| a == "--json") {
        println!("{}", serde_json::to_string_pretty(&a).unwrap_or_default());
    }
}
