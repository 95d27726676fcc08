//! Resolving a node type: the applications it needs, which copy of each, and the order in
//! which the boot script starts them.
//!
//! The order follows systools (`systools_make:sort_appls/1`): the listed applications in
//! the order the spec lists them, each preceded by its dependencies (`applications`, then
//! `included_applications`) in the order its `.app` file lists them. An order where every
//! application already follows its dependencies is one systools keeps as it is.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::spec::{AppSpec, DistMode, NodeType, ReleaseSpec, StartType};

use super::error::{AppsError, ScanWarning};
use super::scan::{AppIndex, AppInfo, FoundApp, Origin};
use super::version::compare_versions;

/// Every node type runs these, listed or not.
const ALWAYS: [&str; 2] = ["kernel", "stdlib"];

/// A node type's applications, in start order: what its `.rel` file lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolved {
    pub node: String,
    pub apps: Vec<ResolvedApp>,
}

/// One application of a resolved node type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedApp {
    pub name: String,
    pub vsn: String,
    /// The application's directory (`/usr/lib/erlang/lib/lager-3.9.2`), to be copied to the
    /// release's `lib/<name>-<vsn>/`.
    pub dir: PathBuf,
    pub origin: Origin,
    /// The `.rel` type: the spec's for a listed application; `permanent` for one pulled in
    /// through `applications`; `load` for one only included by another, which starts it in
    /// its own supervision tree (as relx does; systools never starts an included application).
    pub start_type: StartType,
    pub applications: Vec<String>,
    pub included_applications: Vec<String>,
    pub modules: Vec<String>,
}

impl AppIndex {
    /// Resolves node type `node` of `spec`: the base applications and the node type's own,
    /// and with `load_lib_dirs` every other application of the lib dirs, loaded (with the
    /// dependencies only they need) unless the node type's own applications need it started.
    /// TLS distribution needs `ssl` on the code path when the kernel starts, so a `dist = tls`
    /// release loads it on every node type.
    pub fn resolve_node(&self, spec: &ReleaseSpec, node: &NodeType) -> Result<Resolved, AppsError> {
        let apps = [spec.base_apps.as_slice(), &node.apps].concat();
        let mut loaded: Vec<&str> = match spec.load_lib_dirs {
            true => self.apps().iter().filter(|a| a.origin != Origin::Otp).map(|a| a.name.as_str()).collect(),
            false => Vec::new(),
        };
        if spec.dist == DistMode::Tls {
            loaded.push("ssl");
        }
        loaded.sort_unstable();
        loaded.dedup();
        loaded.retain(|name| !apps.iter().any(|a| a.name == *name));
        self.resolve_loading(&node.name, &apps, &loaded)
    }

    /// Resolves the node type `node`, which lists `apps` (the release's base applications
    /// and its own): the dependency closure, one version of each, in start order.
    pub fn resolve(&self, node: &str, apps: &[AppSpec]) -> Result<Resolved, AppsError> {
        self.resolve_loading(node, apps, &[])
    }

    /// [`resolve`](Self::resolve), with `loaded` in the release too: loaded, as is what
    /// only they need.
    fn resolve_loading(&self, node: &str, apps: &[AppSpec], loaded: &[&str]) -> Result<Resolved, AppsError> {
        let listed = listings(node, apps)?;
        let members = closure(self, node, &listed, loaded)?;
        let mut order = Order { node, members: &members, stack: Vec::new(), placed: HashSet::new(), order: Vec::new() };
        for name in ALWAYS.into_iter().chain(listed.iter().map(|l| l.name)).chain(loaded.iter().copied()) {
            order.visit(name)?;
        }
        let apps = order.order.iter().map(|name| resolved_app(name, &members[*name], &listed)).collect();
        Ok(Resolved { node: node.to_owned(), apps })
    }
}

/// How the spec lists one application, merged over its listings.
struct Listing<'a> {
    name: &'a str,
    pin: Option<&'a str>,
    start_type: StartType,
}

