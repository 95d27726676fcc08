//! `releases/COOKIE`: the random cookie a release whose conventions say so gets when its
//! tree is first written, kept by every rewrite, readable by its owner only.

use std::fs;
use std::path::Path;

use super::error::AssembleError;
use super::layout::{Layout, TREE_COOKIE};

/// The previous tree's cookie, so that a rewrite keeps the nodes' cookie, else a new one.
pub(crate) fn keep_or_make(previous: &Path, layout: &Layout) -> Result<(), AssembleError> {
    let (old, new) = (previous.join(TREE_COOKIE), layout.root.join(TREE_COOKIE));
    match old.is_file() {
        true => fs::copy(&old, &new).map(drop).map_err(AssembleError::io("copy", old)),
        false => generate_cookie_file(&new).map_err(AssembleError::io("write", new)),
    }
}

/// Writes a new random cookie to `path`, readable by its owner only; 20 bytes of the
/// kernel's randomness as 32 letters, as `mix release` makes one.
fn generate_cookie_file(path: &Path) -> std::io::Result<()> {
    use std::io::{Read, Write};
    use std::os::unix::fs::OpenOptionsExt;
    let mut random = [0u8; 20];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut random)?;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let bits: Vec<bool> = random.iter().flat_map(|b| (0..8).rev().map(move |i| b >> i & 1 == 1)).collect();
    let cookie: String =
        bits.chunks(5).map(|c| alphabet[c.iter().fold(0, |n, &b| n << 1 | usize::from(b))] as char).collect();
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o400).open(path)?;
    file.write_all(cookie.as_bytes())
}

#[cfg(test)]
mod generated {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_generated_cookie_is_random_letters_only_its_owner_reads() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        super::generate_cookie_file(&a).unwrap();
        super::generate_cookie_file(&b).unwrap();
        let cookie = std::fs::read_to_string(&a).unwrap();
        assert_eq!(cookie.len(), 32);
        assert!(cookie.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{cookie}");
        assert_ne!(cookie, std::fs::read_to_string(&b).unwrap());
        assert_eq!(std::fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o400);
        assert!(super::generate_cookie_file(&a).is_err(), "an existing cookie is never replaced");
    }
}
