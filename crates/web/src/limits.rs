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
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use errors::Code;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;

pub type Limiter = DefaultKeyedRateLimiter<IpAddr>;

/// A limiter of `per_minute` requests a minute per client (bursts of as many); None for 0.
pub fn limiter(per_minute: u32) -> Option<Arc<Limiter>> {
    NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))))
}

/// How closely a route anyone may call is watched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// Guesses at a secret (a password, a tracking PIN, a hand-off's code) and writes (a
    /// submission, a question): `HAICAP_PUBLIC_RATE` a minute per client.
    Guarded,
    /// Reads anyone may make (the catalog, units, the assistant's page): ten times as many.
    Open,
}

/// How many more requests an open read may take than a guarded route.
pub const OPEN_FACTOR: u32 = 10;

/// The router with its routes limited (matched ones only: a 404 costs nothing).
pub(crate) fn guard(router: Router<Arc<Web>>, web: &Arc<Web>, tier: Tier) -> Router<Arc<Web>> {
    router.route_layer(axum::middleware::from_fn_with_state((web.clone(), tier), limit))
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

async fn limit(State((web, tier)): State<(Arc<Web>, Tier)>, req: Request, next: Next) -> Response {
    let limiter = match tier {
        Tier::Guarded => &web.public_limiter,
        Tier::Open => &web.open_limiter,
    };
    let Some(limiter) = limiter else { return next.run(req).await };
    let ip = req.extensions().get::<ClientIp>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0);
    match limiter.check_key(&client_key(ip)) {
        Ok(()) => next.run(req).await,
        Err(_) => {
            metrics::counter!("haicap_rate_limited_total").increment(1);
            ApiError::new(Code::RateLimited, "quá nhiều yêu cầu từ địa chỉ này; hãy thử lại sau ít phút")
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_keys() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b), "one /64, one client");
        assert_ne!(client_key(a), client_key(c));
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(client_key(v4), v4);
    }
}
