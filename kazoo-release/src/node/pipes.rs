//! A node's run-time dirs, outside the release tree (which may be read-only, shared by
//! several nodes, owned by root), per node so that ecallmgr and kazoo_apps run side by side:
//!
//! - the pipe dir, `$PIPE_DIR/<node@host>/` (default `$TMPDIR/erl_pipes`, /tmp/erl_pipes as
//!   relx, made sticky and open to every user as /tmp is): run_erl's pipes and each launch's
//!   private HOME, so it must be ours and closed;
//! - the log dir, `$RUNNER_LOG_DIR/<node name>/` (default `<root>/log` when this user may
//!   write there, else `$TMPDIR/<release>-<uid>/log`): run_erl's console log, and the VM's
//!   working directory, where relative log files and the crash dump go.

use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::NodeName;

pub const PIPE_DIR_ENV: &str = "PIPE_DIR";
pub const LOG_DIR_ENV: &str = "RUNNER_LOG_DIR";
/// Under the temporary directory, as relx's `/tmp/erl_pipes`.
const PIPE_BASE: &str = "erl_pipes";
/// run_erl's names: `erlang.pipe.<n>.{r,w}` and `erlang.log.<n>`.
const PIPE_STUB: &str = "erlang.pipe.";
const LOG_STUB: &str = "erlang.log.";

#[derive(Debug, thiserror::Error)]
pub enum PipeError {
    #[error("cannot create {}: {source}; set {env} to a directory you can write", path.display())]
    Create { path: PathBuf, env: &'static str, source: io::Error },
    #[error("cannot write in {} (uid {me}); set {env} to a directory this user can write, or give it the directory", path.display())]
    Unwritable { path: PathBuf, env: &'static str, me: u32 },
    #[error("{} belongs to uid {owner}, not to you (uid {me}): another user's node, or a trap; remove it or set {PIPE_DIR_ENV} elsewhere", path.display())]
    NotOurs { path: PathBuf, owner: u32, me: u32 },
    #[error("{} is a symbolic link, not a directory; remove it or set {PIPE_DIR_ENV} elsewhere", path.display())]
    Symlink { path: PathBuf },
}

/// Where run-time dirs go, from the environment as the caller read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunBases {
    /// `$PIPE_DIR`.
    pub pipe: Option<PathBuf>,
    /// `$RUNNER_LOG_DIR`.
    pub log: Option<PathBuf>,
    /// The temporary directory (`$TMPDIR`, else /tmp).
    pub temp: PathBuf,
}

impl RunBases {
    /// `$PIPE_DIR`, else the one shared by every user in the temporary directory.
    fn pipe_base(&self) -> PathBuf {
        self.pipe.clone().unwrap_or_else(|| self.shared_pipe_base())
    }

    fn shared_pipe_base(&self) -> PathBuf {
        self.temp.join(PIPE_BASE)
    }
}

/// A node's pipe and log directories.
#[derive(Debug, Clone)]
pub struct RunDirs {
    /// Where run_erl makes its pipes and kazoo-release the launch's private HOME.
    pub pipe: PathBuf,
    /// Where run_erl writes the console log, `erlang.log.1` and on.
    pub log: PathBuf,
    /// The pipe base every user shares, when the pipe dir is in it (no `$PIPE_DIR`).
    shared_base: Option<PathBuf>,
}

impl RunDirs {
    /// The directories of node `name` of release `release` in the tree at `root`.
    pub fn of(root: &Path, release: &str, name: &NodeName, bases: &RunBases) -> RunDirs {
        let log_base = bases.log.clone().unwrap_or_else(|| default_log_base(root, release, &bases.temp));
        let shared_base = bases.pipe.is_none().then(|| bases.shared_pipe_base());
        RunDirs { pipe: bases.pipe_base().join(name.to_string()), log: log_base.join(&name.name), shared_base }
    }

    /// Makes the pipe dir (mode 0700) when missing; one that exists must be a directory of
    /// ours, and is closed to others if it was not.
    pub fn create_pipe_dir(&self) -> Result<&Path, PipeError> {
        if let Some(shared) = self.shared_base.as_ref().filter(|base| !base.exists()) {
            // Shared by every user, as /tmp: each node's own dir below is closed.
            create(shared, 0o1777, PIPE_DIR_ENV)?;
            fs::set_permissions(shared, fs::Permissions::from_mode(0o1777))
                .map_err(|source| create_error(shared, PIPE_DIR_ENV, source))?;
        }
        create(&self.pipe, 0o700, PIPE_DIR_ENV)?;
        let meta = fs::symlink_metadata(&self.pipe).map_err(|source| create_error(&self.pipe, PIPE_DIR_ENV, source))?;
        if meta.file_type().is_symlink() {
            return Err(PipeError::Symlink { path: self.pipe.clone() });
        }
        let me = euid();
        if meta.uid() != me {
            return Err(PipeError::NotOurs { path: self.pipe.clone(), owner: meta.uid(), me });
        }
        if meta.mode() & 0o077 != 0 {
            fs::set_permissions(&self.pipe, fs::Permissions::from_mode(0o700))
                .map_err(|source| create_error(&self.pipe, PIPE_DIR_ENV, source))?;
        }
        Ok(&self.pipe)
    }

