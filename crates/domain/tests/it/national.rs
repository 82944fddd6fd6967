//! The national records read as a person reads them: each expectation below was read by hand
//! from the record's published text (quoted beside it), across units, channels and fee styles.

use calendar::TimeLimit;
use domain::catalog::{Catalog, Level, LimitSource};
use domain::national::{self, Format, Record, Unit};
use domain::Channel;
use std::collections::HashMap;
use std::sync::OnceLock;

fn data(file: &str) -> String {
    let path = format!("{}/../../data/catalog/national/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The portal's records by code, read once.
fn portal() -> &'static HashMap<String, Record> {
    static P: OnceLock<HashMap<String, Record>> = OnceLock::new();
    P.get_or_init(|| {
        data("portal_2026.jsonl")
            .lines()
            .map(|l| national::portal_record(l).unwrap())
            .map(|r| (r.code.clone(), r))
            .collect()
    })
}

fn record(code: &str) -> &'static Record {
    &portal()[code]
}

/// A limit's value and unit.
type Read = Option<(u32, Option<Unit>)>;

/// (channel, value and unit) of each channel's limit.
fn limits(r: &Record) -> Vec<(Channel, Read)> {
    r.offers.iter().map(|o| (o.channel, o.limit.as_ref().map(|l| (l.value, l.unit)))).collect()
}

fn vnd(r: &Record, c: Channel) -> Vec<u64> {
    let o = r.offers.iter().find(|o| o.channel == c).unwrap();
    o.fee.amounts.iter().filter(|a| a.currency == "VND").map(|a| a.value).collect()
}

fn doubts(r: &Record, field: &str) -> usize {
    r.doubts.iter().filter(|(k, _)| k == field).count()
}

#[test]
fn every_record_of_both_files_is_read() {
    assert_eq!(portal().len(), 2642);
    let structured: Vec<Record> = data("defence_structured_2025.jsonl")
        .lines()
        .map(|l| national::structured_record(l).unwrap())
        .collect();
    assert_eq!(structured.len(), 207);
    assert_eq!(Format::detect(&data("portal_2026.jsonl")), Some(Format::Portal));
    assert_eq!(Format::detect(&data("defence_structured_2025.jsonl")), Some(Format::Structured));
    assert_eq!(Format::detect(&data("ward_list_tay_nha_trang_2025.jsonl")), Some(Format::OfferList));
    assert_eq!(Format::detect(domain::catalog::BUILTIN_CATALOG_JSON), Some(Format::Catalog));
    assert_eq!(Format::detect("hello"), None);
    // Every link kept names a procedure; none is the portal's "/0".
    for r in portal().values() {
        if let Some(u) = &r.url {
            assert!(
                u.starts_with("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/") && !u.ends_with("/0"),
                "{u}"
            );
        }
    }
}

#[test]
fn channels_times_and_fees_as_published() {
    // "Trực tiếp7 Ngày làm việc2,000 Việt Nam Đồng(2.000 đồng/thẻ)"
    let r = record("1.001321");
    assert_eq!(limits(r), [(Channel::Direct, Some((7, Some(Unit::WorkingDays))))]);
    assert_eq!(vnd(r, Channel::Direct), [2_000]);
    assert_eq!(r.offers[0].fee.note.as_deref(), Some("2.000 đồng/thẻ"));
    assert_eq!(r.levels, [Level::Province]);

    // "Trực tuyến2 Ngày làm việcKhông có thông tinDịch vụ bưu chính2 Ngày làm việc…Trực tiếp…"
    let r = record("1.002861");
    assert_eq!(r.offers.len(), 3);
    assert!(r
        .offers
        .iter()
        .all(|o| o.limit.as_ref().map(|l| (l.value, l.unit)) == Some((2, Some(Unit::WorkingDays)))));
    assert!(r.offers.iter().all(|o| o.fee.unstated()), "nothing said about the fee");

    // "Trực tuyến2 GiờMiễn phíTrực tiếp2 GiờMiễn phí"
    let r = record("1.012470");
    assert_eq!(
        limits(r),
        [(Channel::Direct, Some((2, Some(Unit::Hours)))), (Channel::Online, Some((2, Some(Unit::Hours))))]
    );
    assert!(r.offers.iter().all(|o| o.fee.free));

    // "Dịch vụ bưu chính30 NgàyMiễn phíTrực tiếp30 NgàyMiễn phí"
    let r = record("1.007657");
    assert_eq!(
        limits(r),
        [(Channel::Direct, Some((30, Some(Unit::Days)))), (Channel::Postal, Some((30, Some(Unit::Days))))]
    );

    // "Trực tuyến5 Ngày làm việc10 USD(/lần)…" in three channels.
    let r = record("1.000771");
    let o = &r.offers[0];
    assert_eq!((o.fee.amounts[0].value, o.fee.amounts[0].currency.as_str()), (10, "USD"));

    // "Trực tiếp4 Tháng2,500,000 VNĐ(đồng/lần …)": months, kept as such.
    let r = record("1.002947");
    assert_eq!(limits(r)[0].1, Some((4, Some(Unit::Months))));
    assert_eq!(vnd(r, Channel::Direct), [2_500_000]);
}

