//! The registry: every unit of both tiers, parsed once from the compiled-in CSV files.

use crate::kinds::{commune_kind, district_kind, split_type, CommuneKind, DistrictKind, ProvinceKind};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::OnceLock;

const PROVINCES_CSV: &str = include_str!("../../../data/units/provinces_2025.csv");
const COMMUNES_CSV: &str = include_str!("../../../data/units/communes_2025.csv");
const LEGACY_CSV: &str = include_str!("../../../data/units/legacy_to_2025.csv");

/// A 2025 province-level unit (tỉnh or thành phố).
#[derive(Debug, Serialize)]
pub struct Province {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: ProvinceKind,
    pub lat: f64,
    pub lon: f64,
    #[serde(skip)]
    pub communes: Vec<u32>,
}

/// A 2025 commune-level unit (phường, xã or đặc khu).
#[derive(Debug, Serialize)]
pub struct Commune {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: CommuneKind,
    #[serde(skip)]
    pub province: u32,
    pub lat: f64,
    pub lon: f64,
    pub area_km2: f64,
    /// Legacy communes (indices) that flowed wholly or partly into this one.
    #[serde(skip)]
    pub legacy: Vec<u32>,
}

/// A province before 1 July 2025.
#[derive(Debug)]
pub struct LegacyProvince {
    pub code: &'static str,
    pub name: &'static str,
    pub districts: Vec<u32>,
    /// 2025 provinces its communes went to (usually one).
    pub new_provinces: Vec<u32>,
}

/// A district (quận, huyện, thị xã, thành phố thuộc tỉnh) before 1 July 2025.
#[derive(Debug)]
pub struct LegacyDistrict {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: Option<DistrictKind>,
    pub province: u32,
    pub communes: Vec<u32>,
    /// For the island districts that had no communes: the special zone they became.
    pub direct: Option<u32>,
}

/// A commune before 1 July 2025 and where it went.
#[derive(Debug)]
pub struct LegacyCommune {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: Option<CommuneKind>,
    pub district: u32,
    /// The 2025 commune that took it, or the one that took most of it when it was split.
    pub new_default: u32,
    /// When split: every 2025 commune that received a part, the default among them.
    pub split: Vec<u32>,
}

/// A unit of either tier, as returned by look-ups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnitRef {
    Province(u32),
    Commune(u32),
    LegacyProvince(u32),
    LegacyDistrict(u32),
    LegacyCommune(u32),
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Stats {
    pub provinces: usize,
    pub communes: usize,
    pub communes_by_kind: KindCounts,
    pub legacy: LegacyCounts,
    pub split_legacy_communes: usize,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct KindCounts {
    pub phuong: usize,
    pub xa: usize,
    pub dac_khu: usize,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct LegacyCounts {
    pub provinces: usize,
    pub districts: usize,
    pub communes: usize,
}

#[derive(Debug, Default)]
pub struct Registry {
    pub provinces: Vec<Province>,
    pub communes: Vec<Commune>,
    pub legacy_provinces: Vec<LegacyProvince>,
    pub legacy_districts: Vec<LegacyDistrict>,
    pub legacy_communes: Vec<LegacyCommune>,
    province_by_code: FxHashMap<&'static str, u32>,
    commune_by_code: FxHashMap<&'static str, u32>,
    legacy_province_by_code: FxHashMap<&'static str, u32>,
    legacy_district_by_code: FxHashMap<&'static str, u32>,
    legacy_commune_by_code: FxHashMap<&'static str, u32>,
}

/// Type words as folded text, longest first so "thi xa" wins over "thi".
const FOLDED_TYPES: [&str; 9] =
    ["thanh pho", "thi tran", "dac khu", "thi xa", "phuong", "huyen", "tinh", "quan", "xa"];

/// The registry compiled into this binary, parsed on first use (a few milliseconds).
pub fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| Registry::parse(PROVINCES_CSV, COMMUNES_CSV, LEGACY_CSV))
}

fn rows(csv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    // The official files have no quoted fields (checked by a test), so a split is exact.
    csv.lines().skip(1).filter(|l| !l.is_empty()).map(|l| l.split(',').collect())
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or(f64::NAN)
}

