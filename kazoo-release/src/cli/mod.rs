//! The command line every release binary shares: `kazoo print vm.args ecallmgr`, ...
//!
//! Each area of commands lives in its own file with its own clap `Subcommand` enum,
//! flattened into one clap command; [`Context`] is what every command works on.

mod certs;
mod cluster;
mod context;
mod cookie;
mod files;
mod node;
mod release;
mod remote;
mod service;
mod ship;
mod upgrade;
mod xref;

use std::path::PathBuf;
use std::process::ExitCode;

use std::ffi::OsString;

use clap::{Args, FromArgMatches, Subcommand};

use crate::conventions::{Conventions, Resolved};
use crate::embed::Embedded;
use crate::spec::DEFAULT_PROFILE;

pub use context::{Context, Environment, ReleaseDir};

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
    /// The node's host name does not resolve.
    pub const UNKNOWN_HOST: u8 = 18;
    /// The node sent a message larger than --max-reply-size (refused unread).
    pub const REPLY_TOO_LARGE: u8 = 19;
    /// The node speaks TLS distribution and the command plain TCP, or the other way round.
    pub const DIST_MISMATCH: u8 = 26;
    /// The TLS handshake with the node failed: a certificate one side does not trust.
    pub const TLS_REFUSED: u8 = 27;
    /// read-release-cookie: no config.ini found, or its file variable names a missing file.
    pub const NO_CONFIG: u8 = 20;
    /// read-release-cookie: the config file cannot be read (permissions, a directory).
    pub const CONFIG_UNREADABLE: u8 = 21;
    /// read-release-cookie: a line of the config file is malformed (the message names it).
    pub const CONFIG_MALFORMED: u8 = 22;
    /// read-release-cookie: no section of the node type (or the fallback section) applies here.
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
    /// NODE_NAME_TYPE, a host name too long for a node name.
    pub const NODE_NAME: u8 = 34;
    /// The pipe or log directory cannot be made, or is not the user's own.
    pub const RUN_DIR: u8 = 35;
    /// A hook of the release failed (a pre_ hook: the start or stop was not done).
    pub const HOOK_FAILED: u8 = 36;
    // upgrade and downgrade:
    /// The tarball is of another release.
    pub const OTHER_RELEASE: u8 = 40;
    /// The tarball's ERTS is not the tree's (a new ERTS needs a restart).
    pub const ERTS_DIFFERS: u8 = 41;
    /// The tarball does not unpack or lacks a release's files, or VSN is not unpacked.
    pub const BAD_VERSION: u8 = 42;
    /// The upgrade failed on the node and was put back: the node runs what it ran.
    pub const ROLLED_BACK: u8 = 43;
    /// The upgrade failed and putting it back failed too: restart the node.
    pub const ROLLBACK_FAILED: u8 = 44;
    /// xref: calls a node type cannot satisfy (build-release of an `xref = deny` profile
    /// writes nothing then).
    pub const XREF: u8 = 50;
}

/// The options every command takes; what names the release (its name, version,
/// variables, profiles, cookie sources) is filled in by [`command`].
#[derive(Args)]
struct Globals {
    /// The profile whose files are used.
    #[arg(long, global = true)]
    profile: Option<String>,
    /// The directory the release tree is in (`DIR/<name>`), written there first when missing
    /// or stale [default: _rel]. A tree's own bin/<name> always runs its own tree.
    #[arg(long, global = true, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Certs(certs::CertsCommand),
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
    #[command(flatten)]
    Service(service::ServiceCommand),
    #[command(flatten)]
    Ship(ship::ShipCommand),
    #[command(flatten)]
    Upgrade(upgrade::UpgradeCommand),
    #[command(flatten)]
    Xref(xref::XrefCommand),
}

/// One area of [`Command`]: whether it has a command of a name, and how it adds its commands.
struct Area {
    has: fn(&str) -> bool,
    augment: fn(clap::Command) -> clap::Command,
}

macro_rules! area {
    ($area:ty) => {
        Area { has: <$area as Subcommand>::has_subcommand, augment: <$area as Subcommand>::augment_subcommands }
    };
}

/// Every variant of [`Command`], so that a command line builds only the areas it names.
const AREAS: [Area; 10] = [
    area!(certs::CertsCommand),
    area!(cookie::CookieCommand),
    area!(files::FilesCommand),
    area!(node::NodeCommand),
    area!(release::ReleaseCommand),
    area!(remote::RemoteCommand),
    area!(service::ServiceCommand),
    area!(ship::ShipCommand),
    area!(upgrade::UpgradeCommand),
    area!(xref::XrefCommand),
];

/// Writes `text` to stdout (see [`CliError::output`] for what a write error means).
pub fn print(text: impl std::fmt::Display) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    write!(out, "{text}").and_then(|()| out.flush()).map_err(CliError::output)
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
        CliError { code, message: message.into() }
    }

    /// A failed write to stdout: a closed reader (`kazoo spec --json | head -c 1`) ends the
    /// command quietly with exit 0, as ripgrep does; any other error is exit 1.
    pub fn output(error: std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::BrokenPipe => CliError::new(exit::OK, ""),
            _ => CliError::failure(format!("cannot write the output: {error}")),
        }
    }

    /// A run-time failure (exit 1) with the error's message.
    pub fn failure(error: impl std::fmt::Display) -> Self {
        CliError::new(exit::FAILURE, error.to_string())
    }
}

