//! What can go wrong writing an artefact of the tree, said so that the reader can act.

use std::io;
use std::path::PathBuf;

/// An error writing the tarball, the Debian package or the OCI image; the artefact under
/// its final name is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum ShipError {
    #[error("cannot {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: io::Error },

    #[error(
        "{} needs the shared library {soname}, which no package of this build host declares \
         (no shlibs or symbols file under {} names it): install the package that has it, so \
         that the package can depend on it",
        file.display(),
        dpkg_info.display()
    )]
    UnknownLibrary { soname: String, file: PathBuf, dpkg_info: PathBuf },

    #[error(
        "{} needs the shared library {soname}, which is not in any of {}: install it on \
         the build host, the image carries the host's copy",
        file.display(),
        searched.join(", ")
    )]
    MissingLibrary { soname: String, file: PathBuf, searched: Vec<String> },

    #[error("{} is not an ELF file the image can carry: {detail}", file.display())]
    BadElf { file: PathBuf, detail: String },

    #[error(
        "the release {name} has no ERTS (profile without include_erts): a package or image \
         carries its runtime; choose a profile with include_erts = true"
    )]
    NoErts { name: String },

    #[error(
        "no maintainer for the package: set DEBFULLNAME and DEBEMAIL (as dch reads them), \
         or give the release's conventions a maintainer"
    )]
    NoMaintainer,

    #[error("cannot make the image's metadata: {detail}")]
    Image { detail: String },

    #[error("{what} `{value}` cannot be used: {why}")]
    BadValue { what: &'static str, value: String, why: String },
}

impl ShipError {
    /// An I/O error on `path` while doing `action` ("create", "write", "rename", ...).
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| ShipError::Io { action, path, source }
    }
}
