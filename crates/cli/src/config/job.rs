//! Job files (`jobs/*.toml`): what a scheduled or on-demand run reads, which period it makes,
//! where it writes and when its release may be published. Validated on load like the
//! methodology: unknown keys, bad periods, missing files and impossible times are refused with
//! the file and key named. Relative paths are relative to the job file's directory, so a job
//! runs the same from any working directory.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

use league_model::Quarter;

use crate::config::data::DataFile;
use crate::error::{Classify, ExitClass};

/// A job file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobFile {
    job: JobSection,
    #[serde(default)]
    inputs: InputsSection,
    schedule: Option<ScheduleSection>,
    #[serde(default)]
    release: ReleaseSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobSection {
    name: String,
    description: String,
    methodology: String,
    period: String,
    out: PathBuf,
    outputs: Vec<String>,
    keep_releases: Option<usize>,
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputsSection {
    #[serde(default)]
    files: Vec<PathBuf>,
    inbox: Option<PathBuf>,
    board_assessment: Option<PathBuf>,
    /// A record-level extract directory (DIR/ae, DIR/rtt, DIR/ambulance): its metric values
    /// replace the same metrics in the other inputs.
    records: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleSection {
    cron: String,
    timezone: String,
    timeout_minutes: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseSection {
    #[serde(default = "default_release_time")]
    time: String,
    #[serde(default = "default_zone")]
    timezone: String,
    /// The pre-announced release date (YYYY-MM-DD); without it, the run's date.
    date: Option<String>,
}

impl Default for ReleaseSection {
    fn default() -> Self {
        Self {
            time: default_release_time(),
            timezone: default_zone(),
            date: None,
        }
    }
}

fn default_release_time() -> String {
    "09:30".to_owned()
}

fn default_zone() -> String {
    "Europe/London".to_owned()
}

/// Which period a run makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Period {
    /// Every quarter in the inputs.
    All,
    /// The latest quarter in the inputs whose three months have ended by the run's date.
    LatestComplete,
    /// One quarter.
    Quarter(Quarter),
}

impl Period {
    /// Reads `all`, `latest-complete` or a quarter (`2025-26-Q1`, `Q1 2025/26`).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "all" => Ok(Self::All),
            "latest-complete" => Ok(Self::LatestComplete),
            q => q
                .parse()
                .map(Self::Quarter)
                .map_err(|e| format!("{e}; or use \"latest-complete\" or \"all\"")),
        }
    }
}

/// Which outputs a run makes beyond the league tables, quarantine, summary and manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutputSet {
    /// National packs (PDF, workbook, CSV and Parquet tables).
    pub national_packs: bool,
    /// Each trust's letter and board workbook.
    pub trust_documents: bool,
    /// The web edition (`site/`).
    pub site: bool,
}

impl OutputSet {
    /// The names, as job files and `--outputs` give them.
    pub const NAMES: [&str; 4] = ["tables", "national-packs", "trust-documents", "site"];

    /// Reads a list of names; `tables` is required (every other output is checked against it).
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut set = Self {
            national_packs: false,
            trust_documents: false,
            site: false,
        };
        let mut tables = false;
        for n in names {
            match n.as_ref() {
                "tables" => tables = true,
                "national-packs" => set.national_packs = true,
                "trust-documents" => set.trust_documents = true,
                "site" => set.site = true,
                other => {
                    return Err(format!(
                        "unknown output {other:?}; expected some of: {}",
                        Self::NAMES.join(", ")
                    ));
                }
            }
        }
        if !tables {
            return Err("outputs must include \"tables\": every other output is checked against the league tables".to_owned());
        }
        if set.trust_documents && !set.national_packs {
            return Err("\"trust-documents\" needs \"national-packs\": each trust's figures are checked against the national tables".to_owned());
        }
        if set.site && !set.national_packs {
            return Err("\"site\" needs \"national-packs\": the site is built from the national tables and offers their files".to_owned());
        }
        Ok(set)
    }

    /// The names of the outputs made, for the manifest.
    pub fn names(self) -> Vec<&'static str> {
        let mut v = vec!["tables"];
        if self.national_packs {
            v.push("national-packs");
        }
        if self.trust_documents {
            v.push("trust-documents");
        }
        if self.site {
            v.push("site");
        }
        v
    }
}

