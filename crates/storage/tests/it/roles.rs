//! Site roles and verified links, and what they make an account to a work.

use quire_domain::{ContributorId, EditionId, Format, SiteRole, UserId, WorkId};
use quire_storage::Db;
use quire_storage::catalog::{self, NewCredit, NewEdition, NewWork};
use quire_storage::roles::{self, LinkTarget, Standing};
use quire_storage::users::{self, NewUser};

async fn account(db: &Db, name: &str) -> UserId {
    let id = UserId::new();
    users::create(
        db,
        &NewUser {
            id,
            username: name,
            display_name: name,
            password_hash: None,
            role: SiteRole::Member,
            is_demo: false,
        },
    )
    .await
    .unwrap();
    id
}

/// A work by Ashley Audrain, with Stephen King credited as its translator
/// (so a credit that is not an author's), published by "Pénguin Books".
async fn book(db: &Db) -> WorkId {
    let work = WorkId::new();
    let mut w = NewWork::new(work, "The Push");
    w.credits.push(NewCredit::author("Ashley Audrain"));
    w.credits.push(NewCredit {
        name: "Stephen King".into(),
        role: quire_domain::ContributorRole::Translator,
    });
    let mut e = NewEdition::new(EditionId::new(), "The Push", Format::Paperback);
    e.publisher = Some("Pénguin Books".into());
    w.editions.push(e);
    catalog::insert_works(db, &[w]).await.unwrap();
    work
}

quire_testkit::both_backends! {
    async fn an_admin_sets_roles_and_finds_people(db: Db) {
        let ann = account(&db, "ann").await;
        account(&db, "annabel").await;
        account(&db, "bob").await;
        roles::set_role(&db, ann, SiteRole::Librarian).await.unwrap();
        assert_eq!(users::by_id(&db, ann).await.unwrap().unwrap().role, SiteRole::Librarian);
        let found: Vec<String> = roles::find_people(&db, "ANN", 10).await.unwrap()
            .into_iter().map(|u| u.username).collect();
        assert_eq!(found, ["ann", "annabel"]);
        assert!(roles::find_people(&db, "%", 10).await.unwrap().is_empty());
        let staff: Vec<String> = roles::staff(&db).await.unwrap().into_iter().map(|u| u.username).collect();
        assert_eq!(staff, ["ann"]);
        let err = roles::set_role(&db, UserId::new(), SiteRole::Admin).await.unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }

    async fn a_link_to_the_author_makes_an_account_the_works_author(db: Db) {
        let work = book(&db).await;
        let ann = account(&db, "ann").await;
        assert_eq!(roles::standing(&db, ann, work).await.unwrap(), Standing::default());
        let (audrain, name) = roles::contributor_by_name(&db, "  ashley   AUDRAIN ").await.unwrap().unwrap();
        assert_eq!(name, "Ashley Audrain");
        let link = roles::grant_contributor(&db, ann, audrain, None).await.unwrap();
        // Granting twice keeps one link.
        assert_eq!(roles::grant_contributor(&db, ann, audrain, None).await.unwrap(), link);
        assert_eq!(roles::standing(&db, ann, work).await.unwrap(), Standing { author: true, publisher: false });
        let links = roles::links_of(&db, ann).await.unwrap();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].describe(), "Contributor: Ashley Audrain");
        assert!(matches!(&links[0].target, LinkTarget::Contributor { id, .. } if *id == audrain));

        // A translator is credited on the work but is not its author.
        let bob = account(&db, "bob").await;
        let (king, _) = roles::contributor_by_name(&db, "Stephen King").await.unwrap().unwrap();
        roles::grant_contributor(&db, bob, king, None).await.unwrap();
        assert_eq!(roles::standing(&db, bob, work).await.unwrap(), Standing::default());

        assert!(roles::revoke_contributor(&db, ann, audrain).await.unwrap());
        assert!(!roles::revoke_contributor(&db, ann, audrain).await.unwrap());
        assert_eq!(roles::standing(&db, ann, work).await.unwrap(), Standing::default());
        let err = roles::grant_contributor(&db, ann, ContributorId::new(), None).await.unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }

    async fn a_publisher_link_matches_any_case_and_accent(db: Db) {
        let work = book(&db).await;
        let pub_acct = account(&db, "penguin").await;
        let other = account(&db, "other").await;
        let link = roles::grant_publisher(&db, pub_acct, "PENGUIN books", None).await.unwrap();
        assert_eq!(roles::grant_publisher(&db, pub_acct, "penguin Books", None).await.unwrap(), link);
        roles::grant_publisher(&db, other, "Penguin Random House", None).await.unwrap();
        assert_eq!(roles::standing(&db, pub_acct, work).await.unwrap(), Standing { author: false, publisher: true });
        assert_eq!(roles::standing(&db, other, work).await.unwrap(), Standing::default());
        assert_eq!(roles::links_of(&db, pub_acct).await.unwrap()[0].describe(), "Publisher: PENGUIN books");
        assert!(roles::revoke_publisher(&db, pub_acct, "penguin BOOKS").await.unwrap());
        assert_eq!(roles::standing(&db, pub_acct, work).await.unwrap(), Standing::default());
        let l2 = roles::grant_publisher(&db, pub_acct, "Penguin Books", None).await.unwrap();
        assert!(roles::revoke(&db, l2).await.unwrap());
        assert!(roles::links_of(&db, pub_acct).await.unwrap().is_empty());
    }
}
