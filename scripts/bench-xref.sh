#!/usr/bin/env bash
# Benchmark: kazoo_release::xref (the `xref` example, release build) against OTP's xref in
# modules mode (xref:add_directory/3 of each ebin, then analyze undefined_functions), on the
# same directories in the same run:
#   - the real Kazoo's ecallmgr node type (its .rel's applications in a tree the real-Kazoo
#     binary writes; built first with KAZOO_SRC when target/real-kazoo has none);
#   - a synthetic release of 1,003 applications: 1,000 made here (each module calling the
#     next, every 50th a function OTP removed, every 100th a module nobody has) and OTP's
#     kernel, stdlib and sasl.
# Each side RUNS times (default 3), the median counts; both say how many modules they read and
# how many undefined functions they found, which must agree. OTP's figure is the time of its
# xref calls inside the VM (timer:tc), and the whole `erl` process beside it; ours is the
# whole process.
#
#   scripts/bench-xref.sh
set -euo pipefail
. "$(dirname "$0")/relx-project.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
OTP=/usr/lib/erlang
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$ROOT" && cargo build -q --release -p kazoo-release --example xref)
OURS="$ROOT/target/$HOST_TUPLE/release/examples/xref"
ERTS_EBIN=$(ls -d "$OTP"/lib/erts-*/ebin)

otp_xref() { # ebin...: OTP's xref on them and ERTS's preloaded modules
    local dirs
    dirs=$(printf '"%s",' "$@" "$ERTS_EBIN")
    erl -noshell -boot start_clean -eval "
        {Micros, {Modules, Undefined}} = timer:tc(fun() ->
            {ok, _} = xref:start(bench, [{xref_mode, modules}]),
            ok = xref:set_default(bench, [{warnings, false}, {verbose, false}]),
            Mods = lists:append([begin {ok, Ms} = xref:add_directory(bench, D), Ms end || D <- [${dirs%,}]]),
            {ok, U} = xref:analyze(bench, undefined_functions),
            {length(Mods), length(U)} end),
        io:format(\"modules=~b undefined=~b seconds=~.3f~n\", [Modules, Undefined, Micros / 1.0e6]),
        halt()."
}

field() { sed -E "s/.*$1=([0-9.]+).*/\1/"; }

compare() { # label, ebin...
    local label=$1 ours_line otp_line start
    shift
    : >"$WORK/ours.t"; : >"$WORK/ours_in.t"; : >"$WORK/otp.t"; : >"$WORK/otp_vm.t"
    for _ in $(seq "$RUNS"); do
        start=$(now); ours_line=$("$OURS" "$@"); elapsed "$start" "$(now)" >>"$WORK/ours.t"
        echo "$ours_line" | field seconds >>"$WORK/ours_in.t"
        start=$(now); otp_line=$(cd "$WORK" && otp_xref "$@"); elapsed "$start" "$(now)" >>"$WORK/otp.t"
        echo "$otp_line" | field seconds >>"$WORK/otp_vm.t"
    done
    local ours ours_in otp otp_vm
    ours=$(median <"$WORK/ours.t"); ours_in=$(median <"$WORK/ours_in.t")
    otp=$(median <"$WORK/otp.t"); otp_vm=$(median <"$WORK/otp_vm.t")
    printf '%s\n  %-30s %6.3f s   %s\n  %-30s %6.3f s   %s\n  %-30s %6.3f s\n  %-30s %6.3f s\n  speed-up: %.1fx (the checks alone), %.1fx (whole processes)\n' \
        "$label" "kazoo_release::xref" "$ours_in" "${ours_line% seconds=*}" "OTP xref (in the VM)" "$otp_vm" \
        "${otp_line% seconds=*}" "kazoo_release::xref (process)" "$ours" "OTP xref (erl process)" "$otp" \
        "$(echo "$otp_vm / $ours_in" | bc -l)" "$(echo "$otp / $ours" | bc -l)"
    [ "$(echo "$ours_line" | field undefined)" = "$(echo "$otp_line" | field undefined)" ] || {
        echo "  the undefined functions' counts differ" >&2; exit 1; }
}

# The real Kazoo's ecallmgr, from the tree its binary writes.
REAL="$ROOT/target/real-kazoo/$HOST_TUPLE/debug/kazoo"
(cd "$ROOT" && KAZOO_SRC=${KAZOO_SRC:-$ROOT/../shared/kazoo-src} \
    cargo build -q -p kazoo --target-dir "$ROOT/target/real-kazoo" 2>/dev/null)
"$REAL" build-release --out "$WORK/real" >/dev/null 2>&1
TREE="$WORK/real/kazoo"
VSN=$(awk '{print $2}' "$TREE/releases/start_erl.data")
mapfile -t REAL_EBINS < <(grep -oE '\{[a-z_0-9]+, *"[^"]+"' "$TREE/releases/$VSN/ecallmgr.rel" | grep -v '{erts,' \
    | sed -E 's/\{([a-z_0-9]+), *"([^"]+)"/\1-\2/' | sed "s|^|$TREE/lib/|; s|\$|/ebin|")
compare "real Kazoo, node type ecallmgr (${#REAL_EBINS[@]} applications)" "${REAL_EBINS[@]}"

# 1,000 applications made here, and OTP's kernel, stdlib and sasl.
SYN="$WORK/synthetic"
erl -noshell -boot start_clean -eval "
    N = 1000,
    [begin
        App = lists:flatten(io_lib:format(\"app_~b\", [I])),
        Ebin = filename:join([\"$SYN\", App ++ \"-1.0\", \"ebin\"]),
        ok = filelib:ensure_dir(filename:join(Ebin, \"x\")),
        Next = (I rem N) + 1,
        Extra = if I rem 100 =:= 0 -> io_lib:format(\"g() -> gone_~b:f().~n\", [I]);
                   I rem 50 =:= 0 -> \"g() -> crypto:hmac(sha, <<1>>, <<2>>).\n\";
                   true -> \"g() -> lists:reverse([1, 2]).\n\" end,
        Src = io_lib:format(\"-module(m_~b).~n-export([f/0, g/0]).~nf() -> m_~b:f(), lists:seq(1, 3).~n~s\", [I, Next, Extra]),
        Mod = list_to_atom(\"m_\" ++ integer_to_list(I)),
        File = filename:join(\"$WORK\", atom_to_list(Mod) ++ \".erl\"),
        ok = file:write_file(File, Src),
        {ok, Mod} = compile:file(File, [{outdir, Ebin}, nowarn_removed]),
        ok = file:write_file(filename:join(Ebin, App ++ \".app\"),
            io_lib:format(\"{application, ~s, [{vsn, \\\"1.0\\\"}, {modules, [~s]}, {applications, [kernel, stdlib]}]}.~n\",
                          [App, atom_to_list(Mod)]))
     end || I <- lists:seq(1, N)],
    halt()."
mapfile -t SYN_EBINS < <(ls -d "$SYN"/*/ebin "$OTP"/lib/kernel-*/ebin "$OTP"/lib/stdlib-*/ebin "$OTP"/lib/sasl-*/ebin)
compare "synthetic release (${#SYN_EBINS[@]} applications)" "${SYN_EBINS[@]}"
