//! The attributes of an Erlang source or header that decide what to compile first and what
//! an edit touches: `-include`, `-include_lib`, `-behaviour` and the parse
//! transforms of `-compile`. Read natively (no VM): forms are found by their `.` terminator,
//! skipping comments, strings, quoted atoms and character literals, and an attribute's
//! argument is read with the term parser. Arguments built from macros are not followed
//! (`-include(?HRL)`), nor are `-ifdef`s: every include counts, as for `erlc -M`. A module's
//! name is its file's (the compiler refuses any other), not its `-module`, which may stand
//! in an `-ifdef`.

use crate::term::{self, Term};

/// What one file declares.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Attributes {
    pub includes: Vec<Include>,
    /// `-behaviour(M)` / `-behavior(M)`.
    pub behaviours: Vec<String>,
    /// `-compile({parse_transform, M})`, alone or in a list.
    pub parse_transforms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Include {
    /// `-include("x.hrl")`: beside the including file, then the include path.
    Local(String),
    /// `-include_lib("app/include/x.hrl")`: as a local include, then in application `app`.
    Lib(String),
}

pub(crate) fn attributes(source: &[u8]) -> Attributes {
    let mut found = Attributes::default();
    let mut at = 0;
    while at < source.len() {
        let end = form_end(source, at);
        if let Some((name, argument)) = attribute(&source[at..end]) {
            record(&mut found, name, argument);
        }
        at = end + 1;
    }
    found
}

fn record(found: &mut Attributes, name: &str, argument: &str) {
    let Some(term) = term::parse_str(&format!("{argument}.\n"), "").ok().and_then(|mut t| t.pop()) else {
        return;
    };
    match (name, &term) {
        ("include", Term::Charlist(path)) => found.includes.push(Include::Local(path.clone())),
        ("include_lib", Term::Charlist(path)) => found.includes.push(Include::Lib(path.clone())),
        ("behaviour" | "behavior", Term::Atom(module)) => found.behaviours.push(module.clone()),
        ("compile", options) => found.parse_transforms.extend(parse_transforms(options)),
        _ => {}
    }
}

/// The modules named by `{parse_transform, M}` in compiler options (one option or a list).
pub(crate) fn parse_transforms(options: &Term) -> Vec<String> {
    let options = options.as_list().map(<[Term]>::to_vec).unwrap_or_else(|| vec![options.clone()]);
    options
        .iter()
        .filter_map(|option| match option.as_tuple()? {
            [key, Term::Atom(module)] if key.as_atom() == Some("parse_transform") => Some(module.clone()),
            _ => None,
        })
        .collect()
}

/// `-name(argument)` at the start of a form (after blanks and comments), as text.
fn attribute(form: &[u8]) -> Option<(&str, &str)> {
    let start = skip_blank(form, 0);
    if form.get(start) != Some(&b'-') {
        return None;
    }
    let name_start = skip_blank(form, start + 1);
    let name_end =
        name_start + form[name_start..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
    let open = skip_blank(form, name_end);
    if name_end == name_start || form.get(open) != Some(&b'(') {
        return None;
    }
    let close = form.iter().rposition(|&c| c == b')').filter(|&close| close > open)?;
    let name = std::str::from_utf8(&form[name_start..name_end]).ok()?;
    let argument = std::str::from_utf8(&form[open + 1..close]).ok()?;
    Some((name, argument))
}

fn skip_blank(text: &[u8], mut at: usize) -> usize {
    while let Some(&c) = text.get(at) {
        match c {
            b'%' => at = line_end(text, at),
            c if c.is_ascii_whitespace() => at += 1,
            _ => break,
        }
    }
    at
}

fn line_end(text: &[u8], at: usize) -> usize {
    text[at..].iter().position(|&c| c == b'\n').map_or(text.len(), |n| at + n)
}

/// The index of the `.` that ends the form starting at `at` (or the end of the text).
fn form_end(text: &[u8], mut at: usize) -> usize {
    while let Some(&c) = text.get(at) {
        match c {
            b'%' => at = line_end(text, at),
            b'"' | b'\'' => at = quoted_end(text, at),
            // `$x`, `$\n`, `$\x{41}`: the character after `$` is never a delimiter.
            b'$' => at += if text.get(at + 1) == Some(&b'\\') { 3 } else { 2 },
            b'.' if text.get(at + 1).map_or(true, |c| c.is_ascii_whitespace() || *c == b'%') => return at,
            _ => at += 1,
        }
    }
    text.len()
}

/// The index just past the closing quote of the string or quoted atom opening at `at`.
fn quoted_end(text: &[u8], at: usize) -> usize {
    let quote = text[at];
    let mut i = at + 1;
    while let Some(&c) = text.get(i) {
        match c {
            b'\\' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_attributes_that_order_a_build_and_skips_what_only_looks_like_them() {
        let source = br#"%% -include("commented.hrl").
-module(kz_thing).
-behaviour(gen_server). -behavior(kz_listener).
-include("kz_thing.hrl").
-include_lib( "kazoo_stdlib/include/kz_types.hrl" ).
-include(?MACRO_HRL).
-compile([export_all, {parse_transform, lager_transform}]).
-compile({parse_transform, other_pt}).
-define(DOT, $.).
f() -> "a string with -include(\"x.hrl\"). inside", 'quoted. -atom', $", 1.5.
-ifdef(TEST).
-include_lib("eunit/include/eunit.hrl").
-endif.
"#;
        let found = attributes(source);
        assert_eq!(found.behaviours, ["gen_server", "kz_listener"]);
        assert_eq!(found.parse_transforms, ["lager_transform", "other_pt"]);
        assert_eq!(
            found.includes,
            [
                Include::Local("kz_thing.hrl".into()),
                Include::Lib("kazoo_stdlib/include/kz_types.hrl".into()),
                Include::Lib("eunit/include/eunit.hrl".into()),
            ]
        );
    }
}
