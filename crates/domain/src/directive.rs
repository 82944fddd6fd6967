//! The province's directives and tasks (chỉ đạo, nhiệm vụ) to its communes: each commune
//! reports progress until it reports the task done; a task not done by its date is late.

use crate::dossier::DomainError;
use chrono::{NaiveDate, NaiveDateTime};
use errors::Code;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Nothing reported yet.
    Assigned,
    InProgress,
    Done,
}

impl TaskStatus {
    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::Assigned => "assigned",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Assigned => "Chưa báo cáo",
            TaskStatus::InProgress => "Đang thực hiện",
            TaskStatus::Done => "Hoàn thành",
        }
    }

    pub fn parse(code: &str) -> Option<TaskStatus> {
        [TaskStatus::Assigned, TaskStatus::InProgress, TaskStatus::Done]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// Where a commune's task stands against its date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Timeliness {
    OnTrack,
    Late,
    DoneOnTime,
    DoneLate,
}

impl Timeliness {
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::OnTrack => "Trong hạn",
            Timeliness::Late => "Quá hạn",
            Timeliness::DoneOnTime => "Hoàn thành đúng hạn",
            Timeliness::DoneLate => "Hoàn thành quá hạn",
        }
    }

    pub fn is_late(self) -> bool {
        matches!(self, Timeliness::Late | Timeliness::DoneLate)
    }
}

/// A task is due by the end of its date (Vietnam time).
pub fn timeliness(
    status: TaskStatus,
    due: NaiveDate,
    done_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Timeliness {
    match (status, done_at) {
        (TaskStatus::Done, Some(at)) if at.date() <= due => Timeliness::DoneOnTime,
        (TaskStatus::Done, _) => Timeliness::DoneLate,
        _ if now.date() > due => Timeliness::Late,
        _ => Timeliness::OnTrack,
    }
}

/// A commune's report: the status it moves to. A finished task takes no more reports, and a
/// report says either progress or completion.
pub fn report(current: TaskStatus, reported: &str) -> Result<TaskStatus, DomainError> {
    let next = match reported.trim() {
        "in_progress" => TaskStatus::InProgress,
        "done" => TaskStatus::Done,
        other => {
            return Err(DomainError {
                code: Code::InvalidReportStatus,
                message: format!("trạng thái báo cáo \"{other}\" không hợp lệ: dùng in_progress hoặc done"),
                allowed: vec!["in_progress", "done"],
            })
        }
    };
    if current == TaskStatus::Done {
        return Err(DomainError {
            code: Code::TaskDone,
            message: "xã đã báo cáo hoàn thành nhiệm vụ này".into(),
            allowed: vec![],
        });
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn late_after_the_due_date_and_done_stays_done() {
        let noon = |d| day(d).and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(timeliness(TaskStatus::Assigned, day(10), None, noon(10)), Timeliness::OnTrack);
        assert_eq!(timeliness(TaskStatus::InProgress, day(10), None, noon(11)), Timeliness::Late);
        assert_eq!(timeliness(TaskStatus::Done, day(10), Some(noon(10)), noon(20)), Timeliness::DoneOnTime);
        assert_eq!(timeliness(TaskStatus::Done, day(10), Some(noon(11)), noon(20)), Timeliness::DoneLate);
        assert_eq!(report(TaskStatus::Assigned, "done"), Ok(TaskStatus::Done));
        assert_eq!(report(TaskStatus::InProgress, "in_progress"), Ok(TaskStatus::InProgress));
        assert_eq!(report(TaskStatus::Done, "in_progress").unwrap_err().code, "task_done");
        assert_eq!(report(TaskStatus::Assigned, "assigned").unwrap_err().code, "invalid_report_status");
    }
}
