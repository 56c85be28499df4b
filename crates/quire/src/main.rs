//! `quire`: the one binary. Serves the site, migrates the database, loads
//! the demo data and manages accounts.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use quire_domain::{SiteRole, WorkId};
use quire_storage::{Db, DbOptions, catalog};
use std::io::BufRead;
use std::path::PathBuf;

mod scale;

const DEFAULT_DATABASE: &str = "sqlite://quire-data/quire.db";

#[derive(Parser)]
#[command(
    name = "quire",
    version,
    about = "A self-hosted home for book clubs and their readers"
)]
struct Cli {
    /// sqlite://PATH (created when missing) or postgres://USER@HOST/DB
    #[arg(long, global = true, env = "QUIRE_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,
    /// The search index's folder (default: beside a SQLite file,
    /// `quire.db.search`; in memory for PostgreSQL, rebuilt at every start).
    #[arg(long, global = true, env = "QUIRE_SEARCH_DIR")]
    search_dir: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    fn search_dir(&self) -> Option<std::path::PathBuf> {
        self.search_dir
            .clone()
            .or_else(|| quire_web::search::default_dir(&self.database))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        #[arg(long, env = "QUIRE_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load the demo data on first start (when the catalog is empty).
        #[arg(long)]
        demo: bool,
        /// Where the demo data sets are (default: ../shared/data when it exists).
        #[arg(long)]
        datasets: Option<PathBuf>,
        /// Mark cookies Secure: set this when Quire is served over HTTPS.
        #[arg(long, env = "QUIRE_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Build every book page from the database, without the in-memory cache.
        #[arg(long)]
        no_page_cache: bool,
        /// Run no background jobs in this process (run `quire worker` elsewhere).
        #[arg(long)]
        no_worker: bool,
        /// Background jobs run at once in this process.
        #[arg(long, default_value_t = 2)]
        workers: usize,
        /// Behind a reverse proxy: the header it sets to name the client
        /// (e.g. X-Forwarded-For; its last address is taken). Without this
        /// flag such headers are ignored, since any client can send them.
        #[arg(long, env = "QUIRE_TRUSTED_PROXY_HEADER", value_name = "HEADER")]
        trusted_proxy_header: Option<String>,
    },
    /// Run background jobs only, without the web server (e.g. on a second
    /// machine sharing the PostgreSQL database). Stops on Ctrl-C or SIGTERM.
    Worker {
        /// Jobs run at once.
        #[arg(long, default_value_t = 2)]
        workers: usize,
    },
    /// List queued and failed background jobs.
    Jobs,
    /// Bring the database schema up to date.
    Migrate,
    /// Build the search index again from the database (a running server
    /// keeps it current by itself; use this after restoring a backup, or
    /// when the index was deleted or damaged). Stop the server first: the
    /// index has one writer.
    Reindex,
    /// Load the demo data (idempotent: loading twice adds nothing).
    Demo {
        #[arg(long)]
        datasets: Option<PathBuf>,
    },
    /// Bring outside data in.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Give a reader's library back as a Goodreads or StoryGraph CSV.
    Export {
        /// goodreads or storygraph
        #[arg(value_parser = ["goodreads", "storygraph"])]
        format: String,
        /// Whose library.
        #[arg(long)]
        user: String,
        /// The file to write (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Benchmark helpers.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Attach a book's full text to a work: an EPUB (2 or 3) or a Project
    /// Gutenberg plain-text file, told apart by content. It replaces the
    /// work's text; the same file again changes nothing.
    Text {
        /// The EPUB or .txt file.
        file: PathBuf,
        /// The work's id (as in its address, /books/ID).
        #[arg(long, value_name = "ID")]
        book: String,
    },
    /// Import a goodbooks-10k-shaped folder (books.csv, tags.csv,
    /// book_tags.csv, ratings.csv, to_read.csv) into the catalog: books
    /// matched to works, readers as accounts that cannot sign in, their
    /// ratings and to-read lists. Running it twice adds nothing.
    Goodbooks {
        /// The folder.
        dir: PathBuf,
        /// Also put each rated book that is on none of its reader's
        /// shelves on "read" (as the demo does); slower.
        #[arg(long)]
        shelve_read: bool,
    },
    /// Import Open Library dump files (authors, works, editions; .txt or
    /// .gz, any size): works keep their Open Library key, editions join
    /// their work (or one matched by ISBN, then title and author), authors
    /// are credited. Running it twice adds nothing.
    Openlibrary {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// A reader's library exported from Goodreads (CSV).
    Goodreads(LibraryArgs),
    /// A reader's library exported from The StoryGraph (CSV).
    Storygraph(LibraryArgs),
    /// A reader's library exported from BookWyrm (CSV).
    Bookwyrm(LibraryArgs),
    /// A reader's library exported from LibraryThing (tab-separated).
    Librarything(LibraryArgs),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Write a goodbooks-shaped data set of any size (books.csv,
    /// ratings.csv, to_read.csv, book_tags.csv, tags.csv), drawn from the
    /// real goodbooks-10k files; the same seed gives the same files.
    Gen {
        #[arg(long, default_value_t = 10_000)]
        books: u64,
        #[arg(long, default_value_t = 6_000_000)]
        ratings: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The folder to write (created when missing).
        #[arg(long)]
        out: PathBuf,
        /// The real goodbooks-10k folder (default: ../shared/data/goodbooks-10k).
        #[arg(long)]
        from: Option<PathBuf>,
    },
}

/// The arguments of every library import.
#[derive(clap::Args)]
struct LibraryArgs {
    /// The export file.
    file: PathBuf,
    /// The reader whose library it is (their username).
    #[arg(long)]
    user: String,
    /// Say what would happen to each row; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write nothing unless every row is good (default: write the good
    /// rows and report the others).
    #[arg(long)]
    all_or_nothing: bool,
    /// Write the report of every row to this CSV file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account. The password is read from QUIRE_PASSWORD, or from
    /// the first line of standard input.
    CreateUser {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "")]
        display_name: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Give an account a site role: member, librarian or admin.
    Grant { username: String, role: String },
    /// Verify an account as a contributor (an author) or a publisher, so
    /// its material on its own books is marked as theirs; --revoke removes
    /// the link.
    Verify {
        username: String,
        /// The contributor's name exactly as Quire has it.
        #[arg(
            long,
            conflicts_with = "publisher",
            required_unless_present = "publisher"
        )]
        contributor: Option<String>,
        /// The publisher's name (matched to editions without regard to case).
        #[arg(long)]
        publisher: Option<String>,
        #[arg(long)]
        revoke: bool,
    },
}

