//! The `haicap` binary as an operator uses it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn haicap(args: &[&str], stdin: &[u8]) -> Output {
    // Commands that open a database get a throw-away one.
    let data = std::env::temp_dir().join(format!("haicap-cli-test-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_haicap"))
        .args(args)
        .env("HAICAP_DATA_DIR", &data)
        .env_remove("HAICAP_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run haicap");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn units_stats_json_has_the_official_counts() {
    let o = haicap(&["units", "stats", "--json"], b"");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["provinces"], 34);
    assert_eq!(v["communes"], 3321);
    assert_eq!(v["communes_by_kind"]["phuong"], 687);
    assert_eq!(v["communes_by_kind"]["xa"], 2621);
    assert_eq!(v["communes_by_kind"]["dac_khu"], 13);
    assert_eq!(v["legacy"]["provinces"], 63);
    assert_eq!(v["legacy"]["districts"], 696);
    assert_eq!(v["legacy"]["communes"], 10035);
}

#[test]
fn units_show_gives_lineage_and_rejects_bad_codes() {
    let o = haicap(&["units", "show", "27163", "--json"], b"");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["commune"]["name"], "Phường Hòa Hưng");
    let from: Vec<&str> =
        v["formed_from"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap()).collect();
    assert!(from.contains(&"27172"), "{from:?}"); // the old Phường 12, Quận 10
    let o = haicap(&["units", "show", "99999"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown_unit"));
    let o = haicap(&["units", "show", "ab"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid_code"));
}

#[test]
fn codes_format_keeps_one_line_per_input_in_order() {
    let input = "Phường 12, Quận 10, TP.HCM\n\nXã Mường Khoa, Lai Châu\r\nkhông có gì\n";
    let o = haicap(&["address", "convert", "--format", "codes"], input.as_bytes());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout(&o), "79,27163\n,\n12,03601\n,\n");
}

#[test]
fn bad_lines_never_stop_a_batch() {
    let mut input = b"Xa Muong Khoa, Lai Chau\n\xff\xfe broken\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 1 << 20));
    input.extend_from_slice("\n\nXã Mường Khoa, Lai Châu\n".as_bytes());
    let o = haicap(&["address", "convert", "--format", "codes"], &input);
    assert_eq!(o.status.code(), Some(1), "failed lines must show in the exit status");
    assert_eq!(stdout(&o), "12,03601\n,\n,\n,\n12,03601\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("5 dòng") && err.contains("2 lỗi"), "{err}");

    let o = haicap(&["address", "convert", "--format", "jsonl"], &input);
    let lines: Vec<serde_json::Value> =
        stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[1]["error"]["code"], "invalid_utf8");
    assert_eq!(lines[2]["error"]["code"], "line_too_long");
    assert_eq!(lines[4]["commune"]["code"], "03601");
}

#[test]
fn jsonl_reports_form_legacy_units_street_and_alternatives() {
    let o = haicap(&["address", "convert"], "12 Lê Lợi, Phường Đa Kao, Quận 1, TP.HCM\n".as_bytes());
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["form"], "old");
    assert_eq!(v["legacy"]["district"]["name"], "Quận 1");
    assert_eq!(v["legacy"]["commune"]["name"], "Phường Đa Kao");
    assert_eq!(v["street"], "12 Lê Lợi");
    assert_eq!(v["alternatives"][0]["reason"], "split");
    assert!(v["confidence"].as_f64().unwrap() <= 0.7);
}

#[test]
fn csv_format_appends_result_columns() {
    let input =
        "id,address,note\n1,\"Phường 12, Quận 10, TP.HCM\",a\n2,,b\n3,\"Xã Mường Khoa, Lai Châu\",\"x,y\"\n";
    let o = haicap(&["address", "convert", "--format", "csv", "--column", "address"], input.as_bytes());
    assert!(o.status.success());
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let h = r.headers().unwrap().clone();
    assert_eq!(&h[0], "id");
    assert_eq!(&h[3], "new_province_code");
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][5], "27163");
    assert_eq!(&rows[1][5], "");
    assert_eq!(&rows[2][2], "x,y");
    assert_eq!(&rows[2][5], "03601");
    // The flag a clerk filters on in a spreadsheet.
    let uncertain = h.iter().position(|c| c == "uncertain").unwrap();
    assert_eq!([&rows[0][uncertain], &rows[1][uncertain]], ["false", "true"]);
}

#[test]
fn csv_saved_by_excel_keeps_its_byte_order_mark() {
    let input = "\u{feff}address,id\n\"Phường 12, Quận 10, TP.HCM\",1\n";
    let o = haicap(&["address", "convert", "--format", "csv"], input.as_bytes());
    assert!(o.status.success());
    assert!(o.stdout.starts_with("\u{feff}address,id,new_province_code".as_bytes()));
    let plain = haicap(&["address", "convert", "--format", "csv"], &input.as_bytes()[3..]);
    assert!(plain.stdout.starts_with(b"address,id,"));
}

