//! Fault injection for the crash tests: with `LEAGUE_KILL_AT=<point>` set, a debug build kills
//! itself with SIGKILL at that named point, exactly as `kill -9` would (no destructors run, no
//! temporary directory is cleaned up). Release builds ignore the variable.
//!
//! The points are every stage of a run and every filesystem operation of a promotion; the
//! tests kill at each in turn and check that `current` still names a whole release.

/// Kills the process here if `LEAGUE_KILL_AT` names this point (debug builds only).
pub(crate) fn point(name: &str) {
    if !cfg!(debug_assertions) {
        return;
    }
    let Ok(at) = std::env::var("LEAGUE_KILL_AT") else {
        return;
    };
    if at != name {
        return;
    }
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
    "promote:synced",
    "promote:renamed",
    "promote:link-made",
    "promote:swapped",
    "after-history",
    "publish:copied",
    "publish:renamed",
    "publish:swapped",
];
