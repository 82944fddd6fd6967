//! The procedure catalog, for anyone: search and one procedure's page (API and pages).

use crate::error::ErrorAnswer;
use crate::error::{ApiError, ApiResult};
use crate::view::{message_page, render, UserBar};
use crate::Routes;
use crate::Web;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use domain::Channel;
use errors::Code;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub fn open_routes() -> Routes {
    Routes::default()
        .routes(routes!(procedures))
        .routes(routes!(procedure))
        .route("/thu-tuc", get(procedures_page))
        .route("/thu-tuc/{code}", get(procedure_page))
}

/// Which channels take the procedure.
#[derive(Serialize, ToSchema)]
struct Channels {
    direct: bool,
    online: bool,
    postal: bool,
}

/// A procedure in a search's list.
#[derive(Serialize, ToSchema)]
#[schema(as = ProcedureSummary)]
struct Summary<'a> {
    code: &'a str,
    name: &'a str,
    field: Option<&'a str>,
    level: domain::catalog::Level,
    time_summary: &'a str,
    fee_summary: &'a str,
    channels: Channels,
}

fn summary(p: &domain::catalog::Procedure) -> Summary<'_> {
    Summary {
        code: &p.code,
        name: &p.name,
        field: p.field.as_deref(),
        level: p.level,
        time_summary: &p.time_summary,
        fee_summary: &p.fee_summary,
        channels: Channels { direct: p.direct, online: p.online, postal: p.postal },
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Q {
    /// Words of the procedure's name, code or field (with or without diacritics).
    q: Option<String>,
    /// A commune's code: the procedures it offers come first.
    commune: Option<String>,
    /// Only the procedures of this field (lĩnh vực), as the catalog names it.
    field: Option<String>,
    /// Only the procedures done at this level: commune, province, ministry, other_agency,
    /// multi_level.
    level: Option<String>,
    /// The page of a page's list (from 1; 50 procedures a page). The API answers every match.
    page: Option<u32>,
}

/// The level asked for, if any; an unknown one is the client's mistake.
fn level_of(q: &Q) -> ApiResult<Option<domain::catalog::Level>> {
    match q.level.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(None),
        Some(l) => domain::catalog::Level::parse(l).map(Some).ok_or_else(|| {
            ApiError::new(
                Code::InvalidQuery,
                format!(
                    "cấp \"{l}\" không có: dùng commune, province, ministry, other_agency hoặc multi_level"
                ),
            )
        }),
    }
}

/// The procedures matching the query, its field and level, the commune's own first.
async fn found(web: &Arc<Web>, q: &Q) -> ApiResult<app::Found> {
    let level = level_of(q)?;
    let first = web.offered(q.commune.as_deref()).await;
    let field = q.field.as_deref().map(str::trim).filter(|f| !f.is_empty());
    let mut found = web.app.search_procedures(q.q.as_deref().unwrap_or(""), &first);
    found.retain(|p| field.is_none_or(|f| p.field_name() == f) && level.is_none_or(|l| p.at_level(l)));
    Ok(found)
}

#[utoipa::path(get, path = "/api/v1/procedures", tag = "catalog",
    summary = "Tìm thủ tục hành chính",
    params(Q),
    responses((status = 200, description = "Các thủ tục khớp, phù hợp nhất trước", body = Vec<Summary>)))]
async fn procedures(
    State(web): State<Arc<Web>>,
    q: Result<Query<Q>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let q = crate::extract::query(q)?;
    let found = found(&web, &q).await?;
    Ok(Json(found.iter().map(summary).collect::<Vec<_>>()).into_response())
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "catalog",
    summary = "Một thủ tục: thời hạn, phí, giấy tờ, căn cứ pháp lý, nguồn của từng thông tin",
    params(("code" = String, Path, description = "Mã thủ tục")),
    responses(
        (status = 200, description = "Thủ tục", body = domain::catalog::Procedure),
        (status = 404, description = "Không có thủ tục này (unknown_procedure)", body = ErrorAnswer),
    ))]
async fn procedure(State(web): State<Arc<Web>>, Path(code): Path<String>) -> ApiResult<Response> {
    let c = web.app.catalog();
    let p = c.get(&code).ok_or_else(|| {
        ApiError::not_found(Code::UnknownProcedure, format!("không có thủ tục mã \"{code}\""))
    })?;
    Ok(Json(p).into_response())
}

/// Procedures a page of the list shows.
const PER_PAGE: usize = 50;

#[derive(Template)]
#[template(path = "procedures.html")]
struct ProceduresPage {
    user: Option<UserBar>,
    q: String,
    commune: String,
    field: String,
    level: String,
    /// (code, label) of each level to choose from.
    levels: Vec<(&'static str, &'static str)>,
    /// (field, count) of each field to choose from.
    fields: Vec<(String, usize)>,
    /// (code, name, field, level) of this page's procedures.
    items: Vec<(String, String, String, &'static str)>,
    total: usize,
    page: usize,
    pages: usize,
    /// The query string of the next and previous pages, without `page`.
    query: String,
    error: Option<String>,
}

async fn procedures_page(State(web): State<Arc<Web>>, Query(q): Query<Q>) -> Response {
    use domain::catalog::Level;
    let (found, error) = match found(&web, &q).await {
        Ok(f) => (Some(f), None),
        Err(e) => (None, Some(e.0.message)),
    };
    let total = found.as_ref().map_or(0, app::Found::len);
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = (q.page.unwrap_or(1).max(1) as usize).min(pages);
    let items = found
        .iter()
        .flat_map(app::Found::iter)
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|p| (p.code.clone(), p.name.clone(), p.field.clone().unwrap_or_default(), p.level.label()))
        .collect();
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("q", &q.q), ("field", &q.field), ("level", &q.level), ("commune", &q.commune)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            query.append_pair(k, v);
        }
    }
    let query = query.finish();
    render(&ProceduresPage {
        user: None,
        q: text(&q.q),
        commune: text(&q.commune),
        field: text(&q.field),
        level: text(&q.level),
        levels: [Level::Commune, Level::Province, Level::Ministry, Level::MultiLevel, Level::OtherAgency]
            .iter()
            .map(|l| (l.code(), l.label()))
            .collect(),
        fields: web.app.catalog_fields(),
        items,
        total,
        page,
        pages,
        query,
        error,
    })
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
    /// What the applicant must meet, whole, without compilers' notes.
    conditions: Option<String>,
    legal: String,
    /// "theo Cổng Dịch vụ công quốc gia, cập nhật 07/2026".
    source: String,
    /// The portal's page, only when it names the procedure.
    portal: Option<String>,
    warnings: Vec<String>,
}

async fn procedure_page(State(web): State<Arc<Web>>, Path(code): Path<String>) -> Response {
    let catalog = web.app.catalog();
    let Some(p) = catalog.get(&code) else {
        return (StatusCode::NOT_FOUND, message_page("Không có thủ tục", "Không có thủ tục với mã này."))
            .into_response();
    };
    let warnings = domain::plain::cautions(p);
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
        time: domain::plain::time_text(p),
        fee: domain::plain::fee_text(p),
        channels: channels.join(", "),
        result: p.result.clone().unwrap_or_default(),
        documents: p.documents.clone(),
        conditions: p.conditions.as_deref().map(domain::plain::without_notes).filter(|c| !c.is_empty()),
        legal: p.legal_basis.join("; "),
        source: domain::plain::origin_text(p),
        portal: domain::plain::portal_link(p).map(str::to_string),
        warnings,
    })
}
