//! What a commune's node pushes to its province, and how the province takes it (issue #25,
//! docs/nodes.md). A push carries, for each dossier with events the province has not
//! confirmed, the run of those events with the hashes the node chained them with, and the
//! dossier's particulars (who it is for, what was filed), which the registration event seals:
//! the province checks the run against the chain it holds (`domain::replication::admit`) and
//! the particulars against the seal, then writes the dossier, its events (marked as arrived
//! now: see migration 18), its documents and its statistics as its own intake would.
//!
//! One writer per dossier: a dossier a node registered is written at the node while its own
//! commune handles it; the province refuses to write it (`written_elsewhere`) and takes its
//! events only from that node (`replication_writer`). Once the node transfers it elsewhere,
//! the province writes it and the node no longer does.

use crate::dossiers::records::{
    bump_stats, insert_attachment, load_events, DossierRecord, EventRow, COLUMNS,
};
use crate::nodes::Node;
use crate::{App, AppError, AppResult, Code};
use chrono::NaiveDateTime;
use domain::replication::{admit, Pushed};
use domain::{Channel, Dossier, Event, EventKind};
use serde::{Deserialize, Serialize};
use store::{Conn, StoreError, Val};

/// Most dossiers in one push: a week offline is sent in batches of this many.
pub const PUSH_DOSSIERS: usize = 200;
/// Most events of one dossier in one push.
const PUSH_EVENTS: usize = 1_000;

/// What the registration sealed about a dossier, as its writer holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Particulars {
    pub province_code: String,
    pub receiving_unit: String,
    pub procedure_code: String,
    pub procedure_version: i64,
    /// KenhThucHien of the national portal (1 direct, 2 online, 3 post).
    pub channel: u8,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub applicant_id_number: Option<String>,
    pub address_text: Option<String>,
    pub address_commune: Option<String>,
    pub registered_at: NaiveDateTime,
    pub seal_salt: Option<String>,
    pub tracking_pin: Option<String>,
    pub erased_at: Option<NaiveDateTime>,
}

/// A document filed with the dossier (its bytes travel separately, by hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub seq: u32,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub uploaded_at: NaiveDateTime,
}

/// A file signed at the node (the result, the sealed result, an apology letter), which the
/// dossier's history names by its SHA-256 (its bytes travel separately, by hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignedPaper {
    pub sha256: String,
    /// `result`, `sealed_result` or `apology`.
    pub paper: String,
    pub file_name: String,
    pub size: u64,
    pub signed_at: NaiveDateTime,
}

/// One dossier of a push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushedDossier {
    pub code: String,
    pub particulars: Particulars,
    #[serde(default)]
    pub documents: Vec<Document>,
    /// The files signed for it at the node.
    #[serde(default)]
    pub signed: Vec<SignedPaper>,
    /// The events after those the province confirmed, in order, with their chain hashes.
    pub events: Vec<Pushed>,
    /// The citizen's rating given at the node's desk, once the result was returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<PushedRating>,
}

/// A citizen's rating of a returned dossier (1 to 5; 4 and 5 count as satisfied).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushedRating {
    pub score: u8,
    pub comment: Option<String>,
    pub at: NaiveDateTime,
}

/// What a node sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Push {
    pub dossiers: Vec<PushedDossier>,
}

/// What became of one dossier of a push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Taken {
    pub code: String,
    /// How many of its events the province holds now (after taking this push, or as it was
    /// when refused): the node resends from there.
    pub held: u32,
    /// Of the push, how many events were new to the province.
    pub new: u32,
    /// Whether the province writes the dossier from now on (the node transferred it away).
    pub handed_up: bool,
    /// Whether the province holds a rating of the dossier (the node's, or one given there).
    #[serde(default)]
    pub rated: bool,
    /// Why the dossier's run was refused (nothing of it taken): a stable code and the words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<Refused>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refused {
    /// The stable code (docs/errors.md).
    pub code: String,
    pub message: String,
}

/// How the province marks a dossier its node writes.
pub fn node_writer(commune: &str) -> String {
    format!("node:{commune}")
}

/// How a node marks a dossier its province writes now.
pub const UPSTREAM: &str = "upstream";

