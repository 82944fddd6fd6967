//! Dossiers over the API: intake, the list (scoped, filtered, paginated), one dossier, actions.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{behind_param, query, Body};
use crate::{blocking, Web};
use app::{ActionRequest, Actor, Applicant, DossierFilter, IntakeRequest};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDateTime;
use domain::Event;
use domain::{Channel, Status};
use errors::Code;
use serde::{Deserialize, Serialize};
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

/// A dossier as the API answers it: the `Dossier` schema of the API description, its own
/// fields and none of the storage's (the history's head, counters, update time);
/// `allowed_actions` are those this caller may take now.
#[derive(Serialize)]
struct DossierAnswer<'a> {
    code: &'a str,
    province_code: &'a str,
    receiving_unit: &'a str,
    /// The receiving commune (the portal's name for the receiving unit).
    commune_code: &'a str,
    handling_unit: &'a str,
    procedure_code: &'a str,
    procedure_version: i64,
    channel: Channel,
    status: Status,
    status_label: &'static str,
    portal_status: u8,
    applicant_name: &'a str,
    applicant_phone: Option<&'a str>,
    applicant_id_number: Option<&'a str>,
    address_text: Option<&'a str>,
    address_commune: Option<&'a str>,
    registered_at: NaiveDateTime,
    received_at: Option<NaiveDateTime>,
    due_at: Option<NaiveDateTime>,
    finished_at: Option<NaiveDateTime>,
    verdict: Option<&'a str>,
    assignee: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    erased_at: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tracking_pin: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    masked: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    events: &'a [Event],
    allowed_actions: Vec<&'static str>,
}

fn answer<'a>(app: &app::App, d: &'a app::DossierRecord, actor: &Actor) -> DossierAnswer<'a> {
    DossierAnswer {
        code: &d.code,
        province_code: &d.province_code,
        receiving_unit: &d.receiving_unit,
        commune_code: &d.receiving_unit,
        handling_unit: &d.handling_unit,
        procedure_code: &d.procedure_code,
        procedure_version: d.procedure_version,
        channel: d.channel,
        status: d.status,
        status_label: d.status.label(),
        portal_status: d.status.portal_code(),
        applicant_name: &d.applicant_name,
        applicant_phone: d.applicant_phone.as_deref(),
        applicant_id_number: d.applicant_id_number.as_deref(),
        address_text: d.address_text.as_deref(),
        address_commune: d.address_commune.as_deref(),
        registered_at: d.registered_at,
        received_at: d.received_at,
        due_at: d.due_at,
        finished_at: d.finished_at,
        verdict: d.verdict.as_deref(),
        assignee: d.assignee.as_deref(),
        erased_at: d.erased_at,
        tracking_pin: d.tracking_pin.as_deref(),
        masked: d.masked,
        events: &d.events,
        allowed_actions: app.actions_for(d, actor),
    }
}

/// The header naming an intake, so that a client that lost the answer can send it again.
const IDEMPOTENCY_KEY: &str = "idempotency-key";

async fn create_dossier(
    State(web): State<Arc<Web>>,
    caller: Caller,
    headers: HeaderMap,
    Body(b): Body<NewDossier>,
) -> ApiResult<Response> {
    let actor = Actor::of(&caller.session.user);
    let req = IntakeRequest {
        procedure_code: b.procedure_code,
        channel: b.channel,
        commune_code: b.commune_code,
        applicant: b.applicant,
    };
    // Checked by the intake (a key that is not visible ASCII is refused there).
    let key = headers.get(IDEMPOTENCY_KEY).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let received = super::receive(&web, req, actor.clone(), key).await?;
    let d = received.dossier();
    let mut response = (StatusCode::CREATED, Json(answer(&web.app, d, &actor))).into_response();
    match received {
        super::Received::New(ref d) => web.publish(d),
        // The same answer as the first time, said to be a repeat.
        super::Received::Again(_) => {
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
    }
    Ok(response)
}

async fn get_dossier(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = actor.clone();
    let d = blocking(move || app.dossier(&code, &a)).await?;
    Ok(Json(answer(&web.app, &d, &actor)).into_response())
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
        "items": p.items.iter().map(|d| answer(&web.app, d, &actor)).collect::<Vec<_>>(),
        "page": p.page, "per_page": p.per_page, "total": p.total,
    })))
}

async fn act(
    State(web): State<Arc<Web>>,
    caller: Caller,
    Path(code): Path<String>,
    Body(req): Body<ActionRequest>,
) -> ApiResult<Response> {
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let a = actor.clone();
    let d = blocking(move || app.act(&code, &req, &a)).await?;
    web.publish(&d);
    Ok(Json(answer(&web.app, &d, &actor)).into_response())
}
