//! The build API as another project uses it: a small crate whose build.rs renders its own
//! release, built with a real `cargo build`. Edits re-render, nothing-changed does not re-run
//! the build script, and broken templates fail the build with file, line, column and node.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

const RELEASE_RS: &str = r#"
#[derive(kazoo_release::Release)]
#[release(name = probe, lib_dirs = ["apps"])]
#[node(name = probe, apps = [sasl, probe_app])]
#[vm_args(async_threads = 7)]
pub struct Probe;
"#;

const BUILD_RS: &str = r#"
#[path = "src/release.rs"]
mod release;

fn main() {
    // As the Kazoo example: Erlang sources compiled into OUT_DIR, then resolved from there.
    let lib_root = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("erlang");
    let compiled = kazoo_release::build::erlc::Build::new().lib_dir("apps").out_dir(&lib_root).compile().unwrap();
    for source in compiled.sources {
        println!("cargo:rerun-if-changed={}", source.display());
    }
    kazoo_release::build::Builder::new::<release::Probe>().spec_source("src/release.rs").lib_root(lib_root).run_or_exit();
}
"#;

const APP_SRC: &str =
    "{application, probe_app, [{description, \"the probe\"}, {vsn, \"0.1.0\"}, {registered, []}, {applications, [kernel, stdlib]}]}.\n";

const APP_ERL: &str = "-module(probe_app).\n-export([hello/0]).\nhello() -> ok.\n";

const MAIN_RS: &str = "fn main() -> std::process::ExitCode { kazoo_release::cli::main(kazoo_release::embedded!()) }\n";

const VM_ARGS_HBS: &str = "## marker-one for {{node.name}}\n+A {{vm_args.async_threads}}\n";

/// A fresh crate depending on this workspace's kazoo-release, built in a target dir shared
/// across runs so only the probe itself compiles each time.
struct Probe {
    dir: tempfile::TempDir,
    /// The package's name, and its binary's.
    name: &'static str,
}

impl Probe {
    fn new() -> Probe {
        Probe::named("build-probe")
    }

    /// A probe of its own name: two probes of one name in one target dir would share (and
    /// thrash) the build script's fingerprint, path packages being hashed without their path.
    fn named(name: &'static str) -> Probe {
        let dir = tempfile::tempdir().unwrap();
        let workspace = Path::new(WORKSPACE).canonicalize().unwrap();
        let manifest = format!(
            "[package]\nname = \"{name}\"\nversion = \"1.2.3\"\nedition = \"2021\"\n\n[workspace]\n\n\
             [dependencies]\nkazoo-release = {{ path = {lib:?} }}\n\n[build-dependencies]\nkazoo-release = {{ path = {lib:?} }}\n",
            lib = workspace.join("kazoo-release")
        );
        let probe = Probe { dir, name };
        probe.write("Cargo.toml", &manifest);
        // The workspace's lock keeps the probe on the same, already downloaded versions.
        std::fs::copy(workspace.join("Cargo.lock"), probe.path("Cargo.lock")).unwrap();
        probe.write("src/release.rs", RELEASE_RS);
        probe.write("build.rs", BUILD_RS);
        probe.write("src/main.rs", MAIN_RS);
        probe.write("rel/vm.args.hbs", VM_ARGS_HBS);
        probe.write("apps/probe_app/src/probe_app.app.src", APP_SRC);
        probe.write("apps/probe_app/src/probe_app.erl", APP_ERL);
        probe
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn cargo_build(&self) -> Output {
        self.cargo_build_with(None)
    }

    fn cargo_build_with(&self, kz_version: Option<&str>) -> Output {
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args(["build", "--offline", "-v"])
            .current_dir(self.dir.path())
            .env("CARGO_TARGET_DIR", Path::new(WORKSPACE).join("target/tests/build-probe"))
            .env_remove("PROBE_VERSION");
        if let Some(version) = kz_version {
            cargo.env("PROBE_VERSION", version);
        }
        cargo.output().unwrap()
    }

    fn build_ok(&self) -> String {
        let output = self.cargo_build();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "cargo build failed:\n{stderr}");
        stderr
    }

