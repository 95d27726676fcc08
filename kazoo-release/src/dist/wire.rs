//! The bytes of one connection: plain TCP, or TLS over it, every read and write bounded by
//! the connection's [`Deadline`]; and the adapters between them and erl_dist's async handshake.
//!
//! erl_dist's handshake is async over `futures::io` traits; [`Blocking`] gives it a plain
//! blocking socket, so every poll completes at once and `block_on` never parks: no reactor,
//! no threads, nothing to start before the first byte goes out.

use std::io::{self, BufReader, Read, Write};
use std::net::TcpStream;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rustls::{ClientConnection, StreamOwned};

/// When a command's exchanges with a node must be over: its --timeout from the start.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deadline {
    at: Instant,
    /// What the command was given, for the message of a timeout.
    pub(super) timeout: Duration,
}

impl Deadline {
    pub(super) fn after(timeout: Duration) -> Deadline {
        Deadline { at: Instant::now().checked_add(timeout).unwrap_or_else(far_future), timeout }
    }

    /// The time left; none left is a timeout.
    pub(super) fn left(&self) -> io::Result<Duration> {
        match self.at.saturating_duration_since(Instant::now()) {
            left if left.is_zero() => Err(io::ErrorKind::TimedOut.into()),
            left => Ok(left),
        }
    }

    pub(super) fn passed(&self) -> bool {
        self.left().is_err()
    }
}

/// A moment no command reaches (`Duration::MAX` does not fit in an `Instant`).
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

/// A TCP socket whose every read and write waits at most until its deadline. It keeps the
/// first byte the peer sent: a TLS alert's there tells a TLS node from a plain one.
pub(super) struct Bounded {
    pub(super) stream: TcpStream,
    pub(super) deadline: Deadline,
    pub(super) first_byte: Arc<OnceLock<u8>>,
}

impl Bounded {
    pub(super) fn new(stream: TcpStream, deadline: Deadline) -> Bounded {
        Bounded { stream, deadline, first_byte: Arc::default() }
    }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.deadline.left()?))?;
        let n = self.stream.read(buf)?;
        if n > 0 && self.first_byte.get().is_none() {
            let _ = self.first_byte.set(buf[0]);
        }
        Ok(n)
    }
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(self.deadline.left()?))?;
        self.stream.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}

/// What carries a connection's bytes.
pub(super) enum Wire {
    Tcp(Bounded),
    Tls(Box<StreamOwned<ClientConnection, Bounded>>),
}

impl Wire {
    fn bounded(&self) -> &Bounded {
        match self {
            Wire::Tcp(bounded) => bounded,
            Wire::Tls(stream) => stream.get_ref(),
        }
    }

    fn bounded_mut(&mut self) -> &mut Bounded {
        match self {
            Wire::Tcp(bounded) => bounded,
            Wire::Tls(stream) => stream.get_mut(),
        }
    }

    pub(super) fn deadline(&self) -> Deadline {
        self.bounded().deadline
    }

    pub(super) fn set_deadline(&mut self, deadline: Deadline) {
        self.bounded_mut().deadline = deadline;
    }

    /// The first byte the peer sent, if any.
    pub(super) fn first_byte(&self) -> Arc<OnceLock<u8>> {
        self.bounded().first_byte.clone()
    }

    fn shutdown(&mut self) -> io::Result<()> {
        if let Wire::Tls(stream) = self {
            stream.conn.send_close_notify();
            stream.flush()?;
        }
        self.bounded().stream.shutdown(std::net::Shutdown::Write)
    }
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Wire::Tcp(bounded) => bounded.read(buf),
            Wire::Tls(stream) => stream.read(buf),
        }
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Wire::Tcp(bounded) => bounded.write(buf),
            Wire::Tls(stream) => stream.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Wire::Tcp(bounded) => bounded.flush(),
            Wire::Tls(stream) => stream.flush(),
        }
    }
}

/// A wire read through one buffer for the whole connection (the handshake reads its
/// messages a few bytes at a time); every write is one whole message.
pub(super) struct Socket(pub(super) BufReader<Wire>);

impl Socket {
    pub(super) fn new(wire: Wire) -> Socket {
        Socket(BufReader::new(wire))
    }

    pub(super) fn wire(&self) -> &Wire {
        self.0.get_ref()
    }

    pub(super) fn wire_mut(&mut self) -> &mut Wire {
        self.0.get_mut()
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.get_mut().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.get_mut().flush()
    }
}

/// A byte stream that can say it is done writing.
pub(super) trait Duplex: Read + Write {
    fn shutdown(&mut self) -> io::Result<()>;
}

impl Duplex for Socket {
    fn shutdown(&mut self) -> io::Result<()> {
        self.wire_mut().shutdown()
    }
}

/// TLS distribution frames its handshake messages with 4-byte lengths (`{packet, 4}` from
/// the first byte), where erl_dist's handshake writes and reads the 2-byte ones of plain
/// TCP: this turns each into the other. It reads exactly the messages' bytes, so that what
/// follows the handshake stays in the socket's buffer.
pub(super) struct Reframe<S> {
    inner: S,
    /// What erl_dist wrote of a message not yet whole.
    out: Vec<u8>,
    /// The current message's 2-byte length and how much of it was read.
    header: ([u8; 2], usize),
    /// The current message's bytes not yet read.
    body_left: usize,
}

impl<S: Duplex> Reframe<S> {
    pub(super) fn new(inner: S) -> Reframe<S> {
        Reframe { inner, out: Vec::new(), header: ([0; 2], 2), body_left: 0 }
    }

    pub(super) fn into_inner(self) -> S {
        self.inner
    }

