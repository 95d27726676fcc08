#!/usr/bin/env bash
# Benchmark: build::erlc (one compiler VM, JOBS modules at a time, a manifest) against plain
# erlc (one VM per module, JOBS at a time, as `make -jJOBS` with a rule per file) on the same
# modules with the same options (each module's option list as build::erlc gave it, read back
# from its manifest and passed to erlc as +Term flags).
#
#   scripts/bench-erlc.sh [LIB_DIR] [JOBS]   (default ../shared/kazoo-src/deps, 2)
#
# Prints: a full build::erlc compile, a no-op rebuild, plain erlc on the same modules.
# Kazoo's deps need a few caller options, given here as the Kazoo example gives them.
set -euo pipefail
. "$(dirname "$0")/relx-project.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIB_DIR=$(cd "${1:-$ROOT/../shared/kazoo-src/deps}" && pwd)
JOBS=${2:-2}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

(cd "$ROOT" && cargo build -q --release -p kazoo-release --example erlc)
ERLC_EX="$ROOT/target/$HOST_TUPLE/release/examples/erlc"

# erlang.mk projects without an .app.src, and {vsn, git} applications (versions from
# ../shared/kazoo-src/MANIFEST.tsv), as a caller gives them.
EXTRA=()
for app in amqp_client rabbit_common; do
  if [ -d "$LIB_DIR/$app" ] && [ ! -e "$LIB_DIR/$app/src/$app.app.src" ]; then
    echo "{application, $app, [{vsn, \"0.0.0\"}, {applications, [kernel, stdlib]}]}." > "$WORK/$app.app.src"
    EXTRA+=(--app-src "$app=$WORK/$app.app.src")
  fi
done
for app in bear=0.8.2 folsom=0.8.2 gproc=0.8.0 jesse=1.5-rc13 lhttpc=1.6.2; do EXTRA+=(--app-vsn "$app"); done
EXTRA+=(--app-flag "nklib=+{error_location,line}" --app-flag "amqp_dist=+{error_location,line}" --drop +warnings_as_errors)

run() { # label, command...: prints the wall time and the command's last line
  local start end
  start=$(date +%s.%N)
  "${@:2}" > "$WORK/out.log" 2>&1 || true
  end=$(date +%s.%N)
  printf '%-38s %6.2f s   %s\n' "$1" "$(echo "$end - $start" | bc)" "$(grep -E 'modules|^error' "$WORK/out.log" | head -1 | cut -c1-90)"
}

echo "lib dir: $LIB_DIR, jobs: $JOBS"
run "build::erlc, full" "$ERLC_EX" --out "$WORK/out" --jobs "$JOBS" "${EXTRA[@]}" "$LIB_DIR"
run "build::erlc, nothing changed" "$ERLC_EX" --out "$WORK/out" --jobs "$JOBS" "${EXTRA[@]}" "$LIB_DIR"

# The same modules with the same options, one erlc each, into a folder of their own (the
# parse transforms load from build::erlc's ebin dirs, as they were compiled first there).
python3 - "$WORK/out/.erlc/manifest.json" "$WORK/plain" > "$WORK/plain.jobs" <<'EOF'
import json, sys, shlex
manifest, plain = sys.argv[1], sys.argv[2]
for source, entry in json.load(open(manifest)).items():
    # "[{i, \"/x\"}, debug_info, {outdir, \"...\"}]" -> one +Term per option, outdir replaced.
    text = entry["options"][1:-1]
    options, depth, start, quoted = [], 0, 0, False
    for i, c in enumerate(text):
        if c == '"' and (i == 0 or text[i - 1] != '\\'):
            quoted = not quoted
        elif not quoted and c in "{[":
            depth += 1
        elif not quoted and c in "}]":
            depth -= 1
        elif not quoted and c == "," and depth == 0:
            options.append(text[start:i].strip()); start = i + 1
    options.append(text[start:].strip())
    flags = [f"+{o}" for o in options if o and not o.startswith("{outdir")]
    print(" ".join(shlex.quote(a) for a in ["-o", plain] + flags + [source]))
EOF
mkdir -p "$WORK/plain"
PA=$(for d in "$WORK"/out/*/*/ebin; do printf -- '-pa %s ' "$d"; done)
plain() { xargs -P "$JOBS" -L 1 sh -c "erlc $PA \"\$@\" 2>/dev/null || true" erlc < "$WORK/plain.jobs"; }
run "plain erlc, one VM per module" plain
echo "plain erlc wrote $(ls "$WORK/plain" | wc -l) of $(wc -l < "$WORK/plain.jobs") modules"
