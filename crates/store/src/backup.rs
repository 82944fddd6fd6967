//! Backups: one SQLite file holding a consistent snapshot of every table, the documents the
//! snapshot refers to, and what the backup is (`backup_meta`). A SQLite file because it is
//! one file an operator can copy, check (`PRAGMA integrity_check`) and even open and query
//! without haicap; and because restoring it into PostgreSQL is the copy haicap already has.
//!
//! The snapshot is taken while the service runs: from SQLite with `VACUUM INTO` (one read
//! transaction), from PostgreSQL in one `REPEATABLE READ READ ONLY` transaction, row by row
//! (constant memory). A restore goes into an empty database of either kind, in one
//! transaction: a restore that fails leaves the target as empty as it found it.

use crate::conn::Conn;
use crate::copy::{self, names};
use crate::pg::PgConn;
use crate::sqlite::SqliteConn;
use crate::value::Val;
use crate::{migrate, DbUrl, StoreError};
use std::path::Path;

/// Tables of the backup file that are not the application's.
const DOCUMENTS: &str = "backup_documents";
const META: &str = "backup_meta";

/// Called with each document of a backup: its SHA-256 and its bytes.
pub type EachDocument<'a> = dyn FnMut(&str, &[u8]) -> Result<(), StoreError> + 'a;

/// Rows per table, in the order copied.
pub type Tables = Vec<(String, u64)>;

fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The application's tables of a SQLite database, in name order.
fn sqlite_tables(c: &mut SqliteConn, schema: &str) -> Result<Vec<String>, StoreError> {
    names(c.query(
        &format!(
            "SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND name NOT IN ('schema_migrations', '{DOCUMENTS}', '{META}') ORDER BY name"
        ),
        &[],
    )?)
}

fn columns(c: &mut SqliteConn, schema: &str, table: &str) -> Result<Vec<String>, StoreError> {
    names(c.query(&format!("SELECT name FROM {schema}.pragma_table_info('{table}') ORDER BY cid"), &[])?)
}

fn count(c: &mut SqliteConn, table: &str) -> Result<u64, StoreError> {
    Ok(c.count(&format!("SELECT COUNT(*) FROM \"{table}\""), &[])? as u64)
}

/// Takes a snapshot of the database at `from` into a new SQLite file `to` (which must not
/// exist). `progress` is told (table, rows so far).
pub fn snapshot(from: &DbUrl, to: &Path, progress: &mut dyn FnMut(&str, u64)) -> Result<Tables, StoreError> {
    if to.exists() {
        return Err(StoreError::Constraint(format!("tệp sao lưu {} đã có; chọn tên khác", to.display())));
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Unavailable(format!("không tạo được thư mục {}: {e}", dir.display())))?;
    }
    // Created empty first, readable by this account only: the backup holds every citizen's
    // data (SQLite writes into an empty file, and gives its journals the file's mode).
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    create
        .open(to)
        .map_err(|e| StoreError::Unavailable(format!("không tạo được tệp sao lưu {}: {e}", to.display())))?;
    let result = match from {
        DbUrl::Sqlite(path) => snapshot_sqlite(path, to, progress),
        DbUrl::Postgres(url) => snapshot_postgres(url, to, progress),
    };
    if result.is_err() {
        let _ = std::fs::remove_file(to);
    }
    let tables = result?;
    let mut out = SqliteConn::open(to)?;
    out.batch(&format!("CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"))?;
    out.exec(
        &format!("INSERT INTO {META} (key, value) VALUES ('schema', $1), ('source', $2), ('taken_at', $3)"),
        &[
            Val::Int(migrate::LATEST),
            Val::Text(from.dialect_name().into()),
            Val::Text(chrono::Utc::now().to_rfc3339()),
        ],
    )?;
    out.batch(&format!("CREATE TABLE {DOCUMENTS} (sha256 TEXT PRIMARY KEY, bytes BLOB NOT NULL)"))?;
    Ok(tables)
}

