//! `.beam` files without their debug info, as `beam_lib:strip/1` writes them, without a BEAM.
//!
//! A BEAM file is an IFF container: `FOR1`, the length of the rest (u32, big-endian), `BEAM`,
//! then chunks, each a 4-byte id, its data's length (u32, big-endian) and the data, padded
//! with zeros to a multiple of 4. Stripping keeps the chunks the loader and the runtime read
//! and drops the rest (`Dbgi`, `Docs`, `Abst`, `ExCk`, `LocT`, `Attr`, `CInf`, ...).

use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

/// What `beam_lib:significant_chunks/0` keeps (OTP 26: `["Line", "Type" | md5_chunks()]`,
/// md5_chunks being `Atom AtU8 Code StrT ImpT ExpT FunT LitT Meta`; OTP 25.2's is the same).
/// Like `beam_lib:strip/1`, this drops `Attr` and `CInf`: `module_info(attributes)` and
/// `module_info(compile)` are then empty, which is what relx's `{debug_info, strip}` ships.
pub(crate) const KEPT: [&[u8; 4]; 11] =
    [b"Line", b"Type", b"Atom", b"AtU8", b"Code", b"StrT", b"ImpT", b"ExpT", b"FunT", b"LitT", b"Meta"];

/// Why bytes are not a BEAM file that can be stripped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotBeam {
    /// Not `FOR1 <len> BEAM` (a gzip-compressed BEAM file, or something else).
    Header,
    /// The IFF length does not match the file's size.
    Length { declared: usize, actual: usize },
    /// A chunk header or its data runs past the end.
    Truncated { at: usize },
}

impl fmt::Display for NotBeam {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            NotBeam::Header => write!(f, "no FOR1/BEAM header"),
            NotBeam::Length { declared, actual } => {
                write!(f, "IFF length {declared} does not match the {actual} bytes after it")
            }
            NotBeam::Truncated { at } => write!(f, "truncated chunk at byte {at}"),
        }
    }
}

/// One chunk: its id and its data (without padding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk<'a> {
    pub id: [u8; 4],
    pub data: &'a [u8],
}

const HEADER: usize = 12;

/// The chunks of a BEAM file, in file order.
pub(crate) fn chunks(bytes: &[u8]) -> Result<Vec<Chunk<'_>>, NotBeam> {
    if bytes.len() < HEADER || &bytes[0..4] != b"FOR1" || &bytes[8..12] != b"BEAM" {
        return Err(NotBeam::Header);
    }
    let declared = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    if declared != bytes.len() - 8 {
        return Err(NotBeam::Length { declared, actual: bytes.len() - 8 });
    }
    let mut chunks = Vec::new();
    let mut at = HEADER;
    while at < bytes.len() {
        let header = bytes.get(at..at + 8).ok_or(NotBeam::Truncated { at })?;
        let id = [header[0], header[1], header[2], header[3]];
        let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let start = at + 8;
        let data = start.checked_add(len).and_then(|end| bytes.get(start..end)).ok_or(NotBeam::Truncated { at })?;
        chunks.push(Chunk { id, data });
        // The last chunk's padding may be missing; the loader accepts that too.
        at = (start + padded(len)).min(bytes.len());
    }
    Ok(chunks)
}

fn padded(len: usize) -> usize {
    len.div_ceil(4) * 4
}

/// Builds a BEAM file of `chunks` (each padded with zeros), with its IFF length.
pub(crate) fn build(chunks: &[Chunk]) -> Vec<u8> {
    let body: usize = chunks.iter().map(|c| 8 + padded(c.data.len())).sum();
    let mut out = Vec::with_capacity(HEADER + body);
    out.extend_from_slice(b"FOR1");
    out.extend_from_slice(&((4 + body) as u32).to_be_bytes());
    out.extend_from_slice(b"BEAM");
    for chunk in chunks {
        out.extend_from_slice(&chunk.id);
        out.extend_from_slice(&(chunk.data.len() as u32).to_be_bytes());
        out.extend_from_slice(chunk.data);
        out.resize(out.len() + padded(chunk.data.len()) - chunk.data.len(), 0);
    }
    out
}

/// `bytes` with only the [`KEPT`] chunks, in their order in the file. Unlike
/// `beam_lib:strip/1` the result is not gzip-compressed: the tarball compresses it better
/// whole, and a plain file loads without inflating.
pub(crate) fn strip(bytes: &[u8]) -> Result<Vec<u8>, NotBeam> {
    let kept: Vec<Chunk> = chunks(bytes)?.into_iter().filter(|c| KEPT.contains(&&c.id)).collect();
    Ok(build(&kept))
}