/// Refuses a write to a dossier written elsewhere (see the module's notes).
pub(crate) fn check_writable(d: &DossierRecord) -> AppResult<()> {
    match d.writer.as_deref() {
        Some(writer) => Err(written_elsewhere(&d.code, writer)),
        None => Ok(()),
    }
}

/// The refusal of a write to dossier `code`, which `writer` writes.
pub(crate) fn written_elsewhere(code: &str, writer: &str) -> AppError {
    let name = |unit: &str| units::registry().unit_name(unit).unwrap_or(unit).to_string();
    let place = if let Some(commune) = writer.strip_prefix("node:") {
        format!(
            "máy trạm của {} (hồ sơ được tiếp nhận tại đó; tỉnh cập nhật khi máy trạm gửi lên)",
            name(commune)
        )
    } else if let Some(province) = writer.strip_prefix("province:") {
        format!("máy chủ của {} (máy chủ quốc gia chỉ giữ trạng thái hồ sơ)", name(province))
    } else {
        "máy chủ của tỉnh (hồ sơ đã chuyển lên)".to_string()
    };
    AppError::new(
        Code::WrittenElsewhere,
        format!("hồ sơ {code} đang được xử lý tại {place}: chỉ nơi đó được cập nhật"),
    )
}

impl Particulars {
    /// What `d`'s registration sealed, as a push carries it.
    pub fn of(d: &DossierRecord) -> Particulars {
        Particulars {
            province_code: d.province_code.clone(),
            receiving_unit: d.receiving_unit.clone(),
            procedure_code: d.procedure_code.clone(),
            procedure_version: d.procedure_version,
            channel: d.channel.portal_code(),
            applicant_name: d.applicant_name.clone(),
            applicant_phone: d.applicant_phone.clone(),
            applicant_id_number: d.applicant_id_number.clone(),
            address_text: d.address_text.clone(),
            address_commune: d.address_commune.clone(),
            registered_at: d.registered_at,
            seal_salt: d.seal_salt.clone(),
            tracking_pin: d.tracking_pin.clone(),
            erased_at: d.erased_at,
        }
    }

    /// The record these particulars give, before its events are followed.
    fn record(&self, code: &str, channel: Channel) -> DossierRecord {
        DossierRecord {
            code: code.to_string(),
            province_code: self.province_code.clone(),
            receiving_unit: self.receiving_unit.clone(),
            handling_unit: self.receiving_unit.clone(),
            procedure_code: self.procedure_code.clone(),
            procedure_version: self.procedure_version,
            channel,
            status: domain::Status::Registered,
            applicant_name: self.applicant_name.clone(),
            applicant_phone: self.applicant_phone.clone(),
            applicant_id_number: self.applicant_id_number.clone(),
            address_text: self.address_text.clone(),
            address_commune: self.address_commune.clone(),
            registered_at: self.registered_at,
            received_at: None,
            due_at: None,
            finished_at: None,
            verdict: None,
            assignee: None,
            supplement_requests: 0,
            event_count: 0,
            head_hash: domain::audit::GENESIS.to_string(),
            updated_at: self.registered_at,
            seal_salt: self.seal_salt.clone(),
            erased_at: self.erased_at,
            tracking_pin: self.tracking_pin.clone(),
            writer: None,
            masked: false,
            events: vec![],
        }
    }
}

impl PushedDossier {
    /// The SHA-256 of every file the dossier's push refers to: its documents and signed files.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.documents.iter().map(|d| d.sha256.as_str()).chain(self.signed.iter().map(|s| s.sha256.as_str()))
    }
}

/// The files the history says were signed for the dossier (by SHA-256).
fn signed_in(events: &[Event]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ResultSigned { document_sha256, .. }
            | EventKind::ApologySigned { document_sha256, .. }
            | EventKind::ResultSealed { document_sha256, .. } => Some(document_sha256.as_str()),
            _ => None,
        })
        .collect()
}

fn refused(code: Code, message: String) -> Refused {
    Refused { code: code.to_string(), message }
}

