//! The book page (signed out and signed in) and the home page (signed out
//! and signed in) under concurrent load, on SQLite and on PostgreSQL, beside
//! a trivial handler (`GET /healthz`) of the same server measured in the
//! same run.
//!
//! It prints numbers and never asserts a time: the ratio to the trivial handler
//! is the figure to compare across machines, since both rows share the router,
//! the middleware, the HTTP stack, the load generator and whatever else the
//! machine was doing at the time. It does fail when a measurement would be
//! dishonest: when the page is not the page we meant to load, or when any
//! request during a row failed.
//!
//! `QUIRE_BENCH_SECONDS`, `QUIRE_BENCH_CONNECTIONS` and `QUIRE_BENCH_BACKENDS`
//! override the defaults; see the crate's README.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use quire_bench::load::{self, LoadConfig, LoadReport};
use quire_storage::Db;
use quire_testkit::{BookBuilder, TestDb};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const DEFAULT_SECONDS: f64 = 5.0;
const DEFAULT_CONNECTIONS: usize = 32;
const WARMUP: Duration = Duration::from_secs(1);
/// As on the machine the aim is set for: two cores, so two workers.
const SERVER_WORKERS: usize = 2;

const TITLE: &str = "The Push";
const REVIEWS: usize = 40;
const RATINGS: usize = 60;

fn main() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    settings.print();

    let mut results: Vec<BackendResult> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for &backend in &settings.backends {
        match bench_backend(backend, &settings)? {
            Outcome::Measured(result) => results.push(result),
            Outcome::Skipped(why) => {
                eprintln!("skipping {}", backend.name());
                skipped.push(format!("{} rows skipped: {why}", backend.name()));
            }
        }
    }

    print_table(&results);

    let mut errors = Vec::new();
    for result in &results {
        for row in &result.rows {
            if row.report.errors > 0 {
                errors.push(format!(
                    "{} {}: {} errors; the first: {}",
                    result.backend.name(),
                    row.route.label(),
                    row.report.errors,
                    row.report
                        .first_error
                        .as_deref()
                        .unwrap_or("(not recorded)")
                ));
            }
        }
    }
    for line in &errors {
        println!("ERROR {line}");
    }
    for line in &skipped {
        println!("{line}");
    }
    for result in &results {
        println!("{}", result.summary());
    }
    if !errors.is_empty() {
        bail!("some requests failed, so the rows above do not measure the page; see the errors");
    }
    Ok(())
}

/// What to run, from the environment.
struct Settings {
    duration: Duration,
    connections: usize,
    backends: Vec<Backend>,
}

impl Settings {
    fn from_env() -> anyhow::Result<Self> {
        let seconds = match env("QUIRE_BENCH_SECONDS") {
            None => DEFAULT_SECONDS,
            Some(s) => s
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0)
                .with_context(|| {
                    format!("QUIRE_BENCH_SECONDS={s:?}: expected a positive number of seconds")
                })?,
        };
        let connections = match env("QUIRE_BENCH_CONNECTIONS") {
            None => DEFAULT_CONNECTIONS,
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| {
                    format!("QUIRE_BENCH_CONNECTIONS={s:?}: expected a positive whole number")
                })?,
        };
        let backends = match env("QUIRE_BENCH_BACKENDS") {
            None => vec![Backend::Sqlite, Backend::Postgres],
            Some(s) => {
                let mut list = Vec::new();
                for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let backend = Backend::parse(name).with_context(|| {
                        format!(
                            "QUIRE_BENCH_BACKENDS={s:?}: {name:?} is neither \"sqlite\" nor \"postgres\""
                        )
                    })?;
                    if !list.contains(&backend) {
                        list.push(backend);
                    }
                }
                if list.is_empty() {
                    bail!("QUIRE_BENCH_BACKENDS={s:?} names no backend; try \"sqlite,postgres\"");
                }
                list
            }
        };
        Ok(Self {
            duration: Duration::from_secs_f64(seconds),
            connections,
            backends,
        })
    }

    fn print(&self) {
        let cores = std::thread::available_parallelism()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "unknown".to_owned());
        let loadavg = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|s| {
                let fields: Vec<&str> = s.split_whitespace().take(3).collect();
                (fields.len() == 3).then(|| fields.join(" "))
            })
            .unwrap_or_else(|| "unknown".to_owned());
        println!("Quire book page and home page benchmark");
        println!("  cores available:      {cores}");
        println!("  load average (1/5/15 min) at start: {loadavg}");
        println!(
            "  server:               tokio, {SERVER_WORKERS} worker threads; load generator on the same workers, same process"
        );
        println!(
            "  load:                 {} keep-alive connections on 127.0.0.1, {} s warm-up, {} s measured per row",
            self.connections,
            WARMUP.as_secs_f64(),
            self.duration.as_secs_f64()
        );
        println!(
            "  book:                 \"{TITLE}\" with {REVIEWS} reviews, {RATINGS} ratings, 5 reading now, 7 have read, 11 questions, 2 blurbs, material"
        );
        println!(
            "  backends:             {}",
            self.backends
                .iter()
                .map(|b| b.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if cfg!(debug_assertions) {
            println!("  WARNING: built without optimisations; run it with `cargo bench`");
        }
        println!();
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.trim().is_empty())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" | "pg" => Some(Self::Postgres),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    Trivial,
    Cached,
    SignedIn,
    HomeOut,
    HomeIn,
    ClubIn,
    Uncached,
}

