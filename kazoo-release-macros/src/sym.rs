//! Attribute keywords, one constant each, so parsing, checks and messages agree on spelling.

// The attributes the derive reads.
pub const RELEASE: &str = "release";
pub const NODE: &str = "node";
pub const VM_ARGS: &str = "vm_args";
pub const OVERLAY: &str = "overlay";
pub const PROFILE: &str = "profile";
pub const HOOK: &str = "hook";

// `#[hook(...)]`: when each runs, and an Erlang call's parts.
pub const PRE_START: &str = "pre_start";
pub const POST_START: &str = "post_start";
pub const PRE_STOP: &str = "pre_stop";
pub const POST_STOP: &str = "post_stop";
pub const HOOK_KEYS: &[&str] = &[PRE_START, POST_START, PRE_STOP, POST_STOP];
/// The hooks that run while the node runs, which may be an Erlang call on it.
pub const NODE_HOOKS: &[&str] = &[POST_START, PRE_STOP];
pub const MODULE: &str = "module";
pub const FUNCTION: &str = "function";
pub const ARGS: &str = "args";
pub const CALL_KEYS: &[&str] = &[MODULE, FUNCTION, ARGS];

// `#[release(...)]`, `#[node(...)]`, `#[profile(...)]`.
pub const NAME: &str = "name";
pub const VERSION: &str = "version";
pub const DEFAULT_NODE: &str = "default_node";
pub const LIB_DIRS: &str = "lib_dirs";
/// `lib_dirs = [optional("deps")]`: a lib dir that may not exist.
pub const OPTIONAL: &str = "optional";
pub const BASE_APPS: &str = "base_apps";
pub const INCLUDE_ERTS: &str = "include_erts";
pub const INCLUDE_SRC: &str = "include_src";
pub const DEV_MODE: &str = "dev_mode";
pub const STRIP_BEAMS: &str = "strip_beams";
pub const LOAD_LIB_DIRS: &str = "load_lib_dirs";
pub const XREF: &str = "xref";
pub const XREF_IGNORE: &str = "xref_ignore";
/// `dist = tls`: how nodes talk to each other and to the commands.
pub const DIST: &str = "dist";
/// `dist_port = 4370`: the one port a node listens on, registered with no EPMD.
pub const DIST_PORT: &str = "dist_port";
pub const SYS_CONFIG: &str = "sys_config";
pub const APPS: &str = "apps";
/// `#[release(crate = kr)]`: the runtime crate's path, for a renamed dependency.
pub const CRATE: &str = "crate";

// `#[vm_args(...)]` and a profile's `vm_args(...)`.
pub const SASL_ERRLOG_TYPE: &str = "sasl_errlog_type";
pub const INET_DIST_LISTEN_MIN: &str = "inet_dist_listen_min";
pub const INET_DIST_LISTEN_MAX: &str = "inet_dist_listen_max";
pub const KERNEL_POLL: &str = "kernel_poll";
pub const ASYNC_THREADS: &str = "async_threads";
pub const WARNING_MAP: &str = "warning_map";
pub const PRINTABLE_RANGE: &str = "printable_range";
pub const ENV: &str = "env";
pub const RAW: &str = "raw";

// `#[overlay(...)]`.
pub const MKDIR: &str = "mkdir";
pub const COPY: &str = "copy";
pub const TEMPLATE: &str = "template";
pub const CHMOD: &str = "chmod";
pub const FROM: &str = "from";
pub const TO: &str = "to";
pub const MODE: &str = "mode";
pub const PATH: &str = "path";

/// The keys each attribute accepts, in the order the messages list them.
pub const RELEASE_KEYS: &[&str] = &[
    NAME,
    VERSION,
    DEFAULT_NODE,
    LIB_DIRS,
    BASE_APPS,
    INCLUDE_ERTS,
    INCLUDE_SRC,
    DEV_MODE,
    STRIP_BEAMS,
    LOAD_LIB_DIRS,
    XREF,
    XREF_IGNORE,
    DIST,
    DIST_PORT,
    SYS_CONFIG,
    CRATE,
];
pub const NODE_KEYS: &[&str] = &[NAME, APPS];
pub const VM_ARGS_KEYS: &[&str] = &[
    SASL_ERRLOG_TYPE,
    INET_DIST_LISTEN_MIN,
    INET_DIST_LISTEN_MAX,
    KERNEL_POLL,
    ASYNC_THREADS,
    WARNING_MAP,
    PRINTABLE_RANGE,
    ENV,
    RAW,
];
pub const OVERLAY_KEYS: &[&str] = &[MKDIR, COPY, TEMPLATE, CHMOD];
pub const COPY_KEYS: &[&str] = &[FROM, TO];
pub const CHMOD_KEYS: &[&str] = &[MODE, PATH];
pub const PROFILE_KEYS: &[&str] =
    &[NAME, INCLUDE_ERTS, DEV_MODE, STRIP_BEAMS, XREF, DIST, DIST_PORT, SYS_CONFIG, VM_ARGS];

/// Start types of a `.rel` file entry, as written in an app's call form: `lager(load)`.
pub const START_TYPES: &[&str] = &["permanent", "transient", "temporary", "load", "none"];
/// `xref = ...`: what the build does with the calls it finds.
pub const XREF_POLICIES: &[&str] = &["warn", "deny"];
/// `dist = ...`: plain TCP (the default) or TLS distribution.
pub const DIST_MODES: &[&str] = &["tcp", "tls"];
/// `-sasl errlog_type`.
pub const ERRLOG_TYPES: &[&str] = &["error", "progress", "all"];
/// `+W`.
pub const WARNING_MAPS: &[&str] = &["w", "e", "i"];
/// `+pc`.
pub const PRINTABLE_RANGES: &[&str] = &["latin1", "unicode"];
