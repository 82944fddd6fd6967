//! `haicap serve` processes for the tests, and plain HTTP/1.1 requests to them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A server process, killed (SIGKILL) when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `haicap serve --db DB` on `port` with `extra` arguments and environment, once `/readyz`
/// answers.
pub fn serve(db: &str, port: u16, extra: &[&str], env: &[(&str, String)]) -> Server {
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["serve", "--db", db, "--listen", &listen, "--log-format", "text"];
    args.extend(extra);
    let child = Command::new(env!("CARGO_BIN_EXE_haicap"))
        .args(&args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let s = Server { child, port };
    let until = Instant::now() + Duration::from_secs(60);
    while request(port, "GET", "/readyz", None, None).0 != 200 {
        assert!(Instant::now() < until, "server on {port} not ready in 60 s");
        std::thread::sleep(Duration::from_millis(100));
    }
    s
}

/// One HTTP/1.1 request; the status and the body (status 0: nobody listens).
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return (0, String::new()) };
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, out.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_string())
}
