//! The release as it is deployed: `tar-release` on the build machine, the tarball unpacked at
//! another path on a host with no Erlang/OTP and no build tree, with its own loopback and
//! EPMD, the tree owned by root and read-only to the service user (uid 65534) who runs it
//! through the tree's own `bin/kazoo`.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use support::isolated::{children, open_path, IsolatedHost, NOBODY, OTP_ROOT};
use support::{ok, text};

/// The workspace: the build tree the run host must not see.
fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A deployment: the tarball unpacked by root into `<dir>/opt/kazoo`, a working directory
/// of the service user's, and the isolated host it runs on.
struct Deployment {
    dir: tempfile::TempDir,
    host: IsolatedHost,
}

impl Deployment {
    /// The default profile's tarball (it includes ERTS), on a host without OTP.
    fn new() -> Deployment {
        Deployment::of_profile("default", &[Path::new(OTP_ROOT)])
    }

    /// Profile `profile`'s tarball on a host where `hidden` and the checkout are not seen.
    fn of_profile(profile: &str, hidden: &[&Path]) -> Deployment {
        let dir = tempfile::tempdir().unwrap();
        let build = dir.path().join("build");
        let tar = Command::new(env!("CARGO_BIN_EXE_kazoo"))
            .args(["tar-release", "--profile", profile, "--out"])
            .arg(&build)
            .output();
        let printed = ok(tar.unwrap());
        let tarball = printed.lines().find_map(|l| l.strip_prefix("wrote ")).expect("tar-release names its tarball");
        let root = dir.path().join("opt/kazoo");
        fs::create_dir_all(&root).unwrap();
        ok(Command::new("tar").arg("xzf").arg(tarball).arg("-C").arg(&root).output().unwrap());
        // The build output goes too: the host has only the unpacked tree.
        fs::remove_dir_all(&build).unwrap();
        for sub in ["cwd", "tmp", "etc"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::os::unix::fs::chown(dir.path().join("cwd"), Some(NOBODY), Some(NOBODY)).unwrap();
        // The service user's temporary directory, sticky and open to all as /tmp is.
        fs::set_permissions(dir.path().join("tmp"), fs::Permissions::from_mode(0o1777)).unwrap();
        open_path(dir.path());
        let checkout = checkout();
        let host = IsolatedHost::new(&[hidden, &[checkout.as_path()]].concat());
        Deployment { dir, host }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    /// The service user's environment: nothing of ours, a cookie, no config dir of the host's.
    fn env(&self) -> Vec<(&'static str, String)> {
        let path = |sub: &str| self.path(sub).display().to_string();
        vec![
            ("PATH", "/usr/bin:/bin".into()),
            ("HOME", "/nonexistent".into()),
            ("TMPDIR", path("tmp")),
            ("KAZOO_CONFIG_DIR", path("etc")),
            ("KAZOO_COOKIE", format!("standalone_{}", std::process::id())),
        ]
    }

    /// `<root>/bin/kazoo args` as the service user, in its working directory.
    fn kazoo(&self, root: &Path, args: &[&str]) -> Command {
        let mut command = self.host.nobody(root.join("bin/kazoo"), args, &self.env());
        command.current_dir(self.path("cwd"));
        command
    }

    fn run(&self, root: &Path, args: &[&str]) -> Output {
        self.kazoo(root, args).output().unwrap()
    }

    fn root_dir_of(&self, root: &Path, node: &str) -> String {
        ok(self.run(root, &["eval", node, "code:root_dir()."])).trim().to_owned()
    }
}

#[test]
fn the_unpacked_tree_runs_its_nodes_as_a_service_user_with_no_erlang_and_no_build_tree() {
    let deployment = Deployment::new();
    let host = &deployment.host;
    let root = deployment.path("opt/kazoo");
    // The host really has neither Erlang nor the build tree.
    for hidden in [Path::new(OTP_ROOT).join("bin/erl"), checkout().join("Cargo.toml")] {
        let seen = host.root("test", &["-e".as_ref(), hidden.as_os_str()], &[]).status().unwrap();
        assert!(!seen.success(), "{} is visible on the run host", hidden.display());
    }
    let meta = fs::metadata(root.join("lib")).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o022), (0, 0), "the tree is root's and closed to writes");

