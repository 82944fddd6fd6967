//! The dossier page: what is known of it, the procedure's checklist and the documents filed,
//! its history (Form 06), and one button per action this officer may take now, each with a
//! form of its own fields. What may be taken comes from `Dossiers::actions_for` (the matrix).

use crate::auth::SignedForm;
use crate::error::ApiError;
use crate::view::{bar, page_error, render, time, unit_name};
use crate::Routes;
use crate::{blocking, Web};
use app::{ActionRequest, Actor, DossierRecord, Session};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{Dossier, Status};
use serde::Deserialize;
use std::sync::Arc;

pub fn staff_routes() -> Routes {
    Routes::default().route("/ho-so/{code}", get(dossier_page)).route("/ho-so/{code}/thao-tac", post(act))
}

struct DossierView {
    code: String,
    status: String,
    procedure: String,
    applicant: String,
    id_number: String,
    phone: String,
    masked: bool,
    erased: bool,
    address: String,
    channel: String,
    receiving: String,
    handling: String,
    assignee: String,
    received: String,
    due: String,
    flag: String,
}

struct EventView {
    at: String,
    actor: String,
    what: String,
    note: String,
}

/// One action's form: only the fields that action needs.
struct ActionForm {
    code: &'static str,
    label: String,
    /// The note's label and its prefilled text (None: the action takes no note).
    note: Option<(String, String)>,
    note_required: bool,
    /// For assign: the staff who may take it (username, label), the suggested one first.
    assignees: Vec<(String, String)>,
    /// For transfer: the unit code proposed.
    to_unit: Option<String>,
    amount: bool,
    /// For an extension or its draft: the working days proposed.
    days: Option<String>,
    verdict: bool,
    /// For a correction: the applicant's data as it stands (name, phone, ID number, address).
    applicant: Option<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    user: Option<crate::view::UserBar>,
    csrf: String,
    error: Option<String>,
    d: DossierView,
    events: Vec<EventView>,
    actions: Vec<ActionForm>,
    forms: Vec<(u8, String)>,
    /// The result has been signed (downloadable by those who see the applicant's data).
    signed: bool,
    /// The last extension's apology letter has been signed (the same).
    signed_apology: bool,
    checklist: Vec<String>,
    attachments: Vec<(u32, String, String)>,
    /// The specialist's proposal, for the leader: (verdict, note).
    proposal: Option<(String, String)>,
    /// The apology letter drafted, for the leader: (days, reason).
    draft: Option<(String, String)>,
}

fn dossier_view(web: &Web, d: &DossierRecord) -> DossierView {
    let catalog = web.app.catalog();
    let now = web.app.now();
    let overdue = domain::due::is_overdue(d.status, d.finished_at, d.due_at, now);
    let address = match (&d.address_text, &d.address_commune) {
        (Some(a), Some(c)) => format!("{a} → {}", unit_name(c)),
        (Some(a), None) => a.clone(),
        _ => "—".into(),
    };
    DossierView {
        code: d.code.clone(),
        status: d.status.label().to_string(),
        procedure: catalog
            .get(&d.procedure_code)
            .map_or(d.procedure_code.clone(), |p| format!("{} ({})", p.name, p.code)),
        applicant: d.applicant_name.clone(),
        id_number: d.applicant_id_number.clone().unwrap_or_else(|| "—".into()),
        phone: d.applicant_phone.clone().unwrap_or_else(|| "—".into()),
        masked: d.masked,
        erased: d.erased_at.is_some(),
        address,
        channel: d.channel.label().to_string(),
        receiving: unit_name(&d.receiving_unit),
        handling: unit_name(&d.handling_unit),
        assignee: d.assignee.clone().unwrap_or_else(|| "—".into()),
        received: time(d.received_at),
        due: time(d.due_at),
        flag: if overdue { "Quá hạn".into() } else { String::new() },
    }
}

