//! The command line every release binary shares: `kazoo print vm.args ecallmgr`, ...

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::embed::Embedded;
use crate::spec::{ReleaseSpec, DEFAULT_PROFILE};

/// Exit codes scripts can rely on.
pub mod exit {
    pub const OK: u8 = 0;
    /// Something failed at run time.
    pub const FAILURE: u8 = 1;
    /// Bad command line (clap's own code).
    pub const USAGE: u8 = 2;
    /// A node type or profile the release does not declare.
    pub const UNKNOWN: u8 = 3;
}

#[derive(Parser)]
#[command(version, about = "Build, run and service an Erlang/OTP release", propagate_version = true)]
struct Cli {
    /// The profile whose files are used (default, or one the spec declares: dev, ci, dist).
    #[arg(long, global = true, env = "KAZOO_PROFILE", default_value = DEFAULT_PROFILE)]
    profile: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a file as `cargo build` rendered and verified it.
    Print {
        file: PrintedFile,
        /// The node type (vm.args and sys.config); default $REL, else the release's default.
        node: Option<String>,
    },
    /// Print the release description.
    Spec {
        /// As JSON (the only format so far; kept for scripts that say what they expect).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum PrintedFile {
    #[value(name = "relx.config")]
    RelxConfig,
    #[value(name = "vm.args")]
    VmArgs,
    #[value(name = "sys.config")]
    SysConfig,
}

/// A failure with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub code: u8,
    pub message: String,
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
    let spec = embedded.spec(&cli.profile).ok_or_else(|| CliError {
        code: exit::UNKNOWN,
        message: format!(
            "no profile `{}` in this release; its profiles are: {}",
            cli.profile,
            embedded.profiles().collect::<Vec<_>>().join(", ")
        ),
    })?;
    match cli.command {
        Command::Print { file, node } => print_file(embedded, &spec, &cli.profile, file, node),
        Command::Spec { json: _ } => {
            let json = embedded.file(&cli.profile, None, crate::embed::SPEC_JSON).unwrap_or_default();
            println!("{json}");
            Ok(())
        }
    }
}

fn print_file(
    embedded: &Embedded,
    spec: &ReleaseSpec,
    profile: &str,
    file: PrintedFile,
    node: Option<String>,
) -> Result<(), CliError> {
    let (name, node) = match file {
        PrintedFile::RelxConfig => (crate::render::RELX_CONFIG, None),
        PrintedFile::VmArgs => (crate::render::VM_ARGS, Some(node_type(spec, node)?)),
        PrintedFile::SysConfig => (crate::render::SYS_CONFIG, Some(node_type(spec, node)?)),
    };
    let text = embedded.file(profile, node.as_deref(), name).ok_or_else(|| CliError {
        code: exit::FAILURE,
        message: format!("{name} was not embedded for profile {profile}: rebuild with `cargo build`"),
    })?;
    print!("{text}");
    Ok(())
}

/// NODE as given (`type` or `type@host`), else `$REL`, else the spec's default; always a
/// declared node type.
pub fn node_type(spec: &ReleaseSpec, given: Option<String>) -> Result<String, CliError> {
    let given = given
        .or_else(|| std::env::var("REL").ok().filter(|r| !r.is_empty()))
        .unwrap_or_else(|| spec.default_node.clone());
    let node_type = given.split('@').next().unwrap_or_default().to_owned();
    match spec.node(&node_type) {
        Some(_) => Ok(node_type),
        None => Err(CliError {
            code: exit::UNKNOWN,
            message: format!(
                "`{node_type}` is not a node type of release {}; its node types are: {}",
                spec.name,
                spec.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}
