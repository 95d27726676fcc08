//! The printer: Erlang source text that `file:consult/1` reads back as the same term.
//!
//! `Display` is the one-line form; [`Term::pretty`] lays the same text out over lines for
//! files people edit, using `Display` for every part that fits on a line.

use std::fmt::{self, Display, Write};

use super::lex::{is_name_char, RESERVED};
use super::Term;

/// Lines longer than this are broken (a soft limit: atoms and strings are never split).
const WIDTH: usize = 100;
const INDENT: &str = "    ";

impl Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Atom(name) => write_atom(f, name),
            Term::Integer(value) => write!(f, "{value}"),
            Term::Float(value) => write_float(f, *value),
            Term::Charlist(text) => write_quoted(f, text, '"'),
            Term::Binary(bytes) => write_binary(f, bytes),
            Term::Tuple(items) => write_items(f, "{", items, "}"),
            Term::List(items) => write_items(f, "[", items, "]"),
            Term::Map(pairs) => {
                f.write_str("#{")?;
                for (i, (key, value)) in pairs.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{key} => {value}")?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_items(f: &mut fmt::Formatter<'_>, open: &str, items: &[Term], close: &str) -> fmt::Result {
    f.write_str(open)?;
    for (i, item) in items.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        write!(f, "{sep}{item}")?;
    }
    f.write_str(close)
}

fn write_atom(f: &mut impl Write, name: &str) -> fmt::Result {
    let bare = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii() && is_name_char(c))
        && !RESERVED.contains(&name)
        && !matches!(name, "maybe" | "else");
    if bare {
        f.write_str(name)
    } else {
        write_quoted(f, name, '\'')
    }
}

/// Escapes what would not survive as itself: the quote, backslash and control characters.
/// Other non-ASCII characters are written as they are (UTF-8, which Erlang reads by default).
fn write_quoted(f: &mut impl Write, text: &str, quote: char) -> fmt::Result {
    f.write_char(quote)?;
    for c in text.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            c if c == quote => write!(f, "\\{quote}")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\u{1b}' => f.write_str("\\e")?,
            c if c.is_control() => write!(f, "\\x{{{:X}}}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char(quote)
}

/// Shortest text that reads back as the same float, with the digit on each side of the `.`
/// that Erlang requires (`1.0e-7`, never `1e-7`). Erlang has no infinity or NaN; those print
/// as an out-of-range literal that every reader rejects, rather than as some other value.
fn write_float(f: &mut impl Write, value: f64) -> fmt::Result {
    if !value.is_finite() {
        return f.write_str(if value < 0.0 { "-1.0e999" } else { "1.0e999" });
    }
    let text = format!("{value:?}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if !mantissa.contains('.') => {
            write!(f, "{mantissa}.0e{exponent}")
        }
        _ => f.write_str(&text),
    }
}

/// Text as a string (`/utf8` when not ASCII), anything else as bytes.
fn write_binary(f: &mut impl Write, bytes: &[u8]) -> fmt::Result {
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|text| !text.chars().any(|c| c.is_control() && !"\n\t\r\u{1b}".contains(c)));
    f.write_str("<<")?;
    match text {
        Some("") => {}
        Some(text) => {
            write_quoted(f, text, '"')?;
            if !text.is_ascii() {
                f.write_str("/utf8")?;
            }
        }
        None => {
            for (i, byte) in bytes.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                write!(f, "{sep}{byte}")?;
            }
        }
    }
    f.write_str(">>")
}

impl Term {
    /// The term over several indented lines, for files people read and edit: a container
    /// that does not fit on its line puts one entry per line when its entries are all
    /// tuples, lists or maps (proplists), and fills lines otherwise (lists of atoms,
    /// lager's formatter config).
    pub fn pretty(&self) -> String {
        let mut out = Pretty { text: String::new(), column: 0 };
        out.term(self, 0);
        out.text
    }
}

