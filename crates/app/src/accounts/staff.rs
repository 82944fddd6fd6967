//! Staff and workload: the officials of a unit with position, role and leave, headcount against
//! the quota, open dossiers and processing times per official, the officer to suggest for a
//! dossier, and the comparison of a province's communes.

use crate::coordination::directives::parse_date;
use crate::{Accounts, Actor, AppError, AppResult};
use chrono::{Duration, NaiveDate};
use domain::roles::{Role, Scope};
use domain::status::OPEN_STATUSES;
use domain::workload::{per_official, staff_per_10k, suggest, Official};
use domain::Status;
use errors::Code;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Workload))]
pub struct UnitWorkload {
    pub unit_code: String,
    pub unit_name: String,
    pub quota: Option<i64>,
    pub population: Option<i64>,
    pub headcount: u32,
    pub present: u32,
    pub on_leave: u32,
    pub open_dossiers: i64,
    pub overdue_dossiers: i64,
    pub unassigned_dossiers: i64,
    /// Open dossiers per official present.
    pub open_per_official: Option<f64>,
    pub staff_per_10k: Option<f64>,
    pub officials: Vec<Official>,
    pub leave: Vec<Leave>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leave {
    pub username: String,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewLeave {
    pub username: String,
    pub from_date: String,
    pub to_date: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffingUpdate {
    #[serde(default)]
    pub quota: Option<i64>,
    #[serde(default)]
    pub population: Option<i64>,
}

/// One commune in the province's comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = UnitComparison))]
pub struct UnitLine {
    pub unit_code: String,
    pub unit_name: String,
    pub headcount: u32,
    pub present: u32,
    pub quota: Option<i64>,
    pub population: Option<i64>,
    pub open_dossiers: i64,
    pub received_30d: i64,
    pub open_per_official: Option<f64>,
    pub received_30d_per_official: Option<f64>,
    pub staff_per_10k: Option<f64>,
}

fn province_of_unit(code: &str) -> Option<String> {
    let reg = units::registry();
    reg.commune(code)
        .map(|c| reg.province_of(c).code.to_string())
        .or_else(|| reg.province(code).map(|p| p.code.to_string()))
}

/// Whether the actor may see the people of `unit`.
pub(crate) fn sees_unit(actor: &Actor, unit: &str) -> bool {
    match &actor.scope {
        Scope::Everything => true,
        // Officials' names and leave are their provinces' business, not the nation's.
        Scope::Nation => false,
        Scope::Province(p) => province_of_unit(unit).as_deref() == Some(p),
        Scope::Commune { commune, .. } => commune == unit,
    }
}

/// Whether the actor manages the people of `unit` (leave, quota).
fn manages_unit(actor: &Actor, unit: &str) -> bool {
    let leader = matches!(actor.role, Some(Role::CommuneLeader | Role::ProvinceLeader | Role::Admin));
    actor.scope == Scope::Everything || (leader && sees_unit(actor, unit))
}

fn open_list() -> String {
    Status::sql_list(&OPEN_STATUSES)
}

impl Accounts<'_> {
    fn check_unit(&self, unit: &str, actor: &Actor) -> AppResult<(String, String)> {
        let unit = unit.trim();
        let name = units::registry().unit_name(unit).map(str::to_string).ok_or_else(|| {
            AppError::new(Code::UnknownUnit, format!("không có xã, phường hay tỉnh mã \"{unit}\""))
        })?;
        if !sees_unit(actor, unit) {
            return Err(AppError::new(Code::OutOfScope, "đơn vị này ngoài phạm vi của tài khoản"));
        }
        Ok((unit.to_string(), name))
    }

    /// The officials of a unit and what each carries now.
    pub fn workload(&self, unit: &str, actor: &Actor) -> AppResult<UnitWorkload> {
        let (unit, unit_name) = self.check_unit(unit, actor)?;
        let now = self.app.now();
        let today = now.date();
        let since = now - Duration::days(30);
        let open = open_list();
        let overdue = domain::due::overdue_sql("$1");
        let u = unit.clone();
        let (people, leave, load, finished, staffing) = self.app.store.read(move |c| {
            let people = c.query(
                "SELECT username, full_name, role, position, fields FROM users WHERE unit_code = $1 AND active = $2 ORDER BY username",
                &[(&u).into(), true.into()],
            )?;
            let leave = c.query(
                "SELECT l.username, l.from_date, l.to_date, l.reason FROM staff_leave l JOIN users u ON u.username = l.username
                 WHERE u.unit_code = $1 AND l.to_date >= $2 ORDER BY l.from_date",
                &[(&u).into(), today.into()],
            )?;
            let load = c.query(
                &format!(
                    "SELECT assignee, COUNT(*) AS open, SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS overdue
                     FROM dossiers WHERE handling_unit = $2 AND status IN ({open}) GROUP BY assignee"
                ),
                &[now.into(), (&u).into()],
            )?;
            let finished = c.query(
                "SELECT assignee, received_at, finished_at FROM dossiers WHERE handling_unit = $1 AND finished_at >= $2 AND assignee IS NOT NULL AND received_at IS NOT NULL",
                &[(&u).into(), since.into()],
            )?;
            let staffing =
                c.query_one("SELECT quota, population FROM unit_staffing WHERE unit_code = $1", &[(&u).into()])?;
            Ok((people, leave, load, finished, staffing))
        })?;
        let leave: Vec<Leave> = leave
            .iter()
            .map(|r| -> Result<Leave, store::StoreError> {
                Ok(Leave {
                    username: r.col("username")?,
                    from_date: r.col("from_date")?,
                    to_date: r.col("to_date")?,
                    reason: r.col("reason")?,
                })
            })
            .collect::<Result<_, _>>()?;
        let mut by_assignee: HashMap<Option<String>, (i64, i64)> = HashMap::new();
        for r in &load {
            by_assignee.insert(r.col("assignee")?, (r.col("open")?, r.col("overdue")?));
        }
        let mut times: HashMap<String, Vec<f64>> = HashMap::new();
        for r in &finished {
            let (a, from, to): (String, chrono::NaiveDateTime, chrono::NaiveDateTime) =
                (r.col("assignee")?, r.col("received_at")?, r.col("finished_at")?);
            times.entry(a).or_default().push((to - from).num_minutes() as f64 / 60.0);
        }
        let officials: Vec<Official> = people
            .iter()
            .map(|r| -> Result<Official, store::StoreError> {
                let username: String = r.col("username")?;
                let (open, overdue) = by_assignee.get(&Some(username.clone())).copied().unwrap_or((0, 0));
                let t = times.get(&username);
                Ok(Official {
                    on_leave: leave
                        .iter()
                        .any(|l| l.username == username && l.from_date <= today && today <= l.to_date),
                    full_name: r.col("full_name")?,
                    role: r.col_parsed("role", |s: String| s.parse().ok())?,
                    position: r.col("position")?,
                    fields: r
                        .col::<Option<String>>("fields")?
                        .map(|f| {
                            f.split(';')
                                .map(str::trim)
                                .filter(|x| !x.is_empty())
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                    open: open as u32,
                    overdue: overdue as u32,
                    finished_30d: t.map_or(0, |v| v.len() as u32),
                    mean_hours: t.map(|v| v.iter().sum::<f64>() / v.len() as f64),
                    username,
                })
            })
            .collect::<Result<_, _>>()?;
        let headcount = officials.len() as u32;
        let on_leave = officials.iter().filter(|o| o.on_leave).count() as u32;
        let open_dossiers: i64 = by_assignee.values().map(|v| v.0).sum();
        let (quota, population) = match &staffing {
            Some(r) => (r.col("quota")?, r.col("population")?),
            None => (None, None),
        };
        Ok(UnitWorkload {
            unit_code: unit,
            unit_name,
            quota,
            population,
            headcount,
            present: headcount - on_leave,
            on_leave,
            open_dossiers,
            overdue_dossiers: by_assignee.values().map(|v| v.1).sum(),
            unassigned_dossiers: by_assignee.get(&None).map_or(0, |v| v.0),
            open_per_official: per_official(open_dossiers as u64, headcount - on_leave),
            staff_per_10k: staff_per_10k(headcount, population.map(|p| p as u64)),
            officials,
            leave,
        })
    }

    /// The officer to assign a dossier to: the least loaded available specialist of the unit
    /// handling it, preferring those who declared the procedure's field.
    pub fn suggest_assignee(&self, code: &str, actor: &Actor) -> AppResult<Option<Official>> {
        let d = self.app.dossiers().visible(code, actor)?;
        let field = self.app.catalog().get(&d.procedure_code).and_then(|p| p.field.clone());
        let w = self.workload(&d.handling_unit, actor)?;
        Ok(suggest(&w.officials, field.as_deref()).cloned())
    }

    /// Whom dossier `d` (read within the actor's scope) may be assigned to: the handling
    /// unit's staff who process dossiers and are not on leave, the suggested one first.
    pub fn assignees(&self, d: &crate::DossierRecord, actor: &Actor) -> AppResult<Vec<Official>> {
        let field = self.app.catalog().get(&d.procedure_code).and_then(|p| p.field.clone());
        let w = self.workload(&d.handling_unit, actor)?;
        let first = suggest(&w.officials, field.as_deref()).map(|o| o.username.clone());
        let mut list: Vec<Official> =
            w.officials.into_iter().filter(|o| o.role.processes() && !o.on_leave).collect();
        list.sort_by_key(|o| (Some(&o.username) != first.as_ref(), o.open, o.username.clone()));
        Ok(list)
    }

    /// Records a leave (nghỉ phép) of an official of a unit the actor manages.
    pub fn add_leave(&self, req: &NewLeave, actor: &Actor) -> AppResult<Leave> {
        let (from, to) = (parse_date(&req.from_date)?, parse_date(&req.to_date)?);
        if to < from {
            return Err(AppError::new(Code::InvalidPeriod, "ngày kết thúc nghỉ trước ngày bắt đầu"));
        }
        if (to - from).num_days() > 366 {
            return Err(AppError::new(Code::InvalidPeriod, "một lần nghỉ không quá một năm"));
        }
        let reason = match req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(crate::checked_text(Code::InvalidReason, "Lý do", r, 500)?),
            None => None,
        };
        let leads = matches!(actor.role, Some(Role::CommuneLeader | Role::ProvinceLeader | Role::Admin))
            || actor.scope == Scope::Everything;
        if !leads {
            return Err(AppError::new(
                Code::NotAllowed,
                "chỉ lãnh đạo, quản trị của đơn vị được ghi lịch nghỉ của cán bộ",
            ));
        }
        // An unknown account and another unit's look the same: the answer tells nobody which
        // usernames exist.
        let not_yours = || {
            AppError::new(
                Code::UserNotFound,
                format!("không có cán bộ \"{}\" trong đơn vị bạn quản lý", req.username.trim()),
            )
        };
        let user = match self.user(&req.username)? {
            Some((u, _)) if manages_unit(actor, &u.unit_code) => u,
            _ => return Err(not_yours()),
        };
        let leave = Leave { username: user.username.clone(), from_date: from, to_date: to, reason };
        let l = leave.clone();
        let (who, now) = (actor.username.clone(), self.app.now());
        self.app.store.write(move |c| {
            c.exec(
                "INSERT INTO staff_leave (username, from_date, to_date, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (username, from_date) DO UPDATE SET to_date = excluded.to_date, reason = excluded.reason, created_by = excluded.created_by, created_at = excluded.created_at",
                &[(&l.username).into(), l.from_date.into(), l.to_date.into(), l.reason.clone().into(), (&who).into(), now.into()],
            )
        })?;
        Ok(leave)
    }

    /// Sets a unit's staff quota (biên chế) and population.
    pub fn set_staffing(&self, unit: &str, req: &StaffingUpdate, actor: &Actor) -> AppResult<()> {
        let (unit, _) = self.check_unit(unit, actor)?;
        if !manages_unit(actor, &unit) {
            return Err(AppError::new(Code::NotAllowed, "chỉ lãnh đạo, quản trị được sửa biên chế"));
        }
        let bad = |v: Option<i64>, max: i64| v.is_some_and(|v| !(0..=max).contains(&v));
        if bad(req.quota, 100_000) || bad(req.population, 100_000_000) {
            return Err(AppError::new(Code::InvalidNumber, "biên chế, dân số phải là số không âm hợp lý"));
        }
        let province = province_of_unit(&unit).unwrap_or_default();
        let (q, p, who, now) = (req.quota, req.population, actor.username.clone(), self.app.now());
        self.app.store.write(move |c| {
            c.exec(
                "INSERT INTO unit_staffing (unit_code, province_code, quota, population, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (unit_code) DO UPDATE SET quota = excluded.quota, population = excluded.population, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                &[(&unit).into(), (&province).into(), q.into(), p.into(), (&who).into(), now.into()],
            )
        })?;
        Ok(())
    }

    /// An account's department, position and fields (an administrator's or the console's).
    pub fn set_profile(
        &self,
        username: &str,
        department: Option<&str>,
        position: Option<&str>,
        fields: &[String],
        actor: &Actor,
    ) -> AppResult<()> {
        let (user, _) = self.user(username)?.ok_or_else(|| {
            AppError::new(Code::UserNotFound, format!("không có tài khoản \"{}\"", username.trim()))
        })?;
        let admin = actor.scope == Scope::Everything
            || (actor.role == Some(Role::Admin) && sees_unit(actor, &user.unit_code));
        if !admin {
            return Err(AppError::new(Code::AdminOnly, "chỉ quản trị hệ thống được sửa hồ sơ cán bộ"));
        }
        let department = match department.map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) if user.role == Role::Department => Some(
                domain::proposal::department(d)
                    .ok_or_else(|| {
                        AppError::new(Code::UnknownDepartment, format!("không có sở, ngành mã \"{d}\""))
                    })?
                    .code,
            ),
            Some(_) => {
                return Err(AppError::new(
                    Code::NotDepartmentStaff,
                    "chỉ tài khoản cán bộ sở, ngành mới thuộc một sở",
                ))
            }
        };
        let position = position
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.chars().take(200).collect::<String>());
        let fields = fields
            .iter()
            .map(|f| f.trim().replace(';', ","))
            .filter(|f| !f.is_empty())
            .collect::<Vec<_>>()
            .join(";");
        let fields = Some(fields).filter(|f| !f.is_empty());
        let name = user.username;
        self.app.store.write(move |c| {
            c.exec(
                "UPDATE users SET department_code = $1, position = $2, fields = $3 WHERE username = $4",
                &[department.into(), position.clone().into(), fields.clone().into(), (&name).into()],
            )
        })?;
        Ok(())
    }

