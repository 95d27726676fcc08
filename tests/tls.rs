//! The distribution locked, across hosts (support/network.rs): the `tls` profile's tree on
//! two hosts with certificates `kazoo certs` made, three nodes started by the trees' own
//! bin/kazoo, every command across hosts over TLS; a plain node with the cookie, a node
//! whose certificate another CA signed and a plain command are refused; what crosses the
//! wire during an `eval` carries none of its text. And a node without EPMD at a fixed port.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;

#[path = "support/network.rs"]
mod network;

#[path = "support/next_version.rs"]
mod next_version;

use network::{Host, Network};
use support::{failed, ok};

/// `kazoo certs ARGS` of the build machine's binary.
fn certs(args: &[&str]) {
    ok(Command::new(env!("CARGO_BIN_EXE_kazoo")).arg("certs").args(args).output().unwrap());
}

/// A CA in `dir`/ca, and each host's certificate and key in its config dir's dist/,
/// where its nodes and commands look.
fn certify(dir: &Path, hosts: &[Host]) {
    let ca = dir.join("ca");
    certs(&["init", "--dir", ca.to_str().unwrap()]);
    for host in hosts {
        let to = host.etc().join("dist");
        certs(&["host", &host.fqdn(), "--dir", ca.to_str().unwrap(), "--to", to.to_str().unwrap()]);
    }
}

/// `erl` on `host` evaluating `expr` with `flags`, as a node of its own with the cookie:
/// what it prints.
fn erl(host: &Host, flags: &[&str], expr: &str, cookie: &str) -> String {
    let name = host.node("stranger");
    // Warnings and worse only: the stranger's own ssl notice of a refused handshake would
    // otherwise go to stdout, before what the expression prints, at times.
    let mut args = vec!["-noshell", "-name", &name, "-setcookie", cookie, "-kernel", "logger_level", "warning"];
    args.extend(flags);
    args.extend(["-eval", expr]);
    let mut command = host.command("erl", &args);
    ok(support::vm_in(&mut command, &host.dir).output().unwrap()).trim().to_owned()
}

/// `erl` as a TLS node with the certificate and key in `dir` (node.pem, node.key),
/// trusting `ca`: what it prints.
fn tls_erl(host: &Host, dir: &Path, ca: &Path, expr: &str, cookie: &str) -> String {
    let optfile = dir.join("stranger_ssl_dist.conf");
    let side = format!(
        "[{{certfile,{:?}}},{{keyfile,{:?}}},{{cacertfile,{ca:?}}},{{verify,verify_peer}}]",
        dir.join("node.pem"),
        dir.join("node.key"),
    );
    fs::write(&optfile, format!("[{{server,{side}}},{{client,{side}}}].\n")).unwrap();
    let said = erl(host, &["-proto_dist", "inet_tls", "-ssl_dist_optfile", optfile.to_str().unwrap()], expr, cookie);
    fs::remove_file(optfile).unwrap();
    said
}

/// A packet capture on `host`'s link, every packet written as it comes.
struct Capture {
    child: Child,
    file: PathBuf,
}

