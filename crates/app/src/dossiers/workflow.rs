//! Moving a dossier through the workflow: load, let the domain decide, append what it says,
//! on the condition that nobody wrote in between (else read again and decide again).

use crate::dossiers::intake::Applicant;
use crate::dossiers::records::{bump_stats, load_events, DossierRecord, EventRow};
use crate::dossiers::results;
use crate::{Actor, AppError, AppResult, Dossiers};
use calendar::TimeLimit;
use domain::permissions::{permit, Place};
use domain::{Action, Dossier};
use errors::Code;
use serde::Deserialize;
use std::sync::Arc;
use store::StoreError;

/// An action as the API and the CLI send it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionRequest {
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::action))]
    pub action: String,
    /// Why (required for refusals, supplements, denials, extensions, stops, withdrawals).
    #[serde(default)]
    pub note: Option<String>,
    /// The official (assign) or the unit code (transfer).
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub amount_vnd: Option<u64>,
    /// Working days added by an extension (or its draft).
    #[serde(default)]
    pub extra_days: Option<u32>,
    /// The result a specialist proposes: "approve" or "deny".
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::schema::verdict))]
    pub verdict: Option<String>,
    /// The corrected data of the applicant (correct_applicant).
    #[serde(default)]
    pub applicant: Option<Applicant>,
}

const RETRIES: usize = 8;

impl ActionRequest {
    pub fn new(action: &str) -> ActionRequest {
        ActionRequest { action: action.to_string(), ..ActionRequest::default() }
    }

    fn note(&self) -> AppResult<Option<String>> {
        match self.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) if n.chars().count() > 2000 => {
                Err(AppError::new(Code::InvalidNote, "ghi chú dài quá 2000 ký tự"))
            }
            Some(n) if n.chars().any(|c| c.is_control() && c != '\n') => {
                Err(AppError::new(Code::InvalidNote, "ghi chú chứa ký tự điều khiển"))
            }
            n => Ok(n.map(str::to_string)),
        }
    }

    fn reason(&self, what: &str) -> AppResult<String> {
        self.note()?.ok_or_else(|| AppError::new(Code::MissingReason, format!("cần ghi rõ {what} (note)")))
    }

    fn extra_days(&self) -> AppResult<TimeLimit> {
        match self.extra_days {
            Some(n) if (1..=60).contains(&n) => Ok(TimeLimit::WorkingDays(n)),
            _ => Err(AppError::new(
                Code::InvalidExtension,
                "cần số ngày làm việc gia hạn (extra_days, 1 đến 60)",
            )),
        }
    }

    /// The domain's action, with what it needs checked (a correction's seal is computed by
    /// the caller, from the row: see [`Dossiers::act`]).
    fn to_action(&self, current: &DossierRecord) -> AppResult<Action> {
        Ok(match self.action.trim() {
            "receive" => Action::Receive,
            "refuse" => Action::Refuse { reason: self.reason("lý do từ chối")? },
            "request_supplement" => {
                Action::RequestSupplement { note: self.reason("giấy tờ cần bổ sung")? }
            }
            "supplement_received" => Action::SupplementReceived,
            "assign" => {
                let to =
                    self.to.as_deref().map(str::trim).filter(|t| !t.is_empty() && t.chars().count() <= 100);
                Action::Assign {
                    to: to
                        .ok_or_else(|| {
                            AppError::new(Code::MissingAssignee, "cần ghi người được phân công (to)")
                        })?
                        .to_string(),
                }
            }
            "transfer" => Action::Transfer { to_agency: transfer_target(self.to.as_deref(), current)? },
            "request_payment" => match self.amount_vnd {
                Some(a) if a > 0 && a <= 1_000_000_000_000 => Action::RequestPayment { amount_vnd: a },
                _ => {
                    return Err(AppError::new(
                        Code::InvalidAmount,
                        "cần số tiền phải nộp (amount_vnd, đồng, lớn hơn 0)",
                    ))
                }
            },
            "payment_received" => Action::PaymentReceived,
            "approve" => Action::Approve,
            "deny" => Action::Deny { reason: self.reason("lý do không giải quyết")? },
            "extend" => {
                Action::Extend { extra: self.extra_days()?, reason: self.reason("lý do gia hạn")? }
            }
            "draft_extension" => {
                Action::DraftExtension { extra: self.extra_days()?, reason: self.reason("lý do gia hạn")? }
            }
            "propose" => {
                let approve = match self.verdict.as_deref().map(str::trim) {
                    Some("approve") => true,
                    Some("deny") => false,
                    _ => {
                        return Err(AppError::new(Code::InvalidVerdict,
                            "cần kết quả đề xuất (verdict): \"approve\" (giải quyết) hoặc \"deny\" (không giải quyết)",
                        ))
                    }
                };
                Action::Propose { approve, note: self.reason("nội dung đề xuất")? }
            }
            "correct_applicant" => Action::CorrectApplicant {
                subject: String::new(),
                reason: self.reason("lý do điều chỉnh")?,
            },
            "stop" => Action::Stop { reason: self.reason("lý do dừng xử lý")? },
            "withdraw" => Action::Withdraw { reason: self.reason("lý do rút hồ sơ")? },
            "return_result" => Action::ReturnResult,
            // A signature is recorded only with the file it names (`Dossiers::sign`).
            "sign_result" | "sign_apology" | "seal_result" => {
                return Err(AppError::new(
                    Code::SignWithToken,
                    "văn bản được ký số bằng thiết bị ký số: dùng chức năng \"Ký số\" (POST /api/v1/dossiers/{code}/result/sign, /result/seal hoặc /apology/sign)",
                ))
            }
            other => {
                return Err(AppError::new(
                    Code::UnknownAction,
                    format!("thao tác \"{other}\" không có; được phép lúc này: {}", current_allowed(current)),
                ))
            }
        })
    }
}

