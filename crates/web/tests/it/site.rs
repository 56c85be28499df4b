use quire_storage::Db;
use reqwest::{Client, Response};

/// A running server and a browser-like client (keeps cookies, sends the
/// headers a same-origin form post sends).
pub struct Site {
    pub base: String,
    pub client: Client,
}

impl Site {
    pub async fn start(db: Db) -> Self {
        Self::start_with(db, test_config()).await
    }

    pub async fn start_with(db: Db, config: quire_web::Config) -> Self {
        Self::start_state(quire_web::AppState::new(db, config)).await
    }

    /// Serve `state`; the test keeps a clone to read its counters.
    pub async fn start_state(state: quire_web::AppState) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { quire_web::serve(listener, state).await });
        let client = Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap();
        Site { base, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_htmx(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header("sec-fetch-site", "same-origin")
            .header("hx-request", "true")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Register and stay signed in.
    pub async fn join(&self, username: &str) {
        let r = self
            .post(
                "/register",
                &[
                    ("username", username),
                    ("display_name", ""),
                    ("password", "correct horse battery"),
                    ("password_again", "correct horse battery"),
                ],
            )
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
}

impl Site {
    /// Another browser on the same server, signed in as a new account.
    pub async fn another(&self, username: &str) -> Site {
        let other = Site {
            base: self.base.clone(),
            client: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::limited(5))
                .build()
                .unwrap(),
        };
        other.join(username).await;
        other
    }

    /// Make a personal access token with `scopes` on the token page, as
    /// the signed-in member; its secret.
    pub async fn token(&self, scopes: &[&str]) -> String {
        let mut form: Vec<(&str, &str)> = vec![("name", "script"), ("expires", "30")];
        form.extend(scopes.iter().map(|s| ("scope", *s)));
        let html = self
            .post("/account/tokens", &form)
            .await
            .text()
            .await
            .unwrap();
        html.split("quire_pat_")
            .nth(1)
            .map(|rest| format!("quire_pat_{}", &rest[..64]))
            .expect("the new token is shown")
    }
}

/// The server's settings for tests: every test's accounts join from
/// 127.0.0.1, so the per-address join limit is raised; the test of that
/// limit sets its own.
pub fn test_config() -> quire_web::Config {
    quire_web::Config {
        joins_per_address_per_hour: 1_000,
        ..Default::default()
    }
}

/// The test settings for tests that count every statement the database
/// runs: the search index's upkeep, which reads the catalog in the
/// background, stays off.
pub fn counted_config() -> quire_web::Config {
    quire_web::Config {
        search_sync: false,
        ..test_config()
    }
}

/// How many times `needle` occurs in `hay`.
pub fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}
