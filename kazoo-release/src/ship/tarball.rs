//! `<root>/<name>-<vsn>.tar.gz`: the release as release_handler unpacks it
//! (`release_handler:unpack_release("<name>-<vsn>")` with the file in `releases/`), which
//! also boots when unpacked anywhere with `tar xzf`; and the tree's [`Contents`], which the
//! Debian package and the OCI image's layers carry too.
//!
//! Reproducible: two builds of the same sources give the same bytes. The tree is walked
//! here (not with tar's `append_dir_all`) so that the order and every header field are
//! ours: entries sorted by path, one fixed mtime (`SOURCE_DATE_EPOCH`, else 0), uid and gid
//! 0 without user or group names, modes 0755 (directories, executables) or 0644 (0400 for
//! a file only its owner may read, as the generated cookie), and a
//! gzip header without a timestamp or a file name. Nothing of a run is packed: no
//! top-level `log/`, no `erl_crash.dump`, no hidden entries (staging dirs, locks,
//! temporary files), no earlier tarballs.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};
use tar::{EntryType, Header};

use super::error::ShipError;
use crate::assemble::Shipment;

/// Top-level entries a running node writes, never part of a release.
const RUN_STATE: [&str; 1] = ["log"];

/// What a node may leave anywhere in the tree when it crashes.
const CRASH_DUMP: &str = "erl_crash.dump";

/// Writes the tarball of the release beside its contents, through a temporary file renamed
/// into place, so a kill never leaves half a tarball under the final name.
pub(crate) fn write(shipment: &Shipment, contents: &Contents) -> Result<PathBuf, ShipError> {
    let path = shipment.report.root.join(format!("{}-{}.tar.gz", shipment.name, shipment.report.vsn));
    super::write_atomically(&path, |file| {
        // No mtime and no file name in the gzip header; fast compression: the gzip step
        // dominates, and the binary and the .beam files compress nearly as well at level 1
        // as at 6.
        let gzip = GzBuilder::new().mtime(0).write(BufWriter::new(file), Compression::fast());
        let mut tar = tar::Builder::new(gzip);
        contents.append(&mut tar, "", &|_| true)?;
        let failed = |e| ShipError::io("write", &path)(e);
        let gzip = tar.into_inner().map_err(failed)?;
        gzip.finish().and_then(|mut w| w.flush()).map_err(failed)
    })?;
    Ok(path)
}

/// The tree as every artefact ships it: its entries, sorted by path, read from `root`.
pub(crate) struct Contents {
    root: PathBuf,
    entries: Vec<(String, Entry)>,
    mtime: u64,
}

impl Contents {
    /// The tree of `shipment`, with the whole release's `.rel` that release_handler reads
    /// from `releases/<name>-<vsn>.rel`; every entry dated `mtime`.
    pub(crate) fn of(shipment: &Shipment, mtime: u64) -> Result<Contents, ShipError> {
        let root = shipment.report.root.clone();
        let base = format!("{}-{}", shipment.name, shipment.report.vsn);
        let entries = entries(&root, &shipment.name, &base, &shipment.release_rel)?;
        Ok(Contents { root, entries, mtime })
    }

    /// The regular files of the tree on disk.
    pub(crate) fn files(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.entries.iter().filter_map(|(path, entry)| match entry {
            Entry::File { .. } => Some(self.root.join(path)),
            _ => None,
        })
    }

    /// Calls `each` with the path and bytes of every file as unpacked: a hard link's are its
    /// target's, generated text's its own.
    pub(crate) fn read_each(&self, each: &mut dyn FnMut(&str, &[u8])) -> Result<(), ShipError> {
        for (path, entry) in &self.entries {
            let on_disk = match entry {
                Entry::Dir => continue,
                Entry::Text(text) => {
                    each(path, text.as_bytes());
                    continue;
                }
                Entry::File { .. } => self.root.join(path),
                Entry::Link { target } => self.root.join(target),
            };
            let bytes = fs::read(&on_disk).map_err(ShipError::io("read", &on_disk))?;
            each(path, &bytes);
        }
        Ok(())
    }

