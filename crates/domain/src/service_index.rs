//! The service index of Decision 766/QĐ-TTg (23/6/2022): five groups of indicators, 100 points,
//! scored from the same counts as the figures.
//!
//! The decision fixes the groups and their maximum points (public transparency 18, progress 20,
//! online service 22, digitisation 22, satisfaction 18). Which counts stand behind each group
//! is haicap's reading, written down here as a versioned rule set: a period is scored under the
//! rules in force on its last day, and the answer names the version, so that a later change of
//! rules never silently rewrites a past period's score. New rules are a new entry in
//! [`VERSIONS`], never an edit of an old one.

use chrono::NaiveDate;
use serde::Serialize;

/// The counts an index is computed from, for one unit and period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inputs {
    /// Procedures in the catalog the unit works with.
    pub procedures: u64,
    /// ...of which offered online.
    pub procedures_online: u64,
    /// ...of which published with everything a citizen needs (time limit, documents, fees,
    /// legal basis).
    pub procedures_complete: u64,
    /// Dossiers registered in the period (every channel).
    pub registered: u64,
    /// ...of which with documents filed electronically.
    pub digitised: u64,
    /// Dossiers received (accepted) in the period.
    pub received: u64,
    /// ...of which online.
    pub received_online: u64,
    /// Dossiers resolved in the period, early or on time.
    pub resolved_in_time: u64,
    /// ...and late.
    pub resolved_late: u64,
    /// Apology letters with a new appointment (Form 04) issued in the period.
    pub apologies: u64,
    /// In progress now, the clock running (not waiting for the citizen).
    pub open_active: u64,
    /// ...of which past the due date.
    pub open_overdue: u64,
    /// Results returned in the period.
    pub returned: u64,
    /// Ratings given by citizens in the period.
    pub rated: u64,
    /// ...of which "satisfied" or "very satisfied" (4 or 5 of 5).
    pub satisfied: u64,
}

/// The five groups of Decision 766.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Group {
    Transparency,
    Progress,
    Online,
    Digitisation,
    Satisfaction,
}

impl Group {
    pub const ALL: [Group; 5] =
        [Group::Transparency, Group::Progress, Group::Online, Group::Digitisation, Group::Satisfaction];

    pub fn label(self) -> &'static str {
        match self {
            Group::Transparency => "Công khai, minh bạch",
            Group::Progress => "Tiến độ, kết quả giải quyết",
            Group::Online => "Cung cấp dịch vụ trực tuyến",
            Group::Digitisation => "Số hóa hồ sơ",
            Group::Satisfaction => "Mức độ hài lòng",
        }
    }
}

/// What an indicator measures: a share of two counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    ProceduresComplete,
    Apologised,
    ResolvedInTime,
    OpenInTime,
    ProceduresOnline,
    ReceivedOnline,
    Digitised,
    Satisfied,
    RatingsGiven,
}

/// Which dossiers stand behind an indicator's shortfall, for the drill-down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Behind {
    /// Resolved late in the period.
    ResolvedLate,
    /// In progress past the due date now.
    Overdue,
    /// Received in the period at the desk or by post.
    NotOnline,
    /// Registered in the period without an electronic document.
    NotDigitised,
    /// Procedures without complete public information.
    IncompleteProcedures,
    /// Ratings below "satisfied".
    Dissatisfied,
}

impl Behind {
    pub const ALL: [Behind; 6] = [
        Behind::ResolvedLate,
        Behind::Overdue,
        Behind::NotOnline,
        Behind::NotDigitised,
        Behind::IncompleteProcedures,
        Behind::Dissatisfied,
    ];

    /// The name in URLs and JSON.
    pub fn code(self) -> &'static str {
        match self {
            Behind::ResolvedLate => "resolved_late",
            Behind::Overdue => "overdue",
            Behind::NotOnline => "not_online",
            Behind::NotDigitised => "not_digitised",
            Behind::IncompleteProcedures => "incomplete_procedures",
            Behind::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Behind> {
        Behind::ALL.into_iter().find(|b| b.code() == s)
    }

    /// The heading of the list.
    pub fn label(self) -> &'static str {
        match self {
            Behind::ResolvedLate => "Hồ sơ giải quyết quá hạn trong kỳ",
            Behind::Overdue => "Hồ sơ đang quá hạn",
            Behind::NotOnline => "Hồ sơ tiếp nhận trực tiếp hoặc qua bưu chính trong kỳ",
            Behind::NotDigitised => "Hồ sơ đăng ký trong kỳ chưa có thành phần điện tử",
            Behind::IncompleteProcedures => "Thủ tục chưa công khai đầy đủ",
            Behind::Dissatisfied => "Hồ sơ công dân chưa hài lòng (đánh giá dưới 4/5) trong kỳ",
        }
    }
}

