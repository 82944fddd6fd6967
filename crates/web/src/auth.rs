//! Who is calling: a bearer token (API) or the session cookie (pages), resolved to a session.

use crate::error::ApiError;
use crate::{blocking, Web};
use app::Session;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use errors::Code;
use std::net::SocketAddr;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "haicap_session";
/// The session cookie behind TLS: the `__Host-` prefix makes browsers refuse it unless it is
/// Secure, for this host only and for the whole site (no other subdomain can set or shadow it).
pub const SECURE_SESSION_COOKIE: &str = "__Host-haicap_session";

/// The session cookie's name for this server.
pub fn session_cookie(web: &Web) -> &'static str {
    if web.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

pub(crate) fn bearer(parts: &Parts) -> Option<String> {
    let v = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts.headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|kv| {
            let (k, val) = kv.trim().split_once('=')?;
            (k == name).then(|| val.to_string())
        })
    })
}

/// The caller's address, for throttling and the audit log (see [`crate::observe::ClientIp`]).
pub fn client_ip(parts: &Parts) -> String {
    if let Some(ip) = parts.extensions.get::<crate::observe::ClientIp>() {
        return ip.0.to_string();
    }
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or("unknown".into(), |c| c.0.ip().to_string())
}

async fn resolve(parts: &Parts, web: &Arc<Web>) -> Result<Option<(String, Session)>, ApiError> {
    let Some(token) = bearer(parts).or_else(|| cookie(parts, session_cookie(web))) else { return Ok(None) };
    let app = web.app.clone();
    let t = token.clone();
    let s = blocking(move || app.accounts().session(&t)).await?;
    Ok(s.map(|s| (token, s)))
}

/// A signed-in caller of the API.
pub struct Caller {
    pub token: String,
    pub session: Session,
}

impl FromRequestParts<Arc<Web>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        match resolve(parts, web).await? {
            Some((token, session)) => Ok(Caller { token, session }),
            None => {
                Err(ApiError::new(Code::Unauthenticated, "cần đăng nhập (Authorization: Bearer <token>)"))
            }
        }
    }
}

/// A caller who may or may not be signed in (the assistant answers everyone, and notes the
/// official who asked).
pub struct MaybeCaller(pub Option<Session>);

impl FromRequestParts<Arc<Web>> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(resolve(parts, web).await?.map(|(_, s)| s)))
    }
}

/// A signed-in user of the pages; others are sent to the login page.
pub struct PageUser {
    pub session: Session,
}

pub enum PageReject {
    Login(String),
    Error(ApiError),
}

impl IntoResponse for PageReject {
    fn into_response(self) -> Response {
        match self {
            PageReject::Login(next) => {
                let next: String = url_encode(&next);
                Redirect::to(&format!("/dang-nhap?next={next}")).into_response()
            }
            // A page, not JSON: an officer's browser shows the message (and the request id).
            PageReject::Error(e) => crate::view::page_error(e),
        }
    }
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl FromRequestParts<Arc<Web>> for PageUser {
    type Rejection = PageReject;

    async fn from_request_parts(parts: &mut Parts, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        match resolve(parts, web).await.map_err(PageReject::Error)? {
            Some((_, session)) => Ok(PageUser { session }),
            None => Err(PageReject::Login(parts.uri.path().to_string())),
        }
    }
}

/// A form with nothing but its CSRF token (a button: log out, mark read).
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// A form posted by a signed-in officer, its CSRF token checked against the session before
/// the handler runs: a handler that takes one cannot forget the check. (The forms of citizens,
/// who have no session, and the login form, with a token of its own, are not these.)
pub struct SignedForm<T>(pub PageUser, pub T);

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequest<Arc<Web>> for SignedForm<T> {
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, web: &Arc<Web>) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let (mut parts, body) = req.into_parts();
        let user =
            PageUser::from_request_parts(&mut parts, web).await.map_err(IntoResponse::into_response)?;
        let bytes = axum::body::to_bytes(body, 64 * 1024).await.map_err(|_| {
            crate::view::page_error(ApiError::new(
                Code::BodyTooLarge,
                "nội dung gửi lên quá lớn (tối đa 64 KiB)",
            ))
        })?;
        let sent = form_urlencoded::parse(&bytes).find(|(k, _)| k == "csrf").map(|(_, v)| v.into_owned());
        if let Some(r) = check_csrf(&user.session, sent.as_deref().unwrap_or_default()) {
            return Err(r);
        }
        let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
        let axum::extract::Form(form) =
            axum::extract::Form::<T>::from_request(req, web).await.map_err(|e| {
                crate::view::page_error(ApiError::new(
                    Code::InvalidForm,
                    format!("biểu mẫu không hợp lệ: {}", e.body_text()),
                ))
            })?;
        Ok(SignedForm(user, form))
    }
}

/// The form's CSRF token matches the session's, or the answer to send instead.
pub(crate) fn check_csrf(s: &Session, sent: &str) -> Option<Response> {
    (s.csrf != sent).then(|| {
        (
            axum::http::StatusCode::FORBIDDEN,
            crate::view::message_page("Phiên làm việc không hợp lệ", "Hãy tải lại trang và thử lại."),
        )
            .into_response()
    })
}
