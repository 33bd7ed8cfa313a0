//! Run ids as validated names: `<period>-<job>-<12 hex>`, exactly as [`crate::pipeline`] writes
//! them (`2025-26-Q1-nightly-0123456789ab`, `2025-26-Q1-to-2025-26-Q3-report-…`). A run id
//! names a directory under the output root, so every command that takes one parses it here
//! before any path is built: no `/`, no `..`, nothing absolute, nothing a shell or a file
//! system reads specially can pass.

use std::fmt;

use crate::error::{Classify, ExitClass};

/// A run id that has passed [`RunId::parse`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct RunId(String);

/// `2025-26-Q1`: four digits, `-`, two digits, `-Q`, a quarter 1–4.
fn is_quarter_slug(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && &b[7..9] == b"-Q"
        && (b'1'..=b'4').contains(&b[9])
}

/// A job name: lower-case letters, digits and `-`, starting with a letter or digit (the rule
/// job files are held to).
fn is_job_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

impl RunId {
    /// Checks `text` against the run id pattern (exit 4 if it does not match).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        Self::check(text)
            .map(|()| Self(text.to_owned()))
            .map_err(|why| {
                anyhow::anyhow!(
                    "{text:?} is not a run id ({why}); a run id is <period>-<job>-<12 hex digits>, e.g. 2025-26-Q1-nightly-0123456789ab, as `league report` prints and run-history.jsonl records"
                )
            })
            .class(ExitClass::BadConfig)
    }

    /// The first rule `text` breaks, if any.
    fn check(text: &str) -> Result<(), &'static str> {
        if text.len() > 200 {
            return Err("longer than 200 characters");
        }
        let (rest, hex) = text.rsplit_once('-').ok_or("no '-'")?;
        if hex.len() != 12
            || !hex
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        {
            return Err("it does not end in 12 lower-case hex digits");
        }
        if rest.len() < 12 || !rest.is_char_boundary(10) || !is_quarter_slug(&rest[..10]) {
            return Err("it does not start with a quarter such as 2025-26-Q1");
        }
        let mut after = &rest[10..];
        // A range of quarters; a job named `to-…` is a job, not a range.
        if let Some(r) = after.strip_prefix("-to-")
            && r.is_char_boundary(10.min(r.len()))
            && r.len() >= 10
            && is_quarter_slug(&r[..10])
        {
            after = &r[10..];
        }
        let job = after
            .strip_prefix('-')
            .ok_or("no job name after the period")?;
        if !is_job_name(job) {
            return Err("the job name is not lower-case letters, digits and '-'");
        }
        Ok(())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for RunId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for RunId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RunId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ids_the_tool_writes_pass_and_paths_do_not() {
        for ok in [
            "2025-26-Q1-nightly-0123456789ab",
            "2025-26-Q1-to-2025-26-Q3-report-ffffffffffff",
            "2024-25-Q4-a-000000000000",
            "2025-26-Q2-mh-community-2-abcdefabcdef",
            "2025-26-Q1-to-all-abcdefabcdef",
        ] {
            RunId::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e:#}"));
        }
        for bad in [
            "",
            "../../../Z/2025-26-Q1-nightly-0123456789ab",
            "/tmp/2025-26-Q1-nightly-0123456789ab",
            "2025-26-Q1-nightly-0123456789ab/..",
            "2025-26-Q1-../x-0123456789ab",
            "2025-26-Q1-nightly-0123456789AB",
            "2025-26-Q1-nightly-0123456789a",
            "2025-26-Q5-nightly-0123456789ab",
            "2025-26-Q1-Nightly-0123456789ab",
            "2025-26-Q1--0123456789ab",
            "2025-26-Q1-to-2025-26-Q3-0123456789ab",
            "2025-26-Q1-night ly-0123456789ab",
            "2025-26-Q1-nightly-0123456789ab\n",
            "2025-26-Q1-ni\u{e9}ghtly-0123456789ab",
        ] {
            let e = RunId::parse(bad).expect_err(bad);
            assert_eq!(crate::error::exit_class(&e), ExitClass::BadConfig, "{bad}");
            assert!(format!("{e:#}").contains("is not a run id"), "{e:#}");
        }
    }
}
