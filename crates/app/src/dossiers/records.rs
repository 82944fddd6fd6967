//! Rows of the dossier projection, the event log and the statistics, in one place.

use chrono::{NaiveDate, NaiveDateTime};
use domain::stats::{Counter, ALL_COUNTERS};
use domain::{Channel, Dossier, Event, Status};
use serde::Serialize;
use std::fmt::Write as _;
use store::{Conn, Row, StoreError, Val};

/// A dossier as the projection holds it, with its events when asked for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DossierRecord {
    pub code: String,
    pub province_code: String,
    pub receiving_unit: String,
    pub handling_unit: String,
    pub procedure_code: String,
    pub procedure_version: i64,
    pub channel: Channel,
    pub status: Status,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_id_number: Option<String>,
    pub address_text: Option<String>,
    pub address_commune: Option<String>,
    pub registered_at: NaiveDateTime,
    pub received_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub verdict: Option<String>,
    pub assignee: Option<String>,
    pub supplement_requests: i64,
    pub event_count: i64,
    pub head_hash: String,
    pub updated_at: NaiveDateTime,
    /// The salt of the sealed subject (see `domain::audit::subject_digest`): never shown.
    #[serde(skip)]
    pub seal_salt: Option<String>,
    /// When the personal data was erased at the end of the retention period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<NaiveDateTime>,
    /// The secret the citizen tracks and rates the dossier with (on the receipt); only to the
    /// seats that work on the dossier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_pin: Option<String>,
    /// Where the dossier is written when not here: at a province, `node:` and the commune of
    /// the node that holds it; at a node, `upstream` once handed to the province (see
    /// [`crate::replication`]). Only that writer appends to its history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writer: Option<String>,
    /// Whether the ID number and phone are shown masked to this reader.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
}

pub(crate) const COLUMNS: &str = "code, province_code, receiving_unit, handling_unit, procedure_code, procedure_version, \
    channel, status, applicant_name, applicant_phone, applicant_id_number, address_text, address_commune, \
    registered_at, received_at, due_at, finished_at, verdict, assignee, supplement_requests, event_count, head_hash, updated_at, seal_salt, erased_at, tracking_pin, writer";

impl DossierRecord {
    /// A row of `SELECT {COLUMNS} FROM dossiers` (by column name: any order, any superset).
    pub(crate) fn from_row(r: &Row) -> Result<DossierRecord, StoreError> {
        Ok(DossierRecord {
            code: r.col("code")?,
            province_code: r.col("province_code")?,
            receiving_unit: r.col("receiving_unit")?,
            handling_unit: r.col("handling_unit")?,
            procedure_code: r.col("procedure_code")?,
            procedure_version: r.col("procedure_version")?,
            channel: r
                .col_parsed("channel", |c: i64| u8::try_from(c).ok().and_then(Channel::from_portal_code))?,
            status: r
                .col_parsed("status", |c: i64| u8::try_from(c).ok().and_then(Status::from_portal_code))?,
            applicant_name: r.col("applicant_name")?,
            applicant_phone: r.col("applicant_phone")?,
            applicant_id_number: r.col("applicant_id_number")?,
            address_text: r.col("address_text")?,
            address_commune: r.col("address_commune")?,
            registered_at: r.col("registered_at")?,
            received_at: r.col("received_at")?,
            due_at: r.col("due_at")?,
            finished_at: r.col("finished_at")?,
            verdict: r.col("verdict")?,
            assignee: r.col("assignee")?,
            supplement_requests: r.col("supplement_requests")?,
            event_count: r.col("event_count")?,
            head_hash: r.col("head_hash")?,
            updated_at: r.col("updated_at")?,
            seal_salt: r.col("seal_salt")?,
            erased_at: r.col("erased_at")?,
            tracking_pin: r.col("tracking_pin")?,
            writer: r.col("writer")?,
            masked: false,
            events: vec![],
        })
    }

