//! A reader's journey in a real browser: the `quire` binary loads a small
//! demo catalog and serves it, and `tests/browser/journey.mjs` drives
//! headless Chromium on a phone-sized screen through search, the book page,
//! joining, rating (with and without JavaScript) and queueing.
//!
//! Needs Debian's `chromium` and Node.js with npm; `.ci/run` installs
//! Chromium. The first run installs the script's one npm package.
//! A screenshot of the book page is left at
//! `target/screenshots/browser-journey.png`.
//!
//! The other tests here: the book page's stars and shelf menu with and
//! without JavaScript and by keyboard (`book.mjs`); the catalog's journey
//! from adding a book with a cover to a reverted edit and an accepted
//! proposal (`add-edit.mjs`); and the accessibility harness (`pages.mjs`:
//! axe-core on every page of its list, both themes, both widths).
//! Screenshots go to `target/screenshots/`.
//!
//! Also here, without a browser (one test binary per crate):
//! `import_text` runs `quire demo` and `quire import text` on the shared
//! Gutenberg files.

use anyhow::{Context, Result, bail, ensure};
use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod import_text;

const QUIRE: &str = env!("CARGO_BIN_EXE_quire");
const SHARED_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
const SCRIPT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");
const CHROMIUM: &str = "/usr/bin/chromium";

