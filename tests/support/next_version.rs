//! A next version of the Kazoo example's release, made from a tree's own files the way
//! `tar-release` lays them out, for the tests that upgrade and downgrade a running node.
#![allow(dead_code)]

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::vm_in;

/// The next version's kazoo_apps_server: its state becomes `{state, N, Mark}`.
pub const NEXT_SERVER: &str = r#"
-module(kazoo_apps_server).
-behaviour(gen_server).
-export([start_link/0, ping/0]).
-export([init/1, handle_call/3, handle_cast/2, code_change/3]).
start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
ping() -> gen_server:call(?MODULE, ping).
init([]) -> {ok, {state, 0, fresh}}.
handle_call(ping, _From, {state, N, Mark}) -> {reply, pong, {state, N + 1, Mark}};
handle_call(which, _From, State) -> {reply, {next, State}, State}.
handle_cast(_Msg, State) -> {noreply, State}.
code_change({down, _}, {state, N, _}, _Extra) -> {ok, N};
code_change(_OldVsn, N, _Extra) when is_integer(N) -> {ok, {state, N, upgraded}}.
"#;

const NEXT_MODULE: &str = "-module(kazoo_apps_next).\n-export([hello/0]).\nhello() -> from_next.\n";

/// Node type kazoo_apps' `.rel` or `.script` (`text`) at `vsn`: the node type's release,
/// kazoo_apps' lib dir and its application's `vsn`; the applications it only loads (the other
/// lib dirs' 4.3.0 ones) keep theirs.
fn kazoo_apps_at(text: &str, vsn: &str) -> String {
    let text = text
        .replace("\"kazoo_apps\", \"4.3.0\"", &format!("\"kazoo_apps\", \"{vsn}\""))
        .replace("kazoo_apps-4.3.0", &format!("kazoo_apps-{vsn}"))
        .replace("{kazoo_apps, \"4.3.0\"}", &format!("{{kazoo_apps, \"{vsn}\"}}"));
    match text.split_once("{application, kazoo_apps,") {
        Some((before, spec)) => {
            let spec = spec.replacen("{vsn, \"4.3.0\"}", &format!("{{vsn, \"{vsn}\"}}"), 1);
            format!("{before}{{application, kazoo_apps,{spec}")
        }
        None => text,
    }
}

/// A tarball of version `vsn` made in `work` from the tree at `root` (at 4.3.0): the tree's own
/// files with kazoo_apps at `vsn`, its kazoo_apps_server compiled from `server`, one new
/// module and an environment entry, and whatever `edit` does to the staged files.
pub fn tarball(root: &Path, work: &Path, vsn: &str, server: &str, edit: impl FnOnce(&Path)) -> PathBuf {
    let src = work.join(format!("v{vsn}"));
    let _ = fs::remove_dir_all(&src);
    for top in ["lib", "releases"] {
        copy_dir(&root.join(top), &src.join(top));
    }
    // The whole release's .rel, as tar-release writes it.
    let mut apps: Vec<String> = fs::read_dir(src.join("lib"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    apps.sort();
    let apps: Vec<String> =
        apps.iter().map(|a| a.split_once('-').unwrap()).map(|(a, v)| format!("{{{a}, \"{v}\"}}")).collect();
    let data = fs::read_to_string(src.join("releases/start_erl.data")).unwrap();
    let erts = data.split_whitespace().next().unwrap().to_owned();
    fs::write(
        src.join("releases/kazoo-4.3.0.rel"),
        format!("{{release, {{\"kazoo\", \"4.3.0\"}}, {{erts, \"{erts}\"}}, [{}]}}.\n", apps.join(", ")),
    )
    .unwrap();
    // The new version's binary: the tree's own one, by a script (packing and unpacking
    // the real binary costs seconds), kept in the tree as bin/kazoo-<vsn>.
    fs::create_dir_all(src.join("bin")).unwrap();
    fs::write(src.join("bin/kazoo"), "#!/bin/sh\nexec \"$(dirname \"$0\")/kazoo-4.3.0\" \"$@\"\n").unwrap();
    fs::set_permissions(src.join("bin/kazoo"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let app = src.join(format!("lib/kazoo_apps-{vsn}"));
    fs::rename(src.join("lib/kazoo_apps-4.3.0"), &app).unwrap();
    let app_file = app.join("ebin/kazoo_apps.app");
    let spec = fs::read_to_string(&app_file).unwrap();
    let spec = spec
        .replace("{vsn, \"4.3.0\"}", &format!("{{vsn, \"{vsn}\"}}"))
        .replace("{modules, [", "{modules, [kazoo_apps_next, ");
    fs::write(&app_file, spec).unwrap();
    let erl = src.join("erl-src");
    fs::create_dir_all(&erl).unwrap();
    fs::write(erl.join("kazoo_apps_server.erl"), server).unwrap();
    fs::write(erl.join("kazoo_apps_next.erl"), NEXT_MODULE.replace("from_next", &format!("'from_{vsn}'"))).unwrap();
    let compiled = vm_in(&mut Command::new("erlc"), work)
        .arg("-o")
        .arg(app.join("ebin"))
        .arg(erl.join("kazoo_apps_server.erl"))
        .arg(erl.join("kazoo_apps_next.erl"))
        .status()
        .unwrap();
    assert!(compiled.success());
    fs::remove_dir_all(&erl).unwrap();
    let releases = src.join("releases");
    fs::rename(releases.join("4.3.0"), releases.join(vsn)).unwrap();
    for file in ["kazoo_apps.rel", "kazoo_apps.script"] {
        let path = releases.join(vsn).join(file);
        fs::write(&path, kazoo_apps_at(&fs::read_to_string(&path).unwrap(), vsn)).unwrap();
    }
    let boot = format!(
        "{{ok, [S]}} = file:consult(\"{0}/kazoo_apps.script\"), ok = file:write_file(\"{0}/kazoo_apps.boot\", term_to_binary(S)), halt().",
        releases.join(vsn).display()
    );
    let mut erl = Command::new("erl");
    assert!(vm_in(&mut erl, work).args(["-noshell", "-eval", &boot]).status().unwrap().success());
    let config = releases.join(vsn).join("kazoo_apps.sys.config");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, text.replacen("\n[", &format!("\n[{{kazoo_apps, [{{release_note, \"{vsn}\"}}]}},\n"), 1))
        .unwrap();
    let rel = fs::read_to_string(releases.join("kazoo-4.3.0.rel")).unwrap();
    let rel = rel
        .replace("{\"kazoo\", \"4.3.0\"}", &format!("{{\"kazoo\", \"{vsn}\"}}"))
        .replace("{kazoo_apps, \"4.3.0\"}", &format!("{{kazoo_apps, \"{vsn}\"}}"));
    fs::remove_file(releases.join("kazoo-4.3.0.rel")).unwrap();
    fs::write(releases.join(format!("kazoo-{vsn}.rel")), rel).unwrap();
    fs::write(releases.join("start_erl.data"), format!("{erts} {vsn}\n")).unwrap();
    edit(&src);
    let tarball = work.join(format!("kazoo-{vsn}.tar.gz"));
    let gzip = flate2::write::GzEncoder::new(File::create(&tarball).unwrap(), flate2::Compression::none());
    let mut builder = tar::Builder::new(gzip);
    for top in ["bin", "lib", "releases"] {
        builder.append_dir_all(top, src.join(top)).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap();
    fs::remove_dir_all(&src).unwrap();
    tarball
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        match entry.file_type().unwrap().is_dir() {
            true => copy_dir(&entry.path(), &target),
            false => drop(fs::copy(entry.path(), &target).unwrap()),
        }
    }
}
