//! What the national public service portal publishes about a procedure, read into the
//! catalog's own terms: the detail pages as collected from dichvucong.gov.vn (their tables
//! flattened into runs of text) and the ministries' structured "ChiTietTTHC" exports.
//!
//! Every fact keeps the text it was read from. What cannot be read with certainty is kept as
//! published and marked doubtful, never completed by a guess: a channel whose time has no
//! unit, an amount that cannot be a fee, documents whose count is missing.

mod body;
mod merge;
mod offer_list;
mod tables;
mod terms;

pub use merge::{changed_fields, merge};
pub use offer_list::{offered_line, Offered};

pub use tables::{documents, legal, level_summary, levels, offers, Document, LegalDoc, Offer};
pub use terms::{limit, Amount, Fee, Limit, Unit};

use crate::catalog::Level;
use serde::Serialize;
use serde_json::{Map, Value};
use tables::{channel_of, legal_number, FORM_FILES};
use terms::{fee, strip_ci};

/// What a file given to `haicap catalog import` holds, told by its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// haicap's own catalog (one JSON document with `procedures`).
    Catalog,
    /// The portal's detail pages, one JSON object per line.
    Portal,
    /// A ministry's structured export, one JSON object per line.
    Structured,
    /// A commune's list of the procedures it offers, one per line.
    OfferList,
}

impl Format {
    /// Recognises a file by its first JSON value's fields, not by its name.
    pub fn detect(text: &str) -> Option<Format> {
        let first = text.trim_start();
        if first.starts_with('{') {
            let line = first.lines().next().unwrap_or_default();
            if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(line) {
                if o.contains_key("ma_thu_tuc") && o.contains_key("cach_thuc_thuc_hien") {
                    return Some(Format::Portal);
                }
                if o.contains_key("ma_thu_tuc") && o.contains_key("tables") {
                    return Some(Format::Structured);
                }
                if o.contains_key("procedures") {
                    return Some(Format::Catalog);
                }
                if o.contains_key("ten_thu_tuc") || o.contains_key("name") {
                    return Some(Format::OfferList);
                }
                return None;
            }
            // A catalog written over several lines.
            return Some(Format::Catalog);
        }
        None
    }
}

/// One procedure as the record has it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    pub code: String,
    pub name: String,
    pub decision: Option<String>,
    /// Every level the record names (Cấp bộ, Cấp tỉnh, Cấp xã, Cơ quan khác).
    pub levels: Vec<Level>,
    pub field: Option<String>,
    pub authority: Option<String>,
    pub agency: Option<String>,
    pub result: Option<String>,
    pub offers: Vec<Offer>,
    pub documents: Vec<Document>,
    pub legal: Vec<LegalDoc>,
    pub conditions: Option<String>,
    /// The portal page, only when it names a procedure (never ".../0").
    pub url: Option<String>,
    /// The collector's citation of where the record comes from.
    pub source: String,
    /// The fields read with doubt, with why.
    pub doubts: Vec<(String, String)>,
}

/// Why a line of a national file was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError(pub String);

