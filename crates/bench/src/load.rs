//! A small HTTP/1.1 load generator for benchmarks against a server on loopback.
//!
//! It runs inside the benchmark's own process and shares the machine's cores with
//! the server it measures, so it does as little as it can: one task per keep-alive
//! connection, each driving its own hyper connection (no extra task per
//! connection), bodies counted frame by frame rather than collected, and one
//! latency sample (`u32` microseconds) per request, merged only at the end.

use std::fmt;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::header::{HOST, HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep_until, timeout_at};

/// How much of an error response's body is kept in [`LoadReport::first_error`].
const ERROR_EXCERPT: usize = 200;

/// Pause after a failed connect, so a dead server does not make us spin.
const RECONNECT_PAUSE: Duration = Duration::from_millis(10);

/// What to load and for how long.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// Server address, usually `127.0.0.1:port`.
    pub addr: SocketAddr,
    /// Path and query requested with `GET`, for example `/books/42`.
    pub path: String,
    /// Keep-alive connections, each with one request in flight at a time.
    pub connections: usize,
    /// Time spent loading before anything is recorded.
    pub warmup: Duration,
    /// Time recorded after the warm-up.
    pub duration: Duration,
    /// Extra request headers (a cookie, say). A `Host` here replaces the default one.
    pub headers: Vec<(String, String)>,
}

/// What was measured after the warm-up.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    /// Responses received in full, whatever their status.
    pub requests: u64,
    /// Responses with a non-2xx status, plus requests or connections that failed.
    pub errors: u64,
    /// Body bytes received.
    pub bytes: u64,
    /// Length of the recorded window.
    pub elapsed: Duration,
    /// `requests` divided by `elapsed`.
    pub requests_per_sec: f64,
    /// Latency percentiles over every response, from sending the request to the end of its body.
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// The earliest error: the status and the start of the body, or what failed.
    pub first_error: Option<String>,
}

/// Loads `cfg.addr` with `GET cfg.path` over `cfg.connections` connections until
/// the warm-up and the recorded duration have passed.
///
/// Every request in flight at the deadline is abandoned and not counted; when this
/// returns, no task or connection it started is left running.
pub async fn run(cfg: &LoadConfig) -> anyhow::Result<LoadReport> {
    if cfg.connections == 0 {
        bail!("a load needs at least one connection");
    }
    let plan = Arc::new(Plan::new(cfg)?);

    let mut tasks = JoinSet::new();
    for _ in 0..cfg.connections {
        let plan = Arc::clone(&plan);
        tasks.spawn(async move { connection_loop(&plan).await });
    }
    let mut totals = Tally::default();
    while let Some(joined) = tasks.join_next().await {
        let tally = joined.context("a load connection task failed")?;
        totals.merge(tally);
    }

    let end = Instant::now().min(plan.deadline);
    let elapsed = end.saturating_duration_since(plan.record_from);
    Ok(totals.report(elapsed))
}

/// What every connection task shares: the request to send and the time window.
struct Plan {
    addr: SocketAddr,
    uri: Uri,
    headers: HeaderMap,
    record_from: Instant,
    deadline: Instant,
}

impl Plan {
    fn new(cfg: &LoadConfig) -> anyhow::Result<Self> {
        let uri: Uri = cfg
            .path
            .parse()
            .with_context(|| format!("{:?} is not a request path", cfg.path))?;
        if uri.scheme().is_some() || !cfg.path.starts_with('/') {
            bail!("the load path must start with '/', not {:?}", cfg.path);
        }
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_str(&cfg.addr.to_string())?);
        for (name, value) in &cfg.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .with_context(|| format!("bad header name {name:?}"))?;
            let value = HeaderValue::from_str(value)
                .with_context(|| format!("bad value for header {name}"))?;
            headers.insert(name, value);
        }
        let start = Instant::now();
        let record_from = start + cfg.warmup;
        Ok(Self {
            addr: cfg.addr,
            uri,
            headers,
            record_from,
            deadline: record_from + cfg.duration,
        })
    }

    fn request(&self) -> Request<Empty<Bytes>> {
        let mut req = Request::new(Empty::new());
        *req.uri_mut() = self.uri.clone();
        *req.headers_mut() = self.headers.clone();
        req
    }
}

