//! The rendered relx.config is a real one: Debian's rebar3 (relx) assembles a release from
//! it, with our vm.args and sys.config, and that release boots. Operators can fall back to
//! relx at any time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use support::{vm_in, Epmd};

/// Where build.rs compiled the fixture applications (`<lib_root>/applications/...`).
const LIB_ROOT: &str = concat!(env!("OUT_DIR"), "/erlang");

fn run(cmd: &mut Command) -> Output {
    let output = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?}: {e}; install rebar3 and Erlang/OTP with `bash scripts/setup.sh`")
    });
    output
}

fn kazoo_print(args: &[&str]) -> String {
    let output = run(Command::new(env!("CARGO_BIN_EXE_kazoo")).arg("print").args(args));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A rebar3 project laid out as Kazoo's: relx.config at the top, rel/vm.args, rel/sys.config,
/// and the lib dirs applications/, core/, deps/.
fn rebar3_project(dir: &Path, node_name: &str, cookie: &str) {
    std::fs::write(dir.join("rebar.config"), "{erl_opts, []}.\n").unwrap();
    std::fs::write(dir.join("relx.config"), kazoo_print(&["relx.config"])).unwrap();
    std::fs::create_dir_all(dir.join("rel")).unwrap();
    // relx's start script needs the node name and cookie in vm.args; ours gives them at start.
    let vm_args = kazoo_print(&["vm.args", "kazoo_apps"]) + &format!("-sname {node_name}\n-setcookie {cookie}\n");
    std::fs::write(dir.join("rel/vm.args"), vm_args).unwrap();
    std::fs::write(dir.join("rel/sys.config"), kazoo_print(&["sys.config", "kazoo_apps"])).unwrap();
    std::os::unix::fs::symlink(Path::new(LIB_ROOT).join("applications"), dir.join("applications")).unwrap();
    // The overlays' sources, relative to the project as in the spec.
    std::os::unix::fs::symlink(Path::new(env!("CARGO_MANIFEST_DIR")).join("overlay"), dir.join("overlay")).unwrap();
    std::fs::create_dir_all(dir.join("core")).unwrap();
    std::fs::create_dir_all(dir.join("deps")).unwrap();
}

/// Stops the relx node however the test ends, then its EPMD (a private one, as its pipes
/// are: nothing of the test outlives it).
struct RelxNode {
    root: PathBuf,
    epmd: Epmd,
    pipes: tempfile::TempDir,
}

impl RelxNode {
    fn script(&self, args: &[&str]) -> Output {
        run(vm_in(&mut Command::new(self.root.join("bin/kazoo_apps")), &self.root)
            .args(args)
            .env("ERL_EPMD_PORT", &self.epmd.0)
            .env("PIPE_DIR", self.pipes.path()))
    }
}

impl Drop for RelxNode {
    fn drop(&mut self) {
        let _ = self.script(&["stop"]);
    }
}

#[test]
fn rebar3_assembles_a_release_from_the_rendered_files_and_it_boots() {
    let project = tempfile::tempdir().unwrap();
    let node_name = format!("kzrelx{}", std::process::id());
    rebar3_project(project.path(), &node_name, "relx_fallback_cookie");
    let output = run(vm_in(&mut Command::new("rebar3"), project.path())
        .args(["release", "-n", "kazoo_apps"])
        .env("HOME", project.path())
        .env("REBAR_COLOR", "none"));
    assert!(output.status.success(), "rebar3 release failed:\n{}", String::from_utf8_lossy(&output.stdout));

    let node = RelxNode {
        root: project.path().join("_build/default/rel/kazoo_apps"),
        epmd: Epmd::private(),
        pipes: tempfile::tempdir().unwrap(),
    };
    let started = node.script(&["daemon"]);
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !node.script(&["ping"]).status.success() {
        assert!(Instant::now() < deadline, "the relx release did not answer ping within 20 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    let apps =
        String::from_utf8(node.script(&["eval", "[A || {A, _, _} <- application:which_applications()]."]).stdout)
            .unwrap();
    for app in ["kazoo_apps", "lager", "sasl", "runtime_tools", "tools"] {
        assert!(apps.contains(app), "{app} is not running: {apps}");
    }
    assert!(node.root.join("bin/sup").is_file(), "relx applied the overlays");
}
