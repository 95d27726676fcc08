//! The modules a check looks at, read once: every `.beam` of the applications' `ebin`
//! directories (as `xref:add_directory/2` takes them), ERTS's preloaded modules, and which
//! application of OTP or the lib dirs has a module the node type lacks.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::apps::{AppIndex, OtpInstall};
use crate::beam::tables::{self, Tables};

/// The modules of every application a check may look at.
#[derive(Debug, Default)]
pub struct Library {
    by_ebin: HashMap<PathBuf, Vec<Tables>>,
    preloaded: Preloaded,
    /// Module → the application whose `.app` lists it.
    providers: HashMap<String, String>,
}

/// ERTS's preloaded modules (`erlang`, `init`, `prim_file`, `erts_internal`, ...) and their
/// exports: they are in the emulator, not in any `lib/`, so a tree carries them in its
/// binary (see [`Preloaded::to_json`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preloaded(BTreeMap<String, Vec<(String, u32)>>);

/// Why a check could not be made.
#[derive(Debug, thiserror::Error)]
pub enum XrefError {
    #[error("xref_ignore entry {entry:?} is neither a module (`pg2`) nor a call (`crypto:hmac/3`)")]
    Ignore { entry: String },
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a BEAM file xref can read: {why}; rebuild it, or remove it from ebin/")]
    NotBeam { path: PathBuf, why: String },
    #[error("what the build recorded for xref does not read back: {0}")]
    Recorded(serde_json::Error),
}

impl Preloaded {
    /// Reads the OTP install's `lib/erts-<vsn>/ebin`.
    pub fn of_otp(otp: &OtpInstall) -> Result<Preloaded, XrefError> {
        let modules = read_ebin(&otp.lib_dir().join(format!("erts-{}", otp.erts_vsn)).join("ebin"))?;
        let exports = |t: &Tables| t.exports().map(|(f, a)| (f.to_owned(), a)).collect();
        Ok(Preloaded(modules.iter().map(|t| (t.module().to_owned(), exports(t))).collect()))
    }
}

/// What the build records for a tree's own check, where no OTP may be installed: ERTS's
/// preloaded modules, and which applications are OTP's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    pub preloaded: Preloaded,
    pub otp_apps: Vec<String>,
}

impl Recorded {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("names and arities always serialize")
    }

    pub fn from_json(json: &str) -> Result<Recorded, XrefError> {
        serde_json::from_str(json).map_err(XrefError::Recorded)
    }
}

impl Library {
    /// Reads every `.beam` of `ebins` (on every core), with ERTS's `preloaded` modules; the
    /// applications `index` knows name the providers of modules a node type lacks.
    pub fn read<'a>(
        ebins: impl IntoIterator<Item = &'a Path>,
        preloaded: Preloaded,
        index: &AppIndex,
    ) -> Result<Library, XrefError> {
        let mut dirs: Vec<&Path> = ebins.into_iter().collect();
        dirs.sort();
        dirs.dedup();
        // Files, not directories, are shared out: one application may hold most modules.
        let mut files = Vec::new();
        for (at, dir) in dirs.iter().enumerate() {
            files.extend(beam_files(dir)?.into_iter().map(|file| (at, file)));
        }
        let read = on_every_core(&files, |(_, file)| read_beam(file));
        let mut by_ebin: HashMap<PathBuf, Vec<Tables>> = dirs.iter().map(|dir| (dir.to_path_buf(), vec![])).collect();
        for ((at, _), tables) in files.iter().zip(read) {
            by_ebin.get_mut(dirs[*at]).expect("every dir has its entry").push(tables?);
        }
        Ok(Library { by_ebin, preloaded, providers: providers(index) })
    }

    pub(super) fn modules(&self, ebin: &Path) -> &[Tables] {
        self.by_ebin.get(ebin).map(Vec::as_slice).unwrap_or_default()
    }

    pub(super) fn preloaded(&self) -> impl Iterator<Item = (&str, foldhash::HashSet<(&str, u32)>)> {
        self.preloaded
            .0
            .iter()
            .map(|(module, exports)| (module.as_str(), exports.iter().map(|(f, a)| (f.as_str(), *a)).collect()))
    }

    pub(super) fn provider_of(&self, module: &str) -> Option<&str> {
        self.providers.get(module).map(String::as_str)
    }
}

/// Module → application, from the `.app` files of every application `index` found (one
/// whose `.app` does not parse provides nothing: resolution reports it if a node needs it).
fn providers(index: &AppIndex) -> HashMap<String, String> {
    let mut providers = HashMap::new();
    for app in index.apps() {
        for module in app.info().map(|info| info.modules.as_slice()).unwrap_or_default() {
            providers.entry(module.clone()).or_insert_with(|| app.name.clone());
        }
    }
    providers
}

/// The tables of every `*.beam` in `ebin`, in name order.
fn read_ebin(ebin: &Path) -> Result<Vec<Tables>, XrefError> {
    beam_files(ebin)?.iter().map(|path| read_beam(path)).collect()
}

/// Every `*.beam` in `ebin`, in name order; a missing `ebin` has none.
fn beam_files(ebin: &Path) -> Result<Vec<PathBuf>, XrefError> {
    let io = |source| XrefError::Io { path: ebin.to_owned(), source };
    let entries = match std::fs::read_dir(ebin) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        entries => entries.map_err(io)?,
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "beam") {
            files.push(path);
        }
    }
    // By bytes: a path's component-wise order costs more, and all share one parent.
    files.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    Ok(files)
}

fn read_beam(path: &Path) -> Result<Tables, XrefError> {
    let read = tables::read_file(path).map_err(|source| XrefError::Io { path: path.to_owned(), source })?;
    read.map_err(|why| XrefError::NotBeam { path: path.to_owned(), why: why.to_string() })
}

/// `work` over `items`, spread over the machine's cores, results in `items`' order.
fn on_every_core<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = items.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let work = &work;
        let threads: Vec<_> = items
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || chunk.iter().map(work).collect::<Vec<R>>()))
            .collect();
        threads.into_iter().flat_map(|t| t.join().expect("a reading thread does not panic")).collect()
    })
}
