//! A throwaway PostgreSQL server shared by every test (and benchmark) in one process.
//!
//! [`server`] starts the server the first time it is called and hands the same
//! [`PgServer`] to every later caller, from any thread or tokio runtime. Tests then
//! take a fresh database each with [`PgServer::create_database`], usually cloned from
//! a migrated template, so no test has to run serially.
//!
//! Where the server comes from:
//! - if `QUIRE_TEST_POSTGRES_URL` is set (for example
//!   `postgres://postgres@127.0.0.1:5432/postgres`), that server is used as is; we
//!   only create and drop databases on it;
//! - otherwise a private cluster is made with the machine's `initdb` and `pg_ctl`
//!   in a temporary directory, listening on a free port of 127.0.0.1, tuned for
//!   speed rather than durability (`fsync=off`). It is gone shortly after the
//!   process exits: statics never run destructors, so a small detached shell
//!   watches our pid and stops the cluster and removes its directory.

use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use tokio::process::Command;
use tokio::sync::OnceCell;

/// Environment variable naming an existing server to use instead of starting one.
pub const URL_ENV: &str = "QUIRE_TEST_POSTGRES_URL";

/// How long a clone waits for other sessions to leave its template.
const TEMPLATE_BUSY_WAIT: Duration = Duration::from_secs(10);

/// Ports tried before giving up: another process may take a port between our
/// probe and the server's bind.
const PORT_ATTEMPTS: usize = 5;

static SERVER: OnceCell<PgServer> = OnceCell::const_new();

/// Clusters started by this process; only ever 0 or 1 unless a start failed half-way.
static CLUSTERS_STARTED: AtomicUsize = AtomicUsize::new(0);

/// A PostgreSQL server on which tests may create and drop databases.
#[derive(Debug)]
pub struct PgServer {
    /// `scheme://user@host:port`, with no database and no query.
    base: String,
    /// `?…` part of the configured URL, kept on every database URL (may be empty).
    query: String,
    /// Database to connect to for `CREATE DATABASE` / `DROP DATABASE`.
    admin_database: String,
    /// Our own cluster, if we started one (`None` when using `QUIRE_TEST_POSTGRES_URL`).
    cluster: Option<Cluster>,
}

#[derive(Debug)]
struct Cluster {
    dir: PathBuf,
    port: u16,
}

/// Returns the process-wide server, starting it on first use.
///
/// Concurrent first calls wait for one start; a failed start is retried by the
/// next call.
pub async fn server() -> anyhow::Result<&'static PgServer> {
    SERVER.get_or_try_init(start).await
}

impl PgServer {
    /// URL of `database` on this server.
    pub fn url(&self, database: &str) -> String {
        format!("{}/{}{}", self.base, encode_path(database), self.query)
    }

    /// Port of the cluster we started, or `None` when using `QUIRE_TEST_POSTGRES_URL`.
    pub fn own_cluster_port(&self) -> Option<u16> {
        self.cluster.as_ref().map(|c| c.port)
    }

    /// Creates the database `name`, empty or as a copy of `template`, and returns its URL.
    ///
    /// PostgreSQL refuses to copy a template while any other session is connected
    /// to it, so **close every pool to the template before cloning it**
    /// (`pool.close().await`). A closing connection can linger for a few
    /// milliseconds, so a busy template is retried for up to ten seconds before
    /// this fails.
    pub async fn create_database(
        &self,
        name: &str,
        template: Option<&str>,
    ) -> anyhow::Result<String> {
        let sql = match template {
            Some(t) => format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_ident(name),
                quote_ident(t)
            ),
            None => format!("CREATE DATABASE {}", quote_ident(name)),
        };
        let mut conn = self.admin().await?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(10);
        loop {
            match sqlx::raw_sql(AssertSqlSafe(sql.as_str()))
                .execute(&mut conn)
                .await
            {
                Ok(_) => break,
                Err(e) if is_object_in_use(&e) && started.elapsed() < TEMPLATE_BUSY_WAIT => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(e) if is_object_in_use(&e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "cannot create database {name:?}: its template {:?} is still in use \
                             after {TEMPLATE_BUSY_WAIT:?}; close every pool to the template first",
                            template.unwrap_or_default()
                        )
                    });
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot create database {name:?}"));
                }
            }
        }
        let _ = conn.close().await;
        Ok(self.url(name))
    }

    /// Drops the database `name` if it exists, ending any session still connected to it
    /// (`WITH (FORCE)`, PostgreSQL 13 or later).
    pub async fn drop_database(&self, name: &str) -> anyhow::Result<()> {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name));
        let mut conn = self.admin().await?;
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .with_context(|| format!("cannot drop database {name:?}"))?;
        let _ = conn.close().await;
        Ok(())
    }

    /// A fresh connection for one administrative statement. No pool is kept: a pool
    /// belongs to the tokio runtime that made it, and each `#[tokio::test]` has its own.
    async fn admin(&self) -> anyhow::Result<PgConnection> {
        let url = self.url(&self.admin_database);
        PgConnection::connect(&url)
            .await
            .with_context(|| format!("cannot connect to the test PostgreSQL server at {url}"))
    }
}

