//! The `kazoo` binary end to end: what `cargo build` rendered, verified and embedded.

use std::process::{Command, Output};

use kazoo_release::term::{self, Term};

fn kazoo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kazoo"))
        .args(args)
        .env_remove("REL")
        .env_remove("KAZOO_PROFILE")
        .output()
        .expect("the kazoo binary runs")
}

fn stdout(args: &[&str]) -> String {
    let output = kazoo(args);
    assert!(output.status.success(), "kazoo {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// The embedded files, checked as text against snapshots read against Kazoo's own rel/
/// files (rel/relx.config, rel/vm.args, rel/sys.config of 2600hz/kazoo).
#[test]
fn rendered_files_match_their_snapshots() {
    insta::assert_snapshot!("relx.config", stdout(&["print", "relx.config"]));
    insta::assert_snapshot!("vm.args", stdout(&["print", "vm.args", "kazoo_apps"]));
    insta::assert_snapshot!("sys.config", stdout(&["print", "sys.config", "kazoo_apps"]));
}

#[test]
fn sys_config_has_kazoos_lager_aten_and_ra_sections() {
    let terms = term::parse_str(&stdout(&["print", "sys.config"]), "sys.config").expect("parses");
    let [config] = terms.as_slice() else { panic!("one term") };
    let lager = config.proplist_get("lager").expect("lager section");
    let handlers = lager.proplist_get("handlers").and_then(Term::as_list).expect("handlers");
    let backends: Vec<&str> = handlers.iter().filter_map(|h| h.as_tuple()?.first()?.as_atom()).collect();
    assert_eq!(backends, ["lager_console_backend", "lager_file_backend", "lager_file_backend"]);
    let error_log = handlers[1].as_tuple().unwrap()[1].clone();
    assert_eq!(error_log.proplist_get("file").and_then(Term::as_str), Some("log/error.log"));
    assert_eq!(error_log.proplist_get("date").and_then(Term::as_str), Some("$D0"));
    let format = error_log.proplist_get("formatter_config").and_then(Term::as_list).unwrap();
    assert!(format.contains(&Term::tuple(vec![Term::atom("callid"), Term::binary("0000000000")])));
    let aten = config.proplist_get("aten").expect("aten section");
    assert_eq!(aten.proplist_get("detection_threshold"), Some(&Term::Float(1.5)));
    let ra = config.proplist_get("ra").expect("ra section");
    assert_eq!(ra.proplist_get("data_dir").and_then(Term::as_str), Some("/etc/kazoo/ra"));
}

#[test]
fn relx_config_declares_one_release_per_node_type() {
    let terms = term::parse_str(&stdout(&["print", "relx.config"]), "relx.config").expect("parses");
    let releases: Vec<&str> = terms
        .iter()
        .filter_map(|t| match t.as_tuple()? {
            [tag, name_vsn, _apps] if tag.as_atom() == Some("release") => name_vsn.as_tuple()?[0].as_atom(),
            _ => None,
        })
        .collect();
    assert_eq!(releases, ["ecallmgr", "kazoo_apps"]);
}

#[test]
fn node_defaults_to_rel_then_the_default_node() {
    let default = stdout(&["print", "vm.args"]);
    assert!(default.contains("node type kazoo_apps"), "{default}");
    let output =
        Command::new(env!("CARGO_BIN_EXE_kazoo")).args(["print", "vm.args"]).env("REL", "ecallmgr").output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("node type ecallmgr"));
    assert_eq!(stdout(&["print", "vm.args", "ecallmgr@somehost"]), String::from_utf8(output.stdout).unwrap());
}

#[test]
fn unknown_node_type_and_profile_are_errors_that_list_the_choices() {
    let output = kazoo(&["print", "vm.args", "freeswitch"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`freeswitch` is not a node type") && stderr.contains("ecallmgr, kazoo_apps"), "{stderr}");
    let output = kazoo(&["--profile", "staging", "print", "relx.config"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("default, dev, ci, dist, tls"));
}

#[test]
fn profiles_change_what_is_rendered() {
    let dev = stdout(&["--profile", "dev", "print", "relx.config"]);
    assert!(dev.contains("{dev_mode, true}.") && dev.contains("{include_erts, false}."), "{dev}");
    let dev_config = stdout(&["--profile", "dev", "print", "sys.config"]);
    assert!(dev_config.contains("{level, debug}"), "{dev_config}");
    let dist = stdout(&["--profile", "dist", "print", "relx.config"]);
    assert!(dist.contains("{include_erts, true}."));
}

#[test]
fn spec_json_describes_the_whole_release() {
    let json: serde_json::Value = serde_json::from_str(&stdout(&["spec", "--json"])).expect("JSON");
    assert_eq!(json["name"], "kazoo");
    assert_eq!(json["version"], "4.3.0");
    assert_eq!(json["default_node"], "kazoo_apps");
    let nodes: Vec<&str> = json["nodes"].as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap()).collect();
    assert_eq!(nodes, ["ecallmgr", "kazoo_apps"]);
    assert_eq!(json["vm_args"]["inet_dist_listen"], serde_json::json!([11500, 11999]));
}

/// What the commands that print run with: a cookie, so read-release-cookie needs no file.
fn printing(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kazoo"));
    command.args(args).env_remove("REL").env_remove("KAZOO_PROFILE").env("KAZOO_COOKIE", "printed");
    command
}

const PRINTING: [&[&str]; 4] = [&["spec", "--json"], &["print", "vm.args"], &["read-release-cookie"], &["--help"]];

#[test]
fn a_closed_reader_ends_the_command_quietly() {
    for args in PRINTING {
        let mut child =
            printing(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
        // Closed before the command writes: its first write meets a reader that is gone.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_full_disk_is_an_error_not_a_panic() {
    for args in PRINTING.into_iter().chain([&["-V"][..], &["start", "--help"]]) {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let output = printing(args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write the output") && !stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_timeout_of_zero_is_a_usage_error() {
    let output = kazoo(&["ping", "--timeout", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("a timeout of 0 seconds could never be met"));
}
