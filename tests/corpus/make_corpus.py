#!/usr/bin/env python3
"""Writes the malformed-input corpus in tests/corpus/ (run from the repository root).

Each file breaks one rule; tests/corpus/expected.toml says what `league validate` must report.
The files are committed; this script documents how they were made and can regenerate them.
"""
import csv, io, os

OUT = "tests/corpus"
H = ["period", "org_code", "metric_id", "value", "numerator", "denominator"]
D = H + ["org_name", "region", "peer_group", "subtype"]
AMB = [("RX8", "Yorkshire Ambulance Service NHS Trust", "North East and Yorkshire"),
       ("RYD", "South East Coast Ambulance Service NHS Foundation Trust", "South East"),
       ("RRU", "London Ambulance Service NHS Trust", "London"),
       ("RX9", "East Midlands Ambulance Service NHS Trust", "Midlands")]

def good(n=3):
    """n plain valid rows (staff survey engagement for ambulance trusts)."""
    return [["Q1 2025/26", c, "OF0084", f"6.{i}", "", ""] for i, (c, _, _) in enumerate(AMB[:n])]

def write(name, header, rows, *, encoding="utf-8", bom=False, crlf=False, raw=None):
    path = os.path.join(OUT, name)
    if raw is not None:
        open(path, "wb").write(raw)
        return
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    if header:
        w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    open(path, "wb").write((b"\xef\xbb\xbf" if bom else b"") + data)

def one_bad(name, bad_row, header=H):
    write(name, header, good() + [bad_row])

one_bad("long_not_a_number.csv", ["Q1 2025/26", "RRU", "OF0061", "six", "", ""])
one_bad("long_nan.csv", ["Q1 2025/26", "RRU", "OF0061", "NaN", "", ""])
one_bad("long_infinite.csv", ["Q1 2025/26", "RRU", "OF0061", "inf", "", ""])
one_bad("long_duplicate_key.csv", ["Q1 2025/26", "RX8", "OF0084", "7.9", "", ""])
write("long_exact_duplicate.csv", H, good() + [good()[0]])
one_bad("long_unknown_org.csv", ["Q1 2025/26", "ZZZ", "OF0061", "6.5", "", ""])
one_bad("long_path_like_code.csv", ["Q1 2025/26", "../../x", "OF0061", "6.5", "", ""])
one_bad("long_closed_org.csv", ["Q1 2025/26", "RAP", "OF0061", "6.5", "", ""])
one_bad("long_unknown_metric.csv", ["Q1 2025/26", "RRU", "OF0999", "6.5", "", ""])
one_bad("long_percent_range.csv", ["Q1 2025/26", "RGT", "OF0023", "120", "", ""])
one_bad("long_negative_count.csv", ["Q1 2025/26", "RGT", "OF0023", "50", "-5", "10"])
one_bad("long_numerator_exceeds_denominator.csv", ["Q1 2025/26", "RGT", "OF0023", "50", "20", "10"])
one_bad("long_bad_period.csv", ["Q5 2025/26", "RRU", "OF0061", "6.5", "", ""])
one_bad("long_implausible_period.csv", ["Q1 2035/36", "RRU", "OF0061", "6.5", "", ""])
one_bad("long_flag_not_0_or_1.csv", ["Q1 2025/26", "RRU", "OF5004", "2", "", ""])
one_bad("long_score_out_of_range.csv", ["Q1 2025/26", "RRU", "OF1067", "0.5", "", ""])
one_bad("long_missing_value.csv", ["Q1 2025/26", "", "OF0061", "6.5", "", ""])
write("long_field_count.csv", H, good() + [["Q1 2025/26", "RRU", "OF0061", "6.5", "", "", "extra"]])
write("long_formula_in_name.csv", D,
      [r + [n, reg, "ambulance", "Ambulance"] for r, (_, n, reg) in zip(good(), AMB)]
      + [["Q1 2025/26", "RX9", "OF0084", "6.6", "", "", '=HYPERLINK("http://x","y")', "Midlands", "ambulance", "Ambulance"]])
write("long_unknown_peer_group.csv", D,
      [r + [n, reg, "ambulance", "Ambulance"] for r, (_, n, reg) in zip(good(), AMB)]
      + [["Q1 2025/26", "RX9", "OF0084", "6.6", "", "", AMB[3][1], "Midlands", "dental", "Ambulance"]])
write("long_inconsistent_details.csv", D,
      [r + [n, reg, "ambulance", "Ambulance"] for r, (_, n, reg) in zip(good(), AMB)]
      + [["Q1 2025/26", "RX8", "OF0061", "6.6", "", "", AMB[0][1], "London", "ambulance", "Ambulance"]])
write("long_unknown_provenance.csv", H + ["provenance"],
      [r + ["real"] for r in good()] + [["Q1 2025/26", "RX9", "OF0084", "6.6", "", "", "guessed"]])
