//! Sealing each day's digest, and verifying everything: every chain, every projection, every
//! digest. Verification names each dossier whose history does not hold.

use crate::dossiers::records::{DossierRecord, COLUMNS};
use crate::{AppResult, Dossiers};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use domain::audit::{day_digest, first_broken, Head, GENESIS};
use domain::{Dossier, Event};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use store::{Conn, Row, StoreError, Val};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dossier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<NaiveDate>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub dossiers: u64,
    pub events: u64,
    pub days: u64,
    /// Dossiers filed before the registration sealed the applicant and the documents.
    pub unsealed: u64,
    /// At the national instance: provinces' dossiers held as status records (their
    /// histories are at the provinces, which verify them).
    #[serde(skip_serializing_if = "is_zero")]
    pub summaries: u64,
    pub problems: Vec<Problem>,
    /// The documents still kept, and the dossiers that filed them (checked by the caller).
    #[serde(skip)]
    pub(crate) documents: BTreeMap<String, Vec<String>>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The dossiers named in problems, each once.
    pub fn altered_dossiers(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.problems.iter().filter_map(|p| p.dossier.as_ref()).collect();
        set.into_iter().cloned().collect()
    }

    fn problem(&mut self, dossier: Option<&str>, day: Option<NaiveDate>, message: String) {
        self.problems.push(Problem { dossier: dossier.map(str::to_string), day, message });
    }
}

/// When an event arrived in this database, spelt as its index is (`events_arrived`).
const ARRIVED: &str = "COALESCE(arrived_at, at)";

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).expect("midnight exists")
}

/// A row of (dossier_code, seq, hash), by column name.
fn head_of(r: &Row) -> Result<Head, StoreError> {
    Ok(Head {
        code: r.col("dossier_code")?,
        seq: r.col_parsed("seq", |s: i64| u32::try_from(s).ok())?,
        hash: r.col("hash")?,
    })
}

/// The chain heads of the dossiers that changed in this database on `day`, sorted by code: by
/// the day each event arrived, which is its own time unless a node wrote it and pushed it
/// later (`ARRIVED`, see migration 18).
///
/// The day's events are read through the index on `at` and the last one per dossier kept
/// here: a join with a grouped subquery left the choice of plan to the statistics, and with
/// stale ones SQLite joined every event of the day against the whole table.
fn heads_of_day(c: &mut dyn Conn, day: NaiveDate) -> Result<Vec<Head>, StoreError> {
    let rows = c.query(
        &format!("SELECT dossier_code, seq, hash FROM events WHERE {ARRIVED} >= $1 AND {ARRIVED} < $2"),
        &[midnight(day).into(), midnight(day + Duration::days(1)).into()],
    )?;
    let mut heads: Vec<Head> = rows.iter().map(head_of).collect::<Result<_, _>>()?;
    // Sorted here, not by SQL: PostgreSQL's collation may order text differently from SQLite.
    // The last event of each dossier that day is its head.
    heads.sort_by(|a, b| a.code.cmp(&b.code).then(b.seq.cmp(&a.seq)));
    heads.dedup_by(|later, first| later.code == first.code);
    Ok(heads)
}

