//! The release as it is deployed: `tar-release` on the build machine, the tarball unpacked at
//! another path on a host with no Erlang/OTP and no build tree, with its own loopback and
//! EPMD, the tree owned by root and read-only to the service user (uid 65534) who runs it
//! through the tree's own `bin/kazoo`.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use support::deployment::{checkout, Deployment};
use support::isolated::{children, OTP_ROOT};
use support::{ok, text};

/// The release binary cargo built from this workspace.
const BIN: &str = env!("CARGO_BIN_EXE_kazoo");

/// The binary is static-pie (.cargo/config.toml): no loader and no shared library, so that a
/// tree's bin/kazoo runs on a host whatever its glibc, and still position-independent.
#[test]
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn the_binary_needs_no_loader_and_no_shared_library_and_is_position_independent() {
    let bytes = fs::read(BIN).unwrap();
    let elf = goblin::elf::Elf::parse(&bytes).unwrap();
    assert_eq!(elf.interpreter, None, "{BIN} names a loader");
    assert!(elf.libraries.is_empty(), "{BIN} needs shared libraries: {:?}", elf.libraries);
    assert_eq!(elf.header.e_type, goblin::elf::header::ET_DYN, "{BIN} is not position-independent");
}

#[test]
fn the_unpacked_tree_runs_its_nodes_as_a_service_user_with_no_erlang_and_no_build_tree() {
    let deployment = Deployment::new(Path::new(BIN));
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
    let deployment = Deployment::new(Path::new(BIN));
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
    let deployment = Deployment::of_profile(Path::new(BIN), "ci", &[]);
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
    let deployment = Deployment::of_profile(Path::new(BIN), "ci", &[Path::new(OTP_ROOT)]);
    let root = deployment.path("opt/kazoo");
    let output = deployment.run(&root, &["start", "ecallmgr"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("runs on the host's ERTS 13.") && stderr.contains("install the Erlang/OTP"), "{stderr}");
}
