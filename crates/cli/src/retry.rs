//! Retries of transient I/O (REL-5): a read that fails with an error that can pass by itself
//! (interrupted, timed out, would block, a busy resource or a stale network file handle) is
//! tried again after a capped exponential backoff. Anything else (a missing file, no
//! permission, bad data) fails at once: logic and validation errors are never retried.

use std::time::Duration;

/// Attempts in all, the first delay and the cap on any delay.
const ATTEMPTS: u32 = 4;
const FIRST_DELAY: Duration = Duration::from_millis(200);
const MAX_DELAY: Duration = Duration::from_secs(2);

/// Whether an I/O error may pass if the operation is tried again.
pub(crate) fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        Interrupted | TimedOut | WouldBlock | ResourceBusy | StaleNetworkFileHandle
    )
}

/// Runs `op`, retrying transient failures with delays 0.2 s, 0.4 s, 0.8 s (capped at 2 s);
/// `sleep` is the pause (`std::thread::sleep` outside tests).
pub(crate) fn with_backoff<T>(
    what: &str,
    mut op: impl FnMut() -> std::io::Result<T>,
    sleep: impl Fn(Duration),
) -> std::io::Result<T> {
    let mut delay = FIRST_DELAY;
    for attempt in 1.. {
        match op() {
            Err(e) if attempt < ATTEMPTS && is_transient(&e) => {
                tracing::warn!(what, attempt, error = %e, delay_ms = delay.as_millis() as u64, "transient I/O failure: retrying");
                sleep(delay);
                delay = (delay * 2).min(MAX_DELAY);
            }
            result => return result,
        }
    }
    unreachable!("the loop returns by the last attempt")
}

/// [`with_backoff`] with real pauses.
pub(crate) fn io<T>(what: &str, op: impl FnMut() -> std::io::Result<T>) -> std::io::Result<T> {
    with_backoff(what, op, std::thread::sleep)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::io::{Error, ErrorKind};

    #[test]
    fn transient_failures_are_retried_with_capped_exponential_backoff() {
        let calls = RefCell::new(0);
        let slept = RefCell::new(Vec::new());
        let r = with_backoff(
            "read",
            || {
                *calls.borrow_mut() += 1;
                if *calls.borrow() < 3 {
                    Err(Error::new(ErrorKind::TimedOut, "nfs"))
                } else {
                    Ok(7)
                }
            },
            |d| slept.borrow_mut().push(d),
        );
        assert_eq!(r.expect("third time"), 7);
        assert_eq!(*calls.borrow(), 3);
        assert_eq!(
            *slept.borrow(),
            [Duration::from_millis(200), Duration::from_millis(400)]
        );
    }

    #[test]
    fn the_attempts_run_out_and_other_errors_are_not_retried() {
        let calls = RefCell::new(0);
        let slept = RefCell::new(Vec::new());
        let r: std::io::Result<()> = with_backoff(
            "read",
            || {
                *calls.borrow_mut() += 1;
                Err(Error::new(ErrorKind::Interrupted, "again"))
            },
            |d| slept.borrow_mut().push(d),
        );
        assert_eq!(r.expect_err("gives up").kind(), ErrorKind::Interrupted);
        assert_eq!(*calls.borrow(), ATTEMPTS);
        assert_eq!(slept.borrow().len(), ATTEMPTS as usize - 1);
        let calls = RefCell::new(0);
        let r: std::io::Result<()> = with_backoff(
            "read",
            || {
                *calls.borrow_mut() += 1;
                Err(Error::new(ErrorKind::NotFound, "gone"))
            },
            |_| panic!("a missing file is not retried"),
        );
        assert_eq!(r.expect_err("fails").kind(), ErrorKind::NotFound);
        assert_eq!(*calls.borrow(), 1);
    }
}
