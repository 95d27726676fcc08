#!/usr/bin/env bash
# Times `kazoo build-release` of the Kazoo example against `rebar3 release` (Debian's rebar3,
# relx) of the same applications with include_erts, and prints both times and the ratio;
# then `kazoo tar-release --profile dist` (both node types, stripped .beam files) against
# `rebar3 tar -n kazoo_apps` (relx makes one release, and one tarball, per node type), each
# from nothing, with both tarballs' sizes.
#
#   scripts/bench-release.sh            # debug binary (what `cargo run` uses)
#   PROFILE=release scripts/bench-release.sh
#
# Both build every node type (ecallmgr, kazoo_apps) from scratch into an empty directory,
# RUNS times each (default 3); the median counts, since the machine may be shared. relx gets the relx.config, vm.args and sys.config kazoo renders, and the fixture
# applications the example's build.rs compiled.
set -eu
. "$(dirname "$0")/relx-project.sh"

cd "$(dirname "$0")/.."
PROFILE="${PROFILE:-debug}"
RUNS="${RUNS:-3}"
if [ "$PROFILE" = release ]; then cargo build -q --release -p kazoo; else cargo build -q -p kazoo; fi
KAZOO="$PWD/target/$HOST_TUPLE/$PROFILE/kazoo"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT


# kazoo: each run from nothing.
for run in $(seq "$RUNS"); do
    rm -rf "$work/kazoo-out"
    start=$(now)
    "$KAZOO" build-release --out "$work/kazoo-out" >"$work/kazoo.log" 2>&1
    elapsed "$start" "$(now)" >>"$work/kazoo.times"
done
kazoo_time=$(median <"$work/kazoo.times")
grep -v '^warning' "$work/kazoo.log"

# relx: a rebar3 project laid out as Kazoo's, with the same rendered files.
project="$work/rebar3"
relx_project "$KAZOO" "$work/kazoo-out/kazoo" "$project" "-sname kazoo_apps"

time_rebar3_releases "$project" "$work" "$RUNS" >"$work/rebar3.times"
rebar3_time=$(median <"$work/rebar3.times")

# Tarballs, each from nothing: ours of both node types in the dist profile, relx's of kazoo_apps.
for run in $(seq "$RUNS"); do
    rm -rf "$work/kazoo-tar"
    start=$(now)
    "$KAZOO" tar-release --profile dist --out "$work/kazoo-tar" >"$work/kazoo-tar.log" 2>&1 \
        || { cat "$work/kazoo-tar.log"; exit 1; }
    elapsed "$start" "$(now)" >>"$work/kazoo-tar.times"
done
kazoo_tar_time=$(median <"$work/kazoo-tar.times")
kazoo_tar_size=$(stat -c %s "$work"/kazoo-tar/kazoo/kazoo-*.tar.gz)

for run in $(seq "$RUNS"); do
    rm -rf "$project/_build"
    start=$(now)
    (cd "$project" && HOME="$work" REBAR_COLOR=none rebar3 tar -n kazoo_apps) >"$work/rebar3-tar.log" 2>&1 \
        || { cat "$work/rebar3-tar.log"; exit 1; }
    elapsed "$start" "$(now)" >>"$work/rebar3-tar.times"
done
rebar3_tar_time=$(median <"$work/rebar3-tar.times")
rebar3_tar_size=$(stat -c %s "$(find "$project/_build" -name 'kazoo_apps-*.tar.gz' | head -1)")

printf 'kazoo build-release (%s binary, median of %s): %.3f s\n' "$PROFILE" "$RUNS" "$kazoo_time"
printf 'rebar3 release (both node types, include_erts, median of %s): %.3f s\n' "$RUNS" "$rebar3_time"
printf 'ratio: %.1fx faster\n' "$(echo "$rebar3_time / $kazoo_time" | bc -l)"
printf 'kazoo tar-release --profile dist (both node types, median of %s): %.3f s, %s bytes\n' "$RUNS" "$kazoo_tar_time" "$kazoo_tar_size"
printf 'rebar3 tar -n kazoo_apps (include_erts, median of %s): %.3f s, %s bytes\n' "$RUNS" "$rebar3_tar_time" "$rebar3_tar_size"
printf 'tarball: %.1fx faster, %.2fx the size\n' "$(echo "$rebar3_tar_time / $kazoo_tar_time" | bc -l)" "$(echo "$kazoo_tar_size / $rebar3_tar_size" | bc -l)"
