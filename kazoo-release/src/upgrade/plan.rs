//! The plan of an upgrade, made here from what the node actually runs: its running
//! applications and the MD5 of each loaded module (asked on the node), against the target
//! version's `releases/<vsn>/<node type>.rel` and the MD5 of each of its `.beam` files
//! (`beam_lib:md5/1` on the node, the same sum `module_info(md5)` gives of loaded code, so
//! a module is changed exactly when its code is).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::apply::run_program;
use super::appup::{self, Instruction, Mode};
use super::UpgradeError;
use crate::dist::Client;
use crate::term::Term;

/// Which way the versions go: `code_change` gets the old version (up) or `{down, Vsn}`
/// (down), before the new code is loaded when going down, as relups do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// What an upgrade changes on one node.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub node: String,
    pub node_type: String,
    /// The version the tree boots now (what the node was started from or last moved to).
    pub from: String,
    pub to: String,
    pub direction: Direction,
    /// `(app, vsn)`.
    pub added_apps: Vec<(String, String)>,
    pub removed_apps: Vec<(String, String)>,
    /// `(app, running vsn, new vsn)`.
    pub changed_apps: Vec<(String, String, String)>,
    /// `(module, app)`.
    pub added_modules: Vec<(String, String)>,
    pub changed_modules: Vec<(String, String)>,
    pub removed_modules: Vec<(String, String)>,
    /// How changed modules change when not [`Mode::Auto`] (an .appup said so).
    pub modes: Vec<(String, Mode)>,
    /// The applications whose own .appup gave their instructions.
    pub appups: Vec<String>,
    /// The tree's root, for the files the node reads.
    pub root: PathBuf,
    /// The sys.config the node booted with when it is the operator's (from the release's
    /// config dir, or substituted), not one of the tree's: it stays the node's environment.
    pub operator_config: Option<PathBuf>,
    /// Every application of the target version: `(app, vsn)`, in the .rel's order.
    pub(super) target_apps: Vec<(String, String)>,
    /// The running applications the tree holds: `(app, vsn)`.
    pub(super) running_apps: Vec<(String, String)>,
}

impl Plan {
    /// Nothing would change.
    pub fn is_empty(&self) -> bool {
        self.added_apps.is_empty()
            && self.removed_apps.is_empty()
            && self.changed_apps.is_empty()
            && self.added_modules.is_empty()
            && self.changed_modules.is_empty()
            && self.removed_modules.is_empty()
    }

    /// `app`'s own instructions instead of what the MD5s say.
    fn use_appup(&mut self, app: &str, instructions: Vec<Instruction>, loaded: &[(&str, &str)]) {
        for list in [&mut self.added_modules, &mut self.changed_modules, &mut self.removed_modules] {
            list.retain(|(_, a)| a != app);
        }
        for instruction in instructions {
            match instruction {
                Instruction::Add(m) => self.added_modules.push((m, app.to_owned())),
                Instruction::Delete(m) => {
                    if loaded.iter().any(|(l, md5)| *l == m && *md5 != "none") {
                        self.removed_modules.push((m, app.to_owned()));
                    }
                }
                Instruction::Change(m, mode) => {
                    if mode != Mode::Auto {
                        self.modes.push((m.clone(), mode));
                    }
                    self.changed_modules.push((m, app.to_owned()));
                }
            }
        }
        self.appups.push(app.to_owned());
    }

    pub(super) fn ebin(&self, app: &str, vsn: &str) -> PathBuf {
        self.root.join("lib").join(format!("{app}-{vsn}")).join("ebin")
    }

    /// The sys.config of version `vsn`, or the operator's the node booted with.
    pub(super) fn sys_config(&self, vsn: &str) -> PathBuf {
        if let Some(config) = &self.operator_config {
            return config.clone();
        }
        self.root.join("releases").join(vsn).join(format!("{}.sys.config", self.node_type))
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.direction {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        };
        writeln!(f, "{verb} of {} ({}) from {} to {}:", self.node, self.node_type, self.from, self.to)?;
        if self.is_empty() {
            return writeln!(f, "  nothing changes: the node runs what {} holds", self.to);
        }
        for (app, from, to) in &self.changed_apps {
            writeln!(f, "  application {app} {from} -> {to}")?;
        }
        for (app, vsn) in &self.added_apps {
            writeln!(f, "  application {app} {vsn} added (started)")?;
        }
        for (app, vsn) in &self.removed_apps {
            writeln!(f, "  application {app} {vsn} removed (stopped)")?;
        }
        for app in &self.appups {
            writeln!(f, "  application {app}: the instructions of its .appup")?;
        }
        for (module, app) in &self.changed_modules {
            let how = match self.modes.iter().find(|(m, _)| m == module).map(|(_, mode)| mode) {
                Some(Mode::Advanced(extra)) => format!(" (code_change with {})", extra.pretty()),
                Some(Mode::Soft) => " (soft: no code_change)".to_owned(),
                Some(Mode::Load) => " (loaded, no process suspended)".to_owned(),
                Some(Mode::Auto) | None => String::new(),
            };
            writeln!(f, "  module {module} ({app}) changed{how}")?;
        }
        for (module, app) in &self.added_modules {
            writeln!(f, "  module {module} ({app}) added")?;
        }
        for (module, app) in &self.removed_modules {
            writeln!(f, "  module {module} ({app}) removed")?;
        }
        let whose = match self.operator_config {
            Some(_) => " (the operator's, which the node booted with)",
            None => "",
        };
        writeln!(f, "  environment: {}{whose}", self.sys_config(&self.to).display())
    }
}

