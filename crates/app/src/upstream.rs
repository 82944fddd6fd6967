//! A commune's node: the province it is attached to, what it has to push there, and what the
//! province confirmed (issue #25, docs/nodes.md). The node works with or without its link;
//! every event it writes is marked for the province by a trigger the attachment creates
//! (`node_sync`), whichever part of haicap wrote it, so nothing written can be left out of
//! the push. The province's answer moves each dossier's confirmed count forward.

use crate::dossiers::records::{load_events_after, DossierRecord, COLUMNS};
use crate::replication::{
    Document, Particulars, Push, PushedDossier, PushedRating, SignedPaper, Taken, UPSTREAM,
};
use crate::{App, AppError, AppResult, Code};
use chrono::NaiveDateTime;
use domain::replication::Pushed;
use serde::Serialize;
use store::{Conn, Dialect, Row, StoreError, Val};

/// The province a node is attached to, and how its link fares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Upstream {
    pub commune_code: String,
    pub province_code: String,
    pub url: String,
    pub attached_at: NaiveDateTime,
    pub last_push_at: Option<NaiveDateTime>,
    pub last_pull_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub last_error_at: Option<NaiveDateTime>,
    /// Set when the province holds more of this node's events than it knows of (restored from
    /// an old backup): it writes nothing more.
    pub behind: Option<String>,
}

const UPSTREAM_COLUMNS: &str =
    "commune_code, province_code, url, attached_at, last_push_at, last_pull_at, last_error, last_error_at, behind";

fn upstream_of(r: &Row) -> Result<Upstream, StoreError> {
    Ok(Upstream {
        commune_code: r.col("commune_code")?,
        province_code: r.col("province_code")?,
        url: r.col("url")?,
        attached_at: r.col("attached_at")?,
        last_push_at: r.col("last_push_at")?,
        last_pull_at: r.col("last_pull_at")?,
        last_error: r.col("last_error")?,
        last_error_at: r.col("last_error_at")?,
        behind: r.col("behind")?,
    })
}

/// Every event written here, and only those (not the ones that arrived from elsewhere), marks
/// its dossier as having something for the province; so does a citizen's rating given here.
const TRIGGER: &str = "CREATE TRIGGER IF NOT EXISTS events_to_upstream AFTER INSERT ON events
WHEN NEW.arrived_at IS NULL
BEGIN
    INSERT INTO node_sync (dossier_code, acked, pending) VALUES (NEW.dossier_code, 0, 1)
    ON CONFLICT (dossier_code) DO UPDATE SET pending = 1;
END;
CREATE TRIGGER IF NOT EXISTS ratings_to_upstream AFTER INSERT ON ratings
BEGIN
    INSERT INTO node_sync (dossier_code, acked, pending) VALUES (NEW.dossier_code, 0, 1)
    ON CONFLICT (dossier_code) DO UPDATE SET pending = 1;
END";

/// Where a node stands with its province.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub upstream: Upstream,
    /// Dossiers with events the province has not confirmed, and those events.
    pub pending_dossiers: u64,
    pub pending_events: u64,
    /// The oldest of those events: how far behind the province is.
    pub oldest_pending: Option<NaiveDateTime>,
    /// Seconds since the last push the province confirmed (none yet: since attachment).
    pub lag_seconds: i64,
}

/// What a node did with its province's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Acknowledged {
    pub dossiers: u64,
    pub events: u64,
    pub handed_up: u64,
    /// The dossiers refused, with why (they stay pending, except a fork: see
    /// [`App::acknowledge`]).
    pub refused: Vec<(String, String)>,
}

