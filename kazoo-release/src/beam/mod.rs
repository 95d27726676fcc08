//! The BEAM file's container, read and written without a BEAM.
//!
//! A BEAM file is an IFF container: `FOR1`, the length of the rest (u32, big-endian), `BEAM`,
//! then chunks, each a 4-byte id, its data's length (u32, big-endian) and the data, padded
//! with zeros to a multiple of 4. [`tables`] reads what the chunks say of the module's calls.

pub mod tables;

use std::fmt;

/// Why bytes are not a BEAM file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotBeam {
    /// Not `FOR1 <len> BEAM` (a gzip-compressed BEAM file, or something else).
    Header,
    /// The IFF length does not match the file's size.
    Length { declared: usize, actual: usize },
    /// A chunk header or its data runs past the end.
    Truncated { at: usize },
    /// A table the module needs (`AtU8`, `ExpT`, `ImpT`) is missing or malformed.
    Table(&'static str),
}

impl fmt::Display for NotBeam {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            NotBeam::Header => write!(f, "no FOR1/BEAM header"),
            NotBeam::Length { declared, actual } => {
                write!(f, "IFF length {declared} does not match the {actual} bytes after it")
            }
            NotBeam::Truncated { at } => write!(f, "truncated chunk at byte {at}"),
            NotBeam::Table(id) => write!(f, "its {id} chunk is missing or malformed"),
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
