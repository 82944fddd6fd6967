//! What a commune's node takes from its province (issue #25, docs/nodes.md): the accounts of
//! its commune with their password hashes (accounts are managed at the province; an officer
//! signs in at the node with the same password), the province's settings (its code pattern,
//! fees and delegations), the list of procedures the commune offers, and the procedure
//! catalog (only when it differs from the node's: a fingerprint says so), and the calendar
//! deadlines are counted in (the province's decided days and office hours). Each is the
//! province's copy, replacing the node's in one transaction, so a node never holds half of
//! one.
//!
//! The tables and their columns are fixed here, on both sides: a node takes nothing else, and
//! filters by its own commune and province, whatever a province sends.

use crate::nodes::Node;
use crate::{App, AppError, AppResult, Code};
use calendar::{DecidedDays, OfficeHours, WorkCalendar};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::{Conn, StoreError, Val};

/// One stored value, as it travels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Ts(NaiveDateTime),
    Date(NaiveDate),
}

impl From<&Val> for Cell {
    fn from(v: &Val) -> Cell {
        match v {
            Val::Null => Cell::Null,
            Val::Int(i) => Cell::Int(*i),
            Val::Text(t) => Cell::Text(t.clone()),
            Val::Bool(b) => Cell::Bool(*b),
            Val::Ts(t) => Cell::Ts(*t),
            Val::Date(d) => Cell::Date(*d),
        }
    }
}

impl From<Cell> for Val {
    fn from(c: Cell) -> Val {
        match c {
            Cell::Null => Val::Null,
            Cell::Int(i) => Val::Int(i),
            Cell::Text(t) => Val::Text(t),
            Cell::Bool(b) => Val::Bool(b),
            Cell::Ts(t) => Val::Ts(t),
            Cell::Date(d) => Val::Date(d),
        }
    }
}

/// A table's rows as the province holds them for this node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableCopy {
    pub table: String,
    pub rows: Vec<Vec<Cell>>,
}

/// What a node takes in one pull.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pulled {
    /// The province's catalog fingerprint; the catalog's tables come only when the node's
    /// differs.
    pub catalog: String,
    pub tables: Vec<TableCopy>,
    /// The province's calendar: a node counts deadlines as its province does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarCopy>,
    /// The commune's online dossiers the province hands to the node (see
    /// [`App::hand_down`]); their documents are fetched by hash before they are taken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handed_down: Vec<crate::replication::PushedDossier>,
}

/// A calendar as it travels: the decided days as their CSV, the office hours as their spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalendarCopy {
    pub decided: String,
    pub hours: String,
}

impl CalendarCopy {
    pub fn of(c: &WorkCalendar) -> CalendarCopy {
        CalendarCopy { decided: c.decided().to_csv(), hours: c.hours().to_spec() }
    }

    /// The calendar it describes, or why it cannot be read.
    pub fn calendar(&self) -> AppResult<WorkCalendar> {
        let bad = |e: calendar::CalendarError| {
            AppError::new(Code::ReplicationOrder, format!("lịch của tỉnh không đọc được: {}", e.message))
        };
        Ok(WorkCalendar::new(
            DecidedDays::parse_csv(&self.decided).map_err(bad)?,
            OfficeHours::parse(&self.hours).map_err(bad)?,
        ))
    }
}

