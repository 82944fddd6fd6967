//! The assistant over the shipped catalog: questions typed the way people type reach the right
//! procedure and the part asked about; matters outside the catalog get "I don't know".

use assistant::answer::Local;
use assistant::intent::Asks;
use assistant::{Article, Assistant};
use domain::catalog::{Catalog, Procedure};

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

#[test]
fn a_question_placed_at_a_tier_prefers_that_tiers_variant() {
    use domain::catalog::Level;
    let base = Catalog::builtin().get("1.001193").unwrap().clone();
    let variant = |code: &str, level: Level| {
        let mut p = base.clone();
        p.code = code.into();
        p.name = "Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý người thi hành công vụ gây thiệt hại".into();
        p.level = level;
        p.levels = vec![level];
        p.aliases = vec![];
        p
    };
    let a = Assistant::new(
        vec![variant("2.002192", Level::Province), variant("2.002165", Level::Commune)],
        &[],
        vec![],
    );
    let top = |q: &str| a.ask(q, |_| None).matches[0].code.clone();
    assert_eq!(top("Công chức địa chính xã gây thiệt hại, yêu cầu bồi thường nộp ở đâu?"), "2.002165");
    assert_eq!(top("Cán bộ sở cấp tỉnh gây thiệt hại, yêu cầu bồi thường nộp ở đâu?"), "2.002192");
    // A question that names no tier, or both, keeps the catalog's order.
    assert_eq!(top("yêu cầu bồi thường người thi hành công vụ gây thiệt hại"), "2.002192");
    assert_eq!(top("ở xã hay lên tỉnh để yêu cầu bồi thường thiệt hại"), "2.002192");
}

/// The shipped catalog (for words' rarity) with procedures of only these codes and names in
/// place of any of the same code (the rest of a shipped one, without its aliases, documents
/// and result), to see what the names decide.
fn named_only(items: &[(&str, &str)]) -> Assistant {
    let shipped = Catalog::builtin().procedures;
    let base = shipped.iter().find(|p| p.code == "1.001193").unwrap().clone();
    let mut procedures: Vec<Procedure> =
        shipped.into_iter().filter(|p| items.iter().all(|(c, _)| *c != p.code)).collect();
    procedures.extend(items.iter().map(|(code, name)| {
        let mut p = base.clone();
        (p.code, p.name) = (code.to_string(), name.to_string());
        (p.aliases, p.documents, p.result, p.conditions) = (vec![], vec![], None, None);
        p
    }));
    Assistant::new(procedures, &[], vec![])
}

#[test]
fn a_lost_paper_is_asked_about_its_reissue() {
    let a = named_only(&[
        ("1.013076", "Cấp chứng nhận đăng ký xe, biển số xe"),
        ("1.013079", "Đổi chứng nhận đăng ký xe, biển số xe"),
        ("1.013080", "Cấp lại chứng nhận đăng ký xe, biển số xe"),
        ("1.013123", "Thu hồi chứng nhận đăng ký xe, biển số xe"),
    ]);
    for q in ["Bị mất chứng nhận đăng ký xe thì làm thế nào?", "chung nhan dang ky xe bi that lac"]
    {
        let r = a.ask(q, |_| None);
        assert_eq!(r.matches[0].code, "1.013080", "{q}: {:?}", r.matches);
    }
    // Without a loss, not the re-issue.
    assert_ne!(a.ask("đăng ký xe máy mới mua", |_| None).matches[0].code, "1.013080");
}

