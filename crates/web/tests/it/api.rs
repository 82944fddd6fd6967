//! The API and the pages through the router, as a client sees them.

use app::App;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use domain::roles::Role;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

struct Fixture {
    dir: tempfile::TempDir,
    router: axum::Router,
    app: Arc<App>,
    web: Arc<web::Web>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = store::DbUrl::Sqlite(dir.path().join("h.db"));
    let app = App::open(&url, calendar::WorkCalendar::default(), Arc::new(app::vietnam_now)).unwrap();
    for (name, role, unit) in [
        ("lan", Role::Officer, "20242"),
        ("hoa", Role::Officer, "20257"),
        ("sotuphap", Role::Department, "48"),
        ("chutich", Role::CommuneLeader, "20242"),
        ("lanhdao", Role::ProvinceLeader, "48"),
        ("chuyenvien", Role::Specialist, "20242"),
        ("quantri", Role::Admin, "20242"),
    ] {
        app.accounts().add_user(name, role, unit, "mat-khau-dai", None).unwrap();
    }
    app.accounts().set_profile("sotuphap", Some("STP"), None, &[], &app::Actor::console("test")).unwrap();
    let app = Arc::new(app);
    let web = Arc::new(web::Web::new(app.clone(), false));
    Fixture { dir, router: web::router(web.clone()), app, web }
}

async fn call(
    f: &Fixture,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let (status, bytes) = raw(f, method, uri, token, body).await;
    let v = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    // Every answer these tests see is also a case of the API's contract.
    if let Err(e) = super::contract::conforms(method, uri, status.as_u16(), &v) {
        panic!("the answer is not what the API's description says: {e}");
    }
    (status, v)
}

async fn raw(
    f: &Fixture,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req.body(Body::from(body.unwrap_or_default().to_string())).unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
    (status, bytes.to_vec())
}

