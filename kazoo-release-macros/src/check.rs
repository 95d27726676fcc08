//! Checks what the attributes mean, once they parsed: Erlang names, versions, duplicates,
//! the default node, vm.args values and port ranges. Every problem is an error on the token
//! that causes it; all are collected.

use crate::ast::{App, Hook, HookAction, Input, Name, Node, Overlay, Profile, Release, VmArgs};
use crate::erlang::{is_emulator_flag, name_problem, version_problem};
use crate::errors::{first_at, Errors, Located};
use crate::sym::*;

pub fn check(input: &Input, errs: &mut Errors) {
    release(&input.release, errs);
    nodes(input, errs);
    default_node(input, errs);
    vm_args(&input.vm_args, errs);
    overlays(&input.overlays, errs);
    profiles(&input.profiles, errs);
    hooks(&input.hooks, errs);
}

/// A hook's call needs a node to run on: only `post_start` and `pre_stop` may be one; a
/// command may not be empty; an Erlang call names atoms.
fn hooks(hooks: &[Hook], errs: &mut Errors) {
    for hook in hooks {
        match &hook.action {
            HookAction::Call { module, function, .. } => {
                if !NODE_HOOKS.contains(&hook.point.value.as_str()) {
                    errs.push(hook.point.error(format!(
                        "`{}` runs while no node runs, so it cannot be an Erlang call; give a command: `{} = \"bin/check\"`",
                        hook.point.value, hook.point.value
                    )));
                }
                atom(module, errs);
                atom(function, errs);
            }
            HookAction::Command(command) if command.value.trim().is_empty() => {
                errs.push(command.error(format!("`{}` is an empty command", hook.point.value)));
            }
            HookAction::Command(_) => {}
        }
    }
}

/// Whether `name` is a valid name (an atom without `@`); an error on it when not.
fn atom(name: &Name, errs: &mut Errors) -> bool {
    let problem = name_problem(&name.value);
    let valid = problem.is_none();
    errs.extend(problem.map(|p| name.error(p)));
    valid
}

fn release(release: &Release, errs: &mut Errors) {
    match &release.name {
        Some(name) => _ = atom(name, errs),
        None if release.given.iter().any(|k| k == NAME) => {}
        None => errs.push(syn::Error::new(
            release.span,
            "the release has no name: add `#[release(name = ...)]`, e.g. `#[release(name = kazoo)]`",
        )),
    }
    if let Some(version) = &release.version {
        errs.extend(version_problem(&version.value).map(|p| version.error(p)));
    }
    release.base_apps.iter().for_each(|app| self::app(app, errs));
    duplicate_apps(&release.base_apps, "in base_apps", errs);
    one_of(&release.xref, XREF, XREF_POLICIES, errs);
    one_of(&release.dist, DIST, DIST_MODES, errs);
    port(&release.dist_port, DIST_PORT, errs);
}

fn app(app: &App, errs: &mut Errors) {
    atom(&app.name, errs);
    if let Some(version) = &app.version {
        errs.extend(version_problem(&version.value).map(|p| version.error(p)));
    }
    if let Some(start) = app.start_type.as_ref().filter(|t| !START_TYPES.contains(&t.value.as_str())) {
        let message = format!("unknown start type `{}`: expected one of {}", start.value, START_TYPES.join(", "));
        errs.push(start.error(message));
    }
}

/// An application listed twice in one list is an error on the second listing.
fn duplicate_apps(apps: &[App], within: &str, errs: &mut Errors) {
    for (i, app) in apps.iter().enumerate() {
        if let Some(first) = apps[..i].iter().find(|a| a.name.value == app.name.value) {
            let where_ = first_at(first.name.span(), app.name.span());
            errs.push(
                app.name.error(format!("duplicate application `{}` {within}: already listed{where_}", app.name.value)),
            );
        }
    }
}