#[test]
fn a_question_whose_subject_no_procedure_names_is_not_answered() {
    let a = named_only(&[
        ("1.013859", "Cấp thẻ công chứng viên"),
        ("1.014061", "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên"),
        ("1.008990", "Cấp lại chứng chỉ hành nghề kiến trúc"),
        ("1.001612", "Đăng ký thành lập hộ kinh doanh"),
        ("1.005280", "Đăng ký thành lập hợp tác xã"),
    ]);
    // "cấp thẻ" is in the best name, "tòa soạn", "phóng viên", "công chứng viên" are not.
    let r = a.ask("Phóng viên của tòa soạn muốn được cấp thẻ nhà báo thì làm thủ tục gì?", |_| None);
    assert_eq!(r.matches[0].code, "1.013859");
    assert!(r.signals.named < 0.4, "{:?}", r.signals);
    assert!(!r.confident);
    assert!(r.answer.starts_with("Xin lỗi"), "{}", r.answer);
    // The same words about a matter a name says are answered.
    for q in [
        "Công chứng viên mới được bổ nhiệm muốn được cấp thẻ thì làm thủ tục gì?",
        "Kiến trúc sư bị mất chứng chỉ hành nghề kiến trúc thì xin cấp lại thế nào?",
    ] {
        let r = a.ask(q, |_| None);
        assert!(r.confident, "{q}: {:?}", r.signals);
    }
}

#[test]
fn the_age_a_question_gives_chooses_between_procedures_for_ages() {
    let a = named_only(&[
        ("1.014061", "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên"),
        ("1.014062", "Cấp thẻ căn cước cho người dưới 14 tuổi"),
    ]);
    for (q, code) in [
        ("Làm thẻ căn cước cho con 10 tuổi thì cần giấy tờ gì?", "1.014062"),
        ("Làm thẻ căn cước cho con 16 tuổi thì cần giấy tờ gì?", "1.014061"),
    ] {
        let r = a.ask(q, |_| None);
        assert_eq!(r.matches[0].code, code, "{q}: {:?}", r.matches);
    }
}

#[test]
fn a_company_is_an_enterprise() {
    let a = named_only(&[
        ("1.001570", "Tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh"),
        (
            "2.002029",
            "Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn đã thông báo (doanh nghiệp, chi nhánh, văn phòng đại diện, địa điểm kinh doanh)",
        ),
    ]);
    // How the enterprise's procedure scores against the household business's.
    let lead = |q: &str| {
        let r = a.ask(q, |_| None);
        let score = |c: &str| r.matches.iter().find(|m| m.code == c).map_or(0.0, |m| m.score);
        score("2.002029") / score("1.001570")
    };
    let (company, anyone) =
        (lead("Công ty của tôi muốn tạm ngừng kinh doanh"), lead("Tôi muốn tạm ngừng kinh doanh"));
    assert!(company > anyone * 1.05, "{company} against {anyone}");
}

#[test]
fn the_request_weighs_more_than_the_circumstances_told_before_it() {
    let a = named_only(&[("1.000894", "Đăng ký kết hôn"), ("1.004222", "Đăng ký thường trú")]);
    // Which of the two comes first (the shipped catalog has their siblings too).
    let first = |q: &str| {
        let r = a.ask(q, |_| None);
        r.matches.iter().map(|m| m.code.clone()).find(|c| c == "1.000894" || c == "1.004222").unwrap()
    };
    assert_eq!(
        first("Tôi đã đăng ký kết hôn năm ngoái, nay muốn đăng ký thường trú cho vợ thì làm thế nào?"),
        "1.004222"
    );
    assert_eq!(
        first("Tôi đã đăng ký thường trú năm ngoái, nay muốn đăng ký kết hôn thì làm thế nào?"),
        "1.000894"
    );
}

#[test]
fn a_matter_outside_is_recognised_as_a_whole_word() {
    let a = assistant();
    // "mất điện" (a power cut) is outside the catalog; "mất điện thoại" (a lost phone) is not it.
    let r = a.ask("Nhà em bị mất điện từ sáng thì báo ai?", |_| None);
    assert!(r.answer.contains("điện lực"), "{}", r.answer);
    let r = a.ask("Em bị mất điện thoại, giờ muốn làm lại thẻ căn cước thì làm sao?", |_| None);
    assert!(!r.answer.contains("điện lực"), "{}", r.answer);
    assert_eq!(r.matches[0].code, "1.014064", "{:?}", r.matches);
}

