//! Invitation links and running a club's members, as organisers and
//! invited people use them over HTTP: a link is shown once and stored only
//! as a hash; its use limit holds under a burst of people following it at
//! once; an expired, used-up, revoked or unknown link says so and changes
//! nothing; organisers manage members within their rights; settings and
//! deleting a club refuse bad input without losing anything.

use super::site::Site;
use quire_domain::{ClubId, ClubName, ClubRole, JoinPolicy, UserId, Visibility};
use quire_storage::clubs::{self, NewClub, invitations, members};
use quire_storage::{Db, users};
use reqwest::Client;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An account made in storage and signed in on a client of its own by a
/// session made the way sign-in makes one (no password hashing, so many
/// accounts are cheap). Redirects are not followed.
async fn account(db: &Db, site: &Site, name: &str) -> (Site, UserId, String) {
    let id = quire_testkit::member(db, name).await;
    let username = users::by_id(db, id).await.unwrap().unwrap().username;
    let token = format!(
        "{:032x}{:032x}",
        uuid::Uuid::new_v4().as_u128(),
        uuid::Uuid::new_v4().as_u128()
    );
    users::create_session(
        db,
        &hash(&token),
        id,
        quire_storage::now() + time::Duration::days(1),
    )
    .await
    .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        format!("quire_session={token}").parse().unwrap(),
    );
    headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
    let client = Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (
        Site {
            base: site.base.clone(),
            client,
        },
        id,
        username,
    )
}

async fn club(db: &Db, owner: UserId, name: &str, v: Visibility) -> (ClubId, String) {
    let n = ClubName::parse(name).unwrap();
    clubs::create(
        db,
        owner,
        &NewClub {
            name: &n,
            description: &format!("About {name}"),
            visibility: v,
            join_policy: JoinPolicy::Invite,
            time_zone: "UTC",
        },
    )
    .await
    .unwrap()
}

