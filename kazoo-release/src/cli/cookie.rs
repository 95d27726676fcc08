//! `read-release-cookie`: a node type's cookie from the release's config.ini, with no node
//! running, for releases whose conventions read config.ini; the very cookie a start uses.

use clap::Subcommand;

use super::{exit, CliError, Context};
use crate::config_ini::{self, ConfigIniError};
use crate::node::CookieError;

#[derive(Subcommand)]
pub enum CookieCommand {
    /// Print the cookie of a node type: the release's cookie variable, else its section of
    /// the release's config.ini, else the fallback section's.
    ReadReleaseCookie {
        /// The node type (or type@host); default $REL, else the release's default.
        node: Option<String>,
    },
}

impl CookieCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        let CookieCommand::ReadReleaseCookie { node } = self;
        if !context.conventions.reads_config_ini() {
            return Err(CliError::new(
                exit::USAGE,
                format!(
                    "release {} reads no config.ini, so it has no read-release-cookie; its cookie comes from {}",
                    context.spec().name,
                    context.conventions.describe_cookie_sources()
                ),
            ));
        }
        let node_type = context.node_type(node.as_deref())?;
        let (names, given) = context.config_ini();
        let cookie = config_ini::release_cookie(&names, &given, &node_type).map_err(cli_error)?;
        if let Some(disagreement) = cookie.disagreement() {
            eprintln!("warning: {disagreement}");
        }
        // The one place the cookie is printed: scripts read it from stdout.
        super::print(format_args!("{}\n", cookie.value()))
    }
}

/// A cookie that cannot be had, for every command that needs one: config.ini's problems
/// keep read-release-cookie's exit codes, so `ping` and `start` fail as it would.
pub(super) fn cookie_error(error: CookieError) -> CliError {
    match error {
        CookieError::ConfigIni(e) => cli_error(e),
        e => CliError::new(exit::NODE_CONFIG, e.to_string()),
    }
}

fn cli_error(error: ConfigIniError) -> CliError {
    let code = match &error {
        ConfigIniError::NoFile { .. } | ConfigIniError::FileVarMissing { .. } => exit::NO_CONFIG,
        ConfigIniError::Unreadable { .. } => exit::CONFIG_UNREADABLE,
        ConfigIniError::Malformed { .. } => exit::CONFIG_MALFORMED,
        ConfigIniError::NoSection { .. } => exit::NO_NODE_SECTION,
        ConfigIniError::NoCookie { .. } => exit::NO_COOKIE,
    };
    CliError::new(code, error.to_string())
}
