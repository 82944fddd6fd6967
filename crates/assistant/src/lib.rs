//! The digital assistant's core. A question is analysed (chat and dialect rewritten, folded,
//! typos corrected against the catalog's own vocabulary), widened with the everyday-words
//! lexicon, matched against the catalog with BM25F, and answered from the best procedure's
//! fields, or not at all: below the confidence threshold it says it does not know.
//!
//! Pure: the catalog, the extra aliases and the handbook come in as values.

pub mod acronyms;
pub mod analyze;
pub mod answer;
pub mod index;
pub mod intent;
pub mod lexicon;

use analyze::{Analyzer, Syl};
use domain::catalog::Procedure;
use index::{Doc, Field, Index, QueryTerm};
use intent::Asks;
use lexicon::Lexicon;
use serde::Serialize;

/// Weight of words the lexicon lends a question, and of typo corrections.
const LENT: f32 = 0.6;
const CORRECTED: f32 = 0.7;
/// How many of the first hits are re-ranked by how fully the question says their name, and how
/// much that counts.
const RERANK: usize = 30;
const FIT: f32 = 0.5;
/// The words that open a request ("muốn", "xin"), and how much the words before the last of
/// them (the asker's circumstances) weigh against the request's own.
const REQUEST: [&str; 2] = ["muon", "xin"];
const STORY: f32 = 0.8;
/// How much saying a name's words in its order counts: a run of `RUN.0` syllables or more
/// raises a candidate by up to `RUN.1`, reached at `RUN.0 + 4` syllables.
const RUN: (usize, f32) = (2, 0.2);
/// How much a procedure whose whole name (or alias) the question says counts more: its variants
/// ("cấp lại", "thu hồi", "điều chỉnh" the same paper) hold the same words and more, and the
/// words that tell them apart are common ones that weigh little.
const WHOLE: f32 = 0.1;
/// How much a procedure whose name says it is not what the question says ("người dịch không
/// phải là cộng tác viên" against "tôi là cộng tác viên") counts less than its twin.
const NEGATED: f32 = 0.3;
/// How much a procedure for another age than the one the question gives ("con 10 tuổi" and
/// "cho người từ đủ 14 tuổi trở lên") counts less.
const OTHER_AGE: f32 = 0.3;
/// How much a procedure the asker's commune offers is preferred among close candidates: enough
/// to choose its variant over another level's ("cấp xã" over "cấp tỉnh"), not to answer about
/// another matter.
const OFFERED: f32 = 0.15;
/// How much a procedure of another tier than the one the question places itself at ("ở xã",
/// "UBND phường") counts less: enough to choose "(cấp xã)" over "(cấp tỉnh)" between variants.
const OTHER_LEVEL: f32 = 0.15;
/// When the assistant answers: a score of at least `SURE.0`, a best procedure whose name holds
/// at least `NAMED.0` of what the question names (in the catalog's own topical words, see
/// [`Index::named_share`]), and either a strong score (`SURE.1`) or a name that holds at least
/// `NAMED.1`. A question about a matter no procedure covers scores on its ordinary words
/// ("cấp", "giấy phép", "đăng ký"), but what it names is in no name of the best match.
const SURE: (f32, f32) = (5.0, 9.0);
const NAMED: (f32, f32) = (0.05, 0.4);
/// How much of a procedure's name (by rarity, [`Index::fit`]) a question about using the online
/// service must say for the procedure to answer it: "đăng ký khai sinh có thanh toán trực tuyến
/// được không" names the registration; "hồ sơ nộp trực tuyến bị trả lại" does not name the
/// customs procedure for "hàng hoá … bị trả lại".
const NAMES_PROCEDURE: f32 = 0.8;

