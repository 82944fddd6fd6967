//! Correction of misspelt syllables against a known vocabulary.
//!
//! Symmetric-delete lookup (the SymSpell idea): every known word is indexed under itself and
//! each of its one-letter deletions; a query looks up itself and its own deletions. That finds
//! every word within one insertion, deletion, substitution or adjacent swap in a handful of hash
//! look-ups, where comparing against the whole vocabulary would cost thousands of distance
//! computations per token.

use rustc_hash::FxHashMap;

#[derive(Default, Debug)]
pub struct TypoIndex {
    words: Vec<Box<str>>,
    by_key: FxHashMap<u128, Vec<u32>>,
}

/// Calls `f` with the packed key of each one-letter deletion of `w` (no allocation).
fn deletions(w: &[u8], mut f: impl FnMut(u128)) {
    let mut buf = [0u8; 16];
    if w.len() > 17 {
        return;
    }
    for i in 0..w.len() {
        buf[..i].copy_from_slice(&w[..i]);
        buf[i..w.len() - 1].copy_from_slice(&w[i + 1..]);
        if let Some(k) = crate::pack(&buf[..w.len() - 1]) {
            f(k);
        }
    }
}

impl TypoIndex {
    /// Indexes folded ASCII words; their position in `words` is the id returned by lookups.
    pub fn new<I: IntoIterator<Item = S>, S: AsRef<str>>(words: I) -> Self {
        let mut idx = TypoIndex::default();
        for w in words {
            let id = idx.words.len() as u32;
            let w = w.as_ref();
            idx.words.push(w.into());
            let Some(key) = crate::pack(w.as_bytes()) else { continue };
            idx.by_key.entry(key).or_default().push(id);
            if w.len() >= 2 {
                deletions(w.as_bytes(), |d| {
                    let v = idx.by_key.entry(d).or_default();
                    if v.last() != Some(&id) {
                        v.push(id);
                    }
                });
            }
        }
        idx
    }

    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    /// Ids of the words at distance exactly one from `w` (a folded ASCII word), appended to `out`.
    /// Words of one or two letters only get insertions: "na" → "nam", not "na" → "ha".
    pub fn near(&self, w: &str, out: &mut Vec<u32>) {
        let start = out.len();
        let push = |ids: &[u32], out: &mut Vec<u32>| {
            for &id in ids {
                let cand = &*self.words[id as usize];
                let grows = w.len() > 2 || cand.len() > w.len();
                if grows && !out[start..].contains(&id) && one_edit(cand.as_bytes(), w.as_bytes()) {
                    out.push(id);
                }
            }
        };
        let Some(key) = crate::pack(w.as_bytes()) else { return };
        if let Some(ids) = self.by_key.get(&key) {
            push(ids, out);
        }
        if w.len() <= 2 {
            return;
        }
        deletions(w.as_bytes(), |d| {
            if let Some(ids) = self.by_key.get(&d) {
                push(ids, out);
            }
        });
    }
}

/// Whether `a` and `b` differ by exactly one insertion, deletion, substitution or swap of
/// adjacent letters. The hot path of [`TypoIndex::near`]: no allocation, one pass.
pub fn one_edit(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    match b.len() - a.len() {
        0 if p == a.len() => false,
        0 => {
            a[p + 1..] == b[p + 1..]
                || (p + 1 < a.len() && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..])
        }
        1 => a[p..] == b[p + 1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn one_edit_agrees_with_osa_distance(a in "[a-e]{0,6}", b in "[a-e]{0,6}") {
            prop_assert_eq!(one_edit(a.as_bytes(), b.as_bytes()), crate::typo_distance(&a, &b) == 1);
        }
    }

    fn near(idx: &TypoIndex, w: &str) -> Vec<String> {
        let mut out = vec![];
        idx.near(w, &mut out);
        let mut v: Vec<String> = out.iter().map(|&i| idx.word(i).to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn finds_each_kind_of_single_edit() {
        let idx = TypoIndex::new(["xuong", "thuan", "krong", "vinh", "lam", "nam"]);
        assert_eq!(near(&idx, "xuoong"), ["xuong"]); // insertion
        assert_eq!(near(&idx, "thua"), ["thuan"]); // deletion
        assert_eq!(near(&idx, "tuhan"), ["thuan"]); // swap
        assert_eq!(near(&idx, "krogn"), ["krong"]); // swap at the end
        assert_eq!(near(&idx, "vibh"), ["vinh"]); // substitution
        assert!(near(&idx, "xuong").is_empty()); // itself is not a typo of itself
        assert!(near(&idx, "hanoi").is_empty());
    }

    #[test]
    fn short_words_only_grow() {
        let idx = TypoIndex::new(["nam", "ha", "ma"]);
        assert_eq!(near(&idx, "na"), ["nam"]);
    }
}