/// `quire admin grant` and `quire admin verify`.
async fn admin_roles(db: &Db, command: AdminCommand) -> Result<()> {
    use quire_storage::{roles, users};
    match command {
        AdminCommand::Grant { username, role } => {
            let role = SiteRole::parse(role.trim()).with_context(|| {
                format!("\"{role}\" is not a role; use member, librarian or admin")
            })?;
            let user = users::by_username(db, &username)
                .await?
                .with_context(|| format!("there is no account named \"{username}\""))?;
            roles::set_role(db, user.user_id(), role).await?;
            let what = match role {
                SiteRole::Member => "a member",
                SiteRole::Librarian => "a librarian",
                SiteRole::Admin => "an administrator",
            };
            eprintln!("{} is now {what}.", user.username);
        }
        AdminCommand::Verify {
            username,
            contributor,
            publisher,
            revoke,
        } => {
            let user = users::by_username(db, &username)
                .await?
                .with_context(|| format!("there is no account named \"{username}\""))?;
            let who = user.username.clone();
            match (contributor, publisher) {
                (Some(name), _) => {
                    let (id, known) = roles::contributor_by_name(db, &name)
                        .await?
                        .with_context(|| {
                            format!("Quire has no contributor named \"{name}\"; check the spelling on the book's page")
                        })?;
                    if revoke {
                        if !roles::revoke_contributor(db, user.user_id(), id).await? {
                            bail!("{who} is not verified as {known}");
                        }
                        eprintln!("{who} is no longer verified as {known}.");
                    } else {
                        roles::grant_contributor(db, user.user_id(), id, None).await?;
                        eprintln!("{who} is now verified as {known}.");
                    }
                }
                (None, Some(name)) => {
                    if revoke {
                        if !roles::revoke_publisher(db, user.user_id(), &name).await? {
                            bail!("{who} is not verified as the publisher {name}");
                        }
                        eprintln!("{who} is no longer verified as the publisher {name}.");
                    } else {
                        roles::grant_publisher(db, user.user_id(), &name, None).await?;
                        eprintln!("{who} is now verified as the publisher {name}.");
                    }
                }
                (None, None) => bail!("say --contributor NAME or --publisher NAME"),
            }
        }
        AdminCommand::CreateUser { .. } => {}
    }
    Ok(())
}

