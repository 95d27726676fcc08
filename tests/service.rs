//! Under a service manager: foreground's notify protocol heard on a real datagram socket,
//! the printed systemd unit as `systemd-analyze verify` reads it, and `logs` of a node.
//! Each test runs on its own "host" (EPMD port, HOME, pipe and config dirs, cookie), with
//! `_rel` written in its working directory as `cargo run` does.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

#[path = "support/host.rs"]
mod host;

use host::Host;
use support::ok;

/// A foreground kazoo, killed when dropped if still running.
struct Foreground(Child);

impl Drop for Foreground {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The service manager's side: the socket NOTIFY_SOCKET names.
struct Manager {
    socket: UnixDatagram,
}

impl Manager {
    /// A socket at a path in `dir`.
    fn at_path(dir: &std::path::Path) -> (Manager, String) {
        let path = dir.join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        (Manager { socket }, path.display().to_string())
    }

    /// A socket in the abstract namespace: NOTIFY_SOCKET=@name.
    fn abstract_named(name: &str) -> (Manager, String) {
        let socket = UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(name).unwrap()).unwrap();
        (Manager { socket }, format!("@{name}"))
    }

    /// The next datagram within `wait`, if any.
    fn next(&self, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        let mut buffer = [0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
            self.socket.set_read_timeout(Some(left)).unwrap();
            match self.socket.recv(&mut buffer) {
                Ok(n) => return Some(String::from_utf8_lossy(&buffer[..n]).into_owned()),
                // A signal this test process catches interrupts the wait: no answer yet.
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                    return None
                }
                Err(e) => panic!("the notify socket failed: {e}"),
            }
        }
    }

    /// Datagrams until one has the line `line`; the ones before it, that one last.
    fn until(&self, line: &str, wait: Duration) -> Vec<String> {
        let deadline = Instant::now() + wait;
        let mut heard = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Some(message) = self.next(left.max(Duration::from_millis(1))) else {
                panic!("no `{line}` within {wait:?}; heard: {heard:?}");
            };
            let done = message.lines().any(|l| l == line);
            heard.push(message);
            if done {
                return heard;
            }
        }
    }

    /// How many datagrams with the line `line` arrive within `wait`.
    fn count(&self, line: &str, wait: Duration) -> usize {
        let deadline = Instant::now() + wait;
        let mut count = 0;
        while let Some(message) =
            self.next(deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1)))
        {
            count += message.lines().filter(|l| *l == line).count();
            if Instant::now() >= deadline {
                break;
            }
        }
        count
    }
}

fn signal(pid: &str, signal: &str) {
    assert!(Command::new("kill").args([signal, pid]).status().unwrap().success(), "kill {signal} {pid}");
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "foreground did not exit within {within:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn foreground_tells_systemd_ready_once_booted_feeds_the_watchdog_from_pings_and_says_stopping() {
    let host = Host::new();
    // The release first, so that the boot is what is waited for.
    ok(host.kazoo(&["build-release"]));
    let (manager, address) = Manager::at_path(host.dir.path());
    let child = host
        .command(&["foreground", "ecallmgr"])
        .env("NOTIFY_SOCKET", &address)
        .env("WATCHDOG_USEC", "1000000")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut foreground = Foreground(child);

    let heard = manager.until("READY=1", Duration::from_secs(60));
    // Right when READY arrives, the node has booted and runs its applications.
    assert_eq!(host.eval("ecallmgr", "init:get_status()."), "{started,started}", "heard: {heard:?}");
    assert_eq!(host.eval("ecallmgr", "ecallmgr_server:routed()."), "0");
    let vm = ok(host.kazoo(&["pid", "ecallmgr"])).trim().to_owned();
    assert!(heard[0].lines().any(|l| l == format!("MAINPID={vm}")), "MAINPID is the VM's: {heard:?}");
    assert_ne!(vm, foreground.0.id().to_string(), "the VM is kazoo's child, not kazoo");
    assert!(heard[0].lines().any(|l| l.starts_with("STATUS=booting")), "{heard:?}");
    assert!(!heard[..heard.len() - 1].iter().any(|m| m.contains("WATCHDOG=1")), "no watchdog before READY: {heard:?}");

    // Every half WATCHDOG_USEC while the VM answers its pings.
    let fed = manager.count("WATCHDOG=1", Duration::from_millis(2500));
    assert!(fed >= 2, "WATCHDOG=1 {fed} times in 2.5 s");

    // A VM that cannot answer (stopped) gets none; once it runs again, it is fed again.
    signal(&vm, "-STOP");
    manager.count("WATCHDOG=1", Duration::from_millis(300));
    let starved = manager.count("WATCHDOG=1", Duration::from_millis(2500));
    signal(&vm, "-CONT");
    assert_eq!(starved, 0, "WATCHDOG=1 while the VM was stopped");
    manager.until("WATCHDOG=1", Duration::from_secs(10));

    // STOPPING=1 as soon as the SIGTERM reaches kazoo: said while the VM (stopped, so that
    // it cannot exit first) still runs, then the VM stops gracefully and kazoo exits 0.
    signal(&vm, "-STOP");
    signal(&foreground.0.id().to_string(), "-TERM");
    let heard = manager.until("STOPPING=1", Duration::from_secs(10));
    assert!(foreground.0.try_wait().unwrap().is_none(), "kazoo exited before STOPPING=1: {heard:?}");
    signal(&vm, "-CONT");
    let status = wait_exit(&mut foreground.0, Duration::from_secs(30));
    assert_eq!(status.code(), Some(0));
}

