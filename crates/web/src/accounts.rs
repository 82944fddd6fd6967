//! Signing in and out, over the API and the pages. Signing in is a public route (rate-limited
//! per client, throttled per account in the database).

use crate::auth::{client_ip, cookie, session_cookie, Caller, NoFields, SignedForm};
use crate::error::ErrorAnswer;
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::view::{page_error, render, UserBar};
use crate::Routes;
use crate::{blocking, Web};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Json;
use errors::Code;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// Tries at a password: limited per client (and throttled per account in the database).
pub fn limited_routes() -> Routes {
    Routes::default().routes(routes!(api_login)).route("/dang-nhap", post(login))
}

pub fn open_routes() -> Routes {
    Routes::default().route("/dang-nhap", get(login_page))
}

pub fn staff_routes() -> Routes {
    Routes::default().routes(routes!(api_logout)).route("/dang-xuat", post(logout))
}

/// An account's name and password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LoginRequest)]
struct Login {
    username: String,
    password: String,
}

/// The signed-in account.
#[derive(Serialize, ToSchema)]
#[schema(as = Account)]
struct AccountAnswer {
    username: String,
    role: domain::roles::Role,
    /// The commune's, the province's or the nation's (VN) code.
    unit_code: String,
    full_name: Option<String>,
}

/// A session: its token goes in `Authorization: Bearer …`.
#[derive(Serialize, ToSchema)]
#[schema(as = LoginResponse)]
struct LoginAnswer {
    token: String,
    expires_at: chrono::NaiveDateTime,
    user: AccountAnswer,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts",
    summary = "Đăng nhập, nhận mã phiên",
    request_body = Login,
    responses(
        (status = 200, description = "Phiên đăng nhập", body = LoginAnswer),
        (status = 401, description = "Sai tên đăng nhập hoặc mật khẩu (invalid_credentials)", body = ErrorAnswer),
    ))]
async fn api_login(
    State(web): State<Arc<Web>>,
    parts: axum::http::request::Parts,
    Body(b): Body<Login>,
) -> ApiResult<Json<LoginAnswer>> {
    let ip = client_ip(&parts);
    let app = web.app.clone();
    let (token, s) = blocking(move || app.accounts().login(&b.username, &b.password, &ip)).await?;
    let u = s.user;
    let user =
        AccountAnswer { username: u.username, role: u.role, unit_code: u.unit_code, full_name: u.full_name };
    Ok(Json(LoginAnswer { token, expires_at: s.expires_at, user }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    summary = "Đăng xuất: mã phiên hết hiệu lực trên mọi máy chủ",
    responses((status = 204, description = "Đã đăng xuất")))]

async fn api_logout(State(web): State<Arc<Web>>, caller: Caller) -> ApiResult<StatusCode> {
    let app = web.app.clone();
    let hash = blocking(move || app.accounts().logout(&caller.token)).await?;
    web.logged_out(hash);
    Ok(StatusCode::NO_CONTENT)
}

// ---- pages ----

// ---- login ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    user: Option<UserBar>,
    error: Option<String>,
    next: String,
    csrf: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only paths of this site: never an open redirect. Browsers drop tabs and line breaks from a
/// URL and read `\\` as `/`, so `/\t/evil.example` would leave the site: only visible ASCII is
/// taken, and no second slash or backslash at the start.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.chars().all(|c| c.is_ascii_graphic()) =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

/// The login form's CSRF token: a random value in a cookie of the login path and in the form,
/// which must agree (a page of another site can post a form here, but cannot read or set the
/// cookie), so that nobody signs an officer into an account of theirs.
const LOGIN_COOKIE: &str = "haicap_login";

fn login_form(web: &Web, error: Option<String>, next: String, status: StatusCode) -> Response {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        return page_error(ApiError::new(Code::NoRandomness, "không tạo được mã phiên"));
    }
    let csrf: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let secure = if web.secure_cookies { "; Secure" } else { "" };
    let c =
        format!("{LOGIN_COOKIE}={csrf}; Path=/dang-nhap; HttpOnly; SameSite=Strict; Max-Age=3600{secure}");
    crate::error::with_retry_after(
        status,
        ([(SET_COOKIE, c)], render(&LoginPage { user: None, error, next, csrf })),
    )
}

async fn login_page(State(web): State<Arc<Web>>, Query(q): Query<NextQuery>) -> Response {
    login_form(&web, None, safe_next(q.next.as_deref()), StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
    #[serde(default)]
    csrf: String,
}

async fn login(State(web): State<Arc<Web>>, parts: Parts, Form(f): Form<LoginForm>) -> Response {
    let ip = client_ip(&parts);
    let app = web.app.clone();
    let next = safe_next(f.next.as_deref());
    if f.csrf.is_empty() || cookie(&parts, LOGIN_COOKIE).as_deref() != Some(f.csrf.as_str()) {
        let message = "phiên đăng nhập đã hết hạn hoặc không hợp lệ; hãy đăng nhập lại".to_string();
        return login_form(&web, Some(message), next, StatusCode::FORBIDDEN);
    }
    match blocking(move || app.accounts().login(&f.username, &f.password, &ip)).await {
        Ok((token, _)) => {
            let secure = if web.secure_cookies { "; Secure" } else { "" };
            let c = format!(
                "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200{secure}",
                session_cookie(&web)
            );
            ([(SET_COOKIE, c)], Redirect::to(&next)).into_response()
        }
        Err(e) => login_form(&web, Some(e.0.message), next, crate::error::status_of(e.0.kind)),
    }
}

async fn logout(
    State(web): State<Arc<Web>>,
    parts: Parts,
    SignedForm(_, _): SignedForm<NoFields>,
) -> Response {
    if let Some(token) = cookie(&parts, session_cookie(&web)) {
        let app = web.app.clone();
        if let Ok(hash) = blocking(move || app.accounts().logout(&token)).await {
            web.logged_out(hash);
        }
    }
    let secure = if web.secure_cookies { "; Secure" } else { "" };
    let c = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}", session_cookie(&web));
    ([(SET_COOKIE, c)], Redirect::to("/dang-nhap")).into_response()
}
