//! The plan applied on the node by the node program, in the order OTP's release_handler
//! runs a relup (release_handler_1, systools_rc): everything read first; code paths
//! switched; the new `.app` files and sys.config given to the application controller;
//! the processes running a changed module (found through the supervision trees) suspended,
//! the new code loaded, `code_change` called through `sys:change_code/4` (before the load
//! when going down), the processes resumed; removed applications stopped, removed modules
//! deleted, new applications started; `config_change/3` told the environment's changes;
//! then the old code purged softly, what still runs it reported.
//!
//! Each step records how to put it back; the first failure puts back every step done, in
//! reverse, and the answer says what failed and what was put back.

use std::time::Duration;

use erl_dist::term::Term as DistTerm;

use super::plan::path_text;
use super::{Direction, Plan, UpgradeError, NODE_PROGRAM};
use crate::dist::Client;
use crate::term::Term;

/// What an applied plan reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// How long the node took over each step of the switch.
    pub phases: Phases,
    /// `(module, pids)`: processes suspended for `code_change`.
    pub suspended: Vec<(String, String)>,
    /// `(module, pids)`: processes still running the old code (it stays loaded as old).
    pub not_purged: Vec<(String, String)>,
}

/// The switch as the node timed it: suspending the processes of the changed modules, loading
/// the new code, their `code_change`, resuming them (the processes wait from the first to
/// the last).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phases {
    pub suspend: Duration,
    pub load: Duration,
    pub change: Duration,
    pub resume: Duration,
}

impl Phases {
    /// `phases SuspendUs LoadUs ChangeUs ResumeUs`, less the tag.
    fn parse(micros: &str) -> Option<Phases> {
        let us: Vec<u64> = micros.split(' ').map(str::parse).collect::<Result<_, _>>().ok()?;
        let [suspend, load, change, resume] = us.as_slice().try_into().ok()?;
        let at = Duration::from_micros;
        Some(Phases { suspend: at(suspend), load: at(load), change: at(change), resume: at(resume) })
    }
}

/// Applies `plan` on the node `client` talks to.
pub fn apply(client: &mut Client, plan: &Plan) -> Result<Applied, UpgradeError> {
    let answer = run_program(client, &job(plan))?;
    let node = client.node().to_string();
    let mut lines = answer.lines();
    match lines.next().unwrap_or_default() {
        "ok" => {
            let mut applied = Applied::default();
            for line in lines {
                if let Some(phases) = line.strip_prefix("phases ").and_then(Phases::parse) {
                    applied.phases = phases;
                    continue;
                }
                match line.split_once(' ').and_then(|(kind, rest)| Some((kind, rest.split_once(' ')?))) {
                    Some(("suspended", (module, pids))) => applied.suspended.push((module.into(), pids.into())),
                    Some(("not_purged", (module, pids))) => applied.not_purged.push((module.into(), pids.into())),
                    _ => return Err(UpgradeError::Node { node, detail: format!("unexpected line `{line}`") }),
                }
            }
            Ok(applied)
        }
        first => {
            let reason = first.strip_prefix("failed ").unwrap_or(first).to_owned();
            let (mut undone, mut undo_failures) = (Vec::new(), Vec::new());
            for line in lines {
                if let Some(step) = line.strip_prefix("undone ") {
                    undone.push(step.to_owned());
                } else if let Some(failure) = line.strip_prefix("undo_failed ") {
                    undo_failures.push(failure.to_owned());
                }
            }
            let vsn = plan.to.clone();
            match undo_failures.is_empty() {
                true => {
                    let undone = match undone.is_empty() {
                        true => "nothing had changed yet".to_owned(),
                        false => format!("undone: {}", undone.join(", ")),
                    };
                    Err(UpgradeError::RolledBack { node, vsn, reason, undone })
                }
                false => {
                    Err(UpgradeError::RollbackFailed { node, vsn, reason, undo_failure: undo_failures.join("; ") })
                }
            }
        }
    }
}

