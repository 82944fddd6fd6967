//! The province's directives and tasks to its communes: assigned to one, several or all
//! communes with a date; each commune reports progress and completion (with documents); the
//! province sees who is late.

use crate::blobs::{self, Attachment, Upload};
use crate::{checked_text, Actor, AppError, AppResult, Coordination};
use chrono::{NaiveDate, NaiveDateTime};
use domain::directive::{report, timeliness, TaskStatus, Timeliness};
use domain::roles::{Role, Scope};
use errors::Code;
use serde::{Deserialize, Serialize};
use store::Val;

const MAX_TITLE: usize = 300;
const MAX_BODY: usize = 10_000;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDirective {
    pub title: String,
    pub body: String,
    /// dd/mm/yyyy or yyyy-mm-dd.
    pub due_date: String,
    /// The communes it is assigned to; `["all"]` (or `all_communes`) for every commune of the
    /// province.
    #[serde(default)]
    pub commune_codes: Vec<String>,
    #[serde(default)]
    pub all_communes: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReport {
    /// in_progress or done.
    pub status: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Directive))]
pub struct DirectiveRecord {
    pub id: i64,
    pub province_code: String,
    pub title: String,
    pub body: String,
    pub due_date: NaiveDate,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub targets: i64,
    pub done: i64,
    pub late: i64,
    /// For a commune's account: its own task.
    pub mine: Option<TaskRecord>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Task))]
pub struct TaskRecord {
    pub commune_code: String,
    pub commune_name: String,
    pub status: String,
    pub status_label: &'static str,
    pub timeliness: Timeliness,
    pub timeliness_label: &'static str,
    pub reports: i64,
    pub last_report_at: Option<NaiveDateTime>,
    pub done_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = DirectiveReport))]
pub struct ReportRecord {
    pub commune_code: String,
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub status: String,
    pub status_label: &'static str,
    pub body: String,
    pub attachments: Vec<Attachment>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveDetail {
    #[serde(flatten)]
    pub directive: DirectiveRecord,
    pub tasks: Vec<TaskRecord>,
    pub reports: Vec<ReportRecord>,
    /// The caller may report on it (a commune leader or officer of an assigned commune).
    pub may_report: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectiveFilter {
    /// Only those with a late commune (or, for a commune, its own late ones).
    pub late: bool,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DirectiveList {
    pub items: Vec<DirectiveRecord>,
    pub total: i64,
}

/// A date typed by a person: dd/mm/yyyy (as Vietnamese forms write it) or ISO.
pub fn parse_date(s: &str) -> AppResult<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%d/%m/%Y").or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d")).map_err(
        |_| {
            AppError::new(
                Code::InvalidDate,
                format!("ngày \"{s}\" không hợp lệ: viết dd/mm/yyyy, ví dụ 31/12/2026"),
            )
        },
    )
}

/// A row of directive_targets (commune_code, status, reports, last_report_at, done_at), by
/// column name.
fn task(r: &store::Row, due: NaiveDate, now: NaiveDateTime) -> Result<TaskRecord, store::StoreError> {
    let code: String = r.col("commune_code")?;
    let status = r.col_parsed("status", |s: String| TaskStatus::parse(&s))?;
    let done_at = r.col("done_at")?;
    let t = timeliness(status, due, done_at, now);
    Ok(TaskRecord {
        commune_name: units::registry().commune(&code).map_or_else(|| code.clone(), |c| c.name.to_string()),
        commune_code: code,
        status: status.code().into(),
        status_label: status.label(),
        timeliness: t,
        timeliness_label: t.label(),
        reports: r.col("reports")?,
        last_report_at: r.col("last_report_at")?,
        done_at,
    })
}

