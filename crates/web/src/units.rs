//! The unit registry and old-to-new address conversion, for anyone: provinces, communes, and
//! the conversion of an address (API, and the intake page's hint).

use crate::auth::PageUser;
use crate::error::ErrorAnswer;
use crate::error::{ApiError, ApiResult};
use crate::view::render;
use crate::Routes;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use errors::Code;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

pub fn open_routes() -> Routes {
    Routes::default()
        .routes(routes!(provinces))
        .routes(routes!(communes))
        .routes(routes!(convert))
        .route("/ui/xa", get(commune_options))
}

pub fn staff_routes() -> Routes {
    Routes::default().route("/ui/dia-chi", get(address_hint))
}

/// A province or a centrally governed city.
#[derive(Serialize, ToSchema)]
struct Province {
    code: &'static str,
    name: &'static str,
    kind: units::ProvinceKind,
}

/// A commune, ward or special zone.
#[derive(Serialize, ToSchema)]
struct Commune {
    code: &'static str,
    name: &'static str,
    kind: units::CommuneKind,
}

#[utoipa::path(get, path = "/api/v1/units/provinces", tag = "units",
    summary = "34 tỉnh, thành phố (từ 01/7/2025)",
    responses((status = 200, description = "Các tỉnh, thành phố", body = Vec<Province>)))]
async fn provinces() -> Json<Vec<Province>> {
    let reg = units::registry();
    Json(reg.provinces.iter().map(|p| Province { code: p.code, name: p.name, kind: p.kind }).collect())
}

#[utoipa::path(get, path = "/api/v1/units/provinces/{code}/communes", tag = "units",
    summary = "Các xã, phường, đặc khu của một tỉnh",
    params(("code" = String, Path, description = "Mã tỉnh, thành phố (2 chữ số)")),
    responses(
        (status = 200, description = "Các xã, phường, đặc khu", body = Vec<Commune>),
        (status = 404, description = "Không có tỉnh này (unknown_province)", body = ErrorAnswer),
    ))]
async fn communes(Path(code): Path<String>) -> ApiResult<Json<Vec<Commune>>> {
    let reg = units::registry();
    let list = reg.communes_of(code.trim()).ok_or_else(|| {
        ApiError::not_found(Code::UnknownProvince, format!("không có tỉnh, thành phố mã \"{code}\""))
    })?;
    Ok(Json(list.map(|c| Commune { code: c.code, name: c.name, kind: c.kind }).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Q {
    /// The address as written before the 2025 merger (or after it), up to 1000 characters.
    q: Option<String>,
}

/// A unit named by its code and name.
#[derive(Serialize, ToSchema)]
struct UnitRef {
    code: &'static str,
    name: &'static str,
}

/// An address converted to today's units.
#[derive(Serialize, ToSchema)]
#[schema(as = AddressConversion)]
pub(crate) struct Conversion {
    input: String,
    province: Option<UnitRef>,
    commune: Option<UnitRef>,
    /// 0 to 1: how sure the conversion is.
    confidence: f64,
    /// Other communes the address may be in.
    alternatives: Vec<UnitRef>,
}

/// The conversion of an address, shared with the intake page.
pub(crate) fn conversion(text: &str) -> Conversion {
    let reg = units::registry();
    let c = units::AddressParser::new().convert(text);
    let province = c.province.map(|i| &reg.provinces[i as usize]);
    let commune = c.commune.map(|i| &reg.communes[i as usize]);
    Conversion {
        input: text.to_string(),
        province: province.map(|p| UnitRef { code: p.code, name: p.name }),
        commune: commune.map(|c| UnitRef { code: c.code, name: c.name }),
        confidence: (f64::from(c.confidence) * 100.0).round() / 100.0,
        alternatives: c
            .alternatives
            .iter()
            .map(|a| {
                let alt = &reg.communes[a.commune as usize];
                UnitRef { code: alt.code, name: alt.name }
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/address/convert", tag = "units",
    summary = "Chuyển địa chỉ cũ (trước sáp nhập) sang đơn vị hành chính mới",
    params(Q),
    responses(
        (status = 200, description = "Địa chỉ theo đơn vị mới", body = Conversion),
        (status = 400, description = "Thiếu địa chỉ (missing_query) hoặc dài quá 1000 ký tự (query_too_long)", body = ErrorAnswer),
    ))]
async fn convert(Query(q): Query<Q>) -> ApiResult<Json<Conversion>> {
    let text = q.q.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiError::new(Code::MissingQuery, "thiếu địa chỉ cần chuyển đổi (q)"));
    }
    if text.len() > 1000 {
        return Err(ApiError::new(Code::QueryTooLong, "địa chỉ dài quá 1000 ký tự"));
    }
    Ok(Json(conversion(&text)))
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
    let v = conversion(&text);
    let province = v.province.map(|p| p.name.to_string()).unwrap_or_default();
    let commune = v.commune.filter(|_| !province.is_empty()).map(|c| c.name.to_string());
    let unsure = v.confidence < 0.5;
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
