//! What synthetic extracts are calibrated to: each trust's real monthly volumes and
//! performance in NHS England's publications shipped in `data/sources/`.
//!
//! - A&E (`ae_monthly_by_provider_…csv`): attendances and attendances over 4 hours by department
//!   type (type 1, type 2, other; booked appointments included, as NHS England's 4-hour figure
//!   includes them), and type 1 emergency admissions.
//! - RTT (`unified_monthly_acute_…csv`): the month-end waiting list, those within 18 weeks and
//!   those over 52 weeks, and the list's split by treatment function.
//! - Ambulance (`ambsys_monthly_…csv`): incidents and mean response time for categories 1–4.
//! - The share of type 1 attendances over 12 hours from arrival comes from NHS England's acute
//!   NOF data file (OF0014, Q1 2025/26), the only real source of it; a trust without a value
//!   gets the median of those with one.
//!
//! Only organisations the trust register knows as trusts in the month are kept.

use std::collections::BTreeMap;

use league_ingest::{Resolution, TrustRegister};
use league_model::TrustCode;

use crate::RecordsError;
use crate::layout::Month;

/// One calibration source: its name (for messages and metadata) and bytes.
#[derive(Debug, Clone)]
pub struct Source {
    /// `data/sources/…` or the path it was read from.
    pub name: String,
    /// The file.
    pub bytes: Vec<u8>,
}

/// The paths of the calibration sources under the data directory.
pub const AE_SOURCE: &str = "sources/ae_monthly_by_provider_2024-08_to_2025-07.csv";
/// See [`AE_SOURCE`].
pub const RTT_SOURCE: &str = "sources/unified_monthly_acute_2024-08_to_2025-07.csv";
/// See [`AE_SOURCE`].
pub const AMBULANCE_SOURCE: &str = "sources/ambsys_monthly_2017-08_to_2025-08.csv";
/// See [`AE_SOURCE`].
pub const OVER_12H_SOURCE: &str = "nof/nof_acute_2025_26_q1_data.csv";

/// One trust's A&E month: by department type 1, 2 and 3 (other).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AeMonth {
    /// Attendances.
    pub attendances: [u64; 3],
    /// Attendances over 4 hours.
    pub over_4h: [u64; 3],
    /// Emergency admissions via type 1 departments.
    pub admitted_type1: u64,
}

/// One trust's RTT month-end waiting list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RttMonth {
    /// Incomplete pathways.
    pub waiting: u64,
    /// Of which waiting 18 weeks or less.
    pub within_18w: u64,
    /// Of which waiting over 52 weeks.
    pub over_52w: u64,
    /// The list by treatment function (name, pathways), for the specialty column.
    pub specialties: Vec<(String, u64)>,
}

/// One trust's ambulance month, categories 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AmbulanceMonth {
    /// Incidents.
    pub incidents: [u64; 4],
    /// Mean response time, seconds.
    pub mean_s: [f64; 4],
}

/// The real figures, by trust and month.
#[derive(Debug, Clone, Default)]
pub struct Calibration {
    /// A&E by (trust, month).
    pub ae: BTreeMap<(TrustCode, Month), AeMonth>,
    /// RTT by (trust, month).
    pub rtt: BTreeMap<(TrustCode, Month), RttMonth>,
    /// Ambulance by (trust, month).
    pub ambulance: BTreeMap<(TrustCode, Month), AmbulanceMonth>,
    /// Percentage of type 1 attendances over 12 hours from arrival, by trust.
    pub over_12h: BTreeMap<TrustCode, f64>,
    /// The share for a trust without its own.
    pub over_12h_default: f64,
    /// The sources' names, in the order read.
    pub sources: Vec<String>,
}

impl Calibration {
    /// Reads the four sources, keeping organisations the register knows as trusts.
    pub fn read(
        ae: &Source,
        rtt: &Source,
        ambulance: &Source,
        over_12h: &Source,
        register: &TrustRegister,
    ) -> Result<Calibration, RecordsError> {
        let mut c = Calibration {
            sources: vec![
                ae.name.clone(),
                rtt.name.clone(),
                ambulance.name.clone(),
                over_12h.name.clone(),
            ],
            ..Calibration::default()
        };
        read_ae(ae, register, &mut c)?;
        read_rtt(rtt, register, &mut c)?;
        read_ambulance(ambulance, register, &mut c)?;
        read_over_12h(over_12h, &mut c)?;
        Ok(c)
    }

    /// The real month a generated month is calibrated to: the month itself when the source has
    /// it, else the same month a year earlier (the sources end mid-year), else none.
    pub fn source_month<T>(map: &BTreeMap<(TrustCode, Month), T>, month: Month) -> Option<Month> {
        let has = |m: Month| map.keys().any(|(_, km)| *km == m);
        if has(month) {
            Some(month)
        } else {
            let earlier = crate::calendar::back(month, 12);
            has(earlier).then_some(earlier)
        }
    }

