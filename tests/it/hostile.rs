//! Hostile input: files built at test time to cost too much (huge lines, fields, headers,
//! spreadsheets that claim or decompress to enormous sizes) and things that are not files
//! (pipes, devices, directories). Every run happens under a 1 GiB address-space limit
//! (`ulimit -v`), which bounds its memory: each must end with a clear bad-input error (exit 3)
//! naming the limit, never a crash, an abort or a hang.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use crate::util::league_limited;

fn assert_refused(what: &str, o: &Output, expected: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{what}: exit 3 (not a crash, abort or kill)\n{}",
        err.chars().take(2_000).collect::<String>()
    );
    for e in expected {
        assert!(err.contains(e), "{what}: {e:?} in\n{err}");
    }
    assert!(
        err.len() < 20_000,
        "{what}: the message does not echo the input ({} bytes)",
        err.len()
    );
}

fn validate(path: &Path) -> Output {
    league_limited(&["validate", path.to_str().expect("utf8")])
}

const HEADER: &str = "period,org_code,metric_id,value,numerator,denominator";

#[test]
fn oversized_csv_files_lines_fields_and_headers_are_refused_by_their_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    };
    // 100 MB on one line: over max_file_bytes, refused from its size without reading it.
    let big = dir.path().join("one_line_100mb.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).expect("create"));
        f.write_all(HEADER.as_bytes()).expect("w");
        f.write_all(b"\n").expect("w");
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).expect("w");
        }
    }
    let o = validate(&big);
    assert_refused(
        "100 MB file",
        &o,
        &["max_file_bytes", "--limit max_file_bytes="],
    );

    // 1 MB on one line: within the file size, over max_line_bytes.
    let mut text = format!("{HEADER}\n").into_bytes();
    text.extend(std::iter::repeat_n(b'y', 1 << 20));
    let p = write("one_line_1mb.csv", &text);
    assert_refused(
        "1 MB line",
        &validate(&p),
        &["line 2 is 1048576 bytes", "max_line_bytes"],
    );
    // The same file with the limit raised gets past the line check.
    let o = league_limited(&[
        "validate",
        p.to_str().expect("utf8"),
        "--limit",
        "max_line_bytes=2000000",
    ]);
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("max_line_bytes"),
        "the raised limit applies"
    );

    // A 200 KB header line.
    let header = (0..20_000)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let p = write("wide_header.csv", format!("{header}\n1\n").as_bytes());
    assert_refused("200 KB header", &validate(&p), &["max_line_bytes"]);

    // 600 columns in a short header.
    let header = (0..600)
        .map(|i| format!("{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let p = write("600_columns.csv", format!("{header}\n").as_bytes());
    assert_refused(
        "600 columns",
        &validate(&p),
        &["600 columns", "max_columns"],
    );

    // A 10 KB field on an otherwise ordinary line.
    let p = write(
        "long_field.csv",
        format!("{HEADER}\nQ1 2025/26,RRU,OF0084,{},,\n", "9".repeat(10_000)).as_bytes(),
    );
    assert_refused(
        "10 KB field",
        &validate(&p),
        &["line 2 has a field of 10000 bytes", "max_field_bytes"],
    );
}

/// A minimal xlsx: one worksheet with `sheet_xml`, other parts as Excel writes them.
fn xlsx(path: &Path, sheet_xml: &[u8], extra: Option<(&str, u64)>) {
    let f = std::fs::File::create(path).expect("create");
    let mut z = zip::ZipWriter::new(f);
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &[u8]); 4] = [
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, bytes) in parts {
        z.start_file(name, o).expect("entry");
        z.write_all(bytes).expect("write");
    }
    z.start_file("xl/worksheets/sheet1.xml", o).expect("entry");
    z.write_all(sheet_xml).expect("write");
    if let Some((name, zeros)) = extra {
        z.start_file(name, o.large_file(true)).expect("entry");
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..zeros >> 20 {
            z.write_all(&chunk).expect("write");
        }
    }
    z.finish().expect("zip");
}

const SHEET_HEAD: &str = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

#[test]
fn spreadsheets_that_claim_or_decompress_to_too_much_are_refused_before_they_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A sheet whose dimension claims every cell of a worksheet (17 billion).
    let p = dir.path().join("dimension.xlsx");
    xlsx(
        &p,
        format!(r#"{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>period</t></is></c></row></sheetData></worksheet>"#).as_bytes(),
        None,
    );
    assert!(
        std::fs::metadata(&p).expect("size").len() < 4_096,
        "a tiny file"
    );
    assert_refused(
        "dimension A1:XFD1048576",
        &validate(&p),
        &["addresses 17179869184 cells", "max_cells"],
    );
    // Two cells far apart, no dimension: the rectangle between them is what would be allocated.
    let p = dir.path().join("far_cells.xlsx");
    xlsx(
        &p,
        format!(r#"{SHEET_HEAD}<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="20000000"><c r="XFD20000000"><v>2</v></c></row></sheetData></worksheet>"#).as_bytes(),
        None,
    );
    assert_refused("cells far apart", &validate(&p), &["max_cells"]);
    // A compression bomb: 300 MB of zeros in a small archive.
    let p = dir.path().join("bomb.xlsx");
    xlsx(
        &p,
        format!(r#"{SHEET_HEAD}<sheetData/></worksheet>"#).as_bytes(),
        Some(("xl/media/zeros.bin", 300 << 20)),
    );
    assert!(
        std::fs::metadata(&p).expect("size").len() < 2 << 20,
        "a small file"
    );
    assert_refused(
        "compression bomb",
        &validate(&p),
        &["max_decompressed_bytes"],
    );
}

#[test]
fn pipes_devices_and_directories_are_refused_without_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("pipe.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    for (what, path) in [
        ("a named pipe", fifo.as_path()),
        ("/dev/zero", Path::new("/dev/zero")),
        ("a directory", dir.path()),
    ] {
        let o = validate(path);
        assert_refused(what, &o, &["not a regular file"]);
        let out = dir.path().join("out");
        let o = league_limited(&[
            "report",
            "--input",
            path.to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
        ]);
        assert_refused(what, &o, &["not a regular file"]);
        assert!(!out.join("2025-26-Q1").exists());
    }
}
