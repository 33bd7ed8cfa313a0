//! A run id is `<period>-<job>-<12 hex>`, the hex from the SHA-256 of everything that decides
//! the outputs: the build (version, git commit, Cargo.lock), the configuration and reference
//! files, every input's name and bytes, the options and the release time. The same id means
//! the same bytes, so a complete release is never built twice unless asked (`--rerun`, which
//! then insists every output is byte-identical).

use league_model::Quarter;

use crate::args::Common;
use crate::store::RunId;

/// The name of a set of periods in a run id: `2025-26-Q1`, or `2025-26-Q1-to-2025-26-Q3`.
pub(crate) fn period_slug(quarters: &[Quarter]) -> String {
    match (quarters.first(), quarters.last()) {
        (Some(a), Some(b)) if a == b => league_report::quarter_slug(*a),
        (Some(a), Some(b)) => format!(
            "{}-to-{}",
            league_report::quarter_slug(*a),
            league_report::quarter_slug(*b)
        ),
        _ => "no-period".to_owned(),
    }
}

/// Builds a run id from everything that decides the outputs.
#[derive(Debug, Default)]
pub(crate) struct RunKey {
    lines: Vec<String>,
}

impl RunKey {
    /// Starts with the build's identity.
    pub fn new(job: &str) -> Self {
        let mut k = Self::default();
        k.add("tool", env!("CARGO_PKG_VERSION"));
        k.add("git", crate::store::manifest::GIT_COMMIT);
        k.add("cargo-lock", &crate::store::manifest::cargo_lock_sha256());
        k.add("job", job);
        k
    }

    /// Adds one named fact.
    pub fn add(&mut self, what: &str, value: &str) {
        self.lines.push(format!("{what}\t{value}"));
    }

    /// Adds a file by its name and SHA-256.
    pub fn file(&mut self, what: &str, name: &str, sha256: &str) {
        self.add(what, &format!("{name} {sha256}"));
    }

    /// Adds every configuration and reference file read.
    pub fn config(&mut self, files: &[&crate::config::data::DataFile]) {
        for f in files {
            self.file("config", &f.name, &f.sha256());
        }
    }

    /// Adds the options every scoring run takes: seed, replicates and input limits.
    pub fn options(&mut self, common: &Common) {
        self.add("seed", &format!("{:?}", common.seed));
        self.add("replicates", &format!("{:?}", common.replicates));
        self.add("limits", &common.limit.join(";"));
    }

    /// `<period>-<job>-<12 hex>`, checked as every run id is (a job name the rule refuses
    /// is refused here, before anything is named after it).
    pub fn id(&self, quarters: &[Quarter], job: &str) -> anyhow::Result<RunId> {
        let sha = crate::hash::sha256_bytes(self.lines.join("\n").as_bytes());
        RunId::parse(&format!("{}-{job}-{}", period_slug(quarters), &sha[..12]))
    }
}
