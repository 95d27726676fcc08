//! The API a `build.rs` calls: render the release's files, verify them, embed them.
//!
//! ```no_run
//! # #[derive(kazoo_release::Release)]
//! # #[release(name = hello)]
//! # #[node(name = hello, apps = [sasl])]
//! # struct Hello;
//! // build.rs
//! fn main() {
//!     kazoo_release::build::build::<Hello>();
//! }
//! ```

// A build error ends the build; carrying file, line and node by value costs nothing that matters.
#![allow(clippy::result_large_err)]

mod calls;
mod emit;
pub mod erlc;
mod overrides;
pub mod stage;
mod verify;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::apps::{AppIndex, Origin, OtpInstall, OtpSearch};
use crate::render::{self, RenderError, Templates};
use crate::spec::{Overlay, Release, ReleaseSpec};

pub use emit::RenderedFile;
pub use overrides::OverrideError;
pub use verify::VerifyError;

/// Every environment variable the build reads; each is a `rerun-if-env-changed`.
/// Beside the release's version variable (see [`Builder::version_env`]).
const ENV_VARS: [&str; 1] = ["ERL_ROOT"];

/// Why a build failed; each message names the file, the node type and what to do.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the release spec cannot be built: {0}")]
    Spec(#[from] crate::term::SerError),
    #[error("{0}")]
    Render(#[from] RenderError),
    #[error("{0}")]
    Verify(#[from] VerifyError),
    #[error("{0}")]
    Override(#[from] OverrideError),
    #[error("{0}")]
    Apps(#[from] crate::apps::AppsError),
    #[error("{0}")]
    XrefCheck(#[from] crate::xref::XrefError),
    #[error(
        "the release says `xref = deny`, and xref found calls the node types cannot satisfy:\n  {}\n\
         fix the calls, add the applications they need, or accept them with `xref_ignore = [\"module:function/arity\", \"module\"]`",
        findings.join("\n  ")
    )]
    Xref { findings: Vec<String> },
    #[error("cannot read Cargo's metadata for {manifest}: {source}")]
    Metadata { manifest: PathBuf, source: cargo_metadata::Error },
    #[error("no version for release `{release}`: give `version = \"...\"` in #[release(...)], a package version in Cargo.toml, or {var}")]
    NoVersion { release: String, var: String },
    #[error(
        "{from} is {version:?}, which is not a valid release version: {why}; {}; {fix}",
        crate::spec::VERSION_RULE
    )]
    BadVersion {
        /// Where the version came from (`HELLO_VERSION`, the spec's, Cargo's).
        from: String,
        version: String,
        why: String,
        /// What to do: set it to another, or unset it.
        fix: String,
    },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("OUT_DIR is not set: call the build from a build script, or set Builder::out_dir")]
    NoOutDir,
    #[error("overlay {kind} from `{from}`: {path} does not exist; overlay sources are relative to the package ({manifest_dir})")]
    OverlaySource { kind: &'static str, from: String, path: PathBuf, manifest_dir: PathBuf },
}

/// The one-call form for a build script: renders, verifies and embeds the release `R` with
/// the defaults (templates in `rel/`, lib dirs relative to the package), resolves every node
/// type's applications, and fails the build with the error's message when anything is wrong.
pub fn build<R: Release>() {
    Builder::new::<R>().run_or_exit();
}

/// Options for the build step; every path is relative to the package's manifest directory.
pub struct Builder {
    spec: Result<ReleaseSpec, crate::term::SerError>,
    manifest_dir: PathBuf,
    template_dir: Option<PathBuf>,
    out_dir: Option<PathBuf>,
    lib_root: Option<PathBuf>,
    version_env: Option<String>,
    spec_sources: Vec<PathBuf>,
    cargo_output: Box<dyn Write>,
    /// `ERL_ROOT` and `PATH`, read once when the builder is made.
    otp: OtpSearch,
}

/// What a build wrote.
#[derive(Debug)]
pub struct Built {
    pub spec: ReleaseSpec,
    pub files: Vec<RenderedFile>,
    /// `OUT_DIR/kazoo-release/embedded.rs`, for `kazoo_release::embedded!()`.
    pub embedded_rs: PathBuf,
}

impl Builder {
    pub fn new<R: Release>() -> Self {
        Self::from_spec(R::spec())
    }

    /// A builder for a spec made by hand (or by `R::spec()`).
    pub fn from_spec(spec: Result<ReleaseSpec, crate::term::SerError>) -> Self {
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
        Builder {
            spec,
            template_dir: Some(manifest_dir.join("rel")),
            manifest_dir,
            out_dir: std::env::var_os("OUT_DIR").map(PathBuf::from),
            lib_root: None,
            spec_sources: vec![],
            version_env: None,
            cargo_output: Box::new(std::io::stdout()),
            otp: OtpSearch { erl_root: std::env::var_os("ERL_ROOT"), path: std::env::var_os("PATH") },
        }
    }

    /// The package whose Cargo.toml gives the version and `[package.metadata.kazoo-release]`
    /// (default: `CARGO_MANIFEST_DIR`).
    pub fn manifest_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.manifest_dir = dir.into();
        self
    }

    /// Templates (`relx.config.hbs`, `vm.args.hbs`, `sys.config.hbs`) that override the
    /// defaults, and `<profile>.toml` override files (default: `rel/`).
    pub fn template_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.template_dir = Some(self.manifest_dir.join(dir.into()));
        self
    }

    /// Where the rendered files and `embedded.rs` go (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The directory the spec's lib dirs are relative to (default: the package's manifest
    /// directory). Every node type's applications are resolved from the lib dirs and the OTP
    /// install (`ERL_ROOT`, else the `erl` on `PATH`) at build time.
    pub fn lib_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.lib_root = Some(self.manifest_dir.join(dir.into()));
        self
    }

    /// The environment variable whose value, when set, is the release version (default:
    /// `<NAME>_VERSION`, the release name upper-cased; Kazoo's is `KZ_VERSION`).
    pub fn version_env(mut self, name: impl Into<String>) -> Self {
        self.version_env = Some(name.into());
        self
    }

    /// A file the spec is written in, so an edit re-runs the build script.
    pub fn spec_source(mut self, file: impl Into<PathBuf>) -> Self {
        self.spec_sources.push(self.manifest_dir.join(file.into()));
        self
    }

    /// Where `cargo:` lines go (default: stdout, where Cargo reads them).
    pub fn cargo_output(mut self, out: impl Write + 'static) -> Self {
        self.cargo_output = Box::new(out);
        self
    }

    /// Runs the build; on error prints it for Cargo and exits 1, which fails `cargo build`.
    pub fn run_or_exit(self) -> Built {
        self.run().unwrap_or_else(|e| {
            eprintln!("error: kazoo-release: {e}");
            std::process::exit(1)
        })
    }

    pub fn run(mut self) -> Result<Built, BuildError> {
        let out_dir = self.out_dir.clone().ok_or(BuildError::NoOutDir)?.join("kazoo-release");
        let mut spec = self.spec.clone()?;
        let cargo = overrides::cargo_package(&self.manifest_dir)?;
        let version_env = self.version_env.clone().unwrap_or_else(|| format!("{}_VERSION", spec.name.to_uppercase()));
        spec.version =
            resolve_version(&spec, (&version_env, std::env::var(&version_env).ok()), cargo.version.as_deref())?;
        let override_files = overrides::apply(&mut spec, self.template_dir.as_deref(), &cargo)?;
        let overlay_sources = overlay_sources(&spec, &self.manifest_dir)?;
        let overlay_files = emit::overlay_files(&overlay_sources)?;
        let templates = Templates::load(self.template_dir.as_deref())?;
        let mut files = render_all(&spec, &templates)?;
        // Every build resolves: a missing or cyclic application fails `cargo build`, not a
        // later build-release. Without a lib root the lib dirs are the package's own, as
        // build-release finds them (`Embedded::project_dir`).
        let lib_root = self.lib_root.as_deref().unwrap_or(&self.manifest_dir);
        let vm_args_template = templates.origin(render::VM_ARGS);
        let (app_files, warnings, preloaded) = resolve_apps(&spec, (lib_root, &self.otp), &files, &vm_args_template)?;
        files.push(preloaded);
        let embedded_rs =
            emit::write(&out_dir, &spec, &files, &overlay_files, self.lib_root.as_deref(), &self.manifest_dir)?;
        let watched = templates
            .sources
            .iter()
            .filter_map(|s| s.path.clone())
            // A watched path that does not exist makes Cargo re-run the script every build.
            .chain(self.template_dir.clone().filter(|dir| dir.is_dir()))
            .chain(override_files)
            .chain(overlay_sources.into_iter().map(|s| s.path))
            .chain(self.spec_sources.clone())
            .chain([self.manifest_dir.join("Cargo.toml")])
            // `.app` files this build script wrote itself (into OUT_DIR, by erlc) are outputs:
            // watching them would make every build look changed.
            .chain(app_files.into_iter().filter(|f| !self.out_dir.as_ref().is_some_and(|o| f.starts_with(o))));
        emit::cargo_lines(
            &mut self.cargo_output,
            watched,
            ENV_VARS.iter().map(|v| v.to_string()).chain([version_env]),
            &warnings,
        )
        .map_err(|source| BuildError::Write { path: "stdout".into(), source })?;
        Ok(Built { spec, files, embedded_rs })
    }
}

