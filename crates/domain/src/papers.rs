//! The papers a dossier produces, as content: the letters to the applicant (Forms 02-05 of
//! Circular 01/2018/TT-VPCP) and the result document. The browser prints them from HTML, the
//! PDF writer lays them out on A4; both read this one model, so a paper says the same thing
//! whichever way it is printed.

use crate::dossier::{Event, EventKind};
use crate::result_kind::ResultKind;
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
    /// Laid across the page (the register's table); upright otherwise.
    pub landscape: bool,
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
    /// A line centred in bold (the authority that decides, "QUYẾT ĐỊNH:").
    Heading(String),
    /// A table with its headings (the register, Form 07).
    Table(Table),
}

/// A table: its headings, each column's share of the width, and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headings: Vec<String>,
    /// Relative widths, one per heading.
    pub widths: Vec<u16>,
    pub rows: Vec<Vec<String>>,
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
    /// The procedure's legal basis, as the catalog lists it (a decision cites it).
    pub legal_basis: &'a [String],
    /// The applicant's ID number and address, as the reader may see them (a result names its
    /// holder by them).
    pub applicant_id: Option<&'a str>,
    pub applicant_address: Option<&'a str>,
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
        landscape: false,
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
        landscape: false,
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
        landscape: false,
    })
}

/// The columns of the dossier register (Form 07): in the CSV, the workbook and the PDF.
pub const REGISTER_HEADINGS: [&str; 12] = [
    "Mã hồ sơ",
    "Mã thủ tục",
    "Tên thủ tục",
    "Người nộp",
    "Hình thức",
    "Trạng thái",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày hoàn thành",
    "Kết quả đúng hạn",
    "Nơi tiếp nhận",
    "Đơn vị xử lý",
];

/// How wide each register column is on paper, relative to the others (a dossier's code on
/// one line at 8 points).
const REGISTER_WIDTHS: [u16; 12] = [15, 8, 28, 13, 8, 10, 9, 9, 9, 8, 6, 6];

/// The dossier register of a unit over a period (Form 07), as a paper: a table across A4.
/// Each row holds the [`REGISTER_HEADINGS`] columns; a numbered column comes first.
pub fn register(
    unit: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    made: NaiveDateTime,
    rows: Vec<Vec<String>>,
) -> Paper {
    let (agency, place_date) = (agency(unit), format!("{}, {}", place(unit), long_date(made)));
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| std::iter::once((i + 1).to_string()).chain(r).collect())
        .collect();
    Paper {
        form_no: Some("Mẫu số 07".into()),
        agency,
        reference: String::new(),
        place_date,
        dated: made,
        title: "SỔ THEO DÕI HỒ SƠ".into(),
        subject: Some(format!("Từ ngày {} đến ngày {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y"))),
        body: vec![Block::Table(Table {
            headings: std::iter::once("STT").chain(REGISTER_HEADINGS).map(str::to_string).collect(),
            widths: std::iter::once(4).chain(REGISTER_WIDTHS).collect(),
            rows,
        })],
        signer_title: "NGƯỜI LẬP SỔ".into(),
        signer_name: None,
        digital: false,
        file_stem: format!("so-theo-doi-{}-{}", from.format("%Y%m%d"), to.format("%Y%m%d")),
        landscape: true,
    }
}

