//! `haicap serve`: the JSON API and the Vietnamese web app over the application layer.
//! Pages are rendered on the server (askama) with htmx for live parts; every asset is inside
//! the binary.

// The layer every capability stands on (none of these imports a capability).
mod auth;
mod error;
mod extract;
mod headers;
pub mod limits;
pub mod live;
pub mod observe;
mod openapi;
mod uploads;
mod view;

// Capabilities, each with its pages and its API; they import the layer above, never each
// other (`tests/shape.rs` checks it). Each says which of its routes anyone may call.
mod accounts;
mod alerts;
mod assistant;
mod catalog;
mod citizens;
mod coordination;
mod dossiers;
mod nodes;
mod privacy;
mod reports;
mod results;
mod units;

pub use error::{ApiError, ApiResult};

use app::App;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use errors::Code;
use std::net::SocketAddr;
use std::sync::Arc;

/// What the handlers share.
pub struct Web {
    pub app: Arc<App>,
    /// Mark cookies `Secure` (behind https).
    pub secure_cookies: bool,
    /// Changes made through this server, for the live stream.
    pub changes: tokio::sync::broadcast::Sender<live::Change>,
    /// Coordination changes (proposals, directives, staffing) and alerts, for the live stream.
    pub notices: tokio::sync::broadcast::Sender<live::Notice>,
    /// Who delivers alerts: the log, and e-mail or SMS when configured.
    pub senders: Arc<app::alerts::Senders>,
    /// The metrics recorder's output, served at `/metrics` when set.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Who may read `/metrics`.
    pub metrics_access: observe::MetricsAccess,
    /// Reverse proxies whose `X-Forwarded-For` is believed (none by default).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long personal data is kept after a dossier ends (None: not erased automatically).
    pub retention: Option<chrono::Duration>,
    /// How long a commune's node may be silent before the province's administrators are
    /// alerted (None: never).
    pub node_silence: Option<chrono::Duration>,
    /// The national instance: provinces' servers feed it (`haicap serve --national`).
    pub national: bool,
    /// Sessions ended (their token hashes), here or on another server: live streams of those
    /// sessions end.
    pub logouts: tokio::sync::broadcast::Sender<String>,
    /// Live streams open per account (capped: see `live::MAX_STREAMS_PER_ACCOUNT`).
    pub(crate) streams: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    /// The public routes' rate limit per client (None: off).
    pub public_limiter: Option<Arc<limits::Limiter>>,
    /// The open reads' rate limit per client (None: off).
    pub open_limiter: Option<Arc<limits::Limiter>>,
    /// This server among those sharing a database (a random id), and the bus to them
    /// (PostgreSQL; started by [`serve`]).
    origin: String,
    bus: std::sync::OnceLock<app::Bus>,
}

impl Web {
    /// The procedures `commune` offers, to list first; none for a code that is not a
    /// commune's, a commune without a list, or a database too busy to say (the list orders,
    /// it never restricts, so catalog order is a safe answer).
    pub(crate) async fn offered(&self, commune: Option<&str>) -> std::collections::HashSet<String> {
        let Some(commune) = commune.filter(|c| domain::roles::is_commune(c)).map(str::to_string) else {
            return Default::default();
        };
        let app = self.app.clone();
        blocking(move || app.offered(&commune)).await.unwrap_or_default()
    }

    pub fn new(app: Arc<App>, secure_cookies: bool) -> Web {
        Web {
            app,
            secure_cookies,
            changes: tokio::sync::broadcast::channel(1024).0,
            notices: tokio::sync::broadcast::channel(256).0,
            senders: Arc::new(app::alerts::Senders::default()),
            metrics: observe::install_metrics(),
            metrics_access: observe::MetricsAccess::default(),
            trusted_proxies: vec![],
            retention: None,
            node_silence: None,
            national: false,
            public_limiter: None,
            open_limiter: None,
            logouts: tokio::sync::broadcast::channel(256).0,
            streams: std::sync::Mutex::new(std::collections::HashMap::new()),
            origin: observe::new_id(),
            bus: std::sync::OnceLock::new(),
        }
    }

    /// Limits every client to `per_minute` requests a minute on the public routes that guess or
    /// write, and to ten times that on the open reads (0: off).
    pub fn with_public_rate(mut self, per_minute: u32) -> Web {
        self.public_limiter = limits::limiter(per_minute);
        self.open_limiter = limits::limiter(per_minute.saturating_mul(limits::OPEN_FACTOR));
        self
    }

    /// Erases personal data this long after a dossier ends (checked every hour).
    pub fn with_retention(mut self, retention: Option<chrono::Duration>) -> Web {
        self.retention = retention;
        self
    }

    /// Takes provinces' feeds: the nation's instance.
    pub fn as_national(mut self, national: bool) -> Web {
        self.national = national;
        self
    }

    /// Alerts the province's administrators when a node is silent longer than `silence`.
    pub fn with_node_silence(mut self, silence: Option<chrono::Duration>) -> Web {
        self.node_silence = silence;
        self
    }

