//! `boot`: our `.rel`, `.script` and `.boot` against what `systools:make_script/2` of the
//! installed Erlang/OTP makes from the same `.rel`, and our `.boot` booting a real node.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use kazoo_release::apps::{AppIndex, OtpInstall, OtpSearch, Resolved};
use kazoo_release::boot::{clean_boot_files, node_boot_files, BootFiles, DotErlang};
use kazoo_release::spec::{AppSpec, StartType};
use kazoo_release::term::{parse_file, Term};

#[path = "../../tests/support/mod.rs"]
mod support;

use support::vm_in;

const VSN: &str = "0.1.0";

fn otp() -> OtpInstall {
    let search = OtpSearch { erl_root: None, path: std::env::var_os("PATH") };
    OtpInstall::detect(&search).expect("Erlang/OTP is installed (apt-get install erlang-nox)")
}

fn resolve(otp: &OtpInstall, node: &str, apps: &[&str]) -> Resolved {
    let typed: Vec<(&str, StartType)> = apps.iter().map(|a| (*a, StartType::Permanent)).collect();
    resolve_typed(otp, node, &typed)
}

fn resolve_typed(otp: &OtpInstall, node: &str, apps: &[(&str, StartType)]) -> Resolved {
    let specs: Vec<AppSpec> = apps
        .iter()
        .map(|(name, start_type)| AppSpec { name: (*name).to_owned(), version: None, start_type: *start_type })
        .collect();
    let index = AppIndex::scan(&[], otp).unwrap();
    index.resolve(node, &specs).unwrap()
}

/// Writes `<dir>/<node>.rel` and our `.script` and `.boot` under `<dir>/ours/`.
fn write_ours(dir: &Path, node: &str, files: &BootFiles) {
    fs::write(dir.join(format!("{node}.rel")), &files.rel).unwrap();
    let ours = dir.join("ours");
    fs::create_dir_all(&ours).unwrap();
    fs::write(ours.join(format!("{node}.script")), &files.script).unwrap();
    fs::write(ours.join(format!("{node}.boot")), &files.boot).unwrap();
}

/// Runs `erl -noshell -eval Expr` (bounded in time); returns its standard output.
fn erl(expr: &str) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let mut erl = Command::new("timeout");
    let out =
        vm_in(&mut erl, scratch.path()).args(["120", "erl", "-noshell", "-eval", expr]).output().expect("erl runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "erl failed: {}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// An Erlang string literal of `path`.
fn quoted(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

/// One erl run: systools makes `<dir>/systools/<node>.script|.boot` from our `.rel`, then
/// checks that our `.boot` decodes to systools' script and that our `.script` consults to
/// it. Prints `boot_decodes_equal=true ours_consults_equal=true` when both hold.
fn systools_make_script(dir: &Path, node: &str, resolved: &Resolved) {
    let paths: Vec<String> = resolved.apps.iter().map(|a| quoted(&a.dir.join("ebin"))).collect();
    let out_dir = dir.join("systools");
    fs::create_dir_all(&out_dir).unwrap();
    let (theirs, ours) = (out_dir.join(node), dir.join("ours").join(node));
    let expr = format!(
        r#"try
             case systools:make_script({rel}, [{{path, [{paths}]}}, {{outdir, {out}}}, silent,
                                               no_module_tests, no_warn_sasl]) of
                 ok -> ok;
                 {{ok, _, _}} -> ok
             end,
             {{ok, [Theirs]}} = file:consult({theirs} ++ ".script"),
             {{ok, [Ours]}} = file:consult({ours} ++ ".script"),
             {{ok, Boot}} = file:read_file({ours} ++ ".boot"),
             io:format("boot_decodes_equal=~p ours_consults_equal=~p~n",
                       [binary_to_term(Boot) =:= Theirs, Ours =:= Theirs]),
             halt(0)
           catch C:E:S -> io:format("~p~n", [{{C, E, S}}]), halt(1)
           end."#,
        rel = quoted(&dir.join(node)),
        paths = paths.join(", "),
        out = quoted(&out_dir),
        theirs = quoted(&theirs),
        ours = quoted(&ours),
    );
    let stdout = erl(&expr);
    assert!(
        stdout.contains("boot_decodes_equal=true ours_consults_equal=true"),
        "our boot files differ from systools' in erl's eyes:\n{stdout}"
    );
}

/// A term as Erlang sees it: a string is a list of code points, so `""`, `[]` and
/// `"ab"`, `[97, 98]` are the same (our printer and systools' `~p` choose differently).
fn normalised(term: &Term) -> Term {
    match term {
        Term::Charlist(text) => Term::List(text.chars().map(|c| Term::Integer(c as i64)).collect()),
        Term::Tuple(items) => Term::Tuple(items.iter().map(normalised).collect()),
        Term::List(items) => Term::List(items.iter().map(normalised).collect()),
        Term::Map(pairs) => Term::Map(pairs.iter().map(|(k, v)| (normalised(k), normalised(v))).collect()),
        other => other.clone(),
    }
}

fn script_file(path: &Path) -> Term {
    let mut terms = parse_file(path).unwrap();
    assert_eq!(terms.len(), 1, "{} holds one term", path.display());
    normalised(&terms.remove(0))
}

/// The instructions of a `{script, Id, Instructions}` term.
fn instructions(script: &Term) -> &[Term] {
    script.as_tuple().unwrap()[2].as_list().unwrap()
}

/// Asserts two scripts equal, naming the first instruction that differs.
fn assert_same_script(ours: &Term, theirs: &Term) {
    let ours_id = &ours.as_tuple().unwrap()[1];
    assert_eq!(ours_id, &theirs.as_tuple().unwrap()[1], "script ids");
    let (ours, theirs) = (instructions(ours), instructions(theirs));
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a, b, "instruction {i} differs (ours, then systools')");
    }
    assert_eq!(ours.len(), theirs.len(), "instruction counts");
}