    /// Takes the state the domain computed.
    pub(crate) fn follow(&mut self, d: &Dossier, head_hash: String, now: NaiveDateTime) {
        self.handling_unit = d.agency.clone();
        self.status = d.status;
        self.received_at = d.received_at;
        self.due_at = d.due_at;
        self.finished_at = d.finished_at;
        self.verdict = d.verdict().map(|v| v.code().to_string());
        self.assignee = d.assignee.clone();
        self.supplement_requests = d.supplement_requests as i64;
        self.event_count = d.events.len() as i64;
        self.head_hash = head_hash;
        self.updated_at = now;
    }

    /// Writes the new dossier (sent with the next statement that needs an answer: see
    /// [`Conn::exec_later`]).
    pub(crate) fn insert(&self, c: &mut dyn Conn) -> Result<(), StoreError> {
        c.exec_later(
            &format!(
                "INSERT INTO dossiers ({COLUMNS}, search_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)"
            ),
            vec![
                (&self.code).into(),
                (&self.province_code).into(),
                (&self.receiving_unit).into(),
                (&self.handling_unit).into(),
                (&self.procedure_code).into(),
                Val::Int(self.procedure_version),
                Val::Int(self.channel.portal_code().into()),
                Val::Int(self.status.portal_code().into()),
                (&self.applicant_name).into(),
                self.applicant_phone.clone().into(),
                self.applicant_id_number.clone().into(),
                self.address_text.clone().into(),
                self.address_commune.clone().into(),
                self.registered_at.into(),
                self.received_at.into(),
                self.due_at.into(),
                self.finished_at.into(),
                self.verdict.clone().into(),
                self.assignee.clone().into(),
                Val::Int(self.supplement_requests),
                Val::Int(self.event_count),
                (&self.head_hash).into(),
                self.updated_at.into(),
                self.seal_salt.clone().into(),
                self.erased_at.into(),
                self.tracking_pin.clone().into(),
                self.writer.clone().into(),
                self.search_key().into(),
            ],
        )
    }

    /// Writes the applicant's corrected data (with the rest of a correction's transaction).
    pub(crate) fn update_applicant(&self, c: &mut dyn Conn) -> Result<(), StoreError> {
        c.exec(
            "UPDATE dossiers SET applicant_name = $1, applicant_phone = $2, applicant_id_number = $3, \
             address_text = $4, address_commune = $5, seal_salt = $6, search_key = $7 WHERE code = $8",
            &[
                (&self.applicant_name).into(),
                self.applicant_phone.clone().into(),
                self.applicant_id_number.clone().into(),
                self.address_text.clone().into(),
                self.address_commune.clone().into(),
                self.seal_salt.clone().into(),
                self.search_key().into(),
                (&self.code).into(),
            ],
        )?;
        Ok(())
    }

    /// Folded name, phone and code: "nguyen" finds "Nguyễn".
    pub(crate) fn search_key(&self) -> String {
        format!(
            "{} {} {}",
            vi_text::fold(&self.applicant_name),
            self.applicant_phone.as_deref().unwrap_or_default(),
            self.code.to_lowercase()
        )
    }

    /// Writes the new state if nobody else wrote since `before` was read; when someone did,
    /// the transaction fails with `StoreError::Stale` (sent without waiting for the answer:
    /// see `Conn::exec_later_expecting`). The indexed columns (handling unit, due
    /// date) are only written when they change, so the indexes are only touched then.
    pub(crate) fn update_if(&self, c: &mut dyn Conn, before: &DossierRecord) -> Result<(), StoreError> {
        let mut params: Vec<Val> = vec![
            Val::Int(self.status.portal_code().into()),
            self.received_at.into(),
            self.finished_at.into(),
            self.verdict.clone().into(),
            self.assignee.clone().into(),
            Val::Int(self.supplement_requests),
            Val::Int(self.event_count),
            (&self.head_hash).into(),
            self.updated_at.into(),
        ];
        let moved = self.handling_unit != before.handling_unit || self.due_at != before.due_at;
        if moved {
            params.push((&self.handling_unit).into());
            params.push(self.due_at.into());
        }
        params.push((&self.code).into());
        params.push(Val::Int(before.event_count));
        let sql = if moved { UPDATE_MOVED } else { UPDATE_SAME_PLACE };
        c.exec_later_expecting(sql, params, 1)
    }
}