/// The `{apply, Plan}` job of the node program.
fn job(plan: &Plan) -> Term {
    let bin = |text: &str| Term::binary(text);
    let path = |p: std::path::PathBuf| Term::binary(path_text(&p));
    let list = |items: Vec<Term>| Term::list(items);
    let mut paths = Vec::new();
    for (app, from, to) in &plan.changed_apps {
        paths.push(Term::tuple([bin(app), path(plan.ebin(app, to)), path(plan.ebin(app, from))]));
    }
    for (app, vsn) in &plan.added_apps {
        paths.push(Term::tuple([bin(app), path(plan.ebin(app, vsn)), Term::atom("none")]));
    }
    let vsn_of = |app: &str| {
        let target = plan.target_apps.iter().find(|(a, _)| a == app);
        target.map(|(_, v)| v.clone()).unwrap_or_default()
    };
    let beam = |module: &str, app: &str| {
        Term::tuple([bin(module), path(plan.ebin(app, &vsn_of(app)).join(format!("{module}.beam")))])
    };
    let add = plan.added_modules.iter().map(|(m, a)| beam(m, a)).collect();
    let change = plan.changed_modules.iter().map(|(m, a)| beam(m, a)).collect();
    let delete = plan.removed_modules.iter().map(|(m, _)| bin(m)).collect();
    let app_file = |app: &str, vsn: &str| path(plan.ebin(app, vsn).join(format!("{app}.app")));
    let existing = |apps: &[(String, String)]| -> Vec<Term> {
        apps.iter()
            .filter(|(a, v)| plan.ebin(a, v).join(format!("{a}.app")).is_file())
            .map(|(a, v)| app_file(a, v))
            .collect()
    };
    let direction = match plan.direction {
        Direction::Up => "up",
        Direction::Down => "down",
    };
    let entries = [
        ("direction", Term::atom(direction)),
        ("paths", list(paths)),
        ("add", list(add)),
        ("change", list(change)),
        ("delete", list(delete)),
        ("start", list(plan.added_apps.iter().map(|(a, _)| bin(a)).collect())),
        ("stop", list(plan.removed_apps.iter().map(|(a, _)| bin(a)).collect())),
        ("remove_paths", list(plan.removed_apps.iter().map(|(a, v)| path(plan.ebin(a, v))).collect())),
        ("extra", Term::list([])),
        ("modes", Term::Map(plan.modes.iter().map(|(m, mode)| (Term::atom(m), mode.to_term())).collect())),
        ("new_apps", list(existing(&plan.target_apps))),
        ("new_config", path(plan.sys_config(&plan.to))),
        ("old_apps", list(existing(&plan.running_apps))),
        ("old_config", path(plan.sys_config(&plan.from))),
    ];
    let map = Term::Map(entries.into_iter().map(|(k, v)| (Term::atom(k), v)).collect());
    Term::tuple([Term::atom("apply"), map])
}

/// Runs the node program with `job` and returns its answer (a binary of lines).
pub(super) fn run_program(client: &mut Client, job: &Term) -> Result<String, UpgradeError> {
    let program = NODE_PROGRAM.replacen("JOB", &job.pretty(), 1);
    let mut sink = std::io::sink();
    let reply = client.call("erl_eval", "eval_str", vec![DistTerm::from(program)], &mut sink)?;
    let unexpected = |reply: &DistTerm| UpgradeError::Node {
        node: client.node().to_string(),
        detail: format!("unexpected reply {reply}"),
    };
    match &reply {
        DistTerm::Tuple(t) => match &t.elements[..] {
            [DistTerm::Atom(ok), DistTerm::Binary(answer)] if ok.name == "ok" => {
                Ok(String::from_utf8_lossy(&answer.bytes).into_owned())
            }
            // eval_str's `{error, Message}`: a fault of the program, said as Erlang says it.
            [DistTerm::Atom(error), DistTerm::List(message)] if error.name == "error" => {
                let text: String = message
                    .elements
                    .iter()
                    .filter_map(|c| match c {
                        DistTerm::FixInteger(c) => char::from_u32(c.value as u32),
                        _ => None,
                    })
                    .collect();
                Err(UpgradeError::Node { node: client.node().to_string(), detail: text })
            }
            _ => Err(unexpected(&reply)),
        },
        _ => Err(unexpected(&reply)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_read_in_microseconds_and_only_whole() {
        let us = Duration::from_micros;
        let phases = Phases { suspend: us(15), load: us(2_000), change: us(0), resume: us(7) };
        assert_eq!(Phases::parse("15 2000 0 7"), Some(phases));
        assert_eq!(Phases::parse("15 2000 0"), None);
        assert_eq!(Phases::parse("15 2000 0 -7"), None);
    }

    #[test]
    fn the_node_program_has_one_job_line_and_stays_ascii() {
        assert_eq!(NODE_PROGRAM.matches("JOB").count(), 1);
        assert!(NODE_PROGRAM.is_ascii());
    }
}