/// The spec's applications, each once; listing one twice is fine only when both agree.
fn listings<'a>(node: &str, apps: &'a [AppSpec]) -> Result<Vec<Listing<'a>>, AppsError> {
    let mut listed: Vec<Listing> = Vec::new();
    for app in apps {
        let pin = app.version.as_deref();
        let Some(earlier) = listed.iter_mut().find(|l| l.name == app.name) else {
            listed.push(Listing { name: &app.name, pin, start_type: app.start_type });
            continue;
        };
        let conflict = |first: String, second: String| AppsError::ConflictingSpecs {
            node: node.to_owned(),
            app: app.name.clone(),
            first,
            second,
        };
        match (earlier.pin, pin) {
            (Some(a), Some(b)) if a != b => return Err(conflict(format!("version {a}"), format!("version {b}"))),
            (None, Some(_)) => earlier.pin = pin,
            _ => {}
        }
        if earlier.start_type != app.start_type {
            let (a, b) = (earlier.start_type, app.start_type);
            return Err(conflict(format!("start type {a:?}"), format!("start type {b:?}")));
        }
    }
    Ok(listed)
}

/// An application of the closure, and how it got there.
struct Member<'i> {
    app: &'i FoundApp,
    info: &'i AppInfo,
    /// The application whose `.app` file first named this one; `None` for a listed one.
    required_by: Option<String>,
    /// Listed, or named in some `applications`: started by the boot script.
    started: bool,
    /// Needed only by applications the release loads (`load_lib_dirs`).
    only_loaded: bool,
}

/// The applications `listed` and `loaded` need, directly or not, breadth first so that the
/// chain shown for a missing application is the shortest. What a started application needs
/// is started; what only loaded ones need is loaded.
fn closure<'i>(
    index: &'i AppIndex,
    node: &str,
    listed: &[Listing],
    loaded: &[&str],
) -> Result<HashMap<String, Member<'i>>, AppsError> {
    // Each entry: the application, who needs it, whether it is started, and whether only
    // loaded applications need it (then so are its dependencies).
    let roots = ALWAYS.into_iter().chain(listed.iter().map(|l| l.name)).map(|name| (name, true, false));
    let roots = roots.chain(loaded.iter().map(|name| (*name, false, true)));
    let mut queue: VecDeque<(String, Option<String>, bool, bool)> =
        roots.map(|(name, started, only_loaded)| (name.to_owned(), None, started, only_loaded)).collect();
    let mut members: HashMap<String, Member> = HashMap::new();
    let deps = |name: &str, info: &AppInfo, only_loaded: bool| {
        let needs =
            info.applications.iter().map(move |dep| (dep.clone(), Some(name.to_owned()), !only_loaded, only_loaded));
        let includes =
            info.included_applications.iter().map(move |dep| (dep.clone(), Some(name.to_owned()), false, only_loaded));
        needs.chain(includes).collect::<Vec<_>>()
    };
    while let Some((name, required_by, started, only_loaded)) = queue.pop_front() {
        if let Some(member) = members.get_mut(&name) {
            member.started |= started;
            if member.only_loaded && !only_loaded {
                // Found for loaded applications first, and needed by started ones now.
                member.only_loaded = false;
                queue.extend(deps(&name, member.info, false));
            }
            continue;
        }
        let pin = listed.iter().find(|l| l.name == name).and_then(|l| l.pin);
        let Some((app, info)) = choose(index, node, &name, pin)? else {
            return Err(AppsError::MissingApp {
                node: node.to_owned(),
                chain: chain(&members, required_by.as_deref(), &name),
                app: name,
                searched: index.searched().to_vec(),
            });
        };
        queue.extend(deps(&name, info, only_loaded));
        members.insert(name, Member { app, info, required_by, started, only_loaded });
    }
    Ok(members)
}

/// The listed application that led to `app`, down to `app`: `ecallmgr -> lager -> goldrush`.
fn chain(members: &HashMap<String, Member>, required_by: Option<&str>, app: &str) -> Vec<String> {
    let mut chain = vec![app.to_owned()];
    let mut next = required_by;
    while let Some(name) = next {
        chain.push(name.to_owned());
        next = members.get(name).and_then(|m| m.required_by.as_deref());
    }
    chain.reverse();
    chain
}

