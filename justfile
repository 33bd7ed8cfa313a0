set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes
default:
    @just --list --unsorted

# Run the main job on the embedded default data (release build), writing to reports/
[group('run')]
report *args:
    cargo run --release --locked -- report {{ args }}

# Score a NOF data file: just score FILE OUT [--quarter "Q3 2025/26"] [--cut-points a,b,c]
[group('run')]
score file out *args:
    cargo run --release --locked -- score --nof-data {{ file }} --out {{ out }} {{ args }}

# Run every test (the command CI runs)
[group('dev')]
test *args:
    cargo test --workspace --locked {{ args }}

# Formatting, lints and tests, as CI does
[group('dev')]
ci:
    bash .ci/run