/// The form of `code`, with what the dossier suggests already filled in.
fn action_form(
    code: &'static str,
    d: &DossierRecord,
    state: Option<&Dossier>,
    assignees: &[domain::workload::Official],
) -> ActionForm {
    let note = |label: &str, text: &str| Some((label.to_string(), text.to_string()));
    let mut f = ActionForm {
        code,
        label: capitalised(domain::dossier::action_label(code)),
        note: None,
        note_required: true,
        assignees: vec![],
        to_unit: None,
        amount: false,
        days: None,
        verdict: false,
        applicant: None,
    };
    let proposal = state.and_then(|s| s.proposal.clone());
    let draft = state.and_then(|s| s.extension_draft.clone());
    match code {
        "refuse" => f.note = note("Lý do từ chối (Mẫu 03)", ""),
        "request_supplement" => f.note = note("Giấy tờ cần bổ sung, hoàn thiện (Mẫu 02)", ""),
        "deny" => {
            let text = proposal.filter(|p| !p.0).map(|p| p.1).unwrap_or_default();
            f.note = note("Lý do không giải quyết", &text);
        }
        "stop" => f.note = note("Lý do dừng xử lý (Mẫu 05)", ""),
        "withdraw" => f.note = note("Lý do công dân rút hồ sơ", ""),
        "propose" => {
            f.verdict = true;
            f.note = note("Nội dung đề xuất", "");
        }
        "extend" | "draft_extension" => {
            let (days, reason) = draft
                .map(|(extra, reason)| {
                    (extra.to_string().split_whitespace().next().unwrap_or("").to_string(), reason)
                })
                .unwrap_or_default();
            f.days = Some(days);
            f.note = note("Lý do gia hạn (thư xin lỗi, Mẫu 04)", &reason);
        }
        "assign" => {
            f.assignees = assignees
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let name = o.full_name.clone().unwrap_or_else(|| o.username.clone());
                    let hint = if i == 0 { " (gợi ý: ít việc nhất)" } else { "" };
                    (o.username.clone(), format!("{name}: {} hồ sơ đang giải quyết{hint}", o.open))
                })
                .collect();
            f.note = note("Ghi chú", "");
            f.note_required = false;
        }
        "transfer" => {
            let province = d.province_code.clone();
            f.to_unit = Some(if d.handling_unit == province { d.receiving_unit.clone() } else { province });
            f.note = note("Ghi chú", "");
            f.note_required = false;
        }
        "request_payment" => f.amount = true,
        "correct_applicant" => {
            f.applicant = Some((
                d.applicant_name.clone(),
                d.applicant_phone.clone().unwrap_or_default(),
                d.applicant_id_number.clone().unwrap_or_default(),
                d.address_text.clone().unwrap_or_default(),
            ));
            f.note = note("Lý do điều chỉnh", "");
        }
        _ => {}
    }
    f
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

struct Loaded {
    d: DossierRecord,
    attachments: Vec<app::blobs::Attachment>,
    actions: Vec<&'static str>,
    assignees: Vec<domain::workload::Official>,
}

/// The dossier as this officer may read it, and what they may do with it.
async fn gather(web: &Arc<Web>, s: &Session, code: String) -> Result<Loaded, ApiError> {
    let app = web.app.clone();
    let actor = Actor::of(&s.user);
    blocking(move || {
        let d = app.dossiers().dossier(&code, &actor)?;
        let attachments = app.dossiers().attachments_of(&d)?;
        let actions = app.dossiers().actions_for(&d, &actor);
        let assignees = if actions.contains(&"assign") {
            app.accounts().assignees(&d, &actor).unwrap_or_default()
        } else {
            vec![]
        };
        Ok(Loaded { d, attachments, actions, assignees })
    })
    .await
}

