//! Fault injection for the crash and race tests (debug builds only; release builds ignore
//! these variables):
//! - `LEAGUE_KILL_AT=<point>`: the process kills itself with SIGKILL at that point, exactly as
//!   `kill -9` would (no destructors run, no temporary directory is cleaned up);
//! - `LEAGUE_PAUSE_AT=<point>` with `LEAGUE_PAUSE_FILE=<path>`: at that point the process
//!   creates the file and waits (up to 60 s) until the test removes it, so a test can act at an
//!   exact moment (change an input, start a second run).
//!
//! The points are every stage of a run and every filesystem operation of a promotion and a
//! publication (`history:file` after the first history file is written); the tests kill at
//! each in turn and check that `current` still names a whole release and that the next run
//! recovers the root whole.

/// Kills or pauses the process here if `LEAGUE_KILL_AT` or `LEAGUE_PAUSE_AT` names this point
/// (debug builds only).
pub(crate) fn point(name: &str) {
    if !cfg!(debug_assertions) {
        return;
    }
    if std::env::var("LEAGUE_PAUSE_AT").is_ok_and(|at| at == name)
        && let Ok(file) = std::env::var("LEAGUE_PAUSE_FILE")
    {
        pause(name, std::path::Path::new(&file));
    }
    if std::env::var("LEAGUE_KILL_AT").is_ok_and(|at| at == name) {
        kill(name);
    }
}

/// Creates `file` and waits until it is removed (at most 60 s).
fn pause(name: &str, file: &std::path::Path) {
    tracing::warn!(
        point = name,
        "fault injection: paused until {} is removed",
        file.display()
    );
    if std::fs::write(file, name).is_err() {
        return;
    }
    let start = std::time::Instant::now();
    while file.exists() && start.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// `kill -9` on this process.
fn kill(name: &str) {
    tracing::warn!(
        point = name,
        "fault injection: killing this process with SIGKILL"
    );
    let pid = std::process::id().to_string();
    // `kill -9` on ourselves: the signal cannot be caught, so nothing after this runs.
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status();
    // If `kill` is missing, abort is the nearest equivalent (no unwinding, no cleanup).
    std::process::abort();
}

/// Every point, in the order a successful run passes them (the crash tests iterate over it).
pub const POINTS: &[&str] = &[
    "after-lock",
    "after-ingest",
    "after-score",
    "after-write",
    "after-check",
    "history:file",
    "after-history",
    "promote:synced",
    "promote:renamed",
    "commit:recorded",
    "promote:link-made",
    "promote:swapped",
    "publish:copied",
    "publish:renamed",
    "publish:swapped",
];
