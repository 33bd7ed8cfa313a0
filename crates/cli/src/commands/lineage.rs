//! A run as OpenLineage events (REL-3): `league lineage RUN_ID` prints a START event and a
//! COMPLETE (or FAIL) event, one JSON object per line, from the release's manifest or, for a run
//! that made no release, its line in `OUT/run-history.jsonl`. Each event carries the run id (as
//! a UUID derived from it), the job, the input and output datasets, a producer URI and the
//! schema URL, as the OpenLineage specification requires.

use std::path::Path;

use serde_json::{Value, json};

use crate::error::{Classify, ExitClass};
use crate::store::{OutputRoot, RunId, outcomes, read_manifest};

const PRODUCER: &str = "https://github.com/league-tables/league-tables/tree/main/crates/cli";
const SCHEMA_URL: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const NAMESPACE: &str = "league-tables";

/// A UUID (version 8, RFC 9562's custom form) from the SHA-256 of the run id: the same run id
/// always gives the same UUID.
pub(crate) fn run_uuid(run_id: &str) -> String {
    use sha2::Digest as _;
    let mut b: [u8; 16] = sha2::Sha256::digest(run_id.as_bytes())[..16]
        .try_into()
        .expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn event(kind: &str, time: &str, run_id: &str, job: &str, inputs: Value, outputs: Value) -> Value {
    json!({
        "eventType": kind,
        "eventTime": time,
        "run": { "runId": run_uuid(run_id), "facets": {} },
        "job": { "namespace": NAMESPACE, "name": job, "facets": {} },
        "inputs": inputs,
        "outputs": outputs,
        "producer": PRODUCER,
        "schemaURL": SCHEMA_URL,
    })
}

/// Datasets from a manifest list (`inputs` or `outputs`), named by path.
fn datasets(list: &Value, namespace: &str) -> Value {
    Value::Array(
        list.as_array()
            .map(|v| {
                v.iter()
                    .map(|d| {
                        json!({
                            "namespace": namespace,
                            "name": d["path"],
                            "facets": {},
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// The two events of `run_id` under `out`.
pub(crate) fn events(out: &Path, run_id: &RunId) -> anyhow::Result<[Value; 2]> {
    let root = OutputRoot::new(out);
    root.guard()?;
    let dir = root.release(run_id);
    if dir.is_dir() {
        let m = read_manifest(&dir)?;
        let job = m["job"].as_str().unwrap_or_default();
        let started = m["started"].as_str().unwrap_or_default();
        let finished = m["finished"].as_str().unwrap_or_default();
        let inputs = datasets(&m["inputs"], "file");
        let outputs = datasets(&m["outputs"], &format!("file:releases/{run_id}"));
        return Ok([
            event("START", started, run_id, job, inputs.clone(), json!([])),
            event("COMPLETE", finished, run_id, job, inputs, outputs),
        ]);
    }
    match outcomes::last(&root, run_id) {
        Some(v) => {
            let job = v["job"].as_str().unwrap_or_default();
            let kind = if v["status"] == "complete" {
                "COMPLETE"
            } else {
                "FAIL"
            };
            let time = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            let mut end = event(kind, &time("finished"), run_id, job, json!([]), json!([]));
            if let Some(message) = v["error"].as_str() {
                // OpenLineage's standard error facet.
                end["run"]["facets"]["errorMessage"] = json!({
                    "_producer": PRODUCER,
                    "_schemaURL": "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json",
                    "message": message,
                    "programmingLanguage": "rust",
                });
            }
            Ok([
                event("START", &time("started"), run_id, job, json!([]), json!([])),
                end,
            ])
        }
        None => Err(anyhow::anyhow!(
            "no release and no recorded run {run_id} in {}",
            out.display()
        ))
        .class(ExitClass::BadInput),
    }
}

/// `league lineage`.
pub(crate) fn command(out: &Path, run_id: &RunId) -> anyhow::Result<()> {
    for e in events(out, run_id)? {
        println!("{e}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_uuids_are_stable_version_8_uuids() {
        let u = run_uuid("2025-26-Q1-nightly-0123456789ab");
        assert_eq!(u, run_uuid("2025-26-Q1-nightly-0123456789ab"));
        assert_ne!(u, run_uuid("2025-26-Q1-nightly-0123456789ac"));
        let parts: Vec<&str> = u.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('8'), "version 8: {u}");
        assert!("89ab".contains(&parts[3][..1]), "RFC 9562 variant: {u}");
    }

    fn id(s: &str) -> RunId {
        RunId::parse(s).expect("run id")
    }

    #[test]
    fn a_failed_run_is_a_start_and_a_fail_event() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("run-history.jsonl"),
            r#"{"run_id":"2025-26-Q1-nightly-0123456789ab","job":"nightly","status":"failed","error":"cannot use x.csv: the file is empty","started":"2026-12-01T02:00:00Z","finished":"2026-12-01T02:00:05Z"}"#,
        )
        .expect("write");
        let [start, end] =
            events(dir.path(), &id("2025-26-Q1-nightly-0123456789ab")).expect("events");
        assert_eq!(start["eventType"], "START");
        assert_eq!(end["eventType"], "FAIL");
        assert_eq!(end["eventTime"], "2026-12-01T02:00:05Z");
        assert_eq!(start["run"]["runId"], end["run"]["runId"]);
        assert_eq!(end["job"]["name"], "nightly");
        assert_eq!(
            end["run"]["facets"]["errorMessage"]["message"],
            "cannot use x.csv: the file is empty"
        );
        assert_eq!(end["schemaURL"], SCHEMA_URL);
        assert!(events(dir.path(), &id("2025-26-Q1-nightly-0123456789ac")).is_err());
    }
}
