//! The live stream: `GET /api/v1/stream` sends each change of a dossier the caller may see, and
//! each change of a proposal, directive or staffing it concerns, as server-sent events, the
//! moment it is committed through this server.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::Web;
use app::Actor;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use domain::roles::Scope;
use errors::Code;
use futures_util::stream::Stream;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Change {
    pub code: String,
    pub status: String,
    pub portal_status: u8,
    pub province_code: String,
    pub receiving_unit: String,
    pub handling_unit: String,
}

impl Change {
    pub fn of(d: &app::DossierRecord) -> Change {
        Change {
            code: d.code.clone(),
            status: d.status.code().to_string(),
            portal_status: d.status.portal_code(),
            province_code: d.province_code.clone(),
            receiving_unit: d.receiving_unit.clone(),
            handling_unit: d.handling_unit.clone(),
        }
    }
}

/// A change in coordination between the tiers: which thing, and who it concerns.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notice {
    /// Also the SSE event's name.
    pub kind: NoticeKind,
    pub id: Option<i64>,
    pub province_code: String,
    /// The commune concerned (None: all communes of the province may be).
    pub commune: Option<String>,
    /// For a proposal: the department (or `LEADER`) holding it.
    pub handler: Option<String>,
    /// For an alert: the one person it is for.
    pub user: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Proposal,
    Directive,
    Staff,
    Alert,
}

impl NoticeKind {
    /// The SSE event's name.
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::Proposal => "proposal",
            NoticeKind::Directive => "directive",
            NoticeKind::Staff => "staff",
            NoticeKind::Alert => "alert",
        }
    }
}

/// What travels between the servers sharing a database: a change made through one of them,
/// tagged with the server it came from (which has told its own listeners already).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Envelope {
    /// The sending server.
    pub o: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<Notice>,
    /// A session ended (its token's hash): dropped from every server's cache at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logout: Option<String>,
}

impl Notice {
    pub fn proposal(p: &app::coordination::proposals::ProposalRecord) -> Notice {
        Notice {
            kind: NoticeKind::Proposal,
            id: Some(p.id),
            province_code: p.province_code.clone(),
            commune: Some(p.commune_code.clone()),
            handler: Some(p.handler.clone()),
            user: None,
        }
    }

    pub fn alert(a: &app::alerts::Alert) -> Notice {
        Notice {
            kind: NoticeKind::Alert,
            id: Some(a.id),
            province_code: a.province_code.clone(),
            commune: Some(a.unit_code.clone()),
            handler: None,
            user: Some(a.username.clone()),
        }
    }

    pub fn directive(id: i64, province: &str, commune: Option<String>) -> Notice {
        Notice {
            kind: NoticeKind::Directive,
            id: Some(id),
            province_code: province.into(),
            commune,
            handler: None,
            user: None,
        }
    }

    pub fn staff(province: &str, unit: Option<String>) -> Notice {
        Notice {
            kind: NoticeKind::Staff,
            id: None,
            province_code: province.into(),
            commune: unit,
            handler: None,
            user: None,
        }
    }

    /// Whether the actor should hear of it: everyone of the province, or of the commune it
    /// concerns. Hearing is only a cue to refresh; what the page then shows is scoped as usual.
    fn concerns(&self, actor: &Actor) -> bool {
        if let Some(user) = &self.user {
            return *user == actor.username;
        }
        match &actor.scope {
            Scope::Everything | Scope::Nation => true,
            Scope::Province(p) => *p == self.province_code,
            Scope::Commune { province, commune } => {
                *province == self.province_code && self.commune.as_ref().is_none_or(|c| c == commune)
            }
        }
    }
}

enum Heard {
    Dossier(Change),
    Notice(Notice),
    Lagged,
    Closed,
}

/// Live streams one account may hold open at once (a few tabs on a few machines).
pub const MAX_STREAMS_PER_ACCOUNT: usize = 8;

/// One open stream of an account, counted while it lives.
struct Open {
    web: Arc<Web>,
    user: String,
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut m = self.web.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = m.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.user);
            }
        }
    }
}

/// What a stream needs between events.
struct Listening {
    rx: tokio::sync::broadcast::Receiver<Change>,
    nx: tokio::sync::broadcast::Receiver<Notice>,
    logouts: tokio::sync::broadcast::Receiver<String>,
    actor: Actor,
    hash: String,
    expires: tokio::time::Instant,
    /// The session is asked again now and then (an account disabled, a logout this server
    /// did not hear of): the stream ends with it.
    token: String,
    recheck: tokio::time::Interval,
    open: Open,
}

