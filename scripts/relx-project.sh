# Sourced by the benchmarks: HOST_TUPLE, their timing helpers (now, elapsed START END, median of the
# lines on stdin, time_into, median_ms), and relx_project KAZOO RELEASE_ROOT PROJECT NAME_FLAG
# lays out PROJECT as a rebar3 project shaped as Kazoo's (relx.config at the top, rel/vm.args,
# rel/sys.config, lib dirs applications/ core/ deps/) with the files KAZOO renders, the
# applications its build compiled (the fixtures, or the real Kazoo; found through
# RELEASE_ROOT's fingerprint), and
# the overlays' sources. NAME_FLAG (`-sname kazoo_apps`) and the cookie go into vm.args, as
# relx's start script needs them there.
# Where cargo puts the workspace's binaries: target/$HOST_TUPLE/<profile>, as
# .cargo/config.toml names the host's target. Cargo reads that file where it runs, so the
# benchmarks run it at the workspace root.
HOST_TUPLE=$(rustc -vV | sed -n 's/^host: //p')
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
median() { sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }'; }

# time_into FILE COMMAND...: runs COMMAND once (its output dropped; a failure stops the
# benchmark) and appends its wall time in µs to FILE; median_ms FILE: their median in ms.
time_into() {
    local file=$1 t0 t1
    shift
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) >>"$file"
}
median_ms() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}'; }

relx_project() {
    local kazoo=$1 root=$2 project=$3 name_flag=$4 vsn app_dir lib_root dir
    vsn=$(awk '{print $2}' "$root/releases/start_erl.data")
    app_dir=$(sed -n 's/.*"dir": "\(.*\/applications\/ecallmgr\)".*/\1/p' "$root/releases/$vsn/kazoo-release.json")
    lib_root=$(dirname "$(dirname "$app_dir")")
    mkdir -p "$project/rel"
    echo '{erl_opts, []}.' >"$project/rebar.config"
    "$kazoo" print relx.config >"$project/relx.config"
    "$kazoo" print sys.config kazoo_apps >"$project/rel/sys.config"
    { "$kazoo" print vm.args kazoo_apps; echo "$name_flag"; echo "-setcookie bench"; } >"$project/rel/vm.args"
    for dir in applications core deps; do
        if [ -d "$lib_root/$dir" ]; then ln -s "$lib_root/$dir" "$project/$dir"; else mkdir "$project/$dir"; fi
    done
    ln -s "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/examples/kazoo/overlay" "$project/overlay"
}

# time_rebar3_releases PROJECT WORK RUNS prints, a line a run, how long `rebar3 release` of
# both node types takes in PROJECT from nothing (WORK is rebar3's HOME and holds its log).
time_rebar3_releases() {
    local project=$1 work=$2 runs=$3 run start node
    for run in $(seq "$runs"); do
        rm -rf "$project/_build"
        start=$(now)
        for node in ecallmgr kazoo_apps; do
            (cd "$project" && HOME="$work" REBAR_COLOR=none rebar3 release -n "$node") >"$work/rebar3.log" 2>&1 \
                || { cat "$work/rebar3.log" >&2; exit 1; }
        done
        elapsed "$start" "$(now)"
    done
}