/// Which rows of a table are the node's.
#[derive(Clone, Copy)]
enum Rows {
    All,
    /// Where the column holds the node's commune.
    Commune(&'static str),
    /// Where the column holds the node's province.
    Province(&'static str),
    /// The directives assigned to the node's commune.
    Directives,
    /// The history of the node's commune's proposals.
    ProposalHistory,
}

/// Histories that are never changed nor deleted (a trigger refuses it): the node adds the rows
/// it lacks instead of replacing its copy.
fn append_only(table: &str) -> bool {
    matches!(table, "directive_reports" | "proposal_events")
}

/// The tables a node takes, their columns, and which rows; `true`: part of the catalog.
const TABLES: &[(&str, &str, Rows, bool)] = &[
    (
        "users",
        "username, full_name, role, unit_code, province_code, password_hash, active, created_at, department_code, position, fields, email, phone",
        Rows::Commune("unit_code"),
        false,
    ),
    ("province_settings", "province_code, code_pattern, updated_at", Rows::Province("province_code"), false),
    (
        "province_procedure_rules",
        "province_code, procedure_code, delegated_to_commune, boundary_free, fee_vnd, fee_note, updated_at",
        Rows::Province("province_code"),
        false,
    ),
    ("commune_offers", "commune_code, procedure_code, name, field, imported_at", Rows::Commune("commune_code"), false),
    ("catalog_meta", "id, title, version, data_as_of, warning, imported_at", Rows::All, true),
    ("procedures", "code, version, active", Rows::All, true),
    ("procedure_versions", "code, version, name, body, imported_at", Rows::All, true),
    ("catalog_aliases", "procedure_code, alias, added_by, added_at", Rows::All, true),
    // The coordination between the tiers, as the province holds it for the commune (written
    // there only: see `App::check_coordination_writable`). Each filter reads a table above it.
    (
        "directive_targets",
        "directive_id, commune_code, province_code, due_date, status, reports, last_report_at, done_at",
        Rows::Commune("commune_code"),
        false,
    ),
    ("directives", "id, province_code, title, body, due_date, created_by, created_at, targets", Rows::Directives, false),
    ("directive_reports", "directive_id, commune_code, seq, at, actor, status, body", Rows::Commune("commune_code"), false),
    (
        "directive_attachments",
        "directive_id, commune_code, report_seq, file_seq, file_name, content_type, size, sha256",
        Rows::Commune("commune_code"),
        false,
    ),
    (
        "proposals",
        "id, province_code, commune_code, title, category, body, urgent, procedure_code, dossier_code, handler, status, \
         escalated, to_central, filed_by, filed_at, due_at, answered_at, flagged_due, event_count, updated_at",
        Rows::Commune("commune_code"),
        false,
    ),
    ("proposal_events", "proposal_id, seq, province_code, at, actor, kind, body", Rows::ProposalHistory, false),
];

/// The `WHERE` of a table's rows for `commune` of `province` ($1), and its parameter.
fn filter(rows: Rows, commune: &str, province: &str) -> (String, Vec<Val>) {
    match rows {
        Rows::All => (String::new(), vec![]),
        Rows::Commune(col) => (format!(" WHERE {col} = $1"), vec![commune.into()]),
        Rows::Province(col) => (format!(" WHERE {col} = $1"), vec![province.into()]),
        Rows::Directives => (
            " WHERE id IN (SELECT directive_id FROM directive_targets WHERE commune_code = $1)".into(),
            vec![commune.into()],
        ),
        Rows::ProposalHistory => (
            " WHERE proposal_id IN (SELECT id FROM proposals WHERE commune_code = $1)".into(),
            vec![commune.into()],
        ),
    }
}

/// A digest of the catalog in force (which version of each procedure, active or not, the
/// aliases, the catalog's title and version): equal on both sides when nothing need travel.
fn catalog_fingerprint(c: &mut dyn Conn) -> Result<String, StoreError> {
    let mut h = Sha256::new();
    for r in c.query("SELECT code, version, active FROM procedures ORDER BY code", &[])? {
        let active: bool = r.col("active")?;
        h.update(format!("{}\t{}\t{active}\n", r.col::<String>("code")?, r.col::<i64>("version")?));
    }
    for r in
        c.query("SELECT procedure_code, alias FROM catalog_aliases ORDER BY procedure_code, alias", &[])?
    {
        h.update(format!("a\t{}\t{}\n", r.col::<String>("procedure_code")?, r.col::<String>("alias")?));
    }
    if let Some(r) = c.query_one("SELECT title, version FROM catalog_meta WHERE id = 1", &[])? {
        h.update(format!("m\t{}\t{}\n", r.col::<String>("title")?, r.col::<String>("version")?));
    }
    Ok(format!("{:x}", h.finalize()))
}

impl App {
    /// What `node` takes from this province; the catalog only when `have` (the node's catalog
    /// fingerprint) differs from the province's.
    pub fn pull_for(&self, node: &Node, have: Option<&str>) -> AppResult<Pulled> {
        let (commune, province, have) =
            (node.commune_code.clone(), node.province_code.clone(), have.map(str::to_string));
        Ok(self
            .store
            .read(move |c| {
                let catalog = catalog_fingerprint(c)?;
                let mut tables = vec![];
                for (table, columns, rows, of_catalog) in TABLES {
                    if *of_catalog && have.as_deref() == Some(catalog.as_str()) {
                        continue;
                    }
                    let (filter, params) = filter(*rows, &commune, &province);
                    let found = c.query(&format!("SELECT {columns} FROM {table}{filter}"), &params)?;
                    tables.push(TableCopy {
                        table: table.to_string(),
                        rows: found.iter().map(|r| r.0.iter().map(Cell::from).collect()).collect(),
                    });
                }
                Ok(Pulled { catalog, tables, calendar: None, handed_down: vec![] })
            })?
            .with_calendar(CalendarCopy::of(&self.calendar()))
            .with_handed_down(self.hand_down(node)?))
    }

    /// This node's catalog fingerprint, to send with a pull.
    pub fn catalog_fingerprint(&self) -> AppResult<String> {
        Ok(self.store.read(catalog_fingerprint)?)
    }

    /// Takes what the province sent (at a node): each table's rows for this node replace its
    /// own, in one transaction; the settings, the catalog and the assistant follow.
    pub fn take_pulled(&self, pulled: Pulled) -> AppResult<()> {
        let up = self.upstream().ok_or_else(|| {
            AppError::new(Code::NotANode, "máy này chưa gắn với máy chủ của tỉnh (haicap serve --upstream …)")
        })?;
        let mut work = vec![];
        for copy in pulled.tables {
            let Some((table, columns, rows, of_catalog)) = TABLES.iter().find(|t| t.0 == copy.table) else {
                return Err(AppError::new(
                    Code::ReplicationOrder,
                    format!("tỉnh gửi bảng \"{}\" máy trạm không nhận", copy.table),
                ));
            };
            let width = columns.split(',').count();
            if copy.rows.iter().any(|r| r.len() != width) {
                return Err(AppError::new(
                    Code::ReplicationOrder,
                    format!("bảng {table}: số cột không khớp"),
                ));
            }
            work.push((*table, *columns, *rows, *of_catalog, copy.rows));
        }
        let catalog_changed = work.iter().any(|w| w.3);
        // Read before anything is written: a calendar that cannot be read takes nothing.
        let calendar = match pulled.calendar {
            Some(copy) => {
                let cal = copy.calendar()?;
                (copy != CalendarCopy::of(&self.calendar())).then_some((copy, cal))
            }
            None => None,
        };
        let calendar_row = calendar.as_ref().map(|(copy, _)| copy.clone());
        let (commune, province, now) = (up.commune_code.clone(), up.province_code.clone(), self.now());
        self.store.write(move |c| {
            if let Some(copy) = &calendar_row {
                c.exec("DELETE FROM node_calendar WHERE id = 1", &[])?;
                c.exec(
                    "INSERT INTO node_calendar (id, decided, hours, taken_at) VALUES (1, $1, $2, $3)",
                    &[(&copy.decided).into(), (&copy.hours).into(), now.into()],
                )?;
            }
            for (table, columns, rows, _, values) in &work {
                let (filter, params) = filter(*rows, &commune, &province);
                let count = format!("SELECT COUNT(*) FROM {table}{filter}");
                let marks: Vec<String> = (1..=columns.split(',').count()).map(|i| format!("${i}")).collect();
                let mut sql = format!("INSERT INTO {table} ({columns}) VALUES ({})", marks.join(", "));
                let held = if append_only(table) {
                    sql.push_str(" ON CONFLICT DO NOTHING");
                    c.count(&count, &params)?
                } else {
                    c.exec(&format!("DELETE FROM {table}{filter}"), &params)?;
                    0
                };
                let mut added = 0;
                for row in values {
                    let vals: Vec<Val> = row.iter().cloned().map(Val::from).collect();
                    added += c.exec(&sql, &vals)? as i64;
                }
                // A row of another commune or province is not this node's to hold: all or nothing.
                if !matches!(rows, Rows::All) {
                    let kept = c.count(&count, &params)?;
                    if kept != held + added {
                        return Err(StoreError::Constraint(format!(
                            "bảng {table}: tỉnh gửi dòng không thuộc xã, tỉnh của máy trạm"
                        )));
                    }
                }
            }
            c.exec("UPDATE upstream SET last_pull_at = $1", &[now.into()])?;
            Ok(())
        })?;
        self.settings.reload(&self.store)?;
        if catalog_changed {
            self.reload_catalog()?;
        }
        if let Some((_, cal)) = calendar {
            self.set_calendar(cal);
        }
        self.refresh_upstream()?;
        Ok(())
    }

    /// At a node, counts in the province's calendar it last took (at start: before anyone is
    /// served). One that cannot be read is left aside, said in the log: the next pull brings it
    /// again.
    pub(crate) fn use_pulled_calendar(&self) -> AppResult<()> {
        if self.upstream().is_none() {
            return Ok(());
        }
        let row =
            self.store.read(|c| c.query_one("SELECT decided, hours FROM node_calendar WHERE id = 1", &[]))?;
        if let Some(r) = row {
            let copy = CalendarCopy { decided: r.col("decided")?, hours: r.col("hours")? };
            match copy.calendar() {
                Ok(cal) => self.set_calendar(cal),
                Err(e) => tracing::warn!(cause = %e.message, "lịch của tỉnh đã nhận không đọc được"),
            }
        }
        Ok(())
    }
}

impl Pulled {
    fn with_calendar(self, calendar: CalendarCopy) -> Pulled {
        Pulled { calendar: Some(calendar), ..self }
    }

    fn with_handed_down(self, handed_down: Vec<crate::replication::PushedDossier>) -> Pulled {
        Pulled { handed_down, ..self }
    }
}
