//! haicap's use cases over the store: receive a dossier, move it through the workflow, read it
//! back within the caller's scope, verify the history, manage accounts, the catalog and each
//! province's settings. Rules live in `domain`; this layer decides *when* they are asked and
//! writes what they answer, events and projections together.

/// A capability's handle on the [`App`], `app.<accessor>()`: a reference, free to make. Each
/// capability's use cases are methods of its handle, so that a caller names what it works on
/// (`app.dossiers().act(…)`, `app.coordination().file_proposal(…)`).
macro_rules! capability {
    ($(#[$doc:meta])* $name:ident, $accessor:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name<'a> {
            pub(crate) app: &'a crate::App,
        }

        impl crate::App {
            $(#[$doc])*
            pub fn $accessor(&self) -> $name<'_> {
                $name { app: self }
            }
        }
    };
}
pub(crate) use capability;

pub mod accounts;
pub mod alerts;
pub mod assistant;
pub mod backup;
pub mod blobs;
mod catalog_store;
pub mod coordination;
pub mod dossiers;
mod error;
pub mod national;
pub mod nodes;
pub mod places;
pub mod portal;
pub mod pulled;
pub mod replication;
#[cfg(feature = "openapi")]
pub mod schema;
mod settings;
pub mod simulation;
pub mod statistics;
pub mod upstream;

pub use ::assistant::Article;
pub use accounts::sessions::{token_hash, Session};
pub use accounts::users::{hash_password, User};
pub use accounts::Accounts;
pub use assistant::Assistance;
pub use catalog_store::ImportReport;
pub use coordination::Coordination;
pub use dossiers::audit::{Problem, VerifyReport};
pub use dossiers::intake::{new_intake_key, Applicant, IntakeRequest};
pub use dossiers::privacy::{
    read_label, require_consent, ErasureReport, ReadEntry, CONSENT_NOTICE, DEFAULT_RETENTION_DAYS,
};
pub use dossiers::public::{TrackStep, TrackView};
pub use dossiers::queries::{DossierFilter, Page};
pub use dossiers::records::DossierRecord;
pub use dossiers::workflow::ActionRequest;
pub use dossiers::Dossiers;
pub use error::{AppError, AppResult, Code, ErrorKind};
pub use places::Places;
pub use settings::{ProvinceSettings, RuleUpdate};
pub use statistics::Statistics;

use calendar::WorkCalendar;
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use domain::catalog::Catalog;
use domain::roles::{Role, Scope};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};
pub use store::{Bus, Readiness};
use store::{DbUrl, Store};

/// The schema version this build expects.
pub const SCHEMA_VERSION: i64 = store::migrate::LATEST;

/// Vietnam's local time (UTC+7, no daylight saving): the time of every legal deadline.
pub fn vietnam_now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc() + chrono::Duration::hours(7)
}

/// Where "now" comes from: the wall clock, or a test's hand.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

/// Who is acting, and what they may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub username: String,
    pub role: Option<Role>,
    pub scope: Scope,
    /// Department staff: the department they answer for.
    pub department: Option<String>,
}

impl Actor {
    /// An operator at the server's console (the CLI): sees everything.
    pub fn console(name: &str) -> Actor {
        Actor { username: name.to_string(), role: None, scope: Scope::Everything, department: None }
    }

    /// The unit the account works at (a commune, or a province); none at the console.
    pub fn unit(&self) -> Option<&str> {
        match &self.scope {
            Scope::Everything => None,
            Scope::Nation => Some(domain::roles::NATION),
            Scope::Province(p) => Some(p),
            Scope::Commune { commune, .. } => Some(commune),
        }
    }

    /// The actor of a signed-in account.
    pub fn of(user: &User) -> Actor {
        let scope = if user.role == Role::NationalLeader {
            Scope::Nation
        } else if domain::roles::is_commune(&user.unit_code) {
            Scope::Commune { province: user.province_code.clone(), commune: user.unit_code.clone() }
        } else {
            Scope::Province(user.province_code.clone())
        };
        Actor {
            username: user.username.clone(),
            role: Some(user.role),
            scope,
            department: user.department_code.clone(),
        }
    }
}

/// A required text field, trimmed: not empty, at most `max` characters, no control
/// characters but line breaks and tabs.
pub(crate) fn checked_text(code: Code, what: &str, text: &str, max: usize) -> AppResult<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::new(code, format!("{what} không được để trống")));
    }
    if t.chars().count() > max {
        return Err(AppError::new(code, format!("{what} dài quá {max} ký tự")));
    }
    if t.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(AppError::new(code, format!("{what} chứa ký tự điều khiển")));
    }
    Ok(t.to_string())
}

