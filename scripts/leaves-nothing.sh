#!/usr/bin/env bash
# Runs the command given (the test run) and fails when it left files in the checkout: what
# `git status --porcelain --ignored` lists after it and did not list before it (new files,
# ignored ones too, such as an erl_crash.dump), printed. Tests write in temporary dirs only.
set -uo pipefail
checkout="$(dirname "$0")/.."
before=$(git -C "$checkout" status --porcelain --ignored)
"$@"
status=$?
after=$(git -C "$checkout" status --porcelain --ignored)
left=$(comm -13 <(sort <<<"$before") <(sort <<<"$after"))
if [ -n "$left" ]; then
    echo "error: the test run left these in the checkout; a test must write in temporary directories only:" >&2
    echo "$left" >&2
    exit 1
fi
exit "$status"
