//! `${VAR}` and `${VAR:-default}` in vm.args and sys.config, replaced from the environment
//! when `RELX_REPLACE_OS_VARS=true`, as relx's start script does it (but without `sed`, and
//! an unset variable is an error instead of an empty string the VM then trips over). The
//! caller reads the environment and hands its lookup over.

use std::path::{Path, PathBuf};

/// The variable that switches substitution on, as relx names it.
pub const REPLACE_OS_VARS: &str = "RELX_REPLACE_OS_VARS";

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubstError {
    #[error("{}:{line}: ${{{var}}} is not set: export {var}, write ${{{var}:-default}} in the file, or unset {REPLACE_OS_VARS}", file.display())]
    Unset { file: PathBuf, line: usize, var: String },
    #[error("{}:{line}: `${{` without its closing `}}`: write ${{VAR}} or ${{VAR:-default}}", file.display())]
    Unclosed { file: PathBuf, line: usize },
}

/// A variable's value by its name: the environment as the caller read it.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Whether `value` (that of `RELX_REPLACE_OS_VARS`) asks for substitution.
pub fn enabled(value: Option<&str>) -> bool {
    value == Some("true")
}

/// `text` (the contents of `file`) with every `${VAR}` and `${VAR:-default}` replaced by
/// what `lookup` gives; a `$` not followed by `{` is kept as is (vm.args and Erlang terms
/// use it: `$D0`, `$a`).
pub fn substitute(text: &str, file: &Path, lookup: impl Fn(&str) -> Option<String>) -> Result<String, SubstError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let line = line_of(text, text.len() - rest.len() + start);
        let body = &rest[start + 2..];
        let end = body.find('}').ok_or_else(|| SubstError::Unclosed { file: file.to_owned(), line })?;
        let (var, default) = match body[..end].split_once(":-") {
            Some((var, default)) => (var, Some(default)),
            None => (&body[..end], None),
        };
        let value = lookup(var).filter(|v| !v.is_empty() || default.is_none()).or(default.map(str::to_owned));
        out.push_str(&value.ok_or_else(|| SubstError::Unset { file: file.to_owned(), line, var: var.to_owned() })?);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        match var {
            "PORT" => Some("5555".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn subst(text: &str) -> Result<String, SubstError> {
        substitute(text, Path::new("vm.args"), env)
    }

    #[test]
    fn variables_and_defaults() {
        assert_eq!(subst("-port ${PORT} -x ${NOPE:-7} -y ${EMPTY:-d}").unwrap(), "-port 5555 -x 7 -y d");
        assert_eq!(subst("{date, \"$D0\"}, $a").unwrap(), "{date, \"$D0\"}, $a");
        assert_eq!(subst("${PORT:-1}${PORT}").unwrap(), "55555555");
    }

    #[test]
    fn unset_and_unclosed_name_the_line() {
        let err = subst("a\nb ${NOPE}\n").unwrap_err();
        assert_eq!(err, SubstError::Unset { file: "vm.args".into(), line: 2, var: "NOPE".into() });
        assert!(err.to_string().contains("vm.args:2: ${NOPE} is not set"), "{err}");
        assert!(matches!(subst("x\n\n${OOPS"), Err(SubstError::Unclosed { line: 3, .. })));
    }
}
