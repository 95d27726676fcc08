//! Materialising `<out>/<name>` (`_rel/kazoo`) from the embedded spec, without a BEAM:
//!
//! ```text
//! _rel/kazoo/
//!   bin/kazoo, bin/kazoo-<vsn>      this binary, byte for byte
//!   erts-<vsn>/bin/                  the runtime, when include_erts (erl, start rewritten)
//!   lib/<app>-<vsn>/{ebin,priv}      every node type's applications (symlinks in dev mode)
//!   releases/RELEASES                release_handler's list of releases
//!   releases/start_erl.data          "<erts vsn> <vsn>"
//!   releases/<vsn>/<node>.{rel,script,boot,vm.args,sys.config}   per node type
//!   releases/<vsn>/{start.boot,vm.args,sys.config}               the default node type's
//!   releases/<vsn>/{start_clean,no_dot_erlang}.{rel,script,boot}
//!   releases/<vsn>/kazoo-release.json                            what it was built from
//! ```
//!
//! ```no_run
//! # fn main() -> Result<(), kazoo_release::assemble::AssembleError> {
//! # let embedded: kazoo_release::embed::Embedded = todo!();
//! use kazoo_release::apps::OtpSearch;
//! use kazoo_release::assemble::{ensure, node_files, Options};
//! let otp = OtpSearch { erl_root: None, path: std::env::var_os("PATH") };
//! let report = ensure(&Options { otp, ..Options::new(&embedded, "default") })?;
//! println!("{report}");
//! let files = node_files(&report.root, &report.vsn, "ecallmgr");
//! // erl -boot {files.boot} -config {files.config} -args_file {files.args}
//! # Ok(()) }
//! ```

mod cookie;
mod copy;
mod error;
mod erts;
mod fingerprint;
mod layout;
mod libs;
mod overlays;
mod plan;
mod progress;
mod releases;
mod strip;
mod swap;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::apps::{Origin, OtpSearch};
use crate::embed::Embedded;

pub use error::AssembleError;
pub use layout::{node_files, Layout, NodeFiles, TREE_COOKIE};
/// Upgrades take the build lock too: no build rewrites a tree while a node moves.
pub(crate) use swap::lock as build_lock;

use copy::CopyPlan;
use fingerprint::Fingerprint;
use plan::Plan;
use progress::Progress;

/// Where `build-release` writes when not told: `_rel`, as relx.
pub const DEFAULT_OUT: &str = "_rel";

/// What to build, and where.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    pub embedded: &'a Embedded,
    pub profile: String,
    /// The release goes to `<out>/<name>`.
    pub out: PathBuf,
    /// Symlink the lib dirs' applications, whatever the profile says.
    pub dev_mode: bool,
    /// What lib dirs are relative to when the binary has no `lib_root`: the package the
    /// binary was built from.
    pub project_dir: PathBuf,
    /// Give the tree a random cookie of its own (`releases/COOKIE`) when first written,
    /// kept by every rewrite.
    pub generate_cookie: bool,
    /// Where Erlang/OTP is (its applications, its ERTS).
    pub otp: OtpSearch,
    /// The mtime of every tarball entry (`SOURCE_DATE_EPOCH`, as reproducible-builds.org
    /// defines it); default 0.
    pub source_date_epoch: Option<u64>,
}

