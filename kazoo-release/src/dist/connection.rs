//! One distribution connection: TCP, the handshake as a hidden node, and framed messages.
//!
//! erl_dist's handshake is async over `futures::io` traits; [`Blocking`] gives it a plain
//! blocking socket, so every poll completes at once and `block_on` never parks: no reactor,
//! no threads, nothing to start before the first byte goes out. Reads go through one
//! buffer for the whole connection (the handshake reads its messages a few bytes at a
//! time); every write is one whole message.

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

/// A blocking socket behind the `futures::io` traits, reading through a buffer.
pub(super) struct Blocking(pub(super) BufReader<TcpStream>);

impl Blocking {
    pub(super) fn new(stream: TcpStream) -> Blocking {
        Blocking(BufReader::new(stream))
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
        Poll::Ready(self.get_mut().0.get_mut().shutdown(std::net::Shutdown::Write))
    }
}

/// The addresses of `host:port`.
pub(super) fn resolve(host: &str, port: u16) -> io::Result<Vec<std::net::SocketAddr>> {
    Ok((host, port).to_socket_addrs()?.collect())
}

/// A TCP connection to the first of `addrs` (of `host`) that answers, bounded by `timeout`,
/// with Nagle off: every message here is one small request waiting for its answer.
pub(super) fn connect_any(host: &str, addrs: &[std::net::SocketAddr], timeout: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{host} resolves to no address"));
    for &addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => {
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(timeout))?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// An established connection to a node, as a hidden node of our own.
pub(super) struct Connection {
    /// Reads through the handshake's buffer, which may already hold the first message.
    reader: BufReader<TcpStream>,
    stream: TcpStream,
    /// Our own pid on this connection: the sender of calls and the group leader of what they run.
    pub(super) me: Pid,
    pub(super) node: String,
}

impl Connection {
    /// Looks the node up in EPMD, connects and shakes hands with `cookie`.
    pub(super) fn open(
        node: &NodeName,
        cookie: &str,
        timeout: Duration,
        reach: &super::Reach,
    ) -> Result<Connection, DistError> {
        let (mut addrs, port) = epmd::address_of(node, reach.epmd_port, timeout)?;
        addrs.iter_mut().for_each(|addr| addr.set_port(port));
        let stream = connect_any(&node.host, &addrs, timeout).map_err(|source| match source.kind() {
            io::ErrorKind::ConnectionRefused => DistError::ConnectionRefused { node: node.to_string(), port, source },
            _ => io_error(&node.to_string(), timeout, source),
        })?;
        let local = local_node(&reach.helper, &node.host);
        let me = Pid::new(local.name.to_string(), 1, 0, local.creation.get());
        let socket = stream.try_clone().map_err(|e| io_error(&node.to_string(), timeout, e))?;
        let (Blocking(reader), peer) = handshake(Blocking::new(socket), local, cookie, |e, challenged| {
            handshake_error(node, timeout, e, challenged)
        })?;
        // As OTP does: a node that answers to another name is not the node asked for (a
        // host alias, an address, a second node behind one port).
        if peer.name.to_string() != node.to_string() {
            return Err(DistError::OtherNode { node: node.to_string(), answered: peer.name.to_string() });
        }
        Ok(Connection { reader, stream, me, node: node.to_string() })
    }

    /// Sends one message.
    pub(super) fn send(&mut self, message: Message) -> Result<(), DistError> {
        let mut frame = vec![0; 5];
        message.write_into(&mut frame).map_err(|e| self.protocol(e))?;
        let len = u32::try_from(frame.len() - 4).map_err(|e| self.protocol(e))?;
        frame[..4].copy_from_slice(&len.to_be_bytes());
        frame[4] = PASS_THROUGH;
        self.stream.write_all(&frame).map_err(|e| self.lost(e))
    }

    /// The next message for us, answering the node's ticks on the way (it drops a
    /// connection that stays silent for a whole tick time, 60 s by default).
    pub(super) fn recv(&mut self, deadline: Instant, timeout: Duration) -> Result<Message, DistError> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(DistError::Timeout { node: self.node.clone(), timeout });
            }
            self.stream.set_read_timeout(Some(left)).map_err(|e| self.lost(e))?;
            let frame = self.read_frame().map_err(|e| io_error(&self.node, timeout, e))?;
            match frame.split_first() {
                None => self.stream.write_all(&[0; 4]).map_err(|e| self.lost(e))?,
                Some((&PASS_THROUGH, body)) => {
                    return Message::read_from(&mut &body[..]).map_err(|e| self.protocol(e));
                }
                Some((tag, _)) => return Err(self.protocol(format!("a message with type tag {tag}"))),
            }
        }
    }

    /// Whether the node closed the connection (as it does when it stops) before `deadline`.
    pub(super) fn wait_closed(&mut self, deadline: Instant, timeout: Duration) -> bool {
        loop {
            match self.recv(deadline, timeout) {
                Ok(_) => continue,
                Err(DistError::Timeout { .. }) => return false,
                Err(_) => return true,
            }
        }
    }

    fn read_frame(&mut self) -> io::Result<Vec<u8>> {
        let mut len = [0; 4];
        self.reader.read_exact(&mut len)?;
        let mut frame = vec![0; u32::from_be_bytes(len) as usize];
        self.reader.read_exact(&mut frame)?;
        Ok(frame)
    }

    fn lost(&self, e: io::Error) -> DistError {
        DistError::Connection { node: self.node.clone(), detail: e.to_string() }
    }

    fn protocol(&self, e: impl std::fmt::Display) -> DistError {
        DistError::Protocol { node: self.node.clone(), detail: e.to_string() }
    }
}

/// Our own node: hidden (never published, so it joins no global group), named uniquely per
/// process and connection so that concurrent commands never collide, on the peer's host so
/// that short and long names match.
fn local_node(helper: &str, host: &str) -> LocalNode {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let name = format!("{helper}_ctl_{}_{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed));
    let name = DistName::new(&name, host).expect("a short name and a non-empty host");
    let mut local = LocalNode::new(name, Creation::random());
    // So that the node sends what its code prints as unicode, not latin1.
    local.flags |= DistributionFlags::UNICODE_IO;
    local
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
fn handshake_error(node: &NodeName, timeout: Duration, error: HandshakeError, challenged: bool) -> DistError {
    let node = node.to_string();
    match error {
        HandshakeError::CookieMismatch => DistError::CookieRejected { node },
        HandshakeError::Io(e) if challenged && is_closed(&e) => DistError::CookieRejected { node },
        HandshakeError::Io(e) if is_closed(&e) => DistError::Connection {
            node,
            detail: "the node closed the connection before the handshake (does it use -name where we use -sname, or the reverse?)".into(),
        },
        HandshakeError::Io(e) => io_error(&node, timeout, e),
        other => DistError::Protocol { node, detail: format!("handshake: {other}") },
    }
}

fn is_closed(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset)
}

fn io_error(node: &str, timeout: Duration, e: io::Error) -> DistError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => DistError::Timeout { node: node.to_owned(), timeout },
        io::ErrorKind::UnexpectedEof => {
            DistError::Connection { node: node.to_owned(), detail: "the node closed the connection".into() }
        }
        _ => DistError::Connection { node: node.to_owned(), detail: e.to_string() },
    }
}
