//! A cluster across hosts: two network namespaces joined by a veth pair, each with its own
//! hostname (`unshare -u`), hosts file (`/etc/netns/<ns>/hosts`) and unpacked copy of the
//! release, run through each copy's own `bin/kazoo`. ecallmgr runs on h1, kazoo_apps and a
//! second kazoo_apps node on h2; they answer across hosts by full name, join one cluster,
//! and `status --cluster` lists them, a host whose link is down as unreachable.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/mod.rs"]
mod support;

use support::{failed, ok};

const DOMAIN: &str = "kz.test";

/// One host: a network namespace, its address and hostname, its own copy of the release.
struct Host {
    ns: String,
    hostname: &'static str,
    address: &'static str,
    dir: PathBuf,
}

impl Host {
    fn fqdn(&self) -> String {
        format!("{}.{DOMAIN}", self.hostname)
    }

    /// `bin/kazoo args` of this host's copy, run on this host.
    fn kazoo(&self, args: &[&str]) -> Output {
        let kazoo = self.dir.join("opt/kazoo/bin/kazoo");
        let script = format!("hostname {} && exec \"$@\"", self.hostname);
        Command::new("ip")
            .args(["netns", "exec", &self.ns, "unshare", "--uts", "sh", "-c", &script, "sh"])
            .arg(kazoo)
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin:/usr/sbin:/sbin")
            .env("HOME", self.dir.join("home"))
            .env("PIPE_DIR", self.dir.join("pipes"))
            .env("KAZOO_CONFIG_DIR", self.dir.join("etc"))
            .env("KAZOO_COOKIE", format!("cluster_{}", std::process::id()))
            .current_dir(&self.dir)
            .output()
            .unwrap()
    }

    fn eval(&self, node: &str, expr: &str) -> String {
        ok(self.kazoo(&["eval", node, expr])).trim().to_owned()
    }
}

/// Two hosts on 10.77.0.0/24; everything made is removed by name (namespaces, links, hosts
/// files) and every process left in a namespace is killed by pid.
struct Network {
    hosts: [Host; 2],
    _dir: tempfile::TempDir,
}

fn run(args: &[&str]) {
    let status = Command::new(args[0]).args(&args[1..]).status().unwrap();
    assert!(status.success(), "{args:?} failed (the cluster tests need root and iproute2, as CI has)");
}

impl Network {
    fn new(tarball: &Path) -> Network {
        let dir = tempfile::tempdir().unwrap();
        let tag = format!("kzc{}", std::process::id());
        let hosts = [("h1", "10.77.0.1"), ("h2", "10.77.0.2")].map(|(hostname, address)| Host {
            ns: format!("{tag}{hostname}"),
            hostname,
            address,
            dir: dir.path().join(hostname),
        });
        let hosts_file: String = hosts.iter().map(|h| format!("{} {} {}\n", h.address, h.fqdn(), h.hostname)).collect();
        let network = Network { hosts, _dir: dir };
        let (a, b) = (&network.hosts[0], &network.hosts[1]);
        let (veth_a, veth_b) = (format!("{tag}a"), format!("{tag}b"));
        run(&["ip", "netns", "add", &a.ns]);
        run(&["ip", "netns", "add", &b.ns]);
        run(&["ip", "link", "add", &veth_a, "type", "veth", "peer", "name", &veth_b]);
        for (host, veth) in [(a, &veth_a), (b, &veth_b)] {
            run(&["ip", "link", "set", veth, "netns", &host.ns]);
            let exec = |args: &[&str]| run(&[&["ip", "netns", "exec", &host.ns][..], args].concat());
            exec(&["ip", "addr", "add", &format!("{}/24", host.address), "dev", veth]);
            exec(&["ip", "link", "set", veth, "up"]);
            exec(&["ip", "link", "set", "lo", "up"]);
            let etc = PathBuf::from("/etc/netns").join(&host.ns);
            fs::create_dir_all(&etc).unwrap();
            fs::write(etc.join("hosts"), format!("127.0.0.1 localhost\n{hosts_file}")).unwrap();
            for sub in ["opt/kazoo", "home", "pipes", "etc"] {
                fs::create_dir_all(host.dir.join(sub)).unwrap();
            }
            ok(Command::new("tar").arg("xzf").arg(tarball).arg("-C").arg(host.dir.join("opt/kazoo")).output().unwrap());
        }
        network
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        for host in &self.hosts {
            let pids =
                Command::new("ip").args(["netns", "pids", &host.ns]).output().map(|o| o.stdout).unwrap_or_default();
            for pid in String::from_utf8_lossy(&pids).split_whitespace() {
                let _ = Command::new("kill").args(["-KILL", pid]).status();
            }
            let _ = Command::new("ip").args(["netns", "del", &host.ns]).status();
            let _ = fs::remove_dir_all(PathBuf::from("/etc/netns").join(&host.ns));
        }
    }
}

