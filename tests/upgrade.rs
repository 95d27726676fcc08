//! `kazoo upgrade | downgrade | releases` end to end: a real kazoo_apps node of a tree at
//! 4.3.0 moved to versions the test makes from that tree's own tarball (kazoo_apps at a new
//! vsn with a new kazoo_apps_server, whose state gains a field in `code_change`, and a new
//! module), and back, without a restart.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "support/mod.rs"]
mod support;

#[path = "support/next_version.rs"]
mod next_version;

use next_version::NEXT_SERVER;

use support::{failed, ok, vm_in, Epmd};

/// A next version whose code_change crashes.
const CRASHING_SERVER: &str = r#"
-module(kazoo_apps_server).
-behaviour(gen_server).
-export([start_link/0, ping/0]).
-export([init/1, handle_call/3, handle_cast/2, code_change/3]).
start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
ping() -> gen_server:call(?MODULE, ping).
init([]) -> {ok, {state, 0, fresh}}.
handle_call(_Any, _From, State) -> {reply, crashing_version, State}.
handle_cast(_Msg, State) -> {noreply, State}.
code_change(_OldVsn, _State, _Extra) -> erlang:error(boom_in_code_change).
"#;

/// A client of kazoo_apps_server on the node: a call every millisecond until asked for
/// `{calls, Ok, Failed, LongestMicroseconds}`.
const CALLER: &str =
    "Caller = spawn(fun() -> Loop = fun L(Ok, Err, Max) -> receive {report, From} -> From ! {calls, Ok, Err, Max} \
    after 1 -> T0 = erlang:monotonic_time(microsecond), \
    R = try gen_server:call(kazoo_apps_server, ping, 5000) of pong -> ok catch _:_ -> err end, \
    D = erlang:monotonic_time(microsecond) - T0, \
    case R of ok -> L(Ok + 1, Err, max(Max, D)); err -> L(Ok, Err + 1, max(Max, D)) end end end, \
    Loop(0, 0, 0) end), register(kazoo_caller, Caller), ok";

/// An application that is its own supervisor; with `fail`, its start fails.
const EXTRA_APP: &str = r#"
-module(kazoo_extra_app).
-behaviour(application).
-behaviour(supervisor).
-export([start/2, stop/1, init/1]).
start(_Type, _Args) ->
    case application:get_env(kazoo_extra, fail) of
        {ok, true} -> {error, refused_to_start};
        _ -> supervisor:start_link(?MODULE, [])
    end.
