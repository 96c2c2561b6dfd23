//! Request bodies an answer left unread. When a policy answers before the client has sent its
//! whole body (a 401 to a large POST), an HTTP/1.1 connection cannot carry the next request
//! until the rest of that body is read, and closing it under a client still writing makes the
//! client see a reset instead of the answer. So the rest is read and discarded before the
//! answer goes out, as nginx does, while the whole body stays within `max_body_bytes` and the
//! client keeps to `header_read_timeout_ms`; a client past either loses the connection (a body
//! over the limit is never drained).
//!
//! HTTP/2 needs none of this: an unread body resets only its stream.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use tokio::sync::oneshot;

/// An inbound body that, dropped unfinished, hands itself back to [`Leftover`].
pub struct Tracked {
    inner: Option<Incoming>,
    /// Body bytes read so far.
    read: u64,
    back: Option<oneshot::Sender<(Incoming, u64)>>,
}

/// Where an unfinished body comes back to, with the bytes already read.
pub struct Leftover(oneshot::Receiver<(Incoming, u64)>);

pub fn track(body: Incoming) -> (Tracked, Leftover) {
    let (back, leftover) = oneshot::channel();
    let tracked = Tracked {
        inner: Some(body),
        read: 0,
        back: Some(back),
    };
    (tracked, Leftover(leftover))
}

impl Leftover {
    /// Reads and discards what the answer left of the body, if the body was dropped
    /// unfinished, while the whole body stays within `max_bytes` and for at most `time`. A
    /// body still held (streaming to a backend) is left to its holder.
    pub async fn discard(mut self, max_bytes: u64, time: Duration) {
        let Ok((mut body, read)) = self.0.try_recv() else {
            return;
        };
        let read_rest = async move {
            let mut left = max_bytes.saturating_sub(read);
            while let Some(Ok(frame)) = body.frame().await {
                if let Some(data) = frame.data_ref() {
                    let Some(rest) = left.checked_sub(data.len() as u64) else {
                        return;
                    };
                    left = rest;
                }
            }
        };
        let _ = tokio::time::timeout(time, read_rest).await;
    }
}

impl Body for Tracked {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                this.read += frame.data_ref().map_or(0, |d| d.len() as u64);
            }
            // Finished or failed: nothing is left to read.
            Poll::Ready(None | Some(Err(_))) => this.inner = None,
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if let (Some(body), Some(back)) = (self.inner.take(), self.back.take()) {
            if !body.is_end_stream() {
                let _ = back.send((body, self.read));
            }
        }
    }
}
