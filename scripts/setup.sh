#!/usr/bin/env bash
# Installs what kazoo-release needs beside Rust, when it is missing: Debian's Erlang/OTP
# (erl, erlc, epmd, run_erl, to_erl), lager and goldrush, rebar3 (relx, the reference the
# tests compare against), tmux (the tests drive consoles in a real terminal), iproute2
# (the cluster tests' hosts are network namespaces joined by veth pairs) and systemd
# (`systemd-analyze verify` checks the unit `systemd-unit` prints), and the C and C++
# compilers that build::erlc builds NIFs with (through the `cc` crate).
set -euo pipefail

missing=()
command -v erl >/dev/null || missing+=(erlang-nox)
command -v erlc >/dev/null && [ -d /usr/lib/erlang/usr/include ] || missing+=(erlang-dev)
compgen -G '/usr/lib/erlang/lib/lager-*' >/dev/null || missing+=(erlang-lager)
command -v rebar3 >/dev/null || missing+=(rebar3)
command -v tmux >/dev/null || missing+=(tmux)
command -v ip >/dev/null && command -v ss >/dev/null || missing+=(iproute2)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v cc >/dev/null && command -v c++ >/dev/null || missing+=(gcc g++)

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" erlang-nox erlang-dev >&2
fi
