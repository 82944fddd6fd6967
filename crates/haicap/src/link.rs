//! The HTTP link to the tier above, with the token it gave: a commune's node to its province
//! (the handshake, documents, the push, the pull: `node_sync`), a province to the nation (the
//! feed: `national_feed`). The other side's errors carry a stable code and words; they are
//! read and kept (`haicap node status`), not reduced to an HTTP status.

use app::national::{Feed, FeedTaken};
use app::pulled::Pulled;
use app::replication::{Push, Taken};
use serde::Deserialize;
use std::time::Duration;

/// The server above, as this one reaches it.
pub struct Link {
    base: String,
    token: String,
    /// Who it is, in the words of a message ("máy chủ của tỉnh").
    peer: &'static str,
    agent: ureq::Agent,
}

/// Who the province knows the node as (`GET /api/v1/node`).
#[derive(Deserialize)]
pub struct Hello {
    pub commune_code: String,
    pub province_code: String,
    /// How many events this node's pushes added at the province.
    pub events_taken: i64,
}

#[derive(Deserialize)]
struct PushAnswer {
    taken: Vec<Taken>,
}

#[derive(Deserialize)]
struct Missing {
    missing: Vec<String>,
}

/// An error answer of the API: `{"error": {"code": …, "message": …}}`.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// What an answer that is not a success says: the other side's code and words when it gave
/// them, its status otherwise.
fn refusal(peer: &str, status: u16, body: &str) -> String {
    match serde_json::from_str::<ErrorAnswer>(body) {
        Ok(e) => format!("{}: {}", e.error.code, e.error.message),
        Err(_) => format!("{peer} trả lời {status}"),
    }
}

type Answer = Result<ureq::http::Response<ureq::Body>, ureq::Error>;

impl Link {
    /// To the province's server (a commune's node).
    pub fn to_province(url: &str, token: &str) -> Link {
        Link::new(url, token, "máy chủ của tỉnh")
    }

    /// To the national instance (a province's server).
    pub fn to_nation(url: &str, token: &str) -> Link {
        Link::new(url, token, "máy chủ quốc gia")
    }

    fn new(url: &str, token: &str, peer: &'static str) -> Link {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            // Errors are read from their body, not raised on the status.
            .http_status_as_error(false)
            .build()
            .new_agent();
        Link { base: url.trim_end_matches('/').to_string(), token: token.to_string(), peer, agent }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// The answer's body as `T`, or the other side's error, or why the link failed.
    fn read<T: serde::de::DeserializeOwned>(&self, answer: Answer) -> Result<T, String> {
        let mut r = answer.map_err(|e| format!("không kết nối được {}: {e}", self.peer))?;
        let status = r.status();
        if status.is_success() {
            return r
                .body_mut()
                .read_json::<T>()
                .map_err(|e| format!("trả lời của {} không đọc được: {e}", self.peer));
        }
        let body = r.body_mut().read_to_string().unwrap_or_default();
        Err(refusal(self.peer, status.as_u16(), &body))
    }

    pub fn hello(&self) -> Result<Hello, String> {
        self.read(self.agent.get(self.url("/api/v1/node")).header("Authorization", self.auth()).call())
    }

    pub fn missing(&self, hashes: Vec<String>) -> Result<Vec<String>, String> {
        let body = serde_json::json!({ "hashes": hashes });
        let m: Missing = self.read(
            self.agent
                .post(self.url("/api/v1/node/documents/missing"))
                .header("Authorization", self.auth())
                .send_json(&body),
        )?;
        Ok(m.missing)
    }

    pub fn put_document(&self, sha: &str, bytes: &[u8]) -> Result<(), String> {
        let answer = self
            .agent
            .put(self.url(&format!("/api/v1/node/documents/{sha}")))
            .header("Authorization", self.auth())
            .header("Content-Type", "application/octet-stream")
            .send(bytes);
        let mut r = answer.map_err(|e| format!("không kết nối được {}: {e}", self.peer))?;
        if r.status().is_success() {
            return Ok(());
        }
        let body = r.body_mut().read_to_string().unwrap_or_default();
        Err(refusal(self.peer, r.status().as_u16(), &body))
    }

    /// A document of a dossier handed down, by its hash.
    pub fn get_document(&self, sha: &str) -> Result<Vec<u8>, String> {
        let answer = self
            .agent
            .get(self.url(&format!("/api/v1/node/documents/{sha}")))
            .header("Authorization", self.auth())
            .call();
        let mut r = answer.map_err(|e| format!("không kết nối được {}: {e}", self.peer))?;
        let status = r.status();
        if status.is_success() {
            return r
                .body_mut()
                .with_config()
                .limit(32 << 20)
                .read_to_vec()
                .map_err(|e| format!("giấy tờ {sha} không đọc được: {e}"));
        }
        let body = r.body_mut().read_to_string().unwrap_or_default();
        Err(refusal(self.peer, status.as_u16(), &body))
    }

    pub fn pull(&self, catalog: &str) -> Result<Pulled, String> {
        self.read(
            self.agent
                .get(self.url("/api/v1/node/pull"))
                .query("catalog", catalog)
                .header("Authorization", self.auth())
                .call(),
        )
    }

    pub fn push(&self, push: &Push) -> Result<Vec<Taken>, String> {
        let a: PushAnswer = self.read(
            self.agent
                .post(self.url("/api/v1/node/push"))
                .header("Authorization", self.auth())
                .send_json(push),
        )?;
        Ok(a.taken)
    }

    pub fn feed(&self, feed: &Feed) -> Result<FeedTaken, String> {
        self.read(
            self.agent
                .post(self.url("/api/v1/national/feed"))
                .header("Authorization", self.auth())
                .send_json(feed),
        )
    }
}

/// The longest pause between two rounds while the link is down: short enough that the tier
/// above sees the work within seconds of the link's return; one small request every ten
/// seconds costs it nothing.
const MAX_PAUSE: Duration = Duration::from_secs(10);

/// Runs `round` on a thread of its own every `every` while the process runs; a round that
/// fails is tried again after a pause that doubles up to [`MAX_PAUSE`].
pub fn every(name: &str, every: Duration, mut round: impl FnMut() -> Result<(), String> + Send + 'static) {
    let started = std::thread::Builder::new().name(name.into()).spawn(move || {
        let mut pause = every;
        loop {
            pause = match round() {
                Ok(()) => every,
                Err(_) => (pause * 2).min(MAX_PAUSE.max(every)),
            };
            std::thread::sleep(pause);
        }
    });
    if let Err(e) = started {
        tracing::error!(cause = %e, thread = name, "không khởi động được luồng gửi lên");
    }
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn the_other_sides_code_and_words_are_kept() {
        let body = r#"{"error":{"code":"node_revoked","message":"máy trạm đã bị thu hồi"}}"#;
        assert_eq!(refusal("máy chủ của tỉnh", 401, body), "node_revoked: máy trạm đã bị thu hồi");
        assert_eq!(
            refusal("máy chủ của tỉnh", 502, "<html>Bad Gateway</html>"),
            "máy chủ của tỉnh trả lời 502"
        );
    }
}
