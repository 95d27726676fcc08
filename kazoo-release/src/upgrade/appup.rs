//! An application's own `.appup`, used for its step of an upgrade instead of the plan's
//! MD5 comparison when it has an entry for that step: `ebin/<app>.appup` of the newer
//! version, `{Vsn, [{UpFrom, Instructions}], [{DownTo, Instructions}]}`, as OTP's
//! systools reads it. The module instructions are supported (`load_module`, `update` soft
//! or `{advanced, Extra}`, `add_module`, `delete_module`); any other instruction refuses
//! the upgrade before anything changes.

use std::path::Path;

use super::{Direction, UpgradeError};
use crate::term::Term;

/// How a changed module changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// The processes running it (found through the supervision trees) suspended, the code
    /// loaded, `code_change` called with `[]`, resumed: what the plan does without an .appup.
    Auto,
    /// `{update, Mod, {advanced, Extra}}`: as `Auto`, with `Extra`.
    Advanced(Term),
    /// `{update, Mod}` (soft): suspended, loaded, resumed; no `code_change`.
    Soft,
    /// `{load_module, Mod}`: loaded, no process suspended.
    Load,
}

impl Mode {
    pub(super) fn to_term(&self) -> Term {
        match self {
            Mode::Auto => Term::atom("auto"),
            Mode::Advanced(extra) => Term::tuple([Term::atom("advanced"), extra.clone()]),
            Mode::Soft => Term::atom("soft"),
            Mode::Load => Term::atom("load"),
        }
    }
}

/// One module instruction of an .appup.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Instruction {
    Change(String, Mode),
    Add(String),
    Delete(String),
}

/// The instructions `app`'s .appup gives for moving from `running` to `target`, when it
/// has an entry for that step: the .appup of the newer of the two versions, its up list
/// (from `running`) going up, its down list (to `target`) going down.
pub(super) fn instructions(
    root: &Path,
    app: &str,
    running: &str,
    target: &str,
    direction: Direction,
) -> Result<Option<Vec<Instruction>>, UpgradeError> {
    let (newer, other, list) = match direction {
        Direction::Up => (target, running, 1),
        Direction::Down => (running, target, 2),
    };
    let path = root.join("lib").join(format!("{app}-{newer}")).join("ebin").join(format!("{app}.appup"));
    if !path.is_file() {
        return Ok(None);
    }
    let bad = |detail: String| UpgradeError::Appup { path: path.clone(), detail };
    let terms = crate::term::parse_file(&path).map_err(|e| bad(e.to_string()))?;
    let entries = terms
        .first()
        .and_then(Term::as_tuple)
        .and_then(|t| t.get(list))
        .and_then(Term::as_list)
        .ok_or_else(|| bad("it is not {Vsn, [{UpFromVsn, Instructions}], [{DownToVsn, Instructions}]}".into()))?;
    let entry = entries.iter().find_map(|entry| match entry.as_tuple()? {
        [vsn, instructions] if vsn.as_str() == Some(other) => instructions.as_list(),
        _ => None,
    });
    let Some(entry) = entry else { return Ok(None) };
    entry.iter().map(|i| instruction(i).ok_or_else(|| bad(format!("instruction {} is not supported here (only load_module, update, add_module, delete_module); leave it out, or restart the node", i.pretty())))).collect::<Result<Vec<_>, _>>().map(Some)
}

fn instruction(term: &Term) -> Option<Instruction> {
    let items = term.as_tuple()?;
    let (kind, module) = (items.first()?.as_atom()?, items.get(1)?.as_atom()?.to_owned());
    let rest = &items[2..];
    Some(match kind {
        "load_module" => Instruction::Change(module, Mode::Load),
        "add_module" => Instruction::Add(module),
        "delete_module" => Instruction::Delete(module),
        "update" => {
            let advanced = rest.iter().find_map(|t| match t.as_tuple()? {
                [tag, extra] if tag.as_atom() == Some("advanced") => Some(extra.clone()),
                _ => None,
            });
            let supervisor = rest.iter().any(|t| t.as_atom() == Some("supervisor"));
            match (advanced, supervisor) {
                (Some(extra), _) => Instruction::Change(module, Mode::Advanced(extra)),
                (None, true) => Instruction::Change(module, Mode::Advanced(Term::list([]))),
                (None, false) => Instruction::Change(module, Mode::Soft),
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_of_the_step_gives_the_instructions() {
        let dir = tempfile::tempdir().unwrap();
        let ebin = dir.path().join("lib/a-2/ebin");
        std::fs::create_dir_all(&ebin).unwrap();
        std::fs::write(
            ebin.join("a.appup"),
            "{\"2\", [{\"1\", [{update, s, {advanced, x}}, {load_module, l}, {add_module, n}, {update, t}]}], [{\"1\", [{delete_module, n}]}]}.\n",
        )
        .unwrap();
        let up = instructions(dir.path(), "a", "1", "2", Direction::Up).unwrap().unwrap();
        assert_eq!(
            up,
            [
                Instruction::Change("s".into(), Mode::Advanced(Term::atom("x"))),
                Instruction::Change("l".into(), Mode::Load),
                Instruction::Add("n".into()),
                Instruction::Change("t".into(), Mode::Soft),
            ]
        );
        let down = instructions(dir.path(), "a", "2", "1", Direction::Down).unwrap().unwrap();
        assert_eq!(down, [Instruction::Delete("n".into())]);
        assert_eq!(instructions(dir.path(), "a", "0", "2", Direction::Up).unwrap(), None, "no entry for 0");
        assert_eq!(instructions(dir.path(), "b", "1", "2", Direction::Up).unwrap(), None, "no .appup");
        std::fs::write(ebin.join("a.appup"), "{\"2\", [{\"1\", [{apply, {m, f, []}}]}], []}.\n").unwrap();
        let error = instructions(dir.path(), "a", "1", "2", Direction::Up).unwrap_err().to_string();
        assert!(error.contains("{apply,") || error.contains("{apply, "), "{error}");
    }
}
