//! The tokenizer: Erlang's scanner rules (`erl_scan`) for the subset of tokens that literal
//! terms use, with the position of every token so errors can point at it.

use std::fmt;

/// A 1-based line and column (columns count characters, as `erl_scan` does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// An error at a place in the source.
pub(crate) type Located = (Pos, String);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Atom(String),
    /// A variable name: never valid in a literal term, kept for a helpful message.
    Var(String),
    /// The magnitude of an integer; the sign is a separate `-` token, as in Erlang.
    Integer(u64),
    Float(f64),
    Str(String),
    /// Punctuation: `{ } [ ] ( ) , | # / : => := << >> - +`.
    Punct(&'static str),
    /// The end of a term: `.` followed by whitespace, `%` or the end of the input.
    Dot,
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Atom(name) => write!(f, "atom `{name}`"),
            Tok::Var(name) => write!(f, "variable `{name}`"),
            Tok::Integer(value) => write!(f, "integer `{value}`"),
            Tok::Float(value) => write!(f, "float `{value:?}`"),
            Tok::Str(_) => f.write_str("a string"),
            Tok::Punct(p) => write!(f, "`{p}`"),
            Tok::Dot => f.write_str("`.`"),
            Tok::Eof => f.write_str("end of file"),
        }
    }
}

/// Words `erl_scan` reserves: unquoted, they are not atoms. (`maybe` and `else` are only
/// reserved when the `maybe_expr` feature is on; the printer quotes them too, to be safe.)
pub(crate) const RESERVED: &[&str] = &[
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch", "cond", "div",
    "end", "fun", "if", "let", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
];

/// Erlang atoms hold at most 255 characters.
const MAX_ATOM_CHARS: usize = 255;

/// Can start an unquoted atom: `a-z` and the Latin-1 lowercase letters.
pub(crate) fn is_atom_start(c: char) -> bool {
    c.is_ascii_lowercase() || (('\u{DF}'..='\u{FF}').contains(&c) && c != '\u{F7}')
}

/// Can continue an unquoted atom or a variable name.
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '_'
        || c == '@'
        || (('\u{C0}'..='\u{FF}').contains(&c) && c != '\u{D7}' && c != '\u{F7}')
}

fn is_var_start(c: char) -> bool {
    c.is_ascii_uppercase() || c == '_' || (('\u{C0}'..='\u{DE}').contains(&c) && c != '\u{D7}')
}

/// `erl_scan`'s whitespace: every control character, space, and Latin-1's C1 range and NBSP.
fn is_white(c: char) -> bool {
    c <= ' ' || ('\u{80}'..='\u{A0}').contains(&c)
}

pub(crate) struct Lexer {
    chars: Vec<char>,
    at: usize,
    pos: Pos,
}

impl Lexer {
    pub fn new(src: &str) -> Lexer {
        // A byte order mark is not part of the text (editors on Windows add one).
        let src = src.strip_prefix('\u{FEFF}').unwrap_or(src);
        Lexer { chars: src.chars().collect(), at: 0, pos: Pos { line: 1, column: 1 } }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += 1;
        if c == '\n' {
            self.pos = Pos { line: self.pos.line + 1, column: 1 };
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn skip_blank(&mut self) {
        while let Some(c) = self.peek() {
            if c == '%' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else if is_white(c) {
                self.bump();
            } else {
                break;
            }
        }
    }

    /// The next token and where it starts.
    pub fn next_token(&mut self) -> Result<(Pos, Tok), Located> {
        self.skip_blank();
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok((start, Tok::Eof));
        };
        let tok = match c {
            c if is_atom_start(c) => {
                let name = self.name();
                if RESERVED.contains(&name.as_str()) {
                    return Err((start, format!("`{name}` is a reserved word; write '{name}' for the atom")));
                }
                Tok::Atom(name)
            }
            c if is_var_start(c) => Tok::Var(self.name()),
            '0'..='9' => self.number(start)?,
            '$' => {
                self.bump();
                let at = self.pos;
                let c = match self.bump() {
                    None => return Err((start, "unterminated character literal `$`".into())),
                    Some('\\') => self.escape(at, start)?,
                    Some(c) => c,
                };
                Tok::Integer(u64::from(c))
            }
            '"' => Tok::Str(self.quoted('"', start)?),
            '\'' => {
                let name = self.quoted('\'', start)?;
                if name.chars().count() > MAX_ATOM_CHARS {
                    return Err((start, format!("atom too long (over {MAX_ATOM_CHARS} characters)")));
                }
                Tok::Atom(name)
            }
            '.' => {
                self.bump();
                match self.peek() {
                    None | Some('%') => Tok::Dot,
                    Some(c) if is_white(c) => Tok::Dot,
                    Some(_) => return Err((start, "unexpected `.` (a term ends with `.` and whitespace)".into())),
                }
            }
            _ => {
                let two: String = [Some(c), self.peek_at(1)].into_iter().flatten().collect();
                let punct = ["=>", ":=", "<<", ">>"]
                    .into_iter()
                    .chain(["{", "}", "[", "]", "(", ")", ",", "|", "#", "/", ":", "-", "+"])
                    .find(|p| two.starts_with(p));
                let Some(punct) = punct else {
                    return Err((start, format!("unexpected character `{}`", c.escape_debug())));
                };
                for _ in punct.chars() {
                    self.bump();
                }
                Tok::Punct(punct)
            }
        };
        Ok((start, tok))
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek().filter(|&c| is_name_char(c)) {
            name.push(c);
            self.bump();
        }
        name
    }

    /// Digits in `radix`, allowing `_` between two digits (`1_000`, OTP 23+).
    fn digits(&mut self, radix: u32) -> String {
        let mut digits = String::new();
        loop {
            match self.peek() {
                Some(c) if c.is_digit(radix) => digits.push(c),
                Some('_') if !digits.is_empty() && self.peek_at(1).is_some_and(|c| c.is_digit(radix)) => {}
                _ => return digits,
            }
            self.bump();
        }
    }

    fn number(&mut self, start: Pos) -> Result<Tok, Located> {
        let too_big = || (start, "integer out of range (terms hold 64-bit integers)".to_string());
        let whole = self.digits(10);
        if self.peek() == Some('#') {
            let radix = whole.parse::<u32>().ok().filter(|r| (2..=36).contains(r));
            let Some(radix) = radix else {
                return Err((start, format!("bad base `{whole}` (2 to 36)")));
            };
            self.bump();
            let digits = self.digits(radix);
            if let Some(c) = self.peek().filter(|c| c.is_ascii_alphanumeric()) {
                return Err((self.pos, format!("`{c}` is not a base {radix} digit")));
            }
            if digits.is_empty() {
                return Err((self.pos, format!("missing base {radix} digits after `#`")));
            }
            return u64::from_str_radix(&digits, radix).map(Tok::Integer).map_err(|_| too_big());
        }
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
            let mut text = format!("{whole}.{}", self.digits(10));
            if let Some(e @ ('e' | 'E')) = self.peek() {
                self.bump();
                text.push(e);
                if let Some(sign @ ('+' | '-')) = self.peek() {
                    self.bump();
                    text.push(sign);
                }
                let exponent = self.digits(10);
                if exponent.is_empty() {
                    return Err((self.pos, "missing exponent digits in float".into()));
                }
                text.push_str(&exponent);
            }
            let value: f64 = text.parse().map_err(|_| (start, format!("bad float `{text}`")))?;
            if !value.is_finite() {
                return Err((start, format!("float `{text}` out of range")));
            }
            return Ok(Tok::Float(value));
        }
        whole.parse().map(Tok::Integer).map_err(|_| too_big())
    }

