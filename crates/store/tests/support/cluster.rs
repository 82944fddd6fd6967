//! A throw-away PostgreSQL cluster for tests that take the database away (stop, restart),
//! so that the shared server is never touched. Made with the machine's PostgreSQL 15
//! (`initdb`, `pg_ctl`), run as the `postgres` user when the tests run as root.
//!
//! `Cluster::new()` is `None` when no PostgreSQL binaries are installed; a test then skips,
//! unless `HAICAP_REQUIRE_PG` is set (CI), where that is a failure.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

fn find_bin() -> Option<PathBuf> {
    let candidates = std::env::var("HAICAP_PG_BIN").into_iter().map(PathBuf::from).chain(
        ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]
            .into_iter()
            .map(PathBuf::from),
    );
    candidates.into_iter().find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Cluster {
    /// A new cluster, started, with a database `test`.
    pub fn new() -> Option<Cluster> {
        let Some(bin) = find_bin() else {
            assert!(
                std::env::var_os("HAICAP_REQUIRE_PG").is_none(),
                "HAICAP_REQUIRE_PG is set but no PostgreSQL binaries (initdb, pg_ctl) were found"
            );
            eprintln!("SKIPPED: no PostgreSQL binaries for a throw-away cluster");
            return None;
        };
        // SAFETY-free way to know whether we are root: the id command.
        let uid = Command::new("id").arg("-u").output().ok()?;
        let as_postgres = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        let dir = std::env::temp_dir().join(format!("haicap-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let c = Cluster { dir, bin, port: free_port(), as_postgres };
        if as_postgres {
            assert!(Command::new("chown").arg("-R").arg("postgres").arg(&c.dir).status().unwrap().success());
        }
        let data = c.data();
        c.run("initdb", &["-D", &data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        c.start();
        c.psql("CREATE DATABASE test");
        Some(c)
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> bool {
        let program = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.arg("-u").arg("postgres").arg("--").arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = cmd.args(args).current_dir(&self.dir).output().unwrap();
        if !out.status.success() {
            eprintln!("{tool} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        out.status.success()
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/test", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    pub fn start(&self) {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=200",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log").display().to_string();
        assert!(self.run("pg_ctl", &["-D", &self.data(), "-o", &opts, "-l", &log, "-w", "-t", "60", "start"]));
    }

    /// Stops the server as an administrator would for a restart: sessions are ended at once.
    pub fn stop(&self) {
        assert!(self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"]));
    }

    pub fn psql(&self, sql: &str) {
        let mut client = postgres::Client::connect(
            &format!("postgres://postgres@127.0.0.1:{}/postgres", self.port),
            postgres::NoTls,
        )
        .unwrap();
        client.batch_execute(sql).unwrap();
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