    /// Makes the log dir (mode 0750: operators' group may read the logs); it must be
    /// writable, as the VM works in it.
    pub fn create_log_dir(&self) -> Result<&Path, PipeError> {
        create(&self.log, 0o750, LOG_DIR_ENV)?;
        match writable(&self.log) {
            true => Ok(&self.log),
            false => Err(PipeError::Unwritable { path: self.log.clone(), env: LOG_DIR_ENV, me: euid() }),
        }
    }

    /// The pipes run_erl left in the pipe dir (`erlang.pipe.1.r`, ...).
    pub fn pipes(&self) -> Vec<PathBuf> {
        entries(&self.pipe, PIPE_STUB)
    }

    /// Removes the pipes of a run_erl that is gone: run_erl numbers its pipe after the
    /// highest it finds, and to_erl opens the highest, so a stale one would be in the way.
    pub fn clear_stale_pipes(&self) {
        for pipe in self.pipes() {
            let _ = fs::remove_file(pipe);
        }
    }

    /// Where the console log ends now, so that what a start writes can be told apart.
    pub fn log_mark(&self) -> LogMark {
        let newest = self.newest_log();
        let len = newest.as_ref().and_then(|p| fs::metadata(p).ok()).map_or(0, |m| m.len());
        LogMark { file: newest, len }
    }

    /// What the console log says since `mark`: the lines that name a failure, found in
    /// all of it, and its last `lines` lines.
    pub fn log_since(&self, mark: &LogMark, lines: usize) -> StartLog {
        let newest = self.newest_log();
        let mut text = newest.as_ref().and_then(|p| fs::read(p).ok()).unwrap_or_default();
        // run_erl appends to the same file unless it rotated to the next one meanwhile.
        if newest.is_some() && newest == mark.file {
            text.drain(..(mark.len as usize).min(text.len()));
        }
        let text = String::from_utf8_lossy(&text);
        let all: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let causes: Vec<String> =
            all.iter().filter(|l| names_a_failure(l)).take(CAUSES).map(|l| l.to_string()).collect();
        let tail = all[all.len().saturating_sub(lines)..].join("\n");
        StartLog { path: newest.unwrap_or_else(|| self.log.clone()), causes, tail }
    }

    /// run_erl's console logs (`erlang.log.<n>`), oldest first. run_erl moves on to the
    /// next `<n>` when a file is full, going round, and deletes the one after it, so that
    /// the newest is the one before the gap (of 1, 2, 4, 5: 2), whatever the times say.
    pub fn console_logs(&self) -> Vec<PathBuf> {
        let mut numbered: Vec<(u32, PathBuf)> = entries(&self.log, LOG_STUB)
            .into_iter()
            .filter_map(|p| Some((p.file_name()?.to_str()?.strip_prefix(LOG_STUB)?.parse().ok()?, p)))
            .collect();
        numbered.sort();
        let gap = numbered.windows(2).position(|w| w[1].0 != w[0].0 + 1).map_or(0, |at| at + 1);
        numbered.rotate_left(gap);
        numbered.into_iter().map(|(_, p)| p).collect()
    }

    fn newest_log(&self) -> Option<PathBuf> {
        entries(&self.log, LOG_STUB).into_iter().max_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok())
    }

    /// Records the VM's OS pid beside the node's pipes, so that the node is known by its
    /// process even when EPMD is gone.
    pub fn record_pid(&self, pid: u32) -> io::Result<()> {
        fs::write(self.pipe.join(PID_FILE), format!("{pid}\n"))
    }

    pub fn forget_pid(&self) {
        let _ = fs::remove_file(self.pipe.join(PID_FILE));
    }

    /// The recorded VM of node `name` when it still runs: the process lives and its command
    /// line names the node (a pid the kernel has since given to another program does not
    /// count).
    pub fn recorded_vm(&self, name: &NodeName) -> Option<u32> {
        let pid: u32 = fs::read_to_string(self.pipe.join(PID_FILE)).ok()?.trim().parse().ok()?;
        let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let name = name.to_string();
        let names_node = cmdline.split(|&b| b == 0).any(|arg| arg == name.as_bytes());
        (names_node && crate::dist::is_running(pid)).then_some(pid)
    }
}

/// Every node whose VM is recorded under the pipe base and runs from the tree at `root`
/// (its `-root`), with its node type (its boot script's name), sorted by name.
pub fn recorded_nodes(root: &Path, bases: &RunBases) -> Vec<(NodeName, String)> {
    let base = bases.pipe_base();
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    let Ok(entries) = fs::read_dir(&base) else { return Vec::new() };
    let mut nodes: Vec<(NodeName, String)> = entries
        .flatten()
        .filter_map(|entry| {
            let (name, host) =
                entry.file_name().to_str()?.split_once('@').map(|(n, h)| (n.to_owned(), h.to_owned()))?;
            let name = NodeName { name, host };
            let dirs = RunDirs { pipe: entry.path(), log: PathBuf::new(), shared_base: None };
            let pid = dirs.recorded_vm(&name)?;
            let args = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let args: Vec<&[u8]> = args.split(|&b| b == 0).collect();
            let after = |flag: &str| {
                args.windows(2).find(|w| w[0] == flag.as_bytes()).map(|w| String::from_utf8_lossy(w[1]).into_owned())
            };
            (fs::canonicalize(after("-root")?).ok()? == root).then_some(())?;
            let node_type = Path::new(&after("-boot")?).file_name()?.to_str()?.to_owned();
            Some((name, node_type))
        })
        .collect();
    nodes.sort_by_key(|(name, _)| name.to_string());
    nodes
}

