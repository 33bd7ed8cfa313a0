//! Records the git commit the binary is built from (`LEAGUE_GIT_COMMIT`), for the run manifest
//! and the run id. A build from a tree with uncommitted changes is marked `-dirty-<hash of the
//! changes>`, so two different dirty builds never claim the same identity. Without git (a
//! packaged source) it is `unknown`.

use std::path::Path;
use std::process::{Command, Stdio};

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `git diff HEAD --binary | git hash-object --stdin`: a name for the uncommitted changes
/// (nothing is written to the repository).
fn changes_hash(root: &Path) -> Option<String> {
    let diff = Command::new("git")
        .args(["diff", "HEAD", "--binary"])
        .current_dir(root)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !diff.status.success() || diff.stdout.is_empty() {
        return None;
    }
    let mut child = Command::new("git")
        .args(["hash-object", "--stdin"])
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    {
        use std::io::Write;
        child.stdin.take()?.write_all(&diff.stdout).ok()?;
    }
    let out = child.wait_with_output().ok()?;
    Some(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .chars()
            .take(12)
            .collect(),
    )
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for p in [
        ".git/HEAD",
        ".git/index",
        "crates",
        "src",
        "data",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed=../../{p}");
    }
    let commit = match git(&root, &["rev-parse", "HEAD"]) {
        None => "unknown".to_owned(),
        Some(head) => match changes_hash(&root) {
            None => head,
            Some(h) => format!("{head}-dirty-{h}"),
        },
    };
    println!("cargo:rustc-env=LEAGUE_GIT_COMMIT={commit}");
}
