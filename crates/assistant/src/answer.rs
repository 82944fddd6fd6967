//! Answers composed only from the catalog's fields: what the citizen asked about, then where it
//! comes from. Nothing here invents a step, a fee or a time limit.

use crate::intent::Asks;
use domain::catalog::{Confidence, Procedure};
use domain::plain;

/// What a province has decided for one procedure, when the question or the page names it.
#[derive(Clone, Debug, Default)]
pub struct Local {
    pub province_name: String,
    pub fee_vnd: Option<i64>,
    pub fee_note: Option<String>,
    pub delegated_to_commune: bool,
    pub boundary_free: bool,
}

/// 1234567 → "1.234.567 đồng".
pub fn vnd(amount: i64) -> String {
    format!("{} đồng", vi_text::grouped(amount))
}

fn caution(p: &Procedure, field: &str) -> &'static str {
    if p.confidence(field) == Confidence::Low {
        " (thông tin này chưa được đối chiếu đầy đủ, đề nghị hỏi lại cán bộ một cửa)"
    } else {
        ""
    }
}

fn channels(p: &Procedure) -> String {
    let mut v = vec![];
    if p.online {
        v.push("trực tuyến");
    }
    if p.direct {
        v.push("trực tiếp");
    }
    if p.postal {
        v.push("qua bưu chính");
    }
    if v.is_empty() {
        "chưa có thông tin về cách nộp".into()
    } else {
        format!("Nộp {}", v.join(", "))
    }
}

fn part(p: &Procedure, asks: Asks, local: Option<&Local>) -> String {
    match asks {
        Asks::Documents => {
            if p.documents.is_empty() {
                return "Danh mục chưa ghi thành phần hồ sơ của thủ tục này.".into();
            }
            let (list, more) = plain::documents_brief(p);
            let list: Vec<String> = list.iter().map(|d| format!("- {d}")).collect();
            let mut s = format!("Hồ sơ gồm{}:\n{}", caution(p, "required_documents"), list.join("\n"));
            if more > 0 {
                s.push_str(&format!("\n… và {more} mục khác"));
                match plain::portal_link(p) {
                    Some(u) => s.push_str(&format!(" (xem đủ tại {u})")),
                    None => s.push_str(" (xem đủ tại trang thủ tục)"),
                }
                s.push('.');
            }
            s
        }
        Asks::Time => {
            format!("Thời hạn giải quyết: {}{}.", plain::time_text(p), caution(p, "processing_time"))
        }
        Asks::Fee => {
            let mut s = format!("Phí, lệ phí: {}{}.", plain::fee_text(p), caution(p, "fee"));
            if let Some(l) = local {
                if let Some(v) = l.fee_vnd {
                    s.push_str(&format!(" Tại {}: {}", l.province_name, vnd(v)));
                    if let Some(n) = &l.fee_note {
                        s.push_str(&format!(" ({n})"));
                    }
                    s.push('.');
                }
            }
            s
        }
        Asks::Where => {
            let mut s = format!(
                "Cơ quan giải quyết: {}{}.",
                p.authority.as_deref().unwrap_or("chưa có thông tin"),
                caution(p, "competent_authority")
            );
            if let Some(l) = local {
                if l.delegated_to_commune {
                    s.push_str(&format!(
                        " {} đã ủy quyền cho cấp xã giải quyết thủ tục này.",
                        l.province_name
                    ));
                }
                if l.boundary_free {
                    s.push_str(&format!(
                        " Tại {}, thủ tục này được tiếp nhận không phụ thuộc địa giới hành chính.",
                        l.province_name
                    ));
                }
            }
            s.push_str(&format!(" {}.", channels(p)));
            s
        }
        Asks::HowOnline => {
            if p.online {
                format!(
                    "Thủ tục này nộp được trực tuyến trên Cổng Dịch vụ công quốc gia (hoặc cổng của tỉnh){}. {}.",
                    plain::portal_link(p).map(|u| format!(", trang thủ tục: {u}")).unwrap_or_default(),
                    channels(p)
                )
            } else {
                format!("Danh mục không ghi thủ tục này nộp trực tuyến. {}.", channels(p))
            }
        }
        Asks::Eligibility | Asks::WhichProcedure => {
            let mut s = String::new();
            if asks == Asks::Eligibility {
                match plain::conditions_text(p) {
                    Some(c) => s.push_str(&format!("Điều kiện, yêu cầu: {c}\n")),
                    None => s.push_str("Danh mục không ghi điều kiện riêng cho thủ tục này. "),
                }
            }
            if let Some(r) = &p.result {
                s.push_str(&format!("Kết quả: {}. ", r.trim_end_matches(['.', ' '])));
            }
            s.push_str(&format!(
                "Cơ quan giải quyết: {}. Thời hạn: {}. Phí, lệ phí: {}. {}.",
                p.authority.as_deref().unwrap_or("chưa có thông tin"),
                plain::time_text(p),
                plain::fee_text(p),
                channels(p)
            ));
            s
        }
    }
}

