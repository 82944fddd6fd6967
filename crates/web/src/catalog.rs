//! The procedure catalog, for anyone: search and one procedure's page (API and pages).

use crate::error::{ApiError, ApiResult};
use crate::view::{message_page, render, UserBar};
use crate::Web;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use domain::Channel;
use errors::Code;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn open_routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/procedures", get(procedures))
        .route("/api/v1/procedures/{code}", get(procedure))
        .route("/thu-tuc", get(procedures_page))
        .route("/thu-tuc/{code}", get(procedure_page))
}

pub fn procedure_summary(p: &domain::catalog::Procedure) -> Value {
    json!({
        "code": p.code, "name": p.name, "field": p.field, "level": p.level,
        "time_summary": p.time_summary, "fee_summary": p.fee_summary,
        "channels": { "direct": p.direct, "online": p.online, "postal": p.postal },
    })
}

#[derive(Deserialize)]
struct Q {
    q: Option<String>,
}

async fn procedures(State(web): State<Arc<Web>>, Query(q): Query<Q>) -> Json<Value> {
    let found = web.app.search_procedures(q.q.as_deref().unwrap_or(""));
    Json(json!(found.iter().map(procedure_summary).collect::<Vec<_>>()))
}

async fn procedure(State(web): State<Arc<Web>>, Path(code): Path<String>) -> ApiResult<Json<Value>> {
    let c = web.app.catalog();
    let p = c.get(&code).ok_or_else(|| {
        ApiError::not_found(Code::UnknownProcedure, format!("không có thủ tục mã \"{code}\""))
    })?;
    Ok(Json(json!(p)))
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct ProceduresPage {
    user: Option<UserBar>,
    q: String,
    items: Vec<(String, String, String)>,
}

async fn procedures_page(State(web): State<Arc<Web>>, Query(q): Query<Q>) -> Response {
    let query = q.q.unwrap_or_default();
    let items = web
        .app
        .search_procedures(&query)
        .into_iter()
        .map(|p| (p.code.clone(), p.name.clone(), p.field.clone().unwrap_or_default()))
        .collect();
    render(&ProceduresPage { user: None, q: query, items })
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    user: Option<UserBar>,
    online: bool,
    code: String,
    name: String,
    field: String,
    authority: String,
    time: String,
    fee: String,
    channels: String,
    result: String,
    documents: Vec<String>,
    legal: String,
    warnings: Vec<String>,
}

async fn procedure_page(State(web): State<Arc<Web>>, Path(code): Path<String>) -> Response {
    let catalog = web.app.catalog();
    let Some(p) = catalog.get(&code) else {
        return (StatusCode::NOT_FOUND, message_page("Không có thủ tục", "Không có thủ tục với mã này."))
            .into_response();
    };
    use domain::catalog::Confidence;
    let mut warnings = vec![];
    for (field, label) in [
        ("fee", "phí, lệ phí"),
        ("processing_time", "thời hạn"),
        ("competent_authority", "cơ quan giải quyết"),
    ] {
        if matches!(p.confidence(field), Confidence::Low | Confidence::Medium) {
            warnings
                .push(format!("Thông tin {label} chưa được xác minh đầy đủ; hãy hỏi lại bộ phận một cửa."));
        }
    }
    let channels: Vec<&str> = [(p.direct, "Trực tiếp"), (p.online, "Trực tuyến"), (p.postal, "Bưu chính")]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, l)| *l)
        .collect();
    render(&ProcedurePage {
        user: None,
        online: p.online && p.terms(Channel::Online).is_some(),
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone().unwrap_or_default(),
        authority: p.authority.clone().unwrap_or_default(),
        time: p.time_summary.clone(),
        fee: p.fee_summary.clone(),
        channels: channels.join(", "),
        result: p.result.clone().unwrap_or_default(),
        documents: p.documents.clone(),
        legal: p.legal_basis.join("; "),
        warnings,
    })
}