/// The result document of an approved dossier, laid out as the procedure's result is
/// ([`crate::result_kind`]): a decision with its legal bases and articles, a certificate with
/// the holder's data, or a notice of the outcome; dated when the leader approved it.
pub fn result(f: &Facts, signer_name: Option<&str>) -> Result<Paper, Missing> {
    // The leader's last decision is the one that stands.
    let decision =
        f.events.iter().rev().find(|e| matches!(e.kind, EventKind::Approved | EventKind::Denied { .. }));
    let approved = match decision {
        Some(e) if matches!(e.kind, EventKind::Approved) => e,
        Some(_) => return Err(Missing::NotApplicable("hồ sơ không được phê duyệt: không có kết quả để ký")),
        None => return Err(Missing::NotApplicable("hồ sơ chưa được lãnh đạo phê duyệt")),
    };
    let template = crate::result_kind::template(f.result);
    let (agency, place_date) = header(f, approved.at);
    // "đăng ký khai sinh", not "Thủ tục đăng ký khai sinh".
    let what = lower_first(f.procedure.strip_prefix("Thủ tục ").unwrap_or(f.procedure));
    let bases: Vec<String> = f.legal_basis.iter().filter_map(|b| citation(b)).collect();
    let authority = format!("ỦY BAN NHÂN DÂN {}", f.unit.to_uppercase());
    let holder = holder_fields(f);
    let mut body = Vec::new();
    let subject = match template.kind {
        ResultKind::Decision => {
            body.push(Block::Heading(authority));
            body.push(Block::Text(format!("Căn cứ {LOCAL_GOVERNMENT_LAW};")));
            body.extend(bases.iter().map(|b| Block::Text(format!("Căn cứ {b};"))));
            body.push(Block::Text(format!(
                "Xét hồ sơ mã {} của ông (bà) {} tiếp nhận ngày {} và đề nghị của công chức chuyên môn.",
                f.code,
                f.applicant,
                f.received.format("%d/%m/%Y")
            )));
            body.push(Block::Heading("QUYẾT ĐỊNH:".into()));
            let mut who = format!("ông (bà) {}", f.applicant);
            for (label, value) in &holder[1..] {
                who.push_str(&format!(", {}: {value}", lower_first(label)));
            }
            let about = template.about.as_deref().unwrap_or(&what);
            body.push(Block::Text(format!(
                "Điều 1. {} đối với {who} (hồ sơ mã {}).",
                upper_first(about),
                f.code
            )));
            body.push(Block::Text("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.".into()));
            body.push(Block::Text(format!(
                "Điều 3. Văn phòng Ủy ban nhân dân, các cơ quan, đơn vị có liên quan và ông (bà) {} chịu trách nhiệm thi hành Quyết định này.",
                f.applicant
            )));
            Some(format!("Về việc {about}"))
        }
        ResultKind::Certificate => {
            let item = template.item.as_deref().map_or_else(|| what.clone(), lower_first);
            body.push(Block::Text(format!("Ủy ban nhân dân {} cấp {item} cho:", f.unit)));
            body.extend(holder.iter().map(|(l, v)| Block::Field(l.to_string(), v.to_string())));
            body.push(Block::Field("Thủ tục".into(), f.procedure.to_string()));
            body.push(Block::Field("Mã hồ sơ".into(), f.code.to_string()));
            if !bases.is_empty() {
                body.push(Block::Field("Căn cứ".into(), bases.join("; ")));
            }
            body.push(Block::Field("Ngày cấp".into(), approved.at.format("%d/%m/%Y").to_string()));
            None
        }
        ResultKind::Notice => {
            body.push(Block::Text(format!(
                "Ủy ban nhân dân {} thông báo kết quả giải quyết hồ sơ của ông (bà) {} như sau:",
                f.unit, f.applicant
            )));
            body.push(Block::Field("Thủ tục".into(), f.procedure.to_string()));
            body.push(Block::Field("Mã hồ sơ".into(), f.code.to_string()));
            body.push(Block::Field("Ngày tiếp nhận".into(), f.received.format("%d/%m/%Y").to_string()));
            body.push(Block::Field(
                "Kết quả".into(),
                template.item.clone().unwrap_or_else(|| "hồ sơ đã được giải quyết".into()),
            ));
            body.push(Block::Field("Ngày phê duyệt".into(), approved.at.format("%d/%m/%Y").to_string()));
            Some("Về kết quả giải quyết thủ tục hành chính".into())
        }
    };
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
        title: template.title,
        subject,
        body,
        // A decision or certificate is issued in the committee's name; a notice by its chair.
        signer_title: if template.seal { "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" } else { "CHỦ TỊCH" }.into(),
        signer_name: signer_name.map(str::to_string),
        digital: true,
        file_stem: format!("{}-ket-qua", f.code),
        landscape: false,
    })
}

/// The law every decision of a People's Committee cites first since 1 July 2025.
const LOCAL_GOVERNMENT_LAW: &str = "Luật Tổ chức chính quyền địa phương số 72/2025/QH15";

/// The holder's lines: name, then the ID number and address where the dossier has them.
fn holder_fields<'a>(f: &Facts<'a>) -> Vec<(&'static str, &'a str)> {
    let mut lines = vec![("Họ và tên", f.applicant)];
    if let Some(id) = f.applicant_id.filter(|s| !s.trim().is_empty()) {
        lines.push(("Số định danh cá nhân", id));
    }
    if let Some(address) = f.applicant_address.filter(|s| !s.trim().is_empty()) {
        lines.push(("Nơi cư trú", address));
    }
    lines
}

