//! `xref`: the build's check of the calls between applications, on the tree's own files.

use clap::Subcommand;

use super::{exit, CliError, Context};
use crate::apps::{AppIndex, OtpInstall};
use crate::embed::XREF_RECORDED;
use crate::spec::DEFAULT_PROFILE;
use crate::tree::Tree;
use crate::xref::{App, Ignore, Library, Recorded, Report};

#[derive(Subcommand)]
pub enum XrefCommand {
    /// Check the calls of NODE's applications (default: every node type) in the tree: calls
    /// no module of the node type exports, calls into applications not depended on. Exit 50
    /// when there are any.
    Xref {
        /// A node type; every node type when not given.
        node: Option<String>,
        /// As JSON: one report per node type.
        #[arg(long)]
        json: bool,
    },
}

impl XrefCommand {
    pub fn run(self, context: &Context) -> Result<(), CliError> {
        let XrefCommand::Xref { node, json } = self;
        let nodes = match node {
            Some(node) => vec![context.node_type(Some(&node))?],
            None => context.embedded.nodes.iter().map(|n| n.to_string()).collect(),
        };
        let reports = check_tree(context, &context.tree(false)?, &nodes)?;
        match json {
            true => {
                super::print(format_args!("{}\n", serde_json::to_string_pretty(&reports).map_err(CliError::failure)?))?
            }
            false => reports.iter().try_for_each(super::print)?,
        }
        match reports.iter().all(Report::is_clean) {
            true => Ok(()),
            false => Err(CliError::new(exit::XREF, "calls the node types cannot satisfy (see above)")),
        }
    }
}

/// Checks `nodes` on the tree's `lib/`, with what the build recorded (ERTS's preloaded
/// modules, which applications are OTP's); the host's OTP, when there is one, names the
/// applications of modules the tree lacks.
fn check_tree(context: &Context, tree: &Tree, nodes: &[String]) -> Result<Vec<Report>, CliError> {
    let recorded = context.embedded.file(DEFAULT_PROFILE, None, XREF_RECORDED).ok_or_else(|| {
        CliError::failure(format!("{XREF_RECORDED} was not embedded in this binary: rebuild it with `cargo build`"))
    })?;
    let recorded = Recorded::from_json(recorded).map_err(CliError::failure)?;
    let lib = [tree.root().join("lib")];
    let index = match OtpInstall::detect(&context.otp()) {
        Ok(otp) => AppIndex::scan(&lib, &otp),
        Err(_) => AppIndex::scan_lib_dirs(&lib),
    }
    .map_err(CliError::failure)?;
    let mut node_apps = Vec::new();
    for node in nodes {
        node_apps.push(tree_apps(tree, node, &index, &recorded)?);
    }
    let ebins = node_apps.iter().flatten().map(|app| app.ebin.as_path());
    let library = Library::read(ebins, recorded.preloaded, &index).map_err(CliError::failure)?;
    let ignore = Ignore::parse(context.spec().xref_ignore.iter().map(String::as_str)).map_err(CliError::failure)?;
    Ok(nodes.iter().zip(&node_apps).map(|(node, apps)| library.check(node, apps, &ignore)).collect())
}

/// Node type `node`'s applications as its `.rel` lists them, from the tree's `lib/`.
fn tree_apps(tree: &Tree, node: &str, index: &AppIndex, recorded: &Recorded) -> Result<Vec<App>, CliError> {
    let mut apps = Vec::new();
    for entry in tree.rel_entries(node).map_err(CliError::failure)? {
        let dir = tree.layout.app_dir(&entry.name, &entry.vsn);
        let found = index.find(&entry.name).find(|app| app.dir == dir).ok_or_else(|| {
            CliError::failure(format!(
                "{node}.rel lists {}-{}, which is not in {}",
                entry.name,
                entry.vsn,
                dir.display()
            ))
        })?;
        let info = found.info().map_err(CliError::failure)?;
        let deps = info.applications.iter().chain(&info.included_applications).cloned().collect();
        let otp = recorded.otp_apps.contains(&entry.name);
        apps.push(App { name: entry.name, ebin: dir.join("ebin"), deps, otp });
    }
    Ok(apps)
}
