//! The files the Kazoo example generates before compiling the real Kazoo are byte for byte
//! what Kazoo's own Makefile recipes make, run here in a scratch copy of the apps concerned.

use std::path::Path;
use std::process::Command;

#[path = "../examples/kazoo/build/generated.rs"]
#[allow(dead_code)] // rabbit_common runs that dependency's own generator: nothing to compare
mod generated;
#[path = "support/mod.rs"]
mod support;

use support::kazoo_src::kazoo_src;

/// Runs `make TARGETS` in a scratch copy of `app` (with Kazoo's make/ and the inputs its
/// Makefile would download) and returns what it made.
fn made_by_kazoo(app: &str, targets: &[&str]) -> Vec<(String, String)> {
    let (src, scratch) = (kazoo_src(), tempfile::tempdir().unwrap());
    let copy = |from: &Path, to: &Path| {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let status = Command::new("cp").arg("-r").arg(from).arg(to).status().unwrap();
        assert!(status.success());
    };
    for part in ["make", ".base_branch", app, "applications/crossbar/priv/couchdb/schemas/rates.json"] {
        copy(&src.join(part), &scratch.path().join(part));
    }
    for (input, app) in
        [("kazoo_web/mime.types", "core/kazoo_web"), ("kazoo_numbers/dialcodes.json", "core/kazoo_numbers")]
    {
        let name = Path::new(input).file_name().unwrap();
        copy(&src.join("build-inputs").join(input), &scratch.path().join(app).join(name));
    }
    let app_dir = scratch.path().join(app);
    // Kazoo's kz_mime recipe compiles what it made too; only the file made matters here.
    let output =
        Command::new("make").arg("-s").args(targets).current_dir(&app_dir).env("LC_ALL", "C").output().unwrap();
    targets
        .iter()
        .map(|t| {
            let made = std::fs::read_to_string(app_dir.join(t))
                .unwrap_or_else(|e| panic!("make {t} in {app}: {e}\n{}", support::text(&output.stderr)));
            (format!("{app}/{t}"), made)
        })
        .collect()
}

fn assert_same(ours: Vec<generated::Generated>, theirs: Vec<(String, String)>) {
    assert_eq!(ours.len(), theirs.len());
    for ((path, text), (their_path, their_text)) in ours.into_iter().zip(theirs) {
        assert_eq!(path, Path::new(&their_path));
        assert!(text == their_text, "{} differs from what Kazoo's Makefile makes", path.display());
    }
}

#[test]
fn kz_mime_is_what_kazoo_web_makes() {
    assert_same(generated::kazoo_web(&kazoo_src()).unwrap(), made_by_kazoo("core/kazoo_web", &["src/kz_mime.erl"]));
}

#[test]
fn the_iso3166_modules_are_what_kazoo_numbers_makes() {
    let targets = ["src/knm_iso3166a2_itu.erl", "src/knm_iso3166_util.erl"];
    assert_same(generated::kazoo_numbers(&kazoo_src()).unwrap(), made_by_kazoo("core/kazoo_numbers", &targets));
}

#[test]
fn the_teletype_and_tasks_headers_are_what_their_scripts_make() {
    let src = kazoo_src();
    assert_same(
        generated::teletype(&src).unwrap(),
        made_by_kazoo("applications/teletype", &["src/teletype_default_modules.hrl"]),
    );
    assert_same(
        generated::tasks(&src).unwrap(),
        made_by_kazoo("applications/tasks", &["src/task_modules.hrl", "src/modules/kt_rates.hrl"]),
    );
}

#[test]
fn the_kazoo_documents_modules_are_their_erl_src_where_the_tree_has_no_erl() {
    let src = kazoo_src();
    let made = generated::kazoo_documents(&src).unwrap();
    let dir = src.join("core/kazoo_documents/src");
    let listed = |ext: &str| -> std::collections::BTreeSet<String> {
        let names = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap());
        names.filter_map(|n| n.strip_suffix(ext).map(str::to_owned)).collect()
    };
    let expected: Vec<_> = listed(".erl.src").difference(&listed(".erl")).cloned().collect();
    let made_modules: Vec<_> = made.iter().map(|(p, _)| p.file_stem().unwrap().to_str().unwrap().to_owned()).collect();
    assert_eq!(made_modules.len(), expected.len());
    assert_eq!(made_modules.into_iter().collect::<std::collections::BTreeSet<_>>(), expected.into_iter().collect());
    // `cp -n`: kzd_voicemail_keys.erl is in the tree (with its no_auto_import) and stays.
    assert!(!made.iter().any(|(p, _)| p.ends_with("kzd_voicemail_keys.erl")));
}
