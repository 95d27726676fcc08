//! Where things are: the applications of the lib dirs (one folder each, named after the
//! application), their sources, and their place in the out dir, `<out>/<lib dir>/<app>/`
//! with `ebin/` built, `src/` linked to the sources, and `include/` and `priv/` as folders of
//! links to the application's own entries beside what the build adds (generated headers,
//! NIFs), since the sources are never written.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::{ErlcError, Settings};
use crate::apps::{compare_versions, OtpInstall};

/// One application of a lib dir.
#[derive(Debug)]
pub(crate) struct App {
    pub name: String,
    /// The source folder, `<lib dir>/<name>`.
    pub dir: PathBuf,
    /// The lib dir it is in.
    pub lib_dir: PathBuf,
    /// `<out>/<lib dir name>/<name>`.
    pub out: PathBuf,
    /// What its `.app` is made from.
    pub template: Template,
    pub sources: Vec<Source>,
    /// Folders of headers of its own: the caller's generated ones, `include/`.
    pub include_dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub(crate) enum Template {
    /// `src/<app>.app.src`, or the caller's file for an application that has none.
    AppSrc(PathBuf),
    /// `src/<app>.app.src.script`, evaluated with `CONFIG` bound to the `.app.src` beside it.
    Script { script: PathBuf, app_src: Option<PathBuf> },
    /// `ebin/<app>.app` kept in the sources (erlang.mk projects commit theirs).
    Committed(PathBuf),
}

/// A module to compile.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// The file the compiler reads: the application's own, a generated one, or a patched copy.
    pub file: PathBuf,
    /// Where it stands in the application: includes are looked up beside this one.
    pub home: PathBuf,
}

impl App {
    pub fn ebin(&self) -> PathBuf {
        self.out.join("ebin")
    }

    pub fn rebar_config(&self) -> PathBuf {
        self.dir.join("rebar.config")
    }
}

/// Every application of the lib dirs, in lib dir order and then by name.
pub(crate) fn discover(settings: &Settings, out_dir: &Path) -> Result<Vec<App>, ErlcError> {
    let mut apps = Vec::new();
    let mut out_names = BTreeMap::new();
    for lib_dir in &settings.lib_dirs {
        let lib_name = file_name(lib_dir);
        if let Some(other) = out_names.insert(lib_name.clone(), lib_dir.clone()) {
            return Err(ErlcError::LibDirName { name: lib_name, first: other, second: lib_dir.clone() });
        }
        for dir in list(lib_dir)?.into_iter().filter(|d| d.is_dir()) {
            let name = file_name(&dir);
            if let Some(template) = template(settings, &name, &dir)? {
                let out = out_dir.join(&lib_name).join(&name);
                apps.push(App {
                    sources: sources(settings, &name, &dir)?,
                    include_dirs: includes(settings, &name, &dir),
                    name,
                    dir,
                    lib_dir: lib_dir.clone(),
                    out,
                    template,
                });
            }
        }
    }
    Ok(apps)
}

/// How the folder's `.app` is made, or `None` for a folder that is no application
/// (no `src/*.erl` and no `.app` source).
fn template(settings: &Settings, name: &str, dir: &Path) -> Result<Option<Template>, ErlcError> {
    let src = dir.join("src");
    let app_src = src.join(format!("{name}.app.src"));
    let script = src.join(format!("{name}.app.src.script"));
    let committed = dir.join("ebin").join(format!("{name}.app"));
    let given = settings.app_srcs.get(name).cloned();
    Ok(Some(if let Some(given) = given {
        Template::AppSrc(given)
    } else if script.is_file() {
        Template::Script { script, app_src: Some(app_src).filter(|p| p.is_file()) }
    } else if app_src.is_file() {
        Template::AppSrc(app_src)
    } else if committed.is_file() {
        Template::Committed(committed)
    } else if find_erl(&src)?.is_empty() {
        return Ok(None);
    } else {
        return Err(ErlcError::NoAppSrc { app: name.to_owned(), dir: dir.to_owned() });
    }))
}

/// `src/**/*.erl` (rebar3 and erlang.mk both look into subfolders), the caller's extra
/// source folders, with the caller's patched copies in place of the originals.
fn sources(settings: &Settings, name: &str, dir: &Path) -> Result<Vec<Source>, ErlcError> {
    let mut sources: Vec<Source> =
        find_erl(&dir.join("src"))?.into_iter().map(|file| Source { home: file.clone(), file }).collect();
    for extra in settings.extra_src_dirs.get(name).into_iter().flatten() {
        sources.extend(find_erl(extra)?.into_iter().map(|file| Source { home: file.clone(), file }));
    }
    for (original, patched) in settings.replaced.get(name).into_iter().flatten() {
        let home = dir.join(original);
        let Some(source) = sources.iter_mut().find(|s| s.home == home) else {
            return Err(ErlcError::NoOriginal { app: name.to_owned(), original: home });
        };
        source.file = patched.clone();
    }
    Ok(sources)
}

