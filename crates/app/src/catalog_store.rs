//! The catalog kept in the database: every imported version of every procedure, so that a
//! dossier can always be read against the version it was received under.

use crate::{App, AppError, AppResult};
use chrono::NaiveDateTime;
use domain::catalog::{Catalog, BUILTIN_CATALOG_JSON};
use domain::national::{self, Format};
use errors::Code;
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use store::{Conn, Store, StoreError, Val};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// What the file was recognised as: "catalog", "portal" or "structured".
    pub format: &'static str,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Each procedure updated, with the fields that changed.
    pub changes: Vec<Change>,
    /// Records with a fact read with doubt (kept as published, marked low-confidence).
    pub doubtful: usize,
}

/// What the import of a commune's offer list did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OfferReport {
    pub commune_code: String,
    /// Lines of the list.
    pub listed: usize,
    /// Procedures kept for the commune (by national code, each once).
    pub offered: usize,
    /// Of those, procedures the catalog holds.
    pub in_catalog: usize,
    /// Lines without a code, found in the catalog by their exact name.
    pub by_name: usize,
    /// Lines without a code that no procedure of the catalog is named like: their names.
    pub unresolved: Vec<String>,
}

/// A procedure's fields that a new version changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Change {
    pub code: String,
    pub fields: Vec<String>,
}

/// A catalog file's header.
struct Meta {
    title: String,
    version: String,
    data_as_of: Option<String>,
    warning: Option<String>,
}

/// What the database keeps of an import: the header of a catalog file (a list of records
/// has none) and each procedure's body.
struct Parsed {
    format: &'static str,
    meta: Option<Meta>,
    procedures: Vec<(String, String, String)>,
    doubtful: usize,
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
        format: "catalog",
        meta: Some(Meta {
            title: checked.title,
            version: checked.version,
            data_as_of: checked.data_as_of,
            warning: checked.warning,
        }),
        procedures,
        doubtful: 0,
    })
}

/// The records of a national file (one per line), each in the catalog's format and laid over
/// what the catalog already holds for its code (`current`), field by field by provenance.
/// Refused whole, naming the line, when a line cannot be read.
fn parse_records(text: &str, format: Format, current: &HashMap<String, Value>) -> AppResult<Parsed> {
    let mut records = vec![];
    let mut lines: HashMap<String, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let read = match format {
            Format::Portal => national::portal_record(line),
            _ => national::structured_record(line),
        };
        let r =
            read.map_err(|e| AppError::new(Code::InvalidProcedure, format!("dòng {}: {}", i + 1, e.0)))?;
        if let Some(first) = lines.insert(r.code.clone(), i + 1) {
            return Err(AppError::new(
                Code::InvalidProcedure,
                format!("mã thủ tục {} có ở cả dòng {first} và dòng {}", r.code, i + 1),
            ));
        }
        records.push(r);
    }
    let label = national::origin_label(format, records.iter().map(|r| r.source.as_str()));
    let doubtful = records.iter().filter(|r| !r.doubts.is_empty()).count();
    let mut bodies = Vec::with_capacity(records.len());
    for r in &records {
        let imported = r.to_catalog(&label);
        let body = match current.get(&r.code) {
            Some(old) => national::merge(old, &imported, format.origin()).0,
            None => imported,
        };
        bodies.push(body);
    }
    // Checked as the catalog will read them, before anything is written.
    let whole = serde_json::json!({ "procedures": bodies });
    let checked = Catalog::parse(&whole.to_string()).map_err(|e| AppError::new(e.code, e.message))?;
    let procedures = checked
        .procedures
        .iter()
        .zip(&bodies)
        .map(|(p, body)| (p.code.clone(), p.name.clone(), body.to_string()))
        .collect();
    let format = if format == Format::Portal { "portal" } else { "structured" };
    Ok(Parsed { format, meta: None, procedures, doubtful })
}

