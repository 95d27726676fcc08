//! What can go wrong reading config.ini, said so that an operator can act on it.
//!
//! No variant carries a cookie: these messages end up on terminals and in logs.

use std::io;
use std::path::PathBuf;

/// An error finding, reading or interpreting a release's config.ini.
#[derive(Debug, thiserror::Error)]
pub enum ConfigIniError {
    #[error("no config file: looked for {}; create one or set {var} to its path", list(searched))]
    NoFile { searched: Vec<PathBuf>, var: String },

    #[error(
        "{var} names {}, which does not exist; fix {var}, or unset it to read {}",
        path.display(),
        list(instead)
    )]
    FileVarMissing { var: String, path: PathBuf, instead: Vec<PathBuf> },

    #[error(
        "cannot read {}: {source}; make it a file readable by this user (the node reads it \
         as the same user)",
        path.display()
    )]
    Unreadable { path: PathBuf, source: io::Error },

    #[error("{}:{line}: {reason}; fix this line", path.display())]
    Malformed { path: PathBuf, line: usize, reason: String },

    /// `sections`: the node type's, then the fallback's (`[ecallmgr] or [kazoo_apps]`).
    #[error("{}: no section {sections} applies to this node: {detail}", path.display())]
    NoSection { path: PathBuf, sections: String, detail: String },

    #[error(
        "{}: no `cookie` in {}; add `cookie = ...` to [{node_type}] or set {cookie_var}",
        path.display(),
        sections.join(" nor ")
    )]
    NoCookie { path: PathBuf, node_type: String, sections: Vec<String>, cookie_var: String },
}

fn list(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    shown.join(", ")
}