impl Capture {
    fn start(host: &Host) -> Capture {
        let file = host.dir.join("wire.pcap");
        let child = host
            .command(
                "tcpdump",
                &["-Z", "root", "--immediate-mode", "-i", &host.veth, "-U", "-w", file.to_str().unwrap()],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let capture = Capture { child, file };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !capture.file.exists() {
            assert!(
                Instant::now() < deadline,
                "tcpdump did not start (Debian's tcpdump; scripts/setup.sh installs it)"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        capture
    }

    /// Every byte captured, once what was captured holds `seen` (or 10 s have passed).
    fn stop_once(mut self, seen: &str) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !fs::read(&self.file).is_ok_and(|bytes| contains(&bytes, seen)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        self.child.wait().unwrap();
        fs::read(&self.file).unwrap()
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_tls_cluster_on_two_hosts_answers_every_command_and_refuses_strangers() {
    let build = tempfile::tempdir().unwrap();
    let tarball = network::tarball(build.path(), "tls");
    let cookie = format!("tls_{}", std::process::id());
    let network = Network::new(&format!("kzt{}", std::process::id()), 2, Path::new(&tarball), &cookie);
    let [h1, h2] = &network.hosts[..] else { unreachable!() };
    certify(build.path(), &network.hosts);

    ok(h1.kazoo(&["start", "ecallmgr"]));
    ok(h2.kazoo(&["start", "kazoo_apps"]));
    ok(h2.kazoo(&["start", "kazoo_apps", "--name", "kazoo_apps2"]));
    let (ecallmgr, kazoo_apps, kazoo_apps2) = (h1.node("ecallmgr"), h2.node("kazoo_apps"), h2.node("kazoo_apps2"));
    assert_eq!(h1.eval("ecallmgr", "init:get_argument(proto_dist)."), "{ok,[[\"inet_tls\"]]}");

    // Every command, each node from the other host.
    for (from, node) in [(h1, &kazoo_apps), (h1, &kazoo_apps2), (h2, &ecallmgr)] {
        assert_eq!(ok(from.kazoo(&["ping", node])), "pong\n", "{node} from {}", from.hostname);
        assert!(ok(from.kazoo(&["pid", node])).trim().parse::<u32>().is_ok());
        assert_eq!(from.eval(node, "{node(), 6 * 7}."), format!("{{'{node}',42}}"));
        assert_eq!(ok(from.kazoo(&["rpc", node, "erlang", "node"])), format!("'{node}'\n"));
        assert!(ok(from.kazoo(&["versions", node])).contains("4.3.0"));
    }
    // Node to node: OTP's own TLS distribution, each side verifying the other's certificate.
    for node in [&kazoo_apps, &kazoo_apps2] {
        assert_eq!(h1.eval("ecallmgr", &format!("net_adm:ping('{node}').")), "pong");
    }
    let cluster: Vec<serde_json::Value> =
        serde_json::from_str(&ok(h1.kazoo(&["status", "--cluster", "--json"]))).unwrap();
    for node in [&ecallmgr, &kazoo_apps, &kazoo_apps2] {
        let member = cluster.iter().find(|m| m["node"] == node.as_str()).unwrap_or_else(|| panic!("{cluster:?}"));
        assert_eq!(member["reachable"], true, "{member}");
    }
    let status = ok(h2.kazoo(&["status"]));
    assert!(status.contains(&kazoo_apps) && status.contains(&kazoo_apps2) && !status.contains("unknown"), "{status}");

    // remote_console: a shell node with the same TLS flags reaches the node.
    let mut remsh = h1.command(h1.dir.join("opt/kazoo/bin/kazoo"), &["remote_console", &kazoo_apps]);
    remsh
        .env("PIPE_DIR", h1.dir.join("pipes"))
        .env("KAZOO_CONFIG_DIR", h1.etc())
        .env("KAZOO_COOKIE", &cookie)
        .stdin(Stdio::piped());
    let mut shell = remsh.stdout(Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    let line = format!("rpc:call('{kazoo_apps}', erlang, system_info, [otp_release]).\n");
    shell.stdin.take().unwrap().write_all(line.as_bytes()).unwrap();
    let said = support::text(&shell.wait_with_output().unwrap().stdout);
    assert!(said.contains("\"25\"") || said.contains("\"2"), "remote_console said:\n{said}");

    // Upgrade and downgrade of a node, over TLS.
    let next = next_version::tarball(&h2.dir.join("opt/kazoo"), &h2.dir, "4.3.1", next_version::NEXT_SERVER, |_| {});
    let pid = ok(h2.kazoo(&["pid", "kazoo_apps"]));
    ok(h2.kazoo(&["upgrade", next.to_str().unwrap(), "kazoo_apps"]));
    let vsn = "{_, _, V} = lists:keyfind(kazoo_apps, 1, application:which_applications()), V.";
    assert_eq!(h1.eval(&kazoo_apps, vsn), "\"4.3.1\"");
    ok(h2.kazoo(&["downgrade", "4.3.0", "kazoo_apps"]));
    assert_eq!(h1.eval(&kazoo_apps, vsn), "\"4.3.0\"");
    assert_eq!(ok(h2.kazoo(&["pid", "kazoo_apps"])), pid, "the same VM throughout");

    // What crosses the wire during an eval carries none of the expression's text, but the
    // capture saw the command: its EPMD request, which is plain, names the node.
    let marker = format!("kz_secret_marker_{}", std::process::id());
    let capture = Capture::start(h2);
    assert_eq!(h2.eval(&ecallmgr, &format!("atom_to_list({marker}).")), format!("\"{marker}\""));
    let wire = capture.stop_once("ecallmgr");
    assert!(contains(&wire, "ecallmgr"), "the capture saw no EPMD request ({} bytes)", wire.len());
    assert!(!contains(&wire, &marker), "the expression crossed the wire in clear");

    // Strangers: a plain node with the cookie, a TLS node whose certificate another CA
    // signed, a plain command.
    let ping = format!("io:format(\"~p\", [net_adm:ping('{ecallmgr}')]), halt().");
    assert_eq!(erl(h2, &[], &ping, &cookie), "pang");
    let other = build.path().join("other");
    certs(&["init", "--dir", other.join("ca").to_str().unwrap()]);
    certs(&["host", &h2.fqdn(), "--dir", other.join("ca").to_str().unwrap(), "--to", other.to_str().unwrap()]);
    // The same TLS node trusting the cluster's CA: with its host's certificate it joins,
    // with one another CA signed the cluster refuses it.
    let ca = h2.etc().join("dist/ca.pem");
    assert_eq!(tls_erl(h2, &h2.etc().join("dist"), &ca, &ping, &cookie), "pong");
    assert_eq!(tls_erl(h2, &other, &ca, &ping, &cookie), "pang");
    let (code, message) = failed(h2.kazoo_with(&[("KAZOO_DIST", "tcp")], &["ping", &ecallmgr]));
    assert_eq!(code, 26, "{message}");
    assert!(message.contains("speaks TLS distribution, and this command plain TCP"), "{message}");
    let (code, message) =
        failed(h2.kazoo_with(&[("KAZOO_DIST_CA", other.join("ca.pem").to_str().unwrap())], &["ping", &ecallmgr]));
    assert_eq!(code, 27, "{message}");
    assert!(message.contains("is not signed by the CA"), "{message}");

    ok(h1.kazoo(&["stop", &kazoo_apps2]));
    assert_eq!(failed(h2.kazoo(&["ping", &kazoo_apps2])).0, 1);
}

#[test]
fn tls_files_are_checked_before_any_vm_starts() {
    let build = tempfile::tempdir().unwrap();
    let tarball = network::tarball(build.path(), "tls");
    let network = Network::new(&format!("kzf{}", std::process::id()), 1, Path::new(&tarball), "files_cookie");
    let host = &network.hosts[0];
    let (code, message) = failed(host.kazoo(&["start", "ecallmgr"]));
    assert_eq!(code, 33, "{message}");
    let ca = host.etc().join("dist/ca.pem");
    assert!(message.contains(&ca.display().to_string()) && message.contains("certs init"), "{message}");
    certify(build.path(), &network.hosts);
    let key = host.etc().join("dist/node.key");
    fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let (code, message) = failed(host.kazoo(&["start", "ecallmgr"]));
    assert_eq!(code, 33, "{message}");
    assert!(message.contains("can be read by others") && message.contains(&key.display().to_string()), "{message}");
    assert!(host.pids().is_empty(), "nothing was started: {:?}", host.pids());
}

#[test]
fn a_node_without_epmd_on_a_fixed_port_answers_every_command() {
    let build = tempfile::tempdir().unwrap();
    let tarball = network::tarball(build.path(), "default");
    let network = Network::new(&format!("kzp{}", std::process::id()), 2, Path::new(&tarball), "port_cookie");
    let [h1, h2] = &network.hosts[..] else { unreachable!() };
    let fixed = [("ERL_DIST_PORT", "4370")];
    ok(h1.kazoo_with(&fixed, &["start", "ecallmgr"]));
    let ecallmgr = h1.node("ecallmgr");
    let epmds: Vec<u32> = h1
        .pids()
        .into_iter()
        .filter(|pid| fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "epmd"))
        .collect();
    assert!(epmds.is_empty(), "EPMD runs on h1: {epmds:?}");
    let (code, message) = failed(h2.kazoo(&["ping", &ecallmgr]));
    assert_eq!(code, 10, "without the port, EPMD is asked, and h1 runs none: {message}");

    assert_eq!(ok(h2.kazoo_with(&fixed, &["ping", &ecallmgr])), "pong\n");
    assert!(ok(h2.kazoo_with(&fixed, &["pid", &ecallmgr])).trim().parse::<u32>().is_ok());
    assert_eq!(ok(h2.kazoo_with(&fixed, &["eval", &ecallmgr, "6 * 7."])), "42\n");
    assert_eq!(ok(h2.kazoo_with(&fixed, &["rpc", &ecallmgr, "erlang", "node"])), format!("'{ecallmgr}'\n"));
    assert!(ok(h2.kazoo_with(&fixed, &["versions", &ecallmgr])).contains("4.3.0"));
    let status = ok(h1.kazoo_with(&fixed, &["status"]));
    let line = |node_type: &str| status.lines().find(|l| l.starts_with(node_type)).unwrap_or_default().to_owned();
    assert!(line("ecallmgr").contains("running") && line("kazoo_apps").contains("stopped"), "{status}");
    let cluster = ok(h2.kazoo_with(&fixed, &["status", "--cluster", "--node", &ecallmgr]));
    assert!(cluster.contains(&ecallmgr), "{cluster}");
    let (code, message) = failed(h2.kazoo_with(&fixed, &["ping", &h1.node("kazoo_apps")]));
    assert_eq!(code, 1, "{message}");
    ok(h2.kazoo_with(&fixed, &["stop", &ecallmgr]));
    let (code, message) = failed(h2.kazoo_with(&fixed, &["ping", &ecallmgr]));
    assert_eq!(code, 1, "{message}");
    assert!(message.contains("nothing listens on its host's port 4370"), "{message}");
}
