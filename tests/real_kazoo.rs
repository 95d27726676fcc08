//! The real Kazoo (`KAZOO_SRC`, else ../shared/kazoo-src beside the checkout): built by
//! `cargo build -p kazoo` (its Erlang compiled, generated files made, compatibility patches
//! applied), its boot scripts compared with systools', and both node types started from the
//! unpacked tree's own bin/kazoo on a host with no Erlang and no build tree, as the service
//! user, against RabbitMQ (Debian's) and pouchdb-server (a CouchDB-compatible database) on
//! that host's loopback.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

use support::deployment::{checkout, Deployment};
use support::kazoo_src::kazoo_src;
use support::{failed, ok, text};

const NODE_TYPES: [&str; 2] = ["kazoo_apps", "ecallmgr"];

/// The kazoo binary built from the real Kazoo, in a target dir of its own (the fixture
/// build stays the other tests'). Built once per test binary; cargo's lock makes test
/// binaries that ask at once take turns, and the later ones find it up to date.
fn real_kazoo() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let target = checkout().join("target/real-kazoo");
        let output = Command::new(env!("CARGO"))
            .args(["build", "-p", "kazoo", "--target-dir"])
            .arg(&target)
            .env("KAZOO_SRC", kazoo_src())
            .current_dir(checkout())
            .output()
            .unwrap();
        assert!(output.status.success(), "KAZOO_SRC=… cargo build -p kazoo failed:\n{}", text(&output.stderr));
        // Where the fixture build's binary is under target/ (target/<host tuple>/debug/kazoo).
        let fixture = Path::new(env!("CARGO_BIN_EXE_kazoo"));
        target.join(fixture.strip_prefix(checkout().join("target")).expect("the fixture build is under target/"))
    })
}

/// A deployment of the real Kazoo with config.ini naming the broker and database it runs.
fn deployment() -> Deployment {
    let deployment = Deployment::new(real_kazoo());
    // The cookie our commands give the node and the one Kazoo's kazoo_apps_init sets on it.
    let cookie = &deployment.env().into_iter().find(|(k, _)| *k == "KAZOO_COOKIE").unwrap().1;
    let config = format!(
        "[amqp]\nuri = \"amqp://guest:guest@127.0.0.1:5672\"\n\n[bigcouch]\nip = \"127.0.0.1\"\nport = 5984\n\n\
         [kazoo_apps]\ncookie = {cookie}\n\n[ecallmgr]\ncookie = {cookie}\n\n[log]\nconsole = info\n"
    );
    fs::write(deployment.path("etc/config.ini"), config).unwrap();
    for dir in ["rabbitmq", "pouchdb"] {
        fs::create_dir(deployment.path(dir)).unwrap();
    }
    deployment
}

/// Starts RabbitMQ on the host's loopback and waits for its port; it ends with the host.
fn start_rabbitmq(deployment: &Deployment) -> Service {
    let dir = |sub: &str| deployment.path(sub).display().to_string();
    let rabbit_env = [
        ("PATH", "/usr/bin:/bin".to_owned()),
        ("HOME", dir("rabbitmq")),
        ("RABBITMQ_NODENAME", "rabbit@localhost".to_owned()),
        ("RABBITMQ_MNESIA_BASE", dir("rabbitmq/mnesia")),
        ("RABBITMQ_LOG_BASE", dir("rabbitmq/log")),
        ("RABBITMQ_ENABLED_PLUGINS_FILE", dir("rabbitmq/enabled_plugins")),
        ("RABBITMQ_CONFIG_FILE", dir("rabbitmq/none")),
        ("RABBITMQ_ADVANCED_CONFIG_FILE", dir("rabbitmq/none.config")),
    ];
    // Kazoo declares x-consistent-hash exchanges: without the plugin the broker closes its
    // connections ("unknown exchange type") and every publish fails with noproc.
    fs::write(deployment.path("rabbitmq/enabled_plugins"), "[rabbitmq_consistent_hash_exchange].\n").unwrap();
    let rabbit = deployment.host.service("/usr/lib/rabbitmq/bin/rabbitmq-server", &[] as &[&str], &rabbit_env);
    let log = deployment.path("rabbitmq/out");
    let service = spawn_logged(rabbit, &log, "RabbitMQ (rabbitmq-server; scripts/setup.sh installs it)");
    wait_for_port(deployment, 5672, &log);
    service
}

