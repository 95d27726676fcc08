//! The release's hooks (`#[hook(...)]`), run where each belongs: `pre_start` before the VM
//! is launched (a failure stops the start), `post_start` once the node has booted,
//! `pre_stop` before `init:stop()` (a failure stops the stop), `post_stop` once the VM has
//! exited. A command runs with `sh -c` in the release root with the release's environment;
//! an Erlang call runs on the node through the distribution client.

use std::path::Path;
use std::process::Command;

use crate::dist::{Client, DistError};
use crate::name::NodeName;
use crate::spec::Hook;

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("the {point} hook `{command}` {outcome}{}", if *stops { "; nothing was done" } else { "" })]
    Command { point: &'static str, command: String, outcome: String, stops: bool },
    #[error("the {point} hook {module}:{function} failed on the node: {source}{}", if *stops { "; nothing was done" } else { "" })]
    Call { point: &'static str, module: String, function: String, source: Box<DistError>, stops: bool },
}

/// What a hook is told of the node it runs for.
pub struct HookEnv<'a> {
    pub root: &'a Path,
    pub release: &'a str,
    pub vsn: &'a str,
    pub node: &'a NodeName,
    pub node_type: &'a str,
}

/// Which hook, and whether its failure stops the action it comes before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    PreStart,
    PostStart,
    PreStop,
    PostStop,
}

impl Point {
    pub fn name(self) -> &'static str {
        match self {
            Point::PreStart => "pre_start",
            Point::PostStart => "post_start",
            Point::PreStop => "pre_stop",
            Point::PostStop => "post_stop",
        }
    }

    fn stops(self) -> bool {
        matches!(self, Point::PreStart | Point::PreStop)
    }
}

/// Runs `hook` at `point`; `client` is the node's, for an Erlang call (the macro allows a
/// call only where a node runs).
pub fn run(point: Point, hook: &Hook, env: &HookEnv, client: Option<&mut Client>) -> Result<(), HookError> {
    match hook {
        Hook::Command(command) => run_command(point, command, env),
        Hook::Call { module, function, args } => {
            let failed = |source| HookError::Call {
                point: point.name(),
                module: module.clone(),
                function: function.clone(),
                source: Box::new(source),
                stops: point.stops(),
            };
            let client = client.ok_or_else(|| {
                failed(DistError::Connection { node: env.node.to_string(), detail: "no connection to the node".into() })
            })?;
            client.apply(module, function, args, &mut std::io::stdout()).map(drop).map_err(failed)
        }
    }
}

fn run_command(point: Point, command: &str, env: &HookEnv) -> Result<(), HookError> {
    let status = Command::new("sh")
        .args(["-c", command])
        .current_dir(env.root)
        .env("RELEASE_ROOT_DIR", env.root)
        .env("RELEASE_NAME", env.release)
        .env("RELEASE_VSN", env.vsn)
        .env("RELEASE_NODE", env.node.to_string())
        .env("REL", env.node_type)
        .status();
    let outcome = match status {
        Ok(status) if status.success() => return Ok(()),
        Ok(status) => match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => format!("was ended by {status}"),
        },
        Err(e) => format!("could not be run: {e}"),
    };
    Err(HookError::Command { point: point.name(), command: command.to_owned(), outcome, stops: point.stops() })
}