#[test]
fn a_name_said_whole_is_that_procedure_not_a_variant_holding_its_words() {
    let mut a = named_only(&[
        ("1.007927", "Cấp Giấy chứng nhận đủ điều kiện sản xuất phân bón"),
        ("1.007928", "Cấp lại Giấy chứng nhận đủ điều kiện sản xuất phân bón"),
        ("1.014281", "Điều chỉnh giấy phép khai thác tận thu khoáng sản"),
        ("1.014279", "Cấp giấy phép khai thác tận thu khoáng sản"),
    ])
    .procedures()
    .to_vec();
    // As published, a variant's result and documents name the paper it changes, so that its
    // words weigh more in its record than in the first issue's.
    for p in a.iter_mut().filter(|p| p.code == "1.007928" || p.code == "1.014281") {
        let paper = p.name.split_once(' ').unwrap().1.to_string();
        p.documents = ["Bản chính", "Bản sao", "Đơn đề nghị"].map(|d| format!("{d} {paper}.")).to_vec();
        p.result = Some(paper);
    }
    let a = Assistant::new(a, &[], vec![]);
    for (q, code) in [
        ("cấp giấy chứng nhận đủ điều kiện sản xuất phân bón", "1.007927"),
        ("Cấp lại giấy chứng nhận đủ điều kiện sản xuất phân bón thì cần gì?", "1.007928"),
        ("cap giay phep khai thac tan thu khoang san", "1.014279"),
        ("điều chỉnh giấy phép khai thác tận thu khoáng sản", "1.014281"),
    ] {
        let r = a.ask(q, |_| None);
        assert_eq!(r.matches[0].code, code, "{q}: {:?}", r.matches);
    }
}

/// The everyday words of the national catalog's fields lead to its own: a mortgage is a
/// "biện pháp bảo đảm", a torn note "tiền không đủ tiêu chuẩn lưu thông", a pig an "động vật".
#[test]
fn everyday_words_reach_the_national_catalogs_terms() {
    let a = named_only(&[
        ("1.011441", "Đăng ký biện pháp bảo đảm bằng quyền sử dụng đất, tài sản gắn liền với đất"),
        ("1.011443", "Xóa đăng ký biện pháp bảo đảm bằng quyền sử dụng đất, tài sản gắn liền với đất"),
        ("1.011423", "Đăng ký biện pháp bảo đảm bằng tàu bay"),
        ("2.001077", "Thủ tục đổi tiền không đủ tiêu chuẩn lưu thông"),
        ("1.008628", "Cấp lại Chứng chỉ hành nghề luật sư trong trường hợp bị mất, bị rách, bị cháy"),
        ("1.002338", "Cấp giấy chứng nhận kiểm dịch động vật, sản phẩm động vật trên cạn vận chuyển ra khỏi địa bàn cấp tỉnh"),
        ("1.002417", "Cấp Giấy chứng nhận hành nghề xử lý vật thể thuộc diện kiểm dịch thực vật"),
    ]);
    for (q, code) in [
        ("Tôi muốn thế chấp sổ đỏ để vay vốn thì đăng ký ở đâu?", "1.011441"),
        ("vay ngân hàng xong rồi, giờ giải chấp sổ đỏ thì làm thủ tục gì", "1.011443"),
        ("Tờ tiền 200 nghìn bị rách làm đôi thì đổi ở đâu?", "2.001077"),
        ("tien bi chay mot goc con doi duoc khong", "2.001077"),
        ("Chở heo đi bán ở chợ tỉnh khác phải kiểm dịch không?", "1.002338"),
    ] {
        let r = a.ask(q, |_| None);
        assert_eq!(r.matches[0].code, code, "{q}: {:?}", r.matches);
    }
}

