//! Receiving a dossier: check the request, resolve the address, route it, set the appointment,
//! and write the dossier with its first events under a fresh code.

use crate::blobs::{Attachment, Upload};
use crate::dossiers::records::{bump_stats, insert_attachment, DossierRecord, EventRow};
use crate::{Actor, App, AppError, AppResult, Dossiers};
use domain::audit::GENESIS;
use domain::roles::Scope;
use domain::routing::{route, Place};
use domain::{Action, Channel, Dossier};
use errors::Code;
use serde::Deserialize;
use std::cell::RefCell;
use std::sync::Arc;
use units::address::AddressParser;

/// Below this, an address is kept as written but not used to route.
const ROUTING_CONFIDENCE: f32 = 0.8;
/// The longest applicant's name and address, in characters, after trimming (declared again,
/// as literals, in `Applicant`'s schema: the web's contract tests hold the two together).
const MAX_NAME: usize = 100;
const MAX_ADDRESS: usize = 300;

#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Applicant {
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub full_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub address: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntakeRequest {
    pub procedure_code: String,
    pub channel: Channel,
    /// The desk that receives it; a commune account's own commune when not given.
    pub commune_code: Option<String>,
    pub applicant: Applicant,
}

thread_local! {
    static PARSER: RefCell<AddressParser> = RefCell::new(AddressParser::new());
}

fn clean_text(field: Code, label: &str, s: &str, max: usize) -> AppResult<String> {
    let t = s.trim();
    if t.chars().count() > max {
        return Err(AppError::new(field, format!("{label} dài quá {max} ký tự")));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(AppError::new(field, format!("{label} chứa ký tự điều khiển")));
    }
    Ok(t.to_string())
}

pub(crate) fn check_applicant(a: &Applicant) -> AppResult<Applicant> {
    let full_name = clean_text(Code::InvalidName, "họ tên", &a.full_name, MAX_NAME)?;
    if full_name.is_empty() {
        return Err(AppError::new(Code::MissingName, "thiếu họ tên người nộp hồ sơ"));
    }
    let phone = match a.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => {
            let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
            let ok_chars = p.chars().all(|c| c.is_ascii_digit() || " .-+()".contains(c));
            if !ok_chars || !(9..=15).contains(&digits.len()) {
                return Err(AppError::new(Code::InvalidPhone, format!("số điện thoại \"{p}\" không hợp lệ")));
            }
            Some(digits)
        }
    };
    let id_number = match a.id_number.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        // CCCD (12 digits) or the old CMND (9 digits).
        Some(n) if n.chars().all(|c| c.is_ascii_digit()) && (n.len() == 12 || n.len() == 9) => {
            Some(n.to_string())
        }
        Some(n) => {
            return Err(AppError::new(
                Code::InvalidIdNumber,
                format!("số định danh \"{n}\" không hợp lệ (CCCD 12 chữ số hoặc CMND 9 chữ số)"),
            ))
        }
    };
    let address = match &a.address {
        None => None,
        Some(s) => {
            Some(clean_text(Code::InvalidAddress, "địa chỉ", s, MAX_ADDRESS)?).filter(|s| !s.is_empty())
        }
    };
    Ok(Applicant { full_name, phone, id_number, address })
}

/// The commune an address is in (code, province, name), when the parser is sure enough to
/// route by it.
pub(crate) fn resolve_home(text: Option<&str>) -> Option<(&'static str, &'static str, &'static str)> {
    let reg = units::registry();
    let text = text?;
    let c = PARSER.with(|p| p.borrow_mut().convert(text));
    let commune = c.commune.filter(|_| c.confidence >= ROUTING_CONFIDENCE)?;
    let commune = &reg.communes[commune as usize];
    Some((commune.code, reg.province_of(commune).code, commune.name))
}

