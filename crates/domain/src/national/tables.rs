//! The portal's tables as its pages were collected: each table flattened into one run of
//! text (headers and cells glued together). Each reader finds the cells again by what they
//! hold: a channel's name before a time or a fee, a count ("1 bản chính") after a document, a
//! document number after a title.

use super::terms::{confirm_thousands, fee, limit, money, nothing, number, strip_ci, Fee, Limit};
use super::{cut, filled};
use crate::catalog::Level;
use crate::status::Channel;
use serde::Serialize;

/// How one channel is offered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Offer {
    pub channel: Channel,
    pub limit: Option<Limit>,
    pub fee: Fee,
}

/// A document to file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Document {
    /// The case it belongs to, where the page lists documents per case.
    pub case: Option<String>,
    pub name: String,
    /// The form's file, where one is attached.
    pub form: Option<String>,
    pub originals: u32,
    pub copies: u32,
}

/// A legal document the procedure rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LegalDoc {
    /// "54/2014/QH13".
    pub number: String,
    pub title: String,
}

const CHANNEL_WORDS: [(&str, Channel); 3] =
    [("Trực tuyến", Channel::Online), ("Trực tiếp", Channel::Direct), ("Dịch vụ bưu chính", Channel::Postal)];

pub(super) fn channel_of(s: &str) -> Option<Channel> {
    let t = s.trim().to_lowercase();
    CHANNEL_WORDS.iter().find(|(w, _)| t == w.to_lowercase()).map(|(_, c)| *c)
}

/// Whether `s` (what follows a channel's name) starts a channel's row of the flattened table:
/// a time, a fee or the words for nothing. Otherwise the name is a word of a description.
fn starts_row(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with(|c: char| c.is_ascii_digit())
        || [
            "Không",
            "Miễn phí",
            "VNĐ",
            "Việt Nam Đồng",
            "Phí",
            "Lệ phí",
            "Trong ngày",
            "Từ ",
            "Không quá",
            "Tối đa",
        ]
        .iter()
        .any(|w| strip_ci(t, w).is_some())
}

const OFFERS_HEADER: &str = "Hình thức nộpThời gianPhí, lệ phíMô tả";

/// The portal's "Cách thức thực hiện" as flattened: `Hình thức nộpThời gianPhí, lệ phíMô tả`
/// then, per channel, its name, time, fee and description run together.
pub fn offers(text: &str, doubts: &mut Vec<(String, String)>) -> Vec<Offer> {
    let body = text.trim();
    let body = body.strip_prefix(OFFERS_HEADER).unwrap_or(body);
    // Where each channel's row starts.
    let mut starts: Vec<(usize, usize, Channel)> = vec![];
    let mut i = 0;
    while i < body.len() {
        let here = &body[i..];
        let found = CHANNEL_WORDS.iter().find_map(|(w, c)| here.starts_with(w).then_some((w.len(), *c)));
        match found {
            Some((len, c)) if starts_row(&here[len..]) => {
                starts.push((i, i + len, c));
                i += len;
            }
            _ => i += here.chars().next().map_or(1, char::len_utf8),
        }
    }
    if starts.is_empty() {
        if !body.is_empty() {
            doubts.push(("channels".into(), format!("không đọc được hình thức nộp: \"{}\"", cut(body, 80))));
        }
        return vec![];
    }
    if starts[0].0 > 0 {
        doubts.push((
            "channels".into(),
            format!("chữ trước hình thức nộp đầu tiên: \"{}\"", cut(&body[..starts[0].0], 80)),
        ));
    }
    let mut out: Vec<Offer> = vec![];
    for (k, &(_, after_name, channel)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(body.len(), |s| s.0);
        let row = &body[after_name..end];
        let (lim, rest) = match limit(row) {
            Some((l, rest)) => (Some(l), rest),
            None => {
                (None, nothing(row).filter(|r| money(r.trim_start()).is_some() || fee_word(r)).unwrap_or(row))
            }
        };
        let (mut fee, description) = fee(rest);
        // A fee the table leaves empty may be said in the channel's description ("mức thu phí
        // do Hội đồng nhân dân tỉnh quyết định"); "theo quy định" alone there is about the
        // time, not the fee.
        let d = description.to_lowercase();
        if fee.unstated() && d.contains("phí") && (d.contains("hội đồng nhân dân") || d.contains("hđnd"))
        {
            fee.set_elsewhere = true;
        }
        let mut lim = lim;
        confirm_thousands(&mut lim, &mut fee);
        let name = channel.label();
        match &lim {
            Some(Limit { unit: None, value, .. }) => doubts
                .push(("processing_time".into(), format!("{name}: thời hạn \"{value}\" không ghi đơn vị"))),
            None => doubts.push(("processing_time".into(), format!("{name}: không ghi thời hạn"))),
            _ => {}
        }
        if fee.amounts.iter().any(|a| a.currency == "VND" && a.value > 0 && a.value < 1_000) {
            doubts.push(("fee".into(), format!("{name}: số tiền \"{}\" bất thường", fee.text)));
        }
        if let Some(same) = out.iter_mut().find(|o| o.channel == channel) {
            // The same channel twice (a row per case): the longer limit holds for the channel.
            if lim.as_ref().map(|l| l.value) > same.limit.as_ref().map(|l| l.value) {
                same.limit = lim;
            }
            continue;
        }
        out.push(Offer { channel, limit: lim, fee });
    }
    out.sort_by_key(|o| o.channel.portal_code());
    out
}