fn compare_with_systools(node: &str, apps: &[(&str, StartType)]) {
    let otp = otp();
    let resolved = resolve_typed(&otp, node, apps);
    let files = node_boot_files(VSN, &otp.erts_vsn, &resolved).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_ours(dir.path(), node, &files);
    systools_make_script(dir.path(), node, &resolved);
    let ours = script_file(&dir.path().join("ours").join(format!("{node}.script")));
    let theirs = script_file(&dir.path().join("systools").join(format!("{node}.script")));
    // No deliberate difference in the terms. The .boot bytes do differ: eetf writes atoms
    // as SMALL_ATOM_UTF8_EXT (OTP 26's default), OTP 25 as ATOM_EXT; erl decodes both to
    // the same term, which is what systools_make_script checks.
    assert_same_script(&ours, &theirs);
}

/// The small set, with `.rel` types other than permanent: `{App, Vsn, Type}` entries, and
/// a `load` application loaded but never started.
const SMALL: [(&str, StartType); 4] = [
    ("sasl", StartType::Permanent),
    ("runtime_tools", StartType::Temporary),
    ("tools", StartType::Load),
    ("lager", StartType::Permanent),
];

#[test]
fn small_set_with_lager_matches_systools() {
    compare_with_systools("small", &SMALL);
}

#[test]
fn large_otp_set_matches_systools() {
    let apps = ["sasl", "crypto", "ssl", "inets", "mnesia", "runtime_tools", "lager"];
    let typed: Vec<(&str, StartType)> = apps.iter().map(|a| (*a, StartType::Permanent)).collect();
    compare_with_systools("large", &typed);
}

/// OTP ships start_clean and no_dot_erlang scripts made by its own systools; ours, for
/// the same kernel and stdlib and the same release id, are the same terms.
#[test]
fn clean_boots_match_otps_own() {
    let otp = otp();
    let resolved = resolve(&otp, "small", &["sasl"]);
    let release_dir = otp.root.join("releases").join(&otp.otp_release);
    let cases = [(DotErlang::Run, "start_clean.script"), (DotErlang::Skip, "no_dot_erlang.script")];
    let dir = tempfile::tempdir().unwrap();
    for (dot_erlang, shipped) in cases {
        let files = clean_boot_files("Erlang/OTP", &otp.otp_release, &otp.erts_vsn, &resolved, dot_erlang).unwrap();
        let ours = dir.path().join(shipped);
        fs::write(&ours, &files.script).unwrap();
        assert_same_script(&script_file(&ours), &script_file(&release_dir.join(shipped)));
    }
}