fn nodes(input: &Input, errs: &mut Errors) {
    if input.nodes.is_empty() {
        let message = "the release has no node types: add `#[node(name = ..., apps = [...])]`";
        errs.push(syn::Error::new(input.release.span, message));
    }
    let mut declared: Vec<&Name> = Vec::new();
    for node in &input.nodes {
        let Some(name) = &node.name else {
            if node.given.iter().all(|k| k != NAME) {
                errs.push(syn::Error::new(
                    node.span,
                    "`#[node(...)]` needs `name = ...`, e.g. `#[node(name = ecallmgr, apps = [ecallmgr])]`",
                ));
            }
            continue;
        };
        if let Some(first) = declared.iter().find(|d| d.value == name.value) {
            let where_ = first_at(first.span(), name.span());
            errs.push(name.error(format!("duplicate node type `{}`: already declared{where_}", name.value)));
        } else if atom(name, errs) {
            declared.push(name);
        }
        node_apps(node, name, &input.release.base_apps, errs);
    }
}

fn node_apps(node: &Node, name: &Name, base_apps: &[App], errs: &mut Errors) {
    let apps = match &node.apps {
        Some(apps) if !apps.value.is_empty() => &apps.value,
        Some(empty) => {
            let message = format!("node type `{}` has no applications: list at least one", name.value);
            return errs.push(empty.error(message));
        }
        None if node.given.iter().any(|k| k == APPS) => return,
        None => {
            let message = format!("node type `{}` has no applications: add `apps = [...]`", name.value);
            return errs.push(syn::Error::new(node.span, message));
        }
    };
    apps.iter().for_each(|app| self::app(app, errs));
    duplicate_apps(apps, &format!("in node type `{}`", name.value), errs);
    for app in apps {
        if let Some(base) = base_apps.iter().find(|b| b.name.value == app.name.value) {
            let where_ = first_at(base.name.span(), app.name.span());
            let message = format!(
                "application `{}` is already in base_apps{where_}, which every node type carries; list it once",
                app.name.value
            );
            errs.push(app.name.error(message));
        }
    }
}

fn default_node(input: &Input, errs: &mut Errors) {
    let mut declared: Vec<String> = Vec::new();
    for name in input.nodes.iter().filter_map(|n| n.name.as_ref()) {
        let quoted = format!("`{}`", name.value);
        if !declared.contains(&quoted) {
            declared.push(quoted);
        }
    }
    match &input.release.default_node {
        Some(default) if atom(default, errs) => {
            let known = input.nodes.iter().filter_map(|n| n.name.as_ref()).any(|n| n.value == default.value);
            if !known && !declared.is_empty() {
                let message = format!(
                    "default_node `{}` is not a declared node type; declared: {}",
                    default.value,
                    declared.join(", ")
                );
                errs.push(default.error(message));
            }
        }
        Some(_) => {}
        None if declared.len() > 1 => errs.push(syn::Error::new(
            input.release.span,
            format!(
                "the release declares {} node types ({}): add `default_node = ...` to `#[release(...)]` to say which one runs when none is named",
                declared.len(),
                declared.join(", ")
            ),
        )),
        None => {}
    }
}

fn vm_args(args: &VmArgs, errs: &mut Errors) {
    one_of(&args.sasl_errlog_type, SASL_ERRLOG_TYPE, ERRLOG_TYPES, errs);
    one_of(&args.warning_map, WARNING_MAP, WARNING_MAPS, errs);
    one_of(&args.printable_range, PRINTABLE_RANGE, PRINTABLE_RANGES, errs);
    if let Some(threads) = args.async_threads.as_ref().filter(|t| !(0..=1024).contains(&t.value)) {
        let message = format!("`async_threads` (erl's +A) must be in 0..=1024, found {}", threads.value);
        errs.push(threads.error(message));
    }
    listen_range(args, errs);
    args.raw.iter().for_each(|line| raw_line(line, errs));
}

fn one_of(value: &Option<Located<String>>, key: &str, allowed: &[&str], errs: &mut Errors) {
    if let Some(value) = value.as_ref().filter(|v| !allowed.contains(&v.value.as_str())) {
        let message = format!("`{}` is not a valid `{key}`: expected one of {}", value.value, allowed.join(", "));
        errs.push(value.error(message));
    }
}

