//! The dossiers this process wrote last: the next action on one starts from here instead of
//! reading the database.
//!
//! Two generations, so that a full cache forgets its older half instead of everything: a
//! province's open dossiers are acted on again within days, and a cache emptied at once sends
//! every one of them back to the database (a national trial run refilled its cache from disk
//! every two and a half simulated days that way).

use std::collections::HashMap;
use std::sync::Arc;

type Generation<T> = HashMap<String, Arc<T>>;

/// Records by dossier code.
pub(crate) struct Recent<T> {
    cap: usize,
    young: Generation<T>,
    old: Generation<T>,
}

impl<T> Recent<T> {
    /// At most `cap` records (at least 2).
    pub(crate) fn new(cap: usize) -> Recent<T> {
        Recent { cap: cap.max(2), young: HashMap::new(), old: HashMap::new() }
    }

    /// Keeps `d`; returns the generation it pushed out, for the caller to drop outside its lock.
    #[must_use]
    pub(crate) fn insert(&mut self, code: String, d: Arc<T>) -> Option<Generation<T>> {
        let mut dropped = None;
        if !self.young.contains_key(&code) && self.young.len() >= self.cap / 2 {
            dropped = Some(std::mem::replace(&mut self.old, std::mem::take(&mut self.young)));
        }
        self.old.remove(&code);
        self.young.insert(code, d);
        dropped
    }

    pub(crate) fn get(&self, code: &str) -> Option<Arc<T>> {
        self.young.get(code).or_else(|| self.old.get(code)).cloned()
    }

    pub(crate) fn remove(&mut self, code: &str) {
        self.young.remove(code);
        self.old.remove(code);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(r: &mut Recent<String>, code: &str) -> Option<Generation<String>> {
        r.insert(code.to_string(), Arc::new(code.to_string()))
    }

    #[test]
    fn a_full_cache_forgets_its_older_half_and_keeps_what_was_used_last() {
        let mut r = Recent::new(10);
        for i in 0..10 {
            drop(put(&mut r, &format!("D{i}")));
        }
        assert_eq!(r.len(), 10);
        // The eleventh pushes out the first five, not all ten.
        let dropped = put(&mut r, "D10").expect("a generation goes");
        assert_eq!(dropped.len(), 5);
        assert!(r.get("D0").is_none() && r.get("D4").is_none());
        assert!(r.get("D5").is_some() && r.get("D10").is_some());
        assert!(r.len() <= 10);
        // Written again, an old one moves to the young generation and outlives the next turn.
        drop(put(&mut r, "D5"));
        for i in 11..16 {
            drop(put(&mut r, &format!("D{i}")));
        }
        assert!(r.get("D5").is_some(), "rewritten, so kept");
        assert!(r.get("D6").is_none(), "not touched since, so forgotten");
        r.remove("D5");
        assert!(r.get("D5").is_none());
    }

    #[test]
    fn it_never_holds_more_than_its_capacity() {
        let mut r = Recent::new(7);
        for i in 0..1000 {
            drop(put(&mut r, &format!("D{}", i % 37)));
            assert!(r.len() <= 7, "{} after {i}", r.len());
        }
    }
}