/// Refuses `action` to an account whose seat and unit the matrix does not give it
/// (`domain::permissions`). The console (the server's operator) holds every seat.
pub(crate) fn permitted(actor: &Actor, action: &str, place: Place) -> AppResult<()> {
    let Some(role) = actor.role else { return Ok(()) };
    let unit = actor.unit().unwrap_or_default();
    let unit_name = |u: &str| units::registry().unit_name(u).map_or(u.to_string(), str::to_string);
    permit(role, unit, action, domain::dossier::action_label(action), place, unit_name)?;
    Ok(())
}

fn current_allowed(d: &DossierRecord) -> String {
    let allowed = domain::dossier::allowed_in(d.status);
    if allowed.is_empty() {
        "không còn thao tác nào".into()
    } else {
        allowed.join(", ")
    }
}

/// A transfer goes to a commune or the province of the same province, not where it is.
fn transfer_target(to: Option<&str>, d: &DossierRecord) -> AppResult<String> {
    let to = to.map(str::trim).unwrap_or_default();
    let reg = units::registry();
    let province = match (reg.commune(to), reg.province(to)) {
        (Some(c), _) => reg.province_of(c).code,
        (None, Some(p)) => p.code,
        _ => {
            return Err(AppError::new(
                Code::UnknownUnit,
                format!("cần mã xã, phường hoặc tỉnh nhận hồ sơ (to); \"{to}\" không có"),
            ))
        }
    };
    if province != d.province_code {
        return Err(AppError::new(Code::OtherProvince, "chỉ chuyển hồ sơ trong cùng tỉnh, thành phố"));
    }
    if to == d.handling_unit {
        return Err(AppError::new(Code::SameUnit, "hồ sơ đang ở chính đơn vị này"));
    }
    Ok(to.to_string())
}

