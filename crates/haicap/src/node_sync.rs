//! A commune's node talking to its province (`haicap serve --upstream URL --node-token TOKEN`,
//! docs/nodes.md): the handshake that tells the node which commune it is, then, every few
//! seconds while the link holds, the documents the province lacks and the push of every
//! pending event, in batches, each acknowledged from the province's answer. Without the link
//! the node works on; the round fails, is recorded (`haicap node status`), and is tried again
//! after a pause that grows to ten seconds (`link::every`).

use crate::error::CliError;
use crate::link::Link;
use app::replication::PUSH_DOSSIERS;
use app::App;
use errors::Code;
use std::sync::Arc;
use std::time::Duration;

/// How often a node takes what the province manages.
const PULL_EVERY: Duration = Duration::from_secs(60);

/// What one round sent.
#[derive(Debug, Default)]
pub struct Round {
    pub dossiers: u64,
    pub events: u64,
    pub documents: u64,
    pub refused: u64,
}

/// Attaches this server to its province on first start (the link is needed once, to learn
/// which commune the token is for); later starts work without it.
/// Then, when the link allows, takes the province's accounts, settings and catalog before the
/// node serves anyone.
pub fn attach(app: &App, link: &Link, url: &str) -> Result<(), CliError> {
    if let Some(u) = app.upstream() {
        tracing::info!(commune = %u.commune_code, "máy trạm của xã, gửi lên {url}");
    } else {
        let hello = link.hello().map_err(|e| {
            CliError::new(
                Code::UpstreamUnavailable,
                format!("lần đầu chạy máy trạm cần kết nối tới tỉnh: {e}"),
            )
        })?;
        let u = app.attach_upstream(url, &hello.commune_code, &hello.province_code)?;
        tracing::info!(commune = %u.commune_code, "đã gắn máy trạm với máy chủ của tỉnh");
    }
    if let Err(e) = pull(app, link) {
        tracing::warn!(cause = %e, "chưa lấy được tài khoản, thiết lập của tỉnh; máy trạm dùng bản đang có");
    }
    // A database restored from an old backup is caught before anyone writes on it, when
    // nothing was pending at the backup (otherwise after the first round).
    if let Ok(hello) = link.hello() {
        app.compare_with_province(hello.events_taken)?;
    }
    Ok(())
}

/// Takes the province's accounts, settings and (when it changed) catalog, then the online
/// dossiers it hands down, their documents fetched first.
pub fn pull(app: &App, link: &Link) -> Result<(), String> {
    let mine = app.catalog_fingerprint().map_err(|e| e.message)?;
    let mut pulled = link.pull(&mine)?;
    let handed = std::mem::take(&mut pulled.handed_down);
    app.take_pulled(pulled).map_err(|e| e.message)?;
    if handed.is_empty() {
        return Ok(());
    }
    let hashes: Vec<String> = handed.iter().flat_map(|d| d.files().map(str::to_string)).collect();
    for sha in app.missing_documents(&hashes).map_err(|e| e.message)? {
        let bytes = link.get_document(&sha)?;
        app.take_document(&bytes).map_err(|e| e.message)?;
    }
    app.take_handed_down(handed).map(|_| ()).map_err(|e| e.message)
}

/// Sends everything pending (documents first, then the dossiers, a batch at a time); then,
/// with nothing pending, checks that the province holds no more of this node's work than the
/// node knows of (a node restored from an old backup stops writing).
pub fn sync_once(app: &App, link: &Link) -> Result<Round, String> {
    let round = push_pending(app, link)?;
    if round.refused == 0 {
        let hello = link.hello()?;
        app.compare_with_province(hello.events_taken).map_err(|e| e.message)?;
    }
    Ok(round)
}

fn push_pending(app: &App, link: &Link) -> Result<Round, String> {
    let mut round = Round::default();
    // Each pending dossier is sent once a round: a refused one waits for the next.
    let mut seen = std::collections::HashSet::new();
    loop {
        let mut push = app.pending_push(PUSH_DOSSIERS).map_err(|e| e.message)?;
        push.dossiers.retain(|d| seen.insert(d.code.clone()));
        if push.dossiers.is_empty() {
            return Ok(round);
        }
        let hashes: Vec<String> = push.dossiers.iter().flat_map(|d| d.files().map(str::to_string)).collect();
        if !hashes.is_empty() {
            for sha in link.missing(hashes)? {
                let bytes = app.document(&sha).map_err(|e| e.message)?;
                link.put_document(&sha, &bytes)?;
                round.documents += 1;
            }
        }
        let taken = link.push(&push)?;
        let ack = app.acknowledge(&taken).map_err(|e| e.message)?;
        round.dossiers += ack.dossiers;
        round.events += ack.events;
        round.refused += ack.refused.len() as u64;
        for (code, why) in &ack.refused {
            tracing::warn!(dossier = %code, cause = %why, "tỉnh không nhận hồ sơ");
        }
    }
}

/// Syncs every `every` while the process runs (see [`crate::link::every`]).
pub fn spawn(app: Arc<App>, link: Link, every: Duration) {
    let mut last_pull: Option<std::time::Instant> = None;
    crate::link::every("haicap-upstream", every, move || {
        // What the province manages (accounts, settings, catalog): on the first round the
        // link allows, then once a minute.
        if last_pull.is_none_or(|t| t.elapsed() >= PULL_EVERY) {
            match pull(&app, &link) {
                Ok(()) => last_pull = Some(std::time::Instant::now()),
                Err(e) => tracing::warn!(cause = %e, "chưa lấy được tài khoản, thiết lập của tỉnh"),
            }
        }
        match sync_once(&app, &link) {
            Ok(r) => {
                if r.events > 0 || r.refused > 0 {
                    tracing::info!(
                        dossiers = r.dossiers,
                        events = r.events,
                        documents = r.documents,
                        refused = r.refused,
                        "đã gửi lên tỉnh"
                    );
                }
                Ok(())
            }
            Err(e) => {
                tracing::warn!(cause = %e, "chưa gửi được lên tỉnh; sẽ thử lại");
                if let Err(e) = app.sync_failed(&e) {
                    tracing::warn!(cause = %e.message, "không ghi được trạng thái kết nối");
                }
                Err(e)
            }
        }
    });
}
