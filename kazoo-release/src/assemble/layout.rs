//! Where each file of a release goes, relative to its root (`_rel/kazoo`).
//!
//! vm.args and sys.config: every node type gets its own `releases/<vsn>/<node>.vm.args`
//! and `<node>.sys.config`, even where they are identical, so that starting a node never
//! depends on which node type is the default; [`node_files`] names them. The default node
//! type's files are also written as relx and OTP name them (`start.boot`, `vm.args`,
//! `sys.config`), because OTP's `start`/`start_erl` scripts and release_handler's
//! `install_release` read exactly those names.

use std::path::{Path, PathBuf};

/// File names under `releases/<vsn>/` that the release writes for itself; a node type with
/// one of these names would collide with them.
pub(crate) const RESERVED_BOOTS: [&str; 3] = ["start", "start_clean", "no_dot_erlang"];

/// The cookie a release of the default conventions makes when its tree is first written.
pub const TREE_COOKIE: &str = "releases/COOKIE";

/// The fingerprint of the inputs a release was built from, in `releases/<vsn>/`.
pub(crate) const FINGERPRINT: &str = "kazoo-release.json";

/// A release's directories, given its root and version.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
    pub vsn: String,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>, vsn: &str) -> Layout {
        Layout { root: root.into(), vsn: vsn.to_owned() }
    }

    /// `lib/<app>-<vsn>`.
    pub fn app_dir(&self, app: &str, app_vsn: &str) -> PathBuf {
        self.root.join("lib").join(format!("{app}-{app_vsn}"))
    }

    /// `erts-<vsn>`.
    pub fn erts_dir(&self, erts_vsn: &str) -> PathBuf {
        self.root.join(format!("erts-{erts_vsn}"))
    }

    pub fn bin_dir(&self) -> PathBuf {
        self.root.join("bin")
    }

    pub fn releases_dir(&self) -> PathBuf {
        self.root.join("releases")
    }

    /// `releases/<vsn>`: boot scripts, vm.args, sys.config.
    pub fn vsn_dir(&self) -> PathBuf {
        self.releases_dir().join(&self.vsn)
    }

    pub fn fingerprint(&self) -> PathBuf {
        self.vsn_dir().join(FINGERPRINT)
    }
}

/// The files a node of one node type boots from, as `erl` takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeFiles {
    /// `releases/<vsn>/<node>`, without `.boot`: `erl -boot` adds it.
    pub boot: PathBuf,
    /// `releases/<vsn>/<node>.sys.config`, for `erl -config`.
    pub config: PathBuf,
    /// `releases/<vsn>/<node>.vm.args`, for `erl -args_file`.
    pub args: PathBuf,
}

/// The boot script, sys.config and vm.args of node type `node` in the release at `root`.
pub fn node_files(root: &Path, vsn: &str, node: &str) -> NodeFiles {
    let dir = Layout::new(root, vsn).vsn_dir();
    NodeFiles {
        boot: dir.join(node),
        config: dir.join(format!("{node}.sys.config")),
        args: dir.join(format!("{node}.vm.args")),
    }
}
