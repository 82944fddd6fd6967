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
    app.add_user("lan", Role::Officer, "20242", "mat-khau-dai", None).unwrap();
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
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
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
