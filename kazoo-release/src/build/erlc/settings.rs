//! The caller's choices for a build, by application name where they are an application's,
//! made absolute once (the compiler VM and `cc` run in other folders) and checked against
//! the applications found.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::layout::App;
use super::{ErlcError, PortSpec};

#[derive(Debug, Default)]
pub(crate) struct Settings {
    pub lib_dirs: Vec<PathBuf>,
    pub lib_dir_flags: HashMap<PathBuf, Vec<String>>,
    pub app_flags: HashMap<String, Vec<String>>,
    pub dropped_flags: Vec<String>,
    /// `(original relative to the application, patched copy)`.
    pub replaced: HashMap<String, Vec<(PathBuf, PathBuf)>>,
    pub extra_src_dirs: HashMap<String, Vec<PathBuf>>,
    pub include_dirs: HashMap<String, Vec<PathBuf>>,
    pub app_srcs: HashMap<String, PathBuf>,
    pub app_vsns: HashMap<String, String>,
    pub port_specs: HashMap<String, Vec<PortSpec>>,
}

impl Settings {
    /// The same with every path absolute: the compiler VM and `cc` run in other folders.
    pub fn absolute(&self) -> Settings {
        let dirs = |map: &HashMap<String, Vec<PathBuf>>| -> HashMap<String, Vec<PathBuf>> {
            map.iter().map(|(app, dirs)| (app.clone(), dirs.iter().map(|d| absolute(d)).collect())).collect()
        };
        Settings {
            lib_dirs: self.lib_dirs.iter().map(|d| absolute(d)).collect(),
            lib_dir_flags: self.lib_dir_flags.iter().map(|(dir, flags)| (absolute(dir), flags.clone())).collect(),
            replaced: self
                .replaced
                .iter()
                .map(|(app, pairs)| (app.clone(), pairs.iter().map(|(o, p)| (o.clone(), absolute(p))).collect()))
                .collect(),
            extra_src_dirs: dirs(&self.extra_src_dirs),
            include_dirs: dirs(&self.include_dirs),
            app_srcs: self.app_srcs.iter().map(|(app, file)| (app.clone(), absolute(file))).collect(),
            app_flags: self.app_flags.clone(),
            dropped_flags: self.dropped_flags.clone(),
            app_vsns: self.app_vsns.clone(),
            port_specs: self.port_specs.clone(),
        }
    }

    /// Every application and lib dir the caller named is one of the build: a misspelt name
    /// would otherwise quietly do nothing.
    pub fn check_names(&self, apps: &[App]) -> Result<(), ErlcError> {
        let named = [
            ("app_options", self.app_flags.keys().collect::<Vec<_>>()),
            ("replace_source", self.replaced.keys().collect()),
            ("extra_src_dir", self.extra_src_dirs.keys().collect()),
            ("include_dir", self.include_dirs.keys().collect()),
            ("app_vsn", self.app_vsns.keys().collect()),
            ("port_spec", self.port_specs.keys().collect()),
        ];
        for (setting, names) in named {
            if let Some(name) = names.into_iter().find(|name| !apps.iter().any(|app| &app.name == *name)) {
                return Err(ErlcError::UnknownApp { setting, app: name.clone() });
            }
        }
        match self.lib_dir_flags.keys().find(|dir| !self.lib_dirs.contains(dir)) {
            Some(dir) => Err(ErlcError::UnknownLibDir { dir: dir.clone() }),
            None => Ok(()),
        }
    }
}

pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}
