//! Malformed input: every error names the file, line and column of the offending place,
//! and no input whatsoever makes the parser panic.

mod term_support;

use kazoo_release::term::{parse_file, parse_str, to_file_string, ParseError};
use term_support::fixture;

fn error(src: &str) -> ParseError {
    match parse_str(src, "sys.config") {
        Ok(terms) => panic!("{src:?} parsed: {terms:?}"),
        Err(err) => err,
    }
}

/// `(source, line, column, part of the message)`.
const CASES: &[(&str, usize, usize, &str)] = &[
    // An unterminated string or atom is reported where it starts.
    ("[{a, \"log/error.log}].\n", 1, 6, "unterminated string"),
    ("{a,\n  'kazoo-apps}.\n", 2, 3, "unterminated quoted atom"),
    ("{a, <<\"abc>>}.", 1, 7, "unterminated string"),
    ("{a, $", 1, 5, "unterminated character"),
    ("\"abc\\", 1, 1, "unterminated"),
    // A missing dot is reported where the next term, or the end of the input, was found.
    ("{a, 1}\n{b, 2}.\n", 2, 1, "missing `.`"),
    ("[a, b]", 1, 7, "missing `.`"),
    ("[a, b]\n% trailing comment\n", 3, 1, "missing `.`"),
    ("{a, 1}.{b, 2}.", 1, 7, "unexpected `.`"),
    // Bad escapes are reported at the backslash.
    ("[\"ok\", \"bad \\q escape\"].", 1, 13, "bad escape `\\q`"),
    ("'\\x{zz}'.", 1, 2, "bad escape"),
    ("\"\\x{110000}\".", 1, 2, "not a Unicode code point"),
    ("\"\\xg0\".", 1, 2, "bad escape"),
    ("\"\\^1\".", 1, 2, "bad escape"),
    ("$\\9.", 1, 2, "bad escape"),
    // Unbalanced and mismatched brackets.
    ("[{lager, [{level, info}]}\n.\n", 2, 1, "`[` opened at line 1, column 1 is not closed"),
    ("[{a, b}", 1, 8, "`[` opened at line 1, column 1 is not closed"),
    ("[{a, b]].", 1, 7, "mismatched `]`: `{` opened at line 1, column 2 needs `}`"),
    ("#{a => b]", 1, 9, "mismatched `]`"),
    ("<<1, 2}.", 1, 7, "mismatched `}`"),
    ("{a, b}}.", 1, 7, "missing `.`"),
    ("].", 1, 1, "expected a term, found `]`"),
    ("[a,].", 1, 4, "expected a term, found `]`"),
    ("[a b].", 1, 4, "expected `,` or `]`, found atom `b`"),
    // Stray characters and tokens that are not terms.
    ("{a, !}.", 1, 5, "unexpected character `!`"),
    ("{a,\n   b ~ c}.", 2, 6, "unexpected character `~`"),
    ("{a, Foo}.", 1, 5, "variable `Foo`"),
    ("{a, end}.", 1, 5, "reserved word"),
    ("[a | b].", 1, 4, "improper lists"),
    ("#{a, b}.", 1, 4, "expected `=>`"),
    ("#[a].", 1, 2, "expected `{` after `#`"),
    ("{a, - b}.", 1, 7, "expected a number after `-`"),
    ("{a, (b)}.", 1, 5, "expected a term, found `(`"),
    // Numbers and binaries.
    ("9223372036854775808.", 1, 1, "integer out of range"),
    ("-9223372036854775809.", 1, 2, "integer out of range"),
    ("99999999999999999999999.", 1, 1, "integer out of range"),
    ("1.0e999.", 1, 1, "out of range"),
    ("1.0e.", 1, 5, "missing exponent"),
    ("2#102.", 1, 5, "not a base 2 digit"),
    ("37#1.", 1, 1, "bad base"),
    ("16#.", 1, 4, "missing base 16 digits"),
    ("<<256>>.", 1, 3, "not a byte"),
    ("<<\"ā\">>.", 1, 3, "add `/utf8`"),
    ("<<\"a\"/latin1>>.", 1, 7, "only `/utf8`"),
    ("<<1:8>>.", 1, 4, "bit syntax"),
    ("<<a>>.", 1, 3, "expected a string or a byte"),
];

#[test]
fn errors_point_at_the_offending_place() {
    for &(src, line, column, message) in CASES {
        let err = error(src);
        assert_eq!((err.line, err.column), (line, column), "{src:?}: {err}");
        assert!(err.message.contains(message), "{src:?}: {err}");
        assert_eq!(err.to_string(), format!("sys.config:{line}:{column}: {}", err.message));
    }
}

#[test]
fn io_errors_have_line_zero() {
    let err = parse_file(std::path::Path::new("/nonexistent/sys.config")).unwrap_err();
    assert_eq!((err.file.as_str(), err.line, err.column), ("/nonexistent/sys.config", 0, 0));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(100_000);
    assert!(error(&deep).message.contains("nested deeper"));
    let fine = format!("{}{}.", "{".repeat(100), "}".repeat(100));
    assert!(parse_str(&fine, "deep").is_ok());
}

/// A tiny deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Whatever parses must print and parse back the same.
fn check(src: &str) {
    if let Ok(terms) = parse_str(src, "fuzz") {
        let printed = to_file_string(&terms);
        assert_eq!(parse_str(&printed, "reprinted").as_ref(), Ok(&terms), "{src:?}");
    }
}

#[test]
fn no_input_makes_the_parser_panic() {
    let mut corpus = String::new();
    for name in ["sys.config", "relx.config"] {
        corpus.push_str(&std::fs::read_to_string(fixture(name)).unwrap());
    }
    corpus.push_str(r#"{'q\'', $\x{41}, "\^A\033\x1b", <<"é"/utf8, 1>>, #{k => -1.5e-3}, 16#fF, [a | "b"]}."#);
    let chars: Vec<char> = corpus.chars().collect();
    // Every prefix.
    for end in 0..=chars.len() {
        check(&chars[..end].iter().collect::<String>());
    }
    // Random edits: deletions, duplications, and characters from a nasty alphabet.
    let alphabet: Vec<char> = "[]{}<>#$%\\\"'.,|=-+/:_@eE0189xX^ \n\té☎\u{0}\u{feff}".chars().collect();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let mut text = chars.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(text.len());
            match rng.below(3) {
                0 => {
                    text.remove(at);
                }
                1 => text.insert(at, text[at]),
                _ => text[at] = alphabet[rng.below(alphabet.len())],
            }
        }
        check(&text.iter().collect::<String>());
    }
    // Random garbage.
    for _ in 0..3000 {
        let len = rng.below(40);
        let text: String = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        check(&text);
    }
}
