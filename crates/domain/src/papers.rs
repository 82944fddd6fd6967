//! The papers a dossier produces, as content: the letters to the applicant (Forms 02-05 of
//! Circular 01/2018/TT-VPCP) and the result document. The browser prints them from HTML, the
//! PDF writer lays them out on A4; both read this one model, so a paper says the same thing
//! whichever way it is printed.

use crate::dossier::{Event, EventKind};
use chrono::NaiveDateTime;

/// One paper: the header of an administrative document (Decree 30/2020/NĐ-CP), a title, the
/// body and the signature block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paper {
    /// "Mẫu số 02", printed above the header; none on a result.
    pub form_no: Option<String>,
    /// The issuing agency, as the header's left column names it ("UBND PHƯỜNG HẢI CHÂU").
    pub agency: String,
    /// The dossier's code, printed as the document's reference.
    pub reference: String,
    /// "Hải Châu, ngày 05 tháng 12 năm 2026".
    pub place_date: String,
    /// When the paper is dated (the event it reports): also the file's creation date.
    pub dated: NaiveDateTime,
    pub title: String,
    /// The line under the title ("Về việc …"), if any.
    pub subject: Option<String>,
    pub body: Vec<Block>,
    /// Who signs: the title over the signature ("CHỦ TỊCH", "NGƯỜI TIẾP NHẬN").
    pub signer_title: String,
    /// The signer's name under the signature, when known.
    pub signer_name: Option<String>,
    /// Signed digitally (the result) rather than by hand (the letters and receipt).
    pub digital: bool,
    /// The name its file is saved under, without ".pdf".
    pub file_stem: String,
}

impl Paper {
    /// The line under the signer's title.
    pub fn sign_note(&self) -> &'static str {
        if self.digital {
            "(Ký số)"
        } else {
            "(Ký, ghi rõ họ tên)"
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Text(String),
    /// A labelled line ("Họ và tên: Nguyễn Văn An").
    Field(String, String),
    /// An item of a numbered list (the documents filed, the steps taken).
    Item(String),
}

/// What a paper is made from: the dossier's facts and history, and the names the caller
/// resolves from the registry and the catalog.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub code: &'a str,
    pub applicant: &'a str,
    /// When the dossier was received (or registered, if never received).
    pub received: NaiveDateTime,
    pub due: Option<NaiveDateTime>,
    pub events: &'a [Event],
    /// The receiving unit's name ("Phường Hải Châu").
    pub unit: &'a str,
    /// The procedure's name.
    pub procedure: &'a str,
    /// The result the procedure produces ("Giấy chứng nhận …"), if the catalog says.
    pub result: Option<&'a str>,
}

/// Why a paper cannot be made for a dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The form number is not one of 02-05.
    NoSuchForm,
    /// The dossier has no event the form reports (no supplement request for Form 02, …).
    NotApplicable(&'static str),
}

impl Missing {
    pub fn message(&self) -> &'static str {
        match self {
            Missing::NoSuchForm => "không có mẫu này",
            Missing::NotApplicable(m) => m,
        }
    }
}

/// "ngày 05 tháng 12 năm 2026", the way a document dates itself.
pub fn long_date(at: NaiveDateTime) -> String {
    at.format("ngày %d tháng %m năm %Y").to_string()
}

fn place(unit: &str) -> &str {
    // The place of a document is the unit's proper name, without its kind.
    for kind in ["Đặc khu ", "Phường ", "Xã ", "Thị trấn "] {
        if let Some(rest) = unit.strip_prefix(kind) {
            return rest;
        }
    }
    unit
}

fn agency(unit: &str) -> String {
    format!("UBND {}", unit.to_uppercase())
}

fn header(f: &Facts, at: NaiveDateTime) -> (String, String) {
    (agency(f.unit), format!("{}, {}", place(f.unit), long_date(at)))
}

fn received_line(f: &Facts) -> Block {
    Block::Text(format!(
        "Hồ sơ mã {}: {}, tiếp nhận ngày {}.",
        f.code,
        f.procedure,
        f.received.format("%d/%m/%Y")
    ))
}

/// What the receipt says besides the facts: resolved by the caller (the PIN only for a reader
/// who may see it).
#[derive(Debug, Clone, Default)]
pub struct Receipt {
    pub address: String,
    pub phone: String,
    pub documents: Vec<String>,
    /// The legal time limit ("5 ngày làm việc").
    pub limit: String,
    pub track_url: String,
    pub pin: Option<String>,
    /// The officer who received the dossier.
    pub officer: String,
}

/// The label of the receipt's line that holds the tracking PIN (the page marks its value).
pub const TRACKING_PIN: &str = "Mã tra cứu";

