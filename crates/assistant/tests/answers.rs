//! The assistant over the shipped catalog: questions typed the way people type reach the right
//! procedure and the part asked about; matters outside the catalog get "I don't know".

use assistant::answer::Local;
use assistant::intent::Asks;
use assistant::{Article, Assistant};
use domain::catalog::Catalog;

fn assistant() -> Assistant {
    Assistant::new(Catalog::builtin().procedures, &[], vec![])
}

#[test]
fn chat_dialect_and_no_diacritics_reach_the_procedure_and_the_part_asked() {
    let a = assistant();
    for (q, code, asks) in [
        ("lam giay khai sinh mat bao lau", "1.001193", Asks::Time),
        ("Mần giấy khai sanh ở đâu dzậy ad", "1.001193", Asks::Where),
        ("đăng kí kết hôn mất phí ko", "1.000894", Asks::Fee),
        ("Sổ đỏ cũ rách nát muốn đổi sổ mới", "1.012783", Asks::WhichProcedure),
        ("xin giay xac nhan doc than o dau", "1.004873", Asks::Where),
    ] {
        let r = a.ask(q, |_| None);
        assert!(r.confident, "{q}: {:?}", r.signals);
        assert_eq!(r.matches[0].code, code, "{q}");
        assert_eq!(r.asks, asks, "{q}");
        assert!(r.answer.contains(code), "the answer cites the code: {}", r.answer);
    }
}

#[test]
fn the_answer_is_made_of_catalog_fields() {
    let a = assistant();
    let cat = Catalog::builtin();
    let p = cat.get("1.000894").unwrap();
    let r = a.ask("đăng ký kết hôn cần mang giấy tờ gì", |_| None);
    assert_eq!(r.asks, Asks::Documents);
    for d in &p.documents {
        assert!(r.answer.contains(d.as_str()), "missing {d}");
    }
    assert!(r.answer.contains(&p.legal_basis[0]));
    let r = a.ask("đăng ký kết hôn mất bao lâu", |_| None);
    assert!(r.answer.contains(&domain::plain::time_text(p)), "{}", r.answer);
}

#[test]
fn a_typo_is_corrected_against_the_catalog() {
    let a = assistant();
    let r = a.ask("thủ tục đăng ký khai tưr", |_| None);
    assert_eq!(r.matches[0].code, "1.000656");
}

#[test]
fn the_province_fee_is_given_when_the_province_is_known() {
    let a = assistant();
    let local = |code: &str| {
        (code == "1.004873").then(|| Local {
            province_name: "Thành phố Huế".into(),
            fee_vnd: Some(15_000),
            ..Local::default()
        })
    };
    let r = a.ask("xin giấy xác nhận độc thân mất bao nhiêu tiền", local);
    assert!(r.answer.contains("Thành phố Huế: 15.000 đồng"), "{}", r.answer);
}

#[test]
fn outside_the_catalog_it_says_so_and_points_elsewhere() {
    let a = assistant();
    let r = a.ask("Tôi muốn ly hôn đơn phương thì nộp đơn ở đâu?", |_| None);
    assert!(!r.confident);
    assert!(r.answer.contains("Tòa án"), "{}", r.answer);
    // Nothing in the catalog at all: an honest "don't know".
    let r = a.ask("xyzzy plugh", |_| None);
    assert!(!r.confident);
    assert!(r.answer.starts_with("Xin lỗi"));
}

#[test]
fn an_accepted_alias_makes_a_new_phrasing_findable() {
    let cat = Catalog::builtin();
    let before = Assistant::new(cat.procedures.clone(), &[], vec![]);
    let q = "làm bìa vàng cho ông bà";
    assert_ne!(before.ask(q, |_| None).matches.first().map(|m| m.code.as_str()), Some("1.014027"));
    let alias = ("1.014027".to_string(), "làm bìa vàng cho ông bà".to_string());
    let after = Assistant::new(cat.procedures, &[alias], vec![]);
    let r = after.ask(q, |_| None);
    assert_eq!(r.matches[0].code, "1.014027");
    assert!(r.confident);
}

#[test]
fn handbook_articles_are_found_beside_answers() {
    let articles = vec![
        Article {
            id: 7,
            title: "Khai sinh".into(),
            body: "Thời hạn đăng ký khai sinh là 60 ngày kể từ ngày sinh.".into(),
        },
        Article {
            id: 9, title: "Chứng thực".into(), body: "Chứng thực bản sao từ bản chính.".into()
        },
    ];
    let a = Assistant::new(Catalog::builtin().procedures, &[], articles);
    let r = a.ask("đăng ký khai sinh quá 60 ngày có sao không", |_| None);
    assert_eq!(r.handbook.first().map(|m| m.code.as_str()), Some("7"));
    assert_eq!(a.search_handbook("bản sao")[0].id, 9);
}

#[test]
fn a_communes_own_procedure_is_preferred_among_close_ones_only() {
    let a = assistant();
    let q = a.query("đăng ký khai sinh");
    let (plain, _) = a.search(&q, 5);
    let (first, second) = (plain[0].clone(), plain[1].clone());
    assert!(second.score * 1.15 > first.score, "a close pair: {first:?} {second:?}");
    let (preferred, _) = a.search_preferring(&q, 5, &|c| c == second.code);
    assert_eq!(preferred[0].code, second.code, "the commune's variant first");
    // A far candidate is not brought up: the question is about something else.
    let far = plain.iter().find(|m| m.score * 1.15 < first.score).expect("a distant candidate");
    let (preferred, _) = a.search_preferring(&q, 5, &|c| c == far.code);
    assert_eq!(preferred[0].code, first.code);
    // The reply follows the same order.
    let r = a.ask_preferring("đăng ký khai sinh", |_| None, &|c| c == second.code);
    assert_eq!(r.matches[0].code, second.code);
}
