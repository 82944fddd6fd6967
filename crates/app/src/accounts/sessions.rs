//! Sign-in: sessions for the web app (a cookie) and the API (a bearer token), login throttling,
//! and the audit log of logins and denials.

use crate::accounts::users::User;
use crate::{Accounts, AppError, AppResult};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{Duration, NaiveDateTime};
use errors::Code;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use store::Val;

/// How long a session lasts without signing in again: a working day and a half.
const SESSION_HOURS: i64 = 12;
/// Failed logins allowed per account from one client in [`THROTTLE_MINUTES`]: a guesser
/// locks out itself, not the officer signing in from elsewhere.
const MAX_FAILURES: u32 = 5;
/// Failed logins allowed per account from all clients together: a guesser spread over many
/// addresses.
const MAX_FAILURES_PER_ACCOUNT: u32 = 20;
/// Per address: a commune office's officers share one address behind its router.
const MAX_FAILURES_PER_ADDRESS: u32 = 30;
pub(crate) const THROTTLE_MINUTES: i64 = 15;

/// Failures allowed in [`THROTTLE_MINUTES`] for a key, by its kind: an account from a client
/// (`uc:`), an account (`u:`), the address of a login (`ip:`), a dossier's tracking secret
/// (`track:`), the address guessing tracking secrets (`track-ip:`).
fn max_failures(key: &str) -> u32 {
    match key.split_once(':').map(|(kind, _)| kind) {
        Some("ip") => MAX_FAILURES_PER_ADDRESS,
        Some("u") => MAX_FAILURES_PER_ACCOUNT,
        Some("track") => 5,
        Some("track-ip") => 20,
        _ => MAX_FAILURES,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    /// The token forms must send back (CSRF).
    pub csrf: String,
    pub expires_at: NaiveDateTime,
}

#[derive(Default)]
pub(crate) struct Sessions {
    cache: Mutex<HashMap<String, (Session, NaiveDateTime)>>,
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash a session is known by (what the database keeps, and what a logout announces).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl Accounts<'_> {
    /// Appends to the audit log (logins, denials, administrative acts).
    pub fn log(
        &self,
        actor: &str,
        action: &str,
        target: Option<&str>,
        ip: Option<&str>,
        detail: Option<&str>,
    ) {
        let vals: Vec<Val> = vec![
            self.app.now().into(),
            actor.into(),
            action.into(),
            target.map(str::to_string).into(),
            ip.map(str::to_string).into(),
            detail.map(str::to_string).into(),
        ];
        // The log must not take the request down with it; a failure is reported on stderr.
        if let Err(e) = self.app.store.write(move |c| {
            c.exec("INSERT INTO audit_log (at, actor, action, target, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)", &vals)
        }) {
            tracing::error!(code = %e.code(), cause = e.message(), "không ghi được nhật ký kiểm toán");
        }
    }

    /// Whether any of `keys` (the account, the address) failed too often lately. Counted in
    /// the database, shared by every server.
    pub(crate) fn throttled(&self, keys: &[String], now: NaiveDateTime) -> AppResult<bool> {
        let since = now - Duration::minutes(THROTTLE_MINUTES);
        for k in keys {
            let max = max_failures(k);
            let k = k.clone();
            let row = self.app.store.read(|c| {
                c.query_one(
                    "SELECT failures, since FROM login_failures WHERE key = $1",
                    &[Val::Text(k.clone())],
                )
            })?;
            if let Some(r) = row {
                let (failures, first): (i64, chrono::NaiveDateTime) = (r.col("failures")?, r.col("since")?);
                if failures >= max as i64 && first > since {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    pub(crate) fn count_failure(&self, keys: &[String], now: NaiveDateTime) -> AppResult<()> {
        let keys = keys.to_vec();
        let window_start = now - Duration::minutes(THROTTLE_MINUTES);
        self.app.store.write(move |c| {
            for k in &keys {
                // A count older than the window starts again at one.
                c.exec(
                    "INSERT INTO login_failures (key, failures, since) VALUES ($1, 1, $2)
                     ON CONFLICT (key) DO UPDATE SET
                       failures = CASE WHEN login_failures.since <= $3 THEN 1 ELSE login_failures.failures + 1 END,
                       since = CASE WHEN login_failures.since <= $3 THEN excluded.since ELSE login_failures.since END",
                    &[Val::Text(k.clone()), now.into(), window_start.into()],
                )?;
            }
            // Old counts are of no use: forgotten now and then.
            c.exec("DELETE FROM login_failures WHERE since < $1", &[(now - Duration::days(1)).into()])?;
            Ok(())
        })?;
        Ok(())
    }

    /// Signs in: returns the session token (to send back as a cookie or a bearer token).
    pub fn login(&self, username: &str, password: &str, ip: &str) -> AppResult<(String, Session)> {
        let now = self.app.now();
        let name = username.trim().to_lowercase();
        // A typed name is kept short: the key is not a place to store what a guesser sends.
        let short: String = name.chars().take(64).collect();
        let keys = [format!("uc:{short}|{ip}"), format!("u:{short}"), format!("ip:{ip}")];
        if self.throttled(&keys, now)? {
            // Counted, not logged: a guesser past the limit must not fill the audit log.
            metrics::counter!("haicap_logins_throttled_total").increment(1);
            return Err(AppError::new(
                Code::TooManyAttempts,
                format!("đăng nhập sai quá {MAX_FAILURES} lần; hãy thử lại sau {THROTTLE_MINUTES} phút"),
            ));
        }
        let user = match self.authenticate(&name, password) {
            Ok(u) => u,
            Err(e) => {
                self.count_failure(&keys, now)?;
                self.log(&short, "login_failed", None, Some(ip), None);
                return Err(e);
            }
        };
        let token = random_hex(32);
        let session = Session {
            user: user.clone(),
            csrf: random_hex(16),
            expires_at: now + Duration::hours(SESSION_HOURS),
        };
        let vals: Vec<Val> = vec![
            token_hash(&token).into(),
            (&user.username).into(),
            (&session.csrf).into(),
            now.into(),
            session.expires_at.into(),
        ];
        self.app.store.write(move |c| {
            c.exec("INSERT INTO sessions (token_hash, username, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", &vals)
        })?;
        self.log(&user.username, "login", None, Some(ip), None);
        Ok((token, session))
    }

    /// The session of a token, if it is valid.
    pub fn session(&self, token: &str) -> AppResult<Option<Session>> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let now = self.app.now();
        let hash = token_hash(token);
        if let Some((s, checked)) =
            self.app.sessions.cache.lock().unwrap_or_else(|e| e.into_inner()).get(&hash)
        {
            // Re-read now and then, so that a logout on another server is seen.
            if now - *checked < Duration::seconds(30) && s.expires_at > now {
                return Ok(Some(s.clone()));
            }
        }
        let h = hash.clone();
        let row = self.app.store.read(|c| {
            c.query_one(
                "SELECT username, csrf, expires_at FROM sessions WHERE token_hash = $1",
                &[Val::Text(h.clone())],
            )
        })?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: chrono::NaiveDateTime = row.col("expires_at")?;
        if expires_at <= now {
            return Ok(None);
        }
        let Some((user, _)) = self.user(&row.col::<String>("username")?)?.filter(|(u, _)| u.active) else {
            return Ok(None);
        };
        let s = Session { user, csrf: row.col("csrf")?, expires_at };
        let mut cache = self.app.sessions.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 50_000 {
            cache.clear();
        }
        cache.insert(hash, (s.clone(), now));
        Ok(Some(s))
    }

    /// Drops every cached session of an account from this server's cache.
    pub(crate) fn forget_sessions_of(&self, username: &str) {
        self.app
            .sessions
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (s, _)| s.user.username != username);
    }

    /// Drops a session, known by its token's hash, from this server's cache.
    pub fn forget_session_hash(&self, hash: &str) {
        self.app.sessions.cache.lock().unwrap_or_else(|e| e.into_inner()).remove(hash);
    }

    /// Ends a session; returns its token's hash, for the other servers sharing the database to
    /// drop it from their caches ([`Accounts::forget_session_hash`]).
    pub fn logout(&self, token: &str) -> AppResult<String> {
        let hash = token_hash(token);
        self.forget_session_hash(&hash);
        let h = hash.clone();
        self.app
            .store
            .write(move |c| c.exec("DELETE FROM sessions WHERE token_hash = $1", &[(&h).into()]))?;
        Ok(hash)
    }
}
