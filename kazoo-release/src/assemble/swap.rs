//! Writing a release in one step: it is built in `DIR/.<name>.tmp-<pid>` beside its target
//! and then swapped with `DIR/<name>` by one `renameat2(RENAME_EXCHANGE)`, so that at every
//! moment `DIR/<name>` is either the whole previous release or the whole new one.
//!
//! Why not a symlink `DIR/<name> -> .<name>-<hash>`: operators and scripts expect
//! `_rel/kazoo` to be a real directory (they `cd` into it, tar it, mount it, `rm -rf` and
//! copy it), and a symlink would make `pwd -P`, `realpath` and the node's `code:root_dir()`
//! name a hashed directory that changes on every build.
//!
//! Where the file system cannot exchange (not Linux, or an old kernel), it falls back to two
//! renames (old aside to `.<name>.old-<pid>`, new into place); a kill between them leaves the
//! old release aside, and the next run puts it back before anything else.
//! Right after the exchange the previous release, now at the staging path, is renamed to
//! `.<name>.old-<pid>`, and its `log/` is merged into the new release before it is removed.
//! A kill at any moment leaves a `.tmp-<pid>` or `.old-<pid>` directory of a dead process;
//! [`clean_stale`] first carries the logs it holds into `DIR/<name>`, then removes it.
//!
//! Builds of one `DIR/<name>` take turns: each holds [`lock`] from before [`clean_stale`] until
//! its release is in place, so a second build waits and then finds the first one's release.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use super::error::AssembleError;

const TMP: &str = "tmp";
const OLD: &str = "old";

/// An exclusive `flock` on `DIR/.<name>.lock`, held by one build of `DIR/<name>` at a time;
/// released when dropped (or when its process dies: the kernel closes the file).
#[must_use = "the lock is released when dropped"]
pub(crate) struct BuildLock {
    /// `None` where the lock file cannot be made (a read-only `DIR`): such a process cannot
    /// write a release there either, and a reader sees a whole tree at every moment.
    _file: Option<fs::File>,
}

/// Waits for, then takes, the lock on building `out/<name>`; makes `out` if needed.
pub(crate) fn lock(out: &Path, name: &str) -> Result<BuildLock, AssembleError> {
    refuse_non_directory(out, true)?;
    let path = out.join(format!(".{name}.lock"));
    let opened = fs::create_dir_all(out)
        .and_then(|()| fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path));
    let file = match opened {
        Ok(file) => file,
        Err(e) if matches!(e.raw_os_error(), Some(libc::EACCES | libc::EPERM | libc::EROFS)) => {
            match fs::File::open(&path) {
                Ok(file) => file,
                Err(_) => return Ok(BuildLock { _file: None }),
            }
        }
        Err(e) => return Err(AssembleError::io("create", &path)(e)),
    };
    if flock(&file, libc::LOCK_EX | libc::LOCK_NB).is_err() {
        eprintln!("waiting for another build of {} to finish (it holds {})", out.join(name).display(), path.display());
        flock(&file, libc::LOCK_EX).map_err(AssembleError::io("lock", &path))?;
    }
    Ok(BuildLock { _file: Some(file) })
}