impl<'a> Options<'a> {
    /// The release of `profile` in `_rel`, relative to the current directory, with no
    /// Erlang/OTP to be found (set `otp`).
    pub fn new(embedded: &'a Embedded, profile: &str) -> Options<'a> {
        Options {
            embedded,
            profile: profile.to_owned(),
            out: PathBuf::from(DEFAULT_OUT),
            dev_mode: false,
            project_dir: PathBuf::from(embedded.project_dir),
            generate_cookie: false,
            otp: OtpSearch::default(),
            source_date_epoch: None,
        }
    }
}

/// What [`ensure`] did.
#[derive(Debug, Clone)]
pub struct Report {
    /// `<out>/<name>`.
    pub root: PathBuf,
    pub vsn: String,
    /// `false` when the release was already built from the same inputs.
    pub built: bool,
    pub nodes: Vec<String>,
    pub apps: usize,
    /// The ERTS version, when the release includes it.
    pub erts: Option<String>,
    /// Bytes copied (0 when nothing was built).
    pub bytes: u64,
    pub elapsed: Duration,
    /// Things to tell the user that did not stop the build (a lib dir that does not exist).
    pub warnings: Vec<String>,
}

/// The profile the tree at `root` was built with, as its fingerprint says.
pub fn built_profile(root: &Path) -> Option<String> {
    let tree = crate::tree::Tree::open(root).ok()?;
    Fingerprint::profile(&tree.layout.fingerprint())
}

/// Makes `<out>/<name>` the release `options` describe: builds it when it is missing or
/// was built from other inputs (spec, profile, applications, this binary), else does
/// nothing. A failure or a kill leaves the previous release as it was.
pub fn ensure(options: &Options) -> Result<Report, AssembleError> {
    check(options)?.ensure()
}

/// The mtime of every entry of an artefact when `SOURCE_DATE_EPOCH` is not set.
pub const DEFAULT_MTIME: u64 = 0;

/// A written tree, ready for [`crate::ship`] to pack: what the artefacts need to know of
/// it beside its files. Holds the build lock until dropped, so no build rewrites the tree
/// while it is packed.
pub struct Shipment {
    pub report: Report,
    pub name: String,
    /// The whole release's `.rel`, which the tarball carries as `releases/<name>-<vsn>.rel`.
    pub release_rel: String,
    /// The tree's `lib/<app>-<vsn>` that come from the Erlang/OTP install.
    pub otp_apps: Vec<String>,
    pub default_node: String,
    /// `inet_dist_listen_min` and `_max` of the profile's vm.args, if set.
    pub dist_ports: Option<(u16, u16)>,
    /// Every entry's mtime (`SOURCE_DATE_EPOCH`, else [`DEFAULT_MTIME`]).
    pub mtime: u64,
    _lock: swap::BuildLock,
}

/// The release `options` describe, compared with `<out>/<name>`: what [`ensure`] decides
/// on, handed to a caller that may refuse a rebuild (under running nodes) before it runs.
pub struct Checked<'a> {
    started: Instant,
    plan: Plan<'a>,
    out: PathBuf,
    layout: Layout,
    fingerprint: Fingerprint,
    up_to_date: bool,
    /// Held until the release is ensured (and tarred): another build of the same `<out>`
    /// waits, then finds this one's release.
    lock: swap::BuildLock,
    source_date_epoch: Option<u64>,
}

/// Plans the release and compares it with the one on disk.
pub fn check<'a>(options: &Options<'a>) -> Result<Checked<'a>, AssembleError> {
    let started = Instant::now();
    let plan = Plan::new(options)?;
    let lock = swap::lock(&options.out, &plan.spec.name)?;
    // First, so that a release a killed build left aside is back before it is compared.
    swap::clean_stale(&options.out, &plan.spec.name)?;
    let layout = Layout::new(options.out.join(&plan.spec.name), &plan.vsn);
    let fingerprint = Fingerprint::of(&plan)?;
    let exe = running_binary()?;
    let up_to_date = Fingerprint::read(&layout.fingerprint()).is_some_and(|f| f == fingerprint)
        && fingerprint::same_binary(&exe, &layout.bin_dir().join(&plan.spec.name));
    let source_date_epoch = options.source_date_epoch;
    Ok(Checked { started, plan, out: options.out.clone(), layout, fingerprint, up_to_date, lock, source_date_epoch })
}

impl<'a> Checked<'a> {
    /// Whether `<out>/<name>` was built from these inputs, so that ensuring it does nothing.
    pub fn up_to_date(&self) -> bool {
        self.up_to_date
    }

    /// Builds the release unless it is up to date.
    pub fn ensure(self) -> Result<Report, AssembleError> {
        self.ensure_plan().map(|(report, ..)| report)
    }

    /// [`ensure`](Checked::ensure), then hands the tree over for packing, the lock held.
    pub fn ship(self) -> Result<Shipment, AssembleError> {
        let mtime = self.source_date_epoch.unwrap_or(DEFAULT_MTIME);
        let (report, plan, lock) = self.ensure_plan()?;
        let otp_apps =
            plan.apps.iter().filter(|a| a.origin == Origin::Otp).map(|a| format!("lib/{}-{}", a.name, a.vsn));
        Ok(Shipment {
            name: plan.spec.name.clone(),
            release_rel: releases::release_rel(&plan),
            otp_apps: otp_apps.collect(),
            default_node: plan.spec.default_node.clone(),
            dist_ports: plan.spec.vm_args.inet_dist_listen,
            mtime,
            report,
            _lock: lock,
        })
    }

