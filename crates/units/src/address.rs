//! Free-text addresses, old (3-level) or new (2-level), to 2025 units.
//!
//! The parser finds every place in the text where a unit name of either tier could stand
//! (trie over folded syllables, with one-edit typo correction), scores each by what surrounds
//! it (type words such as "Phường" or "H.", accents, street and hamlet words, house numbers),
//! then chooses the most plausible consistent chain: an old commune inside its old district
//! inside its old province, or a new commune inside its new province. Anything left over is the
//! street part.

use crate::gazetteer::{gazetteer, Gazetteer, KindMask, Target, LEVEL_COMMUNE};
use crate::registry::{registry, Registry};
use vi_text::{Sep, Tokens};

/// Which form the address was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressForm {
    /// Commune, district, province as before 1 July 2025.
    Old,
    /// Commune and province as from 1 July 2025.
    New,
    /// Not enough was recognised to say.
    Unknown,
}

/// The legacy units recognised in an old-form address (indices into the registry).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LegacyMatch {
    pub province: Option<u32>,
    pub district: Option<u32>,
    pub commune: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AltReason {
    /// The old commune was split: this new commune received another part of it.
    Split,
    /// Another reading of the text, nearly as plausible.
    Ambiguous,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Alternative {
    /// Index of the 2025 commune.
    pub commune: u32,
    pub reason: AltReason,
}

/// The result of converting one address.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    pub form: AddressForm,
    /// Index of the 2025 province.
    pub province: Option<u32>,
    /// Index of the 2025 commune.
    pub commune: Option<u32>,
    pub legacy: LegacyMatch,
    /// 0 to 1: how sure the parser is of the commune (of the province when no commune).
    pub confidence: f32,
    pub alternatives: Vec<Alternative>,
    /// Byte ranges of the input not taken by unit names or type words (street, hamlet...).
    pub rest: Vec<(u32, u32)>,
}

impl Conversion {
    fn empty() -> Self {
        Conversion {
            form: AddressForm::Unknown,
            province: None,
            commune: None,
            legacy: LegacyMatch::default(),
            confidence: 0.0,
            alternatives: vec![],
            rest: vec![],
        }
    }

    /// The street part: what is left of `input` (the text given to `convert`), trimmed.
    pub fn street(&self, input: &str) -> String {
        let parts: Vec<&str> = self
            .rest
            .iter()
            .map(|&(a, b)| {
                input[a as usize..b as usize].trim_matches(|c: char| !c.is_alphanumeric())
            })
            .filter(|s| !s.is_empty())
            .collect();
        parts.join(", ")
    }
}

/// One place where a unit name stands in the text.
#[derive(Clone, Copy, Debug)]
struct Match {
    start: u8,
    end: u8,
    entry: u32,
    typos: u8,
    score: f32,
    /// First token of the type word in front, if any (else `start`).
    lead: u8,
    /// Token after the English type word behind, if any (else `end`).
    tail: u8,
}

/// A consistent reading of the address.
#[derive(Clone, Copy, Debug)]
struct Chain {
    score: f32,
    commune: Option<u32>,
    province: Option<u32>,
    legacy: LegacyMatch,
    form: AddressForm,
    parts: [Option<u16>; 3],
}

const MAX_TOKENS: usize = 96;

/// A reusable converter: keep one per thread and call [`AddressParser::convert`] per line.
pub struct AddressParser {
    g: &'static Gazetteer,
    r: &'static Registry,
    tokens: Tokens,
    ids: Vec<Option<u32>>,
    /// Per token: corrected syllable ids within one edit (filled on the second pass).
    alts: Vec<Vec<u32>>,
    ignored: Vec<bool>,
    type_before: Vec<Option<(KindMask, u8)>>,
    type_after: Vec<Option<(KindMask, u8)>>,
    street_before: Vec<bool>,
    matches: Vec<Match>,
    chains: Vec<Chain>,
}

impl Default for AddressParser {
    fn default() -> Self {
        Self::new()
    }
}

