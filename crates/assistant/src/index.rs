//! BM25F over the procedure catalog. Terms are folded syllables and the pairs of adjacent
//! syllables (Vietnamese words are mostly two syllables: "khai sinh", "sổ đỏ"), so a phrase
//! scores above the same syllables scattered. Each field has its weight: a procedure's name and
//! the way people call it count most, its dossier components least.

use crate::acronyms::Acronyms;
use crate::analyze::{Analyzer, Syl};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use vi_text::TypoIndex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name = 0,
    Alias = 1,
    Result = 2,
    Area = 3,
    Documents = 4,
    Authority = 5,
    Conditions = 6,
}

pub const FIELD_COUNT: usize = 7;
const WEIGHT: [f32; FIELD_COUNT] = [3.0, 3.0, 1.0, 1.0, 0.4, 0.4, 0.3];
const B: [f32; FIELD_COUNT] = [0.6, 0.4, 0.5, 0.3, 0.5, 0.5, 0.5];
const K1: f32 = 1.2;
/// Changes when what an index holds changes, so that a saved one is rebuilt.
pub const FORMAT: &str = "fields-7, acronyms, sequences, function-word pairs";

/// One searchable item: a procedure, or a handbook article.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Doc {
    pub key: String,
    pub fields: Vec<(u8, String)>,
}

impl Doc {
    pub fn new(key: impl Into<String>) -> Doc {
        Doc { key: key.into(), fields: vec![] }
    }

    pub fn add(&mut self, field: Field, text: impl Into<String>) -> &mut Doc {
        let text = text.into();
        if !text.trim().is_empty() {
            self.fields.push((field as u8, text));
        }
        self
    }
}