    /// Appends the entries whose path `keep` takes, each under `prefix` (`""`, or
    /// `opt/kazoo/`): a hard link's target is prefixed too.
    pub(crate) fn append<W: Write>(
        &self,
        tar: &mut tar::Builder<W>,
        prefix: &str,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<(), ShipError> {
        for (path, entry) in self.entries.iter().filter(|(path, _)| keep(path)) {
            let mut header = header(self.mtime);
            let inner = format!("{prefix}{path}");
            let failed = |e| ShipError::io("add to the archive", self.root.join(path))(e);
            match entry {
                Entry::Dir => {
                    header.set_entry_type(EntryType::Directory);
                    header.set_mode(0o755);
                    tar.append_data(&mut header, &inner, io::empty()).map_err(failed)?
                }
                Entry::File { len, mode } => {
                    let from = self.root.join(path);
                    let file = File::open(&from).map_err(ShipError::io("read", &from))?;
                    header.set_entry_type(EntryType::Regular);
                    header.set_mode(*mode);
                    header.set_size(*len);
                    // No more than the header says, should the file have grown since.
                    tar.append_data(&mut header, &inner, file.take(*len)).map_err(failed)?
                }
                Entry::Link { target } => {
                    header.set_entry_type(EntryType::Link);
                    header.set_mode(0o755);
                    tar.append_link(&mut header, &inner, format!("{prefix}{target}")).map_err(failed)?
                }
                Entry::Text(text) => {
                    header.set_entry_type(EntryType::Regular);
                    header.set_mode(0o644);
                    header.set_size(text.len() as u64);
                    tar.append_data(&mut header, &inner, text.as_bytes()).map_err(failed)?
                }
            }
        }
        Ok(())
    }
}

/// A header owned by root (uid and gid 0, no names), of size 0, with `mtime`: what every
/// entry of every artefact starts from.
pub(crate) fn header(mtime: u64) -> Header {
    let mut header = Header::new_gnu();
    header.set_mtime(mtime);
    header.set_uid(0);
    header.set_gid(0);
    header.set_size(0);
    // Empty names fit in the fields: these cannot fail.
    let _ = header.set_username("");
    let _ = header.set_groupname("");
    header
}

/// One entry of the archive, by its path inside it (`/`-separated, relative).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Dir,
    File {
        len: u64,
        /// As archived (see [`normal_mode`]).
        mode: u32,
    },
    /// A hard link to an entry stored earlier.
    Link {
        target: String,
    },
    /// Generated text, not a file of the tree.
    Text(String),
}

/// Every entry of the archive, sorted by path (a directory before what it holds, a link
/// after its target).
fn entries(root: &Path, name: &str, base: &str, release_rel: &str) -> Result<Vec<(String, Entry)>, ShipError> {
    let mut entries = Vec::new();
    walk(root, "", &mut entries)?;
    let rel = format!("releases/{base}.rel");
    // `bin/<name>-<vsn>` is `bin/<name>`: a hard link in the tree, or a copy where the file
    // system allows none. Either way the archive stores it once.
    let (bin, versioned) = (format!("bin/{name}"), format!("bin/{base}"));
    let has_bin = entries.iter().any(|(p, e)| *p == bin && matches!(e, Entry::File { .. }));
    entries.retain(|(path, _)| *path != rel);
    for (path, entry) in &mut entries {
        if has_bin && *path == versioned {
            *entry = Entry::Link { target: bin.clone() };
        }
    }
    entries.push((rel, Entry::Text(release_rel.to_owned())));
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(entries)
}