/// "Nhập khẩu" is a person moving into a household only when said of a person: otherwise it is
/// the customs' word for importing, and lends nothing of residence.
#[test]
fn importing_is_not_moving_in() {
    let a = named_only(&[
        ("1.004222", "Đăng ký thường trú"),
        ("1.000106", "Thủ tục đối với hàng hóa nhập khẩu được miễn thuế trong định mức gửi qua dịch vụ chuyển phát nhanh quốc tế"),
    ]);
    let rank = |q: &str, code: &str| a.ask(q, |_| None).matches.iter().position(|m| m.code == code);
    let goods = "Hàng nhập khẩu về qua chuyển phát nhanh có phải làm thủ tục gì không?";
    assert_eq!(rank(goods, "1.000106"), Some(0));
    assert_eq!(rank(goods, "1.004222"), None, "nothing of residence is lent");
    let person = "Làm giấy tờ nhập khẩu cho cháu nội ở đâu vậy?";
    let residence = rank(person, "1.004222").expect("residence found");
    assert!(rank(person, "1.000106").is_none_or(|goods| residence < goods));
}

/// What a question says it is not about does not count for it ("chứ không làm hộ chiếu"), and a
/// name that says it is not what the question says ("người dịch không phải là cộng tác viên")
/// counts less than its twin that is.
#[test]
fn what_a_question_or_a_name_negates_does_not_count() {
    let a = named_only(&[
        (
            "1.003494",
            "Cấp giấy thông hành nhập, xuất cảnh cho công dân Việt Nam sang du lịch các tỉnh, thành phố biên giới Trung Quốc tiếp giáp với Việt Nam tại Công an cấp tỉnh",
        ),
        ("1.001456", "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)"),
        ("2.001008", "Chứng thực chữ ký người dịch mà người dịch không phải là cộng tác viên dịch thuật của Ủy ban nhân dân cấp xã"),
        ("2.000992", "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật của Ủy ban nhân dân cấp xã"),
    ]);
    let top = |q: &str| a.ask(q, |_| None).matches[0].code.clone();
    assert_eq!(
        top("toi muon di choi ben Trung vai ngay bang giay thong hanh chu khong lam ho chieu thi lam sao"),
        "1.003494"
    );
    assert_eq!(top("muốn làm hộ chiếu để đi du lịch thì làm sao"), "1.001456");
    assert_eq!(
        top("Tôi là cộng tác viên dịch thuật của xã, chứng thực chữ ký người dịch ở đâu?"),
        "2.000992"
    );
    assert_eq!(
        top("Người dịch không phải là cộng tác viên thì chứng thực chữ ký người dịch ở đâu?"),
        "2.001008"
    );
    // Short: what "chứ không" negates ends with its clause.
    let q = a.query("bé sinh ở nhà chứ không đẻ ở viện nên không có giấy chứng sinh");
    assert!(q.syls.iter().any(|s| s.text == "chung"), "{:?}", q.syls);
    // "chữ không dấu" negates nothing; typed without marks, "chu khong" is read as "chứ không".
    let said = |q: &str, w: &str| a.query(q).syls.iter().any(|s| s.text == w);
    assert!(said("tên trong giấy khai sinh có chữ không dấu, muốn sửa lại", "dau"));
    assert!(!said("di bang giay thong hanh chu khong lam ho chieu", "chieu"));
}

/// A country named where something happened makes it a matter with a foreign element.
#[test]
fn a_country_abroad_is_a_foreign_element() {
    let a = assistant();
    let lent = |q: &str| a.query(q).terms.iter().any(|t| t.text == "nuoc ngoai" && t.weight < 1.0);
    assert!(lent("Tòa án ở Đức đã cho vợ chồng tôi nhận con nuôi, giờ muốn ghi vào sổ"));
    assert!(lent("chồng tôi là người Canada, muốn đăng ký kết hôn"));
    assert!(!lent("người bị tai nạn lao động thì hưởng chế độ gì"), "\"Bỉ\" folds to \"bị\": no rule");
}

