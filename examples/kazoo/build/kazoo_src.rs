//! The real Kazoo, when `KAZOO_SRC` names a Kazoo tree: staged under `OUT_DIR` (the user's
//! tree is never written), the files Kazoo's Makefiles would generate made into the stage,
//! this example's compatibility patches (`patches/`) applied to it, and every application
//! compiled with Kazoo's own flags (make/kz.mk) into the lib root the release is built from.

use std::path::{Path, PathBuf};

use kazoo_release::build::erlc::{self, PortSpec};
use kazoo_release::build::stage::Stage;

use crate::generated;

/// Kazoo's lib dirs, dependencies first (the order its Makefile builds them in).
const LIB_DIRS: [&str; 3] = ["deps", "core", "applications"];

/// make/kz.mk's ERLC_OPTS for core/ and applications/, without `-Werror` (dropped below):
/// this OTP warns where Kazoo's did not, and a warning must not stop the release.
const KZ_FLAGS: [&str; 10] = [
    "+debug_info",
    "-I.",
    "-Iinclude",
    "-Isrc",
    "-I..",
    "+{parse_transform, lager_transform}",
    "+warn_export_all",
    "+warn_unused_import",
    "+warn_unused_vars",
    "+warn_missing_spec",
];

/// Compatibility, a compiler option: lager 3.6.10's lager_transform (Kazoo's pin) crashes on
/// the column locations OTP 24+ gives it; lines only, as OTP 23 gave, it works.
const LINE_LOCATIONS: &str = "+{error_location, line}";

/// What an application's own Makefile adds to (or puts before) Kazoo's flags.
const APP_FLAGS: [(&str, &[&str]); 6] = [
    ("kazoo_data", &["+{lager_extra_sinks, [data]}"]),
    ("kazoo_numbers", &["+{lager_extra_sinks, [dev]}"]),
    ("kazoo_services", &["+{lager_extra_sinks, [dev]}"]),
    ("kazoo_proper", &["+{lager_extra_sinks, [data]}"]),
    ("kazoo_ast", &["-I../../applications/crossbar/src"]),
    ("braintree", &["-Iinclude"]),
];

/// Stages, generates, patches and compiles the Kazoo tree at `kazoo`; returns the lib root
/// (`<root>/deps`, `core`, `applications`) the release's applications are resolved from.
pub fn compile(kazoo: &Path, manifest_dir: &Path, out_dir: &Path) -> Result<PathBuf, String> {
    let kazoo = kazoo.canonicalize().map_err(|e| {
        format!("KAZOO_SRC={}: {e}; it names the Kazoo tree to build (applications/, core/, deps/)", kazoo.display())
    })?;
    let stage_root = out_dir.join("kazoo-src");
    let mut stage = Stage::new(&kazoo, &stage_root);
    for dir in LIB_DIRS {
        stage.mirror(dir).map_err(|e| format!("KAZOO_SRC={}: {e}", kazoo.display()))?;
    }
    for (path, text) in generate(&kazoo, out_dir)? {
        stage.generate(path, text);
    }
    let patch_dir = manifest_dir.join("patches");
    let applied = stage.apply_patches(&patch_dir).map_err(|e| e.to_string())?;
    // The parsers come from the staged grammars, patched ones included (zucchini's lexer).
    let grammars: Vec<PathBuf> = stage.files().filter(|f| is_grammar(f)).map(Path::to_owned).collect();
    let grammars = grammars
        .into_iter()
        .map(|path| Ok((path.clone(), stage.read(&path).map_err(|e| e.to_string())?.unwrap_or_default())))
        .collect::<Result<Vec<_>, String>>()?;
    for (path, text) in generated::parsers(&grammars, &out_dir.join("parsers")).map_err(|e| e.to_string())? {
        stage.generate(path, text);
    }
    stage.write().map_err(|e| e.to_string())?;
    for dir in LIB_DIRS {
        println!("cargo:rerun-if-changed={}", kazoo.join(dir).display());
    }
    println!("cargo:rerun-if-changed={}", patch_dir.display());
    let lib_root = out_dir.join("kazoo");
    let compiled = with_git_versions(builder(&stage_root, &lib_root), &kazoo)?
        .compile()
        .map_err(|e| e.to_string().replace(&stage_root.display().to_string(), &kazoo.display().to_string()))?;
    println!(
        "cargo:warning=Kazoo from {}: {} applications, {} modules compiled, {} up to date ({} compiler warnings, in {}), {} compatibility patches ({})",
        kazoo.display(),
        compiled.apps.len(),
        compiled.modules_compiled,
        compiled.modules_up_to_date,
        compiled.warnings.len(),
        lib_root.join("warnings.log").display(),
        applied.len(),
        applied.iter().map(|p| p.target.display().to_string()).collect::<Vec<_>>().join(", ")
    );
    Ok(lib_root)
}

