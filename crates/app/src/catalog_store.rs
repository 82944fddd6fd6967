//! The catalog kept in the database: every imported version of every procedure, so that a
//! dossier can always be read against the version it was received under.

use crate::{App, AppError, AppResult};
use chrono::NaiveDateTime;
use domain::catalog::{Catalog, BUILTIN_CATALOG_JSON};
use errors::Code;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use store::{Conn, Store, StoreError, Val};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// The parts of a catalog file the database keeps: its header and each procedure as written.
struct Parsed {
    title: String,
    version: String,
    data_as_of: Option<String>,
    warning: Option<String>,
    procedures: Vec<(String, String, String)>,
}

fn parse(json: &str) -> AppResult<Parsed> {
    let checked = Catalog::parse(json).map_err(|e| AppError::new(e.code, e.message))?;
    let raw: Value =
        serde_json::from_str(json).map_err(|e| AppError::new(Code::InvalidCatalog, e.to_string()))?;
    let bodies = raw.get("procedures").and_then(Value::as_array).cloned().unwrap_or_default();
    let procedures = checked
        .procedures
        .iter()
        .zip(bodies)
        .map(|(p, body)| (p.code.clone(), p.name.clone(), body.to_string()))
        .collect();
    Ok(Parsed {
        title: checked.title,
        version: checked.version,
        data_as_of: checked.data_as_of,
        warning: checked.warning,
        procedures,
    })
}

fn store_parsed(c: &mut dyn Conn, p: &Parsed, now: NaiveDateTime) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    c.exec(
        "INSERT INTO catalog_meta (id, title, version, data_as_of, warning, imported_at) VALUES (1, $1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, version = excluded.version,
         data_as_of = excluded.data_as_of, warning = excluded.warning, imported_at = excluded.imported_at",
        &[(&p.title).into(), (&p.version).into(), p.data_as_of.clone().into(), p.warning.clone().into(), now.into()],
    )?;
    for (code, name, body) in &p.procedures {
        let current = c.query_one(
            "SELECT p.version, v.body FROM procedures p JOIN procedure_versions v ON v.code = p.code AND v.version = p.version WHERE p.code = $1",
            &[code.into()],
        )?;
        let current = match &current {
            Some(r) => Some((r.col::<i64>("version")?, r.col::<String>("body")?)),
            None => None,
        };
        let version = match current {
            Some((_, stored)) if stored == *body => {
                report.unchanged += 1;
                continue;
            }
            Some((version, _)) => {
                report.updated += 1;
                version + 1
            }
            None => {
                report.added += 1;
                1
            }
        };
        c.exec(
            "INSERT INTO procedure_versions (code, version, name, body, imported_at) VALUES ($1, $2, $3, $4, $5)",
            &[code.into(), Val::Int(version), name.into(), body.into(), now.into()],
        )?;
        c.exec(
            "INSERT INTO procedures (code, version, active) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET version = excluded.version, active = excluded.active",
            &[code.into(), Val::Int(version), true.into()],
        )?;
    }
    Ok(report)
}

/// The catalog in force, with the version of each procedure.
pub(crate) struct Loaded {
    pub catalog: Arc<Catalog>,
    pub versions: HashMap<String, i64>,
}

/// Reads the current catalog from the database.
fn load(store: &Store) -> AppResult<Option<Loaded>> {
    let (meta, bodies) = store.read(|c| {
        let meta = c.query_one("SELECT title, version, data_as_of, warning FROM catalog_meta WHERE id = 1", &[])?;
        let bodies = c.query(
            "SELECT v.body, p.code, p.version FROM procedures p JOIN procedure_versions v ON v.code = p.code AND v.version = p.version
             WHERE p.active ORDER BY p.code",
            &[],
        )?;
        Ok((meta, bodies))
    })?;
    let Some(meta) = meta else { return Ok(None) };
    let mut procedures = Vec::with_capacity(bodies.len());
    let mut versions = HashMap::with_capacity(bodies.len());
    for r in &bodies {
        let v: Value = serde_json::from_str(&r.col::<String>("body")?).map_err(|e| {
            AppError::new(Code::InvalidCatalog, format!("thủ tục lưu trong cơ sở dữ liệu bị hỏng: {e}"))
        })?;
        procedures.push(v);
        versions.insert(r.col::<String>("code")?, r.col::<i64>("version")?);
    }
    let json = serde_json::json!({
        "title": meta.col::<String>("title")?,
        "version": meta.col::<String>("version")?,
        "data_as_of": meta.col::<Option<String>>("data_as_of")?,
        "warning": meta.col::<Option<String>>("warning")?,
        "procedures": procedures,
    });
    let catalog = Catalog::parse(&json.to_string()).map_err(|e| AppError::new(e.code, e.message))?;
    Ok(Some(Loaded { catalog: Arc::new(catalog), versions }))
}

/// The database's catalog; on first start, the one shipped with the binary.
pub(crate) fn load_or_seed(store: &Store, now: NaiveDateTime) -> AppResult<Loaded> {
    if let Some(c) = load(store)? {
        return Ok(c);
    }
    let parsed = parse(BUILTIN_CATALOG_JSON)?;
    store.write(move |c| store_parsed(c, &parsed, now))?;
    load(store)?.ok_or_else(|| AppError::new(Code::InvalidCatalog, "không nạp được danh mục thủ tục"))
}

impl App {
    /// Imports a catalog file (the shipped format): new procedures are added, changed ones get
    /// a new version, procedures not in the file are kept. Refused whole if any entry is bad.
    pub fn import_catalog(&self, json: &str) -> AppResult<ImportReport> {
        let parsed = parse(json)?;
        let now = self.now();
        let report = self.store.write(move |c| store_parsed(c, &parsed, now))?;
        let fresh =
            load(&self.store)?.ok_or_else(|| AppError::new(Code::InvalidCatalog, "danh mục trống"))?;
        *self.catalog.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        self.assistant().assistant_stale();
        Ok(report)
    }
}
