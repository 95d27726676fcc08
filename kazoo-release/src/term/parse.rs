//! The parser: files of dot-terminated terms, as `file:consult/1` reads them.

use std::path::Path;

use super::lex::{Lexer, Located, Pos, Tok};
use super::Term;

/// Why a file of terms could not be read, and where: `file:line:column: message`.
/// IO errors have line and column 0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ParseError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads every term of `src` (each ending in `.`); `file` names the source in errors.
pub fn parse_str(src: &str, file: &str) -> Result<Vec<Term>, ParseError> {
    let mut parser = Parser { lexer: Lexer::new(src), peeked: None, depth: 0 };
    parser.terms().map_err(|(pos, message)| ParseError {
        file: file.to_string(),
        line: pos.line,
        column: pos.column,
        message,
    })
}

/// Reads every term of the file at `path` (UTF-8, as `file:consult/1` assumes since OTP 17).
pub fn parse_file(path: &Path) -> Result<Vec<Term>, ParseError> {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(src) => parse_str(&src, &file),
        Err(err) => Err(ParseError { file, line: 0, column: 0, message: err.to_string() }),
    }
}

/// Deeper nesting than any real config is refused rather than risking the stack.
const MAX_DEPTH: usize = 100;

struct Parser {
    lexer: Lexer,
    peeked: Option<(Pos, Tok)>,
    depth: usize,
}

/// What closes each opening bracket.
fn closer(open: &str) -> &'static str {
    match open {
        "[" => "]",
        "<<" => ">>",
        _ => "}",
    }
}

impl Parser {
    fn peek(&mut self) -> Result<&(Pos, Tok), Located> {
        let tok = match self.peeked.take() {
            Some(tok) => tok,
            None => self.lexer.next_token()?,
        };
        Ok(self.peeked.insert(tok))
    }

    fn next(&mut self) -> Result<(Pos, Tok), Located> {
        match self.peeked.take() {
            Some(tok) => Ok(tok),
            None => self.lexer.next_token(),
        }
    }

    fn terms(&mut self) -> Result<Vec<Term>, Located> {
        let mut terms = Vec::new();
        while self.peek()?.1 != Tok::Eof {
            terms.push(self.term()?);
            match self.next()? {
                (_, Tok::Dot) => {}
                (pos, tok) => return Err((pos, format!("missing `.` after the term (found {tok})"))),
            }
        }
        Ok(terms)
    }

    fn term(&mut self) -> Result<Term, Located> {
        let (pos, tok) = self.next()?;
        match tok {
            Tok::Atom(name) => Ok(Term::Atom(name)),
            Tok::Str(text) => Ok(Term::Charlist(self.strings(text)?)),
            Tok::Integer(magnitude) => integer(pos, magnitude, false),
            Tok::Float(value) => Ok(Term::Float(value)),
            Tok::Punct(sign @ ("-" | "+")) => match self.next()? {
                (at, Tok::Integer(magnitude)) => integer(at, magnitude, sign == "-"),
                (_, Tok::Float(value)) => Ok(Term::Float(if sign == "-" { -value } else { value })),
                (at, tok) => Err((at, format!("expected a number after `{sign}`, found {tok}"))),
            },
            Tok::Punct(open @ ("{" | "[" | "<<")) => self.nested(|p| p.container(pos, open)),
            Tok::Punct("#") => match self.next()? {
                (at, Tok::Punct("{")) => self.nested(|p| p.container(at, "#{")),
                (at, tok) => Err((at, format!("expected `{{` after `#`, found {tok}"))),
            },
            Tok::Var(name) => Err((pos, format!("variable `{name}` in a term; write '{name}' for the atom"))),
            tok => Err((pos, format!("expected a term, found {tok}"))),
        }
    }

