//! Nothing leaves the output root, and a release is all or nothing (issue 27): hostile run
//! ids, symbolic links planted under the root, and a run that fails while writing its history.
//! Each test reproduces a failure seen at commit 49e3a16 and holds its fix.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::operations::{current_id as current, tables_args};
use crate::util::{league, stderr};

/// A fast run (tables only, 100 replicates) into `out`, released on a past Monday so that it
/// may be published now.
fn run(out: &Path, seed: u32) -> Output {
    let args = tables_args(out, seed);
    league(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// What is at `p`: a file's bytes, or every path under a directory with its size.
fn fingerprint(p: &Path) -> Vec<String> {
    if p.is_file() {
        return vec![format!("{:?}", std::fs::read(p).expect("read"))];
    }
    tree(p)
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.display(),
                f.metadata().map(|m| m.len()).unwrap_or(0)
            )
        })
        .collect()
}

/// Every path under `dir` (links not followed).
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return all;
    };
    for e in entries.map(|e| e.expect("entry")) {
        all.push(e.path());
        if e.file_type().expect("type").is_dir() {
            all.extend(tree(&e.path()));
        }
    }
    all.sort();
    all
}

#[test]
fn a_run_id_that_is_a_path_is_refused_by_every_command_before_anything_is_read_or_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("a/b/reports");
    let o = run(&out, 1);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = current(&out).expect("current");
    // A copy of the release outside the root, where `../../../Z/<id>` leads from
    // `releases/` (`a/b/reports/releases` → `a/Z`).
    let outside = dir.path().join("a/Z");
    crate::util::copy_dir(&out.join("releases").join(&id), &outside.join(&id));
    let before = tree(dir.path());
    let abs = out.join("releases").join(&id);
    let hostile = [
        format!("../../../Z/{id}"),
        abs.to_str().expect("utf8").to_owned(),
        format!("{id}/.."),
        "..".to_owned(),
        String::new(),
    ];
    let o_ = out.to_str().expect("utf8");
    for bad in &hostile {
        for args in [
            vec!["publish", bad, "--out", o_],
            vec!["lineage", bad, "--out", o_],
            vec!["access", bad, "--out", o_, "--list"],
            vec!["access", bad, "--out", o_, "--who", "A", "--reason", "B"],
        ] {
            let o = league(&args);
            assert_eq!(o.status.code(), Some(4), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("is not a run id"), "{}", stderr(&o));
        }
    }
    assert_eq!(tree(dir.path()), before, "nothing written anywhere");
    assert!(!out.join("published").exists(), "nothing published");
}

#[test]
fn a_symbolic_link_under_the_output_root_is_refused_and_nothing_reaches_its_target() {
    for name in [
        "releases",
        "logs",
        "history",
        "published",
        "run-history.jsonl",
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("reports");
        let o = run(&out, 1);
        assert!(o.status.success(), "{}", stderr(&o));
        let id = current(&out).expect("current");
        let link = out.join(name);
        let target = dir.path().join(format!("elsewhere-{name}"));
        // Move the real thing out and link to it: every write through the link would land
        // outside the root.
        if link.exists() {
            std::fs::rename(&link, &target).expect("move out");
        } else {
            std::fs::create_dir(&target).expect("mkdir");
        }
        std::os::unix::fs::symlink(&target, &link).expect("link");
        let before = fingerprint(&target);
        let o_ = out.to_str().expect("utf8");
        let report = tables_args(&out, 2);
        for args in [
            report.iter().map(String::as_str).collect(),
            vec!["publish", &id, "--out", o_],
            vec!["history", "--out", o_],
            vec!["lineage", &id, "--out", o_],
            vec!["access", &id, "--out", o_, "--list"],
            vec!["check", o_],
        ] {
            let o = league(&args);
            assert_eq!(o.status.code(), Some(4), "{name}: {args:?}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(
                err.contains(&link.display().to_string()) && err.contains("symbolic link"),
                "{name}: names the link: {err}"
            );
        }
        assert_eq!(
            fingerprint(&target),
            before,
            "{name}: nothing reached the link's target"
        );
    }
}

#[test]
fn a_run_that_fails_writing_its_history_leaves_current_alone_and_cannot_be_published() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("reports");
    // The history store cannot take a file: where its first dataset's directory goes is a
    // plain file (as a full disk would, the write fails part-way through the run).
    std::fs::create_dir_all(out.join("history")).expect("mkdir");
    std::fs::write(out.join("history/league"), "not a directory").expect("block");
    let o = run(&out, 1);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert_eq!(current(&out), None, "a failed run is never current");
    let releases = std::fs::read_dir(out.join("releases"))
        .map(|r| r.count())
        .unwrap_or(0);
    assert_eq!(releases, 0, "and leaves no release");
    let history = std::fs::read_to_string(out.join("run-history.jsonl")).expect("outcomes");
    let last: serde_json::Value =
        serde_json::from_str(history.lines().last().expect("line")).expect("JSON");
    assert_eq!(last["status"], "failed");
    let id = last["run_id"].as_str().expect("named").to_owned();
    let o = league(&["publish", &id, "--out", out.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(9), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be published"), "{}", stderr(&o));
    assert!(!out.join("published/releases").exists());
    // Once the store can be written, the same run succeeds whole.
    std::fs::remove_file(out.join("history/league")).expect("unblock");
    let o = run(&out, 1);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(current(&out).as_deref(), Some(id.as_str()));
    let o = league(&["history", "--out", out.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
}
