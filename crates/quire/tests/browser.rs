//! A reader's journey in a real browser: the `quire` binary loads a small
//! demo catalog and serves it, and `tests/browser/journey.mjs` drives
//! headless Chromium on a phone-sized screen through search, the book page,
//! joining, rating (with and without JavaScript) and queueing.
//!
//! Needs Debian's `chromium` and Node.js with npm; `.ci/run` installs
//! Chromium. The first run installs the script's one npm package.
//! A screenshot of the book page is left at `target/browser-journey.png`.

use anyhow::{Context, Result, bail, ensure};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// Install playwright-core from the lock file when this checkout lacks it.
fn install_script_packages(scratch: &Path) -> Result<()> {
    let dir = Path::new(SCRIPT_DIR);
    if dir
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
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

#[test]
fn a_reader_finds_rates_and_queues_a_book_on_a_phone() -> Result<()> {
    let started = Instant::now();
    check_tools()?;
    let tmp = tempfile::tempdir()?;
    let scratch = tmp.path();
    install_script_packages(scratch)?;

    let database = format!("sqlite://{}", scratch.join("q.db").display());
    let data = small_datasets(scratch)?;
    let mut demo = Command::new(QUIRE);
    demo.arg("--database")
        .arg(&database)
        .arg("demo")
        .arg("--datasets")
        .arg(&data);
    let out = run(demo, scratch, "demo", Duration::from_secs(120))?;
    ensure!(
        out.status.success(),
        "`quire demo` failed:\n{}",
        text(&out.stderr)
    );

    let (server, addr) = serve(&database, scratch)?;
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .context("the target folder")?;
    let screenshot = target.join("browser-journey.png");
    let mut journey = Command::new("node");
    journey
        .arg("journey.mjs")
        .arg(format!("http://{addr}"))
        .arg(&screenshot)
        .env("CHROMIUM", CHROMIUM)
        .current_dir(SCRIPT_DIR);
    let out = run(journey, scratch, "journey", Duration::from_secs(180))?;
    let report = format!(
        "--- journey.mjs stdout ---\n{}\n--- journey.mjs stderr ---\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    if !out.status.success() {
        bail!(
            "the browser journey failed ({}):\n{report}\n--- server log ---\n{}",
            out.status,
            server.log()
        );
    }
    println!("{report}");
    println!(
        "browser journey passed in {:.1} s; screenshot: {}",
        started.elapsed().as_secs_f64(),
        screenshot.display()
    );
    Ok(())
}

/// Keeping the catalog: a librarian edits a book, sees the change in its
/// history and reverts it; a member proposes an edit the librarian accepts
/// (`tests/browser/edit.mjs`). Screenshots at 390 and 1366 px are left in
/// `target/screenshots/`.
#[test]
fn a_librarian_edits_and_reverts_and_accepts_a_members_proposal() -> Result<()> {
    check_tools()?;
    let tmp = tempfile::tempdir()?;
    let scratch = tmp.path();
    install_script_packages(scratch)?;

    let database = format!("sqlite://{}", scratch.join("q.db").display());
    let data = small_datasets(scratch)?;
    let mut demo = Command::new(QUIRE);
    demo.arg("--database")
        .arg(&database)
        .arg("demo")
        .arg("--datasets")
        .arg(&data);
    let out = run(demo, scratch, "demo", Duration::from_secs(120))?;
    ensure!(
        out.status.success(),
        "`quire demo` failed:\n{}",
        text(&out.stderr)
    );
    // An administrator may do everything a librarian may.
    let password = "a long librarian password";
    let mut create = Command::new(QUIRE);
    create
        .args([
            "--database",
            &database,
            "admin",
            "create-user",
            "--username",
            "libby",
            "--admin",
        ])
        .env("QUIRE_PASSWORD", password);
    let out = run(create, scratch, "create-user", Duration::from_secs(60))?;
    ensure!(
        out.status.success(),
        "`quire admin create-user` failed:\n{}",
        text(&out.stderr)
    );

    let (server, addr) = serve(&database, scratch)?;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .context("the target folder")?
        .join("screenshots");
    let mut script = Command::new("node");
    script
        .arg("edit.mjs")
        .arg(format!("http://{addr}"))
        .arg("libby")
        .arg(password)
        .arg(&shots)
        .env("CHROMIUM", CHROMIUM)
        .current_dir(SCRIPT_DIR);
    let out = run(script, scratch, "edit", Duration::from_secs(180))?;
    let report = format!(
        "--- edit.mjs stdout ---\n{}\n--- edit.mjs stderr ---\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    if !out.status.success() {
        bail!(
            "the editing journey failed ({}):\n{report}\n--- server log ---\n{}",
            out.status,
            server.log()
        );
    }
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
    check_tools()?;
    let tmp = tempfile::tempdir()?;
    let scratch = tmp.path();
    install_script_packages(scratch)?;

    let database = format!("sqlite://{}", scratch.join("q.db").display());
    let data = small_datasets(scratch)?;
    let exports = data.join("reading-exports").join("goodreads");
    std::fs::create_dir_all(&exports)?;
    let export = "goodreads_export_2020_31col_MIT.csv";
    std::fs::copy(
        Path::new(SHARED_DATA)
            .join("reading-exports/goodreads")
            .join(export),
        exports.join(export),
    )
    .context("copying the 2020 Goodreads export from the shared data sets")?;
    let mut demo = Command::new(QUIRE);
    demo.arg("--database")
        .arg(&database)
        .arg("demo")
        .arg("--datasets")
        .arg(&data);
    let out = run(demo, scratch, "demo", Duration::from_secs(180))?;
    ensure!(
        out.status.success(),
        "`quire demo` failed:\n{}",
        text(&out.stderr)
    );

    let (server, addr) = serve(&database, scratch)?;
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .context("the target folder")?
        .join("screenshots");
    let mut script = Command::new("node");
    script
        .arg("profile.mjs")
        .arg(format!("http://{addr}"))
        .arg("drrodriguez")
        .arg("2011")
        .arg(&shots)
        .env("CHROMIUM", CHROMIUM)
        .current_dir(SCRIPT_DIR);
    let out = run(script, scratch, "profile", Duration::from_secs(180))?;
    let report = format!(
        "--- profile.mjs stdout ---\n{}\n--- profile.mjs stderr ---\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    if !out.status.success() {
        bail!(
            "the profile pages failed ({}):\n{report}\n--- server log ---\n{}",
            out.status,
            server.log()
        );
    }
    println!("{report}\nscreenshots: {}", shots.display());
    Ok(())
}
