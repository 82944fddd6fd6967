//! The dashboard's other cuts of the same counters: a unit's trend over the period (by day,
//! week or month, whichever keeps the chart readable) and its figures per procedure.

use crate::statistics::figures::stats_unit;
use crate::{Actor, AppResult, Statistics};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;

/// How the points of a trend are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Step {
    Day,
    Week,
    Month,
}

impl Step {
    /// At most about 60 points on the chart.
    pub fn for_period(from: NaiveDate, to: NaiveDate) -> Step {
        let days = (to - from).num_days();
        if days <= 62 {
            Step::Day
        } else if days <= 430 {
            Step::Week
        } else {
            Step::Month
        }
    }

    /// The first day of the point `day` falls in.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Step::Day => day,
            Step::Week => day - Duration::days(day.weekday().num_days_from_monday() as i64),
            Step::Month => day.with_day(1).unwrap_or(day),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    /// The first day of the point (clipped to the period).
    pub start: NaiveDate,
    pub received_online: i64,
    pub received_direct: i64,
    pub received_postal: i64,
    pub resolved: i64,
    pub resolved_late: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trend {
    pub step: Step,
    pub points: Vec<TrendPoint>,
}

/// One procedure's line in a unit's breakdown.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureLine {
    pub code: String,
    pub name: String,
    pub received: i64,
    pub online: i64,
    pub resolved: i64,
    pub late: i64,
    pub supplements: i64,
}

impl Statistics<'_> {
    /// Received (by channel) and resolved dossiers of a unit, point by point over the period;
    /// every point is present, empty ones with zeros.
    pub fn trend(&self, unit: &str, from: NaiveDate, to: NaiveDate, actor: &Actor) -> AppResult<Trend> {
        let (cond, mut params) = stats_unit(unit, from, to, actor)?.rows(3);
        params.splice(0..0, [from.into(), to.into()]);
        let rows = self.app.store.read(|c| {
            c.query(
                &format!(
                    "SELECT day, channel, CAST(SUM(received) AS BIGINT) AS received,
                            CAST(SUM(resolved_early + resolved_on_time + resolved_late) AS BIGINT) AS resolved,
                            CAST(SUM(resolved_late) AS BIGINT) AS late
                     FROM stats_unit_daily WHERE day >= $1 AND day <= $2 AND {cond}
                     GROUP BY day, channel"
                ),
                &params,
            )
        })?;
        let step = Step::for_period(from, to);
        let mut points: Vec<TrendPoint> = vec![];
        let mut day = from;
        while day <= to {
            let start = step.start_of(day).max(from);
            if points.last().is_none_or(|p| p.start != start) {
                points.push(TrendPoint { start, ..TrendPoint::default() });
            }
            day += Duration::days(1);
        }
        for r in &rows {
            let day: NaiveDate = r.col("day")?;
            let start = step.start_of(day).max(from);
            if let Some(p) = points.iter_mut().find(|p| p.start == start) {
                let get = |name: &str| r.col::<i64>(name);
                let received = get("received")?;
                match r.col::<i64>("channel")? {
                    2 => p.received_online += received,
                    3 => p.received_postal += received,
                    _ => p.received_direct += received,
                }
                p.resolved += get("resolved")?;
                p.resolved_late += get("late")?;
            }
        }
        Ok(Trend { step, points })
    }

    /// A unit's figures per procedure over the period, most received first.
    pub fn procedure_breakdown(
        &self,
        unit: &str,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
    ) -> AppResult<Vec<ProcedureLine>> {
        let (cond, mut params) = stats_unit(unit, from, to, actor)?.rows(3);
        params.splice(0..0, [from.into(), to.into()]);
        let rows = self.app.store.read(|c| {
            c.query(
                &format!(
                    "SELECT procedure_code, CAST(SUM(received) AS BIGINT) AS received,
                            CAST(SUM(CASE WHEN channel = 2 THEN received ELSE 0 END) AS BIGINT) AS online,
                            CAST(SUM(resolved_early + resolved_on_time + resolved_late) AS BIGINT) AS resolved,
                            CAST(SUM(resolved_late) AS BIGINT) AS late,
                            CAST(SUM(supplement_requested) AS BIGINT) AS supplements
                     FROM stats_daily WHERE day >= $1 AND day <= $2 AND {cond}
                     GROUP BY procedure_code"
                ),
                &params,
            )
        })?;
        let catalog = self.app.catalog();
        let mut lines: Vec<ProcedureLine> = rows
            .iter()
            .map(|r| -> Result<ProcedureLine, store::StoreError> {
                let code: String = r.col("procedure_code")?;
                let get = |name: &str| r.col::<i64>(name);
                Ok(ProcedureLine {
                    name: catalog.get(&code).map_or_else(|| code.clone(), |p| p.name.clone()),
                    code,
                    received: get("received")?,
                    online: get("online")?,
                    resolved: get("resolved")?,
                    late: get("late")?,
                    supplements: get("supplements")?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|l| l.received + l.resolved + l.supplements > 0)
            .collect();
        lines.sort_by(|a, b| b.received.cmp(&a.received).then(a.code.cmp(&b.code)));
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_periods_are_grouped_by_week_then_month() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(Step::for_period(d(1, 1), d(1, 31)), Step::Day);
        assert_eq!(Step::for_period(d(1, 1), d(6, 30)), Step::Week);
        assert_eq!(Step::for_period(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), d(6, 30)), Step::Month);
        // 2026-11-19 is a Thursday: its week starts on Monday the 16th.
        assert_eq!(Step::Week.start_of(d(11, 19)), d(11, 16));
        assert_eq!(Step::Month.start_of(d(11, 19)), d(11, 1));
    }
}
