//! The rule by which one tier takes a dossier's history from another (a commune's node pushing
//! to its province, a province to the nation): a run of events, each with the hash its writer
//! chained it with, is checked against the chain the receiver holds. Keyed by the dossier's
//! code and the event's sequence number, so that a delivery repeated is applied once; checked
//! against the hashes, so that an event changed, dropped or moved on the way is refused and
//! named, and so is a writer whose history forked from what the receiver already holds (a
//! node restored from an old backup that went on writing). Times are the events' own: order
//! is the sequence, whatever the clocks said.

use crate::audit::{event_hash, GENESIS};
use crate::dossier::Event;
use errors::Code;

/// One event as its writer sent it, with the hash it chained it with.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pushed {
    pub event: Event,
    pub hash: String,
}

/// Why a run of events is refused; nothing of the run is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The run's sequence numbers are not consecutive: an event missing or moved within it.
    OutOfOrder { seq: u32, expected: u32 },
    /// The run starts after the receiver's head: the events between were never delivered.
    Gap { seq: u32, expected: u32 },
    /// The event's hash is not the hash of its content after the one before: changed on the
    /// way (or by its writer after it was chained).
    Tampered { seq: u32 },
    /// The receiver holds another event at this sequence number: the writer's history
    /// diverged from what it already sent (restored from an old backup and written again).
    Fork { seq: u32 },
}

impl Refusal {
    pub fn code(&self) -> Code {
        match self {
            Refusal::OutOfOrder { .. } => Code::ReplicationOrder,
            Refusal::Gap { .. } => Code::ReplicationGap,
            Refusal::Tampered { .. } => Code::ReplicationTampered,
            Refusal::Fork { .. } => Code::ReplicationFork,
        }
    }

    /// What is wrong, in Vietnamese, naming the dossier and the event.
    pub fn message(&self, code: &str) -> String {
        match self {
            Refusal::OutOfOrder { seq, expected } => format!(
                "hồ sơ {code}: sự kiện số {seq} đến khi đang chờ số {expected} (thiếu hoặc sai thứ tự)"
            ),
            Refusal::Gap { seq, expected } => {
                format!("hồ sơ {code}: nhận từ sự kiện số {seq} nhưng mới có đến số {}", expected - 1)
            }
            Refusal::Tampered { seq } => {
                format!("hồ sơ {code}: sự kiện số {seq} không khớp mã băm của chuỗi (đã bị sửa)")
            }
            Refusal::Fork { seq } => format!(
                "hồ sơ {code}: sự kiện số {seq} khác sự kiện đã nhận trước đó (lịch sử bị rẽ nhánh, có thể do khôi phục bản sao lưu cũ)"
            ),
        }
    }
}

/// Checks a run of `code`'s events against the chain the receiver holds (`held`: the hashes of
/// its events 1, 2, … in order). Returns how many of the run the receiver holds already (the
/// rest are to be appended, in order), or why the whole run is refused.
pub fn admit(code: &str, held: &[String], run: &[Pushed]) -> Result<usize, Refusal> {
    let Some(first) = run.first() else { return Ok(0) };
    let start = first.event.seq;
    for (p, expected) in run.iter().zip(start..) {
        if p.event.seq != expected || expected == 0 {
            return Err(Refusal::OutOfOrder { seq: p.event.seq, expected: expected.max(1) });
        }
    }
    let head = held.len() as u32;
    if start > head + 1 {
        return Err(Refusal::Gap { seq: start, expected: head + 1 });
    }
    let mut prev = if start == 1 { GENESIS } else { held[start as usize - 2].as_str() };
    let mut known = 0;
    for p in run {
        if event_hash(prev, code, &p.event) != p.hash {
            return Err(Refusal::Tampered { seq: p.event.seq });
        }
        if let Some(mine) = held.get(p.event.seq as usize - 1) {
            if *mine != p.hash {
                return Err(Refusal::Fork { seq: p.event.seq });
            }
            known += 1;
        }
        prev = &p.hash;
    }
    Ok(known)
}

