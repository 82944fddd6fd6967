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
        body.push(Block::Text(format!("Đoạn {i}: quyền và nghĩa vụ của người được cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất.")));
    }
    Paper {
        form_no: None,
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
    }
}

#[test]
fn writes_a_pdf_a_file() {
    let bytes = pdf::render(&sample(2)).unwrap();
    std::fs::write("/tmp/paper.pdf", &bytes).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
}
