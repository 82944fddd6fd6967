//! The same protocol one tier up (issue #25, docs/nodes.md): a province's server feeds the
//! national instance (`haicap serve --national`) with each dossier's status in the national
//! portal's terms (TrangThaiHoSo, KenhThucHien, the dates, the verdict) and its figures
//! (the daily counters of each unit), and never the applicant's personal data: no name, ID
//! number, phone, address, document or history travels.
//!
//! The province finds what changed through the index on when events arrived (a node's late
//! work included), sends those dossiers' status records and the days of figures they touched,
//! and moves its cursor only once everything was taken. The nation keeps each province's
//! dossiers as status records in its own `dossiers` table (written by `province:` and the
//! code, no history: `audit verify` counts them apart), so its dashboard, queues and reports
//! show the 34 provinces and 3,321 communes as a province's show its communes. A record is
//! taken only if it is newer (more events) than the one held: a feed repeated or re-ordered
//! changes nothing.

use crate::nodes::Node;
use crate::{App, AppError, AppResult, Code};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use domain::stats::ALL_COUNTERS;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use store::{Conn, StoreError, Val};

/// Most status records in one feed request.
pub const FEED_DOSSIERS: usize = 1_000;
/// Events committed a little after a later one's time are not missed: each round looks back
/// this far before its cursor.
pub(crate) const LOOK_BACK: Duration = Duration::minutes(2);

/// A dossier as the nation sees it: the portal's fields, no personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusRecord {
    /// MaHoSo.
    pub code: String,
    pub province_code: String,
    pub receiving_unit: String,
    pub handling_unit: String,
    pub procedure_code: String,
    pub procedure_version: i64,
    /// KenhThucHien (1 direct, 2 online, 3 post).
    pub channel: u8,
    /// TrangThaiHoSo.
    pub status: u8,
    pub registered_at: NaiveDateTime,
    pub received_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub verdict: Option<String>,
    /// How many events its history holds at the province: a newer record has more.
    pub event_count: i64,
    pub updated_at: NaiveDateTime,
}

/// One row of a day's counters (the columns of `domain::stats::ALL_COUNTERS`, in order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatsRow {
    pub unit_code: String,
    pub procedure_code: String,
    pub day: NaiveDate,
    pub channel: u8,
    pub counts: Vec<i64>,
}

/// What a province sends the nation in one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Feed {
    pub dossiers: Vec<StatusRecord>,
    /// The days whose figures `stats` replaces whole (every unit's of the province).
    #[serde(default)]
    pub days: Vec<NaiveDate>,
    #[serde(default)]
    pub stats: Vec<StatsRow>,
}

/// What the nation did with a feed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedTaken {
    /// Status records new or newer than the nation's.
    pub dossiers: u64,
    pub days: u64,
}

/// The dossiers whose history gained events since `since` (by when the events arrived: a
/// node's late work included), of one province or of every one here, and the days those
/// events fell on.
pub(crate) fn changed_since(
    c: &mut dyn Conn,
    since: NaiveDateTime,
    province: Option<&str>,
) -> Result<(BTreeSet<String>, BTreeSet<NaiveDate>), StoreError> {
    let mut params: Vec<Val> = vec![since.into()];
    params.extend(province.map(Val::from));
    let rows = c.query(
        &format!(
            "SELECT dossier_code, at FROM events WHERE COALESCE(arrived_at, at) >= $1{}",
            if province.is_some() { " AND province_code = $2" } else { "" }
        ),
        &params,
    )?;
    let mut codes = BTreeSet::new();
    let mut days = BTreeSet::new();
    for r in rows {
        codes.insert(r.col::<String>("dossier_code")?);
        days.insert(r.col::<NaiveDateTime>("at")?.date());
    }
    Ok((codes, days))
}

/// How the nation marks a province's dossiers: the one rule that tells status records apart.
const STATUS_WRITER: &str = "province:";

fn province_writer(province: &str) -> String {
    format!("{STATUS_WRITER}{province}")
}

/// Whether a dossier row is a status record a province fed the nation.
pub(crate) fn is_status_record(writer: Option<&str>) -> bool {
    writer.is_some_and(|w| w.starts_with(STATUS_WRITER))
}

/// The condition (after `AND`) that keeps an actor's reads of `dossiers` rows to what its
/// scope may read as rows: the status records for the nation's scope, everything otherwise.
pub(crate) fn rows_condition(actor: &crate::Actor) -> &'static str {
    if actor.scope.status_records_only() {
        "writer LIKE 'province:%'"
    } else {
        "1 = 1"
    }
}