impl App {
    /// Attaches this server, as the node of `commune`, to its province at `url` (after the
    /// province recognised the node's token). Once: a node attached to one commune is not
    /// moved to another.
    pub fn attach_upstream(&self, url: &str, commune: &str, province: &str) -> AppResult<Upstream> {
        let (url, commune, province, now) =
            (url.to_string(), commune.to_string(), province.to_string(), self.now());
        let attached = self.store.write(move |c| {
            if c.dialect() != Dialect::Sqlite {
                return Ok(Err(AppError::new(
                    Code::NodeDatabase,
                    "máy trạm của xã dùng cơ sở dữ liệu SQLite (--db sqlite://…)",
                )));
            }
            if let Some(r) = c.query_one(&format!("SELECT {UPSTREAM_COLUMNS} FROM upstream"), &[])? {
                let u = upstream_of(&r)?;
                if u.commune_code != commune {
                    return Ok(Err(AppError::new(
                        Code::NodeExists,
                        format!("máy này là máy trạm của xã, phường {}; không gắn cho xã, phường khác", u.commune_code),
                    )));
                }
                c.exec("UPDATE upstream SET url = $1", &[(&url).into()])?;
            } else {
                c.exec(
                    "INSERT INTO upstream (commune_code, province_code, url, attached_at) VALUES ($1, $2, $3, $4)",
                    &[(&commune).into(), (&province).into(), (&url).into(), now.into()],
                )?;
            }
            c.batch(TRIGGER)?;
            // What the commune's desk wrote before the attachment goes up too (a database
            // that holds other units' dossiers, a demo's, keeps them to itself).
            c.exec(
                "INSERT INTO node_sync (dossier_code, acked, pending) SELECT code, 0, 1 FROM dossiers d \
                 WHERE d.receiving_unit = $1 AND NOT EXISTS (SELECT 1 FROM node_sync s WHERE s.dossier_code = d.code)",
                &[(&commune).into()],
            )?;
            Ok(Ok(()))
        })?;
        attached?;
        let u = self
            .load_upstream()?
            .ok_or_else(|| AppError::internal(Code::DbError, "máy trạm vừa gắn không đọc lại được"))?;
        *self.upstream.write().unwrap_or_else(|e| e.into_inner()) = Some(u.clone());
        Ok(u)
    }

    pub(crate) fn load_upstream(&self) -> AppResult<Option<Upstream>> {
        let row =
            self.store.read(|c| c.query_one(&format!("SELECT {UPSTREAM_COLUMNS} FROM upstream"), &[]))?;
        Ok(row.map(|r| upstream_of(&r)).transpose()?)
    }

    /// The province this server is a node of, if it is one.
    pub fn upstream(&self) -> Option<Upstream> {
        self.upstream.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// At a node, the commune it works for.
    pub(crate) fn node_commune(&self) -> Option<String> {
        self.upstream.read().unwrap_or_else(|e| e.into_inner()).as_ref().map(|u| u.commune_code.clone())
    }

    /// Refuses a write to a dossier another server writes: at a province, one its node holds;
    /// at a node, one handed to the province (or handled by another unit).
    pub(crate) fn check_writable(&self, d: &DossierRecord) -> AppResult<()> {
        self.check_not_behind()?;
        crate::replication::check_writable(d)?;
        match self.node_commune() {
            Some(commune) if d.handling_unit != commune || d.receiving_unit != commune => {
                Err(crate::replication::written_elsewhere(&d.code, UPSTREAM))
            }
            _ => Ok(()),
        }
    }

    /// At a node, refuses a write of the coordination between the tiers: directives, reports
    /// and proposals are written at the province's server and the node holds their copy
    /// (taken with each pull), so that no history is written in two places.
    pub(crate) fn check_coordination_writable(&self) -> AppResult<()> {
        match self.upstream() {
            Some(u) => Err(AppError::new(
                Code::CoordinationAtProvince,
                format!(
                    "máy trạm của xã chỉ giữ bản sao nhiệm vụ và kiến nghị; báo cáo, gửi và trả lời tại máy chủ của tỉnh ({})",
                    u.url
                ),
            )),
            None => Ok(()),
        }
    }

    /// At a node restored from an old backup, refuses every write (see [`App::compare_with_province`]).
    pub(crate) fn check_not_behind(&self) -> AppResult<()> {
        match self.upstream.read().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|u| u.behind.clone())
        {
            Some(why) => Err(AppError::new(Code::NodeBehind, why)),
            None => Ok(()),
        }
    }

    /// Compares what the province says it took from this node (`taken`, from the handshake)
    /// with what this node knows the province confirmed, once nothing is pending (an answer
    /// lost on the way leaves its events pending, and they are sent again first). Fewer here:
    /// this database was restored from a backup older than work the province already holds;
    /// writing on would give codes and histories the province has for other dossiers, so the
    /// node stops writing (`node_behind`) until the province's administrator revokes it (its
    /// dossiers pass to the province) and gives the commune a new node (docs/nodes.md).
    pub fn compare_with_province(&self, taken: i64) -> AppResult<bool> {
        let (pending, acked) = self.store.read(|c| {
            let pending = c.count("SELECT COUNT(*) FROM node_sync WHERE pending", &[])?;
            let acked = c.query_one("SELECT COALESCE(SUM(acked), 0) AS n FROM node_sync", &[])?;
            Ok((pending, acked.map(|r| r.col::<i64>("n")).transpose()?.unwrap_or(0)))
        })?;
        if pending > 0 || acked >= taken {
            return Ok(false);
        }
        let why = format!(
            "máy trạm được khôi phục từ bản sao lưu cũ: tỉnh đã nhận {taken} sự kiện từ máy trạm này, máy trạm chỉ biết {acked}; \
             ngừng ghi để không rẽ nhánh lịch sử hồ sơ (quản trị của tỉnh thu hồi máy trạm, rồi cấp máy trạm mới)"
        );
        let w = why.clone();
        self.store.write(move |c| c.exec("UPDATE upstream SET behind = $1", &[(&w).into()]))?;
        self.refresh_upstream()?;
        tracing::error!(cause = %why, "máy trạm đi sau tỉnh");
        Ok(true)
    }

