//! `ping`, `pid`, `eval`, `rpc`, `stop` and `versions`: a running node, over Erlang
//! distribution from this process (no second BEAM, no `erl_call`).

use std::io::{self, Write};
use std::time::Duration;

use clap::{Args, Subcommand};

use super::context::Naming;
use super::node::hook_at;
use super::{exit, CliError, Context};
use crate::dist::{self, Client, DistError};
use crate::name::NodeName;
use crate::node::hooks::{self, HookEnv, Point};
use crate::tree::Tree;

#[derive(Subcommand)]
pub enum RemoteCommand {
    /// Print `pong` if the node runs and accepts the cookie.
    Ping {
        /// `type`, `type@host` or any node's `name@host` (default: $REL, else the release's default node).
        node: Option<String>,
        #[command(flatten)]
        connect: Connect,
    },
    /// Print the OS pid of the node's VM.
    Pid {
        /// `type`, `type@host` or any node's `name@host` (default: $REL, else the release's default node).
        node: Option<String>,
        #[command(flatten)]
        connect: Connect,
    },
    /// Evaluate Erlang expressions on the node: print what they print, then their value (~p).
    Eval {
        /// [NODE] EXPR: NODE as for ping; EXPR like `erlang:memory(total)` (final `.` optional).
        #[arg(value_names = ["NODE", "EXPR"], num_args = 1..=2, required = true, allow_hyphen_values = true)]
        args: Vec<String>,
        #[command(flatten)]
        connect: Connect,
    },
    /// Call MODULE:FUNCTION(ARGS...) on the node, each ARG an Erlang term; print the value (~p).
    Rpc {
        /// [NODE] MODULE FUNCTION [ARGS...]: NODE is taken when the first word is a node type
        /// or contains `@`; options go before these words.
        #[arg(value_name = "ARGS", num_args = 2.., required = true, allow_hyphen_values = true, trailing_var_arg = true)]
        args: Vec<String>,
        #[command(flatten)]
        connect: Connect,
    },
    /// Stop the node (init:stop()) and return once its OS process has exited.
    Stop {
        /// `type`, `type@host` or any node's `name@host` (default: $REL, else the release's default node).
        node: Option<String>,
        #[command(flatten)]
        connect: Connect,
        /// Kill the VM (SIGKILL) if it still runs when --timeout is up.
        #[arg(long)]
        kill: bool,
    },
    /// Print the release and the application versions the node runs.
    Versions {
        /// `type`, `type@host` or any node's `name@host` (default: $REL, else the release's default node).
        node: Option<String>,
        #[command(flatten)]
        connect: Connect,
    },
}

/// How to reach the node.
#[derive(Args)]
pub struct Connect {
    /// The node's cookie [default: the release's cookie sources].
    #[arg(long)]
    cookie: Option<String>,
    /// The node's name, when not its type's; also the release's NODE variable.
    #[arg(long, value_name = "NAME[@HOST]")]
    name: Option<String>,
    /// The node uses a short name (-sname); also NODE_NAME_TYPE=-sname.
    #[arg(long)]
    sname: bool,
    /// Seconds to wait for the node's answer (for stop: for its exit).
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    timeout: Duration,
}

impl RemoteCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        let mut out = io::stdout().lock();
        let printed = match self {
            RemoteCommand::Ping { node, connect } => {
                connect.client(context, node.as_deref())?.ping().map_err(failed)?;
                writeln!(out, "pong")
            }
            RemoteCommand::Pid { node, connect } => {
                let pid = connect.client(context, node.as_deref())?.os_pid().map_err(failed)?;
                writeln!(out, "{pid}")
            }
            RemoteCommand::Eval { args, connect } => {
                let (node, expr) = split_node(context, &args, 1);
                let value = connect.client(context, node)?.eval(&expr[0], &mut out).map_err(failed)?;
                writeln!(out, "{value}")
            }
            RemoteCommand::Rpc { args, connect } => {
                let (node, call) = split_node(context, &args, 2);
                let mut client = connect.client(context, node)?;
                let value = client.apply(&call[0], &call[1], &call[2..], &mut out).map_err(failed)?;
                writeln!(out, "{value}")
            }
            RemoteCommand::Stop { node, connect, kill } => {
                stop(context, node.as_deref(), &connect, kill)?;
                writeln!(out, "ok")
            }
            RemoteCommand::Versions { node, connect } => {
                let versions = connect.client(context, node.as_deref())?.versions().map_err(failed)?;
                dist::print_versions(&versions, &mut out)
            }
        };
        printed.map_err(CliError::output)
    }
}

impl Connect {
    fn client(&self, context: &Context, given: Option<&str>) -> Result<Client, CliError> {
        let (node, cookie) = self.node(context, given)?;
        context.connect(&node, &cookie, self.timeout).map_err(failed)
    }

    /// The node asked for and its cookie: that of its node type, else (another node's full
    /// name) the default node type's sources.
    fn node(&self, context: &Context, given: Option<&str>) -> Result<(NodeName, String), CliError> {
        let naming = Naming { node: given, name: self.name.as_deref() };
        let name_type = context.name_type(self.sname)?;
        let node = context.target(&naming, name_type)?;
        let node_type = context.node_type_of(&naming)?.unwrap_or_else(|| context.embedded.default_node.to_owned());
        let cookie = context.cookie(self.cookie.as_deref(), &node_type)?;
        Ok((node, cookie))
    }
}

