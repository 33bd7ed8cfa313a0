//! Helpers: run the binary, read CSVs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn league(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_league"))
        .args(args)
        .current_dir(root())
        .env("RUST_LOG", "warn")
        .output()
        .expect("the league binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Rows of a CSV as header → value maps (a UTF-8 BOM is tolerated).
pub fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().expect("header").clone();
    rdr.records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// Every file under `root`, at any depth, relative to it, sorted.
pub fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("ls") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p.strip_prefix(root).expect("inside").to_path_buf());
            }
        }
    }
    files.sort();
    files
}

pub fn num(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|_| panic!("{s:?} is not a number"))
}

/// A successful run of a `league` command into a fresh temporary output root.
pub struct Report {
    _dir: tempfile::TempDir,
    /// The release the run made current (`<root>/current`).
    pub out: PathBuf,
    /// The output root (`--out`).
    pub root: PathBuf,
}

/// Runs `league COMMAND --replicates 200 --out <tmp> ARGS…` and asserts it succeeded.
fn run(command: &[&str], args: &[&str]) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("reports");
    let out = root.join("current");
    let mut all = command.to_vec();
    all.extend(["--replicates", "200", "--out", root.to_str().expect("utf8")]);
    all.extend_from_slice(args);
    let o = league(&all);
    assert!(
        o.status.success(),
        "league {command:?} failed: {}",
        stderr(&o)
    );
    Report {
        _dir: dir,
        out,
        root,
    }
}

/// True when nothing was released under the output root `out`: no `current` link and no
/// release (a failed run leaves only its lock file, log and outcome line).
pub fn released_nothing(out: &Path) -> bool {
    let releases = out.join("releases");
    std::fs::symlink_metadata(out.join("current")).is_err()
        && (!releases.exists() || std::fs::read_dir(&releases).expect("ls").next().is_none())
}

/// `league report` on the embedded default data (plus ARGS).
pub fn report(args: &[&str]) -> Report {
    run(&["report"], args)
}

/// `league score --nof-data INPUT` (plus ARGS).
pub fn score(input: &Path, args: &[&str]) -> Report {
    run(
        &["score", "--nof-data", input.to_str().expect("utf8")],
        args,
    )
}

/// The shipped methodology, trust register and validation thresholds.
pub fn methodology() -> league_model::Methodology {
    let text = std::fs::read_to_string(root().join("data/methodology/nof-2025-26.toml"))
        .expect("methodology");
    league_model::Methodology::from_toml("nof-2025-26.toml", &text).expect("valid methodology")
}

/// See [`methodology`].
pub fn register() -> league_ingest::TrustRegister {
    let data = root().join("data");
    league_ingest::TrustRegister::load(
        &data.join("reference/trusts_reference.csv"),
        Some(&data.join("reference/ods_etr_trusts.csv")),
    )
    .expect("register")
}

/// See [`methodology`].
pub fn thresholds() -> league_ingest::Thresholds {
    let text = std::fs::read_to_string(root().join("data/validation/thresholds.toml"))
        .expect("thresholds");
    league_ingest::Thresholds::from_toml("thresholds.toml", &text).expect("thresholds")
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("ls") {
        let e = e.expect("entry");
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// 1 GiB, in the KiB `ulimit -v` takes.
const ONE_GIB_KIB: u64 = 1 << 20;

/// `league ARGS` under the memory limit (`ulimit -v`), and under `timeout` so a run that
/// hangs is killed after 60 s (and the test then fails on its exit).
pub fn league_limited(args: &[&str]) -> Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ONE_GIB_KIB}; exec timeout -s KILL 60 \"$@\""
        ))
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_league"))
        .args(args)
        .current_dir(root())
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("sh runs")
}

/// A copy of `data/` whose `validation/thresholds.toml` has each `(from, to)` text replaced
/// (e.g. to allow missing trusts), for runs that need other thresholds.
pub fn data_with_thresholds(replacements: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&root().join("data"), dir.path());
    let t = dir.path().join("validation/thresholds.toml");
    let mut text = std::fs::read_to_string(&t).expect("thresholds");
    for (from, to) in replacements {
        assert!(text.contains(from), "thresholds.toml has {from:?}");
        text = text.replace(from, to);
    }
    std::fs::write(&t, text).expect("write");
    dir
}

/// One `league report` on the default data, shared by every test that only reads it.
pub fn default_report() -> &'static Report {
    static RUN: std::sync::OnceLock<Report> = std::sync::OnceLock::new();
    RUN.get_or_init(|| report(&[]))
}