/// The plan of moving the node `client` talks to, of node type `node_type`, from the tree's
/// version `from` to `to` (unpacked in the tree at `root`).
pub fn plan(
    client: &mut Client,
    root: &Path,
    node_type: &str,
    from: &str,
    to: &str,
    direction: Direction,
) -> Result<Plan, UpgradeError> {
    // A version that is not there is said as such, whichever way it would go.
    let target_apps = rel_apps(root, to, node_type)?;
    let wrong_way = match direction {
        Direction::Up => crate::apps::compare_versions(to, from).is_lt(),
        Direction::Down => crate::apps::compare_versions(to, from).is_gt(),
    };
    if wrong_way {
        return Err(UpgradeError::WrongWay {
            from: from.to_owned(),
            to: to.to_owned(),
            up: direction == Direction::Up,
        });
    }
    // An application the node runs that the version it came from does not list was
    // started by hand: not the release's to stop.
    let from_apps = rel_apps(root, from, node_type).ok();
    let probe: Vec<Term> = target_apps
        .iter()
        .map(|(app, vsn)| {
            Term::tuple([
                Term::binary(app),
                Term::binary(path_text(&root.join("lib").join(format!("{app}-{vsn}")).join("ebin"))),
            ])
        })
        .collect();
    let facts = run_program(client, &Term::tuple([Term::atom("facts"), Term::list(probe)]))?;
    let facts =
        Facts::parse(&facts).map_err(|detail| UpgradeError::Node { node: client.node().to_string(), detail })?;

    let target: BTreeMap<&str, &str> = target_apps.iter().map(|(a, v)| (a.as_str(), v.as_str())).collect();
    let running: BTreeMap<&str, &str> = facts.apps.iter().map(|(a, v)| (a.as_str(), v.as_str())).collect();
    let mut plan = Plan {
        node: client.node().to_string(),
        node_type: node_type.to_owned(),
        from: from.to_owned(),
        to: to.to_owned(),
        direction,
        added_apps: Vec::new(),
        removed_apps: Vec::new(),
        changed_apps: Vec::new(),
        added_modules: Vec::new(),
        changed_modules: Vec::new(),
        removed_modules: Vec::new(),
        modes: Vec::new(),
        appups: Vec::new(),
        root: root.to_owned(),
        operator_config: facts.config.as_deref().map(PathBuf::from).filter(|c| !is_tree_config(root, c, node_type)),
        running_apps: Vec::new(),
        target_apps: target_apps.clone(),
    };
    for (app, vsn) in &facts.apps {
        if root.join("lib").join(format!("{app}-{vsn}")).is_dir() {
            plan.running_apps.push((app.clone(), vsn.clone()));
        }
    }
    for (app, vsn) in &target_apps {
        match running.get(app.as_str()) {
            None => {
                plan.added_apps.push((app.clone(), vsn.clone()));
                for (module, _) in facts.new_of(app) {
                    plan.added_modules.push((module.to_owned(), app.clone()));
                }
            }
            Some(old) if old != vsn => {
                plan.changed_apps.push((app.clone(), (*old).to_owned(), vsn.clone()));
                let loaded = facts.loaded_of(app);
                let new = facts.new_of(app);
                for (module, md5) in &new {
                    match loaded.iter().find(|(m, _)| m == module) {
                        None => plan.added_modules.push(((*module).to_owned(), app.clone())),
                        Some((_, "none")) => {}
                        Some((_, old_md5)) if old_md5 != md5 => {
                            plan.changed_modules.push(((*module).to_owned(), app.clone()))
                        }
                        Some(_) => {}
                    }
                }
                for (module, md5) in &loaded {
                    if *md5 != "none" && !new.iter().any(|(m, _)| m == module) {
                        plan.removed_modules.push(((*module).to_owned(), app.clone()));
                    }
                }
                if let Some(instructions) = appup::instructions(root, app, old, vsn, direction)? {
                    plan.use_appup(app, instructions, &loaded);
                }
            }
            Some(_) => {}
        }
    }
    for (app, vsn) in &facts.apps {
        let released = from_apps.as_ref().map_or(true, |apps| apps.iter().any(|(a, _)| a == app));
        if !target.contains_key(app.as_str()) && released {
            plan.removed_apps.push((app.clone(), vsn.clone()));
            for (module, md5) in facts.loaded_of(app) {
                if md5 != "none" {
                    plan.removed_modules.push((module.to_owned(), app.clone()));
                }
            }
        }
    }
    Ok(plan)
}

