//! The live stream: `GET /api/v1/stream` sends each change of a dossier the caller may see, as
//! server-sent events, the moment it is committed through this server.

use crate::auth::Caller;
use crate::Web;
use app::Actor;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use serde::Serialize;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

#[derive(Clone, Debug, Serialize)]
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

pub async fn stream(
    State(web): State<Arc<Web>>,
    caller: Caller,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let actor = Actor::of(&caller.session.user);
    let rx = web.changes.subscribe();
    let events = futures_util::stream::unfold((rx, actor), |(mut rx, actor)| async move {
        loop {
            match rx.recv().await {
                Ok(c) if actor.scope.sees(&c.province_code, &c.receiving_unit, &c.handling_unit) => {
                    let data = serde_json::to_string(&c).unwrap_or_default();
                    return Some((Ok(Event::default().event("dossier").data(data)), (rx, actor)));
                }
                Ok(_) => continue,
                // Too slow a reader: tell it to refresh everything.
                Err(RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("refresh").data("{}")), (rx, actor)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
