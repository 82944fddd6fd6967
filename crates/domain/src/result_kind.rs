//! What document a procedure's result is, read from the catalog's record of it: a decision of
//! the People's Committee (Quyết định), a paper the citizen keeps (Giấy chứng nhận, Giấy phép,
//! Trích lục, Thẻ…), or a notice of the outcome (Thông báo, Văn bản xác nhận, an update of a
//! national database). Each has its layout (`papers::result`), and the agency's seal goes on
//! the first two.

/// The layout of a result document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// QUYẾT ĐỊNH: the legal bases, then articles (Decree 30/2020/NĐ-CP, Appendix I).
    Decision,
    /// A certificate, licence or extract the holder keeps: its title and the holder's data.
    Certificate,
    /// A notice of the outcome, where the result is an update or a written answer.
    Notice,
}

/// A procedure's result document: its layout, its title, and whether the agency's seal
/// (the agency's own digital signature after the leader's) goes on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultTemplate {
    pub kind: ResultKind,
    /// The title as printed ("GIẤY PHÉP XÂY DỰNG", "QUYẾT ĐỊNH", "THÔNG BÁO").
    pub title: String,
    /// For a decision, what it decides ("giải quyết tranh chấp đất đai"), after "Về việc".
    pub about: Option<String>,
    /// The item of the catalog's result the document is (for a notice, what was done).
    pub item: Option<String>,
    /// A decision or a certificate is issued in the agency's name and bears its seal; a
    /// notice is signed by the leader alone.
    pub seal: bool,
}

/// The words a document the holder keeps starts with.
const KEPT_PAPERS: &[&str] = &[
    "giấy",
    "trích lục",
    "thẻ",
    "sổ",
    "bản sao",
    "hộ chiếu",
    "chứng chỉ",
    "chứng nhận",
    "phiếu lý lịch",
    "bằng",
];

/// An item of the result for a dossier not granted: a refusal, a request to complete the file.
/// ("từ chối nhận" is the citizen's renunciation, an inheritance's: a document attested.)
fn refusal(item: &str) -> bool {
    (item.contains("từ chối") && !item.contains("từ chối nhận"))
        || ["sửa đổi, bổ sung", "lý do", "không đủ"].iter().any(|w| item.contains(w))
}

/// An item that is no document: money paid out or back, a national database updated.
fn no_paper(item: &str) -> bool {
    item.starts_with("tiền") || item.starts_with("cập nhật") || item.contains("hoàn trả")
}

/// The items of a catalog's result sentence ("Giấy khai sinh; Trích lục …"), cleaned.
fn items(result: &str) -> Vec<String> {
    result
        .split([';', '\n'])
        .map(|i| i.trim().trim_start_matches(['-', '+', '•']).trim().trim_end_matches(['.', ',']).trim())
        .filter(|i| !i.is_empty())
        // The catalog's text has doubled spaces ("đăng ký  hộ kinh doanh").
        .map(|i| i.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The template of a procedure whose catalog record gives `result` (None when it says
/// nothing): the first item that grants something decides the layout.
pub fn template(result: Option<&str>) -> ResultTemplate {
    let items = result.map(items).unwrap_or_default();
    let lower = |s: &str| s.to_lowercase();
    let granted: Vec<&String> = items.iter().filter(|i| !refusal(&lower(i))).collect();
    let grants: Vec<&&String> = granted.iter().filter(|i| !no_paper(&lower(i))).collect();
    let decision = grants.iter().find(|i| lower(i).starts_with("quyết định"));
    // A paper the holder keeps, or a document the committee attests ("… được chứng thực").
    let kept = grants.iter().find(|i| {
        let l = lower(i);
        KEPT_PAPERS.iter().any(|w| l.starts_with(w)) || l.ends_with("được chứng thực")
    });
    // A certificate is what the citizen came for; a decision where there is no certificate.
    if let Some(item) = kept.filter(|i| i.chars().count() <= 120) {
        return ResultTemplate {
            kind: ResultKind::Certificate,
            title: item.to_uppercase(),
            about: None,
            item: Some(item.to_string()),
            seal: true,
        };
    }
    if let Some(item) = decision {
        let about = item["Quyết định".len()..].trim().trim_start_matches("về việc").trim();
        return ResultTemplate {
            kind: ResultKind::Decision,
            title: "QUYẾT ĐỊNH".into(),
            about: (!about.is_empty()).then(|| about.to_string()),
            item: Some(item.to_string()),
            seal: true,
        };
    }
    ResultTemplate {
        kind: ResultKind::Notice,
        title: "THÔNG BÁO".into(),
        about: None,
        // What was done, if the record says: a notice first, an update of a database else.
        item: grants.first().map(|i| i.to_string()).or_else(|| granted.first().map(|i| i.to_string())),
        seal: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_chosen_over_the_refusal_listed_first() {
        let t = template(Some(
            "Phiếu từ chối tiếp nhận, giải quyết hồ sơ; Giấy chứng nhận đăng ký hộ kinh doanh",
        ));
        assert_eq!(t.kind, ResultKind::Certificate);
        assert_eq!(t.title, "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH");
        assert!(t.seal);
        let t = template(Some("Giấy chứng nhận đăng ký  hộ kinh doanh"));
        assert_eq!(t.title, "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH");
        let t = template(Some("- Giấy phép xây dựng được gia hạn."));
        assert_eq!((t.kind, t.title.as_str()), (ResultKind::Certificate, "GIẤY PHÉP XÂY DỰNG ĐƯỢC GIA HẠN"));
    }

    #[test]
    fn an_attested_document_is_kept_even_when_it_renounces_something() {
        let t = template(Some("Văn bản từ chối nhận di sản được chứng thực"));
        assert_eq!(t.kind, ResultKind::Certificate);
        assert_eq!(t.title, "VĂN BẢN TỪ CHỐI NHẬN DI SẢN ĐƯỢC CHỨNG THỰC");
        assert!(t.seal);
        // The agency's own refusal is still no grant.
        let t = template(Some("Văn bản từ chối cấp phép; Thông báo kết quả"));
        assert_eq!(t.item.as_deref(), Some("Thông báo kết quả"));
    }

    #[test]
    fn a_decision_says_what_it_decides() {
        let t = template(Some("Quyết định giải quyết tranh chấp đất đai"));
        assert_eq!(t.kind, ResultKind::Decision);
        assert_eq!(t.title, "QUYẾT ĐỊNH");
        assert_eq!(t.about.as_deref(), Some("giải quyết tranh chấp đất đai"));
        assert!(t.seal);
        // A repayment decision is money, not the grant: the pension book is.
        let t = template(Some("Quyết định hoàn trả (mẫu C16-TS) và Tiền hoàn trả; Tiền hoàn trả; Sổ BHXH"));
        assert_eq!((t.kind, t.title.as_str()), (ResultKind::Certificate, "SỔ BHXH"));
    }

    #[test]
    fn an_update_or_an_unknown_result_is_a_notice_without_the_seal() {
        let t = template(Some(
            "Cập nhật thông tin trong Cơ sở dữ liệu quốc gia về dân cư; Thông báo kết quả giải quyết thủ tục về cư trú",
        ));
        assert_eq!(t.kind, ResultKind::Notice);
        assert_eq!(t.item.as_deref(), Some("Thông báo kết quả giải quyết thủ tục về cư trú"));
        assert!(!t.seal);
        let t = template(None);
        assert_eq!((t.kind, t.item, t.seal), (ResultKind::Notice, None, false));
    }
}
