//! The name index used by the address parser: every unit name of both tiers, as sequences of
//! folded syllables in a trie, with the aliases people write ("TP.HCM", "Sài Gòn", "BR-VT"),
//! the type words ("Phường", "Q.", "Huyện", "Tỉnh"...) and a typo index over the syllables.

use crate::kinds::{split_type, CommuneKind, DistrictKind, ProvinceKind};
use crate::registry::{registry, Registry};
use rustc_hash::FxHashMap;
use std::sync::OnceLock;
use vi_text::{Tokens, TypoIndex};

/// What a name in the index designates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    NewProvince(u32),
    OldProvince(u32),
    OldDistrict(u32),
    OldCommune(u32),
    NewCommune(u32),
}

/// Bit set of unit kinds: what a type word can introduce, and what kind a unit is.
pub(crate) type KindMask = u16;
pub(crate) const K_PHUONG: KindMask = 1;
pub(crate) const K_XA: KindMask = 1 << 1;
pub(crate) const K_THITRAN: KindMask = 1 << 2;
pub(crate) const K_DACKHU: KindMask = 1 << 3;
pub(crate) const K_QUAN: KindMask = 1 << 4;
pub(crate) const K_HUYEN: KindMask = 1 << 5;
pub(crate) const K_THIXA: KindMask = 1 << 6;
pub(crate) const K_TP_DISTRICT: KindMask = 1 << 7;
pub(crate) const K_TINH: KindMask = 1 << 8;
pub(crate) const K_TP_PROVINCE: KindMask = 1 << 9;
pub(crate) const LEVEL_COMMUNE: KindMask = K_PHUONG | K_XA | K_THITRAN | K_DACKHU;
pub(crate) const LEVEL_DISTRICT: KindMask = K_QUAN | K_HUYEN | K_THIXA | K_TP_DISTRICT;
pub(crate) const LEVEL_PROVINCE: KindMask = K_TINH | K_TP_PROVINCE;

impl Target {
    pub(crate) fn level_mask(self) -> KindMask {
        match self {
            Target::NewProvince(_) | Target::OldProvince(_) => LEVEL_PROVINCE,
            Target::OldDistrict(_) => LEVEL_DISTRICT,
            Target::OldCommune(_) | Target::NewCommune(_) => LEVEL_COMMUNE,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub target: Target,
    /// The kind of the unit, as a one-bit mask.
    pub kind: KindMask,
    /// Tone-canonical syllables of the name (ids into the toned vocabulary, a range of
    /// `Gazetteer::toned_syllables`); empty for aliases.
    pub toned: (u32, u8),
    /// The name is a number ("Phường 12", "Quận 3"): only meaningful after a type word.
    pub numeric: bool,
    /// A strong abbreviation or alias ("hcm", "brvt"), weighted like a two-syllable name.
    pub alias: bool,
    /// The units this one belongs to or became, copied here so that choosing a reading reads
    /// one small record per match instead of chasing through the registry.
    pub link: Link,
}

/// Registry indices around a unit; `NONE` where not applicable or not unique.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Link {
    pub district: u32,
    pub old_province: u32,
    pub new_commune: u32,
    pub new_province: u32,
}

pub(crate) const NONE: u32 = u32::MAX;
const NO_LINK: Link = Link { district: NONE, old_province: NONE, new_commune: NONE, new_province: NONE };

impl Link {
    fn of(r: &Registry, target: Target) -> Link {
        let mut l = Link { district: NONE, old_province: NONE, new_commune: NONE, new_province: NONE };
        let commune_province = |c: u32| r.communes[c as usize].province;
        match target {
            Target::NewProvince(p) => l.new_province = p,
            Target::OldProvince(p) => {
                l.old_province = p;
                let np = &r.legacy_provinces[p as usize].new_provinces;
                if np.len() == 1 {
                    l.new_province = np[0];
                }
            }
            Target::OldDistrict(d) => {
                let ld = &r.legacy_districts[d as usize];
                l.district = d;
                l.old_province = ld.province;
                l.new_commune = ld.direct.unwrap_or(NONE);
                let any = ld
                    .direct
                    .or_else(|| ld.communes.first().map(|&c| r.legacy_communes[c as usize].new_default));
                l.new_province = any.map_or(NONE, commune_province);
            }
            Target::OldCommune(c) => {
                let lc = &r.legacy_communes[c as usize];
                l.district = lc.district;
                l.old_province = r.legacy_districts[lc.district as usize].province;
                l.new_commune = lc.new_default;
                l.new_province = commune_province(lc.new_default);
            }
            Target::NewCommune(c) => {
                l.new_commune = c;
                l.new_province = commune_province(c);
            }
        }
        l
    }
}

/// Where the units named at a trie node sit in `Gazetteer::entries`: provinces and districts
/// in `start..mid`, communes in `mid..end`.
#[derive(Clone, Copy, Debug)]
struct NodeEntries {
    start: u32,
    mid: u32,
    end: u32,
    numeric: bool,
}

/// A trie node while building; flattened into `Gazetteer` arrays afterwards.
#[derive(Debug, Default)]
struct Node {
    children: Vec<(u32, u32)>,
    entries: Vec<u32>,
}

/// What a fixed phrase met in the text means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PhraseKind {
    /// A type word, index into `type_words`.
    Type(u16),
    /// Introduces a street, hamlet or building: the name after it is not a unit.
    Street,
    /// A country name, ignored.
    Country,
}