const RECORD_COLUMNS: &str =
    "code, province_code, receiving_unit, handling_unit, procedure_code, procedure_version, \
    channel, status, registered_at, received_at, due_at, finished_at, verdict, event_count, updated_at";

fn record_of(r: &store::Row) -> Result<StatusRecord, StoreError> {
    Ok(StatusRecord {
        code: r.col("code")?,
        province_code: r.col("province_code")?,
        receiving_unit: r.col("receiving_unit")?,
        handling_unit: r.col("handling_unit")?,
        procedure_code: r.col("procedure_code")?,
        procedure_version: r.col("procedure_version")?,
        channel: r.col_parsed("channel", |c: i64| u8::try_from(c).ok())?,
        status: r.col_parsed("status", |c: i64| u8::try_from(c).ok())?,
        registered_at: r.col("registered_at")?,
        received_at: r.col("received_at")?,
        due_at: r.col("due_at")?,
        finished_at: r.col("finished_at")?,
        verdict: r.col("verdict")?,
        event_count: r.col("event_count")?,
        updated_at: r.col("updated_at")?,
    })
}

/// The province's figures of `days`, row by row.
fn stats_of(c: &mut dyn Conn, province: &str, days: &[NaiveDate]) -> Result<Vec<StatsRow>, StoreError> {
    let cols: Vec<&str> = ALL_COUNTERS.iter().map(|c| c.column()).collect();
    let mut out = vec![];
    for day in days {
        let rows = c.query(
            &format!(
                "SELECT unit_code, procedure_code, day, channel, {} FROM stats_daily WHERE province_code = $1 AND day = $2",
                cols.join(", ")
            ),
            &[province.into(), (*day).into()],
        )?;
        for r in rows {
            out.push(StatsRow {
                unit_code: r.col("unit_code")?,
                procedure_code: r.col("procedure_code")?,
                day: r.col("day")?,
                channel: r.col_parsed("channel", |c: i64| u8::try_from(c).ok())?,
                counts: cols.iter().map(|c| r.col::<i64>(c)).collect::<Result<_, _>>()?,
            });
        }
    }
    Ok(out)
}

/// Where a province stands with the nation (one row).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FeedState {
    pub cursor: Option<NaiveDateTime>,
    pub last_feed_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// One round's work at the province: the feeds to send, then the cursor to keep.
pub struct Round {
    pub feeds: Vec<Feed>,
    pub next_cursor: NaiveDateTime,
}

impl App {
    /// What changed since the last round the nation took (everything, the first time), in
    /// feeds of at most [`FEED_DOSSIERS`] records; the figures of each day those changes
    /// touched go with the last.
    pub fn national_round(&self, province: &str) -> AppResult<Round> {
        let now = self.now();
        let state = self.feed_state()?;
        let province = province.to_string();
        let feeds = self.store.read(move |c| {
            let (codes, days): (Vec<String>, BTreeSet<NaiveDate>) = match state.cursor {
                Some(cursor) => {
                    let (codes, mut days) = changed_since(c, cursor - LOOK_BACK, Some(&province))?;
                    // A rating changes its day's figures without an event: given here, or
                    // arrived from a node (counted on the day it was given).
                    for r in c.query(
                        "SELECT at FROM ratings WHERE COALESCE(arrived_at, at) >= $1 AND province_code = $2",
                        &[(cursor - LOOK_BACK).into(), (&province).into()],
                    )? {
                        days.insert(r.col::<NaiveDateTime>("at")?.date());
                    }
                    (codes.into_iter().collect(), days)
                }
                None => {
                    let codes = c
                        .query(
                            "SELECT code FROM dossiers WHERE province_code = $1 ORDER BY code",
                            &[(&province).into()],
                        )?
                        .iter()
                        .map(|r| r.col::<String>("code"))
                        .collect::<Result<_, _>>()?;
                    let days = c
                        .query(
                            "SELECT DISTINCT day FROM stats_daily WHERE province_code = $1",
                            &[(&province).into()],
                        )?
                        .iter()
                        .map(|r| r.col::<NaiveDate>("day"))
                        .collect::<Result<_, _>>()?;
                    (codes, days)
                }
            };
            let mut feeds = vec![];
            // A feed's records in one query, not one query each.
            for chunk in codes.chunks(FEED_DOSSIERS) {
                let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                let params: Vec<Val> = chunk.iter().map(Val::from).collect();
                let rows = c.query(
                    &format!(
                        "SELECT {RECORD_COLUMNS} FROM dossiers WHERE code IN ({}) ORDER BY code",
                        marks.join(", ")
                    ),
                    &params,
                )?;
                let dossiers = rows.iter().map(record_of).collect::<Result<_, _>>()?;
                feeds.push(Feed { dossiers, ..Feed::default() });
            }
            // The figures, a month of days at a time.
            let days: Vec<NaiveDate> = days.into_iter().collect();
            for chunk in days.chunks(31) {
                feeds.push(Feed {
                    dossiers: vec![],
                    days: chunk.to_vec(),
                    stats: stats_of(c, &province, chunk)?,
                });
            }
            Ok(feeds)
        })?;
        Ok(Round { feeds, next_cursor: now })
    }