/// The release time: a civil time in a named zone on the release date, which is the
/// pre-announced date where one is configured (a job's `[release] date`, `--release-date`),
/// else the run's own date (moved to the next weekday). Every document is dated with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReleaseTime {
    /// `HH:MM`.
    pub time: jiff::civil::Time,
    /// The zone (an IANA name such as `Europe/London`).
    pub zone: String,
    /// The configured release date, if any.
    pub date: Option<jiff::civil::Date>,
}

impl Default for ReleaseTime {
    fn default() -> Self {
        Self::parse(&default_release_time(), &default_zone()).expect("valid default")
    }
}

impl ReleaseTime {
    /// Checks a time `HH:MM` and a zone name.
    pub fn parse(time: &str, zone: &str) -> Result<Self, String> {
        let t: jiff::civil::Time = time
            .parse()
            .map_err(|e| format!("time {time:?} is not HH:MM: {e}"))?;
        jiff::tz::TimeZone::get(zone).map_err(|e| format!("timezone {zone:?}: {e}"))?;
        Ok(Self {
            time: t,
            zone: zone.to_owned(),
            date: None,
        })
    }

    /// Sets the pre-announced release date (`YYYY-MM-DD`, a weekday).
    pub fn with_date(mut self, date: Option<&str>) -> Result<Self, String> {
        if let Some(d) = date {
            let parsed: jiff::civil::Date = d
                .parse()
                .map_err(|e| format!("date {d:?} is not YYYY-MM-DD: {e}"))?;
            self.on(parsed)?;
            self.date = Some(parsed);
        }
        Ok(self)
    }

    /// Today's date in the release zone (for "latest-complete" only; the chosen quarter is
    /// then part of the run id).
    pub fn today(&self) -> jiff::civil::Date {
        let tz = jiff::tz::TimeZone::get(&self.zone).unwrap_or(jiff::tz::TimeZone::UTC);
        jiff::Timestamp::now().to_zoned(tz).date()
    }

    /// The release date: the configured one, else the run's date in the release zone, or the
    /// next weekday when the run falls on a weekend (statistics are released on weekdays).
    pub fn release_date(&self) -> jiff::civil::Date {
        if let Some(d) = self.date {
            return d;
        }
        let mut d = self.today();
        while matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            d = d.tomorrow().expect("a date after today exists");
        }
        d
    }

    /// The release date as the documents print it.
    pub fn document_date(&self) -> league_model::Date {
        let d = self.release_date();
        league_model::Date::new(d.year() as u16, d.month() as u8, d.day() as u8)
            .expect("a release date is a real date between 1900 and 2200")
    }

    /// The instant of release on the release date.
    pub fn instant(&self) -> Result<jiff::Timestamp, String> {
        self.on(self.release_date())
    }

    /// The instant of release on `d`, which must be a weekday (Code of Practice T3.6: 9.30am
    /// on a weekday).
    pub fn on(&self, d: jiff::civil::Date) -> Result<jiff::Timestamp, String> {
        let date = d;
        if matches!(
            d.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ) {
            return Err(format!(
                "release date {date} is a {:?}: statistics are released on a weekday",
                d.weekday()
            ));
        }
        let tz = jiff::tz::TimeZone::get(&self.zone).map_err(|e| e.to_string())?;
        d.to_datetime(self.time)
            .to_zoned(tz)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    }
}

/// A validated job.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    /// The job file.
    pub file: PathBuf,
    pub name: String,
    /// The methodology version, e.g. `nof-2025-26` (`methodology/<version>.toml`).
    pub methodology: String,
    pub period: Period,
    pub out: PathBuf,
    pub outputs: OutputSet,
    pub keep_releases: Option<usize>,
    /// `None`: the copies compiled into the binary.
    pub data_dir: Option<PathBuf>,
    /// Input files, in order; an inbox adds every file in it, sorted by name. Empty: the
    /// embedded default dataset.
    pub inputs: Vec<PathBuf>,
    pub board_assessment: Option<PathBuf>,
    /// A record-level extract directory, read in place of the published aggregates it covers.
    pub records: Option<PathBuf>,
    pub release: ReleaseTime,
}

