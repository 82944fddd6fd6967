//! Communes' proposals and difficulties (kiến nghị, vướng mắc) to the province: which
//! department answers, by when, and who may do what in which state. The state is the fold of
//! its events, like a dossier's; each event carries the due date it sets, so replaying needs
//! no calendar.

use crate::dossier::DomainError;
use calendar::deadline::due;
use calendar::{Pause, TimeLimit, WorkCalendar};
use chrono::NaiveDateTime;
use errors::Code;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Working days a department has to answer; an urgent proposal gets fewer.
pub const RESPONSE_DAYS: u32 = 10;
pub const URGENT_RESPONSE_DAYS: u32 = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Staff,
    Premises,
    Digital,
    Legal,
    Finance,
    Other,
}

pub const ALL_CATEGORIES: [Category; 6] = [
    Category::Staff,
    Category::Premises,
    Category::Digital,
    Category::Legal,
    Category::Finance,
    Category::Other,
];

impl Category {
    pub fn code(self) -> &'static str {
        match self {
            Category::Staff => "staff",
            Category::Premises => "premises",
            Category::Digital => "digital",
            Category::Legal => "legal",
            Category::Finance => "finance",
            Category::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Staff => "Tổ chức bộ máy, nhân sự",
            Category::Premises => "Trụ sở, trang thiết bị",
            Category::Digital => "Công nghệ thông tin, chuyển đổi số",
            Category::Legal => "Pháp lý, thủ tục hành chính",
            Category::Finance => "Tài chính, ngân sách",
            Category::Other => "Khác",
        }
    }
}

impl FromStr for Category {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        ALL_CATEGORIES.into_iter().find(|c| c.code() == s).ok_or_else(|| DomainError {
            code: Code::InvalidCategory,
            message: format!(
                "nhóm kiến nghị \"{s}\" không có; các nhóm: {}",
                ALL_CATEGORIES.map(|c| c.code()).join(", ")
            ),
            allowed: vec![],
        })
    }
}

/// A provincial agency that answers communes (the departments of Decree 45/2025/NĐ-CP that
/// every province has, plus the provincial police for residence and identity matters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Department {
    pub code: &'static str,
    pub name: &'static str,
}

pub const DEPARTMENTS: &[Department] = &[
    Department { code: "VPUB", name: "Văn phòng Ủy ban nhân dân" },
    Department { code: "SNV", name: "Sở Nội vụ" },
    Department { code: "STP", name: "Sở Tư pháp" },
    Department { code: "STC", name: "Sở Tài chính" },
    Department { code: "SXD", name: "Sở Xây dựng" },
    Department { code: "SNNMT", name: "Sở Nông nghiệp và Môi trường" },
    Department { code: "SKHCN", name: "Sở Khoa học và Công nghệ" },
    Department { code: "SYT", name: "Sở Y tế" },
    Department { code: "SGDDT", name: "Sở Giáo dục và Đào tạo" },
    Department { code: "SVHTTDL", name: "Sở Văn hóa, Thể thao và Du lịch" },
    Department { code: "SCT", name: "Sở Công Thương" },
    Department { code: "CA", name: "Công an tỉnh" },
];

pub fn department(code: &str) -> Option<&'static Department> {
    DEPARTMENTS.iter().find(|d| d.code.eq_ignore_ascii_case(code.trim()))
}

