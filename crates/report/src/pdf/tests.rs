use super::*;
use crate::theme;

#[test]
fn wrapping_respects_the_width_and_keeps_words() {
    let m = Metrics::new();
    let text = "Manchester University NHS Foundation Trust and a very long name indeed";
    let lines = m.wrap(text, 8.5, Weight::Regular, 100.0);
    assert!(lines.len() > 1);
    for l in &lines {
        assert!(
            m.width(l, 8.5, Weight::Regular) <= 100.0 || !l.contains(' '),
            "{l}"
        );
    }
    assert_eq!(lines.join(" "), text);
    assert!(m.width("WWW", 10.0, Weight::Bold) > m.width("iii", 10.0, Weight::Bold));
}

#[test]
fn the_collision_check_finds_a_label_on_a_dot() {
    let m = Metrics::new();
    let prims = vec![
        Prim::Dot {
            x: 100.0,
            y: 100.0,
            r: 2.0,
            fill: theme::NHS_BLUE,
        },
        Prim::Text {
            x: 95.0,
            y: 103.0,
            size: 8.0,
            bold: false,
            colour: theme::TEXT,
            text: "1 | 2".into(),
        },
    ];
    assert_eq!(collisions(&m, &prims).len(), 1);
}

fn info() -> DocumentInfo {
    DocumentInfo {
        title: "Test".into(),
        running_header: "running header".into(),
        language: "en-GB".into(),
        author: "Tester".into(),
        date: (2026, 11, 30),
        document_id: "test".into(),
    }
}

fn one_figure(alt: &str) -> Result<Vec<u8>, PdfError> {
    let blocks = vec![
        Block::TitlePage {
            title: "Title".into(),
            subtitle: String::new(),
            band: 120.0,
        },
        Block::paragraph("Some text."),
        Block::Figure(Figure {
            height: 20.0,
            alt: alt.into(),
            prims: vec![Prim::Rect {
                x: MARGIN,
                y: 0.0,
                w: 40.0,
                h: 10.0,
                fill: theme::NHS_BLUE,
            }],
        }),
        Block::Table(Table {
            caption: "Table 1: a table".into(),
            columns: vec![
                ColumnSpec::text("Name").width(WIDTH),
                ColumnSpec::number("Figure"),
            ],
            rows: vec![vec!["A name".into(), "1.00".into()]],
        }),
    ];
    render(&info(), &blocks)
}

#[test]
fn pdf_ua_validation_runs_at_export() {
    let pdf = one_figure("A blue bar.").expect("valid PDF/UA-1");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        pdf,
        one_figure("A blue bar.").expect("again"),
        "deterministic"
    );
    let err = one_figure("").expect_err("a figure without alt text is refused");
    assert!(err.to_string().contains("Alt"), "{err}");
}

#[test]
fn a_figure_whose_labels_collide_is_refused() {
    let blocks = vec![Block::Figure(Figure {
        height: 40.0,
        alt: "Two labels on one spot.".into(),
        prims: ["first", "second"]
            .iter()
            .map(|t| Prim::Text {
                x: MARGIN,
                y: 20.0,
                size: 9.0,
                bold: false,
                colour: theme::TEXT,
                text: (*t).into(),
            })
            .collect(),
    })];
    let err = render(&info(), &blocks).expect_err("overlapping labels");
    assert!(matches!(err, PdfError::Layout(_)), "{err}");
}

#[test]
fn the_engine_imports_no_document() {
    // Documents depend on the engines, never the reverse.
    for (name, text) in [
        ("pdf/mod.rs", include_str!("mod.rs")),
        ("pdf/layout.rs", include_str!("layout.rs")),
        ("pdf/emit.rs", include_str!("emit.rs")),
        ("pdf/font.rs", include_str!("font.rs")),
        ("xlsx/mod.rs", include_str!("../xlsx/mod.rs")),
    ] {
        for document in [
            "crate::national",
            "crate::trust",
            "super::national",
            "super::trust",
        ] {
            assert!(!text.contains(document), "{name} imports {document}");
        }
    }
}

#[test]
fn a_table_wider_than_the_page_or_a_short_row_is_refused() {
    let wide = Table {
        caption: "Table 9: too wide".into(),
        columns: (0..40)
            .map(|i| ColumnSpec::number(format!("Column{i}")))
            .collect(),
        rows: vec![(0..40).map(|i| format!("{i}.00")).collect()],
    };
    let err = render(&info(), &[Block::Table(wide)]).expect_err("wider than the page");
    assert!(err.to_string().contains("wider than the page"), "{err}");
    let short = Table {
        caption: "Table 10: a short row".into(),
        columns: vec![ColumnSpec::text("A"), ColumnSpec::text("B")],
        rows: vec![vec!["only one".into()]],
    };
    let err = render(&info(), &[Block::Table(short)]).expect_err("a short row");
    assert!(
        err.to_string().contains("row 1 has 1 cells for 2 columns"),
        "{err}"
    );
}

#[test]
fn a_no_break_space_keeps_words_on_one_line() {
    let m = Metrics::new();
    let lines = m.wrap("6.42 (6.24\u{a0}to\u{a0}6.59)", 9.0, Weight::Regular, 30.0);
    assert_eq!(lines, ["6.42", "(6.24\u{a0}to\u{a0}6.59)"]);
}

#[test]
fn a_word_wider_than_its_cell_breaks_and_the_table_still_fits() {
    let m = Metrics::new();
    let word = "W".repeat(15);
    let lines = m.wrap_anywhere(&format!("The {word} Trust"), 8.5, Weight::Regular, 40.0);
    assert!(lines.len() > 2, "{lines:?}");
    for l in &lines {
        assert!(m.width(l, 8.5, Weight::Regular) <= 40.0, "{l}");
    }
    assert_eq!(lines.concat().replace(' ', ""), format!("The{word}Trust"));
    // A name of one 40-letter word and a web address in a table of names and figures: the
    // name column breaks them; before, the table was refused as wider than the page.
    let long = "a".repeat(40);
    let url = "https://example.org/a/very/long/address/that/does/not/wrap/at/all";
    let table = Table {
        caption: "Table 1: long words".into(),
        columns: vec![
            ColumnSpec::text("Trust"),
            ColumnSpec::number("Average"),
            ColumnSpec::number("Rank"),
            ColumnSpec::text("Region"),
            ColumnSpec::text("Type"),
            ColumnSpec::number("Segment"),
            ColumnSpec::text("Metrics in the average"),
        ],
        rows: [long.as_str(), url, &"W".repeat(15)]
            .iter()
            .map(|name| {
                vec![
                    (*name).to_owned(),
                    "2.53".into(),
                    "1".into(),
                    "North East and Yorkshire".into(),
                    "Acute - Teaching".into(),
                    "2".into(),
                    "OF1003;OF1005;OF1014;OF1017;OF1028".into(),
                ]
            })
            .collect(),
    };
    render(&info(), &[Block::Table(table)]).expect("fits the page");
}
