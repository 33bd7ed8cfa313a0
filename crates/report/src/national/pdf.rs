//! The national pack as a tagged PDF: the pack turned into the PDF engine's blocks. Cover, key
//! findings, the segment chart and its data, ranked charts, a metric table and a league table
//! per peer group, movement since the previous quarter, then the method notes and sources.

use crate::narrative::{fmt2, quarter_key, quarter_months};
use crate::pdf::{Block, ColumnSpec, DocumentInfo, Figure, Metrics, PdfError, Table, WIDTH};
use crate::publication::Publication;
use crate::table::{Cell, Kind, PackTable};

use super::charts::{RANKED_H, ranked_chart, segment_chart};
use super::pack::NationalPack;

/// Lays out and renders the pack.
pub fn national_pdf(pack: &NationalPack, publication: &Publication) -> Result<Vec<u8>, PdfError> {
    let period = format!("{} ({})", pack.quarter, quarter_months(pack.quarter));
    let title = format!("{}: {}", publication.title, pack.quarter);
    let m = Metrics::new();
    let mut blocks = cover(pack, publication, &period);
    blocks.extend(findings_and_segments(pack, &m));
    blocks.extend(ranked_charts(pack, &m));
    let mut numbers = 2..;
    blocks.extend(league_tables(pack, &mut numbers));
    blocks.extend(movement_tables(pack, &mut numbers));
    blocks.extend(sensitivity(pack, &mut numbers));
    blocks.extend(funnels(pack, &m, &mut numbers));
    blocks.extend(method_and_sources(pack, publication));
    let (y, mo, d) = publication.release_ymd();
    let info = DocumentInfo {
        title: title.clone(),
        running_header: format!("{} \u{2013} {}", publication.title, period),
        language: publication.language.clone(),
        author: publication.organisation.clone(),
        date: (y, mo, d),
        document_id: format!("league-tables {title} {}", publication.release_date),
    };
    crate::pdf::render(&info, &blocks)
}

/// The peer group's label ("Acute trust"), or its id when the pack has no segment counts for it.
fn label_of(pack: &NationalPack, id: &str) -> String {
    pack.segments
        .iter()
        .find(|g| g.peer_group == id)
        .map_or_else(|| id.to_owned(), |g| g.label.clone())
}

