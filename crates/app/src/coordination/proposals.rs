//! Communes' proposals to the province: filed by a commune leader, routed to a department with
//! a deadline, answered, sent back for more, forwarded or escalated, flagged when overdue, and
//! summed up for the province; every step on an append-only record.

use crate::{checked_text, Actor, AppError, AppResult, Coordination};
use chrono::NaiveDateTime;
use domain::proposal::{
    department, responsible_department, Category, Handler, Party, Proposal, ProposalAction, ProposalEvent,
    ProposalStatus, ALL_CATEGORIES, ALL_PROPOSAL_STATUSES,
};
use domain::roles::{Role, Scope};
use errors::Code;
use serde::{Deserialize, Serialize};
use store::{Conn, StoreError, Val};

const MAX_TITLE: usize = 300;
const MAX_BODY: usize = 10_000;

/// A proposal as the API and the form send it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProposal {
    pub title: String,
    pub category: String,
    pub body: String,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    pub procedure_code: Option<String>,
    #[serde(default)]
    pub dossier_code: Option<String>,
}

/// A step on a proposal: an answer by default from the province's side, more information from
/// the commune's.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalResponse {
    #[serde(default)]
    pub body: String,
    /// answer, request_info, supplement, forward, escalate, to_central, reopen, close.
    #[serde(default)]
    pub action: Option<String>,
    /// The department to forward to.
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Proposal))]
pub struct ProposalRecord {
    pub id: i64,
    pub province_code: String,
    pub commune_code: String,
    pub commune_name: String,
    pub title: String,
    pub category: String,
    pub category_label: &'static str,
    pub body: String,
    pub urgent: bool,
    pub procedure_code: Option<String>,
    pub dossier_code: Option<String>,
    pub handler: String,
    pub handler_label: String,
    pub status: String,
    pub status_label: &'static str,
    pub escalated: bool,
    pub to_central: bool,
    pub filed_by: String,
    pub filed_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalEntry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub kind: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalDetail {
    #[serde(flatten)]
    pub proposal: ProposalRecord,
    pub history: Vec<ProposalEntry>,
    /// What the caller may do now.
    pub allowed: Vec<&'static str>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProposalFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub commune: Option<String>,
    pub handler: Option<String>,
    pub overdue: bool,
    pub to_central: bool,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalList {
    pub items: Vec<ProposalRecord>,
    pub total: i64,
    pub overdue: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryLine {
    pub category: String,
    pub label: &'static str,
    pub open: i64,
    pub info_requested: i64,
    pub answered: i64,
    pub closed: i64,
    pub overdue: i64,
    pub to_central: i64,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalSummary {
    pub lines: Vec<CategoryLine>,
    pub total: CategoryLine,
}

const COLUMNS: &str = "id, province_code, commune_code, title, category, body, urgent, procedure_code, dossier_code, handler, status, escalated, to_central, filed_by, filed_at, due_at, answered_at";

/// A row of `SELECT {COLUMNS} FROM proposals`, by column name.
fn record(r: &store::Row, now: NaiveDateTime) -> Result<ProposalRecord, store::StoreError> {
    let category: Category = r.col_parsed("category", |c: String| c.parse().ok())?;
    let status = r.col_parsed("status", |s: String| ProposalStatus::parse(&s))?;
    let commune: String = r.col("commune_code")?;
    let handler = Handler::parse(&r.col::<String>("handler")?);
    let due_at = r.col("due_at")?;
    Ok(ProposalRecord {
        id: r.col("id")?,
        province_code: r.col("province_code")?,
        commune_name: units::registry()
            .commune(&commune)
            .map_or_else(|| commune.clone(), |c| c.name.to_string()),
        commune_code: commune,
        title: r.col("title")?,
        category: category.code().into(),
        category_label: category.label(),
        body: r.col("body")?,
        urgent: r.col("urgent")?,
        procedure_code: r.col("procedure_code")?,
        dossier_code: r.col("dossier_code")?,
        handler: handler.code().to_string(),
        handler_label: handler.label(),
        status: status.code().into(),
        status_label: status.label(),
        escalated: r.col("escalated")?,
        to_central: r.col("to_central")?,
        filed_by: r.col("filed_by")?,
        filed_at: r.col("filed_at")?,
        due_at,
        answered_at: r.col("answered_at")?,
        overdue: status == ProposalStatus::Open && now > due_at,
    })
}

/// The party an actor acts as, if any.
fn party(actor: &Actor) -> Option<Party> {
    match (&actor.scope, actor.role) {
        (Scope::Everything, _) => Some(Party::Leader),
        (Scope::Commune { commune, .. }, _) => Some(Party::Commune(commune.clone())),
        (Scope::Province(_), Some(Role::ProvinceLeader | Role::Admin)) => Some(Party::Leader),
        (Scope::Province(_), Some(Role::Department)) => actor.department.clone().map(Party::Department),
        _ => None,
    }
}

/// Whether a commune account may act for its commune (the leadership files and confirms).
fn acts_for_commune(actor: &Actor) -> bool {
    matches!(actor.role, Some(Role::CommuneLeader | Role::Admin))
}

/// The SQL condition (with `?` for parameters) of what an actor may see.
fn visible(actor: &Actor) -> (String, Vec<Val>) {
    match (&actor.scope, party(actor)) {
        (Scope::Everything, _) => ("1 = 1".into(), vec![]),
        (Scope::Commune { commune, .. }, _) => ("commune_code = ?".into(), vec![commune.into()]),
        (Scope::Province(p), Some(Party::Leader)) => ("province_code = ?".into(), vec![p.into()]),
        (Scope::Province(p), Some(Party::Department(d))) => {
            ("province_code = ? AND handler = ?".into(), vec![p.into(), d.into()])
        }
        _ => ("1 = 0".into(), vec![]),
    }
}

fn sees(actor: &Actor, p: &ProposalRecord) -> bool {
    match (&actor.scope, party(actor)) {
        (Scope::Everything, _) => true,
        (Scope::Commune { commune, .. }, _) => *commune == p.commune_code,
        (Scope::Province(pr), Some(Party::Leader)) => *pr == p.province_code,
        (Scope::Province(pr), Some(Party::Department(d))) => *pr == p.province_code && d == p.handler,
        _ => false,
    }
}

fn parse_action(r: &ProposalResponse, party: &Party, current: ProposalStatus) -> AppResult<ProposalAction> {
    let body = || checked_text(Code::InvalidBody, "Nội dung", &r.body, MAX_BODY);
    let default = match party {
        Party::Commune(_) if current == ProposalStatus::Answered => "reopen",
        Party::Commune(_) => "supplement",
        _ => "answer",
    };
    Ok(match r.action.as_deref().map(str::trim).filter(|a| !a.is_empty()).unwrap_or(default) {
        "answer" => ProposalAction::Answer { body: body()? },
        "request_info" => ProposalAction::RequestInfo { body: body()? },
        "supplement" => ProposalAction::Supplement { body: body()? },
        "forward" => ProposalAction::Forward {
            to: r.to.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).ok_or_else(|| {
                AppError::new(Code::MissingDepartment, "cần chọn sở, ngành nhận kiến nghị (to)")
            })?,
            note: body()?,
        },
        "escalate" => ProposalAction::Escalate { note: body()? },
        "to_central" => ProposalAction::ToCentral { note: body()? },
        "reopen" => ProposalAction::Reopen { body: body()? },
        "close" => ProposalAction::Close {
            note: if r.body.trim().is_empty() { None } else { Some(body()?) },
        },
        other => {
            return Err(AppError::new(Code::InvalidAction,
                format!(
                    "thao tác \"{other}\" không có; dùng answer, request_info, supplement, forward, escalate, to_central, reopen, close"
                ),
            ))
        }
    })
}

/// One step of the history as stored: seq, time, actor, event.
type HistoryRow = (i64, NaiveDateTime, String, ProposalEvent);

fn load_history(c: &mut dyn Conn, id: i64) -> Result<Vec<HistoryRow>, StoreError> {
    let rows = c.query(
        "SELECT seq, at, actor, body FROM proposal_events WHERE proposal_id = $1 ORDER BY seq",
        &[Val::Int(id)],
    )?;
    rows.iter()
        .map(|r| {
            let body: String = r.col("body")?;
            // A history that cannot be read is an error, not an event quietly left out of it.
            let event = serde_json::from_str(&body)
                .map_err(|e| StoreError::Database(format!("sự kiện kiến nghị {id} không đọc được: {e}")))?;
            Ok((r.col("seq")?, r.col("at")?, r.col("actor")?, event))
        })
        .collect()
}

/// One step to write: the event and the state it leaves.
struct Step {
    id: i64,
    province: String,
    seq: i64,
    at: NaiveDateTime,
    actor: String,
    event: ProposalEvent,
    state: Proposal,
}

/// Appends the step's event and rewrites the projection, if nobody wrote in between.
fn append(c: &mut dyn Conn, step: &Step) -> Result<bool, StoreError> {
    let Step { id, ref province, seq, at, ref actor, ref event, ref state } = *step;
    let moved = c.exec(
        "UPDATE proposals SET handler = $1, status = $2, escalated = $3, to_central = $4, due_at = $5, answered_at = $6, flagged_due = $7, event_count = $8, updated_at = $9
         WHERE id = $10 AND event_count = $11",
        &[
            state.handler.code().into(),
            state.status.code().into(),
            state.escalated.into(),
            state.to_central.into(),
            state.due_at.into(),
            state.answered_at.into(),
            state.flagged_due.into(),
            Val::Int(seq),
            at.into(),
            Val::Int(id),
            Val::Int(seq - 1),
        ],
    )?;
    if moved == 0 {
        return Ok(false);
    }
    c.exec(
        "INSERT INTO proposal_events (proposal_id, seq, province_code, at, actor, kind, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            Val::Int(id),
            Val::Int(seq),
            province.into(),
            at.into(),
            actor.into(),
            event.kind().into(),
            serde_json::to_string(event).unwrap_or_default().into(),
        ],
    )?;
    Ok(true)
}

impl Coordination<'_> {
    /// Files a proposal from the actor's commune; it goes to the department responsible.
    pub fn file_proposal(&self, req: &NewProposal, actor: &Actor) -> AppResult<ProposalRecord> {
        self.app.check_coordination_writable()?;
        let Scope::Commune { province, commune } = &actor.scope else {
            return Err(AppError::new(
                Code::CommuneOnly,
                "kiến nghị do lãnh đạo UBND cấp xã gửi từ tài khoản của xã",
            ));
        };
        if !acts_for_commune(actor) {
            return Err(AppError::new(
                Code::CommuneLeaderOnly,
                "chỉ lãnh đạo UBND cấp xã được gửi kiến nghị lên tỉnh",
            ));
        }
        let title = checked_text(Code::InvalidTitle, "Tiêu đề", &req.title, MAX_TITLE)?;
        let body = checked_text(Code::InvalidBody, "Nội dung", &req.body, MAX_BODY)?;
        let category: Category = req.category.parse()?;
        let catalog = self.app.catalog();
        let procedure = match req.procedure_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            Some(code) => Some(catalog.get(code).ok_or_else(|| {
                AppError::new(Code::UnknownProcedure, format!("không có thủ tục mã \"{code}\""))
            })?),
        };
        let dossier = match req.dossier_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            None => None,
            // Only a dossier the commune may see can be cited.
            Some(code) => Some(self.app.dossiers().visible(code, actor)?.code),
        };
        let to = responsible_department(category, procedure.and_then(|p| p.field.as_deref()));
        let now = self.app.now();
        let (state, event) = Proposal::file(commune, to, req.urgent, now, &self.app.calendar())?;
        let params: Vec<Val> = vec![
            province.into(),
            commune.into(),
            title.into(),
            category.code().into(),
            body.into(),
            req.urgent.into(),
            procedure.map(|p| p.code.clone()).into(),
            dossier.into(),
            to.into(),
            state.status.code().into(),
            false.into(),
            false.into(),
            (&actor.username).into(),
            now.into(),
            state.due_at.into(),
        ];
        let (province, actor_name) = (province.clone(), actor.username.clone());
        let id = self.app.store.write(move |c| {
            let id = c
                .insert_returning_id(
                    "INSERT INTO proposals (province_code, commune_code, title, category, body, urgent, procedure_code, dossier_code, handler, status, escalated, to_central, filed_by, filed_at, due_at, event_count, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $14) RETURNING id",
                    &params,
                )?;
            c.exec(
                "INSERT INTO proposal_events (proposal_id, seq, province_code, at, actor, kind, body) VALUES ($1, 1, $2, $3, $4, $5, $6)",
                &[
                    Val::Int(id),
                    (&province).into(),
                    now.into(),
                    (&actor_name).into(),
                    event.kind().into(),
                    serde_json::to_string(&event).unwrap_or_default().into(),
                ],
            )?;
            Ok(id)
        })?;
        self.proposal(id, actor).map(|d| d.proposal)
    }

    fn proposal_row(&self, id: i64) -> AppResult<Option<ProposalRecord>> {
        let now = self.app.now();
        let row = self.app.store.read(|c| {
            c.query_one(&format!("SELECT {COLUMNS} FROM proposals WHERE id = $1"), &[Val::Int(id)])
        })?;
        Ok(row.as_ref().map(|r| record(r, now)).transpose()?)
    }

    /// A proposal with its history, if the actor may see it.
    pub fn proposal(&self, id: i64, actor: &Actor) -> AppResult<ProposalDetail> {
        let p = self.visible_proposal(id, actor)?;
        self.proposal_detail(p, actor)
    }

    fn visible_proposal(&self, id: i64, actor: &Actor) -> AppResult<ProposalRecord> {
        let missing = || AppError::new(Code::ProposalNotFound, format!("không có kiến nghị số {id}"));
        self.proposal_row(id)?.filter(|p| sees(actor, p)).ok_or_else(missing)
    }

    /// A proposal's history and the state it leaves.
    fn replayed(&self, p: &ProposalRecord) -> AppResult<(Vec<HistoryRow>, Proposal)> {
        let history = self.app.store.read(|c| load_history(c, p.id))?;
        let state = Proposal::replay(&p.commune_code, history.iter().map(|(_, at, _, e)| (*at, e)))
            .ok_or_else(|| AppError::internal(Code::BrokenHistory, "lịch sử kiến nghị bị hỏng"))?;
        Ok((history, state))
    }

    fn proposal_detail(&self, p: ProposalRecord, actor: &Actor) -> AppResult<ProposalDetail> {
        let (history, state) = self.replayed(&p)?;
        let allowed = match party(actor) {
            // A commune's node holds a copy: the proposal is answered at the province.
            _ if self.app.upstream().is_some() => vec![],
            Some(Party::Commune(c)) if acts_for_commune(actor) => state.allowed(&Party::Commune(c)),
            Some(pt @ (Party::Leader | Party::Department(_))) => state.allowed(&pt),
            _ => vec![],
        };
        let history = history
            .into_iter()
            .map(|(seq, at, actor, e)| ProposalEntry {
                seq,
                at,
                actor,
                kind: e.kind().into(),
                text: e.describe(),
            })
            .collect();
        Ok(ProposalDetail { proposal: p, history, allowed })
    }

    /// Records a step on a proposal by the actor.
    pub fn respond_to_proposal(
        &self,
        id: i64,
        r: &ProposalResponse,
        actor: &Actor,
    ) -> AppResult<ProposalDetail> {
        self.app.check_coordination_writable()?;
        let denied = || AppError::new(Code::NotAllowed, "tài khoản này không được xử lý kiến nghị");
        let party = party(actor).ok_or_else(denied)?;
        if matches!(party, Party::Commune(_)) && !acts_for_commune(actor) {
            return Err(AppError::new(
                Code::CommuneLeaderOnly,
                "chỉ lãnh đạo UBND cấp xã được trả lời, xác nhận kiến nghị của xã",
            ));
        }
        for _ in 0..8 {
            let p = self.visible_proposal(id, actor)?;
            let (history, mut state) = self.replayed(&p)?;
            let action = parse_action(r, &party, state.status)?;
            let now = self.app.now();
            let event = state.decide(&party, &action, now, &self.app.calendar())?;
            state.apply(&event, now);
            let seq = history.len() as i64 + 1;
            let step = Step {
                id,
                province: p.province_code.clone(),
                seq,
                at: now,
                actor: actor.username.clone(),
                event,
                state,
            };
            let written = self.app.store.write(move |c| append(c, &step))?;
            if written {
                // A department that forwarded or escalated no longer sees the proposal, but
                // is told where it went.
                let p = self
                    .proposal_row(id)?
                    .ok_or_else(|| AppError::internal(Code::BrokenHistory, "lịch sử kiến nghị bị hỏng"))?;
                return self.proposal_detail(p, actor);
            }
        }
        Err(AppError::new(Code::Busy, "kiến nghị đang được người khác cập nhật; hãy thử lại"))
    }

    /// Proposals the actor may see, newest first.
    pub fn proposals(&self, f: &ProposalFilter, actor: &Actor) -> AppResult<ProposalList> {
        let (scope, scope_params) = visible(actor);
        let mut filter = store::Filter::default();
        filter.and(&scope, scope_params);
        let now = self.app.now();
        if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
            let s = ProposalStatus::parse(s).ok_or_else(|| {
                AppError::new(
                    Code::InvalidStatus,
                    format!(
                        "trạng thái \"{s}\" không có; dùng {}",
                        ALL_PROPOSAL_STATUSES.map(|s| s.code()).join(", ")
                    ),
                )
            })?;
            filter.and("status = ?", [s.code().into()]);
        }
        if let Some(c) = f.category.as_deref().filter(|s| !s.is_empty()) {
            let c: Category = c.parse()?;
            filter.and("category = ?", [c.code().into()]);
        }
        if let Some(c) = f.commune.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            filter.and("commune_code = ?", [c.into()]);
        }
        if let Some(h) = f.handler.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let h = if h.eq_ignore_ascii_case("leader") {
                "LEADER"
            } else {
                department(h)
                    .ok_or_else(|| {
                        AppError::new(Code::UnknownDepartment, format!("không có sở, ngành mã \"{h}\""))
                    })?
                    .code
            };
            filter.and("handler = ?", [h.into()]);
        }
        if f.to_central {
            filter.and("to_central = ?", [true.into()]);
        }
        let mut overdue_filter = filter.clone();
        overdue_filter.and("status = 'open' AND due_at < ?", [now.into()]);
        let list = if f.overdue { &overdue_filter } else { &filter };
        let limit = if f.limit == 0 { 50 } else { f.limit.min(500) };
        let (page, next) = list.params_then([Val::Int(limit.into()), Val::Int(f.offset.into())]);
        let (rows, total, overdue) = self.app.store.read(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {COLUMNS} FROM proposals WHERE {} ORDER BY filed_at DESC, id DESC LIMIT ${next} OFFSET ${}",
                    list.conditions(),
                    next + 1
                ),
                &page,
            )?;
            let total = c.count(&format!("SELECT COUNT(*) FROM proposals WHERE {}", list.conditions()), list.params())?;
            let overdue = c.count(
                &format!("SELECT COUNT(*) FROM proposals WHERE {}", overdue_filter.conditions()),
                overdue_filter.params(),
            )?;
            Ok((rows, total, overdue))
        })?;
        let items = rows.iter().map(|r| record(r, now)).collect::<Result<_, _>>()?;
        Ok(ProposalList { items, total, overdue })
    }

    /// By category and status, within what the actor sees.
    pub fn proposal_summary(&self, actor: &Actor) -> AppResult<ProposalSummary> {
        let (scope, scope_params) = visible(actor);
        let mut params: Vec<Val> = vec![self.app.now().into()];
        params.extend(scope_params);
        let sql = crate::numbered(
            &format!(
                "SELECT category, status, COUNT(*) AS n, SUM(CASE WHEN status = 'open' AND due_at < ? THEN 1 ELSE 0 END) AS overdue,
                        SUM(CASE WHEN to_central THEN 1 ELSE 0 END) AS central
                 FROM proposals WHERE {scope} GROUP BY category, status"
            ),
        );
        let rows = self.app.store.read(|c| c.query(&sql, &params))?;
        let mut lines: Vec<CategoryLine> = ALL_CATEGORIES
            .iter()
            .map(|c| CategoryLine { category: c.code().into(), label: c.label(), ..CategoryLine::default() })
            .collect();
        let mut total =
            CategoryLine { category: "all".into(), label: "Tổng cộng", ..CategoryLine::default() };
        for r in &rows {
            let (cat, status): (String, String) = (r.col("category")?, r.col("status")?);
            let Some(line) = lines.iter_mut().find(|l| l.category == cat) else { continue };
            let (n, overdue, central): (i64, i64, i64) = (r.col("n")?, r.col("overdue")?, r.col("central")?);
            for l in [&mut *line, &mut total] {
                match status.as_str() {
                    "open" => l.open += n,
                    "info_requested" => l.info_requested += n,
                    "answered" => l.answered += n,
                    _ => l.closed += n,
                }
                l.overdue += overdue;
                l.to_central += central;
                l.total += n;
            }
        }
        Ok(ProposalSummary { lines, total })
    }

    /// Puts on the record each open proposal whose deadline passed unanswered (once per
    /// deadline); returns those flagged. The server runs this every few minutes.
    pub fn flag_overdue_proposals(&self) -> AppResult<Vec<ProposalRecord>> {
        // A node's copies are flagged at the province, and come down with the next pull.
        if self.app.upstream().is_some() {
            return Ok(vec![]);
        }
        let now = self.app.now();
        let ids = self.app.store.read(|c| {
            c.query(
                "SELECT id FROM proposals WHERE status = 'open' AND due_at < $1 AND (flagged_due IS NULL OR flagged_due <> due_at)",
                &[now.into()],
            )
        })?;
        let mut flagged = vec![];
        for id in ids.iter().map(|r| r.col("id")).collect::<Result<Vec<i64>, _>>()? {
            let Some(p) = self.proposal_row(id)? else { continue };
            let (history, mut state) = self.replayed(&p)?;
            let Ok(event) =
                state.decide(&Party::Leader, &ProposalAction::FlagOverdue, now, &self.app.calendar())
            else {
                continue;
            };
            state.apply(&event, now);
            let seq = history.len() as i64 + 1;
            let step = Step {
                id,
                province: p.province_code.clone(),
                seq,
                at: now,
                actor: "hệ thống".into(),
                event,
                state,
            };
            if self.app.store.write(move |c| append(c, &step))? {
                flagged.extend(self.proposal_row(id)?);
            }
        }
        Ok(flagged)
    }

    /// The proposals marked for the central government, as CSV (UTF-8 with BOM, for Excel).
    pub fn central_proposals_csv(&self, actor: &Actor) -> AppResult<String> {
        let f = ProposalFilter { to_central: true, limit: 500, ..ProposalFilter::default() };
        let mut out = String::from("\u{feff}");
        let mut w = csv::Writer::from_writer(vec![]);
        let header = [
            "Số",
            "Tỉnh",
            "Xã, phường",
            "Nhóm",
            "Tiêu đề",
            "Nội dung",
            "Ngày gửi",
            "Trạng thái",
            "Cơ quan xử lý",
        ];
        let fail = |e: csv::Error| AppError::internal(Code::Export, e);
        crate::statistics::spreadsheet::write_row(&mut w, header).map_err(fail)?;
        let mut offset = 0;
        loop {
            let page = self.proposals(&ProposalFilter { offset, ..f.clone() }, actor)?;
            for p in &page.items {
                let province = units::registry().province(&p.province_code).map_or("", |x| x.name);
                crate::statistics::spreadsheet::write_row(
                    &mut w,
                    [
                        p.id.to_string().as_str(),
                        province,
                        &p.commune_name,
                        p.category_label,
                        &p.title,
                        &p.body,
                        &p.filed_at.format("%d/%m/%Y").to_string(),
                        p.status_label,
                        &p.handler_label,
                    ],
                )
                .map_err(fail)?;
            }
            offset += page.items.len() as u32;
            if page.items.is_empty() || offset as i64 >= page.total {
                break;
            }
        }
        let bytes = w.into_inner().map_err(|e| AppError::internal(Code::Export, e))?;
        out.push_str(&String::from_utf8_lossy(&bytes));
        Ok(out)
    }
}
