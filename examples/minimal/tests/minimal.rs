//! The minimal release with the default conventions, end to end: its own variable names
//! (`HELLO_*`), no Kazoo word in its help, a random cookie of its own made when the tree is
//! first written, and a node that starts, answers and stops with no cookie configured.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Output;

#[path = "../../../tests/support/mod.rs"]
mod support;

use support::{failed, ok, text, Epmd};

/// A machine with nothing configured: an empty HOME and config dir, a private EPMD.
struct Host {
    dir: tempfile::TempDir,
    epmd: Epmd,
}

impl Host {
    fn new() -> Host {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home", "etc", "pipes"] {
            fs::create_dir(dir.path().join(sub)).unwrap();
        }
        Host { dir, epmd: Epmd::private() }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    fn hello(&self, args: &[&str]) -> Output {
        self.hello_with(args, &[])
    }

    /// `hello args` with `env` beside this host's environment.
    fn hello_with(&self, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> Output {
        let mut command = support::command(env!("CARGO_BIN_EXE_hello"), &self.path("home"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("HELLO_CONFIG_DIR", self.path("etc"))
            .env("PIPE_DIR", self.path("pipes"))
            .env("ERL_EPMD_PORT", &self.epmd.0)
            .envs(env.iter().copied());
        command.output().unwrap()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.hello(&["stop", "--kill", "--timeout", "10"]);
    }
}

/// Words of Kazoo's that another release must not show (any case); the library's own name,
/// kazoo-release, is said by `-V` on purpose.
fn kazoo_words(said: &str) -> Vec<&'static str> {
    let without_library = said.to_lowercase().replace("kazoo-release", "");
    ["kazoo", "change_me", "config.ini", "kz_"].into_iter().filter(|w| without_library.contains(w)).collect()
}

/// The subcommands `--help` lists.
fn subcommands(help: &str) -> Vec<String> {
    let listed = help.split("Commands:").nth(1).unwrap_or_default().split("\n\n").next().unwrap_or_default();
    listed.lines().filter_map(|l| l.split_whitespace().next()).filter(|c| *c != "help").map(str::to_owned).collect()
}

#[test]
fn no_kazoo_word_in_any_help_the_systemd_unit_or_error_messages() {
    let host = Host::new();
    let help = ok(host.hello(&["--help"]));
    let commands = subcommands(&help);
    assert!(commands.len() > 20 && commands.contains(&"systemd-unit".to_owned()), "{commands:?}");
    let mut said = vec![help];
    said.extend(commands.iter().map(|command| ok(host.hello(&[command, "--help"]))));
    said.push(ok(host.hello(&["systemd-unit"])));
    let failing: [&[&str]; 12] = [
        &["ping"],
        &["eval", "1 + 1."],
        &["attach"],
        &["stop"],
        &["status", "--cluster"],
        &["start", "nope"],
        &["print", "nope"],
        &["--profile", "nope", "print", "vm.args"],
        &["upgrade", "9.9.9"],
        &["downgrade", "9.9.9"],
        &["logs"],
        &["read-release-cookie"],
    ];
    for args in failing {
        said.push(failed(host.hello(args)).1);
    }
    let bad_name_type = host.hello_with(&["start"], &[("NODE_NAME_TYPE", "-weird".as_ref())]);
    said.push(failed(bad_name_type).1);
    fs::create_dir_all(host.path("etc/core")).unwrap();
    fs::write(host.path("etc/core/hello.vm.args"), "+A -1\n").unwrap();
    said.push(failed(host.hello(&["start"])).1);
    for text in &said {
        let words: Vec<&str> = kazoo_words(text).into_iter().filter(|w| *w != "config.ini").collect();
        assert!(words.is_empty(), "{words:?} in:\n{text}");
    }
}

#[test]
fn help_and_version_name_the_release_and_no_kazoo_word() {
    let host = Host::new();
    let version = ok(host.hello(&["-V"]));
    assert_eq!(version.trim(), format!("hello 0.1.0 (kazoo-release {})", env!("CARGO_PKG_VERSION")));
    for args in [&["--help"][..], &["start", "--help"], &["ping", "--help"], &["build-release", "--help"]] {
        let help = ok(host.hello(args));
        assert!(kazoo_words(&help).is_empty(), "{args:?} says {:?}:\n{help}", kazoo_words(&help));
    }
    let help = ok(host.hello(&["--help"]));
    assert!(help.contains("HELLO_PROFILE") && help.contains("HELLO_REL_DIR"), "{help}");
    assert!(!help.contains("read-release-cookie"), "{help}");
    let (code, message) = failed(host.hello(&["read-release-cookie"]));
    assert_eq!(code, 2, "{message}");
    assert!(kazoo_words(&message) == ["config.ini"], "{message}");
}

#[test]
fn a_node_starts_answers_and_stops_with_the_releases_own_cookie() {
    let host = Host::new();
    let started = ok(host.hello(&["start"]));
    assert!(started.contains("started hello@"), "{started}");
    let cookie_file = host.path("_rel/hello/releases/COOKIE");
    let mode = fs::metadata(&cookie_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o400, "the generated cookie is its owner's only");
    let cookie = fs::read_to_string(&cookie_file).unwrap();
    assert_eq!(cookie.len(), 32, "{cookie}");
    assert_eq!(ok(host.hello(&["ping"])).trim(), "pong");
    // The node runs with that cookie: given explicitly, it is accepted; another is not.
    assert_eq!(ok(host.hello(&["ping", "--cookie", &cookie])).trim(), "pong");
    assert_eq!(failed(host.hello(&["ping", "--cookie", "not_it"])).0, 12);
    // A rebuild keeps the cookie.
    ok(host.hello(&["stop"]));
    ok(host.hello(&["--profile", "default", "build-release", "--dev-mode"]));
    assert_eq!(fs::read_to_string(&cookie_file).unwrap(), cookie);
    let output = host.hello(&["start"]);
    assert!(!text(&output.stderr).contains("warning"), "{}", text(&output.stderr));
    ok(output);
    ok(host.hello(&["stop"]));
}

#[test]
fn hooks_run_at_their_points_and_a_failing_pre_start_starts_nothing() {
    let host = Host::new();
    let said = host.path("hooks.txt");
    let hooked = |args: &[&str], refuse: bool| {
        let mut env = vec![("HELLO_HOOKS", said.as_os_str())];
        env.extend(refuse.then_some(("HELLO_REFUSE_START", "1".as_ref())));
        host.hello_with(args, &env)
    };
    let (code, message) = failed(hooked(&["start"], true));
    assert_eq!(code, 36, "{message}");
    assert!(message.contains("the pre_start hook") && message.contains("exited with status 1"), "{message}");
    assert_eq!(failed(hooked(&["ping"], false)).0, 10, "no node runs (no EPMD was even started)");

    ok(hooked(&["start"], false));
    assert_eq!(
        ok(hooked(&["eval", "application:get_env(hello, post_start)."], false)).trim(),
        "{ok,ran}",
        "post_start ran on the node"
    );
    ok(hooked(&["stop"], false));
    let lines: Vec<String> = fs::read_to_string(&said).unwrap().lines().map(str::to_owned).collect();
    let node = lines[1].strip_prefix("pre_start ").unwrap_or_default().to_owned();
    assert!(node.starts_with("hello@"), "{lines:?}");
    assert_eq!(
        lines,
        [format!("pre_start {node}"), format!("pre_start {node}"), "pre_stop".into(), "post_stop".into()]
    );
}
