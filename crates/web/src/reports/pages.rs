//! The leaders' dashboard: a unit's figures, trend, channels, service index (Decision 766),
//! map and ranking of communes, figures per procedure, and the drill-down from each to the
//! dossiers behind it. Charts are SVG drawn by the server (no script, no CDN).

use crate::auth::PageUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::date_param;
use crate::view::{bar, page_error, render, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::statistics::breakdown::{ProcedureLine, Step};
use app::statistics::figures::NATION_NAME;
use app::Actor;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use domain::service_index::{Behind, Index};
use errors::Code;
use serde::Deserialize;
use std::sync::Arc;

pub fn staff_routes() -> Routes {
    Routes::default()
        .route("/bang-dieu-hanh", get(dashboard))
        .route("/chi-so-phuc-vu", get(index_page))
        .route("/bao-cao", get(report_page))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// A commune's or province's code: the caller's unit when left out.
    unit: Option<String>,
    /// YYYY-MM-DD: the first of this month when left out.
    #[param(format = Date)]
    from: Option<String>,
    /// YYYY-MM-DD: today when left out.
    #[param(format = Date)]
    to: Option<String>,
    /// xlsx (when left out), csv, json, or pdf (the register only, Form 07).
    format: Option<String>,
    /// summary (when left out), the register of dossiers, or another of the report kinds.
    kind: Option<String>,
}

/// A period report as a download: built whole before the first byte is sent, so that an
/// error is an error page, never half a file.
/// Bytes handed to the response a chunk at a time.
const CHUNK: usize = 64 * 1024;

/// A `Write` whose chunks go to the response body (from a blocking task).
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<std::io::Result<axum::body::Bytes>>,
    buf: Vec<u8>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = axum::body::Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        // The client went away: stop writing.
        self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::other("client gone"))
    }
}

