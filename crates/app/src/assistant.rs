//! The digital assistant as a service: questions answered from the catalog in the database (with
//! the aliases officials added and the province's own settings), every question logged for the
//! usage figures, hand-off to an officer with an answer the citizen reads by code, feedback and
//! suggestions reviewed by an administrator, and the operations handbook.
//!
//! The search index is kept in the data directory (`assistant-index.json`) with a fingerprint of
//! what it was built from; a server starts from it when the catalog has not changed and rebuilds
//! it when it has (`haicap assistant reindex` forces it).

use crate::{Actor, AppError, AppResult};
use ::assistant::answer::Local;
use ::assistant::index::Index;
use ::assistant::{Article, Assistant, Reply};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use domain::roles::{Role, Scope};
use errors::Code;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use store::{Row, StoreError, Val};

crate::capability! {
    /// The digital assistant: questions, hand-offs, suggestions and the handbook.
    Assistance, assistant
}

/// The handbook's seed (see data/assistant/SOURCE.md).
const HANDBOOK_SEED: &str = include_str!("../../../data/assistant/handbook_topics.md");

/// Longest question taken (a chat message, not a document).
const MAX_QUESTION: usize = 1_000;
const MAX_TEXT: usize = 20_000;

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asked {
    pub id: i64,
    pub province_code: Option<String>,
    #[serde(flatten)]
    pub reply: Reply,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Handoff {
    pub code: String,
    pub created_at: NaiveDateTime,
    pub question: String,
    pub province_code: Option<String>,
    pub status: String,
    pub answer: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    pub question_id: Option<i64>,
    pub helpful: Option<bool>,
    /// `alias` (another way people name a procedure) or `handbook` (an article to add).
    pub kind: Option<String>,
    pub procedure_code: Option<String>,
    pub text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub question: Option<String>,
    pub kind: String,
    pub procedure_code: Option<String>,
    pub text: String,
    pub suggested_by: Option<String>,
    pub status: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct IndexReport {
    pub procedures: usize,
    pub aliases: usize,
    pub articles: usize,
    pub rebuilt: bool,
    pub millis: u128,
    pub path: String,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficialUsage {
    pub username: String,
    pub unit_code: String,
    pub questions: i64,
    pub weeks_used: usize,
    /// Used in every week of the period (the one-query-a-week rule).
    pub meets_weekly_rule: bool,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountRow {
    pub key: String,
    pub count: i64,
}

#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub weeks: usize,
    pub questions: i64,
    pub answered: i64,
    pub officials: Vec<OfficialUsage>,
    pub communes: Vec<CountRow>,
    pub top_questions: Vec<CountRow>,
    pub unanswered: Vec<CountRow>,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    fingerprint: String,
    index: Index,
}

fn check_province(code: Option<&str>) -> AppResult<Option<String>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => units::registry().province(c).map(|p| Some(p.code.to_string())).ok_or_else(|| {
            AppError::new(Code::UnknownProvince, format!("không có tỉnh, thành phố mã \"{c}\""))
        }),
    }
}

fn is_staff(actor: &Actor) -> bool {
    actor.role.is_some() || actor.scope == Scope::Everything
}

/// The assistant's data is the whole country's (the handbook, aliases that join the catalog's
/// search): administered at the console or by a national administrator, never by a province's
/// or a commune's.
fn may_administer(actor: &Actor) -> bool {
    (actor.scope == Scope::Everything && actor.role.is_none()) || actor.role == Some(Role::NationalAdmin)
}

fn forbidden() -> AppError {
    AppError::new(Code::Forbidden, "tài khoản không có quyền thực hiện việc này")
}

/// Whether the actor's scope covers a province (a question with none is everyone's).
fn covers(actor: &Actor, province: Option<&str>) -> bool {
    match (&actor.scope, province) {
        (Scope::Everything, _) | (_, None) => true,
        // The nation answers no province's citizens.
        (Scope::Nation, Some(_)) => false,
        (Scope::Province(p), Some(q)) => p == q,
        (Scope::Commune { province, .. }, Some(q)) => province == q,
    }
}

/// A code a citizen can read out on the phone: no 0/O or 1/I.
fn handoff_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut buf = [0u8; 8];
    OsRng.fill_bytes(&mut buf);
    let s: String = buf.iter().map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char).collect();
    format!("HD-{}", s)
}