const UPDATE_SAME_PLACE: &str =
    "UPDATE dossiers SET status = $1, received_at = $2, finished_at = $3, verdict = $4, \
    assignee = $5, supplement_requests = $6, event_count = $7, head_hash = $8, updated_at = $9 \
    WHERE code = $10 AND event_count = $11";
const UPDATE_MOVED: &str =
    "UPDATE dossiers SET status = $1, received_at = $2, finished_at = $3, verdict = $4, \
    assignee = $5, supplement_requests = $6, event_count = $7, head_hash = $8, updated_at = $9, \
    handling_unit = $10, due_at = $11 WHERE code = $12 AND event_count = $13";

/// An event ready to be stored: its JSON and its chained hash.
pub(crate) struct EventRow {
    pub seq: u32,
    pub at: NaiveDateTime,
    pub actor: String,
    pub kind: String,
    pub body: String,
    pub hash: String,
}

impl EventRow {
    /// Chains `events` after `prev`; returns the rows and the new head.
    pub(crate) fn chain(code: &str, prev: &str, events: &[Event]) -> (Vec<EventRow>, String) {
        let mut head = prev.to_string();
        let rows = events
            .iter()
            .map(|e| {
                // Serialised once: stored as the body and hashed as it is stored.
                let body = domain::audit::canonical(e);
                head = domain::audit::body_hash(&head, code, body.as_bytes());
                let kind = e.kind.name().to_string();
                EventRow { seq: e.seq, at: e.at, actor: e.actor.clone(), kind, body, hash: head.clone() }
            })
            .collect();
        (rows, head)
    }

    /// Appends the events written here, in one statement sent with the next one that needs an
    /// answer.
    pub(crate) fn insert_all(
        rows: &[EventRow],
        c: &mut dyn Conn,
        code: &str,
        province: &str,
    ) -> Result<(), StoreError> {
        EventRow::insert_arrived(rows, c, code, province, None)
    }

    /// [`EventRow::insert_all`] for events written elsewhere, taken at `arrived` (a node's,
    /// pushed to its province).
    pub(crate) fn insert_arrived(
        rows: &[EventRow],
        c: &mut dyn Conn,
        code: &str,
        province: &str,
        arrived: Option<NaiveDateTime>,
    ) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let width = 8 + arrived.is_some() as usize;
        let mut sql = String::from(if arrived.is_some() {
            "INSERT INTO events (dossier_code, seq, province_code, at, actor, kind, body, hash, arrived_at) VALUES "
        } else {
            "INSERT INTO events (dossier_code, seq, province_code, at, actor, kind, body, hash) VALUES "
        });
        let mut params = Vec::with_capacity(rows.len() * width);
        for (i, r) in rows.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            // Written in place: this runs for every event of every action.
            sql.push('(');
            for k in 1..=width {
                if k > 1 {
                    sql.push_str(", ");
                }
                let _ = write!(sql, "${}", i * width + k);
            }
            sql.push(')');
            params.extend([
                code.into(),
                r.seq.into(),
                province.into(),
                r.at.into(),
                (&r.actor).into(),
                (&r.kind).into(),
                (&r.body).into(),
                (&r.hash).into(),
            ]);
            if let Some(at) = arrived {
                params.push(at.into());
            }
        }
        c.exec_later(&sql, params)
    }
}

/// Records a document filed with the dossier `code` (its bytes are kept by hash).
pub(crate) fn insert_attachment(
    c: &mut dyn Conn,
    code: &str,
    province: &str,
    a: &crate::blobs::Attachment,
    uploaded_at: NaiveDateTime,
) -> Result<(), StoreError> {
    c.exec(
        "INSERT INTO attachments (dossier_code, seq, province_code, file_name, content_type, size, sha256, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            code.into(),
            a.seq.into(),
            province.into(),
            (&a.file_name).into(),
            (&a.content_type).into(),
            Val::Int(a.size as i64),
            (&a.sha256).into(),
            uploaded_at.into(),
        ],
    )?;
    Ok(())
}

