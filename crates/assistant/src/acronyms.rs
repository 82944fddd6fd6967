//! The abbreviations the catalog writes ("TNLĐ", "BHXH", "GTGT", "UBND"), learnt from the
//! catalog's own texts, so that "tai nạn lao động" finds "chế độ TNLĐ" and "BHXH" finds
//! "bảo hiểm xã hội". An abbreviation stands for the words whose initials it spells: where a
//! text defines it ("giá trị gia tăng (GTGT)") that counts most; otherwise the run of words
//! with those initials most often written in the texts that write the abbreviation, if it
//! clearly dominates the others ("hợp tác xã" for HTX). Two-letter abbreviations are left
//! alone: too many words share two initials (QĐ is "quyết định" and "quy định"); so is a
//! "word" also written in lower case ("BOT", "bot").

use crate::analyze::{Analyzer, Syl};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use vi_text::Tokens;

const MIN_LEN: usize = 3;
const MAX_LEN: usize = 7;
/// What a definition in the text ("… (GTGT)") counts, against one run of matching initials.
const DEFINED: u32 = 10;
/// How many times the best reading must outweigh the next.
const DOMINANCE: u32 = 2;

/// Folded abbreviation → the folded words it stands for.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Acronyms {
    map: FxHashMap<String, Vec<String>>,
}

/// Whether an original token is written as an abbreviation: capitals only, of a usable length,
/// and not a Roman numeral ("XIII").
fn is_abbreviation(original: &str) -> bool {
    let n = original.chars().count();
    (MIN_LEN..=MAX_LEN).contains(&n)
        && original.chars().all(char::is_uppercase)
        && !original.chars().all(|c| "IVXLCDM".contains(c))
}

fn initials(words: &[String]) -> String {
    words.iter().filter_map(|w| w.chars().next()).collect()
}