/// Every overlay source (`from`, relative to the package), checked to exist now rather than
/// when a release is assembled; their files are embedded, so the binary needs no build tree.
fn overlay_sources(spec: &ReleaseSpec, manifest_dir: &Path) -> Result<Vec<emit::OverlaySource>, BuildError> {
    let sources = spec.overlays.iter().filter_map(|overlay| match overlay {
        Overlay::Copy { from, .. } => Some(("copy", from)),
        Overlay::Template { from, .. } => Some(("template", from)),
        Overlay::Mkdir { .. } | Overlay::Chmod { .. } => None,
    });
    sources
        .map(|(kind, from)| {
            let path = manifest_dir.join(from);
            match path.exists() {
                true => Ok(emit::OverlaySource { from: from.clone(), path }),
                false => Err(BuildError::OverlaySource {
                    kind,
                    from: from.clone(),
                    path,
                    manifest_dir: manifest_dir.to_owned(),
                }),
            }
        })
        .collect()
}

/// The version variable first (`<NAME>_VERSION`; Kazoo's `KZ_VERSION`, as its
/// relx.config.script), then the spec's, then Cargo's; checked as the macro checks the
/// spec's, since it names `releases/<vsn>/`. `env` is the variable's name and value.
fn resolve_version(
    spec: &ReleaseSpec,
    env: (&str, Option<String>),
    cargo: Option<&str>,
) -> Result<Option<String>, BuildError> {
    let (var, value) = env;
    let from_env = value.filter(|v| !v.is_empty()).map(|v| {
        let fix = format!("set {var} to such a version, or unset it to take the spec's or Cargo's");
        (var.to_owned(), v, fix)
    });
    let from_spec = || {
        let fix = "fix `version` in #[release(...)]".to_owned();
        spec.version.clone().map(|v| ("the spec's version".to_owned(), v, fix))
    };
    let from_cargo = || {
        let fix = "fix `version` in Cargo.toml's [package]".to_owned();
        cargo.map(|v| ("Cargo's package version".to_owned(), v.to_owned(), fix))
    };
    let (from, version, fix) = from_env
        .or_else(from_spec)
        .or_else(from_cargo)
        .ok_or_else(|| BuildError::NoVersion { release: spec.name.clone(), var: var.to_owned() })?;
    match crate::spec::version_problem(&version) {
        Some(why) => Err(BuildError::BadVersion { from, version, why, fix }),
        None => Ok(Some(version)),
    }
}

