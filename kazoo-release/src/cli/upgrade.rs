//! `upgrade`, `downgrade` and `releases`: another version of the release applied to a
//! running node without a restart, and the versions the tree holds.
//!
//! The tree's version listing is `releases`, not `versions`: `versions [NODE]` already says
//! what a running node runs, and a NODE-less `versions` listing the tree instead would
//! change what it prints for scripts that call it without NODE.

use std::path::Path;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use super::context::Naming;
use super::remote::{failed, seconds};
use super::{exit, print, CliError, Context};
use crate::tree::Tree;
use crate::upgrade::{self, Direction, UpgradeError};

#[derive(Subcommand)]
pub enum UpgradeCommand {
    /// Upgrade a running node to another version, without a restart: TARBALL (from
    /// tar-release, unpacked into the tree first) or VSN (unpacked already); the version
    /// then becomes the one the tree boots.
    Upgrade {
        /// A tarball of the release (`<name>-<vsn>.tar.gz`), or a version in the tree.
        #[arg(value_name = "TARBALL|VSN")]
        target: String,
        /// `type` or `type@host` (default: $REL, else the release's default node).
        node: Option<String>,
        #[command(flatten)]
        options: UpgradeOptions,
    },
    /// Move a running node back to an older version in the tree, the same way.
    Downgrade {
        /// A version in the tree (`releases` lists them).
        vsn: String,
        /// `type` or `type@host` (default: $REL, else the release's default node).
        node: Option<String>,
        #[command(flatten)]
        options: UpgradeOptions,
    },
    /// List the versions in the tree: permanent (what it boots), old, unpacked; and which
    /// one each running node of the release on this host runs (current).
    Releases {
        /// The nodes use short names (-sname); also NODE_NAME_TYPE=-sname.
        #[arg(long)]
        sname: bool,
    },
}

/// How to reach the node, and whether to change anything.
#[derive(Args)]
pub struct UpgradeOptions {
    /// Print the plan and change nothing (a tarball is unpacked aside, then removed).
    #[arg(long)]
    dry_run: bool,
    /// The node's cookie [default: the release's cookie sources].
    #[arg(long)]
    cookie: Option<String>,
    /// The node's name, when not its type's; also the release's NODE variable.
    #[arg(long, value_name = "NAME[@HOST]")]
    name: Option<String>,
    /// The node uses a short name (-sname); also NODE_NAME_TYPE=-sname.
    #[arg(long)]
    sname: bool,
    /// Seconds for the whole exchange with the node, from the EPMD lookup to the end of the
    /// apply.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = seconds)]
    timeout: Duration,
}

impl UpgradeCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        match self {
            UpgradeCommand::Upgrade { target, node, options } => {
                move_to(context, &target, node.as_deref(), &options, Direction::Up)
            }
            UpgradeCommand::Downgrade { vsn, node, options } => {
                move_to(context, &vsn, node.as_deref(), &options, Direction::Down)
            }
            UpgradeCommand::Releases { sname } => {
                let root = context.root();
                let versions = upgrade::tree_versions(&root).map_err(upgrade_error)?;
                let vsns: Vec<String> = versions.iter().map(|v| v.vsn.clone()).collect();
                let current = current_on_nodes(context, &vsns, sname);
                let text: String = versions
                    .iter()
                    .map(|v| {
                        let nodes: Vec<&str> =
                            current.iter().filter(|(_, c)| *c == v.vsn).map(|(n, _)| n.as_str()).collect();
                        match nodes.is_empty() {
                            true => format!("{} {}\n", v.vsn, v.status),
                            false => {
                                format!("{} {}, current on {}\n", v.vsn, v.status, nodes.join(" "))
                            }
                        }
                    })
                    .collect();
                print(text)
            }
        }
    }
}

