//! An Erlang distribution client, so that ping, pid, eval, rpc and stop need no second BEAM.
//!
//! [`Client::connect`] looks the node up in EPMD, connects and shakes hands as a hidden node
//! with the node's cookie; calls then go through `rex` as `rpc:call` does, with our own
//! process as the group leader (an I/O server) so that what remote code prints reaches us.
//! Everything is blocking on one socket: a command costs a few round trips and no runtime.
//! A command's --timeout is one deadline for all of it, and a message above a cap is
//! refused before it is read: a node (or whatever answers in its place) can hold a command
//! neither longer than it was given nor to more memory than the cap.

mod connection;
mod control;
mod epmd;
mod error;
mod eval;
mod io_server;
mod rpc;

pub use connection::DEFAULT_MAX_REPLY_SIZE;
pub use control::{is_running, print_versions, Versions};
pub use error::DistError;
pub use rpc::Client;

/// How this process reaches nodes: the name prefix of its own hidden node, and the port of
/// the EPMD on the nodes' hosts (`ERL_EPMD_PORT` as erl honours it, read by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub helper: String,
    pub epmd_port: u16,
}

impl Reach {
    /// `helper`'s nodes, at the EPMD port given (else EPMD's own, 4369).
    pub fn new(helper: &str, epmd_port: Option<u16>) -> Reach {
        Reach { helper: helper.to_owned(), epmd_port: epmd_port.unwrap_or(erl_dist::epmd::DEFAULT_EPMD_PORT) }
    }
}

/// Whether a node named `node` is registered with the EPMD of its host (at `epmd_port`): it
/// runs, or holds the name. No cookie is needed; a host whose EPMD is down runs no node.
pub fn registered(
    node: &crate::name::NodeName,
    epmd_port: u16,
    timeout: std::time::Duration,
) -> Result<bool, DistError> {
    match epmd::port_of(node, epmd_port, connection::Deadline::after(timeout)) {
        Ok(_) => Ok(true),
        Err(DistError::NotRegistered { .. } | DistError::EpmdDown { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
