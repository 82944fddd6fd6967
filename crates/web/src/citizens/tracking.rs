//! Tracking a dossier and rating its service: the code and the tracking PIN from the receipt,
//! guesses limited per dossier and per client.

use crate::auth::client_ip;
use crate::error::ApiResult;
use crate::extract::Body;
use crate::view::{page_error, render, time, UserBar};
use crate::{blocking, Web};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::Status;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Every route here takes a dossier's secret: limited per client.
pub fn limited_routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/track/{code}", get(track))
        .route("/api/v1/track/{code}/rating", post(api_rate))
        .route("/tra-cuu", get(track_page))
        .route("/tra-cuu/danh-gia", post(rate))
}

#[derive(Deserialize)]
struct TrackApiQuery {
    /// The receipt's tracking PIN (for a dossier filed before PINs: the phone's last 4 digits).
    pin: Option<String>,
}

async fn track(
    State(web): State<Arc<Web>>,
    parts: axum::http::request::Parts,
    Path(code): Path<String>,
    Query(q): Query<TrackApiQuery>,
) -> ApiResult<Json<Value>> {
    let app = web.app.clone();
    let (pin, ip) = (q.pin.unwrap_or_default(), client_ip(&parts));
    let v = blocking(move || app.track(&code, &pin, &ip)).await?;
    Ok(Json(json!(v)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rating {
    pin: String,
    score: u8,
    #[serde(default)]
    comment: Option<String>,
}

async fn api_rate(
    State(web): State<Arc<Web>>,
    parts: axum::http::request::Parts,
    Path(code): Path<String>,
    Body(r): Body<Rating>,
) -> ApiResult<StatusCode> {
    let app = web.app.clone();
    let ip = client_ip(&parts);
    blocking(move || app.rate(&code, &r.pin, &ip, r.score, r.comment.as_deref())).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- pages ----

// ---- citizens ----
struct TrackModel {
    code: String,
    status: String,
    procedure: String,
    due: String,
    steps: Vec<(String, String)>,
    can_rate: bool,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    user: Option<UserBar>,
    code: String,
    pin: String,
    error: Option<String>,
    view: Option<TrackModel>,
}

#[derive(Deserialize)]
struct TrackQuery {
    code: Option<String>,
    /// The tracking PIN of the receipt (or, for a dossier filed before PINs, the phone's last
    /// four digits).
    pin: Option<String>,
}

async fn track_page(State(web): State<Arc<Web>>, parts: Parts, Query(q): Query<TrackQuery>) -> Response {
    let code = q.code.unwrap_or_default();
    let pin = q.pin.unwrap_or_default();
    let mut page = TrackPage { user: None, code: code.clone(), pin: pin.clone(), error: None, view: None };
    if code.trim().is_empty() {
        return render(&page);
    }
    let app = web.app.clone();
    let (c, p, ip) = (code.clone(), pin.clone(), client_ip(&parts));
    match blocking(move || app.track(&c, &p, &ip)).await {
        Ok(t) => {
            page.view = Some(TrackModel {
                code: t.code.clone(),
                status: t.status_label.clone(),
                procedure: t.procedure_name.clone(),
                due: time(t.due_at),
                steps: t.steps.iter().map(|s| (time(Some(s.at)), s.what.clone())).collect(),
                can_rate: t.status == Status::Returned && !t.rated,
            });
            render(&page)
        }
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            page.error = Some(e.0.message);
            crate::error::with_retry_after(status, render(&page))
        }
    }
}

#[derive(Deserialize)]
struct RateForm {
    code: String,
    pin: String,
    score: u8,
}

async fn rate(State(web): State<Arc<Web>>, parts: Parts, Form(f): Form<RateForm>) -> Response {
    let app = web.app.clone();
    let (code, pin, ip) = (f.code.clone(), f.pin.clone(), client_ip(&parts));
    match blocking(move || app.rate(&f.code, &f.pin, &ip, f.score, None)).await {
        Ok(()) => Redirect::to(&format!(
            "/tra-cuu?code={}&pin={}",
            crate::auth::url_encode(&code),
            crate::auth::url_encode(&pin)
        ))
        .into_response(),
        Err(e) => page_error(e),
    }
}