fn move_to(
    context: &Context,
    target: &str,
    node: Option<&str>,
    options: &UpgradeOptions,
    direction: Direction,
) -> Result<(), CliError> {
    // One upgrade of a tree at a time, and no build rewriting it meanwhile (a dry run
    // changes nothing).
    let root = context.root();
    let out = root.parent().unwrap_or(&root).to_owned();
    let _lock = match options.dry_run {
        true => None,
        false => Some(crate::assemble::build_lock(&out, context.embedded.release).map_err(CliError::failure)?),
    };
    let tree = Tree::open(&context.root()).map_err(CliError::failure)?;
    let name = context.embedded.release;
    let tarball = Path::new(target);
    let is_tarball = direction == Direction::Up && (target.ends_with(".tar.gz") || tarball.is_file());
    let naming = Naming { node, name: options.name.as_deref() };
    let name_type = context.name_type(options.sname)?;
    let node_name = context.target(&naming, name_type)?;
    let node_type = context.node_type_of(&naming)?.unwrap_or_else(|| context.spec().default_node.clone());
    let cookie = context.cookie(options.cookie.as_deref(), &node_type)?;
    let connect = || context.connect(&node_name, &cookie, options.timeout).map_err(failed);
    let from = tree.vsn().to_owned();

    if options.dry_run {
        let mut client = connect()?;
        let plan = match is_tarball {
            true => upgrade::with_staged(&tree, name, tarball, |staged, vsn| {
                upgrade::plan(&mut client, staged, &node_type, &from, vsn, direction)
            }),
            false => upgrade::plan(&mut client, tree.root(), &node_type, &from, target, direction),
        };
        return print(plan.map_err(upgrade_error)?);
    }
    // Each phase's time, said at the end: what an operator weighs a change window by.
    let mut took: Vec<(&str, Duration)> = Vec::new();
    let mut clock = Instant::now();
    let mut lap =
        |phase, took: &mut Vec<_>| took.push((phase, std::mem::replace(&mut clock, Instant::now()).elapsed()));
    let vsn = match is_tarball {
        true => {
            let unpacked = upgrade::unpack(&tree, name, tarball).map_err(upgrade_error)?;
            lap("unpack", &mut took);
            match unpacked.already {
                true => eprintln!("{} is unpacked already in {}", unpacked.vsn, tree.root().display()),
                false => eprintln!(
                    "unpacked {} into {}: {} added, {} shared",
                    unpacked.vsn,
                    tree.root().display(),
                    list_or_none(&unpacked.added),
                    unpacked.shared.len()
                ),
            }
            unpacked.vsn
        }
        false => target.to_owned(),
    };
    let mut client = connect()?;
    let plan = upgrade::plan(&mut client, tree.root(), &node_type, &from, &vsn, direction).map_err(upgrade_error)?;
    lap("plan", &mut took);
    print(&plan)?;
    if plan.is_empty() && vsn == from {
        return Ok(());
    }
    let applied = upgrade::apply(&mut client, &plan).map_err(|e| match e {
        // The node goes on applying, or putting back, without the client.
        UpgradeError::Dist(e @ crate::dist::DistError::Timeout { .. }) => {
            let mut error = failed(e);
            error.message.push_str(&format!(
                "; the node may still be moving to {vsn} or back: see `versions {node_name}`, then run the command again"
            ));
            error
        }
        e => upgrade_error(e),
    })?;
    lap("apply", &mut took);
    for (module, pids) in &applied.suspended {
        eprintln!("code_change: {module} in {pids}");
    }
    for (module, pids) in &applied.not_purged {
        eprintln!(
            "warning: old code of {module} is still run by {pids}; it stays loaded as old code until they leave it"
        );
    }
    let verb = match direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    };
    upgrade::make_permanent(tree.root(), name, &tree.erts_vsn, &vsn).map_err(|e| {
        CliError::failure(format!(
            "node {node_name} runs {vsn}, but the tree could not be made to boot it: {e}; a restart would boot {from}: \
             fix that, then run `{verb} {vsn}` again (it changes no code and makes {vsn} permanent)"
        ))
    })?;
    lap("permanent", &mut took);
    let on_node = applied.phases;
    let on_node = [
        ("suspend", on_node.suspend),
        ("load", on_node.load),
        ("code_change", on_node.change),
        ("resume", on_node.resume),
    ];
    eprintln!("took: {} (on the node: {})", phases(&took), phases(&on_node));
    print(format!("node {node_name} runs {vsn}; {vsn} is permanent: a restart boots it\n"))
}

/// `(node, version)` of each node of the release's node types running on this host that
/// answers (within a second) and runs one of `versions`; a node that does not is left out.
fn current_on_nodes(context: &Context, versions: &[String], sname: bool) -> Vec<(String, String)> {
    let Ok(name_type) = context.name_type(sname) else {
        return Vec::new();
    };
    let root = context.root();
    let mut current = Vec::new();
    for node in &context.spec().nodes {
        let naming = Naming { node: Some(&node.name), name: None };
        let Ok(name) = context.target(&naming, name_type) else {
            continue;
        };
        let Ok(name) = name_type.node_name(&name) else {
            continue;
        };
        if !context.registered(&name, Duration::from_secs(1)).unwrap_or(false) {
            continue;
        }
        let Ok(cookie) = context.cookie(None, &node.name) else {
            continue;
        };
        let Ok(mut client) = context.connect(&name, &cookie, Duration::from_secs(1)) else {
            continue;
        };
        if let Ok(Some(vsn)) = upgrade::current_version(&mut client, &root, &node.name, versions) {
            current.push((name.to_string(), vsn));
        }
    }
    current
}

/// `unpack 12.10 ms, plan 3.02 ms`.
fn phases(took: &[(&str, Duration)]) -> String {
    let each: Vec<String> = took.iter().map(|(phase, t)| format!("{phase} {:.2} ms", t.as_secs_f64() * 1e3)).collect();
    each.join(", ")
}

fn list_or_none(items: &[String]) -> String {
    match items.is_empty() {
        true => "nothing".to_owned(),
        false => items.join(", "),
    }
}

/// The error with the exit code of its kind.
fn upgrade_error(error: UpgradeError) -> CliError {
    let error = match error {
        UpgradeError::Dist(e) => return failed(e),
        other => other,
    };
    let code = match &error {
        UpgradeError::OtherRelease { .. } => exit::OTHER_RELEASE,
        UpgradeError::ErtsDiffers { .. } => exit::ERTS_DIFFERS,
        UpgradeError::BadTarball { .. } | UpgradeError::NotUnpacked { .. } | UpgradeError::Appup { .. } => {
            exit::BAD_VERSION
        }
        UpgradeError::WrongWay { .. } => exit::USAGE,
        UpgradeError::RolledBack { .. } => exit::ROLLED_BACK,
        UpgradeError::RollbackFailed { .. } => exit::ROLLBACK_FAILED,
        UpgradeError::Dist(_) | UpgradeError::Tree { .. } | UpgradeError::Io { .. } | UpgradeError::Node { .. } => {
            exit::FAILURE
        }
    };
    CliError::new(code, error.to_string())
}
