//! The JSON API under `/api/v1`, described by `/api/openapi.json`.

use crate::auth::{client_ip, Caller};
use crate::error::{ApiError, ApiResult};
use crate::{blocking, Web};
use app::{ActionRequest, Actor, Applicant, DossierFilter, ErrorKind, IntakeRequest};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use domain::{Channel, Status};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub const OPENAPI: &str = include_str!("../openapi.json");

/// `Json` whose every rejection is an API error with a Vietnamese message.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(match e {
                JsonRejection::JsonDataError(e) => ApiError::new(
                    ErrorKind::Invalid,
                    "invalid_field",
                    format!("dữ liệu không hợp lệ: {}", e.body_text()),
                ),
                JsonRejection::JsonSyntaxError(_) => ApiError::new(
                    ErrorKind::Invalid,
                    "invalid_json",
                    "nội dung gửi lên không phải JSON hợp lệ",
                ),
                JsonRejection::MissingJsonContentType(_) => ApiError::new(
                    ErrorKind::Invalid,
                    "unsupported_media_type",
                    "cần Content-Type: application/json",
                ),
                JsonRejection::BytesRejection(_) => ApiError::new(
                    ErrorKind::TooLarge,
                    "body_too_large",
                    "nội dung gửi lên quá lớn (tối đa 64 KiB)",
                ),
                _ => ApiError::new(ErrorKind::Invalid, "invalid_json", "nội dung gửi lên không đọc được"),
            }),
        }
    }
}

pub fn routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/units/provinces", get(provinces))
        .route("/api/v1/units/provinces/{code}/communes", get(communes))
        .route("/api/v1/address/convert", get(convert))
        .route("/api/v1/procedures", get(procedures))
        .route("/api/v1/procedures/{code}", get(procedure))
        .route("/api/v1/dossiers", post(create_dossier).get(list_dossiers))
        .route("/api/v1/dossiers/{code}", get(get_dossier))
        .route("/api/v1/dossiers/{code}/actions", post(act))
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/service-index", get(service_index))
        .route("/api/v1/stats/trend", get(trend))
        .route("/api/v1/stats/procedures", get(procedures_breakdown))
        .route("/api/v1/reports", get(report))
        .route("/api/v1/stream", get(crate::live::stream))
        .route("/api/v1/track/{code}", get(track))
        .route("/api/v1/track/{code}/rating", post(rate))
}

async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

async fn login(
    State(web): State<Arc<Web>>,
    parts: axum::http::request::Parts,
    Body(b): Body<Login>,
) -> ApiResult<Json<Value>> {
    let ip = client_ip(&parts);
    let app = web.app.clone();
    let (token, s) = blocking(move || app.login(&b.username, &b.password, &ip)).await?;
    Ok(Json(json!({
        "token": token,
        "expires_at": s.expires_at,
        "user": { "username": s.user.username, "role": s.user.role, "unit_code": s.user.unit_code, "full_name": s.user.full_name }
    })))
}

async fn logout(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<StatusCode> {
    let app = web.app.clone();
    let hash = blocking(move || app.logout(&caller.token)).await?;
    web.logged_out(hash);
    Ok(StatusCode::NO_CONTENT)
}

async fn provinces() -> Json<Value> {
    let reg = units::registry();
    Json(json!(reg
        .provinces
        .iter()
        .map(|p| json!({"code": p.code, "name": p.name, "kind": p.kind}))
        .collect::<Vec<_>>()))
}

async fn communes(Path(code): Path<String>) -> ApiResult<Json<Value>> {
    let reg = units::registry();
    let list = reg.communes_of(code.trim()).ok_or_else(|| {
        ApiError::new(
            ErrorKind::NotFound,
            "unknown_province",
            format!("không có tỉnh, thành phố mã \"{code}\""),
        )
    })?;
    Ok(Json(json!(list.map(|c| json!({"code": c.code, "name": c.name, "kind": c.kind})).collect::<Vec<_>>())))
}

#[derive(Deserialize)]
struct Q {
    q: Option<String>,
}

/// The JSON of a conversion, shared with the intake page.
pub fn conversion_json(text: &str) -> Value {
    let reg = units::registry();
    let c = units::AddressParser::new().convert(text);
    let province = c.province.map(|i| &reg.provinces[i as usize]);
    let commune = c.commune.map(|i| &reg.communes[i as usize]);
    json!({
        "input": text,
        "province": province.map(|p| json!({"code": p.code, "name": p.name})),
        "commune": commune.map(|c| json!({"code": c.code, "name": c.name})),
        "confidence": (f64::from(c.confidence) * 100.0).round() / 100.0,
        "alternatives": c.alternatives.iter().map(|a| {
            let alt = &reg.communes[a.commune as usize];
            json!({"code": alt.code, "name": alt.name})
        }).collect::<Vec<_>>(),
    })
}

async fn convert(Query(q): Query<Q>) -> ApiResult<Json<Value>> {
    let text = q.q.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiError::new(ErrorKind::Invalid, "missing_query", "thiếu địa chỉ cần chuyển đổi (q)"));
    }
    if text.len() > 1000 {
        return Err(ApiError::new(ErrorKind::Invalid, "query_too_long", "địa chỉ dài quá 1000 ký tự"));
    }
    Ok(Json(conversion_json(&text)))
}

