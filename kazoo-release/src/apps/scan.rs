//! Finding applications on disk, and reading their `.app` files only when asked: Kazoo's
//! tree holds hundreds of applications and a node type needs a fraction of them.
//!
//! An application is found as Erlang's code server finds it: every `<dir>/ebin/<name>.app`
//! under a lib dir is application `<name>`, whatever `<dir>` is called (Debian installs
//! `cache_tab` as `p1_cache_tab-1.0.30/ebin/cache_tab.app`). As for `application:load/1`,
//! the file must then describe `{application, <name>, ...}`; reading it checks that.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::spec::LibDir;
use crate::term::{self, Term};

use super::error::{AppsError, ScanWarning};
use super::otp::OtpInstall;

/// Where an application was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// In one of the lib dirs the caller gave (this one).
    LibDir(PathBuf),
    /// In the OTP install's `lib/`.
    Otp,
}

/// A directory that was searched for applications, and whether it exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchedDir {
    pub path: PathBuf,
    pub exists: bool,
}

/// What an `.app` file says about its application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppInfo {
    pub name: String,
    pub vsn: String,
    /// Applications that must be started before this one.
    pub applications: Vec<String>,
    /// Applications this one starts itself, in its own supervision tree.
    pub included_applications: Vec<String>,
    pub modules: Vec<String>,
}

/// An application directory: any `<lib dir>/<dir>` with `ebin/<name>.app`.
#[derive(Debug)]
pub struct FoundApp {
    /// The application's name: its `.app` file's, not its directory's.
    pub name: String,
    pub dir: PathBuf,
    pub origin: Origin,
    info: OnceLock<AppInfo>,
}

impl FoundApp {
    pub fn app_file(&self) -> PathBuf {
        self.dir.join("ebin").join(format!("{}.app", self.name))
    }

    /// The `.app` file's contents, read on first use.
    pub fn info(&self) -> Result<&AppInfo, AppsError> {
        if let Some(info) = self.info.get() {
            return Ok(info);
        }
        let info = read_app_file(&self.app_file(), &self.name)?;
        Ok(self.info.get_or_init(|| info))
    }
}

/// Every application found in the lib dirs and the OTP install, in search order.
#[derive(Debug)]
pub struct AppIndex {
    apps: Vec<FoundApp>,
    by_name: HashMap<String, Vec<usize>>,
    searched: Vec<SearchedDir>,
    /// The scan's warnings, then resolve's (which copy of an application it chose).
    warnings: Mutex<Vec<ScanWarning>>,
}

impl AppIndex {
    /// Lists the applications in `lib_dirs` (in order), then in `<otp root>/lib`. A lib dir
    /// that does not exist becomes a [`ScanWarning`]; `.app` files are read later, by
    /// [`FoundApp::info`] or [`AppIndex::resolve`](Self::resolve).
    pub fn scan(lib_dirs: &[PathBuf], otp: &OtpInstall) -> Result<AppIndex, AppsError> {
        let mut index = AppIndex::scan_lib_dirs(lib_dirs)?;
        index.scan_dir(&otp.lib_dir(), Origin::Otp)?;
        Ok(index)
    }

    /// [`scan`](Self::scan) of `lib_dirs` alone, where no OTP install may be (a tree's `lib/`
    /// on a host without Erlang).
    pub fn scan_lib_dirs(lib_dirs: &[PathBuf]) -> Result<AppIndex, AppsError> {
        let mut index =
            AppIndex { apps: Vec::new(), by_name: HashMap::new(), searched: Vec::new(), warnings: Mutex::default() };
        for dir in lib_dirs {
            index.scan_dir(dir, Origin::LibDir(dir.clone()))?;
        }
        Ok(index)
    }

    /// [`scan`](Self::scan) of a spec's lib dirs, relative to `root`: one that does not
    /// exist fails, named with the spec line that declares it, unless it is optional (then it
    /// is left out).
    pub fn scan_spec(lib_dirs: &[LibDir], root: &Path, otp: &OtpInstall) -> Result<AppIndex, AppsError> {
        let mut dirs = Vec::new();
        for dir in lib_dirs {
            let path = root.join(&dir.path);
            match (path.is_dir(), dir.optional) {
                (true, _) => dirs.push(path),
                (false, true) => {}
                (false, false) => {
                    let declared = dir.declared.clone();
                    return Err(AppsError::MissingLibDir { dir: dir.path.clone(), path, declared });
                }
            }
        }
        AppIndex::scan(&dirs, otp)
    }

