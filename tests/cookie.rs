//! `kazoo read-release-cookie` end to end: the real binary, a config.ini of its own in a
//! temporary directory named by KAZOO_CONFIG, and a scrubbed environment.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/mod.rs"]
mod support;

use support::{text, Epmd, ErlNode, Scrubbed};

/// Exit codes (kazoo_release::cli::exit), spelled out: scripts rely on the numbers.
const NO_CONFIG: i32 = 20;
const CONFIG_UNREADABLE: i32 = 21;
const CONFIG_MALFORMED: i32 = 22;
const NO_NODE_SECTION: i32 = 23;
const NO_COOKIE: i32 = 24;
const UNKNOWN: i32 = 3;

/// A temporary directory holding `config.ini` with `text`, and a scrubbed environment (an
/// empty HOME) for the commands that read it.
struct Config {
    dir: tempfile::TempDir,
    env: Scrubbed,
}

impl Config {
    fn new(text: &str) -> Config {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("config.ini"), text).expect("config.ini written");
        Config { dir, env: Scrubbed::new() }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("config.ini")
    }

    /// The `kazoo` binary reading this config.ini and nothing of the caller's environment.
    fn kazoo(&self) -> Command {
        let mut command = self.env.command(env!("CARGO_BIN_EXE_kazoo"));
        command.env("KAZOO_CONFIG", self.path());
        command
    }

    fn read_cookie(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.kazoo();
        command.arg("read-release-cookie").args(args);
        command.envs(env.iter().copied()).output().expect("kazoo runs")
    }
}

/// Asserts success and returns stdout.
fn printed(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", text(&output.stderr));
    text(&output.stdout)
}

/// Asserts failure with `code`, nothing on stdout and `needle` on stderr; returns stderr.
fn failed(output: &Output, code: i32, needle: &str) -> String {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert!(output.stdout.is_empty(), "nothing on stdout: {}", text(&output.stdout));
    assert!(stderr.contains(needle), "`{needle}` in: {stderr}");
    stderr
}

const TWO_NODE_TYPES: &str = "\
; written by hand
[kazoo_apps]
cookie = \"apps_cookie\"

[ecallmgr]
cookie=ecallmgr_cookie
";

#[test]
fn prints_just_the_cookie_of_the_node_type() {
    let config = Config::new(TWO_NODE_TYPES);
    assert_eq!(printed(&config.read_cookie(&["ecallmgr"], &[])), "ecallmgr_cookie\n");
    assert_eq!(printed(&config.read_cookie(&["ecallmgr@elsewhere"], &[])), "ecallmgr_cookie\n");
    let output = config.read_cookie(&["kazoo_apps"], &[]);
    assert_eq!(printed(&output), "apps_cookie\n");
    assert!(output.stderr.is_empty(), "nothing else said: {}", text(&output.stderr));
    assert_eq!(printed(&config.read_cookie(&[], &[("REL", "ecallmgr")])), "ecallmgr_cookie\n");
    // The release's default node type is kazoo_apps, as `REL ?= kazoo_apps` in the Makefile.
    assert_eq!(printed(&config.read_cookie(&[], &[])), "apps_cookie\n");
}

#[test]
fn kazoo_cookie_wins_and_needs_no_file() {
    let config = Config::new(TWO_NODE_TYPES);
    assert_eq!(printed(&config.read_cookie(&["ecallmgr"], &[("KAZOO_COOKIE", "from_env")])), "from_env\n");
    let missing = [("KAZOO_COOKIE", "from_env"), ("KAZOO_CONFIG", "/nonexistent/config.ini")];
    assert_eq!(printed(&config.read_cookie(&["ecallmgr"], &missing)), "from_env\n");
}

#[test]
fn a_node_type_without_a_section_falls_back_to_kazoo_apps() {
    let config = Config::new("[kazoo_apps]\ncookie = apps_cookie\n");
    assert_eq!(printed(&config.read_cookie(&["ecallmgr"], &[])), "apps_cookie\n");
}

