//! Online submission by a citizen: the procedure's form with its documents; the procedure,
//! applicant and desk checked before a file is stored.

use crate::uploads::read_multipart;
use crate::view::{message_page, render, unit_name, MessagePage, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use app::{Applicant, IntakeRequest};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::Channel;
use std::sync::Arc;

/// Filing a dossier: limited per client.
pub fn limited_routes() -> Routes {
    Routes::default().route(
        "/nop-truc-tuyen/{code}",
        post(submit).layer(axum::extract::DefaultBodyLimit::max(26 * 1024 * 1024)),
    )
}

pub fn open_routes() -> Routes {
    Routes::default().route("/nop-truc-tuyen/{code}", get(submit_page))
}

// ---- online submission ----

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitPage {
    user: Option<UserBar>,
    code: String,
    name: String,
    documents: Vec<String>,
    provinces: Vec<(String, String)>,
    error: Option<String>,
}

fn not_online() -> Response {
    (
        StatusCode::NOT_FOUND,
        message_page("Không nộp trực tuyến được", "Thủ tục này không nhận hồ sơ trực tuyến."),
    )
        .into_response()
}

/// The submission form of a procedure offered online.
fn submit_form(web: &Web, code: &str, error: Option<String>) -> Option<SubmitPage> {
    let catalog = web.app.catalog();
    let p = catalog.get(code).filter(|p| p.online)?;
    let reg = units::registry();
    Some(SubmitPage {
        user: None,
        code: p.code.clone(),
        name: p.name.clone(),
        documents: p.documents.clone(),
        provinces: reg.provinces.iter().map(|p| (p.code.to_string(), p.name.to_string())).collect(),
        error,
    })
}

async fn submit_page(State(web): State<Arc<Web>>, Path(code): Path<String>) -> Response {
    match submit_form(&web, &code, None) {
        Some(p) => render(&p),
        None => not_online(),
    }
}

async fn submit(
    State(web): State<Arc<Web>>,
    Path(code): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    let (fields, uploads) = match read_multipart(&web.app, &mut form).await {
        Ok(x) => x,
        Err(e) => return submit_error(&web, &code, e.0.message, crate::error::status_of(e.0.kind)),
    };
    let get = |k: &str| fields.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    if let Err(e) = app::require_consent(get("consent").as_deref() == Some("yes")) {
        return submit_error(&web, &code, e.message, StatusCode::BAD_REQUEST);
    }
    if get("phone").is_none() {
        return submit_error(
            &web,
            &code,
            "cần số điện thoại để tra cứu hồ sơ".into(),
            StatusCode::BAD_REQUEST,
        );
    }
    let req = IntakeRequest {
        procedure_code: code.clone(),
        channel: Channel::Online,
        commune_code: get("commune_code"),
        applicant: Applicant {
            full_name: get("full_name").unwrap_or_default(),
            phone: get("phone"),
            id_number: get("id_number"),
            address: get("address"),
        },
    };
    let app = web.app.clone();
    match blocking(move || app.dossiers().submit_online(&req, &uploads)).await {
        Ok(d) => {
            web.publish(&d);
            let pin = d.tracking_pin.clone().unwrap_or_default();
            render(&MessagePage {
                user: None,
                heading: "Đã nộp hồ sơ".into(),
                text: format!(
                    "Mã hồ sơ của ông/bà: {}. Mã tra cứu: {pin} (hãy ghi lại: cần cả hai để tra cứu và đánh giá). Hồ sơ sẽ được cán bộ {} tiếp nhận và hẹn ngày trả kết quả.",
                    d.code,
                    unit_name(&d.receiving_unit)
                ),
                link: Some((format!("/tra-cuu?code={}&pin={pin}", d.code), "Tra cứu tiến độ hồ sơ".into())),
            })
        }
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            submit_error(&web, &code, e.0.message, status)
        }
    }
}

fn submit_error(web: &Web, code: &str, message: String, status: StatusCode) -> Response {
    match submit_form(web, code, Some(message)) {
        Some(p) => (status, render(&p)).into_response(),
        None => not_online(),
    }
}
