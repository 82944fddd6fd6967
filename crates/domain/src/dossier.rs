//! A dossier's life as a state machine over events.
//!
//! [`Dossier::decide`] checks an [`Action`] against the current status and computes what
//! follows (including new due dates, from the calendar); [`Dossier::apply`] folds an [`Event`]
//! into the state without consulting anything else, so replaying the stored events always
//! rebuilds the same dossier.

use crate::status::{Channel, Status};
use calendar::deadline::{due, extend};
use calendar::{CalendarError, Pause, TimeLimit, WorkCalendar};
use chrono::{NaiveDateTime, NaiveTime};
use errors::Code;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The time terms of the procedure for this dossier's channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Terms {
    pub limit: TimeLimit,
    /// Receipts after this hour count from the next working day.
    pub cutoff: Option<NaiveTime>,
}

/// What an official (or the citizen) asks to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Accept the dossier as complete (issues Form 01, the receipt and appointment).
    Receive,
    /// Refuse to receive it (Form 03).
    Refuse {
        reason: String,
    },
    /// Ask the citizen to complete it (Form 02): the clock stops.
    RequestSupplement {
        note: String,
    },
    /// The citizen has completed it: the clock runs again.
    SupplementReceived,
    /// Hand it to an official (a line of Form 06).
    Assign {
        to: String,
    },
    /// Send it to another agency, commune to province or back (a line of Form 06).
    Transfer {
        to_agency: String,
    },
    /// Ask the citizen to pay fees or taxes: the clock stops.
    RequestPayment {
        amount_vnd: u64,
    },
    PaymentReceived,
    /// Decide in the citizen's favour: the result is ready.
    Approve,
    /// Decide against, with reasons: the (negative) result is ready.
    Deny {
        reason: String,
    },
    /// Apology letter with a new appointment (Form 04).
    Extend {
        extra: TimeLimit,
        reason: String,
    },
    /// Stop processing (Form 05).
    Stop {
        reason: String,
    },
    /// The citizen withdraws the dossier.
    Withdraw {
        reason: String,
    },
    /// The result is handed to the citizen.
    ReturnResult,
    /// The specialist proposes the result for the leader to decide.
    Propose {
        approve: bool,
        note: String,
    },
    /// The specialist drafts the apology letter (Form 04) for the leader to sign.
    DraftExtension {
        extra: TimeLimit,
        reason: String,
    },
    /// The applicant's data was wrong and is corrected: `subject` is the seal of the corrected
    /// data (see [`crate::audit::subject_digest`]).
    CorrectApplicant {
        subject: String,
        reason: String,
    },
    /// The deciding leader signs the result digitally: the signed file's SHA-256 and the
    /// certificate's, sealed in the history.
    SignResult {
        document_sha256: String,
        certificate_sha256: String,
        signer: String,
    },
    /// The leader signs the apology letter of the last extension (Form 04) digitally.
    SignApology {
        document_sha256: String,
        certificate_sha256: String,
        signer: String,
    },
    /// The agency's seal on the signed result: the agency's own certificate signs the
    /// leader's signed file again (Decree 30/2020/NĐ-CP); the sealed file replaces it.
    SealResult {
        document_sha256: String,
        certificate_sha256: String,
        agency: String,
    },
}

/// Every action code, in the order forms and lists show them.
pub const ACTIONS: &[&str] = &[
    "receive",
    "refuse",
    "request_supplement",
    "supplement_received",
    "request_payment",
    "payment_received",
    "assign",
    "transfer",
    "propose",
    "draft_extension",
    "approve",
    "deny",
    "extend",
    "stop",
    "withdraw",
    "sign_result",
    "sign_apology",
    "seal_result",
    "return_result",
    "correct_applicant",
];

impl Action {
    /// Stable code, as used by the API and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Action::Receive => "receive",
            Action::Refuse { .. } => "refuse",
            Action::RequestSupplement { .. } => "request_supplement",
            Action::SupplementReceived => "supplement_received",
            Action::Assign { .. } => "assign",
            Action::Transfer { .. } => "transfer",
            Action::RequestPayment { .. } => "request_payment",
            Action::PaymentReceived => "payment_received",
            Action::Approve => "approve",
            Action::Deny { .. } => "deny",
            Action::Extend { .. } => "extend",
            Action::Stop { .. } => "stop",
            Action::Withdraw { .. } => "withdraw",
            Action::ReturnResult => "return_result",
            Action::Propose { .. } => "propose",
            Action::DraftExtension { .. } => "draft_extension",
            Action::CorrectApplicant { .. } => "correct_applicant",
            Action::SignResult { .. } => "sign_result",
            Action::SignApology { .. } => "sign_apology",
            Action::SealResult { .. } => "seal_result",
        }
    }
}

/// Vietnamese label of an action code.
pub fn action_label(code: &str) -> &'static str {
    match code {
        "receive" => "tiếp nhận",
        "refuse" => "từ chối tiếp nhận",
        "request_supplement" => "yêu cầu bổ sung",
        "supplement_received" => "nhận hồ sơ bổ sung",
        "assign" => "phân công xử lý",
        "transfer" => "chuyển cơ quan khác",
        "request_payment" => "yêu cầu nghĩa vụ tài chính",
        "payment_received" => "xác nhận đã nộp",
        "approve" => "phê duyệt",
        "deny" => "không giải quyết",
        "extend" => "gia hạn (thư xin lỗi)",
        "stop" => "dừng xử lý",
        "withdraw" => "rút hồ sơ",
        "return_result" => "trả kết quả",
        "propose" => "đề xuất kết quả",
        "draft_extension" => "dự thảo gia hạn",
        "correct_applicant" => "điều chỉnh thông tin người nộp",
        "sign_result" => "ký số kết quả",
        "sign_apology" => "ký số thư xin lỗi (Mẫu 04)",
        "seal_result" => "đóng dấu số kết quả (chữ ký số của cơ quan)",
        _ => "thao tác không rõ",
    }
}

