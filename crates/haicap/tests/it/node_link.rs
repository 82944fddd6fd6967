//! A province's server and a commune's node in separate processes (issue #25): the node
//! receives dossiers with its link up, then with the province stopped, and the province holds
//! every one of them, with the same chains, soon after it is back; `audit verify` passes on
//! both.

use crate::http::{free_port, request, Server};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn haicap(args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_haicap"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        c.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    let out = c.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn serve(db: &str, port: u16, extra: &[&str]) -> Server {
    crate::http::serve(db, port, extra, &[])
}

fn receive(port: u16, token: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let body = format!(
                r#"{{"procedure_code":"1.004873","channel":"direct","applicant":{{"full_name":"Trần Văn {i}","phone":"0905123456"}}}}"#
            );
            let (s, answer) = request(port, "POST", "/api/v1/dossiers", Some(token), Some(&body));
            assert_eq!(s, 201, "{answer}");
            let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
            v["code"].as_str().unwrap().to_string()
        })
        .collect()
}

/// A province (`tinh.db`) that gave commune 20242 its node (`xa.db`) and its officer `lan`
/// an account (accounts are managed at the province; the node takes its commune's).
struct Pair {
    p_path: std::path::PathBuf,
    n_path: std::path::PathBuf,
    province_db: String,
    node_db: String,
    token: String,
}

fn province_and_node(dir: &std::path::Path) -> Pair {
    let (p_path, n_path) = (dir.join("tinh.db"), dir.join("xa.db"));
    let (province_db, node_db) =
        (format!("sqlite://{}", p_path.display()), format!("sqlite://{}", n_path.display()));
    let (ok, out) = haicap(&["node", "add", "--commune", "20242", "--db", &province_db], None);
    assert!(ok, "{out}");
    let token = out.lines().last().unwrap().trim().to_string();
    let user = [
        "user",
        "add",
        "lan",
        "--role",
        "officer",
        "--unit",
        "20242",
        "--password-stdin",
        "--db",
        &province_db,
    ];
    let (ok, out) = haicap(&user, Some("mat-khau-dai\n"));
    assert!(ok, "{out}");
    Pair { p_path, n_path, province_db, node_db, token }
}

/// Each dossier of commune 20242: code, event count, chain head, status.
fn heads(db: &std::path::Path) -> Vec<(String, i64, String, i64)> {
    heads_of(db, "20242")
}