impl Route {
    fn label(self) -> &'static str {
        match self {
            Self::Trivial => "trivial handler (GET /healthz)",
            Self::Cached => "book page, signed out (cached)",
            Self::SignedIn => "book page, signed in (cached; a club's current book)",
            Self::HomeOut => "home page, signed out",
            Self::HomeIn => "home page, signed in",
            Self::ClubIn => "club page, signed in (30 members)",
            Self::Uncached => "book page (no cache: 8 queries)",
        }
    }
}

struct Row {
    route: Route,
    report: LoadReport,
    queries_per_request: f64,
    /// CPU time per request (this process, server and load generator, plus
    /// the PostgreSQL backends serving the database), in microseconds.
    cpu_us_per_request: f64,
}

struct BackendResult {
    backend: Backend,
    rows: Vec<Row>,
}

impl BackendResult {
    fn row(&self, route: Route) -> Option<&Row> {
        self.rows.iter().find(|r| r.route == route)
    }

    /// The cached page, as the server runs by default, against the trivial handler.
    fn summary(&self) -> String {
        let (Some(page), Some(trivial)) = (self.row(Route::Cached), self.row(Route::Trivial))
        else {
            return format!("{}: incomplete run", self.backend.name());
        };
        let mut line = format!(
            "{} book page: {:.0} req/s ({:.0}% of the trivial handler's {:.0} req/s in the same run)",
            self.backend.name(),
            page.report.requests_per_sec,
            ratio(&page.report, &trivial.report) * 100.0,
            trivial.report.requests_per_sec,
        );
        for route in [
            Route::SignedIn,
            Route::HomeOut,
            Route::HomeIn,
            Route::ClubIn,
        ] {
            if let Some(row) = self.row(route) {
                let _ = write!(
                    line,
                    "; {} {:.0} req/s ({:.0}%)",
                    route.label(),
                    row.report.requests_per_sec,
                    ratio(&row.report, &trivial.report) * 100.0,
                );
            }
        }
        if let Some(uncached) = self.row(Route::Uncached) {
            let _ = write!(
                line,
                "; without the page cache {:.0} req/s ({:.0}%)",
                uncached.report.requests_per_sec,
                ratio(&uncached.report, &trivial.report) * 100.0,
            );
        }
        line
    }
}

fn ratio(a: &LoadReport, baseline: &LoadReport) -> f64 {
    if baseline.requests_per_sec > 0.0 {
        a.requests_per_sec / baseline.requests_per_sec
    } else {
        0.0
    }
}

enum Outcome {
    Measured(BackendResult),
    /// The backend could not be set up on this machine (PostgreSQL missing, say).
    Skipped(String),
}

