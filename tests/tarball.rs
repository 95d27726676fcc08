//! `kazoo tar-release` end to end: the tarball is what is deployed, so two builds of the same
//! sources give the same bytes, it carries the release and nothing of a run, its ERTS only
//! what a release runs, and the dist profile's stripped `.beam` files still boot.

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use support::boot::{boot_and_eval, versions, Sandbox};
use support::ok;

fn kazoo(out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kazoo"))
        .args(args)
        .arg("--out")
        .arg(out)
        .env_remove("REL")
        .env_remove("KAZOO_PROFILE")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("the kazoo binary runs")
}

/// Runs `tar-release` into `out`; returns the release root and the tarball's path.
fn tar_release(out: &Path, args: &[&str]) -> (PathBuf, PathBuf) {
    ok(kazoo(out, &[&["tar-release"], args].concat()));
    let root = out.join("kazoo");
    let (_, vsn) = versions(&root);
    let tarball = root.join(format!("kazoo-{vsn}.tar.gz"));
    (root, tarball)
}

/// One entry of an archive, as the test needs it.
struct Entry {
    path: String,
    kind: tar::EntryType,
    link: Option<String>,
    mode: u32,
    mtime: u64,
    owner: (u64, u64, String, String),
}

fn entries(tarball: &Path) -> Vec<Entry> {
    let gzip = flate2::read::GzDecoder::new(fs::File::open(tarball).unwrap());
    let mut archive = tar::Archive::new(gzip);
    let entries = archive.entries().unwrap();
    entries
        .map(|entry| {
            let entry = entry.unwrap();
            let header = entry.header();
            let text = |b: Option<&[u8]>| String::from_utf8_lossy(b.unwrap_or_default()).into_owned();
            Entry {
                path: entry.path().unwrap().to_string_lossy().trim_end_matches('/').to_owned(),
                kind: header.entry_type(),
                link: entry.link_name().unwrap().map(|l| l.to_string_lossy().into_owned()),
                mode: header.mode().unwrap(),
                mtime: header.mtime().unwrap(),
                owner: (
                    header.uid().unwrap(),
                    header.gid().unwrap(),
                    text(header.username_bytes()),
                    text(header.groupname_bytes()),
                ),
            }
        })
        .collect()
}

#[test]
fn two_builds_of_the_same_sources_give_the_same_bytes() {
    let out = tempfile::tempdir().unwrap();
    let (root, tarball) = tar_release(out.path(), &[]);
    let first = fs::read(&tarball).unwrap();
    // Another second, and a rebuild from nothing: every file of the tree is new.
    std::thread::sleep(Duration::from_millis(1100));
    fs::remove_dir_all(&root).unwrap();
    let (_, tarball) = tar_release(out.path(), &[]);
    let second = fs::read(&tarball).unwrap();
    assert!(first == second, "the two tarballs differ ({} and {} bytes)", first.len(), second.len());
    // No timestamp (bytes 4-7) and no file name (flag bit 3) in the gzip header.
    assert_eq!(&first[..4], [0x1f, 0x8b, 8, 0], "gzip header flags");
    assert_eq!(&first[4..8], [0; 4], "gzip mtime");
}

#[test]
fn the_archive_holds_the_release_once_and_nothing_of_a_run() {
    let out = tempfile::tempdir().unwrap();
    ok(kazoo(out.path(), &["build-release"]));
    let root = out.path().join("kazoo");
    let (_, vsn) = versions(&root);
    // What a run and earlier commands leave in the tree.
    fs::create_dir_all(root.join("log/kazoo_apps")).unwrap();
    fs::write(root.join("log/kazoo_apps/console.log"), "a log line\n").unwrap();
    fs::write(root.join("erl_crash.dump"), "=erl_crash_dump:0.5\n").unwrap();
    fs::write(root.join("releases/erl_crash.dump"), "=erl_crash_dump:0.5\n").unwrap();
    fs::write(root.join(".kazoo.lock"), "").unwrap();
    fs::write(root.join("kazoo-4.2.0.tar.gz"), "an earlier tarball").unwrap();
    let (_, tarball) = tar_release(out.path(), &[]);
    let entries = entries(&tarball);

    let mut seen = BTreeSet::new();
    for entry in &entries {
        assert!(seen.insert(entry.path.clone()), "{} is in the archive twice", entry.path);
        let top = entry.path.split('/').next().unwrap();
        assert_ne!(top, "log", "{}: the nodes' logs are not part of the release", entry.path);
        assert!(!entry.path.split('/').any(|c| c.starts_with('.')), "{}: a hidden entry", entry.path);
        assert!(!entry.path.ends_with("erl_crash.dump"), "{}", entry.path);
        assert!(!(top.ends_with(".tar.gz")), "{}: an earlier tarball", entry.path);
        assert_eq!(entry.mtime, 0, "{}: mtime", entry.path);
        assert_eq!(entry.owner, (0, 0, String::new(), String::new()), "{}: owner", entry.path);
        assert!(matches!(entry.mode, 0o755 | 0o644), "{}: mode {:o}", entry.path, entry.mode);
    }
    let find = |path: &str| entries.iter().find(|e| e.path == path).unwrap_or_else(|| panic!("no {path}"));
    let versioned = find(&format!("bin/kazoo-{vsn}"));
    assert_eq!(versioned.kind, tar::EntryType::Link, "bin/kazoo-{vsn} is stored once, as a link");
    assert_eq!(versioned.link.as_deref(), Some("bin/kazoo"));
    assert_eq!(find("bin/kazoo").kind, tar::EntryType::Regular);
    assert_eq!(find(&format!("releases/kazoo-{vsn}.rel")).kind, tar::EntryType::Regular);
    assert_eq!(find("lib").kind, tar::EntryType::Directory);
    let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "entries in sorted order");
}

