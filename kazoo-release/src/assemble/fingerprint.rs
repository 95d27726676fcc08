//! What a release was built from, stored in `releases/<vsn>/kazoo-release.json`, so that a
//! build with nothing changed costs a scan and a comparison instead of a copy.
//!
//! The running binary is not hashed: the release carries a copy of it (`bin/<name>`), and
//! comparing the two byte for byte is exact and, in a debug build, several times faster
//! than hashing 60 MB with unoptimised code. It also holds every embedded file, so the
//! rendered vm.args and sys.config need no fingerprint of their own.
//!
//! The spec's hash uses std's SipHash: its output may change between Rust versions, but
//! then the binary changed too, so the worst case is a needless rebuild.

use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::apps::Origin;

use super::error::AssembleError;
use super::plan::Plan;

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Fingerprint {
    /// This crate's version: a new release writer may write a different release.
    kazoo_release: String,
    profile: String,
    /// The spec as the profile and `--dev-mode` made it.
    spec: String,
    /// The ERTS copied from, when the release includes it.
    erts: Option<PathBuf>,
    apps: Vec<AppStamp>,
}

/// One application and where it came from. Applications from the lib dirs change without
/// a version bump while developing, so their newest file time counts too.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct AppStamp {
    name: String,
    vsn: String,
    dir: PathBuf,
    modified: Option<u128>,
}

impl Fingerprint {
    pub fn of(plan: &Plan) -> Result<Fingerprint, AssembleError> {
        let spec = serde_json::to_string(&plan.spec).expect("a spec always serializes to JSON");
        let apps = plan.apps.iter().map(|app| {
            let modified = match app.origin {
                Origin::LibDir(_) => newest(&app.dir),
                Origin::Otp => None,
            };
            AppStamp { name: app.name.clone(), vsn: app.vsn.clone(), dir: app.dir.clone(), modified }
        });
        Ok(Fingerprint {
            kazoo_release: env!("CARGO_PKG_VERSION").to_owned(),
            profile: plan.profile.clone(),
            spec: format!("{:016x}", hash_bytes(spec.as_bytes())),
            erts: plan.spec.include_erts.then(|| plan.otp.root.join(format!("erts-{}", plan.otp.erts_vsn))),
            apps: apps.collect(),
        })
    }

    /// The fingerprint stored at `path`; `None` when there is none or it is unreadable,
    /// which only means "build again".
    /// Only the profile of the fingerprint at `path`.
    pub fn profile(path: &Path) -> Option<String> {
        #[derive(Deserialize)]
        struct Profile {
            profile: String,
        }
        serde_json::from_slice::<Profile>(&fs::read(path).ok()?).ok().map(|p| p.profile)
    }

    pub fn read(path: &Path) -> Option<Fingerprint> {
        serde_json::from_slice(&fs::read(path).ok()?).ok()
    }

    pub fn write(&self, path: &Path) -> Result<(), AssembleError> {
        let json = serde_json::to_string_pretty(self).expect("a fingerprint always serializes") + "\n";
        fs::write(path, json).map_err(AssembleError::io("write", path))
    }
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

/// Whether `release_bin` is a copy of `exe`, byte for byte.
pub(crate) fn same_binary(exe: &Path, release_bin: &Path) -> bool {
    if fs::canonicalize(exe).ok() == fs::canonicalize(release_bin).ok() {
        // Running the release's own binary.
        return true;
    }
    let (Ok(a), Ok(b)) = (fs::File::open(exe), fs::File::open(release_bin)) else { return false };
    let same_len = match (a.metadata(), b.metadata()) {
        (Ok(a), Ok(b)) => a.len() == b.len(),
        _ => false,
    };
    same_len && same_contents(a, b).unwrap_or(false)
}

fn same_contents(mut a: fs::File, mut b: fs::File) -> std::io::Result<bool> {
    let (mut buf_a, mut buf_b) = (vec![0; 1 << 20], vec![0; 1 << 20]);
    loop {
        let n = a.read(&mut buf_a)?;
        if n == 0 {
            return Ok(true);
        }
        b.read_exact(&mut buf_b[..n])?;
        if buf_a[..n] != buf_b[..n] {
            return Ok(false);
        }
    }
}

/// The newest modification time under `dir` (nanoseconds since the epoch).
fn newest(dir: &Path) -> Option<u128> {
    let mut newest = None;
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).ok()?.flatten() {
            let meta = fs::metadata(entry.path()).ok()?;
            if meta.is_dir() {
                stack.push(entry.path());
            }
            let time = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
            newest = newest.max(Some(time));
        }
    }
    newest
}
