//! Scheduled jobs, releases and publication (issue 12): crash safety at every stage, the lock,
//! inputs changed mid-run, release-time publication, corrections, backfill, job files, the
//! manifest schema, the history store, logs, the scheduler units and an installed binary.

use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{data_with_thresholds, read_csv, released_nothing, root, stderr};

/// `league ARGS` with extra environment variables, from the repository root.
fn league_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_league"));
    c.args(args).current_dir(root()).env("RUST_LOG", "warn");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("the league binary runs")
}

/// A fast run: tables only, 100 replicates, into `out`, with `seed` (a different seed is a
/// different release), released on a past Monday so that it may be published now.
pub(crate) fn tables_args(out: &Path, seed: u32) -> Vec<String> {
    tables_args_on(out, seed, "2026-11-23")
}

/// [`tables_args`] with the release date `date` (YYYY-MM-DD).
fn tables_args_on(out: &Path, seed: u32, date: &str) -> Vec<String> {
    [
        "report",
        "--outputs",
        "tables",
        "--replicates",
        "100",
        "--seed",
        &seed.to_string(),
        "--release-date",
        date,
        "--out",
        out.to_str().expect("utf8"),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Asserts the run exited with `code` and said `text` on standard error.
fn assert_fails(o: &Output, code: i32, text: &str) {
    assert_eq!(o.status.code(), Some(code), "{}", stderr(o));
    assert!(stderr(o).contains(text), "{text:?} not in: {}", stderr(o));
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// The release `current` names under `out`.
pub(crate) fn current_id(out: &Path) -> Option<String> {
    let t = std::fs::read_link(out.join("current")).ok()?;
    Some(t.file_name()?.to_string_lossy().into_owned())
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).expect("manifest"))
        .expect("JSON")
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A whole release: a checked manifest whose every listed output has its hash, and no file
/// it does not list.
fn assert_whole(dir: &Path) {
    let m = manifest(dir);
    assert_eq!(m["status"], "checked", "{}", dir.display());
    let mut listed: Vec<PathBuf> = Vec::new();
    for o in m["outputs"].as_array().expect("outputs") {
        let rel = o["path"].as_str().expect("path");
        let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(o["sha256"], sha256(&bytes), "{rel}");
        listed.push(rel.into());
    }
    listed.push("manifest.json".into());
    listed.sort();
    let mut found = crate::util::files_under(dir);
    found.retain(|f| {
        f != Path::new("correction-notice.txt") && f != Path::new("pre-release-access.csv")
    });
    assert_eq!(found, listed, "{}: exactly the listed files", dir.display());
}

/// Entries a dead run may leave at the top of an output root.
fn leftovers(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".staging-") || n.starts_with(".current-"))
        .collect()
}

/// Every `.staging-*` (or `.current-*`) entry anywhere under `dir`.
fn staging_anywhere(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir)
        .expect("ls")
        .map(|e| e.expect("entry"))
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".staging-") || name.starts_with(".current-") {
            found.push(e.path());
        } else if e.file_type().expect("type").is_dir() {
            found.extend(staging_anywhere(&e.path()));
        }
    }
    found
}

/// What must hold of an output root once a run has finished after any kill: `current` names
/// the release of the last complete run; every release is one a run completed; `league
/// history` finds the store equal to a rebuild from the releases; `league check` passes on
/// `current` and on `published/` if anything is published; no staging file remains anywhere.
fn assert_root_agrees(out: &Path, point: &str) {
    let outcomes: Vec<serde_json::Value> = std::fs::read_to_string(out.join("run-history.jsonl"))
        .expect("run-history.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let complete: Vec<&str> = outcomes
        .iter()
        .filter(|v| v["status"] == "complete")
        .filter_map(|v| v["run_id"].as_str())
        .collect();
    assert_eq!(
        current_id(out).as_deref(),
        complete.last().copied(),
        "{point}: current is the last complete run's release"
    );
    for e in std::fs::read_dir(out.join("releases")).expect("ls") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(
            complete.contains(&name.as_str()),
            "{point}: {name} was never completed"
        );
    }
    let o = league_env(&["history", "--out", out.to_str().expect("utf8")], &[]);
    assert!(
        o.status.success(),
        "{point}: league history: {}",
        stderr(&o)
    );
    for dir in [out.to_path_buf(), out.join("published")] {
        if dir.join("current").exists() || dir == out {
            let o = league_env(&["check", dir.to_str().expect("utf8")], &[]);
            assert!(
                o.status.success(),
                "{point}: check {}: {}",
                dir.display(),
                stderr(&o)
            );
        }
    }
    assert_eq!(staging_anywhere(out), Vec::<PathBuf>::new(), "{point}");
}

#[test]
fn kill_9_at_every_stage_and_promotion_step_leaves_a_whole_current_release() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let o = league_env(&strs(&tables_args(&out, 1)), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let first = current_id(&out).expect("current");
    let mut previous = first.clone();
    let points: Vec<&str> = league_cli::FAULT_POINTS
        .iter()
        .copied()
        .filter(|p| !p.starts_with("publish:"))
        .collect();
    assert!(points.len() >= 12, "{points:?}");
    for (i, point) in points.iter().enumerate() {
        let args = tables_args(&out, 100 + i as u32);
        let o = league_env(&strs(&args), &[("LEAGUE_KILL_AT", point)]);
        assert_eq!(
            o.status.signal(),
            Some(9),
            "{point}: killed by SIGKILL: {}",
            stderr(&o)
        );
        // Readers still see one whole release: the previous one, or the new one once the
        // link was swapped.
        let now = current_id(&out).expect("current survives");
        if *point != "promote:swapped" {
            assert_eq!(
                now, previous,
                "{point}: current still names the previous release"
            );
        }
        assert_whole(&out.join("current"));
        // The next run, another release (the killed run's is not simply made again),
        // recovers what the dead run left (completing a committed run, rolling back an
        // uncommitted one) and makes its own release current.
        let o = league_env(&strs(&tables_args(&out, 1000 + i as u32)), &[]);
        assert!(o.status.success(), "{point}: the next run: {}", stderr(&o));
        assert!(leftovers(&out).is_empty(), "{point}: {:?}", leftovers(&out));
        let id = current_id(&out).expect("current");
        assert_ne!(id, previous, "{point}: a new release");
        assert_whole(&out.join("current"));
        assert_root_agrees(&out, point);
        previous = id;
    }
    // Every release in the root is whole, the first included.
    for e in std::fs::read_dir(out.join("releases")).expect("ls") {
        assert_whole(&e.expect("entry").path());
    }
    assert!(out.join("releases").join(&first).is_dir());
}

