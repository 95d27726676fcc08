//! Locating the Erlang/OTP install from the file system alone: starting `erl` to ask would
//! cost a second per build and fail in the same cases with a worse message.

use std::env;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::AppsError;
use super::version::compare_versions;

/// An Erlang/OTP install: where it is, its runtime (ERTS) version and its OTP release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpInstall {
    /// The directory holding `erts-<vsn>/`, `lib/` and `releases/` (`/usr/lib/erlang`).
    pub root: PathBuf,
    /// The ERTS version (`13.1.5`), as in the `.rel` file's `{erts, Vsn}`.
    pub erts_vsn: String,
    /// The OTP release (`25`): the name of the directory under `releases/`.
    pub otp_release: String,
}

/// Where to look for Erlang/OTP: the values of `ERL_ROOT` and `PATH`, read by the caller
/// (the runtime context, or the build step's `Builder`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OtpSearch {
    pub erl_root: Option<OsString>,
    pub path: Option<OsString>,
}

impl OtpInstall {
    /// The install named by `ERL_ROOT`, else the one whose `erl` is first on `PATH`.
    pub fn detect(search: &OtpSearch) -> Result<OtpInstall, AppsError> {
        OtpInstall::at(find_otp_root(search.erl_root.as_deref(), search.path.as_deref())?)
    }

    /// The install at `root`, reading its ERTS version and OTP release.
    pub fn at(root: PathBuf) -> Result<OtpInstall, AppsError> {
        let start_erl = read_start_erl_data(&root);
        let erts_vsn = match &start_erl {
            Some((erts, _)) if root.join(format!("erts-{erts}")).is_dir() => erts.clone(),
            _ => highest_erts(&root)?,
        };
        let otp_release = match start_erl {
            Some((_, otp)) => otp,
            None => newest_release(&root)?,
        };
        Ok(OtpInstall { root, erts_vsn, otp_release })
    }

    /// `<root>/lib`, where OTP's own applications live.
    pub fn lib_dir(&self) -> PathBuf {
        self.root.join("lib")
    }
}

/// The OTP root: `erl_root` (the value of `ERL_ROOT`) if set, else the `erl` on `path` (the
/// value of `PATH`).
pub fn find_otp_root(erl_root: Option<&OsStr>, path: Option<&OsStr>) -> Result<PathBuf, AppsError> {
    if let Some(root) = erl_root.filter(|root| !root.is_empty()) {
        let root = PathBuf::from(root);
        return check_root(root, "ERL_ROOT".to_owned());
    }
    let erl =
        path.into_iter().flat_map(env::split_paths).map(|dir| dir.join("erl")).find(|erl| erl.is_file()).ok_or_else(
            || AppsError::OtpNotFound { path: path.map(|p| p.to_string_lossy().into_owned()).unwrap_or_default() },
        )?;
    // Debian's /usr/bin/erl is a symlink to /usr/lib/erlang/bin/erl; the root is above bin/.
    let real = fs::canonicalize(&erl).map_err(|source| AppsError::Io { path: erl.clone(), source })?;
    let root = real.parent().and_then(Path::parent).unwrap_or(Path::new("/")).to_path_buf();
    check_root(root, format!("`erl` on PATH ({} -> {})", erl.display(), real.display()))
}

fn check_root(root: PathBuf, via: String) -> Result<PathBuf, AppsError> {
    match erts_versions(&root) {
        Ok(versions) if !versions.is_empty() => Ok(root),
        Ok(_) => Err(not_a_root(root, via, "it has no erts-<vsn> directory")),
        Err(e) => Err(not_a_root(root, via, &format!("it cannot be read ({e})"))),
    }
}

fn not_a_root(root: PathBuf, via: String, problem: &str) -> AppsError {
    AppsError::NotAnOtpRoot { via, root, problem: problem.to_owned() }
}

/// The versions of the `erts-<vsn>` directories directly under `root`.
fn erts_versions(root: &Path) -> std::io::Result<Vec<String>> {
    let mut versions = Vec::new();
    for entry in fs::read_dir(root)? {
        let name = entry?.file_name();
        if let Some(vsn) = name.to_str().and_then(|n| n.strip_prefix("erts-")) {
            versions.push(vsn.to_owned());
        }
    }
    Ok(versions)
}

fn highest_erts(root: &Path) -> Result<String, AppsError> {
    let versions = erts_versions(root).map_err(|source| AppsError::Io { path: root.to_owned(), source })?;
    highest(versions, root, "it has no erts-<vsn> directory")
}

/// `releases/start_erl.data` holds `<erts vsn> <otp release>`: what the install boots.
fn read_start_erl_data(root: &Path) -> Option<(String, String)> {
    let text = fs::read_to_string(root.join("releases/start_erl.data")).ok()?;
    let mut words = text.split_whitespace();
    Some((words.next()?.to_owned(), words.next()?.to_owned()))
}

/// Without start_erl.data, the highest `releases/<OTP>/` directory with an `OTP_VERSION`.
fn newest_release(root: &Path) -> Result<String, AppsError> {
    let releases = root.join("releases");
    let entries = fs::read_dir(&releases).map_err(|source| AppsError::Io { path: releases.clone(), source })?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| AppsError::Io { path: releases.clone(), source })?;
        if entry.path().join("OTP_VERSION").is_file() {
            found.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    highest(found, root, "it has neither releases/start_erl.data nor releases/<OTP>/OTP_VERSION")
}

/// The highest of `versions`, or why `root` is no OTP root when there is none.
fn highest(versions: Vec<String>, root: &Path, problem: &'static str) -> Result<String, AppsError> {
    versions
        .into_iter()
        .max_by(|a, b| compare_versions(a, b))
        .ok_or_else(|| not_a_root(root.to_owned(), "the OTP root".to_owned(), problem))
}