#[test]
fn csv_without_the_column_is_a_clear_error() {
    let o = haicap(&["address", "convert", "--format", "csv", "--column", "dia_chi"], b"id,address\n1,x\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("column_not_found"));
}

#[test]
fn a_missing_input_file_is_a_clear_error() {
    let o = haicap(&["address", "convert", "/no/such/file.txt"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("input_not_found"));
}

#[test]
fn calendar_due_prints_rfc3339_and_explains() {
    let o = haicap(
        &[
            "calendar",
            "due",
            "--received",
            "2026-02-13T16:20:00+07:00",
            "--limit",
            "2 working days",
            "--explain",
        ],
        b"",
    );
    assert!(o.status.success());
    let out = stdout(&o);
    assert_eq!(out.lines().next(), Some("2026-02-24T17:00:00+07:00"));
    assert!(out.contains("Tết Nguyên đán Bính Ngọ"), "{out}");
    // Another offset is converted to Vietnam's time first (09:20Z is 16:20 in Hà Nội).
    let o =
        haicap(&["calendar", "due", "--received", "2026-02-13T09:20:00Z", "--limit", "2 working days"], b"");
    assert_eq!(stdout(&o).trim(), "2026-02-24T17:00:00+07:00");
}

#[test]
fn calendar_bad_input_is_a_clear_error() {
    for (args, code) in [
        (
            vec!["calendar", "due", "--received", "2026-02-30T10:00:00+07:00", "--limit", "1 days"],
            "invalid_datetime",
        ),
        (
            vec!["calendar", "due", "--received", "2026-05-11T09:00:00+07:00", "--limit", "-3 days"],
            "negative_count",
        ),
        (
            vec!["calendar", "due", "--received", "2026-05-11T09:00:00+07:00", "--limit", "soon"],
            "invalid_limit",
        ),
        (
            vec!["calendar", "due", "--received", "2200-05-11T09:00:00+07:00", "--limit", "1 days"],
            "year_out_of_range",
        ),
        (vec!["calendar", "day", "2026-13-01"], "invalid_date"),
        (vec!["calendar", "year", "1850"], "year_out_of_range"),
        (vec!["calendar", "--hours", "mon 9-5", "day", "2026-01-01"], "invalid_hours"),
    ] {
        let o = haicap(&args, b"");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(code), "{args:?}: {err}");
    }
}

#[test]
fn calendar_day_and_year() {
    let o = haicap(&["calendar", "day", "2026-04-27", "--json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["working"], false);
    assert_eq!(v["lunar"]["month"], 3);
    assert_eq!(v["lunar"]["day"], 11);
    let o = haicap(&["calendar", "year", "2025"], b"");
    let out = stdout(&o);
    assert!(out.contains("08/02/2025\tlàm việc"), "{out}");
    assert!(out.contains("27/01/2025\tnghỉ"), "{out}");
}

#[test]
fn an_administrator_adds_a_new_years_days_as_data() {
    let dir = std::env::temp_dir().join(format!("haicap-cal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("2026-extra.csv");
    std::fs::write(&f, "date,kind,name,basis\n2026-09-01,off,Quốc khánh (ngày liền kề),announced 2026\n")
        .unwrap();
    let before = haicap(&["calendar", "day", "2026-09-01", "--json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert_eq!(v["working"], true);
    let after =
        haicap(&["calendar", "--calendar-data", f.to_str().unwrap(), "day", "2026-09-01", "--json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(v["working"], false);
    std::fs::write(&f, "date,kind,name\nnot-a-date,off,x\n").unwrap();
    let bad = haicap(&["calendar", "--calendar-data", f.to_str().unwrap(), "day", "2026-09-01"], b"");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid_calendar_data"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn catalog_list_show_and_check() {
    let o = haicap(&["catalog", "list", "--q", "lam khai sanh"], b"");
    assert!(stdout(&o).contains("1.001193"), "{}", stdout(&o));
    let o = haicap(&["catalog", "show", "1.001193", "--json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["channel_terms"][0]["terms"]["limit"]["unit"], "same_day");
    assert_eq!(v["provenance"]["fee"]["confidence"], "medium");
    let o = haicap(&["catalog", "show", "9.999999"], b"");
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown_procedure"));
    let dir = std::env::temp_dir().join(format!("haicap-cat-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.json");
    std::fs::write(&f, r#"{"procedures":[{"code":"1","name":"A"},{"code":"1","name":"B"}]}"#).unwrap();
    let o = haicap(&["catalog", "check", f.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid_procedure"));
    std::fs::remove_dir_all(&dir).ok();
}