/// Splits an optional leading NODE off `args` when more than `rest` words are left after
/// it and it looks like a node: a declared node type, or anything with an `@`.
fn split_node<'a>(context: &Context, args: &'a [String], rest: usize) -> (Option<&'a str>, &'a [String]) {
    match args.split_first() {
        Some((first, tail))
            if tail.len() >= rest && (first.contains('@') || context.embedded.nodes.contains(&first.as_str())) =>
        {
            (Some(first), tail)
        }
        _ => (None, args),
    }
}

/// `init:stop()` and the wait for the VM to exit; a node EPMD no longer knows but whose
/// recorded VM runs here gets SIGTERM (the VM's `init:stop()`) instead. With `--kill`, a VM
/// still running when the timeout is up is killed, and that is said.
fn stop(context: &Context, given: Option<&str>, connect: &Connect, kill: bool) -> Result<(), CliError> {
    let (node, cookie) = connect.node(context, given)?;
    let timeout = connect.timeout;
    // The release's stop hooks, for a node of one of its types on this host.
    let node_type =
        context.node_type_of(&Naming { node: given, name: connect.name.as_deref() })?.filter(|_| node.is_local());
    let hook = |point, client: Option<&mut Client>| match (&node_type, hook_at(context, point)) {
        (Some(node_type), Some(hook)) => {
            let tree = Tree::open(&context.root()).map_err(CliError::failure)?;
            let env = HookEnv {
                root: tree.root(),
                release: context.embedded.release,
                vsn: tree.vsn(),
                node: &node,
                node_type,
            };
            hooks::run(point, hook, &env, client).map_err(|e| CliError::new(exit::HOOK_FAILED, e.to_string()))
        }
        _ => Ok(()),
    };
    let stopped = match context.connect(&node, &cookie, timeout) {
        Ok(mut client) => {
            hook(Point::PreStop, Some(&mut client))?;
            client.stop(timeout)
        }
        Err(e) => Err(e),
    };
    stopped_or_ended(context, &node, stopped, timeout, kill)?;
    hook(Point::PostStop, None)
}

/// What `init:stop()` came to, ended by SIGTERM or `--kill` where the VM is still here.
fn stopped_or_ended(
    context: &Context,
    node: &NodeName,
    stopped: Result<(), DistError>,
    timeout: Duration,
    kill: bool,
) -> Result<(), CliError> {
    match stopped {
        Err(DistError::StillRunning { pid: Some(pid), .. }) if kill => kill_vm(node, pid, timeout),
        // A hung VM does not even answer: its recorded pid is what --kill ends.
        Err(e @ DistError::Timeout { .. }) if kill => match context.run_dirs(&context.root(), node).recorded_vm(node) {
            Some(pid) => kill_vm(node, pid, timeout),
            None => Err(failed(e)),
        },
        Err(e @ (DistError::NotRegistered { .. } | DistError::EpmdDown { .. })) => {
            let dirs = context.run_dirs(&context.root(), node);
            match dirs.recorded_vm(node) {
                Some(pid) => terminate(node, pid, timeout, kill),
                None => Err(failed(e)),
            }
        }
        other => other.map_err(failed),
    }
}

/// SIGTERM to the VM `pid` of `node`, then the wait for it to exit.
fn terminate(node: &NodeName, pid: u32, timeout: Duration, kill: bool) -> Result<(), CliError> {
    eprintln!("warning: EPMD does not know node {node}, but its VM (OS pid {pid}) runs: stopping it with SIGTERM");
    signal(pid, libc::SIGTERM);
    let deadline = std::time::Instant::now() + timeout;
    while dist::is_running(pid) {
        if std::time::Instant::now() >= deadline {
            return match kill {
                true => kill_vm(node, pid, timeout),
                false => {
                    Err(failed(DistError::StillRunning { node: node.to_string(), pid: Some(pid), waited: timeout }))
                }
            };
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

fn kill_vm(node: &NodeName, pid: u32, waited: Duration) -> Result<(), CliError> {
    signal(pid, libc::SIGKILL);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while dist::is_running(pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    match dist::is_running(pid) {
        false => {
            eprintln!("warning: node {node} did not stop within {waited:?}: its VM (OS pid {pid}) was killed");
            Ok(())
        }
        true => Err(CliError::new(
            exit::STILL_RUNNING,
            format!("could not kill the VM of node {node} (OS pid {pid}); kill it by hand"),
        )),
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill has no memory preconditions; a pid that is gone only gives ESRCH.
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

/// A number of seconds above 0 (a timeout of 0 could never be met).
pub(super) fn seconds(text: &str) -> Result<Duration, String> {
    let duration = text
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("`{text}` is not a number of seconds"))?;
    match duration.is_zero() {
        true => Err("a timeout of 0 seconds could never be met: give more than 0".into()),
        false => Ok(duration),
    }
}

/// The error with the exit code of its kind (see [`exit`]).
pub(super) fn failed(error: DistError) -> CliError {
    let code = match &error {
        DistError::NotRegistered { .. } | DistError::OtherNode { .. } => exit::NOT_RUNNING,
        DistError::EpmdDown { .. } => exit::EPMD_DOWN,
        DistError::UnknownHost { .. } => exit::UNKNOWN_HOST,
        DistError::ConnectionRefused { .. } => exit::CONNECTION_REFUSED,
        DistError::CookieRejected { .. } => exit::COOKIE_REJECTED,
        DistError::Timeout { .. } => exit::TIMED_OUT,
        DistError::Badrpc { .. } => exit::BADRPC,
        DistError::Parse { .. } => exit::BAD_EXPR,
        DistError::StillRunning { .. } => exit::STILL_RUNNING,
        DistError::Connection { .. } | DistError::Protocol { .. } => exit::CONNECTION_LOST,
    };
    CliError::new(code, error.to_string())
}
