//! One distribution connection: TCP, the handshake as a hidden node, and framed messages.
//!
//! erl_dist's handshake is async over `futures::io` traits; [`Blocking`] gives it a plain
//! blocking socket, so every poll completes at once and `block_on` never parks: no reactor,
//! no threads, nothing to start before the first byte goes out. Reads go through one
//! buffer for the whole connection (the handshake reads its messages a few bytes at a
//! time); every write is one whole message. Every read and write waits at most until the
//! connection's [`Deadline`], so a peer that answers a byte at a time cannot stretch a
//! command past its --timeout.

use std::io::{self, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use erl_dist::handshake::{ClientSideHandshake, HandshakeError};
use erl_dist::message::Message;
use erl_dist::node::{Creation, LocalNode, NodeName as DistName, PeerNode};
use erl_dist::term::Pid;
use erl_dist::{DistributionFlags, LOWEST_DISTRIBUTION_PROTOCOL_VERSION};
use futures::executor::block_on;

use super::{epmd, DistError};
use crate::name::NodeName;

/// The type tag before every message after the handshake (the "pass through" header).
const PASS_THROUGH: u8 = 112;

/// The largest message a node may send us unless told otherwise: far above what a ping, a
/// pid or a page of `eval` output takes, far below what would strain the machine.
pub const DEFAULT_MAX_REPLY_SIZE: u64 = 64 << 20;

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
    fn left(&self) -> io::Result<Duration> {
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

/// A socket whose every read and write waits at most until its deadline.
pub(super) struct Bounded {
    stream: TcpStream,
    pub(super) deadline: Deadline,
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.deadline.left()?))?;
        self.stream.read(buf)
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

/// A blocking socket behind the `futures::io` traits, reading through a buffer.
pub(super) struct Blocking(pub(super) BufReader<Bounded>);

impl Blocking {
    pub(super) fn new(stream: TcpStream, deadline: Deadline) -> Blocking {
        Blocking(BufReader::new(Bounded { stream, deadline }))
    }
}

impl futures::io::AsyncRead for Blocking {
    fn poll_read(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(self.get_mut().0.read(buf))
    }
}

impl futures::io::AsyncWrite for Blocking {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(self.get_mut().0.get_mut().write(buf))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().0.get_mut().flush())
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.get_mut().0.get_mut().stream.shutdown(std::net::Shutdown::Write))
    }
}

/// The addresses of `host:port`.
pub(super) fn resolve(host: &str, port: u16) -> io::Result<Vec<std::net::SocketAddr>> {
    Ok((host, port).to_socket_addrs()?.collect())
}

