#!/usr/bin/env bash
# Benchmark: `build-release` of a release of 1,003 applications from nothing (goal: under
# 0.4 s), against `cp -a` of the same applications (the copy floor) in the same run. The
# 1,000 applications (one module each, compiled by erlc, each needing kernel and stdlib) and
# a crate whose one node type runs them all beside sasl are made in a temp dir; the crate
# builds into this workspace's target dir (its dependencies built once), release profile.
#
#   scripts/bench-release-many.sh [RUNS]     (default 5; the median counts)
set -euo pipefail
. "$(dirname "$0")/relx-project.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-5}
N=1000
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CRATE="$WORK/many"
mkdir -p "$CRATE/src" "$CRATE/apps"

echo "making $N applications and a crate in $WORK ..." >&2
for i in $(seq "$N"); do
    mkdir -p "$CRATE/apps/app_$i-1.0/ebin"
    printf -- '-module(m_%s).\n-export([f/0]).\nf() -> ok.\n' "$i" >"$WORK/m_$i.erl"
    printf '{application, app_%s, [{description, "bench"}, {vsn, "1.0"}, {modules, [m_%s]}, {registered, []}, {applications, [kernel, stdlib]}]}.\n' \
        "$i" "$i" >"$CRATE/apps/app_$i-1.0/ebin/app_$i.app"
done
# One erlc for all; each .beam then goes to its application.
erlc -o "$WORK" "$WORK"/m_*.erl
for i in $(seq "$N"); do mv "$WORK/m_$i.beam" "$CRATE/apps/app_$i-1.0/ebin/"; done

cat >"$CRATE/Cargo.toml" <<TOML
[package]
name = "many"
version = "1.0.0"
edition = "2021"
publish = false

[dependencies]
kazoo-release = { path = "$ROOT/kazoo-release" }

[build-dependencies]
kazoo-release = { path = "$ROOT/kazoo-release" }

[profile.release]
lto = "fat"
codegen-units = 1

[workspace]
TOML
# The workspace's lock: the versions the tests build, already in target/.
cp "$ROOT/Cargo.lock" "$CRATE/Cargo.lock"
apps=$(seq -f 'app_%g' "$N" | paste -sd, -)
cat >"$CRATE/src/release.rs" <<RUST
#[derive(kazoo_release::Release)]
#[release(name = many, lib_dirs = ["apps"])]
#[node(name = many, apps = [sasl, $apps])]
pub struct Many;
RUST
printf '#[path = "src/release.rs"]\nmod release;\nfn main() {\n    kazoo_release::build::build::<release::Many>();\n}\n' \
    >"$CRATE/build.rs"
printf 'fn main() -> std::process::ExitCode {\n    kazoo_release::cli::main(kazoo_release::embedded!())\n}\n' \
    >"$CRATE/src/main.rs"
(cd "$ROOT" && cargo build -q --release --manifest-path "$CRATE/Cargo.toml" --target-dir "$ROOT/target")
MANY="$ROOT/target/$HOST_TUPLE/release/many"

: >"$WORK/ours.t"; : >"$WORK/cp.t"
OTP_LIBS=$(ls -d /usr/lib/erlang/lib/kernel-* /usr/lib/erlang/lib/stdlib-* /usr/lib/erlang/lib/sasl-*)
for _ in $(seq "$RUNS"); do
    rm -rf "$WORK/out" "$WORK/copy"
    start=$(now)
    (cd "$CRATE" && "$MANY" build-release --out "$WORK/out" >"$WORK/ours.log" 2>&1) || { cat "$WORK/ours.log"; exit 1; }
    elapsed "$start" "$(now)" >>"$WORK/ours.t"
    start=$(now)
    mkdir -p "$WORK/copy" && cp -a "$CRATE"/apps/. $OTP_LIBS "$WORK/copy/"
    elapsed "$start" "$(now)" >>"$WORK/cp.t"
done
grep -v '^warning' "$WORK/ours.log" | tail -1
printf 'build-release of %s applications (release binary, median of %s): %.3f s (goal: under 0.4)\n' \
    "$(ls "$WORK/out/many/lib" | wc -l)" "$RUNS" "$(median <"$WORK/ours.t")"
printf 'cp -a of the same applications (median of %s): %.3f s\n' "$RUNS" "$(median <"$WORK/cp.t")"