/// Procedure fields and the department that guides communes on them (after the 2025
/// reorganisation: labour and merit policy to Home Affairs, social protection to Health,
/// business registration to Finance, poverty reduction to Agriculture and Environment).
const FIELD_DEPARTMENTS: &[(&str, &str)] = &[
    ("hộ tịch", "STP"),
    ("chứng thực", "STP"),
    ("con nuôi", "STP"),
    ("lý lịch tư pháp", "STP"),
    ("đất đai", "SNNMT"),
    ("môi trường", "SNNMT"),
    ("giảm nghèo", "SNNMT"),
    ("nông nghiệp", "SNNMT"),
    ("cư trú", "CA"),
    ("căn cước", "CA"),
    ("xuất nhập cảnh", "CA"),
    ("giấy phép lái xe", "CA"),
    ("phương tiện giao thông", "CA"),
    ("bảo trợ xã hội", "SYT"),
    ("trẻ em", "SYT"),
    ("y tế", "SYT"),
    ("người có công", "SNV"),
    ("bhxh", "SNV"),
    ("lao động", "SNV"),
    ("xây dựng", "SXD"),
    ("nhà ở", "SXD"),
    ("doanh nghiệp", "STC"),
    ("hộ kinh doanh", "STC"),
    ("giáo dục", "SGDDT"),
    ("văn hóa", "SVHTTDL"),
    ("du lịch", "SVHTTDL"),
    ("thương mại", "SCT"),
];

/// The department a new proposal goes to: by category, and for a legal or procedural matter
/// about a procedure, the department of that procedure's field.
pub fn responsible_department(category: Category, procedure_field: Option<&str>) -> &'static str {
    match category {
        Category::Staff => "SNV",
        Category::Premises | Category::Finance => "STC",
        Category::Digital => "SKHCN",
        Category::Other => "VPUB",
        Category::Legal => {
            let field = procedure_field.unwrap_or_default().to_lowercase();
            FIELD_DEPARTMENTS.iter().find(|(k, _)| field.contains(k)).map_or("STP", |(_, d)| d)
        }
    }
}

/// Who holds a proposal: a department, or the province's leadership after an escalation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handler {
    Department(String),
    Leader,
}

impl Handler {
    /// As stored: the department's code, or `LEADER`.
    pub fn code(&self) -> &str {
        match self {
            Handler::Department(d) => d,
            Handler::Leader => "LEADER",
        }
    }

    pub fn parse(code: &str) -> Handler {
        if code == "LEADER" {
            Handler::Leader
        } else {
            Handler::Department(code.to_string())
        }
    }

    pub fn label(&self) -> String {
        match self {
            Handler::Department(d) => department(d).map_or_else(|| d.clone(), |d| d.name.to_string()),
            Handler::Leader => "Lãnh đạo UBND tỉnh".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Waiting for the handler's answer; the clock runs.
    Open,
    /// The handler asked the commune for more; the clock stops.
    InfoRequested,
    Answered,
    /// The commune confirmed the answer settles it.
    Closed,
}

pub const ALL_PROPOSAL_STATUSES: [ProposalStatus; 4] =
    [ProposalStatus::Open, ProposalStatus::InfoRequested, ProposalStatus::Answered, ProposalStatus::Closed];

impl ProposalStatus {
    pub fn code(self) -> &'static str {
        match self {
            ProposalStatus::Open => "open",
            ProposalStatus::InfoRequested => "info_requested",
            ProposalStatus::Answered => "answered",
            ProposalStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProposalStatus::Open => "Chờ trả lời",
            ProposalStatus::InfoRequested => "Chờ xã bổ sung thông tin",
            ProposalStatus::Answered => "Đã trả lời",
            ProposalStatus::Closed => "Đã kết thúc",
        }
    }

    pub fn parse(code: &str) -> Option<ProposalStatus> {
        ALL_PROPOSAL_STATUSES.into_iter().find(|s| s.code() == code)
    }
}

/// Who acts on a proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Party {
    Commune(String),
    Department(String),
    Leader,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalAction {
    Answer {
        body: String,
    },
    RequestInfo {
        body: String,
    },
    Supplement {
        body: String,
    },
    Forward {
        to: String,
        note: String,
    },
    Escalate {
        note: String,
    },
    /// The leadership records that the matter must go to the central government.
    ToCentral {
        note: String,
    },
    /// The commune is not satisfied with the answer: the handler must answer again.
    Reopen {
        body: String,
    },
    Close {
        note: Option<String>,
    },
    /// The overdue sweep: put on the record that the deadline passed unanswered.
    FlagOverdue,
}

impl ProposalAction {
    pub fn name(&self) -> &'static str {
        match self {
            ProposalAction::Answer { .. } => "answer",
            ProposalAction::RequestInfo { .. } => "request_info",
            ProposalAction::Supplement { .. } => "supplement",
            ProposalAction::Forward { .. } => "forward",
            ProposalAction::Escalate { .. } => "escalate",
            ProposalAction::ToCentral { .. } => "to_central",
            ProposalAction::Reopen { .. } => "reopen",
            ProposalAction::Close { .. } => "close",
            ProposalAction::FlagOverdue => "flag_overdue",
        }
    }
}