/// Every procedure's body in force, by code.
fn current_bodies(store: &Store) -> AppResult<HashMap<String, Value>> {
    let rows = store.read(|c| {
        c.query(
            "SELECT p.code, v.body FROM procedures p JOIN procedure_versions v ON v.code = p.code AND v.version = p.version",
            &[],
        )
    })?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        let body: Value = serde_json::from_str(&r.col::<String>("body")?).map_err(|e| {
            AppError::new(Code::InvalidCatalog, format!("thủ tục lưu trong cơ sở dữ liệu bị hỏng: {e}"))
        })?;
        out.insert(r.col("code")?, body);
    }
    Ok(out)
}

fn store_parsed(c: &mut dyn Conn, p: &Parsed, now: NaiveDateTime) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport { format: p.format, doubtful: p.doubtful, ..ImportReport::default() };
    if let Some(m) = &p.meta {
        c.exec(
            "INSERT INTO catalog_meta (id, title, version, data_as_of, warning, imported_at) VALUES (1, $1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, version = excluded.version,
             data_as_of = excluded.data_as_of, warning = excluded.warning, imported_at = excluded.imported_at",
            &[(&m.title).into(), (&m.version).into(), m.data_as_of.clone().into(), m.warning.clone().into(), now.into()],
        )?;
    }
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
            Some((version, stored)) => {
                report.updated += 1;
                let (before, after) = (
                    serde_json::from_str::<Value>(&stored).unwrap_or_default(),
                    serde_json::from_str::<Value>(body).unwrap_or_default(),
                );
                report
                    .changes
                    .push(Change { code: code.clone(), fields: national::changed_fields(&before, &after) });
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
    /// Each procedure's code, name, field and aliases folded (no marks, no case), in the
    /// catalog's order: what a search as one types compares, folded once.
    pub folded: Vec<String>,
    /// The catalog's fields (lĩnh vực) with how many procedures each has, by name.
    pub fields: Vec<(String, usize)>,
}

impl Loaded {
    fn new(catalog: Catalog, versions: HashMap<String, i64>) -> Loaded {
        let folded = catalog
            .procedures
            .iter()
            .map(|p| {
                let words = [p.code.as_str(), p.name.as_str(), p.field.as_deref().unwrap_or("")]
                    .into_iter()
                    .chain(p.aliases.iter().map(String::as_str));
                words.map(vi_text::fold).collect::<Vec<_>>().join("\n")
            })
            .collect();
        let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
        for p in &catalog.procedures {
            *counts.entry(p.field_name()).or_default() += 1;
        }
        let mut fields: Vec<(String, usize)> = counts.into_iter().map(|(f, n)| (f.to_string(), n)).collect();
        fields.sort_by_cached_key(|f| vi_text::sort_key(&f.0));
        Loaded { catalog: Arc::new(catalog), versions, folded, fields }
    }
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
        "sources": builtin_sources(),
        "title": meta.col::<String>("title")?,
        "version": meta.col::<String>("version")?,
        "data_as_of": meta.col::<Option<String>>("data_as_of")?,
        "warning": meta.col::<Option<String>>("warning")?,
        "procedures": procedures,
    });
    let catalog = Catalog::parse(&json.to_string()).map_err(|e| AppError::new(e.code, e.message))?;
    Ok(Some(Loaded::new(catalog, versions)))
}

