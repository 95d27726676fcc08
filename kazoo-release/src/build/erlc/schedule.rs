//! Compiling what changed, in dependency order, `jobs` modules at a time: a module is sent to
//! the compiler VM once every module it needs (parse transforms, behaviours) is compiled.
//! A module that fails does not stop the others (as `make -k`); those that need it are
//! skipped, since they cannot compile without it.

use std::collections::VecDeque;
use std::path::Path;

use super::driver::Driver;
use super::error::ModuleFailure;
use super::manifest::{self, Entry, Manifest};
use super::units::{Unit, Units};
use super::ErlcError;
use crate::term::Term;

#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub compiled: usize,
    pub up_to_date: usize,
    /// As erlc prints them.
    pub warnings: Vec<String>,
    pub failed: Vec<(String, Vec<String>)>,
    pub skipped: Vec<(String, String)>,
}

impl Outcome {
    pub fn failure(&self) -> Option<ErlcError> {
        (!self.failed.is_empty()).then(|| {
            ErlcError::Modules(ModuleFailure {
                failed: self.failed.clone(),
                skipped: self.skipped.clone(),
                compiled: self.compiled,
                up_to_date: self.up_to_date,
            })
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    UpToDate,
    Waiting,
    Sent,
    Compiled,
    Failed,
}

pub(crate) fn run(
    units: &Units,
    manifest: &mut Manifest,
    driver: &mut Driver,
    jobs: usize,
) -> Result<Outcome, ErlcError> {
    let units = &units.list;
    let wanted: Vec<Entry> = units.iter().map(entry).collect();
    let mut state: Vec<State> = units
        .iter()
        .zip(&wanted)
        .map(|(unit, wanted)| match manifest.is_current(&unit.source.home, wanted) {
            true => State::UpToDate,
            false => State::Waiting,
        })
        .collect();
    mark_dependents(units, &mut state);
    manifest.retain_only(&units.iter().map(|u| u.source.home.as_path()).collect::<Vec<_>>())?;
    let mut outcome =
        Outcome { up_to_date: state.iter().filter(|s| **s == State::UpToDate).count(), ..Outcome::default() };
    let mut ready: VecDeque<usize> = VecDeque::new();
    let mut queued = vec![false; units.len()];
    let mut in_flight = 0;
    loop {
        for index in 0..units.len() {
            if !queued[index] && state[index] == State::Waiting && can_start(units, &state, index) {
                queued[index] = true;
                ready.push_back(index);
            }
        }
        while in_flight < jobs {
            let Some(index) = ready.pop_front() else { break };
            if state[index] != State::Waiting {
                continue;
            }
            if let Some(&need) = units[index].needs.iter().find(|&&n| state[n] == State::Failed) {
                state[index] = State::Failed;
                outcome.skipped.push((units[index].module.clone(), units[need].module.clone()));
                manifest.forget(&units[index].source.home);
                continue;
            }
            driver.send(&request(index, &units[index]))?;
            state[index] = State::Sent;
            in_flight += 1;
        }
        if in_flight == 0 {
            let stuck: Vec<usize> = (0..units.len()).filter(|&i| state[i] == State::Waiting).collect();
            if stuck.is_empty() {
                return Ok(outcome);
            }
            // A cycle (behaviours naming each other): the compiler sorts it out, or says why not.
            for index in stuck {
                queued[index] = true;
                ready.push_back(index);
            }
            continue;
        }
        let (index, errors, warnings) = reply(driver.receive()?, units.len())?;
        in_flight -= 1;
        outcome.warnings.extend(warnings);
        let home = &units[index].source.home;
        if errors.is_empty() {
            state[index] = State::Compiled;
            outcome.compiled += 1;
            manifest.record(home.clone(), wanted[index].clone());
        } else {
            state[index] = State::Failed;
            outcome.failed.push((units[index].module.clone(), errors));
            manifest.forget(home);
        }
    }
}

/// A module whose compile-time dependency is recompiled is recompiled too.
fn mark_dependents(units: &[Unit], state: &mut [State]) {
    let mut changed = true;
    while changed {
        changed = false;
        for (index, unit) in units.iter().enumerate() {
            if state[index] == State::UpToDate && unit.needs.iter().any(|&n| state[n] == State::Waiting) {
                state[index] = State::Waiting;
                changed = true;
            }
        }
    }
}

/// Whether every module `index` needs is done (compiled, up to date, or failed).
fn can_start(units: &[Unit], state: &[State], index: usize) -> bool {
    units[index].needs.iter().all(|&n| matches!(state[n], State::UpToDate | State::Compiled | State::Failed))
}

fn entry(unit: &Unit) -> Entry {
    let ebin = unit.options.iter().find_map(|o| match o.as_tuple()? {
        [key, dir] if key.as_atom() == Some("outdir") => dir.as_str(),
        _ => None,
    });
    Entry {
        beam: Path::new(ebin.unwrap_or_default()).join(format!("{}.beam", unit.module)),
        options: Term::list(unit.options.iter().cloned()).to_string(),
        inputs: unit.inputs.iter().map(|p| manifest::stamp(p)).collect(),
    }
}

fn request(index: usize, unit: &Unit) -> Term {
    let file = Term::charlist(unit.source.file.to_string_lossy());
    let id = Term::Integer(i64::try_from(index).unwrap_or(i64::MAX));
    Term::tuple([Term::atom("compile"), id, file, Term::list(unit.options.iter().cloned())])
}

/// `{compiled, Id, ok | error, Errors, Warnings}` or `{compiled, Id, {crashed, Text}}`: the
/// module's index, its errors (none when it compiled) and its warnings as erlc prints them.
/// A module that failed on warnings alone (`warnings_as_errors`) has them as its errors.
fn reply(reply: Term, count: usize) -> Result<(usize, Vec<String>, Vec<String>), ErlcError> {
    let bad = || ErlcError::Driver(format!("unexpected reply {reply}"));
    let items = reply.as_tuple().ok_or_else(bad)?;
    let index = items.get(1).and_then(Term::as_integer).and_then(|i| usize::try_from(i).ok()).filter(|&i| i < count);
    let index = index.ok_or_else(bad)?;
    match items {
        [_, _, status, errors, warnings] => {
            let (mut errors, warnings) = (diagnostics(errors, ""), diagnostics(warnings, "Warning: "));
            match status.as_atom() {
                Some("ok") => Ok((index, vec![], warnings)),
                _ if errors.is_empty() && warnings.is_empty() => {
                    Ok((index, vec![format!("{}: the compiler failed without saying why", reply)], vec![]))
                }
                _ if errors.is_empty() => Ok((index, warnings, vec![])),
                _ => {
                    errors.extend(warnings);
                    Ok((index, errors, vec![]))
                }
            }
        }
        [_, _, crashed] => {
            let text = crashed.as_tuple().and_then(|t| t.get(1)).and_then(Term::as_str).unwrap_or_default();
            Ok((index, vec![format!("the compiler crashed: {text}")], vec![]))
        }
        _ => Err(bad()),
    }
}

/// `[{File, Line, Column, Text}]` as erlc prints them: `file:line:col: text`.
fn diagnostics(list: &Term, kind: &str) -> Vec<String> {
    let one = |item: &Term| -> Option<String> {
        let [file, line, column, text] = item.as_tuple()? else { return None };
        let place = match (line.as_integer()?, column.as_integer()?) {
            (0, _) => String::new(),
            (line, 0) => format!("{line}:"),
            (line, column) => format!("{line}:{column}:"),
        };
        Some(format!("{}:{place} {kind}{}", file.as_str()?, text.as_str()?))
    };
    list.as_list().unwrap_or_default().iter().filter_map(one).collect()
}
