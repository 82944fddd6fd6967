//! Figures over the API: a unit's statistics, the service index, the trend, figures per
//! procedure and the period report.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{date_param, query};
use crate::{blocking, Web};
use app::Actor;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/service-index", get(service_index))
        .route("/api/v1/stats/trend", get(trend))
        .route("/api/v1/stats/procedures", get(procedures_breakdown))
        .route("/api/v1/reports", get(report))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsQuery {
    unit: Option<String>,
    from: Option<String>,
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
    let (month_start, today) = app::stats::month_to_date(web.app.now().date());
    let from = date_param("from", from, month_start)?;
    let to = date_param("to", to, today)?;
    Ok((unit.unwrap_or_else(|| caller.session.user.unit_code.clone()), from, to))
}

async fn stats(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let f = blocking(move || app.figures(&unit, from, to, &actor)).await?;
    Ok(Json(json!(f)))
}

#[derive(Deserialize)]
struct IndexQuery {
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    version: Option<String>,
}

async fn service_index(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<IndexQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let ix = blocking(move || app.service_index(&unit, from, to, q.version.as_deref(), &actor)).await?;
    Ok(Json(json!(ix)))
}

async fn trend(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let t = blocking(move || app.trend(&unit, from, to, &actor)).await?;
    Ok(Json(json!(t)))
}

async fn procedures_breakdown(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let (unit, from, to) = unit_period(&web, &caller, q.unit, q.from.as_deref(), q.to.as_deref())?;
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let lines = blocking(move || app.procedure_breakdown(&unit, from, to, &actor)).await?;
    Ok(Json(json!({ "items": lines })))
}

async fn report(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<super::pages::ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let q = query(q)?;
    super::pages::report_file(&web, &caller.session, q).await
}
