//! Free-text addresses, old (3-level) or new (2-level), to 2025 units.
//!
//! The parser finds every place in the text where a unit name of either tier could stand
//! (trie over folded syllables, with one-edit typo correction), scores each by what surrounds
//! it (type words such as "Phường" or "H.", accents, street and hamlet words, house numbers),
//! then chooses the most plausible consistent chain: an old commune inside its old district
//! inside its old province, or a new commune inside its new province. Anything left over is the
//! street part.

use crate::gazetteer::{gazetteer, Entry, Gazetteer, KindMask, Link, PhraseKind, Target, NONE};
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
    fn reset(&mut self) {
        self.form = AddressForm::Unknown;
        self.province = None;
        self.commune = None;
        self.legacy = LegacyMatch::default();
        self.confidence = 0.0;
        self.alternatives.clear();
        self.rest.clear();
    }

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
            .map(|&(a, b)| input[a as usize..b as usize].trim_matches(|c: char| !c.is_alphanumeric()))
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
    target: Target,
    link: Link,
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
    /// The matches used: commune, district, province.
    parts: [Option<u16>; 3],
}

/// The least score a reading needs to be reported.
const MIN_EVIDENCE: f32 = 1.5;

/// Preference for reading a name as a 2025 commune when an old one fits the text as well.
const NEW_NAME_PRIOR: f32 = 0.3;

/// The longest address considered, in syllables; the rest of a longer text is ignored.
const MAX_TOKENS: usize = 96;

/// Per-token facts computed once per line.
#[derive(Clone, Copy, Default)]
struct TokenInfo {
    syllable: Option<u32>,
    /// Tone-canonical syllable id when the text carries marks.
    toned: Option<u32>,
    /// The token's part of the address (between hard separators) carries no mark at all.
    bare_part: bool,
    ignored: bool,
    /// A type word ends just before this token: (what it introduces, its length).
    type_before: Option<(KindMask, u8)>,
    /// An English type word starts here ("City", "District").
    type_after: Option<(KindMask, u8)>,
    /// A street, hamlet or building word stands just before this token.
    street_before: bool,
}

/// What surrounds a span of the text, worked out once for all the units it names.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    lead: usize,
    tail: usize,
    typ: Option<KindMask>,
    context: f32,
    marked: bool,
    /// Every syllable of the span lies in a part without marks: weaker evidence of tones.
    bare: bool,
    typos: u8,
}

/// The 2025 provinces the text names (directly, or through an old province or district), to
/// narrow down the communes.
#[derive(Default)]
struct Mentions {
    active: bool,
    new_provinces: Vec<u32>,
}

/// Matches of the text, sorted by what they designate, with their index in `matches`.
#[derive(Default)]
struct ByLevel {
    communes: Vec<u16>,
    districts: Vec<(u32, u16)>,
    old_provinces: Vec<(u32, u16)>,
    new_provinces: Vec<(u32, u16)>,
}

