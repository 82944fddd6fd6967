//! One migration set for both databases, applied in order, each once, under a lock.

use crate::conn::{Conn, Dialect};
use crate::value::Val;
use crate::StoreError;

/// (version, name, SQL with `-- @all` / `-- @sqlite` / `-- @postgres` sections, `{id}` for a
/// table's generated key and `{day(EXPR)}` for the day of a time, which each dialect spells
/// its own way: a statement is written once, a section is only for what truly differs).
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (2, "web", include_str!("../migrations/0002_web.sql")),
    (3, "attachments", include_str!("../migrations/0003_attachments.sql")),
    (4, "unit_stats", include_str!("../migrations/0004_unit_stats.sql")),
    (5, "assistant", include_str!("../migrations/0005_assistant.sql")),
    (6, "coordination", include_str!("../migrations/0006_coordination.sql")),
    (7, "dashboard", include_str!("../migrations/0007_dashboard.sql")),
    (8, "open_index", include_str!("../migrations/0008_open_index.sql")),
    (9, "stats_clustered", include_str!("../migrations/0009_stats_clustered.sql")),
    (10, "operations", include_str!("../migrations/0010_operations.sql")),
    (11, "privacy", include_str!("../migrations/0011_privacy.sql")),
    (12, "tracking", include_str!("../migrations/0012_tracking.sql")),
    (13, "intake_keys", include_str!("../migrations/0013_intake_keys.sql")),
    (14, "commune_offers", include_str!("../migrations/0014_commune_offers.sql")),
    (15, "signing", include_str!("../migrations/0015_signing.sql")),
    (16, "agency_seal", include_str!("../migrations/0016_agency_seal.sql")),
    (17, "nodes", include_str!("../migrations/0017_nodes.sql")),
    (18, "replication", include_str!("../migrations/0018_replication.sql")),
    (19, "portal_feed", include_str!("../migrations/0019_portal_feed.sql")),
    (20, "node_calendar", include_str!("../migrations/0020_node_calendar.sql")),
];

/// The latest schema version this build knows.
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// A generated 64-bit key, as each dialect spells it.
fn id_column(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "INTEGER PRIMARY KEY",
        Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
    }
}

/// The parts of a migration file that `dialect` runs, `{id}` spelt out.
fn sections(sql: &str, dialect: Dialect) -> String {
    let mut keep = true;
    let mut out = String::with_capacity(sql.len());
    for line in sql.lines() {
        match line.trim() {
            "-- @all" => keep = true,
            "-- @sqlite" => keep = dialect == Dialect::Sqlite,
            "-- @postgres" => keep = dialect == Dialect::Postgres,
            _ if keep => {
                out.push_str(line);
                out.push('\n');
            }
            _ => {}
        }
    }
    expand_days(&out.replace("{id}", id_column(dialect)), dialect)
}

