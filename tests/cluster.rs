//! A cluster across hosts: two network namespaces (support/network.rs), each with its own
//! hostname, hosts file and unpacked copy of the release, run through each copy's own
//! `bin/kazoo`. ecallmgr runs on h1, kazoo_apps and a
//! second kazoo_apps node on h2; they answer across hosts by full name, join one cluster,
//! and `status --cluster` lists them, a host whose link is down as unreachable.

use std::path::Path;
use std::process::Command;

#[path = "support/mod.rs"]
mod support;

#[path = "support/network.rs"]
mod network;

use network::Network;
use support::{failed, ok};

#[test]
fn nodes_on_two_hosts_answer_each_other_and_form_one_cluster() {
    let build = tempfile::tempdir().unwrap();
    let tarball = network::tarball(build.path(), "default");
    let tag = format!("kzc{}", std::process::id());
    let network = Network::new(&tag, 2, Path::new(&tarball), &format!("cluster_{}", std::process::id()));
    let [h1, h2] = &network.hosts[..] else { unreachable!() };

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
    ok(Command::new("ip").args(["netns", "exec", &h2.ns, "ip", "link", "set", &h2.veth, "down"]).output().unwrap());
    let cluster: Vec<serde_json::Value> =
        serde_json::from_str(&ok(h1.kazoo(&["status", "--cluster", "--json", "--timeout", "2"]))).unwrap();
    for node in [&kazoo_apps, &kazoo_apps2] {
        let member = cluster.iter().find(|m| m["node"] == node.as_str()).unwrap();
        assert_eq!(member["reachable"], false, "{member}");
    }
    assert_eq!(cluster.iter().find(|m| m["node"] == ecallmgr.as_str()).unwrap()["reachable"], true);
}
