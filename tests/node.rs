//! `kazoo start | stop | status | console | foreground | attach | remote_console` end to end:
//! real nodes of both node types, each test on its own "host" (its own EPMD port, HOME,
//! pipe and config dirs, and a working directory where `_rel` is written, as `cargo run`
//! does it at the workspace root).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kazoo_release::node::hostname;

#[path = "support/mod.rs"]
mod support;

#[path = "support/host.rs"]
mod host;

use host::{Host, NODE_TYPES};
use support::{failed, ok, text};

/// A terminal (a tmux server of its own) running one command; killed when dropped.
struct Terminal {
    socket: String,
}

impl Terminal {
    fn run(line: &str) -> Terminal {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let socket = format!("kazoo-node-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "50", line])
            .status()
            .expect("tmux runs");
        assert!(status.success());
        Terminal { socket }
    }

    fn keys(&self, keys: &[&str]) {
        let status = Command::new("tmux").args(["-L", &self.socket, "send-keys"]).args(keys).status().unwrap();
        assert!(status.success());
    }

    fn screen(&self) -> String {
        text(&Command::new("tmux").args(["-L", &self.socket, "capture-pane", "-p"]).output().unwrap().stdout)
    }

    /// The screen once `what` is on it.
    fn wait_for(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            if screen.contains(what) {
                return screen;
            }
            assert!(Instant::now() < deadline, "`{what}` never showed; the screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).stderr(Stdio::null()).status();
    }
}

fn full(node: &str) -> String {
    format!("{node}@{}", hostname().unwrap())
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries.map(|e| e.unwrap().path()).flat_map(|p| if p.is_dir() { files(&p) } else { vec![p] }).collect()
}

fn status_json(host: &Host) -> Vec<serde_json::Value> {
    serde_json::from_str(&ok(host.kazoo(&["status", "--json"]))).unwrap()
}

#[test]
fn both_node_types_start_side_by_side_and_stop() {
    let host = Host::new();
    for node in NODE_TYPES {
        let started = ok(host.kazoo(&["start", node]));
        assert!(started.contains(&full(node)), "{started}");
    }
    assert!(host.path("_rel/kazoo/bin/kazoo").is_file(), "start wrote the release in the working directory");
    // start returned after the boot: the applications already run (Kazoo's `sup` reaches them).
    assert_eq!(host.eval("kazoo_apps", "kazoo_apps_server:ping()."), "pong");
    let sup = Command::new(host.path("_rel/kazoo/bin/sup"))
        .args(["ecallmgr", "ecallmgr_server", "routed"])
        .current_dir(host.dir.path())
        .envs(host.env())
        .output()
        .unwrap();
    assert_eq!(ok(sup).trim(), "0");
    for node in NODE_TYPES {
        assert_eq!(ok(host.kazoo(&["ping", node])), "pong\n");
        let pipe_dir = host.path("pipes").join(full(node));
        assert_eq!(fs::metadata(&pipe_dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert!(!files(&pipe_dir).iter().any(|f| f.to_string_lossy().contains("home-")), "the private HOME is gone");
        assert!(host.path("_rel/kazoo/log").join(node).join("erlang.log.1").is_file());
    }
    // `versions` names the release first, as the node's boot script does (init:script_id():
    // each node type boots its own `<node>.rel` of the version this tree was written with).
    let start_erl = fs::read_to_string(host.path("_rel/kazoo/releases/start_erl.data")).unwrap();
    let vsn = start_erl.split_whitespace().nth(1).unwrap().to_owned();
    for node in NODE_TYPES {
        assert_eq!(host.eval(node, "init:script_id()."), format!("{{\"{node}\",\"{vsn}\"}}"));
        let versions = ok(host.kazoo(&["versions", node]));
        assert_eq!(versions.lines().next(), Some(format!("{node} {vsn}").as_str()), "{versions}");
        // The release line is a line of its own: the node's application `{node}` has the
        // same name and version, and may come first of the applications.
        let apps: usize = host.eval(node, "length(application:which_applications()).").parse().unwrap();
        assert_eq!(versions.lines().count(), apps + 1, "{versions}");
        assert!(versions.lines().skip(1).any(|l| l.starts_with("kernel ")), "{versions}");
    }
    let statuses = status_json(&host);
    for (status, node) in statuses.iter().zip(NODE_TYPES) {
        assert_eq!(status["node"], full(node));
        assert_eq!(status["running"], true, "{status}");
        let pid = status["pid"].as_u64().unwrap().to_string();
        assert_eq!(ok(host.kazoo(&["pid", node])).trim(), pid);
    }

    // The cookie is in no process's arguments and no log.
    let ps = ok(Command::new("ps").args(["-eo", "args"]).output().unwrap());
    assert!(!ps.contains(&host.cookie), "the cookie shows in ps");
    for file in files(&host.path("_rel/kazoo/log")) {
        assert!(!text(&fs::read(&file).unwrap()).contains(&host.cookie), "the cookie is in {}", file.display());
    }

    let (code, message) = failed(host.kazoo(&["start", "ecallmgr"]));
    assert_eq!(code, 30, "{message}");
    assert!(message.contains("already running"), "{message}");

    for node in NODE_TYPES {
        assert_eq!(ok(host.kazoo(&["stop", node])), "ok\n");
    }
    let (code, message) = failed(host.kazoo(&["stop", "ecallmgr"]));
    assert_eq!(code, 1, "{message}");
    assert!(message.contains("is not running"), "{message}");
    assert!(status_json(&host).iter().all(|s| s["running"] == false));
    // Stopped, a node starts again (its stale pipe is no obstacle).
    ok(host.kazoo(&["start", "ecallmgr"]));

    // Another profile would rebuild the release under the running ecallmgr: refused, and
    // the release and the node are left as they were.
    for command in [&["start", "kazoo_apps"][..], &["build-release"], &["tar-release"]] {
        let (code, message) = failed(host.kazoo(&[&["--profile", "dev"], command].concat()));
        assert_eq!(code, 30, "{command:?}: {message}");
        assert!(message.contains("out of date") && message.contains(&full("ecallmgr")), "{message}");
        assert_eq!(ok(host.kazoo(&["ping", "ecallmgr"])), "pong\n");
    }
    assert_eq!(host.eval("ecallmgr", "os:cmd(\"echo alive\")."), "\"alive\\n\"", "the node's tree is whole");
    assert!(host.path("_rel/kazoo/log/ecallmgr/erlang.log.1").is_file());
}

#[test]
fn foreground_stops_gracefully_on_sigterm() {
    let host = Host::new();
    let mut child: Child = host.command(&["foreground", "ecallmgr"]).stdout(Stdio::piped()).spawn().unwrap();
    host.wait_answers("ecallmgr");
    let (code, message) = failed(host.kazoo(&["attach", "ecallmgr"]));
    assert_eq!(code, 32, "{message}");
    assert!(message.contains("not started with `start`"), "{message}");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "foreground exits with the VM's status");
    assert_eq!(failed(host.kazoo(&["ping", "ecallmgr"])).0, 1);

    // A stop while the VM still boots (before it handles SIGTERM itself) is not lost; the
    // window is somewhere in the first few hundred ms, so several moments are tried.
    for delay in [100, 200, 300] {
        let mut booting: Child = host.command(&["foreground", "ecallmgr"]).stdout(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        Command::new("kill").args(["-TERM", &booting.id().to_string()]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while booting.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = booting.kill();
                panic!("foreground did not stop after a SIGTERM {delay} ms into its boot");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn attach_and_console_in_a_terminal() {
    let host = Host::new();
    ok(host.kazoo(&["start", "kazoo_apps"]));
    let attach = Terminal::run(&host.shell_line("attach kazoo_apps"));
    attach.wait_for("^D to exit");
    attach.keys(&["{node(), 6 * 7}.", "Enter"]);
    attach.wait_for(&format!("{{{},42}}", full("kazoo_apps")));
    // ^C reaches the VM (run_erl signals its child, which passes it on): the BREAK menu,
    // from which `c` goes back to the shell.
    attach.keys(&["C-c"]);
    attach.wait_for("BREAK: (a)bort");
    attach.keys(&["c", "Enter"]);
    attach.keys(&["{node(), 6 * 8}.", "Enter"]);
    attach.wait_for(&format!("{{{},48}}", full("kazoo_apps")));
    attach.keys(&["C-d"]);
    attach.wait_for("EXIT=0");
    assert_eq!(ok(host.kazoo(&["ping", "kazoo_apps"])), "pong\n", "detaching leaves the node running");

    let console = Terminal::run(&host.shell_line("console ecallmgr"));
    console.wait_for(&format!("({})1>", full("ecallmgr")));
    console.keys(&["application:get_env(ecallmgr, fetch_timeout).", "Enter"]);
    console.wait_for("{ok,2600}");
    console.keys(&["C-g"]);
    console.wait_for("-->");
    console.keys(&["q", "Enter"]);
    console.wait_for("EXIT=0");
    assert_eq!(failed(host.kazoo(&["ping", "ecallmgr"])).0, 1);
}

#[test]
fn remote_console_evaluates_on_the_node() {
    let host = Host::new();
    ok(host.kazoo(&["start", "kazoo_apps"]));
    let remsh = Terminal::run(&host.shell_line("remote_console kazoo_apps"));
    remsh.wait_for(&format!("({})1>", full("kazoo_apps")));
    remsh.keys(&["{node(), lists:sum([1, 2, 39])}.", "Enter"]);
    remsh.wait_for(&format!("{{{},42}}", full("kazoo_apps")));
    remsh.keys(&["C-g"]);
    remsh.wait_for("-->");
    remsh.keys(&["q", "Enter"]);
    remsh.wait_for("EXIT=0");
    assert_eq!(ok(host.kazoo(&["ping", "kazoo_apps"])), "pong\n", "quitting the shell leaves the node running");
    assert_eq!(
        ok(host.kazoo(&["remote-console", "--help"])).lines().next().unwrap(),
        "A shell on the running node from a hidden node of its own (quit with ^G q)"
    );
}

#[test]
fn operator_files_override_the_release() {
    let host = Host::new();
    let etc = host.path("etc");
    fs::write(etc.join("core/ecallmgr.vm.args"), "-env KAZOO_TEST_MARK from_override\n").unwrap();
    fs::write(etc.join("core/ecallmgr.sys.config"), "[{ecallmgr, [{fetch_timeout, 1111}]}].\n").unwrap();
    fs::write(etc.join("app.config"), "[{ecallmgr, [{fetch_timeout, 4242}]}, {kazoo_apps, [{mark, app_config}]}].\n")
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    for node in NODE_TYPES {
        ok(host.command(&["start", node]).env("KAZOO_REL_DIR", out.path()).output().unwrap());
    }
    assert!(out.path().join("kazoo/bin/kazoo").is_file(), "KAZOO_REL_DIR moves the release");
    assert_eq!(host.eval("ecallmgr", "os:getenv(\"KAZOO_TEST_MARK\")"), "\"from_override\"");
    assert_eq!(host.eval("ecallmgr", "application:get_env(ecallmgr, fetch_timeout)"), "{ok,1111}");
    assert_eq!(host.eval("kazoo_apps", "application:get_env(kazoo_apps, mark)"), "{ok,app_config}");
    assert_eq!(host.eval("kazoo_apps", "os:getenv(\"KAZOO_TEST_MARK\")"), "false");
}

/// An operator's vm.args is checked before any VM starts, with the build step's checker:
/// Kazoo's config repository puts `-setcookie change_me` on its first line; a cookie or a
/// name there is refused at once, naming the file and line; so is `-s` of a module the node
/// type does not carry.
#[test]
fn an_operators_vm_args_is_checked_before_the_vm_starts() {
    let host = Host::new();
    ok(host.kazoo(&["build-release"]));
    let file = host.path("etc/core/ecallmgr.vm.args");
    let cases = [
        ("-setcookie change_me\n+K true\n", "1: `-setcookie` does not belong in vm.args", "cookie sources"),
        ("-name x@y\n", "1: `-name` does not belong in vm.args", "NODE or --name"),
        // With load_lib_dirs every lib dir's application is on every node type: a module of
        // none of them is one the node type does not carry.
        (
            // Not kazoo_apps_app: every Kazoo application is loaded on both node types.
            "+K true\n-s kazoo_app_typo\n",
            "2: `-s kazoo_app_typo`: no application of node type ecallmgr holds module `kazoo_app_typo`",
            "its applications: ",
        ),
        ("+A -1\n", "1: `+A -1`: the async thread pool size must be an integer in 0..=1024", "found `-1`"),
    ];
    for (text, wanted, what_next) in cases {
        fs::write(&file, text).unwrap();
        let started = Instant::now();
        let (code, message) = failed(host.kazoo(&["start", "ecallmgr"]));
        assert!(started.elapsed() < Duration::from_secs(1), "{text}: took {:?}", started.elapsed());
        assert_eq!(code, 33, "{message}");
        assert!(message.contains(&format!("{}:{wanted}", file.display())), "{text}: {message}");
        assert!(message.contains(what_next), "{text}: {message}");
        // Not running (1), or not even an EPMD on this host's port (10): no VM was started.
        let ping = host.kazoo(&["ping", "ecallmgr"]).status.code();
        assert!(matches!(ping, Some(1 | 10)), "no node runs after {text}: ping exits {ping:?}");
    }
    // Kazoo's own lines, a quoted value with spaces among them, start.
    let good = "-sasl errlog_type error\n-sasl sasl_error_logger '{file, \"log/error_log.sasl\"}'\n+K true\n+A 100\n+zdbbl 32768\n-env ERL_CRASH_DUMP_NICE 1\n-s ecallmgr_server routed\n";
    fs::write(&file, good).unwrap();
    ok(host.kazoo(&["start", "ecallmgr"]));
    assert_eq!(
        host.eval("ecallmgr", "application:get_env(sasl, sasl_error_logger)"),
        "{ok,{file,\"log/error_log.sasl\"}}"
    );
}

#[test]
fn variables_are_substituted_when_asked() {
    let host = Host::new();
    let config = "[{ecallmgr, [{fetch_timeout, ${KZ_TIMEOUT}}, {name, \"${KZ_NAME:-dflt}\"}]}].\n";
    fs::write(host.path("etc/core/ecallmgr.sys.config"), config).unwrap();
    let start = |timeout: Option<&str>| {
        let mut command = host.command(&["start", "ecallmgr"]);
        command.env("RELX_REPLACE_OS_VARS", "true");
        match timeout {
            Some(t) => command.env("KZ_TIMEOUT", t),
            None => command.env_remove("KZ_TIMEOUT"),
        };
        command.output().unwrap()
    };
    let (code, message) = failed(start(None));
    assert_eq!(code, 33, "{message}");
    assert!(message.contains("ecallmgr.sys.config:1: ${KZ_TIMEOUT} is not set"), "{message}");
    let (code, message) = failed(start(Some("{oops")));
    assert_eq!(code, 33, "{message}");
    assert!(message.contains("sys.config:1:"), "line and column: {message}");
    let (code, message) = failed(host.command(&["start", "ecallmgr"]).env("KAZOO_COOKIE", "-bad").output().unwrap());
    assert_eq!(code, 33, "{message}");
    assert!(message.contains("starts with `-`"), "{message}");
    // Given as an option's value, not taken for an option of its own.
    let (code, message) = failed(host.kazoo(&["start", "--cookie", "-abc", "ecallmgr"]));
    assert_eq!(code, 33, "{message}");
    assert!(message.contains("starts with `-`") && !message.contains("-- -abc"), "{message}");

    ok(start(Some("77")));
    assert_eq!(host.eval("ecallmgr", "application:get_env(ecallmgr, fetch_timeout)"), "{ok,77}");
    assert_eq!(host.eval("ecallmgr", "application:get_env(ecallmgr, name)"), "{ok,\"dflt\"}");
    // Without RELX_REPLACE_OS_VARS the file is taken as it is, and fails to parse.
    ok(host.kazoo(&["stop", "ecallmgr"]));
    assert_eq!(failed(host.kazoo(&["start", "ecallmgr"])).0, 33);
}

/// `start --timeout 30` of a node that cannot boot: exit 31 soon after the VM exits, well
/// before the timeout, with the lines of its log that name the cause; no node is left.
fn start_fails_early(host: &Host, node: &str, erl_flags: &str) -> String {
    let started = Instant::now();
    let output = host.command(&["start", node, "--timeout", "30"]).env("ERL_FLAGS", erl_flags).output().unwrap();
    let took = started.elapsed();
    let (code, message) = failed(output);
    assert_eq!(code, 31, "{message}");
    assert!(message.contains("before it had booted"), "the early exit, not the timeout: {message}");
    assert!(took < Duration::from_secs(10), "{node}: start took {took:?} of its 30 s");
    assert_eq!(failed(host.kazoo(&["ping", node])).0, 1, "no node is left running");
    message
}

#[test]
fn start_fails_for_a_node_whose_application_does_not_start_and_says_why() {
    let host = Host::new();
    // The fixture's start/2 returns {error, boom} when its environment says so.
    fs::write(host.path("etc/core/kazoo_apps.sys.config"), "[{kazoo_apps, [{fail_to_start, boom}]}].\n").unwrap();
    let message = start_fails_early(&host, "kazoo_apps", "");
    assert!(message.contains("the log names the cause") && message.contains("application_start_failure"), "{message}");
    assert!(message.contains("boom"), "{message}");
}

#[test]
fn start_fails_early_for_a_bad_emulator_flag() {
    let host = Host::new();
    // erlexec reads ERL_FLAGS, which no checker sees: the emulator itself refuses the value.
    let message = start_fails_early(&host, "ecallmgr", "+A -1");
    assert!(message.contains("exited (exit status: 1)"), "{message}");
    assert!(message.contains("bad number of async threads"), "{message}");
}

#[test]
fn start_fails_early_when_the_kernel_does_not_start() {
    let host = Host::new();
    let kernel = "[{kernel, [{logger, [{handler, default, no_such_module, #{}}]}]}].\n";
    fs::write(host.path("etc/core/ecallmgr.sys.config"), kernel).unwrap();
    let message = start_fails_early(&host, "ecallmgr", "");
    assert!(message.contains("Kernel pid terminated"), "{message}");
}

#[test]
fn start_says_which_signal_ended_the_vm() {
    let host = Host::new();
    // The VM kills itself while it boots: `kill -9 <its pid>`, spelt without spaces or
    // quotes so that erlexec takes it from ERL_FLAGS as one word.
    let message = start_fails_early(&host, "ecallmgr", "-eval os:cmd([107,105,108,108,32,45,57,32]++os:getpid())");
    assert!(message.contains("was ended by signal: 9 (SIGKILL)"), "{message}");
}

/// Readiness is the boot script run to its end and the applications the node type names
/// running. `-eval` runs once the boot script has started every application, before init
/// says `{started, started}`: a dependency it stops (as a broker stops `syslog` once its
/// own logging is set up) does not hold `start`; an application the release names does,
/// until the timeout says what is missing.
#[test]
fn start_waits_for_the_applications_the_node_type_names() {
    let host = Host::new();
    let start = |timeout: &str, erl_flags: &str| {
        host.command(&["start", "kazoo_apps", "--timeout", timeout]).env("ERL_FLAGS", erl_flags).output().unwrap()
    };
    let started = Instant::now();
    ok(start("20", "-eval application:stop(goldrush)"));
    assert!(started.elapsed() < Duration::from_secs(10), "start took {:?}", started.elapsed());
    assert_eq!(host.eval("kazoo_apps", "lists:keymember(goldrush, 1, application:which_applications())."), "false");
    assert_eq!(host.eval("kazoo_apps", "kazoo_apps_server:ping()."), "pong");
    ok(host.kazoo(&["stop", "kazoo_apps"]));

    let (code, message) = failed(start("4", "-eval application:stop(runtime_tools)"));
    assert_eq!(code, 31, "{message}");
    assert!(message.contains("within 4s: it was still waiting for applications runtime_tools to run"), "{message}");
    assert_eq!(failed(host.kazoo(&["ping", "kazoo_apps"])).0, 1, "the node was killed");
}

#[test]
fn a_cookie_the_starting_node_rejects_ends_the_wait_with_exit_12() {
    let host = Host::new();
    // erlexec reads ERL_FLAGS: the VM takes another cookie than kazoo's.
    let output = host
        .command(&["start", "ecallmgr", "--timeout", "30"])
        .env("ERL_FLAGS", "-setcookie not_ours")
        .output()
        .unwrap();
    let (code, message) = failed(output);
    assert_eq!(code, 12, "not the timeout's 31: {message}");
    assert!(message.contains("rejects the cookie"), "{message}");
    assert_eq!(failed(host.kazoo(&["ping", "ecallmgr"])).0, 1, "the node was killed");
}

/// The pid of the process listening on TCP `port` here (`ss`, by port, not by name).
fn listener(port: &str) -> u32 {
    let ss = ok(Command::new("ss").args(["-Hltnp", &format!("sport = :{port}")]).output().unwrap());
    let pid = ss
        .split("pid=")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap_or_else(|| panic!("no listener on {port}: {ss}"));
    pid.parse().unwrap()
}

#[test]
fn a_node_is_known_by_its_process_when_epmd_is_gone() {
    let host = Host::new();
    ok(host.kazoo(&["start", "ecallmgr"]));
    let pid: u32 = ok(host.kazoo(&["pid", "ecallmgr"])).trim().parse().unwrap();
    ok(Command::new("kill").args(["-KILL", &listener(&host.epmd.0).to_string()]).output().unwrap());
    assert_eq!(failed(host.kazoo(&["ping", "ecallmgr"])).0, 10, "EPMD is gone");

    let status = status_json(&host).into_iter().find(|s| s["node_type"] == "ecallmgr").unwrap();
    assert_eq!((status["running"].as_bool(), status["pid"].as_u64()), (Some(true), Some(u64::from(pid))), "{status}");
    assert!(status["note"].as_str().unwrap().contains("is EPMD gone?"), "{status}");
    let (code, message) = failed(host.kazoo(&["start", "ecallmgr"]));
    assert_eq!(code, 30, "{message}");
    assert!(message.contains(&format!("OS pid {pid}")), "{message}");

    let stop = host.kazoo(&["stop", "ecallmgr"]);
    assert!(text(&stop.stderr).contains("stopping it with SIGTERM"), "{}", text(&stop.stderr));
    ok(stop);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists()
            || fs::read_to_string(format!("/proc/{pid}/stat")).unwrap().contains(") Z"),
        "the VM is gone"
    );
}

#[test]
fn status_shows_the_recorded_pid_of_a_node_it_cannot_ask() {
    let host = Host::new();
    ok(host.kazoo(&["start", "ecallmgr"]));
    let pid: u64 = ok(host.kazoo(&["pid", "ecallmgr"])).trim().parse().unwrap();
    let statuses: Vec<serde_json::Value> =
        serde_json::from_str(&ok(host.kazoo(&["status", "--json", "--cookie", "not_its_cookie"]))).unwrap();
    let status = statuses.iter().find(|s| s["node_type"] == "ecallmgr").unwrap();
    assert_eq!((status["pid"].as_u64(), status["running"].as_bool()), (Some(pid), Some(true)), "{status}");
    assert!(status["error"].as_str().unwrap().contains("rejected the cookie"), "{status}");
    let table = ok(host.kazoo(&["status", "--cookie", "not_its_cookie"]));
    assert!(table.lines().any(|l| l.contains("unknown") && l.contains(&pid.to_string())), "{table}");
}

#[test]
fn stop_kill_says_when_it_had_to_kill() {
    let host = Host::new();
    ok(host.kazoo(&["start", "ecallmgr"]));
    let pid = ok(host.kazoo(&["pid", "ecallmgr"])).trim().to_owned();
    // A suspended VM cannot stop by itself: only the kill ends it.
    ok(Command::new("kill").args(["-STOP", &pid]).output().unwrap());
    let output = host.kazoo(&["stop", "ecallmgr", "--timeout", "1", "--kill"]);
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("its VM (OS pid {pid}) was killed")), "{stderr}");
    ok(output);
}
