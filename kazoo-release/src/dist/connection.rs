//! One distribution connection: TCP or TLS, the handshake as a hidden node, and framed
//! messages. Every read and write waits at most until the connection's [`Deadline`], so a
//! peer that answers a byte at a time cannot stretch a command past its --timeout.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use erl_dist::handshake::{ClientSideHandshake, HandshakeError};
use erl_dist::message::Message;
use erl_dist::node::{Creation, LocalNode, NodeName as DistName, PeerNode};
use erl_dist::term::Pid;
use erl_dist::{DistributionFlags, LOWEST_DISTRIBUTION_PROTOCOL_VERSION};
use futures::executor::block_on;

use super::tls::{self, Tls};
pub(super) use super::wire::Deadline;
use super::wire::{Blocking, Bounded, Duplex, Reframe, Socket, Wire};
use super::{epmd, DistError, Reach, Transport};
use crate::name::NodeName;

/// The type tag before every message after the handshake (the "pass through" header).
const PASS_THROUGH: u8 = 112;

/// The largest message a node may send us unless told otherwise: far above what a ping, a
/// pid or a page of `eval` output takes, far below what would strain the machine.
pub const DEFAULT_MAX_REPLY_SIZE: u64 = 64 << 20;

/// How long a TLS client waits for the node's first answer before it asks, on a second
/// connection, whether the node speaks plain TCP (which answers a ClientHello with nothing).
const PLAIN_PROBE_AFTER: Duration = Duration::from_millis(500);

/// The content type of a TLS alert record: what a TLS node answers a plain name message with.
const TLS_ALERT: u8 = 0x15;

/// The addresses of `host:port`.
pub(super) fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    Ok((host, port).to_socket_addrs()?.collect())
}

/// A TCP connection to the first of `addrs` (of `host`) that answers before `deadline`,
/// with Nagle off: every message here is one small request waiting for its answer.
pub(super) fn connect_any(host: &str, addrs: &[SocketAddr], deadline: Deadline) -> io::Result<TcpStream> {
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
    /// writes go to its wire.
    socket: Socket,
    /// Our own pid on this connection: the sender of calls and the group leader of what they run.
    pub(super) me: Pid,
    pub(super) node: String,
    /// The largest message taken from the node; a larger one is refused before it is read.
    pub(super) max_message: u64,
}

impl Connection {
    /// Finds the node's port (EPMD, or the fixed one), connects (TLS too when `reach` says
    /// so) and shakes hands with `cookie`, all before `deadline`, which then bounds what
    /// follows on the connection too.
    pub(super) fn open(
        node: &NodeName,
        cookie: &str,
        deadline: Deadline,
        reach: &Reach,
    ) -> Result<Connection, DistError> {
        let local = local_node(&reach.helper, node)?;
        let me = Pid::new(local.name.to_string(), 1, 0, local.creation.get());
        let wire = open_wire(node, deadline, reach)?;
        let tls = match &reach.transport {
            Transport::Tcp => None,
            Transport::Tls(tls) => Some(tls),
        };
        let first_byte = wire.first_byte();
        let error = |e, challenged| {
            let plain_met_tls = tls.is_none() && first_byte.get() == Some(&TLS_ALERT);
            match plain_met_tls {
                true => mismatch(node, reach, "TLS", "plain TCP"),
                false => handshake_error(node, deadline, tls, e, challenged),
            }
        };
        let (socket, peer) = match tls {
            None => handshake(Socket::new(wire), local, cookie, error)?,
            Some(_) => {
                let (reframed, peer) = handshake(Reframe::new(Socket::new(wire)), local, cookie, error)?;
                (reframed.into_inner(), peer)
            }
        };
        // As OTP does: a node that answers to another name is not the node asked for (a
        // host alias, an address, a second node behind one port).
        if peer.name.to_string() != node.to_string() {
            return Err(DistError::OtherNode { node: node.to_string(), answered: peer.name.to_string() });
        }
        Ok(Connection { socket, me, node: node.to_string(), max_message: DEFAULT_MAX_REPLY_SIZE })
    }

    /// What bounds the exchanges from now on.
    pub(super) fn deadline(&self) -> Deadline {
        self.socket.wire().deadline()
    }

    pub(super) fn set_deadline(&mut self, deadline: Deadline) {
        self.socket.wire_mut().set_deadline(deadline);
    }