    /// Believes `X-Forwarded-For` from these reverse proxies.
    pub fn with_trusted_proxies(mut self, proxies: Vec<ipnet::IpNet>) -> Web {
        self.trusted_proxies = proxies;
        self
    }

    /// Who may read `/metrics` (by default this machine only).
    pub fn with_metrics_access(mut self, access: observe::MetricsAccess) -> Web {
        self.metrics_access = access;
        self
    }

    /// With these senders of alerts (see `app::alerts::Senders::from_commands`).
    pub fn with_senders(mut self, senders: app::alerts::Senders) -> Web {
        self.senders = Arc::new(senders);
        self
    }

    /// Tells the live stream that a dossier changed (here, and on the other servers).
    pub fn publish(&self, d: &app::DossierRecord) {
        self.publish_change(live::Change::of(d));
    }

    /// Tells the live stream of a change (here, and on the other servers).
    pub fn publish_change(&self, c: live::Change) {
        self.tell_others(live::Envelope {
            o: self.origin.clone(),
            change: Some(c.clone()),
            notice: None,
            logout: None,
        });
        // Nobody listening is fine.
        let _ = self.changes.send(c);
    }

    /// Tells the live stream of a change in coordination (here, and on the other servers).
    pub fn announce(&self, n: live::Notice) {
        self.tell_others(live::Envelope {
            o: self.origin.clone(),
            change: None,
            notice: Some(n.clone()),
            logout: None,
        });
        let _ = self.notices.send(n);
    }

    /// Tells the other servers that a session ended (its token's hash), so that they drop it
    /// from their caches at once.
    pub(crate) fn logged_out(&self, hash: String) {
        let _ = self.logouts.send(hash.clone());
        self.tell_others(live::Envelope {
            o: self.origin.clone(),
            change: None,
            notice: None,
            logout: Some(hash),
        });
    }

    fn tell_others(&self, e: live::Envelope) {
        if let Some(bus) = self.bus.get() {
            if let Ok(line) = serde_json::to_string(&e) {
                bus.send(line);
            }
        }
    }

    /// What another server said: passed to this server's listeners.
    fn heard(&self, line: &str) {
        // This server's own messages come back too: known by their start, without parsing
        // (the envelope's first field is its origin).
        if line.strip_prefix("{\"o\":\"").is_some_and(|rest| rest.starts_with(&self.origin)) {
            return;
        }
        let Ok(e) = serde_json::from_str::<live::Envelope>(line) else {
            tracing::warn!("tin nhắn giữa các máy chủ không đọc được");
            return;
        };
        if e.o == self.origin {
            return;
        }
        if let Some(c) = e.change {
            let _ = self.changes.send(c);
        }
        if let Some(n) = e.notice {
            let _ = self.notices.send(n);
        }
        if let Some(hash) = e.logout {
            self.app.accounts().forget_session_hash(&hash);
            let _ = self.logouts.send(hash);
        }
    }

    /// Joins the other servers sharing the database (PostgreSQL): what each commits reaches
    /// every server's live stream. Nothing to do on SQLite.
    pub fn join_others(self: &Arc<Self>) {
        let Some((bus, heard)) = self.app.start_bus() else { return };
        if self.bus.set(bus).is_err() {
            return;
        }
        let web = self.clone();
        std::thread::Builder::new()
            .name("haicap-bus-heard".into())
            .spawn(move || {
                for line in heard {
                    web.heard(&line);
                }
            })
            .expect("a thread can be started");
    }
}

/// Runs blocking application work (it waits on the database) off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> app::AppResult<T> + Send + 'static,
) -> ApiResult<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(e) => Err(ApiError(app::AppError::internal(Code::Internal, e))),
    }
}

const HTMX: &[u8] = include_bytes!("../assets/htmx.min.js");
const CSS: &str = include_str!("../assets/app.css");
const LIVE: &str = include_str!("../assets/live.js");
const APP_JS: &str = include_str!("../assets/app.js");

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")], body)
        .into_response()
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::new(Code::NotFound, format!("không có đường dẫn {}", uri.path())).into_response();
    }
    (StatusCode::NOT_FOUND, view::message_page("Không tìm thấy trang", "Trang bạn tìm không có."))
        .into_response()
}

/// A router whose API routes carry their description (`openapi`).
pub(crate) type Routes = utoipa_axum::router::OpenApiRouter<Arc<Web>>;

/// Every route is in one of three routers, by who may call it, and each router carries its
/// guard, so that a new route cannot be added without one: what anyone may send that guesses a
/// secret or writes (limited per client at `HAICAP_PUBLIC_RATE`), what anyone may read
/// (limited at ten times that), and the staff's (every handler takes the signed-in caller:
/// `Caller` or `PageUser`, and forms `SignedForm`).
fn routers() -> [(Routes, openapi::Guard); 3] {
    let limited = Routes::default()
        .merge(accounts::limited_routes())
        .merge(citizens::limited_routes())
        .merge(results::limited_routes())
        .merge(assistant::limited_routes())
        .merge(nodes::limited_routes());
    let open = Routes::default()
        .merge(accounts::open_routes())
        .merge(units::open_routes())
        .merge(catalog::open_routes())
        .merge(citizens::open_routes())
        .merge(assistant::open_routes());
    let staff = Routes::default()
        .merge(accounts::staff_routes())
        .merge(units::staff_routes())
        .merge(dossiers::staff_routes())
        .merge(results::staff_routes())
        .merge(reports::staff_routes())
        .merge(assistant::staff_routes())
        .merge(coordination::staff_routes())
        .merge(alerts::staff_routes())
        .merge(privacy::staff_routes())
        .merge(live::staff_routes())
        .merge(nodes::node_routes())
        .merge(nodes::staff_routes());
    [(limited, openapi::Guard::Limited), (open, openapi::Guard::Open), (staff, openapi::Guard::Staff)]
}

