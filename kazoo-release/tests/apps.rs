//! `apps`: finding and resolving applications, against the real OTP install and fixture
//! trees of hand-written `.app` files.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use kazoo_release::apps::{find_otp_root, AppIndex, AppsError, Origin, OtpInstall, OtpSearch, ScanWarning};
use kazoo_release::boot::{self, DotErlang};
use kazoo_release::spec::{AppSpec, StartType};

#[path = "../../tests/support/mod.rs"]
mod support;

fn otp() -> OtpInstall {
    let search = OtpSearch { erl_root: None, path: std::env::var_os("PATH") };
    OtpInstall::detect(&search).expect("Erlang/OTP is installed (apt-get install erlang-nox)")
}

fn app(name: &str) -> AppSpec {
    AppSpec { name: name.to_owned(), version: None, start_type: StartType::Permanent }
}

fn pinned(name: &str, vsn: &str) -> AppSpec {
    AppSpec { version: Some(vsn.to_owned()), ..app(name) }
}

/// Writes `<lib>/<dir>/ebin/<name>.app`.
fn write_app(lib: &Path, dir: &str, name: &str, vsn: &str, apps: &[&str], included: &[&str]) -> PathBuf {
    let app_dir = lib.join(dir);
    fs::create_dir_all(app_dir.join("ebin")).unwrap();
    let text = format!(
        "{{application, {name},\n [{{description, \"{name}\"}},\n  {{vsn, \"{vsn}\"}},\n  {{modules, [{name}_app]}},\n  \
         {{applications, [{}]}},\n  {{included_applications, [{}]}}]}}.\n",
        apps.join(", "),
        included.join(", ")
    );
    fs::write(app_dir.join("ebin").join(format!("{name}.app")), text).unwrap();
    app_dir
}

fn names(index: &AppIndex, node: &str, apps: &[AppSpec]) -> Vec<String> {
    let resolved = index.resolve(node, apps).unwrap();
    resolved.apps.into_iter().map(|a| a.name).collect()
}

/// The version of OTP's copy of `name`, from its directory name.
fn otp_vsn(otp: &OtpInstall, name: &str) -> String {
    let prefix = format!("{name}-");
    fs::read_dir(otp.lib_dir())
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .find_map(|dir| dir.strip_prefix(&prefix).map(str::to_owned))
        .unwrap_or_else(|| panic!("{name} is in {}", otp.lib_dir().display()))
}

#[test]
fn detects_the_installed_otp() {
    let otp = otp();
    assert!(otp.root.join(format!("erts-{}", otp.erts_vsn)).is_dir(), "{otp:?}");
    assert!(otp.root.join("releases").join(&otp.otp_release).join("OTP_VERSION").is_file(), "{otp:?}");
}

#[test]
fn resolves_sasl_runtime_tools_lager_from_otp() {
    let otp = otp();
    let index = AppIndex::scan(&[], &otp).unwrap();
    let resolved = index.resolve("ecallmgr", &[app("sasl"), app("runtime_tools"), app("lager")]).unwrap();
    let order: Vec<&str> = resolved.apps.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(order, ["kernel", "stdlib", "sasl", "runtime_tools", "syntax_tools", "compiler", "goldrush", "lager"]);
    for app in &resolved.apps {
        assert_eq!(app.vsn, otp_vsn(&otp, &app.name));
        assert_eq!(app.dir, otp.lib_dir().join(format!("{}-{}", app.name, app.vsn)));
        assert_eq!(app.origin, Origin::Otp);
        assert_eq!(app.start_type, StartType::Permanent);
    }
    let lager = resolved.apps.iter().find(|a| a.name == "lager").unwrap();
    assert_eq!(lager.applications, ["kernel", "stdlib", "goldrush"]);
    assert!(lager.modules.iter().any(|m| m == "lager_app"));
}

