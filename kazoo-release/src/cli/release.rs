//! `build-release` and `tar-release`: the release on disk, written from the embedded spec.

use std::path::PathBuf;

use clap::Subcommand;

use super::{CliError, Env};
use crate::assemble::{self, Options, Report};

#[derive(Subcommand)]
pub enum ReleaseCommand {
    /// Write the release to DIR/<name> (nothing to do when it is up to date).
    BuildRelease {
        /// The directory the release goes in.
        #[arg(long, value_name = "DIR", default_value = assemble::DEFAULT_OUT)]
        out: PathBuf,
        /// Symlink the applications of the lib dirs instead of copying them.
        #[arg(long)]
        dev_mode: bool,
    },
    /// Write the release, then DIR/<name>/<name>-<vsn>.tar.gz for release_handler or `tar xzf`.
    TarRelease {
        /// The directory the release goes in.
        #[arg(long, value_name = "DIR", default_value = assemble::DEFAULT_OUT)]
        out: PathBuf,
    },
}

impl ReleaseCommand {
    pub fn run(self, env: &Env) -> Result<(), CliError> {
        match self {
            ReleaseCommand::BuildRelease { out, dev_mode } => {
                let options = Options { out, dev_mode, ..Options::new(env.embedded, env.profile) };
                let report = assemble::ensure(&options).map_err(CliError::failure)?;
                print_report(&report);
            }
            ReleaseCommand::TarRelease { out } => {
                let options = Options { out, ..Options::new(env.embedded, env.profile) };
                let (report, tarball) = assemble::tar(&options).map_err(CliError::failure)?;
                print_report(&report);
                println!("wrote {}", tarball.display());
            }
        }
        Ok(())
    }
}

fn print_report(report: &Report) {
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    println!("{report}");
}