/// One server runtime per backend, so nothing of one backend's run (pools,
/// connections, tasks) is left to compete with the next.
fn bench_backend(backend: Backend, settings: &Settings) -> anyhow::Result<Outcome> {
    // Server and load generator share one runtime of two workers. On two cores a
    // client runtime on a thread of its own adds a third busy thread that the
    // kernel must time-slice against the server's two, and every request and
    // response crosses runtimes with a cross-thread wake-up; sharing the workers
    // lets a request and its response often be handled on one thread without a
    // context switch. Tried both ways on the 2-core machine, sharing served more
    // on every row (trivial handler about 65,000 req/s against 48,000, cached
    // page 19,000 against 16,000-18,000). The client's cost lands on the trivial
    // row as on the page rows, which is what makes the ratio comparable.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(SERVER_WORKERS)
        .enable_all()
        .build()
        .context("cannot build the server runtime")?;

    let test_db = match rt.block_on(open_database(backend))? {
        Ok(db) => db,
        Err(why) => return Ok(Outcome::Skipped(why)),
    };
    let db = test_db.db.clone();
    // The PostgreSQL backends serving this database are found by its name.
    let pg_database = (backend == Backend::Postgres).then(|| {
        let path = test_db.url.rsplit('/').next().unwrap_or_default();
        path.split('?').next().unwrap_or_default().to_owned()
    });
    let result = rt.block_on(measure(backend, &db, pg_database.as_deref(), settings));
    rt.block_on(db.close());
    rt.shutdown_timeout(Duration::from_secs(2));
    // Dropped only now: for SQLite it owns the folder holding the database file.
    drop(test_db);
    result.map(Outcome::Measured)
}

/// A fresh migrated database, or why this backend cannot be measured here.
async fn open_database(backend: Backend) -> anyhow::Result<Result<TestDb, String>> {
    match backend {
        Backend::Sqlite => Ok(Ok(quire_testkit::db::sqlite().await)),
        Backend::Postgres => {
            // Start (or find) the server first: this is the step that fails on
            // a machine without PostgreSQL, and it says why without panicking.
            if let Err(e) = quire_testkit::pg::server().await {
                return Ok(Err(format!("PostgreSQL could not be started: {e:#}")));
            }
            // The test helper panics on failure; run it as a task to catch that.
            match tokio::spawn(quire_testkit::db::postgres()).await {
                Ok(db) => Ok(Ok(db)),
                Err(e) => Ok(Err(format!(
                    "could not create a PostgreSQL database: {}",
                    panic_message(e)
                ))),
            }
        }
    }
}

fn panic_message(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return e.to_string();
    }
    let payload = e.into_panic();
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "a panic without a message".to_owned()
    }
}

async fn measure(
    backend: Backend,
    db: &Db,
    pg_database: Option<&str>,
    settings: &Settings,
) -> anyhow::Result<BackendResult> {
    let built = BookBuilder::new(TITLE)
        .isbn("9781984881670")
        .with_reviews(REVIEWS)
        .with_ratings(RATINGS)
        .with_readers(5, 7)
        .with_questions(11)
        .with_blurbs(2)
        .with_material()
        .build(db)
        .await;
    let page_path = format!("/books/{}", built.work);

    // Two servers on the same database and runtime, one per page-cache setting;
    // only one is under load at a time.
    let (cached_addr, cached_server) = start_server(db, true).await?;
    let (uncached_addr, uncached_server) = start_server(db, false).await?;

    // Also warms the cache of the cached server.
    check_page(cached_addr, &page_path, backend, "with the page cache").await?;
    check_page(uncached_addr, &page_path, backend, "without the page cache").await?;
    // A signed-in reader who has rated the book, shelved it and voted.
    let cookie = sign_in(cached_addr, &built.work.to_string()).await?;
    let signed_in = vec![("cookie".to_owned(), cookie)];
    check_signed_in(cached_addr, &page_path, &signed_in, backend).await?;
    check_home(cached_addr, &[], backend).await?;
    check_home(cached_addr, &signed_in, backend).await?;
    // The book is the current selection of the reader's club, whose page is
    // measured too.
    club(db, &built).await?;
    check_club(cached_addr, &signed_in, backend).await?;
    // Exact counts from single requests with nothing else running; the column
    // under load can read a little high, from requests in flight at the edges.
    let quiet_cached = quiet_queries(db, cached_addr, &page_path, &[]).await?;
    let quiet_signed_in = quiet_queries(db, cached_addr, &page_path, &signed_in).await?;
    let quiet_uncached = quiet_queries(db, uncached_addr, &page_path, &[]).await?;
    let quiet_home = quiet_queries(db, cached_addr, "/", &[]).await?;
    let quiet_home_in = quiet_queries(db, cached_addr, "/", &signed_in).await?;
    let quiet_club = quiet_queries(db, cached_addr, CLUB_PATH, &signed_in).await?;
    println!(
        "{}: one request to the book page runs {} with the page cache ({} signed in), {} without; \
         the home page {} ({} signed in), the club page {} signed in (counted on an idle server)",
        backend.name(),
        queries(quiet_cached),
        queries(quiet_signed_in),
        queries(quiet_uncached),
        queries(quiet_home),
        queries(quiet_home_in),
        queries(quiet_club),
    );

    let none: &[(String, String)] = &[];
    let plan = [
        (Route::Trivial, cached_addr, "/healthz", none),
        (Route::Cached, cached_addr, page_path.as_str(), none),
        (
            Route::SignedIn,
            cached_addr,
            page_path.as_str(),
            &signed_in[..],
        ),
        (Route::HomeOut, cached_addr, "/", none),
        (Route::HomeIn, cached_addr, "/", &signed_in[..]),
        (Route::ClubIn, cached_addr, CLUB_PATH, &signed_in[..]),
        (Route::Uncached, uncached_addr, page_path.as_str(), none),
    ];
    let mut rows = Vec::new();
    for (route, addr, path, headers) in plan {
        eprintln!("measuring {} {} …", backend.name(), route.label());
        rows.push(measure_row(db, pg_database, route, addr, path, headers, settings).await?);
    }

    cached_server.abort();
    uncached_server.abort();
    let _ = cached_server.await;
    let _ = uncached_server.await;
    Ok(BackendResult { backend, rows })
}

