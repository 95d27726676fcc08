//! The vm.args and sys.config a node boots with: the release's, unless the operator put
//! their own in the release's config dir (`<config dir>/core/<node>.vm.args`,
//! `<node>.sys.config`, `<config dir>/app.config`), then with `${VAR}`s replaced when asked,
//! vm.args checked with the build step's checker ([`crate::vm_args`], `-s M` against the
//! modules of the node type's applications in the tree) and sys.config parsed.

use std::fs;
use std::path::{Path, PathBuf};

use super::subst::{self, Lookup, SubstError};
use crate::assemble::NodeFiles;
use crate::term::{self, ParseError, Term};
use crate::vm_args::{self, Modules};

#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error("cannot read {}: {source}; fix its permissions or remove it", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Unwritable { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Subst(#[from] SubstError),
    #[error("sys.config does not parse: {0}; fix the file (it must hold one list of {{App, Env}} terms)")]
    Unparsable(ParseError),
    /// A vm.args line the VM would refuse, or that fights what the start sets (the cookie,
    /// the name, the boot script, sys.config); nothing was started.
    #[error("{}:{line}: {message}\n  {line} | {text}", path.display())]
    VmArgs { path: PathBuf, line: usize, column: usize, message: String, text: String },
    #[error("cannot read the applications of node type {node} from {}: {problem}; the release tree is damaged: build or unpack it again", path.display())]
    Release { node: String, path: PathBuf, problem: String },
}

/// The files node type `node` boots with: `release`'s boot script, and its vm.args and
/// sys.config unless `config_dir` overrides them. With `substitute` (the environment's
/// lookup, when it asks for substitution) the substituted copies are written to `private`
/// and named instead.
/// vm.args is checked and sys.config parsed either way, so that a broken file fails here
/// with its line rather than as a VM that dies at boot (or, with a cookie in vm.args, a node
/// that rejects ours).
pub fn node_files(
    release: &NodeFiles,
    config_dir: &Path,
    node: &str,
    private: &Path,
    substitute: Option<Lookup>,
) -> Result<NodeFiles, OverrideError> {
    let core = config_dir.join("core");
    let given_args = first_existing([core.join(format!("{node}.vm.args"))]).unwrap_or_else(|| release.args.clone());
    let config = first_existing([core.join(format!("{node}.sys.config")), config_dir.join("app.config")])
        .unwrap_or_else(|| release.config.clone());
    let (args, config) = match substitute {
        Some(lookup) => (
            substituted(&given_args, &private.join("vm.args"), lookup)?,
            substituted(&config, &private.join("sys.config"), lookup)?,
        ),
        None => (given_args.clone(), config),
    };
    let text = read(&args)?;
    let modules = tree_modules(release, node)?;
    vm_args::check(&text, Some(&modules)).map_err(|e| OverrideError::VmArgs {
        // Substitution keeps lines where they are: the operator's own file is the one to fix.
        path: given_args,
        line: e.line,
        column: e.column,
        text: text.lines().nth(e.line - 1).unwrap_or_default().trim_end().to_owned(),
        message: e.message,
    })?;
    let text = read(&config)?;
    term::parse_str(&text, &config.display().to_string()).map_err(OverrideError::Unparsable)?;
    Ok(NodeFiles { boot: release.boot.clone(), config, args })
}

/// The modules of node type `node`'s applications as the tree holds them: the applications
/// its `.rel` (beside its boot script, `releases/<vsn>/<node>.rel`) lists, and each one's
/// `modules` in `lib/<app>-<vsn>/ebin/<app>.app`.
fn tree_modules(release: &NodeFiles, node: &str) -> Result<Modules, OverrideError> {
    let rel = release.boot.with_file_name(format!("{node}.rel"));
    let lib = release.boot.ancestors().nth(3).unwrap_or(Path::new("")).join("lib");
    let bad =
        |path: &Path, problem: String| OverrideError::Release { node: node.to_owned(), path: path.to_owned(), problem };
    let terms = term::parse_file(&rel).map_err(|e| bad(&rel, e.message))?;
    let apps = match terms.as_slice() {
        [Term::Tuple(items)] => items.get(3).and_then(Term::as_list),
        _ => None,
    };
    let apps = apps.ok_or_else(|| bad(&rel, "it is not one {release, Name, Erts, Apps} term".into()))?;
    let mut read_apps = Vec::new();
    for app in apps {
        let (name, vsn) = match app.as_tuple() {
            Some([name, vsn, ..]) => (name.as_atom(), vsn.as_str()),
            _ => (None, None),
        };
        let (Some(name), Some(vsn)) = (name, vsn) else {
            return Err(bad(&rel, format!("{app} is not an {{App, Vsn, ...}} entry")));
        };
        let file = lib.join(format!("{name}-{vsn}")).join("ebin").join(format!("{name}.app"));
        let terms = term::parse_file(&file).map_err(|e| bad(&file, e.message))?;
        let modules = match terms.as_slice() {
            [Term::Tuple(items)] => {
                items.get(2).and_then(|props| props.proplist_get("modules")).and_then(Term::as_list)
            }
            _ => None,
        };
        let modules = modules.ok_or_else(|| bad(&file, "it has no {modules, [...]} list".into()))?;
        let modules: Vec<String> = modules.iter().filter_map(Term::as_atom).map(str::to_owned).collect();
        read_apps.push((name.to_owned(), modules));
    }
    Ok(Modules::new(node, read_apps.iter().map(|(name, modules)| (name.as_str(), modules.as_slice()))))
}

fn first_existing<const N: usize>(paths: [PathBuf; N]) -> Option<PathBuf> {
    paths.into_iter().find(|p| p.exists())
}

/// Writes `from` with its variables replaced (by `lookup`) to `to`; returns `to`.
fn substituted(from: &Path, to: &Path, lookup: Lookup) -> Result<PathBuf, OverrideError> {
    let text = subst::substitute(&read(from)?, from, lookup)?;
    fs::write(to, text).map_err(|source| OverrideError::Unwritable { path: to.to_owned(), source })?;
    Ok(to.to_owned())
}

fn read(path: &Path) -> Result<String, OverrideError> {
    fs::read_to_string(path).map_err(|source| OverrideError::Unreadable { path: path.to_owned(), source })
}
