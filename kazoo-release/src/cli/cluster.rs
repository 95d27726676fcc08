//! `status --cluster`: every node a running node of the release is connected to, each asked
//! for its host, node type, OS pid, uptime and release version, at once, so that nodes that
//! do not answer are listed as unreachable within one timeout.

use std::io::{self, Write};
use std::time::Duration;

use super::remote::failed;
use super::{CliError, Context};
use crate::name::NodeName;

/// What one node of the cluster said of itself, or why it said nothing.
#[derive(Debug, serde::Serialize)]
pub(super) struct Member {
    node: String,
    host: String,
    /// Its boot script's name, when it is one of the release's node types.
    node_type: Option<String>,
    reachable: bool,
    pid: Option<u32>,
    uptime_seconds: Option<u64>,
    /// Its release and version (`init:script_id()`), `kazoo 4.3.0`.
    release: Option<String>,
    error: Option<String>,
}

/// The cluster as `seed` (a running node) sees it: itself and `nodes()`.
pub(super) fn members(
    context: &Context,
    seed: &NodeName,
    cookie: &str,
    timeout: Duration,
) -> Result<Vec<Member>, CliError> {
    let mut client = context.connect(seed, cookie, timeout).map_err(failed)?;
    let listed = client.nodes().map_err(failed)?;
    let mut nodes = vec![seed.clone()];
    nodes.extend(listed.iter().filter_map(|name| node_name(name)));
    Ok(std::thread::scope(|scope| {
        let asked: Vec<_> =
            nodes.iter().map(|node| scope.spawn(move || member(context, node, cookie, timeout))).collect();
        asked
            .into_iter()
            .zip(&nodes)
            .map(|(asked, node)| asked.join().unwrap_or_else(|_| unreachable(node, "the query failed".into())))
            .collect()
    }))
}

fn member(context: &Context, node: &NodeName, cookie: &str, timeout: Duration) -> Member {
    let facts = match context.connect(node, cookie, timeout).and_then(|mut client| client.facts()) {
        Ok(facts) => facts,
        Err(e) => return unreachable(node, e.to_string()),
    };
    // The boot script's name is the node type's.
    let node_type = facts.boot.as_deref().and_then(|b| std::path::Path::new(b).file_name()?.to_str());
    Member {
        node: node.to_string(),
        host: node.host.clone(),
        node_type: node_type.filter(|t| context.embedded.nodes.contains(t)).map(str::to_owned),
        reachable: true,
        pid: Some(facts.pid),
        uptime_seconds: Some(facts.uptime_seconds),
        release: Some(format!("{} {}", facts.release.0, facts.release.1)),
        error: None,
    }
}

fn unreachable(node: &NodeName, error: String) -> Member {
    Member {
        node: node.to_string(),
        host: node.host.clone(),
        node_type: None,
        reachable: false,
        pid: None,
        uptime_seconds: None,
        release: None,
        error: Some(error),
    }
}

fn node_name(full: &str) -> Option<NodeName> {
    let (name, host) = full.split_once('@')?;
    Some(NodeName { name: name.to_owned(), host: host.to_owned() })
}

pub(super) fn print_table(members: &[Member], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{:<32} {:<12} {:<12} {:>8} {:>10}  RELEASE", "NODE", "TYPE", "STATUS", "PID", "UPTIME")?;
    for m in members {
        let state = if m.reachable { "running" } else { "unreachable" };
        let pid = m.pid.map_or("-".into(), |p| p.to_string());
        let uptime = m.uptime_seconds.map_or("-".into(), |u| format!("{u}s"));
        let node_type = m.node_type.as_deref().unwrap_or("-");
        writeln!(
            out,
            "{:<32} {node_type:<12} {state:<12} {pid:>8} {uptime:>10}  {}",
            m.node,
            m.release.as_deref().unwrap_or("-")
        )?;
        if let Some(error) = &m.error {
            writeln!(out, "  {error}")?;
        }
    }
    Ok(())
}