async fn start_server(
    db: &Db,
    page_cache: bool,
) -> anyhow::Result<(SocketAddr, JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot bind 127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let state = quire_web::AppState::new(
        db.clone(),
        quire_web::Config {
            page_cache,
            // Statements are counted a request: no background upkeep.
            search_sync: false,
            ..Default::default()
        },
    );
    Ok((addr, tokio::spawn(quire_web::serve(listener, state))))
}

/// Measuring an error page would be dishonest: make sure it is the book.
async fn check_page(
    addr: SocketAddr,
    path: &str,
    backend: Backend,
    setting: &str,
) -> anyhow::Result<()> {
    let (status, body) = fetch(addr, path)
        .await
        .with_context(|| format!("cannot fetch {path} on {} {setting}", backend.name()))?;
    let reviews = format!("{REVIEWS} reviews");
    if status != StatusCode::OK || !body.contains(TITLE) || !body.contains(&reviews) {
        let excerpt: String = body.chars().take(400).collect();
        bail!(
            "on {} {setting}, GET {path} answered {status} without both {TITLE:?} and {reviews:?}, \
             so there is no book page to measure. The body begins:\n{excerpt}",
            backend.name()
        );
    }
    Ok(())
}

fn queries(n: u64) -> String {
    match n {
        1 => "1 SQL query".to_owned(),
        n => format!("{n} SQL queries"),
    }
}

/// Statements run by one request on an otherwise idle server.
async fn quiet_queries(
    db: &Db,
    addr: SocketAddr,
    path: &str,
    headers: &[(String, String)],
) -> anyhow::Result<u64> {
    let before = db.queries_run();
    let (status, _, _) = send(addr, "GET", path, headers, None).await?;
    if status != StatusCode::OK {
        bail!("GET {path} answered {status}");
    }
    Ok(db.queries_run() - before)
}

async fn fetch(addr: SocketAddr, path: &str) -> anyhow::Result<(StatusCode, String)> {
    let (status, _, body) = send(addr, "GET", path, &[], None).await?;
    Ok((status, body))
}