#[test]
fn kill_9_during_publication_leaves_the_published_release_whole_and_publishing_again_finishes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let o = league_env(&strs(&tables_args(&out, 1)), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = current_id(&out).expect("current");
    let published = out.join("published");
    let publish = |env: &[(&str, &str)]| {
        league_env(&["publish", &id, "--out", out.to_str().expect("utf8")], env)
    };
    for point in league_cli::FAULT_POINTS
        .iter()
        .filter(|p| p.starts_with("publish:"))
    {
        let o = publish(&[("LEAGUE_KILL_AT", point)]);
        assert_eq!(o.status.signal(), Some(9), "{point}: {}", stderr(&o));
        if let Some(c) = current_id(&published) {
            assert_eq!(c, id);
            assert_whole(&published.join("current"));
        }
        assert!(
            !published.join("revisions.csv").exists(),
            "{point}: not recorded as published"
        );
        // Clear the way for the next point: the interrupted copy is finished by a publish.
        let o = publish(&[]);
        assert!(
            o.status.success(),
            "{point}: publishing again: {}",
            stderr(&o)
        );
        assert_eq!(current_id(&published).as_deref(), Some(id.as_str()));
        assert_whole(&published.join("current"));
        assert!(leftovers(&published).is_empty(), "{point}");
        let log = read_csv(&published.join("revisions.csv"));
        assert_eq!(log.len(), 1, "{point}: one revision line");
        assert_eq!(log[0]["run_id"], id);
        assert_root_agrees(&out, point);
        std::fs::remove_dir_all(&published).expect("reset");
    }
}