impl AddressParser {
    pub fn new() -> Self {
        AddressParser {
            g: gazetteer(),
            r: registry(),
            tokens: Tokens::default(),
            ids: vec![],
            alts: vec![],
            ignored: vec![],
            type_before: vec![],
            type_after: vec![],
            street_before: vec![],
            matches: vec![],
            chains: vec![],
        }
    }

    /// Converts one address. Never panics; an unrecognisable text gives an empty result.
    pub fn convert(&mut self, text: &str) -> Conversion {
        self.tokens.tokenize(text);
        if self.tokens.is_empty() {
            return Conversion::empty();
        }
        self.prepare();
        self.find_matches(false);
        self.build_chains();
        let first = self.best().copied();
        let weak = first.is_none_or(|c| c.commune.is_none() || c.score < 4.5);
        if weak {
            // Second pass: allow a one-letter mistake in every name syllable.
            self.fill_typo_alternatives();
            self.find_matches(true);
            self.build_chains();
        }
        self.result()
    }

    fn prepare(&mut self) {
        let n = self.tokens.len().min(MAX_TOKENS);
        let g = self.g;
        self.ids.clear();
        self.ignored.clear();
        self.ignored.resize(n, false);
        for k in self.tokens.iter().take(n) {
            self.ids.push(g.syllable(self.tokens.plain(k), k.numeric));
        }
        for a in &mut self.alts {
            a.clear();
        }
        self.alts.resize_with(n.max(self.alts.len()), Vec::new);
        for phrase in &g.country_words {
            for i in 0..n {
                if self.phrase_at(i, phrase) {
                    self.ignored[i..i + phrase.len()].fill(true);
                }
            }
        }
        self.type_before.clear();
        self.type_before.resize(n + 1, None);
        self.type_after.clear();
        self.type_after.resize(n + 1, None);
        for tw in &g.type_words {
            for i in 0..n {
                if !self.phrase_at(i, &tw.syllables) || !self.toned_ok(i, tw.toned.as_deref()) {
                    continue;
                }
                let len = tw.syllables.len();
                if tw.suffix {
                    // "Ho Chi Minh City": the word follows the name.
                    if i > 0 && self.tokens.get(i).sep != Sep::Hard {
                        let slot = &mut self.type_after[i];
                        if slot.is_none_or(|s| (s.1 as usize) < len) {
                            *slot = Some((tw.mask, len as u8));
                        }
                    }
                } else if i + len < n && self.tokens.get(i + len).sep != Sep::Hard {
                    let slot = &mut self.type_before[i + len];
                    if slot.is_none_or(|s| (s.1 as usize) < len) {
                        *slot = Some((tw.mask, len as u8));
                    }
                }
            }
        }
        self.street_before.clear();
        self.street_before.resize(n + 1, false);
        for phrase in &g.street_words {
            for i in 0..n {
                let end = i + phrase.len();
                if end < n && self.phrase_at(i, phrase) && self.tokens.get(end).sep != Sep::Hard {
                    self.street_before[end] = true;
                }
            }
        }
    }

    fn phrase_at(&self, i: usize, phrase: &[u32]) -> bool {
        i + phrase.len() <= self.ids.len()
            && phrase.iter().enumerate().all(|(k, &s)| {
                self.ids[i + k] == Some(s) && (k == 0 || self.tokens.get(i + k).sep != Sep::Hard)
            })
    }

    fn toned_ok(&self, i: usize, toned: Option<&str>) -> bool {
        let Some(want) = toned else { return true };
        let mut parts = want.split(' ');
        let mut k = i;
        loop {
            let Some(w) = parts.next() else { return true };
            let t = self.tokens.get(k);
            if t.marked && self.tokens.toned(t) != w {
                return false;
            }
            k += 1;
        }
    }

    fn fill_typo_alternatives(&mut self) {
        for i in 0..self.ids.len() {
            let t = self.tokens.get(i);
            if t.numeric || self.ignored[i] {
                continue;
            }
            let plain = self.tokens.plain(t);
            if plain.len() < 2 {
                continue;
            }
            self.g.typo.near(plain, &mut self.alts[i]);
        }
    }

    fn find_matches(&mut self, typos: bool) {
        self.matches.clear();
        let n = self.ids.len();
        for start in 0..n {
            if self.ignored[start] {
                continue;
            }
            self.walk(Gazetteer::ROOT, start, start, 0, typos);
        }
    }

