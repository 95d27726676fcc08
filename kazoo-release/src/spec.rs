//! The release model: what `#[derive(Release)]` produces and every later stage reads.
//!
//! Names here (release, node types, applications) were checked to be Erlang atoms at compile
//! time by the macro.

use serde::{Deserialize, Serialize};

use crate::term::Term;

/// A type that describes a release; implemented by `#[derive(Release)]`.
pub trait Release {
    /// The release as data. `version` is `None` when the spec leaves it to Cargo's package
    /// version (or `KZ_VERSION`), which the build step fills in.
    fn spec() -> ReleaseSpec;
}

/// A whole release: what relx.config, vm.args and sys.config are rendered from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseSpec {
    /// The release name, an Erlang atom (`kazoo`): `_rel/<name>`, `bin/<name>`.
    pub name: String,
    /// The release version; `None` until the build step takes Cargo's.
    pub version: Option<String>,
    /// The node type that runs when none is named (`kazoo_apps`).
    pub default_node: String,
    /// Every node type, in declaration order.
    pub nodes: Vec<NodeType>,
    /// Applications every node type carries (`runtime_tools`, `tools`, `sasl`).
    pub base_apps: Vec<AppSpec>,
    /// Directories searched for applications, relative to the project root.
    pub lib_dirs: Vec<String>,
    /// Bundle `erts-<vsn>` so the release runs where Erlang is not installed.
    pub include_erts: bool,
    /// Ship application sources (relx's `include_src`).
    pub include_src: bool,
    /// Symlink applications instead of copying them.
    pub dev_mode: bool,
    pub vm_args: VmArgs,
    pub sys_config: SysConfig,
    /// Files put into the release beside what is generated, as relx's `overlay`.
    pub overlays: Vec<Overlay>,
    /// Named variants (`dev`, `ci`, `dist`) applied on top of the default.
    pub profiles: Vec<Profile>,
}

/// A node type: one `.rel`, one boot script, one node name prefix (`ecallmgr@host`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeType {
    pub name: String,
    /// The applications this node type starts, beside the release's base applications.
    pub apps: Vec<AppSpec>,
}

/// One application of a node type, optionally pinned to a version or given a start type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppSpec {
    pub name: String,
    /// A pinned version; the highest found wins otherwise.
    pub version: Option<String>,
    pub start_type: StartType,
}

/// How the boot script starts an application (the `.rel` file's `Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartType {
    #[default]
    Permanent,
    Transient,
    Temporary,
    Load,
    None,
}

/// vm.args: the flags Kazoo sets, typed, plus raw lines for the rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VmArgs {
    /// `-sasl errlog_type error`.
    pub sasl_errlog_type: Option<String>,
    /// `-kernel inet_dist_listen_min M inet_dist_listen_max N`.
    pub inet_dist_listen: Option<(u16, u16)>,
    /// `+K true`.
    pub kernel_poll: Option<bool>,
    /// `+A 100`.
    pub async_threads: Option<u32>,
    /// `+W w`.
    pub warning_map: Option<String>,
    /// `-pc unicode`.
    pub printable_range: Option<String>,
    /// `-env NAME VALUE` lines.
    pub env: Vec<(String, String)>,
    /// Any other flag line, written as is (`+zdbbl 32768`).
    pub raw: Vec<String>,
}

/// sys.config: application name -> its environment, a proplist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SysConfig {
    pub apps: Vec<(String, Term)>,
}

/// A relx-style overlay, applied inside the release directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overlay {
    /// Make a directory (relative to the release root).
    Mkdir { path: String },
    /// Copy a file or directory from the project into the release.
    Copy { from: String, to: String },
    /// Render a Handlebars template from the project into the release.
    Template { from: String, to: String },
    /// Set a file's Unix mode (`0o755`).
    Chmod { mode: u32, path: String },
}

/// A named variant of the release: only what it sets differs from the default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub include_erts: Option<bool>,
    pub dev_mode: Option<bool>,
    /// Replaces the default vm.args when set.
    pub vm_args: Option<VmArgs>,
    /// Replaces the default sys.config when set.
    pub sys_config: Option<SysConfig>,
}
