//! Erlang applications compiled from a build script, as the `cc` crate compiles C: a
//! [`Build`] names lib dirs (folders holding one folder per application, as rebar3's
//! `_checkouts` or Kazoo's `core/` and `deps/`) and options, and [`Build::compile`] writes
//! `<out>/<lib dir>/<app>/ebin` for every application, as erlang.mk and rebar3 would:
//!
//! - each application's own options (rebar.config's `erl_opts`, evaluated through a
//!   `rebar.config.script` where there is one), the caller's for a lib dir or an application;
//! - include paths: the application's `include/` and `src/`, `-I`/`{i, Dir}`, and
//!   `include_lib` over every application of every lib dir (first) and the OTP root;
//! - parse transforms and behaviours compiled before the modules that use them, across
//!   applications, from a native scan of the sources' attributes;
//! - modules compiled in parallel by one compiler VM ([`driver`]), only those whose source,
//!   headers, options or compile-time dependencies changed since the last build;
//! - `.app.src` (or `.app.src.script`) into `.app` with its modules listed;
//! - NIFs' and port drivers' C and C++ into `priv/` with the `cc` crate.
//!
//! ```no_run
//! // build.rs
//! let compiled = kazoo_release::build::erlc::Build::new()
//!     .lib_dir("deps")
//!     .lib_dir("apps")
//!     .lib_dir_options("apps", ["+debug_info", "+{parse_transform, lager_transform}"])
//!     .compile()
//!     .unwrap_or_else(|e| {
//!         eprintln!("error: {e}");
//!         std::process::exit(1)
//!     });
//! for source in &compiled.sources {
//!     println!("cargo:rerun-if-changed={}", source.display());
//! }
//! ```
//!
//! Nothing is written beside the sources: `ebin/`, the `.app`, NIFs, the manifest and the
//! compiler VM's files all go under the out dir (default `$OUT_DIR/erlang`).

// A build error ends the build; its size does not matter.
#![allow(clippy::result_large_err)]

mod app_file;
mod config;
mod driver;
mod error;
mod layout;
mod manifest;
mod nif;
mod options;
mod scan;
mod schedule;
mod settings;
mod units;

use std::path::{Path, PathBuf};

pub use error::{ErlcError, ModuleFailure};
pub use nif::PortSpec;

use settings::{absolute, Settings};

use crate::apps::{OtpInstall, OtpSearch};

/// What to compile and how; see the module documentation.
#[derive(Debug, Default)]
pub struct Build {
    settings: Settings,
    out_dir: Option<PathBuf>,
    jobs: Option<usize>,
}

/// What a build compiled.
#[derive(Debug)]
pub struct Compiled {
    /// Every application, in lib dir order.
    pub apps: Vec<CompiledApp>,
    /// Modules compiled by this build.
    pub modules_compiled: usize,
    /// Modules whose `.beam` was already up to date.
    pub modules_up_to_date: usize,
    /// The compiler's warnings for every module, as erlc prints them (`file:line:col:
    /// Warning: ...`), those of modules compiled by an earlier build too; they are also in
    /// `<out>/warnings.log`.
    pub warnings: Vec<String>,
    /// What the build read, for `cargo:rerun-if-changed`: the lib dirs (Cargo watches a
    /// folder's whole tree, so a new application or module counts too), the caller's extra
    /// folders and files.
    pub sources: Vec<PathBuf>,
}

#[derive(Debug)]
pub struct CompiledApp {
    pub name: String,
    /// `<out>/<lib dir name>/<name>`, holding `ebin/`, and `include/`, `priv/`, `src/`.
    pub dir: PathBuf,
    /// The source folder.
    pub source_dir: PathBuf,
}

impl Build {
    pub fn new() -> Build {
        Build::default()
    }

    /// A folder holding one folder per application (`<app>/src/*.erl`, `include/`,
    /// `c_src/`, `priv/`); its applications go to `<out>/<its name>/`.
    pub fn lib_dir(mut self, dir: impl Into<PathBuf>) -> Build {
        self.settings.lib_dirs.push(dir.into());
        self
    }