impl Dossiers<'_> {
    /// The actions `actor` may take on `d` now: allowed by its status and by the matrix.
    pub fn actions_for(&self, d: &DossierRecord, actor: &Actor) -> Vec<&'static str> {
        domain::dossier::allowed_in(d.status)
            .iter()
            .copied()
            .filter(|a| permitted(actor, a, d.place()).is_ok())
            // Signing is offered for an approved result not yet signed.
            .filter(|a| match *a {
                "sign_result" => results::awaits_signature(d, results::Signed::Result),
                "sign_apology" => results::awaits_signature(d, results::Signed::Apology),
                // The seal where the result is issued in the agency's name.
                "seal_result" => results::awaits_signature(d, results::Signed::Seal) && self.seal_required(d),
                _ => true,
            })
            .collect()
    }

    /// Reads a dossier with its events, as `actor` may read it: the ID number and phone
    /// masked unless their work needs them; a full read is recorded in the audit log.
    pub fn dossier(&self, code: &str, actor: &Actor) -> AppResult<DossierRecord> {
        let d = self.load(code, actor)?;
        if self.sees_personal_data(&d, actor) {
            self.record_read(actor, crate::dossiers::privacy::READ, &d.code, None);
            Ok(d)
        } else {
            Ok(self.present(d, actor))
        }
    }

    /// A dossier the actor may see, its personal data masked and the read not recorded: for
    /// lookups that show no personal data (does this code exist, which unit handles it).
    pub fn visible(&self, code: &str, actor: &Actor) -> AppResult<DossierRecord> {
        let mut d = self.load(code, actor)?;
        d.mask_personal();
        Ok(d)
    }

    /// Checks that `to` may be assigned dossier `d`: an active account of the handling unit
    /// that processes dossiers (a specialist, or department staff at the province).
    fn check_assignee(&self, to: &str, d: &DossierRecord) -> AppResult<()> {
        let unit = units::registry().unit_name(&d.handling_unit).unwrap_or(&d.handling_unit).to_string();
        let user = match self.app.accounts().user(to)? {
            Some((u, _)) if u.active => u,
            _ => {
                return Err(AppError::new(
                    Code::UnknownAssignee,
                    format!("không có tài khoản \"{to}\" đang hoạt động để phân công"),
                ))
            }
        };
        if user.unit_code != d.handling_unit {
            return Err(AppError::new(
                Code::AssigneeOtherUnit,
                format!("tài khoản \"{to}\" không thuộc {unit}, đơn vị đang xử lý hồ sơ"),
            ));
        }
        if !user.role.processes() {
            return Err(AppError::new(
                Code::AssigneeCannotProcess,
                format!(
                    "tài khoản \"{to}\" ({}) không phải người xử lý hồ sơ",
                    user.role.label().to_lowercase()
                ),
            ));
        }
        Ok(())
    }

    /// Reads a dossier with its events, if the actor may see it (in full: for the use cases).
    pub(crate) fn load(&self, code: &str, actor: &Actor) -> AppResult<DossierRecord> {
        let code = code.trim().to_string();
        let not_found = || AppError::new(Code::DossierNotFound, format!("không có hồ sơ mã \"{code}\""));
        if code.is_empty() || code.len() > 64 {
            return Err(not_found());
        }
        let found = self.app.store.read(|c| {
            let Some(row) = c.query_one(
                &format!("SELECT {} FROM dossiers WHERE code = $1", crate::dossiers::records::COLUMNS),
                &[(&code).into()],
            )?
            else {
                return Ok(None);
            };
            let events = load_events(c, &code)?;
            Ok(Some((row, events)))
        })?;
        let (row, events) = found.ok_or_else(not_found)?;
        let mut rec = DossierRecord::from_row(&row).map_err(|e| {
            AppError::internal(Code::CorruptRecord, format!("bản ghi hồ sơ bị hỏng: {}", e.message()))
        })?;
        // Outside the caller's scope, a dossier does not exist (and the attempt is logged).
        if !actor.sees_dossier(&rec) {
            self.app.accounts().log(&actor.username, "access_denied", Some(&rec.code), None, None);
            return Err(not_found());
        }
        rec.events = events.into_iter().map(|(e, _)| e).collect();
        Ok(rec)
    }

    /// Applies an action to a dossier and returns it as it now stands.
    pub fn act(&self, code: &str, req: &ActionRequest, actor: &Actor) -> AppResult<DossierRecord> {
        let note = req.note()?;
        self.act_with(
            code,
            req.action.trim(),
            &|current| req.to_action(current),
            note,
            req.applicant.as_ref(),
            None,
            actor,
        )
    }

    /// Applies the action `make` builds from the dossier as it stands (again on each retry),
    /// with `note`, and writes `signed` (a signed result) in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn act_with(
        &self,
        code: &str,
        action_code: &str,
        make: &dyn Fn(&DossierRecord) -> AppResult<Action>,
        note: Option<String>,
        applicant: Option<&Applicant>,
        signed: Option<&crate::dossiers::results::SignedFile>,
        actor: &Actor,
    ) -> AppResult<DossierRecord> {
        for _ in 0..RETRIES {
            let current = match self.app.recall(code) {
                // The cached copy is checked against the scope like a fresh one.
                Some(d) if actor.sees_dossier(&d) => (*d).clone(),
                _ => self.load(code, actor)?,
            };
            self.app.check_writable(&current)?;
            // Who may act comes before what the action needs: a seat that may not take it is
            // told so, not asked for a reason.
            if let Some(code) = domain::dossier::ACTIONS.iter().find(|a| **a == action_code) {
                permitted(actor, code, current.place())?;
            }
            let mut action = make(&current)?;
            let mut corrected = None;
            match &mut action {
                Action::Assign { to } => {
                    *to = to.to_lowercase();
                    self.check_assignee(to, &current)?;
                }
                Action::CorrectApplicant { subject, .. } => {
                    let (rec, digest) = self.corrected(&current, applicant)?;
                    *subject = digest;
                    corrected = Some(rec);
                }
                _ => {}
            }
            let mut d = Dossier::replay(&current.events)
                .ok_or_else(|| AppError::internal(Code::CorruptRecord, "lịch sử hồ sơ không đọc được"))?;
            d.code = current.code.clone();
            let now = self.app.now().max(d.events.last().map_or(d.registered_at, |e| e.at));
            // The actions named as allowed now are those this actor may take.
            let added = d
                .act(&action, now, &actor.username, &self.app.calendar())
                .map_err(|e| {
                    let mut e = AppError::from(e);
                    e.allowed.retain(|a| permitted(actor, a, current.place()).is_ok());
                    e
                })?
                .len();
            let first_new = d.events.len() - added;
            // A reason already recorded in the event is not repeated as a note.
            let reason_in_event = matches!(
                action,
                Action::Refuse { .. }
                    | Action::RequestSupplement { .. }
                    | Action::Deny { .. }
                    | Action::Extend { .. }
                    | Action::Stop { .. }
                    | Action::Withdraw { .. }
                    | Action::Propose { .. }
                    | Action::DraftExtension { .. }
                    | Action::CorrectApplicant { .. }
            );
            if let Some(n) = note.clone().filter(|_| !reason_in_event) {
                d.events[first_new].note = Some(n);
            }
            let new_events = d.events[first_new..].to_vec();
            let deltas = domain::stats::deltas(&d, &new_events);
            let (rows, head) = EventRow::chain(&current.code, &current.head_hash, &new_events);
            let mut next = corrected.clone().unwrap_or_else(|| current.clone());
            next.follow(&d, head, now);
            next.events = d.events;
            // Shared with the write, so that the writer's thread neither copies nor frees it.
            let next = Arc::new(next);
            let to_write = next.clone();
            let signed = signed.cloned();
            let written = self.app.store.write(move |c| {
                to_write.update_if(c, &current)?;
                if corrected.is_some() {
                    to_write.update_applicant(c)?;
                }
                if let Some(file) = &signed {
                    file.insert(c, &to_write.code, &to_write.province_code)?;
                }
                EventRow::insert_all(&rows, c, &to_write.code, &to_write.province_code)?;
                bump_stats(c, &to_write, &deltas)
            });
            // Another step came first: read the dossier again and decide anew.
            if !matches!(written, Err(StoreError::Stale(_))) {
                written?;
                metrics::counter!("haicap_dossier_actions_total", "action" => action.code()).increment(1);
                if matches!(action, Action::ReturnResult) {
                    metrics::counter!("haicap_dossiers_returned_total").increment(1);
                }
                self.app.remember(next.clone());
                self.seal_after_write();
                return Ok(self.present(Arc::unwrap_or_clone(next), actor));
            }
            self.app.forget(code);
        }
        Err(AppError::new(Code::ConcurrentUpdate, "hồ sơ đang được người khác cập nhật; hãy thử lại"))
    }
}
