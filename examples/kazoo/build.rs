//! Compiles Kazoo's applications, then renders, verifies and embeds the release: the real
//! Kazoo when `KAZOO_SRC` names a Kazoo tree (applications/, core/, deps/), else the two
//! fixture applications kept beside this example.

#[path = "build/generated.rs"]
mod generated;
#[path = "build/kazoo_src.rs"]
mod kazoo_src;
#[path = "src/release.rs"]
mod release;

use std::path::{Path, PathBuf};

use kazoo_release::build::erlc;
use kazoo_release::Release;

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-env-changed=KAZOO_SRC");
    let lib_root = match std::env::var_os("KAZOO_SRC").filter(|dir| !dir.is_empty()) {
        Some(kazoo) => kazoo_src::compile(Path::new(&kazoo), &manifest_dir, &out_dir),
        None => fixtures(&out_dir),
    }
    .unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    kazoo_release::build::Builder::new::<release::Kazoo>()
        .spec_source("src/release.rs")
        // Kazoo's relx.config.script takes the version from KZ_VERSION.
        .version_env("KZ_VERSION")
        .lib_root(lib_root)
        .run_or_exit();
}

/// The fixture applications in this package's applications/, core/ and deps/.
fn fixtures(out_dir: &Path) -> Result<PathBuf, String> {
    let lib_root = out_dir.join("erlang");
    let lib_dirs = release::Kazoo::spec().map(|s| s.lib_dirs).unwrap_or_default();
    let build = lib_dirs.iter().fold(erlc::Build::new(), |build, dir| build.lib_dir(&dir.path));
    let compiled = build.out_dir(&lib_root).compile().map_err(|e| e.to_string())?;
    for source in &compiled.sources {
        println!("cargo:rerun-if-changed={}", source.display());
    }
    Ok(lib_root)
}