fn flock(file: &fs::File, operation: libc::c_int) -> io::Result<()> {
    loop {
        // SAFETY: the fd is open for as long as `file` lives; flock only acts on it.
        if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
            return Ok(());
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// Refuses a `path` that exists but is not a directory (a file, a symlink to a file or to
/// nothing, a socket...): it is the operator's, and is never moved aside or replaced. A symlink
/// to a directory passes only with `follow_links`: reading through it is fine, but a build
/// would swap the link itself for a directory.
fn refuse_non_directory(path: &Path, follow_links: bool) -> Result<(), AssembleError> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    let what = if meta.is_dir() {
        return Ok(());
    } else if meta.file_type().is_symlink() {
        match fs::metadata(path) {
            Ok(target) if target.is_dir() && follow_links => return Ok(()),
            Ok(target) if target.is_dir() => {
                "a symbolic link to a directory, which a build would replace with a directory"
            }
            Ok(_) => "a symbolic link to a file",
            Err(_) => "a symbolic link to nothing",
        }
    } else if meta.is_file() {
        "a file"
    } else {
        "neither a file nor a directory"
    };
    Err(AssembleError::NotADirectory { path: path.to_owned(), what })
}

/// A directory the new release is being written to; removed if dropped before
/// [`install`](Staging::install), so a failed build leaves nothing behind.
pub(crate) struct Staging {
    pub dir: PathBuf,
    installed: bool,
}

impl Staging {
    pub fn create(out: &Path, name: &str) -> Result<Staging, AssembleError> {
        refuse_non_directory(&out.join(name), false)?;
        fs::create_dir_all(out).map_err(AssembleError::io("create directory", out))?;
        let dir = side_path(out, name, TMP, std::process::id());
        fs::create_dir(&dir).map_err(AssembleError::io("create directory", &dir))?;
        Ok(Staging { dir, installed: false })
    }

    /// Puts the staged release at `target` in one step; the previous one is then removed,
    /// once what it holds of the operator's ([`KEPT`]) has moved into the new one.
    pub fn install(mut self, target: &Path) -> Result<(), AssembleError> {
        let rename = |from: &Path, to: &Path| fs::rename(from, to).map_err(AssembleError::io("rename", from));
        refuse_non_directory(target, false)?;
        if fs::symlink_metadata(target).is_err() {
            rename(&self.dir, target)?;
            self.installed = true;
            return Ok(());
        }
        let old = side_path(target.parent().unwrap_or(Path::new(".")), &file_name(target), OLD, std::process::id());
        let previous = if exchange(&self.dir, target).map_err(AssembleError::io("swap in", target))? {
            // The staging path now holds the previous release: from here on nothing is
            // removed by Drop, and it is named for what it is at once, so that a kill during
            // the carry-over leaves an `.old-` whose logs the next run carries over.
            self.installed = true;
            match fs::rename(&self.dir, &old) {
                Ok(()) => old,
                // Where it is, the next run's clean_stale carries its logs over as well.
                Err(_) => self.dir.clone(),
            }
        } else {
            rename(target, &old)?;
            rename(&self.dir, target)?;
            self.installed = true;
            old
        };
        carry_over(&previous, target).map_err(AssembleError::io("move the previous release's logs from", &previous))?;
        remove(&previous);
        Ok(())
    }
}

/// What the operator's nodes wrote into the release, which a rebuild must not lose: the log
/// dir (run_erl's console logs, lager's files). A rename keeps the files that running nodes
/// still write to open.
const KEPT: [&str; 1] = ["log"];

/// Moves everything under `old`'s [`KEPT`] directories into `new`'s, merging: a directory
/// both have is merged entry by entry, and an entry whose name `new` already has is kept as
/// `<name>.previous-<n>`. Nothing is dropped; once it returns `Ok`, `old` holds no log, and
/// after a kill part way it can simply run again.
fn carry_over(old: &Path, new: &Path) -> io::Result<()> {
    for dir in KEPT {
        let from = old.join(dir);
        if fs::symlink_metadata(&from).is_ok_and(|m| m.is_dir()) {
            move_into(&from, &new.join(dir))?;
        }
    }
    Ok(())
}

fn move_into(from: &Path, to: &Path) -> io::Result<()> {
    match rename_noreplace(from, to) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        done => return done,
    }
    let is_dir = |path: &Path| fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
    if is_dir(from) && is_dir(to) {
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            move_into(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    let mut name = to.as_os_str().to_owned();
    name.push(".previous-");
    for n in 1u32.. {
        let mut renamed = name.clone();
        renamed.push(n.to_string());
        match rename_noreplace(from, Path::new(&renamed)) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            done => return done,
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("no free name for {}", to.display())))
}

/// Renames `from` to `to` unless `to` exists (`AlreadyExists`, even for an empty directory,
/// which a plain rename would replace). Atomic where the system can; else checked first.
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let (a, b) = (c_path(from)?, c_path(to)?);
        // SAFETY: both are valid NUL-terminated paths; renameat2 only reads them.
        let result =
            unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_NOREPLACE) };
        if result == 0 {
            return Ok(());
        }
        let error = io::Error::last_os_error();
        if !matches!(error.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)) {
            return Err(error);
        }
    }
    if fs::symlink_metadata(to).is_ok() {
        return Err(io::ErrorKind::AlreadyExists.into());
    }
    fs::rename(from, to)
}

