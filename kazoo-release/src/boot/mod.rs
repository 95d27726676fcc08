//! Boot files without a BEAM: a node type's `.rel` file, its boot script (`.script`) and
//! the script's binary form (`.boot`), the same as `systools:make_script/2` makes them from
//! that `.rel` file with default options.
//!
//! Each node type is a release of its own, named after the node type: `ecallmgr.rel` holds
//! `{release, {"ecallmgr", Vsn}, ...}`, so the file name, the name systools and
//! release_handler read from the file (`init:script_id/0` on the running node) and relx's
//! `RelName.rel` convention all agree. The release's own name (`kazoo`) names the
//! directory and the start script, not the boot files.
//!
//! ```no_run
//! use kazoo_release::apps::{AppIndex, OtpInstall, OtpSearch};
//! use kazoo_release::boot::{node_boot_files, clean_boot_files, DotErlang};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let otp = OtpInstall::detect(&OtpSearch { erl_root: None, path: std::env::var_os("PATH") })?;
//! let resolved = AppIndex::scan(&[], &otp)?.resolve("ecallmgr", &[])?;
//! let files = node_boot_files("4.3.0", &otp.erts_vsn, &resolved)?;
//! std::fs::write("_rel/kazoo/releases/4.3.0/ecallmgr.boot", &files.boot)?;
//! let clean = clean_boot_files("kazoo", "4.3.0", &otp.erts_vsn, &resolved, DotErlang::Run)?;
//! std::fs::write("_rel/kazoo/releases/4.3.0/start_clean.boot", &clean.boot)?;
//! # Ok(()) }
//! ```

mod app;
mod error;
mod etf;
mod script;

pub use error::BootError;
pub use etf::{boot_bytes, to_etf};
pub use script::{script, DotErlang};

use crate::apps::{Resolved, ResolvedApp};
use crate::spec::StartType;
use crate::term::{to_file_string, Term};

/// The three files of one boot, as text and bytes to write under `releases/<vsn>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootFiles {
    /// `<name>.rel`.
    pub rel: String,
    /// `<name>.script`.
    pub script: String,
    /// `<name>.boot`.
    pub boot: Vec<u8>,
}

/// `{release, {Name, Vsn}, {erts, ErtsVsn}, Apps}`: each application as `{App, Vsn}` when
/// permanent, else `{App, Vsn, Type}` (the forms relx writes; included applications are
/// never overridden, so the `.app` files' lists hold).
pub fn rel_file(release_name: &str, release_vsn: &str, erts_vsn: &str, resolved: &Resolved) -> Term {
    let apps = resolved.apps.iter().map(rel_entry);
    Term::tuple([
        Term::atom("release"),
        Term::tuple([Term::charlist(release_name), Term::charlist(release_vsn)]),
        Term::tuple([Term::atom("erts"), Term::charlist(erts_vsn)]),
        Term::list(apps),
    ])
}

fn rel_entry(app: &ResolvedApp) -> Term {
    let mut entry = vec![Term::atom(&app.name), Term::charlist(&app.vsn)];
    if app.start_type != StartType::Permanent {
        entry.push(Term::atom(app.start_type.as_str()));
    }
    Term::Tuple(entry)
}

/// The node type's `<node>.rel`, `.script` and `.boot`, its release named after the node
/// type (see the module's documentation).
pub fn node_boot_files(release_vsn: &str, erts_vsn: &str, resolved: &Resolved) -> Result<BootFiles, BootError> {
    boot_files(&resolved.node, release_vsn, erts_vsn, resolved, DotErlang::Run)
}

/// `start_clean` (`DotErlang::Run`) or `no_dot_erlang` (`DotErlang::Skip`): a release of
/// kernel and stdlib only, at the versions `resolved` uses, for tools that need a bare node
/// of the release's runtime (relx's `bin/<name> eval`-style commands, upgrades).
pub fn clean_boot_files(
    release_name: &str,
    release_vsn: &str,
    erts_vsn: &str,
    resolved: &Resolved,
    dot_erlang: DotErlang,
) -> Result<BootFiles, BootError> {
    let base = base_apps(resolved)?;
    boot_files(release_name, release_vsn, erts_vsn, &base, dot_erlang)
}

/// kernel and stdlib of `resolved`, both permanent, as every release must run them.
fn base_apps(resolved: &Resolved) -> Result<Resolved, BootError> {
    let base = ["kernel", "stdlib"].map(|name| {
        let app = resolved.apps.iter().find(|a| a.name == name);
        let missing = || BootError::MissingApp { node: resolved.node.clone(), app: name.to_owned() };
        app.cloned().ok_or_else(missing).map(|app| ResolvedApp { start_type: StartType::Permanent, ..app })
    });
    let [kernel, stdlib] = base;
    Ok(Resolved { node: resolved.node.clone(), apps: vec![kernel?, stdlib?] })
}

fn boot_files(
    name: &str,
    release_vsn: &str,
    erts_vsn: &str,
    resolved: &Resolved,
    dot_erlang: DotErlang,
) -> Result<BootFiles, BootError> {
    let rel = rel_file(name, release_vsn, erts_vsn, resolved);
    let script = script(name, release_vsn, resolved, dot_erlang)?;
    Ok(BootFiles {
        rel: to_file_string(&[rel]),
        boot: boot_bytes(&resolved.node, &script)?,
        script: to_file_string(&[script]),
    })
}
