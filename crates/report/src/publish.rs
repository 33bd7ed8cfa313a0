//! All-or-nothing publication of an output set.

use std::path::Path;

use crate::ReportError;

/// Builds outputs with `build` inside a fresh staging directory under `out`, then moves each
/// top-level entry it created into `out`, replacing what was there. If `build` fails, the
/// staging directory is removed and `out` is untouched.
pub fn publish<E>(out: &Path, build: impl FnOnce(&Path) -> Result<(), E>) -> Result<(), E>
where
    E: From<ReportError>,
{
    std::fs::create_dir_all(out).map_err(|e| ReportError::io(out, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".staging-")
        .tempdir_in(out)
        .map_err(|e| ReportError::io(out, e))?;
    build(staging.path())?;
    let mut entries: Vec<_> = std::fs::read_dir(staging.path())
        .map_err(|e| ReportError::io(staging.path(), e))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(|e| ReportError::io(staging.path(), e))?;
    entries.sort();
    let retired = staging.path().join(".retired");
    std::fs::create_dir(&retired).map_err(|e| ReportError::io(&retired, e))?;
    for name in entries {
        let dest = out.join(&name);
        if dest.exists() {
            std::fs::rename(&dest, retired.join(&name)).map_err(|e| ReportError::io(&dest, e))?;
        }
        std::fs::rename(staging.path().join(&name), &dest)
            .map_err(|e| ReportError::io(&dest, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_outputs_only_when_the_build_succeeds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path();
        publish::<ReportError>(out, |s| {
            std::fs::create_dir(s.join("q1")).expect("mkdir");
            std::fs::write(s.join("q1/t.csv"), "old").expect("write");
            Ok(())
        })
        .expect("first publish");
        let failed = publish::<ReportError>(out, |s| {
            std::fs::create_dir(s.join("q1")).expect("mkdir");
            std::fs::write(s.join("q1/t.csv"), "half").expect("write");
            Err(ReportError::io(s, std::io::Error::other("disk full")))
        });
        assert!(failed.is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("q1/t.csv")).expect("read"),
            "old"
        );
        publish::<ReportError>(out, |s| {
            std::fs::create_dir(s.join("q1")).expect("mkdir");
            std::fs::write(s.join("q1/t.csv"), "new").expect("write");
            Ok(())
        })
        .expect("second publish");
        assert_eq!(
            std::fs::read_to_string(out.join("q1/t.csv")).expect("read"),
            "new"
        );
        let leftovers: Vec<_> = std::fs::read_dir(out)
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, ["q1"], "no staging directories remain");
    }
}