async fn post_json(s: &Site, path: &str, body: Value) -> (u16, Value) {
    let r = s.client.post(s.url(path)).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Who is in the club, with roles, and the links' uses: what a refused
/// action must leave as it was.
async fn state(db: &Db, club: ClubId) -> String {
    let m: Vec<String> = members::list(db, club)
        .await
        .unwrap()
        .iter()
        .map(|m| format!("{}:{:?}", m.username, m.role))
        .collect();
    let i: Vec<String> = invitations::list(db, club)
        .await
        .unwrap()
        .iter()
        .map(|i| format!("{}:{}:{}", i.id, i.uses, i.revoked_at.is_some()))
        .collect();
    format!("{m:?} {i:?}")
}

quire_testkit::both_backends! {
    async fn a_link_for_three_lets_exactly_three_of_twelve_in_at_once(db: Db) {
        let site = Site::start(db.clone()).await;
        let (owner, owner_id, _) = account(&db, &site, "owner").await;
        let (id, slug) = club(&db, owner_id, "Burst circle", Visibility::Secret).await;
        let (status, link) = post_json(&owner, &format!("/api/v1/clubs/{slug}/invitations"), json!({"max_uses": 3})).await;
        assert_eq!(status, 201, "{link}");
        let token = link["token"].as_str().unwrap().to_string();
        let mut people = Vec::new();
        for i in 0..12 {
            people.push(account(&db, &site, &format!("reader{i}")).await.0);
        }
        let mut tasks = tokio::task::JoinSet::new();
        for p in people {
            let token = token.clone();
            tasks.spawn(async move {
                let r = p.client.post(p.url(&format!("/api/v1/invitations/{token}/accept"))).send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.text().await.unwrap())
            });
        }
        let mut answers = Vec::new();
        while let Some(a) = tasks.join_next().await {
            answers.push(a.unwrap());
        }
        let ok = answers.iter().filter(|(s, _)| *s == 200).count();
        let gone: Vec<_> = answers.iter().filter(|(s, _)| *s == 410).collect();
        assert_eq!(ok, 3, "{answers:?}");
        assert_eq!(gone.len(), 9, "{answers:?}");
        for (_, body) in gone {
            assert!(body.contains("used as many times"), "{body}");
        }
        let list = members::list(&db, id).await.unwrap();
        assert_eq!(list.len(), 4, "the owner and three");
        let inv = invitations::list(&db, id).await.unwrap();
        assert_eq!(inv[0].uses, 3);
    }

    async fn a_link_that_no_longer_works_says_why_and_changes_nothing(db: Db) {
        let site = Site::start(db.clone()).await;
        let (owner, owner_id, _) = account(&db, &site, "owner").await;
        let (reader, reader_id, _) = account(&db, &site, "reader").await;
        let (id, slug) = club(&db, owner_id, "Closed circle", Visibility::Secret).await;
        // The reader already belongs to another club: that must stay so.
        let (other, _) = club(&db, owner_id, "Other circle", Visibility::Public).await;
        members::join(&db, other, reader_id).await.unwrap();

        let expired = "e".repeat(64);
        invitations::create(&db, id, owner_id, &hash(&expired), quire_storage::now() - time::Duration::hours(1), None).await.unwrap();
        let used = "u".repeat(64);
        invitations::create(&db, id, owner_id, &hash(&used), quire_storage::now() + time::Duration::days(1), Some(1)).await.unwrap();
        let (_, helper, _) = account(&db, &site, "first").await;
        assert!(invitations::accept(&db, &hash(&used), helper).await.unwrap().is_ok());
        let (status, made) = post_json(&owner, &format!("/api/v1/clubs/{slug}/invitations"), json!({})).await;
        assert_eq!(status, 201);
        let revoked = made["token"].as_str().unwrap().to_string();
        let r = owner.client.delete(owner.url(&format!("/api/v1/clubs/{slug}/invitations/{}", made["id"].as_str().unwrap()))).send().await.unwrap();
        assert_eq!(r.status(), 200);

        let before = state(&db, id).await;
        for (token, status, words) in [
            (expired.as_str(), 410, "has expired"),
            (used.as_str(), 410, "used as many times"),
            (revoked.as_str(), 410, "withdrawn this invitation"),
            ("0123456789abcdef", 404, "not one Quire knows"),
        ] {
            // The landing page, the form post and the API all say why.
            let (s, page) = reader.get_text(&format!("/invite/{token}")).await;
            assert_eq!(s, status, "{page}");
            assert!(page.contains(words), "{page}");
            assert!(!page.contains("Closed circle"), "a dead link shows no club");
            let r = reader.client.post(reader.url(&format!("/invite/{token}"))).form(&[("x", "")]).send().await.unwrap();
            assert_eq!(r.status().as_u16(), status);
            assert!(r.text().await.unwrap().contains(words));
            let (s, body) = post_json(&reader, &format!("/api/v1/invitations/{token}/accept"), json!({})).await;
            assert_eq!(s, status, "{body}");
            assert_eq!(body["error"]["code"], if status == 410 { "gone" } else { "not_found" });
            assert!(body["error"]["message"].as_str().unwrap().contains(words));
        }
        assert_eq!(state(&db, id).await, before, "nothing changed");
        assert_eq!(members::role(&db, other, reader_id).await.unwrap(), Some(ClubRole::Member));

        // Making a link with a lifetime or limit Quire does not offer names
        // the field, and the links already made stay as they were.
        let r = owner.client.post(owner.url(&format!("/clubs/{slug}/invitations")))
            .form(&[("expires_in_days", "5"), ("max_uses", "0")]).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("1, 7 or 30 days"), "{page}");
        assert!(page.contains("whole number from 1"), "{page}");
        assert!(page.contains("value=\"0\""), "the form keeps what was typed");
        let (s, body) = post_json(&owner, &format!("/api/v1/clubs/{slug}/invitations"), json!({"expires_in_days": 2})).await;
        assert_eq!(s, 422);
        assert_eq!(body["error"]["field"], "expires_in_days");
        assert_eq!(state(&db, id).await, before);
    }

    async fn a_link_is_shown_once_and_lets_the_invited_into_a_secret_club(db: Db) {
        let site = Site::start(db.clone()).await;
        let (owner, owner_id, _) = account(&db, &site, "owner").await;
        let (reader, reader_id, _) = account(&db, &site, "reader").await;
        let (banned, banned_id, _) = account(&db, &site, "pest").await;
        let (id, slug) = club(&db, owner_id, "Quiet circle", Visibility::Secret).await;
        members::remove(&db, id, banned_id, true, owner_id).await.unwrap();

        let r = owner.client.post(owner.url(&format!("/clubs/{slug}/invitations")))
            .form(&[("expires_in_days", "1"), ("max_uses", "")]).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let page = r.text().await.unwrap();
        let start = page.find("/invite/").expect("the new link is shown");
        let token: String = page[start + 8..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
        assert_eq!(token.len(), 64);
        // Only the hash is kept; the list never shows the link again.
        let (_, again) = owner.get_text(&format!("/clubs/{slug}/invitations")).await;
        assert!(!again.contains(&token));
        assert!(again.contains("Active"));
        assert!(invitations::peek(&db, &hash(&token)).await.unwrap().is_ok());
        assert!(invitations::peek(&db, &token).await.unwrap().is_err(), "the token itself is not stored");

        // A visitor with the link sees the secret club and is sent to sign in.
        let anon = Site { base: site.base.clone(), client: Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap() };
        let (s, landing) = anon.get_text(&format!("/invite/{token}")).await;
        assert_eq!(s, 200);
        assert!(landing.contains("Quiet circle") && landing.contains("About Quiet circle"));
        assert!(landing.contains(&format!("/login?next=/invite/{token}")));
        // Without it, the club does not exist.
        let (s, _) = reader.get_text(&format!("/clubs/{slug}")).await;
        assert_eq!(s, 404);
        let r = reader.client.post(reader.url(&format!("/invite/{token}"))).form(&[("x", "")]).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(members::role(&db, id, reader_id).await.unwrap(), Some(ClubRole::Member));
        let (s, _) = reader.get_text(&format!("/clubs/{slug}")).await;
        assert_eq!(s, 200);
        // A banned account is refused, and stays out.
        let r = banned.client.post(banned.url(&format!("/invite/{token}"))).form(&[("x", "")]).send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("removed you"));
        assert_eq!(members::role(&db, id, banned_id).await.unwrap(), None);
        assert_eq!(invitations::list(&db, id).await.unwrap()[0].uses, 1);
    }

    async fn organisers_manage_members_within_their_rights(db: Db) {
        let site = Site::start(db.clone()).await;
        let (owner, owner_id, _) = account(&db, &site, "owner").await;
        let (org, org_id, _) = account(&db, &site, "organiser").await;
        let (_, other_org, other_name) = account(&db, &site, "deputy").await;
        let (_, plain, plain_name) = account(&db, &site, "plain").await;
        let (_, asker, asker_name) = account(&db, &site, "asker").await;
        let (id, slug) = club(&db, owner_id, "Busy circle", Visibility::Private).await;
        for u in [org_id, other_org, plain] {
            members::join(&db, id, u).await.unwrap();
        }
        members::set_role(&db, id, org_id, ClubRole::Organiser).await.unwrap();
        members::set_role(&db, id, other_org, ClubRole::Organiser).await.unwrap();
        members::request(&db, id, asker, "I love books").await.unwrap();

        // The organiser sees the request with its message, and the tools.
        let (s, page) = org.get_text(&format!("/clubs/{slug}/members")).await;
        assert_eq!(s, 200);
        assert!(page.contains("I love books"));
        assert!(page.contains(&format!("/clubs/{slug}/members/{plain_name}/remove")));
        assert!(!page.contains(&format!("/clubs/{slug}/members/{other_name}/remove")), "no tools over another organiser");
        assert!(!page.contains("/transfer"), "only the owner hands the club on");

        // An organiser cannot remove another organiser; the owner can.
        let before = state(&db, id).await;
        let r = org.client.post(org.url(&format!("/clubs/{slug}/members/{other_name}/remove"))).form(&[("ban", "on")]).send().await.unwrap();
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("Only the club"));
        assert_eq!(state(&db, id).await, before);
        let r = owner.client.delete(owner.url(&format!("/api/v1/clubs/{slug}/members/{other_name}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(members::role(&db, id, other_org).await.unwrap(), None);

        // Approving a request makes a member; banning removes and keeps out.
        let r = org.client.post(org.url(&format!("/clubs/{slug}/requests/{asker_name}"))).form(&[("decision", "approve")]).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(members::role(&db, id, asker).await.unwrap(), Some(ClubRole::Member));
        let r = org.client.delete(org.url(&format!("/api/v1/clubs/{slug}/members/{plain_name}?ban=true"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let bans: Value = org.client.get(org.url(&format!("/api/v1/clubs/{slug}/bans"))).send().await.unwrap().json().await.unwrap();
        assert_eq!(bans["banned"][0]["username"], plain_name.as_str());
        assert!(members::join(&db, id, plain).await.is_err(), "a banned account cannot join");

        // The owner hands the club on and stays as an organiser.
        let (s, body) = post_json(&owner, &format!("/api/v1/clubs/{slug}/transfer"), json!({"username": asker_name})).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(members::role(&db, id, asker).await.unwrap(), Some(ClubRole::Owner));
        assert_eq!(members::role(&db, id, owner_id).await.unwrap(), Some(ClubRole::Organiser));
    }

    async fn settings_refuse_bad_input_and_deleting_needs_the_name(db: Db) {
        let site = Site::start(db.clone()).await;
        let (owner, owner_id, _) = account(&db, &site, "owner").await;
        let (org, org_id, _) = account(&db, &site, "organiser").await;
        let (id, slug) = club(&db, owner_id, "Careful circle", Visibility::Public).await;
        members::join(&db, id, org_id).await.unwrap();
        members::set_role(&db, id, org_id, ClubRole::Organiser).await.unwrap();

        let (s, form) = org.get_text(&format!("/clubs/{slug}/settings")).await;
        assert_eq!(s, 200);
        assert!(form.contains("value=\"Careful circle\""));
        assert!(!form.contains("Delete the club"), "only the owner deletes");
        let r = org.client.post(org.url(&format!("/clubs/{slug}/settings")))
            .form(&[("name", "x"), ("description", "New words"), ("visibility", "hidden"), ("join_policy", "open"), ("time_zone", "UTC")])
            .send().await.unwrap();
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("2 fields need a change"), "{page}");
        assert!(page.contains("New words"), "what was typed comes back");
        let c = clubs::by_id(&db, id).await.unwrap().unwrap();
        assert_eq!((c.name.as_str(), c.description.as_str()), ("Careful circle", "About Careful circle"));

        let r = org.client.post(org.url(&format!("/clubs/{slug}/settings")))
            .form(&[("name", "Careful circle"), ("description", "New words"), ("visibility", "private"), ("join_policy", "request"), ("time_zone", "Europe/Paris")])
            .send().await.unwrap();
        assert_eq!(r.status(), 303);
        let c = clubs::by_id(&db, id).await.unwrap().unwrap();
        assert_eq!(c.visibility, Visibility::Private);
        assert!(!c.nominations_open, "an unticked box closes nominations");
        let r = org.client.patch(org.url(&format!("/api/v1/clubs/{slug}"))).json(&json!({"nominations_open": true})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let c = clubs::by_id(&db, id).await.unwrap().unwrap();
        assert!(c.nominations_open && c.description == "New words" && c.time_zone == "Europe/Paris");

        // Deleting: organisers may not; the owner must type the name.
        let r = org.client.post(org.url(&format!("/clubs/{slug}/delete"))).form(&[("confirm", "Careful circle")]).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = owner.client.post(owner.url(&format!("/clubs/{slug}/delete"))).form(&[("confirm", "Careless")]).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Nothing was deleted"));
        assert!(clubs::by_id(&db, id).await.unwrap().is_some());
        let r = owner.client.delete(owner.url(&format!("/api/v1/clubs/{slug}"))).json(&json!({"confirm": "careful  circle"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(clubs::by_id(&db, id).await.unwrap().is_none());
    }

    async fn a_club_picture_is_checked_stored_and_served_to_who_may_see_it(db: Db) {
        let site = Site::start(db.clone()).await;
        let (owner, owner_id, _) = account(&db, &site, "owner").await;
        let (outsider, _, _) = account(&db, &site, "outsider").await;
        let (id, slug) = club(&db, owner_id, "Pictured circle", Visibility::Secret).await;
        let img = image::RgbImage::from_fn(80, 50, |x, y| image::Rgb([x as u8, y as u8, 10]));
        let mut png = std::io::Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png).unwrap();
        let r = owner.client.put(owner.url(&format!("/api/v1/clubs/{slug}/picture")))
            .header("content-type", "image/png").body(png.into_inner()).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let version = clubs::by_id(&db, id).await.unwrap().unwrap().picture;
        assert!(version.is_some());
        // Not an image: refused, naming the field, and the picture stays.
        let r = owner.client.put(owner.url(&format!("/api/v1/clubs/{slug}/picture")))
            .header("content-type", "image/jpeg").body(b"not a picture at all".to_vec()).send().await.unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["field"], "picture");
        assert_eq!(clubs::by_id(&db, id).await.unwrap().unwrap().picture, version);
        // Served, re-encoded as JPEG, to a member; a secret club's picture
        // does not exist for anyone else.
        let r = owner.get(&format!("/clubs/{slug}/picture")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..2], &[0xff, 0xd8]);
        let r = outsider.get(&format!("/clubs/{slug}/picture")).await;
        assert_eq!(r.status(), 404);
    }
}
