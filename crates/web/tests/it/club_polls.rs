//! Club polls over HTTP, as members use them: an organiser opens a poll
//! over the club's nominations, members vote with the plain form (a place
//! select per book) and change their ballot, the ranked-choice result
//! shows every round; bad input is refused with a clear message and
//! nothing saved is lost; hidden results stay hidden, from everyone, until
//! the poll closes; and the permissions of the pages and the API agree.

use super::site::Site;
use quire_domain::{ClubName, JoinPolicy, UserId, Visibility, WorkId};
use quire_storage::Db;
use quire_storage::clubs::{self, NewClub, members, selections};
use quire_testkit::BookBuilder;
use reqwest::Client;
use serde_json::{Value, json};

/// Another browser on the same server, signed in as a new account.
async fn browser(site: &Site, username: &str) -> Site {
    let other = Site {
        base: site.base.clone(),
        client: Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
    };
    other.join(username).await;
    other
}

async fn user_id(db: &Db, username: &str) -> UserId {
    quire_storage::users::by_username(db, username)
        .await
        .unwrap()
        .unwrap()
        .user_id()
}

/// A public club owned by `owner`, with three nominated books (in this
/// order) and `members` joined. Returns the slug and the books.
async fn club_with_nominations(
    db: &Db,
    owner: UserId,
    members_: &[UserId],
    visibility: Visibility,
) -> (String, Vec<WorkId>) {
    let (club, slug) = clubs::create(
        db,
        owner,
        &NewClub {
            name: &ClubName::parse("Tuesday Readers").unwrap(),
            description: "",
            visibility,
            join_policy: JoinPolicy::Open,
            time_zone: "UTC",
        },
    )
    .await
    .unwrap();
    let mut books = Vec::new();
    for title in ["Piranesi", "Middlemarch", "Stoner"] {
        let w = BookBuilder::new(title).build(db).await.work;
        selections::nominate(db, club, w, owner, "").await.unwrap();
        books.push(w);
    }
    for &m in members_ {
        members::join(db, club, m).await.unwrap();
    }
    (slug, books)
}

/// The day after tomorrow, as a date field holds it.
fn soon() -> String {
    let d = time::OffsetDateTime::now_utc().date() + time::Duration::days(2);
    format!("{d}")
}

