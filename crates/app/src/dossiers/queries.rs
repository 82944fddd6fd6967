//! Lists of dossiers, always within the caller's scope.

use crate::dossiers::records::{DossierRecord, COLUMNS};
use crate::{Actor, AppError, AppResult, Dossiers};
use chrono::NaiveDate;
use domain::roles::Scope;
use domain::service_index::Behind;
use domain::{Channel, Status};
use errors::Code;
use serde::Serialize;
use store::Val;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DossierFilter {
    /// Received at or handled by this unit (a commune or a province's own desk).
    pub unit: Option<String>,
    pub province: Option<String>,
    pub status: Option<Status>,
    /// Only those in progress past their due date (not while waiting for the citizen).
    pub overdue: bool,
    /// Only those not yet finished for the citizen (a work queue): not returned, refused,
    /// withdrawn or stopped.
    pub open_only: bool,
    /// Words of the applicant's name, phone or code (accents and case ignored).
    pub text: Option<String>,
    /// Of this procedure only.
    pub procedure: Option<String>,
    /// Only the caller's own work queue: at the desk, what to receive, complete and return;
    /// a specialist, what is assigned to them (or not yet to anyone) at their unit; a leader,
    /// what awaits a decision at their unit.
    pub mine: bool,
    /// The dossiers behind an indicator's shortfall over a period (`from..=to`).
    pub behind: Option<(Behind, NaiveDate, NaiveDate)>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page {
    pub items: Vec<DossierRecord>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl Dossiers<'_> {
    /// Dossiers by due date (soonest first; those without one last), within the actor's scope.
    pub fn list(&self, f: &DossierFilter, actor: &Actor) -> AppResult<Page> {
        // 0 (the default) means the usual page of 50.
        let per_page = if f.per_page == 0 { 50 } else { f.per_page.min(500) };
        let page = f.page.max(1);
        let mut filter = store::Filter::default();
        match &actor.scope {
            Scope::Everything => {}
            Scope::Nation => filter.and(crate::national::rows_condition(actor), vec![]),
            Scope::Province(p) => filter.and("province_code = ?", vec![p.into()]),
            Scope::Commune { commune, .. } => {
                filter.and("(receiving_unit = ? OR handling_unit = ?)", vec![commune.into(), commune.into()])
            }
        }
        if let Some(unit) = f.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            let reg = units::registry();
            if reg.commune(unit).is_none() && reg.province(unit).is_none() {
                return Err(AppError::new(
                    Code::UnknownUnit,
                    format!("không có xã, phường hay tỉnh mã \"{unit}\""),
                ));
            }
            if reg.province(unit).is_some() {
                filter.and("province_code = ?", vec![unit.into()]);
            } else {
                filter.and("(receiving_unit = ? OR handling_unit = ?)", vec![unit.into(), unit.into()]);
            }
        }
        if let Some(p) = f.province.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            filter.and("province_code = ?", vec![p.into()]);
        }
        if let Some(s) = f.status {
            filter.and("status = ?", vec![Val::Int(s.portal_code().into())]);
        }
        if let (true, Some(role), Some(unit)) = (f.mine, actor.role, actor.unit()) {
            use domain::permissions::{seat_of, Seat};
            let desk =
                [Status::Registered, Status::SupplementRequested, Status::PaymentRequested, Status::Resolved];
            let working = [Status::Received, Status::Processing];
            match seat_of(role) {
                Some(Seat::OneStop) => filter.and(
                    &format!("receiving_unit = ? AND status IN ({})", Status::sql_list(&desk)),
                    vec![unit.into()],
                ),
                Some(Seat::Specialist) => filter.and(
                    &format!(
                        "handling_unit = ? AND status IN ({}) AND (assignee = ? OR assignee IS NULL)",
                        Status::sql_list(&working)
                    ),
                    vec![unit.into(), (&actor.username).into()],
                ),
                Some(Seat::Leader) => filter.and(
                    &format!("handling_unit = ? AND status IN ({})", Status::sql_list(&working)),
                    vec![unit.into()],
                ),
                None => {}
            }
        }
        if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            for word in vi_text::fold(t).split_whitespace().take(5) {
                // LIKE wildcards typed by the user are taken literally.
                let word: String = word.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
                filter.and("search_key LIKE ?", vec![format!("%{word}%").into()]);
            }
        }
        if f.open_only && f.status.is_none() {
            filter.and(&format!("status IN ({})", Status::sql_list(&domain::status::OPEN_STATUSES)), vec![]);
        }
        if let Some(p) = f.procedure.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            filter.and("procedure_code = ?", vec![p.into()]);
        }
        if let Some((behind, from, to)) = f.behind {
            // Timestamps before the day after `to`: the whole last day counts.
            let (start, end): (Val, Val) = (
                from.and_hms_opt(0, 0, 0).unwrap_or_default().into(),
                (to + chrono::Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default().into(),
            );
            match behind {
                Behind::ResolvedLate => filter.and(
                    "verdict = 'late' AND finished_at >= ? AND finished_at < ?",
                    vec![start, end]),
                Behind::Overdue => filter.and(&domain::due::overdue_sql("?"), vec![self.app.now().into()]),
                Behind::NotOnline => filter.and(
                    &format!("channel <> {} AND received_at >= ? AND received_at < ?", Channel::Online.portal_code()),
                    vec![start, end]),
                Behind::NotDigitised => filter.and(
                    "registered_at >= ? AND registered_at < ? AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.dossier_code = dossiers.code)",
                    vec![start, end]),
                Behind::Dissatisfied => filter.and(
                    "EXISTS (SELECT 1 FROM ratings r WHERE r.dossier_code = dossiers.code AND r.score < 4 AND r.at >= ? AND r.at < ?)",
                    vec![start, end]),
                Behind::IncompleteProcedures => {
                    return Err(AppError::new(Code::NotADossierList,
                        "thủ tục chưa công khai đầy đủ xem ở danh mục thủ tục, không phải danh sách hồ sơ",
                    ))
                }
            }
        }
        if f.overdue {
            filter.and(&domain::due::overdue_sql("?"), vec![self.app.now().into()]);
        }
        let wher = filter.conditions();
        let (page_params, next) =
            filter.params_then([Val::Int(per_page.into()), Val::Int(((page - 1) as i64) * per_page as i64)]);
        let (rows, total) = self.app.store.read(|c| {
            let rows = c.query(
                &format!(
                    "SELECT {COLUMNS} FROM dossiers WHERE {wher} ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, code LIMIT ${next} OFFSET ${}",
                    next + 1
                ),
                &page_params,
            )?;
            let total = c.count(&format!("SELECT COUNT(*) FROM dossiers WHERE {wher}"), filter.params())?;
            Ok((rows, total))
        })?;
        // Lists show the ID number and phone masked to everyone: the full data is read, and
        // recorded, one dossier at a time.
        let items = rows
            .iter()
            .map(|r| {
                let mut d = DossierRecord::from_row(r)?;
                d.mask_personal();
                Ok(d)
            })
            .collect::<Result<_, store::StoreError>>()?;
        Ok(Page { items, page, per_page, total })
    }
}