/// systools keeps our order, and finds it too when handed the spec's applications first
/// (as relx lists its goals) and their dependencies after.
#[test]
fn start_order_matches_systools() {
    let otp = otp();
    let index = AppIndex::scan(&[], &otp).unwrap();
    let spec = [app("sasl"), app("runtime_tools"), app("lager")];
    let ours: Vec<String> = names(&index, "ecallmgr", &spec);
    let deps = ours.iter().filter(|name| !spec.iter().any(|s| &s.name == *name)).cloned();
    let spec_first: Vec<String> = spec.iter().map(|s| s.name.clone()).chain(deps).collect();

    assert_eq!(systools_start_order(&otp, &ours), ours);
    assert_eq!(systools_start_order(&otp, &spec_first), ours);
}

/// The applications the boot script that systools makes from a `.rel` listing `apps` (in
/// this order, at OTP's versions) starts, in order.
fn systools_start_order(otp: &OtpInstall, apps: &[String]) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let entries: Vec<String> = apps.iter().map(|a| format!("{{{a}, \"{}\"}}", otp_vsn(otp, a))).collect();
    let rel = format!("{{release, {{\"cmp\", \"1\"}}, {{erts, \"{}\"}}, [{}]}}.\n", otp.erts_vsn, entries.join(", "));
    fs::write(tmp.path().join("cmp.rel"), rel).unwrap();
    let eval = format!(
        "{{ok, _, _}} = systools:make_script(\"cmp\", [{{path, [\"{}/*/ebin\"]}}, silent, no_module_tests]), \
         {{ok, [{{script, _, Instrs}}]}} = file:consult(\"cmp.script\"), \
         [io:format(\"~s~n\", [A]) || {{apply, {{application, start_boot, [A, _]}}}} <- Instrs], \
         halt().",
        otp.lib_dir().display()
    );
    let out = support::vm_in(&mut Command::new(otp.root.join("bin/erl")), tmp.path())
        .args(["-noshell", "-noinput", "-eval", &eval])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

#[test]
fn highest_version_wins_across_lib_dirs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_app(a.path(), "kz_util-1.9.0", "kz_util", "1.9.0", &["kernel", "stdlib"], &[]);
    let newer = write_app(b.path(), "kz_util-1.10.0", "kz_util", "1.10.0", &["kernel", "stdlib"], &[]);
    let index = AppIndex::scan(&[a.path().into(), b.path().into()], &otp()).unwrap();
    let resolved = index.resolve("kazoo_apps", &[app("kz_util")]).unwrap();
    let kz_util = resolved.apps.last().unwrap();
    assert_eq!((kz_util.vsn.as_str(), &kz_util.dir), ("1.10.0", &newer));
    assert_eq!(kz_util.origin, Origin::LibDir(b.path().into()));
}

#[test]
fn equal_versions_take_the_first_lib_dir_and_bare_dirs_count() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = write_app(a.path(), "kz_util", "kz_util", "2.0", &[], &[]);
    write_app(b.path(), "kz_util-2.0", "kz_util", "2.0", &[], &[]);
    let index = AppIndex::scan(&[a.path().into(), b.path().into()], &otp()).unwrap();
    let resolved = index.resolve("kazoo_apps", &[app("kz_util")]).unwrap();
    assert_eq!(resolved.apps.last().unwrap().dir, first);
}

#[test]
fn an_application_is_named_by_its_app_file_not_its_directory() {
    // As Debian's p1_cache_tab-1.0.30/ebin/cache_tab.app: the code server finds `cache_tab`.
    let lib = tempfile::tempdir().unwrap();
    let dir = lib.path().join("some-other-dir");
    fs::create_dir_all(dir.join("ebin")).unwrap();
    fs::write(
        dir.join("ebin/foo.app"),
        "{application, foo, [{description, \"foo\"}, {vsn, \"1.2.0\"}, {modules, []},\n  \
         {registered, []}, {applications, [kernel, stdlib]}]}.\n",
    )
    .unwrap();
    let index = AppIndex::scan(&[lib.path().into()], &otp()).unwrap();
    assert_eq!(index.find("some").count() + index.find("some-other-dir").count(), 0);
    let resolved = index.resolve("kazoo_apps", &[app("foo")]).unwrap();
    let foo = resolved.apps.last().unwrap();
    assert_eq!((foo.name.as_str(), foo.vsn.as_str(), &foo.dir), ("foo", "1.2.0", &dir));
    // The release holds it as lib/<name>-<vsn>/, as the boot script's code path says.
    let script = boot::script("kazoo", "4.3.0", &resolved, DotErlang::Skip).unwrap();
    let script = script.to_string();
    assert!(script.contains("\"$ROOT/lib/foo-1.2.0/ebin\""), "{script}");
    assert!(!script.contains("some-other-dir"), "{script}");
}

