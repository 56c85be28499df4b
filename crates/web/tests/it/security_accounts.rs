//! The account and sign-in findings of the security probe of part 1, each
//! shown fixed against the running server: bounded password hashing, an
//! atomic sign-in limit that cannot lock out the owner, safe redirects,
//! a limited password-change form, and names checked on the server.

use super::site::Site;
use quire_storage::users;
use reqwest::{Client, Response, StatusCode};
use std::net::IpAddr;

const PASSWORD: &str = "correct horse battery";

/// A client that connects from `from` (any 127.x.y.z is this machine), so
/// the server sees another address. It keeps cookies and follows no
/// redirects.
fn client_from(from: &str) -> Client {
    Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn sign_in(
    client: &Client,
    site: &Site,
    username: &str,
    password: &str,
    forwarded: Option<&str>,
) -> Response {
    let mut req = client
        .post(site.url("/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("username", username), ("password", password)]);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

fn retry_after(r: &Response) -> u64 {
    r.headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds")
}

/// The resident memory of this process (the server runs in it), in MiB.
fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kb / 1024.0
}

/// Send `n` wrong sign-ins at once; the status of each answer, and a
/// Retry-After check on every 429 and 503.
async fn storm(
    site: &Site,
    n: usize,
    username: &str,
    forwarded: impl Fn(usize) -> Option<String>,
) -> Vec<StatusCode> {
    let client = client_from("127.0.0.1");
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let client = client.clone();
        let url = site.url("/login");
        let fwd = forwarded(i);
        let username = username.to_string();
        set.spawn(async move {
            let mut req = client
                .post(url)
                .header("sec-fetch-site", "same-origin")
                .form(&[
                    ("username", username.as_str()),
                    ("password", "a wrong guess"),
                ]);
            if let Some(f) = fwd {
                req = req.header("x-forwarded-for", f);
            }
            let r = req.send().await.unwrap();
            if matches!(r.status().as_u16(), 429 | 503) {
                assert!(retry_after(&r) >= 1);
            }
            r.status()
        });
    }
    let mut out = Vec::new();
    while let Some(s) = set.join_next().await {
        out.push(s.unwrap());
    }
    out
}

fn tally(statuses: &[StatusCode], code: u16) -> usize {
    statuses.iter().filter(|s| s.as_u16() == code).count()
}

quire_testkit::both_backends! {
    async fn a_storm_of_sign_ins_keeps_memory_bounded(db: Db) {
        // Resident memory is the whole process's, and other tests run beside
        // this one: so the storm runs in a process of its own, this test
        // binary started again with only this test selected.
        if std::env::var_os("QUIRE_MEMORY_TEST_ALONE").is_none() {
            let backend = match db.backend() {
                quire_storage::Backend::Sqlite => "sqlite",
                quire_storage::Backend::Postgres => "postgres",
            };
            let name = format!("security_accounts::a_storm_of_sign_ins_keeps_memory_bounded::{backend}");
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args([name.as_str(), "--exact", "--nocapture", "--test-threads=1"])
                .env("QUIRE_MEMORY_TEST_ALONE", "1")
                .output()
                .unwrap();
            let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            eprintln!("{stderr}");
            assert!(out.status.success() && stdout.contains("1 passed"), "{stdout}{stderr}");
            return;
        }
        // Each request comes through the "proxy" from its own address, so
        // no limit stops it and every one wants a password check.
        let config = quire_web::Config {
            trusted_proxy_header: Some("X-Forwarded-For".into()),
            ..Default::default()
        };
        let state = quire_web::AppState::new(db, config);
        let site = Site::start_state(state.clone()).await;
        site.join("reader").await;
        let before = resident_mib();
        let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let sampler = {
            let sampling = sampling.clone();
            tokio::spawn(async move {
                let mut peak: f64 = 0.0;
                while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                    peak = peak.max(resident_mib());
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                peak
            })
        };
        let statuses = storm(&site, 300, "reader", |i| Some(format!("2001:db8:{i:x}::1"))).await;
        sampling.store(false, std::sync::atomic::Ordering::Relaxed);
        let peak = sampler.await.unwrap().max(resident_mib());
        let (checked, busy) = (tally(&statuses, 401), tally(&statuses, 503));
        eprintln!(
            "storm of 300 sign-ins: {checked} checked (401), {busy} told busy (503); resident memory {before:.0} MiB before, peak {peak:.0} MiB; {} hashes run",
            state.passwords.verified()
        );
        assert_eq!(checked + busy, 300, "every answer is 401 or 503: {statuses:?}");
        assert!(checked >= 1);
        assert_eq!(state.passwords.verified() as usize, checked);
        assert!(peak < 300.0, "resident memory peaked at {peak:.0} MiB");
        // And the server still serves, and the owner can still sign in.
        let (status, _) = site.get_text("/").await;
        assert_eq!(status, 200);
        site.post("/logout", &[]).await;
        let r = site.post("/login", &[("username", "reader"), ("password", PASSWORD)]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.url().path(), "/");
    }

    async fn concurrent_wrong_sign_ins_are_checked_only_up_to_the_limit(db: Db) {
        let state = quire_web::AppState::new(db.clone(), quire_web::Config::default());
        let site = Site::start_state(state.clone()).await;
        site.join("target").await;
        let statuses = storm(&site, 300, "target", |_| None).await;
        let (checked, limited) = (tally(&statuses, 401), tally(&statuses, 429));
        eprintln!(
            "300 concurrent wrong sign-ins on one account from one address: {checked} checked (401), {limited} refused (429), {} password checks run",
            state.passwords.verified()
        );
        assert_eq!(checked, 5);
        assert_eq!(limited, 295);
        assert_eq!(state.passwords.verified(), 5);
        assert_eq!(users::login_attempts_for(&db, "target").await.unwrap(), (5, 0));
    }

    async fn the_owner_signs_in_from_elsewhere_while_an_attacker_is_held_back(db: Db) {
        let site = Site::start(db).await;
        site.join("victim").await;
        site.post("/logout", &[]).await;
        let attacker = client_from("127.0.0.2");
        for _ in 0..5 {
            let r = sign_in(&attacker, &site, "victim", "guess guess guess", None).await;
            assert_eq!(r.status(), 401);
        }
        let r = sign_in(&attacker, &site, "victim", "guess guess guess", None).await;
        assert_eq!(r.status(), 429);
        let wait = retry_after(&r);
        assert!((1..=60).contains(&wait), "the first wait is a minute, not {wait}");
        let text = r.text().await.unwrap();
        assert!(text.contains("Too many failed sign-ins to this account from your address. Wait"), "{text}");
        // Even the right password waits, from the attacker's address…
        let r = sign_in(&attacker, &site, "victim", PASSWORD, None).await;
        assert_eq!(r.status(), 429);
        // …but the owner, elsewhere, is not locked out.
        let owner = client_from("127.0.0.3");
        let r = sign_in(&owner, &site, "victim", PASSWORD, None).await;
        assert_eq!(r.status(), 303);
        assert!(r.headers().get("set-cookie").is_some());
        // The JSON form of the refusal says the same, with the header.
        let r = attacker
            .post(site.url("/login"))
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .form(&[("username", "victim"), ("password", "guess")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        assert!(retry_after(&r) >= 1);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "rate_limited");
    }

    async fn one_address_cannot_guess_across_many_accounts(db: Db) {
        let state = quire_web::AppState::new(db, quire_web::Config::default());
        let site = Site::start_state(state.clone()).await;
        let client = client_from("127.0.0.4");
        let mut refused = None;
        for i in 0..40 {
            let r = sign_in(&client, &site, &format!("someone{i}"), "guess guess guess", None).await;
            if r.status() == 429 {
                refused = Some(i);
                assert!(retry_after(&r) >= 1);
                break;
            }
            assert_eq!(r.status(), 401);
        }
        assert_eq!(refused, Some(30), "30 failures from one address, then a wait");
        assert_eq!(state.passwords.verified(), 30);
    }

    async fn a_forwarded_header_counts_only_when_trusted(db: Db) {
        // Not configured: the header is anyone's to send, so it is ignored
        // and every attempt counts against the real address.
        let site = Site::start(db.clone()).await;
        site.join("owner").await;
        site.post("/logout", &[]).await;
        let client = client_from("127.0.0.1");
        for i in 0..5 {
            let r = sign_in(&client, &site, "owner", "guess guess guess", Some(&format!("203.0.113.{i}"))).await;
            assert_eq!(r.status(), 401);
        }
        let r = sign_in(&client, &site, "owner", PASSWORD, Some("198.51.100.7")).await;
        assert_eq!(r.status(), 429, "a forged header must not buy fresh attempts");

        // Configured: the proxy's last address is the client.
        let config = quire_web::Config {
            trusted_proxy_header: Some("X-Forwarded-For".into()),
            ..Default::default()
        };
        let site = Site::start_with(db, config).await;
        let client = client_from("127.0.0.1");
        for _ in 0..5 {
            let r = sign_in(&client, &site, "owner", "guess guess guess", Some("198.51.100.99, 203.0.113.5")).await;
            assert_eq!(r.status(), 401);
        }
        // A forged address at the left changes nothing: the proxy appended
        // the real one at the right.
        let r = sign_in(&client, &site, "owner", "guess guess guess", Some("192.0.2.77, 203.0.113.5")).await;
        assert_eq!(r.status(), 429);
        let r = sign_in(&client, &site, "owner", PASSWORD, Some("203.0.113.5, 198.51.100.8")).await;
        assert_eq!(r.status(), 303, "the owner, at another address behind the proxy, signs in");
    }

    async fn registration_is_limited_per_address(db: Db) {
        let site = Site::start_with(db.clone(), quire_web::Config::default()).await;
        for i in 0..5 {
            site.join(&format!("member{i}")).await;
        }
        let r = site
            .post("/register", &[("username", "member5"), ("password", PASSWORD), ("password_again", PASSWORD)])
            .await;
        assert_eq!(r.status(), 429);
        let wait = retry_after(&r);
        assert!((3000..=3600).contains(&wait), "about an hour, not {wait} s");
        assert!(r.text().await.unwrap().contains("Too many new accounts from your address."));
        assert_eq!(users::count(&db).await.unwrap(), 5);
        // Another address may still join.
        let r = client_from("127.0.0.5")
            .post(site.url("/register"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("username", "member5"), ("password", PASSWORD), ("password_again", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);

        // A site that expects many joins from one address can say so.
        let config = quire_web::Config { joins_per_address_per_hour: 7, ..Default::default() };
        let site = Site::start_with(db, config).await;
        for i in 0..2 {
            site.join(&format!("extra{i}")).await;
        }
        let r = site
            .post("/register", &[("username", "extra2"), ("password", PASSWORD), ("password_again", PASSWORD)])
            .await;
        assert_eq!(r.status(), 429);
    }

    async fn a_full_hashing_queue_answers_busy(db: Db) {
        // One slot and almost no patience: most of a burst is told to come
        // back, with Retry-After, and the JSON code `busy`.
        let config = quire_web::Config {
            trusted_proxy_header: Some("X-Forwarded-For".into()),
            hashing_slots: 1,
            hashing_wait: std::time::Duration::from_millis(1),
            ..Default::default()
        };
        let site = Site::start_with(db, config).await;
        let client = client_from("127.0.0.1");
        let mut set = tokio::task::JoinSet::new();
        for i in 0..30 {
            let client = client.clone();
            let url = site.url("/login");
            set.spawn(async move {
                client
                    .post(url)
                    .header("sec-fetch-site", "same-origin")
                    .header("accept", "application/json")
                    .header("x-forwarded-for", format!("198.51.100.{i}"))
                    .form(&[("username", "nobody"), ("password", "guess guess guess")])
                    .send()
                    .await
                    .unwrap()
            });
        }
        let mut busy = 0;
        while let Some(r) = set.join_next().await {
            let r = r.unwrap();
            if r.status() == 503 {
                busy += 1;
                assert_eq!(retry_after(&r), 2);
                let v: serde_json::Value = r.json().await.unwrap();
                assert_eq!(v["error"]["code"], "busy");
            } else {
                assert_eq!(r.status(), 401);
            }
        }
        assert!(busy >= 1, "with one slot, 30 at once cannot all be checked in 1 ms");
        // A busy answer did not count as a guess: that address may try again.
        let r = sign_in(&client, &site, "nobody", "guess guess guess", Some("198.51.100.0")).await;
        assert_eq!(r.status(), 401);
    }

    async fn wrong_current_passwords_are_limited(db: Db) {
        let state = quire_web::AppState::new(db, quire_web::Config::default());
        let site = Site::start_state(state.clone()).await;
        site.join("changer").await;
        let change = |current: &'static str| {
            let site = &site;
            async move {
                site.post("/account/password", &[("current", current), ("new_password", "a new long password"), ("new_again", "a new long password")]).await
            }
        };
        for _ in 0..5 {
            let r = change("not my password").await;
            assert_eq!(r.status(), 422);
        }
        let r = change("not my password").await;
        assert_eq!(r.status(), 429);
        assert!(retry_after(&r) >= 1);
        assert!(r.text().await.unwrap().contains("Too many wrong current passwords for this account."));
        // The right one waits too: the limit is the account's.
        let r = change(PASSWORD).await;
        assert_eq!(r.status(), 429);
        assert_eq!(state.passwords.verified(), 5);
    }

    async fn redirects_after_sign_in_stay_on_the_site(db: Db) {
        let site = Site::start(db).await;
        site.join("traveller").await;
        site.post("/logout", &[]).await;
        let (_, html) = site.get_text("/login?next=/%09/evil.example/x").await;
        assert!(html.contains(r#"name="next" value="/""#), "the form carries a safe next");
        let client = client_from("127.0.0.1");
        for (next, expected) in [
            ("/\t/evil.example/x", "/"),
            ("//evil.example", "/"),
            ("/\\evil.example", "/"),
            ("https://evil.example/", "/"),
            ("/%2F%2Fevil.example", "/"),
            ("/books/1\r\nSet-Cookie: x=1", "/"),
            ("/people/traveller", "/people/traveller"),
        ] {
            let r = client
                .post(site.url("/login"))
                .header("sec-fetch-site", "same-origin")
                .form(&[("username", "traveller"), ("password", PASSWORD), ("next", next)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "next = {next:?}");
            assert_eq!(r.headers()["location"], expected, "next = {next:?}");
            // The session that was made is the one the cookie carries.
            assert!(r.headers()["set-cookie"].to_str().unwrap().starts_with("quire_session="));
        }
    }

    async fn names_are_checked_on_the_server_and_every_error_shown(db: Db) {
        let site = Site::start(db.clone()).await;
        let join = |username: String, display: String| {
            let site = &site;
            async move {
                site.post("/register", &[("username", username.as_str()), ("display_name", display.as_str()), ("password", PASSWORD), ("password_again", PASSWORD)]).await
            }
        };
        let r = join("longname".into(), "n".repeat(250_000)).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("A display name can be at most 80 characters; this one has 250000."));
        assert!(!html.contains(&"n".repeat(100)), "an oversize name is not echoed");
        let r = join("bidi".into(), "Maya \u{202E}txt.exe".into()).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("change the direction of text"));
        let r = join("nul".into(), "Maya\0Ruiz".into()).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("control characters"));
        for name in ["admin", "Administrator", "LOGIN", "api", "Quire"] {
            let r = join(name.into(), String::new()).await;
            assert_eq!(r.status(), 422, "{name}");
            assert!(r.text().await.unwrap().contains("is kept for the site itself"), "{name}");
        }
        assert_eq!(users::count(&db).await.unwrap(), 0);

        // Every problem at once, each beside its field.
        let r = site
            .post("/register", &[("username", "admin"), ("display_name", "x\u{2067}y"), ("password", "short"), ("password_again", "other")])
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("4 fields need a change"));
        for (field, message) in [
            ("username", "is kept for the site itself"),
            ("display_name", "change the direction of text"),
            ("password", "A password needs at least 10 characters"),
            ("password_again", "The two passwords differ"),
        ] {
            let marker = format!(r#"<p class="field-error" id="{field}-error">"#);
            let at = html.find(&marker).unwrap_or_else(|| panic!("no message beside {field}"));
            assert!(html[at..].split("</p>").next().unwrap().contains(message), "{field}");
            assert!(html.contains(&format!(r#"aria-describedby="{field}-error""#)));
        }

        // An 80-character name in any script is fine.
        let r = join("fine".into(), "ß".repeat(80)).await;
        assert_eq!(r.status(), 200);
    }

    async fn oversize_sign_in_input_is_refused_unrecorded_and_unechoed(db: Db) {
        let state = quire_web::AppState::new(db.clone(), quire_web::Config::default());
        let site = Site::start_state(state.clone()).await;
        let huge = "u".repeat(250_000);
        let r = site.post("/login", &[("username", huge.as_str()), ("password", "whatever it is")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("username is at most 30 characters"));
        assert!(!html.contains(&"u".repeat(100)), "the username is not echoed");
        let long_password = "p".repeat(1_001);
        let r = site.post("/login", &[("username", "someone"), ("password", long_password.as_str())]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("password is at most 1,000 characters"));
        assert_eq!(state.passwords.verified(), 0, "no hash was spent on either");
        assert_eq!(users::login_attempts_for(&db, &huge).await.unwrap(), (0, 0));
        assert_eq!(users::login_attempts_for(&db, "someone").await.unwrap(), (0, 0));
    }
}
