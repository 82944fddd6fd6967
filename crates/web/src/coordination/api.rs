//! Coordination between the tiers in the API: proposals and their responses, directives and
//! communes' reports, staff workload, leave and quotas. Every change is announced on the live
//! stream to those who may see it.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{query, Body};
use crate::live::Notice;
use crate::{blocking, Web};
use app::directives::{DirectiveFilter, NewDirective, NewReport};
use app::proposals::{NewProposal, ProposalFilter, ProposalResponse};
use app::staff::{NewLeave, StaffingUpdate};
use app::Actor;
use app::Code;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/proposals", post(file).get(list))
        .route("/api/v1/proposals/summary", get(summary))
        .route("/api/v1/proposals/central.csv", get(central_csv))
        .route("/api/v1/proposals/{id}", get(one))
        .route("/api/v1/proposals/{id}/responses", post(respond))
        .route("/api/v1/directives", post(issue).get(directives))
        .route("/api/v1/directives/{id}", get(directive))
        .route("/api/v1/directives/{id}/reports", post(report))
        .route("/api/v1/staff/workload", get(workload))
        .route("/api/v1/staff/comparison", get(comparison))
        .route("/api/v1/staff/leave", post(leave))
        .route("/api/v1/staff/units/{code}", put(staffing))
        .route("/api/v1/dossiers/{code}/suggested-assignee", get(suggested))
}

/// A numeric id from the path; anything else names nothing.
pub(crate) fn id_of(raw: &str, code: Code, what: &str) -> ApiResult<i64> {
    raw.trim()
        .parse()
        .ok()
        .filter(|i: &i64| *i > 0)
        .ok_or_else(|| ApiError::not_found(code, format!("không có {what} số \"{}\"", raw.trim())))
}

fn actor(caller: &Caller) -> Actor {
    Actor::of(&caller.session.user)
}

async fn file(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<NewProposal>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let p = blocking(move || app.file_proposal(&b, &who)).await?;
    web.announce(Notice::proposal(&p));
    Ok((StatusCode::CREATED, Json(json!(p))))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProposalQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub commune: Option<String>,
    pub handler: Option<String>,
    #[serde(default)]
    pub overdue: bool,
    #[serde(default)]
    pub to_central: bool,
    #[serde(default)]
    pub limit: u32,
    #[serde(default)]
    pub offset: u32,
}

impl ProposalQuery {
    pub(crate) fn filter(self) -> ProposalFilter {
        ProposalFilter {
            status: self.status,
            category: self.category,
            commune: self.commune,
            handler: self.handler,
            overdue: self.overdue,
            to_central: self.to_central,
            limit: self.limit,
            offset: self.offset,
        }
    }
}

async fn list(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<ProposalQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    // Present but empty is an error here (the page's "all" is the parameter left out).
    for (name, v, code) in [
        ("status", &q.status, Code::InvalidStatus),
        ("category", &q.category, Code::InvalidCategory),
        ("commune", &q.commune, Code::UnknownCommune),
        ("handler", &q.handler, Code::UnknownDepartment),
    ] {
        if v.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(ApiError::new(code, format!("tham số {name} để trống")));
        }
    }
    let f = q.filter();
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(json!(blocking(move || app.proposals(&f, &who)).await?)))
}

async fn summary(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<Json<Value>> {
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(json!(blocking(move || app.proposal_summary(&who)).await?)))
}

async fn central_csv(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<Response> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let csv = blocking(move || app.central_proposals_csv(&who)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"kien-nghi-trung-uong.csv\""),
        ],
        csv,
    )
        .into_response())
}

async fn one(State(web): State<Arc<Web>>, caller: Caller, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let id = id_of(&id, Code::ProposalNotFound, "kiến nghị")?;
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(json!(blocking(move || app.proposal(id, &who)).await?)))
}

async fn respond(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body<ProposalResponse>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = id_of(&id, Code::ProposalNotFound, "kiến nghị")?;
    let (app, who) = (web.app.clone(), actor(&caller));
    let d = blocking(move || app.respond_to_proposal(id, &b, &who)).await?;
    web.announce(Notice::proposal(&d.proposal));
    Ok((StatusCode::CREATED, Json(json!(d))))
}

async fn issue(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<NewDirective>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let d = blocking(move || app.issue_directive(&b, &who)).await?;
    web.announce(Notice::directive(d.id, &d.province_code, None));
    Ok((StatusCode::CREATED, Json(json!(d))))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct DirectiveQuery {
    #[serde(default)]
    pub late: bool,
    #[serde(default)]
    pub limit: u32,
    #[serde(default)]
    pub offset: u32,
}

async fn directives(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<DirectiveQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let f = DirectiveFilter { late: q.late, limit: q.limit, offset: q.offset };
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(json!(blocking(move || app.directives(&f, &who)).await?)))
}

async fn directive(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id = id_of(&id, Code::DirectiveNotFound, "nhiệm vụ")?;
    let (app, who) = (web.app.clone(), actor(&caller));
    Ok(Json(json!(blocking(move || app.directive(id, &who)).await?)))
}

async fn report(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body<NewReport>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let id = id_of(&id, Code::DirectiveNotFound, "nhiệm vụ")?;
    let (app, who) = (web.app.clone(), actor(&caller));
    let commune = match &who.scope {
        domain::roles::Scope::Commune { commune, .. } => Some(commune.clone()),
        _ => None,
    };
    let d = blocking(move || app.report_on_directive(id, &b, &[], &who)).await?;
    web.announce(Notice::directive(id, &d.directive.province_code, commune));
    Ok((StatusCode::CREATED, Json(json!(d))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitQuery {
    unit: Option<String>,
}

async fn workload(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<UnitQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let who = actor(&caller);
    let unit = query(q)?.unit.unwrap_or_else(|| caller.session.user.unit_code.clone());
    let app = web.app.clone();
    Ok(Json(json!(blocking(move || app.workload(&unit, &who)).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvinceQuery {
    province: Option<String>,
}

async fn comparison(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<ProvinceQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let who = actor(&caller);
    let province = query(q)?.province.unwrap_or_else(|| caller.session.user.province_code.clone());
    let app = web.app.clone();
    Ok(Json(json!({ "items": blocking(move || app.staff_comparison(&province, &who)).await? })))
}

async fn leave(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<NewLeave>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let province = caller.session.user.province_code.clone();
    let l = blocking(move || app.add_leave(&b, &who)).await?;
    web.announce(Notice::staff(&province, None));
    Ok((StatusCode::CREATED, Json(json!(l))))
}

async fn staffing(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(b): Body<StaffingUpdate>,
) -> ApiResult<Json<Value>> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let province = caller.session.user.province_code.clone();
    let unit = code.clone();
    let w = blocking(move || {
        app.set_staffing(&code, &b, &who)?;
        app.workload(&code, &who)
    })
    .await?;
    web.announce(Notice::staff(&province, Some(unit)));
    Ok(Json(json!(w)))
}

async fn suggested(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Value>> {
    let (app, who) = (web.app.clone(), actor(&caller));
    let s = blocking(move || app.suggest_assignee(&code, &who)).await?;
    Ok(Json(json!({ "official": s })))
}
