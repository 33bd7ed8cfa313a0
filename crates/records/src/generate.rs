//! Seeded synthetic extracts, calibrated per trust to the real monthly figures.
//!
//! For each trust and month of the financial year, the generator writes as many records as the
//! real month had (times `scale`), and splits them so the aggregates land on the real figures:
//! the share of attendances over 4 hours per department type, the month-end list within 18 and
//! over 52 weeks, the mean response per ambulance category (rescaled so the sample mean is the
//! real mean to the second). Counts are rounded to whole records, so a trust-month of `n`
//! records is within `50 / n` percentage points of its real figure. A month the sources do not
//! have is calibrated to the same month a year earlier.
//!
//! Every record draws from a ChaCha stream seeded from the run seed, dataset, trust and month,
//! so the files do not depend on the thread count. Every file carries `synthetic = true` and
//! the calibration in its Parquet key-value metadata.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use league_ingest::{Resolution, TrustRegister};
use league_model::TrustCode;

use crate::calendar::{bounds_days, bounds_us, next};
use crate::calibrate::Calibration;
use crate::layout::{Extract, Month, partition_name};
use crate::{RecordsError, SYNTHETIC_KEY};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateSpec {
    /// The financial year's first calendar year (2025 for 2025-26).
    pub year: u16,
    /// Multiplies every volume (1.0: the real national volumes).
    pub scale: f64,
    /// The seed.
    pub seed: u64,
    /// Which datasets.
    pub datasets: Vec<Extract>,
    /// Only these trusts (all when `None`).
    pub trusts: Option<BTreeSet<TrustCode>>,
    /// At most this many records per Parquet file.
    pub rows_per_file: usize,
}

/// What was written, per dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateSummary {
    /// (dataset, months, records, files).
    pub datasets: Vec<(Extract, usize, u64, usize)>,
}

/// The months of a financial year, April to March.
pub fn year_months(year: u16) -> Vec<Month> {
    let mut m = (year, 4);
    let mut v = Vec::with_capacity(12);
    for _ in 0..12 {
        v.push(m);
        m = next(m);
    }
    v
}

/// Writes the extracts under `out` (which must not exist, or be empty): built in a hidden
/// sibling directory and renamed into place, so a failure leaves nothing half-written there.
///
/// Only codes the register knows as trusts in the generated month get records (a trust that
/// merged after the calibration month gets none).
pub fn generate(
    cal: &Calibration,
    register: &TrustRegister,
    spec: &GenerateSpec,
    out: &Path,
) -> Result<GenerateSummary, RecordsError> {
    if !(spec.scale > 0.0 && spec.scale.is_finite()) {
        return Err(RecordsError::Request(format!(
            "--scale must be a positive number, not {}",
            spec.scale
        )));
    }
    if out.exists() {
        let empty = out.is_dir()
            && std::fs::read_dir(out)
                .map_err(|source| io(out, source))?
                .next()
                .is_none();
        if !empty {
            return Err(RecordsError::Request(format!(
                "{} already exists and is not empty: choose a new --out (extracts are never written over)",
                out.display()
            )));
        }
    }
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| RecordsError::Request(format!("{}: not a directory name", out.display())))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|source| io(&parent, source))?;
    let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|source| io(&staging, source))?;
    }
    let ctx = Ctx {
        cal,
        register,
        spec,
    };
    let result = write_all(&ctx, &staging);
    match result {
        Ok(summary) => {
            if out.exists() {
                std::fs::remove_dir(out).map_err(|source| io(out, source))?;
            }
            std::fs::rename(&staging, out).map_err(|source| io(out, source))?;
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(e)
        }
    }
}

fn io(path: &Path, source: std::io::Error) -> RecordsError {
    RecordsError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What every month's generation reads.
struct Ctx<'a> {
    cal: &'a Calibration,
    register: &'a TrustRegister,
    spec: &'a GenerateSpec,
}

