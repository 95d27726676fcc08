//! What a module's chunks say of its calls: its name (the first atom), the functions it
//! exports (`ExpT`) and the external functions it calls (`ImpT`), as `beam_lib:chunks/2`
//! gives `exports` and `imports`, and as xref's modules mode reads them.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{chunks, NotBeam};
use crate::term::Term;

/// `module:function/arity`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mfa {
    pub module: String,
    pub function: String,
    pub arity: u32,
}

impl fmt::Display for Mfa {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let (module, function) = (Term::Atom(self.module.clone()), Term::Atom(self.function.clone()));
        write!(f, "{module}:{function}/{}", self.arity)
    }
}

/// One module's call tables, its atoms' text kept in one string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    names: String,
    /// Atom `i` (1-based, as the tables number them) ends at `ends[i - 1]` in `names`.
    ends: Vec<u32>,
    /// `(function atom, arity)`, `module_info/0,1` included, as the compiler adds them.
    exports: Vec<(u32, u32)>,
    /// `[module atom, function atom, arity]`.
    imports: Vec<[u32; 3]>,
}

/// An external call, as a module's import table has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call<'a> {
    pub module: &'a str,
    pub function: &'a str,
    pub arity: u32,
}

impl Call<'_> {
    pub fn mfa(self) -> Mfa {
        Mfa { module: self.module.to_owned(), function: self.function.to_owned(), arity: self.arity }
    }
}

impl Tables {
    /// The module's name: its first atom.
    pub fn module(&self) -> &str {
        self.atom(1)
    }

    pub fn exports(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.exports.iter().map(|&(function, arity)| (self.atom(function), arity))
    }

    pub fn imports(&self) -> impl Iterator<Item = Call<'_>> + '_ {
        self.imports.iter().map(|&[m, f, arity]| Call { module: self.atom(m), function: self.atom(f), arity })
    }

    /// Atom `index`; [`parse`] checked every index the tables hold.
    fn atom(&self, index: u32) -> &str {
        let index = index as usize;
        let start = if index > 1 { self.ends[index - 2] as usize } else { 0 };
        &self.names[start..self.ends[index - 1] as usize]
    }
}

/// Reads the tables of a BEAM file, plain or gzip-compressed (as `compile`'s `compressed`
/// option and `beam_lib` write it).
pub fn read(bytes: &[u8]) -> Result<Tables, NotBeam> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut plain).map_err(|_| NotBeam::Header)?;
        return read(&plain);
    }
    let chunks = chunks(bytes)?;
    let find = |id: &[u8; 4]| chunks.iter().find(|c| &c.id == id).map(|c| c.data);
    let atoms = match (find(b"AtU8"), find(b"Atom")) {
        (Some(utf8), _) => (utf8, true),
        (None, Some(latin1)) => (latin1, false),
        (None, None) => return Err(NotBeam::Table("AtU8")),
    };
    let table = |id: &[u8; 4], name| find(id).ok_or(NotBeam::Table(name));
    parse(atoms, table(b"ExpT", "ExpT")?, table(b"ImpT", "ImpT")?)
}

/// Files up to this size are read whole, in one call: fewer system calls than seeking.
const READ_WHOLE: u64 = 32 * 1024;

/// Reads the tables of the BEAM file at `path`, reading only their chunks (a module's debug
/// info is most of its file); any file that is not a plain, whole BEAM file is read whole and
/// judged by [`read`].
pub fn read_file(path: &Path) -> std::io::Result<Result<Tables, NotBeam>> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size <= READ_WHOLE {
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes)?;
        return Ok(read(&bytes));
    }
    let mut header = [0u8; 12];
    let plain = file.read_exact(&mut header).is_ok()
        && &header[0..4] == b"FOR1"
        && &header[8..12] == b"BEAM"
        && u64::from(u32::from_be_bytes([header[4], header[5], header[6], header[7]])) + 8 == size;
    let found = match plain {
        true => wanted_chunks(&mut file, size)?,
        false => None,
    };
    match found {
        Some([(atoms, utf8), (exports, _), (imports, _)]) => Ok(parse((&atoms, utf8), &exports, &imports)),
        None => Ok(read(&std::fs::read(path)?)),
    }
}

/// A chunk's data, and whether its atoms (if it is an atom table) are UTF-8.
type ChunkData = (Vec<u8>, bool);