/// A release root as `assemble` lays it out: `lib/<app>-<vsn>` (here symlinks to the OTP
/// copies) and `releases/<vsn>/<node>.boot`. Returns the boot file's path without `.boot`.
fn release_root(root: &Path, node: &str, resolved: &Resolved, files: &BootFiles) -> PathBuf {
    let lib = root.join("lib");
    fs::create_dir_all(&lib).unwrap();
    for app in &resolved.apps {
        symlink(&app.dir, lib.join(format!("{}-{}", app.name, app.vsn))).unwrap();
    }
    let release = root.join("releases").join(VSN);
    fs::create_dir_all(&release).unwrap();
    fs::write(release.join(format!("{node}.boot")), &files.boot).unwrap();
    release.join(node)
}

/// Our `.boot` starts a node with exactly the applications it should. init expands `$ROOT`
/// to its `-root` flag (a `-boot_var ROOT` is overwritten), which erlexec sets from
/// `ROOTDIR`; Debian's `erl` script pins that to /usr/lib/erlang, so erlexec is run
/// directly with ROOTDIR at the release root, as a release's own start script does.
#[test]
fn our_boot_starts_a_real_node() {
    let otp = otp();
    let node = "small";
    let resolved = resolve_typed(&otp, node, &SMALL);
    let files = node_boot_files(VSN, &otp.erts_vsn, &resolved).unwrap();
    let root = tempfile::tempdir().unwrap();
    let boot = release_root(root.path(), node, &resolved, &files);
    let bin_dir = otp.root.join(format!("erts-{}", otp.erts_vsn)).join("bin");
    let expr = "io:format(\"apps=~p~n\", [lists:sort([A || {A, _, _} <- \
                application:which_applications()])]), halt(0).";
    // lager writes its logs under the working directory: the release root, a temporary one.
    let out = vm_in(&mut Command::new("timeout"), root.path())
        .arg("120")
        .arg(bin_dir.join("erlexec"))
        .args(["-boot".as_ref(), boot.as_os_str()])
        .args(["-noshell", "-eval", expr])
        .env("ROOTDIR", root.path())
        .env("BINDIR", &bin_dir)
        .env("EMU", "beam")
        .env("PROGNAME", "erl")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the node did not boot: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut expected: Vec<&str> = resolved
        .apps
        .iter()
        .filter(|a| !matches!(a.start_type, StartType::Load | StartType::None))
        .map(|a| a.name.as_str())
        .collect();
    expected.sort_unstable();
    let listed = format!("apps=[{}]", expected.join(","));
    let printed: String = stdout.split_whitespace().collect();
    assert!(printed.contains(&listed), "expected {listed}, got:\n{stdout}");
}

/// A node type of kernel (the real one) and `broken`, whose `.app` file lacks `description`.
fn with_broken_app(lib: &Path) -> Resolved {
    let otp = otp();
    let mut resolved = resolve(&otp, "broken", &[]);
    let dir = lib.join("broken-1.0");
    fs::create_dir_all(dir.join("ebin")).unwrap();
    let app = "{application, broken, [{vsn, \"1.0\"}, {modules, []}, {registered, []}, \
               {applications, [kernel]}]}.\n";
    fs::write(dir.join("ebin/broken.app"), app).unwrap();
    let mut broken = resolved.apps[0].clone();
    broken.name = "broken".to_owned();
    broken.vsn = "1.0".to_owned();
    broken.dir = dir;
    resolved.apps.push(broken);
    resolved
}

#[test]
fn errors_name_the_app_and_file() {
    let lib = tempfile::tempdir().unwrap();
    let resolved = with_broken_app(lib.path());
    let err = node_boot_files(VSN, "13.1.5", &resolved).unwrap_err();
    let message = err.to_string();
    let file = lib.path().join("broken-1.0/ebin/broken.app");
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(message.contains("application `broken`: it has no `description`"), "{message}");

    let no_kernel = Resolved { node: "bare".to_owned(), apps: Vec::new() };
    let err = clean_boot_files("kazoo", VSN, "13.1.5", &no_kernel, DotErlang::Run).unwrap_err();
    assert!(err.to_string().contains("node type `bare` has no `kernel`"), "{err}");
}
