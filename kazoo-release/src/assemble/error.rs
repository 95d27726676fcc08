//! What can go wrong writing a release, said so that the reader can act.

use std::io;
use std::path::PathBuf;

use crate::apps::AppsError;
use crate::boot::BootError;

/// An error materialising `<out>/<name>`; the previous release is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    #[error(
        "no profile `{profile}` in this release; its profiles are: {}",
        known.join(", ")
    )]
    UnknownProfile { profile: String, known: Vec<String> },

    #[error(
        "profile {profile} says `xref = deny`, and xref found calls the node types cannot satisfy:\n  {}\n\
         fix the calls, add the applications they need, or accept them with the release's `xref_ignore`",
        findings.join("\n  ")
    )]
    Xref { profile: String, findings: Vec<String> },

    #[error("{0}")]
    XrefCheck(#[from] crate::xref::XrefError),

    #[error(
        "node type `{node}`: {file} (profile {profile}) was not embedded in this binary; \
         rebuild it with `cargo build`"
    )]
    NotEmbedded { node: String, profile: String, file: &'static str },

    #[error(
        "node type `{node}` cannot be built: its files would overwrite releases/<vsn>/{node}.boot, \
         which the release writes for its own use; rename the node type"
    )]
    ReservedNodeName { node: String },

    #[error("{0}")]
    Apps(#[from] AppsError),

    #[error("node type `{node}`: cannot make its boot script: {source}")]
    Boot { node: String, source: BootError },

    #[error(
        "{owner}: cannot copy {} to {}: {source}; check that the source is readable \
         and that there is room in the output directory",
        from.display(),
        to.display()
    )]
    Copy { owner: String, from: PathBuf, to: PathBuf, source: io::Error },

    #[error(
        "{} is {what}, where the release needs a directory; it is left as it is: remove it, \
         or choose another --out",
        path.display()
    )]
    NotADirectory { path: PathBuf, what: &'static str },

    #[error(
        "{owner}: the symbolic link {} points to {}, {why}; the release copies what links \
         point to: make the link point to a file or directory that exists, or remove it, then build again",
        link.display(),
        target.display()
    )]
    BadSymlink { owner: String, link: PathBuf, target: PathBuf, why: &'static str },

    #[error("cannot {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: io::Error },

    #[error("overlay {overlay}: {problem}; `to` and `path` are relative to the release root")]
    Overlay { overlay: String, problem: String },

    #[error("overlay {overlay}: template {}: {message}", from.display())]
    Template { overlay: String, from: PathBuf, message: String },
}

impl AssembleError {
    /// An I/O error on `path` while doing `action` ("create", "write", "rename", ...).
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| AssembleError::Io { action, path, source }
    }
}
