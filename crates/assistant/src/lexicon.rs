//! Everyday words mapped to the catalog's vocabulary: a citizen writes "sổ đỏ", "mới sinh" or
//! "độc thân"; the catalog says "giấy chứng nhận quyền sử dụng đất", "khai sinh", "tình trạng
//! hôn nhân". A question that contains a trigger gains the expansion's words.

use crate::analyze::Analyzer;

/// The shipped lexicon (see data/assistant/SOURCE.md).
pub const LEXICON: &str = include_str!("../../../data/assistant/lexicon.txt");
/// Matters outside the catalog and where they belong (same format, the right side kept as text).
pub const OUTSIDE: &str = include_str!("../../../data/assistant/outside.txt");
/// Using the online service (an account, paying online, a dossier sent back…), same format.
pub const SERVICE: &str = include_str!("../../../data/assistant/service.txt");

/// How far (in syllables) the second part of an `a … b` trigger may follow the first.
const GAP: usize = 4;

#[derive(Debug)]
struct Rule {
    first: Vec<String>,
    /// Empty for a plain phrase.
    second: Vec<String>,
    expansion: Vec<String>,
    text: String,
}

#[derive(Debug, Default)]
pub struct Lexicon {
    rules: Vec<Rule>,
}

fn find(words: &[String], phrase: &[String], from: usize) -> Option<usize> {
    if phrase.is_empty() || words.len() < phrase.len() {
        return None;
    }
    (from..=words.len() - phrase.len()).find(|&i| words[i..i + phrase.len()] == *phrase)
}

impl Lexicon {
    pub fn new(text: &str, analyzer: &Analyzer) -> Lexicon {
        let mut rules = vec![];
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((trigger, expansion)) = line.split_once("=>") else { continue };
            let (first, second) = match trigger.split_once('…') {
                Some((a, b)) => (analyzer.words(a), analyzer.words(b)),
                None => (analyzer.words(trigger), vec![]),
            };
            if first.is_empty() {
                continue;
            }
            rules.push(Rule {
                first,
                second,
                expansion: analyzer.words(expansion),
                text: expansion.trim().to_string(),
            });
        }
        Lexicon { rules }
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The first rule whose trigger occurs, as a whole word, in one of `readings` (one question
    /// read several ways, of the same length: as corrected, as typed): its trigger's syllables
    /// and its text. `joined(end)` says whether the syllable at `end` continues the word the
    /// trigger's last syllable begins ("mất điện" in "mất điện thoại"): then it does not count.
    pub fn first_text(
        &self,
        readings: &[&[String]],
        joined: impl Fn(usize) -> bool,
    ) -> Option<(Vec<String>, &str)> {
        self.rules
            .iter()
            .find(|r| {
                readings
                    .iter()
                    .any(|words| r.ends_in(words).into_iter().any(|end| end == words.len() || !joined(end)))
            })
            .map(|r| (r.first.iter().chain(&r.second).cloned().collect(), r.text.as_str()))
    }

    /// What the rule for exactly `trigger` (a plain phrase) lends, if there is one.
    pub fn lends(&self, trigger: &[String]) -> Option<&[String]> {
        self.rules.iter().find(|r| r.second.is_empty() && r.first == trigger).map(|r| r.expansion.as_slice())
    }

    /// The expansions of the rules whose triggers occur in `words` (analysed syllables).
    pub fn expand(&self, words: &[String]) -> Vec<&[String]> {
        self.rules.iter().filter(|r| r.occurs_in(words)).map(|r| r.expansion.as_slice()).collect()
    }
}

impl Rule {
    /// Whether the trigger occurs: the first part, and for `a … b` the second within the gap.
    fn occurs_in(&self, words: &[String]) -> bool {
        !self.ends_in(words).is_empty()
    }

    /// Where each occurrence of the trigger ends (the index after its last syllable).
    fn ends_in(&self, words: &[String]) -> Vec<usize> {
        let mut out = vec![];
        let mut from = 0;
        while let Some(i) = find(words, &self.first, from) {
            let end = i + self.first.len();
            if self.second.is_empty() {
                out.push(end);
            } else {
                let window = &words[..words.len().min(end + GAP + self.second.len())];
                if let Some(j) = find(window, &self.second, end) {
                    out.push(j + self.second.len());
                }
            }
            from = i + 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_and_gapped_triggers_expand() {
        let a = Analyzer::default();
        let lex = Lexicon::new("sổ đỏ => giấy chứng nhận\nbố … mất => khai tử\n", &a);
        let q = a.words("bố tôi vừa mới mất, sổ đỏ đứng tên bố");
        let got: Vec<String> = lex.expand(&q).iter().map(|e| e.join(" ")).collect();
        assert_eq!(got, ["giay chung nhan", "khai tu"]);
        // Too far apart: no death here.
        let q = a.words("bố tôi đi làm ăn xa ở tỉnh khác bị mất ví");
        assert_eq!(lex.expand(&q).len(), 0);
    }

    #[test]
    fn the_shipped_lexicon_parses() {
        let a = Analyzer::default();
        let lex = Lexicon::new(LEXICON, &a);
        assert!(lex.len() > 200, "{}", lex.len());
        let out = Lexicon::new(OUTSIDE, &a);
        let (trigger, text) =
            out.first_text(&[&a.words("Nộp thuế thu nhập cá nhân thế nào")], |_| false).unwrap();
        assert_eq!(trigger, ["thue", "thu", "nhap"]);
        assert!(text.contains("cơ quan thuế"));
        let service = Lexicon::new(SERVICE, &a);
        let (trigger, text) =
            service.first_text(&[&a.words("hồ sơ nộp qua mạng bị trả lại")], |_| false).unwrap();
        assert_eq!(trigger, ["ho", "so", "bi", "tra", "lai"], "a gapped trigger");
        assert!(text.contains("Tra cứu hồ sơ"));
    }

    #[test]
    fn what_a_plain_trigger_lends_is_found_by_the_trigger() {
        let a = Analyzer::default();
        let lex = Lexicon::new("mã số thuế => đăng ký thuế\nbố … mất => khai tử\n", &a);
        assert_eq!(lex.lends(&a.words("mã số thuế")), Some(&a.words("đăng ký thuế")[..]));
        assert_eq!(lex.lends(&a.words("mã số")), None);
        assert_eq!(lex.lends(&a.words("bố")), None, "a gapped rule is no plain phrase");
    }

    #[test]
    fn a_trigger_inside_a_longer_word_does_not_count() {
        let a = Analyzer::default();
        let out = Lexicon::new("mất điện => Điện do công ty điện lực quản lý.\n", &a);
        let q = a.words("em bị mất điện thoại");
        // "điện thoại" is a word: the syllable after the trigger continues it.
        let joined = |end: usize| q[end - 1] == "dien" && q[end] == "thoai";
        assert!(out.first_text(&[&q], joined).is_none());
        assert!(out.first_text(&[&q], |_| false).is_some(), "without the check it fires");
        let q = a.words("nhà em bị mất điện từ sáng");
        assert!(out.first_text(&[&q], |end| q[end - 1] == "dien" && q[end] == "thoai").is_some());
    }
}