/// What happened, as the record keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProposalEvent {
    Filed { to: String, due: NaiveDateTime, days: u32 },
    Answered { body: String },
    InfoRequested { body: String },
    Supplemented { body: String, due: NaiveDateTime },
    Forwarded { from: String, to: String, note: String },
    Escalated { note: String },
    MarkedForCentral { note: String },
    Reopened { body: String, due: NaiveDateTime },
    Closed { note: Option<String> },
    OverdueFlagged { due: NaiveDateTime },
}

impl ProposalEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            ProposalEvent::Filed { .. } => "filed",
            ProposalEvent::Answered { .. } => "answered",
            ProposalEvent::InfoRequested { .. } => "info_requested",
            ProposalEvent::Supplemented { .. } => "supplemented",
            ProposalEvent::Forwarded { .. } => "forwarded",
            ProposalEvent::Escalated { .. } => "escalated",
            ProposalEvent::MarkedForCentral { .. } => "marked_for_central",
            ProposalEvent::Reopened { .. } => "reopened",
            ProposalEvent::Closed { .. } => "closed",
            ProposalEvent::OverdueFlagged { .. } => "overdue_flagged",
        }
    }

    /// One line for the history, in Vietnamese.
    pub fn describe(&self) -> String {
        let fmt = calendar::deadline::fmt_datetime;
        match self {
            ProposalEvent::Filed { to, due, days } => format!(
                "Gửi kiến nghị đến {}; hạn trả lời {} ({days} ngày làm việc)",
                Handler::parse(to).label(),
                fmt(*due)
            ),
            ProposalEvent::Answered { body } => format!("Trả lời: {body}"),
            ProposalEvent::InfoRequested { body } => format!("Đề nghị xã bổ sung thông tin: {body}"),
            ProposalEvent::Supplemented { body, due } => {
                format!("Xã bổ sung thông tin: {body} (hạn trả lời mới {})", fmt(*due))
            }
            ProposalEvent::Forwarded { from, to, note } => format!(
                "Chuyển từ {} đến {}: {note}",
                Handler::parse(from).label(),
                Handler::parse(to).label()
            ),
            ProposalEvent::Escalated { note } => format!("Báo cáo lãnh đạo UBND tỉnh: {note}"),
            ProposalEvent::MarkedForCentral { note } => {
                format!("Đưa vào danh sách kiến nghị Trung ương: {note}")
            }
            ProposalEvent::Reopened { body, due } => {
                format!("Xã chưa đồng ý với câu trả lời: {body} (hạn trả lời mới {})", fmt(*due))
            }
            ProposalEvent::Closed { note } => match note {
                Some(n) => format!("Xã xác nhận đã giải quyết xong: {n}"),
                None => "Xã xác nhận đã giải quyết xong".into(),
            },
            ProposalEvent::OverdueFlagged { due } => {
                format!("Quá hạn trả lời ({}): đã báo lãnh đạo UBND tỉnh", fmt(*due))
            }
        }
    }
}

/// A proposal's state, as its events leave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub commune: String,
    pub status: ProposalStatus,
    pub handler: Handler,
    pub due_at: NaiveDateTime,
    pub days: u32,
    /// Where the running clock started (filing or reopening), and the pauses since.
    pub clock_from: NaiveDateTime,
    pub pauses: Vec<(NaiveDateTime, NaiveDateTime)>,
    pub paused_since: Option<NaiveDateTime>,
    pub escalated: bool,
    pub to_central: bool,
    /// The due date already reported overdue, so that a sweep flags each lapse once.
    pub flagged_due: Option<NaiveDateTime>,
    pub answered_at: Option<NaiveDateTime>,
}