/// A fixed phrase, indexed under its first syllable.
#[derive(Debug)]
pub(crate) struct Phrase {
    pub kind: PhraseKind,
    pub syllables: Box<[u32]>,
}

/// A type word: the syllables it is written with and what it can introduce.
#[derive(Debug)]
pub(crate) struct TypeWord {
    pub syllables: Vec<u32>,
    /// Tone keys its syllables must have when written with marks ("xã", not "xá"); empty when
    /// any marks will do.
    pub toned: Box<[Box<str>]>,
    pub mask: KindMask,
    /// English words follow the name ("Ho Chi Minh City", "Ward 12" is handled as a prefix).
    pub suffix: bool,
}

#[derive(Debug)]
pub(crate) struct Gazetteer {
    /// Syllable ids by packed folded syllable ([`vi_text::pack`]).
    vocab: FxHashMap<u128, u32>,
    pub typo: TypoIndex,
    /// Trie edges keyed by (node << 32 | syllable id), one flat table: a step is one probe.
    edges: FxHashMap<u64, u32>,
    /// Children of the root by syllable id (`u32::MAX`: none).
    root: Vec<u32>,
    /// Per node, the range of `entries` naming a unit there (entries are stored node by node,
    /// so the units named by one span sit together in memory).
    node_entry_range: Vec<NodeEntries>,
    pub entries: Vec<Entry>,
    pub type_words: Vec<TypeWord>,
    /// Fixed phrases (type, street and country words) by their first syllable id.
    phrases: Vec<Vec<Phrase>>,
    toned_vocab: FxHashMap<u128, u32>,
    pub toned_syllables: Vec<u32>,
}

pub(crate) fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| Gazetteer::build(registry()))
}

/// Numbers are compared without leading zeros: "Phường 05" is "Phường 5".
pub(crate) fn trim_number(s: &str) -> &str {
    // A byte loop: this runs for every number in every address (house numbers, postcodes).
    let zeros = s.bytes().take_while(|&b| b == b'0').count();
    if zeros == s.len() && zeros > 0 {
        "0"
    } else {
        &s[zeros..]
    }
}

fn commune_mask(k: Option<CommuneKind>) -> KindMask {
    match k {
        Some(CommuneKind::Phuong) => K_PHUONG,
        Some(CommuneKind::Xa) => K_XA,
        Some(CommuneKind::ThiTran) => K_THITRAN,
        Some(CommuneKind::DacKhu) => K_DACKHU,
        None => LEVEL_COMMUNE,
    }
}

