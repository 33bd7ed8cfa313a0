//! The run manifest: every output listed with its hash and size, and nothing else.

use super::*;

pub(crate) fn check_manifest(dir: &Path, report: &mut CheckReport) {
    use sha2::{Digest, Sha256};
    let file = "manifest.json";
    let v: serde_json::Value = match std::fs::read_to_string(dir.join(file))
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            report.fail(file, format!("cannot be read: {e}"));
            return;
        }
    };
    let Some(outputs) = v["outputs"].as_array() else {
        report.fail(file, "no outputs listed".to_owned());
        return;
    };
    let mut listed = std::collections::BTreeSet::new();
    for o in outputs {
        let path = o["path"].as_str().unwrap_or_default();
        listed.insert(path.to_owned());
        match std::fs::read(dir.join(path)) {
            Ok(bytes) => {
                let hex: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if Some(hex.as_str()) != o["sha256"].as_str() {
                    report.fail(file, format!("{path}: SHA-256 differs from the file's"));
                }
                report.count("output hashes equal to the manifest", 1);
            }
            Err(e) => report.fail(file, format!("{path}: {e}")),
        }
    }
    // Hidden files and directories (a run's staging) are not the release's.
    for rel in crate::read::files_under(dir)
        .into_iter()
        .filter(|rel| !rel.split('/').any(|part| part.starts_with('.')))
    {
        // A published release carries its pre-release access list, and a correction its
        // notice, beside the release's own files.
        let notice = ["correction-notice.txt", "pre-release-access.csv"].contains(&rel.as_str());
        if rel != file && !notice && !listed.contains(&rel) {
            report.fail(file, format!("{rel} is not listed"));
        }
    }
}