write("long_missing_column.csv", H[:-1], [r[:-1] for r in good()])
write("long_latin1.csv", H + ["reporting_date"],
      [r + ["2024"] for r in good()] + [["Q1 2025/26", "RX9", "OF0084", "6.6", "", "", "Sept\u00e9mbre"]],
      encoding="latin-1")
write("long_empty.csv", None, [], raw=b"")
write("long_header_only.csv", H, [])
write("long_bom_crlf_valid.csv", H, good(4), bom=True, crlf=True)
write("unknown_format.csv", ["a", "b", "c"], [["1", "2", "3"]])

AE = ["period", "Org Code", "Parent Org", "Org name",
      "A&E attendances Type 1", "A&E attendances Type 2", "A&E attendances Other A&E Department",
      "A&E attendances Booked Appointments Type 1", "A&E attendances Booked Appointments Type 2",
      "A&E attendances Booked Appointments Other Department",
      "Attendances over 4hrs Type 1", "Attendances over 4hrs Type 2", "Attendances over 4hrs Other Department",
      "Attendances over 4hrs Booked Appointments Type 1", "Attendances over 4hrs Booked Appointments Type 2",
      "Attendances over 4hrs Booked Appointments Other Department",
      "Patients who have waited 4-12 hs from DTA to admission",
      "Patients who have waited 12+ hrs from DTA to admission",
      "Emergency admissions via A&E - Type 1", "Emergency admissions via A&E - Type 2",
      "Emergency admissions via A&E - Other A&E department", "Other emergency admissions"]
def ae(month, code, att, over, neg=False):
    return [month, code, "NHS ENGLAND LONDON", "A TRUST", str(-att if neg else att), "0", "0", "0", "0", "0",
            str(over), "0", "0", "0", "0", "0", "10", "2", "500", "0", "0", "100"]
write("ae_bad_rows.csv", AE, [ae("2025-04-01", "RJ1", 1000, 200), ae("2025-05-01", "RJ1", 1000, 1200),
                              ae("2025-06-01", "RJ1", 1000, 200, neg=True), ae("2025-04-01", "RGT", 900, 100)])
write("cancer_unknown_standard.csv", ["period", "standard", "org_code", "total", "within_standard", "breaches", "performance"],
      [["2025-04-01", "28-day FDS", "RJ1", "100", "80", "20", "0.8"],
       ["2025-04-01", "14-day", "RJ1", "100", "80", "20", "0.8"],
       ["2025-05-01", "28-day FDS", "RJ1", "100", "80", "25", "0.8"]])
AMBH = ["period", "financial_year", "level", "region_code", "org_code", "org_name", "c1_incidents", "c1_mean_s",
        "c2_incidents", "c2_mean_s", "c3_incidents", "c3_mean_s", "c4_incidents", "c4_mean_s"]
write("ambsys_unknown_level.csv", AMBH,
      [["2025-04-01", "2025-26", "trust", "", "RX9", "EMAS", "100", "500", "200", "1800", "50", "3000", "10", "4000"],
       ["2025-04-01", "2025-26", "station", "", "RX9", "EMAS", "100", "500", "200", "1800", "50", "3000", "10", "4000"]])
SNAP = ["org_code", "org_name", "data_month", "sickness_rate_overall_3m_avg", "fin_var_pct_turnover",
        "fin_in_deficit", "rating_safe"]
write("snapshot_bad_values.csv", SNAP,
      [["RJ1", "GUY'S", "2026-03", "5.1", "0.0", "0.0", "Good"],
       ["RGT", "CUH", "2026-03", "5.1", "0.0", "0.5", "Good"],
       ["R0A", "MFT", "2026-03", "5.1", "0.0", "0.0", "Excellent"]])
write("staff_survey_without_year.csv", ["org_code", "org_name", "benchmark_group", "pp3_2_score", "staff_engagement_score"],
      [["RJ1", "GSTT", "Acute", "6.5", "7.0"]])
NOF = ["Quarter", "Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Domain", "Sub-domain",
       "Metric_ID", "Metric_description", "Reporting_date", "Units", "Value", "Median_value", "Lower_quartile",
       "Upper_quartile", "Rank"]
def nof(code, metric, value, units="score"):
    return ["Q1 2025/26", "North West", "Mental health and community trust", "Community", code, "A TRUST",
            "People", "People", metric, "m", "2024", units, value, "", "", "", ""]
write("nof_score_out_of_range.csv", NOF, [nof("RY2", "OF1084", "2.5"), nof("RY2", "OF1061", "7")])