#[test]
fn what_cannot_be_read_for_sure_is_kept_and_marked() {
    // "Trực tuyến120,000 VNĐ(Theo khoản 1 Điều 3 Thông tư số 172/2010/TT-BTC…)": no time.
    let r = record("1.000005");
    assert_eq!(limits(r), [(Channel::Online, None)]);
    assert_eq!(vnd(r, Channel::Online), [120_000]);
    assert_eq!(doubts(r, "processing_time"), 1);

    // "Trực tuyến15 Ngày20 VNĐ(20.000 vnđ /tờ khai)": the page shows thousands; the note says
    // the amount in đồng.
    let r = record("1.000034");
    assert_eq!(limits(r)[0].1, Some((15, Some(Unit::Days))));
    assert_eq!(vnd(r, Channel::Online), [20_000]);
    assert_eq!(doubts(r, "fee"), 0);

    // "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)": a time of 1 without its unit glued to 20
    // (thousand) đồng, as the note confirms; the time stays without a unit, and doubtful.
    let r = record("1.000014");
    assert_eq!(limits(r)[0].1, Some((1, None)));
    assert_eq!(vnd(r, Channel::Online), [20_000]);
    assert_eq!(doubts(r, "processing_time"), 2);

    // "Dịch vụ bưu chính125 VNĐTrực tiếp125 VNĐ": nothing confirms what 125 is: kept, doubtful.
    let r = record("2.002069");
    assert_eq!(vnd(r, Channel::Postal), [125]);
    assert!(doubts(r, "fee") >= 1);
}

#[test]
fn documents_with_their_counts_cases_and_forms() {
    // "Văn bản đề nghị cấp lại Giấy chứng nhận1 bản chính,1 bản saoBản chính Giấy chứng nhận
    // (đối với trường hợp bị hỏng)1 bản chính,1 bản sao"
    let r = record("1.011873");
    let docs: Vec<(&str, u32, u32)> =
        r.documents.iter().map(|d| (d.name.as_str(), d.originals, d.copies)).collect();
    assert_eq!(
        docs,
        [
            ("Văn bản đề nghị cấp lại Giấy chứng nhận", 1, 1),
            ("Bản chính Giấy chứng nhận (đối với trường hợp bị hỏng)", 1, 1)
        ]
    );
    // "Hồ sơ của người nhận con nuôiTên giấy tờ…Đơn xin nhận con nuôi1.nxinnhnconnui.doc1 bản
    // chính…", written with combining marks on the page.
    let r = record("1.003213");
    let d = r.documents.iter().find(|d| d.name == "Đơn xin nhận con nuôi").unwrap();
    assert_eq!(d.case.as_deref(), Some("Hồ sơ của người nhận con nuôi"));
    assert_eq!((d.form.as_deref(), d.originals, d.copies), (Some("1.nxinnhnconnui.doc"), 1, 0));
    // "…(nếu có);Mau02-DS(BHYT).doc1 bản chính": a form's name from its start.
    let r = record("1.001321");
    let d = r.documents.iter().find(|d| d.form.as_deref() == Some("Mau02-DS(BHYT).doc")).unwrap();
    assert!(d.name.ends_with("(nếu có)"), "{}", d.name);
    // "…khai và nộp 02 bản chính tờ khai hàng hóa nhập khẩu…;1 bản chính": the count in the
    // name's own words is not the cell's.
    let r = record("1.000005");
    assert_eq!((r.documents[0].originals, r.documents[0].copies), (1, 0));
    assert_eq!(r.documents[0].case.as_deref(), Some("1. Chứng từ phải nộp"));
    // "…Nghị định số 41/2026/NĐ-CP.Mẫu số 04.docx1 bản chính": the form's file name opens with
    // "Mẫu số", glued to the name's closing full stop; neither is the document's.
    let d = &record("1.004359").documents[0];
    assert!(d.name.ends_with("Nghị định số 41/2026/NĐ-CP"), "{}", d.name);
    assert_eq!(d.form.as_deref(), Some("Mẫu số 04.docx"));
    // No document of the file keeps such a label glued to its name (662 did).
    let glued: Vec<&str> = portal()
        .values()
        .flat_map(|r| &r.documents)
        .map(|d| d.name.as_str())
        .filter(|n| {
            ["Mẫu số", "Mẫu", "Mau"].iter().any(|l| n.strip_suffix(l).is_some_and(|h| !h.ends_with(' ')))
        })
        .collect();
    assert!(glued.is_empty(), "{} names, e.g. {:?}", glued.len(), &glued[..glued.len().min(3)]);
}