fn minute(t: NaiveDateTime) -> String {
    t.format("%H:%M %d/%m/%Y").to_string()
}

/// Form 01: the receipt and appointment handed to the applicant.
pub fn receipt(f: &Facts, r: &Receipt) -> Paper {
    let mut body = vec![Block::Text(format!(
        "Bộ phận tiếp nhận và trả kết quả UBND {} tiếp nhận hồ sơ của: {}",
        f.unit, f.applicant
    ))];
    body.push(Block::Field("Địa chỉ".into(), r.address.clone()));
    body.push(Block::Field("Số điện thoại".into(), r.phone.clone()));
    body.push(Block::Field("Nội dung yêu cầu giải quyết".into(), f.procedure.to_string()));
    body.push(Block::Text("Thành phần hồ sơ:".into()));
    body.extend(r.documents.iter().cloned().map(Block::Item));
    body.push(Block::Field("Thời gian giải quyết hồ sơ theo quy định".into(), r.limit.clone()));
    body.push(Block::Field("Thời gian nhận hồ sơ".into(), minute(f.received)));
    body.push(Block::Field(
        "Thời gian trả kết quả giải quyết hồ sơ".into(),
        f.due.map_or("—".into(), minute),
    ));
    body.push(Block::Field("Đăng ký nhận kết quả tại".into(), format!("UBND {}", f.unit)));
    body.push(Block::Field("Mã hồ sơ".into(), f.code.to_string()));
    if let Some(pin) = &r.pin {
        body.push(Block::Field(TRACKING_PIN.into(), pin.clone()));
    }
    body.push(Block::Text(format!(
        "Tra cứu tiến độ và nhận kết quả điện tử tại {} bằng mã hồ sơ và mã tra cứu.",
        r.track_url
    )));
    let (agency, place_date) = header(f, f.received);
    Paper {
        form_no: Some("Mẫu số 01".into()),
        agency,
        reference: f.code.to_string(),
        place_date,
        dated: f.received,
        title: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ".into(),
        subject: None,
        body,
        signer_title: "NGƯỜI TIẾP NHẬN HỒ SƠ".into(),
        signer_name: Some(r.officer.clone()).filter(|o| !o.is_empty()),
        digital: false,
        file_stem: format!("{}-mau-01", f.code),
    }
}

/// Form 06: the control sheet, every step of the dossier with who took it and when.
pub fn control_sheet(f: &Facts) -> Paper {
    let mut body = vec![received_line(f)];
    body.extend(f.events.iter().map(|e| {
        let note = e.note.as_deref().map_or(String::new(), |n| format!(" ({n})"));
        Block::Item(format!("{}: {} {}{note}", minute(e.at), e.actor, e.kind.describe()))
    }));
    let at = f.events.last().map_or(f.received, |e| e.at);
    let (agency, place_date) = header(f, at);
    Paper {
        form_no: Some("Mẫu số 06".into()),
        agency,
        reference: f.code.to_string(),
        place_date,
        dated: at,
        title: "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ".into(),
        subject: None,
        body,
        signer_title: "NGƯỜI LẬP PHIẾU".into(),
        signer_name: None,
        digital: false,
        file_stem: format!("{}-mau-06", f.code),
    }
}

