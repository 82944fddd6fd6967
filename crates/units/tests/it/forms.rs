//! The ways people really write addresses, each checked against the official codes.

use proptest::prelude::*;
use units::{registry, AddressForm, AddressParser, AltReason};

fn codes(addr: &str) -> (String, String) {
    let r = registry();
    let c = AddressParser::new().convert(addr);
    (
        c.province.map_or(String::new(), |p| r.provinces[p as usize].code.to_string()),
        c.commune.map_or(String::new(), |w| r.communes[w as usize].code.to_string()),
    )
}

fn commune_name(addr: &str) -> String {
    let r = registry();
    AddressParser::new()
        .convert(addr)
        .commune
        .map_or(String::new(), |w| r.communes[w as usize].name.to_string())
}

#[test]
fn hcm_abbreviations_numbered_wards_and_english() {
    // Phường 12, Quận 10 (old code 27172) became Phường Hòa Hưng (27163).
    for a in [
        "Phường 12, Quận 10, Thành phố Hồ Chí Minh",
        "P.12, Q.10, TP.HCM",
        "P12 Q10 HCM",
        "F12, Q10, Sài Gòn",
        "Ward 12, District 10, Ho Chi Minh City",
        "phuong 12 quan 10 tp ho chi minh",
        "Phường 012, Quận 10, TPHCM, Việt Nam",
    ] {
        assert_eq!(codes(a), ("79".into(), "27163".into()), "{a}");
    }
}

#[test]
fn district_numbers_need_their_district() {
    // Phường 12 exists in many districts: Quận 10's is not Gò Vấp's.
    assert_ne!(codes("Phường 12, Quận Gò Vấp, TP.HCM").1, codes("Phường 12, Quận 10, TP.HCM").1);
}