fn fee_word(s: &str) -> bool {
    let t = s.trim_start();
    ["Miễn phí", "Phí", "Lệ phí", "VNĐ"].iter().any(|w| strip_ci(t, w).is_some())
}

const DOCUMENTS_HEADER: &str = "Tên giấy tờMẫu đơn, tờ khaiSố lượng";

/// Extensions of attached forms.
pub(super) const FORM_FILES: [&str; 6] = [".docx", ".doc", ".pdf", ".xlsx", ".xls", ".rtf"];

/// "1 bản chính", "0 bản chính,1 bản sao", "02 bản sao": the counts at the start of `s`.
fn copies(s: &str) -> Option<(u32, u32, &str)> {
    let mut rest = s;
    let (mut originals, mut copies, mut any) = (0, 0, false);
    loop {
        let t = rest.trim_start_matches([',', ' ', ';']);
        let Some((n, after)) = number(t) else { break };
        let after = after.trim_start();
        if let Some(a) = strip_ci(after, "bản chính") {
            originals += n as u32;
            rest = a;
        } else if let Some(a) = strip_ci(after, "bản sao") {
            copies += n as u32;
            rest = a;
        } else {
            break;
        }
        any = true;
    }
    any.then_some((originals, copies, rest))
}

/// Where in `s` a count ("N bản chính|sao") starts, the first one.
fn next_count(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = s[from..].find(" bản ") {
        let pos = from + at;
        let before = &s[..pos];
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        // The count's cell is glued to the name before it; "nộp 02 bản chính tờ khai" with a
        // space before it is the name's own words.
        let glued = !before[..pos - digits].ends_with(char::is_whitespace);
        if digits > 0 && glued && copies(&s[pos - digits..]).is_some() {
            return Some(pos - digits);
        }
        from = pos + 1;
    }
    None
}

/// The words a form's file name may open with ("Mẫu số 04.docx"), found glued to the end of
/// the document's name when the page's cells ran together ("…NĐ-CP.Mẫu số 04.docx",
/// "…TT-BNNMTMẫu số 03.docx", "…NĐ-CPMau 04.docx").
const FORM_LABELS: [&str; 4] = ["Mẫu số", "Mẫu", "Mau so", "Mau"];

/// A document's name and its form's file, split where the file's name starts.
fn name_and_form(entry: &str) -> (String, Option<String>) {
    let e = entry.trim();
    let lower = e.to_lowercase();
    if let Some(ext) = FORM_FILES.iter().find(|x| lower.ends_with(*x)) {
        let stem = &e[..e.len() - ext.len()];
        // The file's name is the last run without spaces or a list's punctuation (a copy's
        // number " (1)" kept with it)…
        let bare = stem.strip_suffix(|c: char| c == ')').and_then(|s| {
            let open = s.rfind(" (")?;
            s[open + 2..].chars().all(|c| c.is_ascii_digit()).then_some(open)
        });
        let run_end = bare.unwrap_or(stem.len());
        let mut start =
            stem[..run_end].rfind(|c: char| c.is_whitespace() || c == ';' || c == ':').map_or(0, |i| i + 1);
        // …and where it is glued to the name's last word (a Vietnamese word: a letter with a
        // mark), it starts at the first capital or digit after a small letter ("nuôi1.nxin….doc",
        // "y tếMau01-ĐN(BHYT).doc"); "Mau02-DS.doc" is a file's name from its start.
        let run = &stem[start..run_end];
        let mut prev: Option<char> = None;
        for (k, c) in run.char_indices() {
            if prev.is_some_and(char::is_lowercase) && (c.is_uppercase() || c.is_ascii_digit()) {
                if !run[..k].is_ascii() {
                    start += k;
                }
                break;
            }
            prev = Some(c);
        }
        let head = e[..start].trim_end();
        let glued = FORM_LABELS.iter().find_map(|label| {
            let at = head.strip_suffix(label)?.len();
            head[..at].ends_with(|c: char| !c.is_whitespace()).then_some(at)
        });
        if let Some(at) = glued {
            start = at;
        }
        let name = e[..start].trim().trim_end_matches([';', ',']).trim_end();
        // The name's closing full stop, before a label glued to it, is the cell's end.
        let name = if glued.is_some() { name.trim_end_matches('.') } else { name };
        if !name.is_empty() {
            return (name.to_string(), Some(e[start..].to_string()));
        }
        return (e.to_string(), None);
    }
    (e.to_string(), None)
}

