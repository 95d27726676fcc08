//! Copying trees into the release: listed first (so the total size is known for the
//! progress bar), then copied by a few threads, since most of the time goes to system calls
//! on many small `.beam` files.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::error::AssembleError;
use super::progress::Progress;
use super::strip;

/// One file to copy, and what it belongs to ("application `lager`", "erts"), for error
/// messages.
struct FileJob {
    owner: String,
    from: PathBuf,
    to: PathBuf,
    len: u64,
    /// Written without its debug info ([`strip::strip_file`]) rather than copied.
    strip: bool,
}

/// Everything to copy into the release.
#[derive(Default)]
pub(crate) struct CopyPlan {
    dirs: Vec<PathBuf>,
    files: Vec<FileJob>,
    links: Vec<(PathBuf, PathBuf)>,
}

impl CopyPlan {
    /// Adds the tree `from` as `to`, keeping the entries `keep` accepts (given the path
    /// relative to `from`). Symlinks in the source are followed: a release must not point
    /// back into the build tree.
    pub fn add_tree(
        &mut self,
        owner: &str,
        from: &Path,
        to: &Path,
        keep: &dyn Fn(&Path) -> bool,
    ) -> Result<(), AssembleError> {
        self.add_tree_stripping(owner, from, to, keep, false)
    }

    /// [`add_tree`](Self::add_tree) for an application: with `strip_beams`, the `.beam`
    /// files of its `ebin/` are written without their debug info.
    pub fn add_app_tree(
        &mut self,
        owner: &str,
        from: &Path,
        to: &Path,
        keep: &dyn Fn(&Path) -> bool,
        strip_beams: bool,
    ) -> Result<(), AssembleError> {
        self.dirs.push(to.to_owned());
        for (path, name) in sorted_entries(from)? {
            if !keep(&name) {
                continue;
            }
            let meta = followed(owner, &path)?;
            let target = to.join(&name);
            match meta.is_dir() {
                true => {
                    self.add_tree_stripping(owner, &path, &target, &|_| true, strip_beams && name == Path::new("ebin"))?
                }
                false => self.add_file(owner, &path, &target, meta.len()),
            }
        }
        Ok(())
    }

    /// The tree `from` as `to`; with `strip`, the `.beam` files directly in `from` are
    /// stripped.
    fn add_tree_stripping(
        &mut self,
        owner: &str,
        from: &Path,
        to: &Path,
        keep: &dyn Fn(&Path) -> bool,
        strip: bool,
    ) -> Result<(), AssembleError> {
        self.dirs.push(to.to_owned());
        for (path, name) in sorted_entries(from)? {
            if !keep(&name) {
                continue;
            }
            let meta = followed(owner, &path)?;
            let target = to.join(&name);
            if meta.is_dir() {
                self.add_tree(owner, &path, &target, &|_| true)?;
            } else {
                self.add_file(owner, &path, &target, meta.len());
                if strip && name.extension().is_some_and(|ext| ext == "beam") {
                    if let Some(job) = self.files.last_mut() {
                        job.strip = true;
                    }
                }
            }
        }
        Ok(())
    }
}

/// What `path` is, symlinks followed; a link that leads nowhere (its target missing, or a
/// loop of links) is said as such, with where it points.
fn followed(owner: &str, path: &Path) -> Result<fs::Metadata, AssembleError> {
    let source = match fs::metadata(path) {
        Ok(meta) => return Ok(meta),
        Err(source) => source,
    };
    let why = match source.raw_os_error() {
        Some(libc::ELOOP) => "which leads back to itself (a loop of links)",
        _ if source.kind() == std::io::ErrorKind::NotFound => "which does not exist",
        _ => return Err(AssembleError::io("read", path)(source)),
    };
    match fs::read_link(path) {
        Ok(target) => Err(AssembleError::BadSymlink { owner: owner.to_owned(), link: path.to_owned(), target, why }),
        Err(_) => Err(AssembleError::io("read", path)(source)),
    }
}

