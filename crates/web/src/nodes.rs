//! What a commune's node asks its province (issue #25, docs/nodes.md), with the token
//! `haicap node add` gave it: who the province knows it as (the handshake a node makes before
//! it syncs; a revoked token is told so), which documents the province lacks, a document's
//! bytes, and the push of its dossiers' events.

use crate::error::{ApiError, ApiResult, ErrorAnswer};
use crate::extract::Body;
use crate::{blocking, Routes, Web};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// Anyone may present a token: limited per client like every route that checks a secret.
pub fn limited_routes() -> Routes {
    Routes::default().routes(routes!(whoami))
}

/// The province's administrators' view of its nodes.
pub fn staff_routes() -> Routes {
    Routes::default().routes(routes!(list_api)).route("/quan-tri/may-tram", axum::routing::get(page))
}

/// A node as the province's administrators see it.
#[derive(Serialize, ToSchema)]
struct NodeState {
    commune_code: String,
    commune_name: String,
    added_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
    /// The last request with its token.
    last_seen_at: Option<NaiveDateTime>,
    /// Events its pushes added here.
    events_taken: i64,
    /// Dossiers it holds (written there, not here).
    dossiers_held: i64,
    /// Silent longer than the province allows (`--node-silence-minutes`).
    silent: bool,
}

#[derive(Serialize, ToSchema)]
struct NodeList {
    items: Vec<NodeState>,
}

async fn states(web: &Arc<Web>, actor: app::Actor) -> ApiResult<Vec<NodeState>> {
    let app = web.app.clone();
    let (nodes, held) =
        blocking(move || Ok((app.nodes_seen_by(&actor)?, app.dossiers_held_by_nodes()?))).await?;
    let now = web.app.now();
    Ok(nodes
        .into_iter()
        .map(|n| {
            let quiet = n.last_seen_at.unwrap_or(n.added_at);
            NodeState {
                commune_name: units::registry().unit_name(&n.commune_code).unwrap_or_default().to_string(),
                silent: n.revoked_at.is_none() && web.node_silence.is_some_and(|s| now - quiet > s),
                dossiers_held: held.get(&n.commune_code).copied().unwrap_or(0),
                commune_code: n.commune_code,
                added_at: n.added_at,
                revoked_at: n.revoked_at,
                last_seen_at: n.last_seen_at,
                events_taken: n.events_taken,
            }
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/nodes", tag = "nodes",
    summary = "Các máy trạm của xã trong tỉnh: liên lạc cuối, sự kiện đã nhận, hồ sơ đang giữ, mất liên lạc",
    responses(
        (status = 200, description = "Các máy trạm", body = NodeList),
        (status = 403, description = "Không phải quản trị (admin_only)", body = ErrorAnswer),
    ))]
async fn list_api(State(web): State<Arc<Web>>, caller: crate::auth::Caller) -> ApiResult<Json<NodeList>> {
    let items = states(&web, app::Actor::of(&caller.session.user)).await?;
    Ok(Json(NodeList { items }))
}

struct NodeRow {
    code: String,
    name: String,
    added: String,
    seen: String,
    events: i64,
    held: i64,
    state: String,
    css: &'static str,
}

#[derive(askama::Template)]
#[template(path = "nodes.html")]
struct NodesPage {
    user: Option<crate::view::UserBar>,
    rows: Vec<NodeRow>,
    silence: String,
}

async fn page(State(web): State<Arc<Web>>, u: crate::auth::PageUser) -> axum::response::Response {
    let when = |t: NaiveDateTime| t.format("%H:%M %d/%m/%Y").to_string();
    let items = match states(&web, app::Actor::of(&u.session.user)).await {
        Ok(i) => i,
        Err(e) => return crate::view::page_error(e),
    };
    let rows = items
        .into_iter()
        .map(|n| NodeRow {
            state: match (n.revoked_at, n.silent) {
                (Some(t), _) => format!("đã thu hồi lúc {}", when(t)),
                (None, true) => "mất liên lạc".into(),
                (None, false) => "hoạt động".into(),
            },
            css: if n.silent { "late" } else { "" },
            code: n.commune_code,
            name: n.commune_name,
            added: when(n.added_at),
            seen: n.last_seen_at.map_or("chưa liên lạc".into(), when),
            events: n.events_taken,
            held: n.dossiers_held,
        })
        .collect();
    let silence = web
        .node_silence
        .map_or("thời gian cho phép (chưa đặt)".into(), |s| format!("{} phút", s.num_minutes()));
    crate::view::render(&NodesPage { user: crate::view::bar(&u.session), rows, silence })
}

/// What a recognised node sends: its token is checked first (like a signed-in session's, so
/// not limited per client: a node catching up after a week sends thousands of documents).
pub fn node_routes() -> Routes {
    Routes::default()
        .routes(routes!(push).layer(DefaultBodyLimit::max(PUSH_BYTES)))
        .routes(routes!(missing_documents).layer(DefaultBodyLimit::max(1024 * 1024)))
        .routes(routes!(put_document, get_document).layer(DefaultBodyLimit::max(DOCUMENT_BYTES)))
        .routes(routes!(pull))
        .routes(routes!(national_feed).layer(DefaultBodyLimit::max(PUSH_BYTES)))
}

/// A push of [`app::replication::PUSH_DOSSIERS`] dossiers fits well within this.
const PUSH_BYTES: usize = 32 * 1024 * 1024;
/// A document as large as a citizen may file (25 MB), with room.
const DOCUMENT_BYTES: usize = 26 * 1024 * 1024;
/// Most hashes asked about at once.
const HASHES: usize = 10_000;

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
    /// How many events this node's pushes added at the province: a node that knows of fewer
    /// was restored from an old backup (it stops writing: `node_behind`).
    events_taken: i64,
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
        events_taken: node.events_taken,
    }))
}

