//! Figures per unit and period, in the words of the provinces' reports, read from the
//! statistics kept with the events (and the current state for what is in progress).

use crate::{Actor, AppError, AppResult, Statistics};
use chrono::{Duration, NaiveDate};
use domain::service_index::{self, Inputs};
use domain::Status;
use errors::Code;
use serde::Serialize;
use store::Val;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Received {
    pub total: i64,
    pub online: i64,
    pub direct: i64,
    pub postal: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolved {
    pub total: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InProgress {
    pub total: i64,
    pub on_time: i64,
    pub overdue: i64,
    /// Waiting for the citizen (supplement or payment): the clock is stopped.
    pub waiting_for_citizen: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub unit: String,
    pub unit_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub procedures: ProcedureCount,
    pub registered: i64,
    pub registered_online: i64,
    /// Registered with documents filed electronically.
    pub digitised: i64,
    pub received: Received,
    pub resolved: Resolved,
    /// Now, not at the end of the period.
    pub in_progress: InProgress,
    pub refused: i64,
    pub returned: i64,
    pub withdrawn: i64,
    pub stopped: i64,
    pub supplement_requests: i64,
    pub apology_letters: i64,
    pub transfers: i64,
    pub ratings: Ratings,
    /// Online share of received dossiers, 0 to 1 (null when none received).
    pub online_rate: Option<f64>,
    /// Early or on time, share of resolved dossiers, 0 to 1.
    pub on_time_rate: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureCount {
    pub total: usize,
    pub online: usize,
    /// Published with a time limit, the documents, the fees and the legal basis.
    pub complete: usize,
}

/// Citizens' ratings given in the period.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ratings {
    pub total: i64,
    /// 4 or 5 of 5.
    pub satisfied: i64,
}

/// Whether a procedure tells a citizen everything before they come.
pub fn published_in_full(p: &domain::catalog::Procedure) -> bool {
    p.channel_terms.iter().any(|t| t.terms.is_some())
        && !p.documents.is_empty()
        && !p.fee_summary.trim().is_empty()
        && !p.legal_basis.is_empty()
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
}

/// The name of the nation's own unit on the dashboard.
pub const NATION_NAME: &str = "Toàn quốc";

/// A unit whose statistics are read: its name, code and rows.
pub(crate) struct StatsUnit {
    pub name: &'static str,
    pub code: String,
    /// The province of a province or commune; None for the nation (every province).
    province: Option<&'static str>,
}

impl StatsUnit {
    /// The condition on the unit's rows of a statistics table (`stats_unit_daily`,
    /// `stats_daily`), placeholders numbered from `$first`, with their values.
    pub fn rows(&self, first: usize) -> (String, Vec<Val>) {
        self.condition("unit_code", first)
    }

    /// The condition on the dossiers the unit holds now (received by a commune, in a province).
    pub fn dossiers(&self, first: usize) -> (String, Vec<Val>) {
        self.condition("receiving_unit", first)
    }

    fn condition(&self, unit_column: &str, first: usize) -> (String, Vec<Val>) {
        match self.province {
            None => ("1 = 1".into(), vec![]),
            Some(p) if p == self.code => (format!("province_code = ${first}"), vec![Val::Text(p.into())]),
            Some(p) => (
                format!("province_code = ${first} AND {unit_column} = ${}", first + 1),
                vec![Val::Text(p.into()), Val::Text(self.code.clone())],
            ),
        }
    }
}

/// Checks the unit (a commune, a province, or the nation for whom sees every province), the
/// caller's right to see it, and the period.
pub(crate) fn stats_unit(unit: &str, from: NaiveDate, to: NaiveDate, actor: &Actor) -> AppResult<StatsUnit> {
    let reg = units::registry();
    let unit = unit.trim();
    let (name, province) = match (reg.commune(unit), reg.province(unit)) {
        (Some(c), _) => (c.name, Some(reg.province_of(c).code)),
        (None, Some(p)) => (p.name, Some(p.code)),
        _ if unit == domain::roles::NATION => (NATION_NAME, None),
        _ => {
            return Err(AppError::new(
                Code::UnknownUnit,
                format!("không có xã, phường hay tỉnh mã \"{unit}\""),
            ))
        }
    };
    let sees = match province {
        Some(p) => actor.scope.sees(p, unit, unit),
        None => actor.scope.sees_nation(),
    };
    if !sees {
        return Err(AppError::new(Code::OutOfScope, format!("tài khoản không xem được số liệu của {name}")));
    }
    if to < from || (to - from).num_days() > 3660 {
        return Err(AppError::new(
            Code::InvalidPeriod,
            "khoảng thời gian không hợp lệ (từ ngày phải trước đến ngày, tối đa 10 năm)",
        ));
    }
    Ok(StatsUnit { name, province, code: unit.to_string() })
}

/// Each counter's sum over the rows, under the counter's own name.
static SUMS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    domain::stats::ALL_COUNTERS
        .iter()
        .map(|c| format!("CAST(COALESCE(SUM({0}), 0) AS BIGINT) AS {0}", c.column()))
        .collect::<Vec<_>>()
        .join(", ")
});