/// Starts pouchdb-server, in memory, on the host's loopback; it ends with the host.
fn start_pouchdb(deployment: &Deployment) -> Service {
    let args = ["--in-memory", "-p", "5984", "-o", "127.0.0.1"];
    let mut pouchdb =
        deployment.host.service("pouchdb-server", &args, &[("PATH", "/usr/local/bin:/usr/bin:/bin".into())]);
    pouchdb.current_dir(deployment.path("pouchdb"));
    let log = deployment.path("pouchdb/out");
    let service = spawn_logged(pouchdb, &log, "pouchdb-server (scripts/setup.sh installs it with npm)");
    wait_for_port(deployment, 5984, &log);
    service
}

fn wait_for_port(deployment: &Deployment, port: u16, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(180);
    while http(deployment, port, None).is_none() {
        let said = || fs::read_to_string(log).unwrap_or_default();
        assert!(Instant::now() < deadline, "port {port} did not open on the host within 180 s:\n{}", said());
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// A service's `nsenter`, reaped when dropped; the service itself ends with the host.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Spawns a service with its output in `log` (shown when it does not come up).
fn spawn_logged(mut command: Command, log: &Path, what: &str) -> Service {
    let log = fs::File::create(log).unwrap();
    command.stdin(Stdio::null()).stdout(log.try_clone().unwrap()).stderr(log);
    Service(command.spawn().unwrap_or_else(|e| panic!("{what} does not start: {e}")))
}

/// Connects to `port` on the host's loopback; with `get`, sends that GET and returns the
/// reply (bash's /dev/tcp: no client tool needed).
fn http(deployment: &Deployment, port: u16, get: Option<&str>) -> Option<String> {
    let script = match get {
        None => format!("exec 3<>/dev/tcp/127.0.0.1/{port}"),
        Some(path) => {
            format!("exec 3<>/dev/tcp/127.0.0.1/{port} && printf 'GET {path} HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3")
        }
    };
    let output = deployment.host.service("bash", &["-c", &script], &[]).output().unwrap();
    output.status.success().then(|| text(&output.stdout))
}

/// One host, one broker (it takes half a minute to boot): first without a database, then
/// with one.
#[test]
fn both_node_types_start_from_the_unpacked_tree_and_run_kazoo_once_their_database_is_there() {
    let deployment = deployment();
    let root = deployment.path("opt/kazoo");
    let _rabbitmq = start_rabbitmq(&deployment);

    // Without a database kazoo_data waits for one forever: start gives up at --timeout,
    // says what was still starting, and leaves no node behind.
    let began = Instant::now();
    let (code, message) = failed(deployment.run(&root, &["start", "kazoo_apps", "--timeout", "30"]));
    let took = began.elapsed();
    assert_eq!(code, 31, "{message}");
    assert!(message.contains("within 30s") && message.contains("still"), "{message}");
    assert!(took < Duration::from_secs(50), "start gave up after {took:?}");
    assert!(!deployment.run(&root, &["ping", "kazoo_apps"]).status.success(), "the node was not killed");

    let _pouchdb = start_pouchdb(&deployment);
    for node in NODE_TYPES {
        let started = ok(deployment.run(&root, &["start", node, "--timeout", "180"]));
        assert!(started.contains(&format!("started {node}@")), "{started}");
        assert_eq!(ok(deployment.run(&root, &["ping", node])).trim(), "pong");
        let running =
            ok(deployment.run(&root, &["eval", node, "[A || {A, _, _} <- application:which_applications()]."]));
        for app in [node, "kazoo_data", "kazoo_amqp", "lager"] {
            assert!(running.contains(app), "{app} runs on {node}: {running}");
        }
        // Kazoo reads config.ini itself (zucchini-binaries.patch): the broker's URI from it.
        let uri = ok(deployment.run(&root, &["eval", node, "kz_config:get_binary(<<\"amqp\">>, <<\"uri\">>)."]));
        assert!(uri.contains("amqp://guest:guest@127.0.0.1:5672"), "{node} read config.ini: {uri}");
        let lager = ok(deployment.run(&root, &["eval", node, "{ok, V} = application:get_key(lager, vsn), V."]));
        assert_eq!(lager.trim(), "\"3.6.10\"", "Kazoo's pinned lager, not the OTP install's");
    }
    // Kazoo wrote its system databases into the database config.ini names.
    let databases = http(&deployment, 5984, Some("/_all_dbs")).unwrap();
    assert!(databases.contains("system_config"), "{databases}");
    // kazoo_apps started its kapps, crossbar among them: its API answers (an unauthenticated
    // request is refused as such).
    let deadline = Instant::now() + Duration::from_secs(120);
    let about = loop {
        match http(&deployment, 8000, Some("/v2/about")) {
            Some(reply) if reply.contains("\"status\"") => break reply,
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(500)),
            reply => panic!("crossbar's API did not answer on port 8000 within 120 s: {reply:?}"),
        }
    };
    assert!(about.contains("invalid_credentials"), "{about}");
    for node in NODE_TYPES {
        ok(deployment.run(&root, &["stop", node]));
        assert!(!deployment.run(&root, &["ping", node]).status.success(), "{node} still answers after stop");
    }
}

#[test]
fn the_boot_scripts_are_what_systools_makes_from_the_same_rel() {
    let out = tempfile::tempdir().unwrap();
    ok(Command::new(real_kazoo()).arg("build-release").arg("--out").arg(out.path()).output().unwrap());
    let tree = out.path().join("kazoo");
    let vsn = fs::read_to_string(tree.join("releases/start_erl.data")).unwrap();
    let releases = tree.join("releases").join(vsn.split_whitespace().nth(1).unwrap());
    for node in NODE_TYPES {
        // systools writes its .script beside ours in a scratch dir, with the tree's lib/ as
        // `$ROOT`; both are read back by file:consult and compared as terms.
        let scratch = tempfile::tempdir().unwrap();
        let expr = format!(
            "{{ok, _, _}} = systools:make_script({rel:?}, [{{path, [{lib:?}]}}, {{outdir, {scratch:?}}}, \
             {{variables, [{{\"ROOT\", {root:?}}}]}}, silent, no_module_tests]), \
             {{ok, [Ours]}} = file:consult({ours:?}), {{ok, [Theirs]}} = file:consult({theirs:?}), \
             io:format(\"~p~n\", [Ours =:= Theirs]), halt().",
            rel = releases.join(node).display().to_string(),
            lib = tree.join("lib/*/ebin").display().to_string(),
            scratch = scratch.path().display().to_string(),
            root = tree.display().to_string(),
            ours = releases.join(format!("{node}.script")).display().to_string(),
            theirs = scratch.path().join(format!("{node}.script")).display().to_string(),
        );
        let same = ok(support::vm_in(&mut support::command("erl", scratch.path()), scratch.path())
            .args(["-noshell", "-noinput", "-eval", &expr])
            .output()
            .unwrap());
        assert_eq!(same.trim(), "true", "{node}'s boot script differs from systools'");
    }
}

/// What OTP 24 and 25 removed that the real Kazoo still calls: no patch of the example mends them.
const REMOVED_AND_CALLED: [&str; 6] = [
    "crypto:block_decrypt/4",
    "crypto:block_encrypt/4",
    "erlang:get_stacktrace/0",
    "http_uri:parse/1",
    "pg2:join/2",
    "ssl:seed/1",
];

/// What OTP removed that the example's patches (examples/kazoo/patches) replace.
const REMOVED_AND_PATCHED: [&str; 4] =
    ["crypto:hmac/3", "crypto:rand_bytes/1", "ssl:ssl_accept/3", "ssl:cipher_suites/0"];

#[test]
fn xref_finds_what_otps_xref_finds_and_what_otp_removed_that_no_patch_mends() {
    let out = tempfile::tempdir().unwrap();
    let xref = Command::new(real_kazoo()).arg("xref").arg("--json").arg("--out").arg(out.path()).output().unwrap();
    assert_eq!(xref.status.code(), Some(50), "{}", text(&xref.stderr));
    let tree = kazoo_release::tree::Tree::open(&out.path().join("kazoo")).unwrap();
    for (node, ours) in support::xref::reported_undefined(&text(&xref.stdout)) {
        let otps = support::xref::otp_undefined_of_node(&tree, &node, out.path());
        assert_eq!(ours, otps, "node type {node}: ours and OTP's xref differ");
        for call in REMOVED_AND_CALLED {
            assert!(ours.contains(call), "node type {node}: {call} not found");
        }
        for call in REMOVED_AND_PATCHED {
            assert!(!ours.contains(call), "node type {node}: {call} is called, yet a patch replaces it");
        }
    }
}
