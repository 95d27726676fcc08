//! The release model: what `#[derive(Release)]` produces and every later stage reads.
//!
//! Names here (release, node types, applications) were checked to be Erlang atoms at compile
//! time by the macro.

use serde::{Deserialize, Serialize};

use crate::term::Term;

/// A type that describes a release; implemented by `#[derive(Release)]`.
pub trait Release {
    /// The release as data. `version` is `None` when the spec leaves it to Cargo's package
    /// version (or `KZ_VERSION`), which the build step fills in. Fails only when a
    /// `sys_config` function's typed values cannot become Erlang terms.
    fn spec() -> Result<ReleaseSpec, crate::term::SerError>;
}

/// What a release version may hold, for messages about one that does not.
pub const VERSION_RULE: &str = "a release version names the directory releases/<vsn>: it starts \
    with a letter or digit, then holds only letters, digits and `.`, `_`, `+`, `-`, with no `..` \
    and no `.` at the end (e.g. \"4.3.0\", \"4.3.0-rc1\")";

/// Why `version` cannot be a release version, or `None` when it can (see [`VERSION_RULE`]).
///
/// The macro checks the spec's `version` with the same rule, at compile time:
/// `version_problem` in kazoo-release-macros/src/erlang.rs (a proc-macro crate exports
/// nothing else, so the rule is written twice; keep the two alike, with their tests).
pub fn version_problem(version: &str) -> Option<String> {
    let is_version_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-');
    let why = match version.chars().next() {
        None => "it is empty".to_owned(),
        Some(c) if !c.is_ascii_alphanumeric() => format!("it starts with `{c}`"),
        Some(_) => match version.chars().find(|&c| !is_version_char(c)) {
            Some(bad) => format!("it contains `{bad}`"),
            None if version.contains("..") => "it contains `..`".to_owned(),
            None if version.ends_with('.') => "it ends with `.`".to_owned(),
            None => return None,
        },
    };
    Some(why)
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
    /// Directories searched for applications, relative to the project root, in order.
    pub lib_dirs: Vec<LibDir>,
    /// Bundle `erts-<vsn>` so the release runs where Erlang is not installed.
    pub include_erts: bool,
    /// Ship application sources (relx's `include_src`).
    pub include_src: bool,
    /// Symlink applications instead of copying them.
    pub dev_mode: bool,
    /// Write the `.beam` files with only the chunks the loader needs, as `beam_lib:strip/1`
    /// (relx's `{debug_info, strip}`); dev mode's symlinked applications are left alone.
    #[serde(default)]
    pub strip_beams: bool,
    /// Every application of the lib dirs is in every node type's release, loaded where the
    /// node type does not start it: what a node may start at run time (Kazoo's kapps
    /// controller starts kapps by configuration, kazoo_data its database driver), as Kazoo's
    /// relx.config.script loads every application.
    #[serde(default)]
    pub load_lib_dirs: bool,
    /// What the build does with the calls [`crate::xref`] finds: warn, or fail.
    #[serde(default)]
    pub xref: XrefPolicy,
    /// Calls (`crypto:hmac/3`) and modules (`pg2`) the check accepts.
    #[serde(default)]
    pub xref_ignore: Vec<String>,
    /// How nodes talk to each other and to the commands: plain TCP, or TLS with the
    /// operator's certificates (every node type then carries `ssl`).
    #[serde(default)]
    pub dist: DistMode,
    /// The one port every node listens on, registered with no EPMD (OTP's `-erl_epmd_port`,
    /// as `ERL_DIST_PORT` sets it): one node per host.
    #[serde(default)]
    pub dist_port: Option<u16>,
    pub vm_args: VmArgs,
    pub sys_config: SysConfig,
    /// Files put into the release beside what is generated, as relx's `overlay`.
    pub overlays: Vec<Overlay>,
    /// Named variants (`dev`, `ci`, `dist`) applied on top of the default.
    pub profiles: Vec<Profile>,
    /// What runs around a node's start and stop (`#[hook(...)]`).
    #[serde(default)]
    pub hooks: Hooks,
}

/// `xref = warn` (the default: the findings are cargo warnings) or `xref = deny` (they fail
/// the build; in a profile, they fail build-release of that profile).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum XrefPolicy {
    #[default]
    Warn,
    Deny,
}

/// `dist = tcp` (the default) or `dist = tls`: OTP's `inet_tls_dist`, both sides verifying
/// certificates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistMode {
    #[default]
    Tcp,
    Tls,
}

