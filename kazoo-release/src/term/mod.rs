//! Erlang terms: the model, a printer whose output `file:consult/1` reads back, a parser
//! for files of dot-terminated terms, and serde support (typed Rust data -> proplists).

/// An Erlang term, as found in `.app`, `.rel`, `sys.config` and `relx.config` files.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