/// The tier a question places itself at: "ở xã", "UBND phường", "Công an xã hỏi" → the
/// commune; "tỉnh" → the province; both, or neither, say nothing. Read on the words as typed:
/// "xã hội", "hợp tác xã" are no tier, and "phương" (địa phương, phương tiện) is not "phường";
/// a question typed without marks is read as best it can.
fn level_cue(question: &str) -> Option<domain::catalog::Level> {
    use domain::catalog::Level;
    let lower = question.to_lowercase();
    let w: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let marked = w.iter().any(|x| !x.is_ascii());
    let is = |x: &str, with_marks: &str, plain: &str| if marked { x == with_marks } else { x == plain };
    let commune = (0..w.len()).any(|i| {
        let (prev, next) = (if i > 0 { w[i - 1] } else { "" }, w.get(i + 1).copied().unwrap_or(""));
        (is(w[i], "xã", "xa") && !is(next, "hội", "hoi") && !is(prev, "tác", "tac"))
            || is(w[i], "phường", "phuong")
            || (is(w[i], "đặc", "dac") && next == "khu")
    });
    let province = w.iter().any(|x| is(x, "tỉnh", "tinh"));
    match (commune, province) {
        (true, false) => Some(Level::Commune),
        (false, true) => Some(Level::Province),
        _ => None,
    }
}

/// The age a question gives: "con 10 tuổi", "cháu 17 tuổi" (the number before "tuổi", unless
/// it bounds a range: "dưới 14 tuổi").
fn age_said(syls: &[Syl]) -> Option<u32> {
    syls.windows(2).enumerate().find_map(|(i, w)| {
        let bound = i > 0 && ["duoi", "tren", "du"].contains(&syls[i - 1].text.as_str());
        (w[1].text == "tuoi" && !bound).then(|| w[0].text.parse().ok()).flatten()
    })
}

/// The ages a name is for, as a range [from, to): "dưới 14 tuổi" → [0, 14), "từ đủ 14 tuổi trở
/// lên" → [14, ∞), "từ 6 tuổi đến dưới 14 tuổi" → [6, 14). `None` when it names no age.
fn ages_named(words: &[String]) -> Option<(u32, u32)> {
    let mut from = None;
    let mut to = None;
    for (i, w) in words.iter().enumerate() {
        if w != "tuoi" || i == 0 {
            continue;
        }
        let Ok(n) = words[i - 1].parse::<u32>() else { continue };
        let before = if i >= 2 { words[i - 2].as_str() } else { "" };
        let after: Vec<&str> = words[i + 1..].iter().take(2).map(String::as_str).collect();
        if before == "duoi" {
            to = Some(n);
        } else if after == ["tro", "len"] || before == "du" || before == "tu" || before == "tren" {
            from = Some(if before == "tren" { n + 1 } else { n });
        }
    }
    (from.is_some() || to.is_some()).then(|| (from.unwrap_or(0), to.unwrap_or(u32::MAX)))
}

/// Takes out what a question says it is not about: "…bằng giấy thông hành chứ không làm hộ
/// chiếu" asks about the pass, and "hộ chiếu" must not count for the passport. What "chứ
/// không" negates is short: to the end of its phrase, the next clause ("… chứ không đẻ ở viện
/// nên không có giấy chứng sinh"), or four syllables. "chu" folds "chữ" and "chủ" too ("tên có
/// chữ không dấu"): a question typed with marks negates only where it writes "chứ".
fn without_negated(question: &str, syls: &mut Vec<Syl>) {
    const CLAUSE: [&str; 7] = ["nen", "thi", "ma", "vi", "nhung", "de", "va"];
    let mut typed = vi_text::Tokens::default();
    typed.tokenize(question);
    let chu = vi_text::tone_key("chứ");
    if typed.iter().any(|t| t.marked) && !typed.iter().any(|t| typed.toned(t) == chu) {
        return;
    }
    while let Some(i) =
        syls.windows(2).position(|w| w[0].text == "chu" && w[1].text == "khong" && w[0].phrase == w[1].phrase)
    {
        let phrase = syls[i].phrase;
        let end = (i + 2..syls.len().min(i + 6))
            .find(|&j| syls[j].phrase != phrase || CLAUSE.contains(&syls[j].text.as_str()))
            .unwrap_or(syls.len().min(i + 6));
        syls.drain(i..end);
    }
}

