//! Reads every rendered file back before it is embedded: Erlang files through the term
//! parser, vm.args line by line. A template that renders nonsense fails the build here,
//! not when a node boots.

use crate::term::{self, Term};

/// A rendered file that is not what Erlang will accept.
#[derive(Debug, thiserror::Error)]
#[error("{what} rendered from {template} (profile {profile}{}) is invalid at line {line}, column {column}: {message}\n  {line} | {text}",
    node.as_ref().map(|n| format!(", node type {n}")).unwrap_or_default())]
pub struct VerifyError {
    /// `relx.config`, `vm.args` or `sys.config`.
    pub what: &'static str,
    /// The template file it came from.
    pub template: String,
    pub profile: String,
    pub node: Option<String>,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending rendered line.
    pub text: String,
}

/// Where a rendered file came from, for its errors.
struct Origin<'a> {
    what: &'static str,
    template: &'a str,
    profile: &'a str,
    node: Option<&'a str>,
    rendered: &'a str,
}

impl Origin<'_> {
    fn error(&self, line: usize, column: usize, message: impl Into<String>) -> VerifyError {
        VerifyError {
            what: self.what,
            template: self.template.to_owned(),
            profile: self.profile.to_owned(),
            node: self.node.map(str::to_owned),
            line,
            column,
            message: message.into(),
            text: self.rendered.lines().nth(line.saturating_sub(1)).unwrap_or_default().to_owned(),
        }
    }

    fn parse(&self) -> Result<Vec<Term>, VerifyError> {
        term::parse_str(self.rendered, self.what).map_err(|e| self.error(e.line, e.column, e.message))
    }
}

/// relx.config: any sequence of terms that parses.
pub(super) fn erlang_file(
    rendered: &str,
    template: &str,
    profile: &str,
    node: Option<&str>,
) -> Result<(), VerifyError> {
    let origin = Origin { what: "relx.config", template, profile, node, rendered };
    origin.parse().map(drop)
}

/// sys.config: exactly one term, a list of `{Application, Environment}`.
pub(super) fn sys_config(rendered: &str, template: &str, profile: &str, node: &str) -> Result<(), VerifyError> {
    let origin = Origin { what: "sys.config", template, profile, node: Some(node), rendered };
    let terms = origin.parse()?;
    let last_line = rendered.lines().count();
    let [config] = terms.as_slice() else {
        return Err(origin.error(last_line, 1, format!("expected one term, a list, found {}", terms.len())));
    };
    let entries = config.as_list().ok_or_else(|| origin.error(1, 1, "expected a list of {Application, Env}"))?;
    for entry in entries {
        let is_app_env = matches!(entry.as_tuple(), Some([app, env]) if app.as_atom().is_some() && env.as_list().is_some());
        if !is_app_env {
            return Err(origin.error(1, 1, format!("expected {{Application, [...]}}, found {entry}")));
        }
    }
    Ok(())
}

/// Flags the node start sets itself; in vm.args they would fight it (and leak the cookie).
const FLAGS_SET_AT_START: [(&str, &str); 4] = [
    ("-setcookie", "the cookie comes from the release's cookie sources (--cookie, its cookie variable, its files), never from vm.args"),
    ("-name", "the node name is given when the node starts ($REL@host)"),
    ("-sname", "the node name is given when the node starts ($REL@host)"),
    ("-args_file", "vm.args cannot include another file"),
];

/// vm.args: each line a `-flag ...` or `+flag ...`, comments with `#`; application
/// parameters (`-kernel Key Value ...`) come in pairs whose values parse as terms.
pub(super) fn vm_args(rendered: &str, template: &str, profile: &str, node: &str) -> Result<(), VerifyError> {
    let origin = Origin { what: "vm.args", template, profile, node: Some(node), rendered };
    for (index, line) in rendered.lines().enumerate() {
        let line_no = index + 1;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let column = line.len() - trimmed.len() + 1;
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        let flag = words[0];
        if !(flag.starts_with('-') || flag.starts_with('+')) || flag.len() < 2 {
            return Err(origin.error(line_no, column, format!("`{flag}` is not a flag: vm.args lines start with `-` or `+`")));
        }
        if let Some((_, why)) = FLAGS_SET_AT_START.iter().find(|(f, _)| *f == flag) {
            return Err(origin.error(line_no, column, format!("`{flag}` does not belong in vm.args: {why}")));
        }
        check_arguments(&origin, line, line_no, &words)?;
    }
    Ok(())
}

/// `-env NAME VALUE` takes exactly two words; `-kernel`/`-sasl`/`-stdlib` take key/value
/// pairs whose values are Erlang terms.
fn check_arguments(origin: &Origin, line: &str, line_no: usize, words: &[&str]) -> Result<(), VerifyError> {
    let column_of = |word: &str| line.find(word).map_or(1, |i| i + 1);
    match words[0] {
        "-env" if words.len() != 3 => {
            Err(origin.error(line_no, column_of(words[0]), "`-env` takes a variable name and a value"))
        }
        "-kernel" | "-sasl" | "-stdlib" => {
            let params = &words[1..];
            if params.is_empty() || params.len() % 2 != 0 {
                return Err(origin.error(line_no, column_of(words[0]), format!("`{}` takes Key Value pairs", words[0])));
            }
            for pair in params.chunks(2) {
                term::parse_str(&format!("{}.", pair[1]), "vm.args").map_err(|e| {
                    origin.error(line_no, column_of(pair[1]), format!("the value of `{}` is not an Erlang term: {}", pair[0], e.message))
                })?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