#[test]
fn differing_cookies_are_a_warning_that_shows_neither() {
    let config = Config::new(TWO_NODE_TYPES);
    let output = config.read_cookie(&["ecallmgr"], &[]);
    assert_eq!(printed(&output), "ecallmgr_cookie\n");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("[ecallmgr] and [kazoo_apps] give different cookies"), "{stderr}");
    assert!(!stderr.contains("_cookie"), "no cookie on stderr: {stderr}");
}

#[test]
fn the_host_section_of_this_machine_is_chosen() {
    let hostname = text(&Command::new("hostname").output().expect("hostname runs").stdout);
    let ini = format!(
        "[ecallmgr]\ncookie = generic\n\n[ecallmgr]\nhost = \"other.example.com\"\ncookie = other\n\n\
         [ecallmgr]\nhost = \"{}\"\nzone = \"z1\"\ncookie = mine\n\n[ecallmgr]\nzone = z1\ncookie = zone\n",
        hostname.trim()
    );
    let config = Config::new(&ini);
    assert_eq!(printed(&config.read_cookie(&["ecallmgr"], &[])), "mine\n");
    let config = Config::new("[ecallmgr]\ncookie = generic\n[ecallmgr]\nzone = z2\ncookie = zone\n");
    assert_eq!(printed(&config.read_cookie(&["ecallmgr"], &[("KAZOO_ZONE", "z2")])), "zone\n");
    assert_eq!(printed(&config.read_cookie(&["ecallmgr"], &[])), "generic\n");
}

#[test]
fn each_error_has_its_own_exit_code_and_names_what_was_searched() {
    let missing = Config::new("");
    let gone = missing.dir.path().join("gone.ini");
    let output = missing.read_cookie(&["ecallmgr"], &[("KAZOO_CONFIG", gone.to_str().unwrap())]);
    failed(&output, NO_CONFIG, &format!("KAZOO_CONFIG names {}", gone.display()));

    let directory = Config::new("");
    let output = directory.read_cookie(&["ecallmgr"], &[("KAZOO_CONFIG", directory.dir.path().to_str().unwrap())]);
    failed(&output, CONFIG_UNREADABLE, &format!("cannot read {}", directory.dir.path().display()));

    let malformed = Config::new("[ecallmgr]\ncookie = secret_one\nthis line is wrong\n");
    let stderr = failed(
        &malformed.read_cookie(&["ecallmgr"], &[]),
        CONFIG_MALFORMED,
        &format!("{}:3:", malformed.path().display()),
    );
    assert!(!stderr.contains("secret_one"), "{stderr}");

    let other_host = Config::new("[ecallmgr]\nhost = \"other.example.com\"\ncookie = secret_two\n");
    let stderr = failed(&other_host.read_cookie(&["ecallmgr"], &[]), NO_NODE_SECTION, "host `other.example.com`");
    assert!(stderr.contains(&other_host.path().display().to_string()) && !stderr.contains("secret_two"), "{stderr}");
    let no_section = Config::new("[log]\nsyslog = info\n");
    failed(&no_section.read_cookie(&["ecallmgr"], &[]), NO_NODE_SECTION, "there is no [ecallmgr] section");

    let no_cookie = Config::new("[ecallmgr]\nport = 1\n");
    failed(&no_cookie.read_cookie(&["ecallmgr"], &[]), NO_COOKIE, "no `cookie` in [ecallmgr]");

    failed(&no_cookie.read_cookie(&["freeswitch"], &[]), UNKNOWN, "`freeswitch` is not a node type");
}

#[test]
fn without_kazoo_config_the_default_files_are_named() {
    let defaults = ["/etc/kazoo/config.ini", "/etc/kazoo/core/config.ini"];
    if defaults.iter().any(|p| Path::new(p).exists()) {
        eprintln!("skipped: this machine has a Kazoo config file");
        return;
    }
    let output = Scrubbed::new()
        .command(env!("CARGO_BIN_EXE_kazoo"))
        .args(["read-release-cookie", "ecallmgr"])
        .output()
        .expect("kazoo runs");
    failed(&output, NO_CONFIG, "looked for /etc/kazoo/config.ini, /etc/kazoo/core/config.ini");
}

fn is_root() -> bool {
    let id = Command::new("id").arg("-u").output().expect("id runs");
    text(&id.stdout).trim() == "0"
}

