//! Alerts on dossiers near their due date or past it, to the officer handling each and to the
//! commune's leaders: in the app, and as messages through an outbox that a sender (the log by
//! default; e-mail or SMS when configured) delivers, with retries.
//!
//! A sweep writes each alert once per person, dossier, kind and due date (a unique key), and
//! the messages for it in the same transaction, so that a crash never loses or doubles one.
//! Delivery runs after the transaction: a sender that fails is tried again later, with a
//! growing pause, and after the last attempt the message is marked failed with its error.

use crate::{Actor, AppError, AppResult};
use chrono::{Duration, NaiveDateTime};
use domain::roles::Role;
use domain::Status;
use errors::Code;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use store::{Row, StoreError, Val};

crate::capability! {
    /// Alerts: sweeping for dossiers near or past their due date, the outbox, each person's list.
    Alerts, alerts
}

/// Pauses before each new attempt of an alert; after the last, the message is marked failed.
const RETRY_AFTER_MINUTES: [i64; 5] = [1, 5, 30, 120, 720];

/// The longest pause between attempts of a status for the portal, which has no last attempt.
const PORTAL_PAUSE_MINUTES: i64 = 30;

/// The pause in minutes before the next attempt of a message on `channel` that failed
/// `attempts` times; None: it failed for good. An alert is worth five tries over half a day; a
/// dossier's status waits until the portal takes it (or a newer status replaces it).
fn retry_pause(channel: &str, attempts: i64) -> Option<i64> {
    let pause = RETRY_AFTER_MINUTES.get(attempts.max(0) as usize).copied();
    if channel == crate::portal::CHANNEL {
        Some(pause.unwrap_or(PORTAL_PAUSE_MINUTES).min(PORTAL_PAUSE_MINUTES))
    } else {
        pause
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlertKind {
    /// Due by the end of the next working day.
    NearDue,
    Overdue,
    /// A commune's node has not reached its province for longer than the province allows
    /// (to the province's administrators; the alert's subject is the commune, not a dossier).
    NodeSilent,
}

impl AlertKind {
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::NearDue => "near_due",
            AlertKind::Overdue => "overdue",
            AlertKind::NodeSilent => "node_silent",
        }
    }

    fn parse(s: &str) -> Option<AlertKind> {
        [AlertKind::NearDue, AlertKind::Overdue, AlertKind::NodeSilent].into_iter().find(|k| k.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertKind::NearDue => "Sắp đến hạn",
            AlertKind::Overdue => "Quá hạn",
            AlertKind::NodeSilent => "Máy trạm của xã mất liên lạc",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub username: String,
    pub province_code: String,
    pub unit_code: String,
    /// The dossier; for [`AlertKind::NodeSilent`], the commune whose node is silent.
    pub dossier_code: String,
    pub kind: AlertKind,
    /// The due date; for [`AlertKind::NodeSilent`], the node's last contact.
    pub due_at: NaiveDateTime,
    pub read: bool,
}

impl Alert {
    /// A row of `SELECT {ALERT_COLUMNS} FROM alerts`, by column name.
    fn from_row(r: &Row) -> Result<Alert, StoreError> {
        Ok(Alert {
            id: r.col("id")?,
            created_at: r.col("created_at")?,
            username: r.col("username")?,
            province_code: r.col("province_code")?,
            unit_code: r.col("unit_code")?,
            dossier_code: r.col("dossier_code")?,
            kind: r.col_parsed("kind", |k: String| AlertKind::parse(&k))?,
            due_at: r.col("due_at")?,
            read: r.col::<Option<NaiveDateTime>>("read_at")?.is_some(),
        })
    }
}

const ALERT_COLUMNS: &str =
    "id, created_at, username, province_code, unit_code, dossier_code, kind, due_at, read_at";

/// Writes alerts and their messages within a sweep's transaction, reading each recipient's
/// contacts once.
struct Raiser {
    now: NaiveDateTime,
    email_on: bool,
    sms_on: bool,
    contacts: HashMap<String, (Option<String>, Option<String>)>,
}

impl Raiser {
    fn new(now: NaiveDateTime, email_on: bool, sms_on: bool) -> Raiser {
        Raiser { now, email_on, sms_on, contacts: HashMap::new() }
    }

    /// Raises `kind` for `who` about `[province, unit, subject code]` at `due`, once (the
    /// table's unique key), with a message on each channel the person can be reached by (the
    /// log when none). None when raised before.
    #[allow(clippy::too_many_arguments)]
    fn raise(
        &mut self,
        c: &mut dyn store::Conn,
        who: &str,
        [province, unit, code]: [&str; 3],
        kind: AlertKind,
        due: NaiveDateTime,
        subject: &str,
        body: &str,
    ) -> Result<Option<Alert>, StoreError> {
        let now = self.now;
        let row = c.query_one(
            &format!(
                "INSERT INTO alerts (created_at, username, province_code, unit_code, dossier_code, kind, due_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING {ALERT_COLUMNS}"
            ),
            &[now.into(), who.into(), province.into(), unit.into(), code.into(), Val::Text(kind.code().into()), due.into()],
        )?;
        // Nothing returned: this alert was raised before.
        let Some(alert) = row.as_ref().map(Alert::from_row).transpose()? else { return Ok(None) };
        if !self.contacts.contains_key(who) {
            let row = c.query_one("SELECT email, phone FROM users WHERE username = $1", &[who.into()])?;
            let field = |i| row.as_ref().and_then(|r| r.text(i).map(String::from));
            self.contacts.insert(who.to_string(), (field(0), field(1)));
        }
        let (email, phone) = self.contacts[who].clone();
        let (email, phone) = (email.filter(|_| self.email_on), phone.filter(|_| self.sms_on));
        let mut channels: Vec<(&str, Option<String>)> = vec![];
        if let Some(e) = email {
            channels.push(("email", Some(e)));
        }
        if let Some(p) = phone {
            channels.push(("sms", Some(p)));
        }
        if channels.is_empty() {
            channels.push(("log", None));
        }
        for (channel, address) in channels {
            c.exec(
                "INSERT INTO outbox (created_at, alert_id, recipient, channel, address, subject, body, status, attempts, next_attempt_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8)",
                &[
                    now.into(),
                    Val::Int(alert.id),
                    who.into(),
                    Val::Text(channel.into()),
                    address.into(),
                    subject.into(),
                    body.into(),
                    now.into(),
                ],
            )?;
        }
        Ok(Some(alert))
    }
}

/// A message waiting in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub recipient: String,
    /// `log`, `email` or `sms`.
    pub channel: String,
    pub address: Option<String>,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
}

/// How long a server has to send the messages it claimed before another may.
const CLAIM_MINUTES: i64 = 10;

/// Delivers messages of one channel.
pub trait Sender: Send + Sync {
    fn send(&self, m: &Message) -> Result<(), String>;
}

/// Records the message in the server's log: the default, needs nothing. The log is read by
/// the IT staff, not the recipient: it gets who and what (the subject names the dossier by
/// code), never the body, which names the applicant.
pub struct LogSender;

impl Sender for LogSender {
    fn send(&self, m: &Message) -> Result<(), String> {
        tracing::info!(recipient = m.recipient, channel = m.channel, subject = m.subject, "cảnh báo");
        Ok(())
    }
}

/// Runs a program with the message on its standard input: `sendmail -t -i` for e-mail (the
/// message carries its own To and Subject headers), or an SMS gateway's command, whose
/// arguments may hold `{to}` for the phone number.
pub struct CommandSender {
    pub program: String,
    pub args: Vec<String>,
    /// E-mail: write RFC 5322 headers before the body.
    pub email_from: Option<String>,
}

impl CommandSender {
    /// From a command line as configured (words separated by spaces, no quoting).
    pub fn parse(line: &str, email_from: Option<String>) -> Option<CommandSender> {
        let mut words = line.split_whitespace().map(String::from);
        Some(CommandSender { program: words.next()?, args: words.collect(), email_from })
    }
}

impl Sender for CommandSender {
    fn send(&self, m: &Message) -> Result<(), String> {
        let to = m.address.as_deref().ok_or("không có địa chỉ nhận")?;
        let args: Vec<String> = self.args.iter().map(|a| a.replace("{to}", to)).collect();
        let mut child = Command::new(&self.program)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("không chạy được {}: {e}", self.program))?;
        let text = match &self.email_from {
            Some(from) => format!(
                "From: {from}\r\nTo: {to}\r\nSubject: =?UTF-8?B?{}?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
                base64(m.subject.as_bytes()),
                m.body
            ),
            None => m.body.clone(),
        };
        // A program that exits without reading its input closes the pipe under us: its exit
        // status, read below, then says what went wrong, not "broken pipe".
        let written = match child.stdin.take() {
            Some(mut stdin) => stdin.write_all(text.as_bytes()),
            None => Ok(()),
        };
        let out = child.wait_with_output().map_err(|e| format!("{}: {e}", self.program))?;
        if out.status.success() {
            written.map_err(|e| format!("không gửi được thư cho {}: {e}", self.program))
        } else {
            Err(format!(
                "{} trả về {}: {}",
                self.program,
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

/// Base64 for an encoded-word header (RFC 2047); twenty lines do not deserve a crate.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// The senders of each channel. The log is always there; e-mail and SMS when configured.
pub struct Senders {
    pub log: Box<dyn Sender>,
    pub email: Option<Box<dyn Sender>>,
    pub sms: Option<Box<dyn Sender>>,
    /// What hands a dossier's status to the national public service portal (its record in
    /// JSON on the input); none: the portal is not fed.
    pub portal: Option<Box<dyn Sender>>,
}

impl Default for Senders {
    fn default() -> Self {
        Senders { log: Box::new(LogSender), email: None, sms: None, portal: None }
    }
}

impl Senders {
    /// The log, and e-mail and SMS through these commands when given: an e-mail command
    /// (e.g. `/usr/sbin/sendmail -t -i`) with its sender address, an SMS command (e.g.
    /// `/usr/local/bin/gui-sms {to}`). The binary reads them from its flags or environment.
    pub fn from_commands(email: Option<&str>, email_from: Option<&str>, sms: Option<&str>) -> Senders {
        let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let from = given(email_from).unwrap_or_else(|| "haicap@localhost".into());
        Senders {
            log: Box::new(LogSender),
            email: given(email)
                .and_then(|c| CommandSender::parse(&c, Some(from)))
                .map(|s| Box::new(s) as Box<dyn Sender>),
            sms: given(sms)
                .and_then(|c| CommandSender::parse(&c, None))
                .map(|s| Box::new(s) as Box<dyn Sender>),
            portal: None,
        }
    }

    /// The portal fed through this command when given (e.g. a script that posts the record
    /// to the province's data-sharing platform, LGSP): the record in JSON on its input, exit
    /// status 0 when the portal took it; `{to}` in it is replaced by "dvcqg".
    pub fn with_portal(mut self, command: Option<&str>) -> Senders {
        self.portal = command
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .and_then(|c| CommandSender::parse(c, None))
            .map(|s| Box::new(s) as Box<dyn Sender>);
        self
    }

    fn of(&self, channel: &str) -> Option<&dyn Sender> {
        match channel {
            "log" => Some(self.log.as_ref()),
            "email" => self.email.as_deref(),
            "sms" => self.sms.as_deref(),
            crate::portal::CHANNEL => self.portal.as_deref(),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub sent: usize,
    /// Failed this time, to be tried again.
    pub retrying: usize,
    /// Failed for the last time.
    pub failed: usize,
}

/// An e-mail address and a phone number as an administrator typed them, checked and tidied
/// (spaces and dots out of the number).
pub fn check_contact(
    email: Option<&str>,
    phone: Option<&str>,
) -> AppResult<(Option<String>, Option<String>)> {
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    if let Some(e) = email {
        let ok = e.len() <= 200 && !e.chars().any(|c| c.is_whitespace() || c.is_control()) && {
            let (local, domain) = e.split_once('@').unwrap_or(("", ""));
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        };
        if !ok {
            return Err(AppError::new(Code::InvalidEmail, format!("địa chỉ thư \"{e}\" không hợp lệ")));
        }
    }
    let phone = phone
        .map(|p| p.chars().filter(|c| !c.is_whitespace() && *c != '.').collect::<String>())
        .filter(|p| !p.is_empty());
    if let Some(p) = &phone {
        let digits = p.strip_prefix('+').unwrap_or(p);
        if !(9..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::new(Code::InvalidPhone, format!("số điện thoại \"{p}\" không hợp lệ")));
        }
    }
    Ok((email.map(String::from), phone))
}

impl Alerts<'_> {
    /// Finds the dossiers that became near due or overdue since the last sweep and writes an
    /// alert (and its messages) for their officer and their commune's leaders. Returns the new
    /// alerts.
    pub fn raise_alerts(&self, senders: &Senders) -> AppResult<Vec<Alert>> {
        let now = self.app.now();
        let horizon = domain::due::near_due_horizon(&self.app.calendar(), now);
        let active = Status::sql_list(&domain::due::CLOCK_RUNS_IN);
        let open = Status::sql_list(&domain::status::OPEN_STATUSES);
        let catalog = self.app.catalog();
        let (email_on, sms_on) = (senders.email.is_some(), senders.sms.is_some());
        let created = self.app.store.write(move |c| {
            // Servers sharing the database sweep one at a time; the next one finds the alerts
            // raised and raises none twice.
            c.lock_until_commit(store::Lock::AlertSweep)?;
            // The open-dossier index first; then those without an alert of their kind yet.
            let rows = c.query(
                &format!(
                    "SELECT d.code, d.province_code, d.receiving_unit, d.due_at, d.assignee, d.procedure_code, d.handling_unit
                     FROM dossiers d WHERE d.status IN ({open}) AND d.status IN ({active}) AND d.due_at < $1
                     AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.dossier_code = d.code AND a.due_at = d.due_at
                                     AND a.kind = CASE WHEN d.due_at < $2 THEN 'overdue' ELSE 'near_due' END)
                     ORDER BY d.due_at LIMIT 5000"
                ),
                &[horizon.into(), now.into()],
            )?;
            let mut created = vec![];
            let mut leaders: HashMap<String, Vec<String>> = HashMap::new();
            let mut raiser = Raiser::new(now, email_on, sms_on);
            for r in &rows {
                let (code, province, unit): (String, String, String) =
                    (r.col("code")?, r.col("province_code")?, r.col("receiving_unit")?);
                let due: NaiveDateTime = r.col("due_at")?;
                let kind = if due < now { AlertKind::Overdue } else { AlertKind::NearDue };
                // The leaders of the unit handling it (who decide), read once per unit in a
                // sweep, not once per dossier.
                let handling: String = r.col("handling_unit")?;
                if !leaders.contains_key(&handling) {
                    let role = domain::permissions::role_for(domain::permissions::Seat::Leader, &handling);
                    let rows = c.query(
                        "SELECT username FROM users WHERE unit_code = $1 AND role = $2 AND active = TRUE",
                        &[Val::Text(handling.clone()), Val::Text(role.code().into())],
                    )?;
                    let names = rows.iter().map(|l| l.col("username")).collect::<Result<_, _>>()?;
                    leaders.insert(handling.clone(), names);
                }
                let mut people: Vec<String> = r.col::<Option<String>>("assignee")?.into_iter().collect();
                for l in &leaders[&handling] {
                    if !people.contains(l) {
                        people.push(l.clone());
                    }
                }
                let procedure: String = r.col("procedure_code")?;
                let procedure = catalog.get(&procedure).map_or(procedure, |p| p.name.clone());
                let subject = format!("Hồ sơ {code}: {}", kind.label().to_lowercase());
                // No personal data: an e-mail or a text message leaves the system; the
                // recipient reads the applicant's data on the dossier page, as their role allows.
                let body = format!(
                    "Hồ sơ {code} ({procedure}), hẹn trả {}: {}. Xem tại /ho-so/{code}",
                    due.format("%H:%M ngày %d/%m/%Y"),
                    kind.label().to_lowercase()
                );
                for who in people {
                    let raised = raiser.raise(c, &who, [&province, &unit, &code], kind, due, &subject, &body)?;
                    created.extend(raised);
                }
            }
            Ok(created)
        })?;
        Ok(created)
    }

    /// Alerts to the province's administrators about each active node silent for longer than
    /// `silence` (no request with its token since): once per node and silence (the last
    /// contact is the alert's date, so a node heard from and silent again is told of anew).
    pub fn raise_node_alerts(&self, silence: Duration, senders: &Senders) -> AppResult<Vec<Alert>> {
        let now = self.app.now();
        let quiet_since = now - silence;
        let (email_on, sms_on) = (senders.email.is_some(), senders.sms.is_some());
        let minutes = silence.num_minutes();
        Ok(self.app.store.write(move |c| {
            c.lock_until_commit(store::Lock::AlertSweep)?;
            let rows = c.query(
                "SELECT commune_code, province_code, COALESCE(last_seen_at, added_at) AS quiet FROM nodes \
                 WHERE revoked_at IS NULL AND COALESCE(last_seen_at, added_at) < $1 ORDER BY commune_code",
                &[quiet_since.into()],
            )?;
            let mut raiser = Raiser::new(now, email_on, sms_on);
            let mut created = vec![];
            for r in &rows {
                let (commune, province): (String, String) = (r.col("commune_code")?, r.col("province_code")?);
                let quiet: NaiveDateTime = r.col("quiet")?;
                let admins = c.query(
                    "SELECT username FROM users WHERE unit_code = $1 AND role = $2 AND active = TRUE",
                    &[(&province).into(), Val::Text(Role::Admin.code().into())],
                )?;
                let name = units::registry().unit_name(&commune).unwrap_or(&commune).to_string();
                let subject = format!("Máy trạm của {name} mất liên lạc");
                let body = format!(
                    "Máy trạm của {name} ({commune}) không liên lạc với máy chủ của tỉnh từ {} (quá {minutes} phút). Xem tại /quan-tri/may-tram",
                    quiet.format("%H:%M ngày %d/%m/%Y")
                );
                for a in &admins {
                    let who: String = a.col("username")?;
                    let raised =
                        raiser.raise(c, &who, [&province, &commune, &commune], AlertKind::NodeSilent, quiet, &subject, &body)?;
                    created.extend(raised);
                }
            }
            Ok(created)
        })?)
    }

    /// Messages waiting in the outbox (pending, due or not), for the metrics.
    pub fn outbox_backlog(&self) -> AppResult<i64> {
        Ok(self.app.store.read(|c| c.count("SELECT COUNT(*) FROM outbox WHERE status = 'pending'", &[]))?)
    }

    /// Sends what is due in the outbox (at most `limit` messages), each once across the
    /// servers sharing the database.
    pub fn deliver_outbox(&self, senders: &Senders, limit: u32) -> AppResult<Delivery> {
        let now = self.app.now();
        // Claimed before sending: the claim moves the next attempt past a lease, so that no
        // other server sharing the database sends the same message meanwhile (PostgreSQL skips
        // the rows another server is claiming instead of waiting for them). A server that dies
        // while sending leaves its messages to be sent again once the lease is over.
        let lease = now + Duration::minutes(CLAIM_MINUTES);
        let rows = self.app.store.write(move |c| {
            let skip = if c.dialect() == store::Dialect::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
            // Alerts first: a backlog of statuses for the portal (its first round queues every
            // open dossier) never holds back an officer's alert.
            let rows = c.query(
                &format!(
                    "SELECT id, recipient, channel, address, subject, body, attempts FROM outbox
                     WHERE status = 'pending' AND next_attempt_at <= $1
                     ORDER BY CASE WHEN channel = '{}' THEN 1 ELSE 0 END, next_attempt_at, id LIMIT $2{skip}",
                    crate::portal::CHANNEL
                ),
                &[now.into(), Val::Int(limit.into())],
            )?;
            for r in &rows {
                c.exec(
                    "UPDATE outbox SET next_attempt_at = $1 WHERE id = $2",
                    &[lease.into(), Val::Int(r.col("id")?)],
                )?;
            }
            Ok(rows)
        })?;
        let mut report = Delivery::default();
        for r in &rows {
            let m = Message {
                id: r.col("id")?,
                recipient: r.col("recipient")?,
                channel: r.col("channel")?,
                address: r.col("address")?,
                subject: r.col("subject")?,
                body: r.col("body")?,
                attempts: r.col("attempts")?,
            };
            let result = match senders.of(&m.channel) {
                Some(s) => s.send(&m),
                None => Err(format!("kênh {} chưa được cấu hình", m.channel)),
            };
            let attempts = m.attempts + 1;
            let (status, next, error) = match result {
                Ok(()) => {
                    report.sent += 1;
                    ("sent", now, None)
                }
                Err(e) => match retry_pause(&m.channel, m.attempts) {
                    Some(pause) => {
                        report.retrying += 1;
                        ("pending", now + Duration::minutes(pause), Some(e))
                    }
                    None => {
                        report.failed += 1;
                        ("failed", now, Some(e))
                    }
                },
            };
            let sent_at: Option<NaiveDateTime> = (status == "sent").then_some(now);
            let vals: Vec<Val> = vec![
                Val::Text(status.into()),
                Val::Int(attempts),
                next.into(),
                error.into(),
                sent_at.into(),
                Val::Int(m.id),
            ];
            self.app.store.write(move |c| {
                c.exec(
                    "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, sent_at = $5 WHERE id = $6",
                    &vals,
                )
            })?;
        }
        Ok(report)
    }

    /// The actor's own alerts, newest first.
    pub fn list(&self, actor: &Actor, unread_only: bool, limit: u32) -> AppResult<Vec<Alert>> {
        let unread = if unread_only { " AND read_at IS NULL" } else { "" };
        let rows = self.app.store.read(|c| {
            c.query(
                &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE username = $1{unread} ORDER BY id DESC LIMIT $2"),
                &[Val::Text(actor.username.clone()), Val::Int(limit.min(500).into())],
            )
        })?;
        Ok(rows.iter().map(Alert::from_row).collect::<Result<_, _>>()?)
    }

    /// Marks one of the actor's alerts read (another person's is not found).
    pub fn mark_alert_read(&self, id: i64, actor: &Actor) -> AppResult<()> {
        let now = self.app.now();
        let who = actor.username.clone();
        let n = self.app.store.write(move |c| {
            c.exec(
                "UPDATE alerts SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND username = $3",
                &[now.into(), Val::Int(id), Val::Text(who.clone())],
            )
        })?;
        if n == 0 {
            return Err(AppError::new(Code::AlertNotFound, format!("không có cảnh báo số {id}")));
        }
        Ok(())
    }

    /// Sets an official's e-mail and phone for alerts (administrators).
    pub fn set_contact(
        &self,
        username: &str,
        email: Option<&str>,
        phone: Option<&str>,
        actor: &Actor,
    ) -> AppResult<()> {
        let (user, _) = self.app.accounts().user(username)?.ok_or_else(|| {
            AppError::new(Code::UserNotFound, format!("không có tài khoản \"{}\"", username.trim()))
        })?;
        if actor.scope != domain::roles::Scope::Everything
            && !(actor.role == Some(Role::Admin)
                && actor.scope.sees(&user.province_code, &user.unit_code, &user.unit_code))
        {
            return Err(AppError::new(Code::AdminOnly, "chỉ quản trị hệ thống được sửa liên hệ của cán bộ"));
        }
        let (email, phone) = check_contact(email, phone)?;
        let vals: Vec<Val> = vec![email.into(), phone.into(), Val::Text(user.username)];
        self.app
            .store
            .write(move |c| c.exec("UPDATE users SET email = $1, phone = $2 WHERE username = $3", &vals))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_encoded_for_mail_headers() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(base64("Hồ sơ".as_bytes()), "SOG7kyBzxqE=");
    }
}