#[test]
fn legal_basis_titles_and_numbers() {
    // "Luật 54/2014/QH1354/2014/QH13Thông tư 92/2015/TT-BTC92/2015/TT-BTCLuật 78/2006/QH1178/2006/QH11"
    let law: Vec<(String, String)> =
        record("1.000005").legal.iter().map(|l| (l.number.clone(), l.title.clone())).collect();
    assert_eq!(
        law,
        [
            ("54/2014/QH13".into(), "Luật 54/2014/QH13".into()),
            ("92/2015/TT-BTC".into(), "Thông tư 92/2015/TT-BTC".into()),
            ("78/2006/QH11".into(), "Luật 78/2006/QH11".into())
        ]
    );
    // "…Quy định về hoạt động vận tải đường bộ158/2024/NĐ-CP": a title without its number.
    let l = &record("1.002861").legal;
    assert_eq!(
        (l[0].number.as_str(), l[0].title.as_str()),
        ("158/2024/NĐ-CP", "Quy định về hoạt động vận tải đường bộ")
    );
    // A title the page wrapped over lines is read on one: "…của\nThống đốc…".
    let l = &record("2.001077").legal;
    let amended = l.iter().find(|l| l.number == "16/2026/TT-NHNN").expect("the amending circular");
    assert!(
        amended.title.contains("Thông tư số 25/2013/TT-NHNN của Thống đốc Ngân hàng"),
        "{}",
        amended.title
    );
    assert!(l.iter().all(|l| !l.title.contains('\n')));
    // A title closing with a year, then the number column: "…ngày 29/6/2024" + "43/2024/QH15",
    // "…sửa đổi 2023" + "23/2023/QH15".
    let l = &record("1.004359").legal;
    assert_eq!(l[0].title, "Luật Đất đai ngày 18/01/2024");
    assert_eq!(
        (l[1].number.as_str(), l[1].title.as_str()),
        ("43/2024/QH15", "Luật số 43/2024/QH15 ngày 29/6/2024")
    );
    let l = &record("1.001146").legal;
    assert_eq!(l[1].number, "23/2023/QH15");
    assert!(l[1].title.ends_with("sửa đổi 2023"), "{}", l[1].title);
    // The number column's kind glued to the title: "…nông nghiệp và môi trườngLuật số
    // 146/2025/QH15", "LuậtLuật 18/2017/QH14".
    let l = &record("1.004478").legal;
    assert_eq!(
        (l[0].number.as_str(), l[0].title.as_str()),
        (
            "146/2025/QH15",
            "Luật sửa đổi, bổ sung một số điều của 15 luật trong lĩnh vực nông nghiệp và môi trường"
        )
    );
    assert!(l.iter().any(|l| (l.number.as_str(), l.title.as_str()) == ("18/2017/QH14", "Luật")), "{l:?}");
    let kinds = ["Luật", "Luật số", "Thông tư", "Thông tư số", "Nghị định", "Nghị định số", "Quyết định số"];
    let glued: Vec<&str> = portal()
        .values()
        .flat_map(|r| &r.legal)
        .map(|l| l.title.as_str())
        .filter(|t| kinds.iter().any(|k| t.strip_suffix(k).is_some_and(|h| h.ends_with(char::is_lowercase))))
        .collect();
    assert!(glued.is_empty(), "{} titles, e.g. {:?}", glued.len(), &glued[..glued.len().min(3)]);
    // Whatever year closes the title: "…năm 2024" + "230/2025/NĐ-CP".
    let numbers: Vec<String> =
        ["1.004359", "1.001146"].iter().flat_map(|c| record(c).legal.clone()).map(|l| l.number).collect();
    assert!(numbers.iter().all(|n| n.split('/').next().unwrap().len() <= 4), "{numbers:?}");
}

