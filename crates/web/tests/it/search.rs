//! Search from the site header: case and accents folded in any script, and
//! control characters never match everything.

use super::site::Site;
use quire_testkit::BookBuilder;

quire_testkit::both_backends! {
    async fn search_finds_books_whatever_their_case_accents_or_script(db: Db) {
        BookBuilder::new("My Ántonia").build(&db).await;
        BookBuilder::new("Война и мир").build(&db).await;
        BookBuilder::new("Something else").build(&db).await;
        let site = Site::start(db).await;
        for q in ["My%20%C3%81ntonia", "my%20antonia", "MY%20%C3%81NTONIA"] {
            let (status, html) = site.get_text(&format!("/search?q={q}")).await;
            assert_eq!(status, 200);
            assert!(html.contains("My Ántonia</"), "{q}");
            assert!(!html.contains("Something else"), "{q}");
        }
        let (_, html) = site.get_text("/search?q=%D0%92%D0%BE%D0%B9%D0%BD%D0%B0").await;
        assert!(html.contains("Война и мир"));
        let (status, html) = site.get_text("/search?q=%00").await;
        assert_eq!(status, 200);
        assert!(!html.contains("My Ántonia") && !html.contains("Something else"), "a NUL matches nothing");
    }
}
