//! `.beam` files without their debug info, as `beam_lib:strip/1` writes them, without a BEAM.
//!
//! Stripping keeps the chunks of the container ([`crate::beam`]) that the loader and the
//! runtime read and drops the rest (`Dbgi`, `Docs`, `Abst`, `ExCk`, `LocT`, `Attr`, `CInf`, ...).

use std::fs;
use std::io;
use std::path::Path;

use crate::beam::{build, chunks, Chunk, NotBeam};

/// What `beam_lib:significant_chunks/0` keeps (OTP 26: `["Line", "Type" | md5_chunks()]`,
/// md5_chunks being `Atom AtU8 Code StrT ImpT ExpT FunT LitT Meta`; OTP 25.2's is the same).
/// Like `beam_lib:strip/1`, this drops `Attr` and `CInf`: `module_info(attributes)` and
/// `module_info(compile)` are then empty, which is what relx's `{debug_info, strip}` ships.
pub(crate) const KEPT: [&[u8; 4]; 11] =
    [b"Line", b"Type", b"Atom", b"AtU8", b"Code", b"StrT", b"ImpT", b"ExpT", b"FunT", b"LitT", b"Meta"];

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
