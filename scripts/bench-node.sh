#!/usr/bin/env bash
# Benchmark: `kazoo start` and `kazoo stop` of the kazoo_apps node, side by side with the
# relx release of the same applications (built with Debian's rebar3 as bench-release.sh
# does) and its `bin/kazoo_apps daemon` and `stop`.
#
#   scripts/bench-node.sh [RUNS]     (default 5; medians are printed)
#
# For start: the command's wall time, how long after the node's first pong (seen by a
# `kazoo ping` loop running beside it) the command returned, and how long after the moment
# the node's last application started (the time of the node's own "Application ... started"
# report, which lager writes to its console log with milliseconds). For stop: the wall time, and
# how long after the VM's exit (a zombie counts) it returned. Negative means the command
# returned before that moment (relx's daemon returns before the node answers).
# Everything runs behind its own EPMD (ERL_EPMD_PORT), HOME and pipe dir in a temp dir.
set -euo pipefail
. "$(dirname "$0")/relx-project.sh"

RUNS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
# One clock for the node's log and date(1); info level, for the application reports.
export TZ=UTC ERL_FLAGS="-kernel logger_level info" ERL_EPMD_PORT=$((20000 + $$ % 20000)) PIPE_DIR="$WORK/pipes" KAZOO_COOKIE=bench
export KAZOO_CONFIG_DIR="$WORK/etc" KAZOO_REL_DIR="$WORK/_rel"
unset REL KAZOO_PROFILE RUNNER_LOG_DIR RELX_REPLACE_OS_VARS NODE_NAME_TYPE
KAZOO="$ROOT/target/$HOST_TUPLE/release/kazoo"
cleanup() {
    "$KAZOO" stop kazoo_apps --kill >/dev/null 2>&1 || true
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "building kazoo (release profile), its release and the relx release in $WORK ..." >&2
(cd "$ROOT" && cargo build --quiet --release -p kazoo)
# After cargo, which needs the real HOME to find its toolchain.
export HOME="$WORK/home"
mkdir -p "$HOME"
"$KAZOO" build-release --out "$KAZOO_REL_DIR" 2>/dev/null | tail -1 >&2

# relx: a rebar3 project laid out as Kazoo's, with the files kazoo renders.
project="$WORK/rebar3"
relx_project "$KAZOO" "$KAZOO_REL_DIR/kazoo" "$project" "-name kazoo_apps@$(hostname)"
(cd "$project" && REBAR_COLOR=none rebar3 release -n kazoo_apps >"$WORK/rebar3.log" 2>&1) || { cat "$WORK/rebar3.log"; exit 1; }
RELX="$project/_build/default/rel/kazoo_apps/bin/kazoo_apps"

now_us() { echo $(( $(date +%s%N) / 1000 )); }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] / 1000}'; }

# The time of day (us) of the node's report that kazoo_apps, the last application of its
# boot, started, in its console log under $1 (written afresh by each start); waits for it.
last_app_started_us() {
    local stamp=""
    until [ -n "$stamp" ]; do
        # The last stamp before the report: the console's prompt can begin the same line.
        stamp=$(cat "$1"/erlang.log.* 2>/dev/null \
            | sed -n 's/.*\([0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]*\) .*Application kazoo_apps started on node.*/\1/p' || true)
    done
    echo "$stamp" | awk -F'[:.]' '{ printf "%.0f\n", (($1 * 60 + $2) * 60 + $3) * 1000000 + $4 * 1000 }'
}
us_of_day() { date +%H:%M:%S.%N | awk -F'[:.]' '{ printf "%.0f\n", (($1 * 60 + $2) * 60 + $3) * 1000000 + int($4 / 1000) }'; }

# Runs a start command ($2...) with a ping loop beside it, the node's console log in $1; prints
# "<wall us> <return - first pong us> <return - last application started us>".
time_start() {
    local logs=$1 t0 pong_file="$WORK/pong" t1 day1
    shift
    rm -f "$logs"/erlang.log.*
    rm -f "$pong_file"
    ( until "$KAZOO" ping kazoo_apps >/dev/null 2>&1; do :; done; now_us >"$pong_file" ) &
    local poller=$!
    t0=$(now_us)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    t1=$(now_us)
    day1=$(us_of_day)
    wait "$poller"
    echo "$((t1 - t0)) $((t1 - $(cat "$pong_file"))) $((day1 - $(last_app_started_us "$logs")))"
}


# Runs a stop command ($@) with an exit watcher beside it; prints "<wall us> <return - exit us>".
time_stop() {
    local pid t0 t1 exit_file="$WORK/exited"
    pid=$("$KAZOO" pid kazoo_apps)
    rm -f "$exit_file"
    ( while [ -e "/proc/$pid" ] && [ "$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null | awk '{print $1}')" != Z ]; do :; done; now_us >"$exit_file" ) &
    local watcher=$!
    t0=$(now_us)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    t1=$(now_us)
    wait "$watcher"
    echo "$((t1 - t0)) $((t1 - $(cat "$exit_file")))"
}

declare -A wall gap ready
for tool in kazoo relx; do
    : >"$WORK/$tool.start"; : >"$WORK/$tool.stop"
    for _ in $(seq "$RUNS"); do
        case $tool in
            kazoo) time_start "$KAZOO_REL_DIR/kazoo/log/kazoo_apps" "$KAZOO" start kazoo_apps >>"$WORK/$tool.start"
                   time_stop "$KAZOO" stop kazoo_apps >>"$WORK/$tool.stop" ;;
            relx)  time_start "$(dirname "$(dirname "$RELX")")/log" "$RELX" daemon >>"$WORK/$tool.start"
                   time_stop "$RELX" stop >>"$WORK/$tool.stop" ;;
        esac
    done
    for op in start stop; do
        wall[$op,$tool]=$(awk '{print $1}' "$WORK/$tool.$op" | median)
        gap[$op,$tool]=$(awk '{print $2}' "$WORK/$tool.$op" | median)
    done
    ready[$tool]=$(awk '{print $3}' "$WORK/$tool.start" | median)
done

printf '\nkazoo_apps@%s, median of %s runs, ms\n' "$(hostname)" "$RUNS"
printf '%-6s %-6s %10s %28s %32s\n' command tool wall "returned after pong/exit by" "after last app started by"
for op in start stop; do
    for tool in kazoo relx; do
        [ "$op" = start ] && after_app=${ready[$tool]} || after_app=-
        printf '%-6s %-6s %10s %28s %32s\n' "$op" "$tool" "${wall[$op,$tool]}" "${gap[$op,$tool]}" "$after_app"
    done
done
