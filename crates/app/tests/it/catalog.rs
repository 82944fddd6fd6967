//! The national records imported into the catalog, on SQLite and PostgreSQL: recognised by
//! content, laid over the hand-compiled records field by field, versioned only where they
//! change, refused whole when a line is bad.

use crate::common::{at, each_backend, open, HandClock};
use domain::catalog::{Confidence, Level};
use domain::Channel;

/// The lines of the portal's records for these codes, in the file's order.
fn portal_lines(codes: &[&str]) -> Vec<String> {
    let path = format!("{}/../../data/catalog/national/portal_2026.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<String> = text
        .lines()
        .filter(|l| codes.iter().any(|c| l.starts_with(&format!("{{\"ma_thu_tuc\": \"{c}\""))))
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), codes.len(), "every code is in the file");
    lines
}

/// Hand-compiled (in the shipped catalog) and published on the portal.
const BIRTH: &str = "1.001193";
/// Only on the portal.
const HEALTH_CARD: &str = "1.001321";
const PESTICIDE: &str = "1.002947";
const CUSTOMS: &str = "1.000005";

#[test]
fn portal_records_are_imported_over_the_hand_compiled_ones_and_versioned_only_when_changed() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 7, 20, 8, 0));
        let app = open(db, &clock);
        let before = app.catalog().get(BIRTH).unwrap().clone();
        let file = portal_lines(&[BIRTH, HEALTH_CARD, PESTICIDE, CUSTOMS]).join("\n");

        let r = app.import_catalog(&file).unwrap();
        assert_eq!((r.format, r.added, r.updated, r.unchanged), ("portal", 3, 1, 0));
        assert_eq!(r.changes.len(), 1);
        assert_eq!(r.changes[0].code, BIRTH);
        assert!(r.changes[0].fields.contains(&"levels".to_string()), "{:?}", r.changes[0].fields);
        let c = app.catalog();
        assert_eq!(c.procedures.len(), 114);

        // The hand-compiled record keeps what it knew better: its name, its aliases, its
        // completed time limit; the portal adds its levels and the record's citation.
        let birth = c.get(BIRTH).unwrap();
        assert_eq!(birth.name, before.name);
        assert_eq!(birth.aliases, before.aliases);
        assert_eq!(birth.channel_terms, before.channel_terms);
        assert_eq!(birth.levels, [Level::Commune]);
        assert!(birth.source_record.as_deref().unwrap().contains("1.001193"));

        // A procedure only the portal has, with its provenance and per-channel terms and fees.
        let card = c.get(HEALTH_CARD).unwrap();
        assert_eq!(card.terms(Channel::Direct).unwrap().limit, calendar::TimeLimit::WorkingDays(7));
        assert_eq!(card.fees[0].amount_vnd, Some(2_000));
        assert_eq!(card.provenance["fee"].source, "Cổng Dịch vụ công quốc gia, cập nhật 07/2026");
        assert_eq!(card.confidence("fee"), Confidence::Medium);
        assert!(card
            .portal_url
            .as_deref()
            .unwrap()
            .starts_with("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d"));
        // No time published: low confidence, and no dossier can be received until it is set.
        let customs = c.get(CUSTOMS).unwrap();
        assert_eq!(customs.confidence("processing_time"), Confidence::Low);

        // The same file again: nothing new.
        let r = app.import_catalog(&file).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged, r.changes.len()), (0, 0, 4, 0));

        // The portal changes one fee: one new version, naming the field.
        let changed =
            file.replacen("2,000 Việt Nam Đồng(2.000 đồng/thẻ)", "3,000 Việt Nam Đồng(3.000 đồng/thẻ)", 1);
        assert_ne!(changed, file);
        let r = app.import_catalog(&changed).unwrap();
        assert_eq!((r.added, r.updated, r.unchanged), (0, 1, 3));
        assert_eq!(r.changes[0].code, HEALTH_CARD);
        assert_eq!(r.changes[0].fields, ["fee"]);
        assert_eq!(app.catalog().get(HEALTH_CARD).unwrap().fees[0].amount_vnd, Some(3_000));
    });
}

#[test]
fn a_bad_line_refuses_the_whole_file_and_names_the_line() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 7, 20, 8, 0));
        let app = open(db, &clock);
        let mut lines = portal_lines(&[HEALTH_CARD, PESTICIDE]);
        lines.insert(1, "{\"ma_thu_tuc\": \"9.999999\", \"cach_thuc_thuc_hien\": \"\"".into());
        let e = app.import_catalog(&lines.join("\n")).unwrap_err();
        assert_eq!(e.code, "invalid_procedure");
        assert!(e.message.contains("dòng 2"), "{}", e.message);
        // A record without a name.
        let nameless = portal_lines(&[HEALTH_CARD])[0].replacen(
            "\"ten_thu_tuc\": \"",
            "\"ten_thu_tuc\": \"\", \"x\": \"",
            1,
        );
        let e = app.import_catalog(&nameless).unwrap_err();
        assert!(e.message.contains("ten_thu_tuc"), "{}", e.message);
        // The same code twice.
        let twice = [lines[0].clone(), lines[0].clone()].join("\n");
        assert!(app.import_catalog(&twice).unwrap_err().message.contains("dòng 1 và dòng 2"));
        // Nothing was written.
        assert_eq!(app.catalog().procedures.len(), 111);
        assert!(app.catalog().get(HEALTH_CARD).is_none());
        // A commune's list of procedures is not a catalog; an unknown format neither.
        let ward = std::fs::read_to_string(format!(
            "{}/../../data/catalog/national/ward_list_tay_nha_trang_2025.jsonl",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert_eq!(app.import_catalog(&ward).unwrap_err().code, "invalid_catalog");
        assert_eq!(app.import_catalog("mã,tên\n1,a").unwrap_err().code, "invalid_catalog");
    });
}

