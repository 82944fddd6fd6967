//! What the operators rely on: the probes, the request id, the error contract while the
//! database is away, and who may read the metrics.

#[path = "../../../store/tests/support/cluster.rs"]
mod cluster;

use app::App;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use domain::roles::Role;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

async fn send(
    router: &axum::Router,
    method: &str,
    uri: &str,
    body: Option<Value>,
    peer: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let mut req = req.body(Body::from(body.map(|b| b.to_string()).unwrap_or_default())).unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    let res = router.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (parts.status, parts.headers, axum::body::to_bytes(body, 10 << 20).await.unwrap().to_vec())
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

const LOCAL: &str = "127.0.0.1:40000";

fn login_body() -> Value {
    json!({"username": "lan", "password": "mat-khau-dai"})
}

#[test]
fn the_service_answers_503_in_its_own_words_while_postgresql_is_away_and_resumes_alone() {
    let Some(cluster) = cluster::Cluster::new() else { return };
    let url = store::DbUrl::parse(&cluster.url()).unwrap();
    let app = App::open(&url, calendar::WorkCalendar::default(), Arc::new(app::vietnam_now)).unwrap();
    app.accounts().add_user("lan", Role::Officer, "20242", "mat-khau-dai", None).unwrap();
    let router = web::router(Arc::new(web::Web::new(Arc::new(app), false)));
    // The database is stopped and started from this thread, between the runtime's turns (the
    // synchronous PostgreSQL client may not run on the runtime's threads).
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    rt.block_on(async {
        let (s, _, b) = send(&router, "GET", "/readyz", None, LOCAL).await;
        assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
        let (s, _, _) = send(&router, "POST", "/api/v1/auth/login", Some(login_body()), LOCAL).await;
        assert_eq!(s, StatusCode::OK);
    });

    cluster.stop();

    // The process lives; it is not ready; a request that needs the database gets a 503 with
    // our code and words, the request's id, and nothing of the driver's text.
    rt.block_on(async {
        let (s, _, _) = send(&router, "GET", "/healthz", None, LOCAL).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _, b) = send(&router, "GET", "/readyz", None, LOCAL).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(json_of(&b)["database"], json!(false));
        let (s, headers, b) = send(&router, "POST", "/api/v1/auth/login", Some(login_body()), LOCAL).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{}", String::from_utf8_lossy(&b));
        let v = json_of(&b);
        assert_eq!(v["error"]["code"], "db_unavailable");
        let message = v["error"]["message"].as_str().unwrap();
        for driver in ["terminating", "connection", "error", "postgres", "refused", "closed"] {
            assert!(!message.to_lowercase().contains(driver), "driver text reached the client: {message}");
        }
        let id = headers.get("x-request-id").unwrap().to_str().unwrap();
        assert_eq!(v["error"]["request_id"], json!(id));
        // An officer's page says the same in a page, not in JSON.
        let mut req = Request::builder()
            .uri("/")
            .header(header::COOKIE, format!("haicap_session={}", "ab".repeat(32)))
            .body(Body::empty())
            .unwrap();
        req.extensions_mut().insert(ConnectInfo::<SocketAddr>(LOCAL.parse().unwrap()));
        let res = router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        let page = String::from_utf8(axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec())
            .unwrap();
        assert!(page.contains("cơ sở dữ liệu tạm thời không truy cập được"), "{page}");
    });

    cluster.start();

    // Back within seconds, nobody restarting anything.
    rt.block_on(async {
        let back = Instant::now();
        loop {
            let (s, _, _) = send(&router, "POST", "/api/v1/auth/login", Some(login_body()), LOCAL).await;
            if s == StatusCode::OK {
                break;
            }
            assert!(back.elapsed() < Duration::from_secs(15), "still {s} 15 s after the database came back");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (s, _, _) = send(&router, "GET", "/readyz", None, LOCAL).await;
        assert_eq!(s, StatusCode::OK);
    });
}

#[tokio::test]
async fn metrics_are_served_to_the_allowed_and_requests_carry_their_id() {
    // Installed first, as `haicap serve` does, so that opening the database is counted too.
    web::observe::install_metrics();
    let dir = tempfile::tempdir().unwrap();
    let url = store::DbUrl::Sqlite(dir.path().join("h.db"));
    let app = App::open(&url, calendar::WorkCalendar::default(), Arc::new(app::vietnam_now)).unwrap();
    let access = web::observe::MetricsAccess::parse(Some("10.0.0.0/8"), Some("bi-mat-dai-du")).unwrap();
    let router = web::router(Arc::new(web::Web::new(Arc::new(app), false).with_metrics_access(access)));

    // A proxy's id is kept; a request without one gets its own.
    let mut req = Request::builder()
        .uri("/healthz")
        .header("x-request-id", "lb-0000000042")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut().insert(ConnectInfo::<SocketAddr>(LOCAL.parse().unwrap()));
    let res = router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "lb-0000000042");
    let (_, h1, _) = send(&router, "GET", "/healthz", None, LOCAL).await;
    let (_, h2, _) = send(&router, "GET", "/healthz", None, LOCAL).await;
    assert_ne!(h1["x-request-id"], h2["x-request-id"]);

    // From an allowed network: the figures, with the routes by pattern.
    let (s, _, b) = send(&router, "GET", "/api/v1/dossiers/20242-261206-0001", None, "10.1.2.3:5000").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, b2) = send(&router, "GET", "/metrics", None, "10.1.2.3:5000").await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let text = String::from_utf8(b2).unwrap();
    for m in [
        "haicap_http_requests_total",
        "haicap_http_request_duration_seconds_bucket",
        "haicap_db_up",
        "haicap_outbox_backlog",
        "haicap_live_stream_clients",
        "haicap_writer_commit_seconds",
    ] {
        assert!(text.contains(m), "{m} missing from /metrics");
    }
    assert!(text.contains("route=\"/api/v1/dossiers/{code}\""), "routes are labelled by pattern");
    assert!(!text.contains("20242-261206-0001"), "no dossier code in the metrics");

    // From elsewhere: only with the token.
    let (s, _, _) = send(&router, "GET", "/metrics", None, "203.0.113.9:5000").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut req = Request::builder()
        .uri("/metrics")
        .header(header::AUTHORIZATION, "Bearer bi-mat-dai-du")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut().insert(ConnectInfo::<SocketAddr>("203.0.113.9:5000".parse().unwrap()));
    assert_eq!(router.clone().oneshot(req).await.unwrap().status(), StatusCode::OK);
}
