//! Calls between applications, checked without a BEAM: every external call a node type's
//! modules make (their `ImpT` tables) against what the node type's modules export (their
//! `ExpT`, ERTS's preloaded modules' included), as OTP's xref does in modules mode.
//!
//! Two findings: a call no module of the node type exports (a function OTP removed, an
//! application the node type lacks), and a call into an application the caller does not
//! depend on (its `applications` and `included_applications`, transitively), which the
//! boot script may start after the caller or not at all.

mod library;
mod policy;
mod report;

use std::path::PathBuf;

use foldhash::{HashMap, HashSet};
use serde::Serialize;

use crate::apps::{AppIndex, OtpInstall, Resolved};

use crate::beam::tables::Call;
pub use crate::beam::tables::Mfa;
pub use library::{Library, Preloaded, Recorded, XrefError};
pub use policy::Ignore;
pub use report::warnings;

/// Every node type runs these before anything else, whatever an `.app` lists.
const ALWAYS_THERE: [&str; 3] = ["erts", "kernel", "stdlib"];

/// One application of a node type: where its modules are, what it depends on.
#[derive(Debug, Clone)]
pub struct App {
    pub name: String,
    pub ebin: PathBuf,
    /// Its `applications` and `included_applications`.
    pub deps: Vec<String>,
    /// One of OTP's: its findings are OTP's business, reported apart (and its calls into
    /// applications it does not list, optional features of OTP, not at all).
    pub otp: bool,
}

impl From<&crate::apps::ResolvedApp> for App {
    fn from(app: &crate::apps::ResolvedApp) -> App {
        let deps = app.applications.iter().chain(&app.included_applications).cloned().collect();
        App { name: app.name.clone(), ebin: app.dir.join("ebin"), deps, otp: app.origin == crate::apps::Origin::Otp }
    }
}

/// What the check found on one node type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub node: String,
    /// How many modules the node type has (ERTS's preloaded ones included).
    pub modules: usize,
    /// Undefined calls of the release's own applications (those of the lib dirs).
    pub undefined: Vec<Undefined>,
    pub undeclared: Vec<Undeclared>,
    /// Undefined calls of OTP's applications (stdlib's calls into compiler, say, in a node
    /// type without it).
    pub otp_undefined: Vec<Undefined>,
    /// Findings the release's `xref_ignore` accepts.
    pub ignored: usize,
}

/// A call that no module of the node type exports.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Undefined {
    pub app: String,
    pub module: String,
    #[serde(serialize_with = "report::as_text")]
    pub call: Mfa,
    pub why: Why,
}

/// Why a call is undefined, and which application has its module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// The module is in the node type (in `app`), without that function: OTP removed it, or
    /// it was never exported.
    NotExported { app: String },
    /// The module is in `app`, an application of OTP or the lib dirs the node type lacks.
    NotInNodeType { app: String },
    /// No application known to the build has the module.
    NoSuchModule,
}

/// A call into an application the caller does not depend on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Undeclared {
    pub app: String,
    pub module: String,
    #[serde(serialize_with = "report::as_text")]
    pub call: Mfa,
    pub callee_app: String,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.undefined.is_empty() && self.undeclared.is_empty()
    }

    /// Every function called that the node type does not define, each once (what OTP's
    /// `xref:analyze(_, undefined_functions)` gives in modules mode).
    pub fn undefined_functions(&self) -> Vec<&Mfa> {
        let mut calls: Vec<&Mfa> = self.undefined.iter().chain(&self.otp_undefined).map(|u| &u.call).collect();
        calls.sort();
        calls.dedup();
        calls
    }
}

/// Checks every resolved node type of a release (`nodes`, resolved from `index`, whose OTP
/// install is `otp`), accepting what `ignore` (the spec's `xref_ignore`) names.
pub fn check_release(
    ignore: &[String],
    otp: &OtpInstall,
    index: &AppIndex,
    nodes: &[Resolved],
) -> Result<Vec<Report>, XrefError> {
    let ignore = Ignore::parse(ignore.iter().map(String::as_str))?;
    let apps: Vec<Vec<App>> = nodes.iter().map(|node| node.apps.iter().map(App::from).collect()).collect();
    let library = Library::read(apps.iter().flatten().map(|app| app.ebin.as_path()), Preloaded::of_otp(otp)?, index)?;
    Ok(nodes.iter().zip(&apps).map(|(node, apps)| library.check(&node.node, apps, &ignore)).collect())
}

/// Module name → (its application, its exports).
type Owners<'a> = HashMap<&'a str, (&'a str, HashSet<(&'a str, u32)>)>;

