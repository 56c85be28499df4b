//! Accepting connections, with timeouts that `axum::serve` cannot set.
//!
//! - **Header read** (hyper's `header_read_timeout`): a request's line and
//!   headers must arrive within it, counted from when the server starts
//!   waiting for them, so a client that trickles a request (slowloris) is
//!   cut off. hyper also counts the wait for the next request on a
//!   keep-alive connection this way.
//! - **Idle**: a connection on which nothing is read or written for this
//!   long is closed (gracefully: a request in flight may finish). This also
//!   bounds a client that trickles a body or stops reading the answer.
//! - **Whole request**: tower-http's `TimeoutLayer` in the router answers
//!   408 when a handler runs too long (see `lib.rs`).

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;
use tower::ServiceExt;

/// How long connections may take, read from [`crate::Config`].
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub header_read: Duration,
    pub idle: Duration,
}

/// Serve `app` on `listener` until `shutdown` resolves, then let requests
/// in flight finish (each connection for at most one more idle period).
pub async fn run(
    listener: TcpListener,
    app: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .keep_alive(true);
    let builder = Arc::new(builder);
    // Each connection holds a receiver: `stop` tells them to finish, and
    // `stop.closed()` resolves once every one of them has.
    let (stop, stopped) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait, and go on
                    // serving the connections already open.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let builder = builder.clone();
        let stopped = stopped.clone();
        tokio::spawn(connection(stream, remote, app, builder, timeouts, stopped));
    }
    drop(listener);
    let _ = stop.send(true);
    drop(stopped);
    stop.closed().await;
    Ok(())
}

async fn connection(
    stream: TcpStream,
    remote: SocketAddr,
    app: Router,
    builder: Arc<Builder<TokioExecutor>>,
    timeouts: Timeouts,
    mut stop: watch::Receiver<bool>,
) {
    let started = Instant::now();
    let last_io = Arc::new(AtomicU64::new(0));
    let io = Watched {
        inner: stream,
        started,
        last_io: last_io.clone(),
    };
    // Handlers may ask for the client's address (sign-in limits).
    let service = app.map_request(move |mut req: axum::http::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(remote));
        req
    });
    let conn =
        builder.serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(service));
    tokio::pin!(conn);
    let mut closing_by: Option<Instant> = None;
    loop {
        let idle_until =
            started + Duration::from_millis(last_io.load(Ordering::Relaxed)) + timeouts.idle;
        let wake = closing_by.unwrap_or(idle_until);
        tokio::select! {
            _ = conn.as_mut() => break,
            // Asked to stop, or the server itself is gone: finish up.
            _ = stop.changed(), if closing_by.is_none() => {
                conn.as_mut().graceful_shutdown();
                closing_by = Some(Instant::now() + timeouts.idle);
            }
            () = tokio::time::sleep_until(wake) => {
                if closing_by.is_some() {
                    // It would not finish: drop it, which closes the socket.
                    break;
                }
                let quiet_since = started + Duration::from_millis(last_io.load(Ordering::Relaxed));
                if Instant::now() >= quiet_since + timeouts.idle {
                    conn.as_mut().graceful_shutdown();
                    closing_by = Some(Instant::now() + timeouts.idle);
                }
            }
        }
    }
}

/// A TCP stream that notes when bytes last moved, for the idle timeout.
struct Watched {
    inner: TcpStream,
    started: Instant,
    /// Milliseconds from `started` to the last read or write.
    last_io: Arc<AtomicU64>,
}

impl Watched {
    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_io.store(ms, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        res
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        res
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(res, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        res
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