    let started = ok(deployment.run(&root, &["start", "ecallmgr"]));
    assert!(started.contains("started ecallmgr@"), "{started}");
    assert_eq!(ok(deployment.run(&root, &["ping", "ecallmgr"])).trim(), "pong");
    assert_eq!(deployment.root_dir_of(&root, "ecallmgr"), format!("{:?}", root.display().to_string()));
    let status = ok(deployment.run(&root, &["status"]));
    assert!(status.lines().any(|l| l.starts_with("ecallmgr") && l.contains("running")), "{status}");
    ok(deployment.run(&root, &["stop", "ecallmgr"]));

    // foreground, as the systemd unit runs it, ends with 0 on SIGTERM.
    let mut foreground = deployment.kazoo(&root, &["foreground", "kazoo_apps"]).stdout(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !deployment.run(&root, &["ping", "kazoo_apps"]).status.success() {
        assert!(Instant::now() < deadline, "foreground kazoo_apps did not answer");
        std::thread::sleep(Duration::from_millis(100));
    }
    // nsenter forks the command into the host's pid namespace: signal that child.
    let kazoo = children(foreground.id())[0];
    ok(Command::new("kill").args(["-TERM", &kazoo.to_string()]).output().unwrap());
    assert_eq!(foreground.wait().unwrap().code(), Some(0), "foreground exits 0 on SIGTERM");

    // The tree moved elsewhere runs from there.
    let moved = deployment.path("opt/kazoo-moved");
    ok(host.root("mv", &[root.as_os_str(), moved.as_os_str()], &[]).output().unwrap());
    ok(deployment.run(&moved, &["start", "ecallmgr"]));
    assert_eq!(deployment.root_dir_of(&moved, "ecallmgr"), format!("{:?}", moved.display().to_string()));
    ok(deployment.run(&moved, &["stop", "ecallmgr"]));

    let left: Vec<_> = fs::read_dir(deployment.path("cwd")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "the working directory holds {left:?}");
}

#[test]
fn the_tree_does_not_write_itself_and_says_so() {
    let deployment = Deployment::new();
    let root = deployment.path("opt/kazoo");
    let output = deployment.run(&root, &["build-release"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains(&format!("this binary is the release at {}", root.display())),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_tree_without_erts_runs_on_the_hosts_erts_of_its_version_and_names_it_when_missing() {
    // The ci profile leaves ERTS out: the host's Erlang/OTP, of the same ERTS, runs it.
    let deployment = Deployment::of_profile("ci", &[]);
    let root = deployment.path("opt/kazoo");
    let erts_vsn =
        fs::read_to_string(root.join("releases/start_erl.data")).unwrap().split_whitespace().next().unwrap().to_owned();
    assert!(!root.join(format!("erts-{erts_vsn}")).exists(), "the ci profile includes no ERTS");
    ok(deployment.run(&root, &["start", "ecallmgr"]));
    assert_eq!(deployment.root_dir_of(&root, "ecallmgr"), format!("{:?}", root.display().to_string()));
    ok(deployment.run(&root, &["stop", "ecallmgr"]));

    // Another ERTS version than the host's is named, with what the host has.
    let data = root.join("releases/start_erl.data");
    let vsn = fs::read_to_string(&data).unwrap().split_whitespace().nth(1).unwrap().to_owned();
    fs::write(&data, format!("99.1 {vsn}\n")).unwrap();
    let output = deployment.run(&root, &["start", "ecallmgr"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("runs on the host's ERTS 99.1") && stderr.contains(&format!("has ERTS {erts_vsn}")),
        "{stderr}"
    );
}

#[test]
fn a_tree_without_erts_on_a_host_without_erlang_names_the_erts_it_needs() {
    let deployment = Deployment::of_profile("ci", &[Path::new(OTP_ROOT)]);
    let root = deployment.path("opt/kazoo");
    let output = deployment.run(&root, &["start", "ecallmgr"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("runs on the host's ERTS 13.") && stderr.contains("install the Erlang/OTP"), "{stderr}");
}