/// The commune of `code` in the 2025 registry, or `unknown_commune`.
pub(crate) fn known_commune(code: &str) -> AppResult<&'static units::Commune> {
    units::registry()
        .commune(code)
        .ok_or_else(|| AppError::new(Code::UnknownCommune, format!("không có xã, phường mã \"{code}\"")))
}

/// Replaces each `?` of a statement built in pieces by `$1`, `$2`… in order of appearance
/// (the order SQLite needs), so that its parameters can be pushed as the pieces are written.
pub(crate) fn numbered(sql: &str) -> String {
    store::numbered(sql, 1)
}

/// The procedures a search found, in order, borrowed from the catalog they were found in.
pub struct Found {
    catalog: Arc<Catalog>,
    idx: Vec<usize>,
}

impl Found {
    pub fn iter(&self) -> impl Iterator<Item = &domain::catalog::Procedure> + '_ {
        self.idx.iter().map(|&i| &self.catalog.procedures[i])
    }

    pub fn len(&self) -> usize {
        self.idx.len()
    }

    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }

    /// Keeps the procedures `keep` says.
    pub fn retain(&mut self, keep: impl Fn(&domain::catalog::Procedure) -> bool) {
        let catalog = &self.catalog;
        self.idx.retain(|&i| keep(&catalog.procedures[i]));
    }
}

pub struct App {
    store: Store,
    /// The working days and hours deadlines are counted in: the server's own, or at a
    /// commune's node the province's, taken with each pull (see [`pulled`]).
    calendar: RwLock<Arc<WorkCalendar>>,
    catalog: RwLock<Arc<catalog_store::Loaded>>,
    settings: settings::Cache,
    clock: Clock,
    /// The last day whose digest is sealed (or checked to need none).
    sealed_through: Mutex<Option<NaiveDate>>,
    /// A thread sealing the days before today is running (see [`App::receive_then`]).
    sealing: std::sync::atomic::AtomicBool,
    /// Dossiers as this process last wrote them: the next action starts from here instead of
    /// reading the database. Safe with other writers: a stale copy fails the conditional
    /// append and is read again.
    recent: Mutex<dossiers::recent::Recent<DossierRecord>>,
    sessions: accounts::sessions::Sessions,
    blobs: Arc<dyn blobs::BlobStore>,
    /// Built on the first question; dropped when the catalog, aliases or handbook change.
    assistant: RwLock<Option<Arc<::assistant::Assistant>>>,
    /// Where the assistant's index is kept.
    index_root: std::path::PathBuf,
    /// How results are signed and signatures checked.
    signing: Arc<dossiers::results::SigningSetup>,
    /// At a commune's node, the province it is attached to (see [`upstream`]).
    upstream: RwLock<Option<upstream::Upstream>>,
}

/// Most dossiers kept in [`App::recent`] by default (a few KiB each).
const RECENT_CAP: usize = 16_384;

impl App {
    /// Opens the database at `url` (creating and migrating it as needed), loads its catalog
    /// (the shipped one on first start) and seals the days not yet sealed.
    pub fn open(url: &DbUrl, calendar: WorkCalendar, clock: Clock) -> AppResult<App> {
        App::open_with(url, calendar, clock, store::Options::default())
    }

    pub fn open_with(
        url: &DbUrl,
        calendar: WorkCalendar,
        clock: Clock,
        opts: store::Options,
    ) -> AppResult<App> {
        let store = Store::open(url, opts)?;
        let catalog = catalog_store::load_or_seed(&store, clock())?;
        let settings = settings::Cache::load(&store)?;
        let app = App {
            store,
            calendar: RwLock::new(Arc::new(calendar)),
            catalog: RwLock::new(Arc::new(catalog)),
            settings,
            clock,
            sealed_through: Mutex::new(None),
            sealing: std::sync::atomic::AtomicBool::new(false),
            recent: Mutex::new(dossiers::recent::Recent::new(RECENT_CAP)),
            sessions: accounts::sessions::Sessions::default(),
            blobs: Arc::new(blobs::FsBlobs { root: Places::for_db(url).blobs }),
            assistant: RwLock::new(None),
            index_root: Places::for_db(url).data_dir,
            signing: Arc::default(),
            upstream: RwLock::new(None),
        };
        *app.upstream.write().unwrap_or_else(|e| e.into_inner()) = app.load_upstream()?;
        app.use_pulled_calendar()?;
        app.dossiers().seal_if_new_day()?;
        Ok(app)
    }

