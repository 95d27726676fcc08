//! `releases/`: each node type's `.rel`, `.script`, `.boot`, vm.args and sys.config (see
//! [`layout`](super::layout) for the names), `start_clean.boot`, `no_dot_erlang.boot`,
//! `RELEASES` and `start_erl.data`.

use std::fs;
use std::path::Path;

use crate::apps::Resolved;
use crate::boot::{self, BootFiles, DotErlang};
use crate::term::{to_file_string, Term};

use super::error::AssembleError;
use super::layout::{node_files, Layout};
use super::plan::Plan;

pub(crate) fn write(plan: &Plan, layout: &Layout) -> Result<(), AssembleError> {
    let dir = layout.vsn_dir();
    fs::create_dir_all(&dir).map_err(AssembleError::io("create directory", &dir))?;
    for node in &plan.nodes {
        write_node(plan, layout, node)?;
    }
    write_defaults(plan, &dir)?;
    write_clean_boots(plan, &dir)?;
    write_file(&layout.releases_dir().join("RELEASES"), releases_file(plan, &plan.all_apps()).as_bytes())?;
    let start_erl = format!("{} {}\n", plan.otp.erts_vsn, plan.vsn);
    write_file(&layout.releases_dir().join("start_erl.data"), start_erl.as_bytes())
}

fn write_node(plan: &Plan, layout: &Layout, node: &Resolved) -> Result<(), AssembleError> {
    let files = boot::node_boot_files(&plan.vsn, &plan.otp.erts_vsn, node).map_err(boot_error(node))?;
    let dir = layout.vsn_dir();
    write_boot_files(&dir, &node.node, &files)?;
    let paths = node_files(&layout.root, &plan.vsn, &node.node);
    write_file(&paths.args, plan.vm_args(&node.node)?.as_bytes())?;
    write_file(&paths.config, plan.sys_config(&node.node)?.as_bytes())
}

/// The default node type under the names OTP's `start_erl` and release_handler read.
fn write_defaults(plan: &Plan, dir: &Path) -> Result<(), AssembleError> {
    let node = &plan.default_node().node;
    fs::copy(dir.join(format!("{node}.boot")), dir.join("start.boot"))
        .map_err(AssembleError::io("write", dir.join("start.boot")))?;
    write_file(&dir.join("vm.args"), plan.vm_args(node)?.as_bytes())?;
    write_file(&dir.join("sys.config"), plan.sys_config(node)?.as_bytes())
}

/// kernel and stdlib only, for tools that need a bare node of this runtime (a remote
/// console, `eval`), at the versions the default node type uses.
fn write_clean_boots(plan: &Plan, dir: &Path) -> Result<(), AssembleError> {
    let node = plan.default_node();
    for (name, dot_erlang) in [("start_clean", DotErlang::Run), ("no_dot_erlang", DotErlang::Skip)] {
        let files =
            boot::clean_boot_files(name, &plan.vsn, &plan.otp.erts_vsn, node, dot_erlang).map_err(boot_error(node))?;
        write_boot_files(dir, name, &files)?;
    }
    Ok(())
}

fn write_boot_files(dir: &Path, name: &str, files: &BootFiles) -> Result<(), AssembleError> {
    write_file(&dir.join(format!("{name}.rel")), files.rel.as_bytes())?;
    write_file(&dir.join(format!("{name}.script")), files.script.as_bytes())?;
    write_file(&dir.join(format!("{name}.boot")), &files.boot)
}

/// release_handler's `RELEASES`: `[{release, Name, Vsn, ErtsVsn, Libs, Status}]`, one
/// release holding every application of every node type, with library directories
/// relative to the root (release_handler reads them against `code:root_dir()`, so the
/// release can move). The `%% coding` line is what release_handler itself writes.
fn releases_file(plan: &Plan, all: &Resolved) -> String {
    let libs = all.apps.iter().map(|app| {
        let dir = format!("lib/{}-{}", app.name, app.vsn);
        Term::tuple([Term::atom(&app.name), Term::charlist(&app.vsn), Term::charlist(dir)])
    });
    let release = Term::tuple([
        Term::atom("release"),
        Term::charlist(&plan.spec.name),
        Term::charlist(&plan.vsn),
        Term::charlist(&plan.otp.erts_vsn),
        Term::list(libs),
        Term::atom("permanent"),
    ]);
    format!("%% coding: utf-8\n{}", to_file_string(&[Term::list([release])]))
}

/// The whole release as one `.rel` (`{release, {"kazoo", Vsn}, ...}` with every
/// application), which release_handler's `unpack_release` reads from a tarball.
pub(crate) fn release_rel(plan: &Plan) -> String {
    to_file_string(&[boot::rel_file(&plan.spec.name, &plan.vsn, &plan.otp.erts_vsn, &plan.all_apps())])
}

fn boot_error(node: &Resolved) -> impl FnOnce(boot::BootError) -> AssembleError + '_ {
    move |source| AssembleError::Boot { node: node.node.clone(), source }
}

pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), AssembleError> {
    fs::write(path, bytes).map_err(AssembleError::io("write", path))
}
