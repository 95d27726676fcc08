//! The artefacts hosts take a release as, each written natively from the tree and the same
//! bytes on every run of one build: the tarball ([`tarball`]), the Debian package ([`deb`])
//! and the OCI image ([`oci`]). [`crate::assemble::Checked::ship`] hands the tree over; the
//! binaries' shared libraries are read by [`elf`].

mod deb;
mod elf;
mod error;
mod shlibs;
mod tarball;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

pub use deb::{Deb, OperatorFile};
pub use error::ShipError;

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
