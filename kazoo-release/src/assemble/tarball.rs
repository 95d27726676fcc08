//! `<root>/<name>-<vsn>.tar.gz`: the release as release_handler unpacks it
//! (`release_handler:unpack_release("<name>-<vsn>")` with the file in `releases/`), which
//! also boots when unpacked anywhere with `tar xzf`.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

use super::error::AssembleError;
use super::layout::Layout;

/// Writes the tarball of the release at `layout.root` beside its contents, through a
/// temporary file renamed into place, so a kill never leaves half a tarball under the
/// final name. `release_rel` is the whole release's `.rel`, which release_handler reads
/// from `releases/<name>-<vsn>.rel` inside the tarball.
pub(crate) fn write(layout: &Layout, name: &str, release_rel: &str) -> Result<PathBuf, AssembleError> {
    let base = format!("{name}-{}", layout.vsn);
    let path = layout.root.join(format!("{base}.tar.gz"));
    let tmp = layout.root.join(format!(".{base}.tar.gz.tmp-{}", std::process::id()));
    let written = write_to(&tmp, layout, &base, release_rel);
    match written.and_then(|()| fs::rename(&tmp, &path).map_err(AssembleError::io("rename", &tmp))) {
        Ok(()) => Ok(path),
        Err(error) => {
            let _ = fs::remove_file(&tmp);
            Err(error)
        }
    }
}

fn write_to(tmp: &Path, layout: &Layout, base: &str, release_rel: &str) -> Result<(), AssembleError> {
    let io = |action| AssembleError::io(action, tmp);
    let file = File::create(tmp).map_err(io("create"))?;
    // Fast compression: the gzip step dominates, and the binary and the .beam files
    // compress nearly as well at level 1 as at 6.
    let gzip = GzEncoder::new(BufWriter::new(file), Compression::fast());
    let mut tar = tar::Builder::new(gzip);
    // Dev-mode applications are symlinks into the build tree: ship what they point to.
    tar.follow_symlinks(true);
    for entry in top_level(&layout.root)? {
        let name = entry.file_name().map(PathBuf::from).unwrap_or_default();
        let append = match entry.is_dir() {
            true => tar.append_dir_all(&name, &entry),
            false => tar.append_path_with_name(&entry, &name),
        };
        append.map_err(AssembleError::io("add to the tarball", &entry))?;
    }
    append_text(&mut tar, &format!("releases/{base}.rel"), release_rel).map_err(io("write"))?;
    let gzip = tar.into_inner().map_err(io("write"))?;
    gzip.finish().and_then(|mut w| w.flush()).map_err(io("write"))
}

/// The release's top-level entries, without tarballs (this one or earlier ones) or hidden
/// temporary files.
fn top_level(root: &Path) -> Result<Vec<PathBuf>, AssembleError> {
    let entries = fs::read_dir(root).map_err(AssembleError::io("read directory", root))?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            !name.starts_with('.') && !name.ends_with(".tar.gz")
        })
        .collect();
    paths.sort();
    Ok(paths)
}

fn append_text<W: Write>(tar: &mut tar::Builder<W>, path: &str, text: &str) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()));
    header.set_cksum();
    tar.append_data(&mut header, path, text.as_bytes())
}