/// The entries of `from`, sorted, with their names.
fn sorted_entries(from: &Path) -> Result<Vec<(PathBuf, PathBuf)>, AssembleError> {
    let entries = fs::read_dir(from).map_err(AssembleError::io("read directory", from))?;
    let mut entries = entries
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AssembleError::io("read directory", from))?;
    entries.sort();
    Ok(entries
        .into_iter()
        .map(|path| {
            let name = path.file_name().map(PathBuf::from).unwrap_or_default();
            (path, name)
        })
        .collect())
}

impl CopyPlan {
    pub fn add_file(&mut self, owner: &str, from: &Path, to: &Path, len: u64) {
        if let Some(parent) = to.parent() {
            self.dirs.push(parent.to_owned());
        }
        self.files.push(FileJob {
            owner: owner.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            len,
            strip: false,
        });
    }

    /// A symlink at `link` pointing to `target` (dev mode's applications).
    pub fn add_link(&mut self, target: &Path, link: &Path) {
        self.links.push((target.to_owned(), link.to_owned()));
    }

    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.len).sum()
    }

    /// Makes the directories and links, then copies the files on `threads` threads; stops at
    /// the first error.
    pub fn run(self, progress: &Progress, threads: usize) -> Result<(), AssembleError> {
        for dir in &self.dirs {
            fs::create_dir_all(dir).map_err(AssembleError::io("create directory", dir))?;
        }
        for (target, link) in &self.links {
            if let Some(parent) = link.parent() {
                fs::create_dir_all(parent).map_err(AssembleError::io("create directory", parent))?;
            }
            std::os::unix::fs::symlink(target, link).map_err(AssembleError::io("create symlink", link))?;
        }
        let next = AtomicUsize::new(0);
        let failure = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..threads.max(1) {
                scope.spawn(|| copy_files(&self.files, &next, &failure, progress));
            }
        });
        match failure.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// One copying thread: takes the next file until there are none or one failed.
fn copy_files(files: &[FileJob], next: &AtomicUsize, failure: &Mutex<Option<AssembleError>>, progress: &Progress) {
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = files.get(i) else { return };
        // std::fs::copy keeps the mode (NIF libraries and erts binaries stay executable)
        // and lets the kernel copy the data (copy_file_range).
        let copied = match job.strip {
            true => strip::strip_file(&job.from, &job.to),
            false => fs::copy(&job.from, &job.to).map(|_| ()),
        };
        if let Err(source) = copied {
            let error =
                AssembleError::Copy { owner: job.owner.clone(), from: job.from.clone(), to: job.to.clone(), source };
            let mut failure = failure.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            failure.get_or_insert(error);
            next.store(files.len(), Ordering::Relaxed);
            return;
        }
        progress.advance(job.len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// An application whose priv/ holds `link` pointing to `target`, added to a plan.
    fn add_with_link(target: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("lager-3.9.2");
        fs::create_dir_all(app.join("priv")).unwrap();
        fs::write(app.join("priv/real.txt"), "x").unwrap();
        symlink(target, app.join("priv/link")).unwrap();
        let to = dir.path().join("out");
        let err = CopyPlan::default().add_app_tree("application `lager`", &app, &to, &|_| true, false).unwrap_err();
        err.to_string()
    }

    #[test]
    fn a_dangling_or_looping_link_is_named_with_its_target_and_what_to_do() {
        let dangling = add_with_link("gone.so");
        for expected in ["application `lager`", "priv/link points to gone.so", "which does not exist", "remove it"] {
            assert!(dangling.contains(expected), "{expected:?} in {dangling}");
        }
        let looping = add_with_link("link");
        for expected in ["priv/link points to link", "a loop of links", "make the link point to"] {
            assert!(looping.contains(expected), "{expected:?} in {looping}");
        }
    }

    #[test]
    fn a_link_that_resolves_is_copied_as_what_it_points_to() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app");
        fs::create_dir_all(app.join("priv")).unwrap();
        fs::write(app.join("priv/real.txt"), "x").unwrap();
        symlink("real.txt", app.join("priv/link")).unwrap();
        let mut plan = CopyPlan::default();
        plan.add_app_tree("application `app`", &app, &dir.path().join("out"), &|_| true, false).unwrap();
        assert_eq!(plan.bytes(), 2);
    }
}
