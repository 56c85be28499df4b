use quire_domain::{ContributorRole, SiteRole, UserId};
use quire_storage::catalog::edit::{
    self, CreditField, EditError, EditRequest, Expect, Fields, Target, WorkFields,
};
use quire_storage::catalog::proposals::{self, ProposalStatus};
use quire_storage::history::{self, ChangeKind, Entity};
use quire_storage::{book_page, catalog};
use quire_testkit::BookBuilder;
use quire_testkit::account;
use serde_json::{Value, json};

fn fields(pairs: &[(&str, Value)]) -> Fields {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn edit(target: Target, values: Fields, version: i64, user: UserId) -> EditRequest {
    EditRequest {
        target,
        values,
        expect: Expect::Version(version),
        user,
        override_lock: false,
        kind: ChangeKind::Edit,
        reverts: None,
    }
}

quire_testkit::both_backends! {
    async fn an_edit_writes_only_what_changed_and_records_before_and_after(db: Db) {
        let b = BookBuilder::new("The Pish").subtitle("A Novel").build(&db).await;
        let lib = account(&db, "lib", SiteRole::Librarian).await;
        let target = Target::Work(b.work);
        let cur = edit::current(&db, target).await.unwrap().unwrap();
        assert_eq!(cur.version, 0);
        let rev = catalog::revision(&db, b.work).await.unwrap().unwrap();
        let mut w: WorkFields = cur.typed().unwrap();
        w.title = "  The Push ".into();
        w.first_published = Some("2021-01".into());
        w.subjects = vec!["Thriller".into(), "thriller".into()];
        w.credits.push(CreditField { name: "Ann Translator".into(), role: ContributorRole::Translator });
        let applied = edit::apply_edit(&db, &edit(target, edit::to_fields(&w), 0, lib)).await.unwrap();
        assert_eq!(applied.fields, vec!["title", "first_published", "subjects", "credits"]);

        // The page shows it, and cached pages know it changed.
        let page = book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.work.title, "The Push");
        assert_eq!(page.work.subtitle.as_deref(), Some("A Novel"));
        assert_eq!(page.work.first_published.unwrap().to_iso(), "2021-01");
        assert_eq!(page.subjects, vec!["Thriller".to_string()]);
        assert_eq!(page.credits.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Ashley Audrain", "Ann Translator"]);
        assert!(catalog::revision(&db, b.work).await.unwrap().unwrap().core > rev.core);

        // The history holds exactly the before and after of each field.
        let h = history::for_work(&db, b.work, 1, 20).await.unwrap();
        assert_eq!(h.total, 1);
        let c = &h.changes[0];
        assert_eq!(c.kind, ChangeKind::Edit);
        assert_eq!(c.user_name.as_deref(), Some("lib"));
        assert_eq!(c.fields.len(), 4);
        assert_eq!(c.fields[0].entity, Entity::Work);
        assert_eq!(c.fields[0].field, "title");
        assert_eq!(c.fields[0].before, Some(json!("The Pish")));
        assert_eq!(c.fields[0].after, Some(json!("The Push")));
        assert_eq!(c.fields[1].before, Some(json!("2022-01-04")));
        assert_eq!(c.fields[1].after, Some(json!("2021-01")));
        assert_eq!(c.fields[2].after, Some(json!(["Thriller"])));

        // Saving the same values again changes nothing and records nothing.
        let again = edit::apply_edit(&db, &edit(target, edit::to_fields(&w), 1, lib)).await.unwrap();
        assert_eq!(again.change, None);
        assert_eq!(history::for_work(&db, b.work, 1, 20).await.unwrap().total, 1);
    }

    async fn a_stale_form_is_refused_with_what_changed_meanwhile(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let ann = account(&db, "ann", SiteRole::Librarian).await;
        let bob = account(&db, "bob", SiteRole::Librarian).await;
        let target = Target::Work(b.work);
        edit::apply_edit(&db, &edit(target, fields(&[("subtitle", json!("A Novel"))]), 0, ann)).await.unwrap();
        let err = edit::apply_edit(&db, &edit(target, fields(&[("title", json!("Push"))]), 0, bob)).await.unwrap_err();
        match &err {
            EditError::Stale { version, changes } => {
                assert_eq!(*version, 1);
                assert_eq!(changes.len(), 1);
                assert_eq!(changes[0].fields[0].field, "subtitle");
            }
            other => panic!("expected a stale edit, got {other:?}"),
        }
        assert!(err.to_string().contains("subtitle by ann"), "{err}");
        let page = book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.work.title, "The Push");
    }

    async fn bad_values_are_refused_naming_the_field(db: Db) {
        let b = BookBuilder::new("The Push").isbn("9781984881670").build(&db).await;
        let lib = account(&db, "lib", SiteRole::Librarian).await;
        let cases = [
            (Target::Work(b.work), "title", json!("   ")),
            (Target::Work(b.work), "first_published", json!("Maytime 2021")),
            (Target::Edition(b.edition), "isbn13", json!("9781984881671")),
            (Target::Edition(b.edition), "pages", json!("-3")),
            (Target::Edition(b.edition), "format", json!("scroll")),
        ];
        for (target, field, value) in cases {
            match edit::apply_edit(&db, &edit(target, fields(&[(field, value)]), 0, lib)).await {
                Err(EditError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: expected invalid, got {other:?}"),
            }
        }
        // ISBN-10 is accepted and stored as ISBN-13.
        edit::apply_edit(&db, &edit(Target::Edition(b.edition), fields(&[("isbn13", json!("0-306-40615-2")), ("pages", json!(400))]), 0, lib)).await.unwrap();
        let cur = edit::current(&db, Target::Edition(b.edition)).await.unwrap().unwrap();
        assert_eq!(cur.fields["isbn13"], json!("9780306406157"));
        assert_eq!(cur.fields["pages"], json!(400));
        assert_eq!(history::for_work(&db, b.work, 1, 10).await.unwrap().changes[0].fields[0].entity, Entity::Edition);
    }

    async fn a_revert_restores_the_before_values_and_refuses_when_changed_since(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let lib = account(&db, "lib", SiteRole::Librarian).await;
        let target = Target::Work(b.work);
        let first = edit::apply_edit(&db, &edit(target, fields(&[("title", json!("Vandal")), ("subtitle", json!("Oops"))]), 0, lib)).await.unwrap().change.unwrap();
        let r = edit::revert(&db, first, lib, false).await.unwrap();
        assert_eq!(r.fields, vec!["title", "subtitle"]);
        let page = book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.work.title, "The Push");
        assert_eq!(page.work.subtitle, None);
        let h = history::for_work(&db, b.work, 1, 10).await.unwrap();
        assert_eq!(h.changes[0].kind, ChangeKind::Revert);
        assert_eq!(h.changes[0].reverts, Some(first));
        // Reverting it twice is refused: there is nothing left to undo.
        assert!(edit::revert(&db, first, lib, false).await.is_err());

        // An edit whose field changed again since cannot be reverted.
        let v = edit::current(&db, target).await.unwrap().unwrap().version;
        let second = edit::apply_edit(&db, &edit(target, fields(&[("title", json!("The Push!"))]), v, lib)).await.unwrap().change.unwrap();
        edit::apply_edit(&db, &edit(target, fields(&[("title", json!("The Push?"))]), v + 1, lib)).await.unwrap();
        match edit::revert(&db, second, lib, false).await {
            Err(e @ EditError::FieldChanged { field: "title" }) => assert!(e.to_string().contains("title was changed since")),
            other => panic!("expected a conflict on the title, got {other:?}"),
        }
        assert_eq!(book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap().work.title, "The Push?");
    }

    async fn a_locked_work_refuses_edits_and_proposals_but_not_an_admin(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let lib = account(&db, "lib", SiteRole::Librarian).await;
        let member = account(&db, "mem", SiteRole::Member).await;
        let target = Target::Work(b.work);
        edit::set_lock(&db, b.work, lib, true).await.unwrap();
        assert!(edit::set_lock(&db, b.work, lib, true).await.is_err());
        let lock = edit::lock_of(&db, b.work).await.unwrap().unwrap();
        assert_eq!(lock.by.as_deref(), Some("lib"));
        let err = edit::apply_edit(&db, &edit(target, fields(&[("title", json!("X"))]), 0, lib)).await.unwrap_err();
        assert!(matches!(err, EditError::Locked(_)));
        assert!(err.to_string().contains("locked against edits by lib"), "{err}");
        let err = proposals::propose(&db, target, &fields(&[("title", json!("X"))]), "", member).await.unwrap_err();
        assert!(matches!(err, EditError::Locked(_)));
        // Editions of a locked work are locked too.
        assert!(matches!(
            edit::apply_edit(&db, &edit(Target::Edition(b.edition), fields(&[("pages", json!(10))]), 0, lib)).await,
            Err(EditError::Locked(_))
        ));
        let mut admin_edit = edit(target, fields(&[("title", json!("X"))]), 0, lib);
        admin_edit.override_lock = true;
        edit::apply_edit(&db, &admin_edit).await.unwrap();
        edit::set_lock(&db, b.work, lib, false).await.unwrap();
        assert!(edit::lock_of(&db, b.work).await.unwrap().is_none());
        let kinds: Vec<ChangeKind> = history::for_work(&db, b.work, 1, 10).await.unwrap().changes.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec![ChangeKind::Unlock, ChangeKind::Edit, ChangeKind::Lock]);
    }

    async fn a_proposal_is_accepted_as_an_edit_by_its_proposer_or_declined(db: Db) {
        let b = BookBuilder::new("The Push").build(&db).await;
        let lib = account(&db, "lib", SiteRole::Librarian).await;
        let member = account(&db, "mem", SiteRole::Member).await;
        let target = Target::Work(b.work);
        let nothing = proposals::propose(&db, target, &fields(&[("title", json!("The Push"))]), "", member).await;
        assert!(matches!(nothing, Err(EditError::Invalid { .. })));

        let p = proposals::propose(&db, target, &fields(&[("subtitle", json!("A Novel"))]), "On the cover", member).await.unwrap();
        let open = proposals::open(&db, 10).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].subject, "The Push");
        assert_eq!(open[0].changes[0].after, json!("A Novel"));
        assert_eq!(open[0].note, "On the cover");
        // Nothing changes until a librarian accepts it.
        assert_eq!(book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap().work.subtitle, None);
        let change = proposals::accept(&db, p, lib, false).await.unwrap().unwrap();
        assert_eq!(book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap().work.subtitle.as_deref(), Some("A Novel"));
        let c = history::change(&db, change).await.unwrap().unwrap();
        assert_eq!(c.user_name.as_deref(), Some("mem"));
        assert_eq!(c.accepted_by.as_deref(), Some("lib"));
        assert!(proposals::accept(&db, p, lib, false).await.is_err());
        let mine = proposals::by_user(&db, member, 10).await.unwrap();
        assert_eq!(mine[0].status, ProposalStatus::Accepted);
        assert_eq!(mine[0].decided_by.as_deref(), Some("lib"));

        // Declined with a reason; a proposal overtaken by an edit is refused.
        let d = proposals::propose(&db, target, &fields(&[("title", json!("Push"))]), "", member).await.unwrap();
        assert!(matches!(proposals::decline(&db, d, lib, " ").await, Err(EditError::Invalid { field: "reason", .. })));
        proposals::decline(&db, d, lib, "The cover says The Push").await.unwrap();
        let late = proposals::propose(&db, target, &fields(&[("title", json!("Push!"))]), "", member).await.unwrap();
        let v = edit::current(&db, target).await.unwrap().unwrap().version;
        edit::apply_edit(&db, &edit(target, fields(&[("title", json!("The Push (novel)"))]), v, lib)).await.unwrap();
        assert!(matches!(proposals::accept(&db, late, lib, false).await, Err(EditError::FieldChanged { field: "title" })));
        proposals::withdraw(&db, late, member).await.unwrap();
        let mine = proposals::by_user(&db, member, 10).await.unwrap();
        let statuses: Vec<ProposalStatus> = mine.iter().map(|p| p.status).collect();
        assert_eq!(statuses, vec![ProposalStatus::Withdrawn, ProposalStatus::Declined, ProposalStatus::Accepted]);
        assert_eq!(mine[1].reason.as_deref(), Some("The cover says The Push"));
        assert!(proposals::open(&db, 10).await.unwrap().is_empty());
    }

    async fn renaming_a_contributor_series_or_subject_refreshes_every_work_showing_it(db: Db) {
        let a = BookBuilder::new("One").author("Jane Roe").build(&db).await;
        let b = BookBuilder::new("Two").author("Jane Roe").build(&db).await;
        let lib = account(&db, "lib", SiteRole::Librarian).await;
        let related = edit::related(&db, a.work).await.unwrap();
        let (jane, _) = related.iter().find(|(_, n)| n == "Jane Roe").unwrap();
        let rev_b = catalog::revision(&db, b.work).await.unwrap().unwrap();
        edit::apply_edit(&db, &edit(*jane, fields(&[("name", json!("Jane Q. Roe")), ("bio", json!("Writes."))]), 0, lib)).await.unwrap();
        assert!(catalog::revision(&db, b.work).await.unwrap().unwrap().core > rev_b.core);
        let page = book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.credits[0].name, "Jane Q. Roe");
        // The renamed contributor is credited again by the new name, not duplicated.
        edit::apply_edit(&db, &edit(Target::Work(a.work), fields(&[("credits", json!([{"name": "Jane Q. Roe", "role": "author"}, {"name": "Jane Q. Roe", "role": "editor"}]))]), 0, lib)).await.unwrap();
        let related = edit::related(&db, a.work).await.unwrap();
        assert_eq!(related.iter().filter(|(t, _)| matches!(t, Target::Contributor(_))).count(), 1);

        edit::apply_edit(&db, &edit(Target::Work(a.work), fields(&[("series", json!("Roe Books")), ("subjects", json!(["Mystery"]))]), 1, lib)).await.unwrap();
        edit::apply_edit(&db, &edit(Target::Work(b.work), fields(&[("series", json!("roe books")), ("subjects", json!(["Mystery"]))]), 0, lib)).await.unwrap();
        let related = edit::related(&db, a.work).await.unwrap();
        let (series, _) = related.iter().find(|(t, _)| matches!(t, Target::Series(_))).unwrap();
        let (subject, _) = related.iter().find(|(t, _)| matches!(t, Target::Subject(_))).unwrap();
        edit::apply_edit(&db, &edit(*series, fields(&[("name", json!("The Roe Books"))]), 0, lib)).await.unwrap();
        edit::apply_edit(&db, &edit(*subject, fields(&[("name", json!("Mystery fiction"))]), 0, lib)).await.unwrap();
        let page = book_page::load(&db, b.work, 1, 10).await.unwrap().unwrap();
        assert_eq!(page.work.series.as_deref(), Some("The Roe Books"));
        assert_eq!(page.subjects, vec!["Mystery fiction".to_string()]);
    }
}
