use crate::support::*;
use quire_pack::to_epub;
use std::io::Read;

fn entries(epub: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip_reader(epub);
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut s = String::new();
        let name = f.name().to_string();
        if f.read_to_string(&mut s).is_ok() {
            out.push((name, s));
        }
    }
    out
}

fn zip_reader(epub: &[u8]) -> zip::ZipArchive<std::io::Cursor<Vec<u8>>> {
    zip::ZipArchive::new(std::io::Cursor::new(epub.to_vec())).unwrap()
}

#[test]
fn the_epub_passes_epubcheck() {
    let dir = scratch("epub");
    let path = dir.join("pack.epub");
    std::fs::write(&path, to_epub(&sample()).unwrap()).unwrap();
    let (ok, report) = epubcheck(&path);
    assert!(ok, "epubcheck refused the pack:\n{report}");
}

#[test]
fn the_epub_has_a_nav_one_document_per_part_and_stable_metadata() {
    let bytes = to_epub(&sample()).unwrap();
    assert_eq!(
        bytes,
        to_epub(&sample()).unwrap(),
        "the same pack gives the same bytes"
    );
    let files = entries(&bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for part in ["title", "faq", "ideas", "summaries", "questions", "cards"] {
        assert!(
            names.iter().any(|n| n.ends_with(&format!("/{part}.xhtml"))),
            "{part}.xhtml missing: {names:?}"
        );
    }
    let opf = &files.iter().find(|(n, _)| n.ends_with(".opf")).unwrap().1;
    assert!(
        opf.contains("urn:uuid:0191d7a2-0000-7000-8000-000000000001"),
        "{opf}"
    );
    assert!(opf.contains("<dc:language>en</dc:language>"), "{opf}");
    assert!(opf.contains("2026-11-23T00:00:00Z"), "{opf}");
    let nav = files
        .iter()
        .find(|(_, s)| s.contains("epub:type=\"toc\""))
        .map(|(_, s)| s)
        .expect("a navigation document");
    for title in [
        "Questions and answers",
        "Key ideas",
        "Chapter summaries",
        "Flashcards",
    ] {
        assert!(nav.contains(title), "{title} not in the nav:\n{nav}");
    }
}

#[test]
fn markup_in_the_text_is_escaped_and_reads_back_verbatim() {
    let bytes = to_epub(&sample()).unwrap();
    let files = entries(&bytes);
    let ideas = &files
        .iter()
        .find(|(n, _)| n.ends_with("ideas.xhtml"))
        .unwrap()
        .1;
    assert!(!ideas.contains("<script>"), "{ideas}");
    assert!(
        ideas.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &amp;amp; ]]&gt;")
    );
    // Read back as XML: the text is the reader's text, character for character.
    let mut reader = quick_xml::Reader::from_str(ideas);
    let mut text = String::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Text(t) => text.push_str(&t.xml_content().unwrap()),
            quick_xml::events::Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).to_string();
                text.push_str(match name.as_str() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "#39" => "'",
                    other => panic!("unexpected entity {other}"),
                });
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    for h in HOSTILE {
        assert!(text.contains(h), "{h:?} did not read back:\n{text}");
    }
    let title = &files
        .iter()
        .find(|(n, _)| n.ends_with("title.xhtml"))
        .unwrap()
        .1;
    assert!(title.contains("The Tale of &lt;Two&gt; Cities &amp; #Sons"));
}

#[test]
fn control_characters_are_dropped_so_the_epub_stays_valid() {
    let dir = scratch("controls");
    let mut p = sample();
    p.title = "Bell\u{7} and\u{0} nul".into();
    p.questions.push("Escape\u{1b}[31m red".into());
    let path = dir.join("pack.epub");
    std::fs::write(&path, to_epub(&p).unwrap()).unwrap();
    let (ok, report) = epubcheck(&path);
    assert!(ok, "{report}");
}
