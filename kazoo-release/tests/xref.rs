//! kazoo_release::xref against OTP's own xref (modules mode) on the same files: applications
//! written and compiled here, and every application of this machine's OTP.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kazoo_release::apps::{AppIndex, OtpInstall, OtpSearch, Resolved};
use kazoo_release::build::erlc::Build;
use kazoo_release::spec::AppSpec;
use kazoo_release::xref::{App, Ignore, Library, Preloaded, Report, Why};

#[path = "../../tests/support/mod.rs"]
mod support;

fn otp() -> OtpInstall {
    OtpInstall::detect(&OtpSearch { erl_root: None, path: std::env::var_os("PATH") }).unwrap()
}

fn erts_ebin(otp: &OtpInstall) -> PathBuf {
    otp.lib_dir().join(format!("erts-{}", otp.erts_vsn)).join("ebin")
}

const CALLER: &str = r#"-module(caller_mod).
-export([sign/2, greet/0, gone/0, self_call/0, view/0, fine/1]).
sign(Key, Data) -> crypto:hmac(sha256, Key, Data).
greet() -> other_mod:hello().
gone() -> nowhere_mod:f(1).
self_call() -> ?MODULE:hidden().
hidden() -> ok.
view() -> xmerl_scan:string("<a/>").
fine(X) -> {lists:reverse(X), erlang:phash2(X), crypto:hash(sha256, X), length(X) + 1}.
"#;

/// `caller` (depending on crypto) and `other` (depended on by nobody), compiled by
/// build::erlc into `<dir>/out`, resolved as one node type of both.
fn written_apps(dir: &Path) -> (Resolved, AppIndex) {
    let app = |name: &str, deps: &str, module: (&str, &str)| {
        let src = dir.join("apps").join(name).join("src");
        std::fs::create_dir_all(&src).unwrap();
        let app_src = format!("{{application, {name}, [{{vsn, \"1.0.0\"}}, {{applications, [{deps}]}}]}}.\n");
        std::fs::write(src.join(format!("{name}.app.src")), app_src).unwrap();
        std::fs::write(src.join(module.0), module.1).unwrap();
    };
    app("caller", "kernel, stdlib, crypto", ("caller_mod.erl", CALLER));
    app("other", "kernel, stdlib", ("other_mod.erl", "-module(other_mod).\n-export([hello/0]).\nhello() -> hi.\n"));
    let compiled = Build::new().lib_dir(dir.join("apps")).out_dir(dir.join("out")).jobs(2).compile().unwrap();
    let otp = otp();
    let index = AppIndex::scan(&[compiled.apps[0].dir.parent().unwrap().to_owned()], &otp).unwrap();
    let specs =
        ["caller", "other"].map(|name| AppSpec { name: name.into(), version: None, start_type: Default::default() });
    (index.resolve("both", &specs).unwrap(), index)
}

fn check(resolved: &Resolved, index: &AppIndex, ignore: &Ignore) -> (Report, Vec<PathBuf>) {
    let apps: Vec<App> = resolved.apps.iter().map(App::from).collect();
    let ebins: Vec<PathBuf> = apps.iter().map(|a| a.ebin.clone()).collect();
    let library = Library::read(ebins.iter().map(PathBuf::as_path), Preloaded::of_otp(&otp()).unwrap(), index).unwrap();
    (library.check(&resolved.node, &apps, ignore), ebins)
}

fn texts<T: ToString>(items: impl IntoIterator<Item = T>) -> BTreeSet<String> {
    items.into_iter().map(|i| i.to_string()).collect()
}

