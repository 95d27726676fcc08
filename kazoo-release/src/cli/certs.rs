//! `certs init` and `certs host HOST`: a CA and hosts' certificates for TLS distribution,
//! where the nodes look by default (the config dir's `dist/`).

use std::path::PathBuf;

use clap::Subcommand;

use super::{exit, CliError, Context};
use crate::certs::{self, CertsError};

#[derive(Subcommand)]
pub enum CertsCommand {
    /// Certificates for TLS distribution (development and small clusters; an existing PKI
    /// needs none of this).
    #[command(subcommand)]
    Certs(Certs),
}

#[derive(Subcommand)]
pub enum Certs {
    /// Make a CA: DIR/ca.pem and DIR/ca.key (0600).
    Init {
        /// Where the CA goes [default: the config dir's dist/].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Make HOST's certificate and key (node.pem, node.key 0600), signed by the CA, for
    /// the nodes of HOST and the commands run there.
    Host {
        /// The host as node names name it (`db1.example.com`; its first label is named too).
        host: String,
        /// Where the CA is [default: the config dir's dist/].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Where the host's files go, with a copy of ca.pem [default: the CA's DIR].
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
}

impl CertsCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        let CertsCommand::Certs(certs) = self;
        let default_dir = || context.config_dir().join("dist");
        let release = context.embedded.release;
        let written = match certs {
            Certs::Init { dir } => certs::init(&dir.unwrap_or_else(default_dir), release).map(Vec::from),
            Certs::Host { host, dir, to } => {
                let dir = dir.unwrap_or_else(default_dir);
                let to = to.unwrap_or_else(|| dir.clone());
                certs::host(&dir, &to, &host, release)
            }
        }
        .map_err(failed)?;
        written.iter().try_for_each(|path| super::print(format_args!("wrote {}\n", path.display())))
    }
}

fn failed(error: CertsError) -> CliError {
    let code = match error {
        CertsError::NoCa { .. } => exit::NODE_CONFIG,
        _ => exit::FAILURE,
    };
    CliError::new(code, error.to_string())
}
