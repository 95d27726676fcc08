//! `print` and `spec`: the files `cargo build` rendered and verified, as embedded.

use clap::{Subcommand, ValueEnum};

use super::{exit, CliError, Context};
use crate::render;

#[derive(Subcommand)]
pub enum FilesCommand {
    /// Print a file as `cargo build` rendered and verified it.
    Print {
        file: PrintedFile,
        /// The node type (vm.args and sys.config); default $REL, else the release's default.
        node: Option<String>,
    },
    /// Print the release description.
    Spec {
        /// As JSON (the only format so far; accepted so scripts can say what they expect).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PrintedFile {
    #[value(name = "relx.config")]
    RelxConfig,
    #[value(name = "vm.args")]
    VmArgs,
    #[value(name = "sys.config")]
    SysConfig,
}

impl FilesCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        let (name, node) = match self {
            FilesCommand::Print { file: PrintedFile::RelxConfig, .. } => (render::RELX_CONFIG, None),
            FilesCommand::Print { file: PrintedFile::VmArgs, node } => {
                (render::VM_ARGS, Some(context.node_type(node.as_deref())?))
            }
            FilesCommand::Print { file: PrintedFile::SysConfig, node } => {
                (render::SYS_CONFIG, Some(context.node_type(node.as_deref())?))
            }
            FilesCommand::Spec { json: _ } => (crate::embed::SPEC_JSON, None),
        };
        let text = context.embedded.file(&context.profile, node.as_deref(), name).ok_or_else(|| {
            CliError::new(
                exit::FAILURE,
                format!("{name} was not embedded for profile {}: rebuild with `cargo build`", context.profile),
            )
        })?;
        super::print(text)
    }
}