async fn start() -> anyhow::Result<PgServer> {
    let started = Instant::now();
    if let Some(url) = std::env::var(URL_ENV).ok().filter(|u| !u.is_empty()) {
        let server = from_url(&url)?;
        // Fail here, once, rather than in every test.
        let conn = server.admin().await.with_context(|| {
            format!(
                "{URL_ENV} names a server we cannot reach; unset it to start a throwaway cluster"
            )
        })?;
        let _ = conn.close().await;
        eprintln!(
            "quire-testkit: using the PostgreSQL server from {URL_ENV} ({} ms to connect)",
            started.elapsed().as_millis()
        );
        return Ok(server);
    }
    let server = start_cluster().await?;
    eprintln!(
        "quire-testkit: started a throwaway PostgreSQL cluster on 127.0.0.1:{} in {} ms ({})",
        server.own_cluster_port().unwrap_or_default(),
        started.elapsed().as_millis(),
        server
            .cluster
            .as_ref()
            .map(|c| c.dir.display().to_string())
            .unwrap_or_default(),
    );
    Ok(server)
}

/// Splits `scheme://authority/database?query` into its parts.
fn from_url(url: &str) -> anyhow::Result<PgServer> {
    let (head, query) = match url.find('?') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let after_scheme = head.find("://").map(|i| i + 3).with_context(|| {
        format!("{URL_ENV} is not a URL like postgres://postgres@127.0.0.1:5432/postgres")
    })?;
    let (base, database) = match head[after_scheme..].find('/') {
        Some(i) => (&head[..after_scheme + i], &head[after_scheme + i + 1..]),
        None => (head, ""),
    };
    let database = if database.is_empty() {
        "postgres"
    } else {
        database
    };
    Ok(PgServer {
        base: base.to_owned(),
        query: query.to_owned(),
        admin_database: database.to_owned(),
        cluster: None,
    })
}