/// The desk (a commune, or a province's own desk) that receives the dossier.
fn desk_of(actor: &Actor, requested: Option<&str>) -> AppResult<(String, String, String)> {
    let reg = units::registry();
    let code = match (requested.map(str::trim).filter(|c| !c.is_empty()), &actor.scope) {
        (Some(c), _) => c.to_string(),
        (None, Scope::Commune { commune, .. }) => commune.clone(),
        (None, _) => return Err(AppError::new(Code::MissingCommune, "thiếu mã xã, phường tiếp nhận hồ sơ")),
    };
    let (code, province, name) = if let Some(c) = reg.commune(&code) {
        (c.code.to_string(), reg.province_of(c).code.to_string(), c.name.to_string())
    } else if let Some(p) = reg.province(&code) {
        (p.code.to_string(), p.code.to_string(), p.name.to_string())
    } else {
        return Err(AppError::new(Code::UnknownUnit, format!("không có xã, phường hay tỉnh mã \"{code}\"")));
    };
    if !actor.scope.sees(&province, &code, &code) {
        return Err(AppError::new(
            Code::OutOfScope,
            format!("tài khoản {} không tiếp nhận hồ sơ cho {name}", actor.username),
        ));
    }
    Ok((code, province, name))
}

/// A fresh random key naming an intake (the intake form's: see [`App::receive_then`]).
pub fn new_intake_key() -> String {
    crate::accounts::sessions::random_hex(16)
}

/// Whether `key` can name an intake: 8 to 128 letters, digits, `-`, `_`, `:` or `.` (a UUID,
/// a random token, a client's own reference).
fn valid_intake_key(key: &str) -> bool {
    (8..=128).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
}

/// An intake's write, prepared (see `Dossiers::intake_job`).
type IntakeWrite = Box<dyn FnMut(&mut dyn store::Conn) -> Result<DossierRecord, store::StoreError> + Send>;