/// Whether `value`, when given, is a port; an error on it when not.
fn port(value: &Option<Located<i128>>, key: &str, errs: &mut Errors) -> bool {
    let Some(port) = value.as_ref().filter(|p| !(1..=65535).contains(&p.value)) else { return true };
    errs.push(port.error(format!("`{key}` must be a port in 1..=65535, found {}", port.value)));
    false
}

/// `-kernel inet_dist_listen_min M inet_dist_listen_max N`: both or neither, ports, M <= N.
fn listen_range(args: &VmArgs, errs: &mut Errors) {
    let (min, max) = (&args.inet_dist_listen_min, &args.inet_dist_listen_max);
    let in_range = [(min, INET_DIST_LISTEN_MIN), (max, INET_DIST_LISTEN_MAX)]
        .into_iter()
        .fold(true, |in_range, (value, key)| port(value, key, errs) && in_range);
    match (min, max) {
        (Some(min), Some(max)) if in_range && min.value > max.value => errs.push(min.error(format!(
            "`inet_dist_listen_min` ({}) is above `inet_dist_listen_max` ({}): the range is empty",
            min.value, max.value
        ))),
        (Some(only), None) | (None, Some(only)) => {
            let (given, missing) = if min.is_some() {
                (INET_DIST_LISTEN_MIN, INET_DIST_LISTEN_MAX)
            } else {
                (INET_DIST_LISTEN_MAX, INET_DIST_LISTEN_MIN)
            };
            errs.push(
                only.error(format!(
                    "`{given}` is set without `{missing}`: set both to bound the distribution port range"
                )),
            );
        }
        _ => {}
    }
}

/// A raw vm.args line is an emulator flag (`+`) that `erl` knows, or an init or
/// application flag (`-`), which erl passes on and cannot be checked here.
fn raw_line(line: &Located<String>, errs: &mut Errors) {
    let flag = line.value.split_whitespace().next().unwrap_or_default();
    if flag.starts_with('+') {
        if !is_emulator_flag(flag) {
            errs.push(
                line.error(format!("unknown emulator flag `{flag}` (see \"Emulator Flags\" in the erts `erl` manual)")),
            );
        }
    } else if !flag.starts_with('-') || flag == "-" {
        let message = format!(
            "raw vm.args line `{}` must start with `+` (an emulator flag) or `-` (an init or application flag)",
            line.value
        );
        errs.push(line.error(message));
    }
}

fn overlays(overlays: &[Overlay], errs: &mut Errors) {
    for overlay in overlays {
        if let Overlay::Chmod { mode, .. } = overlay {
            if !(0..=0o7777).contains(&mode.value) {
                errs.push(
                    mode.error(format!("`mode` must be a Unix file mode in 0..=0o7777, found {:#o}", mode.value)),
                );
            }
        }
    }
}

fn profiles(profiles: &[Profile], errs: &mut Errors) {
    let mut declared: Vec<&Name> = Vec::new();
    for profile in profiles {
        profile.vm_args.iter().for_each(|args| vm_args(args, errs));
        one_of(&profile.xref, XREF, XREF_POLICIES, errs);
        one_of(&profile.dist, DIST, DIST_MODES, errs);
        port(&profile.dist_port, DIST_PORT, errs);
        let Some(name) = &profile.name else {
            if profile.given.iter().all(|k| k != NAME) {
                errs.push(syn::Error::new(
                    profile.span,
                    "`#[profile(...)]` needs `name = ...`, e.g. `#[profile(name = dev)]`",
                ));
            }
            continue;
        };
        if let Some(first) = declared.iter().find(|d| d.value == name.value) {
            let where_ = first_at(first.span(), name.span());
            errs.push(name.error(format!("duplicate profile `{}`: already declared{where_}", name.value)));
        } else if atom(name, errs) {
            declared.push(name);
        }
    }
}