fn district_mask(k: Option<DistrictKind>) -> KindMask {
    match k {
        Some(DistrictKind::Quan) => K_QUAN,
        Some(DistrictKind::Huyen) => K_HUYEN,
        Some(DistrictKind::ThiXa) => K_THIXA,
        Some(DistrictKind::ThanhPho) => K_TP_DISTRICT,
        None => LEVEL_DISTRICT,
    }
}

impl Gazetteer {
    /// Syllable id of a folded token, numbers without leading zeros.
    #[inline]
    pub fn syllable(&self, plain: &str, numeric: bool) -> Option<u32> {
        let key = if numeric { trim_number(plain) } else { plain };
        self.vocab.get(&vi_text::pack(key.as_bytes())?).copied()
    }

    pub fn child(&self, node: u32, syl: u32) -> Option<u32> {
        if node == Self::ROOT {
            // Every match starts here: a direct table.
            return self.root.get(syl as usize).copied().filter(|&n| n != u32::MAX);
        }
        self.edges.get(&((node as u64) << 32 | syl as u64)).copied()
    }

    /// The units named at a node: (provinces and districts, communes, whether the name is a
    /// number).
    pub fn entries_at(&self, node: u32) -> (&[Entry], &[Entry], bool) {
        let n = self.node_entry_range[node as usize];
        (
            &self.entries[n.start as usize..n.mid as usize],
            &self.entries[n.mid as usize..n.end as usize],
            n.numeric,
        )
    }

    pub fn has_entries(&self, node: u32) -> bool {
        let n = self.node_entry_range[node as usize];
        n.start != n.end
    }

    /// The fixed phrases that start with this syllable.
    pub fn phrases_from(&self, syl: u32) -> &[Phrase] {
        self.phrases.get(syl as usize).map_or(&[], |v| v.as_slice())
    }

    /// Id of a tone-canonical syllable, `u32::MAX` when no name has it.
    pub fn toned_id(&self, toned: &str) -> u32 {
        vi_text::pack(toned.as_bytes()).and_then(|k| self.toned_vocab.get(&k)).copied().unwrap_or(u32::MAX)
    }

    pub fn entry_toned(&self, e: &Entry) -> &[u32] {
        &self.toned_syllables[e.toned.0 as usize..e.toned.0 as usize + e.toned.1 as usize]
    }

    pub const ROOT: u32 = 0;

