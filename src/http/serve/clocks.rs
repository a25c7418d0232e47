//! The clocks of one connection: whether it is working on a request or waiting for the
//! next head (and since when), the body deadline, and the socket whose stalled writes
//! time out. Each is armed only while something is awaited.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::body::Body;
use hyper::body::{Frame, Incoming, SizeHint};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    time::{Instant, Sleep},
};

/// Whether a connection is working on a request, and since when it has been waiting for
/// the next request head if not.
pub(super) struct Activity {
    start: Instant,
    /// Milliseconds from `start` to the end of the last answer (0: none yet).
    waiting_since_ms: AtomicU64,
    busy: AtomicUsize,
}

impl Activity {
    pub(super) fn new() -> Self {
        Self {
            start: Instant::now(),
            waiting_since_ms: AtomicU64::new(0),
            busy: AtomicUsize::new(0),
        }
    }

    fn waiting_since(&self) -> Instant {
        self.start + Duration::from_millis(self.waiting_since_ms.load(Ordering::Relaxed))
    }

    /// When the head being waited for is overdue, as things stand; while a request is
    /// worked on there is none, so the next look is a whole timeout away.
    pub(super) fn head_deadline(&self, header_read: Duration) -> Instant {
        if self.busy.load(Ordering::Relaxed) > 0 {
            Instant::now() + header_read
        } else {
            self.waiting_since() + header_read
        }
    }

    /// Whether the connection has waited for a request head longer than `header_read`.
    pub(super) fn head_overdue(&self, header_read: Duration) -> bool {
        self.busy.load(Ordering::Relaxed) == 0
            && self.waiting_since() + header_read <= Instant::now()
    }
}

/// A request being worked on, until its answer is written: no head is awaited meanwhile.
pub(super) struct Busy(Arc<Activity>);

impl Busy {
    pub(super) fn start(activity: &Arc<Activity>) -> Self {
        activity.busy.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(activity))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        let ms = u64::try_from(activity.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        activity.waiting_since_ms.store(ms, Ordering::Relaxed);
        activity.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// An answer's body, holding its request's [`Busy`] until hyper has written it.
pub(super) struct Answering {
    body: Body,
    _busy: Busy,
}

impl Answering {
    pub(super) fn new(body: Body, busy: Busy) -> Self {
        Self { body, _busy: busy }
    }
}

impl http_body::Body for Answering {
    type Data = hyper::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket; a write that cannot go anywhere for `idle` (the client stopped taking the
/// answer) fails.
pub(super) struct Watched {
    inner: TcpStream,
    idle: Duration,
    /// Armed when a write first has to wait; disarmed when one goes through.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl Watched {
    pub(super) fn new(inner: TcpStream, idle: Duration) -> Self {
        Self {
            inner,
            idle,
            stalled: None,
        }
    }

    /// The socket, once hyper has finished with the connection.
    pub(super) fn into_inner(self) -> TcpStream {
        self.inner
    }

    /// After a write that had to wait: still waiting, or timed out.
    fn stall<T>(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<T>> {
        let idle = self.idle;
        let timer = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        match timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped taking the answer",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn went_through<T>(
        &mut self,
        polled: Poll<std::io::Result<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<std::io::Result<T>> {
        match polled {
            Poll::Pending => self.stall(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.went_through(polled, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.went_through(polled, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.went_through(polled, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A request body that must arrive within a time from when it is first read; after it,
/// reading fails.
pub(super) struct Deadline {
    body: Incoming,
    within: Duration,
    /// Armed on the first wait, so a body that is never read, or is there at once, costs
    /// no timer.
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Deadline {
    pub(super) fn new(body: Incoming, within: Duration) -> Self {
        Self {
            body,
            within,
            sleep: None,
        }
    }
}

/// The body did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body was not received within the body-read timeout")]
pub struct BodyTimeout;

impl http_body::Body for Deadline {
    type Data = hyper::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let within = this.within;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(within)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(BodyTimeout.into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
