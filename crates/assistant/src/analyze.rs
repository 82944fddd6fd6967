//! From what a citizen types to the syllables the search compares: chat shorthand and dialect
//! rewritten to standard words, folded (no tones, no marks, `đ` → `d`), `i`/`y` spelt one way,
//! and function words flagged so that they join phrases but never count on their own.

use rustc_hash::{FxHashMap, FxHashSet};
use vi_text::Tokens;

/// The shipped chat and dialect rules (see data/assistant/SOURCE.md).
pub const CHAT_RULES: &str = include_str!("../../../data/assistant/chat.txt");

/// Words that shape a question but do not say what it is about: pronouns, particles, question
/// words, and the verbs every question has ("làm", "cần", "xin"). Folded.
const STOP: &[&str] = &[
    "a", "ai", "anh", "bao", "bay", "ben", "bi", "cac", "can", "chi", "cho", "chu", "co", "con", "cua",
    "cung", "da", "dang", "day", "de", "den", "di", "dieu", "duoc", "em", "gi", "gio", "hay", "hoac", "hoi",
    "khi", "khong", "kieu", "la", "lai", "lam", "len", "luc", "ma", "may", "minh", "muon", "nao", "nay",
    "neu", "nhieu", "nhu", "nhung", "nua", "o", "phai", "ra", "rat", "roi", "sao", "se", "tai", "the", "thi",
    "thu", "toi", "tuc", "va", "vao", "vay", "ve", "voi", "xin", "xong", "u", "ah", "oi", "nhe", "nha",
    "chua", "cai", "chung", "hien", "nhi", "dau", "mot", "cu", "tinh", "tu", "giup", "cach",
];

/// One syllable of an analysed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Syl {
    pub text: String,
    pub stop: bool,
    /// Where the phrase it belongs to ends: no bigram spans a comma or the gap between aliases.
    pub phrase: u32,
}

/// Rewrites and folds text; built once, shared by the index and every question.
#[derive(Debug)]
pub struct Analyzer {
    /// Rules for syllables typed with marks, keyed by their tone-canonical form.
    marked: FxHashMap<String, Vec<String>>,
    /// Rules for syllables typed without marks, keyed by the plain form.
    plain: FxHashMap<String, Vec<String>>,
    stop: FxHashSet<&'static str>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new(CHAT_RULES)
    }
}

/// `ky`, `ki` and `kí` are one syllable spelt two ways (đăng ký / đăng kí, lý / lí): after a
/// consonant, a final `y` is written `i`.
fn canonical_iy(mut s: String) -> String {
    let b = s.as_bytes();
    if b.len() >= 2 && b[b.len() - 1] == b'y' && !b"aeiouy".contains(&b[b.len() - 2]) {
        s.pop();
        s.push('i');
    }
    s
}

impl Analyzer {
    pub fn new(rules: &str) -> Analyzer {
        let mut marked = FxHashMap::default();
        let mut plain = FxHashMap::default();
        let mut toks = Tokens::default();
        for line in rules.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((from, to)) = line.split_once('=') else { continue };
            let from = from.trim().to_lowercase();
            toks.tokenize(to.trim());
            let to: Vec<String> = toks.iter().map(|t| canonical_iy(toks.plain(t).to_string())).collect();
            let folded = vi_text::fold(&from);
            if folded == from {
                plain.insert(from, to);
            } else {
                marked.insert(vi_text::tone_key(&from), to);
            }
        }
        Analyzer { marked, plain, stop: STOP.iter().copied().collect() }
    }

    pub fn is_stop(&self, folded: &str) -> bool {
        self.stop.contains(folded)
    }

    /// The analysed syllables of `text`. Commas, full stops and the like end a phrase.
    pub fn syllables(&self, text: &str) -> Vec<Syl> {
        let mut toks = Tokens::default();
        toks.tokenize(text);
        let mut out = Vec::with_capacity(toks.len());
        let mut phrase = 0u32;
        for t in toks.iter() {
            if t.sep >= vi_text::Sep::Hard && !out.is_empty() {
                phrase += 1;
            }
            let plain = toks.plain(t);
            let rule = if t.marked { self.marked.get(toks.toned(t)) } else { self.plain.get(plain) };
            match rule {
                Some(words) => {
                    for w in words {
                        out.push(Syl { stop: self.is_stop(w), text: w.clone(), phrase });
                    }
                }
                None => {
                    let text = canonical_iy(plain.to_string());
                    out.push(Syl { stop: self.is_stop(&text), text, phrase });
                }
            }
        }
        out
    }

    /// The analysed syllables as plain words, for tests and matching triggers.
    pub fn words(&self, text: &str) -> Vec<String> {
        self.syllables(text).into_iter().map(|s| s.text).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_and_dialect_become_standard_words() {
        let a = Analyzer::default();
        assert_eq!(a.words("Mần giấy tờ ở đâu dzậy ad"), ["lam", "giay", "to", "o", "dau", "vay"]);
        assert_eq!(a.words("dc ko"), ["duoc", "khong"]);
        assert_eq!(a.words("làm khai sanh"), ["lam", "khai", "sinh"]);
        assert_eq!(a.words("đăng kí kết hôn"), a.words("dang ky ket hon"));
    }

    #[test]
    fn marked_rules_do_not_fire_on_other_spellings() {
        let a = Analyzer::default();
        // "hông" (không, southern) is rewritten; "hong" typed plainly is too; "hồng" is not.
        assert_eq!(a.words("hông"), ["khong"]);
        assert_eq!(a.words("sổ hồng"), ["so", "hong"]);
    }

    #[test]
    fn function_words_are_flagged_and_commas_end_phrases() {
        let a = Analyzer::default();
        let s = a.syllables("khai sinh, ở đâu");
        assert!(!s[0].stop && !s[1].stop);
        assert!(s[2].stop && s[3].stop);
        assert_eq!((s[1].phrase, s[2].phrase), (0, 1));
    }
}