/// The copy of `name` to use: the pinned version, else the highest of the release's lib
/// dirs (the first found among equals), and OTP's only when no lib dir has one: a project's
/// pinned dependency wins over a same-named package in the OTP install (Debian's lager 3.9.2
/// beside Kazoo's 3.6.10). Said in the index's warnings when there are several copies; a pin
/// wins silently. `None` when there is no copy at all.
fn choose<'i>(
    index: &'i AppIndex,
    node: &str,
    name: &str,
    pin: Option<&str>,
) -> Result<Option<(&'i FoundApp, &'i AppInfo)>, AppsError> {
    let copies = index.find(name).map(|app| Ok((app, app.info()?))).collect::<Result<Vec<_>, AppsError>>()?;
    let Some(pinned) = pin else {
        let in_lib_dirs = copies.iter().any(|(app, _)| app.origin != Origin::Otp);
        let candidates = copies.iter().copied().filter(|(app, _)| !in_lib_dirs || app.origin != Origin::Otp);
        let highest =
            candidates.clone().reduce(|best, next| match compare_versions(&next.1.vsn, &best.1.vsn).is_gt() {
                true => next,
                false => best,
            });
        if let (Some((app, info)), [_, _, ..]) = (highest, copies.as_slice()) {
            let equals = candidates.filter(|(_, i)| i.vsn == info.vsn).count();
            let over_otp = in_lib_dirs && copies.iter().any(|(app, _)| app.origin == Origin::Otp);
            index.warn(ScanWarning::SeveralVersions {
                app: name.to_owned(),
                found: found(&copies),
                chosen: (info.vsn.clone(), app.dir.clone()),
                reason: match (over_otp, equals) {
                    (true, 1) => "the highest version in the release's lib dirs, which win over the OTP install's",
                    (true, _) => "the first found of the highest version in the release's lib dirs, which win over the OTP install's",
                    (false, 1) => "the highest version",
                    (false, _) => "the first found of the highest version",
                },
            });
        }
        return Ok(highest);
    };
    match copies.iter().find(|(_, info)| info.vsn == pinned) {
        Some(&copy) => Ok(Some(copy)),
        None if copies.is_empty() => Ok(None),
        None => Err(AppsError::PinNotFound {
            node: node.to_owned(),
            app: name.to_owned(),
            pinned: pinned.to_owned(),
            found: found(&copies),
        }),
    }
}

/// Every copy as `(vsn, dir)`, for messages.
fn found(copies: &[(&FoundApp, &AppInfo)]) -> Vec<(String, PathBuf)> {
    copies.iter().map(|(app, info)| (info.vsn.clone(), app.dir.clone())).collect()
}

/// A depth-first walk that places each application after its dependencies.
struct Order<'m, 'i> {
    node: &'m str,
    members: &'m HashMap<String, Member<'i>>,
    /// The applications being visited, outermost first: where a cycle shows.
    stack: Vec<&'m str>,
    placed: HashSet<&'m str>,
    order: Vec<&'m str>,
}

impl<'m> Order<'m, '_> {
    fn visit(&mut self, name: &str) -> Result<(), AppsError> {
        let (name, member) = self.members.get_key_value(name).expect("the closure holds every dependency");
        if self.placed.contains(name.as_str()) {
            return Ok(());
        }
        if let Some(at) = self.stack.iter().position(|n| n == name) {
            let cycle = self.stack[at..].iter().chain([&name.as_str()]).map(|n| n.to_string()).collect();
            return Err(AppsError::Cycle { node: self.node.to_owned(), cycle });
        }
        self.stack.push(name);
        for dep in &member.info.applications {
            // An included application may name its includer in `applications`; systools
            // allows it, since the includer starts it.
            if !self.includes(dep, name) {
                self.visit(dep)?;
            }
        }
        for dep in &member.info.included_applications {
            self.visit(dep)?;
        }
        self.stack.pop();
        self.placed.insert(name);
        self.order.push(name);
        Ok(())
    }

    fn includes(&self, includer: &str, app: &str) -> bool {
        let included = self.members.get(includer).map(|m| m.info.included_applications.as_slice());
        included.unwrap_or_default().iter().any(|a| a == app)
    }
}

fn resolved_app(name: &str, member: &Member, listed: &[Listing]) -> ResolvedApp {
    let start_type = match listed.iter().find(|l| l.name == name) {
        Some(listing) => listing.start_type,
        None if member.started => StartType::Permanent,
        None => StartType::Load,
    };
    let info = member.info;
    ResolvedApp {
        name: name.to_owned(),
        vsn: info.vsn.clone(),
        dir: member.app.dir.clone(),
        origin: member.app.origin.clone(),
        start_type,
        applications: info.applications.clone(),
        included_applications: info.included_applications.clone(),
        modules: info.modules.clone(),
    }
}
