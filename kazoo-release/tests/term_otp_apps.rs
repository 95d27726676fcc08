//! Every `.app` file of the installed Erlang/OTP (and Debian's lager and goldrush) parses.

mod term_support;

use std::path::PathBuf;

use kazoo_release::term::{parse_file, Term};
use term_support::{assert_reprints, erl_consult, normalise_all, otp_lib};

fn app_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for app_dir in std::fs::read_dir(otp_lib()).unwrap() {
        let Ok(ebin) = std::fs::read_dir(app_dir.unwrap().path().join("ebin")) else {
            continue;
        };
        files.extend(
            ebin.map(|entry| entry.unwrap().path()).filter(|path| path.extension().is_some_and(|ext| ext == "app")),
        );
    }
    files.sort();
    files
}

#[test]
fn every_installed_app_file_parses() {
    let files = app_files();
    assert!(files.len() > 20, "only {} .app files under {}", files.len(), otp_lib().display());
    let mut seen = Vec::new();
    for file in &files {
        let terms = parse_file(file).unwrap_or_else(|err| panic!("{err}"));
        let [app] = terms.as_slice() else { panic!("{}: {} terms", file.display(), terms.len()) };
        let Some([tag, name, props]) = app.as_tuple() else { panic!("{}: {app}", file.display()) };
        assert_eq!(tag.as_atom(), Some("application"), "{}", file.display());
        let name = name.as_atom().expect("application name is an atom");
        assert_eq!(Some(name), file.file_stem().and_then(|s| s.to_str()));
        assert!(props.proplist_get("vsn").and_then(Term::as_str).is_some(), "{name}: vsn");
        let deps = props.proplist_get("applications").and_then(Term::as_list).unwrap_or(&[]);
        assert!(deps.iter().all(|dep| dep.as_atom().is_some()), "{name}: applications");
        assert_reprints(&terms);
        seen.push(name.to_string());
    }
    for wanted in ["kernel", "stdlib", "sasl", "lager", "goldrush"] {
        assert!(seen.iter().any(|name| name == wanted), "{wanted}.app not found: {INSTALL}");
    }
}

const INSTALL: &str = "apt-get install erlang-nox erlang-lager";

#[test]
fn app_files_read_as_erl_reads_them() {
    let files = app_files();
    let paths: Vec<_> = files.iter().map(PathBuf::as_path).collect();
    for (file, by_erl) in files.iter().zip(erl_consult(&paths)) {
        let ours = parse_file(file).unwrap();
        assert_eq!(normalise_all(&ours), normalise_all(&by_erl), "{}", file.display());
    }
}
