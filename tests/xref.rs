//! `kazoo xref`: the calls between the Kazoo example's applications checked on its tree, against
//! OTP's own xref on the same files; and on an unpacked tree on a host with no Erlang.

use std::path::Path;
use std::process::Command;

use kazoo_release::tree::Tree;

#[path = "support/mod.rs"]
mod support;

use support::deployment::Deployment;
use support::{failed, ok};

const BIN: &str = env!("CARGO_BIN_EXE_kazoo");

#[test]
fn each_node_type_has_the_undefined_functions_otps_xref_finds_in_its_applications() {
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    let xref = Command::new(BIN).args(["xref", "--json", "--out", out_arg]).env_remove("REL").output().unwrap();
    let reports = support::xref::reported_undefined(&ok(xref));
    let tree = Tree::open(&out.path().join("kazoo")).unwrap();
    assert_eq!(reports.iter().map(|(node, _)| node.as_str()).collect::<Vec<_>>(), ["ecallmgr", "kazoo_apps"]);
    for (node, ours) in reports {
        assert_eq!(ours, support::xref::otp_undefined_of_node(&tree, &node, out.path()), "node type {node}");
        // OTP's own applications call some that the example's node types do not carry.
        assert!(!ours.is_empty(), "node type {node}: nothing compared");
    }
}

#[test]
fn an_unpacked_tree_checks_itself_on_a_host_without_erlang_and_names_a_module_added_to_it() {
    let deployment = Deployment::new(Path::new(BIN));
    let root = deployment.path("opt/kazoo");
    let clean = ok(deployment.run(&root, &["xref", "ecallmgr"]));
    assert!(clean.starts_with("node type ecallmgr: ") && clean.contains(" 0 undefined calls, 0 calls into"), "{clean}");

    // A module added to kazoo_apps by hand (as a hot fix would be), calling what OTP 24 removed.
    let tree = Tree::open(&root).unwrap();
    let kazoo_apps = tree.rel_entries("kazoo_apps").unwrap().into_iter().find(|e| e.name == "kazoo_apps").unwrap();
    let ebin = tree.layout.app_dir(&kazoo_apps.name, &kazoo_apps.vsn).join("ebin");
    let source = deployment.path("tmp/kz_hotfix.erl");
    std::fs::write(&source, "-module(kz_hotfix).\n-export([sign/2]).\nsign(K, D) -> crypto:hmac(sha, K, D).\n")
        .unwrap();
    ok(support::vm_in(&mut Command::new("erlc"), &deployment.path("tmp"))
        .arg("-o")
        .arg(&ebin)
        .arg(&source)
        .output()
        .unwrap());
    let (code, _) = failed(deployment.run(&root, &["xref"]));
    assert_eq!(code, 50);
    let report = support::text(&deployment.run(&root, &["xref", "kazoo_apps"]).stdout);
    assert!(report.contains("undefined calls:\n  kazoo_apps\n    kz_hotfix: crypto:hmac/3 ("), "{report}");
}