fn write_all(ctx: &Ctx, root: &Path) -> Result<GenerateSummary, RecordsError> {
    let spec = ctx.spec;
    let mut summary = GenerateSummary::default();
    for &d in &spec.datasets {
        let (mut months, mut rows, mut files) = (0, 0u64, 0);
        for month in year_months(spec.year) {
            let Some(frame) = month_frame(ctx, d, month)? else {
                continue;
            };
            let (df, calibrated_to) = frame;
            let dir = root.join(d.name()).join(partition_name(month));
            std::fs::create_dir_all(&dir).map_err(|source| io(&dir, source))?;
            let kv = metadata(spec, d, month, &calibrated_to);
            let height = df.height();
            let per = spec.rows_per_file.max(1);
            let mut offset = 0;
            let mut part = 0;
            while offset < height || (height == 0 && part == 0) {
                let len = per.min(height - offset);
                let mut slice = df.slice(offset as i64, len);
                let path = dir.join(format!("part-{part:05}.parquet"));
                let f = File::create(&path).map_err(|source| io(&path, source))?;
                // Snappy: decoded fastest by every reader (polars, DuckDB, the parquet crate).
                ParquetWriter::new(f)
                    .with_compression(ParquetCompression::Snappy)
                    .with_key_value_metadata(Some(KeyValueMetadata::from_static(kv.clone())))
                    .finish(&mut slice)
                    .map_err(RecordsError::polars(format!("write {}", path.display())))?;
                offset += len;
                part += 1;
                files += 1;
            }
            months += 1;
            rows += height as u64;
        }
        if months == 0 {
            return Err(RecordsError::Request(format!(
                "no calibration data for {} in {}-{:02}: nothing to generate",
                d,
                spec.year,
                (spec.year + 1) % 100
            )));
        }
        summary.datasets.push((d, months, rows, files));
    }
    Ok(summary)
}

fn metadata(
    spec: &GenerateSpec,
    d: Extract,
    month: Month,
    calibrated_to: &str,
) -> Vec<(String, String)> {
    vec![
        (SYNTHETIC_KEY.into(), "true".into()),
        (
            "league.generator".into(),
            format!("league generate records {}", env!("CARGO_PKG_VERSION")),
        ),
        ("league.dataset".into(), d.name().into()),
        ("league.month".into(), format!("{}-{:02}", month.0, month.1)),
        ("league.seed".into(), spec.seed.to_string()),
        ("league.scale".into(), spec.scale.to_string()),
        ("league.calibrated_to".into(), calibrated_to.into()),
        (
            "league.notice".into(),
            "Synthetic records generated by league-tables, calibrated to published NHS England totals: not real patients or real figures for any trust.".into(),
        ),
    ]
}

/// The seed of one trust-month's stream.
fn stream_seed(seed: u64, d: Extract, code: &TrustCode, month: Month) -> u64 {
    // FNV-1a over the key, then a splitmix finaliser.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let key = format!(
        "{seed}/{}/{}/{}-{:02}",
        d.name(),
        code.as_str(),
        month.0,
        month.1
    );
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// `round(n * scale)`.
fn scaled(n: u64, scale: f64) -> u64 {
    (n as f64 * scale).round() as u64
}

/// `round(n * part / whole)`, at most `n`.
fn share(n: u64, part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    ((n as f64 * part as f64 / whole as f64).round() as u64).min(n)
}

fn wanted(ctx: &Ctx, code: &TrustCode, month: Month) -> bool {
    ctx.spec.trusts.as_ref().is_none_or(|t| t.contains(code))
        && matches!(ctx.register.resolve(code, month), Resolution::Trust(_))
}

type Frame = Option<(DataFrame, String)>;

