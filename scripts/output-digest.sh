#!/usr/bin/env bash
# Runs one `league` binary over the four output sets a restructuring must leave unchanged and
# prints one line per written file: "<set>/<path> <sha256>", sorted. Two binaries' digests are
# compared with `diff` (scripts/compare-outputs.sh does both and says which files differ).
#
# The sets: the default run (`league report` on the embedded default data); `league score` and
# `league report` on NHS England's Q1-Q3 2025/26 mental health and community NOF file; a
# `league run jobs/nightly.toml` run. Every run gets the same release date, so the documents do
# not depend on the day the script runs; the nightly job's release date is its own (the run's
# date), so compare two binaries on the same day.
#
# Usage: scripts/output-digest.sh BINARY WORKDIR
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "$1")"
work="$2"
shared_nof="${LEAGUE_MH_NOF:-$here/../shared/data/real/nof/nof_mh_community_2025_26_q1_to_q3_data.csv}"
release_date="2026-05-11"

rm -rf "$work"
mkdir -p "$work"
cd "$here"

"$bin" report --out "$work/default" --release-date "$release_date" >"$work/default.log" 2>&1
"$bin" score --nof-data "$shared_nof" --out "$work/mh-score" --release-date "$release_date" \
    >"$work/mh-score.log" 2>&1
"$bin" report --input "$shared_nof" --out "$work/mh-report" --release-date "$release_date" \
    >"$work/mh-report.log" 2>&1
"$bin" run jobs/nightly.toml --out "$work/nightly" >"$work/nightly.log" 2>&1

# Every file of each set's current release (what a reader receives); logs and the run history
# hold times and are not outputs. The manifest is compared without the facts of the run and the
# build (its start and finish, each stage's seconds, the commit and Cargo.lock built, and the
# run id's hash, which covers both), which differ between any two builds; every other field,
# including each output's hash, must match. No other output holds the run id (the digest
# would show it).
for set in default mh-score mh-report nightly; do
    release="$(realpath "$work/$set/current")"
    (cd "$release" && find . -type f ! -name manifest.json -print0 | sort -z | xargs -0 sha256sum) |
        awk -v set="$set" '{ path = $2; sub(/^\.\//, "", path); print set "/" path " " $1 }'
    python3 - "$release/manifest.json" "$set" <<'PY'
import hashlib, json, sys
manifest = json.load(open(sys.argv[1]))
for run_fact in ("started", "finished", "stages", "git_commit", "cargo_lock_sha256"):
    manifest.pop(run_fact, None)
manifest["run_id"] = manifest["run_id"].rsplit("-", 1)[0] + "-<hash>"
text = json.dumps(manifest, sort_keys=True).encode()
print(f"{sys.argv[2]}/manifest.json (without run and build facts) {hashlib.sha256(text).hexdigest()}")
PY
done | sort
