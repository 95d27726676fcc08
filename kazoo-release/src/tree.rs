//! A release tree as a run host has it: a directory holding `bin/`, `lib/`, `releases/` and
//! maybe `erts-<vsn>/`, found from the binary's own path or given, and read from its own
//! files only (`releases/start_erl.data`), never from the build machine's.

use std::fs;
use std::path::{Path, PathBuf};

use crate::assemble::{self, Layout, NodeFiles};

/// The file naming the ERTS version and the release version a node boots: `<erts> <vsn>`.
pub const START_ERL_DATA: &str = "start_erl.data";

#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("{} is not a release tree: {} cannot be read ({source}); build one with `build-release`, or point --out at one", root.display(), data.display())]
    NotATree { root: PathBuf, data: PathBuf, source: std::io::Error },
    #[error("{} holds `{text}`, not `<erts version> <release version>`; the tree is damaged: unpack the release again", data.display())]
    Malformed { data: PathBuf, text: String },
    #[error("{}: {detail}; the tree is damaged: unpack the release again", path.display())]
    Rel { path: PathBuf, detail: String },
}

/// One application of a `.rel` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelEntry {
    pub name: String,
    pub vsn: String,
    /// `load`, `temporary`, ...; `None` for `{App, Vsn}` (permanent).
    pub start_type: Option<String>,
}

/// A release tree and the versions it boots.
#[derive(Debug, Clone)]
pub struct Tree {
    pub layout: Layout,
    /// The ERTS version the release runs on (its own `erts-<vsn>`, or the host's).
    pub erts_vsn: String,
}

impl Tree {
    /// The tree whose `bin/<name>` or `bin/<name>-<vsn>` is `exe`, when it is one: a
    /// binary copied into a tree serves that tree, wherever the tree was unpacked.
    pub fn root_of_binary(exe: &Path, name: &str) -> Option<PathBuf> {
        let file = exe.file_name()?.to_str()?;
        let own_name = file == name || file.strip_prefix(name).is_some_and(|rest| rest.starts_with('-'));
        let bin = exe.parent()?;
        let root = bin.parent()?;
        let is_tree = own_name && bin.file_name()? == "bin" && root.join("releases").join(START_ERL_DATA).is_file();
        is_tree.then(|| root.to_owned())
    }

    /// The tree at `root`, as its `releases/start_erl.data` describes it.
    pub fn open(root: &Path) -> Result<Tree, TreeError> {
        let data = root.join("releases").join(START_ERL_DATA);
        let text = fs::read_to_string(&data).map_err(|source| TreeError::NotATree {
            root: root.to_owned(),
            data: data.clone(),
            source,
        })?;
        match text.split_whitespace().collect::<Vec<_>>().as_slice() {
            [erts, vsn] => Ok(Tree { layout: Layout::new(root, vsn), erts_vsn: (*erts).to_owned() }),
            _ => Err(TreeError::Malformed { data, text: text.trim().to_owned() }),
        }
    }

    pub fn root(&self) -> &Path {
        &self.layout.root
    }

    /// The release version the tree boots.
    pub fn vsn(&self) -> &str {
        &self.layout.vsn
    }

    /// `erts-<vsn>/bin` inside the tree (present when the release includes ERTS).
    pub fn erts_bin(&self) -> PathBuf {
        self.layout.erts_dir(&self.erts_vsn).join("bin")
    }

    /// The applications node type `node`'s boot script starts (its `.rel` without those of
    /// type `load` or `none`).
    pub fn started_apps(&self, node: &str) -> Result<Vec<String>, TreeError> {
        let entries = self.rel_entries(node)?;
        let started = entries.into_iter().filter(|e| !matches!(e.start_type.as_deref(), Some("load" | "none")));
        Ok(started.map(|e| e.name).collect())
    }

    /// Every application of node type `node`'s `.rel`, in its order.
    pub fn rel_entries(&self, node: &str) -> Result<Vec<RelEntry>, TreeError> {
        let rel = self.layout.vsn_dir().join(format!("{node}.rel"));
        let unreadable = |detail: String| TreeError::Rel { path: rel.clone(), detail };
        let terms = crate::term::parse_file(&rel).map_err(|e| unreadable(e.to_string()))?;
        let apps = terms.first().and_then(|t| t.as_tuple()).and_then(|t| t.get(3)).and_then(|a| a.as_list());
        let apps = apps.ok_or_else(|| unreadable("it is not {release, Name, Erts, Apps}".into()))?;
        apps.iter()
            .map(|app| {
                let entry = match app.as_tuple() {
                    // `{App, Vsn}`, `{App, Vsn, Type}`, `{App, Vsn, IncApps}`, `{App, Vsn, Type, IncApps}`.
                    Some([name, vsn, rest @ ..]) if rest.len() <= 2 => Some(RelEntry {
                        name: name.as_atom().unwrap_or_default().to_owned(),
                        vsn: vsn.as_str().unwrap_or_default().to_owned(),
                        start_type: rest.iter().find_map(|t| t.as_atom()).map(str::to_owned),
                    }),
                    _ => None,
                };
                entry
                    .filter(|e| !e.name.is_empty())
                    .ok_or_else(|| unreadable(format!("{app} is not {{App, Vsn}} or {{App, Vsn, Type}}")))
            })
            .collect()
    }

    /// The boot script, sys.config and vm.args of node type `node`.
    pub fn node_files(&self, node: &str) -> NodeFiles {
        assemble::node_files(self.root(), self.vsn(), node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree_at(dir: &Path, data: &str) -> PathBuf {
        let root = dir.join("opt/kazoo");
        fs::create_dir_all(root.join("releases")).unwrap();
        fs::create_dir_all(root.join("bin")).unwrap();
        fs::write(root.join("releases").join(START_ERL_DATA), data).unwrap();
        root
    }

    #[test]
    fn a_binary_in_a_trees_bin_serves_that_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = tree_at(dir.path(), "13.1.5 4.3.0\n");
        assert_eq!(Tree::root_of_binary(&root.join("bin/kazoo"), "kazoo"), Some(root.clone()));
        assert_eq!(Tree::root_of_binary(&root.join("bin/kazoo-4.3.0"), "kazoo"), Some(root.clone()));
        assert_eq!(Tree::root_of_binary(&root.join("bin/other"), "kazoo"), None);
        assert_eq!(Tree::root_of_binary(&dir.path().join("target/debug/kazoo"), "kazoo"), None);
        let tree = Tree::open(&root).unwrap();
        assert_eq!((tree.erts_vsn.as_str(), tree.vsn()), ("13.1.5", "4.3.0"));
    }

    #[test]
    fn a_damaged_start_erl_data_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = tree_at(dir.path(), "13.1.5\n");
        let error = Tree::open(&root).unwrap_err().to_string();
        assert!(error.contains("start_erl.data holds `13.1.5`"), "{error}");
        let error = Tree::open(dir.path()).unwrap_err().to_string();
        assert!(error.contains("is not a release tree"), "{error}");
    }
}