/// How often a stream asks whether its session still holds.
pub const SESSION_RECHECK: Duration = Duration::from_secs(30);

pub fn staff_routes() -> crate::Routes {
    crate::Routes::default().routes(utoipa_axum::routes!(stream))
}

/// The live stream of changes the caller may see. It ends when the session ends: at logout
/// (on any server), at its expiry, or, within [`SESSION_RECHECK`] and the session cache's
/// half minute, when the account is disabled.
#[utoipa::path(get, path = "/api/v1/stream", tag = "dossiers",
    summary = "Luồng thay đổi trực tiếp (server-sent events)",
    description = "Mỗi thay đổi của hồ sơ, kiến nghị, nhiệm vụ, nhân sự mà tài khoản được xem, ngay khi được ghi. Kết thúc khi phiên kết thúc.",
    responses((status = 200, description = "Các sự kiện `dossier`, `proposal`, `directive`, `staff`, `alert`; `refresh` khi luồng bị chậm và mất thay đổi (tải lại trang)", content_type = "text/event-stream", body = String)))]
pub async fn stream(
    State(web): State<Arc<Web>>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let user = caller.session.user.username.clone();
    {
        let mut m = web.streams.lock().unwrap_or_else(|e| e.into_inner());
        let n = m.entry(user.clone()).or_insert(0);
        if *n >= MAX_STREAMS_PER_ACCOUNT {
            return Err(ApiError::new(
                Code::TooManyStreams,
                format!("tài khoản đang mở quá {MAX_STREAMS_PER_ACCOUNT} trang theo dõi trực tiếp"),
            ));
        }
        *n += 1;
    }
    let left = (caller.session.expires_at - web.app.now()).to_std().unwrap_or_default();
    let state = Listening {
        rx: web.changes.subscribe(),
        nx: web.notices.subscribe(),
        logouts: web.logouts.subscribe(),
        actor: Actor::of(&caller.session.user),
        hash: app::token_hash(&caller.token),
        expires: tokio::time::Instant::now() + left,
        recheck: {
            let start = tokio::time::Instant::now() + SESSION_RECHECK;
            tokio::time::interval_at(start, SESSION_RECHECK)
        },
        token: caller.token.clone(),
        open: Open { web: web.clone(), user },
    };
    let events = futures_util::stream::unfold(state, |mut s| async move {
        loop {
            let Listening { rx, nx, logouts, actor, hash, expires, token, recheck, open } = &mut s;
            let heard = tokio::select! {
                _ = tokio::time::sleep_until(*expires) => Heard::Closed,
                _ = recheck.tick() => {
                    let (app, token) = (open.web.app.clone(), token.clone());
                    match crate::blocking(move || app.accounts().session(&token)).await {
                        Ok(None) => Heard::Closed,
                        // Still valid, or the database away for now: the stream goes on.
                        _ => continue,
                    }
                }
                r = logouts.recv() => match r {
                    Ok(h) if h == *hash => Heard::Closed,
                    _ => continue,
                },
                r = rx.recv() => match r {
                    Ok(c) => Heard::Dossier(c),
                    Err(RecvError::Lagged(_)) => Heard::Lagged,
                    Err(RecvError::Closed) => Heard::Closed,
                },
                r = nx.recv() => match r {
                    Ok(n) => Heard::Notice(n),
                    Err(RecvError::Lagged(_)) => Heard::Lagged,
                    Err(RecvError::Closed) => Heard::Closed,
                },
            };
            let event = match heard {
                Heard::Dossier(c)
                    if actor.scope.sees(&c.province_code, &c.receiving_unit, &c.handling_unit) =>
                {
                    Event::default().event("dossier").data(serde_json::to_string(&c).unwrap_or_default())
                }
                Heard::Notice(n) if n.concerns(actor) => {
                    Event::default().event(n.kind.name()).data(serde_json::to_string(&n).unwrap_or_default())
                }
                Heard::Dossier(_) | Heard::Notice(_) => continue,
                // Too slow a reader: tell it to refresh everything.
                Heard::Lagged => Event::default().event("refresh").data("{}"),
                Heard::Closed => return None,
            };
            return Some((Ok(event), s));
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