    /// Writes every whole message of `out` with a 4-byte length.
    fn send_whole(&mut self) -> io::Result<()> {
        while let Some(len) = self.out.get(..2).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]]))) {
            let Some(body) = self.out.get(2..2 + len) else { break };
            let mut message = Vec::with_capacity(4 + len);
            message.extend_from_slice(&(len as u32).to_be_bytes());
            message.extend_from_slice(body);
            self.inner.write_all(&message)?;
            self.out.drain(..2 + len);
        }
        Ok(())
    }

    /// Reads the next message's 4-byte length; a handshake message never needs more than 2.
    fn next_message(&mut self) -> io::Result<()> {
        let mut len = [0; 4];
        self.inner.read_exact(&mut len)?;
        let len = u32::from_be_bytes(len);
        let short = u16::try_from(len)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("a handshake message of {len} bytes")))?;
        self.header = (short.to_be_bytes(), 0);
        self.body_left = usize::from(short);
        Ok(())
    }
}

impl<S: Duplex> Read for Reframe<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.header.1 == 2 && self.body_left == 0 {
            self.next_message()?;
        }
        let (header, read) = &mut self.header;
        if *read < 2 {
            let n = (2 - *read).min(buf.len());
            buf[..n].copy_from_slice(&header[*read..*read + n]);
            *read += n;
            return Ok(n);
        }
        let wanted = buf.len().min(self.body_left);
        let n = self.inner.read(&mut buf[..wanted])?;
        self.body_left -= n;
        Ok(n)
    }
}

impl<S: Duplex> Write for Reframe<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.extend_from_slice(buf);
        self.send_whole()?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<S: Duplex> Duplex for Reframe<S> {
    fn shutdown(&mut self) -> io::Result<()> {
        self.inner.shutdown()
    }
}

/// A blocking stream behind the `futures::io` traits. Writes gather until a flush, or a read
/// (which must not wait on an answer to bytes still held): erl_dist writes a message's length,
/// tag and body apart, and each would be a TCP segment, and a wakeup of the node, of its own.
pub(super) struct Blocking<S> {
    inner: S,
    held: Vec<u8>,
}

impl<S: Duplex> Blocking<S> {
    pub(super) fn new(inner: S) -> Self {
        Blocking { inner, held: Vec::new() }
    }

    /// The stream, with whatever is still held sent.
    pub(super) fn into_inner(mut self) -> io::Result<S> {
        self.send_held()?;
        Ok(self.inner)
    }

    fn send_held(&mut self) -> io::Result<()> {
        if !self.held.is_empty() {
            self.inner.write_all(&self.held)?;
            self.held.clear();
        }
        self.inner.flush()
    }
}

impl<S: Duplex + Unpin> futures::io::AsyncRead for Blocking<S> {
    fn poll_read(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Poll::Ready(this.send_held().and_then(|()| this.inner.read(buf)))
    }
}

impl<S: Duplex + Unpin> futures::io::AsyncWrite for Blocking<S> {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.get_mut().held.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().send_held())
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        Poll::Ready(this.send_held().and_then(|()| this.inner.shutdown()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory duplex: reads from `input`, collects writes.
    struct Memory {
        input: io::Cursor<Vec<u8>>,
        written: Vec<u8>,
    }

    impl Read for Memory {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Memory {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Duplex for Memory {
        fn shutdown(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_gather_until_a_flush_or_a_read() {
        use futures::io::{AsyncReadExt, AsyncWriteExt};
        let memory = Memory { input: io::Cursor::new(b"ok".to_vec()), written: vec![] };
        let mut blocking = Blocking::new(memory);
        futures::executor::block_on(async {
            blocking.write_all(&[0, 2]).await.unwrap();
            blocking.write_all(b"hi").await.unwrap();
            assert!(blocking.inner.written.is_empty(), "held until the message is whole");
            blocking.flush().await.unwrap();
            assert_eq!(blocking.inner.written, b"\0\x02hi");
            blocking.write_all(b"more").await.unwrap();
            let mut answer = [0; 2];
            blocking.read_exact(&mut answer).await.unwrap();
        });
        assert_eq!(blocking.into_inner().unwrap().written, b"\0\x02himore", "a read sends what is held first");
    }

    #[test]
    fn handshake_messages_go_out_with_4_byte_lengths_and_come_in_with_2() {
        let input = [&[0, 0, 0, 3][..], b"sok", &[0, 0, 0, 1], b"a", b"after"].concat();
        let mut reframe = Reframe::new(Memory { input: io::Cursor::new(input), written: vec![] });
        reframe.write_all(&[0, 2]).unwrap();
        reframe.write_all(b"hi").unwrap();
        reframe.write_all(&[0, 0]).unwrap();
        let mut first = [0; 5];
        reframe.read_exact(&mut first).unwrap();
        let mut second = [0; 3];
        reframe.read_exact(&mut second).unwrap();
        assert_eq!((&first[..], &second[..]), (&b"\0\x03sok"[..], &b"\0\x01a"[..]));
        let mut memory = reframe.into_inner();
        assert_eq!(memory.written, [&[0, 0, 0, 2][..], b"hi", &[0, 0, 0, 0]].concat());
        let mut rest = String::new();
        memory.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "after", "nothing past the handshake's messages is read");
    }

    #[test]
    fn a_handshake_message_too_long_for_2_bytes_is_refused() {
        let input = vec![0, 1, 0, 0];
        let mut reframe = Reframe::new(Memory { input: io::Cursor::new(input), written: vec![] });
        let e = reframe.read(&mut [0; 2]).unwrap_err();
        assert_eq!(e.to_string(), "a handshake message of 65536 bytes");
    }
}