/// Seals every day before `today` that has events and no digest yet.
fn seal_until(
    c: &mut dyn Conn,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Option<NaiveDate>, StoreError> {
    // Several writer connections or servers may seal at the turn of a day: one at a time, and
    // the next one finds the days sealed.
    c.lock_until_commit(store::Lock::Seal)?;
    let last = c.query_one("SELECT day, digest FROM day_digests ORDER BY day DESC LIMIT 1", &[])?;
    let (mut prev, mut from) = match &last {
        Some(r) => (r.col("digest")?, Some(r.col::<NaiveDate>("day")? + Duration::days(1))),
        None => (GENESIS.to_string(), None),
    };
    let mut sealed = from.map(|d| d - Duration::days(1));
    loop {
        let next = match from {
            Some(f) => c.query_one(
                &format!("SELECT MIN({ARRIVED}) AS first FROM events WHERE {ARRIVED} >= $1"),
                &[midnight(f).into()],
            )?,
            None => c.query_one(&format!("SELECT MIN({ARRIVED}) AS first FROM events"), &[])?,
        };
        let first = match next {
            Some(r) => r.col::<Option<NaiveDateTime>>("first")?,
            None => None,
        };
        let Some(day) = first.map(|t| t.date()) else { break };
        if day >= today {
            break;
        }
        let heads = heads_of_day(c, day)?;
        let digest = day_digest(&prev, &day.to_string(), &heads);
        for h in &heads {
            c.exec(
                "INSERT INTO day_heads (day, dossier_code, seq, hash) VALUES ($1, $2, $3, $4)",
                &[day.into(), (&h.code).into(), h.seq.into(), (&h.hash).into()],
            )?;
        }
        c.exec(
            "INSERT INTO day_digests (day, prev, digest, heads, sealed_at) VALUES ($1, $2, $3, $4, $5)",
            &[day.into(), (&prev).into(), (&digest).into(), Val::Int(heads.len() as i64), now.into()],
        )?;
        prev = digest;
        sealed = Some(day);
        from = Some(day + Duration::days(1));
    }
    Ok(sealed)
}

fn check_dossier(
    report: &mut VerifyReport,
    code: &str,
    rec: Option<&DossierRecord>,
    rows: &[Row],
    documents: &[String],
) {
    let Some(rec) = rec else {
        report.problem(
            Some(code),
            None,
            "bản ghi hồ sơ bị hỏng (trạng thái, kênh hoặc thời điểm không đọc được)".into(),
        );
        return;
    };
    let mut events: Vec<(Event, String)> = Vec::with_capacity(rows.len());
    // Values read leniently on purpose: a value of the wrong type is what tampering looks
    // like (SQLite keeps any type in any column), reported as a problem, not an error.
    let text = |r: &Row, name: &str| r.col::<Option<String>>(name).ok().flatten();
    for r in rows {
        let seq = r.col::<i64>("seq").unwrap_or(-1);
        match serde_json::from_str::<Event>(&text(r, "body").unwrap_or_default()) {
            Ok(e) => {
                let consistent = e.seq as i64 == seq
                    && Some(e.at) == r.col::<Option<NaiveDateTime>>("at").ok().flatten()
                    && Some(e.actor.as_str()) == text(r, "actor").as_deref()
                    && Some(e.kind.name()) == text(r, "kind").as_deref();
                if !consistent {
                    report.problem(
                        Some(code),
                        None,
                        format!("sự kiện số {seq}: các cột không khớp nội dung đã ký"),
                    );
                }
                events.push((e, text(r, "hash").unwrap_or_default()));
            }
            Err(_) => {
                report.problem(Some(code), None, format!("sự kiện số {seq} không đọc được (đã bị sửa)"))
            }
        }
    }
    report.events += rows.len() as u64;
    if let Some(seq) = first_broken(code, events.iter().map(|(e, h)| (e, h.as_str()))) {
        report.problem(
            Some(code),
            None,
            format!("chuỗi băm đứt tại sự kiện số {seq}: lịch sử đã bị sửa hoặc xoá"),
        );
        return;
    }
    let count = rec.event_count;
    let head = events.last().map_or(GENESIS, |(_, h)| h.as_str());
    if count != events.len() as i64 || rec.head_hash != head {
        report.problem(
            Some(code),
            None,
            format!(
                "hồ sơ ghi {count} sự kiện nhưng lịch sử có {}: sự kiện đã bị xoá hoặc thêm",
                events.len()
            ),
        );
        return;
    }
    let list: Vec<Event> = events.into_iter().map(|(e, _)| e).collect();
    let Some(d) = Dossier::replay(&list) else {
        report.problem(Some(code), None, "lịch sử không bắt đầu bằng việc đăng ký hồ sơ".into());
        return;
    };
    if d.status != rec.status || d.due_at != rec.due_at {
        report.problem(Some(code), None, "trạng thái hoặc hạn xử lý không khớp lịch sử".into());
    }
    // The registration (or the last correction, or the erasure) sealed who the dossier is for
    // and what was filed; dossiers filed before the seal existed have none.
    match &d.subject {
        Some(sealed) if *sealed != rec.subject_digest(documents) => report.problem(
            Some(code),
            None,
            "người nộp, thủ tục hoặc giấy tờ đã nộp không khớp bản đã niêm phong khi đăng ký".into(),
        ),
        Some(_) => {}
        None => report.unsealed += 1,
    }
}

/// The same checks as `haicap audit verify`, on one dossier: its problems (none when its
/// history holds).
pub(crate) fn verify_one(c: &mut dyn Conn, code: &str) -> Result<Vec<Problem>, StoreError> {
    let mut report = VerifyReport::default();
    let proj = c.query_one(&format!("SELECT {COLUMNS} FROM dossiers WHERE code = $1"), &[code.into()])?;
    let rows = c.query(
        "SELECT dossier_code, seq, at, actor, kind, body, hash FROM events WHERE dossier_code = $1 ORDER BY seq",
        &[code.into()],
    )?;
    let documents = crate::dossiers::privacy::documents_of(c, code)?;
    let rec = proj.as_ref().and_then(|p| DossierRecord::from_row(p).ok());
    check_dossier(&mut report, code, rec.as_ref(), &rows, &documents);
    Ok(report.problems)
}

fn verify_all(c: &mut dyn Conn) -> Result<VerifyReport, StoreError> {
    let mut report = VerifyReport::default();
    let mut after = String::new();
    loop {
        let page = c.query(
            &format!("SELECT {COLUMNS} FROM dossiers WHERE code > $1 ORDER BY code LIMIT 1000"),
            &[(&after).into()],
        )?;
        let Some(last) = page.last() else { break };
        let hi: String = last.col("code")?;
        let rows = c.query(
            "SELECT dossier_code, seq, at, actor, kind, body, hash FROM events WHERE dossier_code > $1 AND dossier_code <= $2 ORDER BY dossier_code, seq",
            &[(&after).into(), (&hi).into()],
        )?;
        let mut by_code: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for r in rows {
            by_code.entry(r.col("dossier_code")?).or_default().push(r);
        }
        let mut docs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in c.query(
            "SELECT dossier_code, sha256 FROM attachments WHERE dossier_code > $1 AND dossier_code <= $2 ORDER BY dossier_code, seq",
            &[(&after).into(), (&hi).into()],
        )? {
            docs.entry(r.col("dossier_code")?).or_default().push(r.col("sha256")?);
        }
        for proj in &page {
            let code: String = proj.col("code")?;
            let evs = by_code.remove(&code).unwrap_or_default();
            let documents = docs.remove(&code).unwrap_or_default();
            // A projection that cannot be read is reported below, not skipped.
            let rec = DossierRecord::from_row(proj).ok();
            if rec.as_ref().is_some_and(|r| crate::national::is_status_record(r.writer.as_deref()))
                && evs.is_empty()
            {
                report.summaries += 1;
                continue;
            }
            check_dossier(&mut report, &code, rec.as_ref(), &evs, &documents);
            // The documents of an erased dossier are gone by design.
            if rec.as_ref().is_none_or(|r| r.erased_at.is_none()) {
                for sha in documents {
                    report.documents.entry(sha).or_default().push(code.clone());
                }
            }
            report.dossiers += 1;
        }
        for (code, _) in by_code {
            report.problem(Some(&code), None, "có sự kiện nhưng không có hồ sơ: hồ sơ đã bị xoá".into());
        }
        after = hi;
    }
    let orphans = c.query(
        // NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN over a subquery too large for its
        // work memory as a nested loop (a restored province of a million dossiers: minutes
        // without end); NOT EXISTS is an anti-join on the key.
        "SELECT DISTINCT dossier_code FROM events e WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.code = e.dossier_code)",
        &[],
    )?;
    for r in orphans {
        let code: String = r.col("dossier_code")?;
        if !report.problems.iter().any(|p| p.dossier.as_deref() == Some(code.as_str())) {
            report.problem(Some(&code), None, "có sự kiện nhưng không có hồ sơ: hồ sơ đã bị xoá".into());
        }
    }
    let digests = c.query("SELECT day, prev, digest FROM day_digests ORDER BY day", &[])?;
    let mut prev = GENESIS.to_string();
    for d in digests {
        let day: NaiveDate = d.col("day")?;
        report.days += 1;
        let stored: Vec<Head> = {
            let mut v: Vec<Head> = c
                .query("SELECT dossier_code, seq, hash FROM day_heads WHERE day = $1", &[day.into()])?
                .iter()
                .map(head_of)
                .collect::<Result<_, _>>()?;
            v.sort_by(|a, b| a.code.cmp(&b.code));
            v
        };
        let (stored_prev, digest) = (d.col::<Option<String>>("prev")?, d.col::<Option<String>>("digest")?);
        if stored_prev.as_deref() != Some(prev.as_str())
            || digest.as_deref() != Some(day_digest(&prev, &day.to_string(), &stored).as_str())
        {
            report.problem(None, Some(day), format!("bản tóm tắt ngày {} đã bị sửa", day.format("%d/%m/%Y")));
        }
        let actual = heads_of_day(c, day)?;
        let actual_by: BTreeMap<&str, &Head> = actual.iter().map(|h| (h.code.as_str(), h)).collect();
        let stored_by: BTreeMap<&str, &Head> = stored.iter().map(|h| (h.code.as_str(), h)).collect();
        for code in actual_by.keys().chain(stored_by.keys()).collect::<BTreeSet<_>>() {
            if actual_by.get(code) != stored_by.get(code) {
                report.problem(
                    Some(code),
                    Some(day),
                    format!("lịch sử ngày {} khác với bản đã niêm phong", day.format("%d/%m/%Y")),
                );
            }
        }
        prev = digest.unwrap_or_default();
    }
    Ok(report)
}

impl Dossiers<'_> {
    /// After a write has been committed: seals the past days if a new one began. A failure
    /// here must not turn the caller's committed write into an error (the caller would retry
    /// and file it twice); it is reported, and the next write or `haicap audit seal` seals.
    pub(crate) fn seal_after_write(&self) {
        if let Err(e) = self.seal_if_new_day() {
            tracing::warn!(
                code = %e.code,
                cause = e.cause.as_deref().unwrap_or(&e.message),
                "chưa niêm phong được các ngày đã qua"
            );
        }
    }

    /// Seals the days before today, if not done yet today.
    pub(crate) fn seal_if_new_day(&self) -> AppResult<()> {
        if !self.seal_pending() {
            return Ok(());
        }
        self.seal()?;
        Ok(())
    }

    /// Whether a day before today may still be unsealed (not checked yet today).
    pub(crate) fn seal_pending(&self) -> bool {
        let today = self.app.now().date();
        let sealed = self.app.sealed_through.lock().unwrap_or_else(|e| e.into_inner());
        !sealed.is_some_and(|d| d + Duration::days(1) >= today)
    }

    /// Seals every past day not yet sealed; returns the last sealed day.
    pub fn seal(&self) -> AppResult<Option<NaiveDate>> {
        let now = self.app.now();
        let today = now.date();
        // Statistics first: the day's reads must not be planned on those of an empty table.
        self.app.store.optimize()?;
        let last = self.app.store.write(move |c| seal_until(c, today, now))?;
        // Nothing to seal before today counts as sealed through yesterday.
        *self.app.sealed_through.lock().unwrap_or_else(|e| e.into_inner()) = Some(today - Duration::days(1));
        Ok(last)
    }

    /// The digest of a sealed day, to publish outside the database.
    pub fn digest(&self, day: NaiveDate) -> AppResult<Option<(String, i64)>> {
        let row = self
            .app
            .store
            .read(|c| c.query_one("SELECT digest, heads FROM day_digests WHERE day = $1", &[day.into()]))?;
        Ok(row.map(|r| Ok::<_, StoreError>((r.col("digest")?, r.col("heads")?))).transpose()?)
    }

    /// Checks every chain, projection, seal and digest, and the bytes of every document still
    /// kept against the hash the dossier sealed.
    pub fn verify(&self) -> AppResult<VerifyReport> {
        let mut report = self.app.store.read(verify_all)?;
        let documents = std::mem::take(&mut report.documents);
        for (sha, codes) in documents {
            let intact = match self.app.blobs.get(&sha) {
                Ok(Some(bytes)) => crate::blobs::sha256_hex(&bytes) == sha,
                _ => false,
            };
            if !intact {
                for code in codes {
                    report.problem(
                        Some(&code),
                        None,
                        format!(
                            "giấy tờ đã nộp (SHA-256 {}…) bị sửa hoặc mất khỏi kho lưu trữ",
                            &sha[..12.min(sha.len())]
                        ),
                    );
                }
            }
        }
        Ok(report)
    }
}