fn month_frame(ctx: &Ctx, d: Extract, month: Month) -> Result<Frame, RecordsError> {
    let cal = ctx.cal;
    let source = match d {
        Extract::Ae => (Calibration::source_month(&cal.ae, month), &cal.sources[0]),
        Extract::Rtt => (Calibration::source_month(&cal.rtt, month), &cal.sources[1]),
        Extract::Ambulance => (
            Calibration::source_month(&cal.ambulance, month),
            &cal.sources[2],
        ),
    };
    let (Some(src), name) = source else {
        return Ok(None);
    };
    let calibrated_to = format!("{name} {}-{:02}", src.0, src.1);
    let df = match d {
        Extract::Ae => ae_frame(ctx, month, src),
        Extract::Rtt => rtt_frame(ctx, month, src),
        Extract::Ambulance => ambulance_frame(ctx, month, src),
    }
    .map_err(RecordsError::polars(format!(
        "build {d} records for {}-{:02}",
        month.0, month.1
    )))?;
    Ok(Some((df, calibrated_to)))
}

fn datetime(name: &str, v: Vec<i64>) -> Column {
    Int64Chunked::from_vec(name.into(), v)
        .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
        .into_column()
}

fn date_col(name: &str, v: Vec<i32>) -> Column {
    Int32Chunked::from_vec(name.into(), v)
        .into_date()
        .into_column()
}

fn repeated<'a>(name: &str, chunks: impl Iterator<Item = (&'a str, usize)>) -> Column {
    StringChunked::from_iter_values(
        name.into(),
        chunks.flat_map(|(s, n)| std::iter::repeat_n(s, n)),
    )
    .into_column()
}

const SECOND: i64 = 1_000_000;
const HOUR_S: i64 = 3_600;

/// Over-4-hour records per department type: the trust's total is `round(n * real share)`,
/// split between types by largest remainder, so the all-types figure is within half a record
/// of the real one.
fn over_by_type(n: &[u64; 3], real: &crate::calibrate::AeMonth) -> [u64; 3] {
    let att: u64 = real.attendances.iter().sum();
    let over: u64 = real.over_4h.iter().sum();
    let total_n: u64 = n.iter().sum();
    let target = share(total_n, over, att);
    let ideal: [f64; 3] = std::array::from_fn(|t| {
        if real.attendances[t] == 0 {
            0.0
        } else {
            n[t] as f64 * real.over_4h[t] as f64 / real.attendances[t] as f64
        }
    });
    let mut got: [u64; 3] = std::array::from_fn(|t| (ideal[t].floor() as u64).min(n[t]));
    let mut order = [0usize, 1, 2];
    order.sort_by(|a, b| {
        (ideal[*b] - ideal[*b].floor()).total_cmp(&(ideal[*a] - ideal[*a].floor()))
    });
    let mut left = target.saturating_sub(got.iter().sum());
    for t in order.iter().cycle().take(6) {
        if left == 0 {
            break;
        }
        if got[*t] < n[*t] {
            got[*t] += 1;
            left -= 1;
        }
    }
    got
}

/// One trust-month of RTT records: code, clock starts, specialty indexes, specialty names.
type RttChunk = (String, Vec<i32>, Vec<usize>, Vec<String>);

/// One trust-month of ambulance incidents: code, then (call, category, arrival) each.
type AmbulanceChunk = (String, Vec<(i64, i8, i64)>);

struct AeChunk {
    code: String,
    sites: [String; 3],
    arrival: Vec<i64>,
    departure: Vec<i64>,
    kind: Vec<u8>,
    admitted: Vec<bool>,
}