/// A legal basis as a document cites it: the catalog's editorial remarks (after a dash, or
/// in brackets other than an amendment) left out; none if nothing is left.
fn citation(basis: &str) -> Option<String> {
    let mut text =
        basis.split(" – ").next().unwrap_or(basis).split(" - ").next().unwrap_or(basis).to_string();
    while let Some(open) = text.find(" (") {
        let close = text[open..].find(')').map_or(text.len(), |c| open + c + 1);
        if text[open + 2..].starts_with("sửa đổi") {
            break;
        }
        text.replace_range(open..close, "");
    }
    let text = text.trim().trim_end_matches(['.', ';']).to_string();
    (!text.is_empty()).then_some(text)
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Status;
    use chrono::NaiveDate;

    fn approved_at() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap().and_hms_opt(15, 0, 0).unwrap()
    }

    fn events() -> Vec<Event> {
        vec![Event {
            seq: 3,
            at: approved_at(),
            actor: "chutich".into(),
            from: Some(Status::Processing),
            to: Status::Resolved,
            kind: EventKind::Approved,
            note: None,
        }]
    }

    fn facts<'a>(result: Option<&'a str>, events: &'a [Event], bases: &'a [String]) -> Facts<'a> {
        Facts {
            code: "HC-2026-000123",
            applicant: "Nguyễn Thị Ánh Tuyết",
            received: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(9, 0, 0).unwrap(),
            due: None,
            events,
            unit: "Phường Hải Châu",
            procedure: "Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp xã",
            result,
            legal_basis: bases,
            applicant_id: Some("048190001234"),
            applicant_address: Some("12 Bạch Đằng, Phường Hải Châu, Thành phố Đà Nẵng"),
        }
    }

    fn text(p: &Paper) -> String {
        p.body
            .iter()
            .map(|b| match b {
                Block::Text(t) | Block::Item(t) | Block::Heading(t) => t.clone(),
                Block::Field(l, v) => format!("{l}: {v}"),
                Block::Table(t) => t.headings.join(" | "),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_decision_cites_its_bases_without_the_catalog_s_remarks_and_names_its_holder() {
        let events = events();
        let bases = vec![
            "Luật Đất đai 31/2024/QH15 (sửa đổi bởi Luật 43/2024/QH15)".to_string(),
            "Luật BHXH 41/2024/QH15 (Điều 70) – Cổng DVCQG vẫn trích dẫn Luật BHXH 58/2014/QH13".to_string(),
        ];
        let p = result(
            &facts(Some("Quyết định giải quyết tranh chấp đất đai"), &events, &bases),
            Some("Lê Văn Hùng"),
        )
        .unwrap();
        assert_eq!(p.title, "QUYẾT ĐỊNH");
        assert_eq!(p.subject.as_deref(), Some("Về việc giải quyết tranh chấp đất đai"));
        let body = text(&p);
        assert!(body.contains("Căn cứ Luật Đất đai 31/2024/QH15 (sửa đổi bởi Luật 43/2024/QH15);"), "{body}");
        assert!(body.contains("Căn cứ Luật BHXH 41/2024/QH15;"), "{body}");
        assert!(!body.contains("Cổng DVCQG") && !body.contains("Điều 70"), "{body}");
        assert!(
            body.contains("Điều 1. Giải quyết tranh chấp đất đai đối với ông (bà) Nguyễn Thị Ánh Tuyết"),
            "{body}"
        );
        assert!(body.contains("số định danh cá nhân: 048190001234"), "{body}");
        assert!(body.contains("QUYẾT ĐỊNH:") && body.contains("Điều 3."), "{body}");
        assert!(p.signer_title.starts_with("TM. ỦY BAN NHÂN DÂN"));
    }

    #[test]
    fn a_certificate_and_a_notice_have_their_own_layouts() {
        let events = events();
        let p =
            result(&facts(Some("Phiếu từ chối; Giấy chứng nhận đăng ký hộ kinh doanh"), &events, &[]), None)
                .unwrap();
        assert_eq!(p.title, "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH");
        assert_eq!(p.subject, None);
        assert!(text(&p).contains("Ngày cấp: 04/12/2026"));
        assert!(text(&p).contains("Nơi cư trú: 12 Bạch Đằng"));
        let p = result(&facts(Some("Cập nhật thông tin trong Cơ sở dữ liệu về cư trú"), &events, &[]), None)
            .unwrap();
        assert_eq!(p.title, "THÔNG BÁO");
        assert!(text(&p).contains("Kết quả: Cập nhật thông tin trong Cơ sở dữ liệu về cư trú"));
        assert_eq!(p.signer_title, "CHỦ TỊCH", "a notice bears no seal");
    }
}