fn includes(settings: &Settings, name: &str, dir: &Path) -> Vec<PathBuf> {
    let given = settings.include_dirs.get(name).into_iter().flatten().cloned();
    given.chain(Some(dir.join("include")).filter(|d| d.is_dir())).collect()
}

/// The `.erl` files under `dir`, sorted (none when it does not exist).
pub(crate) fn find_erl(dir: &Path) -> Result<Vec<PathBuf>, ErlcError> {
    let mut found = Vec::new();
    if dir.is_dir() {
        for entry in list(dir)? {
            if entry.is_dir() {
                found.extend(find_erl(&entry)?);
            } else if entry.extension().is_some_and(|e| e == "erl") {
                found.push(entry);
            }
        }
    }
    Ok(found)
}

/// Makes the application's out folder: `ebin/`, `src/` linked to its sources, `include/`
/// linking the entries of its include dirs, `priv/` linking those of its `priv/`.
pub(crate) fn prepare(app: &App) -> Result<(), ErlcError> {
    create_dir(&app.ebin())?;
    link(&app.dir.join("src"), &app.out.join("src"))?;
    link_entries(&app.include_dirs, &app.out.join("include"))?;
    link_entries(&[app.dir.join("priv")], &app.out.join("priv"))
}

pub(crate) fn create_dir(dir: &Path) -> Result<(), ErlcError> {
    std::fs::create_dir_all(dir).map_err(|source| ErlcError::Io { path: dir.to_owned(), source })
}

/// `link` as a symlink to `target` (made absolute), replacing a link that points elsewhere.
fn link(target: &Path, link: &Path) -> Result<(), ErlcError> {
    if !target.exists() {
        return Ok(());
    }
    let target = std::path::absolute(target).map_err(|source| ErlcError::Io { path: target.to_owned(), source })?;
    if std::fs::read_link(link).is_ok_and(|old| old == target) {
        return Ok(());
    }
    // A link from an earlier build; a real file or folder stays, and fails below.
    let _ = std::fs::remove_file(link);
    std::os::unix::fs::symlink(&target, link).map_err(|source| ErlcError::Io { path: link.to_owned(), source })
}

/// `dir` as a folder holding a link to each entry of `sources` (the first of a name wins);
/// links to entries that are gone are removed, files the build put there stay.
fn link_entries(sources: &[PathBuf], dir: &Path) -> Result<(), ErlcError> {
    let mut wanted = BTreeMap::new();
    for source in sources.iter().filter(|s| s.is_dir()) {
        for entry in list(source)? {
            wanted.entry(file_name(&entry)).or_insert(entry);
        }
    }
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        // An earlier build's link to the sources: writing through it would write there.
        std::fs::remove_file(dir).map_err(|source| ErlcError::Io { path: dir.to_owned(), source })?;
    }
    if wanted.is_empty() && !dir.exists() {
        return Ok(());
    }
    create_dir(dir)?;
    for existing in list(dir)? {
        let stale = !wanted.contains_key(&file_name(&existing));
        if stale && std::fs::symlink_metadata(&existing).is_ok_and(|m| m.file_type().is_symlink()) {
            std::fs::remove_file(&existing).map_err(|source| ErlcError::Io { path: existing.clone(), source })?;
        }
    }
    for (name, target) in wanted {
        link(&target, &dir.join(name))?;
    }
    Ok(())
}

/// OTP's applications by name, the highest version of each (`erl_interface` ->
/// `<root>/lib/erl_interface-5.3`).
pub(crate) fn otp_apps(otp: &OtpInstall) -> Result<HashMap<String, PathBuf>, ErlcError> {
    let mut found: HashMap<String, (String, PathBuf)> = HashMap::new();
    for dir in list(&otp.lib_dir())? {
        let name = file_name(&dir);
        let (app, vsn) = name.split_once('-').unwrap_or((&name, ""));
        if found.get(app).map_or(true, |(old, _)| compare_versions(vsn, old).is_gt()) {
            found.insert(app.to_owned(), (vsn.to_owned(), dir));
        }
    }
    Ok(found.into_iter().map(|(name, (_, dir))| (name, dir)).collect())
}

/// The entries of a directory, sorted.
pub(crate) fn list(dir: &Path) -> Result<Vec<PathBuf>, ErlcError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ErlcError::Io { path: dir.to_owned(), source })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths)
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}