stop(_State) -> ok.
init([]) -> {ok, {#{}, []}}.
"#;

/// Adds application kazoo_extra at `extra` to the version staged at `src` (node type kazoo_apps).
fn add_extra_app(src: &Path, vsn: &str, extra: &str, fail: bool) {
    let ebin = src.join(format!("lib/kazoo_extra-{extra}/ebin"));
    fs::create_dir_all(&ebin).unwrap();
    let env = if fail { "[{fail, true}]" } else { "[]" };
    fs::write(
        ebin.join("kazoo_extra.app"),
        format!(
            "{{application, kazoo_extra, [{{vsn, \"{extra}\"}}, {{modules, [kazoo_extra_app]}}, {{registered, []}}, \
             {{applications, [kernel, stdlib]}}, {{mod, {{kazoo_extra_app, []}}}}, {{env, {env}}}]}}.\n"
        ),
    )
    .unwrap();
    let source = src.join("kazoo_extra_app.erl");
    fs::write(&source, EXTRA_APP).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let mut erlc = Command::new("erlc");
    assert!(vm_in(&mut erlc, scratch.path()).arg("-o").arg(&ebin).arg(&source).status().unwrap().success());
    fs::remove_file(&source).unwrap();
    let rel = src.join(format!("releases/{vsn}/kazoo_apps.rel"));
    let text = fs::read_to_string(&rel).unwrap();
    let ours = format!("{{kazoo_apps, \"{vsn}\"}}");
    fs::write(&rel, text.replace(&ours, &format!("{ours},\n{{kazoo_extra, \"{extra}\"}}"))).unwrap();
}

/// One test's machine with a tree at 4.3.0 in `rel/kazoo`; its node is stopped when dropped.
struct Host {
    dir: tempfile::TempDir,
    epmd: Epmd,
    cookie: String,
}

impl Host {
    fn new() -> Host {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = tempfile::tempdir().unwrap();
        for sub in ["home", "etc/core"] {
            fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        let cookie = format!("secret_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let host = Host { dir, epmd: Epmd::private(), cookie };
        let mut build = host.command(env!("CARGO_BIN_EXE_kazoo"), &["build-release", "--out", "rel"]);
        ok(build.output().unwrap());
        host
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.path().join(sub)
    }

    fn root(&self) -> PathBuf {
        self.path("rel/kazoo")
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let path = |sub: &str| self.path(sub).display().to_string();
        let mut command = Command::new(program);
        command.args(args).current_dir(self.dir.path());
        command.envs([
            ("ERL_EPMD_PORT", self.epmd.0.clone()),
            ("HOME", path("home")),
            ("PIPE_DIR", path("pipes")),
            ("KAZOO_CONFIG_DIR", path("etc")),
            ("KAZOO_COOKIE", self.cookie.clone()),
        ]);
        for var in [
            "REL",
            "KAZOO_PROFILE",
            "KAZOO_REL_DIR",
            "RUNNER_LOG_DIR",
            "RELX_REPLACE_OS_VARS",
            "NODE_NAME_TYPE",
            "KAZOO_CONFIG",
            "KAZOO_NODE",
        ] {
            command.env_remove(var);
        }
        command
    }

    /// The tree's own binary, as on a run host.
    fn kazoo(&self, args: &[&str]) -> Output {
        let binary = self.root().join("bin/kazoo");
        self.command(binary.to_str().unwrap(), args).output().expect("kazoo runs")
    }

    fn eval(&self, expr: &str) -> String {
        ok(self.kazoo(&["eval", "kazoo_apps", expr])).trim().to_owned()
    }

    fn os_pid(&self) -> String {
        ok(self.kazoo(&["pid", "kazoo_apps"])).trim().to_owned()
    }

    fn start(&self) {
        ok(self.kazoo(&["start", "kazoo_apps"]));
    }

    fn app_vsn(&self) -> String {
        self.eval("{_, _, V} = lists:keyfind(kazoo_apps, 1, application:which_applications()), V")
    }

    /// `releases` without the nodes each version is current on.
    fn releases(&self) -> String {
        let text = ok(self.kazoo(&["releases"]));
        text.lines().map(|l| format!("{}\n", l.split(", current on").next().unwrap())).collect()
    }

    /// A tarball of version `vsn` made from this host's tree (support/next_version.rs).
    fn next_version(&self, vsn: &str, server: &str) -> PathBuf {
        next_version::tarball(&self.root(), self.dir.path(), vsn, server, |_| {})
    }

    fn tarball_of(&self, vsn: &str, server: &str, edit: impl FnOnce(&Path)) -> PathBuf {
        next_version::tarball(&self.root(), self.dir.path(), vsn, server, edit)
    }

    fn booted(&self) -> String {
        fs::read_to_string(self.root().join("releases/start_erl.data")).unwrap().trim().to_owned()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let binary = self.root().join("bin/kazoo");
        let _ = self
            .command(binary.to_str().unwrap(), &["stop", "kazoo_apps", "--kill", "--timeout", "10"])
            .stderr(Stdio::null())
            .output();
    }
}

#[test]
fn upgrade_keeps_the_node_and_its_state_and_downgrade_goes_back() {
    let host = Host::new();
    host.start();
    let pid = host.os_pid();
    for _ in 0..3 {
        assert_eq!(host.eval("kazoo_apps_server:ping()"), "pong");
    }
    assert_eq!(host.releases(), "4.3.0 permanent\n");
    let tarball = host.next_version("4.3.1", NEXT_SERVER);
    let tarball = tarball.to_str().unwrap();

    // A dry run says the plan and changes nothing.
    let plan = ok(host.kazoo(&["upgrade", tarball, "kazoo_apps", "--dry-run"]));
    for line in [
        "application kazoo_apps 4.3.0 -> 4.3.1",
        "module kazoo_apps_server (kazoo_apps) changed",
        "module kazoo_apps_next (kazoo_apps) added",
    ] {
        assert!(plan.contains(line), "{line} in\n{plan}");
    }
    assert!(!plan.contains("kazoo_apps_sup"), "an unchanged module is not in the plan:\n{plan}");
    assert_eq!(host.releases(), "4.3.0 permanent\n");
    assert!(!host.root().join("lib/kazoo_apps-4.3.1").exists());
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "3");

    // The upgrade: same VM, the state carried through code_change, the new code answering,
    // and a client calling the server every millisecond throughout loses no call.
    assert_eq!(host.eval(CALLER), "ok");
    let upgraded = host.kazoo(&["upgrade", tarball, "kazoo_apps"]);
    let took = took(&upgraded);
    let output = ok(upgraded);
    assert!(output.contains("module kazoo_apps_server (kazoo_apps) changed"), "{output}");
    // Each phase's time: the client's, then the node's own of the switch.
    let phases = ["unpack", "plan", "apply", "permanent", "suspend", "load", "code_change", "resume"];
    for phase in phases {
        assert!(took.contains(&format!(" {phase} ")), "{phase} in {took}");
    }
    assert!(took.contains("(on the node: suspend "), "{took}");
    assert_eq!(host.os_pid(), pid);
    let report = host.eval(
        "kazoo_caller ! {report, self()}, receive {calls, Ok, Err, Max} -> {Ok, Err, Max} after 5000 -> timeout end",
    );
    let [calls, errors, longest]: [u64; 3] = report
        .trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .map(|n| n.parse().unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    assert_eq!(errors, 0, "calls that failed: {report}");
    assert!(calls > 0, "{report}");
    eprintln!("{calls} calls through the upgrade, the longest {longest} us");
    let state = format!("{{state,{},upgraded}}", 3 + calls);
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), state);
    assert_eq!(host.eval("gen_server:call(kazoo_apps_server, which)"), format!("{{next,{state}}}"));
    assert_eq!(host.eval("kazoo_apps_next:hello()"), "'from_4.3.1'");
    assert_eq!(host.app_vsn(), "\"4.3.1\"");
    assert_eq!(host.eval("application:get_env(kazoo_apps, release_note)"), "{ok,\"4.3.1\"}");
    assert!(host.eval("code:which(kazoo_apps_server)").contains("kazoo_apps-4.3.1/ebin"));
    // Unpacked beside 4.3.0: the new application dir and binary, the rest shared.
    assert!(host.root().join("lib/kazoo_apps-4.3.0/ebin").is_dir());
    assert!(host.root().join("bin/kazoo-4.3.1").is_file());
    assert_eq!(
        fs::read_dir(host.root().join("lib"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("lager-"))
            .count(),
        1
    );
    // Permanent: what the tree boots.
    assert!(host.booted().ends_with(" 4.3.1"));
    assert_eq!(host.releases(), "4.3.0 old\n4.3.1 permanent\n");
    let listed = ok(host.kazoo(&["releases"]));
    assert!(listed.contains("4.3.1 permanent, current on kazoo_apps@"), "{listed}");
    assert!(listed.starts_with("4.3.0 old\n"), "{listed}");
    let releases = fs::read_to_string(host.root().join("releases/RELEASES")).unwrap();
    assert!(releases.contains("\"4.3.1\"") && releases.contains("permanent"), "{releases}");

    // Downgrade: the same machinery the other way.
    let output = ok(host.kazoo(&["downgrade", "4.3.0", "kazoo_apps"]));
    assert!(output.contains("downgrade"), "{output}");
    assert_eq!(host.os_pid(), pid);
    let n = 3 + calls;
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), n.to_string());
    assert_eq!(host.eval("kazoo_apps_server:ping()"), "pong");
    assert_eq!(host.eval("code:is_loaded(kazoo_apps_next)"), "false");
    assert_eq!(host.app_vsn(), "\"4.3.0\"");
    assert_eq!(host.eval("application:get_env(kazoo_apps, release_note)"), "undefined");
    assert!(host.booted().ends_with(" 4.3.0"));
    assert_eq!(host.releases(), "4.3.0 permanent\n4.3.1 old\n");

    // Up again by version, then a restart boots the permanent 4.3.1.
    ok(host.kazoo(&["upgrade", "4.3.1", "kazoo_apps"]));
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), format!("{{state,{},upgraded}}", n + 1));
    ok(host.kazoo(&["stop", "kazoo_apps"]));
    host.start();
    assert_eq!(host.app_vsn(), "\"4.3.1\"");
    assert_eq!(host.eval("gen_server:call(kazoo_apps_server, which)"), "{next,{state,0,fresh}}");
}