fn status(node_db: &str) -> serde_json::Value {
    let (ok, out) = haicap(&["node", "status", "--json", "--db", node_db], None);
    assert!(ok, "{out}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_node_works_while_its_province_is_down_and_the_province_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let Pair { p_path, n_path, province_db, node_db, token } = province_and_node(dir.path());
    // A citizen's online submission for the commune waits at the province: the node's first
    // pull hands it down, its document fetched by hash from the province.
    let online = {
        let url = store::DbUrl::Sqlite(p_path.clone());
        let app =
            app::App::open(&url, calendar::WorkCalendar::default(), std::sync::Arc::new(app::vietnam_now))
                .unwrap();
        let req = app::IntakeRequest {
            procedure_code: "1.004873".into(),
            channel: domain::Channel::Online,
            commune_code: Some("20242".into()),
            applicant: app::Applicant { full_name: "Lê Thị Trực Tuyến".into(), ..Default::default() },
        };
        app.dossiers()
            .submit_online(&req, &[app::blobs::Upload::new("don.pdf", "%PDF-1.4 đơn")])
            .unwrap()
            .code
    };

    let (p_port, n_port) = (free_port(), free_port());
    let upstream = format!("http://127.0.0.1:{p_port}");
    let province = serve(&province_db, p_port, &[]);
    let node_args = ["--upstream", upstream.as_str(), "--node-token", token.as_str(), "--sync-seconds", "1"];
    let _node = serve(&node_db, n_port, &node_args);
    let (s, body) = request(
        n_port,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(r#"{"username":"lan","password":"mat-khau-dai"}"#),
    );
    assert_eq!(s, 200, "{body}");
    let officer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let officer = officer["token"].as_str().unwrap().to_string();

    let wait_synced = |within: Duration| {
        let until = Instant::now() + within;
        loop {
            let s = status(&node_db);
            if s["pending_events"] == 0 && heads(&p_path) == heads(&n_path) {
                return s;
            }
            assert!(Instant::now() < until, "not synced within {within:?}: {s}");
            std::thread::sleep(Duration::from_millis(200));
        }
    };

    // With the link: the province holds the node's dossiers within seconds; the node holds
    // the online one handed down, which the province no longer writes.
    let mut codes = receive(n_port, &officer, 10);
    wait_synced(Duration::from_secs(30));
    assert!(heads(&n_path).iter().any(|h| h.0 == online), "handed down: {:?}", heads(&n_path));
    codes.push(online);

    // The province stops: the node works on, and knows what it owes.
    drop(province);
    codes.extend(receive(n_port, &officer, 30));
    let until = Instant::now() + Duration::from_secs(10);
    let owed = loop {
        let s = status(&node_db);
        if s["upstream"]["last_error"].is_string() || Instant::now() > until {
            break s;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(owed["pending_dossiers"], 30, "{owed}");
    assert!(owed["upstream"]["last_error"].as_str().unwrap().contains("không kết nối được"), "{owed}");

    // Back: within 30 s the province holds the same dossiers and chains; both verify.
    let _province = serve(&province_db, p_port, &[]);
    let synced = wait_synced(Duration::from_secs(30));
    assert_eq!(synced["pending_dossiers"], 0);
    assert_eq!(heads(&p_path).len(), codes.len());
    for db in [&province_db, &node_db] {
        let (ok, out) = haicap(&["audit", "verify", "--db", db], None);
        assert!(ok, "{db}: {out}");
    }
}

/// The statistics of `unit` as `db` holds them, row by row.
fn stats(db: &std::path::Path, unit: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut q = c
        .prepare(
            "SELECT procedure_code, day, channel, registered, received, transferred, resolved_early, resolved_on_time, \
             resolved_late, returned FROM stats_daily WHERE unit_code = ?1 ORDER BY procedure_code, day, channel",
        )
        .unwrap();
    q.query_map([unit], |r| {
        let mut cols = vec![r.get::<_, String>(0)?, r.get::<_, String>(1)?];
        for i in 2..10 {
            cols.push(r.get::<_, i64>(i)?.to_string());
        }
        Ok(cols.join(","))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Each dossier received at `unit`: code, event count, chain head, status.
fn heads_of(db: &std::path::Path, unit: &str) -> Vec<(String, i64, String, i64)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut q = c
        .prepare("SELECT code, event_count, head_hash, status FROM dossiers WHERE receiving_unit = ?1 ORDER BY code")
        .unwrap();
    q.query_map([unit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn login(port: u16, user: &str) -> String {
    let body = format!(r#"{{"username":"{user}","password":"mat-khau-dai"}}"#);
    let (s, answer) = request(port, "POST", "/api/v1/auth/login", None, Some(&body));
    assert_eq!(s, 200, "{answer}");
    let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
    v["token"].as_str().unwrap().to_string()
}

fn act(port: u16, token: &str, code: &str, body: &str) {
    let (s, answer) =
        request(port, "POST", &format!("/api/v1/dossiers/{code}/actions"), Some(token), Some(body));
    assert_eq!(s, 200, "{code} {body}: {answer}");
}

#[test]
fn two_communes_work_500_dossiers_with_the_province_down_and_it_and_the_nation_hold_them_within_30_s() {
    let dir = tempfile::tempdir().unwrap();
    let p_path = dir.path().join("tinh.db");
    let province_db = format!("sqlite://{}", p_path.display());
    let p_port = free_port();
    let upstream = format!("http://127.0.0.1:{p_port}");
    let communes = ["20242", "20257"];
    let mut nodes = vec![];
    for commune in communes {
        let (ok, out) = haicap(&["node", "add", "--commune", commune, "--db", &province_db], None);
        assert!(ok, "{out}");
        let token = out.lines().last().unwrap().trim().to_string();
        let path = dir.path().join(format!("xa-{commune}.db"));
        let db = format!("sqlite://{}", path.display());
        for (user, role) in [("motcua", "officer"), ("chutich", "commune_leader"), ("xuly", "specialist")] {
            let name = format!("{user}.{commune}");
            let (ok, out) = haicap(
                &[
                    "user",
                    "add",
                    &name,
                    "--role",
                    role,
                    "--unit",
                    commune,
                    "--password-stdin",
                    "--db",
                    &province_db,
                ],
                Some("mat-khau-dai\n"),
            );
            assert!(ok, "{out}");
        }
        nodes.push((commune, path, db, token, free_port()));
    }
    // One tier up: the nation, which the province feeds (statuses and figures).
    let n_path = dir.path().join("quocgia.db");
    let nation_db = format!("sqlite://{}", n_path.display());
    let (ok, out) = haicap(&["node", "add", "--commune", "48", "--db", &nation_db], None);
    assert!(ok, "{out}");
    let national_token = out.lines().last().unwrap().trim().to_string();
    let nation_port = free_port();
    let _nation = serve(&nation_db, nation_port, &["--national"]);
    let nation_url = format!("http://127.0.0.1:{nation_port}");
    let feed_args = [
        "--feed-national",
        nation_url.as_str(),
        "--national-token",
        national_token.as_str(),
        "--province",
        "48",
        "--sync-seconds",
        "1",
    ];
    let province = serve(&province_db, p_port, &feed_args);
    let mut servers = vec![];
    for (_, _, db, token, port) in &nodes {
        let args = ["--upstream", upstream.as_str(), "--node-token", token.as_str(), "--sync-seconds", "1"];
        servers.push(serve(db, *port, &args));
    }
    // The link is cut (the province stops) before the day's work.
    drop(province);

    // 250 dossiers at each commune, each received, assigned, approved and returned, both
    // communes at once.
    std::thread::scope(|s| {
        for (commune, _, _, _, port) in &nodes {
            s.spawn(move || {
                let desk = login(*port, &format!("motcua.{commune}"));
                let leader = login(*port, &format!("chutich.{commune}"));
                let codes = receive(*port, &desk, 250);
                let assign = format!(r#"{{"action":"assign","to":"xuly.{commune}"}}"#);
                for (i, code) in codes.iter().enumerate() {
                    act(*port, &leader, code, &assign);
                    if i % 5 != 4 {
                        act(*port, &leader, code, r#"{"action":"approve"}"#);
                        act(*port, &desk, code, r#"{"action":"return_result"}"#);
                    }
                }
            });
        }
    });
    for (_, _, db, _, _) in &nodes {
        let s = status(db);
        assert_eq!(s["pending_dossiers"], 250, "{s}");
    }

    // The province is back: within 30 s it holds what both nodes hold.
    let back = Instant::now();
    let _province = serve(&province_db, p_port, &feed_args);
    let until = back + Duration::from_secs(30);
    loop {
        let done = nodes.iter().all(|(commune, path, db, _, _)| {
            status(db)["pending_events"] == 0
                && heads_of(&p_path, commune) == heads_of(path, commune)
                && stats(&p_path, commune) == stats(path, commune)
        });
        if done {
            break;
        }
        assert!(Instant::now() < until, "the province did not catch up within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!(
        "the province held both nodes' 500 dossiers {:.1} s after it was back",
        back.elapsed().as_secs_f64()
    );
    let total: usize = communes.iter().map(|c| heads_of(&p_path, c).len()).sum();
    assert_eq!(total, 500);
    // The nation holds each dossier's status and the figures, and no applicant's name.
    let statuses = |db: &std::path::Path, unit: &str| -> Vec<(String, i64, i64)> {
        heads_of(db, unit).into_iter().map(|(code, n, _, status)| (code, n, status)).collect()
    };
    let until = Instant::now() + Duration::from_secs(30);
    while communes
        .iter()
        .any(|c| statuses(&n_path, c) != statuses(&p_path, c) || stats(&n_path, c) != stats(&p_path, c))
    {
        assert!(Instant::now() < until, "the nation did not follow within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    let named: i64 = rusqlite::Connection::open(&n_path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM dossiers WHERE applicant_name <> '' OR applicant_phone IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(named, 0, "no personal data at the nation");
    for db in [&province_db, &nodes[0].2, &nodes[1].2, &nation_db] {
        let (ok, out) = haicap(&["audit", "verify", "--db", db], None);
        assert!(ok, "{db}: {out}");
    }
}

#[test]
fn a_node_killed_again_and_again_while_it_catches_up_loses_nothing_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let Pair { p_path, n_path, province_db, node_db, token } = province_and_node(dir.path());
    let (p_port, n_port) = (free_port(), free_port());
    let upstream = format!("http://127.0.0.1:{p_port}");
    let args = ["--upstream", upstream.as_str(), "--node-token", token.as_str(), "--sync-seconds", "1"];
    let province = serve(&province_db, p_port, &[]);
    let node = serve(&node_db, n_port, &args);
    drop(province);
    let desk = login(n_port, "lan");
    let codes = receive(n_port, &desk, 400);
    let _province = serve(&province_db, p_port, &[]);

    // SIGKILL (Child::kill) at different moments of the catch-up, and started again each time.
    let mut node = node;
    for wait_ms in [0, 30, 80, 150, 300] {
        std::thread::sleep(Duration::from_millis(wait_ms));
        drop(node);
        node = serve(&node_db, n_port, &args);
    }
    let until = Instant::now() + Duration::from_secs(30);
    while status(&node_db)["pending_events"] != 0 || heads(&p_path) != heads(&n_path) {
        assert!(Instant::now() < until, "not caught up: {}", status(&node_db));
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(heads(&p_path).len(), codes.len());
    let taken: i64 = {
        let c = rusqlite::Connection::open(&p_path).unwrap();
        c.query_row("SELECT events_taken FROM nodes WHERE commune_code = '20242'", [], |r| r.get(0)).unwrap()
    };
    let events: i64 = heads(&n_path).iter().map(|h| h.1).sum();
    assert_eq!(taken, events, "each event taken once");
    drop(node);
    for db in [&province_db, &node_db] {
        let (ok, out) = haicap(&["audit", "verify", "--db", db], None);
        assert!(ok, "{db}: {out}");
    }
}

/// Copies a SQLite database with its write-ahead log (the server was killed, not closed).
fn copy_db(from: &std::path::Path, to: &std::path::Path) {
    for ext in ["", "-wal", "-shm"] {
        let (f, t) = (format!("{}{ext}", from.display()), format!("{}{ext}", to.display()));
        let _ = std::fs::remove_file(&t);
        if std::path::Path::new(&f).exists() {
            std::fs::copy(&f, &t).unwrap();
        }
    }
}

#[test]
fn a_node_restored_from_an_old_backup_writes_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let Pair { p_path, n_path, province_db, node_db, token } = province_and_node(dir.path());
    let (p_port, n_port) = (free_port(), free_port());
    let upstream = format!("http://127.0.0.1:{p_port}");
    let args = ["--upstream", upstream.as_str(), "--node-token", token.as_str(), "--sync-seconds", "1"];
    let _province = serve(&province_db, p_port, &[]);
    let synced = || {
        let until = Instant::now() + Duration::from_secs(30);
        while status(&node_db)["pending_events"] != 0 || heads(&p_path) != heads(&n_path) {
            assert!(Instant::now() < until, "not synced: {}", status(&node_db));
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let node = serve(&node_db, n_port, &args);
    receive(n_port, &login(n_port, "lan"), 3);
    synced();
    drop(node);
    let backup = dir.path().join("xa-sao-luu.db");
    copy_db(&n_path, &backup);
    let node = serve(&node_db, n_port, &args);
    receive(n_port, &login(n_port, "lan"), 2);
    synced();
    drop(node);

    // Restored from the backup: the node learns at start that the province holds more of
    // its work than it knows of, and refuses every write.
    copy_db(&backup, &n_path);
    let _node = serve(&node_db, n_port, &args);
    let desk = login(n_port, "lan");
    let body = r#"{"procedure_code":"1.004873","channel":"direct","applicant":{"full_name":"Trần Văn B"}}"#;
    let (s, answer) = request(n_port, "POST", "/api/v1/dossiers", Some(&desk), Some(body));
    assert_eq!(s, 409, "{answer}");
    assert!(answer.contains("node_behind"), "{answer}");
    assert!(status(&node_db)["upstream"]["behind"].as_str().unwrap().contains("bản sao lưu cũ"));
    assert_eq!(heads(&p_path).len(), 5, "the province keeps all five");
}
