//! Kazoo's release: what relx.config, rel/vm.args and rel/sys.config said, as typed data.
//! Shared by build.rs (which renders and verifies it) and the binary.

use kazoo_release::spec::SysConfig;
use kazoo_release::term::{SerError, Term};
use kazoo_release::Release;
use serde::Serialize;

#[derive(Release)]
#[release(name = kazoo, default_node = kazoo_apps)]
#[release(lib_dirs = ["applications", "core", "deps"], base_apps = [runtime_tools, tools, sasl])]
#[release(include_erts = true, sys_config = sys_config)]
// Every application of the lib dirs is loaded on both node types, as Kazoo's relx.config.script
// loads them all: kazoo_data starts its database driver (kazoo_couch) itself, kazoo_apps the
// kapps its configuration names, and Kazoo's applications call some they do not list.
#[release(load_lib_dirs = true)]
#[node(name = ecallmgr, apps = [ecallmgr])]
#[node(name = kazoo_apps, apps = [kazoo_apps])]
#[vm_args(sasl_errlog_type = error, inet_dist_listen_min = 11500, inet_dist_listen_max = 11999,
          kernel_poll = true, async_threads = 100, warning_map = w, printable_range = unicode,
          env(ERL_CRASH_DUMP_NICE = "1"))]
#[overlay(mkdir = "log")]
#[overlay(copy(from = "overlay/sup", to = "bin/sup"), chmod(mode = 0o755, path = "bin/sup"))]
#[profile(name = dev, dev_mode = true, include_erts = false, sys_config = dev_sys_config)]
#[profile(name = ci, include_erts = false, sys_config = ci_sys_config)]
#[profile(name = dist, strip_beams = true)]
// Nodes that talk TLS distribution only, with the operator's certificates (README: "Securing the distribution").
#[profile(name = tls, dist = tls)]
pub struct Kazoo;

/// lager's log levels, written as atoms.
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Debug,
    Info,
    Error,
}

/// One entry of lager's `handlers`: `{Backend, Options}`.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Handler {
    LagerConsoleBackend(ConsoleBackend),
    LagerFileBackend(FileBackend),
}

#[derive(Serialize)]
pub struct ConsoleBackend {
    level: Level,
    formatter: Term,
    formatter_config: Term,
}

#[derive(Serialize)]
pub struct FileBackend {
    file: String,
    level: Level,
    size: u64,
    date: String,
    count: u32,
    formatter: Term,
    formatter_config: Term,
}

#[derive(Serialize)]
pub struct Lager {
    handlers: Vec<Handler>,
    extra_sinks: Vec<(Term, Vec<Term>)>,
    colored: bool,
    error_logger_hwm: u32,
}

#[derive(Serialize)]
pub struct Aten {
    detection_threshold: f64,
    poll_interval: u32,
    heartbeat_interval: u32,
}

#[derive(Serialize)]
pub struct Ra {
    data_dir: String,
}

fn atom(name: &str) -> Term {
    Term::atom(name)
}

fn text(s: &str) -> Term {
    Term::charlist(s)
}

/// `{Key, [Key], ""}`: lager prints the key's value only when the metadata has it.
fn optional(key: &str, print: Vec<Term>) -> Term {
    Term::tuple(vec![atom(key), Term::list(print), text("")])
}

fn console_format() -> Term {
    Term::list(vec![
        atom("time"),
        text(" "),
        atom("color"),
        atom("severity"),
        text(" "),
        optional("module", vec![atom("module")]),
        optional("line", vec![text("."), atom("line"), text(" ")]),
        text("\u{1b}[0m"),
        atom("message"),
        text("\n"),
    ])
}

fn file_format() -> Term {
    let callid = Term::tuple(vec![atom("callid"), Term::binary("0000000000")]);
    Term::list(vec![
        atom("time"),
        text(" ["),
        atom("severity"),
        text("] "),
        text("|"),
        callid,
        text("|"),
        atom("module"),
        text(":"),
        atom("line"),
        text("("),
        atom("pid"),
        text(") "),
        optional("log_prefix", vec![text("["), atom("log_prefix"), text("] ")]),
        atom("message"),
        text("\n"),
    ])
}

fn file_backend(file: &str, level: Level) -> Handler {
    Handler::LagerFileBackend(FileBackend {
        file: file.into(),
        level,
        size: 10_485_760,
        date: "$D0".into(),
        count: 5,
        formatter: atom("lager_default_formatter"),
        formatter_config: file_format(),
    })
}

fn lager(console: Level, files: Level, colored: bool) -> Lager {
    let console = Handler::LagerConsoleBackend(ConsoleBackend {
        level: console,
        formatter: atom("lager_default_formatter"),
        formatter_config: console_format(),
    });
    let sinks = ["data_lager_event", "amqp_lager_event", "dev_lager_event"];
    Lager {
        handlers: vec![console, file_backend("log/error.log", Level::Error), file_backend("log/console.log", files)],
        extra_sinks: sinks.iter().map(|s| (atom(s), vec![])).collect(),
        colored,
        error_logger_hwm: 5000,
    }
}

/// Kazoo's rel/sys.config (lager_syslog is not packaged here, so its handler is left out).
pub fn sys_config() -> Result<SysConfig, SerError> {
    let aten = Aten { detection_threshold: 1.5, poll_interval: 2000, heartbeat_interval: 5000 };
    SysConfig::default()
        .app("lager", lager(Level::Info, Level::Info, true))?
        .app("aten", aten)?
        .app("ra", Ra { data_dir: "/etc/kazoo/ra".into() })
}

/// Developers read the console at debug level.
pub fn dev_sys_config() -> Result<SysConfig, SerError> {
    SysConfig::default().app("lager", lager(Level::Debug, Level::Debug, true))
}

/// CI reads log files, not colours.
pub fn ci_sys_config() -> Result<SysConfig, SerError> {
    SysConfig::default().app("lager", lager(Level::Info, Level::Debug, false))
}