/// Spawns `league ARGS` paused at `point` (it creates `pause` and waits until it is removed).
fn spawn_paused(args: &[String], point: &str, pause: &Path) -> std::process::Child {
    let child = Command::new(env!("CARGO_BIN_EXE_league"))
        .args(args)
        .current_dir(root())
        .env("RUST_LOG", "warn")
        .env("LEAGUE_PAUSE_AT", point)
        .env("LEAGUE_PAUSE_FILE", pause)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("league runs");
    let start = std::time::Instant::now();
    while !pause.exists() {
        assert!(
            start.elapsed().as_secs() < 60,
            "the run never reached {point}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

#[test]
fn of_two_concurrent_runs_exactly_one_proceeds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let pause = dir.path().join("paused");
    let first = spawn_paused(&tables_args(&out, 1), "after-lock", &pause);
    // The first holds the lock: the second stops at once, exit 7, writing nothing.
    let o = league_env(&strs(&tables_args(&out, 2)), &[]);
    assert_fails(&o, 7, "another league run is writing to");
    std::fs::remove_file(&pause).expect("resume");
    let o = first.wait_with_output().expect("first ends");
    assert!(o.status.success(), "{}", stderr(&o));
    let releases: Vec<_> = std::fs::read_dir(out.join("releases"))
        .expect("ls")
        .collect();
    assert_eq!(releases.len(), 1, "only the first run made a release");
}

#[test]
fn an_input_changed_after_it_was_hashed_fails_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let input = dir.path().join("input.csv");
    std::fs::copy(
        root().join("data/default/nof_2025_26_q1_national.csv"),
        &input,
    )
    .expect("copy");
    let pause = dir.path().join("paused");
    let mut args = tables_args(&out, 1);
    args.extend(["--input".to_owned(), input.display().to_string()]);
    let run = spawn_paused(&args, "after-ingest", &pause);
    // Another process rewrites the file while the run is between reading and publishing.
    let text = std::fs::read_to_string(&input).expect("read");
    std::fs::write(&input, text.replacen("published", "publishes", 1)).expect("write");
    std::fs::remove_file(&pause).expect("resume");
    let o = run.wait_with_output().expect("ends");
    assert_fails(&o, 5, "changed while the run was reading it");
    assert!(released_nothing(&out));
    // The outcome is recorded with the run id, the stage and the exit code.
    let history = std::fs::read_to_string(out.join("run-history.jsonl")).expect("history");
    let last: serde_json::Value =
        serde_json::from_str(history.lines().last().expect("a line")).expect("JSON");
    assert_eq!(last["status"], "failed");
    assert_eq!(last["exit_code"], 5);
    let error = last["error"].as_str().expect("error");
    assert!(
        error.contains("changed while the run was reading it"),
        "{error}"
    );
    assert!(
        last["run_id"]
            .as_str()
            .expect("named")
            .starts_with("2025-26-Q1-report-")
    );
    assert!(
        stderr(&o).contains("run failed: run id 2025-26-Q1-report-"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn publication_waits_for_the_release_time_and_refuses_failed_unchecked_or_repeated_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A release date in the future (a Monday): the run is staged but may not be published.
    let out = dir.path().join("reports");
    let args = tables_args_on(&out, 1, "2099-01-05");
    let o = league_env(&strs(&args), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let early = current_id(&out).expect("staged");
    assert_eq!(
        manifest(&out.join("current"))["release_at"],
        "2099-01-05T09:30:00Z"
    );
    let o = league_env(
        &["publish", &early, "--out", out.to_str().expect("utf8")],
        &[],
    );
    assert_fails(
        &o,
        9,
        "may not be published before its pre-announced release time 2099-01-05T09:30:00Z",
    );
    assert!(
        released_nothing(&out.join("published")),
        "nothing reached the distribution area"
    );
    // Pre-release access opens only 24 hours before the release time, and is recorded.
    let access = |id: &str| {
        league_env(
            &[
                "access",
                id,
                "--out",
                out.to_str().expect("utf8"),
                "--who",
                "A. Analyst",
                "--reason",
                "quality assurance",
            ],
            &[],
        )
    };
    assert_fails(
        &access(&early),
        9,
        "pre-release access opens 24 hours before the release time 2099-01-05T09:30:00Z: at 2099-01-04T09:30:00Z",
    );
    assert!(
        !out.join("pre-release-access.csv").exists(),
        "a refused access is not access"
    );

    // A failed run (coverage breached after the run was named) cannot be published.
    let o = league_env(
        &[
            "report",
            "--input",
            "tests/corpus/long_ambulance_one_formula_row.csv",
            "--replicates",
            "100",
            "--out",
            out.to_str().expect("utf8"),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    let history = std::fs::read_to_string(out.join("run-history.jsonl")).expect("history");
    let failed: serde_json::Value =
        serde_json::from_str(history.lines().last().expect("line")).expect("JSON");
    let failed_id = failed["run_id"].as_str().expect("named").to_owned();
    let o = league_env(
        &["publish", &failed_id, "--out", out.to_str().expect("utf8")],
        &[],
    );
    assert_fails(&o, 9, "a failed run cannot be published");

    // Today's release date has passed: a checked run publishes once.
    let o = league_env(&strs(&tables_args(&out, 2)), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = current_id(&out).expect("current");
    let publish = |id: &str, extra: &[&str]| {
        let mut a = vec!["publish", id, "--out", out.to_str().expect("utf8")];
        a.extend_from_slice(extra);
        league_env(&a, &[])
    };
    assert_fails(
        &access(&id),
        9,
        "has passed: this is no longer pre-release access",
    );
    let list = |id: &str| {
        league_env(
            &["access", id, "--list", "--out", out.to_str().expect("utf8")],
            &[],
        )
    };
    assert_fails(&list("no-such-run"), 4, "\"no-such-run\" is not a run id");
    assert_fails(
        &list("2025-26-Q1-report-000000000000"),
        9,
        "there is no release 2025-26-Q1-report-000000000000",
    );
    let o = list(&id);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "run_id,who,reason,accessed_at\n"
    );
    let o = league_env(
        &[
            "access",
            &id,
            "--list",
            "--who",
            "X",
            "--out",
            out.to_str().expect("utf8"),
        ],
        &[],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "--list with --who is a usage error"
    );
    let o = publish(&id, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let published = out.join("published");
    // The published release carries its pre-release access list (here: nobody).
    assert_eq!(
        std::fs::read_to_string(published.join("current/pre-release-access.csv")).expect("list"),
        "run_id,who,reason,accessed_at\n"
    );
    assert_eq!(current_id(&published).as_deref(), Some(id.as_str()));
    assert_whole(&published.join("current"));
    let o = publish(&id, &[]);
    assert_fails(&o, 9, "already published");

    // An unchecked release (its manifest not marked checked) is refused.
    let o = league_env(&strs(&tables_args(&out, 3)), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let unchecked = current_id(&out).expect("current");
    let mpath = out.join("releases").join(&unchecked).join("manifest.json");
    let text = std::fs::read_to_string(&mpath).expect("manifest");
    std::fs::write(
        &mpath,
        text.replace("\"status\": \"checked\"", "\"status\": \"staged\""),
    )
    .expect("write");
    let o = publish(&unchecked, &[]);
    assert_fails(&o, 9, "an unchecked run cannot be published");

    // Another release for the published period is a correction: refused without a record,
    // published with a notice saying what changed, why, the scale and the tables.
    let o = league_env(&strs(&tables_args(&out, 4)), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let correction = current_id(&out).expect("current");
    let o = publish(&correction, &[]);
    assert_fails(&o, 9, "is a correction: give --correction");
    let o = publish(
        &correction,
        &["--correction", "Likely ranges recomputed with seed 4"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let notice =
        std::fs::read_to_string(published.join("current/correction-notice.txt")).expect("notice");
    assert!(
        notice.contains(&format!("corrects release {id}")),
        "{notice}"
    );
    assert!(
        notice.contains("Why: Likely ranges recomputed with seed 4"),
        "{notice}"
    );
    assert!(
        notice.contains("2025-26-Q1/acute/league-table.csv"),
        "{notice}"
    );
    assert!(notice.contains("output file(s) differ"), "{notice}");
    // Another seed moves likely ranges: the notice lists each trust's changed figures.
    assert!(notice.contains("likely range of rank "), "{notice}");
    assert!(notice.contains(" -> "), "{notice}");
    assert_whole(&published.join("current"));
    let log = read_csv(&published.join("revisions.csv"));
    assert_eq!(log.len(), 2);
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(published.join("revisions.csv"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "the revision log is readable by all");
    }
    assert!(
        !published.join(".league.lock").exists(),
        "the output root's lock covers the distribution area"
    );
    assert_eq!(log[1]["run_id"], correction);
    assert_eq!(log[1]["corrects"], id);
    assert_eq!(log[1]["reason"], "Likely ranges recomputed with seed 4");
    // The first publication is still there, untouched.
    assert_whole(&published.join("releases").join(&id));
    let o = league_env(&["check", published.to_str().expect("utf8")], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A job file over NHS England's mental health and community file (Q1–Q3 2025/26), with
/// thresholds that allow the trusts it does not hold, written into `dir`.
fn mh_job(dir: &Path, extra: &str) -> (PathBuf, tempfile::TempDir) {
    mh_job_making(dir, extra, r#"["tables"]"#)
}

/// As [`mh_job`], making `outputs`.
fn mh_job_making(dir: &Path, extra: &str, outputs: &str) -> (PathBuf, tempfile::TempDir) {
    let data = data_with_thresholds(&[("max_missing = 0", "max_missing = 1000")]);
    let job = dir.join("mh.toml");
    let input = dir.join("mh.csv");
    std::fs::copy(
        root().join("data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv"),
        &input,
    )
    .expect("copy");
    std::fs::write(
        &job,
        format!(
            r#"[job]
name = "mh-test"
description = "Mental health and community trusts, by quarter"
methodology = "nof-2025-26"
period = "latest-complete"
out = "reports"
outputs = {outputs}
data_dir = "{}"
{extra}
[inputs]
files = ["{}"]
"#,
            data.path().display(),
            input.display()
        ),
    )
    .expect("job");
    (job, data)
}

#[test]
fn a_job_makes_one_period_and_backfill_plans_exactly_the_missing_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (job, _data) = mh_job(dir.path(), "");
    let job = job.to_str().expect("utf8");
    let out = dir.path().join("reports");
    let o = league_env(&["run", job, "--period", "2025-26-Q2"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let q2 = current_id(&out).expect("current");
    assert!(q2.starts_with("2025-26-Q2-mh-test-"), "{q2}");
    // A run for Q2 holds Q2 only: no Q1 (or Q3) file in its release.
    let files = crate::util::files_under(&out.join("current"));
    assert!(files.iter().any(|f| f.starts_with("2025-26-Q2")));
    assert!(
        files
            .iter()
            .all(|f| !f.starts_with("2025-26-Q1") && !f.starts_with("2025-26-Q3")),
        "{files:?}"
    );
    assert_eq!(
        manifest(&out.join("current"))["periods"],
        serde_json::json!(["Q2 2025/26"])
    );

    // `league backfill` over Q1 to Q4 of the job, with `extra` arguments.
    let backfill = |extra: &[&str]| {
        let mut args = vec![
            "backfill",
            "--job",
            job,
            "--from",
            "2025-26-Q1",
            "--to",
            "2025-26-Q4",
        ];
        args.extend_from_slice(extra);
        league_env(&args, &[])
    };
    let plan = |mode: &str| {
        let o = backfill(&["--mode", mode, "--dry-run"]);
        assert!(o.status.success(), "{}", stderr(&o));
        String::from_utf8(o.stdout).expect("utf8")
    };
    assert_eq!(
        plan("missing"),
        format!(
            "run  2025-26-Q1\nskip 2025-26-Q2: complete as release {q2}\nrun  2025-26-Q3\nrun  2025-26-Q4\n"
        )
    );
    assert_eq!(
        plan("all"),
        "run  2025-26-Q1\nrun  2025-26-Q2\nrun  2025-26-Q3\nrun  2025-26-Q4\n"
    );
    let releases = std::fs::read_dir(out.join("releases")).expect("ls").count();
    assert_eq!(releases, 1, "a dry run runs nothing");

    // The real backfill runs Q1 and Q3, skips Q2, and fails Q4 (not in the inputs), naming it.
    let o = backfill(&[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let said = String::from_utf8(o.stdout).expect("utf8");
    assert!(
        said.contains("ran  2025-26-Q1: release 2025-26-Q1-mh-test-"),
        "{said}"
    );
    assert!(said.contains("skip 2025-26-Q2"), "{said}");
    assert!(said.contains("ran  2025-26-Q3"), "{said}");
    assert!(
        said.contains("FAIL 2025-26-Q4: period Q4 2025/26 is not in the inputs"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_dir(out.join("releases")).expect("ls").count(),
        3
    );
    // In "failed" mode complete periods whose last run succeeded are skipped, as in "missing".
    let said = plan("failed");
    assert_eq!(said.matches("skip").count(), 3, "{said}");
    assert!(said.ends_with("run  2025-26-Q4\n"), "{said}");

    // Q1 is run again and fails (its input changes under it): "failed" mode runs it again
    // though it has a complete release; "missing" mode still skips it.
    let input = dir.path().join("mh.csv");
    let original = std::fs::read(&input).expect("input");
    let pause = dir.path().join("paused");
    let args: Vec<String> = ["run", job, "--period", "2025-26-Q1", "--rerun"]
        .map(str::to_owned)
        .to_vec();
    let run = spawn_paused(&args, "after-ingest", &pause);
    let mut changed = original.clone();
    changed.extend_from_slice(b"\r\n");
    std::fs::write(&input, changed).expect("change");
    std::fs::remove_file(&pause).expect("resume");
    let o = run.wait_with_output().expect("ends");
    assert_fails(&o, 5, "changed while the run was reading it");
    std::fs::write(&input, original).expect("restore");
    let said = plan("failed");
    assert!(
        said.starts_with("run  2025-26-Q1\nskip 2025-26-Q2"),
        "{said}"
    );
    let said = plan("missing");
    assert!(said.starts_with("skip 2025-26-Q1"), "{said}");
    // A failure before the period is even checked (the input cannot be read) is recorded
    // against the period asked for, so "failed" mode runs Q2 again too.
    let saved = std::fs::read(&input).expect("input");
    std::fs::write(&input, b"not,a,nof,file\n1,2,3,4\n").expect("break");
    let o = league_env(&["run", job, "--period", "2025-26-Q2", "--rerun"], &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    std::fs::write(&input, saved).expect("restore");
    let said = plan("failed");
    assert!(
        said.starts_with("run  2025-26-Q1\nrun  2025-26-Q2\nskip 2025-26-Q3"),
        "{said}"
    );
}

#[test]
fn retention_keeps_the_newest_releases_and_the_history_rebuilds_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (job, _data) = mh_job(dir.path(), "keep_releases = 2");
    let job = job.to_str().expect("utf8");
    let out = dir.path().join("reports");
    for q in ["2025-26-Q1", "2025-26-Q2", "2025-26-Q3"] {
        let o = league_env(&["run", job, "--period", q], &[]);
        assert!(o.status.success(), "{q}: {}", stderr(&o));
    }
    let mut kept: Vec<String> = std::fs::read_dir(out.join("releases"))
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy()[..10].to_owned())
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        ["2025-26-Q2", "2025-26-Q3"],
        "the oldest release was removed"
    );

    // The history holds every run's results, one Parquet file per dataset and quarter.
    let league_q1 = out.join("history/league/quarter=2025-26-Q1");
    assert_eq!(std::fs::read_dir(&league_q1).expect("ls").count(), 1);
    for ds in ["league", "metrics", "statuses"] {
        assert!(
            out.join("history")
                .join(ds)
                .join("quarter=2025-26-Q3")
                .is_dir(),
            "{ds}"
        );
    }
    // Rebuilding from the releases gives the same bytes.
    let o = league_env(&["history", "--out", out.to_str().expect("utf8")], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("6 file(s) rebuilt byte-identical"));
    let rebuilt = dir.path().join("rebuilt");
    let o = league_env(
        &[
            "history",
            "--out",
            out.to_str().expect("utf8"),
            "--rebuild-into",
            rebuilt.to_str().expect("utf8"),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in crate::util::files_under(&rebuilt) {
        assert_eq!(
            std::fs::read(rebuilt.join(&f)).expect("rebuilt"),
            std::fs::read(out.join("history").join(&f)).expect("stored"),
            "{}",
            f.display()
        );
    }
    // The store holds the league table's figures: Q3's rows recomputed from the CSV.
    let q3 = out.join("history/league/quarter=2025-26-Q3");
    let file = std::fs::read_dir(&q3)
        .expect("ls")
        .next()
        .expect("file")
        .expect("entry")
        .path();
    let rows = parquet_rows(&file);
    let id = file
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    let csv = read_csv(
        &out.join("releases")
            .join(&id)
            .join("2025-26-Q3/mh_community/league-table.csv"),
    );
    assert_eq!(rows.len(), csv.len());
    for (r, c) in rows.iter().zip(&csv) {
        assert!(r.contains(&format!("run_id: \"{id}\"")), "{r}");
        assert!(
            r.contains(&format!("trust_code: \"{}\"", c["Trust_code"])),
            "{r}"
        );
        assert!(r.contains(&format!("segment: {},", c["Segment"])), "{r}");
    }
    // A changed history file is found.
    std::fs::write(&file, b"not parquet").expect("corrupt");
    let o = league_env(&["history", "--out", out.to_str().expect("utf8")], &[]);
    assert_eq!(o.status.code(), Some(8), "{}", stderr(&o));
}

fn parquet_rows(path: &Path) -> Vec<String> {
    use parquet::file::reader::{FileReader as _, SerializedFileReader};
    let r = SerializedFileReader::new(std::fs::File::open(path).expect("open")).expect("parquet");
    r.get_row_iter(None)
        .expect("rows")
        .map(|row| row.expect("row").to_string())
        .collect()
}

#[test]
fn the_nightly_job_twice_gives_identical_manifests_and_a_rerun_is_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let run = |extra: &[&str]| {
        let mut a = vec![
            "run",
            "jobs/nightly.toml",
            "--out",
            out.to_str().expect("utf8"),
        ];
        a.extend_from_slice(extra);
        let o = league_env(&a, &[]);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        std::fs::read(out.join("current/manifest.json")).expect("manifest")
    };
    let first = run(&[]);
    assert_eq!(first, run(&[]), "the second run finds the release complete");
    // --rerun builds every output again and fails unless each is byte-identical.
    assert_eq!(first, run(&["--rerun"]));
    let m: serde_json::Value = serde_json::from_slice(&first).expect("JSON");
    assert_eq!(m["job"], "nightly");
    assert_eq!(m["periods"], serde_json::json!(["Q1 2025/26"]));
    assert_eq!(m["replicates"], 2000, "the methodology's default");
    assert_eq!(
        m["outputs_made"],
        serde_json::json!(["tables", "national-packs", "trust-documents", "site"])
    );
    assert_eq!(
        std::fs::read_dir(out.join("releases")).expect("ls").count(),
        1
    );
    validate_manifest(&m).expect("the nightly manifest is valid");
}

/// Validates a manifest against `data/schema/manifest.schema.json`.
fn validate_manifest(m: &serde_json::Value) -> Result<(), String> {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("data/schema/manifest.schema.json")).expect("schema"),
    )
    .expect("schema JSON");
    let v = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = v
        .iter_errors(m)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[test]
fn the_manifest_validates_against_its_json_schema_and_the_schema_has_teeth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let o = league_env(&strs(&tables_args(&out, 1)), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = manifest(&out.join("current"));
    validate_manifest(&m).expect("valid");
    assert_eq!(m["outputs_made"], serde_json::json!(["tables"]));
    let stages: Vec<&str> = m["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["stage"].as_str().expect("name"))
        .collect();
    assert_eq!(stages, ["ingest", "score", "write", "check"]);
    // The same run as OpenLineage events: START, then COMPLETE with every output.
    let id = m["run_id"].as_str().expect("run id");
    let o = league_env(&["lineage", id, "--out", out.to_str().expect("utf8")], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["eventType"], "START");
    assert_eq!(events[0]["eventTime"], m["started"]);
    assert_eq!(events[1]["eventType"], "COMPLETE");
    assert_eq!(events[1]["eventTime"], m["finished"]);
    assert_eq!(events[1]["job"]["name"], "report");
    assert_eq!(events[0]["run"]["runId"], events[1]["run"]["runId"]);
    assert_eq!(
        events[1]["outputs"].as_array().expect("outputs").len(),
        m["outputs"].as_array().expect("outputs").len()
    );
    assert_eq!(events[1]["inputs"][0]["name"], m["inputs"][0]["path"]);
    // Each of these breaks the manifest, and the schema says so.
    type Break = fn(&mut serde_json::Value);
    let broken: [(&str, Break); 5] = [
        ("no input hash", |m| {
            m["inputs"][0]
                .as_object_mut()
                .expect("object")
                .remove("sha256");
        }),
        ("an output outside the release", |m| {
            m["outputs"][0]["path"] = "../x.csv".into()
        }),
        ("not checked", |m| m["status"] = "staged".into()),
        ("a short hash", |m| m["methodology_sha256"] = "abc".into()),
        ("an unknown field", |m| m["extra"] = 1.into()),
    ];
    for (what, f) in broken {
        let mut bad = m.clone();
        f(&mut bad);
        assert!(validate_manifest(&bad).is_err(), "{what}");
    }
}

#[test]
fn logs_are_plain_when_piped_and_json_lines_hold_counts_and_timings_never_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let data = data_with_thresholds(&[("max_missing = 0", "max_missing = 1")]);
    let o = Command::new(env!("CARGO_BIN_EXE_league"))
        .args([
            "report",
            "--data-dir",
            data.path().to_str().expect("utf8"),
            "--input",
            "tests/corpus/long_ambulance_one_formula_row.csv",
            "--outputs",
            "tables",
            "--replicates",
            "100",
            "--out",
            out.to_str().expect("utf8"),
        ])
        .current_dir(root())
        .env("RUST_LOG", "info")
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("stage finished"), "{err}");
    assert!(!err.contains('\u{1b}'), "no colour codes when piped");
    let logs: Vec<PathBuf> = std::fs::read_dir(out.join("logs"))
        .expect("logs")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(logs.len(), 1);
    let text = std::fs::read_to_string(&logs[0]).expect("log");
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let stages: Vec<&str> = events
        .iter()
        .filter(|e| e["message"] == "stage finished")
        .map(|e| e["stage"].as_str().expect("stage"))
        .collect();
    assert_eq!(
        stages,
        ["ingest", "score", "write", "check", "history", "promote"]
    );
    assert!(events.iter().any(|e| e["message"] == "run complete"));
    // The quarantined row's formula text never reaches the log.
    assert!(!text.contains("HYPERLINK"), "row-level data in the log");
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn inputs_with_nothing_to_score_fail_the_run_and_release_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    let input = dir.path().join("header-only.csv");
    let text = std::fs::read_to_string(root().join("data/default/nof_2025_26_q1_national.csv"))
        .expect("data");
    std::fs::write(
        &input,
        format!("{}\n", text.lines().next().expect("header")),
    )
    .expect("write");
    let mut args = tables_args(&out, 1);
    args.extend(["--input".to_owned(), input.display().to_string()]);
    let o = league_env(&strs(&args), &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(released_nothing(&out));
    // A period the inputs do not hold is refused the same way, naming what they hold.
    let mut args = tables_args(&out, 1);
    args.extend(["--period".to_owned(), "2025-26-Q2".to_owned()]);
    let o = league_env(&strs(&args), &[]);
    assert_fails(
        &o,
        3,
        "period Q2 2025/26 is not in the inputs (they hold: Q1 2025/26)",
    );
    assert!(released_nothing(&out));
}

#[test]
fn a_job_file_with_an_unknown_key_is_a_configuration_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let job = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(root().join("jobs/nightly.toml")).expect("job");
    std::fs::write(&job, text.replace("keep_releases", "keep_release")).expect("write");
    let o = league_env(&["run", job.to_str().expect("utf8")], &[]);
    assert_fails(&o, 4, "unknown field `keep_release`");
    assert!(stderr(&o).contains("bad.toml"), "{}", stderr(&o));
    // A job file that is not there is a configuration error (not retried by the scheduler).
    let o = league_env(&["run", "jobs/nightly.tom"], &[]);
    assert_fails(&o, 4, "job file jobs/nightly.tom does not exist");
}

#[test]
fn every_shipped_job_file_loads_and_the_schedulers_run_the_same_job_an_analyst_does() {
    for job in ["jobs/nightly.toml", "jobs/quarterly-publication.toml"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let o = league_env(
            &[
                "backfill",
                "--job",
                job,
                "--from",
                "2025-26-Q1",
                "--to",
                "2025-26-Q1",
                "--dry-run",
                "--out",
                dir.path().to_str().expect("utf8"),
            ],
            &[],
        );
        assert!(o.status.success(), "{job}: {}", stderr(&o));
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            "run  2025-26-Q1\n",
            "{job}"
        );
    }
    let nightly: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("jobs/nightly.toml")).expect("job"))
            .expect("TOML");
    let service = std::fs::read_to_string(root().join("jobs/systemd/league-nightly.service"))
        .expect("service");
    let timer =
        std::fs::read_to_string(root().join("jobs/systemd/league-nightly.timer")).expect("timer");
    let cron = std::fs::read_to_string(root().join("jobs/cron.example")).expect("cron");
    let exec = service
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart");
    let words: Vec<&str> = exec.split_whitespace().collect();
    assert!(words[0].ends_with("/league"), "{exec}");
    assert_eq!(words[1], "run");
    assert!(words[2].ends_with("jobs/nightly.toml"), "{exec}");
    assert!(cron.contains("league run jobs/nightly.toml"), "{cron}");
    // The schedule, timeout and exit-code handling agree with the job file.
    let schedule = &nightly["schedule"];
    assert_eq!(schedule["cron"].as_str(), Some("0 2 * * *"));
    assert!(cron.contains("\n0 2 * * * "), "{cron}");
    assert!(
        timer.contains("OnCalendar=*-*-* 02:00:00 Europe/London"),
        "{timer}"
    );
    assert!(timer.contains("Persistent=true"));
    assert!(service.contains(&format!(
        "TimeoutStartSec={}min",
        schedule["timeout_minutes"].as_integer().expect("timeout")
    )));
    assert!(service.contains("RestartPreventExitStatus=2 3 4 6 8 10"));
    // systemd's own check, where systemd is installed: on a copy whose paths point at this
    // build and this checkout.
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let dir = tempfile::tempdir().expect("tempdir");
        let fix = |t: &str| {
            t.replace("/usr/local/bin/league", env!("CARGO_BIN_EXE_league"))
                .replace("/srv/league-tables", root().to_str().expect("utf8"))
        };
        std::fs::write(dir.path().join("league-nightly.service"), fix(&service)).expect("write");
        std::fs::write(dir.path().join("league-nightly.timer"), fix(&timer)).expect("write");
        let o = Command::new("systemd-analyze")
            .arg("verify")
            .arg(dir.path().join("league-nightly.service"))
            .arg(dir.path().join("league-nightly.timer"))
            .env("SYSTEMD_LOG_LEVEL", "warning")
            .output()
            .expect("systemd-analyze runs");
        let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
        let ours: Vec<&str> = said
            .lines()
            .filter(|l| l.contains("league-nightly"))
            .collect();
        assert!(
            o.status.success() && ours.is_empty(),
            "systemd-analyze verify: {said}"
        );
    }
}

#[test]
fn just_report_and_the_readme_s_main_command_are_the_same_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let main = readme
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("cargo run --release --locked -- report")
        })
        .expect("the README's main command");
    let main = main.split('#').next().expect("command").trim().to_owned();
    let justfile = std::fs::read_to_string(root().join("justfile")).expect("justfile");
    let recipe = justfile
        .split("\nreport *args:\n")
        .nth(1)
        .expect("a report recipe")
        .lines()
        .next()
        .expect("its command")
        .trim()
        .to_owned();
    // The recipe with no arguments is the README's command, word for word.
    assert_eq!(recipe.replace(" {{ args }}", ""), main);
    let nightly = justfile
        .split("\nnightly *args:\n")
        .nth(1)
        .expect("a nightly recipe")
        .lines()
        .next()
        .expect("its command")
        .trim()
        .to_owned();
    assert_eq!(
        nightly,
        "cargo run --release --locked -- run jobs/nightly.toml {{ args }}"
    );
    for recipe in [
        "\npublish run_id *args:",
        "\nbackfill from to *args:",
        "\ntest *args:",
        "\nbench:",
    ] {
        assert!(justfile.contains(recipe), "{recipe}");
    }
}

#[test]
fn an_installed_binary_runs_from_any_directory_on_its_compiled_in_data() {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_league"));
    let target = exe.parent().and_then(Path::parent).expect("target dir");
    let dir = tempfile::tempdir().expect("tempdir");
    // `cargo install --path . --locked`, in the dev profile and this target directory so it
    // reuses this build. With the features the tests build (`records`): without them cargo
    // would rebuild target/debug/league without record-level support, under the other tests
    // that are running it.
    let o = Command::new(env!("CARGO"))
        .args([
            "install",
            "--path",
            ".",
            "--locked",
            "--debug",
            "--offline",
            "--features",
            "records",
            "--root",
        ])
        .arg(dir.path())
        .arg("--target-dir")
        .arg(target)
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(o.status.success(), "cargo install: {}", stderr(&o));
    let installed = dir.path().join("bin/league");
    let out = dir.path().join("reports");
    let o = Command::new(&installed)
        .args([
            "report",
            "--outputs",
            "tables",
            "--replicates",
            "100",
            "--out",
        ])
        .arg(&out)
        .current_dir("/")
        .env("RUST_LOG", "warn")
        .output()
        .expect("runs");
    assert!(o.status.success(), "from /: {}", stderr(&o));
    let m = manifest(&out.join("current"));
    assert_eq!(
        m["inputs"][0]["path"],
        "data/default/nof_2025_26_q1_national.csv"
    );
    assert_eq!(
        m["inputs"][0]["sha256"],
        sha256(
            &std::fs::read(root().join("data/default/nof_2025_26_q1_national.csv")).expect("data")
        )
    );
    assert_eq!(
        read_csv(&out.join("current/2025-26-Q1/acute/league-table.csv")).len(),
        134
    );
}

#[test]
fn a_quarter_run_alone_reads_earlier_quarters_from_the_history_for_persistence_and_trends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (job, data) = mh_job_making(dir.path(), "", r#"["tables", "national-packs"]"#);
    let job = job.to_str().expect("utf8");
    let out = dir.path().join("reports");
    for q in ["2025-26-Q1", "2025-26-Q2"] {
        let o = league_env(&["run", job, "--period", q], &[]);
        assert!(o.status.success(), "{q}: {}", stderr(&o));
    }
    let q1 = std::fs::read_dir(out.join("releases"))
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .find(|id| id.starts_with("2025-26-Q1"))
        .expect("the Q1 release");
    let m = manifest(&out.join("current"));
    let read: Vec<&str> = m["history_inputs"]
        .as_array()
        .expect("history inputs")
        .iter()
        .map(|h| h["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        read,
        [
            format!("history/metrics/quarter=2025-26-Q1/{q1}.parquet"),
            format!("history/league/quarter=2025-26-Q1/{q1}.parquet")
        ]
    );
    // The same statuses as one run over Q1 to Q3 gives, where "each of the last 2 quarters"
    // needs Q1: the evidence names the release it came from.
    let all = dir.path().join("all");
    let o = league_env(
        &[
            "report",
            "--data-dir",
            data.path().to_str().expect("utf8"),
            "--input",
            "data/nof/nof_mh_community_2025_26_q1_to_q3_data.csv",
            "--outputs",
            "tables,national-packs",
            "--out",
            all.to_str().expect("utf8"),
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rel = "2025-26-Q2/mh_community/intervention-status.csv";
    let alone = std::fs::read_to_string(out.join("current").join(rel)).expect("alone");
    let together = std::fs::read_to_string(all.join("current").join(rel)).expect("together");
    let label = format!(" (release {q1})");
    assert!(alone.matches(&label).count() >= 4, "{alone}");
    assert_eq!(alone.replace(&label, ""), together);
    let earned = read_csv(&out.join("current").join(rel))
        .into_iter()
        .filter(|r| r["Status_id"] == "earned_autonomy")
        .count();
    assert!(earned > 0, "earned autonomy needs Q1 and is granted");

    // The pack's trend: Q2's national tables (movement since Q1 among them) are byte-identical
    // to those of the run over Q1 to Q3, Q1's figures coming from its release's history, and
    // the run's own check verified the movement table against that history file.
    let tables = "2025-26-Q2/national/tables";
    let names: Vec<PathBuf> = crate::util::files_under(&all.join("current").join(tables));
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("movement_mh_community.csv"))
    );
    for n in &names {
        assert_eq!(
            std::fs::read(out.join("current").join(tables).join(n)).expect("alone"),
            std::fs::read(all.join("current").join(tables).join(n)).expect("together"),
            "{}",
            n.display()
        );
    }
    let movement = read_csv(
        &out.join("current")
            .join(tables)
            .join("movement_mh_community.csv"),
    );
    let q1_table = read_csv(
        &out.join("releases")
            .join(&q1)
            .join("2025-26-Q1/mh_community/league-table.csv"),
    );
    for r in &movement {
        let was = q1_table
            .iter()
            .find(|x| x["Trust_code"] == r["trust_code"])
            .expect("in Q1");
        assert_eq!(r["rank_2025_26_q1"], was["Rank"], "{r:?}");
        assert_eq!(r["segment_2025_26_q1"], was["Segment"], "{r:?}");
    }
    // The pack says where the earlier quarter's figures come from.
    let pdf = out.join("current/2025-26-Q2/national/league-tables.pdf");
    let text = league_check::pdf_pages(&pdf).expect("PDF text").join(" ");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(&format!("Q1 2025/26 from release {q1}")),
        "the movement note names the release"
    );
    // A changed history file fails the check of the release that read it.
    let hist = out.join(format!("history/league/quarter=2025-26-Q1/{q1}.parquet"));
    let original = std::fs::read(&hist).expect("history");
    std::fs::write(&hist, b"changed").expect("write");
    let o = league_env(&["check", out.to_str().expect("utf8")], &[]);
    assert_fails(&o, 8, "has changed since the run read it");
    std::fs::write(&hist, original).expect("restore");
    let o = league_env(&["check", out.to_str().expect("utf8")], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A job with a pre-announced release date in 2026: every document is dated from the job, not
/// from a file, and the letters of trusts merged before that date (RNK into G6V2S, RY2 into
/// RWW on 1 April 2026) go to the successors' boards, about the former trusts.
#[test]
fn a_jobs_release_date_dates_the_documents_and_addresses_merged_trusts_successors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let job = dir.path().join("quarterly.toml");
    std::fs::write(
        &job,
        r#"[job]
name = "quarterly-test"
description = "Q1 2025/26 released in May 2026"
methodology = "nof-2025-26"
period = "2025-26-Q1"
out = "reports"
outputs = ["tables", "national-packs", "trust-documents"]

[release]
time = "09:30"
timezone = "Europe/London"
date = "2026-05-11"
"#,
    )
    .expect("job");
    let o = league_env(&["run", job.to_str().expect("utf8")], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let current = dir.path().join("reports/current");
    // 09:30 British Summer Time.
    assert_eq!(manifest(&current)["release_at"], "2026-05-11T08:30:00Z");
    let letter = |code: &str| {
        league_check::pdf_pages(&current.join(format!("2025-26-Q1/trusts/{code}/letter.pdf")))
            .expect("letter")
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (code, to, about) in [
        (
            "RNK",
            "North London NHS Foundation Trust (G6V2S)",
            "About: Tavistock and Portman NHS Foundation Trust (RNK), which merged into North London NHS Foundation Trust on 1 April 2026.",
        ),
        (
            "RY2",
            "North Cheshire and Mersey NHS Foundation Trust (RWW)",
            "About: Bridgewater Community Healthcare NHS Foundation Trust (RY2), which merged into North Cheshire and Mersey NHS Foundation Trust on 1 April 2026.",
        ),
        (
            "RWW",
            "North Cheshire and Mersey NHS Foundation Trust (RWW)",
            "About: your trust's figures for Q1 2025/26, when it was Warrington and Halton Teaching Hospitals NHS Foundation Trust (RWW)",
        ),
    ] {
        let text = letter(code);
        assert!(text.contains("Date: 11 May 2026"), "{code}");
        assert!(
            text.contains(&format!("To: the Chair and the Chief Executive, {to}")),
            "{code}: {text}"
        );
        assert!(text.contains(about), "{code}: {text}");
        assert!(!text.to_lowercase().contains("issue tracker"), "{code}");
    }
}
