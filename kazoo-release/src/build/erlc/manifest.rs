//! What the last build compiled, so that the next compiles only what changed: per module
//! (by source path) its `.beam`, options, the size and mtime of every file it read, and its
//! warnings.
//! Kept in `<out>/.erlc/manifest.json`; a missing or unreadable one means "compile all".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::ErlcError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub beam: PathBuf,
    /// The options as printed for the compiler.
    pub options: String,
    pub inputs: Vec<Stamp>,
    /// What the compiler warned about, reported again by the builds that do not recompile it.
    pub warnings: Vec<String>,
}

/// A file as it was read: `(path, size, mtime in nanoseconds)`.
pub(crate) type Stamp = (PathBuf, u64, u128);

#[derive(Debug)]
pub(crate) struct Manifest {
    file: PathBuf,
    entries: BTreeMap<PathBuf, Entry>,
}

impl Manifest {
    pub fn load(work_dir: &Path) -> Manifest {
        let file = work_dir.join("manifest.json");
        let entries =
            std::fs::read(&file).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        Manifest { file, entries }
    }

    /// Whether the module from `source` is compiled as `wanted` says.
    pub fn is_current(&self, source: &Path, wanted: &Entry) -> bool {
        let same = |entry: &Entry| {
            (&entry.beam, &entry.options, &entry.inputs) == (&wanted.beam, &wanted.options, &wanted.inputs)
        };
        self.entries.get(source).is_some_and(same) && wanted.beam.is_file()
    }

    pub fn warnings(&self, source: &Path) -> &[String] {
        self.entries.get(source).map_or(&[], |entry| &entry.warnings)
    }

    pub fn record(&mut self, source: PathBuf, entry: Entry) {
        self.entries.insert(source, entry);
    }

    /// A module that did not compile this time is compiled again next time.
    pub fn forget(&mut self, source: &Path) {
        self.entries.remove(source);
    }

    /// Drops the modules that are no longer in the build, and their `.beam` files, so that
    /// a deleted source leaves no module behind on the code path.
    pub fn retain_only(&mut self, sources: &[&Path]) -> Result<(), ErlcError> {
        let gone: Vec<PathBuf> = self.entries.keys().filter(|s| !sources.contains(&s.as_path())).cloned().collect();
        for source in gone {
            if let Some(entry) = self.entries.remove(&source) {
                match std::fs::remove_file(&entry.beam) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(ErlcError::Io { path: entry.beam, source: e })
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    pub fn save(&self) -> Result<(), ErlcError> {
        let bytes = serde_json::to_vec(&self.entries)
            .map_err(|e| ErlcError::Io { path: self.file.clone(), source: std::io::Error::other(e) })?;
        super::write_if_changed(&self.file, &bytes).map(drop)
    }
}

/// The stamp of `path` now; a file that cannot be read has size and mtime 0, so that it
/// differs from any file that was there.
pub(crate) fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok();
    let size = meta.as_ref().map_or(0, std::fs::Metadata::len);
    let mtime = meta
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    (path.to_owned(), size, mtime)
}