/// Which of `versions` (unpacked in the tree at `root`) the node `client` talks to runs:
/// the one whose `<node_type>.rel` applications all run on it at those versions.
pub fn current_version(
    client: &mut Client,
    root: &Path,
    node_type: &str,
    versions: &[String],
) -> Result<Option<String>, UpgradeError> {
    let facts = run_program(client, &Term::tuple([Term::atom("facts"), Term::list([])]))?;
    let facts =
        Facts::parse(&facts).map_err(|detail| UpgradeError::Node { node: client.node().to_string(), detail })?;
    Ok(versions
        .iter()
        .find(|vsn| {
            let apps = rel_apps(root, vsn, node_type).unwrap_or_default();
            !apps.is_empty() && apps.iter().all(|app| facts.apps.contains(app))
        })
        .cloned())
}

/// What the node said it runs.
struct Facts {
    apps: Vec<(String, String)>,
    /// `(app, module, md5 or "none")`.
    loaded: Vec<(String, String, String)>,
    /// `(app, module, md5)` of the target version's files.
    new: Vec<(String, String, String)>,
    /// The sys.config the node booted with (`-config`).
    config: Option<String>,
}

/// Whether `config` is the sys.config of node type `node_type` of some version of the tree
/// at `root` (`releases/<vsn>/<node>.sys.config`, `-config` may leave out the extension).
fn is_tree_config(root: &Path, config: &Path, node_type: &str) -> bool {
    let file = config.file_name().and_then(|f| f.to_str()).unwrap_or_default();
    let ours = file == format!("{node_type}.sys.config") || file == format!("{node_type}.sys");
    let releases = config.parent().and_then(Path::parent);
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    ours && releases.is_some_and(|dir| same(dir, &root.join("releases")))
}

impl Facts {
    fn parse(text: &str) -> Result<Facts, String> {
        let mut facts = Facts { apps: Vec::new(), loaded: Vec::new(), new: Vec::new(), config: None };
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words[..] {
                ["app", app, vsn] => facts.apps.push((app.into(), vsn.into())),
                ["loaded", app, module, md5] => facts.loaded.push((app.into(), module.into(), md5.into())),
                ["new", app, module, md5] => facts.new.push((app.into(), module.into(), md5.into())),
                ["config", ..] => facts.config = line.strip_prefix("config ").map(str::to_owned),
                ["bad", app, ..] => return Err(format!("a .beam file of {app} cannot be read: {line}")),
                _ => return Err(format!("unexpected line `{line}`")),
            }
        }
        Ok(facts)
    }

    fn loaded_of(&self, app: &str) -> Vec<(&str, &str)> {
        self.loaded.iter().filter(|(a, _, _)| a == app).map(|(_, m, s)| (m.as_str(), s.as_str())).collect()
    }

    fn new_of(&self, app: &str) -> Vec<(&str, &str)> {
        self.new.iter().filter(|(a, _, _)| a == app).map(|(_, m, s)| (m.as_str(), s.as_str())).collect()
    }
}

/// The applications of `releases/<vsn>/<node_type>.rel` a node runs (not those of type
/// `load` or `none`), with their versions.
pub(super) fn rel_apps(root: &Path, vsn: &str, node_type: &str) -> Result<Vec<(String, String)>, UpgradeError> {
    let path = root.join("releases").join(vsn).join(format!("{node_type}.rel"));
    if !root.join("releases").join(vsn).is_dir() {
        return Err(UpgradeError::NotUnpacked { vsn: vsn.to_owned(), root: root.to_owned() });
    }
    let bad = |detail: String| UpgradeError::Tree { path: path.clone(), detail };
    let terms = crate::term::parse_file(&path).map_err(|e| bad(e.to_string()))?;
    let apps = terms.first().and_then(Term::as_tuple).and_then(|t| t.get(3)).and_then(Term::as_list);
    let apps = apps.ok_or_else(|| bad("it is not {release, Name, Erts, Apps}".into()))?;
    Ok(apps
        .iter()
        .filter_map(|app| match app.as_tuple()? {
            [name, vsn] => Some((name.as_atom()?.to_owned(), vsn.as_str()?.to_owned())),
            [name, vsn, kind] if !matches!(kind.as_atom(), Some("load" | "none")) => {
                Some((name.as_atom()?.to_owned(), vsn.as_str()?.to_owned()))
            }
            _ => None,
        })
        .collect())
}

pub(super) fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
