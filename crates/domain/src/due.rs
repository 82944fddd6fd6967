//! Where a dossier stands against its due date: the one rule the work queue, the dossier page,
//! the alerts and the domain share. A dossier counts time while it is in progress and not
//! waiting for the citizen (Decree 118/2025: the time spent supplementing is not counted); it
//! is overdue past its due date, and near due when the due date falls before the end of the
//! next working day (the alert gives its officer that working day to act).

use crate::status::Status;
use calendar::WorkCalendar;
use chrono::{Duration, NaiveDateTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DueState {
    /// Finished, waiting for the citizen, or without a due date: no clock runs.
    NotCounting,
    OnTrack,
    /// Due before the end of the next working day.
    NearDue,
    Overdue,
}

/// The statuses in which a dossier's clock runs: received (so its due date is set) and
/// neither finished nor waiting for the citizen. No dossier in them has a finish time, so SQL
/// reads the rule from the status alone ([`overdue_sql`]).
pub const CLOCK_RUNS_IN: [Status; 2] = [Status::Received, Status::Processing];

/// The statuses in which the office waits for the citizen, the clock stopped.
pub const CLOCK_STOPPED_IN: [Status; 2] = [Status::SupplementRequested, Status::PaymentRequested];

/// Whether the dossier's clock runs.
pub fn counts_time(status: Status, finished_at: Option<NaiveDateTime>) -> bool {
    CLOCK_RUNS_IN.contains(&status) && finished_at.is_none()
}

/// Whether a dossier is past its due date with its clock running.
pub fn is_overdue(
    status: Status,
    finished_at: Option<NaiveDateTime>,
    due_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    counts_time(status, finished_at) && due_at.is_some_and(|due| now > due)
}

/// The overdue rule as a condition on a row of `dossiers` (`now`: the placeholder of the
/// moment): what the dashboard, the figures, the alerts, the workload and the lists count.
pub fn overdue_sql(now: &str) -> String {
    format!("status IN ({}) AND due_at < {now}", Status::sql_list(&CLOCK_RUNS_IN))
}

/// The moment before which a due date is near at `now`: the end of the next working day.
pub fn near_due_horizon(calendar: &WorkCalendar, now: NaiveDateTime) -> NaiveDateTime {
    let next = calendar.next_working_day(now.date(), &mut vec![]).unwrap_or(now.date() + Duration::days(1));
    (next + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or(now)
}

/// Where a dossier stands at `now`, given the horizon of [`near_due_horizon`].
pub fn due_state(
    status: Status,
    finished_at: Option<NaiveDateTime>,
    due_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
    horizon: NaiveDateTime,
) -> DueState {
    match due_at {
        Some(due) if counts_time(status, finished_at) => {
            if now > due {
                DueState::Overdue
            } else if due < horizon {
                DueState::NearDue
            } else {
                DueState::OnTrack
            }
        }
        _ => DueState::NotCounting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn near_due_means_by_the_end_of_the_next_working_day() {
        let cal = WorkCalendar::default();
        // Friday 4 December 2026, 10:00: the next working day is Monday 7 December.
        let now = at(2026, 12, 4, 10);
        let horizon = near_due_horizon(&cal, now);
        assert_eq!(horizon, at(2026, 12, 8, 0));
        let state = |due| due_state(Status::Processing, None, Some(due), now, horizon);
        assert_eq!(state(at(2026, 12, 4, 9)), DueState::Overdue);
        assert_eq!(state(at(2026, 12, 7, 17)), DueState::NearDue, "Monday's end is within reach");
        assert_eq!(state(at(2026, 12, 8, 8)), DueState::OnTrack, "more than a working day ahead");
        // No clock while the citizen supplements, or once finished.
        let waiting = due_state(Status::SupplementRequested, None, Some(at(2026, 12, 1, 0)), now, horizon);
        assert_eq!(waiting, DueState::NotCounting);
        let returned = due_state(Status::Returned, Some(now), Some(at(2026, 12, 1, 0)), now, horizon);
        assert_eq!(returned, DueState::NotCounting);
    }

    #[test]
    fn the_clock_runs_only_while_the_office_works_on_a_dossier() {
        for s in crate::status::ALL_STATUSES {
            let runs = counts_time(s, None);
            assert!(!(runs && (s.is_final() || s.waits_for_citizen())), "{s:?}");
            assert_eq!(CLOCK_STOPPED_IN.contains(&s), s.waits_for_citizen(), "{s:?}");
        }
        // Not before it is received, nor once it is resolved.
        assert!(!counts_time(Status::Registered, None) && !counts_time(Status::Resolved, None));
        assert!(!counts_time(Status::Processing, Some(at(2026, 5, 4, 9))));
        assert_eq!(overdue_sql("$1"), "status IN (2, 4) AND due_at < $1");
    }
}