/// A TCP connection to the first of `addrs` (of `host`) that answers before `deadline`,
/// with Nagle off: every message here is one small request waiting for its answer.
pub(super) fn connect_any(host: &str, addrs: &[std::net::SocketAddr], deadline: Deadline) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{host} resolves to no address"));
    for &addr in addrs {
        match TcpStream::connect_timeout(&addr, deadline.left()?) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// An established connection to a node, as a hidden node of our own.
pub(super) struct Connection {
    /// Reads through the handshake's buffer, which may already hold the first message;
    /// writes go to its socket.
    socket: BufReader<Bounded>,
    /// Our own pid on this connection: the sender of calls and the group leader of what they run.
    pub(super) me: Pid,
    pub(super) node: String,
    /// The largest message taken from the node; a larger one is refused before it is read.
    pub(super) max_message: u64,
}

impl Connection {
    /// Looks the node up in EPMD, connects and shakes hands with `cookie`, all before
    /// `deadline`, which then bounds what follows on the connection too.
    pub(super) fn open(
        node: &NodeName,
        cookie: &str,
        deadline: Deadline,
        reach: &super::Reach,
    ) -> Result<Connection, DistError> {
        let local = local_node(&reach.helper, node)?;
        let (mut addrs, port) = epmd::address_of(node, reach.epmd_port, deadline)?;
        addrs.iter_mut().for_each(|addr| addr.set_port(port));
        let stream = connect_any(&node.host, &addrs, deadline).map_err(|source| match source.kind() {
            io::ErrorKind::ConnectionRefused => DistError::ConnectionRefused { node: node.to_string(), port, source },
            _ => io_error(&node.to_string(), deadline, source),
        })?;
        let me = Pid::new(local.name.to_string(), 1, 0, local.creation.get());
        let (Blocking(socket), peer) = handshake(Blocking::new(stream, deadline), local, cookie, |e, challenged| {
            handshake_error(node, deadline, e, challenged)
        })?;
        // As OTP does: a node that answers to another name is not the node asked for (a
        // host alias, an address, a second node behind one port).
        if peer.name.to_string() != node.to_string() {
            return Err(DistError::OtherNode { node: node.to_string(), answered: peer.name.to_string() });
        }
        Ok(Connection { socket, me, node: node.to_string(), max_message: DEFAULT_MAX_REPLY_SIZE })
    }

    /// What bounds the exchanges from now on.
    pub(super) fn deadline(&self) -> Deadline {
        self.socket.get_ref().deadline
    }

    pub(super) fn set_deadline(&mut self, deadline: Deadline) {
        self.socket.get_mut().deadline = deadline;
    }

    /// Sends one message.
    pub(super) fn send(&mut self, message: Message) -> Result<(), DistError> {
        let mut frame = vec![0; 5];
        message.write_into(&mut frame).map_err(|e| self.protocol(e))?;
        let len = u32::try_from(frame.len() - 4).map_err(|e| self.protocol(e))?;
        frame[..4].copy_from_slice(&len.to_be_bytes());
        frame[4] = PASS_THROUGH;
        let deadline = self.deadline();
        self.socket.get_mut().write_all(&frame).map_err(|e| io_error(&self.node, deadline, e))
    }

    /// The next message for us, answering the node's ticks on the way (it drops a
    /// connection that stays silent for a whole tick time, 60 s by default).
    pub(super) fn recv(&mut self) -> Result<Message, DistError> {
        loop {
            let frame = self.read_frame()?;
            match frame.split_first() {
                None => self.send_tick()?,
                Some((&PASS_THROUGH, body)) => {
                    return Message::read_from(&mut &body[..]).map_err(|e| self.protocol(e));
                }
                Some((tag, _)) => return Err(self.protocol(format!("a message with type tag {tag}"))),
            }
        }
    }

    /// Whether the node closed the connection (as it does when it stops) before the deadline.
    pub(super) fn wait_closed(&mut self) -> bool {
        loop {
            match self.recv() {
                Ok(_) => continue,
                Err(DistError::Timeout { .. }) => return false,
                Err(_) => return true,
            }
        }
    }

    fn send_tick(&mut self) -> Result<(), DistError> {
        let deadline = self.deadline();
        self.socket.get_mut().write_all(&[0; 4]).map_err(|e| io_error(&self.node, deadline, e))
    }

    /// One frame, its announced length checked first and never allocated up front: memory
    /// grows with what arrives, and a frame above the cap is refused unread.
    fn read_frame(&mut self) -> Result<Vec<u8>, DistError> {
        let deadline = self.deadline();
        let failed = |e| io_error(&self.node, deadline, e);
        let mut len = [0; 4];
        self.socket.read_exact(&mut len).map_err(failed)?;
        let len = u64::from(u32::from_be_bytes(len));
        if len > self.max_message {
            return Err(DistError::TooLarge { node: self.node.clone(), size: len, max: self.max_message });
        }
        let mut frame = Vec::new();
        (&mut self.socket).take(len).read_to_end(&mut frame).map_err(failed)?;
        match frame.len() as u64 == len {
            true => Ok(frame),
            false => Err(failed(io::ErrorKind::UnexpectedEof.into())),
        }
    }

    fn protocol(&self, e: impl std::fmt::Display) -> DistError {
        DistError::Protocol { node: self.node.clone(), detail: e.to_string() }
    }
}

/// Our own node: hidden (never published, so it joins no global group), named uniquely per
/// process and connection so that concurrent commands never collide, on the peer's host so
/// that short and long names match. Node names travel as atoms of at most 255 bytes: a
/// host too long for ours (or the node's) is refused here, before anything is sent.
fn local_node(helper: &str, node: &NodeName) -> Result<LocalNode, DistError> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let name = format!("{helper}_ctl_{}_{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed));
    let too_long = |name: &str, e| DistError::BadName {
        node: node.to_string(),
        detail: format!("`{name}@{}` cannot be a node name ({e})", node.host),
    };
    DistName::new(&node.name, &node.host).map_err(|e| too_long(&node.name, e))?;
    let name = DistName::new(&name, &node.host).map_err(|e| too_long(&name, e))?;
    let mut local = LocalNode::new(name, Creation::random());
    // So that the node sends what its code prints as unicode, not latin1.
    local.flags |= DistributionFlags::UNICODE_IO;
    Ok(local)
}

/// The handshake in its two parts, so that a failure knows whether the node had already
/// accepted our name (`challenged`): only then does a closed connection mean a bad cookie.
fn handshake(
    stream: Blocking,
    local: LocalNode,
    cookie: &str,
    error: impl Fn(HandshakeError, bool) -> DistError,
) -> Result<(Blocking, PeerNode), DistError> {
    let mut handshake = ClientSideHandshake::new(stream, local, cookie);
    block_on(handshake.execute_send_name(LOWEST_DISTRIBUTION_PROTOCOL_VERSION)).map_err(|e| error(e, false))?;
    block_on(handshake.execute_rest(true)).map_err(|e| error(e, true))
}

/// A node that dislikes our challenge reply closes the connection without a word; one whose
/// own digest does not match ours fails the check here: both mean the cookies differ.
fn handshake_error(node: &NodeName, deadline: Deadline, error: HandshakeError, challenged: bool) -> DistError {
    let node = node.to_string();
    match error {
        HandshakeError::CookieMismatch => DistError::CookieRejected { node },
        HandshakeError::Io(e) if challenged && is_closed(&e) => DistError::CookieRejected { node },
        HandshakeError::Io(e) if is_closed(&e) => DistError::Connection {
            node,
            detail: "the node closed the connection before the handshake (does it use -name where we use -sname, or the reverse?)".into(),
        },
        HandshakeError::Io(e) => io_error(&node, deadline, e),
        other => DistError::Protocol { node, detail: format!("handshake: {other}") },
    }
}

fn is_closed(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset)
}

pub(super) fn io_error(node: &str, deadline: Deadline, e: io::Error) -> DistError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
            DistError::Timeout { node: node.to_owned(), timeout: deadline.timeout }
        }
        io::ErrorKind::UnexpectedEof => {
            DistError::Connection { node: node.to_owned(), detail: "the node closed the connection".into() }
        }
        _ => DistError::Connection { node: node.to_owned(), detail: e.to_string() },
    }
}
