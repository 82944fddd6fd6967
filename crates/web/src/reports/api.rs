//! Figures over the API: a unit's statistics, the service index, the trend, figures per
//! procedure and the period report.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::error::ErrorAnswer;
use crate::extract::{date_param, query};
use crate::Routes;
use crate::{blocking, Web};
use app::Actor;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub fn staff_routes() -> Routes {
    Routes::default()
        .routes(routes!(stats))
        .routes(routes!(service_index))
        .routes(routes!(trend))
        .routes(routes!(procedures_breakdown))
        .routes(routes!(units_below))
        .routes(routes!(report))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct StatsQuery {
    /// A commune's or province's code, or VN for the nation: the caller's unit when left out.
    unit: Option<String>,
    /// YYYY-MM-DD: the first of this month when left out.
    #[param(format = Date)]
    from: Option<String>,
    /// YYYY-MM-DD: today when left out.
    #[param(format = Date)]
    to: Option<String>,
}

/// The unit and period of a statistics request: the caller's unit and the month so far by
/// default.
fn unit_period(
    web: &Web,
    caller: &Caller,
    unit: Option<String>,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<(String, chrono::NaiveDate, chrono::NaiveDate)> {
    let (month_start, today) = app::statistics::figures::month_to_date(web.app.now().date());
    let from = date_param("from", from, month_start)?;
    let to = date_param("to", to, today)?;
    Ok((unit.unwrap_or_else(|| caller.session.user.unit_code.clone()), from, to))
}

#[utoipa::path(get, path = "/api/v1/stats", tag = "reports",
    summary = "Số liệu của một đơn vị trong một kỳ (theo Cổng DVCQG)",
    params(StatsQuery),
    responses(
        (status = 200, description = "Số liệu", body = app::statistics::figures::Figures),
        (status = 404, description = "Đơn vị không có hoặc ngoài phạm vi của tài khoản", body = ErrorAnswer),
    ))]
async fn stats(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<app::statistics::figures::Figures>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(blocking(move || app.statistics().figures(&unit, from, to, &actor)).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct IndexQuery {
    /// A commune's or province's code: the caller's unit when left out.
    unit: Option<String>,
    /// YYYY-MM-DD: the first of this month when left out.
    #[param(format = Date)]
    from: Option<String>,
    /// YYYY-MM-DD: today when left out.
    #[param(format = Date)]
    to: Option<String>,
    /// The rules' version (the one in force on `to` when left out).
    version: Option<String>,
}

/// Figures per procedure, most received first.
#[derive(Serialize, ToSchema)]
#[schema(as = ProcedureBreakdown)]
struct Breakdown {
    items: Vec<app::statistics::breakdown::ProcedureLine>,
}

#[utoipa::path(get, path = "/api/v1/service-index", tag = "reports",
    summary = "Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
    params(IndexQuery),
    responses((status = 200, description = "Chỉ số, theo nhóm và theo chỉ tiêu", body = app::statistics::figures::UnitIndex)))]
async fn service_index(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<IndexQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<app::statistics::figures::UnitIndex>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(
        blocking(move || app.statistics().service_index(&unit, from, to, q.version.as_deref(), &actor))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/stats/trend", tag = "reports",
    summary = "Diễn biến theo ngày, tuần hoặc tháng",
    params(StatsQuery),
    responses((status = 200, description = "Các điểm của kỳ", body = app::statistics::breakdown::Trend)))]
async fn trend(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<app::statistics::breakdown::Trend>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    Ok(Json(blocking(move || app.statistics().trend(&unit, from, to, &actor)).await?))
}

#[utoipa::path(get, path = "/api/v1/stats/procedures", tag = "reports",
    summary = "Số liệu theo thủ tục",
    params(StatsQuery),
    responses((status = 200, description = "Số liệu theo thủ tục", body = Breakdown)))]
async fn procedures_breakdown(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Breakdown>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let items = blocking(move || app.statistics().procedure_breakdown(&unit, from, to, &actor)).await?;
    Ok(Json(Breakdown { items }))
}

/// The units under one, each with its figures.
#[derive(Serialize, ToSchema)]
#[schema(as = UnitsBelow)]
struct Below {
    items: Vec<app::statistics::figures::RankedUnit>,
}

#[utoipa::path(get, path = "/api/v1/stats/units", tag = "reports",
    summary = "Số liệu từng đơn vị cấp dưới: các tỉnh của cả nước (unit=VN), các xã của một tỉnh",
    params(StatsQuery),
    responses(
        (status = 200, description = "Mỗi đơn vị một dòng, cả đơn vị chưa có hồ sơ", body = Below),
        (status = 404, description = "Đơn vị không có hoặc ngoài phạm vi của tài khoản", body = ErrorAnswer),
    ))]
async fn units_below(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Below>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let items = blocking(move || app.statistics().units_below(&unit, from, to, &actor)).await?;
    Ok(Json(Below { items }))
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports",
    summary = "Báo cáo kỳ (Excel, CSV hoặc JSON) để tải về",
    params(super::pages::ReportQuery),
    responses((status = 200, description = "Tệp báo cáo", content(
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv"),
        (serde_json::Value = "application/json"),
    ))))]
async fn report(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<super::pages::ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let q = query(q)?;
    super::pages::report_file(&web, &caller.session, q).await
}
