//! A procedure's facts as a citizen reads them: the time limit and the fee per channel in plain
//! words, without the notes the catalog's compilers left for each other ("Cổng DVCQG ghi '1'",
//! "đơn vị không hiển thị trong bản crawl"), the portal's page only when it names the
//! procedure, and where the facts come from.

use crate::catalog::Procedure;
use crate::status::Channel;
use calendar::TimeLimit;

/// Marks of a compiler's note: where a fact was read and what the copy lacked, for those
/// who check the catalog, not for a citizen.
const NOTE_MARKS: [&str; 9] = [
    "DVCQG",
    "crawl",
    "hiển thị",
    "theo hiểu biết",
    "cần kiểm tra",
    "không nhất quán",
    "bản ghi",
    "S1",
    "Cổng Dịch vụ công quốc gia ghi",
];

fn is_note(s: &str) -> bool {
    NOTE_MARKS.iter().any(|m| s.contains(m))
}

/// `text` without compilers' notes: a parenthesis that is one is dropped, and so is a clause
/// (between `;` or `.`) that is one.
pub fn without_notes(text: &str) -> String {
    // Parentheses first, innermost out.
    let mut s = text.to_string();
    loop {
        let mut changed = false;
        let mut start = None;
        for (i, c) in s.char_indices() {
            match c {
                '(' => start = Some(i),
                ')' => {
                    if let Some(open) = start.take() {
                        if is_note(&s[open..i]) {
                            let end = i + 1;
                            let cut_from = if s[..open].ends_with(' ') { open - 1 } else { open };
                            s.replace_range(cut_from..end, "");
                            changed = true;
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        if !changed {
            break;
        }
    }
    let joined: String = clauses(&s).into_iter().filter(|c| !is_note(c)).collect();
    joined.trim().trim_end_matches([';', ',']).trim().to_string()
}

/// `text` cut after each `;` or `.`, except a dot between digits ("50.000 đ", "TT 85.2019"):
/// a clause ends where a sentence could.
fn clauses(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = vec![];
    let mut from = 0;
    for (i, c) in text.char_indices() {
        let in_number =
            c == '.' && i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if (c == ';' || c == '.') && !in_number {
            out.push(&text[from..=i]);
            from = i + 1;
        }
    }
    if from < text.len() {
        out.push(&text[from..]);
    }
    out
}

/// `s` on one line, its runs of white space one space.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `max` characters of `s`, up to its last whole word.
fn up_to_word(s: &str, max: usize) -> String {
    let cut: String = s.chars().take(max).collect();
    cut.rsplit_once(' ').map_or(cut.clone(), |(a, _)| a.to_string())
}

/// `s` when it has at most `max` characters; otherwise its whole clauses that fit (or, when
/// even the first does not, its first words), with " …" saying that more follows.
fn shortened(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.trim().to_string();
    }
    let mut kept = String::new();
    for c in clauses(s) {
        if kept.chars().count() + c.chars().count() > max {
            break;
        }
        kept.push_str(c);
    }
    if kept.trim().is_empty() {
        kept = up_to_word(s, max);
    }
    format!("{} …", kept.trim().trim_end_matches([';', ',']))
}

/// `s` and the parenthesis closing it ("… (1 bản chính)", "… (85/2019/TT-BTC)"), if it ends
/// with one.
fn closing_parenthesis(s: &str) -> Option<(&str, &str)> {
    let at = s.rfind(" (")?;
    s.ends_with(')').then(|| (&s[..at], &s[at..]))
}

/// A channel's name in a sentence.
fn channel_words(c: Channel) -> &'static str {
    match c {
        Channel::Direct => "nộp trực tiếp",
        Channel::Online => "nộp trực tuyến",
        Channel::Postal => "nộp qua bưu chính",
    }
}

/// One channel's time limit in words, or why it cannot be said.
fn limit_words(p: &Procedure, c: Channel) -> Option<String> {
    let t = p.channel_terms.iter().find(|t| t.channel == c)?;
    Some(match t.terms {
        Some(terms) => match (terms.limit, terms.cutoff) {
            (TimeLimit::SameDay, Some(cut)) => format!(
                "trong ngày (hồ sơ nhận sau {} giờ thì trả trong ngày làm việc tiếp theo)",
                cut.format("%-H")
            ),
            (limit, _) => limit.to_string(),
        },
        None => "chưa rõ (nơi công bố không ghi rõ đơn vị thời gian; đề nghị hỏi cán bộ một cửa)".into(),
    })
}

/// Per channel when they differ, once when they agree: "5 ngày làm việc", "nộp trực tiếp: 5
/// ngày làm việc; nộp trực tuyến: 3 ngày làm việc".
fn per_channel(items: Vec<(Channel, String)>) -> Option<String> {
    let first = items.first()?.1.clone();
    if items.iter().all(|(_, v)| *v == first) {
        return Some(first);
    }
    Some(items.iter().map(|(c, v)| format!("{}: {v}", channel_words(*c))).collect::<Vec<_>>().join("; "))
}

/// The time limit as a citizen should read it.
pub fn time_text(p: &Procedure) -> String {
    let items: Vec<(Channel, String)> = [Channel::Direct, Channel::Online, Channel::Postal]
        .into_iter()
        .filter_map(|c| limit_words(p, c).map(|w| (c, w)))
        .collect();
    per_channel(items).unwrap_or_else(|| {
        let s = without_notes(&p.time_summary);
        if s.is_empty() {
            "chưa có thông tin".into()
        } else {
            s
        }
    })
}

/// The fee as a citizen should read it.
pub fn fee_text(p: &Procedure) -> String {
    let items: Vec<(Channel, String)> = p.fees.iter().map(|f| (f.channel, f.summary.clone())).collect();
    per_channel(items).unwrap_or_else(|| {
        let s = without_notes(&p.fee_summary);
        if s.is_empty() {
            "chưa có thông tin".into()
        } else {
            s
        }
    })
}

/// Longest a document is quoted in an answer (its first sentences); the rest is on the
/// procedure's page.
const DOCUMENT_QUOTED: usize = 220;
/// How many documents an answer lists.
const DOCUMENTS_LISTED: usize = 12;

/// The documents as an answer lists them: the portal's case marks ("* Giấy tờ phải nộp: - …")
/// made plain, its notes to officers ("* Lưu ý: …") left out, a long entry cut after its first
/// sentences (its count kept), at most [`DOCUMENTS_LISTED`]; with how many more the page has.
pub fn documents_brief(p: &Procedure) -> (Vec<String>, usize) {
    let mut out = vec![];
    for line in &p.documents {
        let (case, item) = match line.strip_prefix("* ").and_then(|l| l.split_once(": ")) {
            Some((case, item)) => (Some(case.trim()), item),
            None => (None, line.as_str()),
        };
        if case.is_some_and(|c| c.to_lowercase().starts_with("lưu ý")) {
            continue;
        }
        let item = item.trim_start_matches(['-', '+', ' ']);
        // "… (1 bản chính, 1 bản sao)": the count stays whatever is cut.
        let (text, count) =
            closing_parenthesis(item).filter(|(_, c)| c.contains("bản ")).unwrap_or((item, ""));
        let text = shortened(text, DOCUMENT_QUOTED);
        if text.is_empty() {
            continue;
        }
        out.push(match case {
            Some(c) => format!("{}: {text}{count}", c.trim_end_matches(':')),
            None => format!("{text}{count}"),
        });
    }
    let more = out.len().saturating_sub(DOCUMENTS_LISTED);
    out.truncate(DOCUMENTS_LISTED);
    (out, more)
}

/// Longest a legal document's title is quoted in an answer.
const LEGAL_TITLE_QUOTED: usize = 120;

/// The first legal documents an answer cites, each short: a long title is cut at a word with
/// "…", its number ("(85/2019/TT-BTC)") kept.
pub fn legal_brief(p: &Procedure, at_most: usize) -> Vec<String> {
    p.legal_basis
        .iter()
        .take(at_most)
        .map(|l| {
            let l = one_line(l);
            let (title, number) = closing_parenthesis(&l).unwrap_or((&l, ""));
            if title.chars().count() <= LEGAL_TITLE_QUOTED {
                return l.clone();
            }
            let cut = up_to_word(title, LEGAL_TITLE_QUOTED);
            format!("{} …{number}", cut.trim_end_matches([',', ';', ' ']))
        })
        .collect()
}

/// Longest conditions an answer quotes whole; longer ones are cut at a clause and the reader is
/// sent to the procedure's page.
const CONDITIONS_QUOTED: usize = 600;

/// What the applicant must meet, as a citizen should read it: without compilers' notes, cut
/// at a clause (never mid-word) when long, with "…" saying that more follows. `None` when the
/// catalog says nothing of conditions.
pub fn conditions_text(p: &Procedure) -> Option<String> {
    let s = one_line(&without_notes(p.conditions.as_deref()?));
    (!s.is_empty()).then(|| shortened(&s, CONDITIONS_QUOTED))
}

/// The portal's page of the procedure, only when the link names one (a link ending in `/0`
/// names nothing).
pub fn portal_link(p: &Procedure) -> Option<&str> {
    p.portal_url.as_deref().map(str::trim).filter(|u| is_portal_page(u))
}

/// Whether `url` is a procedure's page on the national portal.
pub fn is_portal_page(url: &str) -> bool {
    url.strip_prefix("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
        .is_some_and(|id| id.len() > 8 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
}

/// The facts a citizen should check at the desk, in words: each doubtful one (low confidence)
/// with why where the record says it, then those merely not checked against the legal text
/// (medium confidence) together, in one line.
pub fn cautions(p: &Procedure) -> Vec<String> {
    use crate::catalog::Confidence;
    const FIELDS: [(&str, &str); 4] = [
        ("processing_time", "thời hạn"),
        ("fee", "phí, lệ phí"),
        ("competent_authority", "cơ quan giải quyết"),
        ("required_documents", "thành phần hồ sơ"),
    ];
    let mut out = vec![];
    let mut unchecked = vec![];
    for (field, label) in FIELDS {
        match p.confidence(field) {
            Confidence::Low => {
                // An imported record says why after its source: "… — Trực tuyến: thời hạn "1"
                // không ghi đơn vị".
                let why = p.provenance.get(field).and_then(|pr| pr.source.split_once(" — ")).map(|(_, w)| w);
                out.push(match why {
                    Some(w) => {
                        format!("Thông tin {label} chưa chắc chắn ({w}); hãy hỏi lại bộ phận một cửa.")
                    }
                    None => format!("Thông tin {label} chưa chắc chắn; hãy hỏi lại bộ phận một cửa."),
                });
            }
            Confidence::Medium => unchecked.push(label),
            _ => {}
        }
    }
    if !unchecked.is_empty() {
        out.push(format!(
            "Thông tin {} {} nhưng chưa được đối chiếu với văn bản gốc; khi cần chắc chắn, hãy hỏi bộ phận một cửa.",
            unchecked.join(", "),
            origin_text(p)
        ));
    }
    out
}

/// "theo Cổng Dịch vụ công quốc gia, cập nhật 07/2026", or the catalog itself when the record
/// names no public source.
pub fn origin_text(p: &Procedure) -> String {
    match &p.origin {
        Some(o) => format!("theo {o}"),
        None => "danh mục thủ tục hành chính của hệ thống".into(),
    }
}

/// "theo Cổng Dịch vụ công quốc gia, cập nhật 07/2026, https://…", or the catalog itself when
/// the record names no public source.
pub fn source_line(p: &Procedure) -> String {
    let mut s = origin_text(p);
    if let Some(u) = portal_link(p) {
        s.push_str(&format!(", {u}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn conditions_are_quoted_whole_or_cut_at_a_clause() {
        let mut p = Catalog::builtin().get("1.001193").unwrap().clone();
        p.conditions = None;
        assert_eq!(conditions_text(&p), None);
        p.conditions = Some("Người nhận phải đủ 20 tuổi;\n có sức khỏe (Cổng DVCQG)".into());
        assert_eq!(conditions_text(&p).unwrap(), "Người nhận phải đủ 20 tuổi; có sức khỏe");
        let clause = "Tiền bị rách, cháy, biến dạng nhưng còn giữ được 60% diện tích trở lên; ";
        p.conditions = Some(clause.repeat(20));
        let t = conditions_text(&p).unwrap();
        assert!(t.ends_with("trở lên …"), "{t}");
        assert!(t.chars().count() <= CONDITIONS_QUOTED + 2, "{}", t.chars().count());
        p.conditions = Some("chữ ".repeat(400));
        let t = conditions_text(&p).unwrap();
        assert!(t.ends_with("chữ …") && t.chars().count() <= CONDITIONS_QUOTED + 2, "{t}");
    }

    #[test]
    fn an_answer_lists_the_documents_plainly_and_briefly() {
        let mut p = Catalog::builtin().get("1.001193").unwrap().clone();
        // The shipped entries are short: listed as they are.
        assert_eq!(documents_brief(&p), (p.documents.clone(), 0));
        let long = format!(
            "Giấy báo tử do cơ quan có thẩm quyền cấp. {}",
            "Trường hợp khác thì không phải nộp bản giấy. ".repeat(8)
        );
        p.documents = vec![
            "* Giấy tờ phải nộp: - Tờ khai đăng ký khai tử theo mẫu (1 bản chính)".into(),
            format!("* Giấy tờ phải nộp: - {long} (1 bản chính, 1 bản sao)"),
            "* Lưu ý: + Người tiếp nhận không được yêu cầu nộp thêm giấy tờ.".into(),
        ];
        p.documents.extend((0..12).map(|i| format!("* Giấy tờ phải xuất trình: Giấy tờ số {i}")));
        let (list, more) = documents_brief(&p);
        assert_eq!(list[0], "Giấy tờ phải nộp: Tờ khai đăng ký khai tử theo mẫu (1 bản chính)");
        assert!(
            list[1].starts_with("Giấy tờ phải nộp: Giấy báo tử do cơ quan có thẩm quyền cấp."),
            "{}",
            list[1]
        );
        assert!(list[1].ends_with(" … (1 bản chính, 1 bản sao)"), "{}", list[1]);
        assert!(list[1].chars().count() < 300, "{}", list[1]);
        assert!(list.iter().all(|l| !l.contains("Lưu ý") && !l.contains("* ")), "{list:?}");
        assert_eq!((list.len(), more), (DOCUMENTS_LISTED, 2));
        assert_eq!(list[2], "Giấy tờ phải xuất trình: Giấy tờ số 0");
    }

    #[test]
    fn legal_documents_are_cited_briefly_with_their_numbers() {
        let mut p = Catalog::builtin().get("1.001193").unwrap().clone();
        let long = format!("Nghị định {} quy định chi tiết", "sửa đổi, bổ sung một số điều ".repeat(10));
        p.legal_basis = vec![
            "Luật Hộ tịch 60/2014/QH13".into(),
            format!("{long} (104/2022/NĐ-CP)"),
            long.clone(),
            "x".into(),
        ];
        let b = legal_brief(&p, 3);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], "Luật Hộ tịch 60/2014/QH13");
        assert!(b[1].ends_with(" … (104/2022/NĐ-CP)") && b[1].chars().count() < 150, "{}", b[1]);
        assert!(b[2].ends_with(" …") && b[2].chars().count() <= LEGAL_TITLE_QUOTED + 2, "{}", b[2]);
    }

    #[test]
    fn compilers_notes_are_left_out() {
        assert_eq!(
            without_notes("Trong ngày (Cổng DVCQG ghi '1'); hồ sơ nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo"),
            "Trong ngày; hồ sơ nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo"
        );
        assert_eq!(
            without_notes("Miễn lệ phí đăng ký khai sinh đúng hạn (Luật Hộ tịch Điều 11); Cổng DVCQG ghi 'Miễn phí'. Phí bản sao theo TT 281/2016/TT-BTC"),
            "Miễn lệ phí đăng ký khai sinh đúng hạn (Luật Hộ tịch Điều 11); Phí bản sao theo TT 281/2016/TT-BTC"
        );
        assert_eq!(without_notes("5 (đơn vị không hiển thị trong bản crawl)"), "5");
        // A dot inside an amount does not end a clause: the whole note goes, not half of it.
        assert_eq!(
            without_notes("Do HĐND cấp tỉnh quyết định; Cổng DVCQG hiển thị mức mẫu 50.000 đ (nộp trực tiếp); nhiều tỉnh miễn"),
            "Do HĐND cấp tỉnh quyết định; nhiều tỉnh miễn"
        );
        assert_eq!(without_notes("Lệ phí 50.000 đồng/lần. Cổng DVCQG ghi '50'"), "Lệ phí 50.000 đồng/lần.");
        assert_eq!(
            without_notes("10 ngày làm việc (có thể kéo dài nếu cần xác minh)"),
            "10 ngày làm việc (có thể kéo dài nếu cần xác minh)"
        );
    }

    #[test]
    fn the_shipped_catalog_speaks_to_citizens_without_notes() {
        let c = Catalog::builtin();
        for p in &c.procedures {
            for text in [time_text(p), fee_text(p), source_line(p)] {
                for mark in ["DVCQG ghi", "crawl", "không hiển thị"] {
                    assert!(!text.contains(mark), "{}: {text}", p.code);
                }
                for url in text.split([' ', ',']).filter(|w| w.starts_with("http")) {
                    assert!(is_portal_page(url), "{}: {url}", p.code);
                }
            }
        }
        let birth = c.get("1.001193").unwrap();
        assert_eq!(
            time_text(birth),
            "trong ngày (hồ sơ nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo)"
        );
        assert!(!is_portal_page("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/0"));
        assert!(source_line(birth)
            .starts_with("theo Cổng Dịch vụ công quốc gia, cập nhật 06/2026, https://dichvucong.gov.vn/"));
        // Its time limit was completed from the statute (medium): said once, with its source.
        let c = cautions(birth);
        assert_eq!(c.len(), 1, "{c:?}");
        assert!(
            c[0].contains("thời hạn") && c[0].contains("theo Cổng Dịch vụ công quốc gia, cập nhật 06/2026"),
            "{c:?}"
        );
    }

    #[test]
    fn a_doubtful_fact_says_why() {
        use crate::national::{origin_label, portal_record, Format};
        let line = r#"{"ma_thu_tuc": "9.000001", "ten_thu_tuc": "Thủ tục thử", "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn phí", "source": "x (crawled Jul 2026)"}"#;
        let r = portal_record(line).unwrap();
        let body = r.to_catalog(&origin_label(Format::Portal, [r.source.as_str()]));
        let c = Catalog::parse(&serde_json::json!({ "procedures": [body] }).to_string()).unwrap();
        let cautions = cautions(&c.procedures[0]);
        assert!(
            cautions[0].starts_with(
                "Thông tin thời hạn chưa chắc chắn (Trực tuyến: thời hạn \"1\" không ghi đơn vị)"
            ),
            "{cautions:?}"
        );
    }
}
