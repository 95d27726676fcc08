#!/usr/bin/env bash
# Every check of the workspace, as CI runs it: formatting, clippy, both library crates
# package (templates inside the crate), then every test against real BEAM nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo package -q -p kazoo-release-macros -p kazoo-release --allow-dirty
cargo test --workspace
