//! The unit registry and old-to-new address conversion, for anyone: provinces, communes, and
//! the conversion of an address (API, and the intake page's hint).

use crate::auth::PageUser;
use crate::error::{ApiError, ApiResult};
use crate::view::render;
use crate::Web;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use errors::Code;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

pub fn open_routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/api/v1/units/provinces", get(provinces))
        .route("/api/v1/units/provinces/{code}/communes", get(communes))
        .route("/api/v1/address/convert", get(convert))
        .route("/ui/xa", get(commune_options))
}

pub fn staff_routes() -> Router<Arc<Web>> {
    Router::new().route("/ui/dia-chi", get(address_hint))
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
        ApiError::not_found(Code::UnknownProvince, format!("không có tỉnh, thành phố mã \"{code}\""))
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
        return Err(ApiError::new(Code::MissingQuery, "thiếu địa chỉ cần chuyển đổi (q)"));
    }
    if text.len() > 1000 {
        return Err(ApiError::new(Code::QueryTooLong, "địa chỉ dài quá 1000 ký tự"));
    }
    Ok(Json(conversion_json(&text)))
}

#[derive(Template)]
#[template(path = "fragments/address_hint.html")]
struct AddressHint {
    commune: Option<String>,
    province: String,
    unsure: bool,
}

#[derive(Template)]
#[template(path = "fragments/commune_options.html")]
struct CommuneOptions {
    communes: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
struct AddressQuery {
    address: Option<String>,
}

async fn address_hint(_u: PageUser, Query(q): Query<AddressQuery>) -> Response {
    let text = q.address.unwrap_or_default();
    if text.trim().is_empty() || text.len() > 1000 {
        return Html(String::new()).into_response();
    }
    let v = conversion_json(&text);
    let province = v["province"]["name"].as_str().unwrap_or_default().to_string();
    let commune = v["commune"]["name"].as_str().filter(|_| !province.is_empty()).map(str::to_string);
    let unsure = v["confidence"].as_f64().unwrap_or(0.0) < 0.5;
    render(&AddressHint { commune, province, unsure })
}

#[derive(Deserialize)]
struct ProvinceQuery {
    province: Option<String>,
}

async fn commune_options(Query(q): Query<ProvinceQuery>) -> Response {
    let reg = units::registry();
    let mut communes: Vec<(&'static str, &'static str)> = q
        .province
        .as_deref()
        .and_then(|p| reg.communes_of(p))
        .map(|list| list.map(|c| (c.code, c.name)).collect())
        .unwrap_or_default();
    communes.sort_by_key(|c| vi_text::fold(c.1));
    render(&CommuneOptions { communes })
}
