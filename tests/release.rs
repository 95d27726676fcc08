//! `kazoo build-release` and `tar-release` end to end: the release they write boots on the
//! real Erlang/OTP, with nothing of the system's Erlang on PATH.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use kazoo_release::term::{self, Term};

#[path = "support/mod.rs"]
mod support;

use support::boot::{boot_and_eval, versions, Node, Sandbox};

fn kazoo(out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kazoo"))
        .args(args)
        .arg("--out")
        .arg(out)
        .env_remove("REL")
        .env_remove("KAZOO_PROFILE")
        .output()
        .expect("the kazoo binary runs")
}

fn build(out: &Path, args: &[&str]) -> String {
    let output = kazoo(out, &[&["build-release"], args].concat());
    assert!(output.status.success(), "build-release failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// What a booted node said about itself.
struct Booted {
    /// The applications it runs, sorted.
    apps: Vec<String>,
    /// lager's `log_root`, which relative log file names are under (Debian's lager.app
    /// sets "log"), or `undefined`.
    log_root: String,
}

/// Boots node type `node` from the release at `root` as an operator would, with its cwd at
/// the root, and asks it what it runs.
fn boot(root: &Path, node: &str, sandbox: &Sandbox) -> Booted {
    let report = "io:format(\"apps: ~w~n\", [lists:sort([A || {A, _, _} <- application:which_applications()])]), \
                  io:format(\"log_root: ~s~n\", [application:get_env(lager, log_root, undefined)]), erlang:halt(0).";
    let said = boot_and_eval(root, node, sandbox, report);
    let apps = said("apps").trim_matches(['[', ']']).split(',').map(str::to_owned).collect();
    Booted { apps, log_root: said("log_root") }
}

/// The applications `<node>.rel` has the boot script start (all but `load` and `none`).
fn started_in_rel(root: &Path, node: &str) -> Vec<String> {
    let (_, vsn) = versions(root);
    let path = root.join(format!("releases/{vsn}/{node}.rel"));
    let terms = term::parse_file(&path).unwrap();
    let apps = terms[0].as_tuple().unwrap()[3].as_list().unwrap();
    let mut started: Vec<String> = apps
        .iter()
        .filter_map(|app| match app.as_tuple()? {
            [name, _] => Some(name.as_atom()?.to_owned()),
            [name, _, kind] if !matches!(kind.as_atom(), Some("load" | "none")) => Some(name.as_atom()?.to_owned()),
            _ => None,
        })
        .collect();
    started.sort();
    started
}

/// The applications the spec lists for `node` (its own and the base ones).
fn listed_in_spec(node: &str) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_kazoo")).args(["spec", "--json"]).output().unwrap();
    let spec: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let names = |apps: &serde_json::Value| -> Vec<String> {
        apps.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_owned()).collect()
    };
    let node = spec["nodes"].as_array().unwrap().iter().find(|n| n["name"] == node).unwrap();
    [names(&spec["base_apps"]), names(&node["apps"])].concat()
}

fn assert_boots(root: &Path, node: &str, sandbox: &Sandbox) -> Booted {
    let booted = boot(root, node, sandbox);
    assert_eq!(booted.apps, started_in_rel(root, node), "node type {node}");
    for app in listed_in_spec(node) {
        assert!(booted.apps.contains(&app), "node type {node} does not run {app}: {:?}", booted.apps);
    }
    booted
}

#[test]
fn each_node_type_boots_from_the_release_without_erlang_on_path() {
    let out = tempfile::tempdir().unwrap();
    let printed = build(out.path(), &[]);
    assert!(printed.contains("node types ecallmgr, kazoo_apps"), "{printed}");
    let root = out.path().join("kazoo");
    let sandbox = Sandbox::new();
    assert_boots(&root, "ecallmgr", &sandbox);
    let kazoo_apps = assert_boots(&root, "kazoo_apps", &sandbox);
    // lager logs where Kazoo's sys.config says (under lager's log_root when it is set),
    // relative to the node's cwd: the release root.
    let log_root = match kazoo_apps.log_root.as_str() {
        "undefined" => root.clone(),
        dir => root.join(dir),
    };
    for log in ["log/error.log", "log/console.log"] {
        assert!(log_root.join(log).is_file(), "{log} was not written under {}", log_root.display());
    }
}