/// One request on a fresh connection: status, the session cookie it set
/// (if any) and the body. `form` makes it a same-origin form post.
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    form: Option<&str>,
) -> anyhow::Result<(StatusCode, Option<String>, String)> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let conn = tokio::spawn(conn);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(hyper::header::HOST, addr.to_string());
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if form.is_some() {
        request = request
            .header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header("sec-fetch-site", "same-origin");
    }
    let body = Full::new(Bytes::from(form.unwrap_or_default().to_owned()));
    let response = sender.send_request(request.body(body)?).await?;
    let status = response.status();
    let cookie = response
        .headers()
        .get_all(hyper::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("quire_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = response.into_body().collect().await?.to_bytes();
    drop(sender);
    conn.abort();
    Ok((status, cookie, String::from_utf8_lossy(&body).into_owned()))
}

const READER: &str = "bench-reader";

/// Join as a reader, rate the book, put it in the queue and on a shelf:
/// the signed-in rows show a reader with state of their own. Returns the
/// session cookie.
async fn sign_in(addr: SocketAddr, work: &str) -> anyhow::Result<String> {
    let (status, cookie, body) = send(
        addr,
        "POST",
        "/register",
        &[],
        Some(&format!(
            "username={READER}&display_name=&password=correct+horse+battery&password_again=correct+horse+battery"
        )),
    )
    .await?;
    let Some(cookie) = cookie else {
        let excerpt: String = body.chars().take(300).collect();
        bail!("joining as {READER} answered {status} without a session cookie: {excerpt}");
    };
    let headers = [("cookie".to_owned(), cookie.clone())];
    for (path, form) in [
        (format!("/books/{work}/rating"), "stars=4.5"),
        (format!("/books/{work}/queue"), "action=add"),
        (format!("/books/{work}/shelves"), "new_shelf=Club+picks"),
    ] {
        let (status, _, body) = send(addr, "POST", &path, &headers, Some(form)).await?;
        if !(status.is_success() || status.is_redirection()) {
            let excerpt: String = body.chars().take(300).collect();
            bail!("POST {path} as {READER} answered {status}: {excerpt}");
        }
    }
    Ok(cookie)
}

async fn check_signed_in(
    addr: SocketAddr,
    path: &str,
    headers: &[(String, String)],
    backend: Backend,
) -> anyhow::Result<()> {
    let (status, _, body) = send(addr, "GET", path, headers, None).await?;
    let mine = format!("{READER}: my shelves");
    if status != StatusCode::OK || !body.contains(&mine) || !body.contains("(you gave 4.5 stars)") {
        let excerpt: String = body.chars().take(400).collect();
        bail!(
            "on {}, the signed-in GET {path} answered {status} without the reader's own state \
             ({mine:?}, their rating), so it would not measure a signed-in page. The body begins:\n{excerpt}",
            backend.name()
        );
    }
    Ok(())
}

const CLUB_PATH: &str = "/clubs/bench-readers";

/// Make the reader the owner of "Bench Readers", reading the benchmark's
/// book now, with 29 more members, an archive and nominations.
async fn club(db: &Db, built: &quire_testkit::Built) -> anyhow::Result<()> {
    let reader = quire_storage::users::by_username(db, READER)
        .await?
        .context("the benchmark's reader")?
        .user_id();
    let club = quire_testkit::club_book(db, reader, "Bench Readers", built.work, "current").await;
    for i in 0..29 {
        let m = quire_testkit::member(db, &format!("Club member {i}")).await;
        quire_storage::clubs::members::join(db, club, m).await?;
        let other = BookBuilder::new(&format!("Club book {i}")).build(db).await;
        if i < 6 {
            quire_testkit::club_book(db, reader, "Bench Readers", other.work, "finished").await;
        } else if i < 12 {
            quire_storage::clubs::selections::nominate(db, club, other.work, m, "A good one.")
                .await?;
        }
    }
    Ok(())
}

async fn check_club(
    addr: SocketAddr,
    headers: &[(String, String)],
    backend: Backend,
) -> anyhow::Result<()> {
    let (status, _, body) = send(addr, "GET", CLUB_PATH, headers, None).await?;
    if status != StatusCode::OK || !body.contains("Bench Readers") || !body.contains(TITLE) {
        let excerpt: String = body.chars().take(400).collect();
        bail!(
            "on {}, GET {CLUB_PATH} answered {status} without the club and its current book. The body begins:\n{excerpt}",
            backend.name()
        );
    }
    Ok(())
}

async fn check_home(
    addr: SocketAddr,
    headers: &[(String, String)],
    backend: Backend,
) -> anyhow::Result<()> {
    let (status, _, body) = send(addr, "GET", "/", headers, None).await?;
    let signed_in = !headers.is_empty();
    let who = if signed_in {
        format!("{READER}: my shelves")
    } else {
        "Sign in</a>".to_owned()
    };
    if status != StatusCode::OK || !body.contains(TITLE) || !body.contains(&who) {
        let excerpt: String = body.chars().take(400).collect();
        bail!(
            "on {}, GET / ({}) answered {status} without {TITLE:?} and {who:?}. The body begins:\n{excerpt}",
            backend.name(),
            if signed_in { "signed in" } else { "signed out" }
        );
    }
    Ok(())
}

async fn measure_row(
    db: &Db,
    pg_database: Option<&str>,
    route: Route,
    addr: SocketAddr,
    path: &str,
    headers: &[(String, String)],
    settings: &Settings,
) -> anyhow::Result<Row> {
    let cfg = LoadConfig {
        addr,
        path: path.to_owned(),
        connections: settings.connections,
        warmup: WARMUP,
        duration: settings.duration,
        headers: headers.to_vec(),
    };
    // Queries are counted over the recorded window only, like the requests:
    // sampled when the warm-up ends and when the measurement does.
    let start = tokio::time::Instant::now();
    let window = async {
        tokio::time::sleep_until(start + WARMUP).await;
        let before = db.queries_run();
        let cpu_before = cpu_seconds(pg_database);
        tokio::time::sleep_until(start + WARMUP + settings.duration).await;
        (
            db.queries_run() - before,
            cpu_seconds(pg_database) - cpu_before,
        )
    };
    let (report, (queries, cpu)) = tokio::join!(load::run(&cfg), window);
    let report = report?;
    let per_request = |x: f64| {
        if report.requests > 0 {
            x / report.requests as f64
        } else {
            0.0
        }
    };
    Ok(Row {
        route,
        queries_per_request: per_request(queries as f64),
        cpu_us_per_request: per_request(cpu * 1e6),
        report,
    })
}

/// CPU time (user and system) used so far by this process and by the
/// PostgreSQL backends serving `pg_database`, in seconds, from `/proc`
/// (0 where there is none). Other processes on the machine are not counted,
/// so this holds steady on a busy machine where requests per second do not.
fn cpu_seconds(pg_database: Option<&str>) -> f64 {
    // Fields 14 and 15 of /proc/PID/stat, after the parenthesised name.
    fn ticks(pid: &str) -> u64 {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return 0;
        };
        let after = stat.rsplit(')').next().unwrap_or_default();
        let f: Vec<&str> = after.split_whitespace().collect();
        let field = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        field(11) + field(12)
    }
    let mut total = ticks("self");
    if let (Some(database), Ok(dir)) = (pg_database, std::fs::read_dir("/proc")) {
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                continue;
            };
            // A backend's title: "postgres: USER DATABASE HOST(PORT) STATE".
            let title = String::from_utf8_lossy(&cmdline);
            let mut words = title.split(|c: char| c.is_whitespace() || c == '\0');
            if words.next() == Some("postgres:") && words.nth(1) == Some(database) {
                total += ticks(pid);
            }
        }
    }
    // Linux reports these in USER_HZ, 100 a second on every architecture.
    total as f64 / 100.0
}