#[test]
fn two_versions_of_an_application_say_which_one_wins() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let older = write_app(a.path(), "kz_util-1.9.0", "kz_util", "1.9.0", &[], &[]);
    let newer = write_app(b.path(), "kz_util-1.10.0", "kz_util", "1.10.0", &[], &[]);
    let index = AppIndex::scan(&[a.path().into(), b.path().into()], &otp()).unwrap();
    assert_eq!(index.warnings(), [], "nothing is chosen before a node type is resolved");
    // Two node types that share the application share its warning.
    index.resolve("kazoo_apps", &[app("kz_util")]).unwrap();
    index.resolve("ecallmgr", &[app("kz_util")]).unwrap();
    let [warning] = index.warnings().try_into().unwrap_or_else(|w| panic!("{w:?}"));
    let msg = warning.to_string();
    assert!(matches!(warning, ScanWarning::SeveralVersions { .. }), "{msg}");
    for expected in [
        "application `kz_util` was found 2 times".to_owned(),
        format!("1.9.0 ({})", older.display()),
        format!("using 1.10.0 ({}), the highest version", newer.display()),
        "kz_util(\"<vsn>\")".to_owned(),
    ] {
        assert!(msg.contains(&expected), "{expected:?} in {msg}");
    }
}

#[test]
fn a_pinned_version_wins_silently() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_app(a.path(), "kz_util-1.9.0", "kz_util", "1.9.0", &[], &[]);
    write_app(b.path(), "kz_util-1.10.0", "kz_util", "1.10.0", &[], &[]);
    let index = AppIndex::scan(&[a.path().into(), b.path().into()], &otp()).unwrap();
    index.resolve("kazoo_apps", &[pinned("kz_util", "1.9.0")]).unwrap();
    assert_eq!(index.warnings(), []);
}

#[test]
fn a_pin_picks_the_lower_version() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let older = write_app(a.path(), "kz_util-1.9.0", "kz_util", "1.9.0", &[], &[]);
    write_app(b.path(), "kz_util-1.10.0", "kz_util", "1.10.0", &[], &[]);
    let index = AppIndex::scan(&[a.path().into(), b.path().into()], &otp()).unwrap();
    let resolved = index.resolve("kazoo_apps", &[pinned("kz_util", "1.9.0")]).unwrap();
    assert_eq!(resolved.apps.last().unwrap().dir, older);
}