    fn walk(&mut self, node: u32, start: usize, pos: usize, typos: u8, allow: bool) {
        if pos > start {
            for k in 0..self.g.entries_at(node).len() {
                let e = self.g.entries_at(node)[k];
                self.push_match(start, pos, e, typos);
            }
        }
        if pos >= self.ids.len()
            || self.ignored[pos]
            || (pos > start && self.tokens.get(pos).sep == Sep::Hard)
        {
            return;
        }
        if let Some(child) = self.ids[pos].and_then(|s| self.g.child(node, s)) {
            self.walk(child, start, pos + 1, typos, allow);
        }
        if allow && typos == 0 {
            for k in 0..self.alts[pos].len() {
                let s = self.alts[pos][k];
                if let Some(child) = self.g.child(node, s) {
                    self.walk(child, start, pos + 1, typos + 1, allow);
                }
            }
        }
    }

    fn push_match(&mut self, start: usize, end: usize, entry: u32, typos: u8) {
        let e = &self.g.entries[entry as usize];
        let nsyl = end - start;
        let mut score = if e.alias {
            2.0
        } else if e.numeric {
            1.5
        } else {
            match nsyl {
                1 => 1.0,
                n => 2.0 + 0.4 * (n as f32 - 2.0),
            }
        };
        if typos > 0 {
            let short = nsyl == 1 && self.tokens.plain(self.tokens.get(start)).len() < 4;
            if short || e.numeric || e.alias {
                return;
            }
            score -= if nsyl == 1 { 1.2 } else { 0.8 };
        }
        let mut lead = start;
        let mut tail = end;
        let typ = self.type_before[start]
            .map(|(m, len)| {
                lead = start - len as usize;
                m
            })
            .or_else(|| {
                self.type_after[end].map(|(m, len)| {
                    tail = end + len as usize;
                    m
                })
            });
        match typ {
            Some(m) if m & e.kind != 0 => score += 1.5,
            Some(m) if m & e.target.level_mask() != 0 => score += 1.0,
            Some(_) => score -= 2.0,
            None if e.numeric => return,
            None => {}
        }
        if typos == 0 && !e.toned.is_empty() {
            let mut mismatched = 0;
            let mut compared = 0;
            for (k, want) in e.toned.split(' ').enumerate() {
                let t = self.tokens.get(start + k);
                if t.marked {
                    compared += 1;
                    if self.tokens.toned(t) != want {
                        mismatched += 1;
                    }
                }
            }
            if compared > 0 {
                score += if mismatched == 0 {
                    0.4
                } else {
                    -0.6 * mismatched as f32
                };
            }
        }
        if lead == start {
            if self.street_before[start] {
                score -= 1.5;
            } else if start > 0 {
                let prev = self.tokens.get(start - 1);
                if prev.numeric && self.tokens.get(start).sep != Sep::Hard {
                    score -= 0.8; // a house number: "12 Trần Phú"
                }
            }
        }
        self.matches.push(Match {
            start: start as u8,
            end: end as u8,
            entry,
            typos,
            score,
            lead: lead as u8,
            tail: tail as u8,
        });
    }

    fn target(&self, m: &Match) -> Target {
        self.g.entries[m.entry as usize].target
    }

