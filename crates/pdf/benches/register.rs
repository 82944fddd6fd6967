//! The register (Form 07) printed: a commune's month (400 dossiers, about 20 pages across A4)
//! and the largest file allowed (5,000). `cargo bench -p pdf --bench register`
//! (docs/benchmarks.md).

use chrono::NaiveDate;

fn main() {
    divan::main();
}

fn register(rows: usize) -> domain::papers::Paper {
    let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
    let rows = (0..rows)
        .map(|i| {
            vec![
                format!("20242-2612{:02}-{i:04}", i % 28 + 1),
                "1.004873".into(),
                "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân".into(),
                "Nguyễn Thị Ánh Tuyết".into(),
                "Trực tuyến".into(),
                "Đã trả kết quả".into(),
                "01/12/2026 08:15".into(),
                "03/12/2026 17:00".into(),
                "02/12/2026 10:40".into(),
                "trước hạn".into(),
                "20242".into(),
                "20242".into(),
            ]
        })
        .collect();
    domain::papers::register("Phường Hải Châu", day(1), day(31), day(31).and_hms_opt(17, 0, 0).unwrap(), rows)
}

#[divan::bench(args = [400, 5000], sample_count = 10)]
fn render(bencher: divan::Bencher, rows: usize) {
    let paper = register(rows);
    bencher.bench(|| pdf::render(&paper).unwrap().len());
}
