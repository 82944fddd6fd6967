//! What a commune's node asks its province (issue #25, docs/nodes.md), with the token
//! `haicap node add` gave it. For now: who the province knows it as (the handshake a node
//! makes before it syncs; a revoked token is told so).

use crate::error::{ApiError, ApiResult, ErrorAnswer};
use crate::{blocking, Routes, Web};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;
use chrono::NaiveDateTime;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// Anyone may present a token: limited per client like every route that checks a secret.
pub fn limited_routes() -> Routes {
    Routes::default().routes(routes!(whoami))
}

/// A commune's node, recognised by its token (`Authorization: Bearer hcn_…`).
pub struct NodeCaller(pub app::nodes::Node);

impl FromRequestParts<Arc<Web>> for NodeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        let token = crate::auth::bearer(parts).unwrap_or_default();
        let app = web.app.clone();
        Ok(NodeCaller(blocking(move || app.node_for_token(&token)).await?))
    }
}

/// How the province knows the node.
#[derive(Serialize, ToSchema)]
struct NodeAnswer {
    commune_code: String,
    commune_name: String,
    province_code: String,
    /// The province server's clock (Vietnam time), for the node to note how far its own is.
    server_time: NaiveDateTime,
}

#[utoipa::path(get, path = "/api/v1/node", tag = "nodes",
    summary = "Máy trạm của xã hỏi tỉnh: tỉnh biết máy trạm này là của xã nào (bằng mã máy trạm)",
    description = "Gửi mã máy trạm do `haicap node add` cấp trong `Authorization: Bearer hcn_…`.",
    responses(
        (status = 200, description = "Máy trạm được nhận biết", body = NodeAnswer),
        (status = 401, description = "Mã không hợp lệ (unauthenticated) hoặc máy trạm đã bị thu hồi (node_revoked)", body = ErrorAnswer),
    ))]
async fn whoami(State(web): State<Arc<Web>>, NodeCaller(node): NodeCaller) -> ApiResult<Json<NodeAnswer>> {
    Ok(Json(NodeAnswer {
        commune_name: units::registry().unit_name(&node.commune_code).unwrap_or_default().to_string(),
        commune_code: node.commune_code,
        province_code: node.province_code,
        server_time: web.app.now(),
    }))
}