/// Every profile's relx.config, and each node type's vm.args and sys.config, verified.
fn render_all(spec: &ReleaseSpec, templates: &Templates) -> Result<Vec<RenderedFile>, BuildError> {
    // The spec's own vm.args flags are checked as the default template writes them, whatever
    // the release's template renders (one that leaves out `raw` would let `+A -1` through).
    let defaults = Templates::load(None)?;
    let spec_flags = format!("the spec's #[vm_args(...)], as {} writes them", rel_templates::origin(render::VM_ARGS));
    let mut files = Vec::new();
    for profile in spec.profile_names() {
        let spec = spec.with_profile(profile).expect("profile_names lists declared profiles");
        let relx = templates.render(render::RELX_CONFIG, &spec, profile, None)?;
        verify::erlang_file(&relx, &templates.origin(render::RELX_CONFIG), profile, None)?;
        files.push(RenderedFile::new(profile, None, render::RELX_CONFIG, relx));
        for node in &spec.nodes {
            let vm_args = templates.render(render::VM_ARGS, &spec, profile, Some(node))?;
            verify::vm_args(&vm_args, &templates.origin(render::VM_ARGS), profile, &node.name, None)?;
            let own = defaults.render(render::VM_ARGS, &spec, profile, Some(node))?;
            verify::vm_args(&own, &spec_flags, profile, &node.name, None)?;
            files.push(RenderedFile::new(profile, Some(&node.name), render::VM_ARGS, vm_args));
            let sys_config = templates.render(render::SYS_CONFIG, &spec, profile, Some(node))?;
            verify::sys_config(&sys_config, &templates.origin(render::SYS_CONFIG), profile, &node.name)?;
            files.push(RenderedFile::new(profile, Some(&node.name), render::SYS_CONFIG, sys_config));
        }
        let json = serde_json::to_string_pretty(&spec).expect("a spec always serializes to JSON") + "\n";
        files.push(RenderedFile::new(profile, None, crate::embed::SPEC_JSON, json));
    }
    Ok(files)
}