/// A reusable converter: keep one per thread and call [`AddressParser::convert`] per line.
pub struct AddressParser {
    g: &'static Gazetteer,
    r: &'static Registry,
    tokens: Tokens,
    info: Vec<TokenInfo>,
    /// Per token: corrected syllable ids within one edit (filled on the second pass).
    alts: Vec<Vec<u32>>,
    near_memo: Vec<Option<Box<[u32]>>>,
    /// Spans naming some unit, with what surrounds them, and their trie node.
    spans: Vec<(Span, u32)>,
    mentions: Mentions,
    matches: Vec<Match>,
    by_level: ByLevel,
    chains: Vec<Chain>,
    /// Whether to work out the street part and the alternatives (not needed for codes only).
    details: bool,
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
            info: vec![],
            alts: vec![],
            near_memo: vec![],
            spans: vec![],
            mentions: Mentions::default(),
            matches: vec![],
            by_level: ByLevel::default(),
            chains: vec![],
            details: true,
        }
    }

    /// A parser that leaves `rest` and `alternatives` empty: for batches that only need the
    /// codes. The province, commune, form, legacy units and confidence are the same.
    pub fn codes_only() -> Self {
        AddressParser { details: false, ..Self::new() }
    }

    /// Converts one address. Never panics; an unrecognisable text gives an empty result.
    pub fn convert(&mut self, text: &str) -> Conversion {
        let mut c = Conversion::empty();
        self.convert_into(text, &mut c);
        c
    }

    /// Like [`AddressParser::convert`], reusing `out`'s buffers: for batches of millions.
    pub fn convert_into(&mut self, text: &str, out: &mut Conversion) {
        out.reset();
        self.tokens.tokenize(text);
        if self.tokens.is_empty() {
            return;
        }
        self.prepare();
        self.find_matches(false);
        self.build_chains();
        let weak =
            self.best().is_none_or(|c| c.commune.is_none() || c.score < 4.5 || self.garbled_next_to(c));
        if weak {
            // Second pass: allow a one-letter mistake in one syllable of each name.
            self.fill_typo_alternatives();
            self.find_matches(true);
            self.build_chains();
        }
        self.result(out);
    }

    /// Whether an unknown word touches the commune name of a reading, in the same part of
    /// the address: "X. Vinh Hoaa" is more likely Vĩnh Hòa misspelt than a commune Vinh
    /// followed by a street.
    fn garbled_next_to(&self, c: &Chain) -> bool {
        let Some(m) = c.parts[0].map(|i| &self.matches[i as usize]) else { return false };
        let n = self.info.len() - 1;
        let garbled = |i: usize| {
            let t = self.tokens.get(i);
            self.info[i].syllable.is_none()
                && !t.numeric
                && !self.info[i].ignored
                && self.tokens.plain(t).len() >= 2
        };
        let (start, end) = (m.start as usize, m.end as usize);
        (end < n && self.tokens.get(end).sep != Sep::Hard && garbled(end))
            || (m.lead as usize == start
                && start > 0
                && self.tokens.get(start).sep != Sep::Hard
                && garbled(start - 1))
    }

    fn prepare(&mut self) {
        let n = self.tokens.len().min(MAX_TOKENS);
        let g = self.g;
        self.info.clear();
        // A writer who uses accents at all means an unaccented syllable too: "Văn Lang" is not
        // "Văn Lăng". Without any accent in the text, accents say nothing. A part (between
        // commas) with none in an accented text says less: it may be a name without marks
        // ("X. Thanh An, TP. Hồ Chí Minh") or a part typed in a hurry ("Phong Thanh Tay, Giá
        // Rai, Bạc Liêu").
        let accented = self.tokens.iter().take(n).any(|k| k.marked);
        let mut bare_part = false;
        for i in 0..n {
            let k = self.tokens.get(i);
            if i == 0 || k.sep == Sep::Hard {
                let mut part = (i..n).take_while(|&j| j == i || self.tokens.get(j).sep != Sep::Hard);
                bare_part = !part.any(|j| self.tokens.get(j).marked);
            }
            self.info.push(TokenInfo {
                syllable: g.syllable(self.tokens.plain(k), k.numeric),
                toned: (accented && !k.numeric).then(|| g.toned_id(self.tokens.toned(k))),
                bare_part,
                ..TokenInfo::default()
            });
        }
        self.info.push(TokenInfo::default()); // sentinel: "after the last token"
        for i in 0..n {
            let Some(syl) = self.info[i].syllable else { continue };
            for ph in g.phrases_from(syl) {
                let len = ph.syllables.len();
                if !self.phrase_at(i, &ph.syllables) {
                    continue;
                }
                let next_ok = i + len < n && self.tokens.get(i + len).sep != Sep::Hard;
                match ph.kind {
                    PhraseKind::Country => self.info[i..i + len].iter_mut().for_each(|t| t.ignored = true),
                    PhraseKind::Street => {
                        if next_ok {
                            self.info[i + len].street_before = true;
                        }
                    }
                    PhraseKind::Type(t) => {
                        let tw = &g.type_words[t as usize];
                        if !self.toned_ok(i, &tw.toned) {
                            continue;
                        }
                        let (slot, ok) = if tw.suffix {
                            // "Ho Chi Minh City": the word follows the name.
                            (&mut self.info[i].type_after, i > 0 && self.tokens.get(i).sep != Sep::Hard)
                        } else {
                            (&mut self.info[i + len].type_before, next_ok)
                        };
                        if ok && slot.is_none_or(|s| (s.1 as usize) < len) {
                            *slot = Some((tw.mask, len as u8));
                        }
                    }
                }
            }
        }
    }

    fn phrase_at(&self, i: usize, phrase: &[u32]) -> bool {
        let n = self.info.len() - 1;
        i + phrase.len() <= n
            && phrase.iter().enumerate().all(|(k, &s)| {
                self.info[i + k].syllable == Some(s) && (k == 0 || self.tokens.get(i + k).sep != Sep::Hard)
            })
    }

    /// Whether the syllables from `i` carry the tones `want` (or none at all).
    fn toned_ok(&self, i: usize, want: &[Box<str>]) -> bool {
        want.iter().enumerate().all(|(k, w)| {
            let t = self.tokens.get(i + k);
            !t.marked || self.tokens.toned(t) == &**w
        })
    }

    fn fill_typo_alternatives(&mut self) {
        let n = self.info.len() - 1;
        if self.alts.len() < n {
            self.alts.resize_with(n, Vec::new);
        }
        for i in 0..n {
            self.alts[i].clear();
            let t = self.tokens.get(i);
            if t.numeric || self.info[i].ignored {
                continue;
            }
            let plain = self.tokens.plain(t);
            if plain.len() < 2 {
                continue;
            }
            match self.info[i].syllable {
                // The neighbours of a known syllable depend on the vocabulary alone: remember
                // them (at most one list per syllable of the vocabulary).
                Some(syl) => {
                    let slot = syl as usize;
                    if self.near_memo.len() <= slot {
                        self.near_memo.resize_with(slot + 1, || None);
                    }
                    let near = self.near_memo[slot].get_or_insert_with(|| {
                        let mut v = vec![];
                        self.g.typo.near(plain, &mut v);
                        v.into_boxed_slice()
                    });
                    self.alts[i].extend_from_slice(near);
                }
                None => self.g.typo.near(plain, &mut self.alts[i]),
            }
        }
    }

    /// Finds and scores every place where a unit name stands. Provinces and districts are
    /// scored first; on the first pass, a commune is then kept only if it lies in one of the
    /// provinces or districts the text names (when it names any): "Tân Phú" is a commune name
    /// in a dozen provinces, and only the one in the province written matters. The second pass
    /// keeps them all.
    fn find_matches(&mut self, second_pass: bool) {
        self.matches.clear();
        self.spans.clear();
        let n = self.info.len() - 1;
        for start in 0..n {
            if self.info[start].ignored {
                continue;
            }
            if second_pass {
                self.walk(Gazetteer::ROOT, start, start, 0);
                continue;
            }
            // Exact syllables only: a straight descent of the trie.
            let mut node = Gazetteer::ROOT;
            let mut pos = start;
            while pos < n
                && !self.info[pos].ignored
                && (pos == start || self.tokens.get(pos).sep != Sep::Hard)
            {
                let Some(child) = self.info[pos].syllable.and_then(|s| self.g.child(node, s)) else { break };
                node = child;
                pos += 1;
                if self.g.has_entries(node) {
                    self.add_span(node, start, pos, 0);
                }
            }
        }
        for k in 0..self.spans.len() {
            let (span, node) = self.spans[k];
            self.score_entries(self.g.entries_at(node).0, &span);
        }
        let m = &mut self.mentions;
        m.new_provinces.clear();
        m.active = !second_pass;
        for x in &self.matches {
            match x.target {
                Target::OldDistrict(_) if x.link.new_province != NONE => {
                    m.new_provinces.push(x.link.new_province)
                }
                Target::OldProvince(p) => {
                    m.new_provinces.extend_from_slice(&self.r.legacy_provinces[p as usize].new_provinces);
                }
                Target::NewProvince(p) => m.new_provinces.push(p),
                _ => {}
            }
        }
        m.new_provinces.sort_unstable();
        m.new_provinces.dedup();
        m.active &= !m.new_provinces.is_empty();
        for k in 0..self.spans.len() {
            let (span, node) = self.spans[k];
            let communes = self.g.entries_at(node).1;
            if !self.mentions.active {
                self.score_entries(communes, &span);
                continue;
            }
            for j in 0..self.mentions.new_provinces.len() {
                let p = self.mentions.new_provinces[j];
                let lo = communes.partition_point(|e| e.link.new_province < p);
                let hi = communes.partition_point(|e| e.link.new_province <= p);
                self.score_entries(&communes[lo..hi], &span);
            }
        }
    }

    /// Walks the trie allowing one corrected syllable per name (second pass).
    fn walk(&mut self, node: u32, start: usize, pos: usize, typos: u8) {
        if pos > start && self.g.has_entries(node) {
            self.add_span(node, start, pos, typos);
        }
        let n = self.info.len() - 1;
        if pos >= n || self.info[pos].ignored || (pos > start && self.tokens.get(pos).sep == Sep::Hard) {
            return;
        }
        if let Some(child) = self.info[pos].syllable.and_then(|s| self.g.child(node, s)) {
            self.walk(child, start, pos + 1, typos);
        }
        if typos == 0 {
            for k in 0..self.alts[pos].len() {
                if let Some(child) = self.g.child(node, self.alts[pos][k]) {
                    self.walk(child, start, pos + 1, 1);
                }
            }
        }
    }

    /// Records a span naming some unit, with what surrounds it (type word, street word, house
    /// number, accents), worked out once for every unit it names.
    fn add_span(&mut self, node: u32, start: usize, end: usize, typos: u8) {
        let nsyl = end - start;
        if typos > 0 && nsyl == 1 && self.tokens.plain(self.tokens.get(start)).len() < 4 {
            return; // a one-letter slip in a short lone word could be anything
        }
        let (mut lead, mut tail) = (start, end);
        let typ = match self.info[start].type_before {
            Some((m, len)) => {
                lead = start - len as usize;
                Some(m)
            }
            None => self.info[end].type_after.map(|(m, len)| {
                tail = end + len as usize;
                m
            }),
        };
        if typ.is_none() && self.g.entries_at(node).2 {
            return; // a bare number is a house number, whatever units bear it as a name
        }
        let mut context = 0.0;
        if lead == start {
            if self.info[start].street_before {
                context -= 1.5;
            } else if start > 0
                && self.tokens.get(start - 1).numeric
                && self.tokens.get(start).sep == Sep::Space
            {
                // A house number: "12 Trần Phú". Not across punctuation: in "Khu phố 2 - Nam
                // Khánh Vĩnh" the number ends the hamlet and the commune follows.
                context -= 0.8;
            }
        }
        if typos > 0 {
            context -= if nsyl == 1 { 1.2 } else { 0.8 };
        }
        let marked = self.info[start..end].iter().any(|t| t.toned.is_some());
        let bare = self.info[start..end].iter().all(|t| t.bare_part);
        self.spans.push((Span { start, end, lead, tail, typ, context, marked, bare, typos }, node));
    }

    fn score_entries(&mut self, entries: &'static [Entry], sp: &Span) {
        let nsyl = sp.end - sp.start;
        for e in entries {
            if sp.typos > 0 && (e.numeric || e.alias) {
                continue;
            }
            let mut score = sp.context
                + if e.alias {
                    2.0
                } else if e.numeric {
                    1.5
                } else if nsyl == 1 {
                    1.0
                } else {
                    2.0 + 0.4 * (nsyl as f32 - 2.0)
                };
            match sp.typ {
                Some(m) if m & e.kind != 0 => score += 1.5,
                Some(m) if m & e.target.level_mask() != 0 => score += 1.0,
                // A number is a unit name only with its own kind of type word: "Quận 1" is no
                // "Phường 1", and a bare "1" is a house number.
                _ if e.numeric => continue,
                Some(_) => score -= 2.0,
                None => {}
            }
            if sp.marked && sp.typos == 0 && e.toned.1 > 0 {
                let want = self.g.entry_toned(e);
                let mut compared = 0;
                let mut mismatched = 0;
                for (t, &w) in self.info[sp.start..sp.end].iter().zip(want) {
                    if let Some(id) = t.toned {
                        compared += 1;
                        mismatched += (id != w) as u32;
                    }
                }
                if compared > 0 {
                    let (agree, per_miss) = if sp.bare { (0.1, 0.15) } else { (0.4, 0.6) };
                    score += if mismatched == 0 { agree } else { -per_miss * mismatched as f32 };
                }
            }
            self.matches.push(Match {
                start: sp.start as u8,
                end: sp.end as u8,
                target: e.target,
                link: e.link,
                score,
                lead: sp.lead as u8,
                tail: sp.tail as u8,
            });
        }
    }

    fn build_chains(&mut self) {
        self.chains.clear();
        let r = self.r;
        let lv = &mut self.by_level;
        lv.communes.clear();
        lv.districts.clear();
        lv.old_provinces.clear();
        lv.new_provinces.clear();
        for (i, m) in self.matches.iter().enumerate() {
            let i = i as u16;
            match m.target {
                Target::OldCommune(_) | Target::NewCommune(_) => lv.communes.push(i),
                Target::OldDistrict(d) => lv.districts.push((d, i)),
                Target::OldProvince(p) => lv.old_provinces.push((p, i)),
                Target::NewProvince(p) => lv.new_provinces.push((p, i)),
            }
        }
        let ms = &self.matches;
        let overlaps = |a: u16, b: u16| {
            let (a, b) = (&ms[a as usize], &ms[b as usize]);
            a.start < b.end && b.start < a.end
        };
        // The best match among `list` for unit `unit`, not overlapping `avoid`, plus `bonus`.
        let best_of = |list: &[(u32, u16)], unit: u32, bonus: f32, avoid: &[u16]| -> Option<(f32, u16)> {
            let mut best: Option<(f32, u16)> = None;
            for &(u, k) in list {
                if u == unit && !avoid.iter().any(|&a| overlaps(a, k)) {
                    let s = ms[k as usize].score + bonus;
                    if best.is_none_or(|b| s > b.0) {
                        best = Some((s, k));
                    }
                }
            }
            best
        };
        let max = |a: Option<(f32, u16)>, b: Option<(f32, u16)>| match (a, b) {
            (Some(x), Some(y)) => Some(if y.0 > x.0 { y } else { x }),
            (x, None) => x,
            (None, y) => y,
        };
        let score = |x: Option<(f32, u16)>| x.map_or(0.0, |b| b.0);
        let some = |x: u32| (x != NONE).then_some(x);
        for &ci in &lv.communes {
            let mc = &ms[ci as usize];
            let l = mc.link;
            match mc.target {
                Target::OldCommune(lc) => {
                    let bd = best_of(&lv.districts, l.district, 1.0, &[ci]);
                    let avoid = [ci, bd.map_or(ci, |b| b.1)];
                    let bp = max(
                        best_of(&lv.old_provinces, l.old_province, 0.8, &avoid),
                        best_of(&lv.new_provinces, l.new_province, 0.5, &avoid),
                    );
                    let lone = if bd.is_none() && bp.is_none() { 0.5 } else { 0.0 };
                    // "Lê Lợi, Hưng Yên": a last name that is both a district and its province
                    // is more likely the province, written without the district.
                    let same_span = |a: u16, b: u16| ms[a as usize].start == ms[b as usize].start;
                    let district_as_province = match (bd, bp) {
                        (Some((_, k)), None) => {
                            lv.old_provinces.iter().chain(&lv.new_provinces).any(|&(_, p)| same_span(p, k))
                        }
                        _ => false,
                    };
                    let doubt = if district_as_province { 0.6 } else { 0.0 };
                    self.chains.push(Chain {
                        score: mc.score + score(bd) + score(bp) - lone - doubt,
                        commune: Some(l.new_commune),
                        province: Some(l.new_province),
                        legacy: LegacyMatch {
                            province: Some(l.old_province),
                            district: Some(l.district),
                            commune: Some(lc),
                        },
                        form: AddressForm::Old,
                        parts: [Some(ci), bd.map(|b| b.1), bp.map(|b| b.1)],
                    });
                }
                Target::NewCommune(nc) => {
                    let np = l.new_province;
                    let mut bp = best_of(&lv.new_provinces, np, 0.8, &[ci]);
                    for &(p, k) in &lv.old_provinces {
                        // An old province name with a new commune: "Xã Trường Phú, Quảng Bình".
                        if !overlaps(ci, k) && r.legacy_provinces[p as usize].new_provinces.contains(&np) {
                            bp = max(bp, Some((ms[k as usize].score + 0.3, k)));
                        }
                    }
                    let lone = if bp.is_none() { 0.5 } else { 0.0 };
                    self.chains.push(Chain {
                        // Where an old and a new commune of one name both fit, the current
                        // name is the likelier reading.
                        score: mc.score + score(bp) - lone + NEW_NAME_PRIOR,
                        commune: Some(nc),
                        province: Some(np),
                        legacy: LegacyMatch::default(),
                        form: AddressForm::New,
                        parts: [Some(ci), None, bp.map(|b| b.1)],
                    });
                }
                _ => unreachable!("only commune-level matches are listed here"),
            }
        }
        for &(d, di) in &lv.districts {
            let l = ms[di as usize].link;
            if l.new_province == NONE {
                continue;
            }
            let bp = max(
                best_of(&lv.old_provinces, l.old_province, 0.8, &[di]),
                best_of(&lv.new_provinces, l.new_province, 0.5, &[di]),
            );
            self.chains.push(Chain {
                score: ms[di as usize].score + score(bp) - 1.5,
                commune: some(l.new_commune),
                province: Some(l.new_province),
                legacy: LegacyMatch { province: Some(l.old_province), district: Some(d), commune: None },
                form: AddressForm::Old,
                parts: [None, Some(di), bp.map(|b| b.1)],
            });
        }
        for &(p, pi) in &lv.new_provinces {
            self.chains.push(Chain {
                score: ms[pi as usize].score - 1.0,
                commune: None,
                province: Some(p),
                legacy: LegacyMatch::default(),
                form: AddressForm::Unknown,
                parts: [None, None, Some(pi)],
            });
        }
        for &(p, pi) in &lv.old_provinces {
            self.chains.push(Chain {
                score: ms[pi as usize].score - 1.0,
                commune: None,
                // A province split across several new ones gives no single answer.
                province: some(ms[pi as usize].link.new_province),
                legacy: LegacyMatch { province: Some(p), district: None, commune: None },
                form: AddressForm::Old,
                parts: [None, None, Some(pi)],
            });
        }
    }

    /// The most plausible reading, if any has enough evidence: a lone short word that happens
    /// to be a unit name somewhere ("có", "an") is no address.
    fn best(&self) -> Option<&Chain> {
        self.chains.iter().filter(|c| c.score >= MIN_EVIDENCE).max_by(|a, b| a.score.total_cmp(&b.score))
    }

    fn result(&self, out: &mut Conversion) {
        let Some(best) = self.best() else {
            if self.details {
                self.rest(&[], &mut out.rest);
            }
            return;
        };
        let r = self.r;
        let alternatives = &mut out.alternatives;
        let split = best
            .legacy
            .commune
            .filter(|_| best.form == AddressForm::Old)
            .map(|lc| &r.legacy_communes[lc as usize].split);
        let is_split = split.is_some_and(|s| !s.is_empty());
        if let Some(parts) = split.filter(|_| self.details) {
            for &n in parts {
                if Some(n) != best.commune {
                    alternatives.push(Alternative { commune: n, reason: AltReason::Split });
                }
            }
        }
        // The best competing reading, and the other communes read nearly as well.
        let mut runner_up = f32::NEG_INFINITY;
        let mut others: Vec<(f32, u32)> = vec![];
        for c in &self.chains {
            if c.commune == best.commune && c.province == best.province {
                continue;
            }
            runner_up = runner_up.max(c.score);
            if let Some(n) = c.commune.filter(|_| self.details && c.score > best.score - 1.0) {
                match others.iter_mut().find(|o| o.1 == n) {
                    Some(o) => o.0 = o.0.max(c.score),
                    None => others.push((c.score, n)),
                }
            }
        }
        others.sort_by(|a, b| b.0.total_cmp(&a.0));
        for &(_, n) in others.iter().take(3) {
            if !alternatives.iter().any(|a| a.commune == n) {
                alternatives.push(Alternative { commune: n, reason: AltReason::Ambiguous });
            }
        }
        let strength = ((best.score - 1.0) / 5.0).clamp(0.0, 1.0);
        let margin =
            if runner_up.is_finite() { ((best.score - runner_up) / 2.0).clamp(0.0, 1.0) } else { 1.0 };
        let mut confidence = strength * (0.4 + 0.6 * margin);
        if is_split {
            confidence = confidence.min(0.7);
        }
        let used = best.parts.map(|p| p.map(|i| self.matches[i as usize]));
        out.form = best.form;
        out.province = best.province;
        out.commune = best.commune;
        out.legacy = best.legacy;
        out.confidence = (confidence * 100.0).round() / 100.0;
        if self.details {
            self.rest(&used, &mut out.rest);
        }
    }

    /// Byte ranges of the runs of tokens outside the chosen names and their type words.
    fn rest(&self, used: &[Option<Match>], out: &mut Vec<(u32, u32)>) {
        let n = self.info.len().saturating_sub(1);
        let taken = |i: usize| {
            used.iter().flatten().any(|m| (m.lead as usize) <= i && i < m.tail as usize)
                || self.info[i].ignored
        };
        let mut i = 0;
        while i < n {
            if taken(i) {
                i += 1;
                continue;
            }
            let s = self.tokens.get(i).start;
            let mut j = i;
            // A run ends at a recognised name, not at punctuation: "147/56 Trần Quang Khải".
            while j + 1 < n && !taken(j + 1) {
                j += 1;
            }
            out.push((s, self.tokens.get(j).end));
            i = j + 1;
        }
    }
}
