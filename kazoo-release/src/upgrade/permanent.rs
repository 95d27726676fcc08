//! The versions a tree holds and which one it boots: `releases/RELEASES` (as OTP's
//! release_handler keeps it: one `{release, Name, Vsn, Erts, Apps, Status}` per version,
//! status `permanent`, `old` or `unpacked`) and `releases/start_erl.data` (`<erts> <vsn>`,
//! what `start` boots). Each file is written beside itself and renamed into place.

use std::fs;
use std::path::Path;

use super::UpgradeError;
use crate::term::{self, Term};
use crate::tree::START_ERL_DATA;

const RELEASES: &str = "RELEASES";

/// One version in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeVersion {
    pub vsn: String,
    /// `permanent` (what the tree boots), `old` (ran before), `unpacked` (never applied).
    pub status: String,
}

/// The versions unpacked in the tree at `root` (each a `releases/<vsn>/` dir), oldest first.
pub fn tree_versions(root: &Path) -> Result<Vec<TreeVersion>, UpgradeError> {
    let releases = root.join("releases");
    let permanent = booted_vsn(root)?;
    let recorded = read_releases(root)?;
    let mut versions: Vec<TreeVersion> = fs::read_dir(&releases)
        .map_err(UpgradeError::io("read", &releases))?
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|vsn| !vsn.starts_with('.'))
        .map(|vsn| {
            let status = match vsn == permanent {
                true => "permanent".to_owned(),
                false => recorded
                    .iter()
                    .find(|r| release_vsn(r) == Some(vsn.as_str()))
                    .and_then(release_status)
                    .filter(|s| *s != "permanent")
                    .unwrap_or("unpacked")
                    .to_owned(),
            };
            TreeVersion { vsn, status }
        })
        .collect();
    versions.sort_by(|a, b| crate::apps::compare_versions(&a.vsn, &b.vsn));
    Ok(versions)
}

/// The release version `start_erl.data` names.
fn booted_vsn(root: &Path) -> Result<String, UpgradeError> {
    let tree = crate::tree::Tree::open(root)
        .map_err(|e| UpgradeError::Tree { path: root.to_owned(), detail: e.to_string() })?;
    Ok(tree.vsn().to_owned())
}

/// Adds version `vsn` (unpacked) to RELEASES, with the applications of its
/// `releases/<name>-<vsn>.rel`.
pub(super) fn record_unpacked(root: &Path, vsn: &str) -> Result<(), UpgradeError> {
    let mut recorded = read_releases(root)?;
    if recorded.iter().any(|r| release_vsn(r) == Some(vsn)) {
        return Ok(());
    }
    let Some(name) = recorded.iter().find_map(|r| r.as_tuple()?.get(1)?.as_str().map(str::to_owned)) else {
        return Ok(());
    };
    let rel_path = root.join("releases").join(format!("{name}-{vsn}.rel"));
    let bad = |detail: &str| UpgradeError::Tree { path: rel_path.clone(), detail: detail.to_owned() };
    let rel = term::parse_file(&rel_path).map_err(|e| bad(&e.to_string()))?;
    let rel = rel
        .first()
        .and_then(Term::as_tuple)
        .ok_or_else(|| bad("it is not {release, {Name, Vsn}, {erts, Erts}, Apps}"))?;
    let erts = rel.get(2).and_then(Term::as_tuple).and_then(|t| t.get(1)).and_then(Term::as_str).unwrap_or_default();
    let apps = rel.get(3).and_then(Term::as_list).unwrap_or_default();
    let apps = apps.iter().filter_map(|app| {
        let app = app.as_tuple()?;
        let (name, app_vsn) = (app.first()?.as_atom()?, app.get(1)?.as_str()?);
        Some(Term::tuple([Term::atom(name), Term::charlist(app_vsn), Term::charlist(format!("lib/{name}-{app_vsn}"))]))
    });
    recorded.push(Term::tuple([
        Term::atom("release"),
        Term::charlist(name),
        Term::charlist(vsn),
        Term::charlist(erts),
        Term::list(apps),
        Term::atom("unpacked"),
    ]));
    write_releases(root, &recorded)
}