/// Whether, in `events`, an extension came after the last apology signed.
pub fn apology_awaits_signature(events: &[Event]) -> bool {
    events
        .iter()
        .rev()
        .find_map(|e| match e.kind {
            EventKind::Extended { .. } => Some(true),
            EventKind::ApologySigned { .. } => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}

/// The actions allowed in each status: the legal workflow in one table.
pub fn allowed_in(status: Status) -> &'static [&'static str] {
    match status {
        Status::Registered => &["receive", "refuse", "request_supplement", "withdraw", "correct_applicant"],
        Status::Received | Status::Processing => &[
            "assign",
            "transfer",
            "request_supplement",
            "request_payment",
            "propose",
            "draft_extension",
            "approve",
            "deny",
            "extend",
            "sign_apology",
            "stop",
            "withdraw",
            "correct_applicant",
        ],
        Status::SupplementRequested => &["supplement_received", "stop", "withdraw", "correct_applicant"],
        Status::PaymentRequested => &["payment_received", "stop", "withdraw", "correct_applicant"],
        Status::Resolved => {
            &["sign_result", "sign_apology", "seal_result", "return_result", "correct_applicant"]
        }
        Status::Refused | Status::Withdrawn | Status::Stopped | Status::Returned => &[],
    }
}

/// A refusal, with a stable code and a Vietnamese message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainError {
    pub code: errors::Code,
    pub message: String,
    /// For `invalid_transition`: the actions allowed now.
    pub allowed: Vec<&'static str>,
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lỗi [{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for DomainError {}

impl From<CalendarError> for DomainError {
    fn from(e: CalendarError) -> Self {
        DomainError { code: e.code, message: e.message, allowed: vec![] }
    }
}

/// What happened, with everything needed to replay it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventKind {
    Registered {
        channel: Channel,
        agency: String,
        terms: Terms,
        /// The seal of who the dossier is for and what was filed
        /// ([`crate::audit::subject_digest`]); absent on dossiers registered before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
    },
    Received,
    Refused {
        reason: String,
    },
    SupplementRequested {
        note: String,
    },
    SupplementReceived,
    Assigned {
        to: String,
    },
    Transferred {
        to_agency: String,
    },
    PaymentRequested {
        amount_vnd: u64,
    },
    PaymentReceived,
    Approved,
    Denied {
        reason: String,
    },
    Extended {
        extra: TimeLimit,
        reason: String,
    },
    Stopped {
        reason: String,
    },
    Withdrawn {
        reason: String,
    },
    ResultReturned,
    /// The due date changed: every change is recorded with its reason.
    DueChanged {
        from: Option<NaiveDateTime>,
        to: NaiveDateTime,
        reason: String,
    },
    Proposed {
        approve: bool,
        note: String,
    },
    ExtensionDrafted {
        extra: TimeLimit,
        reason: String,
    },
    /// The applicant's data corrected; `subject` seals the data as it now is.
    ApplicantCorrected {
        subject: String,
        reason: String,
    },
    /// The retention period ran out: the personal data was erased; `subject` seals what is
    /// left (the procedure, the documents' digests), so that the chain still verifies.
    PersonalDataErased {
        subject: String,
    },
    /// The result was signed digitally: the signed file (a document of the dossier) by its
    /// SHA-256, the signer's certificate by its SHA-256, and the signer's name as the
    /// certificate gives it.
    ResultSigned {
        document_sha256: String,
        certificate_sha256: String,
        signer: String,
    },
    /// The apology letter of the last extension (Form 04) was signed digitally: as for the
    /// result, the file's and the certificate's SHA-256 and the signer's name.
    ApologySigned {
        document_sha256: String,
        certificate_sha256: String,
        signer: String,
    },
    /// The agency's seal was added to the signed result: the sealed file by its SHA-256 (it
    /// replaces the leader's signed file), the agency's certificate by its SHA-256, and the
    /// agency's name as the certificate gives it.
    ResultSealed {
        document_sha256: String,
        certificate_sha256: String,
        agency: String,
    },
}

impl EventKind {
    /// Stable name, as stored beside the event (the serde tag).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Registered { .. } => "registered",
            EventKind::Received => "received",
            EventKind::Refused { .. } => "refused",
            EventKind::SupplementRequested { .. } => "supplement_requested",
            EventKind::SupplementReceived => "supplement_received",
            EventKind::Assigned { .. } => "assigned",
            EventKind::Transferred { .. } => "transferred",
            EventKind::PaymentRequested { .. } => "payment_requested",
            EventKind::PaymentReceived => "payment_received",
            EventKind::Approved => "approved",
            EventKind::Denied { .. } => "denied",
            EventKind::Extended { .. } => "extended",
            EventKind::Stopped { .. } => "stopped",
            EventKind::Withdrawn { .. } => "withdrawn",
            EventKind::ResultReturned => "result_returned",
            EventKind::DueChanged { .. } => "due_changed",
            EventKind::Proposed { .. } => "proposed",
            EventKind::ExtensionDrafted { .. } => "extension_drafted",
            EventKind::ApplicantCorrected { .. } => "applicant_corrected",
            EventKind::PersonalDataErased { .. } => "personal_data_erased",
            EventKind::ResultSigned { .. } => "result_signed",
            EventKind::ApologySigned { .. } => "apology_signed",
            EventKind::ResultSealed { .. } => "result_sealed",
        }
    }

    /// What happened, in Vietnamese, for timelines and forms.
    pub fn describe(&self) -> String {
        let vnd = |n: u64| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, ch) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push('.');
                }
                out.push(ch);
            }
            out
        };
        match self {
            EventKind::Registered { channel, .. } => {
                format!("đăng ký hồ sơ ({})", channel.label().to_lowercase())
            }
            EventKind::Received => "tiếp nhận hồ sơ (Mẫu 01)".into(),
            EventKind::Refused { reason } => format!("từ chối tiếp nhận (Mẫu 03): {reason}"),
            EventKind::SupplementRequested { note } => format!("yêu cầu bổ sung (Mẫu 02): {note}"),
            EventKind::SupplementReceived => "nhận hồ sơ bổ sung".into(),
            EventKind::Assigned { to } => format!("phân công cho {to}"),
            EventKind::Transferred { to_agency } => format!("chuyển đến đơn vị {to_agency}"),
            EventKind::PaymentRequested { amount_vnd } => {
                format!("yêu cầu thực hiện nghĩa vụ tài chính: {} đồng", vnd(*amount_vnd))
            }
            EventKind::PaymentReceived => "đã thực hiện nghĩa vụ tài chính".into(),
            EventKind::Approved => "phê duyệt, có kết quả".into(),
            EventKind::Denied { reason } => format!("không giải quyết: {reason}"),
            EventKind::Extended { extra, reason } => format!("xin lỗi và gia hạn {extra} (Mẫu 04): {reason}"),
            EventKind::Stopped { reason } => format!("dừng xử lý (Mẫu 05): {reason}"),
            EventKind::Withdrawn { reason } => format!("công dân rút hồ sơ: {reason}"),
            EventKind::ResultReturned => "trả kết quả".into(),
            EventKind::DueChanged { to, reason, .. } => {
                format!("hẹn trả {}: {reason}", to.format("%H:%M %d/%m/%Y"))
            }
            EventKind::Proposed { approve, note } => {
                let what = if *approve { "giải quyết" } else { "không giải quyết" };
                format!("đề xuất {what}: {note}")
            }
            EventKind::ExtensionDrafted { extra, reason } => {
                format!("dự thảo thư xin lỗi, gia hạn {extra}: {reason}")
            }
            EventKind::ApplicantCorrected { reason, .. } => {
                format!("điều chỉnh thông tin người nộp: {reason}")
            }
            EventKind::PersonalDataErased { .. } => {
                "hết thời hạn lưu trữ: đã xoá dữ liệu cá nhân của người nộp".into()
            }
            EventKind::ResultSigned { signer, .. } => format!("ký số kết quả (người ký: {signer})"),
            EventKind::ApologySigned { signer, .. } => {
                format!("ký số thư xin lỗi và hẹn lại ngày trả (Mẫu 04) (người ký: {signer})")
            }
            EventKind::ResultSealed { agency, .. } => {
                format!("đóng dấu số kết quả (chữ ký số của cơ quan: {agency})")
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// 1, 2, 3… within the dossier.
    pub seq: u32,
    pub at: NaiveDateTime,
    pub actor: String,
    /// Status before and after.
    pub from: Option<Status>,
    pub to: Status,
    pub kind: EventKind,
    /// Why, in the official's words (the reason of a refusal is also in `kind`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How a finished dossier stands against its due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Verdict {
    /// Finished on an earlier day than the due date.
    Early,
    OnTime,
    Late,
}

impl Verdict {
    /// Stable code (the serde name).
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Early => "early",
            Verdict::OnTime => "on_time",
            Verdict::Late => "late",
        }
    }
}