    fn build(r: &Registry) -> Gazetteer {
        let mut b = Builder::default();
        b.nodes.push(Node::default());
        for (i, p) in r.provinces.iter().enumerate() {
            let mask = if p.kind == ProvinceKind::ThanhPho { K_TP_PROVINCE } else { K_TINH };
            b.add_name(split_type(p.name).1, Target::NewProvince(i as u32), mask, true);
        }
        for (i, p) in r.legacy_provinces.iter().enumerate() {
            let (t, core) = split_type(p.name);
            let mask = if t == "Tỉnh" { K_TINH } else { K_TP_PROVINCE };
            b.add_name(core, Target::OldProvince(i as u32), mask, true);
        }
        for (i, d) in r.legacy_districts.iter().enumerate() {
            b.add_name(split_type(d.name).1, Target::OldDistrict(i as u32), district_mask(d.kind), false);
        }
        for (i, c) in r.legacy_communes.iter().enumerate() {
            b.add_name(split_type(c.name).1, Target::OldCommune(i as u32), commune_mask(c.kind), false);
        }
        for (i, c) in r.communes.iter().enumerate() {
            b.add_name(split_type(c.name).1, Target::NewCommune(i as u32), commune_mask(Some(c.kind)), false);
        }
        b.add_aliases(r);
        let type_words: Vec<TypeWord> = TYPE_WORDS
            .iter()
            .map(|(w, toned, mask, suffix)| TypeWord {
                syllables: b.intern_phrase(w),
                toned: toned
                    .map_or(Box::default(), |t| vi_text::tone_key(t).split(' ').map(Box::from).collect()),
                mask: *mask,
                suffix: *suffix,
            })
            .collect();
        let mut phrases: Vec<Vec<Phrase>> = vec![];
        let mut add_phrase = |syllables: Vec<u32>, kind: PhraseKind| {
            let first = syllables[0] as usize;
            if phrases.len() <= first {
                phrases.resize_with(first + 1, Vec::new);
            }
            phrases[first].push(Phrase { kind, syllables: syllables.into() });
        };
        for (i, tw) in type_words.iter().enumerate() {
            add_phrase(tw.syllables.clone(), PhraseKind::Type(i as u16));
        }
        for w in STREET_WORDS {
            add_phrase(b.intern_phrase(w), PhraseKind::Street);
        }
        for w in COUNTRY_WORDS {
            add_phrase(b.intern_phrase(w), PhraseKind::Country);
        }
        // The typo index knows the syllables of names only: correcting towards a type word or a
        // street word would invent structure.
        let mut words: Vec<(&str, u32)> = b.vocab.iter().map(|(w, &id)| (&**w, id)).collect();
        words.sort_by_key(|w| w.1);
        let typo = TypoIndex::new(words.iter().map(|w| {
            if b.name_syllable.get(w.1 as usize).copied().unwrap_or(false) && w.0.len() >= 2 {
                w.0
            } else {
                // Keeps ids aligned with the vocabulary while never matching anything real.
                "\u{1}"
            }
        }));
        let mut root = vec![u32::MAX; b.vocab.len()];
        for &(syl, node) in &b.nodes[Self::ROOT as usize].children {
            root[syl as usize] = node;
        }
        let mut edges = FxHashMap::default();
        let mut node_entry_range = Vec::with_capacity(b.nodes.len());
        let mut slots: Vec<Option<Entry>> = b.entries.into_iter().map(Some).collect();
        let mut entries = Vec::with_capacity(slots.len());
        for (i, n) in b.nodes.iter().enumerate() {
            for &(syl, child) in &n.children {
                edges.insert((i as u64) << 32 | syl as u64, child);
            }
            let a = entries.len() as u32;
            let mut here: Vec<Entry> = n
                .entries
                .iter()
                .map(|&e| slots[e as usize].take().expect("each entry sits at one node"))
                .collect();
            for e in &mut here {
                e.link = Link::of(r, e.target);
            }
            // Upper units first, then communes by 2025 province: the parser reads only the
            // communes of the provinces an address names.
            here.sort_by_key(|e| (e.target.level_mask() == LEVEL_COMMUNE, e.link.new_province));
            let mid = a + here.iter().filter(|e| e.target.level_mask() != LEVEL_COMMUNE).count() as u32;
            let numeric = here.iter().any(|e| e.numeric);
            entries.extend(here);
            node_entry_range.push(NodeEntries { start: a, mid, end: entries.len() as u32, numeric });
        }
        Gazetteer {
            vocab: packed(&b.vocab),
            typo,
            edges,
            root,
            node_entry_range,
            entries,
            type_words,
            phrases,
            toned_vocab: packed(&b.toned_vocab),
            toned_syllables: b.toned_syllables,
        }
    }
}

/// Re-keys a vocabulary by packed strings; longer words cannot occur in tokens we look up.
fn packed(v: &FxHashMap<Box<str>, u32>) -> FxHashMap<u128, u32> {
    v.iter().filter_map(|(w, &id)| vi_text::pack(w.as_bytes()).map(|k| (k, id))).collect()
}

#[derive(Default)]
struct Builder {
    vocab: FxHashMap<Box<str>, u32>,
    name_syllable: Vec<bool>,
    nodes: Vec<Node>,
    entries: Vec<Entry>,
    tokens: Tokens,
    toned_vocab: FxHashMap<Box<str>, u32>,
    toned_syllables: Vec<u32>,
}

impl Builder {
    fn intern(&mut self, w: &str, in_name: bool) -> u32 {
        let next = self.vocab.len() as u32;
        let id = *self.vocab.entry(w.into()).or_insert(next);
        if id as usize == self.name_syllable.len() {
            self.name_syllable.push(false);
        }
        self.name_syllable[id as usize] |= in_name;
        id
    }