/// A directory of applications (`lib_dirs = ["applications", optional("deps")]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibDir {
    /// Relative to the project root (the build step's lib root).
    pub path: String,
    /// `optional("deps")`: the directory may not exist; one that is not optional and does not
    /// exist fails the build.
    #[serde(default)]
    pub optional: bool,
    /// Where the spec names it (`src/release.rs:11`), for that error; empty in a spec made by hand.
    #[serde(default)]
    pub declared: String,
}

impl LibDir {
    /// A required lib dir declared nowhere in particular (a spec made by hand).
    pub fn new(path: &str) -> LibDir {
        LibDir { path: path.to_owned(), optional: false, declared: String::new() }
    }
}

/// The release's hooks: `pre_start` and `post_stop` are commands (no node runs then);
/// `post_start` and `pre_stop` may also be an Erlang call on the node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hooks {
    pub pre_start: Option<Hook>,
    pub post_start: Option<Hook>,
    pub pre_stop: Option<Hook>,
    pub post_stop: Option<Hook>,
}

/// One hook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hook {
    /// A command line run by `sh -c`, in the release root, with the release's environment:
    /// `RELEASE_ROOT_DIR`, `RELEASE_NAME`, `RELEASE_VSN`, `RELEASE_NODE` (the node's full
    /// name), `REL` (its node type).
    Command(String),
    /// `Module:Function(Args...)` on the node, each argument an Erlang term in source form.
    Call { module: String, function: String, args: Vec<String> },
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

impl StartType {
    /// The atom Erlang uses for it in `.rel` files and boot scripts.
    pub fn as_str(self) -> &'static str {
        match self {
            StartType::Permanent => "permanent",
            StartType::Transient => "transient",
            StartType::Temporary => "temporary",
            StartType::Load => "load",
            StartType::None => "none",
        }
    }
}

/// vm.args: the flags Kazoo sets, typed, plus raw lines for the rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    #[serde(default)]
    pub strip_beams: Option<bool>,
    #[serde(default)]
    pub xref: Option<XrefPolicy>,
    #[serde(default)]
    pub dist: Option<DistMode>,
    #[serde(default)]
    pub dist_port: Option<u16>,
    /// Merged over the default vm.args with [`VmArgs::merge`].
    pub vm_args: Option<VmArgs>,
    /// Merged over the default sys.config with [`SysConfig::merge`].
    pub sys_config: Option<SysConfig>,
}

/// The profile every release has: the spec as written.
pub const DEFAULT_PROFILE: &str = "default";

impl ReleaseSpec {
    /// A release `name` with nothing set, for unit tests to fill in.
    #[cfg(test)]
    pub(crate) fn empty(name: &str) -> ReleaseSpec {
        ReleaseSpec {
            name: name.to_owned(),
            version: None,
            default_node: name.to_owned(),
            nodes: vec![],
            base_apps: vec![],
            lib_dirs: vec![],
            include_erts: false,
            include_src: false,
            dev_mode: false,
            strip_beams: false,
            load_lib_dirs: false,
            xref: XrefPolicy::Warn,
            xref_ignore: vec![],
            dist: DistMode::Tcp,
            dist_port: None,
            vm_args: Default::default(),
            sys_config: Default::default(),
            overlays: vec![],
            profiles: vec![],
            hooks: Hooks::default(),
        }
    }

    /// The names of every profile, the default first.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(DEFAULT_PROFILE).chain(self.profiles.iter().map(|p| p.name.as_str()))
    }

    /// The release as profile `name` makes it; `None` for an undeclared profile.
    pub fn with_profile(&self, name: &str) -> Option<ReleaseSpec> {
        if name == DEFAULT_PROFILE {
            return Some(self.clone());
        }
        let profile = self.profiles.iter().find(|p| p.name == name)?;
        let mut spec = self.clone();
        spec.apply(profile);
        Some(spec)
    }

    /// Puts what `profile` sets over this release.
    pub fn apply(&mut self, profile: &Profile) {
        self.include_erts = profile.include_erts.unwrap_or(self.include_erts);
        self.dev_mode = profile.dev_mode.unwrap_or(self.dev_mode);
        self.strip_beams = profile.strip_beams.unwrap_or(self.strip_beams);
        self.xref = profile.xref.unwrap_or(self.xref);
        self.dist = profile.dist.unwrap_or(self.dist);
        self.dist_port = profile.dist_port.or(self.dist_port);
        if let Some(vm_args) = &profile.vm_args {
            self.vm_args = self.vm_args.merge(vm_args);
        }
        if let Some(sys_config) = &profile.sys_config {
            self.sys_config = self.sys_config.merge(sys_config);
        }
    }

    /// Adds `profile`, or merges it into the declared profile of the same name (a TOML
    /// override file refining a profile the Rust spec declares).
    pub fn add_profile(&mut self, profile: Profile) {
        match self.profiles.iter_mut().find(|p| p.name == profile.name) {
            Some(existing) => existing.merge(profile),
            None => self.profiles.push(profile),
        }
    }

    pub fn node(&self, name: &str) -> Option<&NodeType> {
        self.nodes.iter().find(|n| n.name == name)
    }
}