    /// The percentage over 12 hours for a trust.
    pub fn over_12h_for(&self, code: &TrustCode) -> f64 {
        self.over_12h
            .get(code)
            .copied()
            .unwrap_or(self.over_12h_default)
    }
}

/// A CSV source with named columns.
struct Csv<'a> {
    name: &'a str,
    header: Vec<String>,
    records: Vec<csv::StringRecord>,
}

impl<'a> Csv<'a> {
    fn read(src: &'a Source) -> Result<Self, RecordsError> {
        let bytes = src
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&src.bytes);
        let mut r = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
        let bad = |line: u64, e: csv::Error| RecordsError::Calibration {
            file: src.name.clone(),
            line,
            column: String::new(),
            reason: e.to_string(),
        };
        let header = r
            .headers()
            .map_err(|e| bad(1, e))?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut records = Vec::new();
        for (i, rec) in r.records().enumerate() {
            records.push(rec.map_err(|e| bad(i as u64 + 2, e))?);
        }
        Ok(Csv {
            name: &src.name,
            header,
            records,
        })
    }

    fn col(&self, name: &str) -> Result<usize, RecordsError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| RecordsError::Calibration {
                file: self.name.to_owned(),
                line: 1,
                column: name.to_owned(),
                reason: "missing column".into(),
            })
    }

    fn error(&self, i: usize, column: &str, reason: String) -> RecordsError {
        RecordsError::Calibration {
            file: self.name.to_owned(),
            line: i as u64 + 2,
            column: column.to_owned(),
            reason,
        }
    }

    /// A count: blank is 0; a decimal with a zero fraction is accepted.
    fn count(&self, i: usize, idx: usize) -> Result<u64, RecordsError> {
        let raw = self.records[i].get(idx).unwrap_or("").trim();
        if raw.is_empty() {
            return Ok(0);
        }
        match raw.parse::<f64>() {
            Ok(v) if v >= 0.0 && v.fract() == 0.0 && v.is_finite() => Ok(v as u64),
            _ => Err(self.error(i, &self.header[idx], format!("not a count: {raw:?}"))),
        }
    }

    fn number(&self, i: usize, idx: usize) -> Result<Option<f64>, RecordsError> {
        let raw = self.records[i].get(idx).unwrap_or("").trim();
        if raw.is_empty() {
            return Ok(None);
        }
        raw.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| self.error(i, &self.header[idx], format!("not a number: {raw:?}")))
    }

    fn month(&self, i: usize, idx: usize) -> Result<Month, RecordsError> {
        let raw = self.records[i].get(idx).unwrap_or("");
        let parsed = raw.get(..7).and_then(|ym| {
            let (y, m) = ym.split_once('-')?;
            let m: u8 = m.parse().ok()?;
            (1..=12).contains(&m).then_some((y.parse().ok()?, m))
        });
        parsed.ok_or_else(|| self.error(i, &self.header[idx], format!("not a month: {raw:?}")))
    }

    fn text(&self, i: usize, idx: usize) -> &str {
        self.records[i].get(idx).unwrap_or("").trim()
    }
}

/// The trust a code is in the month, if the register knows it as one then.
fn trust(register: &TrustRegister, raw: &str, month: Month) -> Option<TrustCode> {
    let code = TrustCode::parse(raw).ok()?;
    match register.resolve(&code, month) {
        Resolution::Trust(_) => Some(code),
        _ => None,
    }
}

fn read_ae(
    src: &Source,
    register: &TrustRegister,
    c: &mut Calibration,
) -> Result<(), RecordsError> {
    let f = Csv::read(src)?;
    let kinds = ["Type 1", "Type 2", "Other A&E Department"];
    let booked = ["Type 1", "Type 2", "Other Department"];
    let over = ["Type 1", "Type 2", "Other Department"];
    let mut cols = Vec::new();
    for t in 0..3 {
        cols.push([
            f.col(&format!("A&E attendances {}", kinds[t]))?,
            f.col(&format!(
                "A&E attendances Booked Appointments {}",
                booked[t]
            ))?,
            f.col(&format!("Attendances over 4hrs {}", over[t]))?,
            f.col(&format!(
                "Attendances over 4hrs Booked Appointments {}",
                booked[t]
            ))?,
        ]);
    }
    let (period, org) = (f.col("period")?, f.col("Org Code")?);
    let admitted = f.col("Emergency admissions via A&E - Type 1")?;
    for i in 0..f.records.len() {
        let month = f.month(i, period)?;
        let Some(code) = trust(register, f.text(i, org), month) else {
            continue;
        };
        let mut m = AeMonth {
            admitted_type1: f.count(i, admitted)?,
            ..AeMonth::default()
        };
        for (t, [a, ab, o, ob]) in cols.iter().enumerate() {
            m.attendances[t] = f.count(i, *a)? + f.count(i, *ab)?;
            m.over_4h[t] = f.count(i, *o)? + f.count(i, *ob)?;
            if m.over_4h[t] > m.attendances[t] {
                return Err(f.error(
                    i,
                    &f.header[*o],
                    "more attendances over 4 hours than attendances".into(),
                ));
            }
        }
        if m.attendances.iter().sum::<u64>() > 0 {
            c.ae.entry((code, month)).or_insert(m);
        }
    }
    Ok(())
}