impl Dossiers<'_> {
    /// Receives a dossier. A direct one is accepted at once (receipt and appointment); an
    /// online or postal one waits for an officer to accept it.
    pub fn receive(&self, req: &IntakeRequest, actor: &Actor) -> AppResult<DossierRecord> {
        self.receive_with(req, actor, vec![], &[])
    }

    /// The dossier an officer already filed under the intake key `key` (see
    /// [`App::receive_then`]), if any, as the officer may see it.
    pub fn filed_under(&self, key: &str, actor: &Actor) -> AppResult<Option<DossierRecord>> {
        let (who, key) = (actor.username.clone(), key.to_string());
        let code = self.app.store.read(move |c| {
            c.query_one(
                "SELECT dossier_code FROM intake_keys WHERE actor = $1 AND key = $2",
                &[who.as_str().into(), key.as_str().into()],
            )
        })?;
        match code.map(|r| r.col::<String>("dossier_code")).transpose()? {
            Some(code) => self.dossier(&code, actor).map(Some),
            None => Ok(None),
        }
    }

    /// Forgets intake keys older than a day: a request is not repeated later than that.
    pub fn sweep_intake_keys(&self) -> AppResult<u64> {
        let cutoff = self.app.now() - chrono::Duration::days(1);
        Ok(self
            .app
            .store
            .write(move |c| c.exec("DELETE FROM intake_keys WHERE created_at < $1", &[cutoff.into()]))?)
    }

    /// A citizen's online submission with its documents: the files are checked (count, size,
    /// real type), then the request (procedure, channel, applicant, desk), and only then are
    /// the files stored (by content, so a retry stores nothing twice), just before the dossier
    /// and the list of its documents are written in one transaction. A file stored for a
    /// transaction that then failed is referenced by nothing and removed by
    /// [`App::sweep_blobs`].
    pub fn submit_online(&self, req: &IntakeRequest, uploads: &[Upload]) -> AppResult<DossierRecord> {
        let checked = crate::blobs::check(uploads)?;
        let files: Vec<(String, &Upload)> = checked.iter().map(|(a, u)| (a.sha256.clone(), *u)).collect();
        let req = IntakeRequest { channel: Channel::Online, ..req.clone() };
        let citizen = Actor {
            username: "công dân".into(),
            role: None,
            scope: domain::roles::Scope::Everything,
            department: None,
        };
        self.receive_with(&req, &citizen, checked.into_iter().map(|(a, _)| a).collect(), &files)
    }

    /// Receives a dossier with its documents' descriptions (`attachments`) and contents
    /// (`files`, by hash), stored once everything else is checked.
    fn receive_with(
        &self,
        req: &IntakeRequest,
        actor: &Actor,
        attachments: Vec<Attachment>,
        files: &[(String, &Upload)],
    ) -> AppResult<DossierRecord> {
        let (counter, job) = self.intake_job(req, actor, attachments, files, None)?;
        let stored = self.app.store.write_numbered(Some(counter), job)?;
        self.after_intake(&stored);
        self.seal_after_write();
        Ok(stored)
    }

    /// What is done once a dossier is committed: counted, and kept in the recent cache.
    fn after_intake(&self, stored: &DossierRecord) {
        metrics::counter!("haicap_dossiers_received_total", "channel" => stored.channel.code()).increment(1);
        self.app.remember(Arc::new(stored.clone()));
    }

    /// Checks an intake and prepares its write: the procedure, channel, applicant, desk and
    /// route are checked and the documents stored (by content) before anything is written;
    /// the write then takes the day's next number, and writes the dossier, its events, its
    /// statistics and its documents' list in one transaction. Returned with the counter the
    /// write takes its number from (see `Store::write_numbered`).
    fn intake_job(
        &self,
        req: &IntakeRequest,
        actor: &Actor,
        attachments: Vec<Attachment>,
        files: &[(String, &Upload)],
        intake_key: Option<(String, String)>,
    ) -> AppResult<(String, IntakeWrite)> {
        let state = self.app.catalog_state();
        let code = req.procedure_code.trim();
        let procedure = state.catalog.get(code).ok_or_else(|| {
            AppError::new(Code::UnknownProcedure, format!("không có thủ tục mã \"{code}\" trong danh mục"))
        })?;
        let offered = match req.channel {
            Channel::Direct => procedure.direct,
            Channel::Online => procedure.online,
            Channel::Postal => procedure.postal,
        };
        if !offered {
            return Err(AppError::new(
                Code::ChannelNotOffered,
                format!(
                    "thủ tục \"{}\" không nhận hồ sơ {}",
                    procedure.name,
                    req.channel.label().to_lowercase()
                ),
            ));
        }
        let terms = procedure.terms(req.channel).ok_or_else(|| {
            AppError::new(Code::TimeLimitUnknown,
                format!(
                    "thủ tục \"{}\" chưa có thời hạn giải quyết rõ đơn vị (ghi \"{}\"); quản trị cần bổ sung danh mục trước khi tiếp nhận",
                    procedure.name, procedure.time_summary
                ),
            )
        })?;
        let applicant = check_applicant(&req.applicant)?;
        let (desk, province, desk_name) = desk_of(actor, req.commune_code.as_deref())?;
        // Only the desk's one-stop officer receives (the console and a citizen online file too).
        crate::dossiers::workflow::permitted(
            actor,
            "receive",
            domain::permissions::Place { receiving: &desk, handling: &desk },
        )?;
        let home = resolve_home(applicant.address.as_deref());
        let rule = self.app.settings.rule(&province, &procedure.code);
        let route = route(
            procedure.level,
            rule,
            Place { code: &desk, province: &province, name: &desk_name },
            home.map(|(code, province, name)| Place { code, province, name }),
        )?;
        let now = self.app.now();
        let mut d = Dossier::register("", req.channel, &route.handling, terms, now, &actor.username);
        if req.channel == Channel::Direct {
            d.act(&Action::Receive, now, &actor.username, &self.app.calendar())?;
        }
        let mut deltas = domain::stats::deltas(&d, &d.events);
        if !attachments.is_empty() {
            deltas.push((now.date(), domain::stats::Counter::Digitised));
        }
        self.app.check_not_behind()?;
        let pattern = self.app.settings.pattern(&province);
        // A node counts apart from its province (which numbers the commune's online dossiers).
        let pattern = if self.app.node_commune().is_some() { pattern.for_node() } else { pattern };
        let record = DossierRecord {
            code: String::new(),
            province_code: province.clone(),
            receiving_unit: route.receiving.clone(),
            handling_unit: route.handling.clone(),
            procedure_code: procedure.code.clone(),
            procedure_version: state.versions.get(&procedure.code).copied().unwrap_or(1),
            channel: req.channel,
            status: d.status,
            applicant_name: applicant.full_name,
            applicant_phone: applicant.phone,
            applicant_id_number: applicant.id_number,
            address_text: applicant.address,
            address_commune: home.map(|h| h.0.to_string()),
            registered_at: now,
            received_at: None,
            due_at: None,
            finished_at: None,
            verdict: None,
            assignee: None,
            supplement_requests: 0,
            event_count: 0,
            head_hash: String::new(),
            updated_at: now,
            seal_salt: Some(crate::dossiers::privacy::new_salt()),
            tracking_pin: Some(crate::dossiers::public::new_pin()),
            erased_at: None,
            writer: None,
            masked: false,
            events: vec![],
        };
        // The registration event seals who the dossier is for and what was filed.
        let documents: Vec<String> = attachments.iter().map(|a| a.sha256.clone()).collect();
        d.seal_subject(record.subject_digest(&documents));
        for (sha, upload) in files {
            upload.store(self.app.blobs.as_ref(), sha)?;
        }
        let day = now.date();
        let key = pattern.counter_key(&route.receiving, &province, day);
        let events = d.events.clone();
        Ok((
            key.clone(),
            Box::new(move |c: &mut dyn store::Conn| {
                let n = c.next_number(&key)?;
                let mut rec = record.clone();
                rec.code = pattern.code(&rec.receiving_unit, &rec.province_code, day, n as u64);
                let (rows, head) = EventRow::chain(&rec.code, GENESIS, &events);
                let mut dossier = d.clone();
                dossier.code = rec.code.clone();
                rec.follow(&dossier, head, now);
                rec.insert(c)?;
                if let Some((actor, key)) = &intake_key {
                    // A key used before fails the transaction on the table's primary key.
                    c.exec_later(
                        "INSERT INTO intake_keys (actor, key, dossier_code, created_at) VALUES ($1, $2, $3, $4)",
                        vec![actor.into(), key.into(), (&rec.code).into(), now.into()],
                    )?;
                }
                EventRow::insert_all(&rows, c, &rec.code, &rec.province_code)?;
                bump_stats(c, &rec, &deltas)?;
                for a in &attachments {
                    insert_attachment(c, &rec.code, &rec.province_code, a, now)?;
                }
                rec.events = events.clone();
                Ok(rec)
            }),
        ))
    }
}

