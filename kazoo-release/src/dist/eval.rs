//! `eval` and `apply`: Erlang source evaluated on the node, results printed by the node.
//!
//! One call does it all: `erl_eval:eval_str/1` runs [`DRIVER`], which scans, parses and
//! evaluates the user's text and prints the result with `~p`, so a parse error comes back with
//! Erlang's own message and column and a result looks exactly as Erlang prints it.

use std::io::Write;

use erl_dist::term::{Binary, Term};

use super::rpc::Client;
use super::DistError;

/// The program run on the node; its `JOB` line is replaced per call.
const DRIVER: &str = include_str!("driver.erl");

impl Client {
    /// Evaluates the Erlang expressions `expr` (the final `.` is optional) and returns the
    /// value as `~p` prints it; what the evaluation prints goes to `out`.
    pub fn eval(&mut self, expr: &str, out: &mut dyn Write) -> Result<String, DistError> {
        let job = format!("{{eval, {}}}", bytes(expr));
        self.run_driver(&job, out)
    }

    /// `Module:Function(Args)`, each argument an Erlang term in source form (`"[1,2]"`), and
    /// returns the value as `~p` prints it.
    pub fn apply(
        &mut self,
        module: &str,
        function: &str,
        args: &[String],
        out: &mut dyn Write,
    ) -> Result<String, DistError> {
        let args: Vec<String> = args.iter().map(|a| bytes(a)).collect();
        let job = format!("{{apply, {}, {}, [{}]}}", atom(module), atom(function), args.join(", "));
        self.run_driver(&job, out)
    }

    fn run_driver(&mut self, job: &str, out: &mut dyn Write) -> Result<String, DistError> {
        let program = DRIVER.replacen("JOB", job, 1);
        let reply = self.call("erl_eval", "eval_str", vec![Term::from(program)], out)?;
        match as_tagged(&reply) {
            Some(("ok", [result])) => self.driver_result(result),
            _ => Err(self.protocol(&reply)),
        }
    }

    fn driver_result(&self, result: &Term) -> Result<String, DistError> {
        match as_tagged(result) {
            Some(("ok", [Term::Binary(printed)])) => Ok(String::from_utf8_lossy(&printed.bytes).into_owned()),
            Some(("parse_error", _)) => Err(self.parse_error("the expression".into(), result)),
            Some(("bad_arg", [Term::FixInteger(n), error])) => {
                Err(self.parse_error(format!("argument {}", n.value), error))
            }
            Some(("raised", [Term::Binary(message)])) => Err(DistError::Badrpc {
                node: self.node.to_string(),
                reason: String::from_utf8_lossy(&message.bytes).trim_end().to_owned(),
            }),
            _ => Err(self.protocol(result)),
        }
    }

    fn parse_error(&self, what: String, error: &Term) -> DistError {
        match as_tagged(error) {
            Some(("parse_error", [Term::FixInteger(line), Term::FixInteger(column), Term::Binary(message)])) => {
                DistError::Parse {
                    what,
                    line: line.value.try_into().unwrap_or(0),
                    column: column.value.try_into().unwrap_or(0),
                    message: String::from_utf8_lossy(&message.bytes).into_owned(),
                }
            }
            _ => self.protocol(error),
        }
    }

    pub(super) fn protocol(&self, unexpected: &Term) -> DistError {
        DistError::Protocol { node: self.node.to_string(), detail: format!("unexpected reply {unexpected}") }
    }
}

/// A tuple `{Tag, Rest...}` as its tag's name and the rest.
pub(super) fn as_tagged(term: &Term) -> Option<(&str, &[Term])> {
    match term {
        Term::Tuple(t) => match t.elements.split_first() {
            Some((Term::Atom(tag), rest)) => Some((tag.name.as_str(), rest)),
            _ => None,
        },
        _ => None,
    }
}

/// Text as an Erlang binary of its UTF-8 bytes (`<<104,105>>`): no quoting to get wrong.
fn bytes(text: &str) -> String {
    Binary::from(text.as_bytes()).to_string()
}

/// An atom from any text, built on the node from its bytes.
fn atom(name: &str) -> String {
    format!("binary_to_atom({}, utf8)", bytes(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_driver_has_one_job_line_and_stays_ascii() {
        assert_eq!(DRIVER.matches("JOB").count(), 1);
        assert!(DRIVER.is_ascii());
    }

    #[test]
    fn sources_travel_as_bytes() {
        assert_eq!(bytes("hé"), "<<104,195,169>>");
        assert_eq!(atom("a"), "binary_to_atom(<<97>>, utf8)");
    }
}