#[test]
fn erts_carries_only_what_a_release_runs() {
    let out = tempfile::tempdir().unwrap();
    let (root, tarball) = tar_release(out.path(), &[]);
    let (erts, _) = versions(&root);
    let bin = format!("erts-{erts}/bin/");
    let shipped: BTreeSet<String> =
        entries(&tarball).iter().filter_map(|e| Some(e.path.strip_prefix(&bin)?.to_owned())).collect();
    for tool in ["erlc", "dialyzer", "typer", "ct_run", "yielding_c_fun"] {
        assert!(!shipped.contains(tool), "erts ships {tool}: {shipped:?}");
        assert!(!root.join(&bin).join(tool).exists(), "the tree's erts has {tool}");
    }
    assert!(!shipped.iter().any(|name| name.ends_with(".src")), "{shipped:?}");
    for needed in ["beam.smp", "erlexec", "erl_child_setup", "epmd", "erl", "start", "run_erl", "to_erl", "heart"] {
        assert!(shipped.contains(needed), "erts lacks {needed}: {shipped:?}");
    }
}

/// The chunk ids of a BEAM file, read as the loader does (IFF: `FOR1`, length, `BEAM`, then
/// id, length and data padded to 4 bytes).
fn chunk_ids(beam: &[u8]) -> Vec<String> {
    assert!(beam.len() >= 12 && &beam[..4] == b"FOR1" && &beam[8..12] == b"BEAM", "not a BEAM file");
    assert_eq!(u32::from_be_bytes(beam[4..8].try_into().unwrap()) as usize, beam.len() - 8, "IFF length");
    let mut ids = Vec::new();
    let mut at = 12;
    while at + 8 <= beam.len() {
        ids.push(String::from_utf8_lossy(&beam[at..at + 4]).into_owned());
        let len = u32::from_be_bytes(beam[at + 4..at + 8].try_into().unwrap()) as usize;
        at += 8 + len.div_ceil(4) * 4;
    }
    ids
}

/// Every `lib/*/ebin/*.beam` of the release at `root`.
fn beams(root: &Path) -> Vec<PathBuf> {
    let mut beams = Vec::new();
    for app in fs::read_dir(root.join("lib")).unwrap() {
        let Ok(ebin) = fs::read_dir(app.unwrap().path().join("ebin")) else {
            continue;
        };
        beams.extend(ebin.map(|f| f.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "beam")));
    }
    beams
}

#[test]
fn the_dist_profile_strips_the_beams_and_its_release_still_boots() {
    let out = tempfile::tempdir().unwrap();
    let (root, tarball) = tar_release(out.path(), &["--profile", "dist"]);
    assert!(tarball.exists());
    let beams = beams(&root);
    assert!(beams.len() > 100, "{} .beam files", beams.len());
    for beam in &beams {
        let ids = chunk_ids(&fs::read(beam).unwrap());
        assert!(ids.iter().any(|id| id == "Code"), "{}: {ids:?}", beam.display());
        for dropped in ["Dbgi", "Abst", "Docs", "CInf", "Attr"] {
            assert!(!ids.iter().any(|id| id == dropped), "{} keeps {dropped}: {ids:?}", beam.display());
        }
    }

    let report = "io:format(\"apps: ~w~n\", [lists:sort([A || {A, _, _} <- application:which_applications()])]), \
                  erlang:halt(0).";
    let said = boot_and_eval(&root, "kazoo_apps", &Sandbox::new(), report);
    let apps = said("apps");
    for app in ["kazoo_apps", "sasl", "runtime_tools", "tools", "kernel", "stdlib"] {
        assert!(apps.trim_matches(['[', ']']).split(',').any(|a| a == app), "{app} is not running: {apps}");
    }
}
