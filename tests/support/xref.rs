//! The oracle for our xref: OTP's own, in modules mode, on the same `ebin` directories.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `xref:analyze(_, undefined_functions)` finds, in modules mode, over `ebins` and
/// `erts_ebin` (ERTS's preloaded modules), each `module:function/arity` as `~w` prints it
/// (quoted atoms as ours prints them). `scratch` is the VM's working directory.
pub fn otp_undefined_functions(ebins: &[PathBuf], erts_ebin: &Path, scratch: &Path) -> BTreeSet<String> {
    let dirs: Vec<String> =
        ebins.iter().chain([&erts_ebin.to_path_buf()]).map(|d| format!("{:?}", d.display().to_string())).collect();
    let script = format!(
        "{{ok, _}} = xref:start(oracle, [{{xref_mode, modules}}]), \
         ok = xref:set_default(oracle, [{{warnings, false}}, {{verbose, false}}]), \
         [{{ok, _}} = xref:add_directory(oracle, D) || D <- [{}]], \
         {{ok, Undefined}} = xref:analyze(oracle, undefined_functions), \
         [io:format(\"~w:~w/~w~n\", [M, F, A]) || {{M, F, A}} <- Undefined], halt().",
        dirs.join(", ")
    );
    let output = super::vm_in(&mut Command::new("erl"), scratch)
        .args(["-noshell", "-boot", "start_clean", "-eval", &script])
        .output()
        .expect("erl runs (scripts/setup.sh installs Debian's erlang-nox)");
    super::ok(output).lines().map(str::to_owned).collect()
}

/// [`otp_undefined_functions`] over node type `node`'s applications in `tree` (its `.rel`'s),
/// with the host OTP's preloaded modules of the tree's ERTS version.
pub fn otp_undefined_of_node(tree: &kazoo_release::tree::Tree, node: &str, scratch: &Path) -> BTreeSet<String> {
    let erts_ebin = PathBuf::from(super::isolated::OTP_ROOT).join(format!("lib/erts-{}/ebin", tree.erts_vsn));
    let entries = tree.rel_entries(node).unwrap();
    let ebins: Vec<PathBuf> = entries.iter().map(|e| tree.layout.app_dir(&e.name, &e.vsn).join("ebin")).collect();
    otp_undefined_functions(&ebins, &erts_ebin, scratch)
}

/// Every call each node type's report (`xref --json`) finds undefined, the release's
/// applications' and OTP's, by node type.
pub fn reported_undefined(json: &str) -> Vec<(String, BTreeSet<String>)> {
    let reports: Vec<serde_json::Value> = serde_json::from_str(json).expect("xref --json prints JSON");
    let calls = |report: &serde_json::Value| -> BTreeSet<String> {
        let lists = [&report["undefined"], &report["otp_undefined"]];
        lists.iter().flat_map(|l| l.as_array().unwrap()).map(|u| u["call"].as_str().unwrap().to_owned()).collect()
    };
    reports.iter().map(|r| (r["node"].as_str().unwrap().to_owned(), calls(r))).collect()
}