/// Checks what can be checked of a pushed dossier without the database: that it is the node's
/// own commune's and well formed.
fn check_shape(node: &Node, p: &PushedDossier) -> Result<Channel, Refused> {
    let code = p.code.trim();
    if code.is_empty() || code.len() > 64 || code != p.code {
        return Err(refused(Code::ReplicationOrder, format!("mã hồ sơ \"{}\" không hợp lệ", p.code)));
    }
    if p.particulars.receiving_unit != node.commune_code || p.particulars.province_code != node.province_code
    {
        return Err(refused(
            Code::ReplicationWriter,
            format!(
                "hồ sơ {code} được tiếp nhận tại đơn vị {}, không phải xã, phường của máy trạm ({})",
                p.particulars.receiving_unit, node.commune_code
            ),
        ));
    }
    if p.events.len() > PUSH_EVENTS {
        return Err(refused(
            Code::ReplicationOrder,
            format!("hồ sơ {code}: tối đa {PUSH_EVENTS} sự kiện một lần gửi"),
        ));
    }
    Channel::from_portal_code(p.particulars.channel).ok_or_else(|| {
        refused(Code::ReplicationOrder, format!("hồ sơ {code}: kênh {} không có", p.particulars.channel))
    })
}

/// Takes one dossier's run inside the push's transaction: refused without writing anything,
/// or written whole.
fn take_one(
    c: &mut dyn Conn,
    node: &Node,
    p: &PushedDossier,
    channel: Channel,
    now: NaiveDateTime,
    gone: &mut Vec<String>,
    changed: &mut Vec<DossierRecord>,
) -> Result<Taken, StoreError> {
    let mut taken =
        Taken { code: p.code.clone(), held: 0, new: 0, handed_up: false, rated: false, refused: None };
    let row = c.query_one(&format!("SELECT {COLUMNS} FROM dossiers WHERE code = $1"), &[(&p.code).into()])?;
    let current = row.as_ref().map(DossierRecord::from_row).transpose()?;
    let held = load_events(c, &p.code)?;
    taken.held = held.len() as u32;
    let mine = node_writer(&node.commune_code);
    if let Some(cur) = &current {
        if cur.writer.as_deref() != Some(mine.as_str()) {
            // Not (or no longer) the node's to write: a dossier the province registered under
            // the same code, or one the node transferred away and the province took over.
            // Its events delivered again change nothing; new ones are refused.
            let hashes: Vec<String> = held.iter().map(|(_, h)| h.clone()).collect();
            let echo = admit(&p.code, &hashes, &p.events)
                .is_ok_and(|known| known == p.events.len() && cur.receiving_unit == node.commune_code);
            if !echo {
                taken.refused = Some(refused(
                    Code::ReplicationWriter,
                    format!("hồ sơ {} do máy chủ của tỉnh ghi: máy trạm không gửi thêm sự kiện", p.code),
                ));
            }
            taken.handed_up = cur.receiving_unit == node.commune_code;
            return Ok(taken);
        }
    }
    let hashes: Vec<String> = held.iter().map(|(_, h)| h.clone()).collect();
    let known = match admit(&p.code, &hashes, &p.events) {
        Ok(k) => k,
        Err(r) => {
            taken.refused = Some(refused(r.code(), r.message(&p.code)));
            return Ok(taken);
        }
    };
    let new: Vec<Event> = p.events[known..].iter().map(|x| x.event.clone()).collect();
    if new.is_empty() {
        if let Some(cur) = &current {
            taken.rated = take_rating(c, cur, p.rating.as_ref(), now)?;
        }
        return Ok(taken);
    }
    let mut all: Vec<Event> = held.into_iter().map(|(e, _)| e).collect();
    all.extend(new.iter().cloned());
    let Some(mut d) = Dossier::replay(&all) else {
        taken.refused = Some(refused(
            Code::ReplicationTampered,
            format!("hồ sơ {}: lịch sử không bắt đầu bằng việc đăng ký hồ sơ", p.code),
        ));
        return Ok(taken);
    };
    d.code = p.code.clone();
    let mut next = p.particulars.record(&p.code, channel);
    if let Some(cur) = &current {
        // What the registration fixed stays as the province took it.
        next.procedure_code = cur.procedure_code.clone();
        next.procedure_version = cur.procedure_version;
        next.channel = cur.channel;
        next.registered_at = cur.registered_at;
    }
    let documents: Vec<String> = if current.is_some() {
        crate::dossiers::privacy::documents_of(c, &p.code)?
    } else {
        p.documents.iter().map(|x| x.sha256.clone()).collect()
    };
    if d.subject.as_ref().is_some_and(|s| *s != next.subject_digest(&documents)) {
        taken.refused = Some(refused(
            Code::ReplicationTampered,
            format!(
                "hồ sơ {}: người nộp, thủ tục hoặc giấy tờ gửi kèm không khớp bản niêm phong khi đăng ký",
                p.code
            ),
        ));
        return Ok(taken);
    }
    // A signed file is taken only if the history names it.
    let named = signed_in(&all);
    if let Some(stray) = p.signed.iter().find(|f| !named.contains(&f.sha256.as_str())) {
        taken.refused = Some(refused(
            Code::ReplicationTampered,
            format!(
                "hồ sơ {}: tệp đã ký {} không có trong lịch sử hồ sơ",
                p.code,
                stray.sha256.chars().take(12).collect::<String>()
            ),
        ));
        return Ok(taken);
    }
    let prev_head = current.as_ref().map_or(domain::audit::GENESIS.to_string(), |c| c.head_hash.clone());
    let (rows, head) = EventRow::chain(&p.code, &prev_head, &new);
    let last_at = all.last().map_or(next.registered_at, |e| e.at);
    next.follow(&d, head, last_at);
    let handed_up = d.agency != node.commune_code;
    next.writer = (!handed_up).then(|| mine.clone());
    let mut deltas = domain::stats::deltas(&d, &new);
    match &current {
        None => insert_new(c, &next, &p.documents, &mut deltas)?,
        Some(cur) => {
            next.update_if(c, cur)?;
            if next.writer != cur.writer {
                c.exec(
                    "UPDATE dossiers SET writer = $1 WHERE code = $2",
                    &[next.writer.clone().into(), (&next.code).into()],
                )?;
            }
            if next.applicant_name != cur.applicant_name
                || next.applicant_phone != cur.applicant_phone
                || next.applicant_id_number != cur.applicant_id_number
                || next.address_text != cur.address_text
                || next.address_commune != cur.address_commune
                || next.seal_salt != cur.seal_salt
                || next.erased_at != cur.erased_at
            {
                next.update_applicant(c)?;
                c.exec(
                    "UPDATE dossiers SET erased_at = $1 WHERE code = $2",
                    &[next.erased_at.into(), (&next.code).into()],
                )?;
            }
        }
    }
    EventRow::insert_arrived(&rows, c, &next.code, &next.province_code, Some(now))?;
    bump_stats(c, &next, &deltas)?;
    for f in &p.signed {
        c.exec(
            "INSERT INTO signed_results (sha256, dossier_code, province_code, file_name, size, signed_at, paper) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sha256) DO NOTHING",
            &[
                (&f.sha256).into(),
                (&next.code).into(),
                (&next.province_code).into(),
                (&f.file_name).into(),
                Val::Int(f.size as i64),
                f.signed_at.into(),
                (&f.paper).into(),
            ],
        )?;
    }
    if new.iter().any(|e| matches!(e.kind, EventKind::PersonalDataErased { .. })) {
        // Erased at the node at the end of its retention: the province's copies of the
        // documents (unless another dossier keeping its data filed the same) and of the signed
        // files go too, as the province's own erasure does.
        for sha in &documents {
            let still = c.query_one(
                "SELECT 1 FROM attachments a JOIN dossiers d ON d.code = a.dossier_code WHERE a.sha256 = $1 AND d.erased_at IS NULL LIMIT 1",
                &[sha.into()],
            )?;
            if still.is_none() {
                gone.push(sha.clone());
            }
        }
        for r in
            c.query("SELECT sha256 FROM signed_results WHERE dossier_code = $1", &[(&next.code).into()])?
        {
            gone.push(r.col("sha256")?);
        }
    }
    taken.held = next.event_count as u32;
    taken.new = new.len() as u32;
    taken.handed_up = handed_up;
    taken.rated = take_rating(c, &next, p.rating.as_ref(), now)?;
    changed.push(next);
    Ok(taken)
}