/// The API's description, generated from the routes (served at `/api/openapi.json`).
pub fn api_description() -> serde_json::Value {
    openapi::describe(routers().map(|(r, guard)| (r.into_openapi(), guard)))
}

pub fn router(web: Arc<Web>) -> Router {
    let [limited, open, staff] = routers().map(|(r, guard)| {
        let (router, part) = r.split_for_parts();
        (router, (part, guard))
    });
    let description = openapi::describe([limited.1, open.1, staff.1]);
    let open = with_description(open.0, axum::body::Bytes::from(description.to_string()));
    let (limited, staff) = (limited.0, staff.0);
    Router::new()
        .merge(limits::guard(limited, &web, limits::Tier::Guarded))
        .merge(limits::guard(open, &web, limits::Tier::Open))
        .merge(staff)
        // What a load balancer and the browser need: no limit (`/metrics` checks its callers).
        .route("/assets/htmx.min.js", get(|| async { asset("text/javascript", HTMX) }))
        .route("/assets/app.css", get(|| async { asset("text/css", CSS.as_bytes()) }))
        .route("/assets/live.js", get(|| async { asset("text/javascript", LIVE.as_bytes()) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript", APP_JS.as_bytes()) }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(observe::ready))
        .route("/metrics", get(observe::metrics))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(64 * 1024))
        // Every answer, errors and panics included, carries the security headers.
        .layer(axum::middleware::from_fn_with_state(web.clone(), headers::security))
        // Inside the tracking layer, so that the answer to a panic carries the request id.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(observe::panicked))
        .layer(axum::middleware::from_fn_with_state(web.clone(), observe::track))
        .with_state(web)
}

/// The open router with the API's description (made once; each answer shares its bytes).
fn with_description(open: Router<Arc<Web>>, description: axum::body::Bytes) -> Router<Arc<Web>> {
    open.route(
        "/api/openapi.json",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], description).into_response() }),
    )
}

/// Every five minutes, puts on the record the proposals whose deadline passed unanswered, and
/// tells the pages that show them.
async fn sweep_overdue(web: Arc<Web>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
    loop {
        every.tick().await;
        let app = web.app.clone();
        match blocking(move || app.coordination().flag_overdue_proposals()).await {
            Ok(flagged) => {
                for p in &flagged {
                    web.announce(live::Notice::proposal(p));
                }
            }
            Err(e) => tracing::warn!(
                code = %e.0.code,
                cause = e.0.cause.as_deref().unwrap_or(""),
                "không rà soát được kiến nghị quá hạn"
            ),
        }
    }
}

/// Every hour: erases the personal data whose retention period ran out (one server at a time:
/// the batches take a lock in the database), forgets intake keys older than a day, then
/// removes stored documents no dossier refers to (older than an hour).
async fn housekeeping(web: Arc<Web>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Some(retention) = web.retention {
            let app = web.app.clone();
            if let Err(e) = blocking(move || app.dossiers().erase_expired(retention)).await {
                tracing::warn!(
                    code = %e.0.code,
                    cause = e.0.cause.as_deref().unwrap_or(""),
                    "chưa xoá được dữ liệu cá nhân hết thời hạn lưu trữ"
                );
            }
        }
        let app = web.app.clone();
        if let Err(e) = blocking(move || app.dossiers().sweep_intake_keys()).await {
            tracing::warn!(code = %e.0.code, cause = e.0.cause.as_deref().unwrap_or(""), "chưa dọn được khoá tiếp nhận cũ");
        }
        let app = web.app.clone();
        if let Err(e) = blocking(move || app.sweep_blobs(std::time::Duration::from_secs(3600))).await {
            tracing::warn!(
                code = %e.0.code,
                cause = e.0.cause.as_deref().unwrap_or(""),
                "chưa dọn được kho tệp"
            );
        }
    }
}

/// Serves until Ctrl-C.
pub async fn serve(web: Arc<Web>, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    web.join_others();
    tokio::spawn(sweep_overdue(web.clone()));
    tokio::spawn(alerts::sweep(web.clone()));
    tokio::spawn(housekeeping(web.clone()));
    for l in [web.public_limiter.clone(), web.open_limiter.clone()].into_iter().flatten() {
        // Clients not seen for a while are forgotten: the table does not grow without end.
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                l.retain_recent();
            }
        });
    }
    tracing::info!(address = %listener.local_addr()?, "haicap đang phục vụ");
    axum::serve(listener, router(web).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