    fn intern_phrase(&mut self, phrase: &str) -> Vec<u32> {
        let mut t = std::mem::take(&mut self.tokens);
        t.tokenize(phrase);
        let ids = t
            .iter()
            .map(|k| {
                let p = t.plain(k);
                self.intern(if k.numeric { trim_number(p) } else { p }, false)
            })
            .collect();
        self.tokens = t;
        ids
    }

    fn insert(&mut self, syllables: &[u32], entry: Entry) {
        let mut node = 0u32;
        for &s in syllables {
            let found = self.nodes[node as usize].children.iter().find(|c| c.0 == s).map(|c| c.1);
            node = match found {
                Some(n) => n,
                None => {
                    let n = self.nodes.len() as u32;
                    self.nodes.push(Node::default());
                    self.nodes[node as usize].children.push((s, n));
                    n
                }
            };
        }
        let id = self.entries.len() as u32;
        self.entries.push(entry);
        self.nodes[node as usize].entries.push(id);
    }

    /// Adds an official proper name (type word already removed). Provinces also get the
    /// spelling without spaces ("hanoi", "danang"), as people and old systems write them.
    fn add_name(&mut self, core: &str, target: Target, kind: KindMask, glued: bool) {
        let mut t = std::mem::take(&mut self.tokens);
        t.tokenize(core);
        let numeric = t.len() == 1 && t.get(0).numeric;
        let mut ids = Vec::with_capacity(t.len());
        let mut whole = String::new();
        let toned_start = self.toned_syllables.len() as u32;
        for k in t.iter() {
            let p = t.plain(k);
            ids.push(self.intern(if k.numeric { trim_number(p) } else { p }, true));
            whole.push_str(p);
            let next = self.toned_vocab.len() as u32;
            let tid = *self.toned_vocab.entry(t.toned(k).into()).or_insert(next);
            self.toned_syllables.push(tid);
        }
        let toned = (toned_start, t.len() as u8);
        self.tokens = t;
        if ids.is_empty() {
            return;
        }
        if glued && ids.len() > 1 {
            let g = self.intern(&whole, true);
            self.insert(
                &[g],
                Entry { target, kind, toned: (0, 0), numeric: false, alias: true, link: NO_LINK },
            );
        }
        self.insert(&ids, Entry { target, kind, toned, numeric, alias: false, link: NO_LINK });
    }

    fn add_alias(&mut self, phrase: &str, target: Target, kind: KindMask, numeric: bool) {
        let ids = self.intern_phrase(phrase);
        for &i in &ids {
            self.name_syllable[i as usize] = true;
        }
        self.insert(&ids, Entry { target, kind, toned: (0, 0), numeric, alias: !numeric, link: NO_LINK });
    }

    fn add_aliases(&mut self, r: &Registry) {
        let prov = |code: &str| Target::NewProvince(r.province_index(code).expect("alias province"));
        let old_prov = |code: &str| {
            let i = r.legacy_provinces.iter().position(|p| p.code == code).expect("alias province");
            Target::OldProvince(i as u32)
        };
        for (phrase, code, kind) in PROVINCE_ALIASES {
            self.add_alias(phrase, prov(code), *kind, false);
        }
        for (phrase, code) in OLD_PROVINCE_ALIASES {
            self.add_alias(phrase, old_prov(code), K_TINH, false);
        }
        // Districts merged or renamed before the 2025 reform, still on many records.
        for (phrase, code, numeric) in DISTRICT_ALIASES {
            let d = r.legacy_districts.iter().position(|d| d.code == *code).expect("alias district");
            let kind = district_mask(r.legacy_districts[d].kind) | K_QUAN;
            self.add_alias(phrase, Target::OldDistrict(d as u32), kind, *numeric);
        }
    }
}

/// (phrase, 2025 province code, kind)
const PROVINCE_ALIASES: &[(&str, &str, KindMask)] = &[
    ("hcm", "79", K_TP_PROVINCE),
    ("tphcm", "79", K_TP_PROVINCE),
    ("hcmc", "79", K_TP_PROVINCE),
    ("tp hcm", "79", K_TP_PROVINCE),
    ("sài gòn", "79", K_TP_PROVINCE),
    ("saigon", "79", K_TP_PROVINCE),
    ("hn", "01", K_TP_PROVINCE),
    ("tphn", "01", K_TP_PROVINCE),
    ("hp", "31", K_TP_PROVINCE),
];