/// Writes `from` stripped to `to`, with `from`'s permissions; a file that is not a plain
/// BEAM file (compressed, truncated, anything else) is copied unchanged, since the loader
/// is the one to judge it.
pub(crate) fn strip_file(from: &Path, to: &Path) -> io::Result<()> {
    let bytes = fs::read(from)?;
    let written = strip(&bytes).unwrap_or(bytes);
    fs::write(to, written)?;
    fs::set_permissions(to, fs::metadata(from)?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk<'a>(id: &[u8; 4], data: &'a [u8]) -> Chunk<'a> {
        Chunk { id: *id, data }
    }

    fn ids(bytes: &[u8]) -> Vec<String> {
        chunks(bytes).unwrap().iter().map(|c| String::from_utf8_lossy(&c.id).into_owned()).collect()
    }

    #[test]
    fn a_hand_made_file_reads_back_chunk_by_chunk() {
        let file = build(&[chunk(b"AtU8", b"\0\0\0\x01"), chunk(b"Code", b"abcdefgh"), chunk(b"Dbgi", b"xyz")]);
        assert_eq!(&file[0..4], b"FOR1");
        assert_eq!(u32::from_be_bytes(file[4..8].try_into().unwrap()) as usize, file.len() - 8);
        assert_eq!(file.len(), 12 + (8 + 4) + (8 + 8) + (8 + 4));
        let read = chunks(&file).unwrap();
        assert_eq!(read, vec![chunk(b"AtU8", b"\0\0\0\x01"), chunk(b"Code", b"abcdefgh"), chunk(b"Dbgi", b"xyz")]);
    }

    #[test]
    fn odd_sizes_are_padded_to_four_bytes_with_zeros() {
        let file = build(&[chunk(b"StrT", b"a"), chunk(b"ImpT", b"bcdef"), chunk(b"ExpT", b"")]);
        // StrT: 8 + 1 + 3 padding; ImpT: 8 + 5 + 3; ExpT: 8 + 0.
        assert_eq!(file.len(), 12 + 12 + 16 + 8);
        assert_eq!(&file[12 + 8..12 + 12], b"a\0\0\0");
        assert_eq!(chunks(&file).unwrap()[1], chunk(b"ImpT", b"bcdef"));
        assert_eq!(chunks(&file).unwrap()[2], chunk(b"ExpT", b""));
    }

    #[test]
    fn stripping_keeps_what_the_loader_reads_and_fixes_the_length() {
        let file = build(&[
            chunk(b"AtU8", b"atoms"),
            chunk(b"Code", b"code"),
            chunk(b"Dbgi", b"debug info, large"),
            chunk(b"Docs", b"docs"),
            chunk(b"LitT", b"lit"),
            chunk(b"Abst", b"abstract"),
            chunk(b"ExCk", b"elixir"),
            chunk(b"Attr", b"attrs"),
            chunk(b"Line", b"lines"),
        ]);
        let stripped = strip(&file).unwrap();
        assert_eq!(ids(&stripped), ["AtU8", "Code", "LitT", "Line"]);
        assert_eq!(u32::from_be_bytes(stripped[4..8].try_into().unwrap()) as usize, stripped.len() - 8);
        assert_eq!(chunks(&stripped).unwrap()[2], chunk(b"LitT", b"lit"));
        // Stripping twice changes nothing.
        assert_eq!(strip(&stripped).unwrap(), stripped);
    }

    #[test]
    fn a_last_chunk_without_its_padding_still_reads() {
        let mut file = build(&[chunk(b"Code", b"abcde")]);
        file.truncate(file.len() - 3);
        let len = (file.len() - 8) as u32;
        file[4..8].copy_from_slice(&len.to_be_bytes());
        assert_eq!(chunks(&file).unwrap(), vec![chunk(b"Code", b"abcde")]);
    }

    #[test]
    fn truncated_or_foreign_files_are_errors_never_panics() {
        let file = build(&[chunk(b"AtU8", b"atoms"), chunk(b"Code", b"some code here")]);
        for cut in 0..file.len() {
            assert!(strip(&file[..cut]).is_err(), "cut at {cut}");
        }
        // The IFF length claims the file is whole, but a chunk runs past the end.
        let mut lying = file[..file.len() - 8].to_vec();
        let len = (lying.len() - 8) as u32;
        lying[4..8].copy_from_slice(&len.to_be_bytes());
        assert!(matches!(strip(&lying), Err(NotBeam::Truncated { .. })));
        // A chunk length near u32::MAX.
        let mut huge = build(&[chunk(b"Code", b"abcd")]);
        huge[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(strip(&huge), Err(NotBeam::Truncated { .. })));
        assert_eq!(strip(b"\x1f\x8b\x08\0gzip-compressed beam"), Err(NotBeam::Header));
        assert_eq!(strip(b""), Err(NotBeam::Header));
    }

    #[test]
    fn a_file_that_is_not_a_beam_is_copied_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("x.beam"), dir.path().join("y.beam"));
        fs::write(&from, b"\x1f\x8b\x08\0not a plain beam").unwrap();
        strip_file(&from, &to).unwrap();
        assert_eq!(fs::read(&to).unwrap(), fs::read(&from).unwrap());
        let beam = build(&[chunk(b"Code", b"c"), chunk(b"Dbgi", b"d")]);
        fs::write(&from, &beam).unwrap();
        strip_file(&from, &to).unwrap();
        assert_eq!(ids(&fs::read(&to).unwrap()), ["Code"]);
    }
}