fn ae_frame(ctx: &Ctx, month: Month, src: Month) -> PolarsResult<DataFrame> {
    let (cal, spec) = (ctx.cal, ctx.spec);
    let (m0, m1) = bounds_us(month);
    let span_s = (m1 - m0) / SECOND;
    let cells: Vec<_> = cal
        .ae
        .iter()
        .filter(|((c, m), _)| *m == src && wanted(ctx, c, month))
        .collect();
    let chunks: Vec<AeChunk> = cells
        .par_iter()
        .map(|((code, _), real)| {
            let mut rng =
                ChaCha8Rng::seed_from_u64(stream_seed(spec.seed, Extract::Ae, code, month));
            let p12 = cal.over_12h_for(code) / 100.0;
            // (arrival, type index, class): 0 within 4 h, 1 over 4 h up to 12 h, 2 over 12 h.
            let mut recs: Vec<(i64, u8, u8)> = Vec::new();
            let n: [u64; 3] = std::array::from_fn(|t| scaled(real.attendances[t], spec.scale));
            let over_all = over_by_type(&n, real);
            for t in 0..3 {
                let (n, over) = (n[t], over_all[t]);
                let over12 = if t == 0 {
                    ((n as f64 * p12).round() as u64).min(over)
                } else {
                    0
                };
                for i in 0..n {
                    let class = if i < n - over {
                        0
                    } else if i < n - over12 {
                        1
                    } else {
                        2
                    };
                    let at = m0 + rng.random_range(0..span_s) * SECOND;
                    recs.push((at, t as u8, class));
                }
            }
            recs.sort_unstable();
            let p_admit = if real.attendances[0] > 0 {
                (real.admitted_type1 as f64 / real.attendances[0] as f64).min(1.0)
            } else {
                0.0
            };
            let mut c = AeChunk {
                code: code.as_str().to_owned(),
                sites: std::array::from_fn(|t| format!("{}0{}", code.as_str(), t + 1)),
                arrival: Vec::with_capacity(recs.len()),
                departure: Vec::with_capacity(recs.len()),
                kind: Vec::with_capacity(recs.len()),
                admitted: Vec::with_capacity(recs.len()),
            };
            for (at, t, class) in recs {
                let secs = match class {
                    0 => rng.random_range(60..=4 * HOUR_S),
                    1 => rng.random_range(4 * HOUR_S + 1..=12 * HOUR_S),
                    _ => rng.random_range(12 * HOUR_S + 1..=36 * HOUR_S),
                };
                c.arrival.push(at);
                c.departure.push(at + secs * SECOND);
                c.kind.push(t + 1);
                c.admitted.push(t == 0 && rng.random_bool(p_admit));
            }
            c
        })
        .collect();
    let total: usize = chunks.iter().map(|c| c.arrival.len()).sum();
    let org = repeated(
        "org_code",
        chunks.iter().map(|c| (c.code.as_str(), c.arrival.len())),
    );
    let site = StringChunked::from_iter_values(
        "site_code".into(),
        chunks.iter().flat_map(|c| {
            c.kind
                .iter()
                .map(move |k| c.sites[usize::from(*k) - 1].as_str())
        }),
    )
    .into_column();
    let kind: Vec<i8> = chunks
        .iter()
        .flat_map(|c| c.kind.iter().map(|k| *k as i8))
        .collect();
    let admitted: Vec<bool> = chunks
        .iter()
        .flat_map(|c| c.admitted.iter().copied())
        .collect();
    let mut arrival = Vec::with_capacity(total);
    let mut departure = Vec::with_capacity(total);
    for c in &chunks {
        arrival.extend_from_slice(&c.arrival);
        departure.extend_from_slice(&c.departure);
    }
    DataFrame::new(
        total,
        vec![
            org,
            site,
            Int8Chunked::from_vec("department_type".into(), kind).into_column(),
            datetime("arrival_ts", arrival),
            datetime("departure_ts", departure),
            BooleanChunked::from_slice("admitted".into(), &admitted).into_column(),
        ],
    )
}