/// Writes a dossier that arrived whole (pushed up, or handed down) with its documents' rows,
/// and counts it digitised when it came with documents, as its own intake would.
fn insert_new(
    c: &mut dyn Conn,
    next: &DossierRecord,
    documents: &[Document],
    deltas: &mut Vec<(chrono::NaiveDate, domain::stats::Counter)>,
) -> Result<(), StoreError> {
    if !documents.is_empty() {
        deltas.push((next.registered_at.date(), domain::stats::Counter::Digitised));
    }
    next.insert(c)?;
    for a in documents {
        let filed = crate::blobs::Attachment {
            seq: a.seq,
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
        };
        insert_attachment(c, &next.code, &next.province_code, &filed, a.uploaded_at)?;
    }
    Ok(())
}

/// Takes the rating given at the node of a dossier returned here, and counts it as the desk's
/// own rating counts (on the day it was given); one rating per dossier: one the province
/// already holds stays. Returns whether the province holds a rating of it.
fn take_rating(
    c: &mut dyn Conn,
    d: &DossierRecord,
    rating: Option<&PushedRating>,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    if let Some(r) = rating.filter(|r| (1..=5).contains(&r.score) && d.status == domain::Status::Returned) {
        let comment = crate::dossiers::public::rating_comment(r.comment.as_deref());
        let added = c.exec(
            "INSERT INTO ratings (dossier_code, province_code, score, comment, at, arrived_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (dossier_code) DO NOTHING",
            &[
                (&d.code).into(),
                (&d.province_code).into(),
                Val::Int(r.score.into()),
                comment.into(),
                r.at.into(),
                now.into(),
            ],
        )?;
        if added > 0 {
            bump_stats(c, d, &domain::stats::rating_deltas(r.score, r.at.date()))?;
        }
    }
    Ok(c.query_one("SELECT 1 FROM ratings WHERE dossier_code = $1", &[(&d.code).into()])?.is_some())
}

