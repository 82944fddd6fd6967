//! What the operators see: a request id on every request (kept from a proxy's `X-Request-Id`
//! when sane, made here otherwise, sent back in the header and in every error answer), one
//! structured log line per request, Prometheus metrics at `/metrics`, and the probes for a
//! load balancer (`/healthz`: the process lives; `/readyz`: it can serve).
//!
//! Logs name the route's pattern (`/api/v1/dossiers/{code}`), never the path or the query
//! string as sent: those hold dossier codes, phone digits and searches typed by citizens.

use crate::{blocking, Web};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use errors::Code;
use metrics_exporter_prometheus::PrometheusHandle;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

tokio::task_local! {
    static REQUEST_ID: Arc<str>;
}

/// The id of the request being answered, if any.
pub fn request_id() -> Option<Arc<str>> {
    REQUEST_ID.try_with(|id| id.clone()).ok()
}

/// A proxy's request id is kept when it is short and plain (it goes into logs and headers).
fn sane(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// A new id: this process's random prefix and a counter (unique without a system call).
pub(crate) fn new_id() -> String {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = PREFIX.get_or_init(|| {
        let mut b = [0u8; 4];
        // The process id and the clock if the system has no randomness to give.
        if getrandom::fill(&mut b).is_err() {
            let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            return t.subsec_nanos() ^ std::process::id();
        }
        u32::from_le_bytes(b)
    });
    format!("{prefix:08x}-{:010x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the last address
/// before the trusted ones in its `X-Forwarded-For` (a client can put anything at the start of
/// that header; only what the trusted proxies appended is believed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

fn plain(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

pub fn client_address(peer: IpAddr, forwarded: Option<&str>, trusted: &[ipnet::IpNet]) -> IpAddr {
    let peer = plain(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded.unwrap_or("").rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>().map(plain) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// Parses a comma-separated list of addresses or networks (`10.0.0.0/8, 192.0.2.7`).
pub fn parse_networks(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("\"{s}\" không phải địa chỉ hay dải địa chỉ IP"))
        })
        .collect()
}

/// A request slower than this is logged at `info`.
const SLOW_SECONDS: f64 = 1.0;

/// The middleware around every route: id, client address, log line, metrics.
pub async fn track(State(web): State<Arc<Web>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let ip = client_address(peer.ip(), forwarded, &web.trusted_proxies);
        req.extensions_mut().insert(ClientIp(ip));
    }
    let id: Arc<str> = match req.headers().get("x-request-id").and_then(|v| v.to_str().ok()) {
        Some(v) if sane(v) => v.into(),
        _ => new_id().into(),
    };
    let route = req.extensions().get::<MatchedPath>().map_or("(không khớp)", |m| m.as_str()).to_string();
    let method = req.method().as_str().to_string();
    let mut res = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    let status = res.status().as_u16();
    let secs = started.elapsed().as_secs_f64();
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    metrics::counter!("haicap_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("haicap_http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(secs);
    // Every request at `debug` (the proxy's access log has them, with the same id); failures
    // of ours and slow requests at `info`, so that they are in the default log.
    if status >= 500 || secs >= SLOW_SECONDS {
        tracing::info!(request_id = &*id, method, route, status, ms = secs * 1000.0, "yêu cầu");
    } else {
        tracing::debug!(request_id = &*id, method, route, status, ms = secs * 1000.0, "yêu cầu");
    }
    res
}

/// A handler that panicked (a bug): 500 in our words with the request id, the panic's text
/// in the log. The other requests, and the server, go on.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(không rõ)");
    crate::ApiError(app::AppError::internal(Code::Internal, format!("panic: {what}"))).into_response()
}

/// Logs a failure whose cause the client is not told (the database's or the system's words).
pub fn log_failure(code: &str, status: StatusCode, cause: Option<&str>) {
    let id = request_id();
    let id = id.as_deref().unwrap_or("-");
    if status.is_server_error() {
        tracing::error!(
            request_id = id,
            code,
            status = status.as_u16(),
            cause = cause.unwrap_or(""),
            "lỗi khi xử lý yêu cầu"
        );
    }
}

/// Who may read `/metrics`: addresses (networks) and a bearer token.
#[derive(Clone, Debug)]
pub struct MetricsAccess {
    pub allow: Vec<ipnet::IpNet>,
    pub token: Option<String>,
}

impl Default for MetricsAccess {
    /// The machine itself only.
    fn default() -> Self {
        MetricsAccess { allow: vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()], token: None }
    }
}

impl MetricsAccess {
    /// From a comma-separated list of addresses or networks (`10.0.0.0/8, 192.0.2.7`) and a
    /// token; an empty list keeps the default.
    pub fn parse(allow: Option<&str>, token: Option<&str>) -> Result<MetricsAccess, String> {
        let mut access = MetricsAccess::default();
        if let Some(list) = allow.filter(|l| !l.trim().is_empty()) {
            access.allow = parse_networks(list)?;
        }
        access.token = token.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        Ok(access)
    }

    fn admits(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        let peer = plain(peer);
        if self.allow.iter().any(|n| n.contains(&peer)) {
            return true;
        }
        let Some(token) = &self.token else { return false };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        // Compared in constant time: the token guards nothing personal, but it is a secret.
        given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |a, (x, y)| a | (x ^ y)) == 0
    }
}