fn rtt_frame(ctx: &Ctx, month: Month, src: Month) -> PolarsResult<DataFrame> {
    let (cal, spec) = (ctx.cal, ctx.spec);
    let snapshot = bounds_days(month).1 - 1; // the month's last day
    let cells: Vec<_> = cal
        .rtt
        .iter()
        .filter(|((c, m), _)| *m == src && wanted(ctx, c, month))
        .collect();
    let chunks: Vec<RttChunk> = cells
        .par_iter()
        .map(|((code, _), real)| {
            let mut rng =
                ChaCha8Rng::seed_from_u64(stream_seed(spec.seed, Extract::Rtt, code, month));
            let n = scaled(real.waiting, spec.scale);
            let within = share(n, real.within_18w, real.waiting);
            let over52 = share(n, real.over_52w, real.waiting).min(n - within);
            let names: Vec<String> = real
                .specialties
                .iter()
                .map(|(s, _)| s.clone())
                .chain(["other".to_owned()])
                .collect();
            let weights: Vec<u64> = real.specialties.iter().map(|(_, w)| *w).collect();
            let listed: u64 = weights.iter().sum();
            let mut recs: Vec<(i32, usize)> = (0..n)
                .map(|i| {
                    let wait = if i < within {
                        rng.random_range(0..=126)
                    } else if i < n - over52 {
                        rng.random_range(127..=364)
                    } else {
                        rng.random_range(365..=730)
                    };
                    let spec_idx = if listed == 0 {
                        names.len() - 1
                    } else {
                        let mut r = rng.random_range(0..listed);
                        weights
                            .iter()
                            .position(|w| {
                                if r < *w {
                                    true
                                } else {
                                    r -= w;
                                    false
                                }
                            })
                            .unwrap_or(names.len() - 1)
                    };
                    (snapshot - wait, spec_idx)
                })
                .collect();
            recs.sort_unstable();
            let (starts, specs): (Vec<i32>, Vec<usize>) = recs.into_iter().unzip();
            (code.as_str().to_owned(), starts, specs, names)
        })
        .collect();
    let total: usize = chunks.iter().map(|c| c.1.len()).sum();
    let org = repeated("org_code", chunks.iter().map(|c| (c.0.as_str(), c.1.len())));
    let specialty = StringChunked::from_iter_values(
        "specialty".into(),
        chunks
            .iter()
            .flat_map(|c| c.2.iter().map(move |i| c.3[*i].as_str())),
    )
    .into_column();
    let starts: Vec<i32> = chunks.iter().flat_map(|c| c.1.iter().copied()).collect();
    DataFrame::new(
        total,
        vec![
            org,
            specialty,
            date_col("clock_start", starts),
            date_col("snapshot_date", vec![snapshot; total]),
        ],
    )
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn ambulance_frame(ctx: &Ctx, month: Month, src: Month) -> PolarsResult<DataFrame> {
    let (cal, spec) = (ctx.cal, ctx.spec);
    let (m0, m1) = bounds_us(month);
    let span_s = (m1 - m0) / SECOND;
    let cells: Vec<_> = cal
        .ambulance
        .iter()
        .filter(|((c, m), _)| *m == src && wanted(ctx, c, month))
        .collect();
    let chunks: Vec<AmbulanceChunk> = cells
        .par_iter()
        .map(|((code, _), real)| {
            let mut rng =
                ChaCha8Rng::seed_from_u64(stream_seed(spec.seed, Extract::Ambulance, code, month));
            let mut recs = Vec::new();
            for k in 0..4 {
                let n = scaled(real.incidents[k], spec.scale) as usize;
                if n == 0 {
                    continue;
                }
                // Right-skewed response times (log-normal, sigma 0.6), rescaled so the
                // sample mean is the real mean.
                let sigma = 0.6;
                let raw: Vec<f64> = (0..n).map(|_| (sigma * normal(&mut rng)).exp()).collect();
                let factor = real.mean_s[k] * n as f64 / raw.iter().sum::<f64>();
                for x in raw {
                    let call = m0 + rng.random_range(0..span_s) * SECOND;
                    let secs = ((x * factor).round() as i64).max(1);
                    recs.push((call, k as i8 + 1, call + secs * SECOND));
                }
            }
            recs.sort_unstable();
            (code.as_str().to_owned(), recs)
        })
        .collect();
    let total: usize = chunks.iter().map(|c| c.1.len()).sum();
    let org = repeated("org_code", chunks.iter().map(|c| (c.0.as_str(), c.1.len())));
    let mut call = Vec::with_capacity(total);
    let mut cat = Vec::with_capacity(total);
    let mut arrival = Vec::with_capacity(total);
    for (_, recs) in &chunks {
        for (c, k, a) in recs {
            call.push(*c);
            cat.push(*k);
            arrival.push(*a);
        }
    }
    DataFrame::new(
        total,
        vec![
            org,
            Int8Chunked::from_vec("category".into(), cat).into_column(),
            datetime("call_ts", call),
            datetime("arrival_ts", arrival),
        ],
    )
}