impl App {
    /// The documents of `hashes` this server does not hold: a node sends their bytes before
    /// the dossiers that filed them.
    pub fn missing_documents(&self, hashes: &[String]) -> AppResult<Vec<String>> {
        let mut missing = vec![];
        for h in hashes {
            if !crate::blobs::valid_hash(h) {
                return Err(AppError::new(Code::ReplicationOrder, format!("mã băm \"{h}\" không hợp lệ")));
            }
            if self.blobs.get(h).map_err(|e| AppError::internal(Code::BlobStore, e.to_string()))?.is_none() {
                missing.push(h.clone());
            }
        }
        Ok(missing)
    }

    /// Keeps a document a node sends, under its own hash.
    pub fn take_document(&self, bytes: &[u8]) -> AppResult<String> {
        let hash = crate::blobs::sha256_hex(bytes);
        self.blobs.put(&hash, bytes).map_err(|e| AppError::internal(Code::BlobStore, e.to_string()))?;
        Ok(hash)
    }

    /// Takes a node's push: each dossier's run is checked and written whole, or refused and
    /// named (the rest of the push is still taken). One transaction for the push.
    pub fn take_push(&self, node: &Node, push: Push) -> AppResult<Vec<Taken>> {
        Ok(self.take_push_changed(node, push)?.0)
    }