/// A line of the processing-control sheet (Form 06).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ControlLine {
    pub at: NaiveDateTime,
    /// An official or another agency.
    pub to: String,
    /// Handed on no later than the due date in force then.
    pub on_time: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dossier {
    pub code: String,
    pub channel: Channel,
    pub terms: Terms,
    pub agency: String,
    pub status: Status,
    pub registered_at: NaiveDateTime,
    pub received_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    /// While waiting for the citizen, since when.
    pub waiting_since: Option<NaiveDateTime>,
    /// Completed waits, excluded from the processing time.
    pub pauses: Vec<(NaiveDateTime, NaiveDateTime)>,
    pub extensions: Vec<(TimeLimit, String)>,
    pub supplement_requests: u32,
    pub assignee: Option<String>,
    pub control_sheet: Vec<ControlLine>,
    pub finished_at: Option<NaiveDateTime>,
    pub approved: Option<bool>,
    /// The seal of the applicant's data and the documents now in force.
    pub subject: Option<String>,
    /// The specialist's proposal: approve or not, and why.
    pub proposal: Option<(bool, String)>,
    /// The apology letter the specialist drafted, waiting for the leader.
    pub extension_draft: Option<(TimeLimit, String)>,
    /// The personal data was erased at the end of the retention period.
    pub erased: bool,
    /// The SHA-256 of the signed result, once the leader has signed it (the sealed file's,
    /// once the agency has sealed it).
    pub signed_result: Option<String>,
    /// The agency's seal is on the signed result.
    pub result_sealed: bool,
    pub events: Vec<Event>,
}

fn refuse(status: Status, action: &str) -> DomainError {
    let allowed = allowed_in(status);
    let list = if allowed.is_empty() {
        "không còn thao tác nào".to_string()
    } else {
        allowed.iter().map(|a| action_label(a)).collect::<Vec<_>>().join(", ")
    };
    DomainError {
        code: Code::InvalidTransition,
        message: format!(
            "không thể {} khi hồ sơ đang ở trạng thái \"{}\"; được phép: {list}",
            action_label(action),
            status.label()
        ),
        allowed: allowed.to_vec(),
    }
}

impl Dossier {
    /// A new dossier, registered at `at` (online and postal dossiers wait here to be received;
    /// a desk officer receives a direct one at once).
    pub fn register(
        code: &str,
        channel: Channel,
        agency: &str,
        terms: Terms,
        at: NaiveDateTime,
        actor: &str,
    ) -> Self {
        let mut d = Dossier {
            code: code.to_string(),
            channel,
            terms,
            agency: agency.to_string(),
            status: Status::Registered,
            registered_at: at,
            received_at: None,
            due_at: None,
            waiting_since: None,
            pauses: vec![],
            extensions: vec![],
            supplement_requests: 0,
            assignee: None,
            control_sheet: vec![],
            finished_at: None,
            approved: None,
            subject: None,
            proposal: None,
            extension_draft: None,
            erased: false,
            signed_result: None,
            result_sealed: false,
            events: vec![],
        };
        let kind = EventKind::Registered { channel, agency: agency.to_string(), terms, subject: None };
        d.apply(Event {
            seq: 1,
            at,
            actor: actor.to_string(),
            from: None,
            to: Status::Registered,
            kind,
            note: None,
        });
        d
    }

