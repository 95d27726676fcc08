//! The boot script, instruction by instruction as `systools_make:generate_script/4` of
//! OTP 25 (sasl 4.2) writes it with default options: every path is
//! `$ROOT/lib/<app>-<vsn>/ebin`, `$ROOT` being the release root the node is started from.

use crate::apps::Resolved;
use crate::spec::StartType;
use crate::term::Term;

use super::app::{self, AppResource};
use super::error::BootError;

/// Whether the script ends by running `$HOME/.erlang` (`c:erlangrc/0`), as every boot
/// script does except `no_dot_erlang.boot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotErlang {
    Run,
    Skip,
}

/// Modules built into the emulator (`systools_make:preloaded/0`), sorted.
const PRELOADED: [&str; 21] = [
    "atomics",
    "counters",
    "erl_init",
    "erl_prim_loader",
    "erl_tracer",
    "erlang",
    "erts_code_purger",
    "erts_dirty_process_signal_handler",
    "erts_internal",
    "erts_literal_area_collector",
    "init",
    "persistent_term",
    "prim_buffer",
    "prim_eval",
    "prim_file",
    "prim_inet",
    "prim_net",
    "prim_socket",
    "prim_zip",
    "socket_registry",
    "zlib",
];

/// kernel and stdlib modules init loads before anything else
/// (`systools_make:mandatory_modules/0`), in systools' order.
const MANDATORY: [&str; 29] = [
    "error_handler",
    "application",
    "application_controller",
    "application_master",
    "code",
    "code_server",
    "erl_eval",
    "erl_lint",
    "erl_parse",
    "error_logger",
    "ets",
    "file",
    "filename",
    "file_server",
    "file_io_server",
    "gen",
    "gen_event",
    "gen_server",
    "heart",
    "kernel",
    "logger",
    "logger_filters",
    "logger_server",
    "logger_backend",
    "logger_config",
    "logger_simple_h",
    "lists",
    "proc_lib",
    "supervisor",
];

/// `{script, {Name, Vsn}, Instructions}` for a release named `release_name` that runs
/// `resolved`'s applications, in their order (the `.rel` file's).
pub fn script(
    release_name: &str,
    release_vsn: &str,
    resolved: &Resolved,
    dot_erlang: DotErlang,
) -> Result<Term, BootError> {
    let order: Vec<&str> = resolved.apps.iter().map(|a| a.name.as_str()).collect();
    let apps = resolved.apps.iter().map(|a| app::read(a, &order)).collect::<Result<Vec<_>, _>>()?;
    let kernel = apps
        .iter()
        .find(|a| a.name == "kernel")
        .ok_or_else(|| BootError::MissingApp { node: resolved.node.clone(), app: "kernel".to_owned() })?;
    let mut instructions = preamble(&apps);
    instructions.extend(load_modules(&apps));
    instructions.push(Term::tuple([Term::atom("path"), paths(apps.iter())]));
    instructions.extend(kernel_processes(kernel));
    instructions.extend(load_applications(&apps));
    instructions.extend(start_applications(&apps));
    instructions.extend(ending(dot_erlang));
    Ok(Term::tuple([
        Term::atom("script"),
        Term::tuple([Term::charlist(release_name), Term::charlist(release_vsn)]),
        Term::list(instructions),
    ]))
}

/// Up to `kernel_load_completed`: the preloaded modules, then the mandatory ones from
/// kernel's and stdlib's directories.
fn preamble(apps: &[AppResource]) -> Vec<Term> {
    let kernel_and_stdlib = apps.iter().filter(|a| a.name == "kernel" || a.name == "stdlib");
    vec![
        Term::tuple([Term::atom("preLoaded"), atoms(PRELOADED)]),
        progress("preloaded"),
        Term::tuple([Term::atom("path"), paths(kernel_and_stdlib)]),
        Term::tuple([Term::atom("primLoad"), atoms(MANDATORY)]),
        Term::tuple([Term::atom("kernel_load_completed")]),
        progress("kernel_load_completed"),
    ]
}

/// For each application, its path and the rest of its modules, sorted.
fn load_modules(apps: &[AppResource]) -> Vec<Term> {
    let mut instructions = Vec::new();
    for app in apps {
        let mut modules: Vec<&str> = app
            .modules
            .iter()
            .map(String::as_str)
            .filter(|m| !MANDATORY.contains(m) && !PRELOADED.contains(m))
            .collect();
        modules.sort_unstable();
        instructions.push(Term::tuple([Term::atom("path"), paths([app])]));
        instructions.push(Term::tuple([Term::atom("primLoad"), atoms(modules)]));
    }
    instructions.push(progress("modules_loaded"));
    instructions
}

/// The processes init itself starts (`systools_make:kernel_processes/0`); the application
/// controller gets kernel's application term.
fn kernel_processes(kernel: &AppResource) -> Vec<Term> {
    let process = |name: &str, module: &str, function: &str, args: Term| {
        Term::tuple([
            Term::atom("kernelProcess"),
            Term::atom(name),
            Term::tuple([Term::atom(module), Term::atom(function), args]),
        ])
    };
    vec![
        process("heart", "heart", "start", Term::list([])),
        process("logger", "logger_server", "start_link", Term::list([])),
        process("application_controller", "application_controller", "start", Term::list([kernel.packed.clone()])),
        progress("init_kernel_started"),
    ]
}

/// `application:load/1` of every application but kernel (the controller has it already)
/// and those of type `none`.
fn load_applications(apps: &[AppResource]) -> Vec<Term> {
    let loaded = apps.iter().filter(|a| a.name != "kernel" && a.start_type != StartType::None);
    let mut instructions: Vec<Term> = loaded.map(|a| apply("application", "load", vec![a.packed.clone()])).collect();
    instructions.push(progress("applications_loaded"));
    instructions
}

/// `application:start_boot/2` of every application that is started, and not included by
/// another one (its includer starts it in its own supervision tree).
fn start_applications(apps: &[AppResource]) -> Vec<Term> {
    let included: Vec<&str> = apps.iter().flat_map(|a| a.included.iter().map(String::as_str)).collect();
    apps.iter()
        .filter(|a| !matches!(a.start_type, StartType::Load | StartType::None))
        .filter(|a| !included.contains(&a.name.as_str()))
        .map(|a| {
            let args = vec![Term::atom(&a.name), Term::atom(a.start_type.as_str())];
            apply("application", "start_boot", args)
        })
        .collect()
}

fn ending(dot_erlang: DotErlang) -> Vec<Term> {
    match dot_erlang {
        DotErlang::Run => vec![apply("c", "erlangrc", Vec::new()), progress("started")],
        DotErlang::Skip => vec![progress("started")],
    }
}

/// The code path of `apps`, as the script's `{path, [...]}` takes it.
fn paths<'a>(apps: impl IntoIterator<Item = &'a AppResource>) -> Term {
    Term::list(apps.into_iter().map(|a| Term::charlist(format!("$ROOT/lib/{}-{}/ebin", a.name, a.vsn))))
}

fn atoms<'a>(names: impl IntoIterator<Item = &'a str>) -> Term {
    Term::list(names.into_iter().map(Term::atom))
}

fn progress(stage: &str) -> Term {
    Term::tuple([Term::atom("progress"), Term::atom(stage)])
}

fn apply(module: &str, function: &str, args: Vec<Term>) -> Term {
    Term::tuple([Term::atom("apply"), Term::tuple([Term::atom(module), Term::atom(function), Term::List(args)])])
}