#[test]
fn foreground_speaks_to_an_abstract_socket_and_says_stopping_when_kazoo_stop_stops_the_node() {
    let host = Host::new();
    let name = format!("kazoo-service-test-{}", std::process::id());
    let (manager, address) = Manager::abstract_named(&name);
    let child =
        host.command(&["foreground", "ecallmgr"]).env("NOTIFY_SOCKET", &address).stdout(Stdio::null()).spawn().unwrap();
    let mut foreground = Foreground(child);
    manager.until("READY=1", Duration::from_secs(90));
    assert_eq!(ok(host.kazoo(&["stop", "ecallmgr"])), "ok\n");
    manager.until("STOPPING=1", Duration::from_secs(10));
    assert_eq!(wait_exit(&mut foreground.0, Duration::from_secs(30)).code(), Some(0));
}

#[test]
fn systemd_analyze_verify_accepts_the_printed_unit() {
    let host = Host::new();
    let unit = ok(host.kazoo(&["systemd-unit"]));
    let root = host.path("_rel/kazoo");
    for line in [
        "Type=notify".to_owned(),
        format!("ExecStart={}/bin/kazoo foreground %i", root.display()),
        "User=kazoo".into(),
        "Group=daemon".into(),
        "Environment=RUNNER_LOG_DIR=%L/kazoo".into(),
        "TimeoutStopSec=40".into(),
    ] {
        assert!(unit.lines().any(|l| l == line), "no `{line}` in:\n{unit}");
    }
    let other = ok(host.kazoo(&["systemd-unit", "--user", "daemon", "--group", "adm"]));
    assert!(other.contains("\nUser=daemon\nGroup=adm\n"), "{other}");

    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("kazoo@.service"), &unit).unwrap();
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("kazoo@ecallmgr.service"))
        .output()
        .expect("systemd-analyze runs (Debian's systemd package: bash scripts/setup.sh)");
    let said = format!("{}{}", support::text(&verify.stdout), support::text(&verify.stderr));
    assert!(verify.status.success() && said.trim().is_empty(), "systemd-analyze verify said:\n{said}\nof:\n{unit}");
}

#[test]
fn logs_show_the_console_log_and_follow_it_and_the_application_logs() {
    let host = Host::new();
    // run_erl's smallest log, so that it moves on to the next files while -f follows (and
    // enough of them that none is reused within the test).
    let start = host
        .command(&["start", "kazoo_apps"])
        .env("RUN_ERL_LOG_MAXSIZE", "1000")
        .env("RUN_ERL_LOG_GENERATIONS", "100")
        .output();
    ok(start.unwrap());
    host.eval("kazoo_apps", "io:format(user, \"mark-after-start~n\", []).");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let logs = ok(host.kazoo(&["logs", "kazoo_apps", "-n", "5"]));
        if logs.contains("mark-after-start") {
            assert!(logs.lines().count() <= 5, "{logs}");
            break;
        }
        assert!(Instant::now() < deadline, "logs -n 5 never showed the mark:\n{logs}");
        std::thread::sleep(Duration::from_millis(100));
    }

    // -f: what is printed after it began following. It first prints the log's last lines:
    // a mark, then the shell's prompt, which a terminal-less shell prints again after each
    // output and which ends with no newline.
    host.eval("kazoo_apps", "io:format(user, \"before-follow~n\", []).");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok(host.kazoo(&["logs", "kazoo_apps", "-n", "2"])).contains("before-follow") {
        assert!(Instant::now() < deadline, "the mark before following never reached the log");
        std::thread::sleep(Duration::from_millis(100));
    }
    let child = host.command(&["logs", "kazoo_apps", "-f", "-n", "2"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut following = Foreground(child);
    let (lines, read) = mpsc::channel();
    let stdout = following.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                return;
            }
        }
    });
    read.recv_timeout(Duration::from_secs(10)).expect("logs -f prints the last line first");
    let logs = || {
        fs::read_dir(host.path("_rel/kazoo/log/kazoo_apps"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("erlang.log."))
            .count()
    };
    let before = logs();
    host.eval(
        "kazoo_apps",
        "[io:format(user, \"fill-~3..0b ~s~n\", [N, lists:duplicate(50, $x)]) || N <- lists:seq(1, 60)].",
    );
    host.eval("kazoo_apps", "io:format(user, \"mark-while-following~n\", []).");
    assert!(logs() > before, "run_erl did not move on to another file");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut fills = Vec::new();
    loop {
        let line =
            read.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("logs -f showed the new line");
        if let Some(fill) = line.split_whitespace().find_map(|w| w.strip_prefix("fill-")) {
            fills.push(fill.parse::<u32>().unwrap());
        }
        if line.contains("mark-while-following") {
            break;
        }
    }
    assert_eq!(fills, (1..=60).collect::<Vec<_>>(), "every line, across run_erl's files, once, in order");
    signal(&following.0.id().to_string(), "-TERM");

    // --app: lager's files (kazoo_apps runs lager) in the node's log dir.
    host.eval("kazoo_apps", "lager:log(error, self(), \"app-mark\", []).");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let logs = ok(host.kazoo(&["logs", "kazoo_apps", "--app", "-n", "3"]));
        if logs.contains("app-mark") {
            assert!(logs.contains("==> ") && logs.contains("error.log <=="), "{logs}");
            break;
        }
        assert!(Instant::now() < deadline, "logs --app never showed lager's line:\n{logs}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
