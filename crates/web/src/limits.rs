//! Rate limits of the public routes (what anyone on the internet can call without an
//! account): tracking and rating, online submission, the assistant's questions, hand-offs and
//! feedback, and the login forms. `governor` keeps a token bucket per client; a client is its
//! address as the trusted proxies report it (`observe::ClientIp`), an IPv6 address by its /64
//! (a home or a phone gets a whole /64 and could otherwise rotate within it). Past the limit:
//! 429 `rate_limited` with Retry-After.

use crate::error::ApiError;
use crate::observe::ClientIp;
use crate::Web;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;

pub type Limiter = DefaultKeyedRateLimiter<IpAddr>;

/// A limiter of `per_minute` requests a minute per client (bursts of as many); None for 0.
pub fn limiter(per_minute: u32) -> Option<Arc<Limiter>> {
    NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))))
}

/// The public routes, in one place: (method, path or path prefix ending in '/').
const PUBLIC: &[(Method, &str)] = &[
    (Method::GET, "/api/v1/track/"),
    (Method::POST, "/api/v1/track/"),
    (Method::GET, "/tra-cuu"),
    (Method::POST, "/tra-cuu/danh-gia"),
    (Method::POST, "/nop-truc-tuyen/"),
    (Method::POST, "/tro-ly/hoi"),
    (Method::POST, "/tro-ly/chuyen-can-bo"),
    (Method::POST, "/tro-ly/danh-gia"),
    (Method::POST, "/api/v1/assistant/ask"),
    (Method::POST, "/api/v1/assistant/handoffs"),
    (Method::POST, "/api/v1/assistant/feedback"),
    (Method::POST, "/api/v1/auth/login"),
    (Method::POST, "/dang-nhap"),
];

/// Whether the request is for a rate-limited public route.
pub fn is_public(method: &Method, path: &str) -> bool {
    PUBLIC.iter().any(|(m, p)| m == method && if p.ends_with('/') { path.starts_with(p) } else { path == *p })
}

/// The key of a client: an IPv4 address, or the /64 of an IPv6 one.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

pub(crate) async fn public(State(web): State<Arc<Web>>, req: Request, next: Next) -> Response {
    let Some(limiter) = &web.public_limiter else { return next.run(req).await };
    if !is_public(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let ip = req.extensions().get::<ClientIp>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0);
    match limiter.check_key(&client_key(ip)) {
        Ok(()) => next.run(req).await,
        Err(_) => {
            metrics::counter!("haicap_rate_limited_total").increment(1);
            ApiError::new(
                app::ErrorKind::TooManyRequests,
                "rate_limited",
                "quá nhiều yêu cầu từ địa chỉ này; hãy thử lại sau ít phút",
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_routes_and_client_keys() {
        assert!(is_public(&Method::GET, "/api/v1/track/20242-261206-0001"));
        assert!(is_public(&Method::POST, "/nop-truc-tuyen/1.004873"));
        assert!(is_public(&Method::POST, "/dang-nhap"));
        assert!(!is_public(&Method::GET, "/dang-nhap"), "the form itself is not a guess");
        assert!(!is_public(&Method::POST, "/api/v1/dossiers"), "signed-in work is not limited here");
        assert!(!is_public(&Method::GET, "/tra-cuu-khac"));
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b), "one /64, one client");
        assert_ne!(client_key(a), client_key(c));
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(client_key(v4), v4);
    }
}
