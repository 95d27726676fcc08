# Sourced by the benchmarks: relx_project KAZOO RELEASE_ROOT PROJECT NAME_FLAG
# lays out PROJECT as a rebar3 project shaped as Kazoo's (relx.config at the top, rel/vm.args,
# rel/sys.config, lib dirs applications/ core/ deps/) with the files KAZOO renders, the
# fixture applications its build compiled (found through RELEASE_ROOT's fingerprint), and
# the overlays' sources. NAME_FLAG (`-sname kazoo_apps`) and the cookie go into vm.args, as
# relx's start script needs them there.
relx_project() {
    local kazoo=$1 root=$2 project=$3 name_flag=$4 vsn app_dir
    vsn=$(awk '{print $2}' "$root/releases/start_erl.data")
    app_dir=$(sed -n 's/.*"dir": "\(.*\/applications\/ecallmgr\)".*/\1/p' "$root/releases/$vsn/kazoo-release.json")
    mkdir -p "$project/rel" "$project/core" "$project/deps"
    echo '{erl_opts, []}.' >"$project/rebar.config"
    "$kazoo" print relx.config >"$project/relx.config"
    "$kazoo" print sys.config kazoo_apps >"$project/rel/sys.config"
    { "$kazoo" print vm.args kazoo_apps; echo "$name_flag"; echo "-setcookie bench"; } >"$project/rel/vm.args"
    ln -s "$(dirname "$app_dir")" "$project/applications"
    ln -s "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/examples/kazoo/overlay" "$project/overlay"
}
