//! `erts-<vsn>/`: the runtime from the OTP install, so the release runs where Erlang is not
//! installed. Only `bin/` ships (`include/`, `lib/internal` and `src/` serve compiling NIFs,
//! not running them), and of it only what a release runs ([`SHIPPED`]); `erl` and `start`
//! are rewritten so that they find the release root from where they are, wherever the
//! release was moved or unpacked.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::apps::OtpInstall;

use super::copy::CopyPlan;
use super::error::AssembleError;
use super::layout::Layout;

/// The executables of `erts-<vsn>/bin` a release runs, beside the emulators (`beam.*`) and
/// `erl` and `start`, which [`write_scripts`] writes rather than copies (OTP's have the
/// install's root hard-coded). relx (rlx_assemble:include_erts) copies the whole of `bin/` and drops only
/// `yielding_c_fun` (a compile-time tool of 1 MB and more); this goes further and ships
/// what relx's start scripts and OTP's run: the emulator's launcher and helpers
/// (`erlexec`, `erl_child_setup`, `inet_gethost`), `epmd`, `heart`, `run_erl`/`to_erl`
/// (start, attach), `start_erl` (OTP's `start`), `dyn_erl` (relx's `erl`), and `escript` and
/// `erl_call` (relx's nodetool and `rpc`/`eval` fallbacks). Left out: the development tools
/// `erlc`, `dialyzer`, `typer`, `ct_run`, `yielding_c_fun`, and the installer's `*.src`
/// templates.
const SHIPPED: [&str; 11] = [
    "erl_child_setup",
    "erlexec",
    "epmd",
    "heart",
    "inet_gethost",
    "run_erl",
    "to_erl",
    "escript",
    "erl_call",
    "dyn_erl",
    "start_erl",
];

/// Whether `bin/<name>` of the OTP install goes into the release's ERTS.
fn shipped(name: &str) -> bool {
    // beam.smp, and any other emulator flavour the install has (beam.emu.smp,
    // beam.debug.smp, beam.asan.smp, ...): `erl -emu_type` picks among them.
    let emulator = name == "beam" || name.starts_with("beam.");
    (emulator || SHIPPED.contains(&name)) && !name.ends_with(".src")
}

pub(crate) fn add_erts(plan: &mut CopyPlan, layout: &Layout, otp: &OtpInstall) -> Result<(), AssembleError> {
    let from = otp.root.join(format!("erts-{}", otp.erts_vsn)).join("bin");
    let to = layout.erts_dir(&otp.erts_vsn).join("bin");
    let keep = |name: &Path| name.to_str().is_some_and(shipped);
    plan.add_tree("erts", &from, &to, &keep)
}

/// Writes `erts-<vsn>/bin/erl` and `start`; call after the copy made the directory.
pub(crate) fn write_scripts(layout: &Layout, erts_vsn: &str) -> Result<(), AssembleError> {
    let bin = layout.erts_dir(erts_vsn).join("bin");
    write_executable(&bin.join("erl"), &erl_script(erts_vsn))?;
    write_executable(&bin.join("start"), &start_script(erts_vsn))
}

/// The release root is two levels above the script: `<root>/erts-<vsn>/bin/erl`.
const FIND_ROOT: &str = r#"ROOTDIR="$(cd "$(dirname "$0")/../.." && pwd -P)""#;

/// OTP's `erl`, with the root found from the script's location instead of hard-coded.
fn erl_script(erts_vsn: &str) -> String {
    format!(
        r#"#!/bin/sh
# Written by kazoo-release: Erlang's `erl`, with this release as the root directory.
{FIND_ROOT}
BINDIR="$ROOTDIR/erts-{erts_vsn}/bin"
EMU=beam
PROGNAME=$(basename "$0")
export EMU ROOTDIR BINDIR PROGNAME
exec "$BINDIR/erlexec" ${{1+"$@"}}
"#
    )
}

/// OTP's `start`: the release as a daemon behind `run_erl`, booting what
/// `releases/start_erl.data` names (`start_erl` reads `releases/<vsn>/start.boot` and
/// `sys.config`: the default node type's).
fn start_script(erts_vsn: &str) -> String {
    format!(
        r#"#!/bin/sh
# Written by kazoo-release: Erlang's `start`, with this release as the root directory.
{FIND_ROOT}
BINDIR="$ROOTDIR/erts-{erts_vsn}/bin"
RELDIR="${{RELDIR:-$ROOTDIR/releases}}"
START_ERL_DATA="${{1:-$RELDIR/start_erl.data}}"
mkdir -p "$ROOTDIR/log"
exec "$BINDIR/run_erl" -daemon /tmp/ "$ROOTDIR/log" "exec \"$BINDIR/start_erl\" \"$ROOTDIR\" \"$RELDIR\" \"$START_ERL_DATA\""
"#
    )
}

pub(crate) fn write_executable(path: &Path, text: &str) -> Result<(), AssembleError> {
    fs::write(path, text).map_err(AssembleError::io("write", path))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(AssembleError::io("make executable", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_release_runs_is_shipped() {
        for name in ["beam.smp", "beam.emu.smp", "beam.debug.smp", "erlexec", "epmd", "heart", "run_erl", "to_erl"] {
            assert!(shipped(name), "{name}");
        }
        for name in
            ["erl", "start", "erlc", "dialyzer", "typer", "ct_run", "yielding_c_fun", "erl.src", "start_erl.src"]
        {
            assert!(!shipped(name), "{name}");
        }
    }
}