    fn build_err(&self) -> String {
        let output = self.cargo_build();
        assert!(!output.status.success(), "cargo build should have failed");
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    /// The `embedded.rs` that the probe's last build script run wrote (in build/<name>-<hash>).
    fn embedded_rs(&self) -> String {
        let build = Path::new(WORKSPACE).join("target/tests/build-probe/debug/build");
        let ours = |dir: &std::fs::DirEntry| {
            let name = dir.file_name().to_string_lossy().into_owned();
            name.strip_prefix(self.name)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|hash| hash.chars().all(|c| c.is_ascii_hexdigit()))
        };
        let (_, newest) = std::fs::read_dir(build)
            .unwrap()
            .map(Result::unwrap)
            .filter(ours)
            .map(|dir| dir.path().join("out/kazoo-release/embedded.rs"))
            .filter_map(|path| Some((std::fs::metadata(&path).ok()?.modified().ok()?, path)))
            .max()
            .unwrap();
        std::fs::read_to_string(newest).unwrap()
    }

    fn print(&self, args: &[&str]) -> String {
        let bin = Path::new(WORKSPACE).join("target/tests/build-probe/debug").join(self.name);
        let output = Command::new(bin).args(args).env_remove("REL").env_remove("KAZOO_PROFILE").output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }
}

/// Whether this cargo run ran the probe's build script (as `-v` shows it).
fn ran_build_script(cargo_stderr: &str) -> bool {
    cargo_stderr.lines().any(|l| l.contains("Running") && l.contains("build-probe") && l.contains("build-script-build"))
}