/// A file of terms for `file:consult/1`: each pretty-printed and ended by `.`. Files that
/// are not pure ASCII say they are UTF-8, so older readers and editors agree.
pub fn to_file_string(terms: &[Term]) -> String {
    let mut file = String::new();
    for term in terms {
        file.push_str(&term.pretty());
        file.push_str(".\n");
    }
    if file.is_ascii() {
        file
    } else {
        format!("%% -*- coding: utf-8 -*-\n{file}")
    }
}

/// The text being laid out and the column its last line has reached.
struct Pretty {
    text: String,
    column: usize,
}

fn is_container(term: &Term) -> bool {
    match term {
        Term::Tuple(items) | Term::List(items) => !items.is_empty(),
        Term::Map(pairs) => !pairs.is_empty(),
        _ => false,
    }
}

/// A tuple whose only container is its last element, which can then open on the tuple's line.
fn hugs(items: &[Term]) -> bool {
    match items.split_last() {
        Some((last, head)) => !head.is_empty() && is_container(last) && !head.iter().any(is_container),
        None => false,
    }
}

impl Pretty {
    fn push(&mut self, text: &str) {
        match text.rfind('\n') {
            Some(at) => self.column = text[at + 1..].chars().count(),
            None => self.column += text.chars().count(),
        }
        self.text.push_str(text);
    }

    fn newline(&mut self, level: usize) {
        self.push("\n");
        self.push(&INDENT.repeat(level));
    }

    fn fits(&self, flat: &str) -> bool {
        self.column + flat.chars().count() <= WIDTH
    }

    /// Writes `term` at the current column; `level` is the indentation of its line.
    fn term(&mut self, term: &Term, level: usize) {
        let flat = term.to_string();
        if self.fits(&flat) {
            return self.push(&flat);
        }
        let each = |p: &mut Self, item: &Term, level| p.term(item, level);
        match term {
            // `{key, [` ... `]}`: a proplist entry keeps its key on the line it opens.
            Term::Tuple(items) if hugs(items) => {
                let (last, head) = items.split_last().expect("hugs() wants two or more");
                self.push("{");
                for item in head {
                    self.push(&format!("{item}, "));
                }
                self.term(last, level);
                self.push("}");
            }
            Term::Tuple(items) if !items.is_empty() => self.block(level, "{", items, "}", each),
            Term::List(items) if !items.is_empty() && items.iter().all(is_container) => {
                self.block(level, "[", items, "]", each)
            }
            Term::List(items) if !items.is_empty() => self.fill(level, items),
            Term::Map(pairs) if !pairs.is_empty() => self.block(level, "#{", pairs, "}", |p, (key, value), level| {
                p.push(&format!("{key} => "));
                p.term(value, level);
            }),
            _ => self.push(&flat),
        }
    }

    /// One entry per line, one level deeper, the closing bracket on a line of its own.
    fn block<T>(
        &mut self,
        level: usize,
        open: &str,
        items: &[T],
        close: &str,
        mut entry: impl FnMut(&mut Self, &T, usize),
    ) {
        self.push(open);
        for (i, item) in items.iter().enumerate() {
            self.newline(level + 1);
            entry(self, item, level + 1);
            if i + 1 < items.len() {
                self.push(",");
            }
        }
        self.newline(level);
        self.push(close);
    }

    /// As many entries per line as fit, one level deeper.
    fn fill(&mut self, level: usize, items: &[Term]) {
        self.push("[");
        self.newline(level + 1);
        for (i, item) in items.iter().enumerate() {
            let flat = item.to_string();
            if i > 0 {
                self.push(",");
                // Room for the separating space and the comma that follows.
                if self.column + 1 + flat.chars().count() + 1 > WIDTH {
                    self.newline(level + 1);
                } else {
                    self.push(" ");
                }
            }
            self.term(item, level + 1);
        }
        self.newline(level);
        self.push("]");
    }
}