#[test]
fn the_release_has_relx_and_release_handler_files() {
    let out = tempfile::tempdir().unwrap();
    build(out.path(), &[]);
    let root = out.path().join("kazoo");
    let (erts, vsn) = versions(&root);
    let exe = fs::read(env!("CARGO_BIN_EXE_kazoo")).unwrap();
    assert!(fs::read(root.join("bin/kazoo")).unwrap() == exe, "bin/kazoo is the running binary");
    assert!(fs::read(root.join(format!("bin/kazoo-{vsn}"))).unwrap() == exe);
    for file in ["start.boot", "vm.args", "sys.config", "start_clean.boot", "no_dot_erlang.boot", "ecallmgr.script"] {
        assert!(root.join("releases").join(&vsn).join(file).is_file(), "releases/{vsn}/{file}");
    }
    let releases = term::parse_file(&root.join("releases/RELEASES")).unwrap();
    let [Term::List(list)] = releases.as_slice() else { panic!("RELEASES is one list") };
    let release = list[0].as_tuple().unwrap();
    assert_eq!(release[0], Term::atom("release"));
    assert_eq!(release[1].as_str(), Some("kazoo"));
    assert_eq!(release[2].as_str(), Some(vsn.as_str()));
    assert_eq!(release[3].as_str(), Some(erts.as_str()));
    assert_eq!(release[5], Term::atom("permanent"));
    for lib in release[4].as_list().unwrap() {
        let dir = lib.as_tuple().unwrap()[2].as_str().unwrap();
        assert!(root.join(dir).join("ebin").is_dir(), "RELEASES names {dir}");
    }
    // The fixture applications come with src/ (linked from OUT_DIR, as erlc left them), OTP's
    // kernel with include/: neither ships by default.
    for lib in root.join("lib").read_dir().unwrap() {
        let lib = lib.unwrap().path();
        assert!(!lib.join("src").exists() && !lib.join("include").exists(), "no sources by default: {}", lib.display());
    }
}

#[test]
fn overlays_copy_chmod_and_render_into_the_release() {
    let out = tempfile::tempdir().unwrap();
    build(out.path(), &[]);
    let root = out.path().join("kazoo");
    let sup = root.join("bin/sup");
    assert!(fs::read_to_string(&sup).unwrap().contains("kazoo\" rpc"), "bin/sup is the copied script");
    assert_eq!(fs::metadata(&sup).unwrap().permissions().mode() & 0o777, 0o755);
    // The systemd unit is printed by `kazoo systemd-unit` for the tree (tests/service.rs).
    assert!(!root.join("etc/kazoo@.service").exists());
    assert!(root.join("log").is_dir());
}

#[test]
fn a_second_build_with_nothing_changed_does_nothing() {
    let out = tempfile::tempdir().unwrap();
    assert!(build(out.path(), &[]).starts_with("built "));
    let marker = out.path().join("kazoo/marker");
    fs::write(&marker, "").unwrap();
    let console_log = out.path().join("kazoo/log/ecallmgr/erlang.log.1");
    fs::create_dir_all(console_log.parent().unwrap()).unwrap();
    fs::write(&console_log, "what the node said").unwrap();
    let again = build(out.path(), &[]);
    assert!(again.contains("is up to date"), "{again}");
    assert!(marker.exists(), "the release was rewritten");
    // Another profile is another release.
    let ci = kazoo(out.path(), &["--profile", "ci", "build-release"]);
    assert!(String::from_utf8_lossy(&ci.stdout).starts_with("built "));
    assert!(!marker.exists());
    // The nodes' logs outlive the rebuild.
    assert_eq!(fs::read_to_string(&console_log).unwrap(), "what the node said");
}

#[test]
fn dev_mode_links_the_lib_dirs_applications_and_copies_otps() {
    let out = tempfile::tempdir().unwrap();
    build(out.path(), &["--dev-mode"]);
    let lib = out.path().join("kazoo/lib");
    let (_, vsn) = versions(&out.path().join("kazoo"));
    assert!(lib.join(format!("ecallmgr-{vsn}")).symlink_metadata().unwrap().file_type().is_symlink());
    let kernel = lib.read_dir().unwrap().map(|e| e.unwrap().path()).find(|p| p.to_string_lossy().contains("kernel-"));
    assert!(kernel.unwrap().symlink_metadata().unwrap().is_dir());
}

