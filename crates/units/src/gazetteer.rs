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
    /// Tone-canonical key of the name, syllables separated by spaces; empty for aliases.
    pub toned: Box<str>,
    /// The name is a number ("Phường 12", "Quận 3"): only meaningful after a type word.
    pub numeric: bool,
    /// A strong abbreviation or alias ("hcm", "brvt"), weighted like a two-syllable name.
    pub alias: bool,
}

#[derive(Debug, Default)]
struct Node {
    children: Vec<(u32, u32)>,
    entries: Vec<u32>,
}

/// A type word: the syllables it is written with and what it can introduce.
#[derive(Debug)]
pub(crate) struct TypeWord {
    pub syllables: Vec<u32>,
    /// Tone key the word must have when written with marks ("xã", not "xá").
    pub toned: Option<Box<str>>,
    pub mask: KindMask,
    /// English words follow the name ("Ho Chi Minh City", "Ward 12" is handled as a prefix).
    pub suffix: bool,
}

#[derive(Debug)]
pub(crate) struct Gazetteer {
    vocab: FxHashMap<Box<str>, u32>,
    pub typo: TypoIndex,
    nodes: Vec<Node>,
    pub entries: Vec<Entry>,
    pub type_words: Vec<TypeWord>,
    /// Syllable ids of words that introduce a street, hamlet or building, not a unit.
    pub street_words: Vec<Vec<u32>>,
    /// Syllable ids of country names, ignored.
    pub country_words: Vec<Vec<u32>>,
}

pub(crate) fn gazetteer() -> &'static Gazetteer {
    static G: OnceLock<Gazetteer> = OnceLock::new();
    G.get_or_init(|| Gazetteer::build(registry()))
}

/// Numbers are compared without leading zeros: "Phường 05" is "Phường 5".
pub(crate) fn trim_number(s: &str) -> &str {
    let t = s.trim_start_matches('0');
    if t.is_empty() && !s.is_empty() {
        "0"
    } else {
        t
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
        self.vocab.get(key).copied()
    }

    pub fn child(&self, node: u32, syl: u32) -> Option<u32> {
        let ch = &self.nodes[node as usize].children;
        ch.binary_search_by_key(&syl, |c| c.0).ok().map(|i| ch[i].1)
    }

    pub fn entries_at(&self, node: u32) -> &[u32] {
        &self.nodes[node as usize].entries
    }

    pub const ROOT: u32 = 0;

    fn build(r: &Registry) -> Gazetteer {
        let mut b = Builder::default();
        b.nodes.push(Node::default());
        for (i, p) in r.provinces.iter().enumerate() {
            let mask = if p.kind == ProvinceKind::ThanhPho {
                K_TP_PROVINCE
            } else {
                K_TINH
            };
            b.add_name(
                split_type(p.name).1,
                Target::NewProvince(i as u32),
                mask,
                true,
            );
        }
        for (i, p) in r.legacy_provinces.iter().enumerate() {
            let (t, core) = split_type(p.name);
            let mask = if t == "Tỉnh" { K_TINH } else { K_TP_PROVINCE };
            b.add_name(core, Target::OldProvince(i as u32), mask, true);
        }
        for (i, d) in r.legacy_districts.iter().enumerate() {
            b.add_name(
                split_type(d.name).1,
                Target::OldDistrict(i as u32),
                district_mask(d.kind),
                false,
            );
        }
        for (i, c) in r.legacy_communes.iter().enumerate() {
            b.add_name(
                split_type(c.name).1,
                Target::OldCommune(i as u32),
                commune_mask(c.kind),
                false,
            );
        }
        for (i, c) in r.communes.iter().enumerate() {
            b.add_name(
                split_type(c.name).1,
                Target::NewCommune(i as u32),
                commune_mask(Some(c.kind)),
                false,
            );
        }
        b.add_aliases(r);
        let type_words = TYPE_WORDS
            .iter()
            .map(|(w, toned, mask, suffix)| TypeWord {
                syllables: b.intern_phrase(w),
                toned: toned.map(|t| vi_text::tone_key(t).into_boxed_str()),
                mask: *mask,
                suffix: *suffix,
            })
            .collect();
        let street_words = STREET_WORDS.iter().map(|w| b.intern_phrase(w)).collect();
        let country_words = COUNTRY_WORDS.iter().map(|w| b.intern_phrase(w)).collect();
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
        for n in &mut b.nodes {
            n.children.sort_unstable_by_key(|c| c.0);
        }
        Gazetteer {
            vocab: b.vocab,
            typo,
            nodes: b.nodes,
            entries: b.entries,
            type_words,
            street_words,
            country_words,
        }
    }

    /// The syllable ids of a phrase as tokenized, `None` if a syllable is unknown.
    pub fn phrase_ids(&self, phrase: &str) -> Option<Vec<u32>> {
        let mut t = Tokens::default();
        t.tokenize(phrase);
        t.iter()
            .map(|k| self.syllable(t.plain(k), k.numeric))
            .collect()
    }
}

#[derive(Default)]
struct Builder {
    vocab: FxHashMap<Box<str>, u32>,
    name_syllable: Vec<bool>,
    nodes: Vec<Node>,
    entries: Vec<Entry>,
    tokens: Tokens,
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
            let found = self.nodes[node as usize]
                .children
                .iter()
                .find(|c| c.0 == s)
                .map(|c| c.1);
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
        for k in t.iter() {
            let p = t.plain(k);
            ids.push(self.intern(if k.numeric { trim_number(p) } else { p }, true));
            whole.push_str(p);
        }
        let toned = vi_text::tone_key(core).into_boxed_str();
        self.tokens = t;
        if ids.is_empty() {
            return;
        }
        if glued && ids.len() > 1 {
            let g = self.intern(&whole, true);
            self.insert(
                &[g],
                Entry {
                    target,
                    kind,
                    toned: "".into(),
                    numeric: false,
                    alias: true,
                },
            );
        }
        self.insert(
            &ids,
            Entry {
                target,
                kind,
                toned,
                numeric,
                alias: false,
            },
        );
    }

    fn add_alias(&mut self, phrase: &str, target: Target, kind: KindMask, numeric: bool) {
        let ids = self.intern_phrase(phrase);
        for &i in &ids {
            self.name_syllable[i as usize] = true;
        }
        self.insert(
            &ids,
            Entry {
                target,
                kind,
                toned: "".into(),
                numeric,
                alias: !numeric,
            },
        );
    }

    fn add_aliases(&mut self, r: &Registry) {
        let prov =
            |code: &str| Target::NewProvince(r.province_index(code).expect("alias province"));
        let old_prov = |code: &str| {
            let i = r
                .legacy_provinces
                .iter()
                .position(|p| p.code == code)
                .expect("alias province");
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
            let d = r
                .legacy_districts
                .iter()
                .position(|d| d.code == *code)
                .expect("alias district");
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
    (
        "thanh pho",
        Some("thành phố"),
        K_TP_DISTRICT | K_TP_PROVINCE,
        false,
    ),
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
