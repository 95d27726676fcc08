//! Booting a release tree's node type with the tree's own `erl`, without kazoo: what the
//! tests that check a written tree (its files, its tarball) boot it with.

use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `(erts vsn, release vsn)` from `releases/start_erl.data`.
pub fn versions(root: &Path) -> (String, String) {
    let data = fs::read_to_string(root.join("releases/start_erl.data")).unwrap();
    let (erts, vsn) = data.trim().split_once(' ').unwrap();
    (erts.to_owned(), vsn.to_owned())
}

/// A HOME with a cookie, and a PATH with only what `erl`'s script needs: no Erlang at all.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let cookie = dir.path().join(".erlang.cookie");
        fs::write(&cookie, "boot_test_cookie").unwrap();
        fs::set_permissions(&cookie, fs::Permissions::from_mode(0o400)).unwrap();
        fs::create_dir(dir.path().join("bin")).unwrap();
        for tool in ["dirname", "basename"] {
            std::os::unix::fs::symlink(Path::new("/usr/bin").join(tool), dir.path().join("bin").join(tool)).unwrap();
        }
        Sandbox { dir }
    }
}

/// A node that is killed however the test ends.
pub struct Node(pub Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Boots node type `node` from `root` (cwd at the root, no Erlang on PATH), has it evaluate
/// `expr` (which prints `key: value` lines and halts), and returns a lookup of those lines.
pub fn boot_and_eval(root: &Path, node: &str, sandbox: &Sandbox, expr: &str) -> impl Fn(&str) -> String {
    let (erts, vsn) = versions(root);
    let mut erl = Command::new(root.join(format!("erts-{erts}/bin/erl")));
    erl.env_clear().env("HOME", sandbox.dir.path()).env("PATH", sandbox.dir.path().join("bin"));
    let child = super::vm_in(&mut erl, root)
        .args(["-boot", &format!("releases/{vsn}/{node}")])
        .args(["-config", &format!("releases/{vsn}/{node}.sys.config")])
        .args(["-args_file", &format!("releases/{vsn}/{node}.vm.args")])
        // No node name: a boot that needs no distribution starts no EPMD to leave behind.
        .args(["-noshell", "-eval", expr])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the release's erl runs");
    let mut node_guard = Node(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while node_guard.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "node type {node} did not boot and halt within 60 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stdout = String::new();
    node_guard.0.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let mut stderr = String::new();
    node_guard.0.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let node = node.to_owned();
    move |key: &str| {
        let line = stdout.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(": "));
        line.unwrap_or_else(|| panic!("node type {node} did not report {key}: {stdout}\n{stderr}")).to_owned()
    }
}
