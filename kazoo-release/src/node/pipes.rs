//! Where a daemon node's pipe (ERTS's `run_erl`/`to_erl`) and console log go, per node so
//! that ecallmgr and kazoo_apps run side by side: `$PIPE_DIR/<node@host>/` (default
//! `/tmp/erl_pipes`, as relx) and `$RUNNER_LOG_DIR/<node type>/` (default `<root>/log`).
//! The pipe dir also holds each launch's private HOME, so it must be ours and closed.

use std::fs::{self, DirBuilder};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::NodeName;

pub const PIPE_DIR_ENV: &str = "PIPE_DIR";
pub const LOG_DIR_ENV: &str = "RUNNER_LOG_DIR";
const DEFAULT_PIPE_BASE: &str = "/tmp/erl_pipes";
/// run_erl's names: `erlang.pipe.<n>.{r,w}` and `erlang.log.<n>`.
const PIPE_STUB: &str = "erlang.pipe.";
const LOG_STUB: &str = "erlang.log.";

#[derive(Debug, thiserror::Error)]
pub enum PipeError {
    #[error("cannot create {}: {source}; set {env} to a directory you can write", path.display())]
    Create { path: PathBuf, env: &'static str, source: io::Error },
    #[error("{} belongs to uid {owner}, not to you (uid {me}): another user's node, or a trap; remove it or set {PIPE_DIR_ENV} elsewhere", path.display())]
    NotOurs { path: PathBuf, owner: u32, me: u32 },
    #[error("{} is a symbolic link, not a directory; remove it or set {PIPE_DIR_ENV} elsewhere", path.display())]
    Symlink { path: PathBuf },
}

/// A node's pipe and log directories.
#[derive(Debug, Clone)]
pub struct RunDirs {
    /// Where run_erl makes its pipes and kazoo the launch's private HOME.
    pub pipe: PathBuf,
    /// Where run_erl writes the console log, `erlang.log.1` and on.
    pub log: PathBuf,
}

impl RunDirs {
    /// The directories of node `name` (of type `node_type`) of the release at `root`.
    pub fn of(root: &Path, name: &NodeName, node_type: &str) -> RunDirs {
        let pipe_base = std::env::var_os(PIPE_DIR_ENV).map_or_else(|| PathBuf::from(DEFAULT_PIPE_BASE), PathBuf::from);
        let log_base = std::env::var_os(LOG_DIR_ENV).map_or_else(|| root.join("log"), PathBuf::from);
        RunDirs { pipe: pipe_base.join(name.to_string()), log: log_base.join(node_type) }
    }

    /// Makes the pipe dir (mode 0700) when missing; one that exists must be a directory of
    /// ours, and is closed to others if it was not.
    pub fn create_pipe_dir(&self) -> Result<&Path, PipeError> {
        create(&self.pipe, 0o700, PIPE_DIR_ENV)?;
        let meta = fs::symlink_metadata(&self.pipe).map_err(|source| create_error(&self.pipe, PIPE_DIR_ENV, source))?;
        if meta.file_type().is_symlink() {
            return Err(PipeError::Symlink { path: self.pipe.clone() });
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(PipeError::NotOurs { path: self.pipe.clone(), owner: meta.uid(), me });
        }
        if meta.mode() & 0o077 != 0 {
            fs::set_permissions(&self.pipe, fs::Permissions::from_mode(0o700))
                .map_err(|source| create_error(&self.pipe, PIPE_DIR_ENV, source))?;
        }
        Ok(&self.pipe)
    }

    /// Makes the log dir (mode 0750: operators' group may read the logs).
    pub fn create_log_dir(&self) -> Result<&Path, PipeError> {
        create(&self.log, 0o750, LOG_DIR_ENV).map(|()| self.log.as_path())
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

    /// The last `lines` lines of the newest console log, for a node that failed to start.
    pub fn log_tail(&self, lines: usize) -> String {
        let newest = entries(&self.log, LOG_STUB).into_iter().max_by_key(|p| fs::metadata(p).and_then(|m| m.modified()).ok());
        let text = newest.and_then(|p| fs::read(p).ok()).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

fn create(dir: &Path, mode: u32, env: &'static str) -> Result<(), PipeError> {
    DirBuilder::new().recursive(true).mode(mode).create(dir).map_err(|source| create_error(dir, env, source))
}

fn create_error(path: &Path, env: &'static str, source: io::Error) -> PipeError {
    PipeError::Create { path: path.to_owned(), env, source }
}

fn entries(dir: &Path, stub: &str) -> Vec<PathBuf> {
    let Ok(read) = fs::read_dir(dir) else { return Vec::new() };
    read.filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(stub))
        .map(|e| e.path())
        .collect()
}
