//! A staged copy of a source tree, for builds that must not write the user's tree (their own
//! checkout, or a read-only one as on CI): every file a symlink to its original, and the
//! files the build generates or patches written in as real files. Writing it changes only
//! what differs from the last build, so compilers that compare times see the originals'.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a stage could not be made.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{patch}: not a unified diff of one file: {message}")]
    PatchParse { patch: PathBuf, message: String },
    #[error("{patch}: says nothing before its diff; a compatibility patch starts with why it is needed")]
    PatchWithoutReason { patch: PathBuf },
    #[error("{patch} patches {target}, which the source tree at {source_dir} does not have")]
    PatchTarget { patch: PathBuf, target: PathBuf, source_dir: PathBuf },
    #[error(
        "{patch} does not apply to {target}: {message}; the source changed since the patch was \
         written: update the patch to the new source, or remove it if the source has the fix"
    )]
    PatchApply { patch: PathBuf, target: PathBuf, message: String },
}

/// A compatibility patch that was applied: which file it changed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPatch {
    pub patch: PathBuf,
    /// The patched file, relative to the source tree.
    pub target: PathBuf,
    /// The text before the diff: why the patch is needed.
    pub reason: String,
}

enum Entry {
    Link(PathBuf),
    Content(Vec<u8>),
}

/// The files of a staged tree, relative to its root, and where each comes from.
pub struct Stage {
    source: PathBuf,
    root: PathBuf,
    entries: BTreeMap<PathBuf, Entry>,
}

impl Stage {
    /// A stage of `source` to be written at `root` (nothing is read or written yet).
    pub fn new(source: impl Into<PathBuf>, root: impl Into<PathBuf>) -> Stage {
        Stage { source: source.into(), root: root.into(), entries: BTreeMap::new() }
    }

    /// Where the staged tree is written.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every staged file, relative to the root, sorted.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.entries.keys().map(PathBuf::as_path)
    }

    /// Stages every file under `source/dir` (version control's dirs left out) as a link.
    pub fn mirror(&mut self, dir: impl AsRef<Path>) -> Result<(), StageError> {
        let mut pending = vec![dir.as_ref().to_owned()];
        while let Some(rel) = pending.pop() {
            let path = self.source.join(&rel);
            for entry in std::fs::read_dir(&path).map_err(|source| StageError::Io { path: path.clone(), source })? {
                let entry = entry.map_err(|source| StageError::Io { path: path.clone(), source })?;
                let (name, file) = (entry.file_name(), entry.path());
                if name == ".git" {
                    continue;
                }
                match file.is_dir() {
                    true => pending.push(rel.join(name)),
                    false => {
                        _ = self.entries.insert(rel.join(name), Entry::Link(std::path::absolute(&file).unwrap_or(file)))
                    }
                }
            }
        }
        Ok(())
    }

    /// Stages `contents` at `rel` (a generated file), over any staged file there.
    pub fn generate(&mut self, rel: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.entries.insert(rel.into(), Entry::Content(contents.into()));
    }

    /// What the staged file at `rel` holds: generated contents, or its original's.
    pub fn read(&self, rel: &Path) -> Result<Option<Vec<u8>>, StageError> {
        match self.entries.get(rel) {
            None => Ok(None),
            Some(Entry::Content(bytes)) => Ok(Some(bytes.clone())),
            Some(Entry::Link(path)) => {
                std::fs::read(path).map(Some).map_err(|source| StageError::Io { path: path.clone(), source })
            }
        }
    }

    /// Applies every `*.patch` under `dir` (sorted, so a later patch of one file applies over
    /// an earlier one). Each is a text saying why, then a unified diff of one file whose
    /// `+++ b/<path>` names it relative to the source tree, as `git diff` writes it.
    pub fn apply_patches(&mut self, dir: &Path) -> Result<Vec<AppliedPatch>, StageError> {
        let mut patches = Vec::new();
        collect_patches(dir, &mut patches)?;
        patches.sort();
        patches.iter().map(|patch| self.apply_patch(patch)).collect()
    }

    fn apply_patch(&mut self, patch: &Path) -> Result<AppliedPatch, StageError> {
        let text =
            std::fs::read_to_string(patch).map_err(|source| StageError::Io { path: patch.to_owned(), source })?;
        let parse_error = |message: String| StageError::PatchParse { patch: patch.to_owned(), message };
        let diff_start = match text.starts_with("--- ") {
            true => 0,
            false => text.find("\n--- ").map(|at| at + 1).ok_or_else(|| parse_error("no `--- ` line".into()))?,
        };
        let reason = text[..diff_start].trim().to_owned();
        if reason.is_empty() {
            return Err(StageError::PatchWithoutReason { patch: patch.to_owned() });
        }
        let diff = diffy::Patch::from_str(&text[diff_start..]).map_err(|e| parse_error(e.to_string()))?;
        let target = diff.modified().map(|name| PathBuf::from(name.strip_prefix("b/").unwrap_or(name)));
        let target = target.ok_or_else(|| parse_error("no `+++ b/<path>` line".into()))?;
        let Some(original) = self.read(&target)? else {
            return Err(StageError::PatchTarget { patch: patch.to_owned(), target, source_dir: self.source.clone() });
        };
        let original = String::from_utf8_lossy(&original);
        let patched = diffy::apply(&original, &diff).map_err(|e| StageError::PatchApply {
            patch: patch.to_owned(),
            target: target.clone(),
            message: e.to_string(),
        })?;
        self.generate(target.clone(), patched);
        Ok(AppliedPatch { patch: patch.to_owned(), target, reason })
    }

    /// Writes the stage at its root: links and files that differ from what is there are
    /// replaced, files no longer staged are removed, the rest is left as it is.
    pub fn write(&self) -> Result<(), StageError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StageError::Io { path, source }
        };
        remove_unstaged(&self.root, Path::new(""), &self.entries)?;
        for (rel, entry) in &self.entries {
            let path = self.root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            match entry {
                Entry::Link(target) if std::fs::read_link(&path).is_ok_and(|old| &old == target) => {}
                Entry::Content(bytes) if is_file_with(&path, bytes) => {}
                Entry::Link(target) => {
                    remove_if_present(&path)?;
                    std::os::unix::fs::symlink(target, &path).map_err(io(&path))?;
                }
                Entry::Content(bytes) => {
                    remove_if_present(&path)?;
                    std::fs::write(&path, bytes).map_err(io(&path))?;
                }
            }
        }
        Ok(())
    }
}