fn read_rtt(
    src: &Source,
    register: &TrustRegister,
    c: &mut Calibration,
) -> Result<(), RecordsError> {
    let f = Csv::read(src)?;
    let (period, org) = (f.col("period")?, f.col("trust_code")?);
    let total = f.col("trust_total_total_incomplete_pathways")?;
    let within = f.col("trust_total_total_within_18_weeks")?;
    let over52 = f.col("trust_total_total_52_plus_weeks")?;
    let specialties: Vec<(String, usize)> = f
        .header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let s = h
                .strip_prefix("rtt_")?
                .strip_suffix("_total_incomplete_pathways")?;
            Some((s.to_owned(), i))
        })
        .collect();
    for i in 0..f.records.len() {
        let month = f.month(i, period)?;
        let Some(code) = trust(register, f.text(i, org), month) else {
            continue;
        };
        let key = (code, month);
        if c.rtt.contains_key(&key) {
            continue; // the panel repeats some trusts' rows (see data/sources/README.md)
        }
        let m = RttMonth {
            waiting: f.count(i, total)?,
            within_18w: f.count(i, within)?,
            over_52w: f.count(i, over52)?,
            specialties: specialties
                .iter()
                .map(|(s, idx)| Ok((s.clone(), f.count(i, *idx)?)))
                .collect::<Result<Vec<_>, RecordsError>>()?
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect(),
        };
        if m.within_18w + m.over_52w > m.waiting {
            return Err(f.error(
                i,
                &f.header[within],
                "within 18 weeks and over 52 weeks exceed the list".into(),
            ));
        }
        if m.waiting > 0 {
            c.rtt.insert(key, m);
        }
    }
    Ok(())
}

fn read_ambulance(
    src: &Source,
    register: &TrustRegister,
    c: &mut Calibration,
) -> Result<(), RecordsError> {
    let f = Csv::read(src)?;
    let (period, org, level) = (f.col("period")?, f.col("org_code")?, f.col("level")?);
    let mut cols = Vec::new();
    for k in 1..=4 {
        cols.push((
            f.col(&format!("c{k}_incidents"))?,
            f.col(&format!("c{k}_mean_s"))?,
        ));
    }
    for i in 0..f.records.len() {
        if f.text(i, level) != "trust" {
            continue;
        }
        let month = f.month(i, period)?;
        let Some(code) = trust(register, f.text(i, org), month) else {
            continue;
        };
        let mut m = AmbulanceMonth::default();
        for (k, (n, mean)) in cols.iter().enumerate() {
            m.incidents[k] = f.count(i, *n)?;
            m.mean_s[k] = f.number(i, *mean)?.unwrap_or(0.0);
            if m.incidents[k] > 0 && m.mean_s[k] <= 0.0 {
                m.incidents[k] = 0; // no mean published: no records for the category
            }
        }
        if m.incidents.iter().sum::<u64>() > 0 {
            c.ambulance.entry((code, month)).or_insert(m);
        }
    }
    Ok(())
}

fn read_over_12h(src: &Source, c: &mut Calibration) -> Result<(), RecordsError> {
    let f = Csv::read(src)?;
    let (code, metric, value) = (f.col("Trust_code")?, f.col("Metric_ID")?, f.col("Value")?);
    for i in 0..f.records.len() {
        if f.text(i, metric) != "OF0014" {
            continue;
        }
        let (Ok(t), Some(v)) = (TrustCode::parse(f.text(i, code)), f.number(i, value)?) else {
            continue;
        };
        if !(0.0..=100.0).contains(&v) {
            return Err(f.error(i, "Value", format!("a percentage outside 0-100: {v}")));
        }
        c.over_12h.insert(t, v);
    }
    let mut v: Vec<f64> = c.over_12h.values().copied().collect();
    v.sort_by(f64::total_cmp);
    c.over_12h_default = match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    };
    Ok(())
}