/// The province's answer to a push: what became of each dossier, in the push's order.
#[derive(Serialize, ToSchema)]
struct PushAnswer {
    taken: Vec<app::replication::Taken>,
}

#[utoipa::path(post, path = "/api/v1/node/push", tag = "nodes",
    summary = "Máy trạm gửi lên tỉnh các sự kiện hồ sơ tỉnh chưa có",
    description = "Mỗi hồ sơ: thông tin đã niêm phong khi đăng ký, giấy tờ đã nộp (gửi nội dung trước, PUT /api/v1/node/documents/{sha256}) và các sự kiện kể từ sự kiện đầu tiên tỉnh chưa có, kèm mã băm chuỗi. Tỉnh kiểm tra chuỗi và niêm phong, ghi cả hồ sơ hoặc từ chối cả hồ sơ (replication_order, replication_gap, replication_tampered, replication_fork, replication_writer, replication_documents) mà vẫn nhận các hồ sơ khác. Gửi lại nhiều lần không ghi trùng.",
    request_body = app::replication::Push,
    responses(
        (status = 200, description = "Kết quả từng hồ sơ", body = PushAnswer),
        (status = 400, description = "Nội dung không hợp lệ hoặc quá 200 hồ sơ", body = ErrorAnswer),
        (status = 401, description = "Mã máy trạm không hợp lệ hoặc đã bị thu hồi", body = ErrorAnswer),
        (status = 413, description = "Nội dung lớn hơn 32 MB", body = ErrorAnswer),
    ))]
async fn push(
    State(web): State<Arc<Web>>,
    NodeCaller(node): NodeCaller,
    Body(push): Body<app::replication::Push>,
) -> ApiResult<Json<PushAnswer>> {
    let app = web.app.clone();
    let (taken, changed) = blocking(move || app.take_push_changed(&node, push)).await?;
    // The province's open dashboards and queues count the node's work as it arrives.
    for d in &changed {
        web.publish(d);
    }
    Ok(Json(PushAnswer { taken }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Hashes {
    /// SHA-256 (hex) of documents the node is about to push.
    hashes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
struct Missing {
    /// Those the province does not hold yet: the node sends their bytes first.
    missing: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/node/documents/missing", tag = "nodes",
    summary = "Máy trạm hỏi tỉnh còn thiếu những giấy tờ nào (theo SHA-256)",
    request_body = Hashes,
    responses(
        (status = 200, description = "Các giấy tờ tỉnh chưa có", body = Missing),
        (status = 400, description = "Mã băm không hợp lệ hoặc quá 10.000 mã", body = ErrorAnswer),
        (status = 401, description = "Mã máy trạm không hợp lệ hoặc đã bị thu hồi", body = ErrorAnswer),
    ))]
async fn missing_documents(
    State(web): State<Arc<Web>>,
    NodeCaller(_node): NodeCaller,
    Body(req): Body<Hashes>,
) -> ApiResult<Json<Missing>> {
    if req.hashes.len() > HASHES {
        return Err(ApiError::new(errors::Code::InvalidField, format!("tối đa {HASHES} mã băm một lần")));
    }
    let app = web.app.clone();
    let missing = blocking(move || app.missing_documents(&req.hashes)).await?;
    Ok(Json(Missing { missing }))
}

#[utoipa::path(put, path = "/api/v1/node/documents/{sha256}", tag = "nodes",
    summary = "Máy trạm gửi nội dung một giấy tờ đã nộp tại xã",
    description = "Nội dung tệp (application/octet-stream, tối đa 25 MB); tỉnh lưu theo SHA-256 của nội dung, phải trùng mã trong đường dẫn.",
    params(("sha256" = String, Path, description = "SHA-256 (hex) của nội dung")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 204, description = "Đã lưu"),
        (status = 400, description = "Nội dung không khớp mã băm (replication_documents)", body = ErrorAnswer),
        (status = 401, description = "Mã máy trạm không hợp lệ hoặc đã bị thu hồi", body = ErrorAnswer),
        (status = 413, description = "Tệp lớn hơn 25 MB", body = ErrorAnswer),
    ))]
