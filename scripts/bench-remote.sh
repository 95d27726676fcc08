#!/usr/bin/env bash
# Benchmark: `kazoo ping | pid | eval | stop` against a running node, side by side with relx's
# start script (`bin/<rel> ping`, ...), a bare `erl_call` and an escript (net_adm:ping,
# rpc:call). Prints the median of each and its ratio to kazoo's.
#
#   scripts/bench-remote.sh [RUNS]     (default 50; stop is timed over RUNS/10 fresh nodes)
#
# Short names (-sname): a -name node cannot reach a dotless hostname such as `vm`.
# Everything runs behind its own EPMD (ERL_EPMD_PORT) in a temp dir: a tiny relx release
# built with Debian's rebar3, whose node is named kazoo_apps@<hostname> so that both tools
# address the same node.
set -euo pipefail
. "$(dirname "$0")/relx-project.sh"

RUNS=${1:-50}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOST=$(hostname)
NODE="kazoo_apps@$HOST"
COOKIE="bench_$$"
WORK=$(mktemp -d)
export ERL_EPMD_PORT=$((20000 + $$ % 20000))
export KAZOO_COOKIE=$COOKIE
REL_BIN="$WORK/benchrel/_build/default/rel/benchrel/bin/benchrel"
ERL_CALL=$(ls /usr/lib/erlang/lib/erl_interface-*/bin/erl_call | head -1)

cleanup() {
    [ -x "$REL_BIN" ] && "$REL_BIN" stop >/dev/null 2>&1
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "building kazoo (release profile) and a relx release in $WORK ..." >&2
(cd "$ROOT" && cargo build --quiet --release -p kazoo)
KAZOO="$ROOT/target/$HOST_TUPLE/release/kazoo"
(cd "$WORK" && rebar3 new release benchrel >/dev/null)
printf -- '-sname %s\n-setcookie %s\n' "$NODE" "$COOKIE" >"$WORK/benchrel/config/vm.args"
(cd "$WORK/benchrel" && rebar3 release >/dev/null)

cat >"$WORK/probe.escript" <<ESCRIPT
#!/usr/bin/env escript
%%! -sname probe_$$@$HOST -setcookie $COOKIE -hidden
main([Op]) ->
    Node = '$NODE',
    case Op of
        "ping" -> io:format("~p~n", [net_adm:ping(Node)]);
        "pid" -> io:format("~s~n", [rpc:call(Node, os, getpid, [])]);
        "eval" -> io:format("~p~n", [rpc:call(Node, erlang, node, [])])
    end.
ESCRIPT
chmod +x "$WORK/probe.escript"

# The median wall time of a command over RUNS runs, in ms.
median_ms() {
    local runs=$1; shift
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
        t1=$(date +%s%N)
        echo $(( (t1 - t0) / 1000 ))
    done | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f", m / 1000}'
}

start_node() {
    "$REL_BIN" daemon >/dev/null
    for _ in $(seq 200); do "$KAZOO" ping >/dev/null 2>&1 && return; sleep 0.05; done
    echo "the node did not start" >&2; exit 1
}

# A stop, timed from a freshly started node each run. kazoo and relx return once the OS
# process has exited; erl_call -q returns at once, so its time runs until ping fails (the
# node has left EPMD), which is earlier than the process exit.
stop_ms() {
    local tool=$1 runs=$(( RUNS / 10 > 3 ? RUNS / 10 : 3 ))
    for _ in $(seq "$runs"); do
        start_node
        local t0 t1
        t0=$(date +%s%N)
        case $tool in
            kazoo) "$KAZOO" stop >/dev/null ;;
            relx) "$REL_BIN" stop >/dev/null ;;
            erl_call) "$ERL_CALL" -sname "$NODE" -c "$COOKIE" -q >/dev/null
                      while "$KAZOO" ping >/dev/null 2>&1; do :; done ;;
        esac
        t1=$(date +%s%N)
        echo $(( (t1 - t0) / 1000 ))
    done | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}'
}

start_node
declare -A ms
ms[ping,kazoo]=$(median_ms "$RUNS" "$KAZOO" ping)
ms[ping,relx]=$(median_ms "$RUNS" "$REL_BIN" ping)
ms[ping,erl_call]=$(median_ms "$RUNS" "$ERL_CALL" -sname "$NODE" -c "$COOKIE" -a 'erlang node')
ms[ping,escript]=$(median_ms "$(( RUNS / 5 > 3 ? RUNS / 5 : 3 ))" "$WORK/probe.escript" ping)
ms[pid,kazoo]=$(median_ms "$RUNS" "$KAZOO" pid)
ms[pid,relx]=$(median_ms "$RUNS" "$REL_BIN" pid)
ms[pid,erl_call]=$(median_ms "$RUNS" "$ERL_CALL" -sname "$NODE" -c "$COOKIE" -a 'os getpid')
ms[pid,escript]=$(median_ms "$(( RUNS / 5 > 3 ? RUNS / 5 : 3 ))" "$WORK/probe.escript" pid)
ms[eval,kazoo]=$(median_ms "$RUNS" "$KAZOO" eval 'node()')
ms[eval,relx]=$(median_ms "$RUNS" "$REL_BIN" eval 'node().')
ms[eval,erl_call]=$(median_ms "$RUNS" sh -c "echo 'node().' | $ERL_CALL -sname $NODE -c $COOKIE -e")
ms[eval,escript]=$(median_ms "$(( RUNS / 5 > 3 ? RUNS / 5 : 3 ))" "$WORK/probe.escript" eval)
ms[stop,kazoo]=$(stop_ms kazoo)
ms[stop,relx]=$(stop_ms relx)
ms[stop,erl_call]=$(stop_ms erl_call)
ms[stop,escript]=-

printf '\nmedian wall time in ms (ratio to kazoo), %s runs, node %s\n' "$RUNS" "$NODE"
printf '%-6s %10s %18s %18s %18s\n' command kazoo "relx bin/<rel>" "bare erl_call" "escript"
for op in ping pid eval stop; do
    k=${ms[$op,kazoo]}
    row=$(printf '%-6s %10s' "$op" "$k")
    for tool in relx erl_call escript; do
        v=${ms[$op,$tool]}
        if [ "$v" = - ]; then cell=-; else cell=$(awk -v v="$v" -v k="$k" 'BEGIN {printf "%.2f (%.1fx)", v, v / k}'); fi
        row+=$(printf ' %18s' "$cell")
    done
    echo "$row"
done