/// The sources the shipped catalog's provenance codes stand for ("S1": the portal, June
/// 2026…): the hand-compiled records in the database cite them.
fn builtin_sources() -> &'static Value {
    static SOURCES: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SOURCES.get_or_init(|| {
        serde_json::from_str::<Value>(BUILTIN_CATALOG_JSON)
            .ok()
            .and_then(|v| v.get("sources").cloned())
            .unwrap_or(Value::Null)
    })
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
    /// Replaces the list of the procedures `commune` offers with the one in `text` (one JSON
    /// object per line: `ten_thu_tuc`, and `ma_thu_tuc` or a portal link carrying the code, as
    /// `data/catalog/national/ward_list_tay_nha_trang_2025.jsonl`). A line without a code is
    /// matched to the catalog by its exact name (marks and case aside); what matches nothing is
    /// reported, not guessed. Refused whole, naming the line, when a line cannot be read.
    pub fn import_offers(&self, commune: &str, text: &str) -> AppResult<OfferReport> {
        crate::known_commune(commune)?;
        let catalog = self.catalog();
        let by_name: HashMap<String, &str> =
            catalog.procedures.iter().map(|p| (vi_text::fold(&p.name), p.code.as_str())).collect();
        let mut report = OfferReport { commune_code: commune.to_string(), ..OfferReport::default() };
        let mut rows: Vec<(String, String, Option<String>)> = vec![];
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let o = national::offered_line(line)
                .map_err(|e| AppError::new(Code::InvalidCatalog, format!("dòng {}: {}", i + 1, e.0)))?;
            report.listed += 1;
            let code = match o.code {
                Some(c) => c,
                None => match by_name.get(&vi_text::fold(&o.name)) {
                    Some(c) => {
                        report.by_name += 1;
                        c.to_string()
                    }
                    None => {
                        report.unresolved.push(o.name);
                        continue;
                    }
                },
            };
            if !rows.iter().any(|(c, _, _)| *c == code) {
                rows.push((code, o.name, o.field));
            }
        }
        report.offered = rows.len();
        report.in_catalog = rows.iter().filter(|(c, _, _)| catalog.get(c).is_some()).count();
        let (commune, now) = (commune.to_string(), self.now());
        self.store.write(move |c| {
            c.exec("DELETE FROM commune_offers WHERE commune_code = $1", &[(&commune).into()])?;
            for (code, name, field) in &rows {
                c.exec(
                    "INSERT INTO commune_offers (commune_code, procedure_code, name, field, imported_at) VALUES ($1, $2, $3, $4, $5)",
                    &[(&commune).into(), code.into(), name.into(), field.clone().into(), now.into()],
                )?;
            }
            Ok(())
        })?;
        Ok(report)
    }

    /// The codes of the procedures `commune` offers (none when it has no list).
    pub fn offered(&self, commune: &str) -> AppResult<HashSet<String>> {
        let rows = self.store.read(|c| {
            c.query("SELECT procedure_code FROM commune_offers WHERE commune_code = $1", &[commune.into()])
        })?;
        Ok(rows.iter().map(|r| r.col("procedure_code")).collect::<Result<_, _>>()?)
    }

    /// Imports a catalog file, recognised by its content: the shipped format, the national
    /// portal's detail records or a ministry's structured export (one record per line). New
    /// procedures are added, changed ones get a new version (a record the portal publishes is
    /// laid over the one compiled by hand field by field, each keeping the better
    /// provenance), unchanged ones get none, procedures not in the file are kept. Refused
    /// whole if any entry is bad.
    pub fn import_catalog(&self, text: &str) -> AppResult<ImportReport> {
        let parsed = match Format::detect(text) {
            Some(Format::Catalog) => parse(text)?,
            Some(format @ (Format::Portal | Format::Structured)) => {
                parse_records(text, format, &current_bodies(&self.store)?)?
            }
            Some(Format::OfferList) => {
                return Err(AppError::new(
                    Code::InvalidCatalog,
                    "tệp này là danh sách thủ tục một xã cung cấp, không phải danh mục thủ tục",
                ))
            }
            None => {
                return Err(AppError::new(
                    Code::InvalidCatalog,
                    "không nhận ra định dạng tệp: cần danh mục JSON của haicap, bản ghi Cổng DVCQG hoặc bản xuất chi tiết thủ tục (mỗi dòng một JSON)",
                ))
            }
        };
        let now = self.now();
        let report = self.store.write(move |c| store_parsed(c, &parsed, now))?;
        self.reload_catalog()?;
        Ok(report)
    }

    /// Reads the catalog in force again (after an import, or a node's pull); the assistant is
    /// rebuilt on the next question.
    pub(crate) fn reload_catalog(&self) -> AppResult<()> {
        let fresh =
            load(&self.store)?.ok_or_else(|| AppError::new(Code::InvalidCatalog, "danh mục trống"))?;
        *self.catalog.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        self.assistant().assistant_stale();
        Ok(())
    }
}