    /// The communes of a province side by side: people, quota, load.
    pub fn staff_comparison(&self, province: &str, actor: &Actor) -> AppResult<Vec<UnitLine>> {
        let reg = units::registry();
        let p = reg.province(province.trim()).ok_or_else(|| {
            AppError::new(
                Code::UnknownProvince,
                format!("không có tỉnh, thành phố mã \"{}\"", province.trim()),
            )
        })?;
        // The comparison of every commune's headcount, quota and load is the province's: a
        // commune sees its own (the workload page), not its neighbours'.
        let allowed = match &actor.scope {
            Scope::Everything => true,
            Scope::Province(x) => x == p.code,
            // The nation holds no province's staff.
            Scope::Commune { .. } | Scope::Nation => false,
        };
        if !allowed {
            return Err(AppError::new(
                Code::OutOfScope,
                "so sánh các xã, phường dành cho lãnh đạo, sở, ngành của tỉnh",
            ));
        }
        let now = self.app.now();
        let today = now.date();
        let open = open_list();
        let code = p.code.to_string();
        let (people, leave, open_rows, received, staffing) = self.app.store.read(|c| {
            let people = c.query(
                "SELECT unit_code AS unit, COUNT(*) AS n FROM users WHERE province_code = $1 AND active = $2 GROUP BY unit_code",
                &[(&code).into(), true.into()],
            )?;
            let leave = c.query(
                "SELECT u.unit_code AS unit, COUNT(DISTINCT l.username) AS n FROM staff_leave l JOIN users u ON u.username = l.username
                 WHERE u.province_code = $1 AND l.from_date <= $2 AND l.to_date >= $2 GROUP BY u.unit_code",
                &[(&code).into(), today.into()],
            )?;
            let open_rows = c.query(
                &format!("SELECT handling_unit AS unit, COUNT(*) AS n FROM dossiers WHERE province_code = $1 AND status IN ({open}) GROUP BY handling_unit"),
                &[(&code).into()],
            )?;
            let received = c.query(
                "SELECT unit_code AS unit, CAST(SUM(received) AS BIGINT) AS n FROM stats_unit_daily WHERE province_code = $1 AND day > $2 GROUP BY unit_code",
                &[(&code).into(), (today - Duration::days(30)).into()],
            )?;
            let staffing = c.query(
                "SELECT unit_code, quota, population FROM unit_staffing WHERE province_code = $1",
                &[(&code).into()],
            )?;
            Ok((people, leave, open_rows, received, staffing))
        })?;
        // Each count per unit; a unit without a row has none.
        let per_unit = |rows: &[store::Row]| -> Result<HashMap<String, i64>, store::StoreError> {
            rows.iter().map(|r| Ok((r.col("unit")?, r.col::<Option<i64>>("n")?.unwrap_or(0)))).collect()
        };
        let (people, leave, open_rows, received) =
            (per_unit(&people)?, per_unit(&leave)?, per_unit(&open_rows)?, per_unit(&received)?);
        let count = |counts: &HashMap<String, i64>, unit: &str| counts.get(unit).copied().unwrap_or(0);
        let staffing: HashMap<String, (Option<i64>, Option<i64>)> = staffing
            .iter()
            .map(|r| Ok((r.col("unit_code")?, (r.col("quota")?, r.col("population")?))))
            .collect::<Result<_, store::StoreError>>()?;
        let communes = reg.communes_of(p.code).map(|it| it.collect::<Vec<_>>()).unwrap_or_default();
        Ok(communes
            .iter()
            .map(|c| {
                let headcount = count(&people, c.code) as u32;
                let present = headcount.saturating_sub(count(&leave, c.code) as u32);
                let (quota, population) = staffing.get(c.code).copied().unwrap_or_default();
                let open = count(&open_rows, c.code);
                let received = count(&received, c.code);
                UnitLine {
                    unit_code: c.code.to_string(),
                    unit_name: c.name.to_string(),
                    headcount,
                    present,
                    quota,
                    population,
                    open_dossiers: open,
                    received_30d: received,
                    open_per_official: per_official(open as u64, present),
                    received_30d_per_official: per_official(received as u64, present),
                    staff_per_10k: staff_per_10k(headcount, population.map(|p| p as u64)),
                }
            })
            .collect())
    }
}