#[test]
fn the_pages_own_cells_are_no_part_of_a_record() {
    // "Không có thông tinTừ khóaKhông có thông tinMô tảKhông có thông tin": no conditions.
    assert_eq!(record("1.000014").conditions, None);
    // "…sát hạch lái xe.\nTừ khóa:": the conditions without the page's keywords.
    let c = record("1.001765").conditions.clone().unwrap();
    assert!(c.ends_with("hoạt động đào tạo và sát hạch lái xe."), "{c}");
    // "…Mã: KQ.G04.000352Từ khóa…Chọn cơ quan thực hiệnTỉnh/ Thành phố…": the result's name.
    assert!(record("1.000010").result.as_deref().unwrap().ends_with("ô nhiễm môi trường tàu biển."));
    let left: Vec<&str> = portal()
        .values()
        .flat_map(|r| [r.conditions.as_deref(), r.result.as_deref()])
        .flatten()
        .filter(|t| t.contains("Từ khóa") || t.contains("Chọn cơ quan thực hiện"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // Conditions stored by an earlier import read the same.
    let stored = serde_json::json!({"procedures": [{
        "code": "1.000014", "name": "Thủ tục x",
        "conditions": "Không có thông tinTừ khóaKhông có thông tinMô tảKhông có thông tin",
    }, {
        "code": "1.001765", "name": "Thủ tục y",
        "conditions": "Là công dân Việt Nam.\nTừ khóa:",
    }]});
    let c = Catalog::parse(&stored.to_string()).unwrap();
    assert_eq!(c.get("1.000014").unwrap().conditions, None);
    assert_eq!(c.get("1.001765").unwrap().conditions.as_deref(), Some("Là công dân Việt Nam."));
}

#[test]
fn levels_one_or_several() {
    assert_eq!(national::levels("Cấp bộ, Cấp tỉnh"), [Level::Ministry, Level::Province]);
    assert_eq!(national::level_summary(&national::levels("Cấp bộ, Cấp tỉnh")), Level::MultiLevel);
    assert_eq!(national::level_summary(&national::levels("Cấp tỉnh, Cấp xã")), Level::CommuneAndProvince);
    assert_eq!(national::level_summary(&national::levels("Cấp xã")), Level::Commune);
    assert_eq!(national::levels("Cơ quan khác"), [Level::OtherAgency]);
    assert_eq!(national::level_summary(&[]), Level::Unverified);
}

#[test]
fn published_limits_in_every_form() {
    let read = |s: &str| national::limit(s).map(|(l, _)| (l.from, l.value, l.unit));
    assert_eq!(read("7 Ngày làm việc"), Some((None, 7, Some(Unit::WorkingDays))));
    assert_eq!(read("15 - 20 ngày"), Some((Some(15), 20, Some(Unit::Days))));
    assert_eq!(read("từ 5 đến 7 ngày làm việc"), Some((Some(5), 7, Some(Unit::WorkingDays))));
    assert_eq!(read("không quá 10 ngày làm việc"), Some((None, 10, Some(Unit::WorkingDays))));
    assert_eq!(read("Trong ngày"), Some((None, 0, Some(Unit::SameDay))));
    assert_eq!(read("3 Tháng"), Some((None, 3, Some(Unit::Months))));
    assert_eq!(read("1 Năm"), Some((None, 1, Some(Unit::Years))));
    assert_eq!(read("2 tuần"), Some((None, 14, Some(Unit::Days))));
    assert_eq!(read("1 (đơn vị không hiển thị)"), Some((None, 1, None)));
    assert_eq!(read("20,000 VNĐ"), None, "money, not a time");
    assert_eq!(read("Miễn phí"), None);
}

#[test]
fn the_structured_export_reads_its_tables() {
    let text = data("defence_structured_2025.jsonl");
    let line = text.lines().find(|l| l.contains("\"1.013124\"")).unwrap();
    let r = national::structured_record(line).unwrap();
    // hinh_thuc_nop: three rows, "30 Ngày làm việc", "Phí : 0 Đồng".
    assert_eq!(r.offers.len(), 3);
    assert!(r
        .offers
        .iter()
        .all(|o| o.limit.as_ref().map(|l| (l.value, l.unit)) == Some((30, Some(Unit::WorkingDays)))));
    assert!(r.offers.iter().all(|o| o.fee.free), "a fee of 0 đồng is free");
    // thanh_phan_ho_so: "Bản chính: 1\nBản sao: 0", the form in "so_luong".
    assert_eq!((r.documents.len(), r.documents[1].originals, r.documents[1].copies), (2, 1, 0));
    assert_eq!(r.documents[1].form.as_deref(), Some("5-PHLCII.doc"));
    assert_eq!(r.legal[0].number, "12/2021/QĐ-TTg");
    assert_eq!((r.levels.as_slice(), r.url.as_deref()), ([Level::Ministry].as_slice(), None));
}

#[test]
fn a_record_becomes_a_procedure_of_the_catalog() {
    let label = national::origin_label(Format::Portal, portal().values().map(|r| r.source.as_str()));
    assert_eq!(label, "Cổng Dịch vụ công quốc gia, cập nhật 07/2026");
    let bodies: Vec<_> = ["1.001321", "1.000005", "1.002947", "1.000014"]
        .iter()
        .map(|c| record(c).to_catalog(&label))
        .collect();
    let c = Catalog::parse(&serde_json::json!({ "procedures": bodies }).to_string()).unwrap();
    let p = c.get("1.001321").unwrap();
    assert_eq!(p.terms(Channel::Direct).unwrap().limit, TimeLimit::WorkingDays(7));
    assert_eq!((p.fees[0].amount_vnd, p.fees[0].summary.as_str()), (Some(2_000), "2.000 đồng"));
    assert!(p.direct && !p.online && !p.postal);
    assert_eq!(p.provenance["fee"].source, label);
    assert!(p.source_record.as_deref().unwrap().starts_with("github:"));
    // No time: no terms, and the doubt said in the provenance.
    let p = c.get("1.000005").unwrap();
    assert!(p.terms(Channel::Online).is_none());
    assert_eq!(p.confidence("processing_time"), domain::catalog::Confidence::Low);
    assert!(p.provenance["processing_time"].source.contains("không ghi thời hạn"));
    // Months: counted by the calendar as months.
    let p = c.get("1.002947").unwrap();
    assert_eq!(
        (p.channel_terms[0].source, p.channel_terms[0].published.as_str()),
        (LimitSource::Portal, "4 Tháng")
    );
    assert_eq!(p.terms(Channel::Direct).unwrap().limit, TimeLimit::Months(4));
    // A bare number: its unit unknown.
    let p = c.get("1.000014").unwrap();
    assert_eq!(p.channel_terms[0].source, LimitSource::Unknown);
    // A ministry's export says where it comes from, in words a citizen reads after "theo".
    let text = data("defence_structured_2025.jsonl");
    let records: Vec<Record> = text.lines().map(|l| national::structured_record(l).unwrap()).collect();
    let label = national::origin_label(Format::Structured, records.iter().map(|r| r.source.as_str()));
    let r = records.iter().find(|r| r.code == "1.013133").unwrap();
    let c = Catalog::parse(&serde_json::json!({ "procedures": [r.to_catalog(&label)] }).to_string()).unwrap();
    let p = c.get("1.013133").unwrap();
    assert_eq!(p.origin.as_deref(), Some("bản xuất chi tiết thủ tục hành chính của bộ, cập nhật 12/2025"));
    assert_eq!(
        domain::plain::source_line(p),
        "theo bản xuất chi tiết thủ tục hành chính của bộ, cập nhật 12/2025"
    );
}

#[test]
fn a_fee_is_set_elsewhere_only_when_its_words_say_so() {
    // "Miễn phí(theo quy định của pháp luật về phí, lệ phí)": free, not an amount set elsewhere.
    let r = record("1.000060");
    assert!(r.offers.iter().all(|o| o.fee.free && !o.fee.set_elsewhere));
    // "150,000 Việt Nam Đồng(- Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định …)": an
    // amount, which the province's council sets.
    let r = record("1.001612");
    let online = r.offers.iter().find(|o| o.channel == Channel::Online).unwrap();
    assert_eq!((vnd(r, Channel::Online), online.fee.set_elsewhere), (vec![150_000], true));
    // A description saying "theo quy định" about the time says nothing of the fee.
    let r = record("1.001046");
    assert!(r.offers.iter().all(|o| !o.fee.set_elsewhere), "{:?}", r.offers);
}