#[test]
fn written_applications_give_the_undefined_functions_otps_xref_gives_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let (resolved, index) = written_apps(dir.path());
    let (report, ebins) = check(&resolved, &index, &Ignore::default());
    let ours = texts(report.undefined_functions());
    let otps = support::xref::otp_undefined_functions(&ebins, &erts_ebin(&otp()), dir.path());
    assert_eq!(ours, otps);
    // stdlib calls compile, which the node type does not carry either.
    let compiler: Vec<&Why> = report.otp_undefined.iter().filter(|u| u.app == "stdlib").map(|u| &u.why).collect();
    assert!(!compiler.is_empty() && compiler.iter().all(|w| **w == Why::NotInNodeType { app: "compiler".into() }));
    let caller = report.undefined.iter().filter(|u| u.app == "caller");
    assert!(caller.clone().all(|u| u.module == "caller_mod"));
    let why: Vec<(String, &Why)> = caller.map(|u| (u.call.to_string(), &u.why)).collect();
    assert_eq!(
        why,
        [
            ("caller_mod:hidden/0".to_owned(), &Why::NotExported { app: "caller".into() }),
            ("crypto:hmac/3".to_owned(), &Why::NotExported { app: "crypto".into() }),
            ("nowhere_mod:f/1".to_owned(), &Why::NoSuchModule),
            ("xmerl_scan:string/1".to_owned(), &Why::NotInNodeType { app: "xmerl".into() }),
        ]
    );
    let undeclared: Vec<(String, String, String)> =
        report.undeclared.iter().map(|u| (u.app.clone(), u.call.to_string(), u.callee_app.clone())).collect();
    assert_eq!(undeclared, [("caller".to_owned(), "other_mod:hello/0".to_owned(), "other".to_owned())]);
}

#[test]
fn what_the_release_ignores_is_counted_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (resolved, index) = written_apps(dir.path());
    let ignore = Ignore::parse(["crypto:hmac/3", "nowhere_mod", "other_mod"]).unwrap();
    let (report, _) = check(&resolved, &index, &ignore);
    let caller = report.undefined.iter().filter(|u| u.app == "caller").map(|u| &u.call);
    assert_eq!(texts(caller), texts(["caller_mod:hidden/0", "xmerl_scan:string/1"]));
    assert!(report.undeclared.is_empty());
    assert_eq!(report.ignored, 3);
}

#[test]
fn every_application_of_this_otp_gives_what_otps_xref_gives() {
    let otp = otp();
    let dir = tempfile::tempdir().unwrap();
    let mut ebins: Vec<PathBuf> = std::fs::read_dir(otp.lib_dir())
        .unwrap()
        .map(|e| e.unwrap().path().join("ebin"))
        .filter(|ebin| ebin.is_dir() && !ebin.starts_with(erts_ebin(&otp)))
        .collect();
    ebins.sort();
    let apps: Vec<App> = ebins
        .iter()
        .map(|ebin| App {
            name: ebin.parent().unwrap().display().to_string(),
            ebin: ebin.clone(),
            deps: vec![],
            otp: true,
        })
        .collect();
    let index = AppIndex::scan(&[], &otp).unwrap();
    let library = Library::read(ebins.iter().map(PathBuf::as_path), Preloaded::of_otp(&otp).unwrap(), &index).unwrap();
    let report = library.check("otp", &apps, &Ignore::default());
    let ours = texts(report.undefined_functions());
    let otps = support::xref::otp_undefined_functions(&ebins, &erts_ebin(&otp), dir.path());
    assert_eq!(ours.difference(&otps).collect::<Vec<_>>(), Vec::<&String>::new(), "ours, not OTP's");
    assert_eq!(otps.difference(&ours).collect::<Vec<_>>(), Vec::<&String>::new(), "OTP's, not ours");
    assert!(report.modules > 1000, "{} modules", report.modules);
}

#[test]
fn a_file_that_is_not_a_beam_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.beam"), b"FOR1\0\0\0\x04BEAM-no").unwrap();
    let index = AppIndex::scan(&[], &otp()).unwrap();
    let err = Library::read([dir.path()], Preloaded::default(), &index).unwrap_err().to_string();
    assert!(err.contains(&dir.path().join("broken.beam").display().to_string()), "{err}");
    assert!(err.contains("rebuild it"), "{err}");
}