fn refuse(code: Code, message: impl Into<String>) -> DomainError {
    DomainError { code, message: message.into(), allowed: vec![] }
}

fn deadline(
    cal: &WorkCalendar,
    from: NaiveDateTime,
    days: u32,
    pauses: &[(NaiveDateTime, NaiveDateTime)],
) -> Result<NaiveDateTime, DomainError> {
    let pauses: Vec<Pause> = pauses
        .iter()
        .map(|(a, b)| Pause { from: *a, to: *b, reason: "chờ xã bổ sung thông tin".into() })
        .collect();
    due(cal, from, TimeLimit::WorkingDays(days), None, &pauses)
        .map(|d| d.due)
        .map_err(|e| refuse(Code::Calendar, e.to_string()))
}

impl Proposal {
    /// The state right after filing.
    fn opened(commune: &str, to: &str, due: NaiveDateTime, days: u32, at: NaiveDateTime) -> Proposal {
        Proposal {
            commune: commune.to_string(),
            status: ProposalStatus::Open,
            handler: Handler::Department(to.to_string()),
            due_at: due,
            days,
            clock_from: at,
            pauses: vec![],
            paused_since: None,
            escalated: false,
            to_central: false,
            flagged_due: None,
            answered_at: None,
        }
    }

    /// A new proposal from `commune`, filed at `at`, and the event that records it.
    pub fn file(
        commune: &str,
        to: &str,
        urgent: bool,
        at: NaiveDateTime,
        cal: &WorkCalendar,
    ) -> Result<(Proposal, ProposalEvent), DomainError> {
        if department(to).is_none() {
            return Err(refuse(Code::UnknownDepartment, format!("không có sở, ngành mã \"{to}\"")));
        }
        let days = if urgent { URGENT_RESPONSE_DAYS } else { RESPONSE_DAYS };
        let due = deadline(cal, at, days, &[])?;
        let event = ProposalEvent::Filed { to: to.to_string(), due, days };
        let p = Proposal::opened(commune, to, due, days, at);
        Ok((p, event))
    }

    /// Rebuilds a proposal from its history.
    pub fn replay<'a>(
        commune: &str,
        events: impl IntoIterator<Item = (NaiveDateTime, &'a ProposalEvent)>,
    ) -> Option<Proposal> {
        let mut it = events.into_iter();
        let (at, first) = it.next()?;
        let ProposalEvent::Filed { to, due, days } = first else { return None };
        let mut p = Proposal::opened(commune, to, *due, *days, at);
        for (at, e) in it {
            p.apply(e, at);
        }
        Some(p)
    }

    /// Open, with the clock running, past its due time.
    pub fn is_overdue(&self, now: NaiveDateTime) -> bool {
        self.status == ProposalStatus::Open && now > self.due_at
    }

    fn is_handler(&self, party: &Party) -> bool {
        match (party, &self.handler) {
            (Party::Leader, _) => true,
            (Party::Department(d), Handler::Department(h)) => d == h,
            _ => false,
        }
    }