    fn build_chains(&mut self) {
        self.chains.clear();
        let r = self.r;
        let overlaps = |a: &Match, b: &Match| a.start < b.end && b.start < a.end;
        for (ci, mc) in self.matches.iter().enumerate() {
            match self.target(mc) {
                Target::OldCommune(lc) => {
                    let c = &r.legacy_communes[lc as usize];
                    let d = c.district;
                    let lp = r.legacy_districts[d as usize].province;
                    let np = r.communes[c.new_default as usize].province;
                    let mut best_d: Option<(f32, usize)> = None;
                    let mut best_p: Option<(f32, usize)> = None;
                    for (k, m) in self.matches.iter().enumerate() {
                        if overlaps(m, mc) {
                            continue;
                        }
                        let s = match self.target(m) {
                            Target::OldDistrict(x) if x == d => {
                                if best_d.is_none_or(|b| m.score + 1.0 > b.0) {
                                    best_d = Some((m.score + 1.0, k));
                                }
                                continue;
                            }
                            Target::OldProvince(x) if x == lp => m.score + 0.8,
                            Target::NewProvince(x) if x == np => m.score + 0.5,
                            _ => continue,
                        };
                        if best_p.is_none_or(|b| s > b.0) {
                            best_p = Some((s, k));
                        }
                    }
                    if let (Some(bd), Some(bp)) = (best_d, best_p) {
                        if overlaps(&self.matches[bd.1], &self.matches[bp.1]) {
                            best_p = None;
                        }
                    }
                    let support = best_d.map_or(0.0, |b| b.0) + best_p.map_or(0.0, |b| b.0);
                    let lone = if best_d.is_none() && best_p.is_none() {
                        0.5
                    } else {
                        0.0
                    };
                    self.chains.push(Chain {
                        score: mc.score + support - lone,
                        commune: Some(c.new_default),
                        province: Some(np),
                        legacy: LegacyMatch {
                            province: Some(lp),
                            district: Some(d),
                            commune: Some(lc),
                        },
                        form: AddressForm::Old,
                        parts: [
                            Some(ci as u16),
                            best_d.map(|b| b.1 as u16),
                            best_p.map(|b| b.1 as u16),
                        ],
                    });
                }
                Target::NewCommune(nc) => {
                    let np = r.communes[nc as usize].province;
                    let mut best_p: Option<(f32, usize)> = None;
                    for (k, m) in self.matches.iter().enumerate() {
                        if overlaps(m, mc) {
                            continue;
                        }
                        let s = match self.target(m) {
                            Target::NewProvince(x) if x == np => m.score + 0.8,
                            Target::OldProvince(x)
                                if r.legacy_provinces[x as usize].new_provinces.contains(&np) =>
                            {
                                m.score + 0.3
                            }
                            _ => continue,
                        };
                        if best_p.is_none_or(|b| s > b.0) {
                            best_p = Some((s, k));
                        }
                    }
                    let lone = if best_p.is_none() { 0.5 } else { 0.0 };
                    self.chains.push(Chain {
                        score: mc.score + best_p.map_or(0.0, |b| b.0) - lone,
                        commune: Some(nc),
                        province: Some(np),
                        legacy: LegacyMatch::default(),
                        form: AddressForm::New,
                        parts: [Some(ci as u16), None, best_p.map(|b| b.1 as u16)],
                    });
                }
                Target::OldDistrict(d) => {
                    let ld = &r.legacy_districts[d as usize];
                    let lp = ld.province;
                    let np = match ld.direct {
                        Some(c) => r.communes[c as usize].province,
                        None => {
                            let first = ld
                                .communes
                                .first()
                                .map(|&c| r.legacy_communes[c as usize].new_default);
                            match first {
                                Some(c) => r.communes[c as usize].province,
                                None => continue,
                            }
                        }
                    };
                    let mut best_p: Option<(f32, usize)> = None;
                    for (k, m) in self.matches.iter().enumerate() {
                        if overlaps(m, mc) {
                            continue;
                        }
                        let s = match self.target(m) {
                            Target::OldProvince(x) if x == lp => m.score + 0.8,
                            Target::NewProvince(x) if x == np => m.score + 0.5,
                            _ => continue,
                        };
                        if best_p.is_none_or(|b| s > b.0) {
                            best_p = Some((s, k));
                        }
                    }
                    self.chains.push(Chain {
                        score: mc.score + best_p.map_or(0.0, |b| b.0) - 1.5,
                        commune: ld.direct,
                        province: Some(np),
                        legacy: LegacyMatch {
                            province: Some(lp),
                            district: Some(d),
                            commune: None,
                        },
                        form: AddressForm::Old,
                        parts: [None, Some(ci as u16), best_p.map(|b| b.1 as u16)],
                    });
                }
                Target::NewProvince(p) => self.chains.push(Chain {
                    score: mc.score - 1.0,
                    commune: None,
                    province: Some(p),
                    legacy: LegacyMatch::default(),
                    form: AddressForm::Unknown,
                    parts: [None, None, Some(ci as u16)],
                }),
                Target::OldProvince(p) => {
                    let lp = &r.legacy_provinces[p as usize];
                    self.chains.push(Chain {
                        score: mc.score - 1.0,
                        commune: None,
                        // A province split across several new ones gives no single answer.
                        province: (lp.new_provinces.len() == 1).then(|| lp.new_provinces[0]),
                        legacy: LegacyMatch {
                            province: Some(p),
                            district: None,
                            commune: None,
                        },
                        form: AddressForm::Old,
                        parts: [None, None, Some(ci as u16)],
                    })
                }
            }
        }
    }