#[test]
fn a_communes_offer_list_puts_its_procedures_first_and_is_replaced_whole() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 7, 20, 8, 0));
        let app = open(db, &clock);
        let path = format!(
            "{}/../../data/catalog/national/ward_list_tay_nha_trang_2025.jsonl",
            env!("CARGO_MANIFEST_DIR")
        );
        let ward = std::fs::read_to_string(path).unwrap();
        // Phường Tây Nha Trang (Khánh Hòa).
        let r = app.import_offers("22390", &ward).unwrap();
        assert_eq!(r.listed, 375);
        assert!(r.offered > 250 && r.in_catalog > 0 && r.in_catalog < r.offered, "{r:?}");
        // Lines without a code that the catalog does not name are reported, not guessed.
        assert!(!r.unresolved.is_empty() && r.unresolved.iter().all(|n| !n.is_empty()));
        assert!(r.by_name <= r.offered);
        let offered = app.offered("22390").unwrap();
        assert_eq!(offered.len(), r.offered);
        // "Thủ tục xác nhận thông tin hộ tịch" by its code; a line whose code is only in its
        // link ("…/ke-khai/2.000986") by the link.
        assert!(offered.contains("2.002516") && offered.contains("2.000986"));
        assert!(app.offered("20242").unwrap().is_empty(), "another commune has no list");

        // The commune's own procedures first, the others after, in the catalog's order.
        let found = app.search_procedures("", &offered);
        let all: Vec<&domain::catalog::Procedure> = found.iter().collect();
        let first_other = all.iter().position(|p| !offered.contains(&p.code)).unwrap();
        assert!(first_other > 0);
        assert!(all[first_other..].iter().all(|p| !offered.contains(&p.code)));
        assert_eq!(all.len(), app.catalog().procedures.len(), "ordered, not restricted");
        // Within each part, the catalog's order.
        let catalog = app.catalog();
        let codes: Vec<&str> = catalog.procedures.iter().map(|p| p.code.as_str()).collect();
        let rank = |c: &str| codes.iter().position(|x| *x == c).unwrap();
        assert!(all[first_other..].windows(2).all(|w| rank(&w[0].code) < rank(&w[1].code)));

        // A new list replaces the old one whole.
        let short: String = ward.lines().take(3).collect::<Vec<_>>().join("\n");
        let r = app.import_offers("22390", &short).unwrap();
        assert_eq!((r.listed, app.offered("22390").unwrap().len()), (3, r.offered));

        // Refused: an unknown commune, a line that is not a record; nothing changes.
        assert_eq!(app.import_offers("99999", &ward).unwrap_err().code, "unknown_commune");
        let e = app.import_offers("22390", &format!("{short}\n{{oops")).unwrap_err();
        assert!(e.message.contains("dòng 4"), "{}", e.message);
        assert_eq!(app.offered("22390").unwrap().len(), r.offered);
    });
}

#[test]
fn the_assistant_answers_a_commune_with_the_procedure_it_offers_among_close_ones() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 7, 20, 8, 0));
        let app = open(db, &clock);
        let q = "đăng ký khai sinh";
        let plain = app.assistant().ask(q, None, None).unwrap().reply;
        let (first, second) = (plain.matches[0].code.clone(), plain.matches[1].code.clone());
        // Hải Châu offers the second variant (and not the first).
        let list =
            format!("{{\"ten_thu_tuc\": \"{}\", \"ma_thu_tuc\": \"{second}\"}}", plain.matches[1].name);
        app.import_offers("20242", &list).unwrap();
        let asked = app.assistant().ask_at(q, None, Some("20242"), None).unwrap();
        assert_eq!(asked.reply.matches[0].code, second);
        assert_eq!(asked.province_code.as_deref(), Some("48"), "the commune's province");
        // An official of the commune asks from it.
        let officer = app::Actor {
            username: "lan".into(),
            role: Some(domain::roles::Role::Officer),
            scope: domain::roles::Scope::Commune { province: "48".into(), commune: "20242".into() },
            department: None,
        };
        assert_eq!(app.assistant().ask(q, None, Some(&officer)).unwrap().reply.matches[0].code, second);
        // Another commune, without a list: the catalog's order.
        assert_eq!(
            app.assistant().ask_at(q, None, Some("20257"), None).unwrap().reply.matches[0].code,
            first
        );
        assert_eq!(app.assistant().ask_at(q, None, Some("99999"), None).unwrap_err().code, "unknown_commune");
    });
}