/// The metrics recorder of this process, installed once (it is global to the process).
pub fn install_metrics() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            const SECONDS: &[f64] =
                &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
            const SIZES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
            metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Suffix("_seconds".into()),
                    SECONDS,
                )
                .ok()?
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Full("haicap_writer_batch_size".into()),
                    SIZES,
                )
                .ok()?
                .install_recorder()
                .ok()
        })
        .clone()
}

pub async fn metrics(
    State(web): State<Arc<Web>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let Some(handle) = &web.metrics else {
        return (StatusCode::NOT_FOUND, "không bật số đo").into_response();
    };
    if !web.metrics_access.admits(peer.ip(), &headers) {
        return (StatusCode::FORBIDDEN, "không được phép đọc số đo").into_response();
    }
    // Gauges read at scrape time: what is waiting, and who is listening.
    metrics::gauge!("haicap_live_stream_clients").set(web.changes.receiver_count() as f64);
    let app = web.app.clone();
    if let Ok(n) = blocking(move || app.alerts().outbox_backlog()).await {
        metrics::gauge!("haicap_outbox_backlog").set(n as f64);
    }
    if web.senders.portal.is_some() {
        let app = web.app.clone();
        if let Ok(b) = blocking(move || app.portal_backlog()).await {
            metrics::gauge!("haicap_portal_backlog").set(b.pending as f64);
            let age = b.oldest.map_or(0, |t| (web.app.now() - t).num_seconds().max(0));
            metrics::gauge!("haicap_portal_oldest_pending_seconds").set(age as f64);
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render()).into_response()
}

/// `/readyz`: 200 when the database answers, its schema is this build's and a write goes
/// through the writer; 503 otherwise, saying which.
pub async fn ready(State(web): State<Arc<Web>>) -> Response {
    let app = web.app.clone();
    let r = tokio::task::spawn_blocking(move || app.readiness(std::time::Duration::from_secs(3))).await;
    let Ok(r) = r else {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "ready": false })))
            .into_response();
    };
    let body = serde_json::json!({
        "ready": r.ready(),
        "database": r.database,
        "schema": r.schema,
        "schema_expected": app::SCHEMA_VERSION,
        "writer": r.writer,
    });
    let status = if r.ready() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_is_a_500_in_our_words_with_the_request_id() {
        let res = REQUEST_ID
            .scope("test-00000001".into(), async { panicked(Box::new("index out of bounds".to_string())) })
            .await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "internal");
        assert_eq!(v["error"]["request_id"], "test-00000001");
        assert!(!v["error"]["message"].as_str().unwrap().contains("index"), "{v}");
    }

    #[test]
    fn ids_from_a_proxy_are_kept_only_when_plain() {
        assert!(sane("3f2a9c1e-0000000001"));
        assert!(!sane("short"));
        assert!(!sane("has space in it"));
        assert!(!sane(&"x".repeat(65)));
        let (a, b) = (new_id(), new_id());
        assert_ne!(a, b);
        assert!(sane(&a), "{a}");
    }

    #[test]
    fn the_client_is_read_from_forwarded_for_only_behind_a_trusted_proxy() {
        let trusted = parse_networks("10.0.0.0/8").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // Straight from the internet: the header is the client's word, not believed.
        assert_eq!(client_address(ip("203.0.113.5"), Some("198.51.100.1"), &trusted), ip("203.0.113.5"));
        // Behind the proxy: the address it appended.
        assert_eq!(client_address(ip("10.0.0.2"), Some("198.51.100.1"), &trusted), ip("198.51.100.1"));
        // A client that forges the start of the header gets its real address.
        assert_eq!(
            client_address(ip("10.0.0.2"), Some("1.2.3.4, 198.51.100.1"), &trusted),
            ip("198.51.100.1")
        );
        // Two proxies in a row.
        assert_eq!(
            client_address(ip("10.0.0.2"), Some("198.51.100.1, 10.0.0.9"), &trusted),
            ip("198.51.100.1")
        );
        // No header, or junk: the proxy itself.
        assert_eq!(client_address(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.2"), Some("junk"), &trusted), ip("10.0.0.2"));
        // No proxies configured: never believed.
        assert_eq!(client_address(ip("10.0.0.2"), Some("198.51.100.1"), &[]), ip("10.0.0.2"));
        assert!(parse_networks("10.0.0.0/8, nope").is_err());
    }

    #[test]
    fn metrics_are_for_the_allowed_networks_or_the_token() {
        let a = MetricsAccess::parse(Some("10.0.0.0/8, 192.0.2.7"), Some("s3cret")).unwrap();
        let none = HeaderMap::new();
        assert!(a.admits("10.1.2.3".parse().unwrap(), &none));
        assert!(a.admits("192.0.2.7".parse().unwrap(), &none));
        assert!(a.admits("::ffff:10.9.9.9".parse().unwrap(), &none));
        assert!(!a.admits("192.0.2.8".parse().unwrap(), &none));
        let mut with = HeaderMap::new();
        with.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(a.admits("203.0.113.5".parse().unwrap(), &with));
        with.insert(header::AUTHORIZATION, "Bearer s3cres".parse().unwrap());
        assert!(!a.admits("203.0.113.5".parse().unwrap(), &with));
        // The default: this machine only.
        let d = MetricsAccess::default();
        assert!(d.admits("127.0.0.1".parse().unwrap(), &none) && d.admits("::1".parse().unwrap(), &none));
        assert!(!d.admits("192.0.2.1".parse().unwrap(), &none));
        assert!(MetricsAccess::parse(Some("not-an-ip"), None).is_err());
    }
}