/// Runs the command line against the release this binary embeds, with the default
/// conventions (see [`crate::conventions`]).
pub fn main(embedded: Embedded) -> ExitCode {
    main_with(embedded, Conventions::default())
}

/// Runs the command line against the release this binary embeds, named as `conventions`
/// say.
pub fn main_with(embedded: Embedded, conventions: Conventions) -> ExitCode {
    let conventions = conventions.resolve(embedded.release);
    let args: Vec<OsString> = std::env::args_os().collect();
    let matches = match parse(&embedded, &conventions, &args) {
        Ok(matches) => matches,
        Err(e) => return clap_exit(e),
    };
    let globals = Globals::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let command = Command::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    exit_code(run(globals, command, &embedded, conventions))
}

/// Parses `args` with only the areas of commands its words name: building every command
/// costs more than the rest of `kazoo -V` or `kazoo ping` before the network. Anything
/// but a command or the version (help, a mistake, an alias) is parsed again with every
/// command, so that what clap says is whole.
fn parse(embedded: &Embedded, conventions: &Resolved, args: &[OsString]) -> Result<clap::ArgMatches, clap::Error> {
    let named = |area: &&Area| args.iter().skip(1).any(|word| word.to_str().is_some_and(area.has));
    let areas: Vec<&Area> = AREAS.iter().filter(named).collect();
    match command(embedded, conventions, &areas).try_get_matches_from(args) {
        Err(e) if e.kind() != clap::error::ErrorKind::DisplayVersion => {
            command(embedded, conventions, &AREAS.iter().collect::<Vec<_>>()).try_get_matches_from(args)
        }
        parsed => parsed,
    }
}

fn exit_code(outcome: Result<(), CliError>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::from(exit::OK),
        // The reader went away (`| head`): a normal end, said by nobody.
        Err(e) if e.code == exit::OK => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.code)
        }
    }
}

/// What clap has to say instead of a command: help and version on stdout, whose write
/// errors count as any command's (see [`CliError::output`]), or a usage error.
fn clap_exit(error: clap::Error) -> ExitCode {
    use std::io::Write;
    let printed = error.print().and_then(|()| std::io::stdout().flush());
    match printed {
        Err(e) if error.exit_code() == 0 => exit_code(Err(CliError::output(e))),
        _ => ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(exit::USAGE)),
    }
}

/// The clap command of `areas`, with the release's own names: `-V` says the release and
/// its version (then the library's), the variables carry the release's prefix, help lists
/// its profiles and cookie sources, and read-release-cookie shows only for a release that
/// reads config.ini.
fn command(embedded: &Embedded, conventions: &Resolved, areas: &[&Area]) -> clap::Command {
    let profiles: Vec<&str> = embedded.profiles().collect();
    let cookie_help = format!("The node's cookie [default: {}]", conventions.describe_cookie_sources());
    let top = clap::Command::new(conventions.release.clone())
        .version(format!("{} (kazoo-release {})", embedded.version, env!("CARGO_PKG_VERSION")))
        .propagate_version(true)
        .subcommand_required(true)
        .arg_required_else_help(true);
    // After the options, whose doc comment would be the about.
    let top = areas
        .iter()
        .fold(Globals::augment_args(top), |top, area| (area.augment)(top))
        .about(format!("Build, run and service the Erlang/OTP release {}", conventions.release));
    let hide_cookie_command = !conventions.reads_config_ini();
    top.mut_arg("profile", |a| {
        a.env(conventions.var("PROFILE")).help(format!(
            "The profile whose files are used: {} [default: the one a tree's own bin/{} was built with, else {DEFAULT_PROFILE}]",
            profiles.join(", "),
            embedded.release
        ))
    })
    .mut_arg("out", |a| a.env(conventions.var("REL_DIR")))
    .mut_subcommands(|sub| {
        // A cookie may start with `-`: `--cookie -abc` takes it as the value, so that the
        // cookie's own check (Erlang would read it as a flag) says what is wrong with it.
        let takes_cookie = sub.get_arguments().any(|a| a.get_id() == "cookie");
        let sub = match takes_cookie {
            true => sub.mut_arg("cookie", |a| a.help(cookie_help.clone()).allow_hyphen_values(true)),
            false => sub,
        };
        match hide_cookie_command && sub.get_name() == "read-release-cookie" {
            true => sub.hide(true),
            false => sub,
        }
    })
}

fn run(globals: Globals, command: Command, embedded: &Embedded, conventions: Resolved) -> Result<(), CliError> {
    let context = Context::resolve(embedded, globals.profile, globals.out, conventions)?;
    match command {
        Command::Cookie(command) => command.run(&context),
        Command::Files(command) => command.run(&context),
        Command::Node(command) => command.run(&context),
        Command::Release(command) => command.run(&context),
        Command::Remote(command) => command.run(&context),
        Command::Service(command) => command.run(&context),
        Command::Ship(command) => command.run(&context),
        Command::Certs(command) => command.run(&context),
        Command::Upgrade(command) => command.run(&context),
        Command::Xref(command) => command.run(&context),
    }
}
