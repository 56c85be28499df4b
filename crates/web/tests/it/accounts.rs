use super::site::Site;

quire_testkit::both_backends! {
    async fn join_sign_out_sign_in_and_change_password(db: Db) {
        let site = Site::start(db).await;
        site.join("maya").await;
        let (_, home) = site.get_text("/").await;
        assert!(home.contains("maya: my shelves"));
        site.post("/logout", &[]).await;
        let (_, home) = site.get_text("/").await;
        assert!(home.contains("Sign in"));

        let r = site.post("/login", &[("username", "MAYA"), ("password", "correct horse battery"), ("next", "/people/maya")]).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.url().path(), "/people/maya");

        let r = site.post("/account/password", &[("current", "wrong one!!"), ("new_password", "a new long password"), ("new_again", "a new long password")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Your current password is not right; nothing was changed."));
        let r = site.post("/account/password", &[("current", "correct horse battery"), ("new_password", "a new long password"), ("new_again", "a new long password")]).await;
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Your password is changed."));
        site.post("/logout", &[]).await;
        let r = site.post("/login", &[("username", "maya"), ("password", "correct horse battery")]).await;
        assert_eq!(r.status(), 401);
        let r = site.post("/login", &[("username", "maya"), ("password", "a new long password")]).await;
        assert_eq!(r.status(), 200);
    }

    async fn session_cookies_are_http_only_and_same_site(db: Db) {
        let site = Site::start(db).await;
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = client
            .post(site.url("/register"))
            .header("sec-fetch-site", "same-origin")
            .form(&[("username", "cookie"), ("password", "correct horse battery"), ("password_again", "correct horse battery")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(cookie.starts_with("quire_session="));
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Lax"));
    }

    async fn a_cross_site_form_post_is_refused(db: Db) {
        let b = quire_testkit::BookBuilder::new("Guarded").build(&db).await;
        let site = Site::start(db).await;
        site.join("victim").await;
        let r = site
            .client
            .post(site.url(&format!("/books/{}/rating", b.work)))
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .form(&[("stars", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("came from another site"));
        let (_, html) = site.get_text(&format!("/books/{}", b.work)).await;
        assert!(html.contains("No ratings yet."));
    }

    async fn repeated_wrong_passwords_are_slowed_down(db: Db) {
        let site = Site::start(db).await;
        site.join("target").await;
        site.post("/logout", &[]).await;
        for _ in 0..5 {
            let r = site.post("/login", &[("username", "target"), ("password", "not the password")]).await;
            assert_eq!(r.status(), 401);
        }
        // Even the right password waits now.
        let r = site.post("/login", &[("username", "target"), ("password", "correct horse battery")]).await;
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        assert!(r.text().await.unwrap().contains("Too many failed sign-ins to this account from your address. Wait"));
    }
}
