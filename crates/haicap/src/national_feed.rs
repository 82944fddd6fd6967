//! A province's server feeding the nation (`haicap serve --feed-national URL --national-token
//! TOKEN`, docs/nodes.md): every few seconds, the status records of the dossiers that changed
//! and the figures of the days they touched, no personal data; the cursor moves only when the
//! nation took the whole round. Without the link the round is tried again (the pause grows to
//! ten seconds); nothing is lost, since the cursor waits.

use crate::link::Link;
use app::App;
use std::sync::Arc;
use std::time::Duration;

/// One round: everything that changed since the last round taken, then the cursor.
pub fn feed_once(app: &App, link: &Link, province: &str) -> Result<u64, String> {
    let round = app.national_round(province).map_err(|e| e.message)?;
    let mut sent = 0;
    for feed in &round.feeds {
        sent += link.feed(feed)?.dossiers;
    }
    app.national_round_done(round.next_cursor).map_err(|e| e.message)?;
    Ok(sent)
}

/// Feeds every `every` while the process runs (see [`crate::link::every`]).
pub fn spawn(app: Arc<App>, link: Link, province: String, every: Duration) {
    crate::link::every("haicap-national", every, move || match feed_once(&app, &link, &province) {
        Ok(n) => {
            if n > 0 {
                tracing::info!(dossiers = n, "đã gửi lên quốc gia");
            }
            Ok(())
        }
        Err(e) => {
            tracing::warn!(cause = %e, "chưa gửi được lên quốc gia; sẽ thử lại");
            let _ = app.national_round_failed(&e);
            Err(e)
        }
    });
}