fn snapshot_sqlite(
    from: &Path,
    to: &Path,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Tables, StoreError> {
    let mut src = copy::open_sqlite_source(from)?;
    // One read transaction: what a running server commits meanwhile is not in it.
    src.batch(&format!("VACUUM INTO {}", quote_literal(&to.display().to_string())))?;
    let mut out = SqliteConn::open(to)?;
    let mut tables = vec![];
    for t in sqlite_tables(&mut out, "main")? {
        let n = count(&mut out, &t)?;
        progress(&t, n);
        tables.push((t, n));
    }
    Ok(tables)
}

fn snapshot_postgres(
    from: &str,
    to: &Path,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Tables, StoreError> {
    let mut src = PgConn::connect(from)?;
    let mut out = SqliteConn::open(to)?;
    migrate::migrate(&mut out)?;
    // A new file written once: no journal needed until it is whole (it is deleted otherwise).
    out.batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")?;
    let theirs = copy::postgres_tables(&mut src)?;
    src.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
    out.batch("BEGIN")?;
    let mut tables = vec![];
    let result = (|| {
        for t in sqlite_tables(&mut out, "main")?.into_iter().filter(|t| theirs.contains(t)) {
            let cols = columns(&mut out, "main", &t)?;
            let list = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            let marks = (1..=cols.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let insert = format!("INSERT INTO \"{t}\" ({list}) VALUES ({marks})");
            let mut rows = 0u64;
            let mut failed = None;
            src.each_row(&format!("SELECT {list} FROM \"{t}\""), &mut |values| {
                if let Err(e) = out.exec(&insert, values) {
                    failed = Some(e);
                    return false;
                }
                rows += 1;
                if rows.is_multiple_of(100_000) {
                    progress(&t, rows);
                }
                true
            })?;
            if let Some(e) = failed {
                return Err(e);
            }
            progress(&t, rows);
            tables.push((t, rows));
        }
        Ok(())
    })();
    let _ = src.batch("COMMIT");
    match result {
        Ok(()) => {
            out.batch("COMMIT")?;
            Ok(tables)
        }
        Err(e) => {
            let _ = out.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The documents the backup's tables refer to (dossiers' and directive reports' files).
pub fn referenced_documents(backup: &Path) -> Result<Vec<String>, StoreError> {
    let mut c = SqliteConn::open(backup)?;
    names(c.query(
        "SELECT sha256 FROM attachments UNION SELECT sha256 FROM directive_attachments ORDER BY 1",
        &[],
    )?)
}

/// Puts documents into the backup, in one transaction.
pub fn add_documents(
    backup: &Path,
    documents: &mut dyn Iterator<Item = Result<(String, Vec<u8>), StoreError>>,
) -> Result<u64, StoreError> {
    let mut c = SqliteConn::open(backup)?;
    c.batch("BEGIN")?;
    let mut n = 0;
    let r = (|| {
        for d in documents {
            let (sha, bytes) = d?;
            c.put_blob(
                &format!("INSERT OR IGNORE INTO {DOCUMENTS} (sha256, bytes) VALUES (?1, ?2)"),
                &sha,
                &bytes,
            )?;
            n += 1;
        }
        Ok(())
    })();
    match r {
        Ok(()) => {
            c.batch("COMMIT")?;
            Ok(n)
        }
        Err(e) => {
            let _ = c.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Calls `f` with each document of the backup.
pub fn each_document(backup: &Path, f: &mut EachDocument<'_>) -> Result<u64, StoreError> {
    let mut c = SqliteConn::open(backup)?;
    c.each_blob(&format!("SELECT sha256, bytes FROM {DOCUMENTS} ORDER BY sha256"), f)
}

/// What the backup says of itself: (key, value) pairs; an error if `path` is no backup.
pub fn describe(path: &Path) -> Result<Vec<(String, String)>, StoreError> {
    if !path.is_file() {
        return Err(StoreError::Constraint(format!("không có tệp sao lưu {}", path.display())));
    }
    let not_a_backup =
        || StoreError::Constraint(format!("{} không phải tệp sao lưu của haicap", path.display()));
    let mut c = SqliteConn::open(path).map_err(|_| not_a_backup())?;
    let found = c.query_one(&format!("SELECT 1 FROM sqlite_schema WHERE name = '{META}'"), &[]);
    if !matches!(found, Ok(Some(_))) {
        return Err(not_a_backup());
    }
    let rows = c.query(&format!("SELECT key, value FROM {META} ORDER BY key"), &[])?;
    rows.iter()
        .map(|r| {
            // Numbers and text alike: the metadata of every version of the format.
            let v = match r.col::<i64>("value") {
                Ok(i) => i.to_string(),
                Err(_) => r.col("value")?,
            };
            Ok((r.col("key")?, v))
        })
        .collect()
}

/// Restores the backup at `backup` into the empty database `to`; returns the rows per table.
pub fn restore(backup: &Path, to: &DbUrl, progress: &mut dyn FnMut(&str, u64)) -> Result<Tables, StoreError> {
    let meta = describe(backup)?;
    let schema = meta.iter().find(|(k, _)| k == "schema").and_then(|(_, v)| v.parse::<i64>().ok());
    if schema.is_some_and(|s| s > migrate::LATEST) {
        return Err(StoreError::Constraint(format!(
            "tệp sao lưu có lược đồ {} mới hơn bản haicap này ({}): hãy dùng bản haicap mới hơn",
            schema.unwrap_or(0),
            migrate::LATEST
        )));
    }
    match to {
        DbUrl::Postgres(url) => Ok(copy::sqlite_to_postgres(backup, url, progress)?.tables),
        DbUrl::Sqlite(path) => restore_sqlite(backup, path, progress),
    }
}

fn restore_sqlite(
    backup: &Path,
    to: &Path,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Tables, StoreError> {
    let mut dst = SqliteConn::open(to)?;
    migrate::migrate(&mut dst)?;
    // The backup is read as it was taken, through a second schema of the same connection.
    dst.batch(&format!("ATTACH DATABASE {} AS b", quote_literal(&backup.display().to_string())))?;
    let result = (|| {
        dst.batch("BEGIN IMMEDIATE")?;
        let ours = sqlite_tables(&mut dst, "main")?;
        let mut tables = vec![];
        for t in sqlite_tables(&mut dst, "b")?.into_iter().filter(|t| ours.contains(t)) {
            if dst.query_one(&format!("SELECT 1 FROM main.\"{t}\" LIMIT 1"), &[])?.is_some() {
                return Err(StoreError::Constraint(format!(
                    "cơ sở dữ liệu đích đã có dữ liệu (bảng {t}): chỉ khôi phục vào một cơ sở dữ liệu trống"
                )));
            }
            // The columns both have, by name: a backup of an older schema lacks the newer ones.
            let theirs = columns(&mut dst, "b", &t)?;
            let cols: Vec<String> =
                columns(&mut dst, "main", &t)?.into_iter().filter(|c| theirs.contains(c)).collect();
            let list = cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
            let n =
                dst.exec(&format!("INSERT INTO main.\"{t}\" ({list}) SELECT {list} FROM b.\"{t}\""), &[])?;
            progress(&t, n);
            tables.push((t, n));
        }
        dst.batch("COMMIT")?;
        Ok(tables)
    })();
    if result.is_err() {
        let _ = dst.batch("ROLLBACK");
    }
    let _ = dst.batch("DETACH DATABASE b");
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_backup_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk");
        std::fs::write(&junk, "không phải sao lưu").unwrap();
        let target = DbUrl::Sqlite(dir.path().join("target.db"));
        for path in [junk.clone(), dir.path().join("missing")] {
            let e = restore(&path, &target, &mut |_, _| {}).unwrap_err();
            assert!(matches!(e, StoreError::Constraint(_)), "{e:?}");
        }
        assert!(!dir.path().join("target.db").exists());
        assert_eq!(std::fs::read_to_string(&junk).unwrap(), "không phải sao lưu");
        // A database that is not a backup is not one either.
        let plain = dir.path().join("plain.db");
        migrate::migrate(&mut SqliteConn::open(&plain).unwrap()).unwrap();
        assert!(matches!(restore(&plain, &target, &mut |_, _| {}), Err(StoreError::Constraint(_))));
    }

    #[cfg(unix)]
    #[test]
    fn a_backup_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let from = DbUrl::Sqlite(dir.path().join("from.db"));
        migrate::migrate(&mut SqliteConn::open(&dir.path().join("from.db")).unwrap()).unwrap();
        let to = dir.path().join("b.haicap");
        snapshot(&from, &to, &mut |_, _| {}).unwrap();
        assert_eq!(std::fs::metadata(&to).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(describe(&to).is_ok());
    }

    #[test]
    fn a_path_with_a_quote_is_quoted() {
        assert_eq!(quote_literal("/tmp/it's.db"), "'/tmp/it''s.db'");
    }
}
