//! Shared by the term tests: the real Erlang/OTP they check against.
#![allow(dead_code)] // each test file uses part of this

use std::path::{Path, PathBuf};
use std::process::Command;

use kazoo_release::term::{parse_file, parse_str, Term};

#[path = "../../../tests/support/mod.rs"]
mod support;

const INSTALL: &str = "apt-get install erlang-nox erlang-lager";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The installed OTP's application directory; the tests need a real one.
pub fn otp_lib() -> PathBuf {
    let lib = PathBuf::from("/usr/lib/erlang/lib");
    assert!(lib.is_dir(), "no Erlang/OTP at {}: {INSTALL}", lib.display());
    lib
}

fn erl() -> PathBuf {
    let erl = PathBuf::from("/usr/bin/erl");
    assert!(erl.exists(), "no erl at {}: {INSTALL}", erl.display());
    erl
}

/// What a real `erl` makes of each file with `file:consult/1`, read back by our parser from
/// Erlang's own printing (`~tp`). One `erl` boot for all files, in a private temp dir.
pub fn erl_consult(files: &[&Path]) -> Vec<Vec<Term>> {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("consulted");
    let paths = Term::list(files.iter().map(|f| Term::charlist(f.to_str().expect("UTF-8 path"))));
    let out_path = Term::charlist(out.to_str().expect("UTF-8 path"));
    let code = format!(
        "Text = [case file:consult(F) of
                     {{ok, Ts}} -> io_lib:format(\"~tp.~n\", [Ts]);
                     Err -> io:format(standard_error, \"~ts: ~tp~n\", [F, Err]), halt(2)
                 end || F <- {paths}],
         ok = file:write_file({out_path}, unicode:characters_to_binary(Text)),
         halt()."
    );
    let run = support::vm_in(&mut Command::new(erl()), dir.path())
        .args(["-noshell", "-eval", &code])
        .env("HOME", dir.path())
        .output()
        .expect("erl runs");
    assert!(
        run.status.success(),
        "erl failed ({}):\n{}{}",
        run.status,
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let results = parse_file(&out).unwrap_or_else(|err| panic!("erl's output: {err}"));
    assert_eq!(results.len(), files.len());
    results.into_iter().map(|terms| terms.as_list().expect("consult gives a list").to_vec()).collect()
}

/// Erlang cannot tell `"ab"` from `[97, 98]` (nor `""` from `[]`), and prints map keys in
/// its own order: compare terms in a form where those differences vanish.
pub fn normalise(term: &Term) -> Term {
    match term {
        Term::Charlist(text) => Term::list(text.chars().map(|c| Term::Integer(i64::from(u32::from(c))))),
        Term::Tuple(items) => Term::tuple(items.iter().map(normalise)),
        Term::List(items) => Term::list(items.iter().map(normalise)),
        Term::Map(pairs) => {
            let mut pairs: Vec<_> = pairs.iter().map(|(k, v)| (normalise(k), normalise(v))).collect();
            pairs.sort_by_key(|(k, _)| k.to_string());
            Term::Map(pairs)
        }
        other => other.clone(),
    }
}

pub fn normalise_all(terms: &[Term]) -> Vec<Term> {
    terms.iter().map(normalise).collect()
}

/// Printing then parsing gives the same terms, in both the one-line and the file form.
pub fn assert_reprints(terms: &[Term]) {
    let file = kazoo_release::term::to_file_string(terms);
    assert_eq!(parse_str(&file, "pretty").unwrap_or_else(|e| panic!("{e}\n{file}")), terms);
    for term in terms {
        let line = term.to_string();
        assert!(!line.contains('\n'), "one line: {line}");
        assert_eq!(parse_str(&format!("{line}."), "line").unwrap(), std::slice::from_ref(term), "{line}");
    }
}
