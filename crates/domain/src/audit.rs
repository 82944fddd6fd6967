//! Tamper evidence: every dossier's events form a hash chain, and each day's chain heads are
//! folded into a digest chained to the day before.
//!
//! A changed, removed or reordered event changes every hash after it; a dossier whose chain was
//! rewritten whole still disagrees with the heads sealed in the daily digests. Hashes are
//! lowercase hex SHA-256 over the event's canonical JSON (field order is fixed by the types).

use crate::dossier::Event;
use sha2::{Digest, Sha256};

/// The hash before a dossier's first event (and before the first day's digest).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// The canonical bytes of an event: what is stored and what is hashed.
pub fn canonical(event: &Event) -> String {
    // Serialising these plain types cannot fail.
    serde_json::to_string(event).expect("events serialise")
}

/// The hash of `event` of dossier `code`, chained after `prev`.
pub fn event_hash(prev: &str, code: &str, event: &Event) -> String {
    body_hash(prev, code, canonical(event).as_bytes())
}

/// [`event_hash`] from the canonical bytes, when the caller has them already.
pub fn body_hash(prev: &str, code: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update([0]);
    h.update(code.as_bytes());
    h.update([0]);
    h.update(body);
    hex(&h.finalize())
}

/// Recomputes a chain; returns the sequence number of the first event whose stored hash
/// disagrees (or whose numbering has a gap), or `None` when the whole chain holds.
pub fn first_broken<'a>(code: &str, events: impl IntoIterator<Item = (&'a Event, &'a str)>) -> Option<u32> {
    let mut prev = GENESIS.to_string();
    for (expected_seq, (e, stored)) in (1..).zip(events) {
        if e.seq != expected_seq {
            return Some(expected_seq);
        }
        let h = event_hash(&prev, code, e);
        if h != stored {
            return Some(e.seq);
        }
        prev = h;
    }
    None
}

/// Who a dossier is for and what was filed: what its registration event seals, so that the
/// history vouches for the whole dossier, not only its workflow.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Subject<'a> {
    pub applicant_name: &'a str,
    pub id_number: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub address_text: Option<&'a str>,
    /// The commune the address was resolved to.
    pub address_commune: Option<&'a str>,
    pub procedure_code: &'a str,
    pub procedure_version: i64,
    /// The channel's portal code (KenhThucHien).
    pub channel: u8,
    /// Each filed document's SHA-256, in filing order.
    pub documents: Vec<&'a str>,
}

/// The seal of a [`Subject`]: SHA-256 over a random per-dossier `salt` and the subject's
/// canonical JSON. The event log holds only this digest, never the personal data; the salt
/// lives beside the data in the dossier's row and is erased with it, after which the digest
/// can no longer be tested against guesses of the erased values.
pub fn subject_digest(salt: Option<&str>, subject: &Subject) -> String {
    let mut h = Sha256::new();
    h.update(b"haicap-subject-v1");
    h.update([0]);
    h.update(salt.unwrap_or_default().as_bytes());
    h.update([0]);
    h.update(serde_json::to_string(subject).expect("subjects serialise").as_bytes());
    hex(&h.finalize())
}

/// One dossier's chain head at the end of a day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub code: String,
    pub seq: u32,
    pub hash: String,
}

/// The digest of a day: its heads (sorted by code) chained after the previous day's digest.
pub fn day_digest(prev: &str, day: &str, heads: &[Head]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update([0]);
    h.update(day.as_bytes());
    for head in heads {
        h.update([0]);
        h.update(head.code.as_bytes());
        h.update(head.seq.to_le_bytes());
        h.update(head.hash.as_bytes());
    }
    hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossier::{Dossier, Terms};
    use crate::status::Channel;
    use calendar::{TimeLimit, WorkCalendar};
    use chrono::NaiveDate;

    fn chain(d: &Dossier) -> Vec<String> {
        let mut prev = GENESIS.to_string();
        d.events
            .iter()
            .map(|e| {
                prev = event_hash(&prev, &d.code, e);
                prev.clone()
            })
            .collect()
    }

    fn dossier() -> Dossier {
        let at = NaiveDate::from_ymd_opt(2026, 5, 11).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let terms = Terms { limit: TimeLimit::WorkingDays(3), cutoff: None };
        let mut d = Dossier::register("X-1", Channel::Direct, "20194", terms, at, "officer");
        d.act(&crate::Action::Receive, at, "officer", &WorkCalendar::default()).unwrap();
        d
    }

    #[test]
    fn any_change_breaks_the_chain_at_that_event() {
        let d = dossier();
        let hashes = chain(&d);
        let pairs =
            |evs: &[Event], hs: &[String]| first_broken("X-1", evs.iter().zip(hs.iter().map(|s| s.as_str())));
        assert_eq!(pairs(&d.events, &hashes), None);
        let mut edited = d.events.clone();
        edited[1].actor = "someone else".into();
        assert_eq!(pairs(&edited, &hashes), Some(2));
        let mut noted = d.events.clone();
        noted[0].note = Some("thêm ghi chú".into());
        assert_eq!(pairs(&noted, &hashes), Some(1));
        // A removed middle event shows as a gap in the numbering.
        let removed = [d.events[0].clone(), d.events[2].clone()];
        assert_eq!(pairs(&removed, &[hashes[0].clone(), hashes[2].clone()]), Some(2));
        // The same events under another dossier's code do not verify.
        assert_eq!(first_broken("X-2", d.events.iter().zip(hashes.iter().map(|s| s.as_str()))), Some(1));
    }

    #[test]
    fn digests_depend_on_every_head_and_on_the_day_before() {
        let heads = vec![Head { code: "A".into(), seq: 3, hash: "ab".into() }];
        let d1 = day_digest(GENESIS, "2026-05-11", &heads);
        assert_eq!(d1.len(), 64);
        assert_ne!(d1, day_digest(GENESIS, "2026-05-12", &heads));
        assert_ne!(d1, day_digest(&d1, "2026-05-11", &heads));
        let other = vec![Head { code: "A".into(), seq: 4, hash: "ab".into() }];
        assert_ne!(d1, day_digest(GENESIS, "2026-05-11", &other));
    }
}
