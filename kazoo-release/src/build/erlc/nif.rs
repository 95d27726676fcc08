//! NIFs and port drivers: C and C++ compiled with the `cc` crate into objects under the out
//! dir, then linked into a shared object in the application's `priv/`. What to build comes
//! from, in order: the caller's [`PortSpec`]s; rebar2's `port_specs` in rebar.config (with
//! `port_env`'s `CFLAGS`, `CXXFLAGS`, `LDFLAGS`, `ERL_LDFLAGS`); for a rebar project without
//! them, the port compiler's default (`c_src/*.c` into `priv/<app>_drv.so`); for any other,
//! erlang.mk's (`c_src/*.{c,C,cc,cpp}` into `priv/<app>.so`). ERTS's and erl_interface's
//! headers are on the include path and `-lei` is linked (`-lerl_interface`, gone since OTP
//! 23, is read as `-lei`). A shared object is rebuilt only when a file under `c_src/`, a
//! source or a flag changed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use super::config::AppConfig;
use super::layout::{self, App};
use super::manifest::{self, Stamp};
use super::{options, ErlcError, Settings};
use crate::apps::OtpInstall;
use crate::term::Term;

/// A shared object to build: `target` relative to the application's out folder
/// (`priv/jiffy.so`), `sources` as glob patterns relative to its source folder.
#[derive(Debug, Clone, PartialEq)]
pub struct PortSpec {
    pub target: PathBuf,
    pub sources: Vec<String>,
}

impl PortSpec {
    pub fn new<S: Into<String>>(target: impl Into<PathBuf>, sources: impl IntoIterator<Item = S>) -> PortSpec {
        PortSpec { target: target.into(), sources: sources.into_iter().map(Into::into).collect() }
    }
}

/// Flags by variable (`CFLAGS`, `LDFLAGS`, ...), as `port_env` leaves them.
type Env = BTreeMap<String, String>;

