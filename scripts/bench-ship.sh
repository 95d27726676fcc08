#!/usr/bin/env bash
# Times writing each artefact of one release tree, in the same run: the tarball
# (`tar-release`, the anchor), the Debian package (`deb`) and the OCI image (`oci-image`),
# each RUNS times (default 3; the median counts, the machine may be shared), from a tree
# already written, and prints each one's time and size beside the tarball's. Then a version
# bump (the binary rebuilt with KZ_VERSION=<vsn>.1): which of the image's layers it changed,
# and the size of the one it did.
#
#   scripts/bench-ship.sh                 # debug binary (what `cargo run` uses)
#   PROFILE=release scripts/bench-ship.sh
set -eu
. "$(dirname "$0")/relx-project.sh"

cd "$(dirname "$0")/.."
PROFILE="${PROFILE:-debug}"
RUNS="${RUNS:-3}"
cargo_build() { if [ "$PROFILE" = release ]; then cargo build -q --release -p kazoo; else cargo build -q -p kazoo; fi; }
cargo_build
KAZOO="$PWD/target/$HOST_TUPLE/$PROFILE/kazoo"
export DEBFULLNAME="${DEBFULLNAME:-Kazoo Packager}" DEBEMAIL="${DEBEMAIL:-packager@example.org}"
unset SOURCE_DATE_EPOCH KZ_VERSION

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$KAZOO" "$work/kazoo"
"$work/kazoo" build-release --out "$work/out" >/dev/null
vsn=$(awk '{print $2}' "$work/out/kazoo/releases/start_erl.data")

# time_artefact COMMAND FILE: the median time of COMMAND writing FILE (removed before each run).
time_artefact() {
    local command=$1 file=$2 run start
    for run in $(seq "$RUNS"); do
        rm -f "$file"
        start=$(now)
        "$work/kazoo" "$command" --out "$work/out" >"$work/$command.log" 2>&1 || { cat "$work/$command.log" >&2; exit 1; }
        elapsed "$start" "$(now)"
    done | median
}

tar_file="$work/out/kazoo/kazoo-$vsn.tar.gz"
deb_file="$work/out/kazoo_$vsn-1_$(dpkg --print-architecture).deb"
oci_file="$work/out/kazoo-$vsn.oci.tar"
tar_time=$(time_artefact tar-release "$tar_file")
deb_time=$(time_artefact deb "$deb_file")
oci_time=$(time_artefact oci-image "$oci_file")
size() { stat -c %s "$1"; }
mb() { echo "scale=1; $1 / 1000000" | bc; }
ratio() { echo "scale=2; $1 / $2" | bc; }

echo "tree: $(du -sb "$work/out/kazoo" --exclude='*.tar.gz' | cut -f1 | xargs -I{} sh -c 'echo "scale=1; {} / 1000000" | bc') MB ($PROFILE binary), $RUNS runs each, median"
printf '%-28s %8s %10s %12s %10s\n' artefact "time s" "x tarball" "size MB" "x tarball"
printf '%-28s %8.2f %10s %12s %10s\n' "tarball (tar-release)" "$tar_time" 1.00 "$(mb "$(size "$tar_file")")" 1.00
printf '%-28s %8.2f %10s %12s %10s\n' "Debian package (deb)" "$deb_time" "$(ratio "$deb_time" "$tar_time")" \
    "$(mb "$(size "$deb_file")")" "$(ratio "$(size "$deb_file")" "$(size "$tar_file")")"
printf '%-28s %8.2f %10s %12s %10s\n' "OCI image (oci-image)" "$oci_time" "$(ratio "$oci_time" "$tar_time")" \
    "$(mb "$(size "$oci_file")")" "$(ratio "$(size "$oci_file")" "$(size "$tar_file")")"

# layers ARCHIVE: a line per layer of the image, bottom first: its digest and size.
layers() {
    python3 - "$1" <<'EOF'
import json, sys, tarfile
with tarfile.open(sys.argv[1]) as archive:
    blob = lambda digest: json.load(archive.extractfile("blobs/sha256/" + digest.split(":")[1]))
    manifest = blob(json.load(archive.extractfile("index.json"))["manifests"][0]["digest"])
    for layer in manifest["layers"]:
        print(layer["digest"], layer["size"])
EOF
}
layers "$oci_file" >"$work/layers.before"

# The next version: the same sources, the release version bumped, the binary rebuilt.
next="$vsn.1"
KZ_VERSION="$next" cargo_build
cp "$KAZOO" "$work/kazoo-next"
cargo_build
"$work/kazoo-next" oci-image --out "$work/next" >/dev/null
layers "$work/next/kazoo-$next.oci.tar" >"$work/layers.after"
echo
echo "version bump $vsn -> $next (KZ_VERSION; the binary and releases/ change, the applications do not):"
names=("system (libraries, loader, user)" "runtime (ERTS, OTP's applications)" "release (own applications, releases/, bin/)")
paste -d' ' "$work/layers.before" "$work/layers.after" | while read -r before size_before after size_after; do
    i=${i:-0}
    if [ "$before" = "$after" ]; then same="unchanged"; else same="changed"; fi
    printf '  layer %d %-45s %-9s %8s MB\n' "$((i + 1))" "${names[$i]}" "$same" "$(mb "$size_after")"
    i=$((i + 1))
done
changed=$(paste -d' ' "$work/layers.before" "$work/layers.after" | awk '$1 != $3 { n += $4 } END { print n + 0 }')
echo "  a host that has $vsn pulls $(mb "$changed") MB of the image's $(mb "$(size "$work/next/kazoo-$next.oci.tar")") MB"
