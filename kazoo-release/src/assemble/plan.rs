//! What a release will hold, worked out before anything is written: the spec as the
//! profile makes it, the OTP install, and every node type's applications.

use std::path::PathBuf;

use crate::apps::{AppIndex, OtpInstall, Resolved, ResolvedApp};
use crate::embed::Embedded;
use crate::render;
use crate::spec::{ReleaseSpec, XrefPolicy};

use super::error::AssembleError;
use super::layout::RESERVED_BOOTS;
use super::Options;

/// A release ready to be written.
pub(crate) struct Plan<'a> {
    pub embedded: &'a Embedded,
    pub profile: String,
    /// The spec with the profile applied and `--dev-mode` on top.
    pub spec: ReleaseSpec,
    pub vsn: String,
    pub otp: OtpInstall,
    /// Each node type's applications in start order, in the spec's order of node types.
    pub nodes: Vec<Resolved>,
    /// Every application some node type needs, once per version, sorted by name.
    pub apps: Vec<ResolvedApp>,
    /// Where warnings of the scan (a lib dir that does not exist) are reported.
    pub warnings: Vec<String>,
    /// Write `releases/COOKIE` (see [`super::Options::generate_cookie`]).
    pub generate_cookie: bool,
}

impl<'a> Plan<'a> {
    pub fn new(options: &Options<'a>) -> Result<Plan<'a>, AssembleError> {
        let embedded = options.embedded;
        let mut spec = embedded.spec(&options.profile).ok_or_else(|| AssembleError::UnknownProfile {
            profile: options.profile.clone(),
            known: embedded.profiles().map(str::to_owned).collect(),
        })?;
        spec.dev_mode |= options.dev_mode;
        check_node_names(&spec)?;
        let otp = OtpInstall::detect(&options.otp)?;
        let lib_root = embedded.lib_root.map(PathBuf::from).unwrap_or_else(|| options.project_dir.clone());
        let index = AppIndex::scan_spec(&spec.lib_dirs, &lib_root, &otp)?;
        let nodes = spec.nodes.iter().map(|node| index.resolve_node(&spec, node)).collect::<Result<Vec<_>, _>>()?;
        if spec.xref == XrefPolicy::Deny {
            refuse_undefined_calls(&spec, &options.profile, (&otp, &index), &nodes)?;
        }
        Ok(Plan {
            embedded,
            profile: options.profile.clone(),
            // The build step always fills the version in before embedding the spec.
            vsn: spec.version.clone().unwrap_or_default(),
            apps: union(&nodes),
            spec,
            otp,
            nodes,
            warnings: index.warnings().iter().map(ToString::to_string).collect(),
            generate_cookie: options.generate_cookie,
        })
    }

    /// The embedded vm.args or sys.config of node type `node` for this profile.
    pub fn node_file(&self, node: &str, file: &'static str) -> Result<&'static str, AssembleError> {
        self.embedded.file(&self.profile, Some(node), file).ok_or_else(|| AssembleError::NotEmbedded {
            node: node.to_owned(),
            profile: self.profile.clone(),
            file,
        })
    }

    pub fn vm_args(&self, node: &str) -> Result<&'static str, AssembleError> {
        self.node_file(node, render::VM_ARGS)
    }

    pub fn sys_config(&self, node: &str) -> Result<&'static str, AssembleError> {
        self.node_file(node, render::SYS_CONFIG)
    }

    /// The default node type's resolution (the macro checked that it is declared).
    pub fn default_node(&self) -> &Resolved {
        self.nodes.iter().find(|n| n.node == self.spec.default_node).unwrap_or(&self.nodes[0])
    }

    /// All applications as one release (`Resolved` named after the release), for the
    /// `RELEASES` file and the tarball's `.rel`.
    pub fn all_apps(&self) -> Resolved {
        Resolved { node: self.spec.name.clone(), apps: self.apps.clone() }
    }
}

fn check_node_names(spec: &ReleaseSpec) -> Result<(), AssembleError> {
    match spec.nodes.iter().find(|n| RESERVED_BOOTS.contains(&n.name.as_str())) {
        Some(node) => Err(AssembleError::ReservedNodeName { node: node.name.clone() }),
        None => Ok(()),
    }
}

/// Each (application, version) once: two node types may pin different versions, and both
/// then ship side by side in `lib/`, each boot script naming its own.
fn union(nodes: &[Resolved]) -> Vec<ResolvedApp> {
    let mut apps: Vec<ResolvedApp> = nodes.iter().flat_map(|n| n.apps.iter().cloned()).collect();
    apps.sort_by(|a, b| (&a.name, &a.vsn).cmp(&(&b.name, &b.vsn)));
    apps.dedup_by(|a, b| a.name == b.name && a.vsn == b.vsn);
    apps
}

/// A profile with `xref = deny` writes no tree whose calls xref finds wrong (the build
/// warned of them; the default profile would have failed the build).
fn refuse_undefined_calls(
    spec: &ReleaseSpec,
    profile: &str,
    (otp, index): (&OtpInstall, &AppIndex),
    nodes: &[Resolved],
) -> Result<(), AssembleError> {
    let reports = crate::xref::check_release(&spec.xref_ignore, otp, index, nodes)?;
    let findings = crate::xref::warnings(&reports);
    match findings.is_empty() {
        true => Ok(()),
        false => Err(AssembleError::Xref { profile: profile.to_owned(), findings }),
    }
}
