//! One test's machine for the `kazoo` binary's node commands: its own EPMD port, HOME, pipe
//! and config dirs and cookie, and a working directory where `_rel` is written, as `cargo
//! run` does it at the workspace root. Included by the test targets of the kazoo example
//! (it names their binary); each uses part of it.
#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::{ok, Epmd};

pub const NODE_TYPES: [&str; 2] = ["ecallmgr", "kazoo_apps"];

/// One test's machine; every node it started is stopped (or killed) when dropped.
pub struct Host {
    pub dir: tempfile::TempDir,
    pub epmd: Epmd,
    pub cookie: String,
}

impl Host {
    pub fn new() -> Host {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home", "etc/core"] {
            fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let epmd = Epmd::private();
        let cookie = format!("secret_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        Host { dir, epmd, cookie }
    }

    pub fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// What this test's commands run with (for tmux's shell line too).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let path = |sub: &str| self.path(sub).display().to_string();
        vec![
            ("ERL_EPMD_PORT", self.epmd.0.clone()),
            ("HOME", path("home")),
            ("PIPE_DIR", path("pipes")),
            ("KAZOO_CONFIG_DIR", path("etc")),
            ("KAZOO_COOKIE", self.cookie.clone()),
        ]
    }

    /// The kazoo binary in this host's scrubbed environment, its cwd the host's directory.
    pub fn command(&self, args: &[&str]) -> Command {
        // Nothing of the caller's environment: only PATH, and this host's variables.
        let mut command = crate::support::command(env!("CARGO_BIN_EXE_kazoo"), &self.path("home"));
        command.args(args).current_dir(self.dir.path()).envs(self.env());
        command
    }

    pub fn kazoo(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("kazoo runs")
    }

    /// `kazoo eval NODE EXPR`'s printed value.
    pub fn eval(&self, node: &str, expr: &str) -> String {
        ok(self.kazoo(&["eval", node, expr])).trim().to_owned()
    }

    pub fn wait_answers(&self, node: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.kazoo(&["ping", node]).status.success() {
            assert!(Instant::now() < deadline, "{node} did not come up");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The shell line tmux runs: this host's environment, then `kazoo ARGS`, then the exit
    /// status on screen.
    pub fn shell_line(&self, args: &str) -> String {
        let env: Vec<String> = self.env().iter().map(|(k, v)| format!("{k}='{v}'")).collect();
        format!(
            "cd '{}' && env -u REL -u KAZOO_PROFILE {} '{}' {args}; echo EXIT=$?; sleep 60",
            self.dir.path().display(),
            env.join(" "),
            env!("CARGO_BIN_EXE_kazoo")
        )
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        for node in NODE_TYPES {
            let _ = self.command(&["stop", node, "--kill", "--timeout", "10"]).stderr(Stdio::null()).output();
        }
    }
}