impl Job {
    /// Reads and validates a job file; every problem is a configuration error (exit 4) naming
    /// the file and key.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        // A job file that is not there is a mistake in the command or the scheduler's unit,
        // not a passing fault: retrying will not help.
        if !path.exists() {
            return Err(anyhow::anyhow!(
                "job file {} does not exist",
                path.display()
            ))
            .class(ExitClass::BadConfig);
        }
        // Read within the default input limits (the job names the data whose limits apply to
        // everything after it).
        let file = DataFile::read(path, &league_ingest::Limits::default())
            .with_context(|| format!("cannot read job file {}", path.display()))?;
        let text = std::str::from_utf8(&file.bytes)
            .map_err(|_| anyhow::anyhow!("job file {} is not UTF-8 text", path.display()))
            .class(ExitClass::BadConfig)?;
        Self::from_toml(path, text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
            .class(ExitClass::BadConfig)
    }

    fn from_toml(path: &Path, text: &str) -> Result<Self, String> {
        let f: JobFile = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &Path| {
            if p.is_absolute() {
                p.to_owned()
            } else {
                base.join(p)
            }
        };
        let j = &f.job;
        j.check_names()?;
        let period = Period::parse(&j.period).map_err(|e| format!("job.period: {e}"))?;
        let outputs = OutputSet::parse(&j.outputs).map_err(|e| format!("job.outputs: {e}"))?;
        if j.keep_releases == Some(0) {
            return Err(
                "job.keep_releases = 0 would remove the release just made; give at least 1"
                    .to_owned(),
            );
        }
        let data_dir = j.data_dir.as_deref().map(resolve);
        if let Some(d) = &data_dir
            && !d.is_dir()
        {
            return Err(format!("job.data_dir {} is not a directory", d.display()));
        }
        let release = ReleaseTime::parse(&f.release.time, &f.release.timezone)
            .and_then(|r| r.with_date(f.release.date.as_deref()))
            .map_err(|e| format!("release.{e}"))?;
        if let Some(s) = &f.schedule {
            s.check()?;
        }
        Ok(Self {
            file: path.to_owned(),
            name: j.name.clone(),
            methodology: j.methodology.clone(),
            period,
            out: resolve(&j.out),
            outputs,
            keep_releases: j.keep_releases,
            data_dir,
            inputs: f.inputs.files_in_order(resolve)?,
            board_assessment: f.inputs.board_assessment.as_deref().map(resolve),
            records: match f.inputs.records.as_deref().map(resolve) {
                Some(dir) if !dir.is_dir() => {
                    return Err(format!(
                        "inputs.records {} is not a directory",
                        dir.display()
                    ));
                }
                other => other,
            },
            release,
        })
    }
}

impl JobSection {
    /// The job's name (it names releases and logs), description and methodology version.
    fn check_names(&self) -> Result<(), String> {
        let name_ok = !self.name.is_empty()
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !name_ok {
            return Err(format!(
                "job.name {:?}: use lower-case letters, digits and '-' (it names releases and logs)",
                self.name
            ));
        }
        if self.description.trim().is_empty() {
            return Err("job.description is empty: say what the job is for".to_owned());
        }
        let version_ok = !self.methodology.is_empty()
            && self
                .methodology
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !version_ok {
            return Err(format!(
                "job.methodology {:?} is not a version name such as \"nof-2025-26\"",
                self.methodology
            ));
        }
        Ok(())
    }
}

