//! What a module's chunks say of its calls: its name (the first atom), the functions it
//! exports (`ExpT`) and the external functions it calls (`ImpT`), as `beam_lib:chunks/2`
//! gives `exports` and `imports`, and as xref's modules mode reads them.

use std::fmt;
use std::io::Read;

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

/// One module's call tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    pub module: String,
    /// `(function, arity)`, `module_info/0,1` included, as the compiler adds them.
    pub exports: Vec<(String, u32)>,
    pub imports: Vec<Mfa>,
}

/// Reads the tables of a BEAM file, plain or gzip-compressed (as `compile`'s `compressed`
/// option and `beam_lib` write it).
pub fn read(bytes: &[u8]) -> Result<Tables, NotBeam> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut plain).map_err(|_| NotBeam::Header)?;
        return read_plain(&plain);
    }
    read_plain(bytes)
}

fn read_plain(bytes: &[u8]) -> Result<Tables, NotBeam> {
    let chunks = chunks(bytes)?;
    let find = |id: &[u8; 4]| chunks.iter().find(|c| &c.id == id).map(|c| c.data);
    let atoms = match (find(b"AtU8"), find(b"Atom")) {
        (Some(utf8), _) => atom_table(utf8, |b| String::from_utf8(b.to_vec()).ok()),
        (None, Some(latin1)) => atom_table(latin1, |b| Some(b.iter().map(|&c| c as char).collect())),
        (None, None) => None,
    }
    .ok_or(NotBeam::Table("AtU8"))?;
    let atom = |index: u32| atoms.get((index as usize).checked_sub(1)?).cloned();
    let module = atom(1).ok_or(NotBeam::Table("AtU8"))?;
    let exports = entries(find(b"ExpT").ok_or(NotBeam::Table("ExpT"))?)
        .and_then(|rows| rows.iter().map(|&[f, a, _]| Some((atom(f)?, a))).collect())
        .ok_or(NotBeam::Table("ExpT"))?;
    let imports = entries(find(b"ImpT").ok_or(NotBeam::Table("ImpT"))?)
        .and_then(|rows| {
            rows.iter().map(|&[m, f, a]| Some(Mfa { module: atom(m)?, function: atom(f)?, arity: a })).collect()
        })
        .ok_or(NotBeam::Table("ImpT"))?;
    Ok(Tables { module, exports, imports })
}

/// A count, then atoms: each a length byte and its bytes; or, with a negative count (OTP 28's
/// long atoms), each length in the compact term encoding.
fn atom_table(data: &[u8], decode: impl Fn(&[u8]) -> Option<String>) -> Option<Vec<String>> {
    let count = i32::from_be_bytes(data.get(0..4)?.try_into().ok()?);
    let mut at = 4;
    let mut atoms = Vec::with_capacity(count.unsigned_abs().min(1 << 16) as usize);
    for _ in 0..count.unsigned_abs() {
        let len = match count < 0 {
            true => compact_unsigned(data, &mut at)?,
            false => {
                at += 1;
                *data.get(at - 1)? as usize
            }
        };
        atoms.push(decode(data.get(at..at.checked_add(len)?)?)?);
        at += len;
    }
    Some(atoms)
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
        assert_eq!(tables.module, "hello");
        assert_eq!(tables.exports, [("world".to_owned(), 0)]);
        let calls: Vec<String> = tables.imports.iter().map(ToString::to_string).collect();
        assert_eq!(calls, ["crypto:hmac/3", "erlang:'+'/2"]);
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
        assert_eq!(read(&file).unwrap().exports, [(long, 1)]);
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
        for cut in 0..good.len() {
            let mut file = good[..cut].to_vec();
            if cut > 8 {
                let len = (cut - 8) as u32;
                file[4..8].copy_from_slice(&len.to_be_bytes());
            }
            assert!(read(&file).is_err(), "cut at {cut}");
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
