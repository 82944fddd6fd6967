//! Each dossier's status for the national public service portal (Cổng Dịch vụ công quốc gia,
//! issue #25, docs/nodes.md), through the outbox and its retries.
//!
//! A round (every minute, when the server has a sender for the portal) finds the dossiers
//! whose history changed since the last one, by when their events arrived, so that a node's
//! day pushed late is reported too, and queues one message each: the status record in the
//! portal's fields (those of the register's JSON export). A message is keyed by the dossier and
//! the length of its history, so a round that looks back over what it already queued queues
//! nothing twice; a newer status supersedes an older one still waiting, so that the portal
//! never takes an older status after a newer one. The outbox sends them with its retries,
//! without a last attempt: a status waits until the portal takes it.
//!
//! The first round queues the dossiers still open (the portal needs their state; finished ones
//! are in the register's export). A national instance queues nothing: the status records it
//! holds are the provinces' to report; nor does a commune's node: its province reports what
//! it pushed.

use crate::dossiers::records::{DossierRecord, COLUMNS};
use crate::national::{changed_since, is_status_record, LOOK_BACK};
use crate::{App, AppResult};
use chrono::NaiveDateTime;
use domain::Status;
use serde::Serialize;
use store::Val;

/// The outbox channel of the portal's messages.
pub const CHANNEL: &str = "portal";

/// Dossiers read and queued per transaction: a round never holds the writer for long.
const CHUNK: usize = 500;

/// What a round queued.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PortalRound {
    /// New statuses queued.
    pub queued: usize,
    /// Older statuses still waiting that a newer one replaced.
    pub superseded: usize,
}

/// A status message: the dossier, the key that makes it once, the portal's record.
struct StatusMessage {
    code: String,
    dedupe: String,
    subject: String,
    body: String,
}

impl App {
    /// Queues the status of every dossier that changed since the last round (see the module).
    pub fn portal_round(&self) -> AppResult<PortalRound> {
        // A commune's node reports through its province (which reports what the node pushed):
        // sending from both would tell the portal everything twice.
        if self.upstream().is_some() {
            return Ok(PortalRound::default());
        }
        let now = self.now();
        let codes: Vec<String> = self.store.read(|c| {
            let cursor: Option<NaiveDateTime> = c
                .query_one("SELECT cursor_at FROM portal_feed WHERE id = 1", &[])?
                .map(|r| r.col("cursor_at"))
                .transpose()?;
            match cursor {
                Some(cursor) => Ok(changed_since(c, cursor - LOOK_BACK, None)?.0.into_iter().collect()),
                None => c
                    .query(
                        &format!(
                            "SELECT code FROM dossiers WHERE status IN ({}) ORDER BY code",
                            Status::sql_list(&domain::status::OPEN_STATUSES)
                        ),
                        &[],
                    )?
                    .iter()
                    .map(|r| r.col::<String>("code"))
                    .collect(),
            }
        })?;
        let mut round = PortalRound::default();
        for chunk in codes.chunks(CHUNK) {
            let statuses = self.portal_statuses(chunk)?;
            let (queued, superseded) = self.store.write(move |c| {
                let (mut queued, mut superseded) = (0, 0);
                for s in &statuses {
                    let added = c.exec(
                        "INSERT INTO outbox (created_at, recipient, channel, address, subject, body, status, attempts, next_attempt_at, dossier_code, dedupe) \
                         VALUES ($1, 'DVCQG', $2, 'dvcqg', $3, $4, 'pending', 0, $5, $6, $7) ON CONFLICT (dedupe) DO NOTHING",
                        &[
                            now.into(),
                            CHANNEL.into(),
                            (&s.subject).into(),
                            (&s.body).into(),
                            now.into(),
                            (&s.code).into(),
                            (&s.dedupe).into(),
                        ],
                    )?;
                    if added > 0 {
                        queued += 1;
                        superseded += c.exec(
                            "UPDATE outbox SET status = 'superseded' WHERE dossier_code = $1 AND channel = $2 AND status = 'pending' AND dedupe <> $3",
                            &[(&s.code).into(), CHANNEL.into(), (&s.dedupe).into()],
                        )? as usize;
                    }
                }
                Ok((queued, superseded))
            })?;
            round.queued += queued;
            round.superseded += superseded;
        }
        // The cursor moves once everything found is queued: a round cut short runs again.
        self.store.write(move |c| {
            c.exec("DELETE FROM portal_feed WHERE id = 1", &[])?;
            c.exec(
                "INSERT INTO portal_feed (id, cursor_at, last_round_at) VALUES (1, $1, $1)",
                &[now.into()],
            )?;
            Ok(())
        })?;
        Ok(round)
    }

    /// The portal's status messages of the dossiers `codes` (in code order) that are this
    /// server's own: a status record a province fed the nation is the province's to report.
    fn portal_statuses(&self, codes: &[String]) -> AppResult<Vec<StatusMessage>> {
        let (Some(first), Some(last)) = (codes.first(), codes.last()) else { return Ok(vec![]) };
        let marks: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
        let params: Vec<Val> = codes.iter().map(Val::from).collect();
        let rows = self.store.read(|c| {
            c.query(&format!("SELECT {COLUMNS} FROM dossiers WHERE code IN ({})", marks.join(", ")), &params)
        })?;
        let dossiers = self.dossiers();
        let signed = dossiers.signed_papers(first, last)?;
        let mut out = vec![];
        for r in &rows {
            let d = DossierRecord::from_row(r)?;
            if is_status_record(d.writer.as_deref()) {
                continue;
            }
            let record = crate::dossiers::export::portal_json(&d, dossiers.result_available(&d, &signed));
            out.push(StatusMessage {
                dedupe: format!("{CHANNEL}:{}:{}", d.code, d.event_count),
                subject: format!("Hồ sơ {}: {}", d.code, d.status.label()),
                body: record.to_string(),
                code: d.code,
            });
        }
        Ok(out)
    }

    /// What waits for the portal: how many statuses, since when, and what the last failed
    /// attempt was told.
    pub fn portal_backlog(&self) -> AppResult<PortalBacklog> {
        let (pending, oldest, last_error) = self.store.read(|c| {
            let pending = c.count("SELECT COUNT(*) FROM outbox WHERE channel = $1 AND status = 'pending'", &[CHANNEL.into()])?;
            let oldest: Option<NaiveDateTime> = c
                .query_one(
                    "SELECT created_at FROM outbox WHERE channel = $1 AND status = 'pending' ORDER BY created_at LIMIT 1",
                    &[CHANNEL.into()],
                )?
                .map(|r| r.col("created_at"))
                .transpose()?;
            let last_error: Option<String> = c
                .query_one(
                    "SELECT last_error FROM outbox WHERE channel = $1 AND status = 'pending' AND last_error IS NOT NULL ORDER BY next_attempt_at DESC, id DESC LIMIT 1",
                    &[CHANNEL.into()],
                )?
                .map(|r| r.col("last_error"))
                .transpose()?;
            Ok((pending, oldest, last_error))
        })?;
        Ok(PortalBacklog { pending, oldest, last_error })
    }
}

/// The statuses waiting for the portal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PortalBacklog {
    pub pending: i64,
    /// When the oldest waiting status was queued.
    pub oldest: Option<NaiveDateTime>,
    /// What the portal (or its sender) last answered, if a waiting status failed.
    pub last_error: Option<String>,
}