impl InputsSection {
    /// The listed files, then every file of the inbox in name order (hidden files and
    /// directories skipped); each must exist, and an inbox must hold something.
    fn files_in_order(&self, resolve: impl Fn(&Path) -> PathBuf) -> Result<Vec<PathBuf>, String> {
        let mut inputs: Vec<PathBuf> = self.files.iter().map(|p| resolve(p)).collect();
        for p in &inputs {
            if !p.is_file() {
                return Err(format!("inputs.files: {} is not a file", p.display()));
            }
        }
        if let Some(inbox) = &self.inbox {
            let dir = resolve(inbox);
            let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| format!("inputs.inbox {}: {e}", dir.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!(
                    "inputs.inbox {} holds no files: nothing to run on",
                    dir.display()
                ));
            }
            inputs.extend(found);
        }
        Ok(inputs)
    }
}

impl ScheduleSection {
    /// The schedule documents when the scheduler (jobs/systemd/, jobs/cron.example) starts the
    /// job; it is checked here so a typo is caught where it is written.
    fn check(&self) -> Result<(), String> {
        let fields = self.cron.split_whitespace().count();
        if fields != 5 {
            return Err(format!(
                "schedule.cron {:?} has {fields} fields; a cron line has 5 (minute hour day month weekday)",
                self.cron
            ));
        }
        jiff::tz::TimeZone::get(&self.timezone)
            .map_err(|e| format!("schedule.timezone {:?}: {e}", self.timezone))?;
        if self.timeout_minutes == 0 {
            return Err("schedule.timeout_minutes must be at least 1".to_owned());
        }
        Ok(())
    }
}