#[test]
fn a_pin_not_found_lists_the_versions_there_are() {
    let lib = tempfile::tempdir().unwrap();
    write_app(lib.path(), "kz_util-1.9.0", "kz_util", "1.9.0", &[], &[]);
    let index = AppIndex::scan(&[lib.path().into()], &otp()).unwrap();
    let err = index.resolve("kazoo_apps", &[pinned("kz_util", "2.0")]).unwrap_err();
    assert!(matches!(err, AppsError::PinNotFound { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("node type `kazoo_apps`") && msg.contains("pinned to version 2.0"), "{msg}");
    assert!(msg.contains("1.9.0 (") && msg.contains("kz_util-1.9.0)"), "{msg}");
}

#[test]
fn two_different_pins_conflict() {
    let index = AppIndex::scan(&[], &otp()).unwrap();
    let err = index.resolve("ecallmgr", &[pinned("lager", "3.9.2"), pinned("lager", "3.9.1")]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, AppsError::ConflictingSpecs { .. }), "{msg}");
    assert!(msg.contains("`lager`") && msg.contains("version 3.9.2") && msg.contains("version 3.9.1"), "{msg}");
}

#[test]
fn a_missing_application_names_node_chain_and_every_dir() {
    let lib = tempfile::tempdir().unwrap();
    let absent = lib.path().join("deps");
    write_app(lib.path(), "ecallmgr", "ecallmgr", "4.3.0", &["kernel", "stdlib", "kz_amqp"], &[]);
    write_app(lib.path(), "kz_amqp-4.3.0", "kz_amqp", "4.3.0", &["rabbit_common"], &[]);
    let otp = otp();
    let index = AppIndex::scan(&[lib.path().into(), absent.clone()], &otp).unwrap();
    assert_eq!(index.warnings(), [ScanWarning::MissingLibDir(absent.clone())]);

    let err = index.resolve("ecallmgr", &[app("sasl"), app("ecallmgr")]).unwrap_err();
    let msg = err.to_string();
    let AppsError::MissingApp { node, app, chain, .. } = &err else { panic!("{err:?}") };
    assert_eq!((node.as_str(), app.as_str()), ("ecallmgr", "rabbit_common"));
    assert_eq!(chain, &["ecallmgr", "kz_amqp", "rabbit_common"]);
    assert!(msg.contains("ecallmgr -> kz_amqp -> rabbit_common"), "{msg}");
    assert!(msg.contains(&format!("    {}\n", lib.path().display())), "{msg}");
    assert!(msg.contains(&format!("    {} (does not exist)\n", absent.display())), "{msg}");
    assert!(msg.contains(&format!("    {}\n", otp.lib_dir().display())), "{msg}");
}

#[test]
fn a_cycle_is_named() {
    let lib = tempfile::tempdir().unwrap();
    write_app(lib.path(), "kz_a-1.0", "kz_a", "1.0", &["kernel", "kz_b"], &[]);
    write_app(lib.path(), "kz_b-1.0", "kz_b", "1.0", &["kz_c"], &[]);
    write_app(lib.path(), "kz_c-1.0", "kz_c", "1.0", &["kz_a"], &[]);
    let index = AppIndex::scan(&[lib.path().into()], &otp()).unwrap();
    let err = index.resolve("kazoo_apps", &[app("kz_a")]).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, AppsError::Cycle { .. }), "{msg}");
    assert!(msg.contains("node type `kazoo_apps`") && msg.contains("kz_a -> kz_b -> kz_c -> kz_a"), "{msg}");
}

#[test]
fn included_applications_come_first_and_only_load() {
    let lib = tempfile::tempdir().unwrap();
    // kz_worker names its includer in `applications`: allowed, not a cycle (as in systools).
    write_app(lib.path(), "kz_top-1.0", "kz_top", "1.0", &["kernel", "stdlib"], &["kz_worker"]);
    write_app(lib.path(), "kz_worker-1.0", "kz_worker", "1.0", &["kz_top", "sasl"], &[]);
    let index = AppIndex::scan(&[lib.path().into()], &otp()).unwrap();
    let resolved = index.resolve("kazoo_apps", &[app("kz_top")]).unwrap();
    let order: Vec<_> = resolved.apps.iter().map(|a| (a.name.as_str(), a.start_type)).collect();
    assert_eq!(
        order,
        [
            ("kernel", StartType::Permanent),
            ("stdlib", StartType::Permanent),
            ("sasl", StartType::Permanent),
            ("kz_worker", StartType::Load),
            ("kz_top", StartType::Permanent),
        ]
    );
}

#[test]
fn listed_start_types_are_kept() {
    let index = AppIndex::scan(&[], &otp()).unwrap();
    let spec = [AppSpec { start_type: StartType::Temporary, ..app("runtime_tools") }];
    let resolved = index.resolve("ecallmgr", &spec).unwrap();
    assert_eq!(resolved.apps.last().unwrap().start_type, StartType::Temporary);
    assert_eq!(names(&index, "ecallmgr", &spec), ["kernel", "stdlib", "runtime_tools"]);
}