async fn start_cluster() -> anyhow::Result<PgServer> {
    let bin = find_bin_dir()?;
    let as_root = is_root().await?;
    // As root, the server runs as `postgres`, which must be able to reach its data
    // directory: a private directory directly under /tmp, owned by postgres.
    let parent = if as_root {
        PathBuf::from("/tmp")
    } else {
        std::env::temp_dir()
    };
    let dir = tempfile::Builder::new()
        .prefix("quire-pg-")
        .tempdir_in(&parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?
        .keep();
    let runner = Runner {
        bin,
        as_root,
        dir: dir.clone(),
    };
    // Spawned before anything can fail half-way, so even a crash during start-up
    // leaves nothing behind.
    if let Err(e) = runner.spawn_watchdog() {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    match runner.init_and_start().await {
        Ok(port) => {
            CLUSTERS_STARTED.fetch_add(1, Ordering::SeqCst);
            Ok(PgServer {
                base: format!("postgres://postgres@127.0.0.1:{port}"),
                query: String::new(),
                admin_database: "postgres".to_owned(),
                cluster: Some(Cluster { dir, port }),
            })
        }
        Err(e) => {
            runner.stop_now().await;
            let _ = std::fs::remove_dir_all(&dir);
            Err(e)
        }
    }
}

struct Runner {
    bin: PathBuf,
    as_root: bool,
    dir: PathBuf,
}

impl Runner {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// A command running the PostgreSQL tool `tool`, as `postgres` when we are root
    /// (`initdb` refuses to run as root).
    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        let mut cmd = if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        // The caller's directory may be closed to the postgres user.
        cmd.current_dir(&self.dir)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    async fn init_and_start(&self) -> anyhow::Result<u16> {
        if self.as_root {
            run(
                Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(&self.dir),
                "chown",
            )
            .await
            .context("running as root, the data directory must belong to the postgres user")?;
        }
        let mut initdb = self.command("initdb");
        initdb.arg("-D").arg(self.data()).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]);
        run(&mut initdb, "initdb").await?;

        // Settings go in the configuration file rather than on pg_ctl's `-o`, which
        // passes through a shell: the socket path could hold anything.
        let socket_dir = self.dir.display().to_string().replace('\'', "''");
        let settings = format!(
            "\n# quire-testkit: a throwaway cluster, speed over durability\n\
             listen_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{socket_dir}'\n\
             fsync = off\n\
             synchronous_commit = off\n\
             full_page_writes = off\n\
             max_connections = 300\n\
             shared_buffers = 128MB\n"
        );
        append(&self.data().join("postgresql.conf"), &settings)?;

        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let mut pg_ctl = self.command("pg_ctl");
            pg_ctl
                .args(["-w", "-t", "30", "-D"])
                .arg(self.data())
                .arg("-l")
                .arg(self.log())
                .args(["-o", &format!("-p {port}")])
                .arg("start");
            match run(&mut pg_ctl, "pg_ctl start").await {
                Ok(()) => return Ok(port),
                Err(e) => last_error = Some(e),
            }
        }
        let log = std::fs::read_to_string(self.log()).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(10).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Err(last_error.unwrap_or_else(|| anyhow::anyhow!("no port tried"))).with_context(|| {
            format!(
                "PostgreSQL did not start; its log ends with:\n{}",
                tail.join("\n")
            )
        })
    }

    /// Best effort stop of a cluster whose start failed half-way.
    async fn stop_now(&self) {
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data())
            .args(["stop", "-m", "immediate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let _ = pg_ctl.status().await;
    }

    /// Starts a shell, outside our process group and with no handle on our output,
    /// that waits for this process to end, then stops the cluster and removes its
    /// directory. Its output must not be our stdout or stderr: test runners wait for
    /// those pipes to close.
    fn spawn_watchdog(&self) -> anyhow::Result<()> {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = if self.as_root {
            format!(
                "runuser -u postgres -- {}",
                shell_quote(&pg_ctl.display().to_string())
            )
        } else {
            shell_quote(&pg_ctl.display().to_string())
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; \
             {stop} -D {data} stop -m immediate; \
             rm -rf {dir}",
            pid = std::process::id(),
            data = shell_quote(&self.data().display().to_string()),
            dir = shell_quote(&self.dir.display().to_string()),
        );
        std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .context("cannot start the watchdog that stops the test PostgreSQL cluster")?;
        // The child is deliberately not waited for: it must outlive us. When we
        // exit, init adopts and reaps it.
        Ok(())
    }
}

/// Runs a command to completion, turning a failure into an error carrying its output.
///
/// Output goes to files, never pipes: `pg_ctl start` leaves the server holding
/// whatever stdout it was given, and reading a pipe would wait for the server to exit.
async fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let out = tempfile::tempfile().context("cannot create a file for command output")?;
    let err = out
        .try_clone()
        .context("cannot duplicate the command output file")?;
    let mut out_reader = out
        .try_clone()
        .context("cannot duplicate the command output file")?;
    cmd.stdout(out).stderr(err);
    let status = cmd
        .status()
        .await
        .with_context(|| format!("cannot run {what}"))?;
    if status.success() {
        return Ok(());
    }
    use std::io::{Read, Seek, SeekFrom};
    let mut text = String::new();
    let _ = out_reader.seek(SeekFrom::Start(0));
    let _ = out_reader.read_to_string(&mut text);
    bail!("{what} failed ({status}):\n{}", text.trim_end())
}

fn append(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A port that was free a moment ago. Someone may take it before the server binds
/// it, hence the retries in the caller.
fn free_port() -> anyhow::Result<u16> {
    let listener =
        std::net::TcpListener::bind(("127.0.0.1", 0)).context("cannot bind 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

async fn is_root() -> anyhow::Result<bool> {
    let out = Command::new("id")
        .arg("-u")
        .stdin(Stdio::null())
        .output()
        .await
        .context("cannot run `id -u` to learn whether we are root")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// The directory holding `initdb` and `pg_ctl`: from `PATH` first, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian does not put them on `PATH`).
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    find_bin_dir_in(std::env::var_os("PATH"), Path::new("/usr/lib/postgresql"))
}

fn find_bin_dir_in(path: Option<std::ffi::OsString>, lib_root: &Path) -> anyhow::Result<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(path) = path {
        for dir in std::env::split_paths(&path) {
            if has_tools(&dir) {
                // A symlink in PATH (/usr/local/bin/initdb) is fine: both tools find
                // `postgres` through their own resolved location.
                return Ok(dir);
            }
        }
    }
    let mut versions: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir(lib_root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version: Option<Vec<u32>> = name.split('.').map(|p| p.parse().ok()).collect();
            let bin = entry.path().join("bin");
            Some((version?, bin))
        })
        .filter(|(_, bin)| has_tools(bin))
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "PostgreSQL's initdb and pg_ctl are neither on PATH nor in {}/*/bin: \
             install them with `apt-get install postgresql` (CI's .ci/run does), \
             or set {URL_ENV} to a server where tests may create databases",
            lib_root.display()
        ),
    }
}

