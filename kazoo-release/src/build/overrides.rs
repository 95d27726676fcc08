//! Profile overrides from TOML: `[package.metadata.kazoo-release.profiles.<name>]` in
//! Cargo.toml, then `<template dir>/<name>.toml` (`rel/dist.toml`), applied in that order.
//!
//! ```toml
//! include_erts = true
//! [vm_args]
//! async_threads = 200
//! [sys_config.lager]
//! colored = false   # strings become charlists, tables proplists
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::BuildError;
use crate::spec::{DistMode, Profile, ReleaseSpec, SysConfig, VmArgs, XrefPolicy, DEFAULT_PROFILE};

/// The metadata table this crate reads.
const METADATA_KEY: &str = "kazoo-release";

/// A profile override that cannot be used, naming its file and what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct OverrideError {
    pub file: String,
    pub message: String,
}

/// What the build takes from the package's Cargo.toml.
pub(super) struct CargoPackage {
    pub version: Option<String>,
    manifest: PathBuf,
    profiles: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ProfileToml {
    include_erts: Option<bool>,
    dev_mode: Option<bool>,
    strip_beams: Option<bool>,
    xref: Option<XrefPolicy>,
    dist: Option<DistMode>,
    dist_port: Option<u16>,
    vm_args: Option<VmArgs>,
    sys_config: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MetadataTable {
    #[serde(default)]
    profiles: BTreeMap<String, serde_json::Value>,
}

/// Reads the package's version and metadata table through `cargo metadata`.
pub(super) fn cargo_package(manifest_dir: &Path) -> Result<CargoPackage, BuildError> {
    let manifest = manifest_dir.join("Cargo.toml");
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(&manifest)
        .no_deps()
        .exec()
        .map_err(|source| BuildError::Metadata { manifest: manifest.clone(), source })?;
    let package = metadata.packages.iter().find(|p| p.manifest_path.as_std_path() == manifest);
    let table = package.and_then(|p| p.metadata.get(METADATA_KEY)).cloned();
    let table: MetadataTable = match table {
        Some(table) => serde_json::from_value(table).map_err(|e| OverrideError {
            file: manifest.display().to_string(),
            message: format!("[package.metadata.{METADATA_KEY}]: {e}"),
        })?,
        None => MetadataTable::default(),
    };
    Ok(CargoPackage { version: package.map(|p| p.version.to_string()), manifest, profiles: table.profiles })
}

/// Applies every override to `spec`; returns the override files it read.
pub(super) fn apply(
    spec: &mut ReleaseSpec,
    template_dir: Option<&Path>,
    cargo: &CargoPackage,
) -> Result<Vec<PathBuf>, BuildError> {
    let origin = format!("{} [package.metadata.{METADATA_KEY}.profiles]", cargo.manifest.display());
    for (name, table) in &cargo.profiles {
        let profile = ProfileToml::deserialize(table)
            .map_err(|e| OverrideError { file: origin.clone(), message: format!("profile `{name}`: {e}") })?;
        add(spec, name, profile, &origin)?;
    }
    let files = toml_files(template_dir);
    for file in &files {
        let name = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let origin = file.display().to_string();
        let text = std::fs::read_to_string(file)
            .map_err(|e| OverrideError { file: origin.clone(), message: e.to_string() })?;
        let profile: ProfileToml =
            toml::from_str(&text).map_err(|e| OverrideError { file: origin.clone(), message: e.to_string() })?;
        add(spec, name, profile, &origin)?;
    }
    Ok(files)
}

/// `<dir>/*.toml`, sorted so the order does not depend on the file system.
fn toml_files(dir: Option<&Path>) -> Vec<PathBuf> {
    let Some(entries) = dir.and_then(|d| std::fs::read_dir(d).ok()) else {
        return vec![];
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

fn add(spec: &mut ReleaseSpec, name: &str, toml: ProfileToml, origin: &str) -> Result<(), BuildError> {
    let sys_config = toml.sys_config.map(|apps| sys_config(apps, origin)).transpose()?;
    let profile = Profile {
        name: name.to_owned(),
        include_erts: toml.include_erts,
        dev_mode: toml.dev_mode,
        strip_beams: toml.strip_beams,
        xref: toml.xref,
        dist: toml.dist,
        dist_port: toml.dist_port,
        vm_args: toml.vm_args,
        sys_config,
    };
    if name == DEFAULT_PROFILE {
        // The default profile is the spec itself: refine it rather than add a variant.
        spec.apply(&profile);
    } else {
        spec.add_profile(profile);
    }
    Ok(())
}

fn sys_config(apps: BTreeMap<String, serde_json::Value>, origin: &str) -> Result<SysConfig, BuildError> {
    let mut config = SysConfig::default();
    for (app, env) in apps {
        config = config
            .app(&app, env)
            .map_err(|e| OverrideError { file: origin.to_owned(), message: format!("[sys_config.{app}]: {e}") })?;
    }
    Ok(config)
}