fn dossier_response(
    web: &Web,
    s: &Session,
    l: Loaded,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let d = &l.d;
    let state = Dossier::replay(&d.events);
    let events = d
        .events
        .iter()
        .map(|e| EventView {
            at: time(Some(e.at)),
            actor: e.actor.clone(),
            what: e.kind.describe(),
            note: e.note.clone().unwrap_or_default(),
        })
        .collect();
    let actions = l.actions.iter().map(|a| action_form(a, d, state.as_ref(), &l.assignees)).collect();
    let mut forms = vec![];
    for (n, title, present) in [
        (2, "Mẫu 02 (yêu cầu bổ sung)", d.supplement_requests > 0),
        (3, "Mẫu 03 (từ chối tiếp nhận)", d.status == Status::Refused),
        (
            4,
            "Mẫu 04 (xin lỗi, hẹn lại)",
            d.events.iter().any(|e| matches!(e.kind, domain::EventKind::Extended { .. })),
        ),
        (5, "Mẫu 05 (dừng xử lý)", d.status == Status::Stopped),
        (6, "Mẫu 06 (phiếu kiểm soát)", true),
    ] {
        if present {
            forms.push((n, title.to_string()));
        }
    }
    let checklist = web.app.catalog().get(&d.procedure_code).map(|p| p.documents.clone()).unwrap_or_default();
    let attachments = l
        .attachments
        .into_iter()
        .map(|a| (a.seq, a.file_name, format!("{} · {} KB", a.content_type, a.size.div_ceil(1024))))
        .collect();
    let proposal = state
        .as_ref()
        .and_then(|s| s.proposal.clone())
        .map(|(approve, note)| ((if approve { "Giải quyết" } else { "Không giải quyết" }).to_string(), note));
    let draft =
        state.as_ref().and_then(|s| s.extension_draft.clone()).map(|(extra, r)| (extra.to_string(), r));
    let page = DossierPage {
        user: bar(s),
        csrf: s.csrf.clone(),
        error,
        d: dossier_view(web, d),
        events,
        actions,
        forms,
        signed: !d.masked && app::dossiers::results::has_signed(d, app::dossiers::results::Signed::Result),
        signed_apology: !d.masked
            && app::dossiers::results::has_signed(d, app::dossiers::results::Signed::Apology),
        checklist,
        attachments,
        proposal,
        draft,
    };
    (status, render(&page)).into_response()
}

/// The dossier as `s`'s account may read it (a full read is recorded).
pub(crate) async fn load(web: &Arc<Web>, s: &Session, code: String) -> Result<DossierRecord, ApiError> {
    let app = web.app.clone();
    let actor = Actor::of(&s.user);
    blocking(move || app.dossiers().dossier(&code, &actor)).await
}

pub(crate) async fn dossier_page(
    State(web): State<Arc<Web>>,
    u: crate::auth::PageUser,
    Path(code): Path<String>,
) -> Response {
    match gather(&web, &u.session, code).await {
        Ok(l) => dossier_response(&web, &u.session, l, None, StatusCode::OK),
        Err(e) => page_error(e),
    }
}

#[derive(Deserialize)]
pub(crate) struct ActForm {
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    amount_vnd: String,
    #[serde(default)]
    extra_days: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    address: String,
}

pub(crate) async fn act(
    State(web): State<Arc<Web>>,
    Path(code): Path<String>,
    SignedForm(u, f): SignedForm<ActForm>,
) -> Response {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let req = ActionRequest {
        action: f.action.clone(),
        note: opt(&f.note),
        to: opt(&f.to),
        amount_vnd: f.amount_vnd.trim().replace('.', "").parse().ok(),
        extra_days: f.extra_days.trim().parse().ok(),
        verdict: opt(&f.verdict),
        applicant: (f.action.trim() == "correct_applicant").then(|| app::Applicant {
            full_name: f.full_name.clone(),
            phone: opt(&f.phone),
            id_number: opt(&f.id_number),
            address: opt(&f.address),
        }),
    };
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    let c = code.clone();
    match blocking(move || app.dossiers().act(&c, &req, &actor)).await {
        Ok(d) => {
            web.publish(&d);
            Redirect::to(&format!("/ho-so/{}", d.code)).into_response()
        }
        Err(e) => match gather(&web, &u.session, code).await {
            Ok(l) => {
                let status = crate::error::status_of(e.0.kind);
                dossier_response(&web, &u.session, l, Some(e.0.message), status)
            }
            Err(e2) => page_error(e2),
        },
    }
}