#[test]
fn a_malformed_app_file_is_named_with_line_and_column() {
    let lib = tempfile::tempdir().unwrap();
    let dir = lib.path().join("kz_bad-1.0/ebin");
    fs::create_dir_all(&dir).unwrap();
    // The comma after the vsn tuple is missing.
    fs::write(dir.join("kz_bad.app"), "{application, kz_bad,\n [{vsn, \"1.0\"}\n  {applications, []}]}.\n").unwrap();
    let index = AppIndex::scan(&[lib.path().into()], &otp()).unwrap();
    let err = index.resolve("kazoo_apps", &[app("kz_bad")]).unwrap_err();
    let AppsError::MalformedAppFile { parse } = &err else { panic!("{err:?}") };
    assert_eq!((parse.line, parse.column), (3, 3));
    assert!(err.to_string().starts_with(&format!("{}:3:3:", dir.join("kz_bad.app").display())), "{err}");
}

#[test]
fn an_app_file_for_another_application_is_rejected() {
    let lib = tempfile::tempdir().unwrap();
    let dir = write_app(lib.path(), "kz_one-1.0", "kz_two", "1.0", &[], &[]);
    fs::rename(dir.join("ebin/kz_two.app"), dir.join("ebin/kz_one.app")).unwrap();
    let index = AppIndex::scan(&[lib.path().into()], &otp()).unwrap();
    let err = index.resolve("kazoo_apps", &[app("kz_one")]).unwrap_err();
    assert!(err.to_string().contains("it describes `kz_two`, not `kz_one`"), "{err}");
}

/// systools needs an application's description: one without is an error where applications
/// are resolved (so at `cargo build`), naming the file, not later when the release is written.
#[test]
fn an_app_file_without_a_description_is_rejected_when_resolving() {
    let lib = tempfile::tempdir().unwrap();
    let dir = lib.path().join("kz_plain-1.0/ebin");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("kz_plain.app"), "{application, kz_plain, [{vsn, \"1.0\"}, {applications, [kernel]}]}.\n")
        .unwrap();
    let index = AppIndex::scan(&[lib.path().into()], &otp()).unwrap();
    let err = index.resolve("kazoo_apps", &[app("kz_plain")]).unwrap_err();
    assert!(matches!(err, AppsError::BadAppFile { .. }), "{err:?}");
    let message = err.to_string();
    let expected = format!("{}: it has no {{description, \"...\"}} string", dir.join("kz_plain.app").display());
    assert!(message.starts_with(&expected), "{message}");
}

/// A directory shaped like an OTP root: `erts-<vsn>/`, `bin/erl`, and releases.
fn fake_otp_root(erts: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join(format!("erts-{erts}"))).unwrap();
    fs::create_dir_all(root.path().join("bin")).unwrap();
    fs::write(root.path().join("bin/erl"), "#!/bin/sh\n").unwrap();
    fs::create_dir_all(root.path().join("releases/27")).unwrap();
    fs::write(root.path().join("releases/27/OTP_VERSION"), "27.0\n").unwrap();
    root
}

#[test]
fn erl_root_overrides_path() {
    let root = fake_otp_root("15.0");
    let found = find_otp_root(Some(root.path().as_os_str()), Some(OsStr::new("/usr/bin"))).unwrap();
    assert_eq!(found, root.path());
    let otp = OtpInstall::at(found).unwrap();
    assert_eq!((otp.erts_vsn.as_str(), otp.otp_release.as_str()), ("15.0", "27"));
}

#[test]
fn a_bad_erl_root_is_named() {
    let root = tempfile::tempdir().unwrap();
    let err = find_otp_root(Some(root.path().as_os_str()), None).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with(&format!("ERL_ROOT gives {}", root.path().display())), "{msg}");
    assert!(msg.contains("no erts-<vsn> directory") && msg.contains("apt-get install erlang-nox"), "{msg}");
}

