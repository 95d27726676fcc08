//! The parsed release: what the attributes said, each value beside the tokens it came from.
//! attr.rs builds it (type errors), check.rs validates it (meaning), expand.rs renders it.

use proc_macro2::{Ident, Span};
use syn::{Generics, Path};

use crate::errors::Located;

/// A name (release, node type, application, profile): an identifier or a string literal.
pub type Name = Located<String>;

pub struct Input {
    pub ident: Ident,
    pub generics: Generics,
    pub release: Release,
    pub nodes: Vec<Node>,
    pub vm_args: VmArgs,
    pub overlays: Vec<Overlay>,
    pub profiles: Vec<Profile>,
    pub hooks: Vec<Hook>,
}

/// One `#[hook(point = ...)]`: `point = "a command"` or `point(module = m, function = f,
/// args = ["Term", ...])`.
pub struct Hook {
    /// `pre_start`, `post_start`, `pre_stop` or `post_stop`, with its token.
    pub point: Located<String>,
    pub action: HookAction,
}

pub enum HookAction {
    Command(Located<String>),
    Call { module: Name, function: Name, args: Vec<String> },
}

/// One of `lib_dirs`: `"deps"`, or `optional("deps")` for one that may not exist.
pub struct LibDir {
    pub path: Located<String>,
    pub optional: bool,
}

/// Every `#[release(...)]` merged.
pub struct Release {
    /// The keys written, even with a bad value: a key given wrongly is not also "missing".
    pub given: Vec<String>,
    /// Where a release-wide error without a token of its own points: the first
    /// `#[release]`, or the struct's name when there is none.
    pub span: Span,
    pub name: Option<Name>,
    pub version: Option<Located<String>>,
    pub default_node: Option<Name>,
    pub lib_dirs: Vec<LibDir>,
    pub base_apps: Vec<App>,
    pub include_erts: Option<bool>,
    pub include_src: Option<bool>,
    pub dev_mode: Option<bool>,
    /// Debug info stripped from the copied `.beam` files.
    pub strip_beams: Option<bool>,
    /// Every lib dir application loaded on every node type.
    pub load_lib_dirs: Option<bool>,
    /// `warn` or `deny`, checked against `sym::XREF_POLICIES`.
    pub xref: Option<Located<String>>,
    pub xref_ignore: Vec<Located<String>>,
    /// `tcp` or `tls`, checked against `sym::DIST_MODES`.
    pub dist: Option<Located<String>>,
    /// A port, checked to be in 1..=65535.
    pub dist_port: Option<Located<i128>>,
    pub sys_config: Option<Path>,
    /// The runtime crate as the user's Cargo.toml names it (default `::kazoo_release`).
    pub krate: Option<Path>,
}

/// One `#[node(...)]`.
pub struct Node {
    /// The `node` of `#[node(...)]`.
    pub span: Span,
    pub given: Vec<String>,
    pub name: Option<Name>,
    /// `None` when `apps` is not given; the tokens are the list's, for "no applications".
    pub apps: Option<Located<Vec<App>>>,
}

/// `kazoo_apps`, `"kazoo_apps"`, `lager(load)`, `goldrush("0.1.9")`, `sync(load, "0.1.3")`.
pub struct App {
    pub name: Name,
    pub version: Option<Located<String>>,
    /// Checked against `sym::START_TYPES` in check.rs.
    pub start_type: Option<Located<String>>,
}

/// `#[vm_args(...)]` merged, or a profile's `vm_args(...)`; only what was written is set.
#[derive(Clone, Default)]
pub struct VmArgs {
    pub sasl_errlog_type: Option<Located<String>>,
    pub inet_dist_listen_min: Option<Located<i128>>,
    pub inet_dist_listen_max: Option<Located<i128>>,
    pub kernel_poll: Option<bool>,
    pub async_threads: Option<Located<i128>>,
    pub warning_map: Option<Located<String>>,
    pub printable_range: Option<Located<String>>,
    pub env: Vec<(Located<String>, String)>,
    pub raw: Vec<Located<String>>,
}

pub enum Overlay {
    Mkdir { path: String },
    Copy { from: String, to: String },
    Template { from: String, to: String },
    Chmod { mode: Located<i128>, path: String },
}

/// One `#[profile(...)]`.
pub struct Profile {
    pub span: Span,
    pub given: Vec<String>,
    pub name: Option<Name>,
    pub include_erts: Option<bool>,
    pub dev_mode: Option<bool>,
    /// Debug info stripped from the copied `.beam` files.
    pub strip_beams: Option<bool>,
    pub xref: Option<Located<String>>,
    pub dist: Option<Located<String>>,
    pub dist_port: Option<Located<i128>>,
    pub sys_config: Option<Path>,
    pub vm_args: Option<VmArgs>,
}
