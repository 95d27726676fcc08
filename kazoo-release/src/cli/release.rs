//! `build-release` and `tar-release`: the release on disk, written from the embedded spec.

use clap::Subcommand;

use super::{CliError, Context};
use crate::assemble::Report;

#[derive(Subcommand)]
pub enum ReleaseCommand {
    /// Write the release to DIR/<name> (--out; nothing to do when it is up to date).
    BuildRelease {
        /// Symlink the applications of the lib dirs instead of copying them.
        #[arg(long)]
        dev_mode: bool,
        #[command(flatten)]
        nodes: RunningNodes,
    },
    /// Write the release, then DIR/<name>/<name>-<vsn>.tar.gz for release_handler or `tar xzf`.
    TarRelease {
        #[command(flatten)]
        nodes: RunningNodes,
    },
}

/// How to look for nodes running from the release, which a rewrite must not pull the tree
/// from under.
#[derive(clap::Args)]
pub struct RunningNodes {
    /// The nodes use short names (-sname).
    #[arg(long)]
    pub sname: bool,
}

impl ReleaseCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            ReleaseCommand::BuildRelease { dev_mode, nodes } => {
                let report = context.write(dev_mode, nodes.sname)?;
                print_report(&report)
            }
            ReleaseCommand::TarRelease { nodes } => {
                let shipment = context.ship(nodes.sname)?;
                print_report(&shipment.report)?;
                let tarball = crate::ship::tarball(&shipment).map_err(CliError::failure)?;
                super::print(format_args!("wrote {}\n", tarball.display()))
            }
        }
    }
}

pub(super) fn print_report(report: &Report) -> Result<(), CliError> {
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    super::print(format_args!("{report}\n"))
}
