//! PostgreSQL for tests: the server tests may create throw-away databases on
//! (`HAICAP_TEST_PG`, the local one by default), skipped where none answers unless
//! `HAICAP_REQUIRE_PG` asks for it. Shared by the tests of every crate.

/// The administrative connection and its URL, or `None` (and a line saying the tests were
/// skipped) when no server answers and PostgreSQL is not required.
pub fn admin() -> Option<(String, postgres::Client)> {
    let base = std::env::var("HAICAP_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres?connect_timeout=2".into());
    match postgres::Client::connect(&base, postgres::NoTls) {
        Ok(c) => Some((base, c)),
        Err(e) => {
            assert!(
                std::env::var_os("HAICAP_REQUIRE_PG").is_none(),
                "PostgreSQL required (HAICAP_REQUIRE_PG) but unreachable: {e}"
            );
            eprintln!("SKIPPED: PostgreSQL tests (no server at {base}: {e})");
            None
        }
    }
}

/// The URL of database `name` on the server `base` names (its options left out).
pub fn url_of(base: &str, name: &str) -> String {
    let base = base.split('?').next().unwrap_or(base);
    match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => format!("{base}/{name}"),
    }
}
