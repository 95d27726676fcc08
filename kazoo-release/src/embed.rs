//! What `cargo build` rendered and verified, as the binary carries it.

use crate::spec::{DistMode, ReleaseSpec};

/// Pulls the files the build script wrote into this crate: `kazoo_release::embedded!()`.
#[macro_export]
macro_rules! embedded {
    () => {
        include!(concat!(env!("OUT_DIR"), "/kazoo-release/embedded.rs"))
    };
}

/// Everything the build step produced, for every profile.
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    /// The release's name and version, which `-V` and the conventions need without
    /// decoding a spec.
    pub release: &'static str,
    pub version: &'static str,
    /// The default node type and every node type (profiles change neither), for commands
    /// that need only these.
    pub default_node: &'static str,
    pub nodes: &'static [&'static str],
    pub profiles: &'static [EmbeddedProfile],
    pub files: &'static [EmbeddedFile],
    /// The overlay sources' files, so that writing a release needs nothing of the build tree.
    pub overlays: &'static [OverlayFile],
    /// Where the build found the project's lib dirs (absolute), when it was given them.
    pub lib_root: Option<&'static str>,
    /// The package that was built (absolute): lib dirs are relative to it when there is no
    /// `lib_root`.
    pub project_dir: &'static str,
}

/// One profile, with how its nodes speak the distribution: every remote command needs that,
/// and decoding the whole spec for it would be most of a `ping`'s work.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedProfile {
    pub name: &'static str,
    pub dist: DistMode,
    pub dist_port: Option<u16>,
}

/// One rendered file: `relx.config` and `spec.json` belong to a profile, `vm.args` and
/// `sys.config` to a profile and a node type.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedFile {
    pub profile: &'static str,
    pub node: Option<&'static str>,
    pub name: &'static str,
    pub text: &'static str,
}

/// One file of an overlay's source: `from` as the spec names it, or `from/<path>` for a
/// file inside a directory `from`.
#[derive(Debug, Clone, Copy)]
pub struct OverlayFile {
    pub from: &'static str,
    /// Its permission bits at build time (an executable stays executable).
    pub mode: u32,
    pub bytes: &'static [u8],
}

/// The name of the resolved spec's JSON among the embedded files.
pub const SPEC_JSON: &str = "spec.json";

/// The name of what xref needs of the build among the embedded files (the default
/// profile's): ERTS's preloaded modules' exports, which no tree's `lib/` holds, and which
/// applications are OTP's.
pub const XREF_RECORDED: &str = "xref.json";

impl Embedded {
    pub fn file(&self, profile: &str, node: Option<&str>, name: &str) -> Option<&'static str> {
        self.files.iter().find(|f| f.profile == profile && f.node == node && f.name == name).map(|f| f.text)
    }

    /// The release as profile `profile` makes it, with its version filled in.
    pub fn spec(&self, profile: &str) -> Option<ReleaseSpec> {
        let json = self.file(profile, None, SPEC_JSON)?;
        // The build step wrote this JSON from the same type, so it always reads back.
        serde_json::from_str(json).ok()
    }

    /// The overlay files of source `from`: the file itself, or every file under a directory,
    /// each with its path relative to `from` (empty for the file itself).
    pub fn overlay(&self, from: &str) -> Vec<(&'static str, &'static OverlayFile)> {
        let from = from.trim_end_matches('/');
        self.overlays
            .iter()
            .filter_map(|file| match file.from.strip_prefix(from) {
                Some("") => Some(("", file)),
                Some(rest) => rest.strip_prefix('/').map(|rest| (rest, file)),
                None => None,
            })
            .collect()
    }

    pub fn profiles(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.profiles.iter().map(|p| p.name)
    }

    pub fn profile(&self, name: &str) -> Option<&'static EmbeddedProfile> {
        self.profiles.iter().find(|p| p.name == name)
    }
}