/// A matter outside the catalog stays outside when a procedure only mentions it among its
/// papers: a residence card for a foreign worker asks for the work permit, and is no work
/// permit procedure.
#[test]
fn a_matter_mentioned_only_among_papers_is_still_outside() {
    let mut procedures = named_only(&[
        ("1.003460", "Cấp thẻ tạm trú cho người nước ngoài tại Việt Nam tại Công an cấp tỉnh"),
        ("1.013133", "Thủ tục đăng ký nghĩa vụ quân sự lần đầu"),
    ])
    .procedures()
    .to_vec();
    for p in procedures.iter_mut().filter(|p| p.code == "1.003460") {
        p.documents =
            vec!["Giấy phép lao động hoặc giấy xác nhận không thuộc diện cấp giấy phép lao động.".into()];
    }
    let a = Assistant::new(procedures, &[], vec![]);
    let r = a.ask(
        "Công ty tuyển kỹ sư người Ấn Độ, xin giấy phép lao động cho người nước ngoài cần hồ sơ gì?",
        |_| None,
    );
    assert!(!r.confident, "{:?}", r.matches);
    assert!(r.answer.contains("Sở Nội vụ"), "{}", r.answer);
    // A matter a procedure is named for is answered from it.
    let r = a.ask("đăng ký nghĩa vụ quân sự lần đầu ở đâu", |_| None);
    assert!(r.confident && r.matches[0].code == "1.013133", "{}", r.answer);
}

/// Using the portal (an account, a password, following a dossier) is no procedure: the answer
/// says where that is done instead of a procedure that happens to share the words.
#[test]
fn using_the_portal_is_no_procedure() {
    let a = named_only(&[(
        "1.014129",
        "Đăng ký tài khoản trên Hệ thống đăng ký quốc gia về hạn ngạch phát thải khí nhà kính",
    )]);
    for (q, says) in [
        ("Làm thế nào để đăng ký tài khoản trên Cổng Dịch vụ công quốc gia?", "VNeID"),
        ("quen mat khau tai khoan dich vu cong thi lam sao", "VNeID"),
        ("Làm sao tra cứu tình trạng hồ sơ đã nộp?", "Tra cứu hồ sơ"),
    ] {
        let r = a.ask(q, |_| None);
        assert!(!r.confident && r.answer.contains(says), "{q}: {}", r.answer);
    }
    // A procedure named for an account is still answered.
    let r = a.ask("đăng ký tài khoản trên hệ thống hạn ngạch phát thải khí nhà kính", |_| None);
    assert!(r.confident, "{}", r.answer);
}

