//! The command line every release binary shares: `kazoo print vm.args ecallmgr`, ...
//!
//! Each area of commands lives in its own file with its own clap `Subcommand` enum,
//! flattened into one clap command; [`Context`] is what every command works on.

mod context;
mod cookie;
mod files;
mod node;
mod release;
mod remote;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::embed::Embedded;
use crate::spec::DEFAULT_PROFILE;

pub use context::{Context, ReleaseDir};

/// Exit codes scripts can rely on.
pub mod exit {
    pub const OK: u8 = 0;
    /// Something failed at run time.
    pub const FAILURE: u8 = 1;
    /// Bad command line (clap's own code).
    pub const USAGE: u8 = 2;
    /// A node type or profile the release does not declare.
    pub const UNKNOWN: u8 = 3;
    /// ping, pid, eval, rpc, stop, versions: the node is not running (EPMD does not know it).
    /// The same as FAILURE, as relx's `ping`, so that scripts testing it keep working.
    pub const NOT_RUNNING: u8 = 1;
    /// The node's host runs no EPMD, so no node runs there.
    pub const EPMD_DOWN: u8 = 10;
    /// The node's distribution port refused the connection (it is shutting down, say).
    pub const CONNECTION_REFUSED: u8 = 11;
    /// The node rejected the cookie.
    pub const COOKIE_REJECTED: u8 = 12;
    /// The node did not answer within --timeout.
    pub const TIMED_OUT: u8 = 13;
    /// The call failed on the node (`badrpc`, or the evaluated code raised).
    pub const BADRPC: u8 = 14;
    /// eval's EXPR or an rpc ARG does not parse (the message gives line and column).
    pub const BAD_EXPR: u8 = 15;
    /// stop: the node still runs when --timeout is up (and --kill was not given).
    pub const STILL_RUNNING: u8 = 16;
    /// The connection broke, or the node answered what the client does not understand.
    pub const CONNECTION_LOST: u8 = 17;
    /// read-release-cookie: no config.ini found, or `$KAZOO_CONFIG` names a missing file.
    pub const NO_CONFIG: u8 = 20;
    /// read-release-cookie: the config file cannot be read (permissions, a directory).
    pub const CONFIG_UNREADABLE: u8 = 21;
    /// read-release-cookie: a line of the config file is malformed (the message names it).
    pub const CONFIG_MALFORMED: u8 = 22;
    /// read-release-cookie: no section of the node type or `[kazoo_apps]` applies here.
    pub const NO_NODE_SECTION: u8 = 23;
    /// read-release-cookie: the sections that apply give no cookie.
    pub const NO_COOKIE: u8 = 24;
    /// start, console, foreground: a node of that name already runs (or holds the name).
    pub const ALREADY_RUNNING: u8 = 30;
    /// start: the node exited before it answered, or did not answer within --timeout.
    pub const START_FAILED: u8 = 31;
    /// attach: the node has no pipe (it is not running, or was not started with `start`).
    pub const NO_PIPE: u8 = 32;
    /// The node's configuration is wrong: an unset ${VAR}, a sys.config that does not
    /// parse, an unreadable override file, a cookie Erlang would mangle.
    pub const NODE_CONFIG: u8 = 33;
    /// The node cannot be named: long names on a host that does not resolve, a bad
    /// NODE_NAME_TYPE.
    pub const NODE_NAME: u8 = 34;
    /// The pipe or log directory cannot be made, or is not the user's own.
    pub const RUN_DIR: u8 = 35;
}

#[derive(Parser)]
#[command(
    version,
    about = "Build, run and service an Erlang/OTP release",
    propagate_version = true
)]
struct Cli {
    /// The profile whose files are used (default, or one the spec declares: dev, ci, dist).
    #[arg(long, global = true, env = "KAZOO_PROFILE", default_value = DEFAULT_PROFILE)]
    profile: String,
    /// The directory the release tree is in (`DIR/<name>`), written there first when missing
    /// or stale [default: _rel]. A tree's own bin/<name> always runs its own tree.
    #[arg(long, global = true, value_name = "DIR", env = "KAZOO_REL_DIR")]
    out: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Cookie(cookie::CookieCommand),
    #[command(flatten)]
    Files(files::FilesCommand),
    #[command(flatten)]
    Node(node::NodeCommand),
    #[command(flatten)]
    Release(release::ReleaseCommand),
    #[command(flatten)]
    Remote(remote::RemoteCommand),
}

/// A failure with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
        }
    }

    /// A run-time failure (exit 1) with the error's message.
    pub fn failure(error: impl std::fmt::Display) -> Self {
        CliError::new(exit::FAILURE, error.to_string())
    }
}

/// Runs the command line against the release this binary embeds.
pub fn main(embedded: Embedded) -> ExitCode {
    let cli = Cli::parse();
    match run(cli, &embedded) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.code)
        }
    }
}

fn run(cli: Cli, embedded: &Embedded) -> Result<(), CliError> {
    let context = Context::resolve(embedded, &cli.profile, cli.out)?;
    match cli.command {
        Command::Cookie(command) => command.run(&context),
        Command::Files(command) => command.run(&context),
        Command::Node(command) => command.run(&context),
        Command::Release(command) => command.run(&context),
        Command::Remote(command) => command.run(&context),
    }
}