impl Registry {
    fn parse(provinces: &'static str, communes: &'static str, legacy: &'static str) -> Self {
        let mut r = Registry::default();
        for f in rows(provinces) {
            let kind = if f[2] == "thanh_pho" { ProvinceKind::ThanhPho } else { ProvinceKind::Tinh };
            r.province_by_code.insert(f[0], r.provinces.len() as u32);
            r.provinces.push(Province {
                code: f[0],
                name: f[1],
                kind,
                lat: num(f[3]),
                lon: num(f[4]),
                communes: vec![],
            });
        }
        for f in rows(communes) {
            let kind = match f[4] {
                "phuong" => CommuneKind::Phuong,
                "dac_khu" => CommuneKind::DacKhu,
                _ => CommuneKind::Xa,
            };
            let province = r.province_by_code[f[0]];
            let idx = r.communes.len() as u32;
            r.commune_by_code.insert(f[2], idx);
            r.provinces[province as usize].communes.push(idx);
            r.communes.push(Commune {
                code: f[2],
                name: f[3],
                kind,
                province,
                lat: num(f[5]),
                lon: num(f[6]),
                area_km2: num(f[7]),
                legacy: vec![],
            });
        }
        for f in rows(legacy) {
            let lp = *r.legacy_province_by_code.entry(f[0]).or_insert_with(|| {
                r.legacy_provinces.push(LegacyProvince {
                    code: f[0],
                    name: f[1],
                    districts: vec![],
                    new_provinces: vec![],
                });
                (r.legacy_provinces.len() - 1) as u32
            });
            let ld = *r.legacy_district_by_code.entry(f[2]).or_insert_with(|| {
                r.legacy_districts.push(LegacyDistrict {
                    code: f[2],
                    name: f[3],
                    kind: district_kind(split_type(f[3]).0),
                    province: lp,
                    communes: vec![],
                    direct: None,
                });
                let i = (r.legacy_districts.len() - 1) as u32;
                r.legacy_provinces[lp as usize].districts.push(i);
                i
            });
            let new_default = r.commune_by_code[f[8]];
            let np = r.communes[new_default as usize].province;
            let lpv = &mut r.legacy_provinces[lp as usize];
            if !lpv.new_provinces.contains(&np) {
                lpv.new_provinces.push(np);
            }
            if f[4].is_empty() {
                r.legacy_districts[ld as usize].direct = Some(new_default);
                continue;
            }
            let split: Vec<u32> =
                if f[10] == "1" { f[12].split(';').map(|c| r.commune_by_code[c]).collect() } else { vec![] };
            let lc = r.legacy_communes.len() as u32;
            for &n in split.iter().chain(std::iter::once(&new_default)) {
                let legacy = &mut r.communes[n as usize].legacy;
                if !legacy.contains(&lc) {
                    legacy.push(lc);
                }
            }
            r.legacy_commune_by_code.insert(f[4], lc);
            r.legacy_districts[ld as usize].communes.push(lc);
            r.legacy_communes.push(LegacyCommune {
                code: f[4],
                name: f[5],
                kind: commune_kind(split_type(f[5]).0),
                district: ld,
                new_default,
                split,
            });
        }
        r
    }

    pub fn stats(&self) -> Stats {
        let count = |k| self.communes.iter().filter(|c| c.kind == k).count();
        Stats {
            provinces: self.provinces.len(),
            communes: self.communes.len(),
            communes_by_kind: KindCounts {
                phuong: count(CommuneKind::Phuong),
                xa: count(CommuneKind::Xa),
                dac_khu: count(CommuneKind::DacKhu),
            },
            legacy: LegacyCounts {
                provinces: self.legacy_provinces.len(),
                districts: self.legacy_districts.len(),
                communes: self.legacy_communes.len(),
            },
            split_legacy_communes: self.legacy_communes.iter().filter(|c| !c.split.is_empty()).count(),
        }
    }

    /// Accepts codes with or without leading zeros ("1" or "01", "4" or "00004").
    fn padded(code: &str, width: usize) -> Option<String> {
        let c = code.trim();
        (!c.is_empty() && c.len() <= width && c.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("{c:0>width$}"))
    }