/// The terms of analysed syllables: content unigrams, and every pair inside a phrase. Two
/// function words together can be a word the fold hides ("thẻ căn" of "thẻ căn cước": "thẻ"
/// folds to "thế", "căn" to "cần"); a pair as common as "của các" weighs nothing by its rarity.
pub fn each_term(syls: &[Syl], mut f: impl FnMut(String, bool)) {
    for (i, s) in syls.iter().enumerate() {
        if !s.stop {
            f(s.text.clone(), false);
        }
        if let Some(n) = syls.get(i + 1) {
            if n.phrase == s.phrase {
                f(format!("{} {}", s.text, n.text), true);
            }
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Posting {
    doc: u32,
    tf: [f32; FIELD_COUNT],
}

impl Posting {
    /// Whether the term is in the document's name or one of its aliases.
    fn named(&self) -> bool {
        self.tf[Field::Name as usize] > 0.0 || self.tf[Field::Alias as usize] > 0.0
    }
}

/// The built index. Serialisable, so that it can be kept in the data directory.
#[derive(Debug, Serialize, Deserialize)]
pub struct Index {
    keys: Vec<String>,
    lens: Vec<[f32; FIELD_COUNT]>,
    avg: [f32; FIELD_COUNT],
    terms: FxHashMap<String, Vec<Posting>>,
    /// Each document's name and aliases as lists of content syllables, each once, to see how
    /// much of the way a procedure is called the question says. Derived from `sequences` once
    /// here rather than for each candidate of each question (deriving it there costs a quarter
    /// more per question).
    phrases: Vec<Vec<Vec<String>>>,
    /// The same, every syllable in its order, to see how long a run of them the question says.
    #[serde(default)]
    sequences: Vec<Vec<Vec<String>>>,
    /// The abbreviations the documents write and what they stand for.
    #[serde(default)]
    acronyms: Acronyms,
    #[serde(skip)]
    typos: Option<TypoIndex>,
}

/// A term of a question with its weight (the citizen's own words 1, borrowed ones less).
#[derive(Clone, Debug)]
pub struct QueryTerm {
    pub text: String,
    pub weight: f32,
}

impl Index {
    pub fn build(docs: &[Doc], analyzer: &Analyzer) -> Index {
        let mut keys = Vec::with_capacity(docs.len());
        let mut lens = Vec::with_capacity(docs.len());
        let mut terms: FxHashMap<String, Vec<Posting>> = FxHashMap::default();
        let mut sum = [0f32; FIELD_COUNT];
        let mut phrases = Vec::with_capacity(docs.len());
        let mut sequences = Vec::with_capacity(docs.len());
        let acronyms = Acronyms::learn(docs.iter().flat_map(|d| d.fields.iter().map(|(_, t)| t.as_str())));
        for (d, doc) in docs.iter().enumerate() {
            keys.push(doc.key.clone());
            let mut len = [0f32; FIELD_COUNT];
            let mut tf: FxHashMap<String, [f32; FIELD_COUNT]> = FxHashMap::default();
            let mut named = vec![];
            let mut in_order = vec![];
            for (field, text) in &doc.fields {
                let f = *field as usize;
                let syls = acronyms.expand(analyzer.syllables(text), analyzer);
                if f == Field::Name as usize || f == Field::Alias as usize {
                    // Each syllable once: a name that says "đăng ký" twice is not more fully said.
                    let mut words: Vec<String> = vec![];
                    for s in syls.iter().filter(|s| !s.stop) {
                        if !words.contains(&s.text) {
                            words.push(s.text.clone());
                        }
                    }
                    named.push(words);
                    in_order.push(syls.iter().map(|s| s.text.clone()).collect());
                }
                each_term(&syls, |t, _| {
                    len[f] += 1.0;
                    tf.entry(t).or_default()[f] += 1.0;
                });
            }
            for (t, v) in tf {
                terms.entry(t).or_default().push(Posting { doc: d as u32, tf: v });
            }
            for f in 0..FIELD_COUNT {
                sum[f] += len[f];
            }
            lens.push(len);
            phrases.push(named);
            sequences.push(in_order);
        }
        let n = docs.len().max(1) as f32;
        let avg = sum.map(|s| (s / n).max(1.0));
        let mut idx = Index { keys, lens, avg, terms, phrases, sequences, acronyms, typos: None };
        idx.prepare();
        idx
    }

    /// Rebuilds what is not stored (the typo index over single syllables).
    pub fn prepare(&mut self) {
        if self.typos.is_some() {
            return;
        }
        let words: Vec<&String> = self.terms.keys().filter(|t| !t.contains(' ')).collect();
        self.typos = Some(TypoIndex::new(words));
    }

    /// The abbreviations learnt from the documents.
    pub fn acronyms(&self) -> &Acronyms {
        &self.acronyms
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn key(&self, doc: u32) -> &str {
        &self.keys[doc as usize]
    }

    pub fn contains(&self, term: &str) -> bool {
        self.terms.contains_key(term)
    }

    /// Inverse document frequency; a term no document has gets the rarest possible weight.
    pub fn idf(&self, term: &str) -> f32 {
        let n = self.keys.len() as f32;
        let df = self.terms.get(term).map_or(0.0, |p| p.len() as f32);
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Known syllables one edit away from `w`.
    pub fn near(&self, w: &str) -> Vec<String> {
        let Some(t) = &self.typos else { return vec![] };
        let mut ids = vec![];
        t.near(w, &mut ids);
        ids.into_iter().map(|i| t.word(i).to_string()).collect()
    }

    /// The best share (by rarity) of one of the document's names or aliases that `said` holds.
    pub fn fit(&self, doc: u32, said: impl Fn(&str) -> bool) -> f32 {
        self.phrases[doc as usize]
            .iter()
            .map(|p| {
                let total: f32 = p.iter().map(|w| self.idf(w)).sum();
                let got: f32 = p.iter().filter(|w| said(w)).map(|w| self.idf(w)).sum();
                if total > 0.0 {
                    got / total
                } else {
                    0.0
                }
            })
            .fold(0.0, f32::max)
    }

    /// How much of what the question names the document's own name explains: of the question's
    /// two-syllable words that name some procedure (in a name or an alias: the catalog's
    /// topical vocabulary, as against the ordinary words all its texts share), the share by
    /// rarity that this document's name or aliases hold. 0 when the question names nothing
    /// the catalog names.
    pub fn named_share(&self, doc: u32, terms: &[QueryTerm]) -> f32 {
        let (mut total, mut held) = (0.0, 0.0);
        for q in terms.iter().filter(|t| t.text.contains(' ')) {
            let Some(postings) = self.terms.get(&q.text) else { continue };
            if !postings.iter().any(Posting::named) {
                continue;
            }
            let idf = q.weight * self.idf(&q.text);
            total += idf;
            if postings.iter().any(|p| p.doc == doc && p.named()) {
                held += idf;
            }
        }
        if total > 0.0 {
            held / total
        } else {
            0.0
        }
    }

    /// The document's names and aliases, every syllable in its order.
    pub fn names(&self, doc: u32) -> impl Iterator<Item = &[String]> + '_ {
        self.sequences[doc as usize].iter().map(Vec::as_slice)
    }

    /// The longest run of syllables of one of the document's names or aliases that the
    /// question says in the same order, within one of its phrases, counting only runs with a
    /// word that is not a function word. "ghi vào Sổ hộ tịch" said whole is more than "sổ", "hộ tịch" said apart.
    pub fn longest_run(&self, doc: u32, question: &[Syl]) -> usize {
        // Longest common run by the usual table, one row at a time: `row[j + 1]` is the run
        // ending at the name's current syllable and the question's `j`; `content[j + 1]`
        // whether that run holds a word that is not a function word.
        let mut best = 0;
        let (mut row, mut content) = (vec![0usize; question.len() + 1], vec![false; question.len() + 1]);
        for name in &self.sequences[doc as usize] {
            row.iter_mut().for_each(|r| *r = 0);
            for w in name {
                for j in (0..question.len()).rev() {
                    let q = &question[j];
                    let continues = j > 0 && question[j - 1].phrase == q.phrase;
                    if *w == q.text {
                        let (run, has) =
                            if continues { (row[j] + 1, content[j] || !q.stop) } else { (1, !q.stop) };
                        row[j + 1] = run;
                        content[j + 1] = has;
                        if has {
                            best = best.max(run);
                        }
                    } else {
                        row[j + 1] = 0;
                        content[j + 1] = false;
                    }
                }
            }
        }
        best
    }

    /// Whether the question says one of the document's names or aliases whole, every syllable
    /// in its order: "cấp giấy chứng nhận đủ điều kiện sản xuất phân bón" says that procedure's
    /// name, not its re-issue's ("Cấp lại …"), whose words it also holds.
    pub fn said_whole(&self, doc: u32, question: &[Syl]) -> bool {
        self.sequences[doc as usize]
            .iter()
            .filter(|name| name.len() >= 2)
            .any(|name| question.windows(name.len()).any(|w| w.iter().zip(name).all(|(q, n)| q.text == *n)))
    }

    /// Whether one of the document's names says it is not what the question says: a name
    /// "… mà người dịch không phải là cộng tác viên dịch thuật" against "tôi là cộng tác viên
    /// dịch thuật", "… bằng động sản (không phải là tàu bay, tàu biển …)" against a ship. The
    /// question must say a pair of content syllables of the five after "không phải (là)", and
    /// not say "không phải" itself.
    pub fn negates(&self, doc: u32, question: &[Syl]) -> bool {
        let said = |a: &str, b: &str| {
            question.windows(2).any(|w| w[0].text == a && w[1].text == b && !w[0].stop && !w[1].stop)
        };
        if question.windows(2).any(|w| w[0].text == "khong" && w[1].text == "phai") {
            return false;
        }
        self.sequences[doc as usize].iter().any(|name| {
            name.windows(2).enumerate().any(|(i, w)| {
                if w[0] != "khong" || w[1] != "phai" {
                    return false;
                }
                let from = i + 2 + usize::from(name.get(i + 2).is_some_and(|x| x == "la"));
                let scope = &name[from.min(name.len())..(from + 5).min(name.len())];
                scope.windows(2).any(|p| said(&p[0], &p[1]))
            })
        })
    }

    /// Whether some document's name or alias says `words` together, in their order: some
    /// procedure is about that matter, as against one whose papers merely mention it. Its
    /// syllables each in some name are not enough: "đăng nhập cổng" is no procedure because
    /// one name says "đăng nhập" and another "nhập công cụ".
    pub fn name_says(&self, words: &[String]) -> bool {
        !words.is_empty()
            && self.sequences.iter().flatten().any(|name| name.windows(words.len()).any(|w| w == words))
    }

    /// Which documents hold `term`.
    pub fn docs_with(&self, term: &str) -> impl Iterator<Item = u32> + '_ {
        self.terms.get(term).into_iter().flatten().map(|p| p.doc)
    }

    /// Every document's score for the query, best first (documents with no term left out).
    pub fn search(&self, query: &[QueryTerm]) -> Vec<(u32, f32)> {
        let mut scores = vec![0f32; self.keys.len()];
        for q in query {
            let Some(postings) = self.terms.get(&q.text) else { continue };
            let idf = self.idf(&q.text);
            for p in postings {
                let len = &self.lens[p.doc as usize];
                let mut tf = 0.0;
                for f in 0..FIELD_COUNT {
                    if p.tf[f] > 0.0 {
                        tf += WEIGHT[f] * p.tf[f] / (1.0 - B[f] + B[f] * len[f] / self.avg[f]);
                    }
                }
                scores[p.doc as usize] += q.weight * idf * tf / (K1 + tf);
            }
        }
        let mut hits: Vec<(u32, f32)> =
            scores.into_iter().enumerate().filter(|(_, s)| *s > 0.0).map(|(d, s)| (d as u32, s)).collect();
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[&str]) -> Index {
        let docs: Vec<Doc> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut d = Doc::new(i.to_string());
                d.add(Field::Name, *n).add(Field::Documents, "Tờ khai đề nghị cấp thẻ của tòa soạn.");
                d
            })
            .collect();
        Index::build(&docs, &Analyzer::default())
    }

    fn terms(words: &[&str]) -> Vec<QueryTerm> {
        words.iter().map(|w| QueryTerm { text: w.to_string(), weight: 1.0 }).collect()
    }

    #[test]
    fn a_pair_of_function_words_is_a_term() {
        let mut terms = vec![];
        each_term(&Analyzer::default().syllables("Cấp thẻ căn cước, của các"), |t, pair| {
            terms.push((t, pair))
        });
        assert!(terms.contains(&("the can".to_string(), true)), "{terms:?}");
        // Not across a phrase's end.
        assert!(!terms.iter().any(|(t, _)| t == "cuoc cua"), "{terms:?}");
    }

    #[test]
    fn the_longest_run_is_of_a_names_syllables_said_in_order() {
        let i = index(&["Thủ tục ghi vào Sổ hộ tịch việc hộ tịch khác"]);
        let a = Analyzer::default();
        assert_eq!(i.longest_run(0, &a.syllables("muốn ghi việc khai sinh đó vào sổ hộ tịch")), 4);
        assert_eq!(i.longest_run(0, &a.syllables("sổ của hộ, tịch")), 1);
        // A run of function words alone ("vào", "của") is no run.
        assert_eq!(i.longest_run(0, &a.syllables("đi vào nhà")), 0);
    }

    #[test]
    fn a_name_is_said_whole_only_with_every_syllable_in_its_order() {
        let i = index(&["Cấp thẻ công chứng viên", "Cấp lại thẻ công chứng viên"]);
        let a = Analyzer::default();
        let q = a.syllables("Hồ sơ cấp thẻ công chứng viên gồm gì?");
        assert!(i.said_whole(0, &q));
        // Its words, but not "lại", and not in its order.
        assert!(!i.said_whole(1, &q));
        assert!(!i.said_whole(0, &a.syllables("thẻ công chứng viên cấp ở đâu")));
        assert!(i.said_whole(1, &a.syllables("cap lai the cong chung vien")));
    }

    #[test]
    fn the_named_share_counts_what_names_say_and_what_this_name_holds() {
        let i = index(&["Cấp thẻ công chứng viên", "Cấp thẻ căn cước", "Đăng ký quyền tác giả"]);
        // "cap the" is in both cards' names, "tac gia" in a third's; doc 0 holds only the first.
        let share = i.named_share(0, &terms(&["cap the", "tac gia"]));
        let (a, b) = (i.idf("cap the"), i.idf("tac gia"));
        assert!((share - a / (a + b)).abs() < 1e-6, "{share}");
        assert!((i.named_share(2, &terms(&["cap the", "tac gia"])) - b / (a + b)).abs() < 1e-6);
        // Words no name says ("toa soan" is only in documents), single syllables and unknown
        // words neither count for nor against.
        assert_eq!(i.named_share(0, &terms(&["cap the", "toa soan", "phong vien", "the"])), 1.0);
        // A question that names nothing any name says explains nothing.
        assert_eq!(i.named_share(0, &terms(&["toa soan", "gia vang"])), 0.0);
        // Lent words count by their weight.
        let lent = vec![
            QueryTerm { text: "cap the".into(), weight: 1.0 },
            QueryTerm { text: "tac gia".into(), weight: 0.5 },
        ];
        assert!((i.named_share(0, &lent) - a / (a + 0.5 * b)).abs() < 1e-6);
    }
}