/// One connection's counts; merged into the report at the end.
#[derive(Default)]
struct Tally {
    requests: u64,
    errors: u64,
    bytes: u64,
    latencies_us: Vec<u32>,
    first_error: Option<(Instant, String)>,
}

impl Tally {
    fn error(&mut self, at: Instant, what: impl FnOnce() -> String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some((at, what()));
        }
    }

    fn merge(&mut self, other: Tally) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.bytes += other.bytes;
        self.latencies_us.extend_from_slice(&other.latencies_us);
        self.first_error = match (self.first_error.take(), other.first_error) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        };
    }

    fn report(mut self, elapsed: Duration) -> LoadReport {
        self.latencies_us.sort_unstable();
        let at = |q: f64| percentile(&self.latencies_us, q);
        let secs = elapsed.as_secs_f64();
        LoadReport {
            requests: self.requests,
            errors: self.errors,
            bytes: self.bytes,
            elapsed,
            requests_per_sec: if secs > 0.0 {
                self.requests as f64 / secs
            } else {
                0.0
            },
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: at(1.0),
            first_error: self.first_error.map(|(_, e)| e),
        }
    }
}

/// Nearest-rank percentile of sorted microsecond samples.
fn percentile(sorted_us: &[u32], q: f64) -> Duration {
    if sorted_us.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted_us.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted_us.len()) - 1;
    Duration::from_micros(u64::from(sorted_us[index]))
}

/// One connection slot: connects, sends requests until the connection closes,
/// reconnects, and stops at the deadline.
async fn connection_loop(plan: &Plan) -> Tally {
    let mut tally = Tally {
        latencies_us: Vec::with_capacity(4096),
        ..Tally::default()
    };
    while Instant::now() < plan.deadline {
        let stream = match timeout_at(plan.deadline, TcpStream::connect(plan.addr)).await {
            Err(_) => break,
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                let now = Instant::now();
                if now >= plan.record_from {
                    tally.error(now, || format!("cannot connect to {}: {e}", plan.addr));
                }
                sleep_until((now + RECONNECT_PAUSE).min(plan.deadline)).await;
                continue;
            }
        };
        // Without it, small requests wait on Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        serve_connection(plan, stream, &mut tally).await;
    }
    tally
}

/// Sends requests one after another on one connection until it closes or the deadline.
async fn serve_connection(plan: &Plan, stream: TcpStream, tally: &mut Tally) {
    let handshake = hyper::client::conn::http1::handshake(TokioIo::new(stream));
    let (mut sender, conn) = match timeout_at(plan.deadline, handshake).await {
        Err(_) => return,
        Ok(Ok(parts)) => parts,
        Ok(Err(e)) => {
            let now = Instant::now();
            if now >= plan.record_from {
                tally.error(now, || {
                    format!("HTTP handshake failed: {}", error_chain(&e))
                });
            }
            return;
        }
    };

    let requests = async {
        loop {
            // Err: the connection has closed (the server may have asked to); reconnect.
            if sender.ready().await.is_err() {
                return;
            }
            let sent = Instant::now();
            if sent >= plan.deadline {
                return;
            }
            let exchange = exchange(&mut sender, plan.request());
            let outcome = match timeout_at(plan.deadline, exchange).await {
                Err(_) => return,
                Ok(outcome) => outcome,
            };
            let done = Instant::now();
            if sent < plan.record_from {
                if outcome.is_err() {
                    return;
                }
                continue;
            }
            match outcome {
                Ok(response) => {
                    tally.requests += 1;
                    tally.bytes += response.bytes;
                    let micros = done.duration_since(sent).as_micros();
                    tally
                        .latencies_us
                        .push(u32::try_from(micros).unwrap_or(u32::MAX));
                    if let Some(error) = response.error {
                        tally.error(sent, || error);
                    }
                }
                Err(e) => {
                    tally.error(sent, || format!("request failed: {}", error_chain(&e)));
                    return;
                }
            }
        }
    };

    // The connection future is driven here, beside the requests, rather than in a
    // task of its own: one task wake-up per response instead of two. Once it ends
    // it is dropped, so the request side sees the closed connection and returns.
    let mut requests = pin!(requests);
    let mut conn = Some(Box::pin(conn));
    loop {
        let Some(c) = conn.as_mut() else {
            return requests.await;
        };
        tokio::select! {
            biased;
            () = &mut requests => return,
            _ = c => {}
        }
        conn = None;
    }
}