    pub fn province(&self, code: &str) -> Option<&Province> {
        let c = Self::padded(code, 2)?;
        self.province_by_code.get(c.as_str()).map(|&i| &self.provinces[i as usize])
    }

    pub fn province_index(&self, code: &str) -> Option<u32> {
        self.province_by_code.get(Self::padded(code, 2)?.as_str()).copied()
    }

    pub fn commune(&self, code: &str) -> Option<&Commune> {
        let c = Self::padded(code, 5)?;
        self.commune_by_code.get(c.as_str()).map(|&i| &self.communes[i as usize])
    }

    pub fn legacy_province(&self, code: &str) -> Option<&LegacyProvince> {
        let c = Self::padded(code, 2)?;
        self.legacy_province_by_code.get(c.as_str()).map(|&i| &self.legacy_provinces[i as usize])
    }

    pub fn legacy_district(&self, code: &str) -> Option<&LegacyDistrict> {
        let c = Self::padded(code, 3)?;
        self.legacy_district_by_code.get(c.as_str()).map(|&i| &self.legacy_districts[i as usize])
    }

    pub fn legacy_commune(&self, code: &str) -> Option<&LegacyCommune> {
        let c = Self::padded(code, 5)?;
        self.legacy_commune_by_code.get(c.as_str()).map(|&i| &self.legacy_communes[i as usize])
    }

