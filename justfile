set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes
default:
    @just --list --unsorted

# Run the main job on the embedded default data (release build): a release in reports/releases/, linked as reports/current
[group('run')]
report *args:
    cargo run --release --locked -- report {{ args }}

# The nightly job, as the scheduler runs it (jobs/nightly.toml)
[group('run')]
nightly *args:
    cargo run --release --locked -- run jobs/nightly.toml {{ args }}

# Publish a checked release at or after its release time: just publish RUN_ID [--correction "what and why"]
[group('run')]
publish run_id *args:
    cargo run --release --locked -- publish {{ run_id }} {{ args }}

# Run the nightly job for past quarters, skipping complete ones: just backfill 2025-26-Q1 2025-26-Q4 [--dry-run]
[group('run')]
backfill from to *args:
    cargo run --release --locked -- backfill --job jobs/nightly.toml --from {{ from }} --to {{ to }} {{ args }}

# Score a NOF data file: just score FILE OUT [--quarter "Q3 2025/26"] [--cut-points a,b,c]
[group('run')]
score file out *args:
    cargo run --release --locked -- score --nof-data {{ file }} --out {{ out }} {{ args }}

# Check input files without scoring: just validate FILE... [--quarantine q.csv]
[group('run')]
validate *args:
    cargo run --release --locked -- validate {{ args }}

# Rebuild data/default/ from the real sources in data/sources/ (see data/default/recipe.toml)
[group('run')]
build-dataset:
    cargo run --release --locked -- build-dataset

# Write synthetic record-level extracts (release build with record-level support): just generate-records --year 2025-26 --scale 0.01 --seed 1 --out DIR
[group('records')]
generate-records *args:
    cargo run --release --locked --features records -- generate records {{ args }}

# Aggregate record-level extracts into metric values: just aggregate --records DIR --out FILE [--by month]
[group('records')]
aggregate *args:
    cargo run --release --locked --features records -- aggregate {{ args }}

# The nightly job with record-level support built in, for a job file with `[inputs] records`: just nightly-records JOB
[group('records')]
nightly-records job *args:
    cargo run --release --locked --features records -- run {{ job }} {{ args }}

# Every benchmark (release builds)
[group('bench')]
bench: bench-ingest bench-pack bench-letters bench-site bench-scale bench-records

# Time writing the whole national pack (workbook, PDF, CSV, Parquet)
[group('bench')]
bench-pack:
    cargo bench --locked --bench national_pack

# Time rendering every trust's letter and board workbook (205 trusts, in parallel)
[group('bench')]
bench-letters:
    cargo bench --locked --bench letters

# Time writing the whole web edition (site/) and report its size
[group('bench')]
bench-site:
    cargo bench --locked --bench site

# Preview a release's site on 127.0.0.1: just serve [DIR] [--port N]
[group('run')]
serve *args:
    cargo run --release --locked -- serve {{ args }}

# Time scoring synthetic national datasets of made-up trusts (615 and 6,000 trusts)
[group('bench')]
bench-scale:
    cargo bench --locked --bench scale

# Time ingesting every real data file (default ../shared/data/real, else data/)
[group('bench')]
bench-ingest *dir:
    cargo bench --locked -p league-ingest --bench ingest_real -- {{ dir }}

# Aggregate 10M, 30M and 100M generated A&E records with league, DuckDB and Python polars (installed into target/bench-records/venv), and time the nightly job on a national year of records; writes docs/benchmarks.md
[group('bench')]
bench-records *args:
    python3 benches/records/bench.py {{ args }}

# Time the README's main command built from an empty target directory (adds to docs/benchmarks.md)
[group('bench')]
bench-build:
    python3 benches/records/bench.py --cold-build

# Run every test (the command CI runs)
[group('dev')]
test *args:
    cargo test --workspace --locked {{ args }}

# Formatting, lints and tests, as CI does
[group('dev')]
ci:
    bash .ci/run