#[test]
fn thu_duc_absorbed_districts_2_and_9() {
    // Phường Thảo Điền was in Quận 2, which became Thành phố Thủ Đức in 2021.
    let a = commune_name("Phường Thảo Điền, Quận 2, TP.HCM");
    let b = commune_name("Phường Thảo Điền, TP Thủ Đức, TP.HCM");
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[test]
fn old_province_names_and_aliases() {
    // Bắc Giang merged into Bắc Ninh (24); Thừa Thiên Huế is now Thành phố Huế (46).
    assert_eq!(codes("Xã Yên Lư, Huyện Yên Dũng, Tỉnh Bắc Giang").0, "24");
    assert_eq!(codes("Phường Phú Hội, TP Huế, Thừa Thiên Huế").0, "46");
    assert_eq!(codes("Phường Phú Hội, TP Huế, TT-Huế").0, "46");
    assert_eq!(codes("Phường 1, TP Vũng Tàu, BR-VT").0, "79");
    assert_eq!(codes("Phường Ba Đình, HN").1, "00004");
    assert_eq!(codes("Phường Ba Đình, Hà Nội").1, "00004");
}

#[test]
fn new_two_level_form() {
    assert_eq!(codes("Xã Mường Khoa, Tỉnh Lai Châu"), ("12".into(), "03601".into()));
    let c = AddressParser::new().convert("Phường Ba Đình, Thành phố Hà Nội");
    assert_eq!(c.form, AddressForm::New);
}

#[test]
fn noise_diacritics_case_nfd_order_postcode_country() {
    let want = codes("Xã Mường Khoa, Tỉnh Lai Châu");
    let nfd: String = unicode_nfd("Xã Mường Khoa, Tỉnh Lai Châu");
    for a in [
        "xa muong khoa, tinh lai chau",
        "XÃ MƯỜNG KHOA - LAI CHÂU",
        nfd.as_str(),
        "Lai Châu, Mường Khoa",
        "154 Hai Bà Trưng, X.Mường Khoa, Lai Châu 96000",
        "Mường Khoa, Lai Châu, Việt Nam",
    ] {
        assert_eq!(codes(a), want, "{a}");
    }
}

fn unicode_nfd(s: &str) -> String {
    // Decompose by folding each precomposed letter back through its parts: the tone and mark
    // of "ườ" become combining characters after "u"/"o".
    let mut out = String::new();
    for c in s.chars() {
        match vi_text::fold_char(c) {
            vi_text::Letter::Alnum { base, mark, tone } if !c.is_ascii() => {
                let b = if c.is_uppercase() { (base as char).to_ascii_uppercase() } else { base as char };
                out.push(if mark == vi_text::Mark::Stroke { c } else { b });
                match mark {
                    vi_text::Mark::Circumflex => out.push('\u{302}'),
                    vi_text::Mark::Breve => out.push('\u{306}'),
                    vi_text::Mark::Horn => out.push('\u{31B}'),
                    _ => {}
                }
                match tone {
                    vi_text::Tone::Acute => out.push('\u{301}'),
                    vi_text::Tone::Grave => out.push('\u{300}'),
                    vi_text::Tone::Hook => out.push('\u{309}'),
                    vi_text::Tone::Tilde => out.push('\u{303}'),
                    vi_text::Tone::Dot => out.push('\u{323}'),
                    vi_text::Tone::Level => {}
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn old_tone_placement_is_the_same_name() {
    assert_eq!(
        codes("Xã Vĩnh Hoà, Huyện Vĩnh Lộc, Tỉnh Thanh Hoá"),
        codes("Xã Vĩnh Hòa, Huyện Vĩnh Lộc, Tỉnh Thanh Hóa")
    );
}

#[test]
fn typos_are_corrected() {
    let want = codes("Xã Xương Lâm, Huyện Lạng Giang, Tỉnh Bắc Giang");
    assert!(!want.1.is_empty());
    for a in [
        "Xa Xuoong Lam, Huyen Lang Giang, T.Bac Giang",
        "Xã Xương Lââm, Huyện Lạng Giang, Bắc Giang",
        "Xã Xưong Lâm, Huyện Lạng Gaing, Bắc Giang",
    ] {
        assert_eq!(codes(a), want, "{a}");
    }
}

#[test]
fn missing_district_and_missing_province() {
    let want = codes("Xã Xuân Giang, Huyện Xuân Trường, Tỉnh Nam Định");
    assert_eq!(codes("Xã Xuân Giang, Nam Định"), want);
    assert_eq!(codes("xa xuan giang, huyen xuan truong"), want);
}

#[test]
fn split_communes_list_their_parts() {
    // Phường Đa Kao (Quận 1) was split between Phường Sài Gòn and Phường Tân Định.
    let r = registry();
    let c = AddressParser::new().convert("Phường Đa Kao, Quận 1, TP.HCM");
    let mut all: Vec<&str> = c
        .alternatives
        .iter()
        .filter(|a| a.reason == AltReason::Split)
        .map(|a| r.communes[a.commune as usize].code)
        .collect();
    all.push(r.communes[c.commune.unwrap() as usize].code);
    all.sort();
    assert_eq!(all, ["26737", "26740"]);
    assert!(c.confidence < 1.0);
}

#[test]
fn street_part_is_returned() {
    let a = "147/56 Trần Quang Khải, Xã Phú Thủy, Huyện Lệ Thủy, Quảng Bình";
    let c = AddressParser::new().convert(a);
    assert_eq!(c.street(a), "147/56 Trần Quang Khải");
    assert_eq!(c.form, AddressForm::Old);
}

#[test]
fn nothing_recognisable_gives_an_empty_low_confidence_result() {
    let mut p = AddressParser::new();
    for a in ["", "   ", "????", "hello world", "12345"] {
        let c = p.convert(a);
        assert!(c.commune.is_none() && c.province.is_none(), "{a}");
        assert_eq!(c.confidence, 0.0);
    }
}

/// A province-level code, and a commune inside it when there is one: never a commune of
/// another province.
fn consistent(c: &units::Conversion) -> bool {
    let r = registry();
    match (c.province, c.commune) {
        (Some(p), Some(w)) => r.communes[w as usize].province == p,
        (None, Some(_)) => false,
        _ => true,
    }
}

proptest! {
    // PROPTEST_CASES raises the count for a longer local run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1500),
    ))]

    #[test]
    fn any_text_never_panics_and_stays_consistent(s in "\\PC{0,200}") {
        let c = AddressParser::new().convert(&s);
        prop_assert!(consistent(&c));
        prop_assert!((0.0..=1.0).contains(&c.confidence));
    }

    #[test]
    fn random_edits_of_real_addresses_never_panic(
        idx in 0usize..10035,
        edits in proptest::collection::vec((0usize..200, 0u8..4, proptest::char::any()), 0..8),
    ) {
        let r = registry();
        let lc = &r.legacy_communes[idx];
        let d = r.district_of(lc);
        let mut chars: Vec<char> = format!("{}, {}, {}", lc.name, d.name, r.legacy_province_of(d).name).chars().collect();
        for (pos, op, ch) in edits {
            let pos = pos % (chars.len() + 1);
            match op {
                0 => chars.insert(pos, ch),
                1 if pos < chars.len() => { chars.remove(pos); }
                2 if pos < chars.len() => chars[pos] = ch,
                _ if pos + 1 < chars.len() => chars.swap(pos, pos + 1),
                _ => {}
            }
        }
        let s: String = chars.into_iter().collect();
        let c = AddressParser::new().convert(&s);
        prop_assert!(consistent(&c));
    }

    #[test]
    fn very_long_inputs_are_handled(n in 0usize..5000) {
        let s = "Xã Mường Khoa, ".repeat(n);
        let c = AddressParser::new().convert(&s);
        prop_assert!(consistent(&c));
    }
}

#[test]
fn codes_only_parser_agrees_on_everything_but_the_details() {
    let mut full = AddressParser::new();
    let mut lean = AddressParser::codes_only();
    for a in [
        "12 Lê Lợi, Phường Đa Kao, Quận 1, TP.HCM",
        "Xa Xuoong Lam, Huyen Lang Giang, T.Bac Giang",
        "Phuoc Binh, Long Thanh",
        "không có gì",
    ] {
        let (f, l) = (full.convert(a), lean.convert(a));
        assert_eq!(
            (f.province, f.commune, f.form, f.legacy, f.confidence),
            (l.province, l.commune, l.form, l.legacy, l.confidence),
            "{a}"
        );
        assert!(l.alternatives.is_empty() && l.rest.is_empty());
    }
}

#[test]
fn a_street_named_like_a_district_does_not_hide_the_commune() {
    // "Hai Bà Trưng" is a street here, and a district of Hà Nội: the commune of Lai Châu must
    // still be found when no province is written.
    assert_eq!(codes("154 Hai Bà Trưng, Mường Khoa"), ("12".into(), "03601".into()));
    assert_eq!(codes("12 Hai Ba Trung, Xa Muong Khoa"), ("12".into(), "03601".into()));
}

#[test]
fn a_hamlet_number_before_a_dash_is_no_house_number() {
    // "Khu phố 2 - Nam Khánh Vĩnh": the number ends the hamlet, the commune comes after the
    // dash. Without a dash, "2 Nam Khánh Vĩnh" could be a house number on a street.
    for a in [
        "Khu phố 2 - Nam Khánh Vĩnh - Khánh Hòa",
        "Ấp 3 - Nam Cửa Việt - Quảng Trị",
        "Khóm 4 - Đông Tiền Hải - Hưng Yên",
    ] {
        let c = AddressParser::new().convert(a);
        assert_eq!(c.form, AddressForm::New, "{a}");
        let want = a.split(" - ").nth(1).unwrap();
        assert!(commune_name(a).ends_with(want), "{a}: {}", commune_name(a));
    }
}

#[test]
fn a_part_typed_without_accents_is_not_read_as_unaccented() {
    // Accents in "Giá Rai" say nothing of "Phong Thanh Tay", typed before without any:
    // it is still Phong Thạnh Tây, not a commune whose name really has no mark.
    let full = codes("Phong Thạnh Tây, Giá Rai, Bạc Liêu");
    assert!(!full.1.is_empty());
    assert_eq!(codes("Phong Thanh Tay, Giá Rai, Bac Lieu"), full);
    assert_eq!(codes("Phong Thanh Tay, Giá Rai, Bạc Liêu"), full);
}

#[test]
fn an_unknown_word_glued_to_a_name_is_tried_as_a_typo_of_it() {
    // The exact syllables "Vinh" and "Binh" name communes too; the misspelt second syllable
    // right after them says the name goes on.
    for (typo, right) in [
        ("X. Vinh Hoaa - Giong Rieng - Kien Giang", "X. Vinh Hoa - Giong Rieng - Kien Giang"),
        ("Binh Trugn - Cao Loc - Lang Son", "Binh Trung - Cao Loc - Lang Son"),
    ] {
        assert!(!codes(right).1.is_empty());
        assert_eq!(codes(typo), codes(right), "{typo}");
    }
}