pub(crate) fn build_all(
    apps: &[App],
    configs: &[AppConfig],
    settings: &Settings,
    arch: &str,
    otp: &OtpInstall,
    work_dir: &Path,
) -> Result<(), ErlcError> {
    let stamps_file = work_dir.join("nifs.json");
    let old: HashMap<PathBuf, Vec<Stamp>> =
        std::fs::read(&stamps_file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let mut new = HashMap::new();
    let erl = ErlDirs::of(otp)?;
    let mut errors = Vec::new();
    for (app, config) in apps.iter().zip(configs) {
        let env = port_env(config, arch, &erl)?;
        for spec in specs(app, config, settings, arch)? {
            let target = app.out.join(&spec.target);
            let sources = expand(app, &spec)?;
            if sources.is_empty() {
                continue;
            }
            let stamps = stamps(app, &sources, &env);
            if old.get(&target) == Some(&stamps) && target.is_file() {
                new.insert(target, stamps);
                continue;
            }
            match link(app, &target, &sources, &env, &erl, work_dir) {
                Ok(()) => drop(new.insert(target, stamps)),
                Err(why) => errors.push(ErlcError::Nif { app: app.name.clone(), target, why }),
            }
        }
    }
    // A shared object no spec names any more (a spec was changed) does not stay in priv/.
    for gone in old.keys().filter(|target| !new.contains_key(*target)) {
        let _ = std::fs::remove_file(gone);
    }
    let bytes = serde_json::to_vec(&new)
        .map_err(|e| ErlcError::Io { path: stamps_file.clone(), source: std::io::Error::other(e) })?;
    super::write_if_changed(&stamps_file, &bytes)?;
    match errors.is_empty() {
        true => Ok(()),
        false => Err(ErlcError::all(errors)),
    }
}

/// Where ERTS's and erl_interface's headers and libraries are.
struct ErlDirs {
    erts_include: PathBuf,
    ei_include: PathBuf,
    ei_lib: PathBuf,
}

impl ErlDirs {
    fn of(otp: &OtpInstall) -> Result<ErlDirs, ErlcError> {
        let ei = layout::otp_apps(otp)?.remove("erl_interface").unwrap_or_else(|| otp.lib_dir().join("erl_interface"));
        Ok(ErlDirs {
            erts_include: otp.root.join(format!("erts-{}", otp.erts_vsn)).join("include"),
            ei_include: ei.join("include"),
            ei_lib: ei.join("lib"),
        })
    }
}

fn specs(app: &App, config: &AppConfig, settings: &Settings, arch: &str) -> Result<Vec<PortSpec>, ErlcError> {
    if let Some(given) = settings.port_specs.get(&app.name) {
        return Ok(given.clone());
    }
    let mut specs = Vec::new();
    for entry in options::config_values(&config.terms, "port_specs").filter_map(Term::as_list).flatten() {
        let bad = || ErlcError::config(&config.file, &format!("port_specs entry {entry} is not {{Target, [Source]}}"));
        let (target, sources) = match entry.as_tuple().unwrap_or_default() {
            [target, sources] => (target, sources),
            [pattern, target, sources, ..] if options::arch_matches(pattern, arch, &config.file)? => (target, sources),
            [_, _, _, ..] => continue,
            _ => return Err(bad()),
        };
        let sources: Option<Vec<String>> =
            sources.as_list().ok_or_else(bad)?.iter().map(|s| s.as_str().map(str::to_owned)).collect();
        specs.push(PortSpec::new(target.as_str().ok_or_else(bad)?, sources.ok_or_else(bad)?));
    }
    if !specs.is_empty() || !app.dir.join("c_src").is_dir() {
        return Ok(specs);
    }
    Ok(vec![match config.rebar {
        true => PortSpec::new(format!("priv/{}_drv.so", app.name), ["c_src/*.c"]),
        false => {
            PortSpec::new(format!("priv/{}.so", app.name), ["c_src/*.c", "c_src/*.C", "c_src/*.cc", "c_src/*.cpp"])
        }
    }])
}

/// The source files of a spec, sorted.
fn expand(app: &App, spec: &PortSpec) -> Result<Vec<PathBuf>, ErlcError> {
    let mut sources = Vec::new();
    for pattern in &spec.sources {
        let full = app.dir.join(pattern);
        let bad = |why: String| ErlcError::Nif { app: app.name.clone(), target: spec.target.clone(), why };
        let paths = glob::glob(&full.to_string_lossy()).map_err(|e| bad(format!("bad pattern {pattern:?}: {e}")))?;
        sources.extend(paths.filter_map(Result::ok));
    }
    sources.sort();
    sources.dedup();
    Ok(sources)
}

/// `port_env` evaluated as rebar's port compiler does: entries in order, those with a
/// pattern only where it matches `arch`, `$VAR` and `${VAR}` expanded from what is set so far.
fn port_env(config: &AppConfig, arch: &str, erl: &ErlDirs) -> Result<Env, ErlcError> {
    let mut env: Env = [
        ("ERTS_INCLUDE_DIR", erl.erts_include.to_string_lossy().into_owned()),
        ("ERL_EI_INCLUDE_DIR", erl.ei_include.to_string_lossy().into_owned()),
        ("ERL_EI_LIBDIR", erl.ei_lib.to_string_lossy().into_owned()),
        ("ERL_CFLAGS", "-I$ERL_EI_INCLUDE_DIR -I$ERTS_INCLUDE_DIR".into()),
        ("ERL_LDFLAGS", "-L$ERL_EI_LIBDIR -lei".into()),
        ("CFLAGS", String::new()),
        ("CXXFLAGS", String::new()),
        ("LDFLAGS", String::new()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let defaults: Vec<(String, String)> = env.iter().map(|(k, v)| (k.clone(), expand_vars(v, &env))).collect();
    env.extend(defaults);
    for entry in options::config_values(&config.terms, "port_env").filter_map(Term::as_list).flatten() {
        let (var, value) = match entry.as_tuple().unwrap_or_default() {
            [var, value] => (var, value),
            [pattern, var, value] if options::arch_matches(pattern, arch, &config.file)? => (var, value),
            _ => continue,
        };
        if let (Some(var), Some(value)) = (var.as_str(), value.as_str()) {
            let expanded = expand_vars(value, &env);
            env.insert(var.to_owned(), expanded);
        }
    }
    Ok(env)
}

fn expand_vars(value: &str, env: &Env) -> String {
    let mut out = value.to_owned();
    // Longest names first, so `$CFLAGS_X` is not read as `$CFLAGS` and `_X`.
    let mut names: Vec<&String> = env.keys().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for name in names {
        out = out.replace(&format!("${{{name}}}"), &env[name]).replace(&format!("${name}"), &env[name]);
    }
    out
}

/// What decides the shared object: every file under `c_src/`, the sources, the flags.
fn stamps(app: &App, sources: &[PathBuf], env: &Env) -> Vec<Stamp> {
    let mut files = sources.to_vec();
    files.extend(walk(&app.dir.join("c_src")));
    files.sort();
    files.dedup();
    let flags = (PathBuf::from(format!("{env:?}")), 0, 0);
    files.iter().map(|f| manifest::stamp(f)).chain([flags]).collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = layout::list(dir) else { return vec![] };
    entries.into_iter().flat_map(|e| if e.is_dir() { walk(&e) } else { vec![e] }).collect()
}

/// Compiles the sources (C with the C compiler, C++ with the C++ one) and links them with
/// the C++ compiler if there is C++, as the port compiler does.
fn link(
    app: &App,
    target: &Path,
    sources: &[PathBuf],
    env: &Env,
    erl: &ErlDirs,
    work_dir: &Path,
) -> Result<(), String> {
    let is_cpp = |s: &&PathBuf| s.extension().is_some_and(|e| e != "c");
    let (cpp, c): (Vec<&PathBuf>, Vec<&PathBuf>) = sources.iter().partition(is_cpp);
    let objects_dir = work_dir.join("nif").join(layout::file_name(&app.lib_dir)).join(&app.name);
    std::fs::create_dir_all(&objects_dir).map_err(|e| format!("{}: {e}", objects_dir.display()))?;
    let flags = |var: &str| -> Vec<String> { split_flags(&env[var], &app.dir) };
    let mut objects = Vec::new();
    let mut linker = None;
    for (files, is_cpp, var) in [(c, false, "CFLAGS"), (cpp, true, "CXXFLAGS")] {
        if files.is_empty() {
            continue;
        }
        let stderr = Arc::new(Stderr::default());
        let mut build = cc_build(&objects_dir, is_cpp);
        build.message_logger(Some(stderr.clone()));
        build.include(&erl.erts_include).include(&erl.ei_include).include(app.dir.join("c_src")).files(files);
        for flag in flags(var).into_iter().chain(flags("ERL_CFLAGS")) {
            build.flag(flag);
        }
        objects.extend(build.try_compile_intermediates().map_err(|e| format!("{e}\n{}", stderr.text()))?);
        linker = Some(build);
    }
    let Some(linker) = linker else { return Ok(()) };
    let tool = linker.try_get_compiler().map_err(|e| e.to_string())?;
    let dir = target.parent().unwrap_or(Path::new("/"));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // cc gives `-static` when the Rust target is crt-static (this workspace's static-pie
    // binaries): a NIF is a shared object the VM loads, whatever the Rust binary links.
    let mut command = Command::new(tool.path());
    command.args(tool.args().iter().filter(|arg| *arg != "-static")).envs(tool.get_envs());
    command.arg("-shared").arg("-o").arg(target).args(&objects).args(flags("LDFLAGS")).args(flags("ERL_LDFLAGS"));
    let output = command.output().map_err(|e| format!("cannot run the linker {}: {e}", tool.path().display()))?;
    match output.status.success() {
        true => Ok(()),
        false => Err(format!("linking failed ({command:?}):\n{}", String::from_utf8_lossy(&output.stderr))),
    }
}

/// The compiler's stderr, kept for the error when it fails (a build script's stdout is
/// Cargo's, and `cargo:warning` lines would show a NIF's warnings on every build).
#[derive(Default)]
struct Stderr(Mutex<Vec<String>>);

impl cc::BuildMessageLogger for Stderr {
    fn log(&self, kind: cc::BuildMessageKind, message: cc::BuildMessage<'_>, _: &dyn std::any::Any) {
        if kind == cc::BuildMessageKind::StderrForwarding {
            self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(message.to_string());
        }
    }
}

impl Stderr {
    fn text(&self) -> String {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).join("\n")
    }
}

/// A `cc` build with only the project's own warning flags (its `-Werror` is meant for them).
fn cc_build(objects_dir: &Path, cpp: bool) -> cc::Build {
    let mut build = cc::Build::new();
    build.cpp(cpp).pic(true).out_dir(objects_dir).cargo_metadata(false).cargo_warnings(false);
    build.warnings(false).extra_warnings(false);
    // Outside a build script (a test, a tool) Cargo's TARGET, HOST and OPT_LEVEL are not set.
    if std::env::var_os("TARGET").is_none() {
        let host = host_triple();
        build.target(&host).host(&host).opt_level(2);
    }
    build
}

/// This machine's target triple, as rustc names it.
fn host_triple() -> String {
    let arch = std::env::consts::ARCH;
    match (std::env::consts::OS, cfg!(target_env = "musl")) {
        ("macos", _) => format!("{arch}-apple-darwin"),
        (_, true) => format!("{arch}-unknown-linux-musl"),
        (os, false) => format!("{arch}-unknown-{os}-gnu"),
    }
}

/// Flags split on blanks, `-I` dirs made absolute against the application's folder (the
/// port compiler runs in it), `-lerl_interface` read as `-lei`.
fn split_flags(text: &str, app_dir: &Path) -> Vec<String> {
    text.split_whitespace()
        .map(|flag| match flag {
            "-lerl_interface" => "-lei".to_owned(),
            flag if flag.starts_with("-I") && !flag[2..].starts_with('/') => {
                format!("-I{}", app_dir.join(&flag[2..]).display())
            }
            flag => flag.to_owned(),
        })
        .collect()
}