# A usable file with one quarantined row: every ambulance trust's values from the default
# dataset, except that RYA's only row carries formula text in its name. The run goes ahead
# (1 row in 100+ is under the 1% fail threshold) and nothing of RYA may reach the outputs.
rows = [r for r in csv.DictReader(open("data/default/nof_2025_26_q1_national.csv"))
        if r["peer_group"] == "ambulance" and r["org_code"] != "RYA"]
cols = D + ["provenance"]
body = [[r[c] for c in cols] for r in rows]
body.append(["Q1 2025/26", "RYA", "OF0084", "6.9", "", "", '=HYPERLINK("http://x","West Midlands")',
             "Midlands", "ambulance", "Ambulance", "real"])
write("long_ambulance_one_formula_row.csv", cols, body)

# Quoting errors stay on the row they start on (issue 10). (The formula-row file above is
# derived from the default dataset of its day; the committed copy is the reference.)
def many(n_metrics=("OF0084", "OF0061")):
    """Good rows: each ambulance trust of AMB on each metric."""
    return [["Q1 2025/26", c, m, f"6.{i}", "", ""] for m in n_metrics for i, (c, _, _) in enumerate(AMB)]

def raw_csv(lines, end="\n"):
    return (end.join(lines) + end).encode("utf-8")

rows = [",".join(r) for r in many()]
# A stray quote opens a field that never closes: only its own line is lost.
write("long_stray_quote.csv", None, None,
      raw=raw_csv([",".join(H)] + rows[:2] + ['Q1 2025/26,RRU,OF0084,"6.5,,'] + rows[2:]))
# Two stray quotes: the first would swallow the good rows up to the second.
write("long_two_stray_quotes.csv", None, None,
      raw=raw_csv([",".join(H)] + rows[:1] + ['Q1 2025/26,RRU,OF0084,"6.5,,'] + rows[1:5]
                  + ['Q1 2025/26,RX9,OF0061,6.5",,'] + rows[5:]))
# A quoted name spanning two lines is one record of the header's width (the reader keeps it
# whole), then quarantined for the line break (a control character) in the name.
write("long_multiline_name.csv", None, None,
      raw=raw_csv([",".join(D)] + [",".join(r + ['"' + n + '"', reg, "ambulance", "Ambulance"])
                                   for r, (_, n, reg) in zip(good(), AMB)][:2]
                  + ['Q1 2025/26,RRU,OF0084,6.2,,,"London Ambulance', 'Service NHS Trust",London,ambulance,Ambulance']))
# Old Mac line ends (CR only): line numbers still count lines.
write("long_cr_only.csv", None, None,
      raw=raw_csv([",".join(H)] + rows[:3] + ["Q1 2025/26,RRU,OF0061,six,,"] + rows[3:6], end="\r"))

# Values that used to vanish or change without a finding (issue 10).
one_bad("long_impossible_date.csv", ["2025-06-31", "RRU", "OF0061", "6.5", "", ""])
one_bad("long_year_zero.csv", ["0000-01", "RRU", "OF0061", "6.5", "", ""])
one_bad("long_underflow.csv", ["Q1 2025/26", "RRU", "OF0061", "1e-400", "", ""])
write("long_duplicate_column.csv", H + ["value"], [r + ["9.9"] for r in good()])

# Text a report cannot show is quarantined at input; names a trust can have pass (issue 10).
def named(name):
    rows = [r + [n, reg, "ambulance", "Ambulance"] for r, (_, n, reg) in zip(good(), AMB)]
    return rows + [["Q1 2025/26", "RX9", "OF0084", "6.6", "", "", name, "Midlands", "ambulance", "Ambulance"]]
write("long_control_character.csv", D, named("East Midlands\x07 Ambulance Service NHS Trust"))
write("long_cjk_name.csv", D, named("东米德兰兹救护车服务"))
write("long_emoji_name.csv", D, named("East Midlands Ambulance 🚑"))
write("long_welsh_accents_valid.csv", D, named("Gwasanaeth Ambiwlans Cymru – Ŵyn’s “Hôpital” Trust"))

# Periods that are not periods: sign characters were read as digits (issue 27).
one_bad("long_signed_quarter.csv", ["Q+1 2025/26", "RRU", "OF0061", "6.5", "", ""])
one_bad("long_signed_month.csv", ["2025-+6", "RRU", "OF0061", "6.5", "", ""])
one_bad("long_signed_day.csv", ["2025-06-+1", "RRU", "OF0061", "6.5", "", ""])
R = H + ["reporting_date"]
write("long_impossible_reporting_date.csv", R,
      [r + ["Q1 2025/26"] for r in good()] + [["Q1 2025/26", "RRU", "OF0061", "6.5", "", "", "2025-06-31"]])
write("long_signed_reporting_date.csv", R,
      [r + ["Q1 2025/26"] for r in good()] + [["Q1 2025/26", "RRU", "OF0061", "6.5", "", "", "Q+1 2025/26"]])
