//! The papers as PDF/A: what a reader finds in the file, checked with lopdf (and with poppler's
//! pdftotext, when present, for the text as a reader extracts it).

use chrono::NaiveDate;
use domain::papers::{Block, Paper};

fn sample(paragraphs: usize) -> Paper {
    let at = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap().and_hms_opt(9, 30, 0).unwrap();
    let mut body = vec![
        Block::Text("Ủy ban nhân dân Phường Hải Châu trả kết quả giải quyết hồ sơ sau:".into()),
        Block::Field("Thủ tục".into(), "Đăng ký khai sinh".into()),
        Block::Field("Người nộp hồ sơ".into(), "Nguyễn Thị Ánh Tuyết".into()),
    ];
    for i in 0..paragraphs {
        body.push(Block::Item(format!(
            "Đoạn {i}: quyền và nghĩa vụ của người được cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất."
        )));
    }
    Paper {
        form_no: Some("Mẫu số 01".into()),
        agency: "UBND PHƯỜNG HẢI CHÂU".into(),
        reference: "HC-2026-000123".into(),
        place_date: "Hải Châu, ngày 05 tháng 12 năm 2026".into(),
        dated: at,
        title: "GIẤY CHỨNG NHẬN ĐĂNG KÝ KHAI SINH".into(),
        subject: Some("Về việc đăng ký khai sinh".into()),
        body,
        signer_title: "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH".into(),
        signer_name: Some("Trần Văn Bình".into()),
        digital: true,
        file_stem: "HC-2026-000123-ket-qua".into(),
        landscape: false,
    }
}

#[test]
fn a_paper_is_an_a4_pdf_a_file_with_its_fonts_embedded_and_the_same_bytes_each_time() {
    let bytes = pdf::render(&sample(2)).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(bytes, pdf::render(&sample(2)).unwrap(), "dated with the paper, not the clock");
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1);
    let page = doc.get_dictionary(pages[&1]).unwrap();
    let media: Vec<f32> =
        page.get(b"MediaBox").unwrap().as_array().unwrap().iter().map(|n| n.as_float().unwrap()).collect();
    assert_eq!(media, vec![0.0, 0.0, 595.28, 841.89], "A4");
    // PDF/A-2b: the XMP metadata names the part and conformance, and every font is embedded.
    let xmp = String::from_utf8_lossy(&bytes);
    assert!(
        xmp.contains("<pdfaid:part>2</pdfaid:part>")
            && xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "no PDF/A identification"
    );
    let fonts: Vec<_> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").ok().and_then(|t| t.as_name().ok()) == Some(b"FontDescriptor"))
        .collect();
    assert_eq!(fonts.len(), 3, "regular, bold and italic");
    assert!(fonts.iter().all(|d| d.has(b"FontFile2")), "every font embedded");
}

/// The text of a PDF as poppler's pdftotext reads it (None without poppler).
fn text_of(bytes: &[u8]) -> Option<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn the_register_is_a_table_across_a4_whose_headings_open_every_page() {
    let rows: Vec<Vec<String>> = (0..90)
        .map(|i| {
            let mut row = vec![String::new(); domain::papers::REGISTER_HEADINGS.len()];
            row[0] = format!("20242-261201-{i:04}");
            row[2] = "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân cho công dân Việt Nam cư trú trong nước"
                .into();
            row[3] = "Nguyễn Thị Ánh Tuyết".into();
            row[6] = "01/12/2026 08:15".into();
            row
        })
        .collect();
    let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    let paper = domain::papers::register(
        "Phường Hải Châu",
        day(1),
        day(31),
        day(31).and_hms_opt(17, 0, 0).unwrap(),
        rows,
    );
    let bytes = pdf::render(&paper).unwrap();
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages();
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let page = doc.get_dictionary(pages[&1]).unwrap();
    let media: Vec<f32> =
        page.get(b"MediaBox").unwrap().as_array().unwrap().iter().map(|n| n.as_float().unwrap()).collect();
    assert_eq!(media, vec![0.0, 0.0, 841.89, 595.28], "A4 across");
    let Some(text) = text_of(&bytes) else { return };
    assert!(text.contains("SỔ THEO DÕI HỒ SƠ") && text.contains("Từ ngày 01/12/2026 đến ngày 31/12/2026"));
    assert!(text.contains("Mẫu số 07"));
    // Every row, numbered, in order; the headings again at the top of every page.
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut from = 0;
    for i in 0..90 {
        let needle = format!("20242-261201-{i:04}");
        let at = flat[from..].find(&needle).unwrap_or_else(|| panic!("{needle} missing after {from}"));
        from += at + needle.len();
    }
    // pdftotext ends each page with a form feed.
    let with_rows: Vec<&str> = text.split('\u{c}').filter(|p| p.contains("20242-261201-")).collect();
    assert!(with_rows.len() >= 3, "{} pages of rows", with_rows.len());
    for (i, page) in with_rows.iter().enumerate() {
        assert!(page.contains("Tên thủ tục") && page.contains("STT"), "page {} has no headings", i + 1);
    }
}

#[test]
fn a_long_paper_runs_onto_numbered_pages_and_reads_back_as_written() {
    let paper = sample(40);
    let bytes = pdf::render(&paper).unwrap();
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages().len();
    assert!(pages >= 3, "{pages} pages");
    let Some(text) = text_of(&bytes) else {
        eprintln!("pdftotext missing: the text check skipped");
        return;
    };

    // Every item, wrapped over lines and pages, is there in order; the pages after the first
    // carry their number; the signature block closes the paper.
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut from = 0;
    for i in 0..40 {
        let needle = format!("{}. Đoạn {i}: quyền và nghĩa vụ", i + 1);
        let at =
            flat[from..].find(&needle).unwrap_or_else(|| panic!("{needle} missing after {from}: {flat}"));
        from += at + needle.len();
    }
    assert!(flat[from..].contains("CHỦ TỊCH (Ký số) Trần Văn Bình"), "{}", &flat[from..]);
    for n in 2..=pages {
        assert!(text.lines().any(|l| l.trim() == n.to_string()), "page {n} unnumbered");
    }
}
