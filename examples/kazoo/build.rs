//! Compiles Kazoo's fixture applications, then renders, verifies and embeds the release.

#[path = "src/release.rs"]
mod release;

use std::path::PathBuf;

use kazoo_release::build::erlc;
use kazoo_release::Release;

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let lib_root = out_dir.join("erlang");
    // Kazoo's layout: applications/, core/ and deps/ hold one folder per application.
    let lib_dirs = release::Kazoo::spec().map(|s| s.lib_dirs).unwrap_or_default();
    let build = lib_dirs.iter().fold(erlc::Build::new(), |build, dir| build.lib_dir(dir));
    let compiled = build.out_dir(&lib_root).compile().unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    for source in &compiled.sources {
        println!("cargo:rerun-if-changed={}", source.display());
    }
    // One line, not one per warning: a real Kazoo build has thousands.
    if !compiled.warnings.is_empty() {
        let log = lib_root.join("warnings.log");
        println!("cargo:warning={} Erlang compiler warnings, listed in {}", compiled.warnings.len(), log.display());
    }
    kazoo_release::build::Builder::new::<release::Kazoo>()
        .spec_source("src/release.rs")
        // Kazoo's relx.config.script takes the version from KZ_VERSION.
        .version_env("KZ_VERSION")
        .lib_root(lib_root)
        .run_or_exit();
}