/// The portal's "Thành phần hồ sơ" as flattened: per case a title, the header, then each
/// document's name, form and count run together.
pub fn documents(text: &str, doubts: &mut Vec<(String, String)>) -> Vec<Document> {
    let mut out = vec![];
    let parts: Vec<&str> = text.split(DOCUMENTS_HEADER).collect();
    if parts.len() < 2 {
        if let Some(t) = filled(text) {
            doubts.push(("required_documents".into(), "danh sách giấy tờ không theo bảng của Cổng".into()));
            out.push(Document { case: None, name: t, form: None, originals: 0, copies: 0 });
        }
        return out;
    }
    let mut case = filled(parts[0].trim().trim_end_matches(':'));
    for (k, part) in parts.iter().enumerate().skip(1) {
        let mut rest = *part;
        let last = k + 1 == parts.len();
        while let Some(at) = next_count(rest) {
            let (name, form) = name_and_form(&rest[..at]);
            let Some((originals, copies, after)) = copies(&rest[at..]) else { break };
            if !name.is_empty() {
                out.push(Document { case: case.clone(), name, form, originals, copies });
            }
            rest = after;
        }
        let tail = rest.trim();
        if last {
            if let Some(t) = filled(tail) {
                doubts.push((
                    "required_documents".into(),
                    format!("giấy tờ không ghi số lượng: \"{}\"", cut(&t, 60)),
                ));
                let (name, form) = name_and_form(&t);
                out.push(Document { case: case.clone(), name, form, originals: 0, copies: 0 });
            }
        } else {
            // What follows the last count is the next case's title.
            case = filled(tail.trim_end_matches(':'));
        }
    }
    out
}

const LEGAL_HEADER: &str = "Tên văn bản pháp lýMã văn bản";

/// A document number at the start of `s`: "54/2014/QH13", "08/2015/NĐ-CP", "66.16/2026/NQ-CP",
/// "87/2025/TT-BNNMT"; and its length. The digits after the issuer only for the National
/// Assembly's numbering ("QH13", "UBTVQH15").
pub(super) fn legal_number(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i].is_ascii_digit() || (b[i] == b'.' && i > 0)) {
        i += 1;
    }
    if i == 0 || b.get(i) != Some(&b'/') {
        return None;
    }
    let year = &s[i + 1..];
    if year.len() < 5 || !year.as_bytes()[..4].iter().all(u8::is_ascii_digit) || year.as_bytes()[4] != b'/' {
        return None;
    }
    let issuer_start = i + 6;
    let mut issuer: String =
        s[issuer_start..].chars().take_while(|c| c.is_uppercase() || *c == '-').collect();
    let after = &s[issuer_start + issuer.len()..];
    if issuer.ends_with("TT") && after.starts_with('g') {
        // The Prime Minister's "QĐ-TTg".
        issuer.push('g');
    } else if after.starts_with(char::is_lowercase) {
        // "TT-BTCLuật": the capital before a small letter starts the next title's first
        // word, unless taking it would leave a one-letter issuer ("NĐ-CPhướng dẫn").
        let last_part = issuer.rsplit('-').next().map_or(0, |p| p.chars().count());
        if last_part > 2 {
            issuer.pop();
        }
    }
    let issuer = issuer.trim_end_matches('-');
    if issuer.is_empty() {
        return None;
    }
    let mut end = issuer_start + issuer.len();
    if issuer.ends_with("QH") {
        let d = s[end..].bytes().take(2).take_while(u8::is_ascii_digit).count();
        end += d;
    }
    Some(end)
}

