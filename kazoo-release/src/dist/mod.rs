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
mod probe;
mod rpc;
mod tls;
mod wire;

pub use connection::DEFAULT_MAX_REPLY_SIZE;
pub use control::{is_running, print_versions, Facts, Versions};
pub use error::DistError;
pub use rpc::Client;
pub use tls::{Tls, TlsError, TlsFile, TlsFiles};

/// How this process reaches nodes: the name prefix of its own hidden node, the port of the
/// EPMD on the nodes' hosts (`ERL_EPMD_PORT` as erl honours it, read by the caller) or the
/// nodes' one fixed port, and plain TCP or TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub helper: String,
    pub epmd_port: u16,
    /// The port every node listens on, asked of no EPMD (`ERL_DIST_PORT`).
    pub dist_port: Option<u16>,
    pub transport: Transport,
    /// The variable that chooses the transport, for the message of a mismatch.
    pub dist_var: String,
}

/// What carries the distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Tls(Tls),
}

impl Reach {
    /// `helper`'s nodes over plain TCP, at the EPMD port given (else EPMD's own, 4369).
    pub fn new(helper: &str, epmd_port: Option<u16>) -> Reach {
        Reach {
            helper: helper.to_owned(),
            epmd_port: epmd_port.unwrap_or(erl_dist::epmd::DEFAULT_EPMD_PORT),
            dist_port: None,
            transport: Transport::Tcp,
            dist_var: "the release's distribution variable".to_owned(),
        }
    }
}

/// Whether a node named `node` runs, or holds its name: registered with the EPMD of its
/// host, or, at a fixed port, answering there to that name. No cookie is needed; a host
/// whose EPMD is down runs no node.
pub fn registered(
    node: &crate::name::NodeName,
    reach: &Reach,
    timeout: std::time::Duration,
) -> Result<bool, DistError> {
    let deadline = connection::Deadline::after(timeout);
    let found = match reach.dist_port {
        Some(_) => probe::answers_as(node, reach, deadline),
        None => epmd::port_of(node, reach.epmd_port, deadline).map(drop),
    };
    match found {
        Ok(()) => Ok(true),
        Err(DistError::NotRegistered { .. } | DistError::EpmdDown { .. } | DistError::NotListening { .. }) => Ok(false),
        Err(DistError::OtherNode { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
