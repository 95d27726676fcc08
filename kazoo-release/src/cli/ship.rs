//! `deb` and `oci-image`: the tree as hosts take software, written on the build machine
//! beside the tree (in the release dir, `--out`), as `tar-release` writes the tarball.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::release::{print_report, RunningNodes};
use super::{CliError, Context};
use crate::ship::{Deb, Image, ShipError};

#[derive(Subcommand)]
pub enum ShipCommand {
    /// Write the release, then DIR/<name>_<vsn>-<rev>_<arch>.deb: the tree in /opt/<name>, its
    /// systemd unit, its service user, its operator's files in the config dir.
    Deb {
        /// The Debian revision of the package.
        #[arg(long, default_value = "1")]
        revision: String,
        #[command(flatten)]
        nodes: RunningNodes,
    },
    /// Write the release, then DIR/<name>-<vsn>.oci.tar: an OCI image (oci-archive) that runs
    /// `bin/<name> foreground <default node type>` as the release's user, with no shell.
    OciImage {
        /// The image's reference name in the archive [default: <name>:<vsn>].
        #[arg(long)]
        tag: Option<String>,
        #[command(flatten)]
        nodes: RunningNodes,
    },
}

impl ShipCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            ShipCommand::Deb { revision, nodes } => {
                let maintainer = context.maintainer().ok_or_else(|| failed(ShipError::NoMaintainer))?;
                let shipment = context.ship(nodes.sname)?;
                print_report(&shipment.report)?;
                let name = &shipment.name;
                let root = Path::new("/opt").join(name);
                let unit = super::service::unit(name, &shipment.report.vsn, &root, name, name);
                let deb = Deb {
                    revision,
                    operator_files: context.conventions.operator_files.clone(),
                    ..Deb::new(out_dir(&shipment.report.root), maintainer, unit, context.config_dir())
                };
                let path = deb.write(&shipment).map_err(failed)?;
                super::print(format_args!("wrote {}\n", path.display()))
            }
            ShipCommand::OciImage { tag, nodes } => {
                let shipment = context.ship(nodes.sname)?;
                print_report(&shipment.report)?;
                let image = Image { out: out_dir(&shipment.report.root), tag };
                let (path, tag) = image.write(&shipment).map_err(failed)?;
                super::print(format_args!("wrote {} (oci-archive:{}:{tag})\n", path.display(), path.display()))
            }
        }
    }
}

/// The release dir the tree is in (`_rel`), where the artefacts go.
fn out_dir(root: &Path) -> PathBuf {
    root.parent().map_or_else(|| PathBuf::from("."), Path::to_owned)
}

fn failed(error: ShipError) -> CliError {
    CliError::failure(error)
}
