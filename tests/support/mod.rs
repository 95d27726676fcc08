//! What the end-to-end tests share: a scrubbed environment for commands, bare `erl` nodes, a
//! private EPMD per test and reading a command's output. Each test target uses part of it.
#![allow(dead_code)]

pub mod boot;
pub mod debian_root;
pub mod deployment;
pub mod isolated;
pub mod kazoo_src;
mod node;
pub mod peer;
pub mod xref;

#[allow(unused_imports)]
pub use node::{command, ErlNode, NodeOptions, Scrubbed};

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A port for this test's own EPMD (`ERL_EPMD_PORT`), so that its nodes may carry real node
/// type names while tests run in parallel; that EPMD is killed when this is dropped (after
/// the struct holding it has stopped its nodes).
pub struct Epmd(pub String);

impl Epmd {
    pub fn private() -> Epmd {
        Epmd(TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string())
    }

    pub fn port(&self) -> u16 {
        self.0.parse().unwrap()
    }

    /// Starts this EPMD itself (a node's `erl` would), returning once it answers.
    pub fn run(&self) {
        let started = Command::new("epmd").args(["-port", &self.0, "-daemon"]).status().expect("epmd runs");
        assert!(started.success(), "epmd -port {} did not start", self.0);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port())).is_err() {
            assert!(std::time::Instant::now() < deadline, "epmd -port {} does not answer", self.0);
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for Epmd {
    fn drop(&mut self) {
        let _ = Command::new("epmd").args(["-port", &self.0, "-kill"]).stdout(Stdio::null()).status();
    }
}

/// Runs `command` (erl, erlc, rebar3, a release's erl: anything that boots a BEAM) in `dir`,
/// a temporary directory of the test's, with its crash dump there too: a test's own working
/// directory is its package's, in the checkout, where nothing of a test may stay.
pub fn vm_in<'a>(command: &'a mut Command, dir: &Path) -> &'a mut Command {
    command.current_dir(dir).env("ERL_CRASH_DUMP", dir.join("erl_crash.dump"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Stdout of a command that must succeed.
pub fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed ({:?}): {}{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// The exit code and stderr of a command that must fail.
pub fn failed(output: Output) -> (i32, String) {
    assert!(!output.status.success(), "succeeded: {}", text(&output.stdout));
    (output.status.code().unwrap(), text(&output.stderr))
}