    /// erlc flags for every application of the lib dir `dir` (`+Term`, `-Idir` relative
    /// to the application, `-Dname[=value]`, `-Werror`), before the application's own.
    pub fn lib_dir_options<S: Into<String>>(
        mut self,
        dir: impl Into<PathBuf>,
        flags: impl IntoIterator<Item = S>,
    ) -> Build {
        self.settings.lib_dir_flags.entry(dir.into()).or_default().extend(flags.into_iter().map(Into::into));
        self
    }

    /// erlc flags for one application, after its own.
    pub fn app_options<S: Into<String>>(mut self, app: &str, flags: impl IntoIterator<Item = S>) -> Build {
        self.settings.app_flags.entry(app.to_owned()).or_default().extend(flags.into_iter().map(Into::into));
        self
    }

    /// An option no module gets, wherever it comes from (`-Werror` or `+warnings_as_errors`
    /// drops every `warnings_as_errors`, also an application's own).
    pub fn drop_option(mut self, flag: impl Into<String>) -> Build {
        self.settings.dropped_flags.push(flag.into());
        self
    }

    /// Compiles `patched` instead of `original` (relative to the application's folder, as
    /// `src/kz_auth_keys.erl`); its includes are found as at the original's place.
    pub fn replace_source(mut self, app: &str, original: impl Into<PathBuf>, patched: impl Into<PathBuf>) -> Build {
        self.settings.replaced.entry(app.to_owned()).or_default().push((original.into(), patched.into()));
        self
    }

    /// A folder of generated `.erl` files compiled as part of `app` and listed in its `.app`.
    pub fn extra_src_dir(mut self, app: &str, dir: impl Into<PathBuf>) -> Build {
        self.settings.extra_src_dirs.entry(app.to_owned()).or_default().push(dir.into());
        self
    }

    /// A folder of generated headers of `app`: on its include path, and in its `include/`
    /// for other applications' `include_lib("app/include/...")`.
    pub fn include_dir(mut self, app: &str, dir: impl Into<PathBuf>) -> Build {
        self.settings.include_dirs.entry(app.to_owned()).or_default().push(dir.into());
        self
    }

    /// The `.app.src` of an application whose sources have none (an erlang.mk project whose
    /// Makefile writes it), or one to use instead of its own.
    pub fn app_src(mut self, app: &str, file: impl Into<PathBuf>) -> Build {
        self.settings.app_srcs.insert(app.to_owned(), file.into());
        self
    }

    /// The version of an application whose `.app.src` has none as a string (`{vsn, git}`:
    /// the version control it asks for is not there in a source copy).
    pub fn app_vsn(mut self, app: &str, vsn: impl Into<String>) -> Build {
        self.settings.app_vsns.insert(app.to_owned(), vsn.into());
        self
    }

    /// A NIF or port driver of `app` (`priv/comp128.so` from `["c_src/comp128.c"]`), instead
    /// of what its rebar.config or the `c_src/` convention says.
    pub fn port_spec(mut self, app: &str, spec: PortSpec) -> Build {
        self.settings.port_specs.entry(app.to_owned()).or_default().push(spec);
        self
    }

    /// Where everything goes (default: `$OUT_DIR/erlang`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Build {
        self.out_dir = Some(dir.into());
        self
    }

    /// How many modules compile at once (default: Cargo's `NUM_JOBS`, else the machine's
    /// available parallelism).
    pub fn jobs(mut self, jobs: usize) -> Build {
        self.jobs = Some(jobs.max(1));
        self
    }

    pub fn compile(self) -> Result<Compiled, ErlcError> {
        let out_dir = match self.out_dir {
            Some(dir) => dir,
            None => PathBuf::from(std::env::var_os("OUT_DIR").ok_or(ErlcError::NoOutDir)?).join("erlang"),
        };
        let jobs = self.jobs.unwrap_or_else(default_jobs);
        // Read here, as a build script's environment, and handed down.
        let otp = OtpSearch { erl_root: std::env::var_os("ERL_ROOT"), path: std::env::var_os("PATH") };
        run(&self.settings.absolute(), &absolute(&out_dir), jobs, &otp)
    }
}