#[test]
fn a_crashing_code_change_is_rolled_back() {
    let host = Host::new();
    host.start();
    let pid = host.os_pid();
    for _ in 0..2 {
        host.eval("kazoo_apps_server:ping()");
    }
    let tarball = host.next_version("4.3.2", CRASHING_SERVER);
    let (code, stderr) = failed(host.kazoo(&["upgrade", tarball.to_str().unwrap(), "kazoo_apps"]));
    assert_eq!(code, 43, "{stderr}");
    assert!(stderr.contains("code_change of kazoo_apps_server") && stderr.contains("boom_in_code_change"), "{stderr}");
    assert!(stderr.contains("put back"), "{stderr}");
    // The node runs what it ran: the same VM, the old code, its state, paths and environment.
    assert_eq!(host.os_pid(), pid);
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "2");
    assert_eq!(host.eval("kazoo_apps_server:ping()"), "pong");
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "3");
    assert!(host.eval("code:which(kazoo_apps_server)").contains("kazoo_apps-4.3.0/ebin"));
    assert!(host.eval("code:lib_dir(kazoo_apps)").contains("kazoo_apps-4.3.0"));
    assert_eq!(host.eval("code:is_loaded(kazoo_apps_next)"), "false");
    assert_eq!(host.app_vsn(), "\"4.3.0\"");
    assert_eq!(host.eval("application:get_env(kazoo_apps, release_note)"), "undefined");
    assert_eq!(
        host.eval("sys:get_status(kazoo_apps_server) =/= suspended, element(1, sys:get_status(kazoo_apps_server))"),
        "status"
    );
    // Unpacked, but not permanent.
    assert!(host.booted().ends_with(" 4.3.0"));
    assert_eq!(host.releases(), "4.3.0 permanent\n4.3.2 unpacked\n");
}