    fn nested(&mut self, body: impl FnOnce(&mut Self) -> Result<Term, Located>) -> Result<Term, Located> {
        if self.depth == MAX_DEPTH {
            let (pos, _) = self.peek()?;
            return Err((*pos, format!("terms nested deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        let term = body(self);
        self.depth -= 1;
        term
    }

    /// Adjacent string literals are one string, as in Erlang (`"a" "b"`).
    fn strings(&mut self, mut text: String) -> Result<String, Located> {
        loop {
            match self.peek()? {
                (_, Tok::Str(more)) => text.push_str(more),
                _ => return Ok(text),
            }
            self.next()?;
        }
    }

    /// The elements of a tuple, list, map or binary opened by `open` at `pos`, up to and
    /// including the closing bracket.
    fn container(&mut self, pos: Pos, open: &'static str) -> Result<Term, Located> {
        let close = closer(open);
        let mut items = Vec::new();
        let mut pairs = Vec::new();
        let mut bytes = Vec::new();
        if self.peek()?.1 == Tok::Punct(close) {
            self.next()?;
        } else {
            loop {
                match open {
                    "#{" => pairs.push(self.map_entry()?),
                    "<<" => self.bin_element(&mut bytes)?,
                    _ => items.push(self.term()?),
                }
                match self.next()? {
                    (_, Tok::Punct(",")) => continue,
                    (_, Tok::Punct(p)) if p == close => break,
                    (at, Tok::Punct("|")) if open == "[" => {
                        self.tail(at, &mut items)?;
                        self.expect_close(pos, open)?;
                        break;
                    }
                    (at, tok) => return Err(unclosed(pos, open, at, tok)),
                }
            }
        }
        Ok(match open {
            "{" => Term::Tuple(items),
            "[" => Term::List(items),
            "#{" => Term::Map(pairs),
            _ => Term::Binary(bytes),
        })
    }

    fn expect_close(&mut self, pos: Pos, open: &'static str) -> Result<(), Located> {
        match self.next()? {
            (_, Tok::Punct(p)) if p == closer(open) => Ok(()),
            (at, tok) => Err(unclosed(pos, open, at, tok)),
        }
    }

    /// `[a | Tail]`: only a proper list tail is accepted; its elements join the list.
    fn tail(&mut self, at: Pos, items: &mut Vec<Term>) -> Result<(), Located> {
        match self.term()? {
            Term::List(more) => items.extend(more),
            Term::Charlist(text) => items.extend(text.chars().map(|c| Term::Integer(i64::from(u32::from(c))))),
            _ => return Err((at, "improper lists (`[Head | Tail]` with a non-list tail) are not supported".into())),
        }
        Ok(())
    }

    fn map_entry(&mut self) -> Result<(Term, Term), Located> {
        let key = self.term()?;
        match self.next()? {
            (_, Tok::Punct("=>")) => Ok((key, self.term()?)),
            (at, tok) => Err((at, format!("expected `=>` after a map key, found {tok}"))),
        }
    }

    /// One element of a binary: a string (optionally `/utf8`) or a byte.
    fn bin_element(&mut self, bytes: &mut Vec<u8>) -> Result<(), Located> {
        let (pos, tok) = self.next()?;
        match tok {
            Tok::Str(text) => {
                let text = self.strings(text)?;
                if self.peek()?.1 == Tok::Punct("/") {
                    self.next()?;
                    match self.next()? {
                        (_, Tok::Atom(kind)) if kind == "utf8" => {
                            bytes.extend_from_slice(text.as_bytes());
                            return Ok(());
                        }
                        (at, tok) => return Err((at, format!("only `/utf8` is supported here, found {tok}"))),
                    }
                }
                for c in text.chars() {
                    let byte = u8::try_from(u32::from(c))
                        .map_err(|_| (pos, format!("`{c}` is not a byte; add `/utf8` after the string")))?;
                    bytes.push(byte);
                }
            }
            Tok::Integer(value) => match u8::try_from(value) {
                Ok(byte) => bytes.push(byte),
                Err(_) => return Err((pos, format!("{value} is not a byte (0 to 255)"))),
            },
            tok => return Err((pos, format!("expected a string or a byte in a binary, found {tok}"))),
        }
        if let (at, Tok::Punct(spec @ (":" | "/"))) = self.peek()? {
            return Err((*at, format!("bit syntax `{spec}` is not supported in a term")));
        }
        Ok(())
    }
}

fn integer(pos: Pos, magnitude: u64, negative: bool) -> Result<Term, Located> {
    let value = if negative { 0i64.checked_sub_unsigned(magnitude) } else { i64::try_from(magnitude).ok() };
    value.map(Term::Integer).ok_or((pos, "integer out of range (terms hold 64-bit integers)".into()))
}

/// The error for a container that is not closed where `tok` was found.
fn unclosed(pos: Pos, open: &str, at: Pos, tok: Tok) -> Located {
    let close = closer(open);
    let message = match tok {
        Tok::Punct(p @ ("}" | "]" | ">>")) => {
            format!("mismatched `{p}`: `{open}` opened at {pos} needs `{close}`")
        }
        Tok::Eof | Tok::Dot => format!("`{open}` opened at {pos} is not closed (found {tok})"),
        tok => format!("expected `,` or `{close}`, found {tok}"),
    };
    (at, message)
}