fn cover(pack: &NationalPack, publication: &Publication, period: &str) -> Vec<Block> {
    let mut b = vec![Block::TitlePage {
        title: publication.title.clone(),
        subtitle: format!("{period}, England"),
        band: 250.0,
    }];
    b.extend(
        [
            format!(
                "Published {}. Data as of {}. Next update: {}.",
                publication.release_long(),
                pack.method.data_as_of(pack.quarter),
                publication.next_update
            ),
            format!("Method: {}.", pack.method.methodology),
            format!(
                "Produced by {}, {}. Contact: {} ({}).",
                publication.organisation,
                publication.organisation_description,
                publication.contact,
                publication.contact_url
            ),
            format!(
                "Segments and league positions of {} NHS trusts in England, each ranked within its peer group ({}), with likely ranges that show how certain each position is.",
                pack.trusts(),
                pack.method
                    .peer_groups
                    .iter()
                    .map(|g| g.to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ]
        .into_iter()
        .map(Block::lead),
    );
    b.push(release_link(publication));
    b.push(Block::Panel(format!("Important. {}", pack.caveat())));
    b
}

fn release_link(publication: &Publication) -> Block {
    Block::Link {
        before: format!("{}:", publication.release_url_text),
        url: publication.release_url.clone(),
        label: publication.release_url_text.clone(),
    }
}

fn findings_and_segments(pack: &NationalPack, m: &Metrics) -> Vec<Block> {
    let alt = format!(
        "Bar charts of the number of trusts in each segment, one panel per peer group. {}. The table below gives the same counts.",
        pack.segments
            .iter()
            .map(|g| {
                format!(
                    "{}s: {}; Recovery Support Programme: {}",
                    g.label,
                    g.counts
                        .iter()
                        .enumerate()
                        .map(|(i, n)| format!("segment {} {n}", i + 1))
                        .collect::<Vec<_>>()
                        .join(", "),
                    g.programme_cell()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    );
    let rows: Vec<Vec<String>> = pack
        .segments
        .iter()
        .map(|g| {
            let mut r = vec![format!("{}s", g.label)];
            r.extend(g.counts.iter().map(u32::to_string));
            r.push(g.programme_cell());
            r.push(g.capped.to_string());
            r.push(g.total().to_string());
            r
        })
        .collect();
    let mut columns = vec![ColumnSpec::text("Peer group").width(119.0)];
    columns.extend((1..=4).map(|s| ColumnSpec::number(format!("Segment {s}")).width(50.0)));
    columns.extend([
        ColumnSpec::number(format!(
            "Of which in the Recovery Support Programme (segment {})",
            pack.method.segment5
        ))
        .width(70.0),
        ColumnSpec::number("Moved by the financial override").width(70.0),
        ColumnSpec::number("Trusts").width(44.0),
    ]);
    vec![
        Block::PageBreak,
        Block::heading(2, "Key findings", 60.0),
        Block::List(pack.key_findings.clone()),
        Block::heading(2, "Segments by peer group", 230.0),
        Block::Figure(Figure {
            height: 220.0,
            alt,
            prims: segment_chart(m, 0.0, pack),
        }),
        Block::Table(Table {
            caption: "Table 1: trusts by segment and peer group (data for the chart above)".into(),
            columns,
            rows,
        }),
    ]
}

fn ranked_charts(pack: &NationalPack, m: &Metrics) -> Vec<Block> {
    // The heading is kept with its paragraph and the first chart.
    let mut b = vec![
        Block::heading(2, "Average scores and likely ranges", RANKED_H + 90.0),
        Block::paragraph(
            "Each chart shows every trust of one peer group in league order: the dot is its average metric score and the vertical line its likely range. Horizontal lines mark the segment cut-points, labelled on the right. The full league tables, which hold the data of these charts, follow.",
        ),
    ];
    for c in &pack.charts {
        let (Some(first), Some(last)) = (c.points.first(), c.points.last()) else {
            continue;
        };
        let alt = format!(
            "Chart of the average metric score and likely range of each of the {} {}s in league order. Scores run from {} at rank {} to {} at rank {}; the widest likely range spans {} points. The data are in the {} league table in this document.",
            c.points.len(),
            c.label.to_lowercase(),
            fmt2(first.average),
            first.rank,
            fmt2(last.average),
            last.rank,
            fmt2(c.widest),
            c.label.to_lowercase()
        );
        b.push(Block::heading(3, format!("{}s", c.label), RANKED_H + 15.0));
        b.push(Block::Figure(Figure {
            height: RANKED_H,
            alt,
            prims: ranked_chart(m, 0.0, c),
        }));
    }
    b
}

/// The cells of `keys` in one row of a pack table, as the table shows them.
fn cells(t: &PackTable, row: &[Cell], keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            let i = t.column(k).expect("league tables have the column");
            row[i].display(t.columns[i].kind)
        })
        .collect()
}

fn league_tables(pack: &NationalPack, numbers: &mut impl Iterator<Item = u32>) -> Vec<Block> {
    let mut b = vec![
        Block::PageBreak,
        Block::heading(2, "League tables", 60.0),
        Block::paragraph(format!(
            "{} Likely ranges are {}. A trust in financial deficit is capped at segment {}; \"Before override\" shows the segment its average gives. Trusts in the Recovery Support Programme (segment {}) are marked in their own column.",
            pack.method.league_order(),
            pack.method.likely_ranges(),
            pack.method.override_cap,
            pack.method.segment5
        )),
    ];
    // Each peer group has two tables, its metrics and its league.
    for (i, t) in pack.league.iter().enumerate() {
        let Some(basis) = pack.basis.get(i) else {
            continue;
        };
        let label = label_of(pack, &basis.peer_group);
        if i > 0 {
            b.push(Block::PageBreak);
        }
        b.push(Block::heading(3, format!("{label}s"), 80.0));
        b.push(Block::paragraph(format!(
            "{} The table below lists each metric and how many of the {} trusts have it; a trust without a metric is scored on the others.",
            basis.summary(),
            basis.trusts
        )));
        b.push(Block::Table(Table {
            caption: format!(
                "Table {}: metrics behind the averages, {}s, {}",
                numbers.next().unwrap_or_default(),
                label.to_lowercase(),
                pack.quarter
            ),
            columns: vec![
                ColumnSpec::text("Metric").width(WIDTH - 110.0),
                ColumnSpec::text("Id").width(50.0),
                ColumnSpec::number("Trusts with it").width(60.0),
            ],
            rows: basis
                .metrics
                .iter()
                .map(|(id, name, n)| vec![name.clone(), id.clone(), n.to_string()])
                .collect(),
        }));
        b.push(Block::Table(league_table(
            t,
            format!(
                "Table {}: league table, {}s, {}",
                numbers.next().unwrap_or_default(),
                label.to_lowercase(),
                pack.quarter
            ),
        )));
    }
    b
}

/// One peer group's league table: every column as narrow as its content allows; the trust
/// name takes the rest of the page. Ranges read "from to to" in one cell, as in NHS England's
/// tables. Counts of inputs from another period or synthetic appear only where a trust has any.
fn league_table(t: &PackTable, caption: String) -> Table {
    let mut keys = vec![
        "rank",
        "rank_likely_from",
        "rank_likely_to",
        "trust_code",
        "trust_name",
        "trust_subtype",
        "region",
        "segment",
        "segment_before_override",
        "recovery_support_programme",
        "financial_deficit",
        "average_score",
        "average_likely_from",
        "average_likely_to",
        "versus_peer_median",
    ];
    let mut columns = vec![
        ColumnSpec::number("Rank"),
        ColumnSpec::whole("Likely range of rank"),
        ColumnSpec::whole("Code"),
        ColumnSpec::text("Trust name (subtype, region)").width(WIDTH),
        ColumnSpec::number("Segment"),
        ColumnSpec::number("Before override"),
        ColumnSpec::text("Recovery Support (segment 5)"),
        ColumnSpec::text("In financial deficit"),
        ColumnSpec::number("Average score"),
        ColumnSpec::whole("Likely range of average"),
        ColumnSpec::text("Against peer median"),
    ];
    let any = |key: &str| {
        let c = t.column(key).expect("league column");
        t.rows.iter().any(|r| !matches!(r[c], Cell::Int(0)))
    };
    // The counts of inputs from another period or synthetic, where a trust has any: in one
    // column when both apply, so the table keeps to the page.
    let counts: Vec<&str> = ["other_period_metrics", "synthetic_metrics"]
        .into_iter()
        .filter(|k| any(k))
        .collect();
    match counts.as_slice() {
        [] => {}
        [one] => {
            keys.push(one);
            columns.push(ColumnSpec::number(if *one == "synthetic_metrics" {
                "Synthetic metrics"
            } else {
                "Metrics from another period"
            }));
        }
        _ => {
            keys.extend(counts.iter().copied());
            columns.push(ColumnSpec::whole("Metrics from another period; synthetic"));
        }
    }
    let rows = t
        .rows
        .iter()
        .map(|row| {
            let c = cells(t, row, &keys);
            // The subtype and region beside the name: "Acute - Teaching" reads "Teaching" in a
            // table of acute trusts.
            let subtype = c[5].strip_prefix("Acute - ").unwrap_or(&c[5]);
            let mut out = vec![
                c[0].clone(),
                format!("{} to {}", c[1], c[2]),
                c[3].clone(),
                format!("{} ({subtype}, {})", c[4], c[6]),
            ];
            out.extend(c[7..11].iter().cloned());
            out.push(c[11].clone());
            out.push(format!("{} to {}", c[12], c[13]));
            out.push(c[14].clone());
            if c.len() == 17 {
                out.push(format!("{}; {}", c[15], c[16]));
            } else {
                out.extend(c[15..].iter().cloned());
            }
            out
        })
        .collect();
    Table {
        caption,
        columns,
        rows,
    }
}

fn movement_tables(pack: &NationalPack, numbers: &mut impl Iterator<Item = u32>) -> Vec<Block> {
    if pack.movement.is_empty() {
        return Vec::new();
    }
    let mut b = vec![
        Block::PageBreak,
        Block::heading(2, "Movement since the previous quarter", 60.0),
        Block::paragraph(pack.note("movement").text.clone()),
    ];
    for t in &pack.movement {
        let group = t.id.trim_start_matches("movement_");
        b.push(Block::heading(
            3,
            format!("{}s", label_of(pack, group)),
            80.0,
        ));
        b.push(Block::Table(movement_table(
            pack,
            t,
            format!("Table {}: {}", numbers.next().unwrap_or_default(), t.title),
        )));
    }
    b
}

/// The PDF shows each quarter's segment, then rank before and now, the places gained and
/// whether the change is significant; the workbook and CSV add every quarter's rank and both
/// likely ranges. As the league table, the name takes what the other columns leave.
fn movement_table(pack: &NationalPack, t: &PackTable, caption: String) -> Table {
    let prev = pack.previous.map(quarter_key).unwrap_or_default();
    let now = quarter_key(pack.quarter);
    let mut keys: Vec<String> = vec!["trust_code".into(), "trust_name".into()];
    keys.extend(
        t.columns
            .iter()
            .filter(|c| c.key.starts_with("segment_"))
            .map(|c| c.key.clone()),
    );
    keys.extend([
        format!("before_override_{now}"),
        format!("rank_{prev}"),
        format!("rank_{now}"),
        "places_gained".into(),
        "significant".into(),
    ]);
    let cols: Vec<usize> = keys
        .iter()
        .map(|k| t.column(k).expect("movement column"))
        .collect();
    let columns = cols
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let c = &t.columns[i];
            let spec = match c.kind {
                Kind::Text => ColumnSpec::text(c.header.clone()),
                _ => ColumnSpec::number(c.header.clone()),
            };
            if n == 1 { spec.width(WIDTH) } else { spec }
        })
        .collect();
    let rows = t
        .rows
        .iter()
        .map(|r| {
            cols.iter()
                .map(|&i| r[i].display(t.columns[i].kind))
                .collect()
        })
        .collect();
    Table {
        caption,
        columns,
        rows,
    }
}

/// Most trusts the PDF names in one cell of the sensitivity table; the workbook and CSV name all.
const NAMED: usize = 8;

/// What the method's choices do to the segments: the summary table, trusts named up to
/// [`NAMED`] a row.
fn sensitivity(pack: &NationalPack, numbers: &mut impl Iterator<Item = u32>) -> Vec<Block> {
    let Some(t) = pack.sensitivity.first() else {
        return Vec::new();
    };
    let mut b = vec![
        Block::PageBreak,
        Block::heading(
            2,
            "How much the segments depend on the method's choices",
            60.0,
        ),
        Block::paragraph(pack.note("sensitivity").text.clone()),
    ];
    let rows = pack
        .sensitivity_summary
        .iter()
        .map(|s| {
            let named = if s.changing.len() > NAMED {
                format!(
                    "{} and {} more",
                    s.changing[..NAMED].join(", "),
                    s.changing.len() - NAMED
                )
            } else if s.changing.is_empty() {
                "None".to_owned()
            } else {
                s.changing.join(", ")
            };
            vec![
                s.label.clone(),
                s.changing.len().to_string(),
                fmt2(s.mean_rank_change),
                s.largest_rank_change.to_string(),
                named,
            ]
        })
        .collect();
    b.push(Block::Table(Table {
        caption: format!("Table {}: {}", numbers.next().unwrap_or_default(), t.title),
        columns: vec![
            ColumnSpec::text("Alternative").width(190.0),
            ColumnSpec::number("Trusts changing segment"),
            ColumnSpec::number("Mean rank change"),
            ColumnSpec::number("Largest rank change"),
            ColumnSpec::text("Trusts changing segment (codes)").width(WIDTH),
        ],
        rows,
    }));
    b
}

/// A funnel plot per measure and peer group, with the trusts beyond its outer limits in a
/// table (every trust's figures are in the workbook and CSV table the caption names).
fn funnels(
    pack: &NationalPack,
    m: &Metrics,
    numbers: &mut impl Iterator<Item = u32>,
) -> Vec<Block> {
    if pack.funnel_charts.is_empty() {
        return Vec::new();
    }
    let mut b = vec![
        Block::PageBreak,
        Block::heading(2, "Funnel plots: each trust against its peers", 60.0),
        Block::paragraph(
            "A funnel plot shows each trust's percentage against the number of patients or events behind it, with limits that narrow as the number grows: a trust outside the outer limits differs from its peer group by more than chance and the spread between trusts would explain. The limits allow for over-dispersion (Spiegelhalter 2005): where trusts differ more than chance alone allows, they are widened by the between-trust variance τ². Trusts see different patients (a specialist trust's case mix is not a general hospital's) and nothing here adjusts for that, so a trust outside the limits is a prompt to ask why, not a verdict. The counts come from NHS England's monthly statistical publications and are computed here, not NHS England's NOF values. These are statistics beside the league tables: they change no segment or rank.",
        ),
    ];
    for c in &pack.funnel_charts {
        let f = &c.plot;
        let (inner, outer) = (
            super::pack::coverage_label(f.z[0]),
            super::pack::coverage_label(f.z[1]),
        );
        let out = super::funnel_chart::outliers(c);
        let above: Vec<&str> = out
            .iter()
            .filter(|o| o.1 == league_model::FunnelPosition::Above)
            .map(|o| o.0)
            .collect();
        let below: Vec<&str> = out
            .iter()
            .filter(|o| o.1 == league_model::FunnelPosition::Below)
            .map(|o| o.0)
            .collect();
        let (better, worse) = if c.higher_is_better {
            (&above, &below)
        } else {
            (&below, &above)
        };
        let named = |v: &[&str]| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        b.push(Block::heading(
            3,
            format!("{}, {}s ({})", c.name, c.group.to_lowercase(), c.measure),
            super::funnel_chart::FUNNEL_H + 120.0,
        ));
        b.push(Block::paragraph(format!(
            "{} trusts, {}; counts from {}. Peer target {:.1}%; φ = {:.2}, τ² = {:.6}{}. Beyond the {outer} limits on the better side: {}; on the worse side: {}.",
            f.points.len(),
            c.plot.period,
            c.source,
            100.0 * f.target,
            f.phi,
            f.tau2,
            if f.tau2 > 0.0 { " (limits widened for over-dispersion)" } else { " (no over-dispersion: limits unadjusted)" },
            named(better),
            named(worse),
        )));
        b.push(Block::Figure(Figure {
            height: super::funnel_chart::FUNNEL_H,
            alt: format!(
                "Funnel plot of {} for {} {}s, {}: percentage against denominator, with the peer target of {:.1}% and {inner} and {outer} limits. Beyond the {outer} limits, better than peers: {}; worse than peers: {}. The data are in table {} of the workbook and CSV.",
                c.name,
                f.points.len(),
                c.group.to_lowercase(),
                c.plot.period,
                100.0 * f.target,
                named(better),
                named(worse),
                c.table
            ),
            prims: super::funnel_chart::funnel_chart(m, 0.0, c),
        }));
        if !out.is_empty() {
            let rows = f
                .points
                .iter()
                .filter(|p| p.position[1] != league_model::FunnelPosition::Within)
                .map(|p| {
                    vec![
                        p.trust.to_string(),
                        c.names.get(p.trust.as_str()).cloned().unwrap_or_default(),
                        fmt2(100.0 * p.proportion),
                        crate::narrative::thousands(p.denominator.round() as u32),
                        format!(
                            "{} to {}",
                            fmt2(100.0 * p.limits[1].0),
                            fmt2(100.0 * p.limits[1].1)
                        ),
                        p.position[1].label().to_owned(),
                    ]
                })
                .collect();
            b.push(Block::Table(Table {
                caption: format!(
                    "Table {}: trusts beyond the {outer} limits, {} ({}), {}s, {}",
                    numbers.next().unwrap_or_default(),
                    c.name,
                    c.measure,
                    c.group.to_lowercase(),
                    c.plot.period
                ),
                columns: vec![
                    ColumnSpec::whole("Code"),
                    ColumnSpec::text("Trust name").width(WIDTH),
                    ColumnSpec::number("Per cent"),
                    ColumnSpec::number("Denominator"),
                    ColumnSpec::whole(format!("{outer} limits")),
                    ColumnSpec::text("Position"),
                ],
                rows,
            }));
        }
    }
    b
}

/// The pack's notes, as the workbook's Notes sheet gives them, then sources and attribution.
fn method_and_sources(pack: &NationalPack, publication: &Publication) -> Vec<Block> {
    let mut b = vec![
        Block::PageBreak,
        Block::heading(2, "Methodology and quality", 60.0),
    ];
    b.extend(
        pack.notes
            .iter()
            .filter(|n| n.id != "movement" && n.id != "sensitivity")
            .map(|n| Block::paragraph(format!("{}. {}", n.subject, n.text))),
    );
    b.push(Block::heading(2, "Data sources and attribution", 60.0));
    b.extend([
        Block::paragraph("Contains public sector information licensed under the Open Government Licence v3.0 (nationalarchives.gov.uk/doc/open-government-licence/version/3)."),
        Block::paragraph(pack.sources()),
        Block::paragraph("Machine-readable tables (CSV and Parquet) with a column dictionary, and an Excel workbook, accompany this PDF."),
    ]);
    b.push(release_link(publication));
    b
}