#[test]
fn a_tarball_of_another_release_or_erts_is_refused() {
    let host = Host::new();
    let other = host.tarball_of("4.3.1", NEXT_SERVER, |src| {
        let releases = src.join("releases");
        let rel = fs::read_to_string(releases.join("kazoo-4.3.1.rel")).unwrap().replace("\"kazoo\"", "\"other\"");
        fs::remove_file(releases.join("kazoo-4.3.1.rel")).unwrap();
        fs::write(releases.join("other-4.3.1.rel"), rel).unwrap();
    });
    let (code, stderr) = failed(host.kazoo(&["upgrade", other.to_str().unwrap()]));
    assert_eq!(code, 40, "{stderr}");
    assert!(stderr.contains("release `other`") && stderr.contains("release `kazoo`"), "{stderr}");
    let erts = host.tarball_of("4.3.1", NEXT_SERVER, |src| {
        fs::write(src.join("releases/start_erl.data"), "99.0 4.3.1\n").unwrap();
    });
    let (code, stderr) = failed(host.kazoo(&["upgrade", erts.to_str().unwrap()]));
    assert_eq!(code, 41, "{stderr}");
    assert!(stderr.contains("ERTS 99.0"), "{stderr}");
    // Nothing of either was unpacked.
    assert_eq!(host.releases(), "4.3.0 permanent\n");
    assert!(!host.root().join("lib/kazoo_apps-4.3.1").exists());
    assert!(!fs::read_dir(host.root()).unwrap().flatten().any(|e| e.file_name().to_string_lossy().starts_with('.')));
}

