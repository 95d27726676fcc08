//! Compiler options: erlc-style flags from the caller (`+debug_info`, `-Iinclude`, `-DTEST`,
//! `-Werror`) and a rebar.config's `erl_opts`, both turned into `compile:file/2` option terms
//! with every include dir made absolute (the compiler VM runs elsewhere).

use std::path::Path;

use regex::Regex;

use super::ErlcError;
use crate::term::{self, Term};

/// An erlc flag as `compile:file/2` takes it; `-I` dirs are relative to `app_dir`.
pub(crate) fn flag(flag: &str, app_dir: &Path) -> Result<Term, ErlcError> {
    let bad = |why: &str| ErlcError::Option { option: flag.to_owned(), why: why.to_owned() };
    if let Some(term_text) = flag.strip_prefix('+') {
        return parse_term(term_text).ok_or_else(|| bad("`+` takes an Erlang term, as erlc's +Term"));
    }
    if let Some(dir) = flag.strip_prefix("-I") {
        return Ok(include(&app_dir.join(dir)));
    }
    if let Some(define) = flag.strip_prefix("-D") {
        let (name, value) = define.split_once('=').map_or((define, None), |(n, v)| (n, Some(v)));
        let name = Term::atom(name);
        return match value {
            None => Ok(Term::tuple([Term::atom("d"), name])),
            Some(value) => {
                let value = parse_term(value).ok_or_else(|| bad("-DName=Value takes an Erlang term as the value"))?;
                Ok(Term::tuple([Term::atom("d"), name, value]))
            }
        };
    }
    match flag {
        "-Werror" => Ok(Term::atom("warnings_as_errors")),
        "-W0" => Ok(Term::atom("nowarn")),
        _ => Err(bad("erlc flags taken here: +Term, -Idir, -Dname[=value], -Werror, -W0")),
    }
}

fn parse_term(text: &str) -> Option<Term> {
    term::parse_str(&format!("{text}.\n"), "").ok()?.pop()
}

pub(crate) fn include(dir: &Path) -> Term {
    Term::tuple([Term::atom("i"), Term::charlist(dir.to_string_lossy())])
}

/// A rebar.config's `erl_opts` as compile options: `{platform_define, Regex, Name[, Value]}`
/// becomes `{d, ...}` where `Regex` matches `arch` (rebar's "25-x86_64-pc-linux-gnu-64"),
/// `{i, Dir}` is made absolute, and `{outdir, _}` is dropped (the build sets it).
pub(crate) fn erl_opts(config: &[Term], app_dir: &Path, arch: &str, file: &Path) -> Result<Vec<Term>, ErlcError> {
    let mut options = Vec::new();
    for entry in config_values(config, "erl_opts") {
        let Some(list) = entry.as_list() else {
            return Err(ErlcError::config(file, "erl_opts is not a list"));
        };
        for option in list {
            match option.as_tuple().unwrap_or_default() {
                [key, Term::Charlist(dir)] if key.as_atom() == Some("i") => options.push(include(&app_dir.join(dir))),
                [key, _] if key.as_atom() == Some("outdir") => {}
                [key, pattern, define @ ..] if key.as_atom() == Some("platform_define") => {
                    if arch_matches(pattern, arch, file)? {
                        options.push(Term::tuple([Term::atom("d")].into_iter().chain(define.iter().cloned())));
                    }
                }
                _ => options.push(option.clone()),
            }
        }
    }
    Ok(options)
}

/// Every value of `{key, Value}` in a rebar.config, in order (rebar reads them all).
pub(crate) fn config_values<'a>(config: &'a [Term], key: &'a str) -> impl Iterator<Item = &'a Term> {
    config.iter().filter_map(move |entry| match entry.as_tuple()? {
        [k, value] if k.as_atom() == Some(key) => Some(value),
        _ => None,
    })
}

/// Whether a rebar.config pattern (a string of PCRE syntax) matches `arch`.
pub(crate) fn arch_matches(pattern: &Term, arch: &str, file: &Path) -> Result<bool, ErlcError> {
    let text = pattern.as_str().ok_or_else(|| ErlcError::config(file, "a platform pattern is not a string"))?;
    let regex = Regex::new(text)
        .map_err(|e| ErlcError::config(file, &format!("platform pattern {text:?} is not a regex: {e}")))?;
    Ok(regex.is_match(arch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlc_flags_become_compile_options() {
        let app = Path::new("/src/app");
        let printed = |f: &str| term::to_file_string(&[flag(f, app).unwrap()]);
        assert_eq!(printed("+debug_info"), "debug_info.\n");
        assert_eq!(printed("+{parse_transform, lager_transform}"), "{parse_transform, lager_transform}.\n");
        assert_eq!(printed("-Iinclude"), "{i, \"/src/app/include\"}.\n");
        assert_eq!(printed("-DTEST"), "{d, 'TEST'}.\n");
        assert_eq!(printed("-DN=3"), "{d, 'N', 3}.\n");
        assert_eq!(printed("-Werror"), "warnings_as_errors.\n");
        let err = flag("-pa", app).unwrap_err().to_string();
        assert!(err.contains("-pa") && err.contains("+Term"), "{err}");
    }

    #[test]
    fn platform_defines_apply_where_the_pattern_matches_the_arch() {
        let config = term::parse_str(
            "{erl_opts, [debug_info, {i, \"inc\"}, {outdir, \"x\"}, {platform_define, \"^[0-9]+\", namespaced_types},\
             {platform_define, \"R1(4|5)\", 'OLD', 1}]}.",
            "rebar.config",
        )
        .unwrap();
        let options =
            erl_opts(&config, Path::new("/a"), "25-x86_64-pc-linux-gnu-64", Path::new("rebar.config")).unwrap();
        assert_eq!(
            term::to_file_string(&[Term::list(options)]),
            "[debug_info, {i, \"/a/inc\"}, {d, namespaced_types}].\n"
        );
    }
}
