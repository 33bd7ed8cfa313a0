//! Everything a report run writes into its staging directory, and the manifest that lists it.

use std::path::Path;

use anyhow::Context as _;

use league_ingest::{Breach, SourceSummary};

use crate::config::Setup;
use crate::config::data::DataFile;
use crate::config::job::OutputSet;
use crate::error::{Classify, ExitClass, ingest_error};
use crate::pipeline::LoadedInput;
use crate::store::manifest;

/// Everything a report run writes, and what it is written from.
pub(crate) struct Outputs<'a> {
    pub run: &'a league_model::ScoreRun,
    /// Who each trust's documents go to on the release date, where the register records a
    /// merger or new name by then.
    pub addressees: std::collections::BTreeMap<league_model::TrustCode, league_model::Addressee>,
    /// The trusts merged into each trust by the release date (the site's search aliases).
    pub predecessors:
        std::collections::BTreeMap<league_model::TrustCode, Vec<league_report::Predecessor>>,
    pub m: &'a league_model::Methodology,
    pub publication: &'a league_report::Publication,
    pub boards: &'a [league_model::BoardAssessment],
    pub sources: &'a [league_ingest::Ingested],
    /// The input each source came from.
    pub origin: &'a [usize],
    pub inputs: &'a [LoadedInput],
    pub findings: &'a [league_ingest::RowError],
    pub judged: &'a [(SourceSummary, Vec<Breach>)],
    pub config: &'a [&'a DataFile],
    /// History files read for earlier quarters (path under the output root, SHA-256).
    pub history: &'a [(String, String)],
    pub periods: Vec<String>,
    pub made: OutputSet,
    pub run_id: &'a str,
    pub job: &'a str,
    pub started: String,
    pub release_at: String,
}

impl Outputs<'_> {
    /// Writes every output into `staging`: tables, national packs, trusts' documents (those
    /// the run makes), the quarantine and the validation summary; returns the manifest (its
    /// outputs are listed by the caller, once everything is written).
    pub fn write(&self, staging: &Path) -> anyhow::Result<manifest::Manifest> {
        let (run, m) = (self.run, self.m);
        league_report::write_tables(staging, run, m).class(ExitClass::Io)?;
        let classify = |e: league_report::PackError| {
            let class = match e {
                league_report::PackError::Io(_) => ExitClass::Io,
                _ => ExitClass::Internal,
            };
            anyhow::Error::new(e).context(crate::error::Classified { class })
        };
        if self.made.national_packs || self.made.trust_documents || self.made.site {
            let packs = league_report::build_packs(run, m);
            let context = league_report::DocumentContext {
                publication: self.publication,
                boards: self.boards,
                addressees: &self.addressees,
            };
            if self.made.national_packs {
                league_report::write_national_packs(staging, &packs, self.publication)
                    .map_err(classify)?;
            }
            if self.made.trust_documents {
                league_report::write_trust_documents(staging, run, m, &packs, context)
                    .map_err(classify)?;
            }
            if self.made.site {
                league_report::write_site(staging, run, m, &packs, context, &self.release_facts())
                    .map_err(classify)?;
            }
        }
        for (name, text) in [
            (
                "quarantine.csv",
                league_ingest::quarantine_csv(self.findings),
            ),
            (
                "validation-summary.csv",
                league_ingest::summary_csv(self.judged),
            ),
        ] {
            write_text(staging, name, text)?;
        }
        Ok(self.manifest())
    }

    /// What the site's data page says about the release.
    fn release_facts(&self) -> league_report::ReleaseFacts {
        league_report::ReleaseFacts {
            run_id: self.run_id.to_owned(),
            release_at: self.release_at.clone(),
            inputs: self
                .sources
                .iter()
                .zip(self.origin)
                .map(|(s, &k)| (s.summary.file.clone(), self.inputs[k].sha256.clone()))
                .collect(),
            predecessors: self.predecessors.clone(),
        }
    }

    fn manifest(&self) -> manifest::Manifest {
        let mut manifest = manifest::Manifest::new(
            self.run_id,
            self.job,
            self.m,
            self.config,
            self.started.clone(),
            self.release_at.clone(),
        );
        manifest.periods = self.periods.clone();
        manifest.seed = self.run.seed;
        manifest.replicates = self.run.replicates;
        manifest.outputs_made = self.made.names();
        manifest.inputs = self
            .sources
            .iter()
            .zip(self.origin)
            .map(|(s, &k)| manifest::Input {
                path: s.summary.file.clone(),
                sha256: self.inputs[k].sha256.clone(),
                format: s.summary.format.clone(),
                rows_read: s.summary.rows_read,
                rows_accepted: s.summary.accepted(),
                rows_quarantined: s.summary.quarantined,
                rows_excluded: s.summary.excluded.values().sum(),
            })
            .collect();
        manifest.quarantined_cells = self.findings.len();
        manifest.history_inputs = self
            .history
            .iter()
            .map(|(path, sha256)| manifest::ConfigFile {
                path: path.clone(),
                sha256: sha256.clone(),
            })
            .collect();
        manifest
    }
}

/// Writes one text file into `dir`.
fn write_text(dir: &Path, name: &str, text: String) -> anyhow::Result<std::path::PathBuf> {
    let p = dir.join(name);
    std::fs::write(&p, text)
        .with_context(|| format!("cannot write {}", p.display()))
        .class(ExitClass::Io)?;
    Ok(p)
}

/// Reads the board capability assessments.
pub(crate) fn read_boards(
    path: &Path,
    setup: &Setup,
) -> anyhow::Result<Vec<league_model::BoardAssessment>> {
    let boards = league_ingest::read_board_assessments(path, &setup.limits, &setup.methodology)
        .map_err(ingest_error)
        .with_context(|| format!("cannot use the board assessment {}", path.display()))?;
    tracing::info!(trusts = boards.len(), "board capability assessments read");
    Ok(boards)
}

/// Each assessment must name a trust the run scored in that quarter, or the run stops (a rating
/// is never attached to the wrong trust or dropped).
pub(crate) fn boards_in_run(
    path: &Path,
    boards: &[league_model::BoardAssessment],
    run: &league_model::ScoreRun,
) -> anyhow::Result<()> {
    for b in boards {
        let scored = run
            .tables
            .iter()
            .any(|t| t.quarter == b.quarter && t.rows.iter().any(|r| r.trust.code == b.trust));
        if !scored {
            return Err(anyhow::anyhow!(
                "{}: trust {} has a board assessment for {} but no average in this run",
                path.display(),
                b.trust,
                b.quarter
            ))
            .class(ExitClass::BadInput);
        }
    }
    Ok(())
}