/// The handbook's seed articles: each numbered topic of the file, its bullets as the body.
pub fn seed_articles(md: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    for line in md.lines() {
        let t = line.trim();
        let numbered =
            t.split_once(". **").filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if let Some((_, rest)) = numbered {
            out.push((rest.trim_end_matches("**").trim().to_string(), String::new()));
        } else if let (Some(last), Some(bullet)) = (out.last_mut(), t.strip_prefix("- ")) {
            if !last.1.is_empty() {
                last.1.push('\n');
            }
            last.1.push_str(bullet);
        }
    }
    out
}

/// A row of `SELECT {HANDOFF_COLUMNS} FROM assistant_handoffs`, by column name.
fn handoff_of(r: &Row) -> Result<Handoff, StoreError> {
    Ok(Handoff {
        code: r.col("code")?,
        created_at: r.col("created_at")?,
        question: r.col("question")?,
        province_code: r.col("province_code")?,
        status: r.col("status")?,
        answer: r.col("answer")?,
        answered_at: r.col("answered_at")?,
    })
}

const HANDOFF_COLUMNS: &str = "code, created_at, question, province_code, status, answer, answered_at";

impl Assistance<'_> {
    fn index_path(&self) -> PathBuf {
        self.app.index_root.join("assistant-index.json")
    }

    /// The assistant over the current catalog, built on first use.
    pub fn engine(&self) -> AppResult<Arc<Assistant>> {
        if let Some(a) = self.app.assistant.read().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok(a);
        }
        self.reindex_assistant(false)?;
        Ok(self.app.assistant.read().unwrap_or_else(|e| e.into_inner()).clone().expect("just built"))
    }

    /// Builds the assistant from the database: from the saved index when its fingerprint
    /// matches (unless `force`), otherwise a fresh index, saved for the next start.
    pub fn reindex_assistant(&self, force: bool) -> AppResult<IndexReport> {
        let started = Instant::now();
        self.seed_handbook()?;
        let procedures = self.app.catalog().procedures.clone();
        let aliases: Vec<(String, String)> = self
            .app
            .store
            .read(|c| {
                c.query(
                    "SELECT procedure_code, alias FROM catalog_aliases ORDER BY procedure_code, alias",
                    &[],
                )
            })?
            .iter()
            .map(|r| Ok((r.col("procedure_code")?, r.col("alias")?)))
            .collect::<Result<_, StoreError>>()?;
        let articles = self.handbook()?;
        let docs = ::assistant::catalog_docs(&procedures, &aliases);
        let mut h = Sha256::new();
        h.update(serde_json::to_vec(&docs).unwrap_or_default());
        h.update(::assistant::analyze::CHAT_RULES);
        h.update(::assistant::index::FORMAT);
        let fingerprint = format!("{:x}", h.finalize());
        let path = self.index_path();
        let saved: Option<Saved> = if force {
            None
        } else {
            std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok())
        };
        let (index, rebuilt) = match saved {
            Some(s) if s.fingerprint == fingerprint => (s.index, false),
            _ => {
                let index = ::assistant::build_index(&docs);
                let saved = Saved { fingerprint, index };
                // A failed save only costs a rebuild at the next start.
                if let Ok(bytes) = serde_json::to_vec(&saved) {
                    let _ = std::fs::create_dir_all(&self.app.index_root);
                    let tmp = path.with_extension("json.tmp");
                    if std::fs::write(&tmp, bytes).is_ok() {
                        let _ = std::fs::rename(&tmp, &path);
                    }
                }
                (saved.index, true)
            }
        };
        let report = IndexReport {
            procedures: procedures.len(),
            aliases: aliases.len(),
            articles: articles.len(),
            rebuilt,
            millis: 0,
            path: path.display().to_string(),
        };
        let a = Assistant::with_index(procedures, index, articles);
        *self.app.assistant.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(a));
        Ok(IndexReport { millis: started.elapsed().as_millis(), ..report })
    }

    /// Drops the built assistant; the next question rebuilds it (after a catalog change).
    pub(crate) fn assistant_stale(&self) {
        *self.app.assistant.write().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Answers a question and logs it. `province` (or the signed-in official's province) brings
    /// in the province's own fee and delegation.
    pub fn ask(&self, question: &str, province: Option<&str>, actor: Option<&Actor>) -> AppResult<Asked> {
        self.ask_at(question, province, None, actor)
    }

    /// [`Assistance::ask`] from a commune: the procedures it offers come first among close
    /// candidates (its offer list, `App::import_offers`). Without `commune`, an official of a
    /// commune asks from theirs.
    pub fn ask_at(
        &self,
        question: &str,
        province: Option<&str>,
        commune: Option<&str>,
        actor: Option<&Actor>,
    ) -> AppResult<Asked> {
        let question = crate::checked_text(Code::InvalidQuestion, "Câu hỏi", question, MAX_QUESTION)?;
        let commune = match commune.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(crate::known_commune(c)?.code.to_string()),
            None => actor.and_then(|a| match &a.scope {
                Scope::Commune { commune, .. } => Some(commune.clone()),
                _ => None,
            }),
        };
        let offered = match &commune {
            Some(c) => self.app.offered(c)?,
            None => Default::default(),
        };
        let mut province = check_province(province)?;
        if province.is_none() {
            // A commune's question is about its province's procedures and fees.
            let reg = units::registry();
            province =
                commune.as_deref().and_then(|c| reg.commune(c)).map(|c| reg.province_of(c).code.to_string());
        }
        if province.is_none() {
            province = actor.and_then(|a| match &a.scope {
                Scope::Province(p) | Scope::Commune { province: p, .. } => Some(p.clone()),
                Scope::Everything | Scope::Nation => None,
            });
        }
        let a = self.engine()?;
        let started = Instant::now();
        let province_name = province.as_deref().and_then(|p| units::registry().province(p)).map(|p| p.name);
        let reply = a.ask_preferring(
            &question,
            |code| {
                let (p, name) = (province.as_deref()?, province_name?);
                let s = self.app.settings.setting(p, code)?;
                Some(Local {
                    province_name: name.to_string(),
                    fee_vnd: s.fee_vnd,
                    fee_note: s.fee_note,
                    delegated_to_commune: s.delegated_to_commune,
                    boundary_free: s.boundary_free,
                })
            },
            &|code| offered.contains(code),
        );
        let latency = started.elapsed().as_micros() as i64;
        let now = self.app.now();
        let (username, unit) = match actor.filter(|a| a.role.is_some()) {
            Some(a) => (
                Some(a.username.clone()),
                match &a.scope {
                    Scope::Commune { commune, .. } => Some(commune.clone()),
                    Scope::Province(p) => Some(p.clone()),
                    Scope::Nation => Some(domain::roles::NATION.to_string()),
                    Scope::Everything => None,
                },
            ),
            None => (None, None),
        };
        let top = reply.matches.first().filter(|_| reply.confident).map(|m| m.code.clone());
        let params: Vec<Val> = vec![
            now.into(),
            question.clone().into(),
            province.clone().into(),
            username.into(),
            unit.into(),
            top.into(),
            reply.confident.into(),
            reply.asks.code().into(),
            latency.into(),
        ];
        let id = self.app.store.write(move |c| {
            c.insert_returning_id(
                "INSERT INTO assistant_questions (asked_at, question, province_code, username, unit_code, top_code, confident, asks, latency_us)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &params)
        })?;
        Ok(Asked { id, province_code: province, reply })
    }

    /// Sends a question to the officers; the citizen reads the answer with the returned code.
    pub fn hand_off(
        &self,
        question_id: Option<i64>,
        question: &str,
        contact: Option<&str>,
        province: Option<&str>,
    ) -> AppResult<Handoff> {
        let question = crate::checked_text(Code::InvalidQuestion, "Câu hỏi", question, MAX_QUESTION)?;
        let province = check_province(province)?;
        let contact =
            contact.map(str::trim).filter(|c| !c.is_empty()).map(|c| c.chars().take(200).collect::<String>());
        let h = Handoff {
            code: handoff_code(),
            created_at: self.app.now(),
            question,
            province_code: province,
            status: "open".into(),
            answer: None,
            answered_at: None,
        };
        let params: Vec<Val> = vec![
            h.code.clone().into(),
            h.created_at.into(),
            question_id.into(),
            h.question.clone().into(),
            h.province_code.clone().into(),
            contact.into(),
        ];
        self.app.store.write(move |c| {
            c.exec(
                "INSERT INTO assistant_handoffs (code, created_at, question_id, question, province_code, contact, status)
                 VALUES ($1, $2, $3, $4, $5, $6, 'open')",
                &params,
            )
        })?;
        Ok(h)
    }

    /// A handed-off question and its answer, by code (what the citizen sees).
    pub fn handoff(&self, code: &str) -> AppResult<Handoff> {
        let code = code.trim().to_uppercase();
        let sql = format!("SELECT {HANDOFF_COLUMNS} FROM assistant_handoffs WHERE code = $1");
        self.app
            .store
            .read(|c| c.query_one(&sql, &[code.as_str().into()]))?
            .map(|r| handoff_of(&r))
            .transpose()?
            .ok_or_else(|| AppError::new(Code::HandoffNotFound, "không có câu hỏi nào với mã này"))
    }

    /// Questions waiting for an officer in the actor's province, oldest first.
    pub fn open_handoffs(&self, actor: &Actor) -> AppResult<Vec<Handoff>> {
        if !is_staff(actor) {
            return Err(forbidden());
        }
        // Scoped before it is cut: questions sent to one province cannot crowd out another's.
        let (scope, params): (&str, Vec<store::Val>) = match &actor.scope {
            Scope::Everything => ("", vec![]),
            // Handoffs carry a citizen's contact: the desks of the provinces answer them.
            Scope::Nation => (" AND 1 = 0", vec![]),
            Scope::Province(p) | Scope::Commune { province: p, .. } => {
                (" AND (province_code IS NULL OR province_code = $1)", vec![p.into()])
            }
        };
        let sql = format!(
            "SELECT {HANDOFF_COLUMNS} FROM assistant_handoffs WHERE status = 'open'{scope} ORDER BY created_at, code LIMIT 500"
        );
        let rows = self.app.store.read(|c| c.query(&sql, &params))?;
        let all: Vec<Handoff> = rows.iter().map(handoff_of).collect::<Result<_, _>>()?;
        Ok(all.into_iter().filter(|h| covers(actor, h.province_code.as_deref())).collect())
    }

    /// An officer answers a handed-off question.
    pub fn answer_handoff(&self, code: &str, answer: &str, actor: &Actor) -> AppResult<Handoff> {
        if !is_staff(actor) {
            return Err(forbidden());
        }
        let answer = crate::checked_text(Code::InvalidAnswer, "Câu trả lời", answer, MAX_TEXT)?;
        let h = self.handoff(code)?;
        if !covers(actor, h.province_code.as_deref()) {
            return Err(AppError::new(Code::HandoffNotFound, "không có câu hỏi nào với mã này"));
        }
        let now = self.app.now();
        let who = actor.username.clone();
        let code = h.code.clone();
        // The officer's answer also waits for review as a handbook entry, so that the next
        // citizen asking the same gets it from the assistant.
        let changed = self.app.store.write(move |c| {
            let n = c.exec(
                "UPDATE assistant_handoffs SET status = 'answered', answer = $1, answered_by = $2, answered_at = $3
                 WHERE code = $4 AND status = 'open'",
                &[(&answer).into(), (&who).into(), now.into(), (&code).into()],
            )?;
            if n == 1 {
                c.exec(
                    "INSERT INTO assistant_suggestions (created_at, question_id, kind, text, suggested_by, status)
                     SELECT $1, question_id, 'handbook', $2, $3, 'pending' FROM assistant_handoffs WHERE code = $4",
                    &[now.into(), (&answer).into(), (&who).into(), (&code).into()],
                )?;
            }
            Ok(n)
        })?;
        if changed == 0 {
            return Err(AppError::new(Code::AlreadyAnswered, "câu hỏi này đã được trả lời"));
        }
        self.handoff(&h.code)
    }

    /// A rating of an answer, with an optional suggestion for the review queue.
    pub fn feedback(&self, f: &Feedback, actor: Option<&Actor>) -> AppResult<i64> {
        let text = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if f.helpful.is_none() && text.is_none() {
            return Err(AppError::new(Code::InvalidFeedback, "cần đánh giá câu trả lời hoặc nhập góp ý"));
        }
        let kind = match (f.kind.as_deref(), text) {
            (_, None) => "rating",
            (Some("alias") | None, Some(_)) => "alias",
            (Some("handbook"), Some(_)) => "handbook",
            (Some(_), Some(_)) => {
                return Err(AppError::new(
                    Code::InvalidFeedback,
                    "loại góp ý phải là \"alias\" hoặc \"handbook\"",
                ))
            }
        };
        if let Some(t) = text {
            crate::checked_text(Code::InvalidFeedback, "Góp ý", t, MAX_TEXT)?;
        }
        let code = f.procedure_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if kind == "alias" {
            let Some(code) = code else {
                return Err(AppError::new(
                    Code::InvalidFeedback,
                    "góp ý cách gọi cần mã thủ tục (procedure_code)",
                ));
            };
            if self.app.catalog().get(code).is_none() {
                return Err(AppError::new(Code::UnknownProcedure, format!("không có thủ tục mã \"{code}\"")));
            }
        }
        if let Some(q) = f.question_id {
            let found = self
                .app
                .store
                .read(|c| c.query_one("SELECT id FROM assistant_questions WHERE id = $1", &[q.into()]))?;
            if found.is_none() {
                return Err(AppError::new(Code::UnknownQuestion, "không có câu hỏi này"));
            }
        }
        let status = if kind == "rating" { "closed" } else { "pending" };
        let params: Vec<Val> = vec![
            self.app.now().into(),
            f.question_id.into(),
            f.helpful.into(),
            kind.into(),
            code.map(str::to_string).into(),
            text.map(str::to_string).into(),
            actor.map(|a| a.username.clone()).into(),
            status.into(),
        ];
        self.app.store.write(move |c| {
            c.insert_returning_id(
                "INSERT INTO assistant_suggestions (created_at, question_id, helpful, kind, procedure_code, text, suggested_by, status)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &params)
        })
        .map_err(Into::into)
    }

    /// Suggestions waiting for review (administrators).
    pub fn pending_suggestions(&self, actor: &Actor) -> AppResult<Vec<Suggestion>> {
        if !may_administer(actor) {
            return Err(forbidden());
        }
        let rows = self.app.store.read(|c| {
            c.query(
                "SELECT s.id, s.created_at, q.question, s.kind, s.procedure_code, s.text, s.suggested_by, s.status
                 FROM assistant_suggestions s LEFT JOIN assistant_questions q ON q.id = s.question_id
                 WHERE s.status = 'pending' ORDER BY s.id LIMIT 500",
                &[],
            )
        })?;
        let suggestion = |r: &Row| -> Result<Suggestion, StoreError> {
            Ok(Suggestion {
                id: r.col("id")?,
                created_at: r.col("created_at")?,
                question: r.col("question")?,
                kind: r.col("kind")?,
                procedure_code: r.col("procedure_code")?,
                text: r.col("text")?,
                suggested_by: r.col("suggested_by")?,
                status: r.col("status")?,
            })
        };
        Ok(rows.iter().map(suggestion).collect::<Result<_, _>>()?)
    }

    /// Accepts (an alias joins the catalog's search, a handbook suggestion becomes an article)
    /// or rejects a suggestion; the assistant is rebuilt when the catalog's search changed.
    pub fn review_suggestion(&self, id: i64, accept: bool, actor: &Actor) -> AppResult<Suggestion> {
        if !may_administer(actor) {
            return Err(forbidden());
        }
        let s = self.pending_suggestions(actor)?.into_iter().find(|s| s.id == id).ok_or_else(|| {
            AppError::new(Code::SuggestionNotFound, "không có góp ý đang chờ duyệt với mã này")
        })?;
        let now = self.app.now();
        let who = actor.username.clone();
        let status = if accept { "accepted" } else { "rejected" };
        let s2 = s.clone();
        self.app.store.write(move |c| {
            let changed = c.exec(
                "UPDATE assistant_suggestions SET status = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4 AND status = 'pending'",
                &[status.into(), (&who).into(), now.into(), s2.id.into()],
            )?;
            if changed == 1 && accept {
                if s2.kind == "alias" {
                    c.exec(
                        "INSERT INTO catalog_aliases (procedure_code, alias, added_by, added_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (procedure_code, alias) DO NOTHING",
                        &[s2.procedure_code.clone().into(), (&s2.text).into(), (&who).into(), now.into()],
                    )?;
                } else if s2.kind == "handbook" {
                    let title: String = s2.question.clone().unwrap_or_else(|| s2.text.chars().take(80).collect());
                    c.exec(
                        "INSERT INTO handbook_articles (title, body, updated_at, updated_by) VALUES ($1, $2, $3, $4)",
                        &[title.into(), (&s2.text).into(), now.into(), (&who).into()],
                    )?;
                }
            }
            Ok(())
        })?;
        if accept {
            self.assistant_stale();
        }
        Ok(Suggestion { status: status.into(), ..s })
    }

    fn seed_handbook(&self) -> AppResult<()> {
        if self.app.store.read(|c| c.count("SELECT COUNT(*) FROM handbook_articles", &[]))? > 0 {
            return Ok(());
        }
        let now = self.app.now();
        let seed = seed_articles(HANDBOOK_SEED);
        self.app.store.write(move |c| {
            // Seeded once: another server may have seeded it between the count and here.
            if c.count("SELECT COUNT(*) FROM handbook_articles", &[])? > 0 {
                return Ok(());
            }
            for (title, body) in &seed {
                c.exec(
                    "INSERT INTO handbook_articles (title, body, updated_at, updated_by) VALUES ($1, $2, $3, 'haicap')",
                    &[title.into(), body.into(), now.into()],
                )?;
            }
            Ok(())
        })?;
        Ok(())
    }

    /// The handbook's articles, in order.
    pub fn handbook(&self) -> AppResult<Vec<Article>> {
        let rows = self
            .app
            .store
            .read(|c| c.query("SELECT id, title, body FROM handbook_articles ORDER BY id", &[]))?;
        let article = |r: &Row| -> Result<Article, StoreError> {
            Ok(Article { id: r.col("id")?, title: r.col("title")?, body: r.col("body")? })
        };
        Ok(rows.iter().map(article).collect::<Result<_, _>>()?)
    }

    /// The handbook's articles matching `text` (best first), or all of them for no text.
    pub fn search_handbook(&self, text: Option<&str>) -> AppResult<Vec<Article>> {
        let a = self.engine()?;
        Ok(match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => a.search_handbook(t).into_iter().cloned().collect(),
            None => a.articles().to_vec(),
        })
    }

    /// Creates (no `id`) or edits an article (administrators).
    pub fn save_article(
        &self,
        id: Option<i64>,
        title: &str,
        body: &str,
        actor: &Actor,
    ) -> AppResult<Article> {
        if !may_administer(actor) {
            return Err(forbidden());
        }
        let title = crate::checked_text(Code::InvalidArticle, "Tiêu đề", title, 300)?;
        let body = crate::checked_text(Code::InvalidArticle, "Nội dung", body, MAX_TEXT)?;
        let now = self.app.now();
        let who = actor.username.clone();
        let (t, b) = (title.clone(), body.clone());
        let id = self.app.store.write(move |c| match id {
            Some(id) => {
                let n = c.exec(
                    "UPDATE handbook_articles SET title = $1, body = $2, updated_at = $3, updated_by = $4 WHERE id = $5",
                    &[(&t).into(), (&b).into(), now.into(), (&who).into(), id.into()],
                )?;
                Ok(if n == 1 { Some(id) } else { None })
            }
            None => {
                c.insert_returning_id(
                    "INSERT INTO handbook_articles (title, body, updated_at, updated_by) VALUES ($1, $2, $3, $4) RETURNING id",
                    &[(&t).into(), (&b).into(), now.into(), (&who).into()]).map(Some)
            }
        })?;
        let id = id.ok_or_else(|| AppError::new(Code::ArticleNotFound, "không có bài viết này"))?;
        self.assistant_stale();
        Ok(Article { id, title, body })
    }

    /// Who uses the assistant: per official (and whether each used it every week of the
    /// period), per commune, the most asked questions and those it could not answer.
    pub fn assistant_usage(&self, from: NaiveDate, to: NaiveDate, actor: &Actor) -> AppResult<Usage> {
        if !is_staff(actor) {
            return Err(forbidden());
        }
        crate::statistics::figures::check_period(from, to)?;
        let start = from.and_hms_opt(0, 0, 0).unwrap_or_default();
        let end = to.succ_opt().unwrap_or(to).and_hms_opt(0, 0, 0).unwrap_or_default();
        // Scoped in SQL: a province's summary reads its own questions (and those of no
        // province), not the country's.
        let mut params: Vec<store::Val> = vec![start.into(), end.into()];
        let scope = match &actor.scope {
            // Counts of questions, no citizen's words: the nation reads the country's.
            Scope::Everything | Scope::Nation => "",
            Scope::Province(p) | Scope::Commune { province: p, .. } => {
                params.push(p.into());
                " AND (province_code IS NULL OR province_code = $3)"
            }
        };
        let (questions, users) = self.app.store.read(|c| {
            let q = c.query(
                &format!(
                    "SELECT asked_at, question, username, unit_code, confident, province_code FROM assistant_questions
                     WHERE asked_at >= $1 AND asked_at < $2{scope}"
                ),
                &params,
            )?;
            let u = c.query(
                "SELECT username, unit_code, province_code FROM users WHERE active = TRUE AND role <> 'admin' ORDER BY username",
                &[],
            )?;
            Ok((q, u))
        })?;
        let week = |d: NaiveDate| (d.iso_week().year(), d.iso_week().week());
        let mut weeks: Vec<(i32, u32)> = from.iter_days().take_while(|d| *d <= to).map(week).collect();
        weeks.dedup();
        let mut by_user: std::collections::HashMap<String, (i64, std::collections::BTreeSet<(i32, u32)>)> =
            Default::default();
        let mut by_unit: std::collections::BTreeMap<String, i64> = Default::default();
        let mut by_text: std::collections::HashMap<String, (String, i64, bool)> = Default::default();
        let (mut total, mut answered) = (0, 0);
        for r in &questions {
            if !covers(actor, r.col::<Option<String>>("province_code")?.as_deref()) {
                continue;
            }
            total += 1;
            let confident: bool = r.col("confident")?;
            answered += confident as i64;
            if let Some(u) = r.col::<Option<String>>("username")? {
                let e = by_user.entry(u).or_default();
                e.0 += 1;
                e.1.insert(week(r.col::<NaiveDateTime>("asked_at")?.date()));
            }
            if let Some(unit) = r.col::<Option<String>>("unit_code")? {
                *by_unit.entry(unit).or_default() += 1;
            }
            let q: String = r.col("question")?;
            let key = vi_text::fold(q.trim());
            let e = by_text.entry(key).or_insert((q, 0, true));
            e.1 += 1;
            e.2 &= !confident;
        }
        let mut officials = vec![];
        for u in &users {
            if !covers(actor, u.col::<Option<String>>("province_code")?.as_deref()) {
                continue;
            }
            let name: String = u.col("username")?;
            let (n, w) = by_user.get(&name).cloned().unwrap_or_default();
            officials.push(OfficialUsage {
                username: name,
                unit_code: u.col::<Option<String>>("unit_code")?.unwrap_or_default(),
                questions: n,
                weeks_used: w.len(),
                meets_weekly_rule: weeks.iter().all(|k| w.contains(k)),
            });
        }
        let mut top: Vec<CountRow> =
            by_text.values().map(|(q, n, _)| CountRow { key: q.clone(), count: *n }).collect();
        top.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        let mut unanswered: Vec<CountRow> = by_text
            .values()
            .filter(|v| v.2)
            .map(|(q, n, _)| CountRow { key: q.clone(), count: *n })
            .collect();
        unanswered.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        top.truncate(20);
        unanswered.truncate(50);
        Ok(Usage {
            from,
            to,
            weeks: weeks.len(),
            questions: total,
            answered,
            officials,
            communes: by_unit.into_iter().map(|(key, count)| CountRow { key, count }).collect(),
            top_questions: top,
            unanswered,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handbook_seed_has_its_topics_with_their_facts() {
        let a = seed_articles(HANDBOOK_SEED);
        assert_eq!(a.len(), 22);
        assert_eq!(a[0].0, "Thẩm quyền cấp xã sau 01/7/2025");
        assert!(a.iter().all(|(_, body)| body.lines().count() >= 2), "every topic keeps its facts");
    }
}
