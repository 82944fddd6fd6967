//! What each event adds to the statistics: dashboards read these counters, not the events.

use crate::dossier::{Dossier, Event, EventKind, Verdict};
use chrono::NaiveDate;

/// The counters kept per unit, procedure, day and channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Counter {
    Registered,
    Received,
    Refused,
    SupplementRequested,
    Extended,
    Transferred,
    ResolvedEarly,
    ResolvedOnTime,
    ResolvedLate,
    Returned,
    Withdrawn,
    Stopped,
    /// A dossier registered with documents filed electronically (on its registration day).
    Digitised,
    /// A citizen's rating (on the day it was given), and whether it was 4 or 5 of 5.
    Rated,
    Satisfied,
}

pub const ALL_COUNTERS: [Counter; 15] = [
    Counter::Registered,
    Counter::Received,
    Counter::Refused,
    Counter::SupplementRequested,
    Counter::Extended,
    Counter::Transferred,
    Counter::ResolvedEarly,
    Counter::ResolvedOnTime,
    Counter::ResolvedLate,
    Counter::Returned,
    Counter::Withdrawn,
    Counter::Stopped,
    Counter::Digitised,
    Counter::Rated,
    Counter::Satisfied,
];

impl Counter {
    /// Column name in the statistics table.
    pub fn column(self) -> &'static str {
        match self {
            Counter::Registered => "registered",
            Counter::Received => "received",
            Counter::Refused => "refused",
            Counter::SupplementRequested => "supplement_requested",
            Counter::Extended => "extended",
            Counter::Transferred => "transferred",
            Counter::ResolvedEarly => "resolved_early",
            Counter::ResolvedOnTime => "resolved_on_time",
            Counter::ResolvedLate => "resolved_late",
            Counter::Returned => "returned",
            Counter::Withdrawn => "withdrawn",
            Counter::Stopped => "stopped",
            Counter::Digitised => "digitised",
            Counter::Rated => "rated",
            Counter::Satisfied => "satisfied",
        }
    }

    pub fn index(self) -> usize {
        ALL_COUNTERS.iter().position(|c| *c == self).expect("listed")
    }
}

/// The counters a citizen's rating (1 to 5) adds on the day it was given: rated, and
/// satisfied for a 4 or a 5.
pub fn rating_deltas(score: u8, day: NaiveDate) -> Vec<(NaiveDate, Counter)> {
    let mut deltas = vec![(day, Counter::Rated)];
    if score >= 4 {
        deltas.push((day, Counter::Satisfied));
    }
    deltas
}

/// The counters `new` events add, each on the day it happened. `after` is the dossier with the
/// events applied (a resolution's verdict needs its due date).
pub fn deltas(after: &Dossier, new: &[Event]) -> Vec<(NaiveDate, Counter)> {
    new.iter()
        .filter_map(|e| {
            let c = match &e.kind {
                EventKind::Registered { .. } => Counter::Registered,
                EventKind::Received => Counter::Received,
                EventKind::Refused { .. } => Counter::Refused,
                EventKind::SupplementRequested { .. } => Counter::SupplementRequested,
                EventKind::Extended { .. } => Counter::Extended,
                EventKind::Transferred { .. } => Counter::Transferred,
                EventKind::Approved | EventKind::Denied { .. } => match after.verdict()? {
                    Verdict::Early => Counter::ResolvedEarly,
                    Verdict::OnTime => Counter::ResolvedOnTime,
                    Verdict::Late => Counter::ResolvedLate,
                },
                EventKind::ResultReturned => Counter::Returned,
                EventKind::Withdrawn { .. } => Counter::Withdrawn,
                EventKind::Stopped { .. } => Counter::Stopped,
                EventKind::SupplementReceived
                | EventKind::PaymentRequested { .. }
                | EventKind::PaymentReceived
                | EventKind::Assigned { .. }
                | EventKind::DueChanged { .. }
                | EventKind::Proposed { .. }
                | EventKind::ExtensionDrafted { .. }
                | EventKind::ApplicantCorrected { .. }
                | EventKind::ResultSigned { .. }
                | EventKind::ResultSealed { .. }
                | EventKind::ApologySigned { .. }
                | EventKind::PersonalDataErased { .. } => return None,
            };
            Some((e.at.date(), c))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::{Action, Terms};
    use crate::status::Channel;
    use calendar::{TimeLimit, WorkCalendar};

    #[test]
    fn a_rating_counts_rated_and_satisfied_from_four() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(rating_deltas(3, day), [(day, Counter::Rated)]);
        assert_eq!(rating_deltas(4, day), [(day, Counter::Rated), (day, Counter::Satisfied)]);
    }

    #[test]
    fn a_late_resolution_counts_as_late_on_its_day() {
        let cal = WorkCalendar::default();
        let at = |d: u32, h: u32| NaiveDate::from_ymd_opt(2026, 5, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let terms = Terms { limit: TimeLimit::WorkingDays(1), cutoff: None };
        let mut d = Dossier::register("X", Channel::Direct, "20194", terms, at(11, 8), "o");
        let n = d.act(&Action::Receive, at(11, 8), "o", &cal).unwrap().len();
        assert_eq!(deltas(&d, &d.events[d.events.len() - n..]), vec![(at(11, 0).date(), Counter::Received)]);
        let n = d.act(&Action::Approve, at(14, 9), "o", &cal).unwrap().len();
        assert_eq!(
            deltas(&d, &d.events[d.events.len() - n..]),
            vec![(at(14, 0).date(), Counter::ResolvedLate)]
        );
        assert_eq!(ALL_COUNTERS.iter().map(|c| c.index()).collect::<Vec<_>>(), (0..15).collect::<Vec<_>>());
    }
}
