//! Tracking a dossier and rating its service: the code and the tracking PIN from the receipt,
//! guesses limited per dossier and per client.

use crate::auth::client_ip;
use crate::error::ApiResult;
use crate::error::ErrorAnswer;
use crate::extract::Body;
use crate::view::{page_error, render, time, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Json;
use domain::Status;
use serde::Deserialize;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// Every route here takes a dossier's secret: limited per client.
pub fn limited_routes() -> Routes {
    Routes::default()
        .routes(routes!(track))
        .routes(routes!(api_rate))
        .route("/tra-cuu", get(track_page))
        .route("/tra-cuu/danh-gia", post(rate))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TrackApiQuery {
    /// The receipt's tracking PIN (for a dossier filed before PINs: the phone's last 4 digits).
    pin: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/track/{code}", tag = "citizens",
    summary = "Tra cứu hồ sơ bằng mã hồ sơ và mã tra cứu trên giấy tiếp nhận",
    description = "Không có tên, lý do hay dữ liệu cá nhân: chỉ các bước và thời hạn. Số lần đoán sai bị giới hạn theo hồ sơ và theo địa chỉ.",
    params(("code" = String, Path, description = "Mã hồ sơ"), TrackApiQuery),
    responses(
        (status = 200, description = "Tình trạng hồ sơ", body = app::TrackView),
        (status = 404, description = "Không có hồ sơ với mã và mã tra cứu này (not_found)", body = ErrorAnswer),
    ))]
async fn track(
    State(web): State<Arc<Web>>,
    parts: axum::http::request::Parts,
    Path(code): Path<String>,
    Query(q): Query<TrackApiQuery>,
) -> ApiResult<Json<app::TrackView>> {
    let app = web.app.clone();
    let (pin, ip) = (q.pin.unwrap_or_default(), client_ip(&parts));
    Ok(Json(blocking(move || app.dossiers().track(&code, &pin, &ip)).await?))
}

/// A citizen's rating of a finished dossier's service.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Rating {
    /// The receipt's tracking PIN.
    pin: String,
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[schema(minimum = 1, maximum = 5)]
    score: u8,
    #[serde(default)]
    comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/track/{code}/rating", tag = "citizens",
    summary = "Đánh giá mức độ hài lòng về hồ sơ đã giải quyết (một lần)",
    params(("code" = String, Path, description = "Mã hồ sơ")),
    request_body = Rating,
    responses(
        (status = 204, description = "Đã ghi nhận đánh giá"),
        (status = 409, description = "Hồ sơ chưa có kết quả hoặc đã được đánh giá", body = ErrorAnswer),
    ))]
async fn api_rate(
    State(web): State<Arc<Web>>,
    parts: axum::http::request::Parts,
    Path(code): Path<String>,
    Body(r): Body<Rating>,
) -> ApiResult<StatusCode> {
    let app = web.app.clone();
    let ip = client_ip(&parts);
    blocking(move || app.dossiers().rate(&code, &r.pin, &ip, r.score, r.comment.as_deref())).await?;
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
    signed_result: bool,
    signed_apology: bool,
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
    match blocking(move || app.dossiers().track(&c, &p, &ip)).await {
        Ok(t) => {
            page.view = Some(TrackModel {
                code: t.code.clone(),
                status: t.status_label.clone(),
                procedure: t.procedure_name.clone(),
                due: time(t.due_at),
                steps: t.steps.iter().map(|s| (time(Some(s.at)), s.what.clone())).collect(),
                can_rate: t.status == Status::Returned && !t.rated,
                signed_result: t.signed_result,
                signed_apology: t.signed_apology,
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
    match blocking(move || app.dossiers().rate(&f.code, &f.pin, &ip, f.score, None)).await {
        Ok(()) => Redirect::to(&format!(
            "/tra-cuu?code={}&pin={}",
            crate::auth::url_encode(&code),
            crate::auth::url_encode(&pin)
        ))
        .into_response(),
        Err(e) => page_error(e),
    }
}
