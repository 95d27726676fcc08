//! A tarball of another version of the tree's release, unpacked beside what the tree holds.
//!
//! The tarball is unpacked whole into a staging dir inside the tree (same file system, so
//! each move is one `rename`), checked (the same release, the same ERTS), then moved into
//! place: the `lib/<app>-<vsn>/` the tree lacks (equal versions are shared, never
//! replaced), the new binary as `bin/<name>-<vsn>`, `releases/<name>-<vsn>.rel`, and last
//! `releases/<vsn>/`, so a version is listed only once all it needs is in place. A killed
//! unpack leaves at most unused application dirs and a staging dir the next unpack removes.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::UpgradeError;
use crate::tree::{Tree, START_ERL_DATA};

/// What an unpack added to the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    pub vsn: String,
    /// `<app>-<vsn>` dirs moved into `lib/`.
    pub added: Vec<String>,
    /// `<app>-<vsn>` dirs the tree already held (shared between the versions).
    pub shared: Vec<String>,
    /// The version was unpacked before: nothing was moved.
    pub already: bool,
}

const STAGING_PREFIX: &str = ".upgrade.tmp-";

/// Unpacks the tarball at `tarball` of release `name` into `tree`.
pub fn unpack(tree: &Tree, name: &str, tarball: &Path) -> Result<Unpacked, UpgradeError> {
    let root = tree.root();
    remove_stale_staging(root);
    let staging = root.join(format!("{STAGING_PREFIX}{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let unpacked = extract(tarball, &staging).and_then(|()| install(tree, name, tarball, &staging));
    let _ = fs::remove_dir_all(&staging);
    unpacked
}

/// Staging dirs of unpacks that were killed (their process is gone).
fn remove_stale_staging(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name.to_str().and_then(|n| n.strip_prefix(STAGING_PREFIX)).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !crate::dist::is_running(pid)) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn extract(tarball: &Path, staging: &Path) -> Result<(), UpgradeError> {
    let bad = |detail: String| UpgradeError::BadTarball { path: tarball.to_owned(), detail };
    let file = File::open(tarball).map_err(UpgradeError::io("read", tarball))?;
    fs::create_dir_all(staging).map_err(UpgradeError::io("create", staging))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive.set_preserve_permissions(true);
    archive.unpack(staging).map_err(|e| bad(format!("it does not unpack ({e})")))
}

/// Extracts and checks the tarball into a staging dir of the tree, runs `f` on the staged
/// tree and its version (a dry run plans against it), then removes the staging dir: the tree
/// is left as it was.
pub fn with_staged<R>(
    tree: &Tree,
    name: &str,
    tarball: &Path,
    f: impl FnOnce(&Path, &str) -> Result<R, UpgradeError>,
) -> Result<R, UpgradeError> {
    let root = tree.root();
    remove_stale_staging(root);
    let staging = root.join(format!("{STAGING_PREFIX}{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let result = extract(tarball, &staging)
        .and_then(|()| check(tree, name, tarball, &staging))
        .and_then(|vsn| f(&staging, &vsn));
    let _ = fs::remove_dir_all(&staging);
    result
}

/// The version of the staged tarball, once it is known to be of release `name` on the
/// tree's ERTS.
fn check(tree: &Tree, name: &str, tarball: &Path, staging: &Path) -> Result<String, UpgradeError> {
    let bad = |detail: String| UpgradeError::BadTarball { path: tarball.to_owned(), detail };
    let data = staging.join("releases").join(START_ERL_DATA);
    let text = fs::read_to_string(&data).map_err(|_| bad(format!("it holds no releases/{START_ERL_DATA}")))?;
    let [erts, vsn] = text.split_whitespace().collect::<Vec<_>>()[..] else {
        return Err(bad(format!(
            "its releases/{START_ERL_DATA} holds `{}`, not `<erts version> <release version>`",
            text.trim()
        )));
    };
    let rel_file = format!("{name}-{vsn}.rel");
    if !staging.join("releases").join(&rel_file).is_file() {
        let found = release_names(&staging.join("releases")).into_iter().next();
        return Err(match found {
            Some(found) => UpgradeError::OtherRelease { path: tarball.to_owned(), found, expected: name.to_owned() },
            None => bad(format!("it holds no releases/{rel_file}")),
        });
    }
    if erts != tree.erts_vsn {
        return Err(UpgradeError::ErtsDiffers {
            path: tarball.to_owned(),
            found: erts.to_owned(),
            expected: tree.erts_vsn.clone(),
        });
    }
    if !staging.join("releases").join(vsn).is_dir() {
        return Err(bad(format!("it holds no releases/{vsn}/")));
    }
    Ok(vsn.to_owned())
}

fn install(tree: &Tree, name: &str, tarball: &Path, staging: &Path) -> Result<Unpacked, UpgradeError> {
    let bad = |detail: String| UpgradeError::BadTarball { path: tarball.to_owned(), detail };
    let vsn = check(tree, name, tarball, staging)?;
    let vsn = vsn.as_str();
    let rel_file = format!("{name}-{vsn}.rel");
    let staged_vsn = staging.join("releases").join(vsn);
    let root = tree.root();
    let target_vsn = root.join("releases").join(vsn);
    let mut unpacked =
        Unpacked { vsn: vsn.to_owned(), added: Vec::new(), shared: Vec::new(), already: target_vsn.is_dir() };
    if unpacked.already {
        return Ok(unpacked);
    }
    let lib = staging.join("lib");
    let mut apps: Vec<String> = fs::read_dir(&lib)
        .map_err(|_| bad("it holds no lib/".into()))?
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    apps.sort();
    for app in apps {
        let to = root.join("lib").join(&app);
        match to.exists() {
            true => unpacked.shared.push(app),
            false => {
                rename(&lib.join(&app), &to)?;
                unpacked.added.push(app);
            }
        }
    }
    let binary = staging.join("bin").join(name);
    let versioned = root.join("bin").join(format!("{name}-{vsn}"));
    if binary.is_file() && !versioned.exists() {
        rename(&binary, &versioned)?;
    }
    let rel = root.join("releases").join(&rel_file);
    if !rel.exists() {
        rename(&staging.join("releases").join(&rel_file), &rel)?;
    }
    rename(&staged_vsn, &target_vsn)?;
    super::permanent::record_unpacked(root, vsn)?;
    Ok(unpacked)
}

/// The names of the releases whose `<name>-<vsn>.rel` files are in `dir`.
fn release_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.ends_with(".rel")))
        .filter_map(|e| {
            let terms = crate::term::parse_file(&e.path()).ok()?;
            let release = terms.first()?.as_tuple()?.get(1)?.as_tuple()?.first()?.as_str()?.to_owned();
            Some(release)
        })
        .collect()
}

fn rename(from: &Path, to: &PathBuf) -> Result<(), UpgradeError> {
    fs::rename(from, to).map_err(UpgradeError::io("move into place", to))
}