/// The quarters from `from` to `to`, inclusive, in order.
pub(crate) fn quarters_between(from: Quarter, to: Quarter) -> Vec<Quarter> {
    let mut out = Vec::new();
    let mut q = to;
    while q >= from {
        out.push(q);
        q = q.previous();
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(text: &str) -> Result<Job, String> {
        let dir = tempfile::tempdir().expect("tempdir");
        Job::from_toml(&dir.path().join("j.toml"), text)
    }

    const MINIMAL: &str = r#"
[job]
name = "nightly"
description = "test"
methodology = "nof-2025-26"
period = "latest-complete"
out = "reports"
outputs = ["tables"]
"#;

    #[test]
    fn a_minimal_job_takes_the_defaults() {
        let j = job(MINIMAL).expect("valid");
        assert_eq!(j.period, Period::LatestComplete);
        assert!(j.inputs.is_empty(), "the embedded dataset");
        assert_eq!(j.release, ReleaseTime::default());
        assert!(!j.outputs.national_packs && !j.outputs.trust_documents);
        assert!(j.out.ends_with("reports") && j.out.is_absolute());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_by_name() {
        let cases = [
            (
                MINIMAL.replace("out =", "output ="),
                "unknown field `output`",
            ),
            (
                MINIMAL.replace("latest-complete", "2025-26-Q5"),
                "job.period",
            ),
            (
                MINIMAL.replace("[\"tables\"]", "[\"letters\"]"),
                "unknown output \"letters\"",
            ),
            (
                MINIMAL.replace("[\"tables\"]", "[\"national-packs\"]"),
                "must include \"tables\"",
            ),
            (
                MINIMAL.replace("[\"tables\"]", "[\"tables\", \"trust-documents\"]"),
                "needs \"national-packs\"",
            ),
            (
                MINIMAL.replace("[\"tables\"]", "[\"tables\", \"site\"]"),
                "\"site\" needs \"national-packs\"",
            ),
            (MINIMAL.replace("\"nightly\"", "\"Night Run\""), "job.name"),
            (
                format!("{MINIMAL}[release]\ntime = \"25:00\"\n"),
                "release.time",
            ),
            (
                format!("{MINIMAL}[release]\ntimezone = \"Mars/Olympus\"\n"),
                "release.timezone",
            ),
            (
                format!(
                    "{MINIMAL}[schedule]\ncron = \"0 2 * *\"\ntimezone = \"Europe/London\"\ntimeout_minutes = 30\n"
                ),
                "5 (minute",
            ),
            (
                format!("{MINIMAL}[inputs]\nfiles = [\"missing.csv\"]\n"),
                "is not a file",
            ),
            (
                format!("{MINIMAL}[inputs]\ninbox = \"nowhere\"\n"),
                "inputs.inbox",
            ),
        ];
        for (text, want) in cases {
            let e = job(&text).expect_err(want);
            assert!(e.contains(want), "{want:?} not in {e:?}");
        }
    }

    #[test]
    fn a_record_extract_is_a_directory_relative_to_the_job_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("extracts")).expect("mkdir");
        let text = format!("{MINIMAL}[inputs]\nrecords = \"extracts\"\n");
        let j = Job::from_toml(&dir.path().join("j.toml"), &text).expect("valid");
        assert_eq!(j.records, Some(dir.path().join("extracts")));
        assert!(j.inputs.is_empty(), "with the default dataset beside it");
        let text = format!("{MINIMAL}[inputs]\nrecords = \"nowhere\"\n");
        let e = Job::from_toml(&dir.path().join("j.toml"), &text).expect_err("missing");
        assert!(
            e.contains("inputs.records") && e.contains("is not a directory"),
            "{e}"
        );
    }

    #[test]
    fn an_inbox_adds_its_files_in_name_order_after_the_listed_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).expect("mkdir");
        for f in ["b.csv", "a.csv", ".partial.csv"] {
            std::fs::write(inbox.join(f), "x").expect("write");
        }
        std::fs::create_dir(inbox.join("sub")).expect("mkdir");
        std::fs::write(dir.path().join("first.csv"), "x").expect("write");
        let text = format!("{MINIMAL}[inputs]\nfiles = [\"first.csv\"]\ninbox = \"inbox\"\n");
        let j = Job::from_toml(&dir.path().join("j.toml"), &text).expect("valid");
        let names: Vec<String> = j
            .inputs
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .expect("inside")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["first.csv", "inbox/a.csv", "inbox/b.csv"]);
        std::fs::remove_file(inbox.join("a.csv")).expect("rm");
        std::fs::remove_file(inbox.join("b.csv")).expect("rm");
        let e = Job::from_toml(&dir.path().join("j.toml"), &text).expect_err("empty inbox");
        assert!(e.contains("holds no files"), "{e}");
    }

    #[test]
    fn the_release_instant_follows_british_summer_time_and_refuses_weekends() {
        let r = ReleaseTime::default();
        let date = |d: &str| d.parse::<jiff::civil::Date>().expect("date");
        // 09:30 GMT in winter, 08:30 UTC in summer (BST).
        assert_eq!(
            r.on(date("2026-11-23")).expect("Monday").to_string(),
            "2026-11-23T09:30:00Z"
        );
        assert_eq!(
            r.on(date("2026-06-11")).expect("Thursday").to_string(),
            "2026-06-11T08:30:00Z"
        );
        assert!(
            r.on(date("2026-11-21"))
                .expect_err("Saturday")
                .contains("weekday")
        );
        // A configured date is the release date; a weekend one is refused on load.
        let dated = r.clone().with_date(Some("2026-11-23")).expect("Monday");
        assert_eq!(dated.release_date(), date("2026-11-23"));
        assert!(r.clone().with_date(Some("2026-11-21")).is_err());
        assert!(r.clone().with_date(Some("2026-11-31")).is_err());
        // Without one, the run's own date, never a weekend.
        let undated = r.release_date();
        assert!(!matches!(
            undated.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        ));
        assert!(undated >= r.today());
    }

    #[test]
    fn backfill_ranges_cross_financial_years() {
        let q = |s: &str| s.parse::<Quarter>().expect("quarter");
        let got: Vec<String> = quarters_between(q("2024-25-Q3"), q("2025-26-Q2"))
            .into_iter()
            .map(|q| q.to_string())
            .collect();
        assert_eq!(
            got,
            ["Q3 2024/25", "Q4 2024/25", "Q1 2025/26", "Q2 2025/26"]
        );
        assert!(quarters_between(q("2025-26-Q2"), q("2025-26-Q1")).is_empty());
    }
}