impl Acronyms {
    /// Learns the abbreviations of `texts` and what they stand for.
    pub fn learn<'a>(texts: impl Iterator<Item = &'a str> + Clone) -> Acronyms {
        let mut toks = Tokens::default();
        // The abbreviations written, by their folded form.
        let mut keys: FxHashMap<String, ()> = FxHashMap::default();
        // Plain words also written in lower case ("bot", "tem", "can") are words, not
        // abbreviations.
        let mut lower: rustc_hash::FxHashSet<String> = Default::default();
        for text in texts.clone() {
            toks.tokenize(text);
            for t in toks.iter() {
                let original = &text[t.start as usize..t.end as usize];
                if is_abbreviation(original) {
                    keys.insert(toks.plain(t).to_string(), ());
                } else if original.chars().all(char::is_lowercase) {
                    lower.insert(toks.plain(t).to_string());
                }
            }
        }
        keys.retain(|k, _| !lower.contains(k));
        if keys.is_empty() {
            return Acronyms::default();
        }
        let mut votes: FxHashMap<String, FxHashMap<Vec<String>, u32>> = FxHashMap::default();
        for text in texts {
            toks.tokenize(text);
            // Only a text that writes an abbreviation votes on what it stands for: the reading
            // is written near the abbreviation, not anywhere in the catalog.
            let written: rustc_hash::FxHashSet<String> = toks
                .iter()
                .filter(|t| is_abbreviation(&text[t.start as usize..t.end as usize]))
                .map(|t| toks.plain(t).to_string())
                .filter(|p| keys.contains_key(p))
                .collect();
            if written.is_empty() {
                continue;
            }
            // Words as runs: a number or an abbreviation breaks a run.
            let mut run: Vec<String> = vec![];
            let list: Vec<_> = toks.iter().collect();
            for (i, t) in list.iter().enumerate() {
                let original = &text[t.start as usize..t.end as usize];
                let plain = toks.plain(t).to_string();
                if is_abbreviation(original) && keys.contains_key(&plain) {
                    // Defined in place: "giá trị gia tăng (GTGT)".
                    let from = if i == 0 { 0 } else { list[i - 1].end as usize };
                    let n = plain.chars().count();
                    if text[from..t.start as usize].contains('(') && run.len() >= n {
                        let words = run[run.len() - n..].to_vec();
                        if initials(&words) == plain {
                            *votes.entry(plain.clone()).or_default().entry(words).or_default() += DEFINED;
                        }
                    }
                }
                if t.sep >= vi_text::Sep::Hard {
                    // Initials do not run across a comma or a full stop.
                    run.clear();
                }
                if t.numeric || is_abbreviation(original) {
                    run.clear();
                    continue;
                }
                run.push(plain);
                for n in MIN_LEN..=MAX_LEN.min(run.len()) {
                    let words = &run[run.len() - n..];
                    let key = initials(words);
                    if written.contains(&key) {
                        *votes.entry(key).or_default().entry(words.to_vec()).or_default() += 1;
                    }
                }
            }
        }
        let mut map = FxHashMap::default();
        for (key, readings) in votes {
            let mut ranked: Vec<(Vec<String>, u32)> = readings.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let best = ranked[0].1;
            let next = ranked.get(1).map_or(0, |r| r.1);
            if best >= 2 && best >= DOMINANCE * next {
                map.insert(key, ranked.swap_remove(0).0);
            }
        }
        Acronyms { map }
    }

    /// What a folded abbreviation stands for.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.map.get(key).map(Vec::as_slice)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// `syls` with the words each abbreviation stands for written after it, in its phrase.
    pub fn expand(&self, syls: Vec<Syl>, analyzer: &Analyzer) -> Vec<Syl> {
        if self.map.is_empty() || !syls.iter().any(|s| self.map.contains_key(&s.text)) {
            return syls;
        }
        let mut out = Vec::with_capacity(syls.len() + 8);
        for s in syls {
            let words = self.map.get(&s.text).cloned();
            let phrase = s.phrase;
            out.push(s);
            for w in words.into_iter().flatten() {
                out.push(Syl { stop: analyzer.is_stop(&w), text: w, phrase });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn an_abbreviation_stands_for_the_words_its_initials_spell_most_often() {
        let texts = [
            "Hồ sơ hưởng chế độ TNLĐ: biên bản điều tra tai nạn lao động; tai nạn lao động",
            "Thuế giá trị gia tăng (GTGT) được hoàn",
            // HTX: "hợp tác xã" three times against one "hệ thống xử…".
            "Đăng ký HTX. Hợp tác xã, hợp tác xã, hợp tác xã; hệ thống xử lý",
            // NNT: two readings as often as each other: none.
            "NNT: người nộp thuế; nước ngoài tổ chức; người nộp thuế, nước ngoài tổ",
            // Two letters and Roman numerals are not learnt.
            "QĐ quyết định quy định; hạng III: in in in",
            // A reading only where the abbreviation is written: nothing for BHXH here.
            "BHXH tỉnh",
            "bảo hiểm xã hội; bảo hiểm xã hội",
            // A word also written in lower case is a word: "BOT", "bay ở trạng…".
            "hợp đồng BOT; bay ở trạng thái; bay ở trạng thái; bot",
        ];
        let a = Acronyms::learn(texts.iter().copied());
        assert_eq!(a.get("tnld"), Some(words("tai nan lao dong").as_slice()));
        // Defined once in place, against no other reading.
        assert_eq!(a.get("gtgt"), Some(words("gia tri gia tang").as_slice()));
        assert_eq!(a.get("htx"), Some(words("hop tac xa").as_slice()));
        for unknown in ["nnt", "qd", "iii", "bhxh", "bot"] {
            assert_eq!(a.get(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn a_definition_outweighs_a_more_common_run_of_the_same_initials() {
        let texts = [
            "giấy tờ gồm tên; giấy tờ gồm tên; giấy tờ gồm tên",
            "khấu trừ thuế giá trị gia tăng (GTGT) và GTGT đầu vào",
        ];
        let a = Acronyms::learn(texts.iter().copied());
        assert_eq!(a.get("gtgt"), Some(words("gia tri gia tang").as_slice()));
    }

    #[test]
    fn expansion_follows_the_abbreviation_in_its_phrase() {
        let a = Acronyms::learn(["chế độ TNLĐ: tai nạn lao động, tai nạn lao động"].into_iter());
        let an = Analyzer::default();
        let out: Vec<String> =
            a.expand(an.syllables("hưởng TNLĐ, ốm đau"), &an).into_iter().map(|s| s.text).collect();
        assert_eq!(out, words("huong tnld tai nan lao dong om dau"));
    }
}