    /// Rebuilds a dossier from its events, in order.
    pub fn replay(events: &[Event]) -> Option<Self> {
        let first = events.first()?;
        let EventKind::Registered { channel, agency, terms, .. } = &first.kind else { return None };
        let mut d = Dossier::register("", *channel, agency, *terms, first.at, &first.actor);
        d.events.clear();
        d.code.clear();
        for e in events {
            d.apply(e.clone());
        }
        Some(d)
    }

    /// Whether the last extension's apology letter (Form 04) waits for the leader's digital
    /// signature: an extension after the last apology signed.
    pub fn apology_awaits_signature(&self) -> bool {
        apology_awaits_signature(&self.events)
    }

    pub fn allowed(&self) -> &'static [&'static str] {
        allowed_in(self.status)
    }

    /// Seals who the dossier is for and what was filed into its registration event. Only
    /// before the first event is stored (it is part of the event's hash).
    pub fn seal_subject(&mut self, subject: String) {
        if let Some(EventKind::Registered { subject: s, .. }) = self.events.first_mut().map(|e| &mut e.kind) {
            *s = Some(subject.clone());
            self.subject = Some(subject);
        }
    }

    /// Erases the applicant's personal data once the retention period has run out: allowed
    /// on a finished dossier, once. `subject` seals what is left.
    pub fn erase(
        &mut self,
        at: NaiveDateTime,
        actor: &str,
        subject: String,
    ) -> Result<&[Event], DomainError> {
        if !self.status.is_final() || self.erased {
            return Err(DomainError {
                code: Code::NotErasable,
                message: "chỉ xoá dữ liệu cá nhân của hồ sơ đã kết thúc, một lần".into(),
                allowed: vec![],
            });
        }
        let at = at.max(self.events.last().map_or(self.registered_at, |e| e.at));
        let seq = self.events.len() as u32 + 1;
        let status = self.status;
        let kind = EventKind::PersonalDataErased { subject };
        self.apply(Event {
            seq,
            at,
            actor: actor.to_string(),
            from: Some(status),
            to: status,
            kind,
            note: None,
        });
        Ok(&self.events[seq as usize - 1..])
    }

    /// The due date with the waits so far and the extensions, from the calendar.
    fn compute_due(
        &self,
        cal: &WorkCalendar,
        pauses: &[(NaiveDateTime, NaiveDateTime)],
        extensions: &[(TimeLimit, String)],
    ) -> Result<NaiveDateTime, DomainError> {
        let received = self.received_at.expect("due dates exist once received");
        // A wait answered within the same second took no time (and is no pause to the calendar).
        let pauses: Vec<Pause> = pauses
            .iter()
            .filter(|(from, to)| to > from)
            .map(|&(from, to)| Pause { from, to, reason: "chờ công dân".into() })
            .collect();
        let mut at = due(cal, received, self.terms.limit, self.terms.cutoff, &pauses)?.due;
        for (extra, reason) in extensions {
            at = extend(cal, at, *extra, reason)?.due;
        }
        Ok(at)
    }

    /// What `action` at `at` would record, or why it is refused. Changes nothing.
    pub fn decide(
        &self,
        action: &Action,
        at: NaiveDateTime,
        cal: &WorkCalendar,
    ) -> Result<Vec<EventKind>, DomainError> {
        if !self.allowed().contains(&action.code()) {
            return Err(refuse(self.status, action.code()));
        }
        let last = self.events.last().map_or(self.registered_at, |e| e.at);
        if at < last {
            return Err(DomainError {
                code: Code::InvalidTime,
                message: format!(
                    "thời điểm {} sớm hơn thao tác trước ({})",
                    at.format("%H:%M %d/%m/%Y"),
                    last.format("%H:%M %d/%m/%Y")
                ),
                allowed: vec![],
            });
        }
        let due_change = |to: NaiveDateTime, reason: &str| EventKind::DueChanged {
            from: self.due_at,
            to,
            reason: reason.to_string(),
        };
        Ok(match action {
            Action::Receive => {
                let mut d = self.clone();
                d.received_at = Some(at);
                let to = d.compute_due(cal, &[], &[])?;
                vec![
                    EventKind::Received,
                    due_change(to, &format!("hẹn trả theo thời hạn {}", self.terms.limit)),
                ]
            }
            Action::Refuse { reason } => vec![EventKind::Refused { reason: reason.clone() }],
            Action::RequestSupplement { note } => vec![EventKind::SupplementRequested { note: note.clone() }],
            Action::RequestPayment { amount_vnd } => {
                vec![EventKind::PaymentRequested { amount_vnd: *amount_vnd }]
            }
            // Completed at intake, before receipt: no clock runs yet.
            Action::SupplementReceived if self.received_at.is_none() => vec![EventKind::SupplementReceived],
            Action::SupplementReceived | Action::PaymentReceived => {
                let since = self.waiting_since.expect("a waiting status has a start");
                let mut pauses = self.pauses.clone();
                pauses.push((since, at));
                let to = self.compute_due(cal, &pauses, &self.extensions)?;
                let resumed = if matches!(action, Action::SupplementReceived) {
                    EventKind::SupplementReceived
                } else {
                    EventKind::PaymentReceived
                };
                let mut out = vec![resumed];
                if Some(to) != self.due_at {
                    out.push(due_change(to, "không tính thời gian chờ công dân"));
                }
                out
            }
            Action::Assign { to } => vec![EventKind::Assigned { to: to.clone() }],
            Action::Transfer { to_agency } => vec![EventKind::Transferred { to_agency: to_agency.clone() }],
            Action::Approve => vec![EventKind::Approved],
            Action::Deny { reason } => vec![EventKind::Denied { reason: reason.clone() }],
            Action::Extend { extra, reason } => {
                let mut ext = self.extensions.clone();
                ext.push((*extra, reason.clone()));
                let to = self.compute_due(cal, &self.pauses, &ext)?;
                vec![EventKind::Extended { extra: *extra, reason: reason.clone() }, due_change(to, reason)]
            }
            Action::Stop { reason } => vec![EventKind::Stopped { reason: reason.clone() }],
            Action::Withdraw { reason } => vec![EventKind::Withdrawn { reason: reason.clone() }],
            Action::ReturnResult => vec![EventKind::ResultReturned],
            Action::Propose { approve, note } => {
                vec![EventKind::Proposed { approve: *approve, note: note.clone() }]
            }
            Action::DraftExtension { extra, reason } => {
                vec![EventKind::ExtensionDrafted { extra: *extra, reason: reason.clone() }]
            }
            Action::CorrectApplicant { subject, reason } => {
                if self.erased {
                    return Err(DomainError {
                        code: Code::PersonalDataErased,
                        message: "dữ liệu cá nhân của hồ sơ đã được xoá khi hết thời hạn lưu trữ".into(),
                        allowed: vec![],
                    });
                }
                vec![EventKind::ApplicantCorrected { subject: subject.clone(), reason: reason.clone() }]
            }
            Action::SignResult { document_sha256, certificate_sha256, signer } => {
                if self.approved != Some(true) {
                    return Err(DomainError {
                        code: Code::NothingToSign,
                        message: "hồ sơ không được phê duyệt: không có kết quả để ký số".into(),
                        allowed: vec![],
                    });
                }
                // One signed result per dossier: the file the citizen holds stays the one.
                if self.signed_result.is_some() {
                    return Err(DomainError {
                        code: Code::AlreadySigned,
                        message: "kết quả của hồ sơ đã được ký số".into(),
                        allowed: vec![],
                    });
                }
                vec![EventKind::ResultSigned {
                    document_sha256: document_sha256.clone(),
                    certificate_sha256: certificate_sha256.clone(),
                    signer: signer.clone(),
                }]
            }
            Action::SignApology { document_sha256, certificate_sha256, signer } => {
                if !self.apology_awaits_signature() {
                    return Err(DomainError {
                        code: Code::NothingToSign,
                        message: "không có thư xin lỗi, hẹn lại ngày trả (Mẫu 04) nào chờ ký: hồ sơ chưa gia hạn, hoặc đã ký".into(),
                        allowed: vec![],
                    });
                }
                vec![EventKind::ApologySigned {
                    document_sha256: document_sha256.clone(),
                    certificate_sha256: certificate_sha256.clone(),
                    signer: signer.clone(),
                }]
            }
            Action::SealResult { document_sha256, certificate_sha256, agency } => {
                // The seal goes on the file the competent person signed, once.
                if self.signed_result.is_none() {
                    return Err(DomainError {
                        code: Code::NothingToSign,
                        message: "kết quả chưa được lãnh đạo ký số: chưa đóng dấu số được".into(),
                        allowed: vec![],
                    });
                }
                if self.result_sealed {
                    return Err(DomainError {
                        code: Code::AlreadySigned,
                        message: "kết quả của hồ sơ đã được đóng dấu số".into(),
                        allowed: vec![],
                    });
                }
                vec![EventKind::ResultSealed {
                    document_sha256: document_sha256.clone(),
                    certificate_sha256: certificate_sha256.clone(),
                    agency: agency.clone(),
                }]
            }
        })
    }

    /// Decides and records `action`; returns the events added.
    pub fn act(
        &mut self,
        action: &Action,
        at: NaiveDateTime,
        actor: &str,
        cal: &WorkCalendar,
    ) -> Result<&[Event], DomainError> {
        let kinds = self.decide(action, at, cal)?;
        let first = self.events.len();
        for kind in kinds {
            let from = self.status;
            let to = self.next_status(&kind);
            let seq = self.events.len() as u32 + 1;
            self.apply(Event { seq, at, actor: actor.to_string(), from: Some(from), to, kind, note: None });
        }
        Ok(&self.events[first..])
    }

    /// Folds one event into the state. Needs nothing but the event.
    pub fn apply(&mut self, e: Event) {
        match &e.kind {
            EventKind::Registered { subject, .. } => {
                self.registered_at = e.at;
                self.subject = subject.clone();
            }
            EventKind::Received => self.received_at = Some(e.at),
            // Asked at intake, before receipt: neither a wait of the clock nor a request that
            // counts against the unit (the rule of one request is about processing).
            EventKind::SupplementRequested { .. } if self.received_at.is_none() => {}
            EventKind::SupplementRequested { .. } => {
                self.supplement_requests += 1;
                self.waiting_since = Some(e.at);
            }
            EventKind::PaymentRequested { .. } => self.waiting_since = Some(e.at),
            EventKind::SupplementReceived | EventKind::PaymentReceived => {
                if let Some(since) = self.waiting_since.take() {
                    self.pauses.push((since, e.at));
                }
            }
            EventKind::Assigned { to } => {
                self.assignee = Some(to.clone());
                self.control_line(e.at, to.clone());
            }
            EventKind::Transferred { to_agency } => {
                self.agency = to_agency.clone();
                self.assignee = None;
                self.control_line(e.at, to_agency.clone());
            }
            EventKind::Approved => {
                self.approved = Some(true);
                self.finished_at = Some(e.at);
            }
            EventKind::Denied { .. } => {
                self.approved = Some(false);
                self.finished_at = Some(e.at);
            }
            EventKind::Extended { extra, reason } => {
                self.extensions.push((*extra, reason.clone()));
                self.extension_draft = None;
            }
            EventKind::DueChanged { to, .. } => self.due_at = Some(*to),
            // Stopping or withdrawing while waiting for the citizen ends the wait.
            EventKind::Stopped { .. } | EventKind::Withdrawn { .. } => {
                if let Some(since) = self.waiting_since.take() {
                    self.pauses.push((since, e.at));
                }
            }
            EventKind::Proposed { approve, note } => self.proposal = Some((*approve, note.clone())),
            EventKind::ExtensionDrafted { extra, reason } => {
                self.extension_draft = Some((*extra, reason.clone()))
            }
            EventKind::ApplicantCorrected { subject, .. } => self.subject = Some(subject.clone()),
            EventKind::PersonalDataErased { subject } => {
                self.subject = Some(subject.clone());
                self.erased = true;
            }
            EventKind::ApologySigned { .. } => {}
            EventKind::ResultSigned { document_sha256, .. } => {
                self.signed_result = Some(document_sha256.clone())
            }
            EventKind::ResultSealed { document_sha256, .. } => {
                self.signed_result = Some(document_sha256.clone());
                self.result_sealed = true;
            }
            EventKind::Refused { .. } | EventKind::ResultReturned => {}
        }
        self.status = e.to;
        self.events.push(e);
    }

    fn control_line(&mut self, at: NaiveDateTime, to: String) {
        let on_time = self.due_at.is_none_or(|d| at <= d);
        self.control_sheet.push(ControlLine { at, to, on_time });
    }

    /// The verdict of a finished dossier: finished no later than the due date (time waiting
    /// for the citizen already excluded from it), and asked for supplements at most once.
    pub fn verdict(&self) -> Option<Verdict> {
        let (done, due) = (self.finished_at?, self.due_at?);
        Some(if self.supplement_requests > 1 || done > due {
            Verdict::Late
        } else if done.date() < due.date() {
            Verdict::Early
        } else {
            Verdict::OnTime
        })
    }

    /// In progress and past its due date at `now` (never while waiting for the citizen).
    pub fn is_overdue(&self, now: NaiveDateTime) -> bool {
        crate::due::is_overdue(self.status, self.finished_at, self.due_at, now)
    }
}