impl Profile {
    fn merge(&mut self, over: Profile) {
        self.include_erts = over.include_erts.or(self.include_erts);
        self.dev_mode = over.dev_mode.or(self.dev_mode);
        self.strip_beams = over.strip_beams.or(self.strip_beams);
        self.xref = over.xref.or(self.xref);
        self.dist = over.dist.or(self.dist);
        self.dist_port = over.dist_port.or(self.dist_port);
        self.vm_args = merge_option(self.vm_args.take(), over.vm_args, |a, b| a.merge(&b));
        self.sys_config = merge_option(self.sys_config.take(), over.sys_config, |a, b| a.merge(&b));
    }
}

fn merge_option<T>(base: Option<T>, over: Option<T>, merge: impl Fn(T, T) -> T) -> Option<T> {
    match (base, over) {
        (Some(base), Some(over)) => Some(merge(base, over)),
        (base, over) => over.or(base),
    }
}

impl VmArgs {
    /// `over`'s typed flags replace these; its `env` and `raw` lines are added after them.
    pub fn merge(&self, over: &VmArgs) -> VmArgs {
        VmArgs {
            sasl_errlog_type: over.sasl_errlog_type.clone().or(self.sasl_errlog_type.clone()),
            inet_dist_listen: over.inet_dist_listen.or(self.inet_dist_listen),
            kernel_poll: over.kernel_poll.or(self.kernel_poll),
            async_threads: over.async_threads.or(self.async_threads),
            warning_map: over.warning_map.clone().or(self.warning_map.clone()),
            printable_range: over.printable_range.clone().or(self.printable_range.clone()),
            env: [self.env.as_slice(), &over.env].concat(),
            raw: [self.raw.as_slice(), &over.raw].concat(),
        }
    }
}

impl SysConfig {
    /// Adds one application's environment, from any serde value (a typed struct becomes a
    /// proplist).
    pub fn app(mut self, name: &str, env: impl Serialize) -> Result<SysConfig, crate::term::SerError> {
        self.apps.push((name.to_owned(), crate::term::to_term(&env)?));
        Ok(self)
    }

    /// `over`'s applications replace these key by key inside each application's proplist;
    /// applications only `over` names are added.
    pub fn merge(&self, over: &SysConfig) -> SysConfig {
        let mut apps = self.apps.clone();
        for (name, env) in &over.apps {
            match apps.iter_mut().find(|(existing, _)| existing == name) {
                Some((_, base)) => *base = merge_proplists(base, env),
                None => apps.push((name.clone(), env.clone())),
            }
        }
        SysConfig { apps }
    }
}

/// `{Key, Value}` entries of `over` replace the entry with the same key in `base`; anything
/// that is not a pair of proplists is replaced whole.
fn merge_proplists(base: &Term, over: &Term) -> Term {
    let (Some(base_items), Some(over_items)) = (base.as_list(), over.as_list()) else {
        return over.clone();
    };
    let key = |item: &Term| item.as_tuple().and_then(|t| t.first()).cloned();
    let mut merged = base_items.to_vec();
    for item in over_items {
        match merged.iter_mut().find(|m| key(m).is_some() && key(m) == key(item)) {
            Some(existing) => *existing = item.clone(),
            None => merged.push(item.clone()),
        }
    }
    Term::List(merged)
}

#[cfg(test)]
mod tests {
    use super::version_problem;

    /// The cases of the macro's own test (kazoo-release-macros/src/erlang.rs), and the two
    /// of issue 11 that came from `KZ_VERSION`.
    #[test]
    fn versions() {
        for ok in ["4.3.0", "1", "4.3.0-rc1", "4.3+build.5", "v1_2"] {
            assert_eq!(version_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("", "empty"),
            (".1", "starts with `.`"),
            ("1..2", "`..`"),
            ("1.2.", "ends with `.`"),
            ("1 2", "contains ` `"),
            ("4.3 beta", "contains ` `"),
            ("../../x", "starts with `.`"),
            ("4.3/x", "contains `/`"),
        ] {
            let message = version_problem(bad).unwrap_or_default();
            assert!(message.contains(why), "{bad}: {message}");
        }
    }
}