async fn put_document(
    State(web): State<Arc<Web>>,
    NodeCaller(_node): NodeCaller,
    Path(sha256): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    if app::blobs::sha256_hex(&body) != sha256 {
        return Err(ApiError::new(
            errors::Code::ReplicationDocuments,
            "nội dung giấy tờ không khớp mã băm SHA-256 trong đường dẫn",
        ));
    }
    let app = web.app.clone();
    blocking(move || app.take_document(&body)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/node/documents/{sha256}", tag = "nodes",
    summary = "Máy trạm lấy nội dung một giấy tờ của hồ sơ trực tuyến tỉnh giao cho xã",
    description = "Chỉ giấy tờ của các hồ sơ tỉnh đã giao cho máy trạm này (xem handed_down trong GET /api/v1/node/pull).",
    params(("sha256" = String, Path, description = "SHA-256 (hex) của nội dung")),
    responses(
        (status = 200, description = "Nội dung tệp", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 401, description = "Mã máy trạm không hợp lệ hoặc đã bị thu hồi", body = ErrorAnswer),
        (status = 404, description = "Không có giấy tờ này trong các hồ sơ giao cho máy trạm (attachment_not_found)", body = ErrorAnswer),
    ))]
async fn get_document(
    State(web): State<Arc<Web>>,
    NodeCaller(node): NodeCaller,
    Path(sha256): Path<String>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let app = web.app.clone();
    let bytes = blocking(move || app.document_for_node(&node, &sha256)).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PullQuery {
    /// The node's catalog fingerprint: the catalog comes only when the province's differs.
    catalog: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/node/pull", tag = "nodes",
    summary = "Máy trạm lấy từ tỉnh: tài khoản của xã, thiết lập của tỉnh, danh sách thủ tục xã cung cấp, danh mục thủ tục",
    description = "Tài khoản (kèm mã băm mật khẩu) của xã, phường của máy trạm; thiết lập, phí, phân cấp của tỉnh; danh sách thủ tục xã cung cấp; danh mục thủ tục khi dấu vân tay danh mục của máy trạm khác của tỉnh.",
    params(PullQuery),
    responses(
        (status = 200, description = "Các bảng của máy trạm", body = app::pulled::Pulled),
        (status = 401, description = "Mã máy trạm không hợp lệ hoặc đã bị thu hồi", body = ErrorAnswer),
    ))]
async fn pull(
    State(web): State<Arc<Web>>,
    NodeCaller(node): NodeCaller,
    q: Result<axum::extract::Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<app::pulled::Pulled>> {
    let q = crate::extract::query(q)?;
    let app = web.app.clone();
    Ok(Json(blocking(move || app.pull_for(&node, q.catalog.as_deref())).await?))
}

#[utoipa::path(post, path = "/api/v1/national/feed", tag = "nodes",
    summary = "Máy chủ của tỉnh gửi lên quốc gia trạng thái hồ sơ và số liệu (không có dữ liệu cá nhân)",
    description = "Chỉ máy chủ quốc gia (haicap serve --national) nhận, bằng mã do `haicap node add --commune MÃ_TỈNH` cấp cho tỉnh. Mỗi hồ sơ: mã, đơn vị, thủ tục, TrangThaiHoSo, KenhThucHien, các mốc thời gian, kết quả; mỗi ngày gửi: toàn bộ số liệu ngày đó của tỉnh.",
    request_body = app::national::Feed,
    responses(
        (status = 200, description = "Đã nhận", body = app::national::FeedTaken),
        (status = 400, description = "Số liệu không hợp lệ", body = ErrorAnswer),
        (status = 401, description = "Mã không hợp lệ hoặc đã bị thu hồi", body = ErrorAnswer),
        (status = 404, description = "Máy chủ này không phải máy chủ quốc gia (not_national)", body = ErrorAnswer),
        (status = 409, description = "Mã của máy trạm một xã, hoặc số liệu không thuộc tỉnh (replication_writer)", body = ErrorAnswer),
    ))]
async fn national_feed(
    State(web): State<Arc<Web>>,
    NodeCaller(from): NodeCaller,
    Body(feed): Body<app::national::Feed>,
) -> ApiResult<Json<app::national::FeedTaken>> {
    if !web.national {
        return Err(ApiError::new(
            errors::Code::NotNational,
            "máy chủ này không phải máy chủ quốc gia (haicap serve --national)",
        ));
    }
    let app = web.app.clone();
    let (taken, changed) = blocking(move || app.take_feed_changed(&from, feed)).await?;
    // The nation's open dashboards follow the provinces live.
    for r in changed {
        let status = domain::Status::from_portal_code(r.status).map_or("", |s| s.code());
        web.publish_change(crate::live::Change {
            status: status.to_string(),
            portal_status: r.status,
            code: r.code,
            province_code: r.province_code,
            receiving_unit: r.receiving_unit,
            handling_unit: r.handling_unit,
        });
    }
    Ok(Json(taken))
}