fn is_object_in_use(e: &sqlx::Error) -> bool {
    // 55006 object_in_use: "source database is being accessed by other users".
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "55006")
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Percent-encodes a database name for the path of a URL.
fn encode_path(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::PgPool;

    #[tokio::test]
    async fn creates_clones_and_drops_databases() {
        let server = server().await.unwrap();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let first = format!("pg_rs_first_{suffix}");
        let second = format!("pg_rs_second_{suffix}");

        let url = server.create_database(&first, None).await.unwrap();
        let pool = PgPool::connect(&url).await.unwrap();
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(one, 1);
        sqlx::raw_sql("CREATE TABLE marker (id INT PRIMARY KEY); INSERT INTO marker VALUES (7)")
            .execute(&pool)
            .await
            .unwrap();
        // The template must have no sessions when it is cloned.
        pool.close().await;

        let url2 = server.create_database(&second, Some(&first)).await.unwrap();
        let pool2 = PgPool::connect(&url2).await.unwrap();
        let id: i32 = sqlx::query_scalar("SELECT id FROM marker")
            .fetch_one(&pool2)
            .await
            .unwrap();
        assert_eq!(id, 7);

        // Dropping ends sessions still connected.
        server.drop_database(&second).await.unwrap();
        server.drop_database(&first).await.unwrap();
        pool2.close().await;

        let mut admin = server.admin().await.unwrap();
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname IN ($1, $2)")
                .bind(&first)
                .bind(&second)
                .fetch_one(&mut admin)
                .await
                .unwrap();
        assert_eq!(left, 0);
    }

    #[tokio::test]
    async fn cloning_waits_for_the_template_to_be_free() {
        let server = server().await.unwrap();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let template = format!("pg_rs_busy_{suffix}");
        let clone = format!("pg_rs_clone_{suffix}");
        let url = server.create_database(&template, None).await.unwrap();

        let lingering = PgConnection::connect(&url).await.unwrap();
        let closer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            lingering.close().await.unwrap();
        });
        let started = Instant::now();
        server
            .create_database(&clone, Some(&template))
            .await
            .unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(250),
            "{:?}",
            started.elapsed()
        );
        closer.await.unwrap();

        server.drop_database(&clone).await.unwrap();
        server.drop_database(&template).await.unwrap();
    }

    #[test]
    fn concurrent_first_calls_start_one_cluster() {
        // Separate threads with separate runtimes, as separate #[tokio::test]s have.
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    let s = rt.block_on(server()).unwrap();
                    s as *const PgServer as usize
                })
            })
            .collect();
        let addrs: Vec<usize> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(addrs.windows(2).all(|w| w[0] == w[1]));
        if std::env::var_os(URL_ENV).is_none() {
            assert_eq!(CLUSTERS_STARTED.load(Ordering::SeqCst), 1);
        }
    }

    #[test]
    fn splits_configured_urls() {
        let s = from_url("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable").unwrap();
        assert_eq!(s.admin_database, "postgres");
        assert_eq!(
            s.url("a b"),
            "postgres://postgres@127.0.0.1:5432/a%20b?sslmode=disable"
        );
        let s = from_url("postgres://u:p@localhost").unwrap();
        assert_eq!(s.admin_database, "postgres");
        assert_eq!(s.url("x"), "postgres://u:p@localhost/x");
    }

    #[test]
    fn finds_the_newest_binaries_or_says_how_to_install_them() {
        let root = tempfile::tempdir().unwrap();
        let err = find_bin_dir_in(None, root.path()).unwrap_err().to_string();
        assert!(err.contains("apt-get install postgresql"), "{err}");

        for version in ["9.6", "15", "13"] {
            let bin = root.path().join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("initdb"), "").unwrap();
            std::fs::write(bin.join("pg_ctl"), "").unwrap();
        }
        let found = find_bin_dir_in(Some("/nonexistent".into()), root.path()).unwrap();
        assert_eq!(found, root.path().join("15").join("bin"));

        let on_path = root.path().join("9.6").join("bin");
        let found = find_bin_dir_in(Some(on_path.clone().into_os_string()), root.path()).unwrap();
        assert_eq!(found, on_path);
    }

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident(r#"a"b"#), r#""a""b""#);
    }
}