fn print_table(results: &[BackendResult]) {
    if results.is_empty() {
        println!("no backend was measured");
        return;
    }
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    let header = [
        "backend",
        "route",
        "req/s",
        "p50",
        "p99",
        "ratio to trivial",
        "SQL queries/request",
        "CPU µs/request",
        "CPU ratio",
        "errors",
    ];
    let mut lines: Vec<[String; 10]> = Vec::new();
    for result in results {
        let trivial = result.row(Route::Trivial);
        for row in &result.rows {
            let ratio = trivial
                .map(|t| format!("{:.1}%", ratio(&row.report, &t.report) * 100.0))
                .unwrap_or_else(|| "-".to_owned());
            lines.push([
                result.backend.name().to_owned(),
                row.route.label().to_owned(),
                format!("{:.0}", row.report.requests_per_sec),
                ms(row.report.p50),
                ms(row.report.p99),
                ratio,
                format!("{:.2}", row.queries_per_request),
                format!("{:.0}", row.cpu_us_per_request),
                trivial
                    .filter(|_| row.cpu_us_per_request > 0.0)
                    .map(|t| format!("{:.2}", t.cpu_us_per_request / row.cpu_us_per_request))
                    .unwrap_or_else(|| "-".to_owned()),
                row.report.errors.to_string(),
            ]);
        }
    }
    let mut widths = header.map(str::len);
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let render = |cells: [&str; 10]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                out.push_str(" | ");
            }
            // Text left, numbers right.
            if i < 2 {
                let _ = write!(out, "{cell:<w$}");
            } else {
                let _ = write!(out, "{cell:>w$}");
            }
        }
        out
    };
    println!("{}", render(header));
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-|-")
    );
    for line in &lines {
        println!("{}", render(line.each_ref().map(String::as_str)));
    }
    println!();
}
