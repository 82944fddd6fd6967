//! The procedure catalog (TTHC): what each procedure needs, how long it takes per channel,
//! what it costs, on what legal basis, and how sure we are of each of those facts.
//!
//! [`Catalog::parse`] reads the catalog's JSON (the shipped `data/catalog/procedures.json`, or a
//! province's own list in the same format) and turns the portal's published time limits into
//! [`Terms`] the calendar can count. Facts are kept with their provenance and confidence so the
//! product can show a low-confidence fee or time limit as such.

use crate::dossier::Terms;
use crate::status::Channel;
use calendar::TimeLimit;
use chrono::NaiveTime;
use errors::Code;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The catalog shipped with this release.
pub const BUILTIN_CATALOG_JSON: &str = include_str!("../../../data/catalog/procedures.json");

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Confidence {
    High,
    Medium,
    Low,
    /// Not a fact to be confirmed (e.g. colloquial aliases).
    NotApplicable,
    /// No provenance recorded.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Provenance {
    pub source: String,
    pub confidence: Confidence,
}

/// Which tier decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Level {
    Commune,
    /// Decided by a ministry or a central agency ("Cấp bộ").
    Ministry,
    Province,
    CommuneAndProvince,
    OtherAgency,
    MultiLevel,
    Unverified,
}

impl Level {
    /// As the catalog's files and the API write it.
    pub fn code(self) -> &'static str {
        match self {
            Level::Commune => "commune",
            Level::Ministry => "ministry",
            Level::Province => "province",
            Level::CommuneAndProvince => "commune_and_province",
            Level::OtherAgency => "other_agency",
            Level::MultiLevel => "multi_level",
            Level::Unverified => "unverified",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        [
            Level::Commune,
            Level::Ministry,
            Level::Province,
            Level::CommuneAndProvince,
            Level::OtherAgency,
            Level::MultiLevel,
            Level::Unverified,
        ]
        .into_iter()
        .find(|l| l.code() == s)
    }

    /// In the portal's words.
    pub fn label(self) -> &'static str {
        match self {
            Level::Commune => "Cấp xã",
            Level::Ministry => "Cấp bộ",
            Level::Province => "Cấp tỉnh",
            Level::CommuneAndProvince => "Cấp tỉnh, cấp xã",
            Level::OtherAgency => "Cơ quan khác",
            Level::MultiLevel => "Nhiều cấp",
            Level::Unverified => "Chưa xác minh",
        }
    }
}

/// Where a channel's time limit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LimitSource {
    /// Number and unit as published on the portal.
    Portal,
    /// The portal lost the unit; completed from the catalog's summary (the statute).
    Summary,
    /// The unit is unknown: no due date can be computed until an administrator completes it.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelTerms {
    pub channel: Channel,
    /// As published ("5 Ngày làm việc", "1 (đơn vị không hiển thị)").
    pub published: String,
    pub terms: Option<Terms>,
    pub source: LimitSource,
}

/// What a channel costs, as the portal publishes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelFee {
    pub channel: Channel,
    /// In plain words: "Miễn phí", "20.000 đồng", "Lệ phí: 50.000 đồng".
    pub summary: String,
    pub free: bool,
    /// The sum of the amounts in đồng, where every amount is in đồng.
    pub amount_vnd: Option<u64>,
    /// The amount is set by the province or by another text ("theo quy định").
    pub set_elsewhere: bool,
    /// The note published with it.
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Procedure {
    pub code: String,
    pub name: String,
    pub field: Option<String>,
    pub level: Level,
    /// Every level the portal names, where it names several ("Cấp bộ, Cấp tỉnh").
    pub levels: Vec<Level>,
    pub authority: Option<String>,
    pub result: Option<String>,
    pub time_summary: String,
    pub channel_terms: Vec<ChannelTerms>,
    pub fee_summary: String,
    /// Per channel, where the record says (imported from the portal).
    pub fees: Vec<ChannelFee>,
    pub documents: Vec<String>,
    /// What the applicant must meet (yêu cầu, điều kiện), as published.
    pub conditions: Option<String>,
    pub online: bool,
    pub postal: bool,
    pub direct: bool,
    pub legal_basis: Vec<String>,
    pub aliases: Vec<String>,
    pub portal_url: Option<String>,
    /// Per field: where it comes from and how sure it is.
    pub provenance: BTreeMap<String, Provenance>,
    /// The collector's citation of the record imported (repository, path, commit).
    pub source_record: Option<String>,
    /// Where the record comes from, as a citizen is told: "Cổng Dịch vụ công quốc gia, cập
    /// nhật 07/2026". `None` when its provenance names no public source.
    pub origin: Option<String>,
}