    fn scan_dir(&mut self, dir: &Path, origin: Origin) -> Result<(), AppsError> {
        let exists = dir.is_dir();
        self.searched.push(SearchedDir { path: dir.to_owned(), exists });
        if !exists {
            self.warn(ScanWarning::MissingLibDir(dir.to_owned()));
            return Ok(());
        }
        for app_dir in sorted_subdirs(dir)? {
            for name in app_names(&app_dir)? {
                self.by_name.entry(name.clone()).or_default().push(self.apps.len());
                let info = OnceLock::new();
                self.apps.push(FoundApp { name, dir: app_dir.clone(), origin: origin.clone(), info });
            }
        }
        Ok(())
    }

    pub fn apps(&self) -> &[FoundApp] {
        &self.apps
    }

    /// Every copy of the application `name`, in search order.
    pub fn find<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a FoundApp> + 'a {
        let indices = self.by_name.get(name).map(Vec::as_slice).unwrap_or_default();
        indices.iter().map(|&i| &self.apps[i])
    }

    /// The directories searched, in order, including those that do not exist.
    pub fn searched(&self) -> &[SearchedDir] {
        &self.searched
    }

    /// What the scan found worth saying (a lib dir that does not exist) and, once node types
    /// are resolved, which copy of an application found more than once each one uses.
    pub fn warnings(&self) -> Vec<ScanWarning> {
        self.lock_warnings().clone()
    }

    /// Adds `warning`, once: node types that share an application share its warning.
    pub(super) fn warn(&self, warning: ScanWarning) {
        let mut warnings = self.lock_warnings();
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }

    fn lock_warnings(&self) -> std::sync::MutexGuard<'_, Vec<ScanWarning>> {
        // A list of warnings cannot be left half-updated: a poisoned lock still holds it whole.
        self.warnings.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The directories in `dir`, sorted by name so that every run finds the same order.
fn sorted_subdirs(dir: &Path) -> Result<Vec<PathBuf>, AppsError> {
    let io_err = |source| AppsError::Io { path: dir.to_owned(), source };
    let mut dirs = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// The applications in `dir`: the `<name>` of every `ebin/<name>.app`, sorted (one as a
/// rule; the code server would find each of several).
fn app_names(dir: &Path) -> Result<Vec<String>, AppsError> {
    let ebin = dir.join("ebin");
    let Ok(entries) = fs::read_dir(&ebin) else {
        // No ebin/ (or none readable): not an application, as for the code server.
        return Ok(Vec::new());
    };
    let io_err = |source| AppsError::Io { path: ebin.clone(), source };
    let mut names = Vec::new();
    for entry in entries {
        let path = entry.map_err(io_err)?.path();
        let name =
            path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".app")).filter(|n| !n.is_empty());
        if let Some(name) = name.filter(|_| path.is_file()) {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn read_app_file(path: &Path, name: &str) -> Result<AppInfo, AppsError> {
    let terms = term::parse_file(path).map_err(|parse| AppsError::MalformedAppFile { parse })?;
    let bad = |problem: String| AppsError::BadAppFile { path: path.to_owned(), problem };
    let props = properties(&terms, name).map_err(bad)?;
    let vsn = props.proplist_get("vsn").and_then(Term::as_str);
    // systools (and our boot scripts) need it: a missing one fails here, at `cargo build`,
    // rather than when the release is written.
    if props.proplist_get("description").and_then(Term::as_str).is_none() {
        return Err(bad("it has no {description, \"...\"} string".to_owned()));
    }
    Ok(AppInfo {
        name: name.to_owned(),
        vsn: vsn.ok_or_else(|| bad("it has no {vsn, \"...\"} string".to_owned()))?.to_owned(),
        applications: atoms(props, "applications").map_err(bad)?,
        included_applications: atoms(props, "included_applications").map_err(bad)?,
        modules: atoms(props, "modules").map_err(bad)?,
    })
}

/// The properties list of `{application, <name>, Properties}`, the file's only term.
fn properties<'t>(terms: &'t [Term], name: &str) -> Result<&'t Term, String> {
    let not_app = || "it is not one term {application, Name, Properties}".to_owned();
    let [Term::Tuple(items)] = terms else {
        return Err(not_app());
    };
    let [tag, app, props] = items.as_slice() else {
        return Err(not_app());
    };
    match (tag.as_atom(), app.as_atom(), props.as_list()) {
        (Some("application"), Some(app), Some(_)) if app == name => Ok(props),
        (Some("application"), Some(app), Some(_)) => Err(format!("it describes `{app}`, not `{name}`")),
        _ => Err(not_app()),
    }
}

/// The list of atoms under `key`; a missing key means none, as for `application:load/1`.
fn atoms(props: &Term, key: &str) -> Result<Vec<String>, String> {
    let Some(value) = props.proplist_get(key) else {
        return Ok(Vec::new());
    };
    let not_atoms = || format!("its {key} is not a list of atoms");
    let items = value.as_list().ok_or_else(not_atoms)?;
    items.iter().map(|item| item.as_atom().map(str::to_owned).ok_or_else(not_atoms)).collect()
}
