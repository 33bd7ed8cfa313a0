#!/usr/bin/env bash
# Are two `league` binaries' outputs byte-identical? Runs scripts/output-digest.sh with each and
# compares the digests file by file; exits 1 and lists the files that differ, are missing or are
# new. Use it around a restructuring that must not change behaviour:
#
#   git stash / checkout BASE && cargo build --release --locked && cp target/release/league /tmp/league-base
#   git checkout -  && cargo build --release --locked
#   scripts/compare-outputs.sh /tmp/league-base target/release/league
#
# Usage: scripts/compare-outputs.sh BASE_BINARY NEW_BINARY [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="$1"
new="$2"
work="${3:-$(mktemp -d)}"
mkdir -p "$work"

"$here/output-digest.sh" "$base" "$work/base" >"$work/base.digest"
"$here/output-digest.sh" "$new" "$work/new" >"$work/new.digest"

files=$(wc -l <"$work/new.digest")
if diff -u "$work/base.digest" "$work/new.digest" >"$work/digest.diff"; then
    echo "byte-identical: $files files in 4 output sets ($work)"
else
    echo "outputs differ ($work/digest.diff):"
    grep '^[-+][^-+]' "$work/digest.diff" | awk '{ print $1 }' | sort -u
    exit 1
fi