    /// Up to `limit` dossiers with events the province has not confirmed, each with those
    /// events (from the first the province lacks), its particulars and its documents.
    pub fn pending_push(&self, limit: usize) -> AppResult<Push> {
        let push = self.store.read(move |c| {
            let rows = c.query(
                "SELECT dossier_code, acked FROM node_sync WHERE pending ORDER BY dossier_code LIMIT $1",
                &[Val::Int(limit as i64)],
            )?;
            let mut push = Push::default();
            for r in rows {
                let code: String = r.col("dossier_code")?;
                let acked: i64 = r.col("acked")?;
                if let Some(p) = pushed_dossier(c, &code, acked)? {
                    push.dossiers.push(p);
                }
            }
            Ok(push)
        })?;
        Ok(push)
    }

    /// Takes the province's answer to a push: each dossier confirmed up to what the province
    /// holds. A refused dossier stays pending (sent again from what the province holds),
    /// except a fork, which no resending mends: it is recorded as the link's error and left
    /// for the administrator (docs/nodes.md).
    pub fn acknowledge(&self, taken: &[Taken]) -> AppResult<Acknowledged> {
        let mut report = Acknowledged::default();
        let (taken, now) = (taken.to_vec(), self.now());
        let handed: Vec<String> = taken.iter().filter(|t| t.handed_up).map(|t| t.code.clone()).collect();
        let refused: Vec<(String, String)> = taken
            .iter()
            .filter_map(|t| {
                t.refused.as_ref().map(|r| (t.code.clone(), format!("{}: {}", r.code, r.message)))
            })
            .collect();
        let forks = taken
            .iter()
            .filter(|t| t.refused.as_ref().is_some_and(|r| r.code == Code::ReplicationFork.to_string()));
        let fork_codes: Vec<String> = forks.map(|t| t.code.clone()).collect();
        for t in &taken {
            report.events += u64::from(t.new);
            report.dossiers += 1;
            report.handed_up += t.handed_up as u64;
        }
        let error = refused.first().map(|(code, why)| format!("hồ sơ {code}: {why}"));
        self.store.write(move |c| {
            for t in &taken {
                if fork_codes.contains(&t.code) {
                    c.exec("UPDATE node_sync SET pending = FALSE WHERE dossier_code = $1", &[(&t.code).into()])?;
                    continue;
                }
                // Still pending: events written since the push, or a rating the province lacks.
                c.exec(
                    "UPDATE node_sync SET acked = $1, pending = (SELECT event_count FROM dossiers WHERE code = $2) > $1 \
                     OR ($3 = FALSE AND EXISTS (SELECT 1 FROM ratings WHERE dossier_code = $2)) WHERE dossier_code = $2",
                    &[Val::Int(i64::from(t.held)), (&t.code).into(), Val::Bool(t.rated)],
                )?;
                if t.handed_up {
                    c.exec("UPDATE dossiers SET writer = $1 WHERE code = $2", &[UPSTREAM.into(), (&t.code).into()])?;
                }
            }
            c.exec("UPDATE upstream SET last_push_at = $1", &[now.into()])?;
            if let Some(e) = &error {
                c.exec("UPDATE upstream SET last_error = $1, last_error_at = $2", &[e.into(), now.into()])?;
            }
            Ok(())
        })?;
        for code in &handed {
            self.forget(code);
        }
        report.refused = refused;
        self.refresh_upstream()?;
        Ok(report)
    }

    /// A document's bytes, to send to the province (see [`App::missing_documents`]).
    pub fn document(&self, sha256: &str) -> AppResult<Vec<u8>> {
        self.blob(sha256)
    }