fn default_datasets() -> Option<PathBuf> {
    let candidate = PathBuf::from("../shared/data");
    candidate.is_dir().then_some(candidate)
}

async fn open(url: &str) -> Result<Db> {
    let db = Db::connect(url, &DbOptions::default())
        .await
        .with_context(|| format!("opening the database {url}"))?;
    db.migrate().await.context("migrating the database")?;
    Ok(db)
}

async fn load_demo(db: &Db, datasets: Option<PathBuf>) -> Result<()> {
    let Some(dir) = datasets.or_else(default_datasets) else {
        bail!(
            "no demo data sets found: pass --datasets DIR (the folder with goodbooks-10k, gutenberg and reading-exports)"
        );
    };
    let report = quire_import::demo::load(db, &dir)
        .await
        .with_context(|| format!("loading the demo data from {}", dir.display()))?;
    eprintln!("{report}");
    // The novels' texts: analysed now, so their insight pages are ready.
    for (work, title) in quire_storage::insights::works_with_text(db).await? {
        analyse(db, work, &title).await?;
    }
    Ok(())
}

/// `quire import text`: read, attach, and say what was found and how long
/// it took. Nothing is saved on an error, which names the file.
async fn reader(db: &Db, username: &str) -> Result<quire_domain::UserId> {
    match quire_storage::users::by_username(db, username).await? {
        Some(u) => Ok(u.user_id()),
        None => bail!(
            "there is no reader called \"{username}\"; create the account first (quire admin create-user --username {username})"
        ),
    }
}

