//! The shared libraries the tree's binaries need: each ELF file's NEEDED entries and its
//! program interpreter (the loader), read with goblin.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::ShipError;

/// An ELF file's dynamic needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Needs {
    /// NEEDED entries: sonames (`libc.so.6`).
    pub libraries: Vec<String>,
    /// PT_INTERP: the loader (`/lib64/ld-linux-x86-64.so.2`), for executables.
    pub interpreter: Option<String>,
}

/// The needs of `file`, `None` when it is not an ELF file.
pub(crate) fn needs(file: &Path) -> Result<Option<Needs>, ShipError> {
    let bytes = fs::read(file).map_err(ShipError::io("read", file))?;
    if !bytes.starts_with(b"\x7fELF") {
        return Ok(None);
    }
    let elf = goblin::elf::Elf::parse(&bytes)
        .map_err(|e| ShipError::BadElf { file: file.to_owned(), detail: e.to_string() })?;
    Ok(Some(Needs {
        libraries: elf.libraries.iter().map(|l| l.to_string()).collect(),
        interpreter: elf.interpreter.map(str::to_owned),
    }))
}

/// Every soname the ELF files among `files` need, with the first file that needs it, less
/// those the files themselves provide (a NIF's own helper library beside it).
pub(crate) fn needed_by(files: &[PathBuf]) -> Result<BTreeMap<String, PathBuf>, ShipError> {
    let mut needed = BTreeMap::new();
    let mut provided = Vec::new();
    for file in files {
        if let Some(needs) = needs(file)? {
            provided.extend(file.file_name().map(|n| n.to_string_lossy().into_owned()));
            for soname in needs.libraries {
                needed.entry(soname).or_insert_with(|| file.clone());
            }
        }
    }
    needed.retain(|soname, _| !provided.contains(soname));
    Ok(needed)
}