/// (phrase, legacy province code)
const OLD_PROVINCE_ALIASES: &[(&str, &str)] = &[
    ("tt huế", "46"),
    ("tth", "46"),
    ("thừa thiên", "46"),
    ("brvt", "77"),
    ("br vt", "77"),
    ("đắc lắc", "66"),
    ("hà tây", "01"),
];

/// (phrase, legacy district code, is a number): HCM's Quận 2, Quận 9 and Quận Thủ Đức became
/// Thành phố Thủ Đức (code 769) in 2021; their wards kept their codes.
const DISTRICT_ALIASES: &[(&str, &str, bool)] = &[("2", "769", true), ("9", "769", true)];

/// (written form, tone key required when written with marks, introduces, follows the name)
const TYPE_WORDS: &[(&str, Option<&str>, KindMask, bool)] = &[
    ("phuong", Some("phường"), K_PHUONG, false),
    ("p", None, K_PHUONG, false),
    ("ph", None, K_PHUONG, false),
    ("f", None, K_PHUONG, false),
    ("ward", None, K_PHUONG, false),
    ("xa", Some("xã"), K_XA, false),
    ("x", None, K_XA, false),
    ("commune", None, K_XA, false),
    ("thi tran", Some("thị trấn"), K_THITRAN, false),
    ("thitran", None, K_THITRAN, false),
    ("tt", None, K_THITRAN, false),
    ("ttr", None, K_THITRAN, false),
    ("dac khu", Some("đặc khu"), K_DACKHU, false),
    ("quan", Some("quận"), K_QUAN, false),
    ("q", None, K_QUAN, false),
    ("district", None, K_QUAN | K_HUYEN, false),
    ("dist", None, K_QUAN | K_HUYEN, false),
    ("huyen", Some("huyện"), K_HUYEN, false),
    ("h", None, K_HUYEN, false),
    ("thi xa", Some("thị xã"), K_THIXA, false),
    ("tx", None, K_THIXA, false),
    ("thanh pho", Some("thành phố"), K_TP_DISTRICT | K_TP_PROVINCE, false),
    ("tp", None, K_TP_DISTRICT | K_TP_PROVINCE, false),
    ("thu do", Some("thủ đô"), K_TP_PROVINCE, false),
    ("tinh", Some("tỉnh"), K_TINH, false),
    ("t", None, K_TINH, false),
    ("province", None, K_TINH, false),
    ("city", None, K_TP_DISTRICT | K_TP_PROVINCE, true),
    ("district", None, K_QUAN | K_HUYEN, true),
    ("ward", None, K_PHUONG, true),
    ("province", None, K_TINH, true),
    ("commune", None, K_XA, true),
    ("town", None, K_THIXA | K_THITRAN, true),
];

/// Words after which a name is a street, hamlet or building, not a unit.
const STREET_WORDS: &[&str] = &[
    "đường",
    "duong",
    "đ",
    "phố",
    "số",
    "so",
    "ngõ",
    "ngo",
    "hẻm",
    "hem",
    "kiệt",
    "ngách",
    "thôn",
    "ấp",
    "bản",
    "xóm",
    "tổ",
    "khu",
    "kp",
    "tdp",
    "cụm",
    "đội",
    "làng",
    "chung cư",
    "cc",
    "tòa",
    "toà",
    "block",
    "village",
    "street",
    "road",
    "quốc lộ",
    "ql",
    "tỉnh lộ",
    "tl",
    "khóm",
    "buôn",
    "plei",
    "lô",
    "ô",
    "khu phố",
    "tổ dân phố",
    "căn hộ",
    "can ho",
    "nhà",
    "st",
    "rd",
    "dt",
    "đt",
    "hamlet",
    "kdc",
    "kđt",
    "tòa nhà",
];

const COUNTRY_WORDS: &[&str] = &["việt nam", "vietnam", "vn", "viet nam"];