    /// What `party` may do now (the names of actions).
    pub fn allowed(&self, party: &Party) -> Vec<&'static str> {
        let mut out = vec![];
        let handler = self.is_handler(party);
        let commune = matches!(party, Party::Commune(c) if *c == self.commune);
        match self.status {
            ProposalStatus::Open | ProposalStatus::InfoRequested if handler => {
                out.extend(["answer", "forward"]);
                if self.status == ProposalStatus::Open {
                    out.push("request_info");
                }
                if matches!(self.handler, Handler::Department(_)) {
                    out.push("escalate");
                }
            }
            ProposalStatus::InfoRequested if commune => out.push("supplement"),
            ProposalStatus::Answered if commune => out.extend(["close", "reopen"]),
            _ => {}
        }
        if *party == Party::Leader && !self.to_central && self.status != ProposalStatus::Closed {
            out.push("to_central");
        }
        out
    }

    /// Decides an action by `party` at `at`: the event to record, or why not.
    pub fn decide(
        &self,
        party: &Party,
        action: &ProposalAction,
        at: NaiveDateTime,
        cal: &WorkCalendar,
    ) -> Result<ProposalEvent, DomainError> {
        if let ProposalAction::FlagOverdue = action {
            return if self.is_overdue(at) && self.flagged_due != Some(self.due_at) {
                Ok(ProposalEvent::OverdueFlagged { due: self.due_at })
            } else {
                Err(refuse(Code::NotOverdue, "kiến nghị chưa quá hạn hoặc đã được báo"))
            };
        }
        let allowed = self.allowed(party);
        if !allowed.contains(&action.name()) {
            return Err(DomainError {
                code: Code::InvalidTransition,
                message: format!(
                    "không thể \"{}\" khi kiến nghị đang ở trạng thái \"{}\" (do {} xử lý)",
                    action.name(),
                    self.status.label(),
                    self.handler.label()
                ),
                allowed,
            });
        }
        Ok(match action {
            ProposalAction::Answer { body } => ProposalEvent::Answered { body: body.clone() },
            ProposalAction::RequestInfo { body } => ProposalEvent::InfoRequested { body: body.clone() },
            ProposalAction::Supplement { body } => {
                let mut pauses = self.pauses.clone();
                pauses.push((self.paused_since.unwrap_or(at), at));
                ProposalEvent::Supplemented {
                    body: body.clone(),
                    due: deadline(cal, self.clock_from, self.days, &pauses)?,
                }
            }
            ProposalAction::Forward { to, note } => {
                let target = department(to).ok_or_else(|| {
                    refuse(Code::UnknownDepartment, format!("không có sở, ngành mã \"{to}\""))
                })?;
                if self.handler == Handler::Department(target.code.to_string()) {
                    return Err(refuse(
                        Code::SameDepartment,
                        format!("kiến nghị đang do {} xử lý", target.name),
                    ));
                }
                ProposalEvent::Forwarded {
                    from: self.handler.code().to_string(),
                    to: target.code.into(),
                    note: note.clone(),
                }
            }
            ProposalAction::Escalate { note } => ProposalEvent::Escalated { note: note.clone() },
            ProposalAction::ToCentral { note } => ProposalEvent::MarkedForCentral { note: note.clone() },
            ProposalAction::Reopen { body } => {
                ProposalEvent::Reopened { body: body.clone(), due: deadline(cal, at, self.days, &[])? }
            }
            ProposalAction::Close { note } => ProposalEvent::Closed { note: note.clone() },
            ProposalAction::FlagOverdue => unreachable!("handled above"),
        })
    }

    pub fn apply(&mut self, e: &ProposalEvent, at: NaiveDateTime) {
        match e {
            ProposalEvent::Filed { .. } => {}
            ProposalEvent::Answered { .. } => {
                self.status = ProposalStatus::Answered;
                self.answered_at = Some(at);
                self.paused_since = None;
            }
            ProposalEvent::InfoRequested { .. } => {
                self.status = ProposalStatus::InfoRequested;
                self.paused_since = Some(at);
            }
            ProposalEvent::Supplemented { due, .. } => {
                self.pauses.push((self.paused_since.take().unwrap_or(at), at));
                self.status = ProposalStatus::Open;
                self.due_at = *due;
            }
            ProposalEvent::Forwarded { to, .. } => self.handler = Handler::parse(to),
            ProposalEvent::Escalated { .. } => {
                self.handler = Handler::Leader;
                self.escalated = true;
            }
            ProposalEvent::MarkedForCentral { .. } => self.to_central = true,
            ProposalEvent::Reopened { due, .. } => {
                self.status = ProposalStatus::Open;
                self.clock_from = at;
                self.pauses.clear();
                self.due_at = *due;
                self.answered_at = None;
            }
            ProposalEvent::Closed { .. } => self.status = ProposalStatus::Closed,
            ProposalEvent::OverdueFlagged { due } => self.flagged_due = Some(*due),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    fn commune() -> Party {
        Party::Commune("20242".into())
    }

    #[test]
    fn routing_by_category_and_procedure_field() {
        assert_eq!(responsible_department(Category::Staff, None), "SNV");
        assert_eq!(responsible_department(Category::Digital, Some("Hộ tịch")), "SKHCN");
        assert_eq!(responsible_department(Category::Legal, Some("Đất đai")), "SNNMT");
        assert_eq!(responsible_department(Category::Legal, Some("Đăng ký, quản lý cư trú")), "CA");
        assert_eq!(responsible_department(Category::Legal, Some("Bảo trợ xã hội")), "SYT");
        assert_eq!(responsible_department(Category::Legal, None), "STP");
        assert_eq!(responsible_department(Category::Legal, Some("Lĩnh vực lạ")), "STP");
        for c in ALL_CATEGORIES {
            assert_eq!(c.code().parse::<Category>(), Ok(c));
            assert!(department(responsible_department(c, None)).is_some());
        }
        assert_eq!("nhansu".parse::<Category>().unwrap_err().code, "invalid_category");
    }

    #[test]
    fn the_deadline_counts_working_days_and_skips_tet() {
        let cal = WorkCalendar::default();
        // Filed Friday 06/02/2026: Tết Bính Ngọ (14–22/02) is not counted.
        let (p, _) = Proposal::file("20242", "SNV", false, t(2026, 2, 6, 9), &cal).unwrap();
        assert_eq!(p.due_at.date(), NaiveDate::from_ymd_opt(2026, 2, 27).unwrap());
        let (u, _) = Proposal::file("20242", "SNV", true, t(2026, 2, 6, 9), &cal).unwrap();
        assert_eq!(u.due_at.date(), NaiveDate::from_ymd_opt(2026, 2, 11).unwrap());
        assert_eq!(
            Proposal::file("20242", "XYZ", false, t(2026, 2, 6, 9), &cal).unwrap_err().code,
            "unknown_department"
        );
    }

    #[test]
    fn asking_for_more_stops_the_clock_until_the_commune_answers() {
        let cal = WorkCalendar::default();
        let (mut p, _) = Proposal::file("20242", "STP", false, t(2026, 3, 2, 9), &cal).unwrap();
        let first_due = p.due_at;
        let dept = Party::Department("STP".into());
        let e = p
            .decide(&dept, &ProposalAction::RequestInfo { body: "số liệu".into() }, t(2026, 3, 4, 9), &cal)
            .unwrap();
        p.apply(&e, t(2026, 3, 4, 9));
        assert!(!p.is_overdue(t(2026, 4, 30, 9)), "no clock while waiting for the commune");
        // Only the commune may supply it; another commune may not.
        let other = Party::Commune("20257".into());
        let supplement = ProposalAction::Supplement { body: "đây".into() };
        assert_eq!(
            p.decide(&other, &supplement, t(2026, 3, 11, 9), &cal).unwrap_err().code,
            "invalid_transition"
        );
        let e = p.decide(&commune(), &supplement, t(2026, 3, 11, 9), &cal).unwrap();
        p.apply(&e, t(2026, 3, 11, 9));
        assert_eq!(p.status, ProposalStatus::Open);
        assert_eq!(
            (p.due_at.date() - first_due.date()).num_days(),
            7,
            "five working days paused = one week later"
        );
    }

    #[test]
    fn only_the_handler_answers_and_escalation_moves_it_to_the_leader() {
        let cal = WorkCalendar::default();
        let (mut p, _) = Proposal::file("20242", "STP", false, t(2026, 3, 2, 9), &cal).unwrap();
        let answer = ProposalAction::Answer { body: "đã rõ".into() };
        let err = p.decide(&Party::Department("SNV".into()), &answer, t(2026, 3, 3, 9), &cal).unwrap_err();
        assert_eq!(err.code, "invalid_transition");
        assert!(p.decide(&commune(), &answer, t(2026, 3, 3, 9), &cal).is_err());
        let stp = Party::Department("STP".into());
        let e = p
            .decide(
                &stp,
                &ProposalAction::Escalate { note: "vượt thẩm quyền".into() },
                t(2026, 3, 3, 9),
                &cal,
            )
            .unwrap();
        p.apply(&e, t(2026, 3, 3, 9));
        assert_eq!(p.handler, Handler::Leader);
        assert!(p.decide(&stp, &answer, t(2026, 3, 3, 10), &cal).is_err(), "no longer the department's");
        let e = p
            .decide(
                &Party::Leader,
                &ProposalAction::ToCentral { note: "cần sửa luật".into() },
                t(2026, 3, 4, 9),
                &cal,
            )
            .unwrap();
        p.apply(&e, t(2026, 3, 4, 9));
        assert!(p.to_central);
        let e = p.decide(&Party::Leader, &answer, t(2026, 3, 5, 9), &cal).unwrap();
        p.apply(&e, t(2026, 3, 5, 9));
        assert_eq!(p.allowed(&commune()), vec!["close", "reopen"]);
    }

    #[test]
    fn forwarding_keeps_the_promised_date_and_reopening_restarts_it() {
        let cal = WorkCalendar::default();
        let (mut p, _) = Proposal::file("20242", "STP", false, t(2026, 3, 2, 9), &cal).unwrap();
        let due = p.due_at;
        let stp = Party::Department("STP".into());
        let same = ProposalAction::Forward { to: "stp".into(), note: "x".into() };
        assert_eq!(p.decide(&stp, &same, t(2026, 3, 3, 9), &cal).unwrap_err().code, "same_department");
        let fwd = ProposalAction::Forward { to: "SNNMT".into(), note: "đất đai".into() };
        let e = p.decide(&stp, &fwd, t(2026, 3, 3, 9), &cal).unwrap();
        p.apply(&e, t(2026, 3, 3, 9));
        assert_eq!((p.handler.code(), p.due_at), ("SNNMT", due));
        let e = p
            .decide(
                &Party::Department("SNNMT".into()),
                &ProposalAction::Answer { body: "a".into() },
                t(2026, 3, 5, 9),
                &cal,
            )
            .unwrap();
        p.apply(&e, t(2026, 3, 5, 9));
        let e = p
            .decide(&commune(), &ProposalAction::Reopen { body: "chưa rõ".into() }, t(2026, 3, 6, 9), &cal)
            .unwrap();
        p.apply(&e, t(2026, 3, 6, 9));
        assert_eq!(p.status, ProposalStatus::Open);
        assert!(p.due_at > due);
    }

    #[test]
    fn overdue_is_flagged_once_per_lapse_and_replay_agrees() {
        let cal = WorkCalendar::default();
        let filed = t(2026, 3, 2, 9);
        let (mut p, first) = Proposal::file("20242", "SNV", true, filed, &cal).unwrap();
        let mut log = vec![(filed, first)];
        let late = p.due_at + chrono::Duration::hours(1);
        assert!(p.decide(&Party::Leader, &ProposalAction::FlagOverdue, p.due_at, &cal).is_err());
        let e = p.decide(&Party::Leader, &ProposalAction::FlagOverdue, late, &cal).unwrap();
        p.apply(&e, late);
        log.push((late, e));
        assert_eq!(
            p.decide(&Party::Leader, &ProposalAction::FlagOverdue, late, &cal).unwrap_err().code,
            "not_overdue"
        );
        let replayed = Proposal::replay("20242", log.iter().map(|(a, e)| (*a, e))).unwrap();
        assert_eq!(replayed, p);
    }
}