impl Coordination<'_> {
    /// Assigns a task to communes of the leader's province.
    pub fn issue_directive(&self, req: &NewDirective, actor: &Actor) -> AppResult<DirectiveRecord> {
        self.app.check_coordination_writable()?;
        let province = match (&actor.scope, actor.role) {
            (Scope::Province(p), Some(Role::ProvinceLeader | Role::Admin)) => p.clone(),
            _ => {
                return Err(AppError::new(
                    Code::ProvinceLeaderOnly,
                    "chỉ lãnh đạo UBND cấp tỉnh giao nhiệm vụ cho các xã",
                ))
            }
        };
        let title = checked_text(Code::InvalidTitle, "Tiêu đề", &req.title, MAX_TITLE)?;
        let body = checked_text(Code::InvalidBody, "Nội dung", &req.body, MAX_BODY)?;
        let due = parse_date(&req.due_date)?;
        let now = self.app.now();
        if due < now.date() {
            return Err(AppError::new(Code::DueInPast, "hạn hoàn thành đã qua"));
        }
        let reg = units::registry();
        let all = req.all_communes || req.commune_codes.iter().any(|c| c.trim().eq_ignore_ascii_case("all"));
        let mut communes: Vec<String> = if all {
            reg.communes_of(&province).map(|it| it.map(|c| c.code.to_string()).collect()).unwrap_or_default()
        } else {
            let mut v = vec![];
            for code in &req.commune_codes {
                let c = reg.commune(code.trim()).filter(|c| reg.province_of(c).code == province).ok_or_else(
                    || {
                        AppError::new(
                            Code::UnknownCommune,
                            format!("không có xã, phường mã \"{}\" trong tỉnh", code.trim()),
                        )
                    },
                )?;
                v.push(c.code.to_string());
            }
            v
        };
        communes.sort();
        communes.dedup();
        if communes.is_empty() {
            return Err(AppError::new(Code::NoCommunes, "cần chọn ít nhất một xã, phường (commune_codes)"));
        }
        let n = communes.len() as i64;
        let who = actor.username.clone();
        let p2 = province.clone();
        let (t2, b2) = (title.clone(), body.clone());
        let id = self.app.store.write(move |c| {
            let id = c
                .insert_returning_id(
                    "INSERT INTO directives (province_code, title, body, due_date, created_by, created_at, targets) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[(&p2).into(), (&t2).into(), (&b2).into(), due.into(), (&who).into(), now.into(), Val::Int(n)],
                )?;
            for commune in &communes {
                c.exec(
                    "INSERT INTO directive_targets (directive_id, commune_code, province_code, due_date, status, reports) VALUES ($1, $2, $3, $4, 'assigned', 0)",
                    &[Val::Int(id), commune.into(), (&p2).into(), due.into()],
                )?;
            }
            Ok(id)
        })?;
        Ok(DirectiveRecord {
            id,
            province_code: province,
            title,
            body,
            due_date: due,
            created_by: actor.username.clone(),
            created_at: now,
            targets: n,
            done: 0,
            late: 0,
            mine: None,
        })
    }

    /// Directives the actor sees: a province's all of its own; a commune, those assigned to it.
    pub fn directives(&self, f: &DirectiveFilter, actor: &Actor) -> AppResult<DirectiveList> {
        let now = self.app.now();
        let today = now.date();
        let limit = if f.limit == 0 { 50 } else { f.limit.min(500) };
        // Parameters in the order their `?` appear: the join, the condition, the filter.
        let (join, cond, scope_params): (&str, &str, Vec<Val>) = match &actor.scope {
            Scope::Everything => ("", "1 = 1", vec![]),
            // A province's directives stay in the province: none reach the nation.
            Scope::Nation => ("", "1 = 0", vec![]),
            Scope::Province(p) => ("", "d.province_code = ?", vec![p.into()]),
            Scope::Commune { commune, .. } => (
                "JOIN directive_targets mine ON mine.directive_id = d.id AND mine.commune_code = ?",
                "1 = 1",
                vec![commune.into()],
            ),
        };
        let late = "SUM(CASE WHEN t.status <> 'done' AND t.due_date < ? THEN 1 ELSE 0 END)";
        let having = if f.late { format!("HAVING {late} > 0") } else { String::new() };
        let mut filter_params = scope_params.clone();
        if f.late {
            filter_params.push(today.into());
        }
        let from = format!(
            "FROM directives d {join} JOIN directive_targets t ON t.directive_id = d.id WHERE {cond}
             GROUP BY d.id, d.province_code, d.title, d.body, d.due_date, d.created_by, d.created_at, d.targets {having}"
        );
        let sql = crate::numbered(&format!(
            "SELECT d.id, d.province_code, d.title, d.body, d.due_date, d.created_by, d.created_at, d.targets,
                    SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) AS done, {late} AS late
             {from} ORDER BY d.due_date DESC, d.id DESC LIMIT ? OFFSET ?"
        ));
        let count_sql = crate::numbered(&format!("SELECT COUNT(*) FROM (SELECT d.id {from}) x"));
        let mut page = vec![today.into()];
        page.extend(filter_params.iter().cloned());
        page.push(Val::Int(limit.into()));
        page.push(Val::Int(f.offset.into()));
        let commune = match &actor.scope {
            Scope::Commune { commune, .. } => Some(commune.clone()),
            _ => None,
        };
        let (rows, total, mine) = self.app.store.read(|c| {
            let rows = c.query(&sql, &page)?;
            let total = c.count(&count_sql, &filter_params)?;
            let mine = match &commune {
                Some(code) => c.query(
                    "SELECT directive_id, commune_code, status, reports, last_report_at, done_at FROM directive_targets WHERE commune_code = $1",
                    &[code.into()],
                )?,
                None => vec![],
            };
            Ok((rows, total, mine))
        })?;
        let items = rows
            .iter()
            .map(|r| -> Result<DirectiveRecord, store::StoreError> {
                let id: i64 = r.col("id")?;
                let due = r.col("due_date")?;
                let own = mine
                    .iter()
                    .find(|m| m.col::<i64>("directive_id").ok() == Some(id))
                    .map(|m| task(m, due, now))
                    .transpose()?;
                Ok(DirectiveRecord {
                    id,
                    province_code: r.col("province_code")?,
                    title: r.col("title")?,
                    body: r.col("body")?,
                    due_date: due,
                    created_by: r.col("created_by")?,
                    created_at: r.col("created_at")?,
                    targets: r.col("targets")?,
                    done: r.col("done")?,
                    late: r.col("late")?,
                    mine: own,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(DirectiveList { items, total })
    }

    /// A directive with every commune's task and reports, if the actor may see it.
    pub fn directive(&self, id: i64, actor: &Actor) -> AppResult<DirectiveDetail> {
        let missing = || AppError::new(Code::DirectiveNotFound, format!("không có nhiệm vụ số {id}"));
        let now = self.app.now();
        let (head, targets, reports, files) = self.app.store.read(|c| {
            let head = c.query_one(
                "SELECT id, province_code, title, body, due_date, created_by, created_at, targets FROM directives WHERE id = $1",
                &[Val::Int(id)],
            )?;
            let targets = c.query(
                "SELECT commune_code, status, reports, last_report_at, done_at FROM directive_targets WHERE directive_id = $1 ORDER BY commune_code",
                &[Val::Int(id)],
            )?;
            let reports = c.query(
                "SELECT commune_code, seq, at, actor, status, body FROM directive_reports WHERE directive_id = $1 ORDER BY at DESC, commune_code, seq DESC",
                &[Val::Int(id)],
            )?;
            let files = c.query(
                "SELECT commune_code, report_seq, file_seq, file_name, content_type, size, sha256 FROM directive_attachments WHERE directive_id = $1 ORDER BY file_seq",
                &[Val::Int(id)],
            )?;
            Ok((head, targets, reports, files))
        })?;
        let head = head.ok_or_else(missing)?;
        let due = head.col("due_date")?;
        let province: String = head.col("province_code")?;
        let tasks: Vec<TaskRecord> = targets.iter().map(|r| task(r, due, now)).collect::<Result<_, _>>()?;
        let own_commune = match &actor.scope {
            Scope::Everything => None,
            Scope::Province(p) if *p == province => None,
            Scope::Commune { commune, .. } if tasks.iter().any(|t| t.commune_code == *commune) => {
                Some(commune.clone())
            }
            _ => return Err(missing()),
        };
        let tasks: Vec<TaskRecord> =
            tasks.into_iter().filter(|t| own_commune.as_ref().is_none_or(|c| *c == t.commune_code)).collect();
        let reports: Vec<ReportRecord> = reports
            .iter()
            .map(|r| -> Result<Option<ReportRecord>, store::StoreError> {
                let (commune, seq): (String, i64) = (r.col("commune_code")?, r.col("seq")?);
                if own_commune.as_ref().is_some_and(|c| *c != commune) {
                    return Ok(None);
                }
                let status = r.col_parsed("status", |s: String| TaskStatus::parse(&s))?;
                let mut attachments = vec![];
                for f in &files {
                    if f.col::<String>("commune_code")? == commune && f.col::<i64>("report_seq")? == seq {
                        attachments.push(Attachment::from_row(f, "file_seq")?);
                    }
                }
                Ok(Some(ReportRecord {
                    attachments,
                    commune_code: commune,
                    seq,
                    at: r.col("at")?,
                    actor: r.col("actor")?,
                    status: status.code().into(),
                    status_label: status.label(),
                    body: r.col("body")?,
                }))
            })
            .filter_map(Result::transpose)
            .collect::<Result<_, _>>()?;
        let done = tasks.iter().filter(|t| t.status == "done").count() as i64;
        let late = tasks.iter().filter(|t| t.timeliness == Timeliness::Late).count() as i64;
        let may_report = own_commune.is_some()
            && matches!(
                actor.role,
                Some(Role::CommuneLeader | Role::Officer | Role::Specialist | Role::Admin)
            )
            && tasks.first().is_some_and(|t| t.status != "done")
            // A commune's node holds a copy: reports are written at the province.
            && self.app.upstream().is_none();
        Ok(DirectiveDetail {
            directive: DirectiveRecord {
                id,
                province_code: province,
                title: head.col("title")?,
                body: head.col("body")?,
                due_date: due,
                created_by: head.col("created_by")?,
                created_at: head.col("created_at")?,
                targets: head.col("targets")?,
                done,
                late,
                mine: own_commune.and_then(|_| tasks.first().cloned()),
            },
            tasks,
            reports,
            may_report,
        })
    }

    /// A commune's report on a task assigned to it, with documents (PDF, JPEG, PNG).
    pub fn report_on_directive(
        &self,
        id: i64,
        req: &NewReport,
        uploads: &[Upload],
        actor: &Actor,
    ) -> AppResult<DirectiveDetail> {
        let Scope::Commune { commune, .. } = &actor.scope else {
            return Err(AppError::new(Code::CommuneOnly, "báo cáo nhiệm vụ do xã, phường được giao gửi"));
        };
        self.app.check_coordination_writable()?;
        let detail = self.directive(id, actor)?;
        if !detail.may_report {
            let done = detail.tasks.first().is_some_and(|t| t.status == "done");
            return Err(if done {
                AppError::new(Code::TaskDone, "xã đã báo cáo hoàn thành nhiệm vụ này")
            } else {
                AppError::new(Code::NotAllowed, "tài khoản này không được báo cáo nhiệm vụ")
            });
        }
        let current =
            detail.tasks.first().and_then(|t| TaskStatus::parse(&t.status)).unwrap_or(TaskStatus::Assigned);
        let next = report(current, &req.status)?;
        let body = checked_text(Code::InvalidBody, "Nội dung báo cáo", &req.body, MAX_BODY)?;
        let checked = blobs::check(uploads)?;
        for (a, upload) in &checked {
            upload.store(self.app.blobs.as_ref(), &a.sha256)?;
        }
        let files: Vec<Attachment> = checked.into_iter().map(|(a, _)| a).collect();
        let now = self.app.now();
        let (commune, who) = (commune.clone(), actor.username.clone());
        let expected = detail.tasks.first().map_or(0, |t| t.reports);
        let written = self.app.store.write(move |c| {
            let done_at: Option<NaiveDateTime> = (next == TaskStatus::Done).then_some(now);
            let moved = c.exec(
                "UPDATE directive_targets SET status = $1, reports = $2, last_report_at = $3, done_at = $4
                 WHERE directive_id = $5 AND commune_code = $6 AND reports = $7 AND status <> 'done'",
                &[next.code().into(), Val::Int(expected + 1), now.into(), done_at.into(), Val::Int(id), (&commune).into(), Val::Int(expected)],
            )?;
            if moved == 0 {
                return Ok(false);
            }
            let seq = expected + 1;
            c.exec(
                "INSERT INTO directive_reports (directive_id, commune_code, seq, at, actor, status, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[Val::Int(id), (&commune).into(), Val::Int(seq), now.into(), (&who).into(), next.code().into(), (&body).into()],
            )?;
            for a in &files {
                c.exec(
                    "INSERT INTO directive_attachments (directive_id, commune_code, report_seq, file_seq, file_name, content_type, size, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        Val::Int(id),
                        (&commune).into(),
                        Val::Int(seq),
                        a.seq.into(),
                        (&a.file_name).into(),
                        (&a.content_type).into(),
                        Val::Int(a.size as i64),
                        (&a.sha256).into(),
                    ],
                )?;
            }
            Ok(true)
        })?;
        if !written {
            return Err(AppError::new(Code::Busy, "nhiệm vụ vừa được cập nhật; hãy tải lại và thử lại"));
        }
        self.directive(id, actor)
    }

    /// One document of a report, if the actor may see the directive.
    pub fn directive_attachment(
        &self,
        id: i64,
        commune: &str,
        report_seq: i64,
        file_seq: u32,
        actor: &Actor,
    ) -> AppResult<(Attachment, Vec<u8>)> {
        let d = self.directive(id, actor)?;
        let a = d
            .reports
            .iter()
            .filter(|r| r.commune_code == commune && r.seq == report_seq)
            .flat_map(|r| r.attachments.iter())
            .find(|a| a.seq == file_seq)
            .cloned()
            .ok_or_else(|| AppError::new(Code::AttachmentNotFound, "không có tệp này"))?;
        let bytes = self.app.blob(&a.sha256)?;
        Ok((a, bytes))
    }
}
