//! Serving HTTP/1.1 connections with limits a slow or hostile client cannot get round:
//! - the request head must arrive within the header-read timeout, counted from the
//!   connection's opening or the end of its previous answer: a half-sent head, a head sent
//!   a byte at a time and a kept-alive connection with no next request are all closed then;
//! - the body within the body-read timeout from when the handler starts reading it
//!   (reading then fails, and the handler answers 400 as for any unreadable body);
//! - an answer the client stops taking (nothing can be written for the idle timeout) ends
//!   the connection;
//! - at most `max_connections` are served at once; the rest wait in the listen queue,
//!   so a flood of half-sent requests costs the server a bounded number of slots, each
//!   freed by the timeouts above, instead of every file descriptor it has.
//!
//! The clocks are per connection and armed only while waiting, so a request that is
//! served promptly costs no timer at all.

mod clocks;

use std::{
    convert::Infallible, future::Future, net::SocketAddr, pin::pin, sync::Arc, time::Duration,
};

use axum::{Router, body::Body, extract::ConnectInfo};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore, watch},
};
use tower::ServiceExt;

pub use clocks::BodyTimeout;
use clocks::{Activity, Answering, Busy, Deadline, Watched};

/// The timeouts and the connection limit (from `Config`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read: Duration,
    pub body_read: Duration,
    pub idle: Duration,
    pub max_connections: usize,
}

/// The connection slots: how many are taken, for `/health`.
#[derive(Debug)]
pub struct Connections {
    slots: Arc<Semaphore>,
    limit: usize,
}

impl Connections {
    pub fn new(limit: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }

    /// Connections being served now.
    pub fn open(&self) -> usize {
        self.limit.saturating_sub(self.slots.available_permits())
    }

    pub fn limit(&self) -> usize {
        self.limit
    }
}

/// Serves `router` on `listener` until `stop` resolves, then lets open connections finish
/// their requests (each still bound by the timeouts) and returns when all have closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    connections: Arc<Connections>,
    stop: impl Future<Output = ()>,
) {
    let (closing, _) = watch::channel(false);
    let mut stop = pin!(stop);
    loop {
        let slot = tokio::select! {
            biased;
            () = &mut stop => break,
            slot = Arc::clone(&connections.slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let connection = Connection {
            router: router.clone(),
            peer,
            limits,
            _slot: slot,
        };
        tokio::spawn(connection.run(stream, closing.subscribe()));
    }
    drop(listener);
    closing.send_replace(true);
    // Every connection holds a slot until it ends: all slots back means all have ended.
    let all = u32::try_from(connections.limit).unwrap_or(u32::MAX);
    let _ = connections.slots.acquire_many(all).await;
}

/// One accepted connection and the slot it holds.
struct Connection {
    router: Router,
    peer: SocketAddr,
    limits: Limits,
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(self, stream: TcpStream, mut closing: watch::Receiver<bool>) {
        let Limits {
            header_read,
            body_read,
            idle,
            ..
        } = self.limits;
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched::new(stream, idle));
        let (router, peer) = (self.router, self.peer);
        let working = Arc::clone(&activity);
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let busy = Busy::start(&working);
            let mut req = req.map(|body| Body::new(Deadline::new(body, body_read)));
            req.extensions_mut().insert(ConnectInfo(peer));
            let answer = router.clone().oneshot(req);
            // Boxed, so the connection can be polled without shutting it down.
            Box::pin(async move {
                let answer = answer.await?;
                // Busy until hyper has written the whole answer and drops its body.
                Ok::<_, Infallible>(answer.map(|body| Body::new(Answering::new(body, busy))))
            })
        });
        let mut conn = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .serve_connection(io, service);
        let mut shutting_down = false;
        loop {
            let event = tokio::select! {
                served = std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)) => Event::Served(served),
                _ = closing.wait_for(|closing| *closing), if !shutting_down => Event::Closing,
                () = tokio::time::sleep_until(activity.head_deadline(header_read)) => Event::Tick,
            };
            match event {
                Event::Served(Ok(())) => {
                    if !shutting_down {
                        linger(conn.into_parts().io.into_inner().into_inner()).await;
                    }
                    return;
                }
                Event::Served(Err(e)) => {
                    tracing::debug!(error = %e, "connection ended with an error");
                    return;
                }
                Event::Closing => {
                    std::pin::Pin::new(&mut conn).graceful_shutdown();
                    shutting_down = true;
                }
                Event::Tick => {
                    if activity.head_overdue(header_read) {
                        tracing::debug!("no complete request head in time; closing the connection");
                        return;
                    }
                }
            }
        }
    }
}

enum Event {
    Served(hyper::Result<()>),
    Closing,
    Tick,
}

/// How long, and how much of what the client still sends, is read and dropped after the
/// last answer before the socket closes.
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 8 * 1024 * 1024;

/// Closes a connection the way a client still sending a refused body can read its answer:
/// the write side first, then the rest of the body read and dropped (bounded in time and
/// bytes). Closing a socket with unread data makes the kernel send a reset, which can
/// arrive before the client has read the answer (a 403 or a 422 on an upload sent
/// before its body was read).
async fn linger(mut stream: TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if stream.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut buf = vec![0u8; 64 * 1024];
        let mut read = 0;
        while read < LINGER_BYTES {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read += n,
            }
        }
    };
    let _ = tokio::time::timeout(LINGER_TIME, drain).await;
}