/// Adds what is under `root/prefix` to `entries`, following symlinks (dev mode's
/// applications point into the build tree: the archive carries what they point to).
fn walk(root: &Path, prefix: &str, entries: &mut Vec<(String, Entry)>) -> Result<(), ShipError> {
    let dir = root.join(prefix);
    let read = fs::read_dir(&dir).map_err(ShipError::io("read directory", &dir))?;
    for entry in read {
        let entry = entry.map_err(ShipError::io("read directory", &dir))?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            let path = entry.path();
            return Err(ShipError::io("add to the archive", &path)(io::Error::new(
                io::ErrorKind::InvalidData,
                "the name is not UTF-8",
            )));
        };
        if !packed(prefix, file_name) {
            continue;
        }
        let path = entry.path();
        let meta = fs::metadata(&path).map_err(ShipError::io("read", &path))?;
        let inner = match prefix {
            "" => file_name.to_owned(),
            _ => format!("{prefix}/{file_name}"),
        };
        if meta.is_dir() {
            entries.push((inner.clone(), Entry::Dir));
            walk(root, &inner, entries)?;
        } else {
            use std::os::unix::fs::PermissionsExt;
            let mode = normal_mode(meta.permissions().mode());
            entries.push((inner, Entry::File { len: meta.len(), mode }));
        }
    }
    Ok(())
}

/// 0755 for executables, 0644 for other files, but a file only its owner may read (the
/// release's generated cookie) stays so: 0500 or 0400.
fn normal_mode(mode: u32) -> u32 {
    let executable = mode & 0o111 != 0;
    match (mode & 0o077 == 0, executable) {
        (true, true) => 0o500,
        (true, false) => 0o400,
        (false, true) => 0o755,
        (false, false) => 0o644,
    }
}

/// Whether the entry `name` in the directory `prefix` (`""`: the root) belongs in the
/// archive.
fn packed(prefix: &str, name: &str) -> bool {
    let tarball = name.ends_with(".tar.gz") && matches!(prefix, "" | "releases");
    let run_state = prefix.is_empty() && RUN_STATE.contains(&name);
    !(name.starts_with('.') || name == CRASH_DUMP || tarball || run_state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_state_hidden_entries_and_tarballs_stay_out() {
        for (prefix, name) in [
            ("", "log"),
            ("", ".kazoo.tmp-12"),
            ("", ".kazoo-4.3.0.tar.gz.tmp-7"),
            ("", "kazoo-4.2.0.tar.gz"),
            ("releases", "kazoo-4.2.0.tar.gz"),
            ("", "erl_crash.dump"),
            ("lib/app-1/priv", "erl_crash.dump"),
            ("releases/4.3.0", ".lock"),
        ] {
            assert!(!packed(prefix, name), "{prefix}/{name}");
        }
        for (prefix, name) in [("", "lib"), ("", "bin"), ("lib/app-1/priv", "log"), ("lib/app-1/priv", "data.tar.gz")] {
            assert!(packed(prefix, name), "{prefix}/{name}");
        }
    }

    #[test]
    fn entries_are_sorted_and_the_versioned_binary_is_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["bin", "lib/a-1/ebin", "lib/a-1.0/ebin", "log", "releases/1"] {
            fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in
            ["bin/k", "bin/k-1", "lib/a-1/ebin/a.beam", "lib/a-1.0/ebin/a.beam", "log/console.log", "releases/k-1.rel"]
        {
            fs::write(root.join(f), f).unwrap();
        }
        let entries = entries(root, "k", "k-1", "{release}.").unwrap();
        let paths: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(paths, sorted, "sorted, each path once");
        assert!(!paths.iter().any(|p| p.starts_with("log")));
        let find = |path: &str| entries.iter().find(|(p, _)| p == path).map(|(_, e)| e.clone());
        assert_eq!(find("bin/k-1"), Some(Entry::Link { target: "bin/k".to_owned() }));
        assert_eq!(find("releases/k-1.rel"), Some(Entry::Text("{release}.".to_owned())));
    }
}