impl Library {
    /// Checks node type `node`, made of `apps` (each read by [`Library::read`]), accepting
    /// what `ignore` names.
    pub fn check(&self, node: &str, apps: &[App], ignore: &Ignore) -> Report {
        let owners = self.owners(apps);
        let closures = Closures::of(apps);
        let mut report = Report::empty(node, owners.len());
        for app in apps {
            for module in self.modules(&app.ebin) {
                for call in module.imports() {
                    let Some(finding) = self.judge(app, &call, &owners, &closures) else { continue };
                    match ignore.accepts(module.module(), &call) {
                        true => report.ignored += 1,
                        false => report.add(app, module.module(), &call, finding),
                    }
                }
            }
        }
        report.sorted()
    }

    /// What is wrong with `app`'s call `call`, if anything.
    fn judge<'a>(
        &self,
        app: &'a App,
        call: &Call,
        owners: &Owners<'a>,
        closures: &Closures<'a>,
    ) -> Option<Finding<'a>> {
        match owners.get(call.module) {
            Some((owner, exports)) if exports.contains(&(call.function, call.arity)) => {
                (!app.otp && !closures.reaches(&app.name, owner)).then_some(Finding::Undeclared(owner))
            }
            Some((owner, _)) => Some(Finding::Undefined(Why::NotExported { app: owner.to_string() })),
            None => Some(Finding::Undefined(match self.provider_of(call.module) {
                Some(app) => Why::NotInNodeType { app: app.to_owned() },
                None => Why::NoSuchModule,
            })),
        }
    }

    /// The node type's modules: ERTS's preloaded ones, then each application's (the first
    /// of two same-named modules wins, as the code path's first directory does).
    fn owners<'a>(&'a self, apps: &'a [App]) -> Owners<'a> {
        let mut owners: Owners = self.preloaded().map(|(module, exports)| (module, ("erts", exports))).collect();
        for app in apps {
            for module in self.modules(&app.ebin) {
                owners.entry(module.module()).or_insert_with(|| (app.name.as_str(), module.exports().collect()));
            }
        }
        owners
    }
}

enum Finding<'a> {
    Undefined(Why),
    Undeclared(&'a str),
}

impl Report {
    fn empty(node: &str, modules: usize) -> Report {
        let (undefined, undeclared, otp_undefined) = (vec![], vec![], vec![]);
        Report { node: node.to_owned(), modules, undefined, undeclared, otp_undefined, ignored: 0 }
    }

    fn add(&mut self, app: &App, caller: &str, call: &Call, finding: Finding) {
        let (name, module, call) = (app.name.clone(), caller.to_owned(), call.mfa());
        match finding {
            Finding::Undefined(why) => {
                let list = if app.otp { &mut self.otp_undefined } else { &mut self.undefined };
                list.push(Undefined { app: name, module, call, why });
            }
            Finding::Undeclared(owner) => {
                self.undeclared.push(Undeclared { app: name, module, call, callee_app: owner.to_owned() })
            }
        }
    }

    /// Each finding once, in order (a module calls a function from many places).
    fn sorted(mut self) -> Report {
        for list in [&mut self.undefined, &mut self.otp_undefined] {
            list.sort();
            list.dedup();
        }
        self.undeclared.sort();
        self.undeclared.dedup();
        self
    }
}

/// Which applications each application depends on, transitively.
struct Closures<'a> {
    deps: HashMap<&'a str, &'a [String]>,
    reached: std::cell::RefCell<HashMap<&'a str, HashSet<&'a str>>>,
}

impl<'a> Closures<'a> {
    fn of(apps: &'a [App]) -> Closures<'a> {
        let deps = apps.iter().map(|app| (app.name.as_str(), app.deps.as_slice())).collect();
        Closures { deps, reached: Default::default() }
    }

    /// Whether `caller` may call into `owner`: itself, an application every node starts
    /// first, or one of its dependencies.
    fn reaches(&self, caller: &'a str, owner: &str) -> bool {
        if caller == owner || ALWAYS_THERE.contains(&owner) {
            return true;
        }
        let mut reached = self.reached.borrow_mut();
        let closure = reached.entry(caller).or_insert_with(|| self.closure(caller));
        closure.contains(owner)
    }

    fn closure(&self, app: &'a str) -> HashSet<&'a str> {
        let mut seen = HashSet::default();
        let mut stack = vec![app];
        while let Some(next) = stack.pop() {
            for dep in self.deps.get(next).copied().unwrap_or_default() {
                if seen.insert(dep.as_str()) {
                    stack.push(dep);
                }
            }
        }
        seen
    }
}