/// A response read to its end.
struct Response {
    bytes: u64,
    /// Set for a non-2xx status: the status and the start of the body.
    error: Option<String>,
}

async fn exchange(
    sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    request: Request<Empty<Bytes>>,
) -> hyper::Result<Response> {
    let response = sender.send_request(request).await?;
    let status = response.status();
    let failed = !status.is_success();
    let mut excerpt = Vec::new();
    let mut bytes = 0u64;
    let mut body = response.into_body();
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            bytes += data.len() as u64;
            if failed && excerpt.len() < ERROR_EXCERPT {
                let room = ERROR_EXCERPT - excerpt.len();
                excerpt.extend_from_slice(&data[..data.len().min(room)]);
            }
        }
    }
    let error = failed.then(|| {
        format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&excerpt).trim()
        )
    });
    Ok(Response { bytes, error })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "{:>9.0} req/s  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({} requests, {} errors)",
            self.requests_per_sec,
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max),
            self.requests,
            self.errors,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::get;

    async fn serve(app: Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    }

    fn config(addr: SocketAddr, path: &str) -> LoadConfig {
        LoadConfig {
            addr,
            path: path.to_owned(),
            connections: 2,
            warmup: Duration::from_millis(50),
            duration: Duration::from_millis(300),
            headers: vec![("x-bench".to_owned(), "1".to_owned())],
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn loads_a_hello_handler() {
        let addr = serve(Router::new().route("/hello", get(|| async { "hello" }))).await;
        let report = run(&config(addr, "/hello")).await.unwrap();
        eprintln!("{report}");
        assert!(report.requests > 0, "{report:?}");
        assert_eq!(report.errors, 0, "{report:?}");
        assert_eq!(report.first_error, None);
        assert_eq!(report.bytes, report.requests * 5);
        assert!(report.p50 <= report.p90 && report.p90 <= report.p99 && report.p99 <= report.max);
        assert!(report.elapsed <= Duration::from_millis(300));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn counts_server_errors() {
        let app = Router::new().route(
            "/boom",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "the shelf collapsed") }),
        );
        let report = run(&config(serve(app).await, "/boom")).await.unwrap();
        assert!(report.requests > 0, "{report:?}");
        assert_eq!(report.errors, report.requests, "{report:?}");
        let first = report.first_error.unwrap();
        assert!(first.contains("500"), "{first}");
        assert!(first.contains("the shelf collapsed"), "{first}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reconnects_when_the_server_closes() {
        let app = Router::new().route(
            "/once",
            get(|| async { ([(axum::http::header::CONNECTION, "close")], "bye") }),
        );
        let report = run(&config(serve(app).await, "/once")).await.unwrap();
        assert!(report.requests > 2, "{report:?}");
        assert_eq!(report.errors, 0, "{report:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn stops_at_the_deadline_even_if_the_server_does_not_answer() {
        let app = Router::new().route(
            "/stuck",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        );
        let started = std::time::Instant::now();
        let report = run(&config(serve(app).await, "/stuck")).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(report.requests, 0);
        assert_eq!(report.errors, 0);
    }

    #[tokio::test]
    async fn refuses_bad_configs() {
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let mut cfg = config(addr, "books");
        assert!(run(&cfg).await.is_err());
        cfg.path = "/".to_owned();
        cfg.connections = 0;
        assert!(run(&cfg).await.is_err());
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let samples: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&samples, 0.50), Duration::from_micros(50));
        assert_eq!(percentile(&samples, 0.99), Duration::from_micros(99));
        assert_eq!(percentile(&samples, 1.0), Duration::from_micros(100));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn displays_one_line() {
        let report = LoadReport {
            requests: 1000,
            errors: 2,
            bytes: 5000,
            elapsed: Duration::from_secs(1),
            requests_per_sec: 1000.0,
            p50: Duration::from_micros(1234),
            p90: Duration::from_micros(2000),
            p99: Duration::from_micros(3500),
            max: Duration::from_micros(10_000),
            first_error: None,
        };
        assert_eq!(
            report.to_string(),
            "     1000 req/s  p50 1.23 ms  p90 2.00 ms  p99 3.50 ms  max 10.00 ms  (1000 requests, 2 errors)"
        );
    }
}