impl Statistics<'_> {
    /// The figures of a province or commune over `from..=to` (days, Vietnam time).
    pub fn figures(&self, unit: &str, from: NaiveDate, to: NaiveDate, actor: &Actor) -> AppResult<Figures> {
        let su = stats_unit(unit, from, to, actor)?;
        let (unit, name) = (su.code.as_str(), su.name);
        let now = self.app.now();
        let (by_channel, open) = self.app.store.read(|c| {
            let (rows, mut params) = su.rows(3);
            params.splice(0..0, [from.into(), to.into()]);
            let by_channel = c.query(
                &format!(
                    "SELECT channel, {} FROM stats_unit_daily WHERE day >= $1 AND day <= $2 AND {rows} GROUP BY channel",
                    SUMS.as_str()
                ),
                &params,
            )?;
            // What is open now: the receiving unit's (a commune), the province's or the nation's.
            let (held, mut params) = su.dossiers(2);
            params.insert(0, now.into());
            let (active, waiting, overdue) = (
                Status::sql_list(&domain::due::CLOCK_RUNS_IN),
                Status::sql_list(&domain::due::CLOCK_STOPPED_IN),
                domain::due::overdue_sql("$1"),
            );
            let open_list = Status::sql_list(&domain::status::OPEN_STATUSES);
            let open = c.query_one(
                &format!(
                    "SELECT CAST(COALESCE(SUM(CASE WHEN status IN ({active}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS active,
                            CAST(COALESCE(SUM(CASE WHEN status IN ({waiting}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS waiting,
                            CAST(COALESCE(SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue
                     FROM dossiers WHERE {held} AND status IN ({open_list})"
                ),
                // Open statuses only: the partial index of open dossiers answers it.
                &params,
            )?;
            Ok((by_channel, open))
        })?;
        let mut f =
            Figures { unit: unit.to_string(), unit_name: name.to_string(), from, to, ..Figures::default() };
        let catalog = self.app.catalog();
        f.procedures = ProcedureCount {
            total: catalog.procedures.len(),
            online: catalog.procedures.iter().filter(|p| p.online).count(),
            complete: catalog.procedures.iter().filter(|p| published_in_full(p)).count(),
        };
        for r in &by_channel {
            let get = |name: &str| r.col::<i64>(name);
            let received = get("received")?;
            let channel = u8::try_from(get("channel")?).ok().and_then(domain::Channel::from_portal_code);
            match channel {
                Some(domain::Channel::Online) => f.received.online += received,
                Some(domain::Channel::Postal) => f.received.postal += received,
                _ => f.received.direct += received,
            }
            f.registered += get("registered")?;
            f.registered_online +=
                if channel == Some(domain::Channel::Online) { get("registered")? } else { 0 };
            f.refused += get("refused")?;
            f.supplement_requests += get("supplement_requested")?;
            f.apology_letters += get("extended")?;
            f.transfers += get("transferred")?;
            f.resolved.early += get("resolved_early")?;
            f.resolved.on_time += get("resolved_on_time")?;
            f.resolved.late += get("resolved_late")?;
            f.returned += get("returned")?;
            f.withdrawn += get("withdrawn")?;
            f.stopped += get("stopped")?;
            f.digitised += get("digitised")?;
            f.ratings.total += get("rated")?;
            f.ratings.satisfied += get("satisfied")?;
        }
        f.received.total = f.received.online + f.received.direct + f.received.postal;
        f.resolved.total = f.resolved.early + f.resolved.on_time + f.resolved.late;
        if let Some(o) = open {
            let (active, waiting, overdue): (i64, i64, i64) =
                (o.col("active")?, o.col("waiting")?, o.col("overdue")?);
            f.in_progress = InProgress {
                total: active + waiting,
                on_time: active - overdue,
                overdue,
                waiting_for_citizen: waiting,
            };
        }
        f.online_rate = ratio(f.received.online, f.received.total);
        f.on_time_rate = ratio(f.resolved.early + f.resolved.on_time, f.resolved.total);
        Ok(f)
    }

    /// The figures of each commune of a province, for a ranking.
    pub fn commune_figures(
        &self,
        province: &str,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
    ) -> AppResult<Vec<Figures>> {
        let reg = units::registry();
        let communes = reg.communes_of(province.trim()).ok_or_else(|| {
            AppError::new(Code::UnknownProvince, format!("không có tỉnh, thành phố mã \"{province}\""))
        })?;
        communes.map(|c| self.figures(c.code, from, to, actor)).collect()
    }
}

/// The longest period a report, an export or a usage summary covers: a year (a province's
/// register of a year is a few hundred thousand rows; longer ones are asked year by year).
pub const MAX_PERIOD_DAYS: i64 = 366;

/// Checks a period asked for: in order, and no longer than [`MAX_PERIOD_DAYS`].
pub fn check_period(from: NaiveDate, to: NaiveDate) -> crate::AppResult<()> {
    if to < from {
        return Err(crate::AppError::new(Code::InvalidPeriod, "ngày kết thúc trước ngày bắt đầu"));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(crate::AppError::new(
            Code::PeriodTooLong,
            format!("mỗi lần xem tối đa {MAX_PERIOD_DAYS} ngày; hãy chia thành từng năm"),
        ));
    }
    Ok(())
}

/// The default period: the month so far.
pub fn month_to_date(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    use chrono::Datelike;
    (today - Duration::days(today.day0() as i64), today)
}

/// Which units a ranking lines up.
#[derive(Clone, Copy)]
enum Grouping<'a> {
    /// The communes of a province.
    Communes(&'a str),
    /// The provinces of the country.
    Provinces,
}

/// One unit's line in a ranking: a commune in its province's, a province in the nation's.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankedUnit {
    pub code: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub received: i64,
    pub online: i64,
    pub resolved: i64,
    pub late: i64,
    pub supplements: i64,
    pub open: i64,
    pub overdue: i64,
    pub on_time_rate: Option<f64>,
    /// The Decision 766 service index (out of 100), under the rules in force at the period's end.
    pub index: Option<f64>,
    /// A province's communes (in the nation's ranking; none on a commune's line).
    pub communes: Option<i64>,
    /// Of those, the communes that received a dossier in the period.
    pub communes_active: Option<i64>,
}

/// The counts of the service index, from a unit's figures.
pub fn index_inputs(f: &Figures) -> Inputs {
    let n = |x: i64| x.max(0) as u64;
    Inputs {
        procedures: f.procedures.total as u64,
        procedures_online: f.procedures.online as u64,
        procedures_complete: f.procedures.complete as u64,
        registered: n(f.registered),
        digitised: n(f.digitised),
        received: n(f.received.total),
        received_online: n(f.received.online),
        resolved_in_time: n(f.resolved.early + f.resolved.on_time),
        resolved_late: n(f.resolved.late),
        apologies: n(f.apology_letters),
        open_active: n(f.in_progress.total - f.in_progress.waiting_for_citizen),
        open_overdue: n(f.in_progress.overdue),
        returned: n(f.returned),
        rated: n(f.ratings.total),
        satisfied: n(f.ratings.satisfied),
    }
}

/// The index of figures already read, under `rules`.
pub fn unit_index(f: Figures, rules: &service_index::Rules) -> UnitIndex {
    UnitIndex {
        index: service_index::score(rules, &index_inputs(&f)),
        from: f.from,
        to: f.to,
        unit: f.unit,
        unit_name: f.unit_name,
    }
}

/// A unit's service index over a period.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitIndex {
    pub unit: String,
    pub unit_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(flatten)]
    pub index: service_index::Index,
}

impl Statistics<'_> {
    /// The Decision 766 service index of a unit over `from..=to`, under the rules in force on
    /// `to` unless a version is named.
    pub fn service_index(
        &self,
        unit: &str,
        from: NaiveDate,
        to: NaiveDate,
        version: Option<&str>,
        actor: &Actor,
    ) -> AppResult<UnitIndex> {
        let rules = match version.map(str::trim) {
            Some(v) => service_index::version(v).ok_or_else(|| {
                AppError::new(Code::UnknownIndexVersion, format!("không có phiên bản cách tính \"{v}\""))
            })?,
            None => service_index::rules_in(service_index::VERSIONS, to).ok_or_else(|| {
                AppError::new(
                    Code::NoIndexRules,
                    "chưa có bộ chỉ số cho thời gian này (Quyết định 766/QĐ-TTg có hiệu lực từ 23/6/2022)",
                )
            })?,
        };
        let f = self.figures(unit, from, to, actor)?;
        Ok(unit_index(f, rules))
    }

    /// The units under `unit`, each with its figures: the provinces of the nation, the
    /// communes of a province.
    pub fn units_below(
        &self,
        unit: &str,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
    ) -> AppResult<Vec<RankedUnit>> {
        if unit.trim() == domain::roles::NATION {
            self.nation_breakdown(from, to, actor)
        } else {
            self.province_breakdown(unit, from, to, actor)
        }
    }

    /// Every commune of a province in two grouped reads (not one per commune).
    pub fn province_breakdown(
        &self,
        province: &str,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
    ) -> AppResult<Vec<RankedUnit>> {
        let reg = units::registry();
        let p = reg.province(province.trim()).ok_or_else(|| {
            AppError::new(Code::UnknownProvince, format!("không có tỉnh, thành phố mã \"{province}\""))
        })?;
        // The province's own scope (or the nation's): a commune does not rank its neighbours.
        if !actor.scope.sees(p.code, p.code, p.code) {
            return Err(AppError::new(
                Code::OutOfScope,
                format!("tài khoản không xem được số liệu của {}", p.name),
            ));
        }
        let communes = reg.communes_of(p.code).into_iter().flatten();
        let units = communes.map(|c| (c.code, c.name, c.lat, c.lon)).collect();
        self.ranking(Grouping::Communes(p.code), units, from, to)
    }

    /// Every province of the country, for the nation's ranking (the national instance holds
    /// what the provinces feed it; the console of any server its own).
    pub fn nation_breakdown(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        actor: &Actor,
    ) -> AppResult<Vec<RankedUnit>> {
        if !actor.scope.sees_nation() {
            return Err(AppError::new(Code::OutOfScope, "tài khoản không xem được số liệu toàn quốc"));
        }
        let reg = units::registry();
        let units = reg.provinces.iter().map(|p| (p.code, p.name, p.lat, p.lon)).collect();
        let mut lines = self.ranking(Grouping::Provinces, units, from, to)?;
        // How many of each province's communes worked in the period (its own desk apart).
        let active = self.app.store.read(|c| {
            c.query(
                "SELECT province_code, CAST(COUNT(DISTINCT unit_code) AS BIGINT) AS n FROM stats_unit_daily \
                 WHERE day >= $1 AND day <= $2 AND received > 0 AND unit_code <> province_code GROUP BY province_code",
                &[from.into(), to.into()],
            )
        })?;
        for l in &mut lines {
            l.communes = Some(reg.communes_of(&l.code).map_or(0, |c| c.count() as i64));
            l.communes_active = Some(0);
        }
        for r in &active {
            let code: String = r.col("province_code")?;
            if let Some(l) = lines.iter_mut().find(|l| l.code == code) {
                l.communes_active = Some(r.col("n")?);
            }
        }
        Ok(lines)
    }

    /// The lines of `units` (code, name, position), grouped from the statistics in two reads.
    fn ranking(
        &self,
        grouping: Grouping,
        units: Vec<(&str, &str, f64, f64)>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<RankedUnit>> {
        let now = self.app.now();
        let active = Status::sql_list(&domain::due::CLOCK_RUNS_IN);
        let overdue = domain::due::overdue_sql("$1");
        let open_statuses = Status::sql_list(&domain::status::OPEN_STATUSES);
        let (stats_group, held_group, province) = match grouping {
            Grouping::Communes(p) => ("unit_code", "receiving_unit", Some(p)),
            Grouping::Provinces => ("province_code", "province_code", None),
        };
        let within = |n: usize| province.map_or("1 = 1".to_string(), |_| format!("province_code = ${n}"));
        let inside: Vec<Val> = province.map(|p| Val::Text(p.into())).into_iter().collect();
        let (sums, open) = self.app.store.read(|c| {
            let mut params: Vec<Val> = vec![from.into(), to.into()];
            params.extend(inside.iter().cloned());
            let stats_within = within(3);
            let sums = c.query(
                &format!(
                    "SELECT {stats_group} AS unit, CAST(SUM(received) AS BIGINT) AS received,
                        CAST(SUM(CASE WHEN channel = 2 THEN received ELSE 0 END) AS BIGINT) AS online,
                        CAST(SUM(resolved_early + resolved_on_time + resolved_late) AS BIGINT) AS resolved,
                        CAST(SUM(resolved_late) AS BIGINT) AS late,
                        CAST(SUM(supplement_requested) AS BIGINT) AS supplements, CAST(SUM(registered) AS BIGINT) AS registered,
                        CAST(SUM(digitised) AS BIGINT) AS digitised, CAST(SUM(extended) AS BIGINT) AS extended,
                        CAST(SUM(returned) AS BIGINT) AS returned,
                        CAST(SUM(rated) AS BIGINT) AS rated, CAST(SUM(satisfied) AS BIGINT) AS satisfied
                     FROM stats_unit_daily WHERE day >= $1 AND day <= $2 AND {stats_within} GROUP BY {stats_group}"
                ),
                &params,
            )?;
            let mut params: Vec<Val> = vec![now.into()];
            params.extend(inside.iter().cloned());
            let held_within = within(2);
            let open = c.query(
                &format!(
                    "SELECT {held_group} AS unit, CAST(COUNT(*) AS BIGINT) AS open,
                            CAST(SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS BIGINT) AS overdue,
                            CAST(SUM(CASE WHEN status IN ({active}) THEN 1 ELSE 0 END) AS BIGINT) AS active
                     FROM dossiers WHERE {held_within} AND status IN ({open_statuses}) GROUP BY {held_group}"
                ),
                &params,
            )?;
            Ok((sums, open))
        })?;
        let mut lines: Vec<RankedUnit> = units
            .into_iter()
            .map(|(code, name, lat, lon)| RankedUnit {
                code: code.into(),
                name: name.into(),
                lat,
                lon,
                ..RankedUnit::default()
            })
            .collect();
        let n = |v: i64| v.max(0) as u64;
        let catalog = self.app.catalog();
        let base = Inputs {
            procedures: catalog.procedures.len() as u64,
            procedures_online: catalog.procedures.iter().filter(|p| p.online).count() as u64,
            procedures_complete: catalog.procedures.iter().filter(|p| published_in_full(p)).count() as u64,
            ..Inputs::default()
        };
        let mut inputs = vec![base; lines.len()];
        for r in &sums {
            let unit: String = r.col("unit")?;
            if let Some(i) = lines.iter().position(|l| l.code == unit) {
                let get = |name: &str| r.col::<i64>(name);
                let l = &mut lines[i];
                (l.received, l.online, l.resolved, l.late, l.supplements) =
                    (get("received")?, get("online")?, get("resolved")?, get("late")?, get("supplements")?);
                l.on_time_rate = ratio(l.resolved - l.late, l.resolved);
                let x = &mut inputs[i];
                (x.received, x.received_online, x.resolved_in_time, x.resolved_late) =
                    (n(l.received), n(l.online), n(l.resolved).saturating_sub(n(l.late)), n(l.late));
                (x.registered, x.digitised, x.apologies, x.returned, x.rated, x.satisfied) = (
                    n(get("registered")?),
                    n(get("digitised")?),
                    n(get("extended")?),
                    n(get("returned")?),
                    n(get("rated")?),
                    n(get("satisfied")?),
                );
            }
        }
        for r in &open {
            let unit: String = r.col("unit")?;
            if let Some(i) = lines.iter().position(|l| l.code == unit) {
                let get = |name: &str| r.col::<i64>(name);
                (lines[i].open, lines[i].overdue) = (get("open")?, get("overdue")?);
                (inputs[i].open_overdue, inputs[i].open_active) = (n(get("overdue")?), n(get("active")?));
            }
        }
        if let Some(rules) = service_index::rules_in(service_index::VERSIONS, to) {
            // A unit with no dossier in the period has no index to rank (a province that feeds
            // the nation nothing yet is not scored on its catalogue alone).
            for (l, x) in lines.iter_mut().zip(&inputs).filter(|(l, _)| l.received + l.resolved + l.open > 0)
            {
                l.index = service_index::score(rules, x).total;
            }
        }
        Ok(lines)
    }
}