#[test]
fn an_added_application_is_started_and_one_that_does_not_start_puts_all_back() {
    let host = Host::new();
    host.start();
    let pid = host.os_pid();
    for _ in 0..2 {
        host.eval("kazoo_apps_server:ping()");
    }
    let running = "lists:keymember(kazoo_extra, 1, application:which_applications())";

    // kazoo_extra does not start: the code_change already made is undone too.
    let bad = host.tarball_of("4.3.3", NEXT_SERVER, |src| add_extra_app(src, "4.3.3", "1.0", true));
    let bad = bad.to_str().unwrap();
    let plan = ok(host.kazoo(&["upgrade", bad, "--dry-run"]));
    assert!(plan.contains("application kazoo_extra 1.0 added (started)"), "{plan}");
    let (code, stderr) = failed(host.kazoo(&["upgrade", bad, "kazoo_apps"]));
    assert_eq!(code, 43, "{stderr}");
    assert!(stderr.contains("start kazoo_extra") && stderr.contains("refused_to_start"), "{stderr}");
    assert!(stderr.contains("code_change kazoo_apps_server"), "the code_change was undone: {stderr}");
    assert_eq!(host.os_pid(), pid);
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "2");
    assert_eq!(host.eval("kazoo_apps_server:ping()"), "pong");
    assert!(host.eval("code:which(kazoo_apps_server)").contains("kazoo_apps-4.3.0/ebin"));
    assert_eq!(host.eval(running), "false");
    assert_eq!(host.eval("code:is_loaded(kazoo_extra_app)"), "false");
    assert_eq!(host.eval("code:lib_dir(kazoo_extra)"), "{error,bad_name}");
    assert!(host.booted().ends_with(" 4.3.0"));

    // kazoo_extra starts: added with the upgrade, stopped by the downgrade.
    let good = host.tarball_of("4.3.4", NEXT_SERVER, |src| add_extra_app(src, "4.3.4", "1.1", false));
    ok(host.kazoo(&["upgrade", good.to_str().unwrap(), "kazoo_apps"]));
    assert_eq!(host.eval(running), "true");
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "{state,3,upgraded}");
    let output = ok(host.kazoo(&["downgrade", "4.3.0", "kazoo_apps"]));
    assert!(output.contains("application kazoo_extra 1.1 removed (stopped)"), "{output}");
    assert_eq!(host.eval(running), "false");
    assert_eq!(host.eval("code:is_loaded(kazoo_extra_app)"), "false");
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "3");
    assert_eq!(host.os_pid(), pid);
}

