//! What can go wrong reading config.ini, said so that an operator can act on it.
//!
//! No variant carries a cookie: these messages end up on terminals and in logs.

use std::io;
use std::path::PathBuf;

/// An error finding, reading or interpreting Kazoo's config.ini.
#[derive(Debug, thiserror::Error)]
pub enum ConfigIniError {
    #[error(
        "no Kazoo config file: looked for {}; create one (see Kazoo's docs for config.ini) or \
         set KAZOO_CONFIG to its path",
        list(searched)
    )]
    NoFile { searched: Vec<PathBuf> },

    #[error(
        "KAZOO_CONFIG names {}, which does not exist; fix KAZOO_CONFIG or unset it to use \
         /etc/kazoo/config.ini",
        path.display()
    )]
    KazooConfigMissing { path: PathBuf },

    #[error(
        "cannot read {}: {source}; make it a file readable by this user (the node reads it \
         as the same user)",
        path.display()
    )]
    Unreadable { path: PathBuf, source: io::Error },

    #[error("{}:{line}: {reason}; fix this line", path.display())]
    Malformed { path: PathBuf, line: usize, reason: String },

    #[error("{}: no section [{node_type}] or [kazoo_apps] applies to this node: {detail}", path.display())]
    NoSection { path: PathBuf, node_type: String, detail: String },

    #[error(
        "{}: no `cookie` in {}; add `cookie = ...` to [{node_type}] or set KAZOO_COOKIE",
        path.display(),
        sections.join(" nor ")
    )]
    NoCookie { path: PathBuf, node_type: String, sections: Vec<String> },
}

fn list(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    shown.join(", ")
}