/// A handbook article (sổ tay nghiệp vụ).
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub body: String,
}

/// A question made ready for the index.
#[derive(Debug, Default)]
pub struct Query {
    pub syls: Vec<Syl>,
    /// The tier the question places itself at, if it says.
    pub tier: Option<domain::catalog::Level>,
    pub terms: Vec<QueryTerm>,
    pub asks: Vec<Asks>,
    /// A matter outside the catalog the question is about: its trigger and where it belongs.
    pub outside: Option<(Vec<String>, String)>,
    /// A way of using the online service the question asks about: its trigger and how.
    pub service: Option<(Vec<String>, String)>,
}

impl Query {
    /// The single syllables the question says (its own and those lent to it), to see how much
    /// of a name it says ([`Index::fit`]).
    fn said(&self) -> rustc_hash::FxHashSet<&str> {
        self.terms.iter().filter(|t| !t.text.contains(' ')).map(|t| t.text.as_str()).collect()
    }
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Match {
    pub code: String,
    pub name: String,
    pub score: f64,
}

/// A score to two decimals (as f64, so that JSON shows 23.17, not 23.170000076293945).
fn score2(s: f32) -> f64 {
    (s as f64 * 100.0).round() / 100.0
}

/// Why the assistant is or is not sure, for the log and for tuning.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signals {
    pub top: f32,
    pub second: f32,
    /// How much of what the question names the best procedure's name holds (0 to 1).
    pub named: f32,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reply {
    pub answer: String,
    pub confident: bool,
    pub asks: Asks,
    pub matches: Vec<Match>,
    pub handbook: Vec<Match>,
    pub signals: Signals,
}

pub struct Assistant {
    analyzer: Analyzer,
    lexicon: Lexicon,
    outside: Lexicon,
    service: Lexicon,
    procedures: Vec<Procedure>,
    index: Index,
    articles: Vec<Article>,
    handbook: Index,
}

/// The searchable text of a procedure: its own fields and the aliases officials added.
pub fn procedure_doc(p: &Procedure, extra_aliases: &[String]) -> Doc {
    let mut d = Doc::new(p.code.clone());
    d.add(Field::Name, p.name.clone());
    for a in p.aliases.iter().chain(extra_aliases) {
        // Each alias its own phrase: no bigram joins the end of one to the start of the next.
        d.add(Field::Alias, format!("{a}."));
    }
    if let Some(r) = &p.result {
        d.add(Field::Result, r.clone());
    }
    if let Some(f) = &p.field {
        d.add(Field::Area, f.clone());
    }
    for doc in &p.documents {
        d.add(Field::Documents, format!("{doc}."));
    }
    if let Some(a) = &p.authority {
        d.add(Field::Authority, a.clone());
    }
    if let Some(c) = &p.conditions {
        d.add(Field::Conditions, c.clone());
    }
    d
}

fn article_doc(a: &Article) -> Doc {
    let mut d = Doc::new(a.id.to_string());
    d.add(Field::Name, a.title.clone());
    d.add(Field::Documents, a.body.clone());
    d
}

/// The searchable documents of a catalog; `aliases` pairs a procedure code with an alias
/// accepted from officials' suggestions.
pub fn catalog_docs(procedures: &[Procedure], aliases: &[(String, String)]) -> Vec<Doc> {
    procedures
        .iter()
        .map(|p| {
            let extra: Vec<String> =
                aliases.iter().filter(|(c, _)| *c == p.code).map(|(_, a)| a.clone()).collect();
            procedure_doc(p, &extra)
        })
        .collect()
}

/// The index of those documents.
pub fn build_index(docs: &[Doc]) -> Index {
    Index::build(docs, &Analyzer::default())
}

impl Assistant {
    pub fn new(
        procedures: Vec<Procedure>,
        aliases: &[(String, String)],
        articles: Vec<Article>,
    ) -> Assistant {
        let index = build_index(&catalog_docs(&procedures, aliases));
        Assistant::with_index(procedures, index, articles)
    }