/// `{day(EXPR)}` spelt out: SQLite keeps days as `YYYY-MM-DD` text, the first ten characters
/// of a stored time; PostgreSQL has a date type.
fn expand_days(sql: &str, dialect: Dialect) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find("{day(") {
        let Some(len) = rest[start..].find(")}") else { break };
        let expr = &rest[start + 5..start + len];
        out.push_str(&rest[..start]);
        match dialect {
            Dialect::Sqlite => out.push_str(&format!("substr({expr}, 1, 10)")),
            Dialect::Postgres => out.push_str(&format!("CAST({expr} AS DATE)")),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// Brings the schema up to date; returns the versions applied.
pub fn migrate(c: &mut dyn Conn) -> Result<Vec<i64>, StoreError> {
    migrate_to(c, LATEST)
}

/// Applies the migrations up to version `last`.
fn migrate_to(c: &mut dyn Conn, last: i64) -> Result<Vec<i64>, StoreError> {
    c.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)",
    )?;
    c.begin()?;
    let result = (|| {
        // Two servers starting at once: the second waits, then finds nothing to do.
        c.lock_until_commit(crate::Lock::Migrate)?;
        let current = c
            .query_one("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_migrations", &[])?
            .map_or(Ok(0), |r| r.only::<i64>())?;
        if current > LATEST {
            return Err(StoreError::Database(format!(
                "cơ sở dữ liệu ở phiên bản lược đồ {current}, mới hơn bản haicap này ({LATEST}); hãy cập nhật haicap"
            )));
        }
        let mut applied = vec![];
        for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current && m.0 <= last) {
            c.batch(&sections(sql, c.dialect()))?;
            let now = chrono::Utc::now().naive_utc();
            c.exec(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[Val::Int(version), name.into(), now.into()],
            )?;
            applied.push(version);
        }
        Ok(applied)
    })();
    match result {
        Ok(v) => {
            c.batch("COMMIT")?;
            Ok(v)
        }
        Err(e) => {
            let _ = c.batch("ROLLBACK");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_gets_the_common_part_and_its_own() {
        let sql = "-- @all\nA;\n-- @sqlite\nS;\n-- @postgres\nP;\n-- @all\nB;\n";
        assert_eq!(sections(sql, Dialect::Sqlite), "A;\nS;\nB;\n");
        assert_eq!(sections(sql, Dialect::Postgres), "A;\nP;\nB;\n");
        let table = "-- @all\nCREATE TABLE t (id {id}, x TEXT);\n";
        assert_eq!(sections(table, Dialect::Sqlite), "CREATE TABLE t (id INTEGER PRIMARY KEY, x TEXT);\n");
        assert_eq!(
            sections(table, Dialect::Postgres),
            "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, x TEXT);\n"
        );
        let days = "-- @all\nSELECT {day(d.at)}, {day(r.at)} FROM d GROUP BY {day(d.at)};\n";
        assert_eq!(
            sections(days, Dialect::Sqlite),
            "SELECT substr(d.at, 1, 10), substr(r.at, 1, 10) FROM d GROUP BY substr(d.at, 1, 10);\n"
        );
        assert_eq!(
            sections(days, Dialect::Postgres),
            "SELECT CAST(d.at AS DATE), CAST(r.at AS DATE) FROM d GROUP BY CAST(d.at AS DATE);\n"
        );
        // Nothing to expand, or an unclosed one: left as written.
        assert_eq!(sections("-- @all\nSELECT '{day(';\n", Dialect::Postgres), "SELECT '{day(';\n");
    }

    /// The statements of a dialect's own sections (`-- @sqlite` or `-- @postgres`), comments
    /// left out and spaces folded.
    fn own_statements(sql: &str, marker: &str) -> Vec<String> {
        let mut current = "-- @all";
        let mut text = String::new();
        for line in sql.lines() {
            let t = line.trim();
            if t.starts_with("-- @") {
                current = t;
                text.push_str(";\n");
            } else if current == marker && !t.starts_with("--") {
                text.push_str(t);
                text.push(' ');
            }
        }
        text.split(';')
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
            .collect()
    }

    #[test]
    fn no_statement_is_written_twice_once_per_dialect() {
        for (version, name, sql) in MIGRATIONS {
            let sqlite = own_statements(sql, "-- @sqlite");
            let twice: Vec<String> =
                own_statements(sql, "-- @postgres").into_iter().filter(|t| sqlite.contains(t)).collect();
            assert!(
                twice.is_empty(),
                "migration {version} ({name}) writes {twice:?} once per dialect: write it once under -- @all"
            );
        }
        // The check itself: a statement copied into both sections is caught.
        let copied = "-- @sqlite\nCREATE INDEX i ON t (a);\n-- @postgres\nCREATE INDEX i ON t (a);\n";
        assert_eq!(own_statements(copied, "-- @postgres"), own_statements(copied, "-- @sqlite"));
        assert_eq!(own_statements(copied, "-- @sqlite"), ["CREATE INDEX i ON t (a)"]);
    }

    #[test]
    fn statistics_keep_their_rows_when_stored_in_key_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = crate::sqlite::SqliteConn::open(&dir.path().join("m.db")).unwrap();
        assert_eq!(migrate_to(&mut c, 8).unwrap().last(), Some(&8));
        c.batch(
            "INSERT INTO stats_daily (province_code, unit_code, procedure_code, day, channel, registered, received, refused, supplement_requested, extended, transferred, resolved_early, resolved_on_time, resolved_late, returned, withdrawn, stopped, digitised, rated, satisfied)
             VALUES ('48', '20242', '1.004873', '2026-03-02', 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
             INSERT INTO stats_unit_daily (province_code, day, unit_code, channel, registered, received, refused, supplement_requested, extended, transferred, resolved_early, resolved_on_time, resolved_late, returned, withdrawn, stopped, digitised, rated, satisfied)
             VALUES ('48', '2026-03-02', '20242', 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)",
        )
        .unwrap();
        let rows = |c: &mut crate::sqlite::SqliteConn, table: &str| {
            c.query(&format!("SELECT * FROM {table}"), &[])
                .unwrap()
                .iter()
                .map(|r| (0..20).map(|i| format!("{:?}", r.get(i))).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        let before = (rows(&mut c, "stats_daily"), rows(&mut c, "stats_unit_daily"));
        assert_eq!(migrate_to(&mut c, 9).unwrap(), [9]);
        assert_eq!((rows(&mut c, "stats_daily"), rows(&mut c, "stats_unit_daily")), before);
        let clustered = c
            .query(
                "SELECT name FROM pragma_table_list WHERE name LIKE 'stats%' AND wr = 1 ORDER BY name",
                &[],
            )
            .unwrap();
        assert_eq!(
            clustered.iter().map(|r| r.col::<String>("name").unwrap()).collect::<Vec<_>>(),
            ["stats_daily", "stats_unit_daily"]
        );
    }
}
