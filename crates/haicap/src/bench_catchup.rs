//! `haicap bench catch-up`: how fast a province takes a node's week offline (issue #25). A
//! node (a fresh SQLite file in the temporary directory) receives, assigns and approves
//! `dossiers` dossiers of one commune (5 events each in the history: a busy commune's week is
//! about 3,000 dossiers and 12,000 events); then everything it holds is
//! pushed to the province at `--db` in batches as `haicap serve --upstream` sends them, each
//! batch serialised to JSON and parsed back as on the wire (the network itself left out),
//! taken and acknowledged. Prints the events a second.

use crate::error::CliError;
use app::replication::{Push, PUSH_DOSSIERS};
use app::{ActionRequest, Actor, App, Applicant, IntakeRequest};
use domain::roles::Role;
use domain::Channel;
use std::time::Instant;

const COMMUNE: &str = "20242";

pub struct CatchUp {
    pub dossiers: usize,
    pub events: u64,
    pub seconds: f64,
    pub prepare_seconds: f64,
}

pub fn measure(province: &App, dossiers: usize) -> Result<CatchUp, CliError> {
    let dir = std::env::temp_dir().join(format!("haicap-catchup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let url = store::DbUrl::Sqlite(dir.join("xa.db"));
    let node = App::open(&url, calendar::WorkCalendar::default(), std::sync::Arc::new(app::vietnam_now))?
        .with_places(app::Places::in_dir(&dir));
    node.attach_upstream("bench", COMMUNE, "48")?;
    node.accounts().add_user("xuly.bench", Role::Specialist, COMMUNE, "mat-khau-bench", None)?;
    let desk = Actor::console("motcua");
    let t = Instant::now();
    for i in 0..dossiers {
        let req = IntakeRequest {
            procedure_code: "1.004873".into(),
            channel: Channel::Direct,
            commune_code: Some(COMMUNE.into()),
            applicant: Applicant {
                full_name: format!("Người nộp thử {i}"),
                phone: Some(format!("09{:08}", i)),
                ..Applicant::default()
            },
        };
        let d = node.dossiers().receive(&req, &desk)?;
        let assign = ActionRequest { to: Some("xuly.bench".into()), ..ActionRequest::new("assign") };
        node.dossiers().act(&d.code, &assign, &desk)?;
        node.dossiers().act(&d.code, &ActionRequest::new("approve"), &desk)?;
    }
    let prepare_seconds = t.elapsed().as_secs_f64();
    let at_province = match province.node(COMMUNE)? {
        Some(n) if n.revoked_at.is_none() => n,
        _ => province.add_node(COMMUNE)?.0,
    };
    let (t, mut events) = (Instant::now(), 0u64);
    loop {
        let push = node.pending_push(PUSH_DOSSIERS)?;
        if push.dossiers.is_empty() {
            break;
        }
        let wire =
            serde_json::to_vec(&push).map_err(|e| CliError::new(errors::Code::Internal, e.to_string()))?;
        let push: Push = serde_json::from_slice(&wire)
            .map_err(|e| CliError::new(errors::Code::Internal, e.to_string()))?;
        let taken = province.take_push(&at_province, push)?;
        events += node.acknowledge(&taken)?.events;
    }
    let seconds = t.elapsed().as_secs_f64();
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(CatchUp { dossiers, events, seconds, prepare_seconds })
}
