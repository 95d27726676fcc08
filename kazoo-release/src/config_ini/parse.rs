//! config.ini text to rust-ini's model, rejecting what Kazoo's reader would not accept.
//!
//! rust-ini is lenient where Kazoo is not: a line without `=` silently becomes part of the
//! next key, `[name` runs on to the next `]` in the file, a trailing `\` joins two lines and
//! a comment indented by spaces is read as a key. So every line is checked first, and
//! rust-ini gets a copy with each line's leading blanks removed (same line numbers), which
//! it then reads exactly as Kazoo does.
//!
//! As Kazoo's reader (zucchini's lexer) does: a UTF-8 byte order mark before the first line
//! is skipped; a `;` after a value starts a comment (`cookie = abc ; the old one` is
//! `abc`), but not inside a double-quoted value; and of a key repeated in one section the
//! first value counts (kz_config takes the first of the parsed proplist).

use ini::{Ini, ParseOption};

/// A line that is not blank, a comment, `[section]` or `key = value`: its number (from 1)
/// and why.
#[derive(Debug, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub reason: String,
}

/// Parses config.ini text; on success every value is as written (quotes still on).
pub fn parse(text: &str) -> Result<Ini, BadLine> {
    let normalized = check_lines(text)?;
    // Quotes and escapes off: Kazoo strips only double quotes, at both ends, and keeps `\`.
    let options = ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        enabled_indented_mutiline_value: false,
        enabled_preserve_key_leading_whitespace: false,
    };
    Ini::load_from_str_opt(&normalized, options).map_err(|e| BadLine { line: e.line, reason: e.msg.into_owned() })
}

/// Checks every line and returns the text with leading blanks removed from each.
fn check_lines(text: &str) -> Result<String, BadLine> {
    let mut in_section = false;
    let mut normalized = String::with_capacity(text.len());
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw).trim_start();
        let bad = |reason: &str| BadLine { line: index + 1, reason: reason.to_owned() };
        match classify(line).map_err(bad)? {
            Line::Section => in_section = true,
            Line::Key if !in_section => return Err(bad("`key = value` before any [section]")),
            Line::Key => {
                normalized.push_str(without_comment(line));
                normalized.push('\n');
                continue;
            }
            Line::Blank => {}
        }
        normalized.push_str(line);
        normalized.push('\n');
    }
    Ok(normalized)
}

enum Line {
    Blank,
    Section,
    Key,
}

/// What a line (leading blanks removed) is, or why it is none of the accepted shapes.
fn classify(line: &str) -> Result<Line, &'static str> {
    if line.contains('\r') {
        return Err("a carriage return inside a line");
    }
    if line.trim_end().ends_with('\\') {
        return Err("a line ending in `\\` (config.ini has no continuation lines)");
    }
    if line.trim_end().is_empty() || line.starts_with(';') || line.starts_with('#') {
        return Ok(Line::Blank);
    }
    if let Some(rest) = line.strip_prefix('[') {
        return section_header(rest);
    }
    key_value(line)
}

/// `[name]` with nothing after the `]`; `rest` follows the `[`.
fn section_header(rest: &str) -> Result<Line, &'static str> {
    let Some(name) = rest.trim_end().strip_suffix(']') else {
        return Err("a section header must end with `]`");
    };
    if name.trim().is_empty() || name.contains(['[', ']']) {
        return Err("a section header needs a name without brackets: `[ecallmgr]`");
    }
    Ok(Line::Section)
}

/// `key = value` without a `;` comment after the value; a double-quoted value keeps what
/// its quotes hold.
fn without_comment(line: &str) -> &str {
    let Some((key, value)) = line.split_once('=') else { return line };
    let start = key.len() + 1 + (value.len() - value.trim_start().len());
    let value = value.trim_start();
    let end = match value.strip_prefix('"').and_then(|rest| rest.find('"')) {
        Some(close) => close + 2,
        None => value.find(';').unwrap_or(value.len()),
    };
    line[..start + end].trim_end()
}

/// `key = value`: a key without `:` (rust-ini would split there) before the first `=`.
fn key_value(line: &str) -> Result<Line, &'static str> {
    let Some((key, _value)) = line.split_once('=') else {
        return Err("expected `key = value`, `[section]` or a `;` comment");
    };
    if key.trim().is_empty() {
        return Err("a value without a key");
    }
    if key.contains(':') {
        return Err("a key may not contain `:`");
    }
    Ok(Line::Key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(text: &str) -> BadLine {
        parse(text).expect_err("rejected")
    }

    #[test]
    fn indented_comments_and_crlf_are_accepted() {
        let ini = parse("  ; note\r\n[amqp]\r\n   uri = \"amqp://guest:guest@127.0.0.1:5672\"\r\n").unwrap();
        let uri = ini.section(Some("amqp")).and_then(|s| s.get("uri"));
        assert_eq!(uri, Some("\"amqp://guest:guest@127.0.0.1:5672\""));
    }

    fn value(text: &str, key: &str) -> Option<String> {
        parse(text).unwrap().section(Some("a")).and_then(|s| s.get(key)).map(str::to_owned)
    }

    #[test]
    fn a_byte_order_mark_comments_after_values_and_repeated_keys_read_as_kazoo_reads_them() {
        assert_eq!(value("\u{feff}[a]\nk = v\n", "k").as_deref(), Some("v"));
        assert_eq!(value("[a]\ncookie = abc ; the old one\n", "cookie").as_deref(), Some("abc"));
        assert_eq!(value("[a]\ncookie = \"a;b\" ; note\n", "cookie").as_deref(), Some("\"a;b\""));
        assert_eq!(value("[a]\ncookie=x;y\n", "cookie").as_deref(), Some("x"));
        assert_eq!(value("[a]\ncookie = first\ncookie = second\n", "cookie").as_deref(), Some("first"));
    }

    #[test]
    fn each_bad_shape_names_its_line() {
        assert_eq!(bad("[a]\nk = v\ngarbage\n").line, 3);
        assert_eq!(bad("[a\nk = v\n").line, 1);
        assert_eq!(bad("[a] x\n").line, 1);
        assert_eq!(bad("[]\n").line, 1);
        assert_eq!(bad("[a]\n = v\n").line, 2);
        assert_eq!(bad("k = v\n[a]\n").line, 1);
        assert_eq!(bad("[a]\nk = v\\\nj = w\n").line, 2);
        assert_eq!(bad("[a]\nk:x = v\n").line, 2);
        assert_eq!(bad("[a]\nk = v\rj = w\n").line, 2);
    }
}
