//! Compiles a project's Erlang applications with `erlc`, as rebar3 would: `<app>/src/*.erl`
//! into `<out>/<app>/ebin/`, and `<app>/src/<app>.app.src` into `<app>.app` with its
//! `modules` filled in; `<out>/<app>/src` and `include` link to the sources, as in rebar3's
//! `_build`, so that a release with `include_src` ships them. For projects that keep Erlang
//! sources beside their Rust build.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::term::{self, Term};

/// An application that did not compile, or an `erlc` that is not there.
#[derive(Debug, thiserror::Error)]
pub enum ErlcError {
    #[error(
        "erlc was not found on PATH; install Erlang/OTP's compiler (Debian: apt-get install erlang-nox erlang-dev)"
    )]
    Missing,
    #[error("erlc failed on {app} ({dir}):\n{output}")]
    Failed { app: String, dir: PathBuf, output: String },
    #[error("{path}: {message}")]
    AppSrc { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Compiles every application under `source_dir` (each `<name>/src/` with a
/// `<name>.app.src`) into `out_dir/<name>/ebin`; returns the source files read, for
/// `rerun-if-changed`.
pub fn compile_apps(source_dir: &Path, out_dir: &Path) -> Result<Vec<PathBuf>, ErlcError> {
    // The lib dir exists even with no applications yet, as the spec's lib_dirs expect.
    std::fs::create_dir_all(out_dir).map_err(|source| ErlcError::Io { path: out_dir.to_owned(), source })?;
    let mut sources = Vec::new();
    for app_dir in list(source_dir)? {
        let name = file_name(&app_dir);
        let app_src = app_dir.join("src").join(format!("{name}.app.src"));
        if app_src.is_file() {
            sources.extend(compile_app(&name, &app_dir, &out_dir.join(&name))?);
        }
    }
    Ok(sources)
}

fn compile_app(name: &str, app_dir: &Path, out: &Path) -> Result<Vec<PathBuf>, ErlcError> {
    let src = app_dir.join("src");
    let ebin = out.join("ebin");
    std::fs::create_dir_all(&ebin).map_err(|source| ErlcError::Io { path: ebin.clone(), source })?;
    let erl_files: Vec<PathBuf> =
        list(&src)?.into_iter().filter(|p| p.extension().is_some_and(|e| e == "erl")).collect();
    let output = Command::new("erlc")
        .arg("-o")
        .arg(&ebin)
        .arg("-I")
        .arg(app_dir.join("include"))
        .args(&erl_files)
        // erlc is a BEAM: should it crash, its dump goes with the output, not into the package.
        .env("ERL_CRASH_DUMP", out.join("erl_crash.dump"))
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ErlcError::Missing,
            _ => ErlcError::Io { path: "erlc".into(), source: e },
        })?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
        return Err(ErlcError::Failed { app: name.to_owned(), dir: app_dir.to_owned(), output: text });
    }
    let modules = erl_files.iter().map(|f| Term::atom(file_stem(f))).collect();
    let app_src = src.join(format!("{name}.app.src"));
    write_app_file(&app_src, &ebin.join(format!("{name}.app")), modules)?;
    link_sources(app_dir, out)?;
    Ok(erl_files.into_iter().chain([app_src]).collect())
}

/// `<out>/src` and `<out>/include` as symlinks to the application's own (those it has).
fn link_sources(app_dir: &Path, out: &Path) -> Result<(), ErlcError> {
    for sub in ["src", "include"] {
        let (from, link) = (app_dir.join(sub), out.join(sub));
        if !from.is_dir() {
            continue;
        }
        let target = std::path::absolute(&from).map_err(|source| ErlcError::Io { path: from.clone(), source })?;
        if std::fs::read_link(&link).is_ok_and(|old| old == target) {
            continue;
        }
        // A link from an earlier build that points elsewhere; a directory stays, and fails below.
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&target, &link).map_err(|source| ErlcError::Io { path: link.clone(), source })?;
    }
    Ok(())
}

/// Writes `<app>.app` from the `.app.src`, with `{modules, [...]}` set to what was compiled.
fn write_app_file(app_src: &Path, app_file: &Path, modules: Vec<Term>) -> Result<(), ErlcError> {
    let bad = |message: String| ErlcError::AppSrc { path: app_src.to_owned(), message };
    let mut terms = term::parse_file(app_src).map_err(|e| bad(e.to_string()))?;
    let Some(Term::Tuple(application)) = terms.first_mut() else {
        return Err(bad("expected {application, Name, [...]}".into()));
    };
    let Some(Term::List(properties)) = application.get_mut(2) else {
        return Err(bad("expected {application, Name, [...]}".into()));
    };
    properties.retain(|p| p.as_tuple().and_then(|t| t.first()).and_then(Term::as_atom) != Some("modules"));
    properties.push(Term::tuple(vec![Term::atom("modules"), Term::List(modules)]));
    std::fs::write(app_file, term::to_file_string(&terms))
        .map_err(|source| ErlcError::Io { path: app_file.to_owned(), source })
}

/// The entries of a directory, sorted.
fn list(dir: &Path) -> Result<Vec<PathBuf>, ErlcError> {
    let entries = std::fs::read_dir(dir).map_err(|source| ErlcError::Io { path: dir.to_owned(), source })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths)
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

fn file_stem(path: &Path) -> String {
    path.file_stem().unwrap_or_default().to_string_lossy().into_owned()
}