    /// Sends one message.
    pub(super) fn send(&mut self, message: Message) -> Result<(), DistError> {
        let mut frame = vec![0; 5];
        message.write_into(&mut frame).map_err(|e| self.protocol(e))?;
        let len = u32::try_from(frame.len() - 4).map_err(|e| self.protocol(e))?;
        frame[..4].copy_from_slice(&len.to_be_bytes());
        frame[4] = PASS_THROUGH;
        let deadline = self.deadline();
        self.socket.write_all(&frame).map_err(|e| io_error(&self.node, deadline, e))
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
        self.socket.write_all(&[0; 4]).map_err(|e| io_error(&self.node, deadline, e))
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
pub(super) fn local_node(helper: &str, node: &NodeName) -> Result<LocalNode, DistError> {
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

/// The connected wire to `node`: its port from EPMD or `reach`'s fixed one, TLS when
/// `reach` says so.
pub(super) fn open_wire(node: &NodeName, deadline: Deadline, reach: &Reach) -> Result<Wire, DistError> {
    let (addrs, port) = match reach.dist_port {
        Some(port) => (resolve(&node.host, port).map_err(|e| unknown_host(node, e))?, port),
        None => epmd::address_of(node, reach.epmd_port, deadline)?,
    };
    let socket = Bounded::new(connect_node(node, &addrs, port, deadline, reach)?, deadline);
    match &reach.transport {
        Transport::Tcp => Ok(Wire::Tcp(socket)),
        Transport::Tls(tls) => {
            let plain_probe = || speaks_plain(node, &addrs, port, deadline, reach);
            tls_wire(node, tls, socket, plain_probe, reach).map(|stream| Wire::Tls(Box::new(stream)))
        }
    }
}

fn unknown_host(node: &NodeName, source: io::Error) -> DistError {
    DistError::UnknownHost { node: node.to_string(), host: node.host.clone(), source }
}

/// A TCP connection to the node at `port` of `addrs`; refused at a fixed port means that
/// no node runs there.
fn connect_node(
    node: &NodeName,
    addrs: &[SocketAddr],
    port: u16,
    deadline: Deadline,
    reach: &Reach,
) -> Result<TcpStream, DistError> {
    let addrs: Vec<SocketAddr> = addrs.iter().map(|a| SocketAddr::new(a.ip(), port)).collect();
    connect_any(&node.host, &addrs, deadline).map_err(|source| match source.kind() {
        io::ErrorKind::ConnectionRefused if reach.dist_port.is_some() => {
            DistError::NotListening { node: node.to_string(), port }
        }
        io::ErrorKind::ConnectionRefused => DistError::ConnectionRefused { node: node.to_string(), port, source },
        _ => io_error(&node.to_string(), deadline, source),
    })
}

/// The TLS handshake with the node. A node that speaks plain TCP answers a ClientHello
/// with nothing (it waits for the rest of what it took for a long name message): when no
/// answer comes soon, `plain_probe` asks on a second connection, so that the operator
/// learns which side speaks what rather than waiting for a timeout.
fn tls_wire(
    node: &NodeName,
    tls: &Tls,
    mut socket: Bounded,
    plain_probe: impl FnOnce() -> bool,
    reach: &Reach,
) -> Result<rustls::StreamOwned<rustls::ClientConnection, Bounded>, DistError> {
    let deadline = socket.deadline;
    let failed = |e: io::Error| match tls::explain(&e, tls) {
        Some(detail) => DistError::Tls { node: node.to_string(), detail },
        None => io_error(&node.to_string(), deadline, e),
    };
    let mut client = tls.client(&node.host).map_err(failed)?;
    tls::send_pending(&mut client, &mut socket).map_err(failed)?;
    let wait = PLAIN_PROBE_AFTER.min(deadline.left().map_err(failed)?);
    if !tls::answers_within(&socket, wait).map_err(failed)? && plain_probe() {
        return Err(mismatch(node, reach, "plain TCP", "TLS"));
    }
    tls::finish(client, socket).map_err(failed)
}

/// Whether the node at `port` answers a plain name message as a plain node does, within
/// the probe's own short bound.
fn speaks_plain(node: &NodeName, addrs: &[SocketAddr], port: u16, deadline: Deadline, reach: &Reach) -> bool {
    let probe =
        Deadline::after(PLAIN_PROBE_AFTER.min(deadline.left().unwrap_or_default()).max(Duration::from_millis(1)));
    let Ok(stream) = connect_node(node, addrs, port, probe, reach) else { return false };
    let Ok(local) = local_node(&reach.helper, node) else { return false };
    let mut handshake =
        ClientSideHandshake::new(Blocking::new(Socket::new(Wire::Tcp(Bounded::new(stream, probe)))), local, "");
    block_on(handshake.execute_send_name(LOWEST_DISTRIBUTION_PROTOCOL_VERSION)).is_ok()
}

fn mismatch(node: &NodeName, reach: &Reach, node_speaks: &'static str, we_speak: &'static str) -> DistError {
    DistError::Mismatch { node: node.to_string(), node_speaks, we_speak, var: reach.dist_var.clone() }
}

/// The handshake in its two parts, so that a failure knows whether the node had already
/// accepted our name (`challenged`): only then does a closed connection mean a bad cookie.
fn handshake<S: Duplex + Unpin>(
    stream: S,
    local: LocalNode,
    cookie: &str,
    error: impl Fn(HandshakeError, bool) -> DistError,
) -> Result<(S, PeerNode), DistError> {
    let mut handshake = ClientSideHandshake::new(Blocking::new(stream), local, cookie);
    block_on(handshake.execute_send_name(LOWEST_DISTRIBUTION_PROTOCOL_VERSION)).map_err(|e| error(e, false))?;
    let (stream, peer) = block_on(handshake.execute_rest(true)).map_err(|e| error(e, true))?;
    Ok((stream.into_inner().map_err(|e| error(e.into(), true))?, peer))
}

/// A node that dislikes our challenge reply closes the connection without a word; one whose
/// own digest does not match ours fails the check here: both mean the cookies differ.
fn handshake_error(
    node: &NodeName,
    deadline: Deadline,
    tls: Option<&Tls>,
    error: HandshakeError,
    challenged: bool,
) -> DistError {
    let name = node.to_string();
    if let (HandshakeError::Io(e), Some(tls)) = (&error, tls) {
        if let Some(detail) = tls::explain(e, tls) {
            return DistError::Tls { node: name, detail };
        }
    }
    match error {
        HandshakeError::CookieMismatch => DistError::CookieRejected { node: name },
        HandshakeError::Io(e) if challenged && is_closed(&e) => DistError::CookieRejected { node: name },
        HandshakeError::Io(e) if is_closed(&e) => DistError::Connection {
            node: name,
            detail: "the node closed the connection before the handshake (does it use -name where we use -sname, or the reverse?)".into(),
        },
        HandshakeError::Io(e) => io_error(&name, deadline, e),
        other => DistError::Protocol { node: name, detail: format!("handshake: {other}") },
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
