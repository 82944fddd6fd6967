//! The security headers of every answer, in one layer: a Content-Security-Policy allowing
//! only this site's own scripts and styles (no inline script, no eval), no framing by other
//! sites except the assistant's embeddable page, no referrer to other sites, no type sniffing,
//! and HSTS when served behind TLS.

use crate::Web;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The policy, with who may frame the page: one list of sources for both kinds of page.
macro_rules! policy {
    ($frame_ancestors:literal) => {
        concat!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; ",
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; ",
            "frame-ancestors ",
            $frame_ancestors
        )
    };
}

const POLICY: &str = policy!("'none'");

/// The assistant shown inside a commune's website (widget.js frames `/tro-ly?nhung=1`): any
/// site may frame it, nothing else changes.
const EMBEDDABLE_POLICY: &str = policy!("*");

/// Whether the request is for the citizens' assistant, which a commune's website shows in a
/// frame (`/tro-ly?nhung=1` and the pages its forms lead to); never the officers' desk.
fn embeddable(req: &Request) -> bool {
    let path = req.uri().path();
    matches!(
        path,
        "/tro-ly" | "/tro-ly/hoi" | "/tro-ly/chuyen-can-bo" | "/tro-ly/danh-gia" | "/tro-ly/hoi-dap"
    )
}

pub(crate) async fn security(State(web): State<Arc<Web>>, req: Request, next: Next) -> Response {
    let embedded = embeddable(&req);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let policy = if embedded { EMBEDDABLE_POLICY } else { POLICY };
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    if !embedded {
        h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Served behind TLS (the same switch that marks cookies Secure): browsers keep to https.
    if web.secure_cookies {
        h.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}