fn collect_patches(dir: &Path, into: &mut Vec<PathBuf>) -> Result<(), StageError> {
    for entry in std::fs::read_dir(dir).map_err(|source| StageError::Io { path: dir.to_owned(), source })? {
        let path = entry.map_err(|source| StageError::Io { path: dir.to_owned(), source })?.path();
        match path.is_dir() {
            true => collect_patches(&path, into)?,
            false if path.extension().is_some_and(|e| e == "patch") => into.push(path),
            false => {}
        }
    }
    Ok(())
}

/// A regular file (not a link) holding exactly `bytes`.
fn is_file_with(path: &Path, bytes: &[u8]) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == bytes)
}

fn remove_if_present(path: &Path) -> Result<(), StageError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => Ok(()),
    }
    .map_err(|source| StageError::Io { path: path.to_owned(), source })
}

/// Removes what is under `root/rel` and not staged (a file a later source no longer has).
fn remove_unstaged(root: &Path, rel: &Path, entries: &BTreeMap<PathBuf, Entry>) -> Result<(), StageError> {
    let dir = root.join(rel);
    let Ok(listing) = std::fs::read_dir(&dir) else { return Ok(()) };
    for entry in listing {
        let entry = entry.map_err(|source| StageError::Io { path: dir.clone(), source })?;
        let child = rel.join(entry.file_name());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        match (is_dir, entries.contains_key(&child)) {
            (true, _) => remove_unstaged(root, &child, entries)?,
            (false, true) => {}
            (false, false) => remove_if_present(&root.join(&child))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "Why: OTP 24 removed crypto:hmac/3.\n\
        --- a/app/src/m.erl\n+++ b/app/src/m.erl\n@@ -1,2 +1,2 @@\n -module(m).\n-f() -> crypto:hmac(sha, k, d).\n+f() -> crypto:mac(hmac, sha, k, d).\n";

    fn source() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
        std::fs::write(dir.path().join("app/src/m.erl"), "-module(m).\nf() -> crypto:hmac(sha, k, d).\n").unwrap();
        std::fs::write(dir.path().join("app/src/n.erl"), "-module(n).\n").unwrap();
        dir
    }

    #[test]
    fn links_originals_writes_generated_and_patched_files_and_keeps_what_did_not_change() {
        let (src, out, patches) = (source(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(patches.path().join("hmac.patch"), PATCH).unwrap();
        let stage = |generated: &str| {
            let mut stage = Stage::new(src.path(), out.path());
            stage.mirror("app").unwrap();
            stage.generate("app/src/gen.erl", generated);
            let applied = stage.apply_patches(patches.path()).unwrap();
            stage.write().unwrap();
            applied
        };
        let applied = stage("-module(gen).\n");
        assert_eq!(applied[0].target, Path::new("app/src/m.erl"));
        assert_eq!(applied[0].reason, "Why: OTP 24 removed crypto:hmac/3.");
        let read = |f: &str| std::fs::read_to_string(out.path().join(f)).unwrap();
        assert!(read("app/src/m.erl").contains("crypto:mac(hmac"));
        assert!(std::fs::symlink_metadata(out.path().join("app/src/n.erl")).unwrap().is_symlink());
        let mtime = |f: &str| std::fs::symlink_metadata(out.path().join(f)).unwrap().modified().unwrap();
        let before = (mtime("app/src/m.erl"), mtime("app/src/n.erl"));
        std::fs::remove_file(src.path().join("app/src/n.erl")).unwrap();
        stage("-module(gen). % changed\n");
        assert_eq!(mtime("app/src/m.erl"), before.0, "an unchanged patched file is not rewritten");
        assert!(!out.path().join("app/src/n.erl").exists(), "a file the source no longer has is removed");
        assert!(read("app/src/gen.erl").contains("changed"));
        assert!(std::fs::read_to_string(src.path().join("app/src/m.erl")).unwrap().contains("crypto:hmac"));
    }

    #[test]
    fn a_patch_that_no_longer_applies_or_says_no_reason_is_refused() {
        let (src, out, patches) = (source(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(src.path().join("app/src/m.erl"), "-module(m).\nf() -> crypto:mac(hmac, sha, k, d).\n").unwrap();
        std::fs::write(patches.path().join("hmac.patch"), PATCH).unwrap();
        let mut stage = Stage::new(src.path(), out.path());
        stage.mirror("app").unwrap();
        let error = stage.apply_patches(patches.path()).unwrap_err().to_string();
        assert!(error.contains("hmac.patch does not apply to app/src/m.erl"), "{error}");
        assert!(error.contains("update the patch"), "{error}");
        std::fs::write(patches.path().join("hmac.patch"), &PATCH[PATCH.find("---").unwrap()..]).unwrap();
        let error = stage.apply_patches(patches.path()).unwrap_err().to_string();
        assert!(error.contains("starts with why"), "{error}");
    }
}