/// Resolves every node type's applications (from the lib dirs under `lib_root` and the OTP
/// install `otp` finds), checks that the `-s`/`-run` lines of its
/// rendered vm.args (`files`, from `vm_args_template`) name their modules, and checks the
/// calls between its applications; returns the `.app` files it read from the lib dirs, the
/// warnings (which of several copies of an application is used, xref's findings) and the
/// file to embed for xref; a lib dir that does not exist fails unless the spec marks it optional.
fn resolve_apps(
    spec: &ReleaseSpec,
    (lib_root, otp): (&Path, &OtpSearch),
    files: &[RenderedFile],
    vm_args_template: &str,
) -> Result<(Vec<PathBuf>, Vec<String>, RenderedFile), BuildError> {
    let otp = OtpInstall::detect(otp)?;
    let index = AppIndex::scan_spec(&spec.lib_dirs, lib_root, &otp)?;
    let mut nodes = Vec::new();
    for node in &spec.nodes {
        let resolved = index.resolve_node(spec, node)?;
        verify::start_modules(files, vm_args_template, &resolved)?;
        nodes.push(resolved);
    }
    let mut app_files: Vec<PathBuf> = nodes
        .iter()
        .flat_map(|node| &node.apps)
        .filter(|app| matches!(app.origin, Origin::LibDir(_)))
        .map(|app| app.dir.join("ebin").join(format!("{}.app", app.name)))
        .collect();
    app_files.sort();
    app_files.dedup();
    let (xref_warnings, preloaded) = calls::check(spec, &otp, &index, &nodes)?;
    let warnings = index.warnings().iter().map(ToString::to_string).chain(xref_warnings).collect();
    Ok((app_files, warnings, preloaded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(version: Option<&str>) -> ReleaseSpec {
        ReleaseSpec { version: version.map(str::to_owned), ..ReleaseSpec::empty("hello") }
    }

    #[test]
    fn the_version_variable_comes_first_and_is_checked_as_the_macro_checks_the_spec() {
        let version = |env: Option<&str>, spec_vsn, cargo| {
            resolve_version(&spec(spec_vsn), ("KZ_VERSION", env.map(str::to_owned)), cargo)
        };
        let ok = |env, spec_vsn, cargo| version(env, spec_vsn, cargo).unwrap().unwrap();
        assert_eq!(ok(Some("4.3.1"), Some("4.3.0"), Some("0.1.0")), "4.3.1");
        assert_eq!(ok(Some(""), Some("4.3.0"), Some("0.1.0")), "4.3.0");
        assert_eq!(ok(None, None, Some("0.1.0")), "0.1.0");
        for (bad, why) in [("4.3 beta", "it contains ` `"), ("../../x", "it starts with `.`")] {
            let err = version(Some(bad), Some("4.3.0"), None).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, BuildError::BadVersion { .. }), "{msg}");
            for expected in [
                &format!("KZ_VERSION is {bad:?}, which is not a valid release version"),
                why,
                "letters, digits and `.`, `_`, `+`, `-`",
                "unset it",
            ] {
                assert!(msg.contains(expected), "{expected:?} in {msg}");
            }
        }
        let err = version(None, Some("1 2"), None).unwrap_err();
        assert!(err.to_string().starts_with("the spec's version is \"1 2\""), "{err}");
    }
}
