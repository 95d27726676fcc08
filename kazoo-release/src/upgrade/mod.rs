//! Upgrades of a running node to another version of its release, and back, without a
//! restart.
//!
//! Four steps, one module each, data flowing one way:
//! - [`unpack`]: a tarball of a newer version of the same release is unpacked into the tree
//!   beside the versions it holds (`releases/<vsn>/`, the `lib/<app>-<vsn>/` it lacks, the
//!   new binary as `bin/<name>-<vsn>`).
//! - [`plan`]: what the node actually runs (asked on the node) against the new version's
//!   `releases/<vsn>/<node type>.rel`: applications added, removed, at another version;
//!   modules added, removed, changed (the loaded module's MD5 against the new file's), or
//!   what an application's own `.appup` says for the step ([`Mode`]).
//! - [`apply`]: the plan run on the node by [`NODE_PROGRAM`], in the order OTP's
//!   release_handler uses, all or nothing: a failure puts the node back on what it ran.
//! - [`permanent`]: the version applied becomes the one the tree boots (`RELEASES`,
//!   `start_erl.data`, `bin/<name>`).

mod apply;
mod appup;
mod permanent;
mod plan;
mod unpack;

use std::path::PathBuf;

pub use apply::{apply, Applied};
pub use appup::Mode;
pub use permanent::{make_permanent, tree_versions, TreeVersion};
pub use plan::{current_version, plan, Direction, Plan};
pub use unpack::{unpack, with_staged, Unpacked};

/// The program run on the node (through `erl_eval:eval_str/1`, like the eval driver): it
/// reports what the node runs, or applies a plan. Its `JOB` line is replaced per call.
pub(crate) const NODE_PROGRAM: &str = include_str!("node.erl");

/// What can go wrong in an upgrade, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    #[error("{}: {detail}; give a tarball written by `tar-release`", path.display())]
    BadTarball { path: PathBuf, detail: String },
    #[error("{} is a tarball of release `{found}`, but this tree is release `{expected}`: upgrade a tree of `{found}` with it", path.display())]
    OtherRelease { path: PathBuf, found: String, expected: String },
    #[error("{} runs on ERTS {found}, but this tree runs on ERTS {expected}: a new ERTS needs a restart of the node; build the new version with ERTS {expected}, or install it as a new tree", path.display())]
    ErtsDiffers { path: PathBuf, found: String, expected: String },
    #[error("version {vsn} is not unpacked in {}: `releases` lists the versions that are (`upgrade TARBALL` unpacks one)", root.display())]
    NotUnpacked { vsn: String, root: PathBuf },
    #[error("{to} is {} than {from}, the version the tree runs: use `{} {to}`", if *up { "older" } else { "newer" }, if *up { "downgrade" } else { "upgrade" })]
    WrongWay { from: String, to: String, up: bool },
    #[error("{}: {detail}", path.display())]
    Appup { path: PathBuf, detail: String },
    #[error("{}: {detail}", path.display())]
    Tree { path: PathBuf, detail: String },
    #[error("cannot {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Dist(#[from] crate::dist::DistError),
    #[error("node {node} answered what this client does not understand: {detail}")]
    Node { node: String, detail: String },
    #[error("the upgrade of node {node} to {vsn} failed: {reason}; the node was put back on what it ran ({undone})")]
    RolledBack { node: String, vsn: String, reason: String, undone: String },
    #[error("the upgrade of node {node} to {vsn} failed: {reason}; putting it back failed too: {undo_failure}; restart the node to boot its permanent version")]
    RollbackFailed { node: String, vsn: String, reason: String, undo_failure: String },
}

impl UpgradeError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path) -> impl FnOnce(std::io::Error) -> UpgradeError {
        let path = path.to_owned();
        move |source| UpgradeError::Io { action, path, source }
    }
}