    /// Records that the province could not be reached (or answered with an error).
    pub fn sync_failed(&self, error: &str) -> AppResult<()> {
        let (e, now) = (error.chars().take(500).collect::<String>(), self.now());
        self.store.write(move |c| {
            c.exec("UPDATE upstream SET last_error = $1, last_error_at = $2", &[(&e).into(), now.into()])
        })?;
        self.refresh_upstream()
    }

    pub(crate) fn refresh_upstream(&self) -> AppResult<()> {
        let u = self.load_upstream()?;
        *self.upstream.write().unwrap_or_else(|e| e.into_inner()) = u;
        Ok(())
    }

    /// Where this node stands with its province (`haicap node status`).
    pub fn sync_status(&self) -> AppResult<SyncStatus> {
        let upstream = self.load_upstream()?.ok_or_else(|| {
            AppError::new(Code::NotANode, "máy này chưa gắn với máy chủ của tỉnh (haicap serve --upstream …)")
        })?;
        let (dossiers, events, oldest) = self.store.read(|c| {
            let r = c.query_one(
                "SELECT COUNT(*) AS n, COALESCE(SUM(d.event_count - s.acked), 0) AS events \
                 FROM node_sync s JOIN dossiers d ON d.code = s.dossier_code WHERE s.pending",
                &[],
            )?;
            let (n, e) = match r {
                Some(r) => (r.col::<i64>("n")?, r.col::<i64>("events")?),
                None => (0, 0),
            };
            let oldest = c.query_one(
                "SELECT MIN(e.at) AS first FROM node_sync s JOIN events e ON e.dossier_code = s.dossier_code \
                 WHERE s.pending AND e.seq > s.acked",
                &[],
            )?;
            let oldest = match oldest {
                Some(r) => r.col::<Option<NaiveDateTime>>("first")?,
                None => None,
            };
            Ok((n as u64, e as u64, oldest))
        })?;
        let since = upstream.last_push_at.unwrap_or(upstream.attached_at);
        Ok(SyncStatus {
            lag_seconds: (self.now() - since).num_seconds().max(0),
            upstream,
            pending_dossiers: dossiers,
            pending_events: events,
            oldest_pending: oldest,
        })
    }
}

/// One dossier as a push carries it: its events after the first `acked`.
pub(crate) fn pushed_dossier(
    c: &mut dyn Conn,
    code: &str,
    acked: i64,
) -> Result<Option<PushedDossier>, StoreError> {
    let Some(row) =
        c.query_one(&format!("SELECT {COLUMNS} FROM dossiers WHERE code = $1"), &[code.into()])?
    else {
        return Ok(None);
    };
    let rec = DossierRecord::from_row(&row)?;
    let events: Vec<Pushed> = load_events_after(c, code, acked.max(0))?
        .into_iter()
        .map(|(event, hash)| Pushed { event, hash })
        .collect();
    let documents = c
        .query(
            "SELECT seq, file_name, content_type, size, sha256, uploaded_at FROM attachments WHERE dossier_code = $1 ORDER BY seq",
            &[code.into()],
        )?
        .iter()
        .map(|r| {
            Ok(Document {
                seq: r.col_parsed("seq", |s: i64| u32::try_from(s).ok())?,
                file_name: r.col("file_name")?,
                content_type: r.col("content_type")?,
                size: r.col_parsed("size", |s: i64| u64::try_from(s).ok())?,
                sha256: r.col("sha256")?,
                uploaded_at: r.col("uploaded_at")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let signed = c
        .query(
            "SELECT sha256, paper, file_name, size, signed_at FROM signed_results WHERE dossier_code = $1 ORDER BY signed_at, sha256",
            &[code.into()],
        )?
        .iter()
        .map(|r| {
            Ok(SignedPaper {
                sha256: r.col("sha256")?,
                paper: r.col("paper")?,
                file_name: r.col("file_name")?,
                size: r.col_parsed("size", |s: i64| u64::try_from(s).ok())?,
                signed_at: r.col("signed_at")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let rating = c
        .query_one("SELECT score, comment, at FROM ratings WHERE dossier_code = $1", &[code.into()])?
        .map(|r| {
            Ok::<_, StoreError>(PushedRating {
                score: r.col_parsed("score", |s: i64| u8::try_from(s).ok())?,
                comment: r.col("comment")?,
                at: r.col("at")?,
            })
        })
        .transpose()?;
    Ok(Some(PushedDossier {
        code: code.to_string(),
        particulars: Particulars::of(&rec),
        documents,
        signed,
        events,
        rating,
    }))
}
