//! `status --cluster`: every node a running node of the release is connected to, each asked
//! for its host, node type, OS pid, uptime and release version, at once, so that nodes that
//! do not answer are listed as unreachable within one timeout.

use std::io::{self, Write};
use std::time::Duration;

use super::remote::failed;
use super::{CliError, Context};
use crate::name::NodeName;
use crate::term::{self, Term};

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

/// What a node says of itself, in one call.
const FACTS: &str =
    "{os:getpid(), element(1, erlang:statistics(wall_clock)) div 1000, init:script_id(), init:get_argument(boot)}";

/// The cluster as `seed` (a running node) sees it: itself and `nodes()`.
pub(super) fn members(
    context: &Context,
    seed: &NodeName,
    cookie: &str,
    timeout: Duration,
) -> Result<Vec<Member>, CliError> {
    let mut client = context.connect(seed, cookie, timeout).map_err(failed)?;
    let listed = client.eval("nodes().", &mut io::sink()).map_err(failed)?;
    let mut nodes = vec![seed.clone()];
    nodes.extend(parse(&listed).as_ref().and_then(Term::as_list).unwrap_or_default().iter().filter_map(node_name));
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
    let said = context.connect(node, cookie, timeout).and_then(|mut client| client.eval(FACTS, &mut io::sink()));
    let facts = match said {
        Ok(text) => parse(&text),
        Err(e) => return unreachable(node, e.to_string()),
    };
    let facts = facts.as_ref().and_then(Term::as_tuple).unwrap_or_default();
    let [pid, uptime, script, boot] = facts else {
        return unreachable(node, "it answered what this client does not understand".into());
    };
    let release = script.as_tuple().and_then(|s| Some(format!("{} {}", s.first()?.as_str()?, s.get(1)?.as_str()?)));
    // `{ok, [[Path]]}`: the boot script's name is the node type's.
    let boot =
        boot.as_tuple().and_then(|b| b.get(1)?.as_list()?.first()?.as_list()?.first()?.as_str().map(str::to_owned));
    let node_type = boot.and_then(|b| std::path::Path::new(&b).file_name()?.to_str().map(str::to_owned));
    Member {
        node: node.to_string(),
        host: node.host.clone(),
        node_type: node_type.filter(|t| context.spec().node(t).is_some()),
        reachable: true,
        pid: pid.as_str().and_then(|p| p.parse().ok()),
        uptime_seconds: uptime.as_integer().and_then(|u| u.try_into().ok()),
        release,
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

fn parse(printed: &str) -> Option<Term> {
    term::parse_str(&format!("{printed}."), "the node's answer").ok()?.into_iter().next()
}

fn node_name(term: &Term) -> Option<NodeName> {
    let (name, host) = term.as_atom()?.split_once('@')?;
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