fn default_jobs() -> usize {
    let from_cargo = std::env::var("NUM_JOBS").ok().and_then(|n| n.parse().ok());
    from_cargo.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).max(1)
}

fn run(settings: &Settings, out_dir: &Path, jobs: usize, otp: &OtpSearch) -> Result<Compiled, ErlcError> {
    let otp = OtpInstall::detect(otp).map_err(|e| match e {
        crate::apps::AppsError::OtpNotFound { .. } => ErlcError::Missing,
        other => ErlcError::Otp(other),
    })?;
    // The lib dirs' folders exist even with no applications, as a spec's lib_dirs expect.
    for lib_dir in &settings.lib_dirs {
        layout::create_dir(&out_dir.join(layout::file_name(lib_dir)))?;
    }
    let work_dir = out_dir.join(".erlc");
    layout::create_dir(&work_dir)?;
    // The VM boots while the applications are found.
    let mut driver = driver::Driver::start(&otp.root, &work_dir)?;
    let apps = layout::discover(settings, out_dir)?;
    settings.check_names(&apps)?;
    apps.iter().try_for_each(layout::prepare)?;
    driver.add_code_paths(&apps.iter().map(layout::App::ebin).collect::<Vec<_>>())?;
    let arch = driver.arch()?;
    let configs = apps.iter().map(|app| config::read(app, &mut driver)).collect::<Result<Vec<_>, _>>()?;
    let units = units::plan(&apps, &configs, settings, &arch, &otp)?;
    let mut manifest = manifest::Manifest::load(&work_dir);
    let (outcome, nifs) = std::thread::scope(|scope| {
        let nifs = scope.spawn(|| nif::build_all(&apps, &configs, settings, &arch, &otp, &work_dir));
        let outcome = schedule::run(&units, &mut manifest, &mut driver, jobs);
        (outcome, nifs.join())
    });
    manifest.save()?;
    let outcome = outcome?;
    for (index, app) in apps.iter().enumerate() {
        app_file::write(app, &units.modules_of(index), settings, &mut driver)?;
    }
    driver.finish()?;
    write_if_changed(&out_dir.join("warnings.log"), outcome.warnings.join("\n").as_bytes())?;
    let nif_error = match nifs {
        Ok(result) => result.err(),
        Err(_) => Some(ErlcError::NifPanic),
    };
    let errors: Vec<ErlcError> = outcome.failure().into_iter().chain(nif_error).collect();
    if !errors.is_empty() {
        return Err(ErlcError::all(errors));
    }
    Ok(Compiled {
        sources: sources(settings),
        apps: apps
            .iter()
            .map(|app| CompiledApp { name: app.name.clone(), dir: app.out.clone(), source_dir: app.dir.clone() })
            .collect(),
        modules_compiled: outcome.compiled,
        modules_up_to_date: outcome.up_to_date,
        warnings: outcome.warnings,
    })
}

/// The folders and files a build reads, as [`Compiled::sources`].
fn sources(settings: &Settings) -> Vec<PathBuf> {
    let given = settings.extra_src_dirs.values().chain(settings.include_dirs.values()).flatten().cloned();
    let patched = settings.replaced.values().flatten().map(|(_, patched)| patched.clone());
    let mut sources: Vec<PathBuf> = settings
        .lib_dirs
        .iter()
        .cloned()
        .chain(given)
        .chain(patched)
        .chain(settings.app_srcs.values().cloned())
        .collect();
    sources.sort();
    sources.dedup();
    sources
}

/// Writes `bytes` to `path` unless it holds them already (its mtime then stays); says
/// whether it wrote.
pub(crate) fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, ErlcError> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    std::fs::write(path, bytes).map_err(|source| ErlcError::Io { path: path.to_owned(), source })?;
    Ok(true)
}