pub(crate) async fn report_file(
    web: &Arc<Web>,
    session: &app::Session,
    q: ReportQuery,
) -> ApiResult<Response> {
    let (month_start, today) = app::statistics::figures::month_to_date(web.app.now().date());
    let from = date_param("from", q.from.as_deref(), month_start)?;
    let to = date_param("to", q.to.as_deref(), today)?;
    let unit = q.unit.filter(|u| !u.trim().is_empty()).unwrap_or_else(|| session.user.unit_code.clone());
    let format = q.format.unwrap_or_else(|| "xlsx".into());
    let kind = app::statistics::report::ReportKind::parse(q.kind.as_deref().unwrap_or("summary"))?;
    let (content_type, ext) = match format.as_str() {
        "xlsx" => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        "csv" => ("text/csv; charset=utf-8", "csv"),
        "pdf" => ("application/pdf", "pdf"),
        "json" => ("application/json", "json"),
        other => {
            return Err(ApiError::new(
                Code::UnknownFormat,
                format!("định dạng \"{other}\" không có; dùng xlsx, csv, json hoặc pdf"),
            ))
        }
    };
    let app = web.app.clone();
    let actor = Actor::of(&session.user);
    // Checked first, so that what is wrong is an answer; then written as it is made, a chunk
    // at a time, never held whole (a province's register of a year is tens of megabytes).
    let (a2, act2, unit2, format2) = (app.clone(), actor.clone(), unit.clone(), format.clone());
    blocking(move || {
        a2.statistics().check_report(
            &app::statistics::report::ReportSpec { unit: &unit2, from, to, format: &format2, kind },
            &act2,
        )
    })
    .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<axum::body::Bytes>>(8);
    let unit2 = unit.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter { tx: tx.clone(), buf: Vec::with_capacity(CHUNK) };
        let spec = app::statistics::report::ReportSpec { unit: &unit2, from, to, format: &format, kind };
        let written = app.statistics().write_report(spec, &actor, &mut out).and_then(|_| {
            std::io::Write::flush(&mut out).map_err(|e| app::AppError::internal(Code::WriteFailed, e))
        });
        if let Err(e) = written {
            // Headers are gone: the client sees the transfer fail, the log says why.
            tracing::warn!(
                code = %e.code,
                cause = e.cause.as_deref().unwrap_or(&e.message),
                "báo cáo bị ngắt"
            );
            let _ = tx.blocking_send(Err(std::io::Error::other(e.code.as_str())));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    let bytes = axum::body::Body::from_stream(stream);
    let what = if kind == app::statistics::report::ReportKind::Register && ext != "xlsx" {
        "so-theo-doi"
    } else {
        "bao-cao"
    };
    let name = format!("{what}-{unit}-{}-{}.{ext}", from.format("%Y%m%d"), to.format("%Y%m%d"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn report_page(State(web): State<Arc<Web>>, u: PageUser, Query(q): Query<ReportQuery>) -> Response {
    match report_file(&web, &u.session, q).await {
        Ok(r) => r,
        Err(e) => page_error(e),
    }
}

struct LineView {
    code: String,
    name: String,
    received: i64,
    online: i64,
    resolved: i64,
    rate: String,
    index: String,
    open: i64,
    overdue: i64,
    why: String,
    css: String,
    /// A province's communes that received a dossier in the period, of all ("12 / 94").
    communes: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    user: Option<UserBar>,
    f: app::statistics::figures::Figures,
    from: String,
    to: String,
    from_vi: String,
    to_vi: String,
    online_rate: String,
    on_time_rate: String,
    index: String,
    index_version: String,
    channel_bar: String,
    trend: String,
    trend_step: String,
    map: String,
    lines: Vec<LineView>,
    /// What the ranking lines up: the communes of a province, the provinces of the nation.
    ranked: (&'static str, &'static str),
    /// The nation's page: communes that received a dossier in the period, and all of them.
    communes_active: Option<(i64, i64)>,
    procedures: Vec<ProcedureLine>,
    parent: Option<(String, String)>,
}

#[derive(Deserialize)]
struct DashQuery {
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The unit and period asked for: the caller's own unit and the month so far by default.
fn period(web: &Web, u: &PageUser, q: DashQuery) -> (String, NaiveDate, NaiveDate) {
    let (month_start, today) = app::statistics::figures::month_to_date(web.app.now().date());
    let parse =
        |v: Option<&str>, d| v.and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()).unwrap_or(d);
    let from = parse(q.from.as_deref(), month_start);
    let to = parse(q.to.as_deref(), today);
    let unit = q.unit.filter(|u| !u.trim().is_empty()).unwrap_or_else(|| u.session.user.unit_code.clone());
    (unit, from, to)
}

fn score(x: Option<f64>) -> String {
    x.map_or("—".into(), |x| format!("{x:.1}").replace('.', ","))
}

pub(super) fn percent(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{:.1} %", r * 100.0).replace('.', ","))
}

fn step_label(s: Step) -> &'static str {
    match s {
        Step::Day => "theo ngày",
        Step::Week => "theo tuần",
        Step::Month => "theo tháng",
    }
}

async fn dashboard(State(web): State<Arc<Web>>, u: PageUser, Query(q): Query<DashQuery>) -> Response {
    let (unit, from, to) = period(&web, &u, q);
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    let unit2 = unit.clone();
    let result = blocking(move || {
        let f = app.statistics().figures(&unit2, from, to, &actor)?;
        // Scored from the figures just read, not read twice.
        let index = domain::service_index::rules_in(domain::service_index::VERSIONS, to)
            .map(|rules| app::statistics::figures::unit_index(f.clone(), rules));
        let trend = app.statistics().trend(&unit2, from, to, &actor)?;
        // The nation drills down to its provinces, a province to its communes, a commune to
        // its procedures.
        let (lines, procedures) = if unit2 == domain::roles::NATION || domain::roles::is_province(&unit2) {
            (app.statistics().units_below(&unit2, from, to, &actor)?, vec![])
        } else {
            (vec![], app.statistics().procedure_breakdown(&unit2, from, to, &actor)?)
        };
        Ok((f, index, trend, lines, procedures))
    })
    .await;
    let (f, index, trend, mut lines, mut procedures) = match result {
        Ok(x) => x,
        Err(e) => return page_error(e),
    };
    procedures.truncate(30);
    let nation = unit == domain::roles::NATION;
    let map = match (lines.is_empty(), nation) {
        (true, _) => String::new(),
        (false, true) => super::charts::unit_map(&lines, f64::INFINITY),
        // A far island (an đặc khu) is drawn at the edge rather than squeezing the mainland.
        (false, false) => super::charts::unit_map(&lines, 1.5),
    };
    // Worst first: lowest index, then lowest on-time rate, then most overdue.
    lines.sort_by(|a, b| {
        a.index
            .unwrap_or(101.0)
            .total_cmp(&b.index.unwrap_or(101.0))
            .then(a.on_time_rate.unwrap_or(2.0).total_cmp(&b.on_time_rate.unwrap_or(2.0)))
            .then(b.overdue.cmp(&a.overdue))
    });
    let views = lines
        .iter()
        .map(|l| {
            let mut why = vec![];
            if l.late > 0 {
                why.push(format!("{} hồ sơ giải quyết quá hạn", l.late));
            }
            if l.overdue > 0 {
                why.push(format!("{} hồ sơ đang quá hạn", l.overdue));
            }
            if l.supplements > 0 && l.received > 0 && l.supplements * 10 > l.received {
                why.push(format!("{} lần yêu cầu bổ sung", l.supplements));
            }
            if l.received > 0 && l.online * 2 < l.received {
                why.push("dưới một nửa hồ sơ nộp trực tuyến".to_string());
            }
            LineView {
                code: l.code.clone(),
                name: l.name.clone(),
                received: l.received,
                online: l.online,
                resolved: l.resolved,
                rate: percent(l.on_time_rate),
                index: score(l.index),
                open: l.open,
                overdue: l.overdue,
                why: why.join("; "),
                css: if l.overdue > 0 { "late".into() } else { String::new() },
                communes: l.communes.zip(l.communes_active).map(|(all, active)| format!("{active} / {all}")),
            }
        })
        .collect();
    // The nation's communes that worked in the period, of the country's.
    let communes_active = nation.then(|| {
        let sum = |f: fn(&app::statistics::figures::RankedUnit) -> Option<i64>| {
            lines.iter().filter_map(f).sum::<i64>()
        };
        (sum(|l| l.communes_active), sum(|l| l.communes))
    });
    let reg = units::registry();
    let national = Actor::of(&u.session.user).scope.sees_nation();
    let parent = match reg.commune(&unit) {
        Some(c) => {
            let p = reg.province_of(c);
            Some((p.code.to_string(), p.name.to_string()))
        }
        None if national && !nation => Some((domain::roles::NATION.to_string(), NATION_NAME.to_string())),
        None => None,
    };
    let parent = parent.filter(|(code, _)| {
        national || u.session.user.unit_code == *code || domain::roles::is_province(&u.session.user.unit_code)
    });
    render(&DashboardPage {
        user: bar(&u.session),
        from: from.to_string(),
        to: to.to_string(),
        from_vi: from.format("%d/%m/%Y").to_string(),
        to_vi: to.format("%d/%m/%Y").to_string(),
        online_rate: percent(f.online_rate),
        on_time_rate: percent(f.on_time_rate),
        index: score(index.as_ref().and_then(|i| i.index.total)),
        index_version: index.map(|i| i.index.version.to_string()).unwrap_or_default(),
        channel_bar: super::charts::channel_bar(&f),
        trend: super::charts::trend_chart(&trend),
        trend_step: step_label(trend.step).into(),
        map,
        lines: views,
        ranked: if nation {
            ("tỉnh, thành phố", "Tỉnh, thành phố")
        } else {
            ("xã, phường", "Xã, phường")
        },
        communes_active,
        procedures,
        parent,
        f,
    })
}

struct IndicatorView {
    code: &'static str,
    name: &'static str,
    formula: &'static str,
    numerator: u64,
    denominator: u64,
    rate: String,
    points: String,
    score: String,
    /// Where the dossiers behind a shortfall are listed.
    behind: Option<(String, &'static str)>,
}

struct GroupView {
    label: &'static str,
    points: String,
    score: String,
    indicators: Vec<IndicatorView>,
}

#[derive(Template)]
#[template(path = "service_index.html")]
struct IndexPage {
    user: Option<UserBar>,
    unit: String,
    unit_name: String,
    from: String,
    to: String,
    from_vi: String,
    to_vi: String,
    total: String,
    earned: String,
    measured: String,
    version: &'static str,
    effective_from: String,
    basis: &'static str,
    groups: Vec<GroupView>,
}

/// The link to what pulls an indicator down.
fn behind_link(b: Behind, unit: &str, from: NaiveDate, to: NaiveDate) -> (String, &'static str) {
    let href = match b {
        Behind::IncompleteProcedures => "/thu-tuc".to_string(),
        _ => format!("/?unit={unit}&behind={}&from={from}&to={to}", b.code()),
    };
    (href, b.label())
}

async fn index_page(State(web): State<Arc<Web>>, u: PageUser, Query(q): Query<DashQuery>) -> Response {
    let (unit, from, to) = period(&web, &u, q);
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    let unit2 = unit.clone();
    let ix = match blocking(move || app.statistics().service_index(&unit2, from, to, None, &actor)).await {
        Ok(x) => x,
        Err(e) => return page_error(e),
    };
    let Index { version, effective_from, basis, total, earned, measured_points, groups, indicators } =
        ix.index;
    let groups = groups
        .iter()
        .map(|g| GroupView {
            label: g.label,
            points: score(Some(g.points)),
            score: score(Some(g.score)),
            indicators: indicators
                .iter()
                .filter(|i| i.group == g.group)
                .map(|i| IndicatorView {
                    code: i.code,
                    name: i.name,
                    formula: i.formula,
                    numerator: i.numerator,
                    denominator: i.denominator,
                    rate: percent(i.rate),
                    points: score(Some(i.points)),
                    score: i.score.map_or("không tính (chưa có dữ liệu)".into(), |s| score(Some(s))),
                    behind: i
                        .behind
                        .filter(|_| i.rate.is_some_and(|r| r < 1.0))
                        .map(|b| behind_link(b, &unit, from, to)),
                })
                .collect(),
        })
        .collect();
    render(&IndexPage {
        user: bar(&u.session),
        unit: ix.unit,
        unit_name: ix.unit_name,
        from: from.to_string(),
        to: to.to_string(),
        from_vi: from.format("%d/%m/%Y").to_string(),
        to_vi: to.format("%d/%m/%Y").to_string(),
        total: score(total),
        earned: score(Some(earned)),
        measured: score(Some(measured_points)),
        version,
        effective_from: effective_from.format("%d/%m/%Y").to_string(),
        basis,
        groups,
    })
}