#[test]
fn nodes_on_two_hosts_answer_each_other_and_form_one_cluster() {
    let build = tempfile::tempdir().unwrap();
    let printed = ok(Command::new(env!("CARGO_BIN_EXE_kazoo"))
        .args(["tar-release", "--out"])
        .arg(build.path())
        .output()
        .unwrap());
    let tarball = printed.lines().find_map(|l| l.strip_prefix("wrote ")).unwrap().to_owned();
    let network = Network::new(Path::new(&tarball));
    let [h1, h2] = &network.hosts;

    let started = ok(h1.kazoo(&["start", "ecallmgr"]));
    assert!(
        started.contains(&format!("ecallmgr@{}", h1.fqdn())),
        "long names take the fully qualified name: {started}"
    );
    ok(h2.kazoo(&["start", "kazoo_apps"]));
    ok(h2.kazoo(&["start", "kazoo_apps", "--name", "kazoo_apps2"]));

    let ecallmgr = format!("ecallmgr@{}", h1.fqdn());
    let (kazoo_apps, kazoo_apps2) = (format!("kazoo_apps@{}", h2.fqdn()), format!("kazoo_apps2@{}", h2.fqdn()));
    for (from, node) in [(h1, &kazoo_apps), (h1, &kazoo_apps2), (h2, &ecallmgr)] {
        assert_eq!(ok(from.kazoo(&["ping", node])).trim(), "pong", "{node} from {}", from.hostname);
    }
    // The handshake names the node: an address of the right host is not the node's name.
    let (code, message) = failed(h1.kazoo(&["ping", &format!("kazoo_apps@{}", h2.address)]));
    assert_eq!(code, 1, "{message}");
    assert!(message.contains(&format!("answers as {kazoo_apps}")), "{message}");

    for node in [&kazoo_apps, &kazoo_apps2] {
        assert_eq!(h1.eval("ecallmgr", &format!("net_adm:ping('{node}').")), "pong");
    }
    assert_eq!(
        h1.eval("ecallmgr", &format!("rpc:call('{kazoo_apps2}', erlang, node, []).")),
        format!("'{kazoo_apps2}'")
    );
    for name in ["kazoo_apps", "kazoo_apps2"] {
        let port = h1.eval("ecallmgr", &format!("element(2, erl_epmd:port_please(\"{name}\", \"{}\")).", h2.fqdn()));
        let port: u16 = port.parse().unwrap();
        assert!((11500..=11999).contains(&port), "{name} listens on {port}");
    }

    let cluster: Vec<serde_json::Value> =
        serde_json::from_str(&ok(h1.kazoo(&["status", "--cluster", "--json"]))).unwrap();
    let listed = |node: &str| {
        cluster.iter().find(|m| m["node"] == node).unwrap_or_else(|| panic!("{node} not in {cluster:?}")).clone()
    };
    for (node, node_type) in [(&ecallmgr, "ecallmgr"), (&kazoo_apps, "kazoo_apps"), (&kazoo_apps2, "kazoo_apps")] {
        let member = listed(node);
        assert_eq!(
            (member["reachable"].as_bool(), member["node_type"].as_str()),
            (Some(true), Some(node_type)),
            "{member}"
        );
        assert!(
            member["pid"].as_u64().is_some() && member["release"].as_str().is_some_and(|r| r.ends_with("4.3.0")),
            "{member}"
        );
    }

    // h2's link down: its nodes are still in ecallmgr's nodes() but do not answer.
    let veth = format!("kzc{}b", std::process::id());
    ok(Command::new("ip").args(["netns", "exec", &h2.ns, "ip", "link", "set", &veth, "down"]).output().unwrap());
    let cluster: Vec<serde_json::Value> =
        serde_json::from_str(&ok(h1.kazoo(&["status", "--cluster", "--json", "--timeout", "2"]))).unwrap();
    for node in [&kazoo_apps, &kazoo_apps2] {
        let member = cluster.iter().find(|m| m["node"] == node.as_str()).unwrap();
        assert_eq!(member["reachable"], false, "{member}");
    }
    assert_eq!(cluster.iter().find(|m| m["node"] == ecallmgr.as_str()).unwrap()["reachable"], true);
}