#[test]
fn erl_on_path_is_followed_through_symlinks() {
    let root = fake_otp_root("15.0");
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(root.path().join("bin/erl"), bin.path().join("erl")).unwrap();
    let path = std::env::join_paths([Path::new("/nonexistent"), bin.path()]).unwrap();
    let found = find_otp_root(None, Some(&path)).unwrap();
    assert_eq!(found, fs::canonicalize(root.path()).unwrap());
}

#[test]
fn no_erl_anywhere_says_how_to_install() {
    let empty = tempfile::tempdir().unwrap();
    let err = find_otp_root(None, Some(empty.path().as_os_str())).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, AppsError::OtpNotFound { .. }), "{msg}");
    assert!(msg.contains("ERL_ROOT") && msg.contains("`erl`") && msg.contains("apt-get install erlang-nox"), "{msg}");
}

#[test]
fn a_lib_dir_copy_wins_over_a_higher_version_in_the_otp_install() {
    // Debian's erlang-lager puts lager 3.9.2 in OTP's lib/; Kazoo pins 3.6.10 in its deps/.
    let otp = otp();
    let in_otp = otp.lib_dir().read_dir().unwrap().filter_map(Result::ok).any(|e| e.file_name() == "lager-3.9.2");
    assert!(
        in_otp,
        "this test needs Debian's erlang-lager (3.9.2) in {}: run scripts/setup.sh",
        otp.lib_dir().display()
    );
    let deps = tempfile::tempdir().unwrap();
    let pinned = write_app(deps.path(), "lager", "lager", "3.6.10", &["kernel", "stdlib"], &[]);
    let index = AppIndex::scan(&[deps.path().into()], &otp).unwrap();
    let resolved = index.resolve("kazoo_apps", &[app("lager")]).unwrap();
    let lager = resolved.apps.iter().find(|a| a.name == "lager").unwrap();
    assert_eq!((lager.vsn.as_str(), &lager.dir), ("3.6.10", &pinned));
    let warning = index.warnings().iter().map(ToString::to_string).find(|w| w.contains("`lager`")).unwrap();
    assert!(warning.contains("which win over the OTP install's"), "{warning}");
}

#[derive(kazoo_release::Release)]
#[release(name = loads, load_lib_dirs = true)]
#[node(name = top_node, apps = [kz_top])]
struct LoadsLibDirs;

#[test]
fn load_lib_dirs_loads_every_other_lib_dir_application_and_what_only_they_need() {
    use kazoo_release::Release;
    let lib = tempfile::tempdir().unwrap();
    write_app(lib.path(), "kz_top", "kz_top", "1.0", &["kernel", "stdlib", "kz_util"], &[]);
    write_app(lib.path(), "kz_util", "kz_util", "1.0", &["kernel", "stdlib"], &[]);
    write_app(lib.path(), "kz_kapp", "kz_kapp", "1.0", &["kernel", "stdlib", "kz_util", "kz_web"], &[]);
    write_app(lib.path(), "kz_web", "kz_web", "1.0", &["kernel", "stdlib"], &[]);
    let spec = LoadsLibDirs::spec().unwrap();
    let index = AppIndex::scan(&[lib.path().into()], &otp()).unwrap();
    let resolved = index.resolve_node(&spec, &spec.nodes[0]).unwrap();
    let types: Vec<(&str, StartType)> = resolved.apps.iter().map(|a| (a.name.as_str(), a.start_type)).collect();
    for expected in [
        ("kz_util", StartType::Permanent), // the node type's kz_top needs it started
        ("kz_top", StartType::Permanent),
        ("kz_kapp", StartType::Load), // a kapp the node may start at run time
        ("kz_web", StartType::Load),  // needed only by kz_kapp
    ] {
        assert!(types.contains(&expected), "{expected:?} in {types:?}");
    }
}