/// Adds counters to the statistics of the dossier's unit, procedure and channel.
pub(crate) fn bump_stats(
    c: &mut dyn Conn,
    d: &DossierRecord,
    deltas: &[(NaiveDate, Counter)],
) -> Result<(), StoreError> {
    let mut days: Vec<NaiveDate> = deltas.iter().map(|(d, _)| *d).collect();
    days.dedup();
    for day in days {
        let mut counts = [0i64; ALL_COUNTERS.len()];
        for (_, counter) in deltas.iter().filter(|(d, _)| *d == day) {
            counts[counter.index()] += 1;
        }
        let mut params: Vec<Val> = vec![
            (&d.province_code).into(),
            (&d.receiving_unit).into(),
            (&d.procedure_code).into(),
            day.into(),
            Val::Int(d.channel.portal_code().into()),
        ];
        params.extend(counts.iter().map(|&n| Val::Int(n)));
        // Summed per row and written at the commit (see `Conn::add_at_commit`): these rows
        // are every intake's of a desk and day.
        c.add_at_commit(STATS_UPSERT.as_str(), params, 5)?;
        // The same counts per unit and day, all procedures together (what dashboards read).
        let unit_params: Vec<Val> = [
            Val::from(&d.province_code),
            day.into(),
            Val::from(&d.receiving_unit),
            Val::Int(d.channel.portal_code().into()),
        ]
        .into_iter()
        .chain(counts.iter().map(|&n| Val::Int(n)))
        .collect();
        c.add_at_commit(UNIT_STATS_UPSERT.as_str(), unit_params, 4)?;
    }
    Ok(())
}

static STATS_UPSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let cols: Vec<&str> = ALL_COUNTERS.iter().map(|c| c.column()).collect();
    let placeholders: Vec<String> = (6..6 + cols.len()).map(|i| format!("${i}")).collect();
    let updates: Vec<String> = cols.iter().map(|c| format!("{c} = stats_daily.{c} + excluded.{c}")).collect();
    format!(
        "INSERT INTO stats_daily (province_code, unit_code, procedure_code, day, channel, {}) VALUES ($1, $2, $3, $4, $5, {})
         ON CONFLICT (province_code, unit_code, procedure_code, day, channel) DO UPDATE SET {}",
        cols.join(", "),
        placeholders.join(", "),
        updates.join(", ")
    )
});

/// The upsert of a unit's daily counts ($1 province, $2 day, $3 unit, $4 channel, $5… the
/// counts).
static UNIT_STATS_UPSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let cols: Vec<&str> = ALL_COUNTERS.iter().map(|c| c.column()).collect();
    let placeholders: Vec<String> = (5..5 + cols.len()).map(|i| format!("${i}")).collect();
    let updates: Vec<String> =
        cols.iter().map(|c| format!("{c} = stats_unit_daily.{c} + excluded.{c}")).collect();
    format!(
        "INSERT INTO stats_unit_daily (province_code, day, unit_code, channel, {}) VALUES ($1, $2, $3, $4, {})
         ON CONFLICT (province_code, day, unit_code, channel) DO UPDATE SET {}",
        cols.join(", "),
        placeholders.join(", "),
        updates.join(", ")
    )
});

/// Reads a dossier's events in order, with their stored hashes.
pub(crate) fn load_events(c: &mut dyn Conn, code: &str) -> Result<Vec<(Event, String)>, StoreError> {
    load_events_after(c, code, 0)
}

/// [`load_events`] after the first `after` (what a node's province already holds).
pub(crate) fn load_events_after(
    c: &mut dyn Conn,
    code: &str,
    after: i64,
) -> Result<Vec<(Event, String)>, StoreError> {
    let rows = c.query(
        "SELECT body, hash FROM events WHERE dossier_code = $1 AND seq > $2 ORDER BY seq",
        &[code.into(), Val::Int(after)],
    )?;
    rows.iter()
        .map(|r| {
            let e: Event = serde_json::from_str(&r.col::<String>("body")?)
                .map_err(|e| StoreError::Database(format!("sự kiện của hồ sơ {code} không đọc được: {e}")))?;
            Ok((e, r.col("hash")?))
        })
        .collect()
}
