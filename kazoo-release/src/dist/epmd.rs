//! Where a node listens: one PORT_PLEASE2 request to the EPMD of its host.

use std::net::{SocketAddr, TcpStream};

use erl_dist::epmd::{EpmdClient, EpmdError};

use super::connection::{connect_any, io_error, resolve, Deadline};
use super::wire::{Blocking, Bounded, Socket, Wire};
use super::DistError;
use crate::name::NodeName;

/// The distribution port of `node`, from the EPMD on its host (at `epmd_port`).
pub(super) fn port_of(node: &NodeName, epmd_port: u16, deadline: Deadline) -> Result<u16, DistError> {
    address_of(node, epmd_port, deadline).map(|(_, port)| port)
}

/// The node's host's addresses (resolved once, for EPMD and the node alike) and the node's
/// distribution port, before `deadline`.
pub(super) fn address_of(
    node: &NodeName,
    epmd_port: u16,
    deadline: Deadline,
) -> Result<(Vec<SocketAddr>, u16), DistError> {
    let addrs = resolve(&node.host, epmd_port).map_err(|source| DistError::UnknownHost {
        node: node.to_string(),
        host: node.host.clone(),
        source,
    })?;
    let stream = connect_any(&node.host, &addrs, deadline).map_err(|source| DistError::EpmdDown {
        node: node.to_string(),
        host: node.host.clone(),
        source,
    })?;
    Ok((addrs, lookup(stream, node, deadline)?))
}

fn lookup(stream: TcpStream, node: &NodeName, deadline: Deadline) -> Result<u16, DistError> {
    let reply = futures::executor::block_on(
        EpmdClient::new(Blocking::new(Socket::new(Wire::Tcp(Bounded::new(stream, deadline))))).get_node(&node.name),
    );
    match reply {
        Ok(Some(entry)) => Ok(entry.port),
        Ok(None) => Err(DistError::NotRegistered { node: node.to_string(), host: node.host.clone() }),
        Err(EpmdError::Io(e)) => Err(io_error(&format!("{node} (its EPMD)"), deadline, e)),
        Err(e) => Err(DistError::Protocol { node: node.to_string(), detail: format!("EPMD: {e}") }),
    }
}