/// On the `Arc` of the app, not a handle: the outcome arrives after the call, on the writer's
/// thread, which must hold the app until then.
impl App {
    /// [`Dossiers::receive`] without holding a thread while the writer commits: the request is
    /// checked here (in memory: no IO), then `done` gets the outcome on the writer's notifier
    /// thread once the dossier is committed or refused. `done` must not wait on the store.
    /// The web's intake uses it, so that a request waiting for the commit holds no thread.
    ///
    /// `key`, when given, names this intake for its officer (the API's `Idempotency-Key`, the
    /// intake form's hidden key): it is written with the dossier, in its transaction, and a
    /// second intake under the same key is refused by the database (`db_constraint`); its
    /// caller then answers with [`Dossiers::filed_under`], so a request repeated after a lost
    /// answer files nothing twice.
    pub fn receive_then(
        self: &Arc<Self>,
        req: &IntakeRequest,
        actor: &Actor,
        key: Option<&str>,
        done: impl FnOnce(AppResult<DossierRecord>) + Send + 'static,
    ) {
        if key.is_some_and(|k| !valid_intake_key(k)) {
            return done(Err(AppError::new(Code::InvalidIntakeKey, Code::InvalidIntakeKey.message())));
        }
        let key = key.map(|k| (actor.username.clone(), k.to_string()));
        let (counter, job) = match self.dossiers().intake_job(req, actor, vec![], &[], key) {
            Ok(job) => job,
            Err(e) => return done(Err(e)),
        };
        let app = self.clone();
        self.store.submit_numbered(Some(counter), job, move |r| {
            done(r.map_err(AppError::from).inspect(|stored| {
                app.dossiers().after_intake(stored);
                // A new day: the days before are sealed off this thread (the notifier must not
                // wait for the writer it serves), by one thread at a time: the intakes that
                // come while it seals start none of their own.
                if app.dossiers().seal_pending()
                    && !app.sealing.swap(true, std::sync::atomic::Ordering::AcqRel)
                {
                    let app = app.clone();
                    let started = std::thread::Builder::new().name("haicap-seal".into()).spawn({
                        let app = app.clone();
                        move || {
                            app.dossiers().seal_after_write();
                            app.sealing.store(false, std::sync::atomic::Ordering::Release);
                        }
                    });
                    if started.is_err() {
                        app.sealing.store(false, std::sync::atomic::Ordering::Release);
                    }
                }
            }))
        });
    }
}