fn c_path(path: &Path) -> io::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.installed {
            remove(&self.dir);
        }
    }
}

/// Swaps two paths atomically; `Ok(false)` when the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both are valid NUL-terminated paths; renameat2 only reads them.
    let result =
        unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if result == 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// `DIR/.<name>.<kind>-<pid>`.
fn side_path(out: &Path, name: &str, kind: &str, pid: u32) -> PathBuf {
    out.join(format!(".{name}.{kind}-{pid}"))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Best effort: a directory that cannot be removed now is removed by a later [`clean_stale`].
fn remove(dir: &Path) {
    let _ = fs::remove_dir_all(dir);
}

/// Clears up what killed builds left in `out`: `.<name>.tmp-<pid>` and `.<name>.old-<pid>`
/// of processes that are gone. When `<name>` itself is missing, a left `.old-<pid>` is the
/// previous release, caught between two renames: it is put back. Else the logs a side dir
/// holds (a previous release's, caught during the carry-over) move into `<name>` first, and
/// the side dir goes only once they all have.
pub(crate) fn clean_stale(out: &Path, name: &str) -> Result<(), AssembleError> {
    let target = out.join(name);
    refuse_non_directory(&target, true)?;
    let Ok(entries) = fs::read_dir(out) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = parse_side_name(&file_name, name) else {
            continue;
        };
        if pid != std::process::id() && alive(pid) {
            continue;
        }
        let side = entry.path();
        if fs::symlink_metadata(&target).is_err() {
            if kind == OLD {
                fs::rename(&side, &target).map_err(AssembleError::io("restore", &side))?;
                continue;
            }
        } else {
            carry_over(&side, &target).map_err(AssembleError::io("move the logs of a killed build from", &side))?;
        }
        remove(&side);
    }
    Ok(())
}

fn parse_side_name<'a>(file_name: &'a str, name: &str) -> Option<(&'a str, u32)> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?.strip_prefix('.')?;
    let (kind, pid) = rest.split_once('-')?;
    matches!(kind, TMP | OLD).then_some(())?;
    Some((kind, pid.parse().ok()?))
}

fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    #[test]
    fn side_names_parse_only_for_this_release() {
        assert_eq!(parse_side_name(".kazoo.tmp-42", "kazoo"), Some((TMP, 42)));
        assert_eq!(parse_side_name(".kazoo.old-7", "kazoo"), Some((OLD, 7)));
        assert_eq!(parse_side_name(".kazoo.tmp-x", "kazoo"), None);
        assert_eq!(parse_side_name(".other.tmp-42", "kazoo"), None);
        assert_eq!(parse_side_name(".kazoo.new-42", "kazoo"), None);
    }

    #[test]
    fn install_keeps_the_previous_releases_logs() {
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("kazoo");
        for (generation, log) in [("first", "ecallmgr/erlang.log.1"), ("second", "kazoo_apps/erlang.log.1")] {
            let staging = Staging::create(out.path(), "kazoo").unwrap();
            fs::create_dir_all(staging.dir.join("log")).unwrap();
            staging.install(&target).unwrap();
            let path = target.join("log").join(log);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, generation).unwrap();
        }
        assert_eq!(fs::read_to_string(target.join("log/ecallmgr/erlang.log.1")).unwrap(), "first");
        assert_eq!(fs::read_to_string(target.join("log/kazoo_apps/erlang.log.1")).unwrap(), "second");
    }

    #[test]
    fn install_swaps_and_leaves_nothing_beside() {
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("kazoo");
        for generation in ["first", "second"] {
            let staging = Staging::create(out.path(), "kazoo").unwrap();
            fs::write(staging.dir.join("generation"), generation).unwrap();
            staging.install(&target).unwrap();
            assert_eq!(fs::read_to_string(target.join("generation")).unwrap(), generation);
        }
        let names: Vec<_> = fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["kazoo"]);
    }

    #[test]
    fn a_release_left_aside_by_a_dead_process_is_put_back() {
        let out = tempfile::tempdir().unwrap();
        // No process has pid i32::MAX: pids stay below 2^22 on Linux.
        let aside = side_path(out.path(), "kazoo", OLD, i32::MAX as u32);
        fs::create_dir(&aside).unwrap();
        fs::create_dir(side_path(out.path(), "kazoo", TMP, i32::MAX as u32)).unwrap();
        clean_stale(out.path(), "kazoo").unwrap();
        let names: Vec<_> = fs::read_dir(out.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["kazoo"]);
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    /// Every file under `dir`, relative to it, with its contents.
    fn files(dir: &Path) -> std::collections::BTreeMap<String, String> {
        let mut found = std::collections::BTreeMap::new();
        let mut todo = vec![dir.to_owned()];
        while let Some(next) = todo.pop() {
            for entry in fs::read_dir(next).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                } else {
                    let relative = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                    found.insert(relative, fs::read_to_string(&path).unwrap());
                }
            }
        }
        found
    }

    fn write(path: &Path, contents: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    #[test]
    fn builds_of_one_out_at_once_take_turns_and_the_second_finds_the_first_ones_release() {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("kazoo");
        let (inside, built) = (AtomicBool::new(false), AtomicUsize::new(0));
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|scope| {
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| -> Result<(), AssembleError> {
                        start.wait();
                        // As `check` then `ensure` do: lock, clean up, compare, build if needed.
                        let _lock = lock(out.path(), "kazoo")?;
                        assert!(!inside.swap(true, Ordering::SeqCst), "two builds hold the lock at once");
                        clean_stale(out.path(), "kazoo")?;
                        if !target.join("complete").exists() {
                            let staging = Staging::create(out.path(), "kazoo")?;
                            for n in 0..100 {
                                write(&staging.dir.join(format!("lib/app-{n}/ebin/app.beam")), "beam");
                            }
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            fs::write(staging.dir.join("complete"), "yes").unwrap();
                            staging.install(&target)?;
                            built.fetch_add(1, Ordering::SeqCst);
                        }
                        inside.store(false, Ordering::SeqCst);
                        Ok(())
                    })
                })
                .collect();
            for thread in threads {
                thread.join().unwrap().expect("every build succeeds");
            }
        });
        assert_eq!(built.load(Ordering::SeqCst), 1, "the builds after the first find its release up to date");
        assert_eq!(names(out.path()), [".kazoo.lock", "kazoo"]);
        assert_eq!(files(&target).len(), 101, "one whole tree");
    }

    #[test]
    fn a_file_where_the_release_goes_is_an_error_and_left_as_it_is() {
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("kazoo");
        let elsewhere = tempfile::NamedTempFile::new().unwrap();
        let cases: [(&str, &dyn Fn()); 3] = [
            ("a file", &|| fs::write(&target, "the operator's").unwrap()),
            ("a symbolic link to a file", &|| std::os::unix::fs::symlink(elsewhere.path(), &target).unwrap()),
            ("a symbolic link to nothing", &|| {
                std::os::unix::fs::symlink(out.path().join("nowhere"), &target).unwrap()
            }),
        ];
        for (what, make) in cases {
            make();
            let first = fs::symlink_metadata(&target).unwrap().ino();
            let _lock = lock(out.path(), "kazoo").unwrap();
            let errors = [clean_stale(out.path(), "kazoo").err(), Staging::create(out.path(), "kazoo").err()];
            for error in errors {
                let message =
                    error.map(|e| e.to_string()).unwrap_or_else(|| panic!("{what} at the target is no error"));
                assert!(message.contains(&target.display().to_string()) && message.contains(what), "{message}");
                assert!(message.contains("remove it, or choose another --out"), "{message}");
            }
            assert_eq!(fs::symlink_metadata(&target).unwrap().ino(), first, "{what} is left alone");
            // Found only at the swap (it appeared during the build): the same.
            fs::remove_file(&target).unwrap();
            let staging = Staging::create(out.path(), "kazoo").unwrap();
            make();
            let before = fs::symlink_metadata(&target).unwrap();
            assert!(staging.install(&target).unwrap_err().to_string().contains(what));
            let after = fs::symlink_metadata(&target).unwrap();
            assert_eq!((after.ino(), after.len()), (before.ino(), before.len()), "{what} is left alone");
            assert_eq!(names(out.path()), [".kazoo.lock", "kazoo"], "nothing moved aside or left behind");
            fs::remove_file(&target).unwrap();
        }
        assert_eq!(fs::read_to_string(elsewhere.path()).unwrap(), "");
        // `--out` itself a file.
        let message = lock(elsewhere.path(), "kazoo").err().expect("a file as --out is an error").to_string();
        assert!(message.contains("is a file, where the release needs a directory"), "{message}");
    }

    #[test]
    fn logs_a_build_killed_during_the_carry_over_left_aside_move_into_the_release() {
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("kazoo");
        // The new release, whose nodes already wrote a log or two.
        write(&target.join("releases/1.0.0/start.boot"), "boot");
        write(&target.join("log/ecallmgr/erlang.log.1"), "new console");
        write(&target.join("log/shared.log"), "new shared");
        // The previous release, killed part way through its carry-over, as `.old-`: some of
        // its logs have moved, the rest are still there; and as `.tmp-`, caught between
        // the exchange and its renaming.
        let dead = i32::MAX as u32;
        let (old, tmp) = (side_path(out.path(), "kazoo", OLD, dead), side_path(out.path(), "kazoo", TMP, dead - 1));
        write(&old.join("releases/0.9.0/start.boot"), "old boot");
        write(&old.join("log/ecallmgr/erlang.log.1"), "old console");
        write(&old.join("log/ecallmgr/erlang.log.2"), "older console");
        write(&old.join("log/kazoo_apps/deep/er/still/x.log"), "deep");
        write(&old.join("log/shared.log"), "old shared");
        write(&old.join("log/top.log"), "top");
        fs::create_dir_all(old.join("log/empty")).unwrap();
        write(&tmp.join("log/shared.log"), "tmp shared");
        write(&tmp.join("log/ecallmgr/erlang.log.3"), "tmp console");
        clean_stale(out.path(), "kazoo").unwrap();
        assert_eq!(names(out.path()), ["kazoo"]);
        let logs = files(&target.join("log"));
        let mut contents: Vec<_> = logs.values().map(String::as_str).collect();
        contents.sort_unstable();
        let mut expected = [
            "new console",
            "new shared",
            "old console",
            "older console",
            "deep",
            "old shared",
            "top",
            "tmp shared",
            "tmp console",
        ];
        expected.sort_unstable();
        assert_eq!(contents, expected, "every log file is kept: {logs:?}");
        for (path, content) in [
            ("ecallmgr/erlang.log.1", "new console"),
            ("ecallmgr/erlang.log.1.previous-1", "old console"),
            ("ecallmgr/erlang.log.2", "older console"),
            ("ecallmgr/erlang.log.3", "tmp console"),
            ("kazoo_apps/deep/er/still/x.log", "deep"),
            ("shared.log", "new shared"),
            ("top.log", "top"),
        ] {
            assert_eq!(logs.get(path).map(String::as_str), Some(content), "{path} in {logs:?}");
        }
        assert!(logs.contains_key("shared.log.previous-1") && logs.contains_key("shared.log.previous-2"), "{logs:?}");
        assert!(target.join("log/empty").is_dir());
        assert_eq!(
            fs::read_to_string(target.join("releases/1.0.0/start.boot")).unwrap(),
            "boot",
            "the release is the new one"
        );
        assert!(!target.join("releases/0.9.0").exists());
    }

    #[test]
    fn install_merges_the_logs_and_keeps_both_files_of_a_clash() {
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join("kazoo");
        for generation in ["first", "second"] {
            let staging = Staging::create(out.path(), "kazoo").unwrap();
            // As a node that wrote into the new tree's log/ while the build ran.
            write(&staging.dir.join("log/ecallmgr/erlang.log.1"), generation);
            staging.install(&target).unwrap();
        }
        assert_eq!(names(out.path()), ["kazoo"]);
        let logs = files(&target.join("log"));
        assert_eq!(logs.get("ecallmgr/erlang.log.1").map(String::as_str), Some("second"));
        assert_eq!(logs.get("ecallmgr/erlang.log.1.previous-1").map(String::as_str), Some("first"));
    }
}