/// The server, stopped when the test ends however it ends.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run a command to its end, giving up after `limit`; its output goes to
/// files beside `scratch` so that a chatty child never blocks on a pipe.
fn run(mut cmd: Command, scratch: &Path, name: &str, limit: Duration) -> Result<Output> {
    let out_path = scratch.join(format!("{name}.stdout"));
    let err_path = scratch.join(format!("{name}.stderr"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(File::create(&out_path)?)
        .stderr(File::create(&err_path)?)
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{name} took longer than {} s and was stopped.\n--- stdout ---\n{}\n--- stderr ---\n{}",
                limit.as_secs(),
                std::fs::read_to_string(&out_path).unwrap_or_default(),
                std::fs::read_to_string(&err_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Ok(Output {
        status,
        stdout: std::fs::read(&out_path)?,
        stderr: std::fs::read(&err_path)?,
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Fail, saying what to install, when the browser or Node.js is missing.
fn check_tools() -> Result<()> {
    ensure!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); .ci/run does this"
    );
    let node = Command::new("node").arg("--version").output();
    ensure!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "`node` is missing: install Node.js 20 and npm (apt-get install -y nodejs npm)"
    );
    let npm = Command::new("npm").arg("--version").output();
    ensure!(
        npm.as_ref().is_ok_and(|o| o.status.success()),
        "`npm` is missing: install npm (apt-get install -y npm)"
    );
    Ok(())
}

/// Install the scripts' packages (playwright-core, axe-core) from the lock
/// file when this checkout lacks them.
fn install_script_packages(scratch: &Path) -> Result<()> {
    let dir = Path::new(SCRIPT_DIR);
    if ["playwright-core", "axe-core"].iter().all(|p| {
        dir.join("node_modules")
            .join(p)
            .join("package.json")
            .exists()
    }) {
        return Ok(());
    }
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"]).current_dir(dir);
    let out = run(cmd, scratch, "npm-ci", Duration::from_secs(300))?;
    ensure!(
        out.status.success(),
        "`npm ci` in {SCRIPT_DIR} failed:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    Ok(())
}

/// A copy of the shared data with only what the journey needs: the
/// goodbooks sample (which has Pride and Prejudice) and its Gutenberg text.
fn small_datasets(root: &Path) -> Result<PathBuf> {
    let shared = Path::new(SHARED_DATA);
    let data = root.join("data");
    let books = data.join("goodbooks-10k");
    let txt = data.join("gutenberg").join("txt");
    std::fs::create_dir_all(&books)?;
    std::fs::create_dir_all(&txt)?;
    for (from, to) in [
        ("goodbooks-10k/samples/books.csv", books.join("books.csv")),
        ("gutenberg/txt/pg1342.txt", txt.join("pg1342.txt")),
    ] {
        std::fs::copy(shared.join(from), &to).with_context(|| {
            format!(
                "copying {from} from the shared data sets ({}); they sit beside the checkout",
                shared.display()
            )
        })?;
    }
    Ok(data)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The body of a 200 answer to GET `path`, or None.
fn get(addr: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

fn serve(database: &str, scratch: &Path) -> Result<(Server, String)> {
    let addr = format!("127.0.0.1:{}", free_port()?);
    let log = scratch.join("server.log");
    let file = File::create(&log)?;
    let child = Command::new(QUIRE)
        .args(["--database", database, "serve", "--addr", &addr])
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .spawn()
        .context("starting `quire serve`")?;
    let mut server = Server { child, log };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if get(&addr, "/healthz").is_some_and(|b| b == "ok") {
            return Ok((server, addr));
        }
        if let Some(status) = server.child.try_wait()? {
            bail!("`quire serve` stopped ({status}):\n{}", server.log());
        }
        if Instant::now() > deadline {
            bail!(
                "`quire serve` did not answer /healthz within 30 s:\n{}",
                server.log()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Where the tests leave their screenshots: `target/screenshots/`.
fn screenshots() -> Result<PathBuf> {
    Ok(Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .context("the target folder")?
        .join("screenshots"))
}

/// The catalog a test starts from.
enum Demo {
    /// No demo: an empty catalog.
    Empty,
    /// `small_datasets`: a few goodbooks titles and Pride and Prejudice.
    Small,
    /// `readers_datasets`: 547 titles with subjects, the first `ratings`
    /// of their ratings, and two readers.
    WithReaders { ratings: usize },
}

/// A running Quire on a fresh SQLite file, in a scratch folder that is
/// removed when the test ends (the server is stopped first).
struct Scene {
    server: Server,
    addr: String,
    scratch: tempfile::TempDir,
}

impl Scene {
    /// Check the tools, install the scripts' packages, load `demo`, create
    /// `users` (name, administrator?) with `password`, and start serving.
    fn start(demo: Demo, users: &[(&str, bool)], password: &str) -> Result<Scene> {
        check_tools()?;
        let tmp = tempfile::tempdir()?;
        let scratch = tmp.path();
        install_script_packages(scratch)?;
        let database = format!("sqlite://{}", scratch.join("q.db").display());
        let data = match demo {
            Demo::Empty => None,
            Demo::Small => Some(small_datasets(scratch)?),
            Demo::WithReaders { ratings } => Some(readers_datasets(scratch, ratings)?),
        };
        if let Some(data) = data {
            let mut cmd = Command::new(QUIRE);
            cmd.args(["--database", &database, "demo", "--datasets"])
                .arg(&data);
            let out = run(cmd, scratch, "demo", Duration::from_secs(180))?;
            ensure!(
                out.status.success(),
                "`quire demo` failed:\n{}",
                text(&out.stderr)
            );
        }
        for (name, admin) in users {
            let mut cmd = Command::new(QUIRE);
            cmd.args(["--database", &database, "admin", "create-user"])
                .args(["--username", name])
                .args(admin.then_some("--admin"))
                .env("QUIRE_PASSWORD", password);
            let out = run(cmd, scratch, "create-user", Duration::from_secs(60))?;
            ensure!(
                out.status.success(),
                "`quire admin create-user --username {name}` failed:\n{}",
                text(&out.stderr)
            );
        }
        let (server, addr) = serve(&database, scratch)?;
        Ok(Scene {
            server,
            addr,
            scratch: tmp,
        })
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Run `node SCRIPT ARGS…` in the scripts' folder with Chromium's path
    /// in `CHROMIUM`; fail with its output and the server's log unless it
    /// succeeds. Returns what it printed.
    fn node(&self, script: &str, args: &[&dyn AsRef<OsStr>], limit: Duration) -> Result<String> {
        let mut cmd = Command::new("node");
        cmd.arg(script)
            .args(args.iter().map(|a| a.as_ref()))
            .env("CHROMIUM", CHROMIUM)
            .current_dir(SCRIPT_DIR);
        let out = run(cmd, self.scratch.path(), script, limit)?;
        let report = format!(
            "--- {script} stdout ---\n{}\n--- {script} stderr ---\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        if !out.status.success() {
            bail!(
                "{script} failed ({}):\n{report}\n--- server log ---\n{}",
                out.status,
                self.server.log()
            );
        }
        Ok(report)
    }
}

#[test]
fn a_reader_finds_rates_and_queues_a_book_on_a_phone() -> Result<()> {
    let started = Instant::now();
    let scene = Scene::start(Demo::Small, &[], "")?;
    let screenshot = screenshots()?.join("browser-journey.png");
    let report = scene.node(
        "journey.mjs",
        &[&scene.base_url(), &screenshot],
        Duration::from_secs(180),
    )?;
    println!(
        "{report}\nbrowser journey passed in {:.1} s; screenshot: {}",
        started.elapsed().as_secs_f64(),
        screenshot.display()
    );
    Ok(())
}

/// A small demo with readers: 547 goodbooks titles with their subjects and
/// the first `ratings` of their ratings (so books have averages and the
/// home page has best-rated books),
/// Pride and Prejudice with its Gutenberg text and EPUB cover, and the two
/// Goodreads exports as readers (`reader2024` has about a hundred books).
/// Loads in a few seconds, where the whole demo takes over a minute.
fn readers_datasets(root: &Path, ratings: usize) -> Result<PathBuf> {
    let shared = Path::new(SHARED_DATA);
    let data = root.join("data");
    for dir in [
        "goodbooks-10k/subset-547",
        "gutenberg/txt",
        "gutenberg/epub",
        "reading-exports/goodreads",
    ] {
        std::fs::create_dir_all(data.join(dir))?;
    }
    for (from, to) in [
        (
            "goodbooks-10k/subset-547/books.csv",
            "goodbooks-10k/books.csv",
        ),
        ("goodbooks-10k/tags.csv", "goodbooks-10k/tags.csv"),
        (
            "goodbooks-10k/subset-547/book_tags.csv",
            "goodbooks-10k/subset-547/book_tags.csv",
        ),
        ("gutenberg/txt/pg1342.txt", "gutenberg/txt/pg1342.txt"),
        (
            "gutenberg/epub/pg1342-images.epub",
            "gutenberg/epub/pg1342-images.epub",
        ),
        (
            "reading-exports/goodreads/goodreads_export_2020_31col_MIT.csv",
            "reading-exports/goodreads/goodreads_export_2020_31col_MIT.csv",
        ),
        (
            "reading-exports/goodreads/goodreads_export_2024_24col_CC0.csv",
            "reading-exports/goodreads/goodreads_export_2024_24col_CC0.csv",
        ),
    ] {
        std::fs::copy(shared.join(from), data.join(to)).with_context(|| {
            format!(
                "copying {from} from the shared data sets ({}); they sit beside the checkout",
                shared.display()
            )
        })?;
    }
    let all = std::fs::read_to_string(shared.join("goodbooks-10k/subset-547/ratings.csv"))
        .context("reading the goodbooks ratings")?;
    // The header and the first `ratings` rows.
    let first: Vec<&str> = all.lines().take(ratings + 1).collect();
    std::fs::write(
        data.join("goodbooks-10k/subset-547/ratings.csv"),
        first.join("\n") + "\n",
    )?;
    Ok(data)
}

/// The accessibility harness (`tests/browser/pages.mjs`): every page in its
/// list at 390 and 1366 px, light and dark, checked by axe-core at WCAG 2.2
/// AA, signed out and (where the list says) signed in as a member; a
/// keyboard walk of the home and book pages checks the skip link and that
/// every focused element shows a ring. Prints the violations per page and
/// theme and fails on any. Screenshots: `target/screenshots/<page>-<width>[-dark].png`.
#[test]
fn every_page_passes_axe_at_wcag_2_2_aa_in_both_themes_and_widths() -> Result<()> {
    let started = Instant::now();
    // A member, and an administrator (who may do all a librarian may).
    let (member, librarian, password) = ("pat", "libby", "a long enough password");
    let scene = Scene::start(
        Demo::WithReaders { ratings: 3_000 },
        &[(member, false), (librarian, true)],
        password,
    )?;
    let shots = screenshots()?;
    let report = scene.node(
        "pages.mjs",
        &[&scene.base_url(), &member, &librarian, &password, &shots],
        Duration::from_secs(600),
    )?;
    println!(
        "{report}\naccessibility harness passed in {:.1} s; screenshots: {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
    Ok(())
}

/// The book page (`tests/browser/book.mjs`): rating and shelving with
/// JavaScript off (saved after a reload) and on (in place, with the `#flash`
/// confirmation), and issue 6's keyboard-only journey: from the home page,
/// find a book with the search box, rate it 3.5 with the arrow keys, put it
/// on "currently reading" at page 50 and open the profile, with a visible
/// focus ring at every stop. Screenshots signed out and in, at 390 and 1366
/// px, are left in `target/screenshots/` (`book-journey-*.png`).
#[test]
fn the_book_page_rates_and_shelves_with_and_without_javascript_and_by_keyboard() -> Result<()> {
    let scene = Scene::start(Demo::Small, &[], "")?;
    let shots = screenshots()?;
    let report = scene.node(
        "book.mjs",
        &[&scene.base_url(), &shots],
        Duration::from_secs(240),
    )?;
    println!("{report}\nscreenshots: {}", shots.display());
    Ok(())
}

/// The catalog's whole journey: a member adds a new book with a cover
/// taken from a Project Gutenberg EPUB (after a wrong file is refused
/// beside the cover field), the page shows the stored cover; a librarian
/// edits that book, the history shows the change, the librarian reverts it,
/// and accepts the member's proposal (`tests/browser/add-edit.mjs`).
/// Screenshots of the add form with its error and of the new book, at 390
/// and 1366 px, are left in `target/screenshots/`.
#[test]
fn a_member_adds_a_book_with_a_cover_that_a_librarian_edits_reverts_and_accepts() -> Result<()> {
    let password = "a long librarian password";
    let scene = Scene::start(Demo::Empty, &[("libby", true)], password)?;

    // A real cover, out of a real EPUB, at test time; and a web page
    // pretending to be a JPEG.
    let epub = Path::new(SHARED_DATA).join("gutenberg/epub/pg84-images-3.epub");
    let cover = quire_import::epub::cover_image(&epub)
        .with_context(|| format!("reading {}", epub.display()))?
        .context("the Frankenstein EPUB declares no cover")?;
    let cover_path = scene.scratch.path().join("frankenstein-cover.jpg");
    std::fs::write(&cover_path, &cover)?;
    let bad_path = scene.scratch.path().join("not-a-cover.jpg");
    std::fs::write(
        &bad_path,
        "<!doctype html><title>x</title><p>Not a picture.",
    )?;

    let shots = screenshots()?;
    let report = scene.node(
        "add-edit.mjs",
        &[
            &scene.base_url(),
            &"libby",
            &password,
            &shots,
            &cover_path,
            &bad_path,
        ],
        Duration::from_secs(240),
    )?;
    println!("{report}\nscreenshots: {}", shots.display());
    Ok(())
}

/// Browsing (`tests/browser/browse.mjs`): the home page, search, a book's
/// author, series and subject pages, joining with mistakes and signing in,
/// a member's progress through a series. Screenshots at 390 and 1366 px
/// are left in `target/screenshots/` (home, search, author, series,
/// subject, join, signin).
#[test]
fn a_visitor_browses_authors_series_and_subjects_and_joins() -> Result<()> {
    let scene = Scene::start(Demo::WithReaders { ratings: 30_000 }, &[], "")?;
    let shots = screenshots()?;
    let report = scene.node(
        "browse.mjs",
        &[&scene.base_url(), &shots],
        Duration::from_secs(240),
    )?;
    println!("{report}\nscreenshots: {}", shots.display());
    Ok(())
}

/// A demo Goodreads reader (326 books) in the browser: the profile, a
/// shelf as covers and as a list, the reading stats, a year in books and
/// the ratings and reviews, checked and photographed at 390 and 1366 px
/// (`tests/browser/profile.mjs`; `target/screenshots/{profile,shelf,
/// shelf-list,stats,year,reviews}-{390,1366}.png`).
#[test]
fn a_goodreads_readers_profile_stats_and_year_in_books() -> Result<()> {
    // The 2020 export's reader, `drrodriguez`, and their busiest year.
    let scene = Scene::start(Demo::WithReaders { ratings: 3_000 }, &[], "")?;
    let shots = screenshots()?;
    let report = scene.node(
        "profile.mjs",
        &[&scene.base_url(), &"drrodriguez", &"2011", &shots],
        Duration::from_secs(180),
    )?;
    println!("{report}\nscreenshots: {}", shots.display());
    Ok(())
}
