//! Dossiers over the API: intake, the list (scoped, filtered, paginated), one dossier, actions.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{behind_param, query, Body};
use crate::{blocking, Web};
use app::{ActionRequest, Actor, Applicant, DossierFilter, IntakeRequest};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Channel, Status};
use errors::Code;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/dossiers", post(create_dossier).get(list_dossiers))
        .route("/api/v1/dossiers/{code}", get(get_dossier))
        .route("/api/v1/dossiers/{code}/actions", post(act))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewDossier {
    procedure_code: String,
    channel: Channel,
    applicant: Applicant,
    #[serde(default)]
    commune_code: Option<String>,
}

/// A dossier as the API answers it; `allowed_actions` are those this caller may take now.
fn record_json(app: &app::App, d: &app::DossierRecord, actor: &Actor) -> Value {
    let mut v = json!(d);
    v["commune_code"] = json!(d.receiving_unit);
    v["status_label"] = json!(d.status.label());
    v["portal_status"] = json!(d.status.portal_code());
    v["allowed_actions"] = json!(app.actions_for(d, actor));
    v
}

async fn create_dossier(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Body(b): Body<NewDossier>,
) -> ApiResult<Response> {
    let actor = Actor::of(&caller.session.user);
    let req = IntakeRequest {
        procedure_code: b.procedure_code,
        channel: b.channel,
        commune_code: b.commune_code,
        applicant: b.applicant,
    };
    let d = super::receive(&web, req, actor.clone()).await?;
    web.publish(&d);
    Ok((StatusCode::CREATED, Json(record_json(&web.app, &d, &actor))).into_response())
}

async fn get_dossier(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Value>> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = actor.clone();
    let d = blocking(move || app.dossier(&code, &a)).await?;
    Ok(Json(record_json(&web.app, &d, &actor)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    overdue: Option<bool>,
    page: Option<u32>,
    per_page: Option<u32>,
    commune: Option<String>,
    q: Option<String>,
    procedure: Option<String>,
    behind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    mine: Option<bool>,
}

async fn list_dossiers(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Status::parse(s)
                .ok_or_else(|| ApiError::new(Code::UnknownStatus, format!("trạng thái \"{s}\" không có")))?,
        ),
    };
    let per_page = q.per_page.unwrap_or(50);
    let page = q.page.unwrap_or(1);
    if !(1..=500).contains(&per_page) || page == 0 {
        return Err(ApiError::new(Code::InvalidPage, "page từ 1 trở lên, per_page từ 1 đến 500"));
    }
    let behind = behind_param(&web, q.behind.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let filter = DossierFilter {
        unit: q.commune,
        province: None,
        status,
        overdue: q.overdue.unwrap_or(false),
        text: q.q,
        open_only: false,
        procedure: q.procedure,
        behind,
        mine: q.mine.unwrap_or(false),
        page,
        per_page,
    };
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = actor.clone();
    let p = blocking(move || app.list(&filter, &a)).await?;
    Ok(Json(json!({
        "items": p.items.iter().map(|d| record_json(&web.app, d, &actor)).collect::<Vec<_>>(),
        "page": p.page, "per_page": p.per_page, "total": p.total,
    })))
}

async fn act(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(req): Body<ActionRequest>,
) -> ApiResult<Json<Value>> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = actor.clone();
    let d = blocking(move || app.act(&code, &req, &a)).await?;
    web.publish(&d);
    Ok(Json(record_json(&web.app, &d, &actor)))
}
