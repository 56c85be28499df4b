//! A work's full text: attach → load gives back the same text, the same
//! bytes twice change nothing, a new text replaces the old whole, the
//! chapter starts follow the text, passages stop at a reader's point, and
//! a text over the bounds is refused with nothing written.

use quire_domain::WorkId;
use quire_domain::position::{self, Chapters, Point};
use quire_storage::texts::{
    self, AnalysisStatus, AnalysisUpdate, AttachError, SourceFormat, SourceInfo,
};
use quire_storage::{Db, StorageError};
use quire_testkit::{BookBuilder, both_backends, member, texts::text};
use quire_text::{Section, SectionKind, Text};

fn source(bytes: &[u8]) -> SourceInfo {
    SourceInfo::of(SourceFormat::GutenbergTxt, "pg-test.txt", bytes)
}

/// Rows of the text tables for `work`: (sections, paragraphs, analyses).
async fn rows(db: &Db, work: WorkId) -> (u32, u32, bool) {
    let sections = texts::sections(db, work).await.unwrap().len() as u32;
    let paragraphs = texts::passages(db, work, Point::FINISHED)
        .await
        .unwrap()
        .len() as u32;
    let has = texts::info(db, work).await.unwrap().is_some();
    (sections, paragraphs, has)
}

both_backends! {
    async fn attach_then_load_gives_back_the_same_text(db: Db) {
        let b = BookBuilder::new("Round Trip").build(&db).await;
        let who = member(&db, "librarian").await;
        let t = text(5, 7);
        let v = texts::attach(&db, b.work, &t, &source(b"file one"), Some(who)).await.unwrap();
        assert_eq!((v.version, v.sections, v.paragraphs, v.changed), (1, 5, 35, true));
        let chars: u64 = t.sections.iter().flat_map(|s| &s.paragraphs).map(|p| p.text.chars().count() as u64).sum();
        assert_eq!(v.chars, chars);
        let back = texts::load(&db, b.work).await.unwrap().expect("a text");
        assert_eq!(back, t);
        let info = texts::info(&db, b.work).await.unwrap().unwrap();
        assert_eq!(info.source.file_name, "pg-test.txt");
        assert_eq!(info.source.format, SourceFormat::GutenbergTxt);
        assert_eq!(info.source.byte_size, 8);
        assert_eq!(info.attached_by, Some(who));
        // A work without a text has none of it.
        let other = BookBuilder::new("No Text").build(&db).await;
        assert_eq!(texts::load(&db, other.work).await.unwrap(), None);
        assert_eq!(texts::chapter_starts(&db, other.work).await.unwrap(), None);
        assert!(texts::sections(&db, other.work).await.unwrap().is_empty());
    }

    async fn a_long_book_round_trips_in_one_short_transaction(db: Db) {
        // Moby-Dick's size: 135 chapters, about 2,500 paragraphs.
        let b = BookBuilder::new("Long").build(&db).await;
        let t = text(136, 19);
        let before = db.queries_run();
        let started = std::time::Instant::now();
        let v = texts::attach(&db, b.work, &t, &source(b"long"), None).await.unwrap();
        let took = started.elapsed();
        let statements = db.queries_run() - before;
        eprintln!("attach of {} paragraphs on {:?}: {took:?}, {statements} statements", v.paragraphs, db.backend());
        assert_eq!(v.paragraphs, 136 * 19);
        // Batched: a handful of statements, not one per paragraph.
        assert!(statements < 20, "{statements} statements");
        assert_eq!(texts::load(&db, b.work).await.unwrap().unwrap(), t);
    }

    async fn the_same_bytes_again_change_nothing(db: Db) {
        let b = BookBuilder::new("Twice").build(&db).await;
        let first = texts::attach(&db, b.work, &text(3, 2), &source(b"same"), None).await.unwrap();
        // Even a different parse of the same bytes is not written: the
        // bytes are the text's identity.
        let again = texts::attach(&db, b.work, &text(4, 4), &source(b"same"), None).await.unwrap();
        assert!(!again.changed);
        assert_eq!(again.version, first.version);
        assert_eq!(again.sections, 3);
        assert_eq!(rows(&db, b.work).await, (3, 6, true));
    }

    async fn different_bytes_replace_the_text_under_the_next_version(db: Db) {
        let b = BookBuilder::new("Replaced").build(&db).await;
        let old = texts::attach(&db, b.work, &text(6, 5), &source(b"first"), None).await.unwrap();
        let result = serde_json::json!({"chapters": 6});
        texts::set_analysis(&db, b.work, &old.sha256, 1, &AnalysisUpdate { status: AnalysisStatus::Done, progress: 1.0, error: None, result: Some(&result) }).await.unwrap();
        let cached = texts::analysis(&db, b.work, &old.sha256, 1).await.unwrap().unwrap();
        assert_eq!((cached.status, cached.result), (AnalysisStatus::Done, Some(result)));
        let new_text = text(2, 3);
        let new = texts::attach(&db, b.work, &new_text, &source(b"second"), None).await.unwrap();
        assert_eq!((new.version, new.changed), (2, true));
        assert_eq!(texts::load(&db, b.work).await.unwrap().unwrap(), new_text);
        // No row of the old text is left: 2 sections, 6 paragraphs.
        assert_eq!(rows(&db, b.work).await, (2, 6, true));
        assert_eq!(texts::analysis(&db, b.work, &old.sha256, 1).await.unwrap(), None, "the old text's analysis is stale");
        // And back to the first bytes: a third version, not the first.
        let third = texts::attach(&db, b.work, &text(6, 5), &source(b"first"), None).await.unwrap();
        assert_eq!(third.version, 3);
    }

    async fn chapter_starts_are_where_the_sections_start(db: Db) {
        let b = BookBuilder::new("Chapters").build(&db).await;
        let t = text(4, 3);
        texts::attach(&db, b.work, &t, &source(b"ch"), None).await.unwrap();
        let sections = texts::sections(&db, b.work).await.unwrap();
        let Some(Chapters::Exact(starts)) = texts::chapter_starts(&db, b.work).await.unwrap() else {
            panic!("exact chapters expected");
        };
        assert_eq!(starts, sections.iter().map(|s| s.start).collect::<Vec<_>>());
        assert_eq!(starts[0], Point::START);
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
        // Each start is the share of the body's characters before it.
        let len: u64 = t.sections.iter().flat_map(|s| &s.paragraphs).map(|p| p.text.chars().count() as u64).sum();
        for s in &sections {
            assert_eq!(u64::from(s.start.value()), s.start_offset * 10_000 / len);
        }
        assert_eq!(sections[0].title.as_deref(), Some("The 1th Café"));
        assert_eq!(sections[2].part.as_deref(), Some("Part Second"));
        assert_eq!(sections[3].label, "Chapter 4");
        assert_eq!(sections[1].kind, SectionKind::Chapter);
    }

    async fn a_club_reading_a_book_with_a_text_counts_its_sections_as_chapters(db: Db) {
        use quire_storage::clubs::{discussion as d, page, selections};
        let b = BookBuilder::new("Club Text").build(&db).await;
        let owner = member(&db, "organiser").await;
        let club = quire_testkit::club_book(&db, owner, "Text club", b.work, "current").await;
        let sel = page::load(&db, club, None).await.unwrap().current.unwrap().selection.id;
        // The organiser said 10 chapters; the text has 4, of unequal lengths.
        let s = selections::get(&db, club, sel).await.unwrap().unwrap();
        selections::reschedule(&db, club, sel, None, None, Some(10)).await.unwrap();
        let reader = member(&db, "reader").await;
        quire_storage::shelves::set_progress(&db, reader, b.work, Some(b.edition),
            quire_domain::Progress::Chapter(3), time::macros::date!(2026 - 11 - 02)).await.unwrap();
        let even = d::point_in_sql(&db, sel, reader).await.unwrap();
        assert_eq!(Some(even), position::in_chapter(3, Some(&Chapters::Even(10))).ok());
        assert_eq!(d::chapters_of(&s), None, "no count and no text yet");

        texts::attach(&db, b.work, &text(4, 2), &source(b"club"), None).await.unwrap();
        let sections = texts::sections(&db, b.work).await.unwrap();
        let s = selections::get(&db, club, sel).await.unwrap().unwrap();
        let chapters = d::chapters_of(&s).unwrap();
        assert_eq!(chapters, Chapters::Exact(sections.iter().map(|s| s.start).collect()));
        // In SQL too: chapter 3 starts where the third section does.
        let exact = d::point_in_sql(&db, sel, reader).await.unwrap();
        assert_eq!(exact, sections[2].start);
        assert_ne!(exact, even);
        // Past the text's last section is the end, whatever the count said.
        quire_storage::shelves::set_progress(&db, reader, b.work, Some(b.edition),
            quire_domain::Progress::Chapter(5), time::macros::date!(2026 - 11 - 03)).await.unwrap();
        assert_eq!(d::point_in_sql(&db, sel, reader).await.unwrap(), Point::FINISHED);
        // Without the text, the organiser's count is back.
        texts::remove(&db, b.work).await.unwrap();
        let s = selections::get(&db, club, sel).await.unwrap().unwrap();
        assert_eq!(d::chapters_of(&s), Some(Chapters::Even(10)));
    }

    async fn passages_stop_where_the_reader_is(db: Db) {
        let b = BookBuilder::new("Passages").build(&db).await;
        let t = text(5, 4);
        texts::attach(&db, b.work, &t, &source(b"p"), None).await.unwrap();
        let chapters = texts::chapter_starts(&db, b.work).await.unwrap();
        // A reader in chapter 3 has read chapters 1 and 2, and nothing of 3.
        let at = position::in_chapter(3, chapters.as_ref()).unwrap();
        let read = texts::passages(&db, b.work, at).await.unwrap();
        assert_eq!(read.len(), 8);
        assert!(read.iter().all(|p| p.section < 2));
        assert_eq!(read.last().map(|p| (p.section, p.paragraph)), Some((1, 3)));
        assert!(texts::passages(&db, b.work, Point::START).await.unwrap().is_empty());
        let all = texts::passages(&db, b.work, Point::FINISHED).await.unwrap();
        assert_eq!(all.len(), 20);
        assert_eq!(all[5].text, t.sections[1].paragraphs[1]);
        // Half-way: only paragraphs that end by the middle of the body.
        let half = texts::passages(&db, b.work, Point::new(5_000).unwrap()).await.unwrap();
        let len: u64 = all.iter().map(|p| p.text.text.chars().count() as u64).sum();
        let last = half.last().unwrap();
        assert!((last.offset + last.text.text.chars().count() as u64) * 2 <= len);
        let next = &all[half.len()];
        assert!((next.offset + next.text.text.chars().count() as u64) * 2 > len);
    }

    async fn a_text_over_the_bounds_is_refused_with_nothing_written(db: Db) {
        let b = BookBuilder::new("Too Big").build(&db).await;
        let mut t = text(1, 1);
        let one = t.sections[0].clone();
        t.sections = vec![one; texts::MAX_SECTIONS + 1];
        let err = texts::attach(&db, b.work, &t, &source(b"big"), None).await.unwrap_err();
        assert!(matches!(err, AttachError::TooBig { what: "sections", count, .. } if count == 2_001), "{err}");
        assert!(err.to_string().contains("2001 sections; Quire keeps at most 2000"), "{err}");
        assert_eq!(rows(&db, b.work).await, (0, 0, false));

        let mut long = text(1, 1);
        long.sections[0].paragraphs[0].text = "word ".repeat(texts::MAX_PARAGRAPH_BYTES / 5 + 1);
        long.sections[0].paragraphs[0].sentences = vec![];
        let err = texts::attach(&db, b.work, &long, &source(b"long"), None).await.unwrap_err();
        assert!(matches!(err, AttachError::ParagraphTooLong { section: 1, paragraph: 1, .. }), "{err}");

        let many = Text { sections: vec![Section { paragraphs: vec![quire_testkit::texts::paragraph(0, 0, 1); texts::MAX_PARAGRAPHS + 1], ..text(1, 1).sections[0].clone() }], ..text(1, 1) };
        let err = texts::attach(&db, b.work, &many, &source(b"many"), None).await.unwrap_err();
        assert!(matches!(err, AttachError::TooBig { what: "paragraphs", .. }), "{err}");

        let empty = Text { sections: vec![], ..text(1, 1) };
        let err = texts::attach(&db, b.work, &empty, &source(b"empty"), None).await.unwrap_err();
        assert!(matches!(err, AttachError::Empty), "{err}");

        let mut bad = text(2, 2);
        bad.sections[1].paragraphs[0].sentences[1] = 5..100_000;
        let err = texts::attach(&db, b.work, &bad, &source(b"bad"), None).await.unwrap_err();
        assert!(err.to_string().contains("sentence 2 of paragraph 1 of section 2"), "{err}");
        assert_eq!(rows(&db, b.work).await, (0, 0, false));

        // A failure half-way (here: the book does not exist) keeps nothing.
        let err = texts::attach(&db, WorkId::new(), &text(2, 2), &source(b"x"), None).await.unwrap_err();
        assert!(matches!(err, AttachError::Storage(StorageError::NotFound("book"))), "{err}");
    }

    async fn an_analysis_keeps_its_progress_and_its_failure(db: Db) {
        let b = BookBuilder::new("Analysed").build(&db).await;
        let v = texts::attach(&db, b.work, &text(2, 2), &source(b"a"), None).await.unwrap();
        texts::set_analysis(&db, b.work, &v.sha256, 1, &AnalysisUpdate { status: AnalysisStatus::Running, progress: 1.7, error: None, result: None }).await.unwrap();
        let a = texts::analysis(&db, b.work, &v.sha256, 1).await.unwrap().unwrap();
        assert_eq!((a.status, a.progress), (AnalysisStatus::Running, 1.0));
        texts::set_analysis(&db, b.work, &v.sha256, 1, &AnalysisUpdate { status: AnalysisStatus::Failed, progress: 0.4, error: Some("chapter 2: out of time"), result: None }).await.unwrap();
        let a = texts::analysis(&db, b.work, &v.sha256, 1).await.unwrap().unwrap();
        assert_eq!(a.error.as_deref(), Some("chapter 2: out of time"));
        // Another algorithm version is another cache entry.
        assert_eq!(texts::analysis(&db, b.work, &v.sha256, 2).await.unwrap(), None);
    }

    async fn removing_a_text_takes_its_rows(db: Db) {
        let b = BookBuilder::new("Removed").build(&db).await;
        texts::attach(&db, b.work, &text(3, 3), &source(b"r"), None).await.unwrap();
        texts::remove(&db, b.work).await.unwrap();
        assert_eq!(rows(&db, b.work).await, (0, 0, false));
        assert!(matches!(texts::remove(&db, b.work).await, Err(StorageError::NotFound("text"))));
        // And it can be attached again, from version 1.
        let v = texts::attach(&db, b.work, &text(3, 3), &source(b"r"), None).await.unwrap();
        assert_eq!(v.version, 1);
    }
}
