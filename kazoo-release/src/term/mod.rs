//! Erlang terms: the model, a printer whose output `file:consult/1` reads back, a parser
//! for files of dot-terminated terms, and serde support (typed Rust data -> proplists).
//!
//! Every Erlang file the release writes goes through [`Term`]'s printer and is re-parsed by
//! [`parse_str`] at build time, so the two are kept exact inverses of each other (and of
//! Erlang's own reader: see the tests, which consult the printed text with a real `erl`).

mod lex;
mod parse;
mod print;
mod ser;

pub use parse::{parse_file, parse_str, ParseError};
pub use print::to_file_string;
pub use ser::{as_atom, as_binary, to_term, Atom, Binary, Charlist, SerError};

/// An Erlang term, as found in `.app`, `.rel`, `sys.config` and `relx.config` files.
///
/// Serializing a `Term` with [`to_term`] yields the term itself, so a struct field of type
/// `Term` lands verbatim in the proplist. Other serde formats (JSON, TOML) see serde's usual
/// externally tagged enum form (`{"Atom": "ok"}`), which `Deserialize` reads back.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub enum Term {
    /// `ok`, `'Foo'`, `'kazoo-apps'`: the name without quotes.
    Atom(String),
    /// `42`, `-7`, `16#FF`, `$c`.
    Integer(i64),
    /// `1.5`, `-2.0e3`.
    Float(f64),
    /// `"text"`: a list of code points written as a string.
    Charlist(String),
    /// `<<"text">>`, `<<"é"/utf8>>`, `<<1,2,3>>`: the bytes.
    Binary(Vec<u8>),
    /// `{a, b}`.
    Tuple(Vec<Term>),
    /// `[a, b]` (proper lists only).
    List(Vec<Term>),
    /// `#{k => v}`, in source order.
    Map(Vec<(Term, Term)>),
}

impl Term {
    pub fn atom(name: impl Into<String>) -> Term {
        Term::Atom(name.into())
    }

    pub fn charlist(text: impl Into<String>) -> Term {
        Term::Charlist(text.into())
    }

    /// Takes `&str` as well as raw bytes.
    pub fn binary(bytes: impl AsRef<[u8]>) -> Term {
        Term::Binary(bytes.as_ref().to_vec())
    }

    pub fn tuple(items: impl IntoIterator<Item = Term>) -> Term {
        Term::Tuple(items.into_iter().collect())
    }

    pub fn list(items: impl IntoIterator<Item = Term>) -> Term {
        Term::List(items.into_iter().collect())
    }

    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Term::Atom(name) => Some(name),
            _ => None,
        }
    }

    /// The elements of a list. `""` counts as `[]`: Erlang cannot tell them apart, and a
    /// file may spell an empty list either way.
    pub fn as_list(&self) -> Option<&[Term]> {
        match self {
            Term::List(items) => Some(items),
            Term::Charlist(text) if text.is_empty() => Some(&[]),
            _ => None,
        }
    }

    pub fn as_tuple(&self) -> Option<&[Term]> {
        match self {
            Term::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// The text of a charlist, or of a binary holding valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Term::Charlist(text) => Some(text),
            Term::Binary(bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }

    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Term::Integer(value) => Some(*value),
            _ => None,
        }
    }

    /// The value of the first `{key, Value}` tuple of a proplist, as `proplists:get_value/2`
    /// would find it (`.app` files: `{vsn, "9.0"}`, `{applications, [...]}`).
    pub fn proplist_get(&self, key: &str) -> Option<&Term> {
        self.as_list()?.iter().find_map(|entry| match entry.as_tuple()? {
            [k, value] if k.as_atom() == Some(key) => Some(value),
            _ => None,
        })
    }
}