impl Procedure {
    /// The terms for a channel, if the procedure is offered there and its limit is known.
    pub fn terms(&self, channel: Channel) -> Option<Terms> {
        self.channel_terms.iter().find(|c| c.channel == channel).and_then(|c| c.terms)
    }

    /// Its field (lĩnh vực), or "Khác" for a procedure filed under none: the name lists and
    /// filters use.
    pub fn field_name(&self) -> &str {
        self.field.as_deref().unwrap_or("Khác")
    }

    /// Whether the procedure is done at `level` (one of the levels it names, or its own).
    pub fn at_level(&self, level: Level) -> bool {
        self.level == level
            || self.levels.contains(&level)
            || (self.level == Level::CommuneAndProvince && matches!(level, Level::Commune | Level::Province))
    }

    pub fn confidence(&self, field: &str) -> Confidence {
        self.provenance.get(field).map_or(Confidence::Unknown, |p| p.confidence)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Catalog {
    pub title: String,
    pub version: String,
    pub data_as_of: Option<String>,
    pub warning: Option<String>,
    pub procedures: Vec<Procedure>,
}

/// Why a catalog file was refused: nothing of it is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogError {
    pub code: errors::Code,
    pub message: String,
}

#[derive(Deserialize)]
struct RawCatalog {
    #[serde(default)]
    title: String,
    #[serde(default)]
    version: serde_json::Value,
    data_as_of: Option<String>,
    warning: Option<String>,
    procedures: Vec<RawProcedure>,
    /// The sources the provenance's codes ("S1", "S1+S5") stand for.
    #[serde(default)]
    sources: Option<BTreeMap<String, RawSource>>,
}

#[derive(Deserialize)]
struct RawSource {
    #[serde(default)]
    desc: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
}

#[derive(Deserialize)]
struct RawProcedure {
    code: String,
    name: String,
    field: Option<String>,
    competent_level: Option<String>,
    levels: Option<Vec<String>>,
    competent_authority: Option<String>,
    result: Option<String>,
    // Fields the source leaves null are read as empty.
    processing_time: Option<RawTime>,
    fee: Option<RawFee>,
    required_documents: Option<Vec<String>>,
    submission_channels: Option<RawChannels>,
    legal_basis: Option<Vec<String>>,
    aliases_colloquial: Option<Vec<String>>,
    conditions: Option<String>,
    /// The hand-compiled catalog keeps its conditions among its notes.
    notes: Option<RawNotes>,
    portal_url: Option<String>,
    provenance: Option<BTreeMap<String, Option<RawProvenance>>>,
    source_record: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawNotes {
    #[serde(default)]
    conditions: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawTime {
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    by_channel_portal: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Deserialize, Default)]
struct RawFee {
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    by_channel: Option<BTreeMap<String, RawChannelFee>>,
}

#[derive(Deserialize)]
struct RawChannelFee {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    free: bool,
    #[serde(default)]
    amounts: Vec<RawAmount>,
    #[serde(default)]
    set_elsewhere: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
struct RawAmount {
    value: u64,
    currency: String,
}

#[derive(Deserialize)]
struct RawChannels {
    #[serde(default)]
    online: Option<bool>,
    #[serde(default)]
    postal: Option<bool>,
    #[serde(default)]
    direct: Option<bool>,
}

#[derive(Deserialize)]
struct RawProvenance {
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    confidence: Option<String>,
}

/// The leading number of a text ("05 ngày làm việc…" → 5).
fn leading_number(s: &str) -> Option<u32> {
    let digits: String = s.trim_start().chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// A cut-off hour in the summary: "hồ sơ nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo".
fn cutoff_in(summary: &str) -> Option<NaiveTime> {
    let lower = summary.to_lowercase();
    let at = lower.find("sau ")? + 4;
    let hour = leading_number(&lower[at..])?;
    lower[at..].contains("giờ").then(|| NaiveTime::from_hms_opt(hour, 0, 0)).flatten()
}

/// Reads one published limit; a lost unit is completed from the summary when it says.
fn parse_limit(published: &str, summary: &str) -> (Option<Terms>, LimitSource) {
    use crate::national::Unit;
    let cutoff = cutoff_in(summary);
    // One reader of published limits, the import's: units, ranges (the upper end holds),
    // "không quá", "trong ngày".
    let read = crate::national::limit(published).map(|(l, _)| l);
    let limit = match read.as_ref().and_then(|l| l.unit.map(|u| (u, l.value))) {
        Some((Unit::WorkingDays, n)) => Some(TimeLimit::WorkingDays(n)),
        Some((Unit::Days, n)) => Some(TimeLimit::Days(n)),
        Some((Unit::Hours | Unit::WorkingHours, n)) => Some(TimeLimit::WorkingHours(n)),
        Some((Unit::SameDay, _)) => Some(TimeLimit::SameDay),
        Some((Unit::Months, n)) => Some(TimeLimit::Months(n)),
        Some((Unit::Years, n)) => Some(TimeLimit::Months(n.saturating_mul(12))),
        None => None,
    };
    if let Some(limit) = limit {
        return (Some(Terms { limit, cutoff }), LimitSource::Portal);
    }
    let s = summary.trim().to_lowercase();
    if s.starts_with("trong ngày") {
        return (Some(Terms { limit: TimeLimit::SameDay, cutoff }), LimitSource::Summary);
    }
    // The statute's limit stated anywhere in the summary: "theo luật là 03 ngày làm việc".
    if let Some(at) = s.find("ngày làm việc") {
        let before = s[..at].trim_end();
        let digits: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Ok(k) = digits.parse() {
            return (Some(Terms { limit: TimeLimit::WorkingDays(k), cutoff }), LimitSource::Summary);
        }
    }
    (None, LimitSource::Unknown)
}

/// The national portal's name, as provenance and answers write it.
pub const PORTAL: &str = "Cổng Dịch vụ công quốc gia";

/// Where a record's name comes from, told to a citizen: an imported record's provenance
/// already says it ("Cổng Dịch vụ công quốc gia, cập nhật 07/2026 — …" up to the dash; "bản
/// xuất chi tiết thủ tục hành chính của bộ, cập nhật 12/2025" for a ministry's export, in
/// lower case as it reads after "theo"); a hand-compiled one cites codes ("S1+S5") whose
/// description names the portal and whose date gives the month.
fn origin_of(
    provenance: &BTreeMap<String, Provenance>,
    sources: &BTreeMap<String, RawSource>,
) -> Option<String> {
    use crate::national::Format;
    let source = &provenance.get("name").or_else(|| provenance.values().next())?.source;
    if source.starts_with(PORTAL) {
        return source.split(" — ").next().map(str::to_string);
    }
    let export = Format::Structured.origin();
    if let Some(rest) = source.strip_prefix(export) {
        let said = rest.split(" — ").next().unwrap_or_default();
        return Some(format!("{}{said}", export.to_lowercase()));
    }
    source.split(['+', ',', ' ']).find_map(|code| {
        let s = sources.get(code.trim())?;
        let desc = s.desc.as_deref()?;
        if !(desc.contains(PORTAL) || desc.contains("Cổng DVCQG")) {
            return None;
        }
        // "2026-06-10" → "06/2026".
        Some(match s.as_of.as_deref().and_then(|d| Some((d.get(0..4)?, d.get(5..7)?))) {
            Some((y, m)) => format!("{PORTAL}, cập nhật {m}/{y}"),
            None => PORTAL.to_string(),
        })
    })
}

fn level_of(s: Option<&str>) -> Level {
    s.and_then(Level::parse).unwrap_or(Level::Unverified)
}

fn confidence_of(s: Option<&str>) -> Confidence {
    match s {
        Some("high") => Confidence::High,
        Some("medium") => Confidence::Medium,
        Some("low") => Confidence::Low,
        Some("n/a") => Confidence::NotApplicable,
        _ => Confidence::Unknown,
    }
}

impl Catalog {
    /// The catalog shipped with the binary.
    pub fn builtin() -> Catalog {
        Catalog::parse(BUILTIN_CATALOG_JSON).expect("the shipped catalog is valid")
    }

    /// Parses and checks a catalog; refuses it whole on the first problem.
    pub fn parse(json: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = serde_json::from_str(json).map_err(|e| CatalogError {
            code: Code::InvalidCatalog,
            message: format!("tệp danh mục không đúng định dạng: {e}"),
        })?;
        let sources = raw.sources.unwrap_or_default();
        let mut seen = HashSet::new();
        let mut procedures = Vec::with_capacity(raw.procedures.len());
        for (i, p) in raw.procedures.into_iter().enumerate() {
            let bad = |why: String| CatalogError {
                code: Code::InvalidProcedure,
                message: format!("thủ tục thứ {} ({}): {why}", i + 1, p.code),
            };
            if p.code.trim().is_empty() || p.name.trim().is_empty() {
                return Err(bad("thiếu mã hoặc tên".into()));
            }
            if !seen.insert(p.code.clone()) {
                return Err(bad("mã thủ tục bị trùng".into()));
            }
            let time = p.processing_time.unwrap_or_default();
            let summary = time.summary.clone().unwrap_or_default();
            let mut channel_terms = vec![];
            let channel_of =
                |key: &str| Channel::parse(key).ok_or_else(|| bad(format!("hình thức nộp '{key}' không rõ")));
            for (key, values) in time.by_channel_portal.iter().flatten() {
                let channel = channel_of(key)?;
                let published = values.first().cloned().unwrap_or_default();
                let (terms, source) = parse_limit(&published, &summary);
                channel_terms.push(ChannelTerms { channel, published, terms, source });
            }
            channel_terms.sort_by_key(|c| c.channel.portal_code());
            let fee = p.fee.unwrap_or_default();
            let mut fees = vec![];
            for (key, f) in fee.by_channel.into_iter().flatten() {
                let in_vnd = f.amounts.iter().all(|a| a.currency == "VND");
                fees.push(ChannelFee {
                    channel: channel_of(&key)?,
                    amount_vnd: (in_vnd && !f.amounts.is_empty())
                        .then(|| f.amounts.iter().map(|a| a.value).sum()),
                    summary: f.summary,
                    free: f.free,
                    set_elsewhere: f.set_elsewhere,
                    note: f.note,
                });
            }
            fees.sort_by_key(|f| f.channel.portal_code());
            let levels: Vec<Level> = p
                .levels
                .iter()
                .flatten()
                .map(|l| level_of(Some(l)))
                .filter(|l| *l != Level::Unverified)
                .collect();
            let ch = p.submission_channels.as_ref();
            let provenance = p
                .provenance
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(k, v)| {
                    v.map(|v| {
                        let prov = Provenance {
                            source: v.source.unwrap_or_default(),
                            confidence: confidence_of(v.confidence.as_deref()),
                        };
                        (k, prov)
                    })
                })
                .collect();
            procedures.push(Procedure {
                code: p.code,
                name: p.name,
                field: p.field,
                level: level_of(p.competent_level.as_deref()),
                levels,
                authority: p.competent_authority,
                result: p.result,
                time_summary: summary,
                channel_terms,
                fee_summary: fee.summary.unwrap_or_default(),
                fees,
                documents: p.required_documents.unwrap_or_default(),
                conditions: p
                    .conditions
                    .or(p.notes.and_then(|n| n.conditions))
                    .and_then(|c| crate::national::conditions(&c)),
                online: ch.and_then(|c| c.online).unwrap_or(false),
                postal: ch.and_then(|c| c.postal).unwrap_or(false),
                direct: ch.and_then(|c| c.direct).unwrap_or(true),
                legal_basis: p.legal_basis.unwrap_or_default(),
                aliases: p.aliases_colloquial.unwrap_or_default(),
                origin: origin_of(&provenance, &sources),
                portal_url: p.portal_url,
                provenance,
                source_record: p.source_record,
            });
        }
        let version = match raw.version {
            serde_json::Value::String(s) => s,
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        Ok(Catalog {
            title: raw.title,
            version,
            data_as_of: raw.data_as_of,
            warning: raw.warning,
            procedures,
        })
    }

    pub fn get(&self, code: &str) -> Option<&Procedure> {
        self.procedures.iter().find(|p| p.code == code.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalog_parses_whole() {
        let c = Catalog::builtin();
        assert_eq!(c.procedures.len(), 111);
        let birth = c.get("1.001193").unwrap();
        assert_eq!(birth.name, "Thủ tục đăng ký khai sinh");
        assert_eq!(birth.level, Level::Commune);
        // "1 (đơn vị không hiển thị)" completed from the summary: same day, cut-off 15:00.
        let t = birth.terms(Channel::Direct).unwrap();
        assert_eq!(t.limit, TimeLimit::SameDay);
        assert_eq!(t.cutoff, NaiveTime::from_hms_opt(15, 0, 0));
        assert_eq!(birth.confidence("processing_time"), Confidence::Medium);
        assert!(!birth.aliases.is_empty());
    }

    #[test]
    fn published_limits_are_read_with_their_units() {
        assert_eq!(parse_limit("5 Ngày làm việc", "").0.unwrap().limit, TimeLimit::WorkingDays(5));
        assert_eq!(parse_limit("15 Ngày", "").0.unwrap().limit, TimeLimit::Days(15));
        assert_eq!(parse_limit("1 Giờ", "").0.unwrap().limit, TimeLimit::WorkingHours(1));
        let (t, src) = parse_limit("5 (đơn vị không hiển thị)", "05 ngày làm việc (Cổng DVCQG ghi '5')");
        assert_eq!((t.unwrap().limit, src), (TimeLimit::WorkingDays(5), LimitSource::Summary));
        let (t, _) = parse_limit(
            "1 (đơn vị không hiển thị)",
            "Cổng DVCQG ghi '1'; Luật Hộ tịch quy định 03 ngày làm việc",
        );
        assert_eq!(t.unwrap().limit, TimeLimit::WorkingDays(3));
        let (t, src) = parse_limit("5 (đơn vị không hiển thị)", "Cổng DVCQG ghi '5' (đơn vị không hiển thị)");
        assert_eq!((t, src), (None, LimitSource::Unknown));
    }

    #[test]
    fn a_limit_is_unknown_exactly_when_neither_portal_nor_summary_gives_the_unit() {
        let c = Catalog::builtin();
        let mut unknown = 0;
        for p in &c.procedures {
            let summary = p.time_summary.to_lowercase();
            for t in &p.channel_terms {
                let unit_lost = t.published.contains("không hiển thị");
                let summary_says = summary.starts_with("trong ngày") || summary.contains("ngày làm việc");
                let expect_unknown = unit_lost && !summary_says;
                assert_eq!(t.source == LimitSource::Unknown, expect_unknown, "{} {}", p.code, t.published);
                assert_eq!(t.terms.is_none(), expect_unknown, "{} {}", p.code, t.published);
                unknown += expect_unknown as usize;
            }
        }
        assert_eq!(unknown, 23, "the shipped catalog has 23 channel limits with no unit anywhere");
    }

    #[test]
    fn bad_catalogs_are_refused_whole() {
        assert_eq!(Catalog::parse("{").unwrap_err().code, "invalid_catalog");
        let dup = r#"{"procedures": [{"code": "1", "name": "A"}, {"code": "1", "name": "B"}]}"#;
        let e = Catalog::parse(dup).unwrap_err();
        assert_eq!(e.code, "invalid_procedure");
        assert!(e.message.contains("trùng"));
        let empty = r#"{"procedures": [{"code": "", "name": "A"}]}"#;
        assert_eq!(Catalog::parse(empty).unwrap_err().code, "invalid_procedure");
    }
}