    /// Where this province stands with the nation.
    pub fn feed_state(&self) -> AppResult<FeedState> {
        let row = self.store.read(|c| {
            c.query_one("SELECT cursor_at, last_feed_at, last_error FROM national_feed WHERE id = 1", &[])
        })?;
        Ok(match row {
            Some(r) => FeedState {
                cursor: r.col("cursor_at")?,
                last_feed_at: r.col("last_feed_at")?,
                last_error: r.col("last_error")?,
            },
            None => FeedState::default(),
        })
    }

    /// Records a round the nation took whole: the next starts from `cursor`.
    pub fn national_round_done(&self, cursor: NaiveDateTime) -> AppResult<()> {
        let now = self.now();
        self.store.write(move |c| {
            c.exec("DELETE FROM national_feed WHERE id = 1", &[])?;
            c.exec(
                "INSERT INTO national_feed (id, cursor_at, last_feed_at) VALUES (1, $1, $2)",
                &[cursor.into(), now.into()],
            )?;
            Ok(())
        })?;
        Ok(())
    }

    /// Records a round that failed (the cursor stays: the next round sends it all again).
    pub fn national_round_failed(&self, error: &str) -> AppResult<()> {
        let e: String = error.chars().take(500).collect();
        self.store.write(move |c| {
            if c.exec("UPDATE national_feed SET last_error = $1 WHERE id = 1", &[(&e).into()])? == 0 {
                c.exec("INSERT INTO national_feed (id, last_error) VALUES (1, $1)", &[(&e).into()])?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Takes a province's feed (at the national instance): newer status records replace the
    /// held ones, and each day sent replaces that day's figures of the province. Refused whole
    /// if any record or row is not the province's.
    pub fn take_feed(&self, from: &Node, feed: Feed) -> AppResult<FeedTaken> {
        Ok(self.take_feed_changed(from, feed)?.0)
    }

    /// [`App::take_feed`], with the status records taken (for the nation's live stream).
    pub fn take_feed_changed(&self, from: &Node, feed: Feed) -> AppResult<(FeedTaken, Vec<StatusRecord>)> {
        let province = from.commune_code.clone();
        if units::registry().province(&province).is_none() {
            return Err(AppError::new(
                Code::ReplicationWriter,
                "mã này là của máy trạm một xã: chỉ máy chủ của tỉnh gửi số liệu lên quốc gia",
            ));
        }
        if feed.dossiers.len() > FEED_DOSSIERS || feed.days.len() > 31 {
            return Err(AppError::new(
                Code::ReplicationOrder,
                format!("tối đa {FEED_DOSSIERS} hồ sơ và 31 ngày số liệu một lần gửi"),
            ));
        }
        let days: BTreeSet<NaiveDate> = feed.days.iter().copied().collect();
        let foreign = feed
            .dossiers
            .iter()
            .any(|d| d.province_code != province || d.code.is_empty() || d.code.len() > 64)
            || feed.stats.iter().any(|s| !days.contains(&s.day) || s.counts.len() != ALL_COUNTERS.len())
            || feed.dossiers.iter().any(|d| {
                domain::Channel::from_portal_code(d.channel).is_none()
                    || domain::Status::from_portal_code(d.status).is_none()
            });
        if foreign {
            return Err(AppError::new(
                Code::ReplicationWriter,
                format!("số liệu gửi lên có hồ sơ hoặc ngày không thuộc tỉnh {province}, hoặc không hợp lệ"),
            ));
        }
        let writer = province_writer(&province);
        Ok(self.store.write(move |c| {
            let (mut taken, mut changed) = (FeedTaken::default(), vec![]);
            for d in &feed.dossiers {
                if take_record(c, d, &writer)? {
                    taken.dossiers += 1;
                    changed.push(d.clone());
                }
            }
            take_stats(c, &province, &days, &feed.stats)?;
            taken.days = days.len() as u64;
            Ok((taken, changed))
        })?)
    }
}

/// Inserts or updates one status record; false when the nation holds one as new.
fn take_record(c: &mut dyn Conn, d: &StatusRecord, writer: &str) -> Result<bool, StoreError> {
    let held =
        c.query_one("SELECT event_count, writer FROM dossiers WHERE code = $1", &[(&d.code).into()])?;
    let values: Vec<Val> = vec![
        (&d.code).into(),
        (&d.province_code).into(),
        (&d.receiving_unit).into(),
        (&d.handling_unit).into(),
        (&d.procedure_code).into(),
        Val::Int(d.procedure_version),
        Val::Int(d.channel.into()),
        Val::Int(d.status.into()),
        d.registered_at.into(),
        d.received_at.into(),
        d.due_at.into(),
        d.finished_at.into(),
        d.verdict.clone().into(),
        Val::Int(d.event_count),
        d.updated_at.into(),
    ];
    match held {
        None => {
            let mut params = values;
            params.push(writer.into());
            params.push(d.code.to_lowercase().into());
            c.exec(
                &format!(
                    "INSERT INTO dossiers ({RECORD_COLUMNS}, writer, search_key, applicant_name, supplement_requests, head_hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, '', 0, '')"
                ),
                &params,
            )?;
            Ok(true)
        }
        Some(r) => {
            if r.col::<Option<String>>("writer")?.as_deref() != Some(writer)
                || r.col::<i64>("event_count")? >= d.event_count
            {
                return Ok(false);
            }
            // The same values but the code, the province and the registration, which stay.
            let mut params: Vec<Val> = values[2..8].to_vec();
            params.extend_from_slice(&values[9..]);
            params.push((&d.code).into());
            c.exec(
                "UPDATE dossiers SET receiving_unit = $1, handling_unit = $2, procedure_code = $3, procedure_version = $4, \
                 channel = $5, status = $6, received_at = $7, due_at = $8, finished_at = $9, verdict = $10, \
                 event_count = $11, updated_at = $12 WHERE code = $13",
                &params,
            )?;
            Ok(true)
        }
    }
}

/// Replaces the province's figures of `days` with `rows`, and the per-unit sums the
/// dashboards read.
fn take_stats(
    c: &mut dyn Conn,
    province: &str,
    days: &BTreeSet<NaiveDate>,
    rows: &[StatsRow],
) -> Result<(), StoreError> {
    let cols: Vec<&str> = ALL_COUNTERS.iter().map(|c| c.column()).collect();
    for day in days {
        c.exec(
            "DELETE FROM stats_daily WHERE province_code = $1 AND day = $2",
            &[province.into(), (*day).into()],
        )?;
        c.exec(
            "DELETE FROM stats_unit_daily WHERE province_code = $1 AND day = $2",
            &[province.into(), (*day).into()],
        )?;
    }
    let marks =
        |from: usize| (from..from + cols.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let insert = format!(
        "INSERT INTO stats_daily (province_code, unit_code, procedure_code, day, channel, {}) VALUES ($1, $2, $3, $4, $5, {})",
        cols.join(", "),
        marks(6)
    );
    let mut units: BTreeMap<(NaiveDate, String, u8), Vec<i64>> = BTreeMap::new();
    for r in rows {
        let mut params: Vec<Val> = vec![
            province.into(),
            (&r.unit_code).into(),
            (&r.procedure_code).into(),
            r.day.into(),
            Val::Int(r.channel.into()),
        ];
        params.extend(r.counts.iter().map(|n| Val::Int(*n)));
        c.exec(&insert, &params)?;
        let sum = units.entry((r.day, r.unit_code.clone(), r.channel)).or_insert_with(|| vec![0; cols.len()]);
        for (s, n) in sum.iter_mut().zip(&r.counts) {
            *s += n;
        }
    }
    let insert_unit = format!(
        "INSERT INTO stats_unit_daily (province_code, day, unit_code, channel, {}) VALUES ($1, $2, $3, $4, {})",
        cols.join(", "),
        marks(5)
    );
    for ((day, unit, channel), counts) in units {
        let mut params: Vec<Val> = vec![province.into(), day.into(), unit.into(), Val::Int(channel.into())];
        params.extend(counts.into_iter().map(Val::Int));
        c.exec(&insert_unit, &params)?;
    }
    Ok(())
}
