#!/usr/bin/env python3
"""`just bench-records`: record-level aggregation at national scale, our binary against DuckDB
and Python polars on the same Parquet files, and the nightly job on a national year of records.

Writes docs/benchmarks.md (the machine, the versions, and the measured tables). Every figure in
that file comes from this script; run it again to reproduce them.

  bench.py [--sizes 10000000,30000000,100000000] [--runs 5] [--nightly-runs 3] [--no-nightly]
  bench.py --cold-build     # time the README's main command from an empty target directory

Extracts are generated once into target/bench-records/ and reused (delete it to regenerate).
Timings are wall-clock seconds of the whole command (interpreter start and imports included
for the Python tools; their import times are measured and reported too), peak RSS from wait4,
with the files in the page cache (one untimed warm-up run per tool and size).
"""
import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "target" / "bench-records"
VENV = WORK / "venv"
LEAGUE = ROOT / "target" / "release" / "league"
HERE = Path(__file__).resolve().parent
SEED = 2025


def log(msg):
    print(f"[bench-records] {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    log(" ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def measure(cmd, env=None):
    """(wall seconds, peak RSS bytes) of one command."""
    import tempfile
    with open(os.devnull, "wb") as null, tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen([str(c) for c in cmd], stdout=null, stderr=errf, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read().decode(errors="replace")[-4000:]
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{err}")
    return wall, ru.ru_maxrss * 1024


def venv_python():
    py = VENV / "bin" / "python"
    req = (HERE / "requirements.txt").read_text()
    stamp = VENV / ".requirements"
    if not py.exists() or not stamp.exists() or stamp.read_text() != req:
        log("installing DuckDB and Python polars into a local virtual environment")
        if VENV.exists():
            shutil.rmtree(VENV)
        run([sys.executable, "-m", "venv", VENV])
        run([py, "-m", "pip", "install", "-q", "-r", HERE / "requirements.txt"])
        stamp.write_text(req)
    return py


def versions(py):
    out = subprocess.run(
        [py, "-c", "import duckdb, polars, sys; print(duckdb.__version__, polars.__version__, sys.version.split()[0])"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    return {"duckdb": out[0], "python_polars": out[1], "python": out[2]}


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next(
        (int(l.split()[1]) // 1024 // 1024 for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")),
        0,
    )
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem,
        "kernel": platform.release(),
        "rustc": rustc,
        "commit": commit + ("-dirty" if dirty else ""),
        "date": dt.date.today().isoformat(),
    }


def bounds_csv():
    """London civil month bounds of 2025-26, in UTC microseconds."""
    path = WORK / "bounds-2025-26.csv"
    london = ZoneInfo("Europe/London")
    rows = []
    y, m = 2025, 4
    for _ in range(12):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        a = dt.datetime(y, m, 1, tzinfo=london).timestamp()
        b = dt.datetime(ny, nm, 1, tzinfo=london).timestamp()
        rows.append((f"{y:04}-{m:02}", int(a) * 1_000_000, int(b) * 1_000_000))
        y, m = ny, nm
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["month", "m0", "m1"])
        w.writerows(rows)
    return path


def generate(name, scale, datasets):
    out = WORK / name
    done = out / ".complete"
    want = f"scale={scale} seed={SEED} datasets={datasets}"
    if done.exists() and done.read_text() == want:
        return out
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    run([LEAGUE, "generate", "records", "--year", "2025-26", "--scale", scale, "--seed", SEED,
         "--datasets", datasets, "--out", out], stdout=subprocess.DEVNULL)
    log(f"generated {name} in {time.perf_counter() - t0:.1f} s")
    done.write_text(want)
    return out


def count_rows(py, root, dataset):
    code = (
        "import polars as pl, sys; "
        f"print(pl.scan_parquet(sys.argv[1] + '/{dataset}/**/*.parquet').select(pl.len()).collect().item())"
    )
    return int(subprocess.run([py, "-c", code, str(root)], check=True, capture_output=True, text=True).stdout)


def size_of(root):
    return sum(f.stat().st_size for f in root.rglob("*.parquet"))


def groups(path):
    """(month, org) -> [n, within 4 h, type-1 n, type-1 over 12 h] over records passing every check."""
    out = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            if int(r["reason"]) != 0:
                continue
            c = out.setdefault((r["month"], r["org_code"]), [0, 0, 0, 0])
            n, a, b = int(r["n"]), int(r["a"]), int(r["b"])
            c[0] += n
            c[1] += a
            if r["kind"] == "1":
                c[2] += n
                c[3] += b
    return out


def agree(ours, theirs, tool):
    """Every value our binary wrote is the one the other tool's groups give."""
    g = groups(theirs)
    checked = 0
    with open(ours) as f:
        for r in csv.DictReader(f):
            c = g.get((r["period"], r["org_code"]))
            if c is None:
                sys.exit(f"{tool} has no group for {r['period']} {r['org_code']}")
            if r["metric_id"] == "OF0013":
                want = 100 * c[1] / c[0]
            elif r["metric_id"] == "OF0014":
                want = 100 * c[3] / c[2]
            else:
                continue
            if abs(float(r["value"]) - want) > 0.005 + 1e-9:  # league writes 2 decimal places
                sys.exit(f"{tool} disagrees: {r} vs {want}")
            checked += 1
    return checked


def bench_sizes(py, sizes, runs, bounds):
    probe = generate("probe", "0.01", "ae")
    per_scale = count_rows(py, probe, "ae") / 0.01
    log(f"a national A&E year at scale 1.0 is {per_scale:,.0f} records")
    results = []
    tmp = WORK / "out"
    tmp.mkdir(exist_ok=True)
    for target in sizes:
        scale = f"{target / per_scale:.4f}"
        root = generate(f"ae-{target}", scale, "ae")
        rows = count_rows(py, root, "ae")
        tools = {
            "league": [LEAGUE, "aggregate", "--records", root, "--by", "month", "--out", tmp / "league.csv"],
            "duckdb": [py, HERE / "duckdb_ae.py", root, tmp / "duckdb.csv", bounds],
            "polars": [py, HERE / "polars_ae.py", root, tmp / "polars.csv", bounds],
        }
        env = dict(os.environ, RUST_LOG="warn")
        for name, cmd in tools.items():
            measure(cmd, env)  # warm-up: files into the page cache
        checked = agree(tmp / "league.csv", tmp / "duckdb.csv", "DuckDB")
        agree(tmp / "league.csv", tmp / "polars.csv", "polars")
        times = {n: [] for n in tools}
        for i in range(runs):
            for name, cmd in tools.items():
                times[name].append(measure(cmd, env))
            log(f"{rows:,} rows, run {i + 1}/{runs}: " + ", ".join(f"{n} {t[-1][0]:.2f} s" for n, t in times.items()))
        results.append({
            "target": target,
            "rows": rows,
            "scale": scale,
            "bytes": size_of(root),
            "values_checked": checked,
            "median_s": {n: statistics.median(w for w, _ in t) for n, t in times.items()},
            "runs_s": {n: [round(w, 3) for w, _ in t] for n, t in times.items()},
            "peak_rss": {n: max(r for _, r in t) for n, t in times.items()},
        })
    imports = {}
    for name, code in [("python", "pass"), ("duckdb", "import duckdb"), ("polars", "import polars")]:
        imports[name] = statistics.median(measure([py, "-c", code])[0] for _ in range(5))
    return results, imports


JOB = """# Written by benches/records/bench.py: the nightly job on a national year of records.
[job]
name = "nightly-records"
description = "Nightly job on record-level extracts (synthetic, for the benchmark)"
methodology = "nof-2025-26"
period = "2025-26-Q1"
out = "out-nightly"
outputs = ["tables", "national-packs", "trust-documents"]

[inputs]
records = "{records}"

[schedule]
cron = "0 2 * * *"
timezone = "Europe/London"
timeout_minutes = 30

[release]
time = "09:30"
timezone = "Europe/London"
"""


def bench_nightly(py, runs):
    root = generate("national-year", "1.0", "ae,ambulance")
    rows = count_rows(py, root, "ae") + count_rows(py, root, "ambulance")
    job = WORK / "nightly-records.toml"
    job.write_text(JOB.format(records=root))
    walls = []
    peak = 0
    env = dict(os.environ, RUST_LOG="warn")
    for i in range(runs + 1):
        out = WORK / "out-nightly"
        if out.exists():
            shutil.rmtree(out)
        w, r = measure([LEAGUE, "run", job, "--out", out], env)
        if i > 0:  # the first is the warm-up
            walls.append(w)
            peak = max(peak, r)
            log(f"nightly on {rows:,} records, run {i}/{runs}: {w:.1f} s")
    current = WORK / "out-nightly" / "current"
    outputs = sum(1 for f in current.rglob("*") if f.is_file())
    return {"rows": rows, "bytes": size_of(root), "median_s": statistics.median(walls),
            "runs_s": [round(w, 2) for w in walls], "peak_rss": peak, "outputs": outputs}


def cold_build():
    # With no release build yet, the project's own target/release is cold (no profile shares
    # its artifacts) and is kept; otherwise a scratch target directory is built and removed.
    keep = not (ROOT / "target" / "release").exists()
    target = ROOT / "target" if keep else WORK / "cold-target"
    if not keep and target.exists():
        shutil.rmtree(target)
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    run(["cargo", "fetch", "--locked"], cwd=ROOT)
    log(f"cold release build into {target}")
    t0 = time.perf_counter()
    # --timings writes cargo's report of where the time went (per crate, the critical path).
    p = subprocess.run(["cargo", "build", "--release", "--locked", "--timings"], env=env, cwd=ROOT)
    w, r = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    if p.returncode != 0:
        sys.exit("the release build failed")
    report = WORK / "cold-build-timings.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target / "cargo-timings" / "cargo-timing.html", report)
    log(f"cargo's timing report: {report}")
    if not keep:
        shutil.rmtree(target)
    lto = release_lto()
    res = {"wall_s": w, "peak_rss": r, "date": dt.date.today().isoformat(), **machine(), "lto": lto}
    # The doc's table is the record of every cold build; this one is added to it.
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    head, cold = split_cold(text)
    row = (f"| {res['date']} | {res['commit']} | {lto} | default (record-level support off) | "
           f"{w / 60:.1f} min | {gib(r)} | {res['cores']} cores, {res['cpu']} |")
    doc.write_text(head + "\n".join(cold + [row]) + "\n")
    log("added the cold build to docs/benchmarks.md")
    return res


COLD_HEADING = "## Cold build of the main command"


def split_cold(text):
    """The doc before its cold-build section, and that section's lines (a fresh header if none)."""
    if COLD_HEADING in text:
        i = text.index(COLD_HEADING)
        return text[:i], text[i:].rstrip("\n").split("\n")
    return text.rstrip("\n") + "\n\n", [
        COLD_HEADING, "",
        "`cargo build --release --locked` into an empty target directory, crates already downloaded",
        "(`cargo fetch`), as `cargo run --release --locked -- report` first builds it. Target: under",
        "10 minutes. Peak RSS is the largest compiler process.", "",
        "| date | commit | release `lto` | features | wall | peak RSS | machine |",
        "|---|---|---|---|---:|---:|---|"]


def release_lto():
    return next((l.split("=", 1)[1].strip() for l in (ROOT / "Cargo.toml").read_text().splitlines()
                 if l.startswith("lto")), "default")


def gib(b):
    return f"{b / 2**30:.2f} GiB"


def mib(b):
    return f"{b / 2**20:,.0f} MiB"


def write_doc(m, v, results, imports, nightly):
    path = ROOT / "docs" / "benchmarks.md"
    _, cold = split_cold(path.read_text() if path.exists() else "")
    doc = ["# Benchmarks", "",
           "Every figure here was measured by `just bench-records` (`benches/records/bench.py`) and, for",
           "the cold build, `just bench-build`; run them again to reproduce. Other benchmarks (`just",
           "bench`) print their results and are described in the README.", "",
           "## Machine and versions", "",
           f"- {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}; measured {m['date']}",
           f"- league-tables at commit {m['commit']}, {m['rustc']}, polars crate 0.55.2 (release profile, `lto = {release_lto()}`)",
           f"- DuckDB {v['duckdb']} and Python polars {v['python_polars']} on Python {v['python']}, from PyPI into `target/bench-records/venv`",
           "", "## Record-level A&E aggregation", "",
           "The same aggregation in each tool, on the same generated Parquet files (A&E attendances for",
           "2025-26, partitioned by month, Snappy): every record checked (nulls, department type, arrival",
           "in its London month, departure not before arrival), then grouped by month, organisation,",
           "check and department type, counting records, those within 4 hours and those over 12 hours.",
           "`league aggregate --by month` then resolves organisations against the trust register, applies",
           "the disclosure rule and writes the metric values; the Python tools write their groups. Before",
           "timing, the script checks that every value `league` wrote equals the one DuckDB's and polars'",
           "groups give. Wall time of the whole command, median of "
           f"{len(next(iter(results))['runs_s']['league']) if results else 0} runs (files in the page cache); peak RSS is the largest of the runs.",
           "",
           "| records | Parquet | league | DuckDB | Python polars | league / DuckDB | league / polars | league peak RSS | DuckDB peak RSS | polars peak RSS |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        t, p = r["median_s"], r["peak_rss"]
        doc.append(
            f"| {r['rows']:,} | {mib(r['bytes'])} | {t['league']:.2f} s | {t['duckdb']:.2f} s | {t['polars']:.2f} s | "
            f"{t['league'] / t['duckdb']:.2f} | {t['league'] / t['polars']:.2f} | {mib(p['league'])} | {mib(p['duckdb'])} | {mib(p['polars'])} |")
    if results:
        doc += ["", "Throughput (records per second, from the medians):", "",
                "| records | league | DuckDB | Python polars |", "|---:|---:|---:|---:|"]
        for r in results:
            t = r["median_s"]
            doc.append(f"| {r['rows']:,} | {r['rows'] / t['league'] / 1e6:.1f} M/s | {r['rows'] / t['duckdb'] / 1e6:.1f} M/s | {r['rows'] / t['polars'] / 1e6:.1f} M/s |")
        first, last = results[0], results[-1]
        growth = {n: last["median_s"][n] / first["median_s"][n] for n in first["median_s"]}
        doc += ["", f"From {first['rows']:,} to {last['rows']:,} records ({last['rows'] / first['rows']:.1f} times as many), "
                "time grew " + ", ".join(f"{n} {g:.1f} times" for n, g in growth.items()) + ".",
                "", "Start-up included in the Python tools' times (median of 5): "
                + ", ".join(f"`{n}` {s:.2f} s" for n, s in [("python -c pass", imports["python"]), ("import duckdb", imports["duckdb"]), ("import polars", imports["polars"])]) + ".",
                "", "All runs (seconds):", ""]
        for r in results:
            doc.append(f"- {r['rows']:,} records: " + "; ".join(f"{n} {', '.join(map(str, w))}" for n, w in r["runs_s"].items()))
        targets = last["median_s"]
        lr, dr = last["runs_s"]["league"], last["runs_s"]["duckdb"]
        overlap = min(lr) <= max(dr) and min(dr) <= max(lr)
        doc += ["", "Targets (issue 13) at the largest size: faster than DuckDB: "
                + ("**met**" if targets["league"] < targets["duckdb"] else "**not met**")
                + f" by the medians ({targets['league']:.2f} s against {targets['duckdb']:.2f} s"
                + (f"; the runs overlap, league {min(lr):.2f}–{max(lr):.2f} s and DuckDB {min(dr):.2f}–{max(dr):.2f} s, so this is parity within run-to-run noise" if overlap else "")
                + "); peak memory under 4 GiB: "
                + ("**met**" if last["peak_rss"]["league"] < 4 * 2**30 else "**not met**")
                + f" ({gib(last['peak_rss']['league'])}); time linear in records: time per record "
                + f"{first['median_s']['league'] / first['rows'] * 1e9:.1f} ns at {first['rows']:,}, {last['median_s']['league'] / last['rows'] * 1e9:.1f} ns at {last['rows']:,}."]
    if nightly:
        doc += ["", "## The nightly job on a national year of records", "",
                "`league run` on a job whose input is one national year of generated records (A&E and",
                "ambulance at scale 1.0; the default dataset supplies the other metrics, and the records'",
                "values replace those trusts' published A&E and ambulance values), Q1 2025/26, every",
                "output (tables, national packs, 205 letters and board workbooks), checked and promoted.",
                "",
                "| records | Parquet | median wall | runs | peak RSS | files in the release |",
                "|---:|---:|---:|---|---:|---:|",
                f"| {nightly['rows']:,} | {mib(nightly['bytes'])} | {nightly['median_s']:.1f} s | {', '.join(map(str, nightly['runs_s']))} | {mib(nightly['peak_rss'])} | {nightly['outputs']} |",
                "",
                "RTT pathways are not in this job: the RTT panel the generator is calibrated to counts",
                "about 14 million incomplete pathways a month, about twice NHS England's national list, so a",
                "full-scale RTT year (168 million snapshot rows) would measure the panel's double count."]
    doc += [""] + cold
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(doc) + "\n")
    log("wrote docs/benchmarks.md")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000000,30000000,100000000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--nightly-runs", type=int, default=3)
    ap.add_argument("--no-nightly", action="store_true")
    ap.add_argument("--cold-build", action="store_true")
    ap.add_argument("--doc-only", action="store_true", help="rewrite docs/benchmarks.md from the last results")
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if a.doc_only:
        s = json.loads((WORK / "results.json").read_text())
        write_doc(s["machine"], s["versions"], s["results"], s["imports"], s["nightly"])
        return
    if a.cold_build:
        res = cold_build()
        log(f"cold release build: {res['wall_s'] / 60:.1f} minutes")
        return
    # Record-level support is a cargo feature, off in the main command's build.
    run(["cargo", "build", "--release", "--locked", "--features", "records"], cwd=ROOT)
    py = venv_python()
    v = versions(py)
    m = machine()
    bounds = bounds_csv()
    results, imports = bench_sizes(py, [int(s) for s in a.sizes.split(",")], a.runs, bounds)
    nightly = None if a.no_nightly else bench_nightly(py, a.nightly_runs)
    (WORK / "results.json").write_text(json.dumps(
        {"machine": m, "versions": v, "results": results, "imports": imports, "nightly": nightly}, indent=2))
    write_doc(m, v, results, imports, nightly)


if __name__ == "__main__":
    main()