/// The pid record's name in the pipe dir.
const PID_FILE: &str = "vm.pid";
/// At most this many lines naming a failure are shown.
const CAUSES: usize = 8;

/// Where the console log ended before a start.
#[derive(Debug, Clone)]
pub struct LogMark {
    file: Option<PathBuf>,
    len: u64,
}

/// What a failed start wrote to the console log.
#[derive(Debug, Clone)]
pub struct StartLog {
    pub path: PathBuf,
    /// The lines that name what went wrong (erlexec's complaint, a crash report, an
    /// address in use).
    pub causes: Vec<String>,
    pub tail: String,
}

impl StartLog {
    /// The causes, then the tail, as an error message's end.
    pub fn describe(&self) -> String {
        let causes = match self.causes.is_empty() {
            true => String::new(),
            false => format!("; the log names the cause:\n  {}\n", self.causes.join("\n  ")),
        };
        match self.tail.is_empty() {
            true => format!("{causes}\nIts log ({}) has nothing of this start.", self.path.display()),
            false => format!("{causes}\nThe end of its log ({}):\n{}", self.path.display(), self.tail),
        }
    }
}

/// Whether a line of a console log says why a node did not come up.
fn names_a_failure(line: &str) -> bool {
    // Not a bare "error": erlexec's usage, printed after its complaint, says it often.
    const SIGNS: [&str; 11] = [
        "unknown flag",
        "bad ",
        "invalid",
        "{error",
        "error:",
        "failed",
        "failure",
        "eaddrinuse",
        "Kernel pid terminated",
        "could not",
        "cannot",
    ];
    let lower = line.to_lowercase();
    SIGNS.iter().any(|sign| lower.contains(&sign.to_lowercase()))
}

/// `<root>/log` as relx, when this user may write there; else a directory of this user's in
/// the temporary directory `temp`, for a service user running a tree it does not own.
fn default_log_base(root: &Path, release: &str, temp: &Path) -> PathBuf {
    let in_tree = root.join("log");
    match writable(&in_tree) || (!in_tree.exists() && writable(root)) {
        true => in_tree,
        false => temp.join(format!("{release}-{}", euid())).join("log"),
    }
}

/// Whether this process (its effective uid) may create files in `dir`.
fn writable(dir: &Path) -> bool {
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; faccessat only reads it.
    unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), libc::W_OK | libc::X_OK, libc::AT_EACCESS) == 0 }
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

fn create(dir: &Path, mode: u32, env: &'static str) -> Result<(), PipeError> {
    DirBuilder::new().recursive(true).mode(mode).create(dir).map_err(|source| create_error(dir, env, source))
}

fn create_error(path: &Path, env: &'static str, source: io::Error) -> PipeError {
    PipeError::Create { path: path.to_owned(), env, source }
}

fn entries(dir: &Path, stub: &str) -> Vec<PathBuf> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    read.filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(stub))
        .map(|e| e.path())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dirs_come_from_the_bases_given() {
        let node = NodeName { name: "hello".into(), host: "vm".into() };
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join("rel/hello");
        let given = RunBases { pipe: Some("/p".into()), log: Some("/l".into()), temp: temp.path().to_owned() };
        let dirs = RunDirs::of(&root, "hello", &node, &given);
        assert_eq!((dirs.pipe, dirs.log, dirs.shared_base), ("/p/hello@vm".into(), "/l/hello".into(), None));
        // Without them: the pipe base every user shares, made by the first start, and the
        // tree's log dir when this user may write the tree.
        std::fs::create_dir_all(&root).unwrap();
        let defaults = RunBases { pipe: None, log: None, temp: temp.path().to_owned() };
        let dirs = RunDirs::of(&root, "hello", &node, &defaults);
        assert_eq!(
            (dirs.pipe.clone(), dirs.log.clone()),
            (temp.path().join("erl_pipes/hello@vm"), root.join("log/hello"))
        );
        dirs.create_pipe_dir().unwrap();
        let shared = fs::metadata(temp.path().join("erl_pipes")).unwrap();
        assert_eq!(shared.mode() & 0o7777, 0o1777);
    }

    #[test]
    fn an_empty_log_is_said_to_be_empty() {
        let log = StartLog { path: "/l/erlang.log.1".into(), causes: vec![], tail: String::new() };
        assert_eq!(log.describe(), "\nIts log (/l/erlang.log.1) has nothing of this start.");
        let log = StartLog { tail: "boot".into(), ..log };
        assert_eq!(log.describe(), "\nThe end of its log (/l/erlang.log.1):\nboot");
    }
}