impl Measure {
    /// (numerator, denominator).
    pub fn counts(self, i: &Inputs) -> (u64, u64) {
        match self {
            Measure::ProceduresComplete => (i.procedures_complete, i.procedures),
            // Every dossier that could not keep its first date should have had a letter.
            Measure::Apologised => (i.apologies, i.apologies + i.resolved_late),
            Measure::ResolvedInTime => (i.resolved_in_time, i.resolved_in_time + i.resolved_late),
            Measure::OpenInTime => (i.open_active.saturating_sub(i.open_overdue), i.open_active),
            Measure::ProceduresOnline => (i.procedures_online, i.procedures),
            Measure::ReceivedOnline => (i.received_online, i.received),
            Measure::Digitised => (i.digitised, i.registered),
            Measure::Satisfied => (i.satisfied, i.rated),
            Measure::RatingsGiven => (i.rated.min(i.returned), i.returned),
        }
    }

    /// The formula in words, as it is shown beside the score.
    pub fn formula(self) -> &'static str {
        match self {
            Measure::ProceduresComplete => {
                "số thủ tục công khai đủ thời hạn, thành phần hồ sơ, phí, lệ phí và căn cứ pháp lý / số thủ tục"
            }
            Measure::Apologised => {
                "số thư xin lỗi, hẹn lại ngày trả (Mẫu 04) / (số thư xin lỗi + số hồ sơ giải quyết quá hạn)"
            }
            Measure::ResolvedInTime => "số hồ sơ giải quyết trước hạn và đúng hạn / số hồ sơ đã giải quyết",
            Measure::OpenInTime => {
                "số hồ sơ đang giải quyết còn trong hạn / số hồ sơ đang giải quyết (không kể chờ công dân bổ sung)"
            }
            Measure::ProceduresOnline => "số thủ tục cung cấp dịch vụ công trực tuyến / số thủ tục",
            Measure::ReceivedOnline => "số hồ sơ tiếp nhận trực tuyến / số hồ sơ tiếp nhận",
            Measure::Digitised => "số hồ sơ có thành phần điện tử / số hồ sơ đăng ký",
            Measure::Satisfied => "số đánh giá hài lòng và rất hài lòng (4–5/5) / số đánh giá",
            Measure::RatingsGiven => "số hồ sơ được công dân đánh giá / số hồ sơ đã trả kết quả",
        }
    }

    /// A period without any case of a "bad" event earns the points (nothing was late, so
    /// nothing needed a letter); a period without the base count (no dossier received) is
    /// left out of the score rather than scored 0 or 100.
    fn full_when_empty(self) -> bool {
        matches!(self, Measure::Apologised | Measure::OpenInTime)
    }

    pub fn behind(self) -> Option<Behind> {
        match self {
            Measure::ProceduresComplete | Measure::ProceduresOnline => Some(Behind::IncompleteProcedures),
            Measure::Apologised | Measure::ResolvedInTime => Some(Behind::ResolvedLate),
            Measure::OpenInTime => Some(Behind::Overdue),
            Measure::ReceivedOnline => Some(Behind::NotOnline),
            Measure::Digitised => Some(Behind::NotDigitised),
            Measure::Satisfied => Some(Behind::Dissatisfied),
            Measure::RatingsGiven => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct IndicatorRule {
    pub code: &'static str,
    pub name: &'static str,
    pub group: Group,
    pub measure: Measure,
    pub points: f64,
}

/// One version of the rules.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rules {
    pub version: &'static str,
    pub effective_from: NaiveDate,
    pub basis: &'static str,
    pub indicators: &'static [IndicatorRule],
}

const fn rule(
    code: &'static str,
    name: &'static str,
    group: Group,
    measure: Measure,
    points: f64,
) -> IndicatorRule {
    IndicatorRule { code, name, group, measure, points }
}

const V2022: &[IndicatorRule] = &[
    rule(
        "1.1",
        "Thủ tục hành chính được công khai đầy đủ",
        Group::Transparency,
        Measure::ProceduresComplete,
        10.0,
    ),
    rule("1.2", "Hồ sơ chậm có thư xin lỗi, hẹn lại", Group::Transparency, Measure::Apologised, 8.0),
    rule("2.1", "Hồ sơ giải quyết đúng hạn", Group::Progress, Measure::ResolvedInTime, 14.0),
    rule("2.2", "Hồ sơ đang giải quyết còn trong hạn", Group::Progress, Measure::OpenInTime, 6.0),
    rule("3.1", "Thủ tục cung cấp trực tuyến", Group::Online, Measure::ProceduresOnline, 8.0),
    rule("3.2", "Hồ sơ tiếp nhận trực tuyến", Group::Online, Measure::ReceivedOnline, 14.0),
    rule("4.1", "Hồ sơ có thành phần được số hóa", Group::Digitisation, Measure::Digitised, 22.0),
    rule("5.1", "Công dân hài lòng", Group::Satisfaction, Measure::Satisfied, 12.0),
    rule("5.2", "Hồ sơ được công dân đánh giá", Group::Satisfaction, Measure::RatingsGiven, 6.0),
];

/// Every version, oldest first.
pub const VERSIONS: &[Rules] = &[Rules {
    version: "766-2022.1",
    // The day the decision was signed.
    effective_from: match NaiveDate::from_ymd_opt(2022, 6, 23) {
        Some(d) => d,
        None => panic!("a valid date"),
    },
    basis: "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ",
    indicators: V2022,
}];

/// The rules in force on `day` among `versions` (oldest first): the latest that had begun.
pub fn rules_in(versions: &[Rules], day: NaiveDate) -> Option<&Rules> {
    versions.iter().rev().find(|r| r.effective_from <= day)
}

/// The version named `name`, for scoring a period under other rules on purpose.
pub fn version(name: &str) -> Option<&'static Rules> {
    VERSIONS.iter().find(|r| r.version == name)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Indicator {
    pub code: &'static str,
    pub name: &'static str,
    pub group: Group,
    pub formula: &'static str,
    pub numerator: u64,
    pub denominator: u64,
    /// 0 to 1; none when there is nothing to measure.
    pub rate: Option<f64>,
    pub points: f64,
    /// None when left out (nothing to measure in the period).
    pub score: Option<f64>,
    pub behind: Option<Behind>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupScore {
    pub group: Group,
    pub label: &'static str,
    pub points: f64,
    pub score: f64,
    /// Points of the indicators that could be measured.
    pub measured_points: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Index {
    pub version: &'static str,
    pub effective_from: NaiveDate,
    pub basis: &'static str,
    /// Out of 100, over the indicators that could be measured.
    pub total: Option<f64>,
    /// Points earned and points measurable, before rescaling to 100.
    pub earned: f64,
    pub measured_points: f64,
    pub groups: Vec<GroupScore>,
    pub indicators: Vec<Indicator>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Scores `inputs` under `rules`.
pub fn score(rules: &Rules, inputs: &Inputs) -> Index {
    let indicators: Vec<Indicator> = rules
        .indicators
        .iter()
        .map(|r| {
            let (numerator, denominator) = r.measure.counts(inputs);
            let rate = if denominator > 0 {
                Some((numerator as f64 / denominator as f64).min(1.0))
            } else if r.measure.full_when_empty() {
                Some(1.0)
            } else {
                None
            };
            Indicator {
                code: r.code,
                name: r.name,
                group: r.group,
                formula: r.measure.formula(),
                numerator,
                denominator,
                rate: rate.map(|x| round2(x * 100.0) / 100.0),
                points: r.points,
                score: rate.map(|x| round2(x * r.points)),
                behind: r.measure.behind(),
            }
        })
        .collect();
    let groups: Vec<GroupScore> = Group::ALL
        .iter()
        .map(|&g| {
            let of: Vec<&Indicator> = indicators.iter().filter(|i| i.group == g).collect();
            GroupScore {
                group: g,
                label: g.label(),
                points: of.iter().map(|i| i.points).sum(),
                score: round2(of.iter().filter_map(|i| i.score).sum()),
                measured_points: of.iter().filter(|i| i.score.is_some()).map(|i| i.points).sum(),
            }
        })
        .collect();
    let earned: f64 = indicators.iter().filter_map(|i| i.score).sum();
    let measured_points: f64 = indicators.iter().filter(|i| i.score.is_some()).map(|i| i.points).sum();
    Index {
        version: rules.version,
        effective_from: rules.effective_from,
        basis: rules.basis,
        total: (measured_points > 0.0).then(|| round2(earned / measured_points * 100.0)),
        earned: round2(earned),
        measured_points,
        groups,
        indicators,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn drill_down_names_read_back() {
        for b in Behind::ALL {
            assert_eq!(Behind::parse(b.code()), Some(b));
            assert_eq!(serde_json::to_value(b).unwrap(), b.code());
        }
        assert_eq!(Behind::parse("late"), None);
    }

    #[test]
    fn the_groups_carry_the_points_of_the_decision() {
        let r = rules_in(VERSIONS, day(2025, 7, 1)).unwrap();
        let points = |g: Group| r.indicators.iter().filter(|i| i.group == g).map(|i| i.points).sum::<f64>();
        assert_eq!(
            Group::ALL.map(points),
            [18.0, 20.0, 22.0, 22.0, 18.0],
            "công khai 18, tiến độ 20, trực tuyến 22, số hóa 22, hài lòng 18"
        );
        assert!(rules_in(VERSIONS, day(2022, 6, 22)).is_none(), "nothing before the decision");
    }

    #[test]
    fn a_later_version_does_not_rewrite_an_earlier_period() {
        const NEWER: &[IndicatorRule] =
            &[rule("2.1", "Hồ sơ giải quyết đúng hạn", Group::Progress, Measure::ResolvedInTime, 100.0)];
        let versions = [
            VERSIONS[0],
            Rules {
                version: "test-2026", effective_from: day(2026, 1, 1), basis: "thử", indicators: NEWER
            },
        ];
        assert_eq!(rules_in(&versions, day(2025, 12, 31)).unwrap().version, "766-2022.1");
        assert_eq!(rules_in(&versions, day(2026, 1, 1)).unwrap().version, "test-2026");
        let inputs = Inputs { resolved_in_time: 3, resolved_late: 1, ..Inputs::default() };
        let old = score(rules_in(&versions, day(2025, 12, 31)).unwrap(), &inputs);
        let new = score(rules_in(&versions, day(2026, 3, 1)).unwrap(), &inputs);
        assert_eq!(new.total, Some(75.0));
        assert_ne!(old.total, new.total);
        assert_eq!(old.indicators.len(), 9);
    }

    #[test]
    fn each_indicator_scores_its_share_of_the_points() {
        let inputs = Inputs {
            procedures: 10,
            procedures_online: 8,
            procedures_complete: 5,
            registered: 100,
            digitised: 50,
            received: 100,
            received_online: 90,
            resolved_in_time: 80,
            resolved_late: 20,
            apologies: 20,
            open_active: 10,
            open_overdue: 5,
            returned: 100,
            rated: 40,
            satisfied: 30,
        };
        let ix = score(&VERSIONS[0], &inputs);
        let by = |code: &str| ix.indicators.iter().find(|i| i.code == code).unwrap().clone();
        assert_eq!(by("2.1").score, Some(11.2), "80 % of 14");
        assert_eq!(by("1.2").rate, Some(0.5), "20 letters for 20 late");
        assert_eq!(by("2.2").score, Some(3.0));
        assert_eq!(by("5.1").rate, Some(0.75));
        assert_eq!(by("5.2").score, Some(2.4));
        let sum: f64 = [5.0, 4.0, 11.2, 3.0, 6.4, 12.6, 11.0, 9.0, 2.4].iter().sum();
        assert_eq!(ix.earned, round2(sum));
        assert_eq!(ix.total, Some(round2(sum)), "everything measured: out of 100 as is");
        assert_eq!(ix.groups[1].score, 14.2);
    }

    #[test]
    fn nothing_to_measure_is_left_out_not_scored_zero() {
        // A new commune: a catalog, no dossiers yet.
        let inputs =
            Inputs { procedures: 4, procedures_online: 4, procedures_complete: 4, ..Inputs::default() };
        let ix = score(&VERSIONS[0], &inputs);
        let by = |code: &str| ix.indicators.iter().find(|i| i.code == code).unwrap().clone();
        assert_eq!(by("2.1").score, None);
        assert_eq!(by("1.2").score, Some(8.0), "nothing late: nothing needed a letter");
        assert_eq!(by("2.2").score, Some(6.0), "nothing open: nothing overdue");
        assert_eq!(ix.measured_points, 10.0 + 8.0 + 6.0 + 8.0);
        assert_eq!(ix.total, Some(100.0));
        assert_eq!(score(&VERSIONS[0], &Inputs::default()).indicators[0].score, None);
    }

    proptest! {
        #[test]
        fn scores_stay_within_their_points(
            a in 0u64..1000, b in 0u64..1000, c in 0u64..1000, d in 0u64..1000,
            e in 0u64..1000, f in 0u64..1000, g in 0u64..1000,
        ) {
            // Inconsistent inputs (more satisfied than rated) are capped, not scored above max.
            let inputs = Inputs {
                procedures: a, procedures_online: b, procedures_complete: c, registered: d, digitised: e,
                received: f, received_online: g, resolved_in_time: a, resolved_late: b, apologies: c,
                open_active: d, open_overdue: e, returned: f, rated: g, satisfied: a,
            };
            let ix = score(&VERSIONS[0], &inputs);
            for i in &ix.indicators {
                let s = i.score.unwrap_or(0.0);
                prop_assert!((0.0..=i.points + 1e-9).contains(&s), "{} {s}", i.code);
            }
            if let Some(t) = ix.total {
                prop_assert!((0.0..=100.0 + 1e-9).contains(&t));
            }
        }
    }
}