/// `quire import goodreads|storygraph|bookwyrm|librarything`: true when
/// every row was good (or written, with good rows kept).
async fn import_library(
    db: &Db,
    format: quire_import::library::Format,
    args: LibraryArgs,
) -> Result<bool> {
    use quire_import::library::{self, Keep, Planned};
    let user = reader(db, &args.user).await?;
    let file = args.file.clone();
    let parsed = tokio::task::spawn_blocking(move || library::read_file(&file, format))
        .await
        .context("reading the file")??;
    if args.dry_run {
        let plan = library::preview(db, user, &parsed).await?;
        let mut counts = [0usize; 5];
        for row in &plan {
            let (i, what) = match &row.planned {
                Planned::New => (0, "new book".to_string()),
                Planned::Matches { title, author, .. } => (
                    1,
                    match author {
                        Some(a) => format!("matches \"{title}\" by {a}"),
                        None => format!("matches \"{title}\""),
                    },
                ),
                Planned::Update { .. } => (2, "imported before; will be updated".into()),
                Planned::Unchanged { .. } => (3, "imported before; unchanged".into()),
                Planned::Skipped { field, reason } => {
                    (4, format!("skipped: field \"{field}\": {reason}"))
                }
            };
            counts[i] += 1;
            println!("line {}: \"{}\" — {what}", row.line, row.title);
        }
        println!(
            "{} rows (dry run, nothing written): {} new books, {} matched, {} to update, {} unchanged, {} skipped",
            plan.len(),
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            counts[4]
        );
        return Ok(counts[4] == 0);
    }
    let keep = if args.all_or_nothing {
        Keep::AllOrNothing
    } else {
        Keep::GoodRows
    };
    let bar = indicatif::ProgressBar::new(parsed.entries.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(format!("Importing {}", parsed.file));
    let report =
        library::apply(db, user, &parsed, keep, |p| bar.set_position(p.done as u64)).await?;
    bar.finish_and_clear();
    println!("{}: {}", parsed.file, report.summary());
    for w in &report.warnings {
        println!("  note: {w}");
    }
    for row in &report.rows {
        if let library::Outcome::Skipped { field, reason } = &row.outcome {
            if field.is_empty() {
                println!("  skipped line {}: {reason}", row.line);
            } else {
                println!("  skipped line {}, field \"{field}\": {reason}", row.line);
            }
        }
    }
    if let Some(path) = &args.report {
        let f = std::fs::File::create(path)
            .with_context(|| format!("creating the report {}", path.display()))?;
        report
            .write_csv(std::io::BufWriter::new(f))
            .with_context(|| format!("writing the report {}", path.display()))?;
        println!("The report of every row is in {}.", path.display());
    }
    Ok(report.written && report.count("skipped") == 0)
}

/// `quire export goodreads|storygraph`.
async fn export_library(
    db: &Db,
    format: &str,
    username: &str,
    output: Option<PathBuf>,
) -> Result<()> {
    use quire_import::library;
    let user = reader(db, username).await?;
    let entries = library::export(db, user).await?;
    let out: Box<dyn std::io::Write> = match &output {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    match format {
        "storygraph" => library::write_storygraph(&entries, out)?,
        _ => library::write_goodreads(&entries, out)?,
    }
    if let Some(p) = output {
        eprintln!("{} books written to {}.", entries.len(), p.display());
    }
    Ok(())
}

async fn import_text(db: &Db, file: &std::path::Path, book: &str) -> Result<()> {
    let Some(work) = WorkId::parse(book.trim()) else {
        bail!("\"{book}\" is not a book id; copy the id from the book's address (/books/ID)");
    };
    let Some(summary) = catalog::work_summary(db, work).await? else {
        bail!("no book has the id {work}; copy the id from the book's address (/books/ID)");
    };
    let title = summary.title;
    let started = std::time::Instant::now();
    let done = quire_import::text_file::attach(db, work, file, None).await?;
    let v = &done.version;
    println!(
        "{} ({}, {} bytes) for \u{201c}{title}\u{201d}: {} sections, {} paragraphs, {} characters.",
        done.source.file_name,
        done.source.format,
        done.source.byte_size,
        v.sections,
        v.paragraphs,
        v.chars
    );
    let mut at = 0u64;
    let len = v.chars.max(1);
    for (i, s) in done.text.sections.iter().enumerate() {
        let title = s
            .title
            .as_deref()
            .map(|t| format!(" \u{2014} {t}"))
            .unwrap_or_default();
        let part = s
            .part
            .as_deref()
            .map(|p| format!("{p}, "))
            .unwrap_or_default();
        println!(
            "  {:>4}. {part}{}{title}  ({}%)",
            i + 1,
            s.label,
            at * 100 / len
        );
        at += s
            .paragraphs
            .iter()
            .map(quire_text::Paragraph::chars)
            .sum::<u64>();
    }
    analyse(db, work, &title).await?;
    if v.changed {
        println!(
            "Attached as version {} in {:.2} s (read {:.2} s, saved {:.2} s).",
            v.version,
            started.elapsed().as_secs_f64(),
            done.read.as_secs_f64(),
            done.saved.as_secs_f64()
        );
    } else {
        println!(
            "This file is already the book's text (version {}); nothing changed ({:.2} s).",
            v.version,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Analyse a work's text now (unless done), with a bar on the terminal:
/// what the insight page's job does, so the page is ready at once.
async fn analyse(db: &Db, work: WorkId, title: &str) -> Result<quire_jobs::Analysed> {
    let bar = indicatif::ProgressBar::new(100).with_style(
        indicatif::ProgressStyle::with_template("{msg:40!} [{bar:30}] {pos:>3}%")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(format!("Reading {title}"));
    let shown = bar.clone();
    let started = std::time::Instant::now();
    let done = quire_jobs::analyse_text(db, work, move |p| {
        shown.set_position((p * 100.0).round() as u64);
    })
    .await
    .with_context(|| format!("analysing the text of \u{201c}{title}\u{201d}"))?;
    bar.finish_and_clear();
    match done {
        quire_jobs::Analysed::Done => eprintln!(
            "Analysed \u{201c}{title}\u{201d} in {:.1} s: its insights are at /books/{work}/insights.",
            started.elapsed().as_secs_f64()
        ),
        quire_jobs::Analysed::AlreadyDone => {
            eprintln!("\u{201c}{title}\u{201d} was already analysed: /books/{work}/insights.")
        }
        quire_jobs::Analysed::NoText => {}
    }
    Ok(done)
}

/// The queue as the host reads it: failed jobs first, with their errors.
fn jobs_table(rows: &[quire_storage::jobs::JobRow]) -> String {
    use std::fmt::Write;
    if rows.is_empty() {
        return "No jobs are queued and none has failed.\n".to_string();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<36}  {:<18}  {:<8}  {:>8}  {:<20}  WORKER / LAST ERROR",
        "ID", "KIND", "STATE", "ATTEMPTS", "RUN AT (UTC)"
    );
    for j in rows {
        let state = match (&j.locked_by, j.state.as_str()) {
            (Some(_), "pending") => "running",
            (_, s) => s,
        };
        let run_at = j
            .run_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let note = match (&j.locked_by, &j.last_error) {
            (Some(w), _) if state == "running" => w.clone(),
            (_, Some(e)) => e.clone(),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{:<36}  {:<18}  {:<8}  {:>4}/{:<3}  {:<20}  {}",
            j.id, j.kind, state, j.attempts, j.max_attempts, run_at, note
        );
    }
    out
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "quire=info,quire_web=info,quire_jobs=info,warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let search_dir = cli.search_dir();
    match cli.command {
        Command::Migrate => {
            open(&cli.database).await?;
            eprintln!("The database {} is up to date.", cli.database);
        }
        Command::Reindex => {
            let db = open(&cli.database).await?;
            let Some(dir) = search_dir else {
                bail!(
                    "the search index of {} lives in memory and is rebuilt at every start; give --search-dir DIR (or QUIRE_SEARCH_DIR) to keep one on disk",
                    cli.database
                );
            };
            // Start from nothing: an index of an older layout is not opened.
            if dir.join("meta.json").exists() {
                std::fs::remove_dir_all(&dir)
                    .with_context(|| format!("removing the old index in {}", dir.display()))?;
            }
            let search = quire_web::search::Search::open(Some(&dir));
            let r = quire_web::search::rebuild(&db, &search)
                .await
                .with_context(|| format!("rebuilding the search index in {}", dir.display()))?;
            eprintln!(
                "The search index in {} holds {} books, {} authors, {} public clubs and {} members (built in {:.1} s).",
                dir.display(),
                r.books,
                r.authors,
                r.clubs,
                r.members,
                r.took.as_secs_f64()
            );
        }
        Command::Import {
            command: ImportCommand::Text { file, book },
        } => {
            let db = open(&cli.database).await?;
            import_text(&db, &file, &book).await?;
        }
        Command::Import {
            command: ImportCommand::Goodbooks { dir, shelve_read },
        } => {
            let db = open(&cli.database).await?;
            scale::import_goodbooks(&db, &dir, shelve_read).await?;
        }
        Command::Import {
            command: ImportCommand::Openlibrary { files },
        } => {
            let db = open(&cli.database).await?;
            scale::import_openlibrary(&db, &files).await?;
        }
        Command::Bench {
            command:
                BenchCommand::Gen {
                    books,
                    ratings,
                    seed,
                    out,
                    from,
                },
        } => scale::bench_gen(from, books, ratings, seed, &out)?,
        Command::Import { command } => {
            use quire_import::library::Format;
            let (format, args) = match command {
                ImportCommand::Goodreads(a) => (Format::Goodreads, a),
                ImportCommand::Storygraph(a) => (Format::StoryGraph, a),
                ImportCommand::Bookwyrm(a) => (Format::BookWyrm, a),
                ImportCommand::Librarything(a) => (Format::LibraryThing, a),
                ImportCommand::Text { .. }
                | ImportCommand::Goodbooks { .. }
                | ImportCommand::Openlibrary { .. } => unreachable!("matched above"),
            };
            let db = open(&cli.database).await?;
            if !import_library(&db, format, args).await? {
                std::process::exit(2);
            }
        }
        Command::Export {
            format,
            user,
            output,
        } => {
            let db = open(&cli.database).await?;
            export_library(&db, &format, &user, output).await?;
        }
        Command::Demo { datasets } => {
            let db = open(&cli.database).await?;
            load_demo(&db, datasets).await?;
        }
        Command::Serve {
            addr,
            demo,
            datasets,
            secure_cookies,
            no_page_cache,
            no_worker,
            workers,
            trusted_proxy_header,
        } => {
            if let Some(h) = &trusted_proxy_header
                && (h.is_empty()
                    || !h
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            {
                bail!(
                    "--trusted-proxy-header \"{h}\" is not a header name; give one such as X-Forwarded-For"
                );
            }
            let db = open(&cli.database).await?;
            if demo && catalog::count_works(&db).await? == 0 {
                eprintln!("First start with --demo: loading the demo data…");
                load_demo(&db, datasets).await?;
            }
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .with_context(|| format!("listening on {addr}"))?;
            let local = listener.local_addr()?;
            eprintln!("Quire is serving http://{local}/ from {}", cli.database);
            let config = quire_web::Config {
                secure_cookies,
                page_cache: !no_page_cache,
                trusted_proxy_header,
                search_dir,
                ..Default::default()
            };
            let worker = (!no_worker).then(|| {
                quire_jobs::runner(db.clone())
                    .register::<quire_import::upload_job::ImportUpload>()
                    .workers(workers)
                    .start()
            });
            let served = quire_web::serve(listener, quire_web::AppState::new(db, config)).await;
            if let Some(worker) = worker {
                worker.shutdown().await;
            }
            served?;
        }
        Command::Worker { workers } => {
            let db = open(&cli.database).await?;
            let worker = quire_jobs::runner(db)
                .register::<quire_import::upload_job::ImportUpload>()
                .workers(workers)
                .start();
            eprintln!(
                "Quire is running background jobs from {}; Ctrl-C stops it.",
                cli.database
            );
            quire_web::shutdown_signal().await;
            eprintln!("Stopping: letting running jobs finish…");
            worker.shutdown().await;
        }
        Command::Jobs => {
            let db = open(&cli.database).await?;
            print!("{}", jobs_table(&quire_storage::jobs::list(&db).await?));
        }
        Command::Admin {
            command: command @ (AdminCommand::Grant { .. } | AdminCommand::Verify { .. }),
        } => {
            let db = open(&cli.database).await?;
            admin_roles(&db, command).await?;
        }
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    username,
                    display_name,
                    admin,
                },
        } => {
            let db = open(&cli.database).await?;
            let password = match std::env::var("QUIRE_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("Password for {username} (then Enter):");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            // One hash at a time, waiting as long as it takes.
            let passwords = quire_web::Passwords::new(1, std::time::Duration::from_secs(600));
            let user = quire_web::create_account(
                &db,
                &passwords,
                &username,
                &display_name,
                &password,
                if admin {
                    SiteRole::Admin
                } else {
                    SiteRole::Member
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!(
                "Created {}{}.",
                user.username,
                if user.role == SiteRole::Admin {
                    " (administrator)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}