/// Makes `vsn` the version the tree at `root` boots: `permanent` in RELEASES (the one that
/// was becomes `old`), `start_erl.data`, and `bin/<name>` the version's own binary when the
/// tree keeps one.
pub fn make_permanent(root: &Path, name: &str, erts: &str, vsn: &str) -> Result<(), UpgradeError> {
    let mut recorded = read_releases(root)?;
    for release in &mut recorded {
        let Term::Tuple(items) = release else {
            continue;
        };
        let status = match items.get(2).and_then(Term::as_str) == Some(vsn) {
            true => "permanent",
            false if items.get(5).and_then(Term::as_atom) == Some("permanent") => "old",
            false => continue,
        };
        if let Some(slot) = items.get_mut(5) {
            *slot = Term::atom(status);
        }
    }
    write_releases(root, &recorded)?;
    let data = root.join("releases").join(START_ERL_DATA);
    write_atomically(&data, format!("{erts} {vsn}\n").as_bytes())?;
    let versioned = root.join("bin").join(format!("{name}-{vsn}"));
    let binary = root.join("bin").join(name);
    if versioned.is_file() {
        let tmp = root.join("bin").join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        fs::hard_link(&versioned, &tmp)
            .or_else(|_| fs::copy(&versioned, &tmp).map(drop))
            .and_then(|()| fs::rename(&tmp, &binary))
            .map_err(UpgradeError::io("replace", &binary))?;
    }
    Ok(())
}

fn read_releases(root: &Path) -> Result<Vec<Term>, UpgradeError> {
    let path = root.join("releases").join(RELEASES);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let terms =
        term::parse_file(&path).map_err(|e| UpgradeError::Tree { path: path.clone(), detail: e.to_string() })?;
    Ok(terms.first().and_then(Term::as_list).map(<[Term]>::to_vec).unwrap_or_default())
}

fn write_releases(root: &Path, recorded: &[Term]) -> Result<(), UpgradeError> {
    let text = term::to_file_string(&[Term::list(recorded.iter().cloned())]);
    write_atomically(&root.join("releases").join(RELEASES), text.as_bytes())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), UpgradeError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path)).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        UpgradeError::Io { action: "write", path: path.to_owned(), source: e }
    })
}

fn release_vsn(release: &Term) -> Option<&str> {
    release.as_tuple()?.get(2)?.as_str()
}

fn release_status(release: &Term) -> Option<&str> {
    release.as_tuple()?.get(5)?.as_atom()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> std::path::PathBuf {
        let root = dir.join("kazoo");
        for vsn in ["4.3.0", "4.3.1"] {
            fs::create_dir_all(root.join("releases").join(vsn)).unwrap();
        }
        fs::create_dir_all(root.join("bin")).unwrap();
        fs::write(root.join("bin/kazoo"), "old").unwrap();
        fs::write(root.join("bin/kazoo-4.3.1"), "new").unwrap();
        fs::write(root.join("releases/start_erl.data"), "13.1.5 4.3.0\n").unwrap();
        fs::write(
            root.join("releases/RELEASES"),
            "[{release,\"kazoo\",\"4.3.0\",\"13.1.5\",[{kernel,\"8.5.3\",\"lib/kernel-8.5.3\"}],permanent}].\n",
        )
        .unwrap();
        fs::write(
            root.join("releases/kazoo-4.3.1.rel"),
            "{release, {\"kazoo\", \"4.3.1\"}, {erts, \"13.1.5\"}, [{kernel, \"8.5.3\"}, {kazoo_apps, \"4.3.1\"}]}.\n",
        )
        .unwrap();
        root
    }

    #[test]
    fn an_unpacked_version_becomes_permanent_and_the_last_one_old() {
        let dir = tempfile::tempdir().unwrap();
        let root = tree(dir.path());
        let statuses = |root: &Path| -> Vec<(String, String)> {
            tree_versions(root).unwrap().into_iter().map(|v| (v.vsn, v.status)).collect()
        };
        let pair = |v: &str, s: &str| (v.to_owned(), s.to_owned());
        record_unpacked(&root, "4.3.1").unwrap();
        assert_eq!(statuses(&root), [pair("4.3.0", "permanent"), pair("4.3.1", "unpacked")]);
        make_permanent(&root, "kazoo", "13.1.5", "4.3.1").unwrap();
        assert_eq!(statuses(&root), [pair("4.3.0", "old"), pair("4.3.1", "permanent")]);
        assert_eq!(fs::read_to_string(root.join("releases/start_erl.data")).unwrap(), "13.1.5 4.3.1\n");
        assert_eq!(fs::read_to_string(root.join("bin/kazoo")).unwrap(), "new");
        // RELEASES stays what release_handler reads.
        let consult = format!(
            "{{ok, [[_, {{release, \"kazoo\", \"4.3.1\", \"13.1.5\", [_, {{kazoo_apps, \"4.3.1\", \"lib/kazoo_apps-4.3.1\"}}], permanent}}]]}} \
             = file:consult(\"{}\"), halt().",
            root.join("releases/RELEASES").display()
        );
        let scratch = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("erl")
            .args(["-noshell", "-eval", &consult])
            .current_dir(scratch.path())
            .env("ERL_CRASH_DUMP", scratch.path().join("erl_crash.dump"))
            .status()
            .unwrap();
        assert!(status.success(), "RELEASES as file:consult reads it");
    }
}