/// `events` with the hashes their chain gives them: what a writer sends.
pub fn chained(code: &str, events: &[Event]) -> Vec<Pushed> {
    let mut prev = GENESIS.to_string();
    events
        .iter()
        .map(|e| {
            prev = event_hash(&prev, code, e);
            Pushed { event: e.clone(), hash: prev.clone() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::{Action, Dossier, Terms};
    use crate::status::Channel;
    use calendar::{TimeLimit, WorkCalendar};
    use chrono::NaiveDate;

    fn history() -> Vec<Event> {
        let at = |d, h| NaiveDate::from_ymd_opt(2026, 5, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let cal = WorkCalendar::default();
        let terms = Terms { limit: TimeLimit::WorkingDays(5), cutoff: None };
        let mut d = Dossier::register("N-1", Channel::Direct, "UBND xã A", terms, at(4, 8), "motcua");
        d.act(&Action::Receive, at(4, 8), "motcua", &cal).unwrap();
        d.act(&Action::Assign { to: "xuly".into() }, at(4, 9), "chutich", &cal).unwrap();
        d.act(&Action::Approve, at(5, 9), "chutich", &cal).unwrap();
        d.act(&Action::ReturnResult, at(6, 8), "motcua", &cal).unwrap();
        d.events
    }

    fn hashes(run: &[Pushed]) -> Vec<String> {
        run.iter().map(|p| p.hash.clone()).collect()
    }

    #[test]
    fn a_run_is_taken_after_what_is_held_and_a_repeat_changes_nothing() {
        let run = chained("N-1", &history());
        assert_eq!(admit("N-1", &[], &run), Ok(0), "all new");
        let held = hashes(&run[..2]);
        assert_eq!(admit("N-1", &held, &run), Ok(2), "the first two held, the rest new");
        assert_eq!(admit("N-1", &held, &run[2..]), Ok(0), "a run after the head");
        assert_eq!(admit("N-1", &hashes(&run), &run[1..3]), Ok(2), "delivered again: nothing new");
        assert_eq!(admit("N-1", &[], &[]), Ok(0));
    }

    #[test]
    fn a_gap_a_reorder_a_change_and_a_fork_are_refused_and_named() {
        let run = chained("N-1", &history());
        let held = hashes(&run[..1]);
        assert_eq!(admit("N-1", &held, &run[2..]), Err(Refusal::Gap { seq: 3, expected: 2 }));
        let swapped = vec![run[0].clone(), run[2].clone(), run[1].clone()];
        assert_eq!(admit("N-1", &[], &swapped), Err(Refusal::OutOfOrder { seq: 3, expected: 2 }));
        // The content changed on the way: its hash no longer follows.
        let mut changed = run.clone();
        changed[3].event.actor = "ai-do".into();
        assert_eq!(admit("N-1", &held, &changed), Err(Refusal::Tampered { seq: 4 }));
        // The same events under another dossier's code do not chain either.
        assert_eq!(admit("N-2", &[], &run), Err(Refusal::Tampered { seq: 1 }));
        // A writer restored from an old backup wrote its own event 3: well chained, but not
        // the event 3 the receiver holds.
        let mut other = history();
        other.truncate(2);
        let mut d = Dossier::replay(&other).unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 5, 7).unwrap().and_hms_opt(9, 0, 0).unwrap();
        d.act(&Action::Assign { to: "nguoikhac".into() }, at, "chutich", &WorkCalendar::default()).unwrap();
        let forked = chained("N-1", &d.events);
        assert_eq!(admit("N-1", &hashes(&run), &forked[1..]), Err(Refusal::Fork { seq: 3 }));
        assert!(Refusal::Fork { seq: 3 }.message("N-1").contains("sự kiện số 3"));
    }
}