#[test]
fn an_operators_sys_config_stays_the_nodes_environment() {
    let host = Host::new();
    let operator = host.path("etc/core/kazoo_apps.sys.config");
    fs::write(&operator, "[{kazoo_apps, [{operator_note, \"mine\"}]}].\n").unwrap();
    host.start();
    let tarball = host.next_version("4.3.1", NEXT_SERVER);
    let output = ok(host.kazoo(&["upgrade", tarball.to_str().unwrap(), "kazoo_apps"]));
    assert!(output.contains(&format!("environment: {} (the operator's", operator.display())), "{output}");
    assert_eq!(host.eval("application:get_env(kazoo_apps, operator_note)"), "{ok,\"mine\"}");
    assert_eq!(host.eval("application:get_env(kazoo_apps, release_note)"), "undefined");
    assert_eq!(host.app_vsn(), "\"4.3.1\"");
    // The wrong way round is refused before anything changes.
    let (code, stderr) = failed(host.kazoo(&["upgrade", "4.3.0", "kazoo_apps"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("use `downgrade 4.3.0`"), "{stderr}");
    assert_eq!(host.app_vsn(), "\"4.3.1\"");
    // A version that is not there is said to be missing, whichever way it would go.
    let (code, stderr) = failed(host.kazoo(&["downgrade", "9.9.9", "kazoo_apps"]));
    assert_eq!(code, 42, "{stderr}");
    assert!(stderr.contains("version 9.9.9 is not unpacked") && !stderr.contains("use `upgrade"), "{stderr}");
}

/// The `took: ...` line an upgrade or downgrade ends its stderr with.
fn took(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.lines().find(|l| l.starts_with("took: ")).unwrap_or_default().to_owned()
}

/// The benchmark behind scripts/bench-upgrade.sh (ignored in test runs): the wall time of
/// `upgrade` and of `downgrade` with a client calling the server every millisecond, and
/// the longest call it saw during each, beside the longest it sees over as long on the idle
/// node (the machine's own jitter).
#[test]
#[ignore]
fn bench_upgrade() {
    let host = Host::new();
    host.start();
    let tarball = host.next_version("4.3.1", NEXT_SERVER);
    let report =
        "kazoo_caller ! {report, self()}, receive {calls, Ok, Err, Max} -> {Ok, Err, Max} after 5000 -> timeout end";
    for args in [vec!["upgrade", tarball.to_str().unwrap(), "kazoo_apps"], vec!["downgrade", "4.3.0", "kazoo_apps"]] {
        assert_eq!(host.eval(CALLER), "ok");
        let started = std::time::Instant::now();
        let output = host.kazoo(&args);
        let wall = started.elapsed();
        let phases = took(&output);
        ok(output);
        let calls = host.eval(report);
        println!("bench: {} took {wall:.2?}; calls meanwhile {{ok, failed, longest us}}: {calls}", args[0]);
        println!("bench:   {phases}");
        // The anchor: the same client over as long a time with nothing changing.
        assert_eq!(host.eval(CALLER), "ok");
        std::thread::sleep(wall);
        println!("bench:   idle node for as long, the same client: {}", host.eval(report));
    }
}

#[test]
fn an_applications_own_appup_gives_its_instructions() {
    let host = Host::new();
    host.start();
    host.eval("kazoo_apps_server:ping()");
    // code_change puts its Extra in the state: the .appup's `{advanced, from_appup}`.
    let server = NEXT_SERVER
        .replace("code_change(_OldVsn, N, _Extra)", "code_change(_OldVsn, N, Extra)")
        .replace("{ok, {state, N, upgraded}}", "{ok, {state, N, Extra}}");
    let tarball = host.tarball_of("4.3.5", &server, |src| {
        fs::write(
            src.join("lib/kazoo_apps-4.3.5/ebin/kazoo_apps.appup"),
            "{\"4.3.5\",\n [{\"4.3.0\", [{add_module, kazoo_apps_next}, {update, kazoo_apps_server, {advanced, from_appup}}]}],\n \
             [{\"4.3.0\", [{update, kazoo_apps_server, {advanced, from_appup}}, {delete_module, kazoo_apps_next}]}]}.\n",
        )
        .unwrap();
    });
    let output = ok(host.kazoo(&["upgrade", tarball.to_str().unwrap(), "kazoo_apps"]));
    assert!(output.contains("application kazoo_apps: the instructions of its .appup"), "{output}");
    assert!(output.contains("module kazoo_apps_server (kazoo_apps) changed (code_change with from_appup)"), "{output}");
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "{state,1,from_appup}");
    assert_eq!(host.eval("kazoo_apps_next:hello()"), "'from_4.3.5'");
    ok(host.kazoo(&["downgrade", "4.3.0", "kazoo_apps"]));
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "1");
    assert_eq!(host.eval("code:is_loaded(kazoo_apps_next)"), "false");
}

#[test]
fn two_upgrades_at_once_take_turns() {
    let host = Host::new();
    host.start();
    host.eval("kazoo_apps_server:ping()");
    let tarball = host.next_version("4.3.1", NEXT_SERVER);
    let binary = host.root().join("bin/kazoo");
    let spawn = || {
        host.command(binary.to_str().unwrap(), &["upgrade", tarball.to_str().unwrap(), "kazoo_apps"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    for child in [first, second] {
        ok(child.wait_with_output().unwrap());
    }
    // code_change ran once: a second one would find the new state and crash.
    assert_eq!(host.eval("sys:get_state(kazoo_apps_server)"), "{state,1,upgraded}");
    assert_eq!(host.app_vsn(), "\"4.3.1\"");
    assert!(host.booted().ends_with(" 4.3.1"));
}