    /// The body of a quoted string or atom; the opening quote is at `start`.
    fn quoted(&mut self, quote: char, start: Pos) -> Result<String, Located> {
        self.bump();
        let mut text = String::new();
        loop {
            let at = self.pos;
            match self.bump() {
                None => {
                    let what = if quote == '"' { "string" } else { "quoted atom" };
                    return Err((start, format!("unterminated {what} (no closing {quote})")));
                }
                Some(c) if c == quote => return Ok(text),
                Some('\\') => text.push(self.escape(at, start)?),
                Some(c) => text.push(c),
            }
        }
    }

    /// The character an escape stands for; the backslash was at `at`, and the literal
    /// holding it starts at `start` (where an unterminated literal is reported).
    fn escape(&mut self, at: Pos, start: Pos) -> Result<char, Located> {
        let bad = |what: String| Err((at, what));
        let Some(c) = self.bump() else {
            return Err((start, "unterminated literal (input ends after `\\`)".into()));
        };
        let code = match c {
            'b' => 8,
            'd' => 127,
            'e' => 27,
            'f' => 12,
            'n' => 10,
            'r' => 13,
            's' => 32,
            't' => 9,
            'v' => 11,
            '0'..='7' => {
                let mut code = c.to_digit(8).unwrap_or_default();
                for _ in 0..2 {
                    match self.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => code = code * 8 + d,
                        None => break,
                    }
                    self.bump();
                }
                code
            }
            'x' if self.peek() == Some('{') => {
                self.bump();
                let mut hex = String::new();
                while let Some(c) = self.peek().filter(char::is_ascii_hexdigit) {
                    hex.push(c);
                    self.bump();
                }
                if hex.is_empty() || self.bump() != Some('}') {
                    return bad("bad escape: `\\x{` needs hex digits and `}`".into());
                }
                match u32::from_str_radix(&hex, 16) {
                    Ok(code) => code,
                    Err(_) => return bad(format!("bad escape: `\\x{{{hex}}}` is too large")),
                }
            }
            'x' => {
                let hex: String = (0..2).filter_map(|i| self.peek_at(i)).collect();
                let code = Some(&hex)
                    .filter(|h| h.len() == 2 && h.chars().all(|c| c.is_ascii_hexdigit()))
                    .and_then(|h| u32::from_str_radix(h, 16).ok());
                let Some(code) = code else {
                    return bad("bad escape: `\\x` needs two hex digits or `{hex}`".into());
                };
                self.bump();
                self.bump();
                code
            }
            '^' => match self.bump() {
                Some(c @ ('@'..='_' | 'a'..='z')) => u32::from(c) & 0x1f,
                _ => return bad("bad escape: `\\^` needs a letter or one of @[\\]^_".into()),
            },
            // Erlang passes any other character through, but an unknown letter or digit is
            // almost certainly a typo (`\q`, `\9`), so it is refused.
            c if c.is_alphanumeric() => return bad(format!("bad escape `\\{c}`")),
            c => return Ok(c),
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => bad(format!("bad escape: {code:#x} is not a Unicode code point")),
        }
    }
}