async fn login(f: &Fixture, user: &str) -> String {
    let (s, v) = call(
        f,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(&json!({"username": user, "password": "mat-khau-dai"}).to_string()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["token"].as_str().unwrap().to_string()
}

fn new_dossier(name: &str) -> String {
    json!({
        "procedure_code": "1.004873",
        "channel": "direct",
        "applicant": {"full_name": name, "phone": "0905123456", "address": "12 Trần Phú, Hải Châu, Đà Nẵng"}
    })
    .to_string()
}

#[tokio::test]
async fn login_gives_a_token_that_logout_ends() {
    let f = fixture();
    let (s, v) =
        call(&f, "POST", "/api/v1/auth/login", None, Some(r#"{"username":"lan","password":"sai"}"#)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_credentials")));
    let (s, v) =
        call(&f, "POST", "/api/v1/auth/login", None, Some(r#"{"username":"lan","password":"mat-khau-dai"}"#))
            .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v["user"],
        json!({"username": "lan", "role": "officer", "unit_code": "20242", "full_name": null})
    );
    let t = v["token"].as_str().unwrap();
    assert_eq!(call(&f, "GET", "/api/v1/dossiers", Some(t), None).await.0, StatusCode::OK);
    assert_eq!(call(&f, "POST", "/api/v1/auth/logout", Some(t), None).await.0, StatusCode::NO_CONTENT);
    let (s, v) = call(&f, "GET", "/api/v1/dossiers", Some(t), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled() {
    let f = fixture();
    for _ in 0..5 {
        let (s, _) =
            call(&f, "POST", "/api/v1/auth/login", None, Some(r#"{"username":"lan","password":"sai"}"#))
                .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, v) =
        call(&f, "POST", "/api/v1/auth/login", None, Some(r#"{"username":"lan","password":"mat-khau-dai"}"#))
            .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
    // Another account from the same office is not locked out.
    assert_eq!(login(&f, "hoa").await.len(), 64);
}

#[tokio::test]
async fn a_dossier_from_intake_to_result_over_the_api() {
    let f = fixture();
    let t = login(&f, "lan").await;
    let (s, d) = call(&f, "POST", "/api/v1/dossiers", Some(&t), Some(&new_dossier("Trần Văn An"))).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!((d["status"].as_str(), d["commune_code"].as_str()), (Some("received"), Some("20242")));
    assert!(d["due_at"].is_string() && d["received_at"].is_string());
    let code = d["code"].as_str().unwrap();
    let url = format!("/api/v1/dossiers/{code}/actions");
    let (s, e) = call(&f, "POST", &url, Some(&t), Some(r#"{"action":"return_result"}"#)).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")));
    let allowed = e["error"]["allowed"].as_array().unwrap();
    assert!(allowed.contains(&json!("request_payment")) && !allowed.contains(&json!("approve")), "{e}");
    // The desk may not decide: the leader of the handling unit does.
    let (s, e) = call(&f, "POST", &url, Some(&t), Some(r#"{"action":"approve"}"#)).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("action_not_permitted")));
    assert_eq!(e["error"]["roles"], json!(["commune_leader"]));
    let boss = login(&f, "chutich").await;
    let cv = login(&f, "chuyenvien").await;
    let (s, e) = call(&f, "POST", &url, Some(&boss), Some(r#"{"action":"assign","to":"hoa"}"#)).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("assignee_other_unit")));
    let (s, e) = call(&f, "POST", &url, Some(&boss), Some(r#"{"action":"assign","to":"lan"}"#)).await;
    assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("assignee_cannot_process")));
    for (who, a) in [
        (&boss, r#"{"action":"assign","to":"chuyenvien"}"#),
        (&cv, r#"{"action":"propose","verdict":"approve","note":"đủ điều kiện"}"#),
        (&boss, r#"{"action":"approve"}"#),
        (&t, r#"{"action":"return_result"}"#),
    ] {
        let (s, v) = call(&f, "POST", &url, Some(who), Some(a)).await;
        assert_eq!(s, StatusCode::OK, "{a}: {v}");
    }
    let (_, d) = call(&f, "GET", &format!("/api/v1/dossiers/{code}"), Some(&t), None).await;
    assert_eq!(d["status"], "returned");
    assert_eq!(d["portal_status"], 10);
    assert_eq!(d["events"].as_array().unwrap().len(), 7);
    // The citizen tracks it with the receipt's PIN and sees no personal data; the phone's last
    // digits, which anyone may know, open nothing.
    let pin = d["tracking_pin"].as_str().expect("the desk sees the PIN it prints").to_string();
    assert!(pin.len() >= 6 && !code.contains(&pin));
    let (s, _) = call(&f, "GET", &format!("/api/v1/track/{code}?pin=3456"), None, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) =
        raw(&f, "GET", &format!("/api/v1/track/{code}?pin={}", pin.to_lowercase()), None, None).await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(v).unwrap();
    assert!(
        !text.contains("Trần Văn An") && !text.contains("0905123456") && !text.contains("Trần Phú"),
        "{text}"
    );
    let rating = format!("/api/v1/track/{code}/rating");
    let rate = |pin: &str, score: u8| json!({"pin": pin, "score": score}).to_string();
    assert_eq!(call(&f, "POST", &rating, None, Some(&rate("3456", 1))).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&f, "POST", &rating, None, Some(&rate(&pin, 5))).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&f, "POST", &rating, None, Some(&rate(&pin, 4))).await.0, StatusCode::CONFLICT);
    // Others see neither the PIN nor the numbers.
    let so = login(&f, "sotuphap").await;
    let (_, theirs) = call(&f, "GET", &format!("/api/v1/dossiers/{code}"), Some(&so), None).await;
    assert!(theirs.get("tracking_pin").is_none(), "{theirs}");
}

#[tokio::test]
async fn tracking_cannot_be_guessed_and_guessing_is_stopped() {
    let f = fixture();
    let lan = login(&f, "lan").await;
    let mut codes = vec![];
    for name in ["A", "B"] {
        let (_, d) = call(&f, "POST", "/api/v1/dossiers", Some(&lan), Some(&new_dossier(name))).await;
        codes
            .push((d["code"].as_str().unwrap().to_string(), d["tracking_pin"].as_str().unwrap().to_string()));
    }
    assert_ne!(codes[0].1, codes[1].1, "PINs are not derived from the sequential codes");
    let (code, pin) = &codes[0];
    // Five wrong guesses for a dossier; the sixth try is refused, the right PIN included.
    for guess in ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"] {
        let (s, _) = call(&f, "GET", &format!("/api/v1/track/{code}?pin={guess}"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, bytes) = raw(&f, "GET", &format!("/api/v1/track/{code}?pin={pin}"), None, None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{}", String::from_utf8_lossy(&bytes));
    let req = Request::builder().uri(format!("/api/v1/track/{code}?pin={pin}")).body(Body::empty()).unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.headers()[header::RETRY_AFTER], "900");
    let rating = format!("/api/v1/track/{code}/rating");
    let (s, _) = call(&f, "POST", &rating, None, Some(&json!({"pin": pin, "score": 1}).to_string())).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "nor can its rating be taken");
    // The other dossier is not locked by someone guessing this one... until the address has
    // guessed too often across dossiers.
    let (other, other_pin) = &codes[1];
    let (s, _) = call(&f, "GET", &format!("/api/v1/track/{other}?pin={other_pin}"), None, None).await;
    assert_eq!(s, StatusCode::OK);
    for i in 0..15 {
        let (s, _) = call(&f, "GET", &format!("/api/v1/track/99999-000000-{i:04}?pin=X"), None, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    let (s, _) = call(&f, "GET", &format!("/api/v1/track/{other}?pin={other_pin}"), None, None).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "twenty failures from one address stop it");
}

#[tokio::test]
async fn personal_data_reaches_only_those_who_work_on_it_and_every_read_is_on_the_admins_page() {
    let f = fixture();
    let lan = login(&f, "lan").await;
    let body = json!({"procedure_code": "1.004873", "channel": "direct",
        "applicant": {"full_name": "Võ Thị Riêng", "phone": "0905123456", "id_number": "048190001234"}});
    let (_, d) = call(&f, "POST", "/api/v1/dossiers", Some(&lan), Some(&body.to_string())).await;
    let code = d["code"].as_str().unwrap();
    let (_, mine) = call(&f, "GET", &format!("/api/v1/dossiers/{code}"), Some(&lan), None).await;
    assert_eq!(mine["applicant_id_number"], "048190001234");
    let lanhdao = login(&f, "lanhdao").await;
    let (_, theirs) = call(&f, "GET", &format!("/api/v1/dossiers/{code}"), Some(&lanhdao), None).await;
    assert_eq!(
        (theirs["applicant_id_number"].as_str(), theirs["masked"].as_bool()),
        (Some("*********234"), Some(true))
    );
    assert_eq!(
        theirs["allowed_actions"],
        json!([]),
        "the province leader takes no action on a commune's dossier"
    );
    let (_, page) = call(&f, "GET", "/api/v1/dossiers", Some(&lan), None).await;
    assert_eq!(page["items"][0]["applicant_phone"], "*******456", "lists are masked");
    let admin = login(&f, "quantri").await;
    let (s, html) = page_get(&f, "/quan-tri/truy-cap-du-lieu", &admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(code) && html.contains("xem dữ liệu cá nhân") && html.contains("<td>lan</td>"),
        "{html}"
    );
    let (s, _) = page_get(&f, "/quan-tri/truy-cap-du-lieu", &lan).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an administrator's page");
}

#[tokio::test]
async fn another_communes_dossier_does_not_exist_for_you() {
    let f = fixture();
    let lan = login(&f, "lan").await;
    let hoa = login(&f, "hoa").await;
    let (_, d) = call(&f, "POST", "/api/v1/dossiers", Some(&lan), Some(&new_dossier("A"))).await;
    let code = d["code"].as_str().unwrap();
    let (s, v) = call(&f, "GET", &format!("/api/v1/dossiers/{code}"), Some(&hoa), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("dossier_not_found")));
    let (s, _) = call(
        &f,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(&hoa),
        Some(r#"{"action":"approve"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, page) = call(&f, "GET", "/api/v1/dossiers", Some(&hoa), None).await;
    assert_eq!(page["total"], 0);
    let (_, page) = call(&f, "GET", "/api/v1/dossiers?commune=20242", Some(&hoa), None).await;
    assert_eq!(page["total"], 0, "asking for another commune does not widen the scope");
    let body = json!({"procedure_code": "1.004873", "channel": "direct", "commune_code": "20242", "applicant": {"full_name": "B"}}).to_string();
    let (s, v) = call(&f, "POST", "/api/v1/dossiers", Some(&hoa), Some(&body)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("out_of_scope")));
    let so = login(&f, "sotuphap").await;
    let (_, page) = call(&f, "GET", "/api/v1/dossiers", Some(&so), None).await;
    assert_eq!(page["total"], 1, "the province sees its communes");
    // Nor through the pages.
    let (s, _) = page_get(&f, &format!("/ho-so/{code}"), &hoa).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn page_get(f: &Fixture, uri: &str, token: &str) -> (StatusCode, String) {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, format!("haicap_session={token}"))
        .body(Body::empty())
        .unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
    (s, String::from_utf8_lossy(&b).to_string())
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_a_stable_code_and_writes_nothing() {
    let f = fixture();
    let t = login(&f, "lan").await;
    let cases: Vec<(String, StatusCode, &str)> = vec![
        ("{bad".into(), StatusCode::BAD_REQUEST, "invalid_json"),
        (r#"{"procedure_code": 5}"#.into(), StatusCode::BAD_REQUEST, "invalid_field"),
        (
            new_dossier("A").replace("\"channel\"", "\"extra\":1,\"channel\""),
            StatusCode::BAD_REQUEST,
            "invalid_field",
        ),
        (new_dossier("A").replace("direct", "fax"), StatusCode::BAD_REQUEST, "invalid_field"),
        (new_dossier("A").replace("1.004873", "9.999"), StatusCode::BAD_REQUEST, "unknown_procedure"),
        (new_dossier(""), StatusCode::BAD_REQUEST, "missing_name"),
        (new_dossier("A\u{0}B"), StatusCode::BAD_REQUEST, "invalid_name"),
        (new_dossier(&"x".repeat(70_000)), StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
    ];
    for (body, status, code) in cases {
        let (s, v) = call(&f, "POST", "/api/v1/dossiers", Some(&t), Some(&body)).await;
        assert_eq!((s, v["error"]["code"].as_str()), (status, Some(code)), "{}", &body[..body.len().min(80)]);
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (_, page) = call(&f, "GET", "/api/v1/dossiers", Some(&t), None).await;
    assert_eq!(page["total"], 0);
    for uri in [
        "/api/v1/dossiers?page=0",
        "/api/v1/dossiers?per_page=501",
        "/api/v1/dossiers?status=flying",
        "/api/v1/dossiers?page=abc",
    ] {
        assert_eq!(call(&f, "GET", uri, Some(&t), None).await.0, StatusCode::BAD_REQUEST, "{uri}");
    }
    let (s, v) = call(&f, "GET", "/api/v1/nowhere", None, None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

#[tokio::test]
async fn names_are_escaped_in_pages() {
    let f = fixture();
    let t = login(&f, "lan").await;
    let (_, d) =
        call(&f, "POST", "/api/v1/dossiers", Some(&t), Some(&new_dossier("<script>alert(1)</script>"))).await;
    let code = d["code"].as_str().unwrap();
    let (s, html) = page_get(&f, &format!("/ho-so/{code}"), &t).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)"));
    let (_, html) = page_get(&f, "/", &t).await;
    assert!(!html.contains("<script>alert(1)"));
    let (s, html) = page_get(&f, &format!("/ho-so/{code}/phieu"), &t).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") && html.contains("<svg"),
        "receipt with a QR code"
    );
}

#[tokio::test]
async fn forms_without_the_session_csrf_token_are_refused() {
    let f = fixture();
    let t = login(&f, "lan").await;
    let req = Request::builder()
        .method("POST")
        .uri("/ho-so/moi")
        .header(header::COOKIE, format!("haicap_session={t}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("csrf=wrong&procedure_code=1.004873&channel=direct&full_name=A"))
        .unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, page) = call(&f, "GET", "/api/v1/dossiers", Some(&t), None).await;
    assert_eq!(page["total"], 0);
    // Pages without a session go to the login page.
    let res =
        f.router.clone().oneshot(Request::builder().uri("/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/dang-nhap?next=/");
}

#[tokio::test]
async fn every_operation_of_the_description_is_served() {
    let f = fixture();
    let spec = web::api_description();
    let (s, served) = call(&f, "GET", "/api/openapi.json", None, None).await;
    assert_eq!((s, &served), (StatusCode::OK, &spec));
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let uri = path.replace("{code}", "48").replace("{id}", "1");
            let (s, v) = raw(&f, &method.to_uppercase(), &uri, None, Some("{}")).await;
            let v: Value = serde_json::from_slice(&v).unwrap_or(Value::Null);
            assert_ne!(v["error"]["code"], "not_found", "{method} {path} is not routed");
            assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn dossier_answers_hold_no_storage_field() {
    let f = fixture();
    let t = login(&f, "lan").await;
    let (s, created) =
        call(&f, "POST", "/api/v1/dossiers", Some(&t), Some(&new_dossier("Trần Văn An"))).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let code = created["code"].as_str().unwrap().to_string();
    let (_, one) = call(&f, "GET", &format!("/api/v1/dossiers/{code}"), Some(&t), None).await;
    let (_, page) = call(&f, "GET", "/api/v1/dossiers", Some(&t), None).await;
    let boss = login(&f, "chutich").await;
    let (s, acted) = call(
        &f,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(&boss),
        Some(r#"{"action":"assign","to":"chuyenvien"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{acted}");
    // (`call` checked each against the description.)
    for (what, d) in
        [("created", &created), ("read", &one), ("listed", &page["items"][0]), ("acted on", &acted)]
    {
        for storage in ["head_hash", "event_count", "updated_at", "supplement_requests"] {
            assert!(d.get(storage).is_none(), "{what}: {storage}");
        }
    }
    assert!(created["tracking_pin"].is_string(), "{created}");
    let pin = created["tracking_pin"].as_str().unwrap();
    let (s, v) = call(&f, "GET", &format!("/api/v1/track/{code}?pin={pin}"), None, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn the_applicants_lengths_the_description_declares_are_those_the_intake_takes() {
    let f = fixture();
    let t = login(&f, "lan").await;
    let spec = web::api_description();
    let applicant = &spec["components"]["schemas"]["Applicant"]["properties"];
    for field in ["full_name", "address"] {
        let max = applicant[field]["maxLength"].as_u64().unwrap_or_else(|| panic!("{field}")) as usize;
        for (len, expected) in [(max, StatusCode::CREATED), (max + 1, StatusCode::BAD_REQUEST)] {
            let mut body: Value = serde_json::from_str(&new_dossier("Trần Văn An")).unwrap();
            body["applicant"][field] = json!("ạ".repeat(len));
            let (s, v) = call(&f, "POST", "/api/v1/dossiers", Some(&t), Some(&body.to_string())).await;
            assert_eq!(s, expected, "{field} of {len} characters: {v}");
        }
    }
}

fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----haicaptestboundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn submit(f: &Fixture, fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (StatusCode, String) {
    let (ct, body) = multipart(fields, files);
    let req = Request::builder()
        .method("POST")
        .uri("/nop-truc-tuyen/1.004873")
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    let s = res.status();
    let b = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
    (s, String::from_utf8_lossy(&b).to_string())
}

/// The files a request spooled and left behind in the document store's spool.
fn spooled(f: &Fixture) -> usize {
    std::fs::read_dir(f.dir.path().join("blobs/.spool")).map_or(0, |d| d.count())
}

#[tokio::test]
async fn a_citizen_submits_online_with_documents_the_commune_reads_them() {
    let f = fixture();
    let fields = [
        ("full_name", "Lê Thị Mai"),
        ("phone", "0905777888"),
        ("commune_code", "20242"),
        ("province", "48"),
        ("consent", "yes"),
    ];
    // Without consent to the notice on personal data, nothing is filed.
    let (s, html) = submit(&f, &fields[..4], &[("to-khai.pdf", b"%PDF-1.4\n")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("cần đồng ý"), "{html}");
    let (_, form) = page_get(&f, "/nop-truc-tuyen/1.004873", "").await;
    assert!(form.contains("91/2025/QH15") && form.contains("name=\"consent\""), "the notice is shown");
    // Limits hold while reading: a file over 10 MB, more than 10 files.
    let big = vec![b'%'; 10 * 1024 * 1024 + 1];
    let (s, html) = submit(&f, &fields, &[("to-khai.pdf", &big)]).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(html.contains("10 MB"), "{html}");
    assert_eq!(spooled(&f), 0, "what a refused request spooled is removed");
    let many: Vec<(&str, &[u8])> = (0..11).map(|_| ("a.pdf", &b"%PDF-1.4"[..])).collect();
    let (s, _) = submit(&f, &fields, &many).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // A program dressed as a PDF is refused, and nothing is written.
    let (s, html) = submit(&f, &fields, &[("to-khai.pdf", b"MZ\x90\x00not a pdf")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("không phải PDF"), "{html}");
    let lan = login(&f, "lan").await;
    let (_, page) = call(&f, "GET", "/api/v1/dossiers", Some(&lan), None).await;
    assert_eq!(page["total"], 0);

    let pdf = b"%PDF-1.4\n% to khai\n";
    let (s, html) =
        submit(&f, &fields, &[("to-khai.pdf", pdf), ("cccd.png", b"\x89PNG\r\n\x1a\nimage")]).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("Đã nộp hồ sơ"));
    // The spooled files were moved into the store, under their hashes.
    assert_eq!(spooled(&f), 0);
    let sha = app::blobs::sha256_hex(pdf);
    let stored = f.dir.path().join("blobs").join(&sha[..2]).join(&sha[2..]);
    assert_eq!(std::fs::read(stored).unwrap(), pdf);
    let (_, page) = call(&f, "GET", "/api/v1/dossiers", Some(&lan), None).await;
    let d = &page["items"][0];
    assert_eq!((d["status"].as_str(), d["channel"].as_str()), (Some("registered"), Some("online")));
    let code = d["code"].as_str().unwrap();
    let (_, html) = page_get(&f, &format!("/ho-so/{code}"), &lan).await;
    assert!(html.contains("to-khai.pdf") && html.contains("cccd.png"), "{html}");
    let (s, body) = page_get(&f, &format!("/ho-so/{code}/tep/1"), &lan).await;
    assert_eq!((s, body.as_bytes()), (StatusCode::OK, &pdf[..]));
    let hoa = login(&f, "hoa").await;
    let (s, _) = page_get(&f, &format!("/ho-so/{code}/tep/1"), &hoa).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another commune cannot read the documents");
    // The province sees the dossier, but a citizen's documents only reach those who work on it.
    let so = login(&f, "lanhdao").await;
    let (s, _) = page_get(&f, &format!("/ho-so/{code}/tep/1"), &so).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, html) = page_get(&f, &format!("/ho-so/{code}"), &so).await;
    assert!(html.contains("*******888") && !html.contains("0905777888"), "masked for the province leader");
}

#[tokio::test]
async fn stats_follow_the_dossiers_within_scope() {
    let f = fixture();
    let lan = login(&f, "lan").await;
    for name in ["A", "B", "C"] {
        call(&f, "POST", "/api/v1/dossiers", Some(&lan), Some(&new_dossier(name))).await;
    }
    let (s, v) = call(&f, "GET", "/api/v1/stats", Some(&lan), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["unit"], "20242");
    assert_eq!(v["received"], json!({"total": 3, "online": 0, "direct": 3, "postal": 0}));
    assert_eq!(v["in_progress"]["total"], 3);
    assert_eq!(v["online_rate"], 0.0);
    let so = login(&f, "sotuphap").await;
    let (_, v) = call(&f, "GET", "/api/v1/stats?unit=48", Some(&so), None).await;
    assert_eq!(v["received"]["total"], 3);
    let hoa = login(&f, "hoa").await;
    let (s, _) = call(&f, "GET", "/api/v1/stats?unit=20242", Some(&hoa), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = call(&f, "GET", "/api/v1/stats?from=2026-13-01", Some(&lan), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_date")));
}

#[tokio::test]
async fn the_dashboard_shows_a_province_its_communes_and_no_one_else() {
    let f = fixture();
    let lan = login(&f, "lan").await;
    call(&f, "POST", "/api/v1/dossiers", Some(&lan), Some(&new_dossier("A"))).await;
    let so = login(&f, "sotuphap").await;
    let (s, html) = page_get(&f, "/bang-dieu-hanh", &so).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Thành phố Đà Nẵng") && html.contains("Xếp hạng xã, phường"), "{html}");
    assert!(html.contains("<svg") && html.contains("bang-dieu-hanh?unit=20242"), "map and drill-down links");
    let (s, html) = page_get(&f, "/bang-dieu-hanh", &lan).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Phường Hải Châu") && !html.contains("Xếp hạng xã, phường"));
    let (s, _) = page_get(&f, "/bang-dieu-hanh?unit=48", &lan).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a commune does not see the province's figures");
}

#[tokio::test]
async fn the_nation_sees_its_provinces_ranked_down_to_a_commune_and_no_citizen() {
    let f = fixture();
    f.app.accounts().add_user("quocgia", Role::NationalLeader, "VN", "mat-khau-dai", None).unwrap();
    let lan = login(&f, "lan").await;
    let (_, d) = call(&f, "POST", "/api/v1/dossiers", Some(&lan), Some(&new_dossier("Nguyễn Thị Ánh"))).await;
    let code = d["code"].as_str().unwrap().to_string();
    let qg = login(&f, "quocgia").await;
    // Its first page is the nation's dashboard: every province ranked, each a link down.
    let req = Request::builder()
        .uri("/")
        .header(header::COOKIE, format!("haicap_session={qg}"))
        .body(Body::empty())
        .unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.headers()[header::LOCATION], "/bang-dieu-hanh");
    let (s, html) = page_get(&f, "/bang-dieu-hanh", &qg).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Toàn quốc") && html.contains("Xếp hạng tỉnh, thành phố"), "{html}");
    assert!(html.contains("bang-dieu-hanh?unit=48") && html.contains("Thành phố Huế"), "{html}");
    assert!(html.contains("<b>1 / 3321</b> xã, phường có hồ sơ"), "the communes that worked: {html}");
    assert!(html.contains("Bảng điều hành toàn quốc") && !html.contains("Tiếp nhận hồ sơ</a>"), "its menu");
    let (s, html) = page_get(&f, "/bang-dieu-hanh?unit=48", &qg).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Xếp hạng xã, phường") && html.contains("↑ Toàn quốc"), "{html}");
    let (s, html) = page_get(&f, "/bang-dieu-hanh?unit=20242", &qg).await;
    assert!(s == StatusCode::OK && html.contains("↑ Thành phố Đà Nẵng"), "{html}");
    // The same over the API.
    let (s, v) = call(&f, "GET", "/api/v1/stats/units?unit=VN", Some(&qg), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 34);
    let danang = items.iter().find(|i| i["code"] == "48").unwrap();
    assert_eq!((danang["received"].as_i64(), danang["open"].as_i64()), (Some(1), Some(1)));
    let (_, v) = call(&f, "GET", "/api/v1/stats?unit=VN", Some(&qg), None).await;
    assert_eq!((v["unit_name"].as_str(), v["received"]["total"].as_i64()), (Some("Toàn quốc"), Some(1)));
    let (_, v) = call(&f, "GET", "/api/v1/stats/units?unit=48", Some(&qg), None).await;
    assert!(v["items"].as_array().unwrap().iter().any(|i| i["code"] == "20242" && i["received"] == 1), "{v}");
    // On a province's server the nation finds none of its citizens' dossiers.
    let (s, v) = call(&f, "GET", "/api/v1/dossiers", Some(&qg), None).await;
    assert_eq!((s, v["total"].as_i64()), (StatusCode::OK, Some(0)), "{v}");
    let (s, _) = call(&f, "GET", &format!("/api/v1/dossiers/{code}"), Some(&qg), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A province's leader ranks its communes, not the nation's provinces.
    let lanhdao = login(&f, "lanhdao").await;
    let (s, v) = call(&f, "GET", "/api/v1/stats/units?unit=VN", Some(&lanhdao), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("out_of_scope")));
    let (s, v) = call(&f, "GET", "/api/v1/stats/units", Some(&lanhdao), None).await;
    assert_eq!((s, v["items"].as_array().map(|i| i.len() > 90)), (StatusCode::OK, Some(true)), "{v}");
    let (s, _) = call(&f, "GET", "/api/v1/stats/units?unit=48", Some(&lan), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a commune does not rank its neighbours");
}

#[tokio::test]
async fn at_a_communes_node_proposals_are_read_and_filed_at_the_province() {
    let f = fixture();
    f.app.attach_upstream("https://tinh.example", "20242", "48").unwrap();
    let chutich = login(&f, "chutich").await;
    let (s, html) = page_get(&f, "/kien-nghi", &chutich).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("Gửi kiến nghị mới lên tỉnh"), "no form at the node");
    let new =
        json!({"title": "Thiếu biên chế", "category": "staff", "body": "Cần thêm 2 công chức"}).to_string();
    let (s, v) = call(&f, "POST", "/api/v1/proposals", Some(&chutich), Some(&new)).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("coordination_at_province")),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("https://tinh.example"), "{v}");
}

#[tokio::test]
async fn an_empty_date_is_refused_not_defaulted() {
    let f = fixture();
    let lan = login(&f, "lan").await;
    for uri in ["/api/v1/stats?to=", "/api/v1/stats?from=", "/api/v1/stats?from=2026-05-01&to=2026-04-01"] {
        let (s, v) = call(&f, "GET", uri, Some(&lan), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
    }
}

#[tokio::test]
async fn the_live_stream_tells_each_caller_of_its_own_changes() {
    use http_body_util::BodyExt;
    let f = fixture();
    let lan = login(&f, "lan").await;
    let hoa = login(&f, "hoa").await;
    let open_stream = |t: String| {
        let req = Request::builder()
            .uri("/api/v1/stream")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap();
        f.router.clone().oneshot(req)
    };
    let lan_stream = open_stream(lan.clone()).await.unwrap();
    let hoa_stream = open_stream(hoa.clone()).await.unwrap();
    assert_eq!(lan_stream.headers()[header::CONTENT_TYPE], "text/event-stream");
    let (_, d) = call(&f, "POST", "/api/v1/dossiers", Some(&lan), Some(&new_dossier("Live"))).await;
    let code = d["code"].as_str().unwrap().to_string();
    let mut body = lan_stream.into_body();
    let frame = tokio::time::timeout(std::time::Duration::from_secs(1), body.frame())
        .await
        .expect("an event within a second");
    let text = String::from_utf8(frame.unwrap().unwrap().into_data().unwrap().to_vec()).unwrap();
    assert!(text.contains("event: dossier") && text.contains(&code), "{text}");
    // Hòa Cường hears nothing of Hải Châu's dossier.
    let mut other = hoa_stream.into_body();
    assert!(tokio::time::timeout(std::time::Duration::from_millis(300), other.frame()).await.is_err());
}

#[tokio::test]
async fn the_assistant_answers_hands_off_and_shows_the_officers_answer() {
    let f = fixture();
    let ask = json!({"question": "lam giay khai sinh mat bao lau", "province_code": "48"}).to_string();
    let (s, v) = call(&f, "POST", "/api/v1/assistant/ask", None, Some(&ask)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["confident"].as_bool(), v["asks"].as_str()), (Some(true), Some("time")));
    assert_eq!(v["matches"][0]["code"], "1.001193");
    assert!(v["answer"].as_str().unwrap().contains("1.001193"));
    assert_eq!(v["handbook"], json!([]), "the handbook is for officers");
    let token = login(&f, "lan").await;
    let officer_q = json!({"question": "đăng ký khai sinh quá 60 ngày thì sao"}).to_string();
    let (_, v) = call(&f, "POST", "/api/v1/assistant/ask", Some(&token), Some(&officer_q)).await;
    assert!(!v["handbook"].as_array().unwrap().is_empty(), "{v}");

    let (s, v) = call(&f, "POST", "/api/v1/assistant/ask", None, Some(r#"{"question": "  "}"#)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_question")));

    let (s, h) = call(
        &f,
        "POST",
        "/api/v1/assistant/handoffs",
        None,
        Some(r#"{"question": "Hỏi về trợ cấp", "province_code": "48"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let code = h["code"].as_str().unwrap();
    let (s, _) = call(&f, "GET", "/api/v1/assistant/handoffs", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, list) = call(&f, "GET", "/api/v1/assistant/handoffs", Some(&token), None).await;
    assert_eq!(list["items"][0]["code"], code);
    let uri = format!("/api/v1/assistant/handoffs/{code}/answer");
    let (s, _) =
        call(&f, "POST", &uri, Some(&token), Some(r#"{"answer": "Mời anh/chị đến UBND xã."}"#)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, seen) = call(&f, "GET", &format!("/api/v1/assistant/handoffs/{code}"), None, None).await;
    assert_eq!((s, seen["answer"].as_str()), (StatusCode::OK, Some("Mời anh/chị đến UBND xã.")));
    let (_, page) = page_get(&f, &format!("/tro-ly/hoi-dap?code={code}"), "").await;
    assert!(page.contains("Mời anh/chị đến UBND xã."));

    let fb = json!({"question_id": 1, "helpful": false, "kind": "alias", "procedure_code": "1.001193", "text": "làm giấy cho em bé"});
    let (s, v) = call(&f, "POST", "/api/v1/assistant/feedback", None, Some(&fb.to_string())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) = call(&f, "GET", "/api/v1/assistant/suggestions", Some(&token), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only administrators review suggestions");
}

#[tokio::test]
async fn the_chat_page_answers_without_javascript_and_escapes_the_question() {
    let f = fixture();
    let req = Request::builder()
        .method("POST")
        .uri("/tro-ly/hoi")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("question=%3Cscript%3Ex%3C%2Fscript%3E+khai+sinh+o+dau&province=48"))
        .unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html =
        String::from_utf8(axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
    assert!(html.contains("1.001193"), "the answer is on the page");
    assert!(!html.contains("<script>x"), "escaped");
    assert!(html.contains("x&#60;/script&#62;") || html.contains("x&lt;/script&gt;"));
    let (s, js) = raw(&f, "GET", "/tro-ly/widget.js", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(js).unwrap().contains("/tro-ly?nhung=1"));
}

#[tokio::test]
async fn a_proposal_and_a_directive_travel_between_the_tiers_over_the_api() {
    use http_body_util::BodyExt;
    let f = fixture();
    let (chutich, lan, so, lanhdao) = (
        login(&f, "chutich").await,
        login(&f, "lan").await,
        login(&f, "sotuphap").await,
        login(&f, "lanhdao").await,
    );
    let new = json!({"title": "Hướng dẫn khai sinh khi cha mẹ ở hai phường", "category": "legal", "body": "Đề nghị hướng dẫn", "procedure_code": "1.001193"}).to_string();
    let (s, v) = call(&f, "POST", "/api/v1/proposals", Some(&lan), Some(&new)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("commune_leader_only")));
    let (s, v) = call(
        &f,
        "POST",
        "/api/v1/proposals",
        Some(&chutich),
        Some(r#"{"title":"x","category":"nhansu","body":"y"}"#),
    )
    .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_category")));

    // The department hears of it on the live stream the moment it is filed.
    let req = Request::builder()
        .uri("/api/v1/stream")
        .header(header::AUTHORIZATION, format!("Bearer {so}"))
        .body(Body::empty())
        .unwrap();
    let stream = f.router.clone().oneshot(req).await.unwrap();
    let (s, p) = call(&f, "POST", "/api/v1/proposals", Some(&chutich), Some(&new)).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["handler"], "STP", "civil status goes to the Department of Justice");
    let mut body = stream.into_body();
    let frame =
        tokio::time::timeout(std::time::Duration::from_secs(1), body.frame()).await.expect("an event");
    let text = String::from_utf8(frame.unwrap().unwrap().into_data().unwrap().to_vec()).unwrap();
    assert!(text.contains("event: proposal") && text.contains(&format!("\"id\":{id}")), "{text}");

    let (s, l) = call(&f, "GET", "/api/v1/proposals", Some(&so), None).await;
    assert_eq!((s, l["total"].as_i64()), (StatusCode::OK, Some(1)));
    let (_, l) = call(&f, "GET", "/api/v1/proposals", Some(&login(&f, "hoa").await), None).await;
    assert_eq!(l["total"], 0, "another commune sees nothing");
    let (s, _) =
        call(&f, "GET", &format!("/api/v1/proposals/{id}"), Some(&login(&f, "hoa").await), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = call(&f, "GET", "/api/v1/proposals/abc", Some(&so), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("proposal_not_found")));
    let answer = json!({"body": "Đăng ký tại nơi cư trú của cha hoặc mẹ"}).to_string();
    let (s, d) =
        call(&f, "POST", &format!("/api/v1/proposals/{id}/responses"), Some(&so), Some(&answer)).await;
    assert_eq!((s, d["status"].as_str()), (StatusCode::CREATED, Some("answered")), "{d}");
    let (s, d) =
        call(&f, "POST", &format!("/api/v1/proposals/{id}/responses"), Some(&so), Some(&answer)).await;
    assert_eq!((s, d["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")));
    let (_, sum) = call(&f, "GET", "/api/v1/proposals/summary", Some(&lanhdao), None).await;
    assert_eq!(sum["total"]["answered"], 1);

    let task = json!({"title": "Báo cáo trụ sở dôi dư", "body": "Gửi danh sách", "due_date": "31/12/2099", "commune_codes": ["20242", "20257"]}).to_string();
    let (s, _) = call(&f, "POST", "/api/v1/directives", Some(&chutich), Some(&task)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, d) = call(&f, "POST", "/api/v1/directives", Some(&lanhdao), Some(&task)).await;
    assert_eq!((s, d["targets"].as_i64()), (StatusCode::CREATED, Some(2)), "{d}");
    let did = d["id"].as_i64().unwrap();
    let report = json!({"status": "done", "body": "Đã gửi"}).to_string();
    let (s, r) =
        call(&f, "POST", &format!("/api/v1/directives/{did}/reports"), Some(&lan), Some(&report)).await;
    assert_eq!((s, r["tasks"][0]["status"].as_str()), (StatusCode::CREATED, Some("done")), "{r}");
    let (_, view) = call(&f, "GET", &format!("/api/v1/directives/{did}"), Some(&lanhdao), None).await;
    assert_eq!((view["done"].as_i64(), view["tasks"].as_array().map(Vec::len)), (Some(1), Some(2)));

    let (s, w) = call(&f, "GET", "/api/v1/staff/workload?unit=20242", Some(&lanhdao), None).await;
    assert_eq!((s, w["headcount"].as_i64()), (StatusCode::OK, Some(4)), "{w}");
    let (s, _) =
        call(&f, "GET", "/api/v1/staff/workload?unit=20242", Some(&login(&f, "hoa").await), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The pages show the same, each to its own.
    let (s, html) = page_get(&f, "/kien-nghi", &chutich).await;
    assert!(s.is_success() && html.contains("Hướng dẫn khai sinh") && html.contains("Đã trả lời"), "{html}");
    let (s, html) = page_get(&f, &format!("/kien-nghi/{id}"), &chutich).await;
    assert!(
        s.is_success() && html.contains("Đăng ký tại nơi cư trú") && html.contains("Xác nhận đã giải quyết")
    );
    let (s, html) = page_get(&f, &format!("/chi-dao/{did}"), &lanhdao).await;
    assert!(s.is_success() && html.contains("Hoàn thành") && html.contains("Chưa báo cáo"));
    let (s, html) = page_get(&f, "/can-bo/so-sanh", &lanhdao).await;
    assert!(s.is_success() && html.contains("Phường Hải Châu"));
}

#[tokio::test]
async fn the_service_index_its_drill_down_and_the_period_report() {
    let f = fixture();
    let lan = login(&f, "lan").await;
    for name in ["A", "B", "C"] {
        call(&f, "POST", "/api/v1/dossiers", Some(&lan), Some(&new_dossier(name))).await;
    }
    let (s, v) = call(&f, "GET", "/api/v1/service-index", Some(&lan), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["version"], "766-2022.1");
    assert_eq!(v["groups"].as_array().unwrap().len(), 5);
    let online = v["indicators"].as_array().unwrap().iter().find(|i| i["code"] == "3.2").unwrap().clone();
    assert_eq!((online["numerator"].as_u64(), online["denominator"].as_u64()), (Some(0), Some(3)));
    assert_eq!(online["behind"], "not_online");
    let (s, v) = call(&f, "GET", "/api/v1/service-index?version=2030", Some(&lan), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_index_version")));
    let (s, _) = call(&f, "GET", "/api/v1/service-index?unit=20257", Some(&lan), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The dossiers behind the online indicator: the three received at the desk.
    let (s, v) = call(&f, "GET", "/api/v1/dossiers?behind=not_online", Some(&lan), None).await;
    assert_eq!((s, v["total"].as_i64()), (StatusCode::OK, Some(3)), "{v}");
    let (s, v) = call(&f, "GET", "/api/v1/dossiers?behind=resolved_late", Some(&lan), None).await;
    assert_eq!((s, v["total"].as_i64()), (StatusCode::OK, Some(0)));
    let (s, v) = call(&f, "GET", "/api/v1/dossiers?to=", Some(&lan), None).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_date")),
        "found by schemathesis"
    );
    let (s, v) = call(&f, "POST", "/api/v1/alerts/null,null/read", Some(&lan), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("alert_not_found")));
    let (s, v) = call(&f, "GET", "/api/v1/dossiers?behind=everything", Some(&lan), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_behind")));
    let (_, html) = page_get(&f, "/?behind=not_online", &lan).await;
    assert!(
        html.contains("Hồ sơ tiếp nhận trực tiếp hoặc qua bưu chính") && html.contains("<small>3 hồ sơ"),
        "{html}"
    );
    let (s, html) = page_get(&f, "/chi-so-phuc-vu", &lan).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Số hóa hồ sơ") && html.contains("behind=not_online"), "{html}");
    // Trend and per-procedure figures.
    let (_, v) = call(&f, "GET", "/api/v1/stats/trend", Some(&lan), None).await;
    let received: i64 =
        v["points"].as_array().unwrap().iter().map(|p| p["received_direct"].as_i64().unwrap()).sum();
    assert_eq!((v["step"].as_str(), received), (Some("day"), 3));
    let (_, v) = call(&f, "GET", "/api/v1/stats/procedures", Some(&lan), None).await;
    assert_eq!(v["items"][0]["received"], 3, "{v}");
    // The report: a workbook for the province with its four sheets, a CSV summary for the commune.
    let so = login(&f, "sotuphap").await;
    let (s, bytes) = raw(&f, "GET", "/api/v1/reports?unit=48&format=xlsx", Some(&so), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip (xlsx)");
    let names = String::from_utf8_lossy(&bytes);
    assert!(names.contains("xl/worksheets/sheet4.xml") && !names.contains("sheet5.xml"));
    let (s, bytes) = raw(&f, "GET", "/api/v1/reports?format=csv&kind=summary", Some(&lan), None).await;
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(s, StatusCode::OK);
    assert!(text.starts_with('\u{feff}') && text.contains("Hồ sơ tiếp nhận,3"), "{text}");
    let (s, v) = call(&f, "GET", "/api/v1/reports?format=pdf", Some(&lan), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("unknown_format")));
    // The register printed (Form 07).
    let (s, bytes) = raw(&f, "GET", "/api/v1/reports?format=pdf&kind=register", Some(&lan), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(bytes.starts_with(b"%PDF-") && bytes.windows(10).any(|w| w == b"pdfaid:par"), "a PDF/A file");
    let (s, _) = raw(&f, "GET", "/api/v1/reports?unit=48&format=xlsx", Some(&lan), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a commune cannot export the province");
    // A period of more than a year is asked year by year (the file is streamed, not held).
    let (s, v) = call(
        &f,
        "GET",
        "/api/v1/reports?from=2024-01-01&to=2026-01-01&kind=register&format=csv",
        Some(&lan),
        None,
    )
    .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("period_too_long")));
    let (s, v) =
        call(&f, "GET", "/api/v1/assistant/usage?from=2024-01-01&to=2026-01-01", Some(&lan), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("period_too_long")));
}

#[tokio::test]
async fn alerts_reach_their_owner_only_and_can_be_marked_read() {
    let dir = tempfile::tempdir().unwrap();
    let url = store::DbUrl::Sqlite(dir.path().join("h.db"));
    let start = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let (t, clock) = app::simulation::hand_clock(start);
    let app = Arc::new(App::open(&url, calendar::WorkCalendar::default(), clock).unwrap());
    for (name, role) in [("lan", Role::Specialist), ("chutich", Role::CommuneLeader), ("hoa", Role::Officer)]
    {
        app.accounts().add_user(name, role, "20242", "mat-khau-dai", None).unwrap();
    }
    let web = Arc::new(web::Web::new(app.clone(), false));
    let f = Fixture { dir, router: web::router(web.clone()), app: app.clone(), web: web.clone() };
    let lan = login(&f, "lan").await;
    let hoa = login(&f, "hoa").await;
    let (_, v) = call(&f, "POST", "/api/v1/dossiers", Some(&hoa), Some(&new_dossier("A"))).await;
    let code = v["code"].as_str().unwrap().to_string();
    let (s, v) = call(
        &f,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(&lan),
        Some(r#"{"action":"assign","to":"lan"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let due = app.dossiers().dossier(&code, &app::Actor::console("t")).unwrap().due_at.unwrap();
    t.store((due + chrono::Duration::hours(1)).and_utc().timestamp(), std::sync::atomic::Ordering::SeqCst);
    let mut rx = web.notices.subscribe();
    for a in app.alerts().raise_alerts(&app::alerts::Senders::default()).unwrap() {
        web.announce(web::live::Notice::alert(&a));
    }
    let mut told = vec![rx.recv().await.unwrap().user, rx.recv().await.unwrap().user];
    told.sort();
    assert_eq!(
        told,
        [Some("chutich".to_string()), Some("lan".to_string())],
        "each alert names its one owner"
    );
    let lan = login(&f, "lan").await; // the morning's session has expired
    let (s, v) = call(&f, "GET", "/api/v1/alerts?unread=true", Some(&lan), None).await;
    assert_eq!(s, StatusCode::OK);
    let items = v["items"].as_array().unwrap();
    assert_eq!(
        (items.len(), items[0]["kind"].as_str(), items[0]["dossier_code"].as_str()),
        (1, Some("overdue"), Some(code.as_str()))
    );
    let id = items[0]["id"].as_i64().unwrap();
    let hoa = login(&f, "hoa").await;
    let (_, v) = call(&f, "GET", "/api/v1/alerts", Some(&hoa), None).await;
    assert_eq!(v["items"], json!([]), "the desk officer was neither assignee nor leader");
    let (s, v) = call(&f, "POST", &format!("/api/v1/alerts/{id}/read"), Some(&hoa), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("alert_not_found")));
    let (_, html) = page_get(&f, "/canh-bao", &lan).await;
    assert!(html.contains("1 chưa đọc") && html.contains(&code), "{html}");
    let (s, _) = call(&f, "POST", &format!("/api/v1/alerts/{id}/read"), Some(&lan), None).await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = call(&f, "GET", "/api/v1/alerts?unread=true", Some(&lan), None).await;
    assert_eq!(v["items"], json!([]));
}

/// A POST of a new dossier with an `Idempotency-Key`.
async fn create_with_key(
    f: &Fixture,
    token: &str,
    key: &str,
    body: &str,
) -> (StatusCode, Option<String>, Value) {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/dossiers")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key)
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let replayed = res.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await.unwrap();
    (status, replayed, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_intake_sent_again_under_its_key_files_one_dossier() {
    let f = fixture();
    let (lan, hoa) = (login(&f, "lan").await, login(&f, "hoa").await);
    let key = "6f1c2a9e-0d4b-4e57-9a53-1f0a3c2b7d11";
    let (s, replayed, first) = create_with_key(&f, &lan, key, &new_dossier("Lê Văn Một")).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, None), "{first}");
    // The answer was lost; the client sends the same request again: the same dossier, said so.
    let (s, replayed, again) = create_with_key(&f, &lan, key, &new_dossier("Lê Văn Một")).await;
    assert_eq!((s, replayed.as_deref()), (StatusCode::CREATED, Some("true")), "{again}");
    assert_eq!(again["code"], first["code"]);
    let (_, list) = call(&f, "GET", "/api/v1/dossiers", Some(&lan), None).await;
    assert_eq!(list["total"], 1, "{list}");
    // Another intake under another key is another dossier; the key is the officer's own:
    // another officer's intake under the same key neither collides nor sees the first.
    let (s, _, second) = create_with_key(&f, &lan, "another-key-0002", &new_dossier("Lê Văn Hai")).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_ne!(second["code"], first["code"]);
    let other = json!({
        "procedure_code": "1.004873", "channel": "direct",
        "applicant": {"full_name": "Trần Thị Ba", "address": "3 Núi Thành, Hòa Cường, Đà Nẵng"}
    })
    .to_string();
    let (s, replayed, theirs) = create_with_key(&f, &hoa, key, &other).await;
    assert_eq!((s, replayed), (StatusCode::CREATED, None), "{theirs}");
    assert_ne!(theirs["code"], first["code"]);
    // A key that cannot name an intake is refused, and nothing is filed.
    for bad in ["short", "có dấu và khoảng trắng", &"x".repeat(129)] {
        let (s, _, v) = create_with_key(&f, &lan, bad, &new_dossier("Lê Văn Bốn")).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_intake_key")),
            "{bad}"
        );
    }
    let (_, list) = call(&f, "GET", "/api/v1/dossiers", Some(&lan), None).await;
    assert_eq!(list["total"], 2, "{list}");
}

#[tokio::test]
async fn the_intake_form_sent_twice_files_one_dossier() {
    let f = fixture();
    let t = login(&f, "lan").await;
    let (s, page) = page_get(&f, "/ho-so/moi", &t).await;
    assert_eq!(s, StatusCode::OK);
    let hidden = |name: &str| {
        let at = page.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        page[at..at + page[at..].find('"').unwrap()].to_string()
    };
    let (csrf, key) = (hidden("csrf"), hidden("intake_key"));
    assert_eq!(key.len(), 32, "a fresh random key on each form");
    let post = || {
        let body = format!(
            "csrf={csrf}&intake_key={key}&procedure_code=1.004873&channel=direct&full_name=L%C3%AA+V%C4%83n+N%C4%83m&address=5+Tr%E1%BA%A7n+Ph%C3%BA%2C+H%E1%BA%A3i+Ch%C3%A2u%2C+%C4%90%C3%A0+N%E1%BA%B5ng"
        );
        Request::builder()
            .method("POST")
            .uri("/ho-so/moi")
            .header(header::COOKIE, format!("haicap_session={t}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    // A double click: both go to the same receipt.
    let a = f.router.clone().oneshot(post()).await.unwrap();
    let b = f.router.clone().oneshot(post()).await.unwrap();
    assert_eq!((a.status(), b.status()), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
    assert_eq!(a.headers()[header::LOCATION], b.headers()[header::LOCATION]);
    let (_, list) = call(&f, "GET", "/api/v1/dossiers", Some(&t), None).await;
    assert_eq!(list["total"], 1, "{list}");
    // The next form has a key of its own.
    let (_, next) = page_get(&f, "/ho-so/moi", &t).await;
    assert!(!next.contains(&key));
}

#[tokio::test]
async fn a_procedures_page_tells_citizens_its_source_without_compilers_notes() {
    let f = fixture();
    // Birth registration: the catalog's summary carries a compiler's note ("Cổng DVCQG ghi '1'").
    let (s, page) = page_get(&f, "/thu-tuc/1.001193", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Nguồn: theo Cổng Dịch vụ công quốc gia, cập nhật 06/2026"), "{page}");
    assert!(
        page.contains("href=\"https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd"),
        "the record's own page"
    );
    assert!(page.contains("hồ sơ nhận sau 15 giờ"), "the same-day cut-off, in plain words");
    for note in ["DVCQG ghi", "không hiển thị", "crawl"] {
        assert!(!page.contains(note), "{note}");
    }
    // Adoption: its conditions, without the compiler's "(Cổng DVCQG)"; birth registration
    // has none, and says nothing of them.
    assert!(!page.contains("Điều kiện, yêu cầu"));
    let (_, adoption) = page_get(&f, "/thu-tuc/2.001263", "").await;
    assert!(adoption.contains("<h2>Điều kiện, yêu cầu</h2>"), "{adoption}");
    assert!(adoption.contains("hơn con nuôi từ 20 tuổi trở lên"));
    assert!(!adoption.contains("DVCQG"));
}

#[tokio::test]
async fn a_communes_own_procedures_come_first_in_search_and_at_its_intake() {
    let f = fixture();
    let (_, all) = call(&f, "GET", "/api/v1/procedures", None, None).await;
    let last = all.as_array().unwrap().last().unwrap()["code"].as_str().unwrap().to_string();
    f.app.import_offers("20242", &format!("{{\"ten_thu_tuc\": \"x\", \"ma_thu_tuc\": \"{last}\"}}")).unwrap();
    let (s, mine) = call(&f, "GET", "/api/v1/procedures?commune=20242", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine[0]["code"], last.as_str());
    assert_eq!(mine.as_array().unwrap().len(), all.as_array().unwrap().len(), "ordered, not restricted");
    let (_, other) = call(&f, "GET", "/api/v1/procedures?commune=20257", None, None).await;
    assert_eq!(other[0], all[0]);
    // The desk of Hải Châu sees it first among the intake's choices.
    let lan = login(&f, "lan").await;
    let (s, page) = page_get(&f, "/ho-so/moi", &lan).await;
    assert_eq!(s, StatusCode::OK);
    let marker = "name=\"procedure_code\" value=\"";
    let first_choice = page.find(marker).map(|i| &page[i + marker.len()..]).and_then(|r| r.split('"').next());
    assert_eq!(first_choice, Some(last.as_str()), "{}", &page[..page.len().min(400)]);
}

#[tokio::test]
async fn the_catalog_is_browsed_by_field_and_level_a_page_at_a_time() {
    let f = fixture();
    let (_, all) = call(&f, "GET", "/api/v1/procedures", None, None).await;
    let all = all.as_array().unwrap().clone();
    let (s, civil) = call(&f, "GET", "/api/v1/procedures?field=H%E1%BB%99%20t%E1%BB%8Bch", None, None).await;
    assert_eq!(s, StatusCode::OK);
    let civil = civil.as_array().unwrap();
    assert!(!civil.is_empty() && civil.len() < all.len());
    assert!(civil.iter().all(|p| p["field"] == "Hộ tịch"));
    let (_, province) = call(&f, "GET", "/api/v1/procedures?level=province", None, None).await;
    let province = province.as_array().unwrap();
    assert!(!province.is_empty());
    assert!(province
        .iter()
        .all(|p| ["province", "commune_and_province"].contains(&p["level"].as_str().unwrap())));
    let (s, v) = call(&f, "GET", "/api/v1/procedures?level=district", None, None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    // The page: 50 a page, the filters kept in the next page's link.
    let (s, page) = page_get(&f, "/thu-tuc?page=2", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("{} thủ tục · trang 2/{}", all.len(), all.len().div_ceil(50))), "{page}");
    let (_, page) = page_get(&f, "/thu-tuc?field=H%E1%BB%99+t%E1%BB%8Bch&level=commune", "").await;
    assert!(page.contains("selected>Hộ tịch ("), "the field chosen stays chosen");
    assert!(page.contains(" · Cấp xã</small>") && !page.contains(" · Cấp tỉnh</small>"), "{page}");
}

async fn post_bytes(f: &Fixture, uri: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/pdf")
        .body(Body::from(bytes))
        .unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let b = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap();
    let v = serde_json::from_slice(&b).unwrap_or(Value::Null);
    if let Err(e) = super::contract::conforms("POST", uri, status.as_u16(), &v) {
        panic!("the answer is not what the API's description says: {e}");
    }
    (status, v)
}

#[tokio::test]
async fn the_papers_download_as_pdf_a_and_a_result_is_signed_only_by_the_leader_with_a_token() {
    let f = fixture();
    let t = login(&f, "lan").await;
    let (_, d) =
        call(&f, "POST", "/api/v1/dossiers", Some(&t), Some(&new_dossier("Nguyễn Thị Ánh Tuyết"))).await;
    let code = d["code"].as_str().unwrap().to_string();

    // Form 01 in the browser (with the PIN, for the desk) and as PDF/A.
    let (s, html) = page_get(&f, &format!("/ho-so/{code}/mau/1"), &t).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") && html.contains("id=\"pin\""),
        "{html}"
    );
    let req = Request::builder()
        .uri(format!("/ho-so/{code}/mau/1/pdf"))
        .header(header::COOKIE, format!("haicap_session={t}"))
        .body(Body::empty())
        .unwrap();
    let res = f.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    let disposition = res.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().to_string();
    assert_eq!(disposition, format!("attachment; filename=\"{code}-mau-01.pdf\""));
    let pdf = axum::body::to_bytes(res.into_body(), 10 << 20).await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.windows(10).any(|w| w == b"pdfaid:par"), "PDF/A identification in the XMP");
    // A form the dossier has no reason for, and a form that does not exist.
    let (s, html) = page_get(&f, &format!("/ho-so/{code}/mau/3/pdf"), &t).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{html}");
    assert!(html.contains("hồ sơ không bị từ chối"));
    assert_eq!(page_get(&f, &format!("/ho-so/{code}/mau/9/pdf"), &t).await.0, StatusCode::NOT_FOUND);

    // Anyone may check a file: an unsigned one is no signed result, junk is refused plainly.
    let (s, v) = post_bytes(&f, "/api/v1/results/verify", pdf).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["valid"].as_bool(), v["signatures"].as_array().map(Vec::len)), (Some(false), Some(0)));
    let (s, v) = post_bytes(&f, "/api/v1/results/verify", b"%PDF-1.7 not really".to_vec()).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("pdf_unreadable")));

    // Signing: only the leader, only once decided, and this server has no token configured.
    let leader = login(&f, "chutich").await;
    let sign = format!("/api/v1/dossiers/{code}/result/sign");
    let (s, v) = call(&f, "POST", &sign, Some(&leader), Some(r#"{"pin":"1234"}"#)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")));
    let (s, _) = call(
        &f,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(&leader),
        Some(r#"{"action":"approve"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Approved: its result is a certificate (Giấy xác nhận tình trạng hôn nhân), to be signed
    // and sealed before the citizen can have it.
    let (_, v) = call(&f, "GET", &format!("/api/v1/dossiers/{code}"), Some(&t), None).await;
    assert_eq!(v["result"], json!({"signed": false, "seal_required": true, "sealed": false, "ready": false}));
    let (s, v) = call(&f, "POST", &sign, Some(&t), Some(r#"{"pin":"1234"}"#)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("action_not_permitted")));
    let (s, v) = call(&f, "POST", &sign, Some(&leader), Some(r#"{"pin":""}"#)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("missing_pin")));
    let (s, v) = call(&f, "POST", &sign, Some(&leader), Some(r#"{"pin":"1234"}"#)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("signing_not_configured")));
    let (s, v) = call(
        &f,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(&leader),
        Some(r#"{"action":"sign_result"}"#),
    )
    .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("sign_with_token")));
    let (s, v) = call(&f, "GET", &format!("/api/v1/dossiers/{code}/result"), Some(&t), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("no_signed_result")));
    // The agency's seal: the desk of the handling unit, after the leader's signature only.
    let seal = format!("/api/v1/dossiers/{code}/result/seal");
    let (s, v) = call(&f, "POST", &seal, Some(&leader), Some(r#"{"pin":"1234"}"#)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("action_not_permitted")));
    let (s, v) = call(&f, "POST", &seal, Some(&t), Some(r#"{"pin":"1234"}"#)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("nothing_to_sign")));
    let (s, v) = call(&f, "POST", &seal, Some(&t), Some(r#"{"pin":"1234","extra":1}"#)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = call(
        &f,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(&t),
        Some(r#"{"action":"seal_result"}"#),
    )
    .await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("sign_with_token")));
    // The leader reads the draft before signing; the dossier page offers the PIN field.
    let (s, _) = page_get(&f, &format!("/ho-so/{code}/ket-qua/ban-du-thao"), &leader).await;
    assert_eq!(s, StatusCode::OK);
    let (_, html) = page_get(&f, &format!("/ho-so/{code}"), &leader).await;
    assert!(html.contains("/ky-so") && html.contains("name=\"pin\""), "{html}");
}

/// A commune's node presents the token `haicap node add` gave it; a session's token, a
/// guess or a revoked node's token opens nothing.
#[tokio::test]
async fn a_node_is_known_by_its_token_until_it_is_revoked() {
    let f = fixture();
    let (_, token) = f.app.add_node("20242").unwrap();
    let (s, v) = call(&f, "GET", "/api/v1/node", Some(&token), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["commune_code"].as_str(), v["province_code"].as_str()), (Some("20242"), Some("48")));
    assert_eq!(v["commune_name"], "Phường Hải Châu");
    let lan = login(&f, "lan").await;
    for other in [None, Some(lan.as_str()), Some("hcn_0000")] {
        let (s, v) = call(&f, "GET", "/api/v1/node", other, None).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    }
    // What a node sends: its token first, then a body it may send.
    let empty = r#"{"dossiers": []}"#;
    let (s, v) = call(&f, "POST", "/api/v1/node/push", Some(&token), Some(empty)).await;
    assert_eq!((s, &v["taken"]), (StatusCode::OK, &serde_json::json!([])), "{v}");
    let (s, v) = call(&f, "POST", "/api/v1/node/push", Some(&lan), Some(empty)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
    let odd = r#"{"dossiers": [], "extra": 1}"#;
    let (s, v) = call(&f, "POST", "/api/v1/node/push", Some(&token), Some(odd)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_field")), "{v}");
    let hashes = format!(r#"{{"hashes": ["{}", "nope"]}}"#, "a".repeat(64));
    let (s, v) = call(&f, "POST", "/api/v1/node/documents/missing", Some(&token), Some(&hashes)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let hashes = format!(r#"{{"hashes": ["{}"]}}"#, "a".repeat(64));
    let (s, v) = call(&f, "POST", "/api/v1/node/documents/missing", Some(&token), Some(&hashes)).await;
    assert_eq!((s, &v["missing"]), (StatusCode::OK, &serde_json::json!(["a".repeat(64)])), "{v}");
    // An online dossier for the commune is handed down with the pull; its document is the
    // node's to fetch, no other.
    let req = app::IntakeRequest {
        procedure_code: "1.004873".into(),
        channel: domain::Channel::Online,
        commune_code: Some("20242".into()),
        applicant: app::Applicant { full_name: "Lê Văn Trực".into(), ..Default::default() },
    };
    let online =
        f.app.dossiers().submit_online(&req, &[app::blobs::Upload::new("don.pdf", "%PDF-1.4 đơn")]).unwrap();
    let (s, v) = call(&f, "GET", "/api/v1/node/pull", Some(&token), None).await;
    assert_eq!(
        (s, v["handed_down"][0]["code"].as_str()),
        (StatusCode::OK, Some(online.code.as_str())),
        "{v}"
    );
    let sha = v["handed_down"][0]["documents"][0]["sha256"].as_str().unwrap().to_string();
    let (s, bytes) = raw(&f, "GET", &format!("/api/v1/node/documents/{sha}"), Some(&token), None).await;
    assert_eq!((s, bytes), (StatusCode::OK, "%PDF-1.4 đơn".as_bytes().to_vec()));
    let (s, v) =
        call(&f, "GET", &format!("/api/v1/node/documents/{}", "b".repeat(64)), Some(&token), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("attachment_not_found")));
    let (s, _) = call(&f, "GET", &format!("/api/v1/node/documents/{sha}"), Some(&lan), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "an officer's session is no node's token");
    // The province's administrators see its nodes; a commune's its own; an officer none.
    f.app.add_node("20257").unwrap();
    f.app.accounts().add_user("quantri.tinh", Role::Admin, "48", "mat-khau-dai", None).unwrap();
    let province_admin = login(&f, "quantri.tinh").await;
    let (s, v) = call(&f, "GET", "/api/v1/nodes", Some(&province_admin), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let communes: Vec<&str> =
        v["items"].as_array().unwrap().iter().map(|n| n["commune_code"].as_str().unwrap()).collect();
    assert_eq!(communes, ["20242", "20257"]);
    assert_eq!(v["items"][0]["commune_name"], "Phường Hải Châu");
    let commune_admin = login(&f, "quantri").await;
    let (_, v) = call(&f, "GET", "/api/v1/nodes", Some(&commune_admin), None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");
    let (s, v) = call(&f, "GET", "/api/v1/nodes", Some(&lan), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("admin_only")));
    f.app.revoke_node("20242").unwrap();
    let (s, v) = call(&f, "GET", "/api/v1/node", Some(&token), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("node_revoked")));
    let (s, v) = call(&f, "POST", "/api/v1/node/push", Some(&token), Some(empty)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("node_revoked")));
}

#[tokio::test]
async fn a_nodes_push_reaches_the_provinces_live_stream() {
    let f = fixture();
    let (_, token) = f.app.add_node("20242").unwrap();
    // The commune's node, with a dossier received while offline.
    let node_dir = tempfile::tempdir().unwrap();
    let node = App::open(
        &store::DbUrl::Sqlite(node_dir.path().join("xa.db")),
        calendar::WorkCalendar::default(),
        Arc::new(app::vietnam_now),
    )
    .unwrap()
    .with_places(app::Places::in_dir(node_dir.path()));
    node.attach_upstream("https://tinh.example", "20242", "48").unwrap();
    let req = app::IntakeRequest {
        procedure_code: "1.004873".into(),
        channel: domain::Channel::Direct,
        commune_code: Some("20242".into()),
        applicant: app::Applicant { full_name: "Trần Văn An".into(), ..app::Applicant::default() },
    };
    let d = node.dossiers().receive(&req, &app::Actor::console("motcua")).unwrap();
    let push = serde_json::to_string(&node.pending_push(10).unwrap()).unwrap();
    let mut live = f.web.changes.subscribe();
    let (s, v) = call(&f, "POST", "/api/v1/node/push", Some(&token), Some(&push)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["taken"][0]["new"], d.event_count, "{v}");
    let change = live.try_recv().expect("the province's stream is told");
    assert_eq!((change.code.as_str(), change.receiving_unit.as_str()), (d.code.as_str(), "20242"));
    // Delivered again: nothing new, nothing told.
    let (s, _) = call(&f, "POST", "/api/v1/node/push", Some(&token), Some(&push)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(live.try_recv().is_err());
}

#[tokio::test]
async fn only_the_national_instance_takes_a_provinces_feed_and_tells_its_stream() {
    let f = fixture();
    let (_, token) = f.app.add_node("48").unwrap();
    let feed = r#"{"dossiers":[{"code":"20242-261207-0001","province_code":"48","receiving_unit":"20242",
        "handling_unit":"20242","procedure_code":"1.004873","procedure_version":1,"channel":1,"status":2,
        "registered_at":"2026-12-07T08:00:00","received_at":"2026-12-07T08:00:00","due_at":null,
        "finished_at":null,"verdict":null,"event_count":2,"updated_at":"2026-12-07T08:00:00"}]}"#;
    let (s, v) = call(&f, "POST", "/api/v1/national/feed", Some(&token), Some(feed)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_national")));

    let web = Arc::new(web::Web::new(f.app.clone(), false).as_national(true));
    let nation = Fixture {
        dir: tempfile::tempdir().unwrap(),
        router: web::router(web.clone()),
        app: f.app.clone(),
        web,
    };
    let mut live = nation.web.changes.subscribe();
    let (s, v) = call(&nation, "POST", "/api/v1/national/feed", Some(&token), Some(feed)).await;
    assert_eq!((s, &v["dossiers"]), (StatusCode::OK, &serde_json::json!(1)), "{v}");
    let change = live.try_recv().expect("the nation's stream is told");
    assert_eq!(
        (change.code.as_str(), change.province_code.as_str(), change.portal_status),
        ("20242-261207-0001", "48", 2)
    );
    // Again: not newer, nothing taken, nothing told.
    let (_, v) = call(&nation, "POST", "/api/v1/national/feed", Some(&token), Some(feed)).await;
    assert_eq!(v["dossiers"], 0);
    assert!(live.try_recv().is_err());
    // A commune's node feeds nothing.
    let (_, commune) = f.app.add_node("20242").unwrap();
    let (s, v) = call(&nation, "POST", "/api/v1/national/feed", Some(&commune), Some(feed)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("replication_writer")));
}
