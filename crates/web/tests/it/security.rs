//! Safe on the open internet (issue #22): the security headers of every answer, pages without
//! inline script or style (so that the policy can forbid them), the login form's CSRF token and
//! a `next` that never leaves the site.

use app::App;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::roles::Role;
use std::sync::Arc;
use tower::ServiceExt;

fn router(secure: bool) -> (tempfile::TempDir, axum::Router) {
    let dir = tempfile::tempdir().unwrap();
    let url = store::DbUrl::Sqlite(dir.path().join("h.db"));
    let app = App::open(&url, calendar::WorkCalendar::default(), Arc::new(app::vietnam_now)).unwrap();
    app.accounts().add_user("lan", Role::Officer, "20242", "mat-khau-dai", None).unwrap();
    let web = Arc::new(web::Web::new(Arc::new(app), secure));
    (dir, web::router(web))
}

async fn send(r: &axum::Router, req: Request<Body>) -> axum::response::Response {
    r.clone().oneshot(req).await.unwrap()
}

fn get(uri: &str) -> Request<Body> {
    Request::builder().uri(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_only_the_assistant_may_be_framed() {
    let (_d, r) = router(false);
    for uri in ["/dang-nhap", "/thu-tuc", "/api/v1/units/provinces", "/khong-co", "/tro-ly/quan-ly"] {
        let res = send(&r, get(uri)).await;
        let h = res.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{uri}: {csp}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{uri}");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{uri}");
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS without TLS");
    }
    let res = send(&r, get("/tro-ly?nhung=1")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors *"), "{csp}");
    assert!(res.headers().get(header::X_FRAME_OPTIONS).is_none());
    let (_d, tls) = router(true);
    let res = send(&tls, get("/dang-nhap")).await;
    assert!(res.headers()[header::STRICT_TRANSPORT_SECURITY].to_str().unwrap().contains("max-age="));
}

#[test]
fn no_template_has_inline_script_style_or_handlers() {
    // What the policy forbids must not be needed: inline <script> bodies, style attributes,
    // on* handlers and htmx's evaluated attributes.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut files = vec![];
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut checked = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let lower = text.to_lowercase();
        for (i, _) in lower.match_indices("<script") {
            let tag_end = lower[i..].find('>').unwrap() + i;
            assert!(lower[i..tag_end].contains("src="), "{}: inline script", path.display());
        }
        for bad in [
            "style=\"",
            " onclick=",
            " onchange=",
            " onsubmit=",
            " onload=",
            "hx-on",
            "javascript:",
            "<style",
        ] {
            assert!(!lower.contains(bad), "{}: {bad}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 20);
}

fn cookie_of(res: &axum::response::Response, name: &str) -> Option<String> {
    res.headers().get_all(header::SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        v.strip_prefix(&format!("{name}="))?.split(';').next().map(str::to_string)
    })
}

async fn body_text(res: axum::response::Response) -> String {
    String::from_utf8(axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap()
}

fn post_login(form: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::builder()
        .method("POST")
        .uri("/dang-nhap")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, format!("haicap_login={c}"));
    }
    b.body(Body::from(form.to_string())).unwrap()
}

#[tokio::test]
async fn the_login_form_needs_its_own_token_and_never_sends_the_user_off_site() {
    let (_d, r) = router(false);
    let page = send(&r, get("/dang-nhap?next=/ho-so/moi")).await;
    let token = cookie_of(&page, "haicap_login").expect("a login token cookie");
    let html = body_text(page).await;
    assert!(html.contains(&format!("name=\"csrf\" value=\"{token}\"")), "the form carries the token");
    // A form posted from another site has neither the cookie nor the token.
    let res = send(&r, post_login("username=lan&password=mat-khau-dai&next=%2F", None)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(cookie_of(&res, "haicap_session").is_none());
    let res = send(&r, post_login("username=lan&password=mat-khau-dai&next=%2F&csrf=abc", Some("xyz"))).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // With its token, in; and `next` stays on this site however it is dressed.
    for (next, to) in [
        ("%2Fho-so%2Fmoi", "/ho-so/moi"),
        ("%2F%09%2Fevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
        ("%2F%0A%2Fevil.example", "/"),
    ] {
        let form = format!("username=lan&password=mat-khau-dai&next={next}&csrf={token}");
        let res = send(&r, post_login(&form, Some(&token))).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(res.headers()[header::LOCATION], to, "{next}");
        assert!(cookie_of(&res, "haicap_session").is_some());
    }
}

/// A request from `peer` (as the connection gives it), through a proxy that says `forwarded`.
fn from(uri: &str, method: &str, peer: &str, forwarded: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(f) = forwarded {
        b = b.header("x-forwarded-for", f);
    }
    let mut req = b.body(Body::empty()).unwrap();
    let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    req
}

#[tokio::test]
async fn public_routes_are_rate_limited_per_client_and_ipv6_by_its_64() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::DbUrl::Sqlite(dir.path().join("h.db"));
    let app = App::open(&url, calendar::WorkCalendar::default(), Arc::new(app::vietnam_now)).unwrap();
    let web = Arc::new(
        web::Web::new(Arc::new(app), false)
            .with_public_rate(5)
            .with_trusted_proxies(web::observe::parse_networks("10.0.0.2").unwrap()),
    );
    let r = web::router(web);
    // A different dossier code each time: the per-dossier failure limit is another matter.
    let n = std::sync::atomic::AtomicU32::new(0);
    let track = || {
        let i = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("/api/v1/track/20242-261206-{i:04}?pin=ABCDEFGH")
    };
    for _ in 0..5 {
        let res = send(&r, from(&track(), "GET", "203.0.113.7", None)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = send(&r, from(&track(), "GET", "203.0.113.7", None)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    assert!(body_text(res).await.contains("rate_limited"));
    // Other public routes share the client's budget; pages that are not public do not count.
    let res = send(&r, from("/tro-ly/hoi", "POST", "203.0.113.7", None)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(send(&r, from("/thu-tuc", "GET", "203.0.113.7", None)).await.status(), StatusCode::OK);
    // Another client is not affected; a client behind the trusted proxy is itself.
    assert_eq!(send(&r, from(&track(), "GET", "203.0.113.8", None)).await.status(), StatusCode::NOT_FOUND);
    for _ in 0..5 {
        let res = send(&r, from(&track(), "GET", "10.0.0.2", Some("198.51.100.4"))).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = send(&r, from(&track(), "GET", "10.0.0.2", Some("198.51.100.4"))).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = send(&r, from(&track(), "GET", "10.0.0.2", Some("198.51.100.5"))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "the next citizen behind the same proxy");
    // An IPv6 client rotating addresses within its /64 is one client.
    for i in 0..5 {
        let res = send(&r, from(&track(), "GET", &format!("[2001:db8:1:2::{i:x}]"), None)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = send(&r, from(&track(), "GET", "[2001:db8:1:2:ffff::1]", None)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn open_reads_are_limited_at_ten_times_the_guarded_rate_and_staff_routes_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::DbUrl::Sqlite(dir.path().join("h.db"));
    let app = App::open(&url, calendar::WorkCalendar::default(), Arc::new(app::vietnam_now)).unwrap();
    let r = web::router(Arc::new(web::Web::new(Arc::new(app), false).with_public_rate(2)));
    let ip = "203.0.113.9";
    // The catalog, the units, the assistant's page and the login form: 20 a minute.
    let reads = ["/thu-tuc", "/api/v1/procedures?q=khai", "/api/v1/units/provinces", "/tro-ly", "/dang-nhap"];
    for i in 0..20 {
        let res = send(&r, from(reads[i % reads.len()], "GET", ip, None)).await;
        assert_eq!(res.status(), StatusCode::OK, "read {i}");
    }
    let res = send(&r, from("/api/v1/address/convert?q=Ba%20%C4%90%C3%ACnh", "GET", ip, None)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    // The guarded routes keep their own budget, the one path shared by both (the login form
    // and its submission) included.
    let res = send(&r, from("/dang-nhap", "POST", ip, None)).await;
    assert_ne!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // The staff's routes are not counted: without a session they answer 401, never 429.
    for _ in 0..30 {
        let res = send(&r, from("/api/v1/dossiers", "GET", ip, None)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // A hand-off is read by its code (a guess): the guarded budget; the desk's list of them is
    // the staff's.
    for _ in 0..2 {
        let res = send(&r, from("/api/v1/assistant/handoffs/HD-23456789", "GET", "203.0.113.10", None)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = send(&r, from("/api/v1/assistant/handoffs/HD-23456789", "GET", "203.0.113.10", None)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = send(&r, from("/api/v1/assistant/handoffs", "GET", "203.0.113.10", None)).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

fn with_token(method: &str, uri: &str, token: &str, body: Option<&str>) -> Request<Body> {
    let mut b =
        Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    b.body(Body::from(body.unwrap_or_default().to_string())).unwrap()
}

async fn api_login(r: &axum::Router) -> String {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"username":"lan","password":"mat-khau-dai"}"#))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&body_text(send(r, req).await).await).unwrap();
    v["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_live_stream_ends_with_its_session_and_is_capped_per_account() {
    let (_d, r) = router(false);
    let token = api_login(&r).await;
    let res = send(&r, with_token("GET", "/api/v1/stream", &token, None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.into_body();
    let out = send(&r, with_token("POST", "/api/v1/auth/logout", &token, None)).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    let ended =
        tokio::time::timeout(std::time::Duration::from_secs(5), axum::body::to_bytes(body, 1 << 20)).await;
    assert!(matches!(ended, Ok(Ok(_))), "the stream of a logged-out session ends");

    let token = api_login(&r).await;
    let mut open = vec![];
    for _ in 0..web::live::MAX_STREAMS_PER_ACCOUNT {
        let res = send(&r, with_token("GET", "/api/v1/stream", &token, None)).await;
        assert_eq!(res.status(), StatusCode::OK);
        open.push(res);
    }
    let res = send(&r, with_token("GET", "/api/v1/stream", &token, None)).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    // A stream closed by its reader frees its place.
    drop(open.pop());
    let res = send(&r, with_token("GET", "/api/v1/stream", &token, None)).await;
    assert_eq!(res.status(), StatusCode::OK);
}

// Time paused: the stream's re-check comes without waiting for it.
#[tokio::test(start_paused = true)]
async fn the_live_stream_of_a_disabled_account_ends() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::DbUrl::Sqlite(dir.path().join("h.db"));
    let app =
        Arc::new(App::open(&url, calendar::WorkCalendar::default(), Arc::new(app::vietnam_now)).unwrap());
    app.accounts().add_user("lan", Role::Officer, "20242", "mat-khau-dai", None).unwrap();
    let r = web::router(Arc::new(web::Web::new(app.clone(), false)));
    let token = api_login(&r).await;
    let res = send(&r, with_token("GET", "/api/v1/stream", &token, None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.into_body();
    // Disabled at the console (another process: this server hears nothing of it).
    app.accounts().set_active("lan", false, &app::Actor::console("test")).unwrap();
    let wait = web::live::SESSION_RECHECK * 3;
    let ended = tokio::time::timeout(wait, axum::body::to_bytes(body, 1 << 20)).await;
    assert!(matches!(ended, Ok(Ok(_))), "the stream of a disabled account ends");
}

#[tokio::test]
async fn behind_tls_the_session_cookie_is_host_only_and_secure() {
    let (_d, r) = router(true);
    let page = send(&r, get("/dang-nhap")).await;
    let token = cookie_of(&page, "haicap_login").unwrap();
    let res = send(
        &r,
        post_login(&format!("username=lan&password=mat-khau-dai&next=%2F&csrf={token}"), Some(&token)),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let set = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("__Host-haicap_session="))
        .expect("the __Host- cookie");
    assert!(set.contains("; Secure") && set.contains("Path=/;") && !set.contains("Domain"), "{set}");
    let session = cookie_of(&res, "__Host-haicap_session").unwrap();
    let with = |name: &str| {
        Request::builder()
            .uri("/")
            .header(header::COOKIE, format!("{name}={session}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(&r, with("__Host-haicap_session")).await.status(), StatusCode::OK);
    // The unprefixed name (which a sibling subdomain could set) is not read behind TLS.
    assert_eq!(send(&r, with("haicap_session")).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_form_of_a_signed_in_officer_needs_the_sessions_token() {
    let (_d, r) = router(false);
    let token = api_login(&r).await;
    let post = |uri: &str, content_type: &str, body: &str| {
        Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, format!("haicap_session={token}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let form = "application/x-www-form-urlencoded";
    for uri in [
        "/dang-xuat",
        "/ho-so/moi",
        "/ho-so/20242-261206-0001/thao-tac",
        "/canh-bao/1/da-doc",
        "/kien-nghi/moi",
        "/kien-nghi/1/xu-ly",
        "/can-bo/nghi-phep",
        "/can-bo/bien-che",
        "/tro-ly/quan-ly/tra-loi/HD-ABCDEFGH",
        "/tro-ly/quan-ly/duyet/1",
        "/so-tay/luu",
    ] {
        for body in ["action=approve", "action=approve&csrf=wrong"] {
            let res = send(&r, post(uri, form, body)).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{uri} with {body}");
        }
    }
    let multipart = "multipart/form-data; boundary=X";
    let body = "--X\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nx\r\n--X--\r\n";
    for uri in ["/chi-dao", "/chi-dao/1/bao-cao"] {
        assert_eq!(send(&r, post(uri, multipart, body)).await.status(), StatusCode::FORBIDDEN, "{uri}");
    }
}

#[tokio::test]
async fn htmx_fragments_come_from_templates() {
    let (_d, r) = router(false);
    let html = body_text(send(&r, get("/ui/xa?province=48")).await).await;
    assert!(html.contains("<option value=\"20242\">Phường Hải Châu</option>"), "{html}");
    assert!(html.starts_with("<option value=\"\">"), "{html}");
    let html = body_text(send(&r, get("/ui/xa?province=99")).await).await;
    assert_eq!(html.matches("<option").count(), 1, "an unknown province: only the prompt");
}
