//! What can go wrong talking to a node, each kind with what to do about it.

use std::time::Duration;

/// A failure of the distribution client. Every variant names the node it was talking to.
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    #[error("node {node} is not running (EPMD on {host} does not know it); start it, or check NODE")]
    NotRegistered { node: String, host: String },
    #[error("the host of node {node}, `{host}`, does not resolve ({source}); check the name after the `@`, or add it to /etc/hosts or DNS")]
    UnknownHost { node: String, host: String, source: std::io::Error },
    #[error("node {node} is not running: no EPMD answers on {host} ({source}); starting a node starts EPMD")]
    EpmdDown { node: String, host: String, source: std::io::Error },
    #[error("node {node} is not running: nothing listens on its host's port {port}, which the nodes use without EPMD; start it, or check the port")]
    NotListening { node: String, port: u16 },
    #[error("node {node} speaks {node_speaks} distribution, and this command {we_speak}; give the command the node's: {var}=tls or {var}=tcp, as the node was started")]
    Mismatch { node: String, node_speaks: &'static str, we_speak: &'static str, var: String },
    /// How to reach nodes is set wrong (the message says what): no node was asked.
    #[error("{0}")]
    Setup(String),
    #[error("the TLS handshake with node {node} failed: {detail}")]
    Tls { node: String, detail: String },
    #[error("node {node} refused the connection on port {port} ({source}); it may be shutting down, retry")]
    ConnectionRefused { node: String, port: u16, source: std::io::Error },
    #[error("the node asked for as {node} answers as {answered}: it is not that node (another name of its host, or another node); ask for {answered}")]
    OtherNode { node: String, answered: String },
    #[error("node {node} rejected the cookie; give its cookie with --cookie or the release's cookie variable (`--help` lists the cookie sources)")]
    CookieRejected { node: String },
    #[error("`{node}` cannot be reached over Erlang distribution: {detail}; a node name has at most 255 bytes, so give the host a shorter name (its short name with --sname, an address, or an alias in /etc/hosts)")]
    BadName { node: String, detail: String },
    #[error("node {node} did not answer within {timeout:?}; raise --timeout if it is busy")]
    Timeout { node: String, timeout: Duration },
    #[error("the call failed on node {node}: {reason}")]
    Badrpc { node: String, reason: String },
    #[error("{what} does not parse at line {line}, column {column}: {message}")]
    Parse { what: String, line: u32, column: u32, message: String },
    #[error("node {node} still runs {waited:?} after init:stop(); wait longer with --timeout, or add --kill")]
    StillRunning { node: String, pid: Option<u32>, waited: Duration },
    #[error("node {node} sent a message of {size} bytes, more than the {max} bytes taken (--max-reply-size), so it was refused unread; raise --max-reply-size if a reply that large is meant")]
    TooLarge { node: String, size: u64, max: u64 },
    #[error("the connection to node {node} failed: {detail}")]
    Connection { node: String, detail: String },
    #[error("node {node} answered what this client does not understand: {detail}")]
    Protocol { node: String, detail: String },
}
