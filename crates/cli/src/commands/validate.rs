//! `league validate FILE...`: the input checks of a run without scoring; prints each file's
//! counts and verdict, exits 6 if any file breaks a fail threshold.

use std::path::Path;

use anyhow::Context as _;

use league_ingest::Format;

use crate::args::Common;
use crate::config::Setup;
use crate::config::data::{self, DataDir};
use crate::error::{Classify, ExitClass};
use crate::pipeline::validation::{blocked, failures};

/// `league validate`: the same checks without scoring.
pub(crate) fn validate(
    inputs: &[std::path::PathBuf],
    format: Option<&str>,
    quarantine: Option<&Path>,
    data: &DataDir,
    limit: Vec<String>,
) -> anyhow::Result<()> {
    let format = match format {
        None => None,
        Some(name) => Some(
            Format::from_name(name)
                .ok_or_else(|| {
                    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                    anyhow::anyhow!(
                        "unknown --format {name:?}; expected one of: {}",
                        names.join(", ")
                    )
                })
                .class(ExitClass::BadConfig)?,
        ),
    };
    let setup = Setup::load(
        &Common {
            limit,
            ..Common::default()
        },
        data,
        data::METHODOLOGY,
    )?;
    let paths: Vec<&Path> = inputs.iter().map(|p| p.as_path()).collect();
    let sources = setup.ingest(&paths, format)?;
    let judged = setup.judge(&sources);
    let findings: Vec<_> = sources.iter().flat_map(|s| s.findings.clone()).collect();
    println!(
        "{:<60} {:<13} {:>8} {:>8} {:>11} {:>8}  verdict",
        "file", "format", "rows", "accepted", "quarantined", "excluded"
    );
    for (s, breaches) in &judged {
        let verdict = if breaches.iter().any(|b| b.fails) {
            "FAIL"
        } else if breaches.is_empty() {
            "ok"
        } else {
            "warn"
        };
        println!(
            "{:<60} {:<13} {:>8} {:>8} {:>11} {:>8}  {verdict}",
            s.file,
            s.format,
            s.rows_read,
            s.accepted(),
            s.quarantined,
            s.excluded.values().sum::<u64>()
        );
        for (k, n) in &s.excluded {
            println!("    excluded {:<24} {n}", k.code());
        }
        for b in breaches {
            println!(
                "    {} {:<24} {} row(s), {:.1}%",
                if b.fails { "FAIL" } else { "warn" },
                b.rule.code(),
                b.rows,
                b.percent
            );
        }
    }
    if let Some(q) = quarantine {
        std::fs::write(q, league_ingest::quarantine_csv(&findings))
            .with_context(|| format!("cannot write {}", q.display()))
            .class(ExitClass::Io)?;
    }
    let fails = failures(&judged);
    if fails.is_empty() {
        Ok(())
    } else {
        Err(blocked(fails, &findings))
    }
}