/// Form `n` (2-5) of a dossier: the letter the officer hands or sends the applicant.
pub fn letter(f: &Facts, n: u8) -> Result<Paper, Missing> {
    let last = |pred: &dyn Fn(&EventKind) -> bool| f.events.iter().rev().find(|e| pred(&e.kind));
    let (title, lines, at): (&str, Vec<String>, NaiveDateTime) = match n {
        2 => {
            let e = last(&|k| matches!(k, EventKind::SupplementRequested { .. }))
                .ok_or(Missing::NotApplicable("hồ sơ chưa có yêu cầu bổ sung"))?;
            let EventKind::SupplementRequested { note } = &e.kind else { unreachable!() };
            (
                "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                vec![
                    format!("Nội dung yêu cầu bổ sung: {note}"),
                    "Thời gian chờ bổ sung không tính vào thời hạn giải quyết.".into(),
                ],
                e.at,
            )
        }
        3 => {
            let e = last(&|k| matches!(k, EventKind::Refused { .. }))
                .ok_or(Missing::NotApplicable("hồ sơ không bị từ chối"))?;
            let EventKind::Refused { reason } = &e.kind else { unreachable!() };
            ("PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", vec![format!("Lý do: {reason}")], e.at)
        }
        4 => {
            let e = last(&|k| matches!(k, EventKind::Extended { .. }))
                .ok_or(Missing::NotApplicable("hồ sơ chưa gia hạn"))?;
            let EventKind::Extended { reason, extra } = &e.kind else { unreachable!() };
            let due = f.due.map_or(String::new(), |t| t.format("%H:%M %d/%m/%Y").to_string());
            (
                "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                vec![
                    format!("Hồ sơ chưa giải quyết đúng hạn vì: {reason}."),
                    format!("Xin lỗi ông/bà và hẹn trả kết quả vào {due} (gia hạn {extra})."),
                ],
                e.at,
            )
        }
        5 => {
            let e = last(&|k| matches!(k, EventKind::Stopped { .. }))
                .ok_or(Missing::NotApplicable("hồ sơ không bị dừng xử lý"))?;
            let EventKind::Stopped { reason } = &e.kind else { unreachable!() };
            ("PHIẾU DỪNG XỬ LÝ HỒ SƠ", vec![format!("Lý do dừng xử lý: {reason}")], e.at)
        }
        _ => return Err(Missing::NoSuchForm),
    };
    let (agency, place_date) = header(f, at);
    let mut body = vec![Block::Text(format!("Kính gửi: {}", f.applicant)), received_line(f)];
    body.extend(lines.into_iter().map(Block::Text));
    Ok(Paper {
        form_no: Some(format!("Mẫu số 0{n}")),
        agency,
        reference: f.code.to_string(),
        place_date,
        dated: at,
        title: title.into(),
        subject: None,
        body,
        // The apology letter is the agency's: its head signs it (Circular 01/2018, Form 04).
        signer_title: if n == 4 { "THỦ TRƯỞNG CƠ QUAN".into() } else { "NGƯỜI KÝ".into() },
        signer_name: None,
        digital: false,
        file_stem: format!("{}-mau-0{n}", f.code),
    })
}

/// The result document of an approved dossier: what was decided, for whom, under which
/// procedure, dated when the leader approved it.
pub fn result(f: &Facts, signer_name: Option<&str>) -> Result<Paper, Missing> {
    // The leader's last decision is the one that stands.
    let decision =
        f.events.iter().rev().find(|e| matches!(e.kind, EventKind::Approved | EventKind::Denied { .. }));
    let approved = match decision {
        Some(e) if matches!(e.kind, EventKind::Approved) => e,
        Some(_) => return Err(Missing::NotApplicable("hồ sơ không được phê duyệt: không có kết quả để ký")),
        None => return Err(Missing::NotApplicable("hồ sơ chưa được lãnh đạo phê duyệt")),
    };
    let (agency, place_date) = header(f, approved.at);
    let title = f.result.map_or_else(|| GENERIC_TITLE.into(), result_title);
    let mut body = vec![
        Block::Text(format!("Ủy ban nhân dân {} trả kết quả giải quyết hồ sơ sau:", f.unit)),
        Block::Field("Thủ tục".into(), f.procedure.to_string()),
        Block::Field("Mã hồ sơ".into(), f.code.to_string()),
        Block::Field("Người nộp hồ sơ".into(), f.applicant.to_string()),
    ];
    body.push(Block::Field("Ngày tiếp nhận".into(), f.received.format("%d/%m/%Y").to_string()));
    body.push(Block::Field("Ngày phê duyệt".into(), approved.at.format("%d/%m/%Y").to_string()));
    body.push(Block::Text(
        "Văn bản điện tử này được ký số; tính xác thực kiểm tra được tại trang \"Xác minh kết quả\" \
         của hệ thống hoặc bằng bất kỳ phần mềm đọc PDF nào hỗ trợ chữ ký số."
            .into(),
    ));
    Ok(Paper {
        form_no: None,
        agency,
        reference: f.code.to_string(),
        place_date,
        dated: approved.at,
        title,
        // "Về việc cấp …", not "Về việc thủ tục cấp …".
        subject: Some(format!(
            "Về việc {}",
            lower_first(f.procedure.strip_prefix("Thủ tục ").unwrap_or(f.procedure))
        )),
        body,
        signer_title: "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH".into(),
        signer_name: signer_name.map(str::to_string),
        digital: true,
        file_stem: format!("{}-ket-qua", f.code),
    })
}

const GENERIC_TITLE: &str = "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";

fn result_title(result: &str) -> String {
    // The catalog writes the result as a sentence ("Giấy chứng nhận …; Văn bản trả lời …"):
    // its first item, upper-cased, is the document's title.
    let first = result.split([';', '\n']).next().unwrap_or(result).trim().trim_end_matches('.');
    let first = first.strip_prefix("- ").unwrap_or(first);
    if first.is_empty() || first.chars().count() > 120 {
        GENERIC_TITLE.into()
    } else {
        first.to_uppercase()
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