/// At most `n` characters of `s`, for messages.
pub(super) fn cut(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

/// Text the page shows where nothing is filled in.
pub(super) fn filled(s: &str) -> Option<String> {
    let t = s.trim();
    let empty = t.is_empty()
        || t.chars().all(|c| c == '-' || c == '.' || c.is_whitespace())
        || ["không có thông tin", "không", "không có", "không quy định"].contains(&t.to_lowercase().as_str());
    (!empty).then(|| t.to_string())
}

/// A portal link that names a procedure.
fn portal_link(url: &str) -> Option<String> {
    Some(url.trim()).filter(|u| crate::plain::is_portal_page(u)).map(str::to_string)
}

pub(super) fn text_of(o: &Map<String, Value>, key: &str) -> String {
    o.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// A name or a field's value on one line: the pages break some names across lines.
pub(super) fn one_line(s: Option<String>) -> Option<String> {
    s.map(|s| crate::plain::one_line(&s))
}

pub(super) fn required(o: &Map<String, Value>, key: &str) -> Result<String, RecordError> {
    one_line(filled(&text_of(o, key))).ok_or_else(|| RecordError(format!("thiếu \"{key}\"")))
}

/// A line read as JSON, its text composed (NFC): some pages write Vietnamese with combining
/// marks ("Hô\u{300} sơ"), which would match nothing written otherwise.
pub(super) fn json_line(line: &str) -> Result<Value, RecordError> {
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    let composed;
    let line = if is_nfc_quick(line.chars()) == IsNormalized::Yes {
        line
    } else {
        composed = line.nfc().collect::<String>();
        &composed
    };
    serde_json::from_str(line).map_err(|e| RecordError(format!("không phải JSON: {e}")))
}

/// One line of the portal's detail pages (`portal_2026.jsonl`).
pub fn portal_record(line: &str) -> Result<Record, RecordError> {
    let v = json_line(line)?;
    let o = v.as_object().ok_or_else(|| RecordError("không phải một đối tượng JSON".into()))?;
    let mut doubts = vec![];
    let offers = offers(&text_of(o, "cach_thuc_thuc_hien"), &mut doubts);
    let documents = documents(&text_of(o, "thanh_phan_ho_so"), &mut doubts);
    let url_text = text_of(o, "detail_url");
    let url = portal_link(&url_text);
    if url.is_none() && !url_text.is_empty() {
        doubts.push((
            "portal_url".into(),
            format!("liên kết \"{}\" không trỏ tới một thủ tục", cut(&url_text, 80)),
        ));
    }
    let levels = levels(&text_of(o, "cap_thuc_hien"));
    Ok(Record {
        code: required(o, "ma_thu_tuc")?,
        name: required(o, "ten_thu_tuc")?,
        decision: filled(&text_of(o, "so_quyet_dinh")),
        levels,
        field: one_line(filled(&text_of(o, "linh_vuc"))),
        authority: filled(&text_of(o, "co_quan_co_tham_quyen")),
        agency: filled(&text_of(o, "co_quan_thuc_hien")),
        result: filled(&result_name(&text_of(o, "ket_qua_xu_ly"))),
        offers,
        documents,
        legal: legal(&text_of(o, "can_cu_phap_ly")),
        conditions: conditions(&text_of(o, "yeu_cau_dieu_kien")),
        url,
        source: text_of(o, "source"),
        doubts,
    })
}

/// "Xác nhận thông quanMã: KQ.G12.000327Từ khóa…" → "Xác nhận thông quan": the result's name
/// without the flattened table's other cells.
fn result_name(s: &str) -> String {
    let s = without_page_tail(s);
    let cut_at = ["Mã: ", "Mô tả"].iter().filter_map(|w| s.find(w)).min().unwrap_or(s.len());
    s[..cut_at].trim().to_string()
}

/// What a record states as conditions: nothing for "Không có thông tin", and never the page's
/// own cells run into it. Also applied where a stored record is read, so that conditions
/// imported before this was known read the same.
pub fn conditions(s: &str) -> Option<String> {
    filled(without_page_tail(s))
}

/// A record's last field without the page's own cells the collector ran into it: its keywords
/// ("Từ khóa…") and its submission form ("Chọn cơ quan thực hiện…"). "Không có thông tinTừ
/// khóaKhông có thông tinMô tả…" is a record without conditions, not conditions to quote.
fn without_page_tail(s: &str) -> &str {
    let cut_at = ["Từ khóa", "Chọn cơ quan thực hiện"].iter().filter_map(|w| s.find(w)).min();
    &s[..cut_at.unwrap_or(s.len())]
}

/// One line of a ministry's structured export (`defence_structured_2025.jsonl`).
pub fn structured_record(line: &str) -> Result<Record, RecordError> {
    let v = json_line(line)?;
    let o = v.as_object().ok_or_else(|| RecordError("không phải một đối tượng JSON".into()))?;
    let empty = Map::new();
    let content = o.get("content").and_then(Value::as_object).unwrap_or(&empty);
    let tables = o.get("tables").and_then(Value::as_object).unwrap_or(&empty);
    let rows = |k: &str| tables.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    let mut doubts = vec![];
    let mut offers: Vec<Offer> = vec![];
    for row in rows("hinh_thuc_nop") {
        let Some(r) = row.as_object() else { continue };
        let Some(channel) = channel_of(&text_of(r, "hinh_thuc")) else {
            doubts
                .push(("channels".into(), format!("hình thức nộp \"{}\" không rõ", text_of(r, "hinh_thuc"))));
            continue;
        };
        let time = text_of(r, "thoi_han_giai_quyet");
        let lim = limit(&time).map(|(l, _)| l);
        match &lim {
            Some(Limit { unit: None, value, .. }) => doubts.push((
                "processing_time".into(),
                format!("{}: thời hạn \"{value}\" không ghi đơn vị", channel.label()),
            )),
            None => {
                doubts.push(("processing_time".into(), format!("{}: không ghi thời hạn", channel.label())))
            }
            _ => {}
        }
        let (fee, _) = fee(&text_of(r, "phi_le_phi"));
        if offers.iter().any(|o| o.channel == channel) {
            continue;
        }
        offers.push(Offer { channel, limit: lim, fee });
    }
    offers.sort_by_key(|o| o.channel.portal_code());
    let mut documents = vec![];
    for row in rows("thanh_phan_ho_so") {
        let Some(r) = row.as_object() else { continue };
        let Some(name) = filled(&text_of(r, "ten_giay_to")) else { continue };
        // "Bản chính: 1\nBản sao: 0".
        let note = text_of(r, "ghi_chu");
        let count = |label: &str| {
            note.lines()
                .find_map(|l| {
                    strip_ci(l.trim(), label).map(|r| r.trim_start_matches([':', ' ']).trim().to_string())
                })
                .and_then(|n| n.parse::<u32>().ok())
        };
        let (originals, copies) = (count("Bản chính"), count("Bản sao"));
        if originals.is_none() && copies.is_none() {
            doubts.push((
                "required_documents".into(),
                format!("giấy tờ không ghi số lượng: \"{}\"", cut(&name, 60)),
            ));
        }
        let form = filled(&text_of(r, "so_luong"))
            .filter(|f| FORM_FILES.iter().any(|x| f.to_lowercase().ends_with(x)));
        documents.push(Document {
            case: None,
            name,
            form,
            originals: originals.unwrap_or(0),
            copies: copies.unwrap_or(0),
        });
    }
    let mut legal = vec![];
    for row in rows("can_cu_phap_ly") {
        let Some(r) = row.as_object() else { continue };
        let title = text_of(r, "trich_yeu");
        let number = title
            .char_indices()
            .filter(|(i, c)| {
                c.is_ascii_digit()
                    && (*i == 0 || !title[..*i].ends_with(|c: char| c.is_ascii_digit() || c == '.'))
            })
            .find_map(|(i, _)| legal_number(&title[i..]).map(|n| title[i..i + n].to_string()))
            .unwrap_or_else(|| text_of(r, "so_ky_hieu"));
        if let Some(title) = one_line(filled(&title)) {
            legal.push(LegalDoc { number, title });
        }
    }
    Ok(Record {
        code: required(o, "ma_thu_tuc")?,
        name: required(o, "ten_thu_tuc")?,
        decision: filled(&text_of(o, "so_quyet_dinh")),
        levels: levels(&text_of(o, "cap_thuc_hien")),
        field: one_line(filled(&text_of(o, "linh_vuc"))),
        authority: filled(&text_of(content, "cơ_quan_có_thẩm_quyền")),
        agency: filled(&text_of(content, "cơ_quan_thực_hiện")),
        result: filled(&text_of(content, "kết_quả_thực_hiện")),
        offers,
        documents,
        legal,
        conditions: filled(&text_of(content, "yêu_cầu_điều_kiện_thực_hiện")),
        url: None,
        source: text_of(o, "source"),
        doubts,
    })
}

impl Format {
    /// The source a format's records come from, as their provenance begins (a fresher copy
    /// of the same source replaces what an older one said: see [`merge`]).
    pub fn origin(self) -> &'static str {
        match self {
            Format::Portal => crate::catalog::PORTAL,
            Format::Structured => "Bản xuất chi tiết thủ tục hành chính của bộ",
            Format::Catalog | Format::OfferList => "",
        }
    }
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// "Cổng Dịch vụ công quốc gia, cập nhật 07/2026": the origin and the latest month the
/// records' citations name ("crawled from dichvucong.gov.vn, Jun-Jul 2026").
pub fn origin_label<'a>(format: Format, sources: impl IntoIterator<Item = &'a str>) -> String {
    let mut latest: Option<(u32, u32)> = None;
    for source in sources {
        let words: Vec<&str> =
            source.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        for (k, w) in words.iter().enumerate() {
            let Some(year) = w.parse::<u32>().ok().filter(|y| (2000..2100).contains(y)) else { continue };
            let month = words[..k]
                .iter()
                .rev()
                .take(3)
                .find_map(|m| MONTHS.iter().position(|x| x == m))
                .map(|i| i as u32 + 1);
            if let Some(month) = month {
                latest = latest.max(Some((year, month)));
            }
        }
    }
    match latest {
        Some((y, m)) => format!("{}, cập nhật {m:02}/{y}", format.origin()),
        None => format.origin().to_string(),
    }
}