    /// With an index built before (and kept in the data directory); it must be the index of
    /// `procedures` in this order.
    pub fn with_index(procedures: Vec<Procedure>, mut index: Index, articles: Vec<Article>) -> Assistant {
        index.prepare();
        let analyzer = Analyzer::default();
        let lexicon = Lexicon::new(lexicon::LEXICON, &analyzer);
        let outside = Lexicon::new(lexicon::OUTSIDE, &analyzer);
        let service = Lexicon::new(lexicon::SERVICE, &analyzer);
        let handbook = Index::build(&articles.iter().map(article_doc).collect::<Vec<_>>(), &analyzer);
        Assistant { analyzer, lexicon, outside, service, procedures, index, articles, handbook }
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn articles(&self) -> &[Article] {
        &self.articles
    }

    pub fn procedures(&self) -> &[Procedure] {
        &self.procedures
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Analysis, correction and expansion of a question.
    pub fn query(&self, question: &str) -> Query {
        let mut syls = self.analyzer.syllables(question);
        without_negated(question, &mut syls);
        // As typed: an everyday trigger ("thất lạc") the catalog never says must not be
        // "corrected" away before the lexicon sees it.
        let typed: Vec<String> = syls.iter().map(|s| s.text.clone()).collect();
        let mut corrected = vec![false; syls.len()];
        for (i, s) in syls.iter_mut().enumerate() {
            let numeric = s.text.bytes().all(|b| b.is_ascii_digit());
            if s.stop || numeric || s.text.len() < 3 || self.index.contains(&s.text) {
                continue;
            }
            // The most common known syllable one edit away; ties go to the first in order.
            let best = self
                .index
                .near(&s.text)
                .into_iter()
                .filter(|w| !self.analyzer.is_stop(w))
                .min_by(|a, b| self.index.idf(a).total_cmp(&self.index.idf(b)).then(a.cmp(b)));
            if let Some(w) = best {
                s.text = w;
                corrected[i] = true;
            }
        }
        let words: Vec<String> = syls.iter().map(|s| s.text.clone()).collect();
        let (asks, cue) = intent::detect(&words);
        // Words that only say what kind of answer is wanted ("bao lâu", "mất tiền", "ở đâu")
        // are not the subject; numbers ("năm 1998") neither.
        for (i, (s, c)) in syls.iter_mut().zip(&cue).enumerate() {
            if *c || s.text.bytes().all(|b| b.is_ascii_digit()) {
                s.stop = true;
            }
            if *c {
                // A phrase of its own: "sinh ở" in "khai sinh ở đâu" must not match "sinh ở
                // nước ngoài".
                s.phrase = u32::MAX - i as u32;
            }
        }
        let mut terms: Vec<QueryTerm> = vec![];
        let mut push = |text: String, weight: f32| match terms.iter_mut().find(|t| t.text == text) {
            Some(t) => t.weight = t.weight.max(weight),
            None => terms.push(QueryTerm { text, weight }),
        };
        // Unigrams and bigrams carry the weight of their least certain syllable.
        // What comes before the request ("…, nay muốn …", "…, xin …") tells the asker's
        // circumstances; the request says what is asked.
        let request = words.iter().rposition(|w| REQUEST.contains(&w.as_str())).filter(|&i| i > 0);
        for (i, s) in syls.iter().enumerate() {
            let w = |j: usize| {
                let certain = if corrected[j] { CORRECTED } else { 1.0 };
                if request.is_some_and(|r| j < r) {
                    certain * STORY
                } else {
                    certain
                }
            };
            if !s.stop {
                push(s.text.clone(), w(i));
            }
            // Every pair in a phrase, as the index has them ([`index::each_term`]).
            if let Some(n) = syls.get(i + 1) {
                if n.phrase == s.phrase {
                    push(format!("{} {}", s.text, n.text), w(i).min(w(i + 1)));
                }
            }
        }
        let mut expansions = self.lexicon.expand(&words);
        for e in self.lexicon.expand(&typed) {
            if !expansions.contains(&e) {
                expansions.push(e);
            }
        }
        // An abbreviation the question writes lends what it stands for (the index has both
        // forms of what the catalog abbreviates, so words written out need nothing): lent, so
        // that "công ty TNHH" in a question about something else does not weigh five words.
        for s in &syls {
            if let Some(words) = self.index.acronyms().get(&s.text) {
                expansions.push(words);
            }
        }
        for expansion in expansions {
            let lent = self.analyzer.syllables(&expansion.join(" "));
            index::each_term(&lent, |t, _| push(t, LENT));
        }
        // A trigger ends where a word ends: not where its last syllable and the next content
        // syllable form a word the catalog writes more often than the trigger's own last pair
        // ("mất điện" in "mất điện thoại", where "điện thoại" is the catalog's).
        let pair_df = |a: &str, b: &str| self.index.docs_with(&format!("{a} {b}")).count();
        let joined = |end: usize| {
            end >= 2
                && !self.analyzer.is_stop(&words[end])
                && pair_df(&words[end - 1], &words[end]) > pair_df(&words[end - 2], &words[end - 1])
        };
        // Read as corrected, and as typed: "hài lòng" is no typo of a catalog that never says it.
        let matter = |lexicon: &Lexicon| {
            lexicon.first_text(&[&words, &typed], joined).map(|(t, s)| (t, s.to_string()))
        };
        let (outside, service) = (matter(&self.outside), matter(&self.service));
        Query { syls, tier: level_cue(question), terms, asks, outside, service }
    }

    /// Ranked procedures for a question, with the signals of the best one.
    pub fn search(&self, q: &Query, limit: usize) -> (Vec<Match>, Signals) {
        self.search_preferring(q, limit, &|_| false)
    }

    /// [`Assistant::search`], preferring among close candidates the procedures `prefer` says
    /// (those the asker's commune offers).
    pub fn search_preferring(
        &self,
        q: &Query,
        limit: usize,
        prefer: &dyn Fn(&str) -> bool,
    ) -> (Vec<Match>, Signals) {
        let mut hits = self.index.search(&q.terms);
        // Among close candidates prefer the procedure whose own name the question says most
        // fully: "đăng ký hộ kinh doanh" is the registration, not its re-issue ("cấp lại").
        let said = q.said();
        let cue = q.tier;
        let age = age_said(&q.syls);
        for h in hits.iter_mut().take(RERANK) {
            let run = self.index.longest_run(h.0, &q.syls);
            if run >= RUN.0 {
                h.1 *= 1.0 + RUN.1 * ((run - RUN.0 + 1).min(4) as f32) / 4.0;
            }
            if self.index.negates(h.0, &q.syls) {
                h.1 *= 1.0 - NEGATED;
            }
            if self.index.said_whole(h.0, &q.syls) {
                h.1 *= 1.0 + WHOLE;
            }
            if cue.is_some_and(|l| !self.procedures[h.0 as usize].at_level(l)) {
                h.1 *= 1.0 - OTHER_LEVEL;
            }
            if let Some(a) = age {
                let other =
                    self.index.names(h.0).filter_map(ages_named).any(|(from, to)| a < from || a >= to);
                if other {
                    h.1 *= 1.0 - OTHER_AGE;
                }
            }
            h.1 *= 1.0 - FIT + FIT * self.index.fit(h.0, |w| said.contains(w));
            if prefer(&self.procedures[h.0 as usize].code) {
                h.1 *= 1.0 + OFFERED;
            }
        }
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let signals = Signals {
            top: hits.first().map_or(0.0, |h| h.1),
            second: hits.get(1).map_or(0.0, |h| h.1),
            named: hits.first().map_or(0.0, |h| self.index.named_share(h.0, &q.terms)),
        };
        let matches = hits
            .iter()
            .take(limit)
            .map(|&(d, score)| {
                let p = &self.procedures[d as usize];
                Match { code: p.code.clone(), name: p.name.clone(), score: score2(score) }
            })
            .collect();
        (matches, signals)
    }

    /// Whether the signals are strong enough to answer.
    pub fn confident(s: &Signals) -> bool {
        s.top >= SURE.0 && s.named >= NAMED.0 && (s.top >= SURE.1 || s.named >= NAMED.1)
    }

    /// The reply to a question; `local` carries the province's own settings for a procedure.
    pub fn ask(&self, question: &str, local: impl Fn(&str) -> Option<answer::Local>) -> Reply {
        self.ask_preferring(question, local, &|_| false)
    }

    /// [`Assistant::ask`] for a citizen of a commune: among close candidates, the procedures
    /// `prefer` says (those it offers) first.
    pub fn ask_preferring(
        &self,
        question: &str,
        local: impl Fn(&str) -> Option<answer::Local>,
        prefer: &dyn Fn(&str) -> bool,
    ) -> Reply {
        let q = self.query(question);
        let (matches, signals) = self.search_preferring(&q, 5, prefer);
        let top = matches.first().and_then(|m| self.procedures.iter().position(|p| p.code == m.code));
        // A matter outside the catalog, unless the best procedure holds it, its words and its
        // pairs of words ("mã số thuế"; a function word is indexed only in a pair), and some
        // procedure's name says it: a matter the catalog only mentions among a procedure's
        // papers (a work permit among those of a residence card) is still outside it.
        // The matter under the catalog's own name counts too, where the lexicon gives it ("mã
        // số thuế" is "đăng ký thuế" to the catalog, whose records of a first tax registration
        // never write "mã số thuế").
        let not_in_catalog = |trigger: &[String]| {
            top.is_none_or(|doc| {
                let owns = |words: &[String]| {
                    let mut held = true;
                    index::each_term(&self.analyzer.syllables(&words.join(" ")), |t, _| {
                        held &= self.index.docs_with(&t).any(|d| d == doc as u32);
                    });
                    held && self.index.name_says(words)
                };
                !(owns(trigger) || self.lexicon.lends(trigger).is_some_and(owns))
            })
        };
        let outside = q.outside.as_ref().filter(|(trigger, _)| not_in_catalog(trigger));
        let service = q.service.as_ref().filter(|(trigger, _)| not_in_catalog(trigger));
        let sure = !matches.is_empty() && Self::confident(&signals);
        // A question about using the service is about a procedure only when it names one.
        let names_procedure = |doc: usize| {
            let said = q.said();
            self.index.fit(doc as u32, |w| said.contains(w)) >= NAMES_PROCEDURE
        };
        let usage = service.filter(|_| !(sure && top.is_some_and(names_procedure)));
        let confident = outside.is_none() && usage.is_none() && sure;
        let asks = q.asks[0];
        let answer = if let Some((_, text)) = outside {
            format!(
                "Việc này không thuộc danh mục thủ tục hành chính của xã, tỉnh trong hệ thống. {text}\nBạn vẫn có thể gửi câu hỏi để cán bộ một cửa trả lời."
            )
        } else if let Some((_, text)) = usage {
            format!(
                "Đây là việc dùng dịch vụ công trực tuyến, không phải một thủ tục hành chính. {text}\nBạn vẫn có thể gửi câu hỏi để cán bộ một cửa trả lời."
            )
        } else if let Some(doc) = top.filter(|_| confident) {
            let p = &self.procedures[doc];
            let mut text = answer::compose(p, &q.asks, local(&p.code).as_ref());
            if let Some((_, how)) = service {
                text.push_str(&format!("\nVề cách dùng dịch vụ công trực tuyến: {how}"));
            }
            text
        } else if matches.is_empty() {
            "Xin lỗi, trợ lý chưa tìm thấy thủ tục nào trong danh mục khớp với câu hỏi. Bạn có thể gửi câu hỏi để cán bộ một cửa trả lời.".into()
        } else {
            let near: Vec<String> =
                matches.iter().take(3).map(|m| format!("- {} (mã {})", m.name, m.code)).collect();
            format!(
                "Xin lỗi, trợ lý chưa chắc câu hỏi này thuộc thủ tục nào trong danh mục. Các thủ tục gần nhất:\n{}\nBạn có thể gửi câu hỏi để cán bộ một cửa trả lời.",
                near.join("\n")
            )
        };
        let handbook = self.handbook_for(&q);
        Reply { answer, confident, asks, matches, handbook, signals }
    }

    /// Handbook articles that bear on the question, for officers.
    fn handbook_for(&self, q: &Query) -> Vec<Match> {
        self.handbook
            .search(&q.terms)
            .into_iter()
            // An article counts when it shares a two-syllable word with the question, not
            // just scattered syllables.
            .filter(|(d, _)| {
                q.terms
                    .iter()
                    .any(|t| t.text.contains(' ') && self.handbook.docs_with(&t.text).any(|x| x == *d))
            })
            .take(2)
            .filter_map(|(d, score)| {
                let id: i64 = self.handbook.key(d).parse().ok()?;
                let a = self.articles.iter().find(|a| a.id == id)?;
                Some(Match { code: id.to_string(), name: a.title.clone(), score: score2(score) })
            })
            .collect()
    }

    /// Articles matching free text, best first (the handbook's own search box).
    pub fn search_handbook(&self, text: &str) -> Vec<&Article> {
        let q = self.query(text);
        self.handbook
            .search(&q.terms)
            .into_iter()
            .filter_map(|(d, _)| {
                let id: i64 = self.handbook.key(d).parse().ok()?;
                self.articles.iter().find(|a| a.id == id)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        Analyzer::default().words(s)
    }

    #[test]
    fn the_tier_is_read_on_the_words_as_typed() {
        use domain::catalog::Level;
        assert_eq!(level_cue("Công an xã hỏi: thủ tục gì?"), Some(Level::Commune));
        assert_eq!(level_cue("nop o UBND phuong duoc khong"), Some(Level::Commune));
        assert_eq!(level_cue("Sở ở cấp tỉnh giải quyết à?"), Some(Level::Province));
        assert_eq!(level_cue("ở xã hay lên tỉnh?"), None);
        // Society, a cooperative, a vehicle, the locality: no tier.
        for q in [
            "đóng bảo hiểm xã hội",
            "mua nhà ở xã hội",
            "thành lập hợp tác xã",
            "phương tiện giao thông",
            "chính quyền địa phương",
        ] {
            assert_eq!(level_cue(q), None, "{q}");
        }
    }

    #[test]
    fn ages_said_and_named() {
        let a = Analyzer::default();
        assert_eq!(age_said(&a.syllables("Làm thẻ cho con 10 tuổi")), Some(10));
        assert_eq!(age_said(&a.syllables("thẻ cho người dưới 14 tuổi")), None);
        assert_eq!(age_said(&a.syllables("thẻ căn cước")), None);
        assert_eq!(ages_named(&words("Cấp thẻ căn cước cho người dưới 14 tuổi")), Some((0, 14)));
        assert_eq!(ages_named(&words("Cấp thẻ căn cước cho người dưới 06 tuổi")), Some((0, 6)));
        assert_eq!(ages_named(&words("cho người từ đủ 14 tuổi trở lên")), Some((14, u32::MAX)));
        assert_eq!(ages_named(&words("trẻ em từ 6 tuổi đến dưới 16 tuổi")), Some((6, 16)));
        assert_eq!(ages_named(&words("Cấp thẻ căn cước")), None);
    }
}
