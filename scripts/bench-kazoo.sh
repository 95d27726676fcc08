#!/usr/bin/env bash
# The real Kazoo (KAZOO_SRC, default ../shared/kazoo-src), in one run:
#  - `cargo build -p kazoo` from clean (a target dir of its own: Rust and Kazoo's 2,000
#    Erlang modules), again with nothing changed, and with the build script run again but
#    no source changed (a patch file touched: staged, scanned, nothing compiled);
#  - `kazoo build-release` of both node types against `rebar3 release` (Debian's rebar3,
#    relx) of the same compiled applications with the relx.config kazoo renders, each from
#    nothing, RUNS times (default 3, the median counts).
#
#   scripts/bench-kazoo.sh
set -eu
. "$(dirname "$0")/relx-project.sh"
cd "$(dirname "$0")/.."
export KAZOO_SRC="${KAZOO_SRC:-$PWD/../shared/kazoo-src}"
RUNS="${RUNS:-3}"
target="$PWD/target/bench-kazoo"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

timed() { local start; start=$(now); "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }; elapsed "$start" "$(now)"; }
build() { cargo build -p kazoo --target-dir "$target"; }

rm -rf "$target"
clean=$(timed build)
noop=$(timed build)
touch examples/kazoo/patches/*.patch
rerun=$(timed build)
KAZOO="$target/$HOST_TUPLE/debug/kazoo"

for run in $(seq "$RUNS"); do
    rm -rf "$work/kazoo-out"
    timed "$KAZOO" build-release --out "$work/kazoo-out" >>"$work/kazoo.times"
done
project="$work/rebar3"
relx_project "$KAZOO" "$work/kazoo-out/kazoo" "$project" "-sname kazoo_apps"
time_rebar3_releases "$project" "$work" "$RUNS" >"$work/rebar3.times"
kazoo_time=$(median <"$work/kazoo.times")
rebar3_time=$(median <"$work/rebar3.times")

printf 'cargo build -p kazoo, real Kazoo, from clean: %.1f s\n' "$clean"
printf 'cargo build -p kazoo, nothing changed: %.2f s\n' "$noop"
printf 'cargo build -p kazoo, build script re-run, no source changed: %.2f s\n' "$rerun"
printf 'kazoo build-release (both node types, median of %s): %.3f s\n' "$RUNS" "$kazoo_time"
printf 'rebar3 release (both node types, same applications and relx.config, median of %s): %.3f s\n' "$RUNS" "$rebar3_time"
printf 'ratio: %.1fx faster\n' "$(echo "$rebar3_time / $kazoo_time" | bc -l)"