impl Dossier {
    /// The status an event leads to from the current one.
    fn next_status(&self, kind: &EventKind) -> Status {
        let from = self.status;
        match kind {
            // Completed at intake: back to waiting for receipt.
            EventKind::SupplementReceived if self.received_at.is_none() => Status::Registered,
            other => status_after(from, other),
        }
    }
}

/// The status an event leads to.
fn status_after(from: Status, kind: &EventKind) -> Status {
    match kind {
        EventKind::Registered { .. } => Status::Registered,
        EventKind::Received => Status::Received,
        EventKind::Refused { .. } => Status::Refused,
        EventKind::SupplementRequested { .. } => Status::SupplementRequested,
        EventKind::PaymentRequested { .. } => Status::PaymentRequested,
        EventKind::SupplementReceived | EventKind::PaymentReceived => Status::Processing,
        EventKind::Assigned { .. } | EventKind::Transferred { .. } => Status::Processing,
        EventKind::Approved | EventKind::Denied { .. } => Status::Resolved,
        EventKind::Stopped { .. } => Status::Stopped,
        EventKind::Withdrawn { .. } => Status::Withdrawn,
        EventKind::ResultReturned => Status::Returned,
        EventKind::Extended { .. }
        | EventKind::DueChanged { .. }
        | EventKind::Proposed { .. }
        | EventKind::ExtensionDrafted { .. }
        | EventKind::ApplicantCorrected { .. }
        | EventKind::PersonalDataErased { .. }
        | EventKind::ResultSigned { .. }
        | EventKind::ResultSealed { .. }
        | EventKind::ApologySigned { .. } => from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    fn terms(days: u32) -> Terms {
        Terms { limit: TimeLimit::WorkingDays(days), cutoff: None }
    }

    #[test]
    fn a_dossier_lives_its_whole_life() {
        let cal = WorkCalendar::default();
        let mut d = Dossier::register(
            "X-1",
            Channel::Online,
            "UBND phường Hải Châu",
            terms(3),
            at(5, 11, 8),
            "citizen",
        );
        assert_eq!(d.status, Status::Registered);
        d.act(&Action::Receive, at(5, 11, 9), "officer", &cal).unwrap();
        assert_eq!(d.due_at, Some(at(5, 14, 17)));
        d.act(&Action::Assign { to: "specialist".into() }, at(5, 11, 10), "officer", &cal).unwrap();
        d.act(
            &Action::RequestSupplement { note: "thiếu giấy chứng sinh".into() },
            at(5, 12, 8),
            "specialist",
            &cal,
        )
        .unwrap();
        assert!(d.status.waits_for_citizen());
        assert!(!d.is_overdue(at(6, 1, 8)), "no verdict of overdue while waiting for the citizen");
        d.act(&Action::SupplementReceived, at(5, 13, 8), "officer", &cal).unwrap();
        // 12/05 08:00 → 13/05 08:00 is 8 office hours: one working day more.
        assert_eq!(d.due_at, Some(at(5, 15, 17)));
        d.act(&Action::Approve, at(5, 15, 9), "leader", &cal).unwrap();
        assert_eq!(d.verdict(), Some(Verdict::OnTime));
        d.act(&Action::ReturnResult, at(5, 15, 10), "officer", &cal).unwrap();
        assert_eq!(d.status, Status::Returned);
        let due_changes = d.events.iter().filter(|e| matches!(e.kind, EventKind::DueChanged { .. })).count();
        for e in &d.events {
            assert_eq!(
                serde_json::to_value(&e.kind).unwrap()["type"],
                e.kind.name(),
                "the name is the serde tag"
            );
        }
        for v in [Verdict::Early, Verdict::OnTime, Verdict::Late] {
            assert_eq!(serde_json::to_value(v).unwrap(), v.code());
        }
        assert_eq!(due_changes, 2);
        assert_eq!(
            Dossier::replay(&d.events).map(|r| (r.status, r.due_at, r.pauses)),
            Some((d.status, d.due_at, d.pauses.clone()))
        );
    }

    #[test]
    fn refusals_name_the_status_and_the_allowed_actions() {
        let cal = WorkCalendar::default();
        let d = Dossier::register("X-2", Channel::Direct, "UBND xã A", terms(3), at(5, 11, 8), "officer");
        let e = d.decide(&Action::Approve, at(5, 11, 9), &cal).unwrap_err();
        assert_eq!(e.code, "invalid_transition");
        assert!(e.message.contains("Mới đăng ký") && e.message.contains("tiếp nhận"), "{}", e.message);
        assert_eq!(e.allowed, ["receive", "refuse", "request_supplement", "withdraw", "correct_applicant"]);
    }

    #[test]
    fn a_supplement_asked_at_intake_neither_starts_the_clock_nor_counts_against_the_unit() {
        let cal = WorkCalendar::default();
        let mut d =
            Dossier::register("X-6", Channel::Online, "UBND xã A", terms(3), at(5, 11, 8), "công dân");
        d.act(&Action::RequestSupplement { note: "thiếu tờ khai".into() }, at(5, 11, 9), "o", &cal).unwrap();
        assert_eq!(d.status, Status::SupplementRequested);
        d.act(&Action::SupplementReceived, at(5, 13, 9), "o", &cal).unwrap();
        assert_eq!((d.status, d.due_at, d.supplement_requests), (Status::Registered, None, 0));
        assert!(d.pauses.is_empty());
        d.act(&Action::Receive, at(5, 13, 10), "o", &cal).unwrap();
        assert_eq!(d.due_at, Some(at(5, 18, 17)), "three working days from receipt");
        let replayed = Dossier::replay(&d.events).unwrap();
        assert_eq!((replayed.status, replayed.due_at), (d.status, d.due_at));
    }

    #[test]
    fn a_proposal_and_a_draft_wait_for_the_leader_and_the_seal_survives_erasure() {
        let cal = WorkCalendar::default();
        let mut d = Dossier::register("X-7", Channel::Direct, "UBND xã A", terms(3), at(5, 11, 8), "o");
        d.seal_subject("a".repeat(64));
        d.act(&Action::Receive, at(5, 11, 8), "o", &cal).unwrap();
        d.act(
            &Action::Propose { approve: false, note: "không đủ điều kiện".into() },
            at(5, 12, 8),
            "s",
            &cal,
        )
        .unwrap();
        let draft = Action::DraftExtension { extra: TimeLimit::WorkingDays(2), reason: "xác minh".into() };
        d.act(&draft, at(5, 12, 9), "s", &cal).unwrap();
        assert_eq!(d.status, Status::Received, "proposing decides nothing");
        assert_eq!(d.proposal, Some((false, "không đủ điều kiện".into())));
        assert!(d.extension_draft.is_some());
        assert!(d.erase(at(5, 12, 10), "hệ thống", "b".repeat(64)).is_err(), "not while open");
        d.act(&Action::Deny { reason: "không đủ điều kiện".into() }, at(5, 13, 8), "l", &cal).unwrap();
        d.act(&Action::ReturnResult, at(5, 13, 9), "o", &cal).unwrap();
        d.erase(at(6, 13, 9), "hệ thống", "b".repeat(64)).unwrap();
        assert!(d.erased && d.subject == Some("b".repeat(64)));
        assert!(d.erase(at(6, 14, 9), "hệ thống", "c".repeat(64)).is_err(), "once");
        let r = Dossier::replay(&d.events).unwrap();
        assert_eq!((r.erased, r.subject, r.status), (true, d.subject.clone(), Status::Returned));
        assert_eq!(
            d.events[0].kind,
            EventKind::Registered {
                channel: Channel::Direct,
                agency: "UBND xã A".into(),
                terms: terms(3),
                subject: Some("a".repeat(64)),
            }
        );
    }

    #[test]
    fn an_approved_result_is_signed_once_and_a_denied_one_never() {
        let cal = WorkCalendar::default();
        let sign = Action::SignResult {
            document_sha256: "a".repeat(64),
            certificate_sha256: "b".repeat(64),
            signer: "Trần Văn Bình".into(),
        };
        let mut d = Dossier::register("X-9", Channel::Direct, "UBND xã A", terms(5), at(5, 4, 8), "o");
        d.act(&Action::Receive, at(5, 4, 8), "o", &cal).unwrap();
        assert_eq!(d.act(&sign, at(5, 4, 9), "leader", &cal).unwrap_err().code, Code::InvalidTransition);
        let mut denied = d.clone();
        d.act(&Action::Approve, at(5, 5, 9), "leader", &cal).unwrap();
        d.act(&sign, at(5, 5, 10), "leader", &cal).unwrap();
        assert_eq!(d.status, Status::Resolved, "signing leaves the status");
        assert_eq!(d.signed_result.as_deref(), Some("a".repeat(64).as_str()));
        assert_eq!(d.act(&sign, at(5, 5, 11), "leader", &cal).unwrap_err().code, Code::AlreadySigned);
        d.act(&Action::ReturnResult, at(5, 6, 8), "o", &cal).unwrap();
        assert_eq!(Dossier::replay(&d.events).unwrap().signed_result, d.signed_result);
        denied
            .act(&Action::Deny { reason: "không đủ điều kiện".into() }, at(5, 5, 9), "leader", &cal)
            .unwrap();
        assert_eq!(denied.act(&sign, at(5, 5, 10), "leader", &cal).unwrap_err().code, Code::NothingToSign);
    }

    #[test]
    fn the_agency_seals_a_signed_result_once_and_the_sealed_file_replaces_it() {
        let cal = WorkCalendar::default();
        let seal = Action::SealResult {
            document_sha256: "d".repeat(64),
            certificate_sha256: "e".repeat(64),
            agency: "UBND xã A".into(),
        };
        let mut d = Dossier::register("X-7", Channel::Direct, "UBND xã A", terms(5), at(5, 4, 8), "o");
        d.act(&Action::Receive, at(5, 4, 8), "o", &cal).unwrap();
        d.act(&Action::Approve, at(5, 5, 9), "leader", &cal).unwrap();
        assert_eq!(d.act(&seal, at(5, 5, 9), "vanthu", &cal).unwrap_err().code, Code::NothingToSign);
        let sign = Action::SignResult {
            document_sha256: "a".repeat(64),
            certificate_sha256: "b".repeat(64),
            signer: "Trần Văn Bình".into(),
        };
        d.act(&sign, at(5, 5, 10), "leader", &cal).unwrap();
        d.act(&seal, at(5, 5, 11), "vanthu", &cal).unwrap();
        assert!(d.result_sealed);
        assert_eq!(
            d.signed_result.as_deref(),
            Some("d".repeat(64).as_str()),
            "the sealed file is the result"
        );
        assert_eq!(d.act(&seal, at(5, 5, 12), "vanthu", &cal).unwrap_err().code, Code::AlreadySigned);
        assert_eq!(d.act(&sign, at(5, 5, 12), "leader", &cal).unwrap_err().code, Code::AlreadySigned);
        let replayed = Dossier::replay(&d.events).unwrap();
        assert!(replayed.result_sealed && replayed.signed_result == d.signed_result);
    }

    #[test]
    fn each_extension_s_apology_letter_is_signed_once() {
        let cal = WorkCalendar::default();
        let sign = Action::SignApology {
            document_sha256: "c".repeat(64),
            certificate_sha256: "b".repeat(64),
            signer: "Trần Văn Bình".into(),
        };
        let extend = Action::Extend { extra: TimeLimit::WorkingDays(2), reason: "xác minh".into() };
        let mut d = Dossier::register("X-8", Channel::Direct, "UBND xã A", terms(5), at(5, 4, 8), "o");
        d.act(&Action::Receive, at(5, 4, 8), "o", &cal).unwrap();
        assert_eq!(d.act(&sign, at(5, 4, 9), "leader", &cal).unwrap_err().code, Code::NothingToSign);
        d.act(&extend, at(5, 6, 9), "leader", &cal).unwrap();
        assert!(d.apology_awaits_signature());
        d.act(&sign, at(5, 6, 10), "leader", &cal).unwrap();
        assert!(!d.apology_awaits_signature());
        assert_eq!(d.act(&sign, at(5, 6, 11), "leader", &cal).unwrap_err().code, Code::NothingToSign);
        // A second extension, a second letter to sign.
        d.act(&extend, at(5, 8, 9), "leader", &cal).unwrap();
        d.act(&sign, at(5, 8, 10), "leader", &cal).unwrap();
        let mut replayed = Dossier::replay(&d.events).unwrap();
        replayed.code = d.code.clone();
        assert_eq!(replayed, d);
    }

    #[test]
    fn a_second_supplement_request_makes_it_late() {
        let cal = WorkCalendar::default();
        let mut d = Dossier::register("X-3", Channel::Direct, "UBND xã A", terms(10), at(5, 4, 8), "o");
        for (a, t) in [
            (Action::Receive, at(5, 4, 8)),
            (Action::RequestSupplement { note: "1".into() }, at(5, 5, 8)),
            (Action::SupplementReceived, at(5, 5, 9)),
            (Action::RequestSupplement { note: "2".into() }, at(5, 6, 8)),
            (Action::SupplementReceived, at(5, 6, 9)),
            (Action::Approve, at(5, 7, 9)),
        ] {
            d.act(&a, t, "o", &cal).unwrap();
        }
        assert_eq!(d.supplement_requests, 2);
        assert_eq!(d.verdict(), Some(Verdict::Late));
    }

    #[test]
    fn an_extension_sets_a_new_due_date_with_its_reason() {
        let cal = WorkCalendar::default();
        let mut d = Dossier::register("X-4", Channel::Direct, "UBND xã A", terms(3), at(5, 11, 8), "o");
        d.act(&Action::Receive, at(5, 11, 8), "o", &cal).unwrap();
        let reason = "cần xác minh thực địa".to_string();
        d.act(
            &Action::Extend { extra: TimeLimit::WorkingDays(2), reason: reason.clone() },
            at(5, 14, 9),
            "leader",
            &cal,
        )
        .unwrap();
        assert_eq!(d.due_at, Some(at(5, 18, 17)));
        let last = d.events.last().unwrap();
        assert!(
            matches!(&last.kind, EventKind::DueChanged { from: Some(f), reason: r, .. } if *f == at(5, 14, 17) && *r == reason)
        );
    }

    #[test]
    fn a_wait_answered_at_once_moves_nothing() {
        let cal = WorkCalendar::default();
        let mut d = Dossier::register("X-8", Channel::Direct, "UBND xã A", terms(3), at(5, 11, 8), "o");
        d.act(&Action::Receive, at(5, 11, 8), "o", &cal).unwrap();
        let due = d.due_at;
        d.act(&Action::RequestPayment { amount_vnd: 50_000 }, at(5, 11, 9), "o", &cal).unwrap();
        d.act(&Action::PaymentReceived, at(5, 11, 9), "o", &cal).unwrap();
        assert_eq!(d.due_at, due);
    }

    #[test]
    fn time_cannot_run_backwards() {
        let cal = WorkCalendar::default();
        let mut d = Dossier::register("X-5", Channel::Direct, "UBND xã A", terms(3), at(5, 11, 8), "o");
        d.act(&Action::Receive, at(5, 11, 9), "o", &cal).unwrap();
        assert_eq!(d.decide(&Action::Approve, at(5, 11, 8), &cal).unwrap_err().code, "invalid_time");
    }
}