pub fn procedure_summary(p: &domain::catalog::Procedure) -> Value {
    json!({
        "code": p.code, "name": p.name, "field": p.field, "level": p.level,
        "time_summary": p.time_summary, "fee_summary": p.fee_summary,
        "channels": { "direct": p.direct, "online": p.online, "postal": p.postal },
    })
}

/// Procedures matching a query (code, name, field or colloquial alias; accents optional).
pub fn search_procedures(catalog: &domain::catalog::Catalog, q: &str) -> Vec<domain::catalog::Procedure> {
    let q = vi_text::fold(q);
    catalog
        .procedures
        .iter()
        .filter(|p| {
            q.is_empty()
                || [p.code.as_str(), p.name.as_str(), p.field.as_deref().unwrap_or("")]
                    .into_iter()
                    .chain(p.aliases.iter().map(String::as_str))
                    .any(|h| vi_text::fold(h).contains(&q))
        })
        .cloned()
        .collect()
}

async fn procedures(State(web): State<Arc<Web>>, Query(q): Query<Q>) -> Json<Value> {
    let c = web.app.catalog();
    let found = search_procedures(&c, q.q.as_deref().unwrap_or(""));
    Json(json!(found.iter().map(procedure_summary).collect::<Vec<_>>()))
}

async fn procedure(State(web): State<Arc<Web>>, Path(code): Path<String>) -> ApiResult<Json<Value>> {
    let c = web.app.catalog();
    let p = c.get(&code).ok_or_else(|| {
        ApiError::new(ErrorKind::NotFound, "unknown_procedure", format!("không có thủ tục mã \"{code}\""))
    })?;
    Ok(Json(json!(p)))
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
    let app = web.app.clone();
    let actor = Actor::of(&caller.session.user);
    let req = IntakeRequest {
        procedure_code: b.procedure_code,
        channel: b.channel,
        commune_code: b.commune_code,
        applicant: b.applicant,
    };
    let a = actor.clone();
    let d = blocking(move || app.receive(&req, &a)).await?;
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

/// The drill-down from an indicator: which dossiers, over which period (the month so far by
/// default).
pub(crate) fn behind_param(
    web: &Web,
    behind: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> ApiResult<Option<(domain::service_index::Behind, chrono::NaiveDate, chrono::NaiveDate)>> {
    // The dates are checked even without a list asked for: a bad date is never ignored.
    let (month_start, today) = app::stats::month_to_date(web.app.now().date());
    let from = date_param("from", from, month_start)?;
    let to = date_param("to", to, today)?;
    let Some(b) = behind else { return Ok(None) };
    let behind = domain::service_index::Behind::parse(b).ok_or_else(|| {
        ApiError::new(ErrorKind::Invalid, "unknown_behind", format!("không có danh sách \"{b}\""))
    })?;
    if to < from {
        return Err(ApiError::new(ErrorKind::Invalid, "invalid_period", "từ ngày phải trước đến ngày"));
    }
    Ok(Some((behind, from, to)))
}

async fn list_dossiers(
    State(web): State<Arc<Web>>,
    caller: Caller,
    q: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Value>> {
    let q = query(q)?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            ApiError::new(ErrorKind::Invalid, "unknown_status", format!("trạng thái \"{s}\" không có"))
        })?),
    };
    let per_page = q.per_page.unwrap_or(50);
    let page = q.page.unwrap_or(1);
    if !(1..=500).contains(&per_page) || page == 0 {
        return Err(ApiError::new(
            ErrorKind::Invalid,
            "invalid_page",
            "page từ 1 trở lên, per_page từ 1 đến 500",
        ));
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

#[derive(Deserialize)]
struct TrackQuery {
    /// The receipt's tracking PIN (for a dossier filed before PINs: the phone's last 4 digits).
    pin: Option<String>,
}

async fn track(
    State(web): State<Arc<Web>>,
    parts: axum::http::request::Parts,
    Path(code): Path<String>,
    Query(q): Query<TrackQuery>,
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

async fn rate(
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsQuery {
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The query string, or an API error saying what is wrong with it.
pub(crate) fn query<T>(q: Result<Query<T>, axum::extract::rejection::QueryRejection>) -> ApiResult<T> {
    q.map(|Query(q)| q).map_err(|e| {
        ApiError::new(ErrorKind::Invalid, "invalid_query", format!("tham số không hợp lệ: {}", e.body_text()))
    })
}

pub(crate) fn date_param(
    name: &str,
    v: Option<&str>,
    default: chrono::NaiveDate,
) -> ApiResult<chrono::NaiveDate> {
    // Absent means the default; present but empty or malformed is an error.
    match v.map(str::trim) {
        None => Ok(default),
        Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| {
            ApiError::new(
                ErrorKind::Invalid,
                "invalid_date",
                format!("{name} phải có dạng YYYY-MM-DD (nhận được \"{v}\")"),
            )
        }),
    }
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
    q: Result<Query<crate::dashboard_pages::ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let q = query(q)?;
    crate::dashboard_pages::report_file(&web, &caller.session, q).await
}
