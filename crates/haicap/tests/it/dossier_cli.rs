//! Dossiers, accounts and the audit through the binary, including a crash (SIGKILL while
//! writing) and a tamper with the database file.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

struct Db {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
}

impl Db {
    fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("haicap.db");
        Db { _dir: dir, path }
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    fn run(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_haicap"))
            .args(args)
            .env("HAICAP_DB", self.url())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn a_dossier_from_desk_to_result_on_the_command_line() {
    let db = Db::new();
    let o = db.run(
        &[
            "dossier",
            "receive",
            "--procedure",
            "1.004873",
            "--channel",
            "direct",
            "--commune",
            "20242",
            "--applicant-name",
            "Trần Văn An",
            "--phone",
            "0905111222",
            "--address",
            "45 Bạch Đằng, P. Thạch Thang, Q. Hải Châu, TP Đà Nẵng",
        ],
        b"",
    );
    assert!(o.status.success(), "{}", err(&o));
    let code = out(&o);
    assert!(code.starts_with("20242-"), "{code}");

    let o = db.run(&["dossier", "act", &code, "approve", "--note", "đủ điều kiện"], b"");
    assert!(o.status.success(), "{}", err(&o));
    let o = db.run(&["dossier", "act", &code, "approve"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("invalid_transition") && err(&o).contains("Đã xử lý xong"), "{}", err(&o));
    let o = db.run(&["dossier", "act", &code, "return_result"], b"");
    assert!(o.status.success());

    let o = db.run(&["dossier", "show", &code], b"");
    let text = out(&o);
    assert!(text.contains("Đã trả kết quả") && text.contains("Phường Hải Châu (20242)"), "{text}");
    assert!(text.contains("ghi chú: đủ điều kiện"), "{text}");
    let o = db.run(&["dossier", "show", &code, "--json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "returned");
    assert_eq!(v["events"].as_array().unwrap().len(), 5);

    let o = db.run(&["dossier", "list", "--status", "returned"], b"");
    assert!(out(&o).starts_with(&code));
    let o = db.run(&["dossier", "list", "--status", "nonsense"], b"");
    assert!(err(&o).contains("unknown_status"));
    assert!(db.run(&["audit", "verify"], b"").status.success());
}

#[test]
fn accounts_are_created_from_stdin_and_scope_what_they_see() {
    let db = Db::new();
    let o = db.run(
        &["user", "add", "lan", "--role", "officer", "--unit", "20242", "--password-stdin"],
        b"mat-khau-rat-dai\n",
    );
    assert!(o.status.success(), "{}", err(&o));
    let o = db.run(
        &["user", "add", "lan", "--role", "officer", "--unit", "20242", "--password-stdin"],
        b"mat-khau-rat-dai\n",
    );
    assert!(err(&o).contains("user_exists"));
    let o =
        db.run(&["user", "add", "x1", "--role", "mayor", "--unit", "20242", "--password-stdin"], b"12345678");
    assert!(err(&o).contains("unknown_role"));
    let recv = |commune: &str, who: Option<&str>| {
        let mut args = vec![
            "dossier",
            "receive",
            "--procedure",
            "1.004873",
            "--channel",
            "direct",
            "--commune",
            commune,
            "--applicant-name",
            "A",
        ];
        if let Some(w) = who {
            args.extend(["--as", w]);
        }
        db.run(&args, b"")
    };
    let theirs = out(&recv("20257", None));
    let o = recv("20257", Some("lan"));
    assert!(err(&o).contains("out_of_scope"), "{}", err(&o));
    let o = db.run(&["dossier", "show", &theirs, "--as", "lan"], b"");
    assert!(err(&o).contains("dossier_not_found"), "another commune's dossier does not exist for lan");
    assert!(db.run(&["dossier", "show", &theirs], b"").status.success());
}

#[test]
fn an_account_acts_only_as_its_role_allows_and_its_reads_are_listed() {
    let db = Db::new();
    for (name, role, unit) in [
        ("lan", "officer", "20242"),
        ("minh", "specialist", "20242"),
        ("hung", "commune_leader", "20242"),
        ("tinh", "province_leader", "48"),
    ] {
        let o = db.run(
            &["user", "add", name, "--role", role, "--unit", unit, "--password-stdin"],
            b"mat-khau-rat-dai\n",
        );
        assert!(o.status.success(), "{}", err(&o));
    }
    let o = db.run(
        &[
            "dossier",
            "receive",
            "--procedure",
            "1.004873",
            "--channel",
            "direct",
            "--applicant-name",
            "Đỗ Văn Tư",
            "--id-number",
            "048190001234",
            "--phone",
            "0905111222",
            "--as",
            "lan",
        ],
        b"",
    );
    assert!(o.status.success(), "{}", err(&o));
    let code = out(&o);
    // The desk may not decide: 403-like refusal with the role needed, exit code 2, nothing written.
    let o = db.run(&["dossier", "act", &code, "approve", "--as", "lan"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("action_not_permitted") && err(&o).contains("lãnh đạo ubnd cấp xã"),
        "{}",
        err(&o)
    );
    let o = db.run(&["dossier", "act", &code, "assign", "--to", "lan", "--as", "hung"], b"");
    assert!(err(&o).contains("assignee_cannot_process"), "{}", err(&o));
    for (args, who) in [
        (vec!["assign", "--to", "minh"], "hung"),
        (vec!["propose", "--verdict", "approve", "--note", "đủ điều kiện"], "minh"),
        (vec!["approve"], "hung"),
        (vec!["return_result"], "lan"),
    ] {
        let mut all = vec!["dossier", "act", &code];
        all.extend(args);
        all.extend(["--as", who]);
        let o = db.run(&all, b"");
        assert!(o.status.success(), "{all:?}: {}", err(&o));
    }
    // The province leader reads it masked; the desk in full, and that read is listed.
    let o = db.run(&["dossier", "show", &code, "--as", "tinh"], b"");
    assert!(out(&o).contains("*********234") && !out(&o).contains("048190001234"), "{}", out(&o));
    let o = db.run(&["dossier", "show", &code, "--as", "lan"], b"");
    assert!(out(&o).contains("048190001234"));
    let o = db.run(&["audit", "reads", &code], b"");
    assert!(o.status.success(), "{}", err(&o));
    let lines: Vec<String> = out(&o).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("\tlan\txem dữ liệu cá nhân"), "{lines:?}");
}

#[test]
fn province_settings_and_catalog_import() {
    let db = Db::new();
    let o = db
        .run(&["province", "set-rule", "48", "1.004873", "--boundary-free", "true", "--fee", "10.000"], b"");
    assert!(o.status.success(), "{}", err(&o));
    let o = db.run(&["province", "show", "48"], b"");
    assert!(out(&o).contains("1.004873") && out(&o).contains("10000 đồng"), "{}", out(&o));
    let o = db.run(&["province", "set-pattern", "48", "{unit}/{seq}"], b"");
    assert!(o.status.success());
    let o = db.run(
        &[
            "dossier",
            "receive",
            "--procedure",
            "1.004873",
            "--channel",
            "direct",
            "--commune",
            "20242",
            "--applicant-name",
            "B",
        ],
        b"",
    );
    assert_eq!(out(&o), "20242/1");
    assert!(err(&db.run(&["province", "set-pattern", "48", "{seq}"], b"")).contains("invalid_code_pattern"));

    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.json");
    let json = domain_catalog().replacen("Thủ tục đăng ký khai sinh\"", "Đăng ký khai sinh\"", 1);
    std::fs::write(&f, json).unwrap();
    let o = db.run(&["catalog", "import", f.to_str().unwrap()], b"");
    assert!(out(&o).contains("1 thủ tục có phiên bản mới"), "{}{}", out(&o), err(&o));
    let o = db.run(&["catalog", "show", "1.001193"], b"");
    assert!(out(&o).starts_with("1.001193 — Đăng ký khai sinh"), "{}", out(&o));
}

fn domain_catalog() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/catalog/procedures.json"))
        .unwrap()
}

#[test]
fn a_killed_writer_loses_no_acknowledged_dossier() {
    let db = Db::new();
    let mut acknowledged: Vec<String> = vec![];
    for round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_haicap"))
            .args([
                "bench",
                "--db",
                &db.url(),
                "intake",
                "--count",
                "10000000",
                "--clients",
                "16",
                "--print-codes",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let target = 1500 * (round + 1);
        let mut seen = 0;
        while seen < target {
            match lines.next() {
                Some(Ok(code)) => {
                    acknowledged.push(code);
                    seen += 1;
                }
                _ => break,
            }
        }
        // SIGKILL: no destructor, no flush, mid-transaction.
        child.kill().unwrap();
        // Codes printed before the kill were acknowledged too.
        acknowledged.extend(lines.map_while(Result::ok));
        child.wait().unwrap();
        assert!(seen >= target, "the writer produced only {seen} dossiers");
    }
    let o = db.run(&["audit", "verify"], b"");
    assert!(o.status.success(), "after the crashes: {}{}", out(&o), err(&o));
    let o = db.run(&["dossier", "list", "--per-page", "500", "--json"], b"");
    let total = serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["total"].as_i64().unwrap();
    assert!(total as usize >= acknowledged.len());
    // Every acknowledged code is there, whole.
    let mut uniq = acknowledged.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), acknowledged.len(), "no code was given twice");
    for code in acknowledged.iter().step_by(97).chain(acknowledged.last()) {
        let o = db.run(&["dossier", "show", code, "--json"], b"");
        assert!(o.status.success(), "{code} lost: {}", err(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["events"].as_array().unwrap().len(), 3, "{code}");
    }
}

#[test]
fn an_event_edited_in_the_file_is_named_by_verify() {
    let db = Db::new();
    let mut codes = vec![];
    for name in ["Một", "Hai", "Ba"] {
        let o = db.run(
            &[
                "dossier",
                "receive",
                "--procedure",
                "1.004873",
                "--channel",
                "direct",
                "--commune",
                "20242",
                "--applicant-name",
                name,
            ],
            b"",
        );
        codes.push(out(&o));
    }
    assert!(db.run(&["audit", "verify"], b"").status.success());
    // An intruder with the file: the guard trigger is dropped, an actor rewritten.
    let c = rusqlite_open(&db.path);
    c.execute_batch("DROP TRIGGER events_no_update").unwrap();
    let n = c
        .execute("UPDATE events SET body = replace(body, '\"actor\":\"cli\"', '\"actor\":\"ai-do\"') WHERE dossier_code = ?1 AND seq = 2", [&codes[1]])
        .unwrap();
    assert_eq!(n, 1);
    drop(c);
    let o = db.run(&["audit", "verify"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains(&codes[1]), "{}", out(&o));
    assert!(!out(&o).contains(&codes[0]) && !out(&o).contains(&codes[2]), "{}", out(&o));
    assert!(err(&o).contains("PHÁT HIỆN SỬA ĐỔI"));
}

fn rusqlite_open(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn the_register_exports_as_csv_for_excel_and_json_for_the_portal() {
    let db = Db::new();
    let mut codes = vec![];
    for name in ["Nguyễn Văn Một", "Trần Thị Hai"] {
        let o = db.run(
            &[
                "dossier",
                "receive",
                "--procedure",
                "1.004873",
                "--channel",
                "direct",
                "--commune",
                "20242",
                "--applicant-name",
                name,
            ],
            b"",
        );
        codes.push(out(&o));
    }
    db.run(
        &[
            "dossier",
            "receive",
            "--procedure",
            "1.004873",
            "--channel",
            "direct",
            "--commune",
            "20257",
            "--applicant-name",
            "X",
        ],
        b"",
    );
    let today = chrono_today();
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("so.csv");
    let o = db.run(
        &[
            "report",
            "--unit",
            "20242",
            "--from",
            &today,
            "--to",
            &today,
            "--output",
            csv_path.to_str().unwrap(),
        ],
        b"",
    );
    assert!(o.status.success(), "{}", err(&o));
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()), "a BOM for Excel");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 3, "header and the two dossiers of the commune: {text}");
    assert!(
        text.contains("Nguyễn Văn Một") && text.contains("Thủ tục cấp Giấy xác nhận tình trạng hôn nhân")
    );
    let o = db.run(&["report", "--unit", "48", "--from", &today, "--to", &today, "--format", "json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    let first = v.as_array().unwrap().iter().find(|d| d["MaHoSo"] == codes[0].as_str()).unwrap();
    assert_eq!(
        (first["MaTTHC"].as_str(), first["TrangThaiHoSo"].as_u64(), first["KenhThucHien"].as_u64()),
        (Some("1.004873"), Some(2), Some(1))
    );
    assert_eq!(first["NgayTiepNhan"].as_str().unwrap().len(), 14, "yyyyMMddHHmmss");
    let o = db.run(&["report", "--unit", "20242", "--from", &today, "--to", &today, "--format", "xml"], b"");
    assert!(err(&o).contains("unknown_format"));
}

/// Today in Vietnam, as the binary sees it.
fn chrono_today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7)).format("%Y-%m-%d").to_string()
}

#[test]
fn db_copy_refuses_what_it_cannot_do_without_touching_anything() {
    let db = Db::new();
    // No such file: named, and not created by the attempt.
    let o = db.run(&["db", "copy", "--to", "postgres://postgres@127.0.0.1:1/x?connect_timeout=1"], b"");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("db_unavailable"), "{}", err(&o));
    assert!(!db.path.exists());
    // Only SQLite into PostgreSQL.
    let o = db.run(&["db", "copy", "--to", "sqlite:///tmp/haicap-copy-target.db"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("unsupported_copy"), "{}", err(&o));
    assert!(!std::path::Path::new("/tmp/haicap-copy-target.db").exists());
}

/// A province's administrator gives a commune its node: the token on the last line, once.
#[test]
fn a_node_is_added_with_its_token_on_the_last_line_and_revoked() {
    let db = Db::new();
    let o = db.run(&["node", "add", "--commune", "20242"], b"");
    assert!(o.status.success(), "{}", err(&o));
    let token = out(&o).lines().last().unwrap().to_string();
    assert!(token.starts_with("hcn_") && token.len() == 68, "{token}");
    let o = db.run(&["node", "add", "--commune", "20242"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("[node_exists]"), "{}", err(&o));
    let o = db.run(&["node", "revoke", "--commune", "20242"], b"");
    assert!(o.status.success(), "{}", err(&o));
    let o = db.run(&["node", "list", "--json"], b"");
    let nodes: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(nodes[0]["commune_code"], "20242");
    assert!(nodes[0]["revoked_at"].is_string(), "{nodes}");
    assert!(!out(&o).contains(&token[4..]), "the token is never shown again");
}
