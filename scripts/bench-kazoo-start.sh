#!/usr/bin/env bash
# The real Kazoo's start, against its anchor: for each node type, `kazoo start NODE` until it
# reports ready, beside the VM itself booting the same .boot (erl -boot, the same vm.args and
# sys.config, `-eval 'halt().'` once the boot script has started every application), in the
# same run, RUNS times (default 3, medians). RabbitMQ and pouchdb-server run on a loopback of
# the benchmark's own (a network and pid namespace: root needed), as tests/real_kazoo.rs.
# Needs the real Kazoo built: KAZOO_SRC=../shared/kazoo-src cargo build -p kazoo --target-dir target/real-kazoo
#
#   scripts/bench-kazoo-start.sh
set -euo pipefail
. "$(dirname "$0")/relx-project.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${BENCH_INSIDE:-}" ]; then
    exec env BENCH_INSIDE=1 unshare --net --pid --fork --mount-proc bash "$0" "$@"
fi
RUNS=${RUNS:-3}
KAZOO="$ROOT/target/real-kazoo/$HOST_TUPLE/debug/kazoo"
[ -x "$KAZOO" ] || { echo "build the real Kazoo first: KAZOO_SRC=../shared/kazoo-src cargo build -p kazoo --target-dir target/real-kazoo" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ip link set lo up
mkdir -p "$WORK"/{rabbitmq,pouchdb,etc,home,vm}
echo '[rabbitmq_consistent_hash_exchange].' >"$WORK/rabbitmq/enabled_plugins"
env -i PATH=/usr/bin:/bin HOME="$WORK/rabbitmq" RABBITMQ_NODENAME=rabbit@localhost \
    RABBITMQ_MNESIA_BASE="$WORK/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$WORK/rabbitmq/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$WORK/rabbitmq/enabled_plugins" RABBITMQ_CONFIG_FILE="$WORK/rabbitmq/none" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$WORK/rabbitmq/none.config" /usr/lib/rabbitmq/bin/rabbitmq-server >"$WORK/rabbitmq/out" 2>&1 &
(cd "$WORK/pouchdb" && exec pouchdb-server --in-memory -p 5984 -o 127.0.0.1 >"$WORK/pouchdb/out" 2>&1) &
for port in 5672 5984; do
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.5; done
done
printf '[amqp]\nuri = "amqp://guest:guest@127.0.0.1:5672"\n\n[bigcouch]\nip = "127.0.0.1"\nport = 5984\n\n[kazoo_apps]\ncookie = bench\n\n[ecallmgr]\ncookie = bench\n' >"$WORK/etc/config.ini"
echo bench >"$WORK/home/.erlang.cookie" && chmod 400 "$WORK/home/.erlang.cookie"
export HOME="$WORK/home" KAZOO_CONFIG="$WORK/etc/config.ini" KAZOO_CONFIG_DIR="$WORK/etc" PIPE_DIR="$WORK/pipes" RUNNER_LOG_DIR="$WORK/log"
"$KAZOO" build-release --out "$WORK/rel" >/dev/null 2>&1
tree="$WORK/rel/kazoo"
vsn=$(awk '{print $2}' "$tree/releases/start_erl.data")
erts=$(awk '{print $1}' "$tree/releases/start_erl.data")

for node in kazoo_apps ecallmgr; do
    for run in $(seq "$RUNS"); do
        start=$(now)
        "$KAZOO" start "$node" --timeout 180 >/dev/null 2>&1
        elapsed "$start" "$(now)" >>"$WORK/$node.kazoo"
        "$KAZOO" stop "$node" >/dev/null 2>&1
        start=$(now)
        (cd "$WORK/vm" && ROOTDIR="$tree" "$tree/erts-$erts/bin/erl" -boot "$tree/releases/$vsn/$node" \
            -config "$tree/releases/$vsn/$node.sys.config" -args_file "$tree/releases/$vsn/$node.vm.args" \
            -name "vm_$node@127.0.0.1" -noshell -noinput -eval 'halt().' >"$WORK/vm/$node.log" 2>&1) \
            || { cat "$WORK/vm/$node.log"; exit 1; }
        elapsed "$start" "$(now)" >>"$WORK/$node.vm"
    done
    printf '%s: kazoo start until ready %.2f s; the VM booting the same .boot %.2f s (medians of %s)\n' \
        "$node" "$(median <"$WORK/$node.kazoo")" "$(median <"$WORK/$node.vm")" "$RUNS"
done
