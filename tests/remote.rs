//! `kazoo ping | pid | eval | rpc | stop | versions` end to end against real nodes.
//!
//! Each test runs its own EPMD (on a free port, through `ERL_EPMD_PORT`), so that its node can
//! carry a real node type's name (`kazoo_apps@host`) while tests run in parallel.

use std::process::{Child, Command, Output, Stdio};

use kazoo_release::dist::is_running;
use kazoo_release::node::hostname;

#[path = "support/mod.rs"]
mod support;

use support::peer::{Answer, Peer};
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

/// As relx's and erl_call's users write them: options anywhere, `--` before a word that
/// starts with `-`.
#[test]
fn options_go_anywhere_and_double_dash_ends_them() {
    let node = Fixture::start();
    let full = format!("kazoo_apps@{}", hostname().unwrap());
    let cookie = node.node.cookie.as_str();
    let run = |args: &[&str]| ok(node.command(args).output().unwrap());
    assert_eq!(run(&["rpc", &full, "--cookie", cookie, "erlang", "node"]), format!("{full}\n"));
    assert_eq!(run(&["rpc", "erlang", "--cookie", cookie, "abs", "-4", "--timeout", "5"]), "4\n");
    assert_eq!(run(&["eval", &full, "--cookie", cookie, "1+2."]), "3\n");
    assert_eq!(run(&["eval", "kazoo_apps", "1+2.", "--timeout", "2", "--cookie", cookie]), "3\n");
    assert_eq!(run(&["eval", "--cookie", cookie, "--", "-1 + 2."]), "1\n");
    assert_eq!(run(&["ping", &full, "--cookie", cookie, "--timeout", "2"]), "pong\n");
    let (code, message) = failed(node.kazoo(&["eval", "kazoo_apps", "1.", "2."]));
    assert_eq!(code, 2, "{message}");
    assert!(message.contains("eval takes [NODE] EXPR"), "{message}");
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

/// What a finished command was and took: its exit code, stderr, time and peak memory.
struct Measured {
    code: Option<i32>,
    stderr: String,
    took: std::time::Duration,
    max_rss_kib: i64,
}

/// Runs `command` to its end, measuring it with `wait4` (the peak memory of that very
/// process, not of this test's other children).
#[allow(clippy::zombie_processes)] // reaped by wait4, which std's `wait` does not do
fn measured(command: &mut Command) -> Measured {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let began = std::time::Instant::now();
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("kazoo runs");
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    // SAFETY: the pid is our unreaped child; status and usage are ours to write.
    let reaped = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(reaped, child.id() as libc::pid_t, "wait4");
    let code = std::process::ExitStatus::from_raw(status).code();
    Measured { code, stderr, took: began.elapsed(), max_rss_kib: usage.ru_maxrss }
}

/// `kazoo ping` of the peer, with the peer's EPMD and cookie.
fn ping_peer(peer: &Peer, extra: &[&str]) -> Measured {
    let env = Scrubbed::new();
    let mut command = env.command(env!("CARGO_BIN_EXE_kazoo"));
    command.args(["ping", &peer.name.to_string(), "--cookie", &peer.cookie]).args(extra).envs(peer.env());
    measured(&mut command)
}

#[test]
fn a_peer_answering_a_byte_a_second_is_bounded_by_the_timeout() {
    let peer = Peer::start(Answer::ByteASecond);
    let ping = ping_peer(&peer, &["--timeout", "3"]);
    assert_eq!(ping.code, Some(13), "{}", ping.stderr);
    assert!(ping.stderr.contains("did not answer within 3s"), "{}", ping.stderr);
    let took = ping.took.as_secs_f64();
    assert!((2.9..4.0).contains(&took), "ping --timeout 3 took {took:.1} s");
}

#[test]
fn a_frame_above_the_cap_is_refused_before_it_is_read() {
    let peer = Peer::start(Answer::Frame { announced: 0xFFFF_FFF0, bytes_per_second: 0 });
    let ping = ping_peer(&peer, &["--timeout", "5"]);
    assert_eq!(ping.code, Some(19), "{}", ping.stderr);
    assert!(ping.stderr.contains("4294967280 bytes") && ping.stderr.contains("--max-reply-size"), "{}", ping.stderr);
    assert!(ping.took < std::time::Duration::from_secs(1), "refused at once, not after {:?}", ping.took);
    assert!(ping.max_rss_kib < 64 * 1024, "ping grew to {} KiB", ping.max_rss_kib);
    assert!(!ping.stderr.contains("panicked"), "{}", ping.stderr);
}

#[test]
fn a_trickled_frame_is_bounded_by_the_timeout() {
    // Under the cap, so it is read: 64 KB/s of a 32 MiB frame would take over 8 minutes.
    let peer = Peer::start(Answer::Frame { announced: 32 << 20, bytes_per_second: 64 << 10 });
    let ping = ping_peer(&peer, &["--timeout", "3"]);
    assert_eq!(ping.code, Some(13), "{}", ping.stderr);
    let took = ping.took.as_secs_f64();
    assert!((2.9..4.0).contains(&took), "ping --timeout 3 took {took:.1} s");
    assert!(ping.max_rss_kib < 64 * 1024, "ping grew to {} KiB", ping.max_rss_kib);
}

#[test]
fn a_host_name_too_long_for_a_node_name_is_a_clear_error() {
    let env = Scrubbed::new();
    let node = format!("kazoo_apps@{}.example.com", "h".repeat(250));
    let output = env.command(env!("CARGO_BIN_EXE_kazoo")).args(["ping", &node, "--cookie", "c"]).output().unwrap();
    let (code, message) = failed(output);
    assert_eq!(code, 34, "{message}");
    assert!(message.contains("at most 255 bytes") && !message.contains("panicked"), "{message}");
}

#[test]
fn a_reply_above_max_reply_size_is_refused() {
    let node = Fixture::start();
    let big = "binary:copy(<<0>>, 2000000).";
    let (code, message) = failed(node.kazoo(&["eval", "--max-reply-size", "1M", big]));
    assert_eq!(code, 19, "{message}");
    assert!(message.contains("more than the 1048576 bytes"), "{message}");
    assert_eq!(
        ok(node.kazoo(&["eval", "--max-reply-size", "8M", "byte_size(binary:copy(<<0>>, 2000000))."])),
        "2000000\n"
    );
    assert!(ok(node.kazoo(&["eval", big])).len() > 2_000_000, "the default cap takes it");
}