    /// [`App::take_push`], with the dossiers that changed as they now stand (for the live
    /// stream: a province's dashboard counts a node's work as it arrives).
    pub fn take_push_changed(&self, node: &Node, push: Push) -> AppResult<(Vec<Taken>, Vec<DossierRecord>)> {
        if units::registry().commune(&node.commune_code).is_none() {
            return Err(AppError::new(
                Code::ReplicationWriter,
                "mã này là của máy chủ một tỉnh: tỉnh gửi số liệu lên quốc gia, không gửi hồ sơ như máy trạm của xã",
            ));
        }
        if push.dossiers.len() > PUSH_DOSSIERS {
            return Err(AppError::new(
                Code::ReplicationOrder,
                format!("tối đa {PUSH_DOSSIERS} hồ sơ một lần gửi"),
            ));
        }
        let mut replies: Vec<Option<Taken>> = vec![None; push.dossiers.len()];
        let mut work = vec![];
        for (i, p) in push.dossiers.into_iter().enumerate() {
            let shape = check_shape(node, &p).and_then(|channel| {
                let absent: Vec<&str> = p
                    .files()
                    .filter(|h| !crate::blobs::valid_hash(h) || !matches!(self.blobs.get(h), Ok(Some(_))))
                    .collect();
                if absent.is_empty() {
                    Ok(channel)
                } else {
                    Err(refused(
                        Code::ReplicationDocuments,
                        format!("hồ sơ {}: chưa nhận được {} giấy tờ đã nộp", p.code, absent.len()),
                    ))
                }
            });
            match shape {
                Ok(channel) => work.push((i, p, channel)),
                Err(r) => {
                    replies[i] = Some(Taken {
                        code: p.code.clone(),
                        held: 0,
                        new: 0,
                        handed_up: false,
                        rated: false,
                        refused: Some(r),
                    })
                }
            }
        }
        let (node_c, now) = (node.clone(), self.now());
        let taken = self.store.write(move |c| {
            let (mut out, mut gone, mut changed) = (Vec::with_capacity(work.len()), vec![], vec![]);
            let mut new = 0i64;
            for (i, p, channel) in &work {
                let t = take_one(c, &node_c, p, *channel, now, &mut gone, &mut changed)?;
                new += i64::from(t.new);
                out.push((*i, t));
            }
            // What a node restored from an old backup compares its own count with.
            c.exec(
                "UPDATE nodes SET events_taken = events_taken + $1 WHERE commune_code = $2",
                &[Val::Int(new), (&node_c.commune_code).into()],
            )?;
            Ok((out, gone, changed))
        })?;
        let (taken, gone, changed) = taken;
        for sha in gone {
            if let Err(e) = self.blobs.delete(&sha) {
                tracing::warn!(cause = %e, "không xoá được tệp của hồ sơ đã xoá dữ liệu cá nhân; lần rà soát sau sẽ xoá");
            }
        }
        let mut events = 0u64;
        for (i, t) in taken {
            events += u64::from(t.new);
            if t.new > 0 {
                self.forget(&t.code);
            }
            replies[i] = Some(t);
        }
        metrics::counter!("haicap_replicated_events_total").increment(events);
        self.dossiers().seal_after_write();
        Ok((replies.into_iter().flatten().collect(), changed))
    }
}

/// Most online dossiers handed down to a node in one pull.
const HAND_DOWN: usize = 200;

impl App {
    /// Hands the node the online dossiers of its commune waiting for the desk's acceptance:
    /// from now on the node writes them and the province refuses to (`written_elsewhere`),
    /// as for the dossiers the node received itself. Those handed down and not yet moved on
    /// are handed again with each pull, until the node's push says it holds them.
    pub fn hand_down(&self, node: &Node) -> AppResult<Vec<PushedDossier>> {
        if units::registry().commune(&node.commune_code).is_none() {
            return Ok(vec![]);
        }
        let (commune, mine) = (node.commune_code.clone(), node_writer(&node.commune_code));
        let registered = i64::from(domain::Status::Registered.portal_code());
        // Every pull of every node asks: most find nothing, and take no write for it.
        let waiting = self.store.read(|c| {
            c.query_one(
                "SELECT 1 FROM dossiers WHERE receiving_unit = $1 AND status = $2 AND (writer IS NULL OR writer = $3) LIMIT 1",
                &[(&commune).into(), Val::Int(registered), (&mine).into()],
            )
        })?;
        if waiting.is_none() {
            return Ok(vec![]);
        }
        let handed = self.store.write(move |c| {
            c.exec(
                "UPDATE dossiers SET writer = $1 WHERE receiving_unit = $2 AND handling_unit = $2 AND status = $3 AND writer IS NULL",
                &[(&mine).into(), (&commune).into(), Val::Int(registered)],
            )?;
            let codes = c.query(
                "SELECT code FROM dossiers WHERE writer = $1 AND receiving_unit = $2 AND status = $3 ORDER BY code LIMIT $4",
                &[(&mine).into(), (&commune).into(), Val::Int(registered), Val::Int(HAND_DOWN as i64)],
            )?;
            let mut handed = vec![];
            for r in codes {
                if let Some(p) = crate::upstream::pushed_dossier(c, &r.col::<String>("code")?, 0)? {
                    handed.push(p);
                }
            }
            Ok(handed)
        })?;
        // The copies this process keeps knew no writer.
        for p in &handed {
            self.forget(&p.code);
        }
        Ok(handed)
    }