async fn api(
    site: &Site,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = site.client.request(method, site.url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The poll's address from the page a form post ended on.
fn poll_path(r: &reqwest::Response) -> String {
    let path = r.url().path().to_string();
    assert!(path.contains("/polls/"), "ended on {path}");
    path
}

async fn new_poll_form(
    site: &Site,
    slug: &str,
    books: &[WorkId],
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let names: Vec<String> = books.iter().map(|b| format!("nom_{b}")).collect();
    let day = soon();
    let mut form: Vec<(&str, &str)> = vec![
        ("kind", "book"),
        ("question", "What do we read in January?"),
        ("closes_on", &day),
        ("closes_time", "20:00"),
    ];
    for n in &names {
        form.push((n.as_str(), "on"));
    }
    form.extend_from_slice(extra);
    site.post(&format!("/clubs/{slug}/polls"), &form).await
}

quire_testkit::both_backends! {
    async fn a_ranked_poll_over_nominations_counts_round_by_round(db: Db) {
        let org = Site::start(db.clone()).await;
        org.join("organiser").await;
        let voters = [
            browser(&org, "ann").await,
            browser(&org, "ben").await,
            browser(&org, "cat").await,
            browser(&org, "dan").await,
        ];
        let mut ids = Vec::new();
        for name in ["ann", "ben", "cat", "dan"] {
            ids.push(user_id(&db, name).await);
        }
        let (slug, books) =
            club_with_nominations(&db, user_id(&db, "organiser").await, &ids, Visibility::Public).await;

        let r = new_poll_form(&org, &slug, &books, &[
            ("method", "ranked_choice"),
            ("results", "live"),
            ("select_winner", "on"),
        ]).await;
        assert_eq!(r.status(), 200);
        let poll = poll_path(&r);
        let html = r.text().await.unwrap();
        assert!(html.contains("The poll is open."), "{html}");
        // The ballot is a place select per book, no script needed.
        assert!(html.contains("name=\"rank_2\""), "{html}");
        assert!(html.contains("<option value=\"\">Not ranked</option>"));

        // The club page lists it under "Open polls".
        let (_, club_html) = org.get_text(&format!("/clubs/{slug}")).await;
        assert!(club_html.contains("Open polls") && club_html.contains("What do we read in January?"));

        // Ann first ranks Piranesi alone, then changes her mind: her
        // second ballot replaces the first.
        let ballot = format!("{poll}/ballot");
        let r = voters[0].post(&ballot, &[("rank_0", "1")]).await;
        assert_eq!(r.status(), 200);
        let r = voters[0].post(&ballot, &[("rank_2", "1"), ("rank_1", "2"), ("rank_0", "")]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("Your ballot is saved"), "{html}");
        // Her ballot is shown back as she left it.
        assert!(html.contains("<option value=\"1\" selected>1</option>"), "{html}");
        voters[1].post(&ballot, &[("rank_2", "1")]).await;
        voters[2].post(&ballot, &[("rank_0", "1"), ("rank_2", "2")]).await;
        voters[3].post(&ballot, &[("rank_1", "1"), ("rank_0", "2")]).await;
        let api_path = format!("/api/v1/clubs/{slug}/polls/{}", poll.rsplit('/').next().unwrap());
        let (_, v) = api(&voters[0], reqwest::Method::GET, &api_path, None).await;
        assert_eq!(v["ballots"], 4, "one ballot per member: {v}");
        assert_eq!(v["my_ballot"], json!([2, 1]));

        let r = org.post(&format!("{poll}/close"), &[]).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("Winner: <strong>Stoner</strong>"), "{html}");
        assert!(html.contains("Every round of the count"), "{html}");
        let rounds = html.split("<table class=\"poll-rounds\">").nth(1).unwrap().split("</table>").next().unwrap();
        for n in 1..=3 {
            assert!(rounds.contains(&format!("<th scope=\"row\">{n}</th>")), "round {n}: {rounds}");
        }
        assert!(!rounds.contains("<th scope=\"row\">4</th>"));
        // Middlemarch and Piranesi were level in round 1; Middlemarch,
        // added later, went out. In round 2 Piranesi and Stoner were level,
        // and round 1 separated them.
        assert!(html.contains("Round 1: “Piranesi” and “Middlemarch” were tied for the fewest votes"), "{html}");
        assert!(html.contains("Round 2: “Piranesi” and “Stoner” were tied for the fewest votes. In round 1 “Piranesi” had fewer"), "{html}");
        assert!(html.contains("Ties are never settled by chance."));
        assert!(html.contains("The winning book is on the club&#39;s list as coming up."), "{html}");

        // Stoner is the club's next book, and no longer a nomination.
        let (_, club) = api(&org, reqwest::Method::GET, &format!("/api/v1/clubs/{slug}"), None).await;
        assert_eq!(club["contents"]["upcoming"][0]["title"], "Stoner", "{club}");
        assert!(club["contents"]["nominations"].as_array().unwrap().iter().all(|n| n["title"] != "Stoner"));
        // The API shows the same rounds.
        let (_, v) = api(&org, reqwest::Method::GET, &api_path, None).await;
        assert_eq!(v["result"]["winner"], 2);
        assert_eq!(v["result"]["rounds"].as_array().unwrap().len(), 3, "{v}");
        assert_eq!(v["result"]["rounds"][0]["votes"], json!([1, 1, 2]));
        assert_eq!(v["result"]["rounds"][2]["exhausted"], 1);
    }

    async fn bad_input_is_refused_clearly_and_nothing_saved_is_lost(db: Db) {
        let org = Site::start(db.clone()).await;
        org.join("organiser").await;
        let ann = browser(&org, "ann").await;
        let ann_id = user_id(&db, "ann").await;
        let (slug, books) =
            club_with_nominations(&db, user_id(&db, "organiser").await, &[ann_id], Visibility::Public).await;

        // A poll with one book.
        let r = new_poll_form(&org, &slug, &books[..1], &[("method", "plurality")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("A poll needs at least two choices; this one has 1."), "{html}");
        // What was typed is still there.
        assert!(html.contains("value=\"What do we read in January?\""));
        let (_, list) = api(&org, reqwest::Method::GET, &format!("/api/v1/clubs/{slug}/polls"), None).await;
        assert_eq!(list, json!([]), "nothing was saved");
        let (status, v) = api(&org, reqwest::Method::POST, &format!("/api/v1/clubs/{slug}/polls"), Some(json!({
            "method": "borda", "books": [books[0].to_string()], "closes_at": "2999-01-01T00:00:00Z"
        }))).await;
        assert_eq!(status, 422);
        assert!(v.to_string().contains("A poll needs at least two choices"), "{v}");

        // A ranked poll over all three, through the API.
        let (status, v) = api(&org, reqwest::Method::POST, &format!("/api/v1/clubs/{slug}/polls"), Some(json!({
            "method": "ranked_choice", "from_nominations": true,
            "closes_on": soon(), "closes_time": "18:30"
        }))).await;
        assert_eq!(status, 201, "{v}");
        let id = v["id"].as_str().unwrap().to_string();
        assert_eq!(v["options"].as_array().unwrap().len(), 3);
        let ballot = format!("/api/v1/clubs/{slug}/polls/{id}/ballot");
        let (status, _) = api(&ann, reqwest::Method::PUT, &ballot, Some(json!({"choices": [1, 0]}))).await;
        assert_eq!(status, 200);

        // A ranked ballot that names a book twice.
        let (status, v) = api(&ann, reqwest::Method::PUT, &ballot, Some(json!({"choices": [2, 2]}))).await;
        assert_eq!(status, 422);
        assert!(v.to_string().contains("The ballot ranks the same book twice: choice 3 is at place 1 and again at place 2."), "{v}");
        // Two books at one place, on the form.
        let r = ann.post(&format!("/clubs/{slug}/polls/{id}/ballot"), &[("rank_0", "1"), ("rank_1", "1")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Choices 1 and 2 are both at place 1"), "{html}");
        let (_, mine) = api(&ann, reqwest::Method::GET, &ballot, None).await;
        assert_eq!(mine["choices"], json!([1, 0]), "the saved ballot is kept");

        // A ballot after the poll closes.
        let (status, _) = api(&org, reqwest::Method::POST, &format!("/api/v1/clubs/{slug}/polls/{id}/close"), None).await;
        assert_eq!(status, 200);
        let (status, v) = api(&ann, reqwest::Method::PUT, &ballot, Some(json!({"choices": [2]}))).await;
        assert_eq!(status, 409);
        assert!(v.to_string().contains("This poll has closed"), "{v}");
        let r = ann.post(&format!("/clubs/{slug}/polls/{id}/ballot"), &[("rank_2", "1")]).await;
        assert_eq!(r.status(), 409);
        let (_, mine) = api(&ann, reqwest::Method::GET, &ballot, None).await;
        assert_eq!(mine["choices"], json!([1, 0]), "the counted ballot is kept");
        // Closing again changes nothing.
        let (status, v) = api(&org, reqwest::Method::POST, &format!("/api/v1/clubs/{slug}/polls/{id}/close"), None).await;
        assert_eq!(status, 200);
        assert_eq!(v["result"]["winner"], 1);
    }

    async fn hidden_results_never_show_before_the_poll_closes(db: Db) {
        let org = Site::start(db.clone()).await;
        org.join("organiser").await;
        let ann = browser(&org, "ann").await;
        let ann_id = user_id(&db, "ann").await;
        let (slug, books) =
            club_with_nominations(&db, user_id(&db, "organiser").await, &[ann_id], Visibility::Public).await;
        let r = new_poll_form(&org, &slug, &books, &[("method", "approval"), ("results", "hidden")]).await;
        let poll = poll_path(&r);
        let id = poll.rsplit('/').next().unwrap().to_string();
        ann.post(&format!("{poll}/ballot"), &[("approve_1", "on"), ("approve_2", "on")]).await;
        org.post(&format!("{poll}/ballot"), &[("approve_1", "on")]).await;
        let api_path = format!("/api/v1/clubs/{slug}/polls/{id}");
        let anon = Site { base: org.base.clone(), client: Client::new() };
        for (who, site) in [("organiser", &org), ("member", &ann), ("visitor", &anon)] {
            let (status, html) = site.get_text(&poll).await;
            assert_eq!(status, 200);
            assert!(html.contains("Results are hidden until the poll closes"), "{who}: {html}");
            assert!(!html.contains("poll-totals") && !html.contains("<meter"), "{who} sees totals: {html}");
            let (_, v) = api(site, reqwest::Method::GET, &api_path, None).await;
            assert_eq!(v["result"], Value::Null, "{who}: {v}");
        }
        let r = org.post(&format!("{poll}/close"), &[]).await;
        let html = r.text().await.unwrap();
        assert!(html.contains("poll-totals") && html.contains("Winner: <strong>Middlemarch</strong>"), "{html}");
        let (_, v) = api(&anon, reqwest::Method::GET, &api_path, None).await;
        assert_eq!(v["result"]["totals"], json!([0, 2, 1]), "{v}");
    }

    async fn polls_ask_the_club_permissions(db: Db) {
        let org = Site::start(db.clone()).await;
        org.join("organiser").await;
        let ann = browser(&org, "ann").await;
        let stranger = browser(&org, "stranger").await;
        let ann_id = user_id(&db, "ann").await;
        let (slug, books) =
            club_with_nominations(&db, user_id(&db, "organiser").await, &[ann_id], Visibility::Private).await;
        let create = json!({"from_nominations": true, "closes_on": soon(), "closes_time": "20:00"});
        let polls = format!("/api/v1/clubs/{slug}/polls");
        // A member may not create or close; a stranger may not read a
        // private club's polls; a visitor must sign in.
        let (status, _) = api(&ann, reqwest::Method::POST, &polls, Some(create.clone())).await;
        assert_eq!(status, 403);
        let (status, v) = api(&org, reqwest::Method::POST, &polls, Some(create)).await;
        assert_eq!(status, 201);
        let id = v["id"].as_str().unwrap().to_string();
        let (status, _) = api(&stranger, reqwest::Method::GET, &polls, None).await;
        assert_eq!(status, 403);
        let (status, _) = api(&stranger, reqwest::Method::PUT, &format!("{polls}/{id}/ballot"), Some(json!({"choices": [0]}))).await;
        assert_eq!(status, 403);
        let (status, _) = stranger.get_text(&format!("/clubs/{slug}/polls/{id}")).await;
        assert_eq!(status, 403);
        let (status, _) = api(&ann, reqwest::Method::POST, &format!("{polls}/{id}/close"), None).await;
        assert_eq!(status, 403);
        let r = ann.post(&format!("/clubs/{slug}/polls/{id}/close"), &[]).await;
        assert_eq!(r.status(), 403);
        let r = ann.get(&format!("/clubs/{slug}/polls/new")).await;
        assert_eq!(r.status(), 403);
        let (status, _) = api(&ann, reqwest::Method::PUT, &format!("{polls}/{id}/ballot"), Some(json!({"choices": [0]}))).await;
        assert_eq!(status, 200);
        let anon = Site { base: org.base.clone(), client: Client::new() };
        let (status, _) = api(&anon, reqwest::Method::GET, &format!("{polls}/{id}"), None).await;
        assert!(status == 401 || status == 403, "{status}");
        let _ = books;
    }

    async fn a_meeting_time_poll_shows_times_in_the_viewers_zone(db: Db) {
        let org = Site::start(db.clone()).await;
        org.join("organiser").await;
        let (slug, _) =
            club_with_nominations(&db, user_id(&db, "organiser").await, &[], Visibility::Public).await;
        let (status, v) = api(&org, reqwest::Method::POST, &format!("/api/v1/clubs/{slug}/polls"), Some(json!({
            "kind": "date", "closes_at": "2999-01-01T00:00:00Z",
            "times": ["2999-06-01 19:30", "2999-06-02 19:30"]
        }))).await;
        assert_eq!(status, 422, "a poll may stay open a year at most: {v}");
        let closes = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
            .format(&time::format_description::well_known::Rfc3339).unwrap();
        let (status, v) = api(&org, reqwest::Method::POST, &format!("/api/v1/clubs/{slug}/polls"), Some(json!({
            "kind": "date", "closes_at": closes,
            "times": ["2027-06-01 19:30", "2027-06-02T19:30:00+00:00"]
        }))).await;
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["method"], "approval");
        let id = v["id"].as_str().unwrap();
        let (_, html) = org.get_text(&format!("/clubs/{slug}/polls/{id}?tz=Europe/Paris")).await;
        assert!(html.contains("Tuesday 1 June 2027, 21:30 CEST"), "{html}");
        assert!(html.contains("name=\"approve_1\""));
    }
}
