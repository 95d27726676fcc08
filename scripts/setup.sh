#!/usr/bin/env bash
# Installs what kazoo-release needs beside Rust, when it is missing: Debian's Erlang/OTP
# (erl, erlc, epmd, run_erl, to_erl; erlang-src for the OTP headers real projects include,
# such as kernel/src/inet_dns.hrl), lager and goldrush, rebar3 (relx, the reference the
# tests compare against), tmux (the tests drive consoles in a real terminal), iproute2
# (the cluster tests' hosts are network namespaces joined by veth pairs), systemd
# (`systemd-analyze verify` checks the unit `systemd-unit` prints), python3 (rabbit_common's
# framing code generator, when the real Kazoo is built), and for the tests that boot the
# real Kazoo: RabbitMQ (its AMQP broker) and pouchdb-server from the npm registry (a
# CouchDB-compatible database; Debian has no CouchDB), with Node.js and npm to install it;
# and the C and C++ compilers that build::erlc builds NIFs with (through the `cc` crate);
# for the packages and images `deb` and `oci-image` write: dpkg-dev (dpkg-shlibdeps, the
# oracle of Depends), lintian, debootstrap (the minimal Debian root the package installs
# in), skopeo and umoci (read and unpack the image); tcpdump (what crosses the wire between
# TLS nodes).
set -euo pipefail

missing=()
command -v erl >/dev/null || missing+=(erlang-nox)
command -v erlc >/dev/null && [ -d /usr/lib/erlang/usr/include ] || missing+=(erlang-dev)
compgen -G '/usr/lib/erlang/lib/kernel-*/src/inet_dns.hrl' >/dev/null || missing+=(erlang-src)
compgen -G '/usr/lib/erlang/lib/lager-*' >/dev/null || missing+=(erlang-lager)
command -v rebar3 >/dev/null || missing+=(rebar3)
command -v tmux >/dev/null || missing+=(tmux)
command -v ip >/dev/null && command -v ss >/dev/null || missing+=(iproute2)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v python3 >/dev/null || missing+=(python3)
command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v cc >/dev/null && command -v c++ >/dev/null || missing+=(gcc g++)
command -v dpkg-shlibdeps >/dev/null || missing+=(dpkg-dev)
command -v lintian >/dev/null || missing+=(lintian)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v umoci >/dev/null || missing+=(umoci)
command -v tcpdump >/dev/null || missing+=(tcpdump)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    $sudo apt-get update -qq

    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" erlang-nox erlang-dev >&2
fi
if ! command -v pouchdb-server >/dev/null; then
    echo "setup: installing pouchdb-server 4.2.0 (npm)" >&2
    $sudo npm install -g --silent pouchdb-server@4.2.0 >&2
fi