#[test]
fn edits_rerender_nothing_changed_is_fresh_and_mistakes_fail_the_build() {
    let probe = Probe::new();
    assert!(ran_build_script(&probe.build_ok()));
    let vm_args = probe.print(&["print", "vm.args"]);
    assert!(vm_args.contains("marker-one for probe") && vm_args.contains("+A 7"), "{vm_args}");
    let relx = probe.print(&["print", "relx.config"]);
    assert!(relx.contains("{release, {probe, \"1.2.3\"}") && relx.contains("probe_app"), "{relx}");
    // The generated code names the rendered files relative to itself, so that a target dir
    // moved elsewhere (a cache restored) still compiles: Cargo does not re-run the script then.
    let embedded = probe.embedded_rs();
    assert!(embedded.contains(r#"include_str!("default/probe/vm.args")"#), "{embedded}");
    assert!(!embedded.contains(r#"include_str!("/"#), "{embedded}");

    // Nothing changed: not even the .app files erlc wrote in the last run make it run again.
    let again = probe.build_ok();
    assert!(!ran_build_script(&again), "nothing changed, yet the build script ran:\n{again}");

    probe.write("rel/vm.args.hbs", &VM_ARGS_HBS.replace("marker-one", "marker-two"));
    probe.build_ok();
    assert!(probe.print(&["print", "vm.args"]).contains("marker-two for probe"));

    probe.write("src/release.rs", &RELEASE_RS.replace("async_threads = 7", "async_threads = 9"));
    probe.build_ok();
    assert!(probe.print(&["print", "vm.args"]).contains("+A 9"));

    // TOML refines profiles without Rust: a new one from rel/<name>.toml, the default from
    // Cargo.toml's metadata; PROBE_VERSION overrides the version.
    probe.write(
        "rel/staging.toml",
        "include_erts = false\n[vm_args]\nasync_threads = 42\n[sys_config.sasl]\nerrlog_type = \"error\"\n",
    );
    let manifest = std::fs::read_to_string(probe.path("Cargo.toml")).unwrap();
    probe.write(
        "Cargo.toml",
        &format!("{manifest}\n[package.metadata.kazoo-release.profiles.default]\ndev_mode = true\n"),
    );
    let output = probe.cargo_build_with(Some("9.8.7"));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let staging = probe.print(&["--profile", "staging", "print", "vm.args"]);
    assert!(staging.contains("+A 42"), "{staging}");
    let staging_config = probe.print(&["--profile", "staging", "print", "sys.config"]);
    assert!(staging_config.contains("{sasl, [{errlog_type, \"error\"}]}"), "{staging_config}");
    let relx = probe.print(&["print", "relx.config"]);
    assert!(relx.contains("{dev_mode, true}.") && relx.contains("{release, {probe, \"9.8.7\"}"), "{relx}");
    probe.write("rel/staging.toml", "asyncthreads = 1\n");
    let stderr = probe.build_err();
    assert!(stderr.contains("rel/staging.toml") && stderr.contains("asyncthreads"), "{stderr}");
    std::fs::remove_file(probe.path("rel/staging.toml")).unwrap();

    probe.write("rel/sys.config.hbs", "%% comment\n[{ {{~atom node.name}}, [{key, value}] }\n");
    let stderr = probe.build_err();
    for expected in
        ["sys.config rendered from", "rel/sys.config.hbs", "node type probe", "line 3, column 1", "is not closed"]
    {
        assert!(stderr.contains(expected), "`{expected}` not in:\n{stderr}");
    }

    probe.write("rel/sys.config.hbs", "[{{#each sys_config}}\n{{/each]].\n");
    let stderr = probe.build_err();
    for expected in ["rel/sys.config.hbs:2:", "error: kazoo-release:"] {
        assert!(stderr.contains(expected), "`{expected}` not in:\n{stderr}");
    }

    std::fs::remove_file(probe.path("rel/sys.config.hbs")).unwrap();
    let with_overlay =
        RELEASE_RS.replace("pub struct", "#[overlay(copy(from = \"extra/missing.txt\", to = \"etc/x\"))]\npub struct");
    probe.write("src/release.rs", &with_overlay);
    let stderr = probe.build_err();
    assert!(stderr.contains("overlay copy from `extra/missing.txt`") && stderr.contains("does not exist"), "{stderr}");
}

/// The README's one-liner, with nothing but the spec: applications still resolve at build time.
const ONE_LINER_BUILD_RS: &str = r#"
#[path = "src/release.rs"]
mod release;

fn main() {
    kazoo_release::build::build::<release::Probe>();
}
"#;

#[test]
fn the_one_liner_fails_the_build_on_a_missing_application_and_a_bad_kz_version() {
    let probe = Probe::named("build-probe-one-liner");
    probe.write("build.rs", ONE_LINER_BUILD_RS);
    // apps/ (relative to the package) holds only probe_app's sources: no ebin/probe_app.app.
    let stderr = probe.build_err();
    let searched = format!("    {}\n", probe.path("apps").display());
    for expected in ["error: kazoo-release:", "node type `probe`", "application `probe_app` not found", &searched] {
        assert!(stderr.contains(expected), "`{expected}` not in:\n{stderr}");
    }

    // A version from the environment is checked before anything is rendered.
    for bad in ["4.3 beta", "../../x"] {
        let output = probe.cargo_build_with(Some(bad));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "PROBE_VERSION={bad:?} built");
        assert!(
            stderr.contains(&format!("PROBE_VERSION is {bad:?}, which is not a valid release version")),
            "{stderr}"
        );
    }
}

#[test]
fn an_overlay_edit_reruns_the_build_script_and_build_release_writes_the_new_text() {
    let probe = Probe::named("build-probe-overlay");
    let overlay = "#[overlay(copy(from = \"overlay/note.txt\", to = \"etc/note.txt\"))]\npub struct";
    probe.write(
        "src/release.rs",
        &RELEASE_RS.replace("lib_dirs", "include_src = true, lib_dirs").replace("pub struct", overlay),
    );
    probe.write("overlay/note.txt", "first note\n");
    assert!(ran_build_script(&probe.build_ok()));
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    probe.print(&["build-release", "--out", out_arg]);
    let root = out.path().join("probe");
    assert_eq!(std::fs::read_to_string(root.join("etc/note.txt")).unwrap(), "first note\n");
    // include_src: the sources erlc compiled ship beside ebin/ (OTP's own come with none).
    let app = root.join("lib/probe_app-0.1.0");
    assert_eq!(std::fs::read_to_string(app.join("src/probe_app.erl")).unwrap(), APP_ERL);
    assert!(app.join("ebin/probe_app.beam").is_file());

    // The overlay file is embedded in the binary: editing it re-runs the build script, and
    // the next build-release writes the new text, with the build tree's file gone.
    probe.write("overlay/note.txt", "second note\n");
    let rebuilt = probe.build_ok();
    assert!(ran_build_script(&rebuilt), "the overlay changed, yet the build script did not run:\n{rebuilt}");
    std::fs::remove_file(probe.path("overlay/note.txt")).unwrap();
    probe.print(&["build-release", "--out", out_arg]);
    assert_eq!(std::fs::read_to_string(root.join("etc/note.txt")).unwrap(), "second note\n");
}

#[test]
fn the_specs_flags_and_lib_dirs_are_checked_whatever_the_template_renders() {
    let probe = Probe::named("build-probe-checks");
    // The probe's own vm.args template renders only `+A`: a bad raw flag is still found.
    probe.write("src/release.rs", &RELEASE_RS.replace("async_threads = 7", "async_threads = 7, raw = [\"+A -1\"]"));
    let stderr = probe.build_err();
    for expected in ["the spec's #[vm_args(...)]", "node type probe", "+A -1"] {
        assert!(stderr.contains(expected), "`{expected}` not in:\n{stderr}");
    }

    // A lib dir that does not exist fails the build, named with the spec line; optional, it builds.
    probe.write("src/release.rs", &RELEASE_RS.replace("[\"apps\"]", "[\"apps\", \"missing\"]"));
    let stderr = probe.build_err();
    for expected in ["lib dir `missing`", "does not exist", "(declared at src/release.rs:3)", "optional(\"missing\")"] {
        assert!(stderr.contains(expected), "`{expected}` not in:\n{stderr}");
    }
    probe.write("src/release.rs", &RELEASE_RS.replace("[\"apps\"]", "[\"apps\", optional(\"missing\")]"));
    let stderr = probe.build_ok();
    assert!(!stderr.contains("missing"), "an optional lib dir that is missing is no warning:\n{stderr}");
}

#[test]
fn calls_the_node_type_cannot_satisfy_are_warnings_or_with_xref_deny_errors() {
    let probe = Probe::named("build-probe-xref");
    let release = RELEASE_RS.replace("[sasl, probe_app]", "[sasl, probe_app, probe_helper]");
    probe.write("src/release.rs", &release.replace("pub struct", "#[profile(name = ci, xref = deny)]\npub struct"));
    probe.write(
        "apps/probe_app/src/probe_app.erl",
        "-module(probe_app).\n-export([sign/2, help/0]).\nsign(K, D) -> crypto:hmac(sha, K, D).\nhelp() -> probe_helper:help().\n",
    );
    probe.write("apps/probe_helper/src/probe_helper.app.src", &APP_SRC.replace("probe_app", "probe_helper"));
    probe
        .write("apps/probe_helper/src/probe_helper.erl", "-module(probe_helper).\n-export([help/0]).\nhelp() -> ok.\n");
    let stderr = probe.build_ok();
    for expected in [
        "xref: probe_app (probe): probe_app calls crypto:hmac/3 (in crypto, which the node type does not carry)",
        "xref: probe_app (probe) calls into applications it does not depend on (add them to its applications; the xref command lists the calls): probe_helper (from probe_app)",
    ] {
        assert!(stderr.contains(expected), "`{expected}` not in:\n{stderr}");
    }

    // The ci profile denies: its build-release writes nothing, the default profile's does.
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    let bin = Path::new(WORKSPACE).join("target/tests/build-probe/debug").join(probe.name);
    let run =
        |args: &[&str]| Command::new(&bin).args(args).args(["--out", out_arg]).env_remove("REL").output().unwrap();
    let denied = run(&["build-release", "--profile", "ci"]);
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert_eq!(denied.status.code(), Some(50), "{stderr}");
    assert!(stderr.contains("profile ci says `xref = deny`") && stderr.contains("crypto:hmac/3"), "{stderr}");
    assert!(!out.path().join("probe").exists(), "a denied profile wrote a tree");
    let report = run(&["xref"]);
    let stdout = String::from_utf8_lossy(&report.stdout);
    assert_eq!(report.status.code(), Some(50), "{stdout}{}", String::from_utf8_lossy(&report.stderr));
    assert!(stdout.contains("probe_app: crypto:hmac/3 (in crypto, which the node type does not carry)"), "{stdout}");
    assert!(stdout.contains("probe_app -> probe_helper (add probe_helper to probe_app's applications)"), "{stdout}");

    // Denied for the whole release, the build fails; what xref_ignore accepts passes.
    probe.write("src/release.rs", &release.replace("lib_dirs", "xref = deny, lib_dirs"));
    let stderr = probe.build_err();
    for expected in ["the release says `xref = deny`, and xref found calls", "crypto:hmac/3", "xref_ignore"] {
        assert!(stderr.contains(expected), "`{expected}` not in:\n{stderr}");
    }
    probe.write(
        "src/release.rs",
        &release.replace("lib_dirs", "xref = deny, xref_ignore = [\"crypto:hmac/3\", \"probe_helper\"], lib_dirs"),
    );
    probe.build_ok();
    probe.write("src/release.rs", &release.replace("lib_dirs", "xref_ignore = [\"crypto:hmac\"], lib_dirs"));
    let stderr = probe.build_err();
    assert!(stderr.contains("xref_ignore entry \"crypto:hmac\" is neither a module"), "{stderr}");
}
