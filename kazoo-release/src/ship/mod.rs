//! The artefacts hosts take a release as, each written natively from the tree and the same
//! bytes on every run of one build: the tarball ([`tarball`]), the Debian package ([`deb`])
//! and the OCI image ([`oci`]). [`crate::assemble::Checked::ship`] hands the tree over; the
//! binaries' shared libraries are read by [`elf`].

mod deb;
mod elf;
mod error;
mod oci;
mod shlibs;
mod tarball;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

pub use deb::{Deb, OperatorFile};
pub use error::ShipError;
pub use oci::{Image, SERVICE_ID};

use crate::assemble::Shipment;

/// Writes `<root>/<name>-<vsn>.tar.gz`; returns its path.
pub fn tarball(shipment: &Shipment) -> Result<PathBuf, ShipError> {
    tarball::write(shipment, &tarball::Contents::of(shipment, shipment.mtime)?)
}

/// Writes `path` through a temporary file beside it, renamed into place once `fill` has
/// written it whole: a kill never leaves half an artefact under the final name.
fn write_atomically(path: &Path, fill: impl FnOnce(File) -> Result<(), ShipError>) -> Result<(), ShipError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = File::create(&tmp)
        .map_err(ShipError::io("create", &tmp))
        .and_then(fill)
        .and_then(|()| fs::rename(&tmp, path).map_err(ShipError::io("rename", &tmp)));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// The Debian architecture of this build's binary, which the tree's ERTS shares.
fn debian_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "i386",
        "arm" => "armhf",
        "powerpc64" => "ppc64el",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        other => other,
    }
}

/// `a/b/c` (or `a/b/c/`) as `a/`, `a/b/` (and `a/b/c/` when it ends with `/`): the
/// directories an archive lists before what they hold.
fn parents(path: &str) -> Vec<String> {
    path.char_indices().filter(|(_, c)| *c == '/').map(|(i, _)| path[..=i].to_owned()).collect()
}

/// A time of day in UTC, from seconds since the epoch.
struct Utc {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    weekday: &'static str,
}

impl Utc {
    fn of(secs: u64) -> Utc {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        let days = secs / 86400;
        // Howard Hinnant's civil_from_days.
        let z = days as i64 + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        Utc {
            year: yoe + era * 400 + i64::from(month <= 2),
            month: month as u32,
            day: (doy - (153 * mp + 2) / 5 + 1) as u32,
            hour: secs % 86400 / 3600,
            minute: secs % 3600 / 60,
            second: secs % 60,
            weekday: DAYS[(days % 7) as usize],
        }
    }
}

/// `1970-01-01T00:00:00Z` for seconds since the epoch.
fn rfc3339(secs: u64) -> String {
    let t = Utc::of(secs);
    format!("{}-{:02}-{:02}T{:02}:{:02}:{:02}Z", t.year, t.month, t.day, t.hour, t.minute, t.second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_before_what_they_hold() {
        assert_eq!(parents("etc/kazoo/config.ini"), ["etc/", "etc/kazoo/"]);
        assert_eq!(parents("var/log/kazoo/"), ["var/", "var/log/", "var/log/kazoo/"]);
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