    /// Messages between the servers sharing this database; None on SQLite (one server).
    pub fn start_bus(&self) -> Option<(Bus, std::sync::mpsc::Receiver<String>)> {
        self.store.start_bus()
    }

    /// The database, the schema and the writer, for a readiness probe.
    pub fn readiness(&self, timeout: std::time::Duration) -> store::Readiness {
        self.store.readiness(timeout)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn calendar(&self) -> Arc<WorkCalendar> {
        self.calendar.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn set_calendar(&self, calendar: WorkCalendar) {
        *self.calendar.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(calendar);
    }

    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().unwrap_or_else(|e| e.into_inner()).catalog.clone()
    }

    /// The procedures matching a query (code, name, field or colloquial alias; accents
    /// optional), in catalog order, those in `first` (a commune's offer list) before the
    /// others; all of them for an empty query. Borrowed from the catalog in force, not copied:
    /// a keystroke's search matches thousands of procedures.
    pub fn search_procedures(&self, q: &str, first: &HashSet<String>) -> Found {
        let q = vi_text::fold(q);
        let state = self.catalog_state();
        let procedures = &state.catalog.procedures;
        let mut idx: Vec<usize> =
            (0..procedures.len()).filter(|&i| q.is_empty() || state.folded[i].contains(q.as_str())).collect();
        // A commune's own procedures first (stable: the catalog's order within each part).
        idx.sort_by_key(|&i| !first.contains(&procedures[i].code));
        Found { catalog: state.catalog.clone(), idx }
    }

    /// The catalog's fields (lĩnh vực), by name, with how many procedures each has.
    pub fn catalog_fields(&self) -> Vec<(String, usize)> {
        self.catalog_state().fields.clone()
    }

    /// The catalog with the version in force of each procedure.
    pub(crate) fn catalog_state(&self) -> Arc<catalog_store::Loaded> {
        self.catalog.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn remember(&self, d: Arc<DossierRecord>) {
        let dropped = self.recent.lock().unwrap_or_else(|e| e.into_inner()).insert(d.code.clone(), d);
        // Half the cache is freed here, not under the lock that every action takes.
        drop(dropped);
    }

    pub(crate) fn recall(&self, code: &str) -> Option<Arc<DossierRecord>> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner()).get(code.trim())
    }

    pub(crate) fn forget(&self, code: &str) {
        self.recent.lock().unwrap_or_else(|e| e.into_inner()).remove(code.trim());
    }

    /// Remembers up to `n` dossiers as last written (a busy province's open dossiers: the
    /// next step of each then starts without a read).
    pub fn keep_recent(self, n: usize) -> App {
        *self.recent.lock().unwrap_or_else(|e| e.into_inner()) = dossiers::recent::Recent::new(n);
        self
    }

    /// Keeps the assistant's index and the documents at these places (the defaults are
    /// [`Places::for_db`]).
    pub fn with_places(mut self, places: Places) -> App {
        self.index_root = places.data_dir;
        self.blobs = Arc::new(blobs::FsBlobs { root: places.blobs });
        self
    }

    /// A temporary file for a document being received (see [`blobs::Spool`]).
    pub fn spool(&self) -> AppResult<blobs::Spool> {
        blobs::Spool::new_in(&self.blobs.spool_dir())
            .map_err(|e| AppError::internal(Code::BlobStore, format!("không ghi được tệp tạm: {e}")))
    }

    /// Replaces the blob store (the default is a folder in the data directory).
    pub fn with_blobs(mut self, blobs: Arc<dyn blobs::BlobStore>) -> App {
        self.blobs = blobs;
        self
    }

    /// A stored document's bytes by hash.
    pub(crate) fn blob(&self, sha256: &str) -> AppResult<Vec<u8>> {
        self.blobs
            .get(sha256)
            .map_err(|e| AppError::internal(Code::BlobStore, format!("không đọc được tệp: {e}")))?
            .ok_or_else(|| AppError::internal(Code::BlobMissing, "tệp đã mất khỏi kho lưu trữ"))
    }

    /// Now, to the second: the history stores whole seconds, and hashes what it stores.
    pub fn now(&self) -> NaiveDateTime {
        let t = (self.clock)();
        t.with_nanosecond(0).unwrap_or(t)
    }
}
