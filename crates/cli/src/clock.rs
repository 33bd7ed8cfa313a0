//! Times as the manifest, logs and records write them.

/// The time as the manifest and logs write it: RFC 3339, UTC, whole seconds.
pub(crate) fn stamp(t: jiff::Timestamp) -> String {
    // Whole seconds, truncated: a start is never stamped after it happened.
    jiff::Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_stamped_in_whole_seconds_never_after_the_event() {
        let t: jiff::Timestamp = "2026-12-01T03:18:46.82Z".parse().expect("time");
        assert_eq!(stamp(t), "2026-12-01T03:18:46Z");
    }
}
