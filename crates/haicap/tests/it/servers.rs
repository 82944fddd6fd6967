//! Two `haicap serve` processes on one PostgreSQL database, as behind a load balancer: a
//! dossier received through one reaches the live stream of the other.

use crate::http::{free_port, request, Server};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Database {
    admin: postgres::Client,
    name: String,
    url: String,
}

impl Database {
    fn new() -> Option<Database> {
        let (base, mut admin) = store::scratch::admin()?;
        let name = format!("haicap_servers_{}", std::process::id());
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).unwrap();
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let url = store::scratch::url_of(&base, &name);
        Some(Database { admin, name, url })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = self.admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
    }
}

fn serve(db: &Database) -> Server {
    let port = free_port();
    let data = std::env::temp_dir().join(format!("haicap-servers-{port}"));
    crate::http::serve(&db.url, port, &[], &[("HAICAP_DATA_DIR", data.display().to_string())])
}

fn login(port: u16) -> String {
    let (s, body) = request(
        port,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(r#"{"username":"lan","password":"mat-khau-dai"}"#),
    );
    assert_eq!(s, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["token"].as_str().unwrap().to_string()
}

#[test]
fn a_dossier_received_through_one_server_reaches_the_live_stream_of_the_other() {
    let Some(db) = Database::new() else { return };
    let mut add = Command::new(env!("CARGO_BIN_EXE_haicap"))
        .args([
            "user",
            "add",
            "lan",
            "--role",
            "officer",
            "--unit",
            "20242",
            "--password-stdin",
            "--db",
            &db.url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"mat-khau-dai\n").unwrap();
    assert!(add.wait().unwrap().success());

    let a = serve(&db);
    let b = serve(&db);
    let token_b = login(b.port);

    // The officer's live stream, served by B.
    let mut stream = TcpStream::connect(("127.0.0.1", b.port)).unwrap();
    write!(stream, "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token_b}\r\n\r\n")
        .unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let mut lines = BufReader::new(stream);

    // Dossiers received through A, until B's stream tells of one (the first may come before
    // B's listener has joined).
    let token_a = login(a.port);
    let until = Instant::now() + Duration::from_secs(20);
    let mut codes = vec![];
    let mut heard = None;
    while heard.is_none() && Instant::now() < until {
        let (s, body) = request(
            a.port,
            "POST",
            "/api/v1/dossiers",
            Some(&token_a),
            Some(
                r#"{"procedure_code":"1.004873","channel":"direct","applicant":{"full_name":"Trần Văn An","phone":"0905123456","address":"12 Trần Phú, Hải Châu, Đà Nẵng"}}"#,
            ),
        );
        assert_eq!(s, 201, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        codes.push(v["code"].as_str().unwrap().to_string());
        let mut line = String::new();
        let read_until = Instant::now() + Duration::from_secs(1);
        while Instant::now() < read_until {
            line.clear();
            match lines.read_line(&mut line) {
                Ok(0) => panic!("B's stream ended"),
                Ok(_) if line.starts_with("data:") && codes.iter().any(|c| line.contains(c.as_str())) => {
                    heard = Some(line.clone());
                    break;
                }
                _ => {}
            }
        }
    }
    let heard = heard.expect("B's live stream told of a dossier received through A within 20 s");
    assert!(heard.contains("\"receiving_unit\":\"20242\""), "{heard}");
}
