//! Which node listens at a fixed port, without a cookie: the first half of a handshake.
//! Nodes without EPMD are reached at the one port they all use, so that a node type's name
//! there may be another node's; the node names itself in its challenge, which comes before
//! any proof of the cookie. The probe hangs up then, as a peer whose connection breaks does:
//! the node logs nothing (a wrong challenge reply would be logged as a rejected attempt).

use std::io::{self, Read};

use erl_dist::LOWEST_DISTRIBUTION_PROTOCOL_VERSION;

use super::connection::{io_error, local_node, open_wire, Deadline};
use super::wire::{Duplex, Reframe, Socket, Wire};
use super::{DistError, Reach};
use crate::name::NodeName;

/// `Ok` when the node listening at `reach`'s fixed port on `node`'s host is `node`.
pub(super) fn answers_as(node: &NodeName, reach: &Reach, deadline: Deadline) -> Result<(), DistError> {
    let local = local_node(&reach.helper, node)?;
    let wire = open_wire(node, deadline, reach)?;
    let failed = |e| io_error(&node.to_string(), deadline, e);
    let me = local.name.to_string();
    let answered = match wire {
        Wire::Tcp(_) => name_in_challenge(&mut Socket::new(wire), local.flags.bits(), &me),
        Wire::Tls(_) => name_in_challenge(&mut Reframe::new(Socket::new(wire)), local.flags.bits(), &me),
    }
    .map_err(failed)?;
    match answered == node.to_string() {
        true => Ok(()),
        false => Err(DistError::OtherNode { node: node.to_string(), answered }),
    }
}

/// Sends our name (protocol version 6) and reads the status and the challenge's node name.
fn name_in_challenge(stream: &mut impl Duplex, flags: u64, me: &str) -> io::Result<String> {
    debug_assert_eq!(LOWEST_DISTRIBUTION_PROTOCOL_VERSION, 6);
    let mut name = vec![b'N'];
    name.extend_from_slice(&flags.to_be_bytes());
    name.extend_from_slice(&0u32.to_be_bytes());
    name.extend_from_slice(&(me.len() as u16).to_be_bytes());
    name.extend_from_slice(me.as_bytes());
    let mut message = (name.len() as u16).to_be_bytes().to_vec();
    message.extend_from_slice(&name);
    stream.write_all(&message)?;
    let status = read_message(stream)?;
    if !status.starts_with(b"sok") {
        return Err(unexpected(format!("status `{}`", String::from_utf8_lossy(&status))));
    }
    let challenge = read_message(stream)?;
    // 'N', flags (8), challenge (4), creation (4), name length (2), name.
    match challenge.split_first() {
        Some((b'N', rest)) if rest.len() >= 18 => Ok(String::from_utf8_lossy(&rest[18..]).into_owned()),
        _ => Err(unexpected("a challenge it could not read".into())),
    }
}

fn read_message(stream: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0; 2];
    stream.read_exact(&mut len)?;
    let mut message = vec![0; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut message)?;
    Ok(message)
}

fn unexpected(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("the node answered our name with {what}"))
}
