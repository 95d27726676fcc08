//! `kazoo ping | pid | eval | rpc | stop | versions` end to end against real nodes.
//!
//! Each test runs its own EPMD (on a free port, through `ERL_EPMD_PORT`), so that its node can
//! carry a real node type's name (`kazoo_apps@host`) while tests run in parallel.

use std::process::{Child, Command, Output, Stdio};

use kazoo_release::dist::is_running;
use kazoo_release::node::hostname;

#[path = "support/mod.rs"]
mod support;

use support::{failed, ok, Epmd, ErlNode, Scrubbed};

/// A node of type `kazoo_apps` behind its own EPMD, and a scrubbed environment (its own HOME)
/// for the `kazoo` commands of the test; all gone when dropped.
struct Fixture {
    node: ErlNode,
    env: Scrubbed,
}

impl Fixture {
    fn start() -> Fixture {
        // Rejected handshakes are logged on stderr, as the cookie test means them to be.
        Fixture { node: ErlNode::named("kazoo_apps").quiet().start(), env: Scrubbed::new() }
    }

    /// The `kazoo` binary with the node's cookie in `KAZOO_COOKIE`.
    fn kazoo(&self, args: &[&str]) -> Output {
        self.command(args).env("KAZOO_COOKIE", &self.node.cookie).output().expect("kazoo runs")
    }

    /// The `kazoo` binary in a scrubbed environment: this test's EPMD and HOME, no cookie.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = self.env.command(env!("CARGO_BIN_EXE_kazoo"));
        command.args(args).envs(self.node.env());
        command
    }
}

#[test]
fn ping_pid_versions_eval_and_rpc() {
    let node = Fixture::start();
    let full = format!("kazoo_apps@{}", hostname().unwrap());
    assert_eq!(ok(node.kazoo(&["ping"])), "pong\n");
    assert_eq!(ok(node.kazoo(&["ping", &full])), "pong\n");
    assert_eq!(ok(node.kazoo(&["pid", "kazoo_apps"])), format!("{}\n", node.node.pid()));
    // First the release the boot script names (init:script_id(): a bare erl boots OTP's own
    // `{"Erlang/OTP", "25"}`), then each application.
    let versions = ok(node.kazoo(&["versions"]));
    let otp = ok(node.kazoo(&["eval", "erlang:system_info(otp_release)."]));
    assert_eq!(
        versions.lines().next(),
        Some(format!("Erlang/OTP {}", otp.trim().trim_matches('"')).as_str()),
        "{versions}"
    );
    assert!(versions.lines().skip(1).any(|l| l.starts_with("kernel ")), "{versions}");
    let eval = ok(node.kazoo(&["eval", r#"io:format("~s ~p~n", ["said", here]), lists:seq(1, 3)"#]));
    assert_eq!(eval, "said here\n[1,2,3]\n");
    assert_eq!(ok(node.kazoo(&["eval", "kazoo_apps", "node() =:= 'x'."])), "false\n");
    assert_eq!(ok(node.kazoo(&["rpc", "lists", "reverse", "[1, {two}, \"three\"]"])), "[\"three\",{two},1]\n");
    assert_eq!(ok(node.kazoo(&["rpc", "kazoo_apps", "erlang", "abs", "-4"])), "4\n");
}

#[test]
fn the_cookie_comes_from_the_option_the_variable_or_the_home_file() {
    let node = Fixture::start();
    let (code, message) = failed(node.command(&["ping"]).env("KAZOO_COOKIE", "wrong").output().unwrap());
    assert_eq!(code, 12, "{message}");
    assert!(message.contains("rejected the cookie"), "{message}");
    assert_eq!(code, failed(node.command(&["ping"]).output().unwrap()).0, "change_me is not the cookie");
    assert_eq!(ok(node.command(&["ping", "--cookie", &node.node.cookie]).output().unwrap()), "pong\n");
    std::fs::write(node.env.home().join(".erlang.cookie"), format!("{}\n", node.node.cookie)).unwrap();
    assert_eq!(ok(node.command(&["ping"]).output().unwrap()), "pong\n");
}

#[test]
fn a_node_that_is_down_or_has_no_epmd() {
    let node = Fixture::start();
    let (code, message) = failed(node.kazoo(&["ping", "ecallmgr"]));
    assert_eq!(code, 1);
    assert!(message.contains("ecallmgr@") && message.contains("is not running"), "{message}");
    let no_epmd = node
        .env
        .command(env!("CARGO_BIN_EXE_kazoo"))
        .args(["ping"])
        .env("ERL_EPMD_PORT", &Epmd::private().0)
        .output()
        .unwrap();
    let (code, message) = failed(no_epmd);
    assert_eq!(code, 10, "{message}");
    assert!(message.contains("no EPMD answers"), "{message}");
    let (code, _) = failed(node.kazoo(&["ping", "no_such_type"]));
    assert_eq!(code, 3);
    // `.invalid` never resolves (RFC 2606): its own message and exit code, not "no EPMD".
    let (code, message) = failed(node.kazoo(&["ping", "ecallmgr@nowhere.invalid"]));
    assert_eq!(code, 18, "{message}");
    assert!(message.contains("`nowhere.invalid`, does not resolve"), "{message}");
}

#[test]
fn bad_expressions_exceptions_and_timeouts() {
    let node = Fixture::start();
    let (code, message) = failed(node.kazoo(&["eval", "{1, 2"]));
    assert_eq!(code, 15);
    assert!(message.contains("line 1, column"), "{message}");
    let (code, message) = failed(node.kazoo(&["rpc", "no_such_module", "f", "1"]));
    assert_eq!(code, 14);
    assert!(message.contains("undefined function no_such_module:f/1"), "{message}");
    let (code, message) = failed(node.kazoo(&["eval", "--timeout", "0.3", "timer:sleep(10000)"]));
    assert_eq!(code, 13, "{message}");

    // What a call that timed out started on the node ends with it: no loop keeps a
    // scheduler busy for ever.
    let looping = "register(kz_looping, self()), F = fun L() -> L() end, F().";
    assert_eq!(failed(node.kazoo(&["eval", "--timeout", "1", looping])).0, 13);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while ok(node.kazoo(&["eval", "whereis(kz_looping)."])).trim() != "undefined" {
        assert!(std::time::Instant::now() < deadline, "the timed-out evaluation still runs on the node");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn stop_returns_once_the_vm_has_exited() {
    let mut node = Fixture::start();
    let pid = node.node.pid();
    assert_eq!(ok(node.kazoo(&["stop"])), "ok\n");
    assert!(!is_running(pid), "stop returned while the VM still runs");
    node.node.wait();
    assert_eq!(failed(node.kazoo(&["ping"])).0, 1);
}

#[test]
fn many_commands_at_once() {
    let node = Fixture::start();
    let children: Vec<Child> = (0..12)
        .map(|_| node.command(&["pid"]).env("KAZOO_COOKIE", &node.node.cookie).stdout(Stdio::piped()).spawn().unwrap())
        .collect();
    for child in children {
        assert_eq!(ok(child.wait_with_output().unwrap()), format!("{}\n", node.node.pid()));
    }
}

#[test]
fn help_names_the_remote_commands() {
    let output = Scrubbed::new().command(env!("CARGO_BIN_EXE_kazoo")).arg("--help").output().unwrap();
    let help = ok(output);
    for command in ["ping", "pid", "eval", "rpc", "stop", "versions"] {
        assert!(help.contains(&format!("  {command} ")), "{command} missing from:\n{help}");
    }
}