    fn best(&self) -> Option<&Chain> {
        self.chains
            .iter()
            .max_by(|a, b| a.score.total_cmp(&b.score))
    }

    fn result(&self) -> Conversion {
        let Some(best) = self.best() else {
            let mut c = Conversion::empty();
            c.rest = self.rest(&[]);
            return c;
        };
        let r = self.r;
        let mut alternatives = vec![];
        if let Some(lc) = best
            .legacy
            .commune
            .filter(|_| best.form == AddressForm::Old)
        {
            for &n in &r.legacy_communes[lc as usize].split {
                if Some(n) != best.commune {
                    alternatives.push(Alternative {
                        commune: n,
                        reason: AltReason::Split,
                    });
                }
            }
        }
        // The best competing reading that gives another commune.
        let mut runner_up = f32::NEG_INFINITY;
        let mut others: Vec<(f32, u32)> = vec![];
        for c in &self.chains {
            if let Some(n) = c.commune {
                if c.commune != best.commune && !others.iter().any(|o| o.1 == n) {
                    others.push((c.score, n));
                }
            }
            if c.commune != best.commune || c.province != best.province {
                runner_up = runner_up.max(c.score);
            }
        }
        others.sort_by(|a, b| b.0.total_cmp(&a.0));
        for &(s, n) in others.iter().take(3) {
            if s > best.score - 1.0 && !alternatives.iter().any(|a| a.commune == n) {
                alternatives.push(Alternative {
                    commune: n,
                    reason: AltReason::Ambiguous,
                });
            }
        }
        let strength = ((best.score - 1.0) / 5.0).clamp(0.0, 1.0);
        let margin = if runner_up.is_finite() {
            ((best.score - runner_up) / 2.0).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let mut confidence = strength * (0.4 + 0.6 * margin);
        if alternatives.iter().any(|a| a.reason == AltReason::Split) {
            confidence = confidence.min(0.7);
        }
        let used: Vec<Match> = best
            .parts
            .iter()
            .flatten()
            .map(|&i| self.matches[i as usize])
            .collect();
        let mut legacy = best.legacy;
        if legacy.district.is_some() && best.parts[1].is_none() && best.parts[0].is_some() {
            // The district was inferred from the commune, not read: still report it.
            legacy.district = best.legacy.district;
        }
        Conversion {
            form: best.form,
            province: best.province,
            commune: best.commune,
            legacy,
            confidence: (confidence * 100.0).round() / 100.0,
            alternatives,
            rest: self.rest(&used),
        }
    }

    /// Byte ranges of the runs of tokens outside the chosen names and their type words.
    fn rest(&self, used: &[Match]) -> Vec<(u32, u32)> {
        let n = self.ids.len();
        let taken = |i: usize| {
            used.iter()
                .any(|m| (m.lead as usize) <= i && i < m.tail as usize)
                || self.ignored[i]
        };
        let mut out = vec![];
        let mut i = 0;
        while i < n {
            if taken(i) {
                i += 1;
                continue;
            }
            let s = self.tokens.get(i).start;
            let mut j = i;
            while j + 1 < n && !taken(j + 1) && self.tokens.get(j + 1).sep != Sep::Hard {
                j += 1;
            }
            // Drop a dangling type word ("Xã" before a name that was not recognised stays).
            out.push((s, self.tokens.get(j).end));
            i = j + 1;
        }
        out
    }
}

/// Whether a kind mask names a commune-level unit (for callers formatting results).
pub fn is_commune_level(mask: KindMask) -> bool {
    mask & LEVEL_COMMUNE != 0
}
