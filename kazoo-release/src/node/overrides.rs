//! The vm.args and sys.config a node boots with: the release's, unless the operator put
//! their own in the release's config dir (`<config dir>/core/<node>.vm.args`,
//! `<node>.sys.config`, `<config dir>/app.config`), then with `${VAR}`s replaced when asked
//! and sys.config checked.

use std::fs;
use std::path::{Path, PathBuf};

use super::subst::{self, SubstError};
use crate::assemble::NodeFiles;
use crate::term::{self, ParseError};

#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error("cannot read {}: {source}; fix its permissions or remove it", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Unwritable { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Subst(#[from] SubstError),
    #[error("sys.config does not parse: {0}; fix the file (it must hold one list of {{App, Env}} terms)")]
    Unparsable(ParseError),
}

/// The files node type `node` boots with: `release`'s boot script, and its vm.args and
/// sys.config unless `config_dir` overrides them. When the environment asks for
/// substitution, the substituted copies are written to `private` and named instead.
/// sys.config is parsed either way, so that a broken file fails here with its line and
/// column rather than as a VM that dies at boot.
pub fn node_files(release: &NodeFiles, config_dir: &Path, node: &str, private: &Path) -> Result<NodeFiles, OverrideError> {
    let core = config_dir.join("core");
    let args = first_existing([core.join(format!("{node}.vm.args"))]).unwrap_or_else(|| release.args.clone());
    let config = first_existing([core.join(format!("{node}.sys.config")), config_dir.join("app.config")])
        .unwrap_or_else(|| release.config.clone());
    let (args, config) = match subst::enabled() {
        true => (substituted(&args, &private.join("vm.args"))?, substituted(&config, &private.join("sys.config"))?),
        false => (args, config),
    };
    let text = read(&config)?;
    term::parse_str(&text, &config.display().to_string()).map_err(OverrideError::Unparsable)?;
    Ok(NodeFiles { boot: release.boot.clone(), config, args })
}

fn first_existing<const N: usize>(paths: [PathBuf; N]) -> Option<PathBuf> {
    paths.into_iter().find(|p| p.exists())
}

/// Writes `from` with its variables replaced to `to`; returns `to`.
fn substituted(from: &Path, to: &Path) -> Result<PathBuf, OverrideError> {
    let text = subst::substitute(&read(from)?, from, |var| std::env::var(var).ok())?;
    fs::write(to, text).map_err(|source| OverrideError::Unwritable { path: to.to_owned(), source })?;
    Ok(to.to_owned())
}

fn read(path: &Path) -> Result<String, OverrideError> {
    fs::read_to_string(path).map_err(|source| OverrideError::Unreadable { path: path.to_owned(), source })
}