#[test]
fn the_tarball_boots_where_it_is_unpacked() {
    let out = tempfile::tempdir().unwrap();
    let output = kazoo(out.path(), &["tar-release"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (_, vsn) = versions(&out.path().join("kazoo"));
    let tarball = out.path().join(format!("kazoo/kazoo-{vsn}.tar.gz"));
    let elsewhere = tempfile::tempdir().unwrap();
    let untar = Command::new("tar").arg("xzf").arg(&tarball).arg("-C").arg(elsewhere.path()).status().unwrap();
    assert!(untar.success());
    // release_handler:unpack_release/1 reads the whole release's .rel from here.
    assert!(elsewhere.path().join(format!("releases/kazoo-{vsn}.rel")).is_file());
    fs::remove_dir_all(out.path()).unwrap();
    assert_boots(elsewhere.path(), "kazoo_apps", &Sandbox::new());
}

/// `.kazoo.tmp-*` directories in `out`.
fn staging_dirs(out: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(out).unwrap().map(|e| e.unwrap().path());
    entries.filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".kazoo.tmp-")).collect()
}

#[test]
fn a_build_killed_mid_copy_leaves_the_previous_release() {
    let out = tempfile::tempdir().unwrap();
    build(out.path(), &[]);
    let root = out.path().join("kazoo");
    let (_, vsn) = versions(&root);
    let marker = root.join("marker");
    fs::write(&marker, "previous").unwrap();
    // Killed before its swap, a build must change nothing; try until a kill lands mid-copy.
    let mut killed_mid_copy = false;
    for _ in 0..10 {
        fs::remove_file(root.join(format!("releases/{vsn}/kazoo-release.json"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_kazoo"))
            .args(["build-release", "--out"])
            .arg(out.path())
            .env_remove("KAZOO_PROFILE")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut builder = Node(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        let staging_lib = || staging_dirs(out.path()).iter().any(|d| d.join("lib").is_dir());
        while !staging_lib() && Instant::now() < deadline && builder.0.try_wait().unwrap().is_none() {}
        // Mid-copy: the new release half written beside the old one, its builder still running.
        let mid_copy = staging_lib() && builder.0.try_wait().unwrap().is_none();
        let _ = builder.0.kill();
        let _ = builder.0.wait();
        if mid_copy && marker.exists() {
            killed_mid_copy = true;
            break;
        }
        fs::write(&marker, "previous").unwrap();
    }
    assert!(killed_mid_copy, "no kill landed before the swap in 10 tries");
    assert!(
        root.join("bin/kazoo").is_file() && root.join("releases/start_erl.data").is_file(),
        "the previous release is whole"
    );
    build(out.path(), &[]);
    assert_eq!(staging_dirs(out.path()), Vec::<PathBuf>::new(), "the next build cleans up");
    assert!(!marker.exists());
}

/// `.kazoo.tmp-*` and `.kazoo.old-*` directories in `out` whose `log/` holds something: a
/// previous release, swapped out, whose logs are being carried over into the new one.
fn side_dirs_with_logs(out: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(out).unwrap().filter_map(|e| e.ok()).map(|e| e.path());
    let side = |p: &PathBuf| {
        ["tmp", "old"].iter().any(|k| p.file_name().unwrap().to_string_lossy().starts_with(&format!(".kazoo.{k}-")))
    };
    let logs = |p: &PathBuf| fs::read_dir(p.join("log")).is_ok_and(|mut d| d.next().is_some());
    entries.filter(side).filter(logs).collect()
}

#[test]
fn a_build_killed_while_it_carries_the_logs_over_loses_none() {
    let out = tempfile::tempdir().unwrap();
    build(out.path(), &[]);
    let root = out.path().join("kazoo");
    let (_, vsn) = versions(&root);
    // Many small logs, so that moving them one by one takes long enough for a kill to land.
    const LOGS: usize = 20_000;
    for n in 0..LOGS {
        fs::write(root.join(format!("log/node-{n}.log")), n.to_string()).unwrap();
    }
    fs::create_dir_all(root.join("log/ecallmgr")).unwrap();
    fs::write(root.join("log/ecallmgr/erlang.log.1"), "console").unwrap();
    // Count only a kill that leaves a swapped-out release with logs still in it.
    let mut killed_mid_carry_over = false;
    for _ in 0..10 {
        fs::remove_file(root.join(format!("releases/{vsn}/kazoo-release.json"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_kazoo"))
            .args(["build-release", "--out"])
            .arg(out.path())
            .env_remove("KAZOO_PROFILE")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut builder = Node(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while side_dirs_with_logs(out.path()).is_empty()
            && Instant::now() < deadline
            && builder.0.try_wait().unwrap().is_none()
        {}
        let _ = builder.0.kill();
        let _ = builder.0.wait();
        if !side_dirs_with_logs(out.path()).is_empty() {
            killed_mid_carry_over = true;
            break;
        }
    }
    assert!(killed_mid_carry_over, "no kill landed during the carry-over of the logs in 10 tries");
    // The next run carries the rest over before anything else.
    build(out.path(), &[]);
    assert_eq!(side_dirs_with_logs(out.path()), Vec::<PathBuf>::new());
    let missing: Vec<_> = (0..LOGS)
        .filter(|n| fs::read_to_string(root.join(format!("log/node-{n}.log"))).ok() != Some(n.to_string()))
        .collect();
    assert!(missing.is_empty(), "{} of {LOGS} logs lost, e.g. node-{}.log", missing.len(), missing[0]);
    assert_eq!(fs::read_to_string(root.join("log/ecallmgr/erlang.log.1")).unwrap(), "console");
}

/// release_handler, on a node booted from the release, reads its RELEASES and unpacks a
/// tarball of the same shape as ours for an upgrade. The upgrade is this release's own
/// tarball with the version moved on (only the release version: the applications stay).
#[test]
fn release_handler_reads_the_release_and_unpacks_its_tarball() {
    let out = tempfile::tempdir().unwrap();
    let output = kazoo(out.path(), &["tar-release"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let root = out.path().join("kazoo");
    let (_, vsn) = versions(&root);
    let upgrade = tempfile::tempdir().unwrap();
    let untar = Command::new("tar")
        .arg("xzf")
        .arg(root.join(format!("kazoo-{vsn}.tar.gz")))
        .arg("-C")
        .arg(upgrade.path())
        .status()
        .unwrap();
    assert!(untar.success());
    let releases = upgrade.path().join("releases");
    fs::rename(releases.join(&vsn), releases.join("99.0.0")).unwrap();
    let rel_file = releases.join(format!("kazoo-{vsn}.rel"));
    let mut rel = term::parse_file(&rel_file).expect("the tarball holds releases/kazoo-<vsn>.rel");
    let Term::Tuple(release) = &mut rel[0] else { panic!("{{release, ...}}") };
    release[1] = Term::tuple(vec![Term::charlist("kazoo"), Term::charlist("99.0.0")]);
    fs::remove_file(&rel_file).unwrap();
    fs::write(releases.join("kazoo-99.0.0.rel"), term::to_file_string(&rel)).unwrap();
    let packed = Command::new("tar")
        .arg("czf")
        .arg(root.join("releases/kazoo-99.0.0.tar.gz"))
        .args(["-C", upgrade.path().to_str().unwrap(), "lib", "releases"])
        .status()
        .unwrap();
    assert!(packed.success());

    let expr = "io:format(\"before: ~w~n\", [[{V, S} || {_, V, _, S} <- release_handler:which_releases()]]), \
                io:format(\"unpack: ~w~n\", [release_handler:unpack_release(\"kazoo-99.0.0\")]), \
                io:format(\"after: ~w~n\", [[{V, S} || {_, V, _, S} <- release_handler:which_releases()]]), erlang:halt(0).";
    let said = boot_and_eval(&root, "kazoo_apps", &Sandbox::new(), expr);
    assert_eq!(
        said("before"),
        format!("[{{[{}],permanent}}]", vsn.bytes().map(|b| b.to_string()).collect::<Vec<_>>().join(","))
    );
    assert_eq!(said("unpack"), "{ok,[57,57,46,48,46,48]}", "release_handler unpacked kazoo-99.0.0");
    assert!(said("after").contains("unpacked"), "{}", said("after"));
    assert!(root.join("releases/99.0.0/kazoo_apps.boot").is_file());
}
