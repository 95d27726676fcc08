#!/usr/bin/env bash
# Benchmark: `kazoo ping | eval | status --cluster` over TLS distribution against plain TCP,
# same run: two nodes of Debian's erl side by side, one plain and one with
# `-proto_dist inet_tls` and certificates `kazoo certs` made. Prints the median of each and
# the TLS/plain ratio (goal: TLS ping at most 2x plain).
#
#   scripts/bench-tls.sh [RUNS]     (default 50)
#
# Short names (-sname) on this host; everything behind its own EPMD in a temp dir.
set -euo pipefail
. "$(dirname "$0")/relx-project.sh"

RUNS=${1:-50}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOST=$(hostname)
PLAIN="bench_plain_$$@$HOST"
TLS="bench_tls_$$@$HOST"
WORK=$(mktemp -d)
export ERL_EPMD_PORT=$((20000 + $$ % 20000))
export KAZOO_COOKIE="bench_$$"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done 2>/dev/null
    wait 2>/dev/null || true
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "building kazoo (release profile); nodes and certificates in $WORK ..." >&2
(cd "$ROOT" && cargo build --quiet --release -p kazoo)
KAZOO="$ROOT/target/$HOST_TUPLE/release/kazoo"
"$KAZOO" certs init --dir "$WORK/ca" >/dev/null
"$KAZOO" certs host "$HOST" --dir "$WORK/ca" --to "$WORK/dist" >/dev/null
side="[{certfile,\"$WORK/dist/node.pem\"},{keyfile,\"$WORK/dist/node.key\"},{cacertfile,\"$WORK/dist/ca.pem\"},{verify,verify_peer}]"
echo "[{server,$side},{client,$side}]." >"$WORK/ssl_dist.conf"

# Each node's HOME is the temp dir, so that its cookie file and crash dump stay there.
(cd "$WORK" && HOME=$WORK exec erl -noshell -sname "$PLAIN" -setcookie "$KAZOO_COOKIE" >/dev/null 2>&1) &
PIDS+=($!)
(cd "$WORK" && HOME=$WORK exec erl -noshell -sname "$TLS" -setcookie "$KAZOO_COOKIE" \
    -proto_dist inet_tls -ssl_dist_optfile "$WORK/ssl_dist.conf" >/dev/null 2>&1) &
PIDS+=($!)

plain() { KAZOO_DIST=tcp "$KAZOO" "$@"; }
tls() {
    KAZOO_DIST=tls KAZOO_DIST_CA="$WORK/dist/ca.pem" KAZOO_DIST_CERT="$WORK/dist/node.pem" \
        KAZOO_DIST_KEY="$WORK/dist/node.key" "$KAZOO" "$@"
}
for node in plain:"$PLAIN" tls:"$TLS"; do
    for _ in $(seq 200); do "${node%%:*}" ping "${node#*:}" >/dev/null 2>&1 && continue 2; sleep 0.05; done
    echo "node ${node#*:} did not come up" >&2; exit 1
done

printf 'median wall time in ms, %s runs each, plain and TLS interleaved\n' "$RUNS"
printf '%-16s %10s %10s %8s\n' command plain tls ratio
for op in ping eval status; do
    case $op in
        ping) p=(ping "$PLAIN"); t=(ping "$TLS") ;;
        eval) p=(eval "$PLAIN" 'lists:seq(1, 10).'); t=(eval "$TLS" 'lists:seq(1, 10).') ;;
        status) p=(status --cluster --node "$PLAIN"); t=(status --cluster --node "$TLS") ;;
    esac
    # Interleaved, so that whatever else the machine does weighs on both alike.
    for _ in $(seq "$RUNS"); do
        time_into "$WORK/$op.plain" plain "${p[@]}"
        time_into "$WORK/$op.tls" tls "${t[@]}"
    done
    pm=$(median_ms "$WORK/$op.plain")
    tm=$(median_ms "$WORK/$op.tls")
    awk -v op="$op" -v p="$pm" -v t="$tm" 'BEGIN {printf "%-16s %10.2f %10.2f %7.2fx\n", (op == "status" ? "status --cluster" : op), p, t, t / p}'
done