/// A yecc or leex grammar of an application's `src/`.
fn is_grammar(path: &Path) -> bool {
    path.parent().is_some_and(|dir| dir.ends_with("src")) && path.extension().is_some_and(|e| e == "yrl" || e == "xrl")
}

/// Every file Kazoo's build generates, relative to its tree.
fn generate(kazoo: &Path, out_dir: &Path) -> Result<Vec<generated::Generated>, String> {
    let files = [
        generated::kazoo_documents(kazoo),
        generated::kazoo_numbers(kazoo),
        generated::kazoo_web(kazoo),
        generated::teletype(kazoo),
        generated::tasks(kazoo),
        generated::rabbit_common(kazoo, &out_dir.join("rabbit_common-codegen")),
    ];
    let mut files: Vec<_> = files.into_iter().collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    // erlang.mk projects: rabbit_common comes with amqp_client, at its version.
    let amqp_vsn = generated::pinned_version(kazoo, "amqp_client").map_err(|e| e.to_string())?;
    for app in ["amqp_client", "rabbit_common"] {
        files.push(vec![generated::erlang_mk_app_src(kazoo, app, &amqp_vsn).map_err(|e| e.to_string())?]);
    }
    Ok(files.into_iter().flatten().collect())
}

/// Dependencies whose `.app.src` says `{vsn, git}`: erlang.mk asks their git checkout, which
/// a source copy does not have. The tag make/deps.mk pins them at when it is a version, else
/// 0.0.0 as rebar3 says then.
const GIT_VERSIONED: [&str; 8] = ["bear", "eiconv", "eini", "erlcloud", "folsom", "gproc", "jesse", "lhttpc"];

fn with_git_versions(mut build: erlc::Build, kazoo: &Path) -> Result<erlc::Build, String> {
    for dep in GIT_VERSIONED {
        let pinned = generated::pinned_version(kazoo, dep).ok();
        let vsn = pinned.filter(|v| v.starts_with(|c: char| c.is_ascii_digit())).unwrap_or_else(|| "0.0.0".into());
        build = build.app_vsn(dep, vsn);
    }
    Ok(build)
}

/// The compiler, with Kazoo's flags for its own applications and every application's
/// Makefile additions.
fn builder(stage: &Path, lib_root: &Path) -> erlc::Build {
    let mut build = erlc::Build::new().out_dir(lib_root).drop_option("-Werror");
    for dir in LIB_DIRS {
        build = build.lib_dir(stage.join(dir));
    }
    build = build.lib_dir_options(stage.join("deps"), [LINE_LOCATIONS]);
    for dir in ["core", "applications"] {
        build = build.lib_dir_options(stage.join(dir), KZ_FLAGS.iter().copied().chain([LINE_LOCATIONS]));
    }
    for (app, flags) in APP_FLAGS {
        build = build.app_options(app, flags.iter().copied());
    }
    // registrar's Makefile builds its NIF as priv/comp128.so, not erlang.mk's priv/registrar.so.
    build.port_spec("registrar", PortSpec::new("priv/comp128.so", ["c_src/comp128.c"]))
}