    /// A document of a dossier handed down to `node`, for the node to fetch.
    pub fn document_for_node(&self, node: &Node, sha256: &str) -> AppResult<Vec<u8>> {
        let (sha, mine) = (sha256.to_string(), node_writer(&node.commune_code));
        let found = self.store.read(move |c| {
            c.query_one(
                "SELECT 1 FROM attachments a JOIN dossiers d ON d.code = a.dossier_code WHERE a.sha256 = $1 AND d.writer = $2 LIMIT 1",
                &[(&sha).into(), (&mine).into()],
            )
        })?;
        if found.is_none() {
            return Err(AppError::new(
                Code::AttachmentNotFound,
                "không có giấy tờ này trong các hồ sơ tỉnh giao máy trạm",
            ));
        }
        self.blob(sha256)
    }

    /// Takes the dossiers the province handed down (at a node): each checked as a push is (its
    /// history chained from the registration, its particulars sealed by it, the node's own
    /// commune's) and written with its documents as arrived, confirmed as held by the
    /// province. One already here, or whose documents have not arrived yet, is left for the
    /// next pull. Returns how many were taken.
    pub fn take_handed_down(&self, handed: Vec<PushedDossier>) -> AppResult<usize> {
        let up = self.upstream().ok_or_else(|| {
            AppError::new(Code::NotANode, "máy này chưa gắn với máy chủ của tỉnh (haicap serve --upstream …)")
        })?;
        let mut work = vec![];
        for p in handed {
            let ours = p.particulars.receiving_unit == up.commune_code
                && p.particulars.province_code == up.province_code;
            let channel = Channel::from_portal_code(p.particulars.channel);
            let files_here = p.files().all(|h| matches!(self.blobs.get(h), Ok(Some(_))));
            match (ours, channel) {
                (true, Some(channel)) if files_here => work.push((p, channel)),
                (true, Some(_)) => {}
                _ => {
                    return Err(AppError::new(
                        Code::ReplicationWriter,
                        format!("tỉnh giao hồ sơ {} không thuộc xã của máy trạm", p.code),
                    ))
                }
            }
        }
        let now = self.now();
        let taken = self.store.write(move |c| {
            let mut taken = 0;
            for (p, channel) in &work {
                if c.query_one("SELECT 1 FROM dossiers WHERE code = $1", &[(&p.code).into()])?.is_some() {
                    continue;
                }
                let events: Vec<Event> = p.events.iter().map(|x| x.event.clone()).collect();
                let chained = admit(&p.code, &[], &p.events).is_ok_and(|known| known == 0);
                let Some(mut d) = Dossier::replay(&events).filter(|_| chained) else {
                    tracing::warn!(code = %p.code, "hồ sơ tỉnh giao có lịch sử không hợp lệ: không nhận");
                    continue;
                };
                d.code = p.code.clone();
                let mut next = p.particulars.record(&p.code, *channel);
                let documents: Vec<String> = p.documents.iter().map(|x| x.sha256.clone()).collect();
                if d.subject.as_ref().is_some_and(|s| *s != next.subject_digest(&documents)) {
                    tracing::warn!(code = %p.code, "hồ sơ tỉnh giao không khớp niêm phong khi đăng ký: không nhận");
                    continue;
                }
                let (rows, head) = EventRow::chain(&p.code, domain::audit::GENESIS, &events);
                let last_at = events.last().map_or(next.registered_at, |e| e.at);
                next.follow(&d, head, last_at);
                let mut deltas = domain::stats::deltas(&d, &events);
                insert_new(c, &next, &p.documents, &mut deltas)?;
                // Arrived, not written here: nothing of it is pending for the province.
                EventRow::insert_arrived(&rows, c, &next.code, &next.province_code, Some(now))?;
                c.exec(
                    "INSERT INTO node_sync (dossier_code, acked, pending) VALUES ($1, $2, FALSE)",
                    &[(&next.code).into(), Val::Int(events.len() as i64)],
                )?;
                bump_stats(c, &next, &deltas)?;
                taken += 1;
            }
            Ok(taken)
        })?;
        Ok(taken)
    }
}
