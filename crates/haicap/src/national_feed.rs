//! A province's server feeding the nation (`haicap serve --feed-national URL --national-token
//! TOKEN`, docs/nodes.md): every few seconds, the status records of the dossiers that changed
//! and the figures of the days they touched, no personal data; the cursor moves only when the
//! nation took the whole round. Without the link the round is tried again (the pause grows to
//! ten seconds); nothing is lost, since the cursor waits.

use app::national::{Feed, FeedTaken};
use app::App;
use std::sync::Arc;
use std::time::Duration;

const MAX_PAUSE: Duration = Duration::from_secs(10);

pub struct NationalLink {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl NationalLink {
    pub fn new(url: &str, token: &str) -> NationalLink {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        NationalLink { base: url.trim_end_matches('/').to_string(), token: token.to_string(), agent }
    }

    fn send(&self, feed: &Feed) -> Result<FeedTaken, String> {
        let mut r = self
            .agent
            .post(format!("{}/api/v1/national/feed", self.base))
            .header("Authorization", format!("Bearer {}", self.token))
            .send_json(feed)
            .map_err(|e| format!("không kết nối được máy chủ quốc gia: {e}"))?;
        let status = r.status();
        if status.is_success() {
            return r.body_mut().read_json().map_err(|e| format!("trả lời của quốc gia không đọc được: {e}"));
        }
        let body: serde_json::Value = r.body_mut().read_json().unwrap_or_default();
        Err(format!(
            "{}: {}",
            body["error"]["code"].as_str().unwrap_or("http"),
            body["error"]["message"].as_str().unwrap_or(status.as_str())
        ))
    }
}

/// One round: everything that changed since the last round taken, then the cursor.
pub fn feed_once(app: &App, link: &NationalLink, province: &str) -> Result<u64, String> {
    let round = app.national_round(province).map_err(|e| e.message)?;
    let mut sent = 0;
    for feed in &round.feeds {
        sent += link.send(feed)?.dossiers;
    }
    app.national_round_done(round.next_cursor).map_err(|e| e.message)?;
    Ok(sent)
}

/// Feeds every `every` while the process runs.
pub fn spawn(app: Arc<App>, link: NationalLink, province: String, every: Duration) {
    let started = std::thread::Builder::new().name("haicap-national".into()).spawn(move || {
        let mut pause = every;
        loop {
            match feed_once(&app, &link, &province) {
                Ok(n) => {
                    if n > 0 {
                        tracing::info!(dossiers = n, "đã gửi lên quốc gia");
                    }
                    pause = every;
                }
                Err(e) => {
                    tracing::warn!(cause = %e, "chưa gửi được lên quốc gia; sẽ thử lại");
                    let _ = app.national_round_failed(&e);
                    pause = (pause * 2).min(MAX_PAUSE.max(every));
                }
            }
            std::thread::sleep(pause);
        }
    });
    if let Err(e) = started {
        tracing::error!(cause = %e, "không khởi động được luồng gửi lên quốc gia");
    }
}