/// Whether a number read is a title's closing year run into the number column: "202443/2024/QH15"
/// is "2024" and "43/2024/QH15", "202076/2025/QH15" is "(Luật Doanh nghiệp) 2020" and
/// "76/2025/QH15". A serial numbered within its year does not run to five digits, and one
/// that begins like a year (19…, 20…) then does is a year and a serial.
fn glued_year(number: &str) -> bool {
    let Some((serial, _)) = number.split_once('/') else { return false };
    serial.len() > 4
        && serial.bytes().all(|b| b.is_ascii_digit())
        && (serial.starts_with("19") || serial.starts_with("20"))
        && legal_number(&number[4..]) == Some(number.len() - 4)
}

/// The portal's "Căn cứ pháp lý" as flattened: per document its title, then its number
/// (the table's second column) run together.
pub fn legal(text: &str) -> Vec<LegalDoc> {
    let body = text.trim();
    let body = body.strip_prefix(LEGAL_HEADER).unwrap_or(body);
    let mut out: Vec<LegalDoc> = vec![];
    let mut title_start = 0;
    let mut i = 0;
    while i < body.len() {
        if !body.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let starts_number = body[i..].starts_with(|c: char| c.is_ascii_digit())
            && !body[..i].ends_with(|c: char| c.is_ascii_digit() || c == '.');
        if let Some(mut len) = starts_number.then(|| legal_number(&body[i..])).flatten() {
            // "…ngày 29/6/2024" then the number column "43/2024/QH15", run together: the year
            // is the title's.
            if glued_year(&body[i..i + len]) {
                i += 4;
                len -= 4;
            }
            let mut end = i + len;
            let number = &body[i..end];
            // A title ending with its number, then the number column repeating it.
            if body[end..].starts_with(number) {
                out.push(LegalDoc {
                    number: number.to_string(),
                    title: body[title_start..end].trim().to_string(),
                });
                end += len;
                title_start = end;
                i = end;
                continue;
            }
            let next = &body[end..];
            // The table's number column: glued to what follows (the next title) or the end.
            let column =
                next.is_empty() || !next.starts_with(|c: char| c.is_whitespace() || ",;.)".contains(c));
            if column {
                let number = body[i..end].to_string();
                let title = body[title_start..i].trim().to_string();
                match out.last_mut() {
                    // A title that is the number itself, then the number column again.
                    Some(prev) if title.is_empty() && prev.number == number => {}
                    _ => out.push(LegalDoc {
                        title: if title.is_empty() { number.clone() } else { title },
                        number,
                    }),
                }
                title_start = end;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    if let Some(t) = filled(&body[title_start..]) {
        out.push(LegalDoc { number: String::new(), title: t });
    }
    // A title on one line (the pages break long titles where their cell wrapped), without
    // the separator that ran into the number column ("Luật Đất đai ngày 18/01/2024;").
    for l in &mut out {
        l.title = crate::plain::one_line(&l.title).trim_end_matches([';', ',']).to_string();
        // The type column ("Luật số", "Thông tư") of the number cell, glued to the title's
        // last word ("…môi trườngLuật số" + "146/2025/QH15"): it is the number's, not the title's.
        let glued = LEGAL_KINDS.iter().find_map(|kind| {
            let at = l.title.strip_suffix(kind)?.len();
            l.title[..at].ends_with(char::is_lowercase).then_some(at)
        });
        if let Some(at) = glued {
            l.title.truncate(at);
        }
    }
    out
}

/// The kinds of legal document the number column may open with, longest first.
const LEGAL_KINDS: [&str; 12] = [
    "Thông tư liên tịch số",
    "Thông tư liên tịch",
    "Thông tư số",
    "Thông tư",
    "Nghị định số",
    "Nghị định",
    "Nghị quyết số",
    "Nghị quyết",
    "Quyết định số",
    "Quyết định",
    "Luật số",
    "Luật",
];

/// "Cấp bộ, Cấp tỉnh" → the levels it names.
pub fn levels(text: &str) -> Vec<Level> {
    let mut out = vec![];
    for part in text.split(',') {
        let part = part.trim().to_lowercase();
        // The portal's words are the levels' own labels.
        let found = [Level::Ministry, Level::Province, Level::Commune, Level::OtherAgency]
            .into_iter()
            .find(|l| l.label().to_lowercase() == part);
        let Some(l) = found else { continue };
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// The one level that sums up several, as the catalog's `competent_level` has it.
pub fn level_summary(levels: &[Level]) -> Level {
    match levels {
        [one] => *one,
        [] => Level::Unverified,
        _ if levels.len() == 2 && levels.contains(&Level::Commune) && levels.contains(&Level::Province) => {
            Level::CommuneAndProvince
        }
        _ => Level::MultiLevel,
    }
}
