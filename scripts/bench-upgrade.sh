#!/usr/bin/env bash
# Benchmark: how long `kazoo upgrade` (a tarball: unpack, plan, apply, make permanent) and
# `kazoo downgrade` take on a running kazoo_apps node, release build, with the time of each
# phase (the client's: unpack, plan, apply, permanent; the node's own of the switch:
# suspend, load, code_change, resume), and the longest call a client on the node saw
# meanwhile (it calls the fixture gen_server every millisecond; every call that fails is
# counted; goal: at most 20 ms). The versions are made as tests/upgrade.rs makes them,
# behind a private EPMD, HOME and pipe dir.
#
#   scripts/bench-upgrade.sh [RUNS]     (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
for _ in $(seq "$RUNS"); do
    cargo test -q --release -p kazoo --test upgrade -- --ignored --exact bench_upgrade --nocapture 2>/dev/null | grep '^bench:'
done
