//! Dossier codes from a configurable pattern.
//!
//! A pattern such as `{unit}-{yymmdd}-{seq:4}` gives `20194-261122-0001`. The counter is kept per
//! *everything but the sequence*: the pattern rendered with `{seq}` left out is the counter's
//! key, so two dossiers can only share a code if they share a key and a number, which the
//! store's counter rules out. A pattern without a date counts for ever; with `{yyyy}`, per year.

use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;

/// The pattern used when a province has not set its own.
pub const DEFAULT_PATTERN: &str = "{unit}-{yymmdd}-{seq:4}";

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Unit,
    Province,
    Year4,
    Year2,
    Month,
    Day,
    Seq(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodePattern {
    parts: Vec<Part>,
    source: String,
}

/// Why a pattern was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError(pub String);

impl CodePattern {
    pub fn parse(pattern: &str) -> Result<CodePattern, PatternError> {
        let mut parts = vec![];
        let mut rest = pattern;
        let mut seqs = 0;
        let mut has_unit = false;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                parts.push(Part::Text(rest.to_string()));
                break;
            };
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| PatternError(format!("thiếu dấu '}}' trong mẫu mã \"{pattern}\"")))?
                + open;
            let token = &rest[open + 1..close];
            let part = match token {
                "unit" => {
                    has_unit = true;
                    Part::Unit
                }
                "province" => Part::Province,
                "yyyy" => Part::Year4,
                "yy" => Part::Year2,
                "mm" => Part::Month,
                "dd" => Part::Day,
                "yymmdd" => {
                    parts.extend([Part::Year2, Part::Month]);
                    Part::Day
                }
                "seq" => Part::Seq(1),
                t if t.starts_with("seq:") => {
                    let width = t[4..].parse().ok().filter(|w| (1..=12).contains(w)).ok_or_else(|| {
                        PatternError(format!("độ dài số thứ tự không hợp lệ: \"{t}\" (từ 1 đến 12)"))
                    })?;
                    Part::Seq(width)
                }
                t => return Err(PatternError(format!("mẫu mã có thành phần lạ \"{{{t}}}\""))),
            };
            if matches!(part, Part::Seq(_)) {
                seqs += 1;
            }
            parts.push(part);
            rest = &rest[close + 1..];
        }
        if seqs != 1 {
            return Err(PatternError("mẫu mã phải có đúng một {seq} (số thứ tự)".into()));
        }
        if !has_unit {
            // Without the unit, two communes would share one counter and one series of codes.
            return Err(PatternError("mẫu mã phải có {unit} (mã đơn vị tiếp nhận)".into()));
        }
        Ok(CodePattern { parts, source: pattern.to_string() })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn render(&self, unit: &str, province: &str, day: NaiveDate, seq: Option<u64>) -> String {
        let mut s = String::with_capacity(24);
        for p in &self.parts {
            // Writing to a String cannot fail.
            let _ = match p {
                Part::Text(t) => write!(s, "{t}"),
                Part::Unit => write!(s, "{unit}"),
                Part::Province => write!(s, "{province}"),
                Part::Year4 => write!(s, "{:04}", day.year()),
                Part::Year2 => write!(s, "{:02}", day.year() % 100),
                Part::Month => write!(s, "{:02}", day.month()),
                Part::Day => write!(s, "{:02}", day.day()),
                Part::Seq(w) => match seq {
                    Some(n) => write!(s, "{n:0w$}"),
                    None => write!(s, "{{seq}}"),
                },
            };
        }
        s
    }

    /// The pattern a commune's node numbers its own intake with: this one with "N" before the
    /// number (`20194-261122-N0001`), so that the node, counting offline, never gives a code
    /// the province gives to the commune's online dossiers.
    pub fn for_node(&self) -> CodePattern {
        let mut parts = Vec::with_capacity(self.parts.len() + 1);
        for p in &self.parts {
            if matches!(p, Part::Seq(_)) {
                parts.push(Part::Text("N".into()));
            }
            parts.push(p.clone());
        }
        let source = self.source.replacen("{seq", "N{seq", 1);
        CodePattern { parts, source }
    }

    /// The key of the counter this dossier draws from.
    pub fn counter_key(&self, unit: &str, province: &str, day: NaiveDate) -> String {
        self.render(unit, province, day, None)
    }

    /// The code for number `seq` (1, 2, …) of that counter.
    pub fn code(&self, unit: &str, province: &str, day: NaiveDate, seq: u64) -> String {
        self.render(unit, province, day, Some(seq))
    }
}

impl Default for CodePattern {
    fn default() -> Self {
        CodePattern::parse(DEFAULT_PATTERN).expect("the default pattern is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_node_numbers_apart_from_its_province() {
        let p = CodePattern::parse("{province}.{unit}-{yyyy}-{seq:3}").unwrap();
        let n = p.for_node();
        let d = day(2026, 12, 7);
        assert_eq!(n.code("20242", "48", d, 7), "48.20242-2026-N007");
        assert_ne!(n.counter_key("20242", "48", d), p.counter_key("20242", "48", d));
        assert_eq!(n.as_str(), "{province}.{unit}-{yyyy}-N{seq:3}");
        assert_eq!(CodePattern::parse(n.as_str()).unwrap().code("20242", "48", d, 7), "48.20242-2026-N007");
    }

    #[test]
    fn the_default_pattern_counts_per_unit_and_day() {
        let p = CodePattern::default();
        assert_eq!(p.code("20194", "48", day(2026, 11, 22), 7), "20194-261122-0007");
        assert_eq!(p.code("20194", "48", day(2026, 11, 22), 123456), "20194-261122-123456");
        let k1 = p.counter_key("20194", "48", day(2026, 11, 22));
        assert_ne!(k1, p.counter_key("20194", "48", day(2026, 11, 23)));
        assert_ne!(k1, p.counter_key("20195", "48", day(2026, 11, 22)));
    }

    #[test]
    fn a_yearly_pattern_shares_its_counter_over_the_year() {
        let p = CodePattern::parse("H{province}.{unit}/{yyyy}/{seq:6}").unwrap();
        assert_eq!(p.code("20194", "48", day(2026, 1, 2), 42), "H48.20194/2026/000042");
        assert_eq!(
            p.counter_key("20194", "48", day(2026, 1, 2)),
            p.counter_key("20194", "48", day(2026, 12, 31))
        );
    }

    #[test]
    fn bad_patterns_are_refused_with_a_reason() {
        for bad in [
            "{unit}-{yymmdd}",
            "{unit}-{seq}-{seq}",
            "{yymmdd}-{seq}",
            "{unit}-{seq:0}",
            "{unit}-{seq",
            "{unit}{x}{seq}",
        ] {
            assert!(CodePattern::parse(bad).is_err(), "{bad}");
        }
    }
}