/// The atom table, `ExpT` and `ImpT` of a plain BEAM file of `size` bytes read past its
/// header; `None` when one is missing or runs past the end.
fn wanted_chunks(file: &mut std::fs::File, size: u64) -> std::io::Result<Option<[ChunkData; 3]>> {
    let mut found: [Option<ChunkData>; 3] = [None, None, None];
    let mut at = 12;
    while at + 8 <= size && found.iter().any(Option::is_none) {
        let mut chunk = [0u8; 8];
        file.read_exact(&mut chunk)?;
        let len = u64::from(u32::from_be_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let padded = len.div_ceil(4) * 4;
        if at + 8 + len > size {
            return Ok(None);
        }
        let slot = match &chunk[0..4] {
            b"AtU8" => Some((0, true)),
            b"Atom" if found[0].is_none() => Some((0, false)),
            b"ExpT" => Some((1, true)),
            b"ImpT" => Some((2, true)),
            _ => None,
        };
        match slot {
            Some((slot, utf8)) => {
                let mut data = vec![0; len as usize];
                file.read_exact(&mut data)?;
                found[slot] = Some((data, utf8));
                file.seek(SeekFrom::Current((padded - len) as i64))?;
            }
            None => _ = file.seek(SeekFrom::Current(padded as i64))?,
        }
        at += 8 + padded;
    }
    let [Some(atoms), Some(exports), Some(imports)] = found else { return Ok(None) };
    Ok(Some([atoms, exports, imports]))
}

/// The tables from their chunks' data: the atom table (and whether it is UTF-8), `ExpT`,
/// `ImpT`; every atom index they hold is checked.
fn parse((atoms, utf8): (&[u8], bool), exports: &[u8], imports: &[u8]) -> Result<Tables, NotBeam> {
    let (names, ends) = atom_table(atoms, utf8).filter(|(_, ends)| !ends.is_empty()).ok_or(NotBeam::Table("AtU8"))?;
    let known = |index: u32| (1..=ends.len()).contains(&(index as usize));
    let exports = entries(exports)
        .filter(|rows| rows.iter().all(|&[f, _, _]| known(f)))
        .ok_or(NotBeam::Table("ExpT"))?
        .into_iter()
        .map(|[f, a, _]| (f, a))
        .collect();
    let imports = entries(imports)
        .filter(|rows| rows.iter().all(|&[m, f, _]| known(m) && known(f)))
        .ok_or(NotBeam::Table("ImpT"))?;
    Ok(Tables { names, ends, exports, imports })
}

/// A count, then atoms: each a length byte and its bytes; or, with a negative count (OTP 28's
/// long atoms), each length in the compact term encoding. Latin-1 atoms (`Atom`) become UTF-8.
fn atom_table(data: &[u8], utf8: bool) -> Option<(String, Vec<u32>)> {
    let count = i32::from_be_bytes(data.get(0..4)?.try_into().ok()?);
    let mut at = 4;
    let mut names: Vec<u8> = Vec::with_capacity(data.len());
    let mut ends = Vec::with_capacity(count.unsigned_abs().min(1 << 16) as usize);
    for _ in 0..count.unsigned_abs() {
        let len = match count < 0 {
            true => compact_unsigned(data, &mut at)?,
            false => {
                at += 1;
                *data.get(at - 1)? as usize
            }
        };
        let bytes = data.get(at..at.checked_add(len)?)?;
        match utf8 {
            true => names.extend_from_slice(bytes),
            false => {
                bytes.iter().for_each(|&c| names.extend_from_slice((c as char).encode_utf8(&mut [0; 2]).as_bytes()))
            }
        }
        ends.push(u32::try_from(names.len()).ok()?);
        at += len;
    }
    // Checked once, whole; each atom must also end on a character's boundary.
    let names = String::from_utf8(names).ok()?;
    ends.iter().all(|&end| names.is_char_boundary(end as usize)).then_some((names, ends))
}

/// An unsigned integer in the compact term encoding (`beam_asm`'s), tag bits ignored.
fn compact_unsigned(data: &[u8], at: &mut usize) -> Option<usize> {
    let first = *data.get(*at)? as usize;
    *at += 1;
    if first & 0x08 == 0 {
        return Some(first >> 4);
    }
    if first & 0x10 == 0 {
        let next = *data.get(*at)? as usize;
        *at += 1;
        return Some(((first >> 5) << 8) | next);
    }
    let len = match first >> 5 {
        7 => compact_unsigned(data, at)? + 9,
        n => n + 2,
    };
    let bytes = data.get(*at..at.checked_add(len)?)?;
    *at += len;
    bytes.iter().try_fold(0usize, |value, &b| value.checked_mul(256)?.checked_add(b as usize))
}

/// A count, then rows of three big-endian u32s (`ImpT`: module, function, arity; `ExpT`:
/// function, arity, label).
fn entries(data: &[u8]) -> Option<Vec<[u32; 3]>> {
    let word = |at: usize| Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?));
    let count = word(0)? as usize;
    if data.len() < 4 + count.checked_mul(12)? {
        return None;
    }
    (0..count).map(|row| Some([word(4 + row * 12)?, word(8 + row * 12)?, word(12 + row * 12)?])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::beam::{build, Chunk};

    fn atoms(names: &[&str]) -> Vec<u8> {
        let mut data = (names.len() as i32).to_be_bytes().to_vec();
        for name in names {
            data.push(name.len() as u8);
            data.extend_from_slice(name.as_bytes());
        }
        data
    }

    fn rows(rows: &[[u32; 3]]) -> Vec<u8> {
        let mut data = (rows.len() as u32).to_be_bytes().to_vec();
        rows.iter().flatten().for_each(|w| data.extend_from_slice(&w.to_be_bytes()));
        data
    }

    fn beam(atom_chunk: &[u8], exports: &[u8], imports: &[u8]) -> Vec<u8> {
        build(&[
            Chunk { id: *b"AtU8", data: atom_chunk },
            Chunk { id: *b"ExpT", data: exports },
            Chunk { id: *b"ImpT", data: imports },
        ])
    }

    #[test]
    fn a_modules_name_exports_and_imports_read_by_atom_index() {
        let file = beam(
            &atoms(&["hello", "world", "crypto", "hmac", "+", "erlang"]),
            &rows(&[[2, 0, 2]]),
            &rows(&[[3, 4, 3], [6, 5, 2]]),
        );
        let tables = read(&file).unwrap();
        assert_eq!(tables.module(), "hello");
        assert_eq!(tables.exports().collect::<Vec<_>>(), [("world", 0)]);
        let calls: Vec<String> = tables.imports().map(|c| c.mfa().to_string()).collect();
        assert_eq!(calls, ["crypto:hmac/3", "erlang:'+'/2"]);
        // The same file read from disk, only its tables' chunks.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hello.beam"), &file).unwrap();
        assert_eq!(read_file(&dir.path().join("hello.beam")).unwrap().unwrap(), tables);
    }

    #[test]
    fn a_large_file_is_read_past_its_debug_info_and_a_cut_one_is_an_error() {
        let (atom_chunk, exports, imports) = (atoms(&["m", "f"]), rows(&[[2, 1, 2]]), rows(&[[1, 2, 0]]));
        let debug_info = vec![7u8; 2 * READ_WHOLE as usize];
        let file = build(&[
            Chunk { id: *b"AtU8", data: &atom_chunk },
            Chunk { id: *b"Dbgi", data: &debug_info },
            Chunk { id: *b"ExpT", data: &exports },
            Chunk { id: *b"ImpT", data: &imports },
        ]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.beam");
        std::fs::write(&path, &file).unwrap();
        assert_eq!(read_file(&path).unwrap().unwrap(), read(&file).unwrap());
        // Cut in the debug info and in the import table, the IFF length made to match.
        for cut in [file.len() / 2, file.len() - 6] {
            let mut cut_file = file[..cut].to_vec();
            let len = (cut - 8) as u32;
            cut_file[4..8].copy_from_slice(&len.to_be_bytes());
            std::fs::write(&path, &cut_file).unwrap();
            assert!(read_file(&path).unwrap().is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn long_atoms_have_compact_lengths() {
        let long = "a".repeat(300);
        // -2 atoms; "m" (length 1: 0b0001_0000), then 300 = 0x12C in the 11-bit form:
        // high bits 0b001 in the top three, 0b01000 marks it, then the low byte 0x2C.
        let mut data = (-2i32).to_be_bytes().to_vec();
        data.extend([0x10, b'm', 0b0010_1000, 0x2C]);
        data.extend_from_slice(long.as_bytes());
        let file = beam(&data, &rows(&[[2, 1, 2]]), &rows(&[]));
        assert_eq!(read(&file).unwrap().exports().collect::<Vec<_>>(), [(long.as_str(), 1)]);
    }

    #[test]
    fn a_compressed_file_reads_as_the_plain_one() {
        let file = beam(&atoms(&["m", "f"]), &rows(&[[2, 1, 2]]), &rows(&[[1, 2, 0]]));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &file).unwrap();
        assert_eq!(read(&gz.finish().unwrap()).unwrap(), read(&file).unwrap());
    }

    #[test]
    fn missing_or_lying_tables_are_errors_never_panics() {
        let good = beam(&atoms(&["m", "f"]), &rows(&[[2, 1, 2]]), &rows(&[[1, 2, 0]]));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.beam");
        for cut in 0..good.len() {
            let mut file = good[..cut].to_vec();
            if cut > 8 {
                let len = (cut - 8) as u32;
                file[4..8].copy_from_slice(&len.to_be_bytes());
            }
            assert!(read(&file).is_err(), "cut at {cut}");
            std::fs::write(&path, &file).unwrap();
            assert!(read_file(&path).unwrap().is_err(), "file cut at {cut}");
        }
        // An import naming atom 9 of 2, a count that claims more rows than there are.
        assert_eq!(read(&beam(&atoms(&["m", "f"]), &rows(&[]), &rows(&[[9, 2, 0]]))), Err(NotBeam::Table("ImpT")));
        let mut lying = rows(&[[2, 1, 2]]);
        lying[0..4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(read(&beam(&atoms(&["m", "f"]), &lying, &rows(&[]))), Err(NotBeam::Table("ExpT")));
        let no_imports =
            build(&[Chunk { id: *b"AtU8", data: &atoms(&["m"]) }, Chunk { id: *b"ExpT", data: &rows(&[]) }]);
        assert_eq!(read(&no_imports), Err(NotBeam::Table("ImpT")));
    }
}