/// The answer about `p` for what is asked; the first ask leads, the others follow.
pub fn compose(p: &Procedure, asks: &[Asks], local: Option<&Local>) -> String {
    let mut out = format!("Thủ tục phù hợp: {} (mã {}).", p.name, p.code);
    for a in asks.iter().take(3) {
        out.push('\n');
        out.push_str(&part(p, *a, local));
    }
    if !p.legal_basis.is_empty() {
        let basis = plain::legal_brief(p, 3);
        let basis = basis.join("; ");
        // A title cut with "…" ends the line itself.
        out.push_str(&format!("\nCăn cứ: {basis}{}", if basis.ends_with('…') { "" } else { "." }));
    }
    out.push_str(&format!("\nNguồn: {}.", plain::source_line(p)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::catalog::Catalog;

    #[test]
    fn money_is_written_the_vietnamese_way() {
        assert_eq!(vnd(0), "0 đồng");
        assert_eq!(vnd(8_000), "8.000 đồng");
        assert_eq!(vnd(1_234_567), "1.234.567 đồng");
    }

    #[test]
    fn an_eligibility_answer_quotes_the_conditions_or_says_there_are_none() {
        let cat = Catalog::builtin();
        let mut p = cat.get("1.001193").unwrap().clone();
        p.conditions = Some("Trẻ em sinh ra còn sống (Cổng DVCQG)".into());
        let a = compose(&p, &[Asks::Eligibility], None);
        assert!(a.contains("Điều kiện, yêu cầu: Trẻ em sinh ra còn sống\n"), "{a}");
        assert!(!a.contains("DVCQG"), "{a}");
        p.conditions = None;
        let a = compose(&p, &[Asks::Eligibility], None);
        assert!(a.contains("không ghi điều kiện riêng"), "{a}");
        // Asked which procedure, the conditions are not volunteered.
        p.conditions = Some("Trẻ em sinh ra còn sống".into());
        assert!(!compose(&p, &[Asks::WhichProcedure], None).contains("Điều kiện"));
    }

    #[test]
    fn answers_quote_the_catalog_and_the_province() {
        let cat = Catalog::builtin();
        let p = cat.get("1.001193").unwrap();
        let a = compose(p, &[Asks::Documents], None);
        assert!(a.contains("1.001193") && a.contains(&p.documents[0]), "{a}");
        let local =
            Local {
                province_name: "Thành phố Đà Nẵng".into(), fee_vnd: Some(5000), ..Local::default()
            };
        let a = compose(p, &[Asks::Fee], Some(&local));
        assert!(a.contains(&plain::fee_text(p)) && a.contains("Thành phố Đà Nẵng: 5.000 đồng"), "{a}");
        assert!(!a.contains("DVCQG ghi"), "no compiler's note: {a}");
        assert!(
            a.contains(
                "Nguồn: theo Cổng Dịch vụ công quốc gia, cập nhật 06/2026, https://dichvucong.gov.vn/"
            ),
            "{a}"
        );
    }
}