/// What the national portal's help answers (paying online, a dossier sent back, rating,
/// feedback, withdrawing) is the service's use: said so, with how, rather than a procedure that
/// shares a few words ("hàng hoá … bị trả lại" of a customs procedure). A question that names
/// a procedure is answered from it, the line on the service added.
#[test]
fn using_the_service_is_answered_unless_a_procedure_is_named() {
    let a = named_only(&[("1.007843", "Thủ tục hải quan đối với hàng hoá đã xuất khẩu nhưng bị trả lại")]);
    for (q, says) in [
        ("Hồ sơ nộp trực tuyến bị trả lại thì phải làm gì?", "bổ sung"),
        ("Thanh toán lệ phí trực tuyến trên Cổng dịch vụ công bằng cách nào?", "thanh toán"),
        ("Nộp hồ sơ trực tuyến có cần nộp bản giấy nữa không?", "bản chính"),
        ("Tôi muốn đánh giá sự hài lòng về việc giải quyết thủ tục thì làm ở đâu?", "Tra cứu hồ sơ"),
        ("Làm thế nào để phản ánh, kiến nghị về thủ tục hành chính?", "Phản ánh kiến nghị"),
        ("Có thể đăng nhập Cổng dịch vụ công bằng tài khoản VNeID không?", "định danh điện tử"),
        ("toi muon rut ho so da nop thi lam sao", "bộ phận một cửa"),
        ("quen mat khau dang nhap dich vu cong", "lấy lại"),
        ("tôi nộp hồ sơ trực tuyến rồi có phải mang bản giấy đến không", "bản chính"),
        ("nhận kết quả qua bưu điện được không", "bưu chính công ích"),
        ("hồ sơ của tôi bị quá hạn giải quyết thì khiếu nại ở đâu", "văn bản xin lỗi"),
        ("cán bộ một cửa gây khó dễ thì phản ánh ở đâu", "Phản ánh kiến nghị"),
    ] {
        let r = a.ask(q, |_| None);
        assert!(!r.confident, "{q}: {:?}", r.matches);
        assert!(r.answer.starts_with("Đây là việc dùng dịch vụ công trực tuyến"), "{q}: {}", r.answer);
        assert!(r.answer.contains(says), "{q}: {}", r.answer);
    }
    let r = a.ask("Đăng ký khai sinh thanh toán lệ phí trực tuyến được không?", |_| None);
    assert!(r.confident && r.matches[0].code == "1.001193", "{:?}", r.matches);
    assert!(
        r.answer.contains("Về cách dùng dịch vụ công trực tuyến: Phí, lệ phí nộp trực tuyến"),
        "{}",
        r.answer
    );
    // A dossier of a named procedure sent back for a missing paper: that paper's procedure.
    let r = a.ask(
        "Hồ sơ kết hôn bị trả lại vì thiếu giấy xác nhận tình trạng hôn nhân, xin giấy đó ở đâu?",
        |_| None,
    );
    assert!(r.confident && r.matches[0].code == "1.004873", "{:?} {}", r.matches, r.answer);
}

/// "có … không" asks yes or no; its "có" does not make the question about "khai sinh có yếu tố
/// nước ngoài".
#[test]
fn a_yes_or_no_question_is_not_a_foreign_element() {
    let a = assistant();
    let r = a.ask("đăng ký khai sinh có mất lệ phí không", |_| None);
    assert_eq!((r.matches[0].code.as_str(), r.asks), ("1.001193", Asks::Fee), "{:?}", r.matches);
    let r = a.ask("khai sinh có yếu tố nước ngoài nộp ở đâu", |_| None);
    assert_eq!(r.matches[0].code, "2.000528");
}

/// "thẻ" folds to "thế" and "căn" to "cần", two function words: their pair still says "thẻ
/// căn cước", the most asked-about card, so the cards come first. (Which card, by age, the
/// question does not say; over the national catalog the assistant answers it.)
#[test]
fn a_name_whose_syllables_fold_to_function_words_is_still_found() {
    let a = assistant();
    for q in ["làm thẻ căn cước mất bao nhiêu tiền", "mẹ tôi làm thẻ căn cước mất bao nhiêu tiền"]
    {
        assert!(a.query(q).terms.iter().any(|t| t.text == "the can"), "{q}");
        let r = a.ask(q, |_| None);
        assert!(r.matches.iter().take(3).all(|m| m.name.contains("thẻ căn cước")), "{q}: {:?}", r.matches);
        assert_eq!(r.asks, Asks::Fee);
    }
}

/// A matter of `outside.txt` that the catalog has under its own name, which the lexicon gives
/// ("mã số thuế" is "đăng ký thuế"), is the catalog's where it has that procedure: the first tax
/// registration of a dependant never writes "mã số thuế". Without it, the pointer stays.
#[test]
fn a_matter_the_catalog_has_under_its_own_name_is_the_catalogs() {
    let q = "làm mã số thuế cho người phụ thuộc ở đâu";
    let a = named_only(&[(
        "1.008498",
        "Đăng ký thuế lần đầu đối với người nộp thuế là cá nhân, người phụ thuộc",
    )]);
    let r = a.ask(q, |_| None);
    assert!(r.confident && r.matches[0].code == "1.008498", "{:?} {}", r.matches, r.answer);
    let r = assistant().ask(q, |_| None);
    assert!(!r.confident && r.answer.contains("cơ quan thuế"), "{}", r.answer);
}