/// The binary run as `nobody` when the tests run as root (root reads any file whatever its
/// mode), else as the current user.
fn as_unprivileged(config: &Config) -> Output {
    let mut command = if is_root() {
        let mut setpriv = config.env.command("setpriv");
        setpriv.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", env!("CARGO_BIN_EXE_kazoo")]);
        setpriv
    } else {
        config.env.command(env!("CARGO_BIN_EXE_kazoo"))
    };
    command.args(["read-release-cookie", "ecallmgr"]).env("KAZOO_CONFIG", config.path());
    command.output().expect("kazoo runs")
}

/// A file its reader may not read: exit 21 naming the file and the permission error, where
/// the very same file with read permission is read (so the mode alone makes the difference).
#[test]
fn a_file_the_user_cannot_read_is_reported() {
    let config = Config::new("[ecallmgr]\ncookie = readable\n");
    std::fs::set_permissions(config.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(config.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(printed(&as_unprivileged(&config)), "readable\n");

    let mode = if is_root() { 0o600 } else { 0o000 };
    std::fs::set_permissions(config.path(), std::fs::Permissions::from_mode(mode)).unwrap();
    let stderr =
        failed(&as_unprivileged(&config), CONFIG_UNREADABLE, &format!("cannot read {}", config.path().display()));
    assert!(stderr.contains("Permission denied"), "{stderr}");
}

/// `kazoo ping ecallmgr` at `node` with the cookie from `config` only: an empty HOME, no
/// KAZOO_COOKIE.
fn ping(node: &ErlNode, config: &Config) -> Output {
    config.kazoo().args(["ping", "ecallmgr", "--timeout", "5"]).envs(node.env()).output().expect("kazoo runs")
}

/// A node started with the cookie read-release-cookie printed answers `kazoo ping`, which
/// takes its cookie from the same config.ini; a config.ini with another cookie is refused.
#[test]
fn a_node_started_with_the_printed_cookie_answers_ping_with_the_same_config() {
    let config = Config::new("[kazoo_apps]\ncookie = \"node_cookie_7\"\n[ecallmgr]\nzone = z1\n");
    let cookie = printed(&config.read_cookie(&["ecallmgr"], &[])).trim_end().to_owned();
    // Rejected handshakes are logged on the node's stderr, as the wrong cookie means them to be.
    let node = ErlNode::named("ecallmgr").cookie(&cookie).quiet().start();
    assert_eq!(printed(&ping(&node, &config)), "pong\n");

    let other = Config::new("[ecallmgr]\ncookie = another_cookie\n");
    let refused = ping(&node, &other);
    assert!(!refused.status.success(), "another cookie is refused: {}", text(&refused.stdout));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("cookie") && !stderr.contains("another_cookie"), "{stderr}");
}

#[test]
fn commands_that_need_the_cookie_fail_as_read_release_cookie_does() {
    let config = Config::new("[kazoo_apps]\ncookie = ok\nnot a key value line\n");
    let read = config.read_cookie(&["kazoo_apps"], &[]);
    failed(&read, 22, "config.ini:3:");
    for command in [&["ping", "kazoo_apps"][..], &["start", "kazoo_apps"], &["status"]] {
        let output = config.kazoo().args(command).output().expect("kazoo runs");
        failed(&output, 22, "config.ini:3:");
    }
}

#[test]
fn with_no_cookie_anywhere_kazoo_uses_change_me_and_says_so() {
    let env = Scrubbed::new();
    // No config.ini and no ~/.erlang.cookie: the chain falls through to Kazoo's well-known
    // cookie. A private EPMD, where no node runs.
    let epmd = Epmd::private();
    let output = env
        .command(env!("CARGO_BIN_EXE_kazoo"))
        .args(["ping", "ecallmgr", "--timeout", "2"])
        .env("KAZOO_CONFIG_DIR", env.home())
        .env("ERL_EPMD_PORT", &epmd.0)
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    if ["/etc/kazoo/config.ini", "/etc/kazoo/core/config.ini"].iter().any(|p| Path::new(p).exists()) {
        panic!("this machine has a Kazoo config file, which this test cannot hide: {stderr}");
    }
    assert!(
        stderr.contains("warning: no cookie is configured, so the well-known cookie `change_me` is used"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("warning:").count(), 1, "said once: {stderr}");
}