    fn ensure_plan(self) -> Result<(Report, Plan<'a>, swap::BuildLock), AssembleError> {
        let Checked { started, plan, out, layout, fingerprint, up_to_date, lock, .. } = self;
        let bytes = match up_to_date {
            true => 0,
            false => build(&plan, &out, &fingerprint)?,
        };
        let report = Report {
            root: layout.root,
            vsn: plan.vsn.clone(),
            built: !up_to_date,
            nodes: plan.nodes.iter().map(|n| n.node.clone()).collect(),
            apps: plan.apps.len(),
            erts: plan.spec.include_erts.then(|| plan.otp.erts_vsn.clone()),
            bytes,
            elapsed: started.elapsed(),
            warnings: plan.warnings.clone(),
        };
        Ok((report, plan, lock))
    }
}

/// Writes the whole release into a staging directory and swaps it into place; returns
/// the bytes copied.
fn build(plan: &Plan, out: &Path, fingerprint: &Fingerprint) -> Result<u64, AssembleError> {
    let staging = swap::Staging::create(out, &plan.spec.name)?;
    let layout = Layout::new(&staging.dir, &plan.vsn);
    let bytes = copy_all(plan, &layout)?;
    link_versioned_bin(plan, &layout)?;
    if plan.spec.include_erts {
        erts::write_scripts(&layout, &plan.otp.erts_vsn)?;
    }
    releases::write(plan, &layout)?;
    overlays::apply(plan, &layout)?;
    if plan.generate_cookie {
        cookie::keep_or_make(&out.join(&plan.spec.name), &layout)?;
    }
    // Last, so that a release without its fingerprint is never taken as complete.
    fingerprint.write(&layout.fingerprint())?;
    staging.install(&out.join(&plan.spec.name))?;
    Ok(bytes)
}

/// Applications, ERTS and `bin/<name>`: everything that is copied, with one progress bar.
fn copy_all(plan: &Plan, layout: &Layout) -> Result<u64, AssembleError> {
    let mut copies = CopyPlan::default();
    libs::add_apps(&mut copies, layout, &plan.apps, plan.spec.include_src, plan.spec.dev_mode, plan.spec.strip_beams)?;
    if plan.spec.include_erts {
        erts::add_erts(&mut copies, layout, &plan.otp)?;
    }
    let exe = running_binary()?;
    let len = fs::metadata(&exe).map_err(AssembleError::io("read", &exe))?.len();
    copies.add_file("the running binary", &exe, &layout.bin_dir().join(&plan.spec.name), len);
    let bytes = copies.bytes();
    let progress = Progress::new(bytes);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    copies.run(&progress, threads)?;
    progress.finish();
    Ok(bytes)
}

fn running_binary() -> Result<PathBuf, AssembleError> {
    std::env::current_exe().map_err(AssembleError::io("find", "the running binary"))
}

/// `bin/<name>-<vsn>`: the same binary as `bin/<name>`, as relx ships its script twice; a
/// hard link where the file system allows, which is byte-identical and costs no space.
fn link_versioned_bin(plan: &Plan, layout: &Layout) -> Result<(), AssembleError> {
    let bin = layout.bin_dir().join(&plan.spec.name);
    let versioned = layout.bin_dir().join(format!("{}-{}", plan.spec.name, plan.vsn));
    if fs::hard_link(&bin, &versioned).is_err() {
        fs::copy(&bin, &versioned).map_err(AssembleError::io("write", &versioned))?;
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let erts = self.erts.as_ref().map(|v| format!(", erts {v}")).unwrap_or_default();
        let what = format!("node types {}; {} applications{erts}", self.nodes.join(", "), self.apps);
        let secs = self.elapsed.as_secs_f64();
        match self.built {
            true => {
                let mb = self.bytes as f64 / 1e6;
                write!(f, "built {} ({}): {what}; {mb:.1} MB in {secs:.2} s", self.root.display(), self.vsn)
            }
            false => write!(f, "{} ({}) is up to date: {what}; checked in {secs:.2} s", self.root.display(), self.vsn),
        }
    }
}
