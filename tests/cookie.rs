//! `kazoo read-release-cookie` end to end: the real binary, a config.ini of its own in a
//! temporary directory named by KAZOO_CONFIG, and a scrubbed environment.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Every variable that changes the answer, removed so that the caller's shell cannot leak in.
const SCRUBBED: [&str; 5] = ["REL", "KAZOO_COOKIE", "KAZOO_CONFIG", "KAZOO_ZONE", "KAZOO_PROFILE"];

/// Exit codes (kazoo_release::cli::exit), spelled out: scripts rely on the numbers.
const NO_CONFIG: i32 = 20;
const CONFIG_UNREADABLE: i32 = 21;
const CONFIG_MALFORMED: i32 = 22;
const NO_NODE_SECTION: i32 = 23;
const NO_COOKIE: i32 = 24;
const UNKNOWN: i32 = 3;

fn kazoo() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kazoo"));
    for name in SCRUBBED {
        command.env_remove(name);
    }
    command
}

/// A temporary directory holding `config.ini` with `text`.
struct Config {
    dir: tempfile::TempDir,
}

impl Config {
    fn new(text: &str) -> Config {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::write(dir.path().join("config.ini"), text).expect("config.ini written");
        Config { dir }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("config.ini")
    }

    fn read_cookie(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = kazoo();
        command.arg("read-release-cookie").args(args).env("KAZOO_CONFIG", self.path());
        command.envs(env.iter().copied()).output().expect("kazoo runs")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
    let stderr = failed(&malformed.read_cookie(&["ecallmgr"], &[]), CONFIG_MALFORMED, &format!("{}:3:", malformed.path().display()));
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
    let output = kazoo().args(["read-release-cookie", "ecallmgr"]).output().expect("kazoo runs");
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
        let mut setpriv = Command::new("setpriv");
        setpriv.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", env!("CARGO_BIN_EXE_kazoo")]);
        setpriv
    } else {
        Command::new(env!("CARGO_BIN_EXE_kazoo"))
    };
    for name in SCRUBBED {
        command.env_remove(name);
    }
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
    let stderr = failed(&as_unprivileged(&config), CONFIG_UNREADABLE, &format!("cannot read {}", config.path().display()));
    assert!(stderr.contains("Permission denied"), "{stderr}");
}

/// An Erlang node that is stopped when dropped.
struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A HOME whose `.erlang.cookie` holds `cookie`: the cookie reaches erl and erl_call
/// without ever being on a command line.
fn home_with_cookie(cookie: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join(".erlang.cookie");
    std::fs::write(&file, cookie).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o400)).unwrap();
    home
}

fn erl_call() -> PathBuf {
    let lib = Path::new("/usr/lib/erlang/lib");
    let dirs = std::fs::read_dir(lib).expect("Erlang/OTP under /usr/lib/erlang");
    dirs.filter_map(Result::ok)
        .map(|d| d.path().join("bin/erl_call"))
        .find(|p| p.exists())
        .expect("erl_call (Debian's erlang-dev)")
}

/// `erlang:node()` of `name` on this host, asked with the cookie in `home`.
fn remote_node(name: &str, home: &Path) -> Output {
    Command::new(erl_call())
        .args(["-sname", name, "-a", "erlang node []"])
        .env("HOME", home)
        .output()
        .expect("erl_call runs")
}

/// A node started with the cookie read-release-cookie printed answers a client holding
/// that cookie, and refuses one holding another.
#[test]
fn a_node_started_with_the_printed_cookie_answers_with_it() {
    let config = Config::new("[kazoo_apps]\ncookie = \"apps_cookie\"\n[ecallmgr]\ncookie = \"node_cookie_7\"\n");
    let cookie = printed(&config.read_cookie(&["ecallmgr"], &[])).trim_end().to_owned();
    let home = home_with_cookie(&cookie);
    let name = format!("kz_cookie_{}", std::process::id());
    let node = Command::new("erl")
        .args(["-noshell", "-sname", &name])
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("erl starts");
    let _node = Node(node);

    let deadline = Instant::now() + Duration::from_secs(20);
    let answer = loop {
        let output = remote_node(&name, home.path());
        if output.status.success() || Instant::now() > deadline {
            break output;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let node = printed(&answer);
    assert!(node.trim_start_matches('\'').starts_with(&format!("{name}@")), "{node}");

    let wrong = home_with_cookie("apps_cookie");
    let refused = remote_node(&name, wrong.path());
    assert!(!refused.status.success(), "a wrong cookie is refused: {}", text(&refused.stdout));
}
