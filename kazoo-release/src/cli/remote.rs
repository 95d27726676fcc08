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
        /// Options go anywhere; after `--` nothing is one (an EXPR that starts with `-`).
        #[arg(value_names = ["NODE", "EXPR"], num_args = 1.., required = true, allow_negative_numbers = true)]
        args: Vec<String>,
        #[command(flatten)]
        connect: Connect,
    },
    /// Call MODULE:FUNCTION(ARGS...) on the node, each ARG an Erlang term; print the value (~p).
    Rpc {
        /// [NODE] MODULE FUNCTION [ARGS...]: NODE is taken when the first word is a node type
        /// or contains `@`. Options go anywhere; after `--` nothing is one (an ARG that
        /// starts with `-` and is not a number).
        #[arg(value_name = "ARGS", num_args = 1.., required = true, allow_negative_numbers = true)]
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
    /// Seconds for the whole exchange with the node, from the EPMD lookup to its last
    /// answer (for stop: to its exit).
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = seconds)]
    timeout: Duration,
    /// The largest message taken from the node, in bytes or with K, M or G (KiB, MiB, GiB);
    /// a larger reply is refused before it is read.
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = bytes)]
    max_reply_size: u64,
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
                if expr.len() != 1 {
                    return Err(words_error("eval takes [NODE] EXPR", &args));
                }
                let value = connect.client(context, node)?.eval(&expr[0], &mut out).map_err(failed)?;
                writeln!(out, "{value}")
            }
            RemoteCommand::Rpc { args, connect } => {
                let (node, call) = split_node(context, &args, 2);
                if call.len() < 2 {
                    return Err(words_error("rpc takes [NODE] MODULE FUNCTION [ARGS...]", &args));
                }
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
        self.connect(context, &node, &cookie).map_err(failed)
    }

    fn connect(&self, context: &Context, node: &NodeName, cookie: &str) -> Result<Client, DistError> {
        let mut client = context.connect(node, cookie, self.timeout)?;
        client.set_max_reply_size(self.max_reply_size);
        Ok(client)
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

/// The words of the line (options parsed anywhere among them) do not make the command.
fn words_error(form: &str, words: &[String]) -> CliError {
    CliError::new(
        exit::USAGE,
        format!(
            "{form}, not the {} words `{}`; quote an expression as one word, and put `--` before words that start with `-`",
            words.len(),
            words.join(" ")
        ),
    )
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
    let stopped = match connect.connect(context, &node, &cookie) {
        Ok(mut client) => {
            hook(Point::PreStop, Some(&mut client))?;
            client.stop()
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

/// A number of bytes, or of KiB, MiB or GiB with the suffix K, M or G.
fn bytes(text: &str) -> Result<u64, String> {
    const UNITS: [(&str, u64); 3] = [("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)];
    let (digits, unit) =
        UNITS.iter().find_map(|&(suffix, unit)| Some((text.strip_suffix(suffix)?, unit))).unwrap_or((text, 1));
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{text}` is not a size above 0: write bytes, or a number with K, M or G (64M)"))
}

/// The error with the exit code of its kind (see [`exit`]).
pub(super) fn failed(error: DistError) -> CliError {
    let code = match &error {
        DistError::NotRegistered { .. } | DistError::OtherNode { .. } | DistError::NotListening { .. } => {
            exit::NOT_RUNNING
        }
        DistError::Mismatch { .. } => exit::DIST_MISMATCH,
        DistError::Tls { .. } => exit::TLS_REFUSED,
        DistError::Setup(_) => exit::NODE_CONFIG,
        DistError::EpmdDown { .. } => exit::EPMD_DOWN,
        DistError::UnknownHost { .. } => exit::UNKNOWN_HOST,
        DistError::ConnectionRefused { .. } => exit::CONNECTION_REFUSED,
        DistError::CookieRejected { .. } => exit::COOKIE_REJECTED,
        DistError::Timeout { .. } => exit::TIMED_OUT,
        DistError::Badrpc { .. } => exit::BADRPC,
        DistError::Parse { .. } => exit::BAD_EXPR,
        DistError::StillRunning { .. } => exit::STILL_RUNNING,
        DistError::Connection { .. } | DistError::Protocol { .. } => exit::CONNECTION_LOST,
        DistError::TooLarge { .. } => exit::REPLY_TOO_LARGE,
        DistError::BadName { .. } => exit::NODE_NAME,
    };
    CliError::new(code, error.to_string())
}