    /// The communes of a 2025 province, in official code order.
    /// The name of a 2025 commune or province by code.
    pub fn unit_name(&self, code: &str) -> Option<&'static str> {
        self.commune(code).map(|c| c.name).or_else(|| self.province(code).map(|p| p.name))
    }

    pub fn communes_of(&self, province_code: &str) -> Option<impl Iterator<Item = &Commune>> {
        let p = self.province(province_code)?;
        Some(p.communes.iter().map(|&i| &self.communes[i as usize]))
    }

    /// Official code and full name of a unit of either tier.
    pub fn code_and_name(&self, u: UnitRef) -> (&'static str, &'static str) {
        match u {
            UnitRef::Province(i) => (self.provinces[i as usize].code, self.provinces[i as usize].name),
            UnitRef::Commune(i) => (self.communes[i as usize].code, self.communes[i as usize].name),
            UnitRef::LegacyProvince(i) => {
                (self.legacy_provinces[i as usize].code, self.legacy_provinces[i as usize].name)
            }
            UnitRef::LegacyDistrict(i) => {
                (self.legacy_districts[i as usize].code, self.legacy_districts[i as usize].name)
            }
            UnitRef::LegacyCommune(i) => {
                (self.legacy_communes[i as usize].code, self.legacy_communes[i as usize].name)
            }
        }
    }

    pub fn province_of(&self, c: &Commune) -> &Province {
        &self.provinces[c.province as usize]
    }

    pub fn district_of(&self, c: &LegacyCommune) -> &LegacyDistrict {
        &self.legacy_districts[c.district as usize]
    }

    pub fn legacy_province_of(&self, d: &LegacyDistrict) -> &LegacyProvince {
        &self.legacy_provinces[d.province as usize]
    }

    /// Units whose name matches `query`, ignoring case, accents and type words ("Phường",
    /// "Tỉnh"...). 2025 units come first; among them, names whose accents match the query
    /// exactly come first (some communes of one province differ only by accents). With
    /// `province_code`, only units of that 2025 province (and legacy units that went into it).
    pub fn find_by_name(&self, query: &str, province_code: Option<&str>) -> Vec<UnitRef> {
        let qfull = vi_text::fold(query.trim());
        let qfull = qfull.split_whitespace().collect::<Vec<_>>().join(" ");
        // The query may carry a type word, accented or not ("phuong ba dinh", "Tỉnh Lai Châu").
        let (qtype_fold, qfold) = FOLDED_TYPES
            .iter()
            .find_map(|t| {
                qfull.strip_prefix(t).and_then(|rest| rest.strip_prefix(' ')).map(|rest| (*t, rest))
            })
            .unwrap_or(("", qfull.as_str()));
        let qtone_full = vi_text::tone_key(query.trim());
        let in_province = province_code.and_then(|c| self.province_index(c));
        let mut hits: Vec<(u8, UnitRef)> = vec![];
        let mut consider = |name: &str, unit: UnitRef, tier: u8| {
            let (t, core) = split_type(name);
            let core_fold = vi_text::fold(core);
            let typed = core_fold == qfold;
            if !typed && core_fold != qfull {
                return;
            }
            let mut rank = tier * 4;
            if !qtone_full.ends_with(&vi_text::tone_key(core)) {
                rank += 2;
            }
            if typed && !qtype_fold.is_empty() && vi_text::fold(t) != qtype_fold {
                rank += 1;
            }
            hits.push((rank, unit));
        };
        for (i, p) in self.provinces.iter().enumerate() {
            if in_province.is_none_or(|ip| ip == i as u32) {
                consider(p.name, UnitRef::Province(i as u32), 0);
            }
        }
        for (i, c) in self.communes.iter().enumerate() {
            if in_province.is_none_or(|ip| ip == c.province) {
                consider(c.name, UnitRef::Commune(i as u32), 0);
            }
        }
        for (i, p) in self.legacy_provinces.iter().enumerate() {
            if in_province.is_none_or(|ip| p.new_provinces.contains(&ip)) {
                consider(p.name, UnitRef::LegacyProvince(i as u32), 1);
            }
        }
        for (i, d) in self.legacy_districts.iter().enumerate() {
            let lp = &self.legacy_provinces[d.province as usize];
            if in_province.is_none_or(|ip| lp.new_provinces.contains(&ip)) {
                consider(d.name, UnitRef::LegacyDistrict(i as u32), 1);
            }
        }
        for (i, c) in self.legacy_communes.iter().enumerate() {
            let np = self.communes[c.new_default as usize].province;
            if in_province.is_none_or(|ip| ip == np) {
                consider(c.name, UnitRef::LegacyCommune(i as u32), 1);
            }
        }
        hits.sort_by_key(|h| h.0);
        hits.into_iter().map(|h| h.1).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_counts() {
        let s = registry().stats();
        assert_eq!(s.provinces, 34);
        assert_eq!(s.communes, 3321);
        assert_eq!(s.communes_by_kind, KindCounts { phuong: 687, xa: 2621, dac_khu: 13 });
        assert_eq!(s.legacy.provinces, 63);
        assert_eq!(s.legacy.communes, 10035);
        assert_eq!(s.split_legacy_communes, 471);
    }

    #[test]
    fn data_files_have_no_quoted_fields() {
        for csv in [PROVINCES_CSV, COMMUNES_CSV, LEGACY_CSV] {
            assert!(!csv.contains('"'));
            let width = csv.lines().next().unwrap().split(',').count();
            assert!(csv.lines().all(|l| l.split(',').count() == width));
        }
    }

    #[test]
    fn lookups_by_code_accept_missing_leading_zeros() {
        let r = registry();
        assert_eq!(r.province("1").unwrap().name, "Thành phố Hà Nội");
        assert_eq!(r.commune("4").unwrap().name, "Phường Ba Đình");
        assert_eq!(r.legacy_commune("00004").unwrap().name, "Phường Trúc Bạch");
        assert!(r.commune("abc").is_none());
        assert!(r.commune("123456").is_none());
    }

    #[test]
    fn split_communes_list_the_default_among_their_parts() {
        let r = registry();
        for c in &r.legacy_communes {
            if !c.split.is_empty() {
                assert!(c.split.len() >= 2);
                assert!(c.split.contains(&c.new_default), "{}", c.code);
            }
        }
    }

    #[test]
    fn find_by_name_ignores_accents_case_and_type_but_prefers_exact() {
        let r = registry();
        let hits = r.find_by_name("phuong ba dinh", Some("01"));
        assert_eq!(hits.first(), Some(&UnitRef::Commune(r.commune_by_code["00004"])));
        let hits = r.find_by_name("Tỉnh Lai Châu", None);
        assert!(matches!(hits[0], UnitRef::Province(_)));
        assert!(hits.iter().any(|h| matches!(h, UnitRef::LegacyProvince(_))));
    }
}
