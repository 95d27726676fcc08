#!/usr/bin/env bash
# Benchmark: `kazoo status --cluster` of a cluster of NODES nodes (default 30) on two hosts
# (network namespaces joined by a veth pair, each with its own EPMD), against a bare
# erl_call asking the seed node for `rpc:multicall(nodes(), os, getpid, [])`; then the same
# with a third of the nodes frozen (SIGSTOP: connected, listening, never answering) and
# --timeout 1 (erl_call: a multicall timeout of 1000 ms). Goals: under 0.5 s; under
# --timeout + 0.1 s.
#
#   sudo scripts/bench-cluster.sh [RUNS] [NODES]     (default 10 and 30; needs root for netns)
#
# The nodes are Debian's erl (-name cN@ADDR), HOME and crash dumps in a temp dir.
set -euo pipefail
. "$(dirname "$0")/relx-project.sh"

RUNS=${1:-10}
NODES=${2:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
TAG="kzc$$"
NET=10.$((200 + $$ % 50)).$(($$ % 250))
HOSTS=("$TAG-a" "$TAG-b")
ADDRS=("$NET.1" "$NET.2")
export KAZOO_COOKIE="bench_$$"
unset ERL_EPMD_PORT REL KAZOO_PROFILE KAZOO_NODE KAZOO_HOST
ERL_CALL=$(ls /usr/lib/erlang/lib/erl_interface-*/bin/erl_call | head -1)
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null; done || true
    wait 2>/dev/null || true
    for ns in "${HOSTS[@]}"; do
        # What is left in the namespace is the EPMD the nodes started there.
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "bench-cluster.sh makes network namespaces: run it as root" >&2; exit 1; }
echo "building kazoo (release profile); $NODES nodes on ${HOSTS[*]} ($NET.0/24), in $WORK ..." >&2
(cd "$ROOT" && cargo build --quiet --release -p kazoo)
KAZOO="$ROOT/target/$HOST_TUPLE/release/kazoo"

for i in 0 1; do
    ip netns add "${HOSTS[$i]}"
    ip -n "${HOSTS[$i]}" link set lo up
done
ip link add "$TAG" netns "${HOSTS[0]}" type veth peer name "${TAG}p" netns "${HOSTS[1]}"
for i in 0 1; do
    dev=$([ "$i" = 0 ] && echo "$TAG" || echo "${TAG}p")
    ip -n "${HOSTS[$i]}" addr add "${ADDRS[$i]}/24" dev "$dev"
    ip -n "${HOSTS[$i]}" link set "$dev" up
done
on() { local host=$1; shift; ip netns exec "$host" "$@"; }

# Nodes alternate between the hosts; c1 (on the first) is the seed.
NAMES=()
for n in $(seq "$NODES"); do
    i=$(( (n - 1) % 2 ))
    NAMES+=("c$n@${ADDRS[$i]}")
    (cd "$WORK" && HOME=$WORK exec ip netns exec "${HOSTS[$i]}" erl -noshell -name "c$n@${ADDRS[$i]}" \
        -setcookie "$KAZOO_COOKIE" +S 1:1 +A 1 +sbwt none >/dev/null 2>&1) &
    PIDS+=($!)
done
SEED=${NAMES[0]}
for node in "${NAMES[@]}"; do
    for _ in $(seq 600); do on "${HOSTS[0]}" "$KAZOO" ping "$node" >/dev/null 2>&1 && continue 2; sleep 0.1; done
    echo "node $node did not come up" >&2; exit 1
done
list=$(printf "'%s'," "${NAMES[@]:1}")
on "${HOSTS[0]}" "$KAZOO" eval "$SEED" "[pong = net_adm:ping(N) || N <- [${list%,}]], length(nodes())." >/dev/null

# Asked from the first host. status --cluster exits non-zero when nodes do not answer: that
# does not count, what it listed (last.out) does.
cluster_status() {
    on "${HOSTS[0]}" "$KAZOO" status --cluster --node "$SEED" --timeout "$1" --json >"$WORK/last.out" || true
}
erl_call_multicall() {
    on "${HOSTS[0]}" sh -c "echo 'rpc:multicall(nodes(), os, getpid, [], $(($1 * 1000))).' | $ERL_CALL -name $SEED -c $KAZOO_COOKIE -e"
}

# round LABEL TIMEOUT_S: both tools once untimed (the nodes' first answers load code), then
# RUNS times each, interleaved; with how many nodes kazoo listed as reachable in its last run.
round() {
    local label=$1 timeout=$2
    cluster_status "$timeout"
    erl_call_multicall "$timeout" >/dev/null
    for _ in $(seq "$RUNS"); do
        time_into "$WORK/$label.kazoo" cluster_status "$timeout"
        reachable=$(grep -o '"reachable": *true' "$WORK/last.out" | wc -l)
        time_into "$WORK/$label.erl_call" erl_call_multicall "$timeout"
    done
    printf '%-26s %10s %10s %12s\n' "$label" "$(median_ms "$WORK/$label.kazoo")" \
        "$(median_ms "$WORK/$label.erl_call")" "$reachable/$NODES"
}

printf 'median wall time in ms of %s runs, %s nodes on 2 hosts, kazoo and erl_call interleaved\n' "$RUNS" "$NODES"
printf '%-26s %10s %10s %12s\n' "" "kazoo" "erl_call" "reachable"
round "all answer, --timeout 5" 5
frozen=$((NODES / 3))
for pid in "${PIDS[@]:$((NODES - frozen))}"; do kill -STOP "$pid"; done
round "$frozen frozen, --timeout 1" 1
