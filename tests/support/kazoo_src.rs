//! The real Kazoo source tree the tests build: `KAZOO_SRC`, else `../shared/kazoo-src` beside
//! the checkout (where CI has it). Read-only: tests copy what they must write.

use std::path::{Path, PathBuf};

pub fn kazoo_src() -> PathBuf {
    let dir = std::env::var_os("KAZOO_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/kazoo-src"));
    assert!(
        dir.join("core").is_dir() && dir.join("deps").is_dir(),
        "these tests build the real Kazoo from {}, which is not a Kazoo tree (core/, applications/, deps/): \
         put Kazoo master with its pinned deps/ there (../shared/kazoo-src beside the checkout), or set KAZOO_SRC",
        dir.display()
    );
    dir.canonicalize().unwrap()
}
