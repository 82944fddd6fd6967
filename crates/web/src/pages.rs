//! The Vietnamese pages: officers' queue, intake, dossier and printable forms; citizens'
//! procedure look-up and tracking. Text is escaped by the templates; dates are dd/mm/yyyy.

use crate::auth::{client_ip, cookie, session_cookie, PageUser};
use crate::auth::{NoFields, SignedForm};
use crate::error::ApiError;
use crate::{blocking, Web};
use app::{Actor, Applicant, DossierFilter, IntakeRequest, Session};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDateTime;
use domain::{Channel, Status};
use serde::Deserialize;
use std::sync::Arc;

pub fn routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/", get(queue))
        .route("/dang-nhap", get(login_page).post(login))
        .route("/dang-xuat", post(logout))
        .route("/ho-so/moi", get(intake_page).post(intake))
        .route("/ho-so/{code}", get(crate::dossier_pages::dossier_page))
        .route("/ho-so/{code}/thao-tac", post(crate::dossier_pages::act))
        .route("/ho-so/{code}/phieu", get(receipt))
        .route("/ho-so/{code}/mau/{n}", get(form_letter))
        .route("/ui/thu-tuc", get(procedure_choices))
        .route("/ui/thanh-phan", get(checklist))
        .route("/ui/dia-chi", get(address_hint))
        .route("/tra-cuu", get(track_page))
        .route("/tra-cuu/danh-gia", post(rate))
        .route("/thu-tuc", get(procedures_page))
        .route("/thu-tuc/{code}", get(procedure_page))
        .route(
            "/nop-truc-tuyen/{code}",
            get(submit_page).post(submit).layer(axum::extract::DefaultBodyLimit::max(26 * 1024 * 1024)),
        )
        .route("/ui/xa", get(commune_options))
        .route("/ho-so/{code}/tep/{seq}", get(download))
}

/// The signed-in user as the header shows them.
pub struct UserBar {
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) unit: String,
    pub(crate) csrf: String,
    /// An administrator (the header links the access log).
    pub(crate) admin: bool,
}

pub(crate) fn bar(s: &Session) -> Option<UserBar> {
    Some(UserBar {
        name: s.user.full_name.clone().unwrap_or_else(|| s.user.username.clone()),
        role: s.user.role.label().to_string(),
        unit: unit_name(&s.user.unit_code),
        csrf: s.csrf.clone(),
        admin: s.user.role == domain::roles::Role::Admin,
    })
}

pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("lỗi hiển thị trang: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    user: Option<UserBar>,
    heading: String,
    text: String,
    link: Option<(String, String)>,
}

pub fn message_page(heading: &str, text: &str) -> Response {
    render(&MessagePage { user: None, heading: heading.into(), text: text.into(), link: None })
}

pub(crate) fn page_error(e: ApiError) -> Response {
    let status = crate::error::status_of(e.0.kind);
    crate::observe::log_failure(e.0.code, status, e.0.cause.as_deref());
    let text = match crate::observe::request_id() {
        Some(id) if status.is_server_error() => format!("{} (mã yêu cầu {id})", e.0.message),
        _ => e.0.message,
    };
    crate::error::with_retry_after(status, message_page("Không thực hiện được", &text))
}

pub fn unit_name(code: &str) -> String {
    units::registry().unit_name(code).unwrap_or(code).to_string()
}

pub(crate) fn time(t: Option<NaiveDateTime>) -> String {
    t.map_or("—".into(), |t| t.format("%H:%M %d/%m/%Y").to_string())
}

/// The form's CSRF token matches the session's, or the answer to send instead.
pub(crate) fn check_csrf(s: &Session, sent: &str) -> Option<Response> {
    (s.csrf != sent).then(|| {
        (StatusCode::FORBIDDEN, message_page("Phiên làm việc không hợp lệ", "Hãy tải lại trang và thử lại."))
            .into_response()
    })
}

// ---- login ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    user: Option<UserBar>,
    error: Option<String>,
    next: String,
    csrf: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only paths of this site: never an open redirect. Browsers drop tabs and line breaks from a
/// URL and read `\\` as `/`, so `/\t/evil.example` would leave the site: only visible ASCII is
/// taken, and no second slash or backslash at the start.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.chars().all(|c| c.is_ascii_graphic()) =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

/// The login form's CSRF token: a random value in a cookie of the login path and in the form,
/// which must agree (a page of another site can post a form here, but cannot read or set the
/// cookie), so that nobody signs an officer into an account of theirs.
const LOGIN_COOKIE: &str = "haicap_login";

fn login_form(web: &Web, error: Option<String>, next: String, status: StatusCode) -> Response {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        return page_error(ApiError::new(
            app::ErrorKind::Internal,
            "no_randomness",
            "không tạo được mã phiên",
        ));
    }
    let csrf: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let secure = if web.secure_cookies { "; Secure" } else { "" };
    let c =
        format!("{LOGIN_COOKIE}={csrf}; Path=/dang-nhap; HttpOnly; SameSite=Strict; Max-Age=3600{secure}");
    crate::error::with_retry_after(
        status,
        ([(SET_COOKIE, c)], render(&LoginPage { user: None, error, next, csrf })),
    )
}

async fn login_page(State(web): State<Arc<Web>>, Query(q): Query<NextQuery>) -> Response {
    login_form(&web, None, safe_next(q.next.as_deref()), StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
    #[serde(default)]
    csrf: String,
}

async fn login(State(web): State<Arc<Web>>, parts: Parts, Form(f): Form<LoginForm>) -> Response {
    let ip = client_ip(&parts);
    let app = web.app.clone();
    let next = safe_next(f.next.as_deref());
    if f.csrf.is_empty() || cookie(&parts, LOGIN_COOKIE).as_deref() != Some(f.csrf.as_str()) {
        let message = "phiên đăng nhập đã hết hạn hoặc không hợp lệ; hãy đăng nhập lại".to_string();
        return login_form(&web, Some(message), next, StatusCode::FORBIDDEN);
    }
    match blocking(move || app.login(&f.username, &f.password, &ip)).await {
        Ok((token, _)) => {
            let secure = if web.secure_cookies { "; Secure" } else { "" };
            let c = format!(
                "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=43200{secure}",
                session_cookie(&web)
            );
            ([(SET_COOKIE, c)], Redirect::to(&next)).into_response()
        }
        Err(e) => login_form(&web, Some(e.0.message), next, crate::error::status_of(e.0.kind)),
    }
}

async fn logout(
    State(web): State<Arc<Web>>,
    parts: Parts,
    SignedForm(_, _): SignedForm<NoFields>,
) -> Response {
    if let Some(token) = cookie(&parts, session_cookie(&web)) {
        let app = web.app.clone();
        if let Ok(hash) = blocking(move || app.logout(&token)).await {
            web.logged_out(hash);
        }
    }
    let secure = if web.secure_cookies { "; Secure" } else { "" };
    let c = format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}", session_cookie(&web));
    ([(SET_COOKIE, c)], Redirect::to("/dang-nhap")).into_response()
}

// ---- queue ----

struct QueueRow {
    code: String,
    procedure: String,
    applicant: String,
    status: String,
    due: String,
    flag: String,
    css: String,
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    /// Showing this officer's own queue (not every dossier of the unit).
    mine: bool,
    queue_label: String,
    user: Option<UserBar>,
    /// The heading of a drill-down list, with its period.
    heading: Option<String>,
    unit: String,
    procedure: String,
    rows: Vec<QueueRow>,
    total: i64,
    q: String,
    status: String,
    overdue: bool,
    statuses: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct QueueQuery {
    q: Option<String>,
    unit: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    procedure: Option<String>,
    behind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// "1": every dossier of the unit, not only this officer's queue.
    all: Option<String>,
}

/// What the role's own queue holds.
fn queue_label(role: domain::roles::Role) -> &'static str {
    use domain::permissions::{seat_of, Seat};
    match seat_of(role) {
        Some(Seat::OneStop) => {
            "Việc của bộ phận một cửa: hồ sơ chờ tiếp nhận, chờ bổ sung, chờ nộp phí, chờ trả kết quả"
        }
        Some(Seat::Specialist) => "Việc của bạn: hồ sơ được giao cho bạn và hồ sơ chưa giao ai ở đơn vị",
        Some(Seat::Leader) => "Việc chờ lãnh đạo: hồ sơ đang giải quyết tại đơn vị, chờ phân công, phê duyệt",
        None => "Hồ sơ trong phạm vi của bạn",
    }
}

/// The queue's status filter: the open statuses first, then the finished ones.
const FINISHED: [Status; 4] = [Status::Returned, Status::Refused, Status::Withdrawn, Status::Stopped];

async fn queue(State(web): State<Arc<Web>>, u: PageUser, Query(q): Query<QueueQuery>) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    let text = q.q.clone().unwrap_or_default().trim().to_string();
    if !text.is_empty() {
        // A whole code opens the dossier; anything else searches names, phones and codes.
        let (app2, actor2, code) = (app.clone(), actor.clone(), text.clone());
        if blocking(move || app2.visible(&code, &actor2)).await.is_ok() {
            return Redirect::to(&format!("/ho-so/{}", crate::auth::url_encode(&text))).into_response();
        }
    }
    let status = q.status.as_deref().and_then(Status::parse);
    let overdue = q.overdue.as_deref() == Some("true");
    let behind = match crate::api::behind_param(&web, q.behind.as_deref(), q.from.as_deref(), q.to.as_deref())
    {
        Ok(b) => b,
        Err(e) => return page_error(e),
    };
    let procedure = q.procedure.clone().filter(|p| !p.trim().is_empty());
    let heading = behind
        .map(|(b, from, to)| {
            format!("{} (từ {} đến {})", b.label(), from.format("%d/%m/%Y"), to.format("%d/%m/%Y"))
        })
        .or_else(|| {
            procedure.as_ref().map(|p| {
                let name = web.app.catalog().get(p).map_or_else(|| p.clone(), |x| x.name.clone());
                format!("Hồ sơ thủ tục: {name}")
            })
        });
    // The work queue: what is still open, unless a status or a drill-down is asked for; by
    // default what this officer's role works on (the desk, the specialist, the leader).
    let all = q.all.as_deref() == Some("1");
    let mine = !all && behind.is_none() && procedure.is_none() && status.is_none() && text.is_empty();
    let filter = DossierFilter {
        mine,
        status,
        overdue,
        text: Some(text.clone()).filter(|t| !t.is_empty()),
        unit: q.unit.clone().filter(|u| !u.trim().is_empty()),
        open_only: behind.is_none() && procedure.is_none(),
        procedure: procedure.clone(),
        behind,
        page: 1,
        per_page: 200,
        ..DossierFilter::default()
    };
    let page = match blocking(move || app.list(&filter, &actor)).await {
        Ok(p) => p,
        Err(e) => return page_error(e),
    };
    let now = web.app.now();
    let catalog = web.app.catalog();
    let rows = page
        .items
        .iter()
        .map(|d| {
            let active = !d.status.is_final() && d.finished_at.is_none() && !d.status.waits_for_citizen();
            let (flag, css) = match d.due_at {
                Some(due) if active && now > due => ("Quá hạn", "late"),
                Some(due) if active && due - now < chrono::Duration::hours(24) => ("Sắp đến hạn", "near"),
                _ => ("", ""),
            };
            QueueRow {
                code: d.code.clone(),
                procedure: catalog
                    .get(&d.procedure_code)
                    .map_or(d.procedure_code.clone(), |p| p.name.clone()),
                applicant: d.applicant_name.clone(),
                status: d.status.label().to_string(),
                due: time(d.due_at),
                flag: flag.into(),
                css: css.into(),
            }
        })
        .collect();
    let statuses = domain::status::OPEN_STATUSES
        .iter()
        .chain(&FINISHED)
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .collect();
    render(&QueuePage {
        mine,
        queue_label: queue_label(u.session.user.role).into(),
        user: bar(&u.session),
        heading,
        unit: q.unit.unwrap_or_default(),
        procedure: procedure.unwrap_or_default(),
        rows,
        total: page.total,
        q: text,
        status: q.status.unwrap_or_default(),
        overdue,
        statuses,
    })
}

// ---- intake ----

#[derive(Default, Deserialize)]
struct IntakeForm {
    #[serde(default)]
    procedure_code: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    #[allow(dead_code)]
    q: String,
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    user: Option<UserBar>,
    csrf: String,
    error: Option<String>,
    form: IntakeForm,
    procedures: String,
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

// ---- htmx fragments: rendered from templates (escaped there), never assembled by hand ----

struct Choice {
    code: String,
    name: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "fragments/procedure_choices.html")]
struct ProcedureChoices {
    items: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "fragments/checklist.html")]
struct Checklist<'a> {
    name: &'a str,
    documents: &'a [String],
    time: &'a str,
    fee: &'a str,
}

#[derive(Template)]
#[template(path = "fragments/address_hint.html")]
struct AddressHint {
    commune: Option<String>,
    province: String,
    unsure: bool,
}

#[derive(Template)]
#[template(path = "fragments/commune_options.html")]
struct CommuneOptions {
    communes: Vec<(&'static str, &'static str)>,
}

/// A fragment as text (for a page that embeds it) or an empty one if it cannot render.
fn fragment(t: &impl Template) -> String {
    t.render().unwrap_or_default()
}

/// Radio choices of the procedures matching `q` (an htmx fragment).
fn choices_html(web: &Web, q: &str, selected: &str) -> String {
    let catalog = web.app.catalog();
    let found = crate::api::search_procedures(&catalog, q);
    let items = found
        .iter()
        .take(30)
        .map(|p| Choice { code: p.code.clone(), name: p.name.clone(), checked: p.code == selected })
        .collect();
    fragment(&ProcedureChoices { items })
}

async fn intake_page(State(web): State<Arc<Web>>, u: PageUser) -> Response {
    render(&IntakePage {
        user: bar(&u.session),
        csrf: u.session.csrf.clone(),
        error: None,
        procedures: choices_html(&web, "", ""),
        form: IntakeForm::default(),
    })
}

async fn procedure_choices(
    State(web): State<Arc<Web>>,
    _u: PageUser,
    Query(q): Query<QueueQuery>,
) -> Response {
    Html(choices_html(&web, q.q.as_deref().unwrap_or(""), "")).into_response()
}

#[derive(Deserialize)]
struct ChecklistQuery {
    procedure_code: Option<String>,
}

async fn checklist(State(web): State<Arc<Web>>, _u: PageUser, Query(q): Query<ChecklistQuery>) -> Response {
    let catalog = web.app.catalog();
    let Some(p) = q.procedure_code.as_deref().and_then(|c| catalog.get(c)) else {
        return Html(String::new()).into_response();
    };
    render(&Checklist { name: &p.name, documents: &p.documents, time: &p.time_summary, fee: &p.fee_summary })
}

#[derive(Deserialize)]
struct AddressQuery {
    address: Option<String>,
}

async fn address_hint(_u: PageUser, Query(q): Query<AddressQuery>) -> Response {
    let text = q.address.unwrap_or_default();
    if text.trim().is_empty() || text.len() > 1000 {
        return Html(String::new()).into_response();
    }
    let v = crate::api::conversion_json(&text);
    let province = v["province"]["name"].as_str().unwrap_or_default().to_string();
    let commune = v["commune"]["name"].as_str().filter(|_| !province.is_empty()).map(str::to_string);
    let unsure = v["confidence"].as_f64().unwrap_or(0.0) < 0.5;
    render(&AddressHint { commune, province, unsure })
}

async fn intake(State(web): State<Arc<Web>>, SignedForm(u, f): SignedForm<IntakeForm>) -> Response {
    let channel = match f.channel.as_str() {
        "online" => Channel::Online,
        "postal" => Channel::Postal,
        _ => Channel::Direct,
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let req = IntakeRequest {
        procedure_code: f.procedure_code.clone(),
        channel,
        commune_code: None,
        applicant: Applicant {
            full_name: f.full_name.clone(),
            phone: opt(&f.phone),
            id_number: opt(&f.id_number),
            address: opt(&f.address),
        },
    };
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    match blocking(move || app.receive(&req, &actor)).await {
        Ok(d) => {
            web.publish(&d);
            Redirect::to(&format!("/ho-so/{}/phieu", d.code)).into_response()
        }
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            let procedures = choices_html(&web, "", &f.procedure_code);
            let page = IntakePage {
                user: bar(&u.session),
                csrf: u.session.csrf.clone(),
                error: Some(e.0.message),
                form: f,
                procedures,
            };
            (status, render(&page)).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    user: Option<UserBar>,
    code: String,
    agency: String,
    applicant: String,
    address: String,
    phone: String,
    procedure: String,
    documents: Vec<String>,
    limit: String,
    received: String,
    due: String,
    qr: String,
    track_url: String,
    /// The tracking PIN (none for a reader who may not see it, or a dossier filed before PINs).
    pin: Option<String>,
    officer: String,
}

fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code.render::<qrcode::render::svg::Color>().min_dimensions(120, 120).build(),
        Err(_) => String::new(),
    }
}

async fn receipt(
    State(web): State<Arc<Web>>,
    u: PageUser,
    parts: Parts,
    Path(code): Path<String>,
) -> Response {
    let d = match crate::dossier_pages::load(&web, &u.session, code).await {
        Ok(d) => d,
        Err(e) => return page_error(e),
    };
    let catalog = web.app.catalog();
    let p = catalog.get(&d.procedure_code);
    let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if web.secure_cookies { "https" } else { "http" };
    // The QR code opens the tracking page with the PIN filled in: the paper is the key.
    let track_url = match &d.tracking_pin {
        Some(pin) => format!("{scheme}://{host}/tra-cuu?code={}&pin={pin}", d.code),
        None => format!("{scheme}://{host}/tra-cuu?code={}", d.code),
    };
    let officer = d
        .events
        .iter()
        .find(|e| matches!(e.kind, domain::EventKind::Received))
        .map_or(String::new(), |e| e.actor.clone());
    render(&ReceiptPage {
        user: bar(&u.session),
        agency: format!("UBND {}", unit_name(&d.receiving_unit)),
        applicant: d.applicant_name.clone(),
        address: d.address_text.clone().unwrap_or_default(),
        phone: d.applicant_phone.clone().unwrap_or_default(),
        procedure: p.map_or(d.procedure_code.clone(), |p| p.name.clone()),
        documents: p.map(|p| p.documents.clone()).unwrap_or_default(),
        limit: p.and_then(|p| p.terms(d.channel)).map_or(String::new(), |t| t.limit.to_string()),
        received: time(d.received_at.or(Some(d.registered_at))),
        due: time(d.due_at),
        qr: qr_svg(&track_url),
        track_url,
        pin: d.tracking_pin.clone(),
        officer,
        code: d.code,
    })
}

#[derive(Template)]
#[template(path = "form_letter.html")]
struct FormLetter {
    user: Option<UserBar>,
    code: String,
    form_no: String,
    title: String,
    agency: String,
    applicant: String,
    procedure: String,
    received: String,
    paragraphs: Vec<String>,
    place_date: String,
}

async fn form_letter(
    State(web): State<Arc<Web>>,
    u: PageUser,
    Path((code, n)): Path<(String, u8)>,
) -> Response {
    let d = match crate::dossier_pages::load(&web, &u.session, code).await {
        Ok(d) => d,
        Err(e) => return page_error(e),
    };
    use domain::EventKind as K;
    let find = |pred: &dyn Fn(&K) -> bool| d.events.iter().rev().find(|e| pred(&e.kind)).cloned();
    let (title, paragraphs, at) = match n {
        2 => match find(&|k| matches!(k, K::SupplementRequested { .. })) {
            Some(e) => {
                let K::SupplementRequested { note } = &e.kind else { unreachable!() };
                (
                    "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                    vec![
                        format!("Nội dung yêu cầu bổ sung: {note}"),
                        "Thời gian chờ bổ sung không tính vào thời hạn giải quyết.".into(),
                    ],
                    e.at,
                )
            }
            None => {
                return page_error(ApiError::new(
                    app::ErrorKind::NotFound,
                    "no_such_form",
                    "hồ sơ chưa có yêu cầu bổ sung",
                ))
            }
        },
        3 => match find(&|k| matches!(k, K::Refused { .. })) {
            Some(e) => {
                let K::Refused { reason } = &e.kind else { unreachable!() };
                ("PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ", vec![format!("Lý do: {reason}")], e.at)
            }
            None => {
                return page_error(ApiError::new(
                    app::ErrorKind::NotFound,
                    "no_such_form",
                    "hồ sơ không bị từ chối",
                ))
            }
        },
        4 => match find(&|k| matches!(k, K::Extended { .. })) {
            Some(e) => {
                let K::Extended { reason, extra } = &e.kind else { unreachable!() };
                (
                    "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                    vec![
                        format!("Hồ sơ chưa giải quyết đúng hạn vì: {reason}."),
                        format!(
                            "Xin lỗi ông/bà và hẹn trả kết quả vào {} (gia hạn {extra}).",
                            time(d.due_at)
                        ),
                    ],
                    e.at,
                )
            }
            None => {
                return page_error(ApiError::new(
                    app::ErrorKind::NotFound,
                    "no_such_form",
                    "hồ sơ chưa gia hạn",
                ))
            }
        },
        5 => match find(&|k| matches!(k, K::Stopped { .. })) {
            Some(e) => {
                let K::Stopped { reason } = &e.kind else { unreachable!() };
                ("PHIẾU DỪNG XỬ LÝ HỒ SƠ", vec![format!("Lý do dừng xử lý: {reason}")], e.at)
            }
            None => {
                return page_error(ApiError::new(
                    app::ErrorKind::NotFound,
                    "no_such_form",
                    "hồ sơ không bị dừng xử lý",
                ))
            }
        },
        _ => return page_error(ApiError::new(app::ErrorKind::NotFound, "no_such_form", "không có mẫu này")),
    };
    let catalog = web.app.catalog();
    render(&FormLetter {
        user: bar(&u.session),
        form_no: format!("Mẫu số 0{n}"),
        title: title.into(),
        agency: format!("UBND {}", unit_name(&d.receiving_unit)),
        applicant: d.applicant_name.clone(),
        procedure: catalog.get(&d.procedure_code).map_or(d.procedure_code.clone(), |p| p.name.clone()),
        received: time(d.received_at),
        paragraphs,
        place_date: format!("{}, ngày {}", unit_name(&d.receiving_unit), at.format("%d/%m/%Y")),
        code: d.code,
    })
}

// ---- citizens ----

struct TrackModel {
    code: String,
    status: String,
    procedure: String,
    due: String,
    steps: Vec<(String, String)>,
    can_rate: bool,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    user: Option<UserBar>,
    code: String,
    pin: String,
    error: Option<String>,
    view: Option<TrackModel>,
}

#[derive(Deserialize)]
struct TrackQuery {
    code: Option<String>,
    /// The tracking PIN of the receipt (or, for a dossier filed before PINs, the phone's last
    /// four digits).
    pin: Option<String>,
}

async fn track_page(State(web): State<Arc<Web>>, parts: Parts, Query(q): Query<TrackQuery>) -> Response {
    let code = q.code.unwrap_or_default();
    let pin = q.pin.unwrap_or_default();
    let mut page = TrackPage { user: None, code: code.clone(), pin: pin.clone(), error: None, view: None };
    if code.trim().is_empty() {
        return render(&page);
    }
    let app = web.app.clone();
    let (c, p, ip) = (code.clone(), pin.clone(), client_ip(&parts));
    match blocking(move || app.track(&c, &p, &ip)).await {
        Ok(t) => {
            page.view = Some(TrackModel {
                code: t.code.clone(),
                status: t.status_label.clone(),
                procedure: t.procedure_name.clone(),
                due: time(t.due_at),
                steps: t.steps.iter().map(|s| (time(Some(s.at)), s.what.clone())).collect(),
                can_rate: t.status == Status::Returned && !t.rated,
            });
            render(&page)
        }
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            page.error = Some(e.0.message);
            crate::error::with_retry_after(status, render(&page))
        }
    }
}

#[derive(Deserialize)]
struct RateForm {
    code: String,
    pin: String,
    score: u8,
}

async fn rate(State(web): State<Arc<Web>>, parts: Parts, Form(f): Form<RateForm>) -> Response {
    let app = web.app.clone();
    let (code, pin, ip) = (f.code.clone(), f.pin.clone(), client_ip(&parts));
    match blocking(move || app.rate(&f.code, &f.pin, &ip, f.score, None)).await {
        Ok(()) => Redirect::to(&format!(
            "/tra-cuu?code={}&pin={}",
            crate::auth::url_encode(&code),
            crate::auth::url_encode(&pin)
        ))
        .into_response(),
        Err(e) => page_error(e),
    }
}

#[derive(Template)]
#[template(path = "procedures.html")]
struct ProceduresPage {
    user: Option<UserBar>,
    q: String,
    items: Vec<(String, String, String)>,
}

async fn procedures_page(State(web): State<Arc<Web>>, Query(q): Query<QueueQuery>) -> Response {
    let query = q.q.unwrap_or_default();
    let catalog = web.app.catalog();
    let items = crate::api::search_procedures(&catalog, &query)
        .into_iter()
        .map(|p| (p.code.clone(), p.name.clone(), p.field.clone().unwrap_or_default()))
        .collect();
    render(&ProceduresPage { user: None, q: query, items })
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedurePage {
    user: Option<UserBar>,
    online: bool,
    code: String,
    name: String,
    field: String,
    authority: String,
    time: String,
    fee: String,
    channels: String,
    result: String,
    documents: Vec<String>,
    legal: String,
    warnings: Vec<String>,
}

async fn procedure_page(State(web): State<Arc<Web>>, Path(code): Path<String>) -> Response {
    let catalog = web.app.catalog();
    let Some(p) = catalog.get(&code) else {
        return (StatusCode::NOT_FOUND, message_page("Không có thủ tục", "Không có thủ tục với mã này."))
            .into_response();
    };
    use domain::catalog::Confidence;
    let mut warnings = vec![];
    for (field, label) in [
        ("fee", "phí, lệ phí"),
        ("processing_time", "thời hạn"),
        ("competent_authority", "cơ quan giải quyết"),
    ] {
        if matches!(p.confidence(field), Confidence::Low | Confidence::Medium) {
            warnings
                .push(format!("Thông tin {label} chưa được xác minh đầy đủ; hãy hỏi lại bộ phận một cửa."));
        }
    }
    let channels: Vec<&str> = [(p.direct, "Trực tiếp"), (p.online, "Trực tuyến"), (p.postal, "Bưu chính")]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, l)| *l)
        .collect();
    render(&ProcedurePage {
        user: None,
        online: p.online && p.terms(Channel::Online).is_some(),
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone().unwrap_or_default(),
        authority: p.authority.clone().unwrap_or_default(),
        time: p.time_summary.clone(),
        fee: p.fee_summary.clone(),
        channels: channels.join(", "),
        result: p.result.clone().unwrap_or_default(),
        documents: p.documents.clone(),
        legal: p.legal_basis.join("; "),
        warnings,
    })
}

// ---- online submission ----

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitPage {
    user: Option<UserBar>,
    code: String,
    name: String,
    documents: Vec<String>,
    provinces: Vec<(String, String)>,
    error: Option<String>,
}

fn not_online() -> Response {
    (
        StatusCode::NOT_FOUND,
        message_page("Không nộp trực tuyến được", "Thủ tục này không nhận hồ sơ trực tuyến."),
    )
        .into_response()
}

/// The submission form of a procedure offered online.
fn submit_form(web: &Web, code: &str, error: Option<String>) -> Option<SubmitPage> {
    let catalog = web.app.catalog();
    let p = catalog.get(code).filter(|p| p.online)?;
    let reg = units::registry();
    Some(SubmitPage {
        user: None,
        code: p.code.clone(),
        name: p.name.clone(),
        documents: p.documents.clone(),
        provinces: reg.provinces.iter().map(|p| (p.code.to_string(), p.name.to_string())).collect(),
        error,
    })
}

async fn submit_page(State(web): State<Arc<Web>>, Path(code): Path<String>) -> Response {
    match submit_form(&web, &code, None) {
        Some(p) => render(&p),
        None => not_online(),
    }
}

#[derive(Deserialize)]
struct ProvinceQuery {
    province: Option<String>,
}

async fn commune_options(Query(q): Query<ProvinceQuery>) -> Response {
    let reg = units::registry();
    let mut communes: Vec<(&'static str, &'static str)> = q
        .province
        .as_deref()
        .and_then(|p| reg.communes_of(p))
        .map(|list| list.map(|c| (c.code, c.name)).collect())
        .unwrap_or_default();
    communes.sort_by_key(|c| vi_text::fold(c.1));
    render(&CommuneOptions { communes })
}

/// A text field of a form sent with files: at most this many bytes.
const MAX_FIELD_BYTES: usize = 16 * 1024;

/// Reads a form with files, chunk by chunk, refusing as soon as a limit is passed (a file over
/// 10 MB, more than 25 MB in all, more than 10 files, a text field over 16 KiB): nothing
/// beyond a limit is read into memory.
pub(crate) async fn read_multipart(
    form: &mut axum::extract::Multipart,
) -> Result<(std::collections::HashMap<String, String>, Vec<app::blobs::Upload>), ApiError> {
    use app::blobs::{MAX_FILES, MAX_FILE_BYTES, MAX_TOTAL_BYTES};
    let unreadable =
        || ApiError::new(app::ErrorKind::Invalid, "bad_upload", "không đọc được nội dung gửi lên");
    let too_large = |m: &str| ApiError::new(app::ErrorKind::TooLarge, "files_too_large", m.to_string());
    let mut fields = std::collections::HashMap::new();
    let mut uploads = vec![];
    let mut total = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let is_file = name == "files";
        if is_file && uploads.len() >= MAX_FILES {
            return Err(too_large(&format!("tối đa {MAX_FILES} tệp cho một hồ sơ")));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
            bytes.extend_from_slice(&chunk);
            if is_file {
                total += chunk.len();
                if bytes.len() > MAX_FILE_BYTES {
                    return Err(too_large("mỗi tệp tối đa 10 MB"));
                }
                if total > MAX_TOTAL_BYTES {
                    return Err(too_large("tổng dung lượng tệp tối đa 25 MB"));
                }
            } else if bytes.len() > MAX_FIELD_BYTES {
                return Err(too_large("một ô của biểu mẫu dài quá 16 KiB"));
            }
        }
        if is_file {
            uploads.push(app::blobs::Upload { file_name: file_name.unwrap_or_default(), bytes });
        } else {
            fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok((fields, uploads))
}

async fn submit(
    State(web): State<Arc<Web>>,
    Path(code): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    let (fields, uploads) = match read_multipart(&mut form).await {
        Ok(x) => x,
        Err(e) => return submit_error(&web, &code, e.0.message, crate::error::status_of(e.0.kind)),
    };
    let get = |k: &str| fields.get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    if let Err(e) = app::require_consent(get("consent").as_deref() == Some("yes")) {
        return submit_error(&web, &code, e.message, StatusCode::BAD_REQUEST);
    }
    if get("phone").is_none() {
        return submit_error(
            &web,
            &code,
            "cần số điện thoại để tra cứu hồ sơ".into(),
            StatusCode::BAD_REQUEST,
        );
    }
    let req = IntakeRequest {
        procedure_code: code.clone(),
        channel: Channel::Online,
        commune_code: get("commune_code"),
        applicant: Applicant {
            full_name: get("full_name").unwrap_or_default(),
            phone: get("phone"),
            id_number: get("id_number"),
            address: get("address"),
        },
    };
    let app = web.app.clone();
    match blocking(move || app.submit_online(&req, &uploads)).await {
        Ok(d) => {
            web.publish(&d);
            let pin = d.tracking_pin.clone().unwrap_or_default();
            render(&MessagePage {
                user: None,
                heading: "Đã nộp hồ sơ".into(),
                text: format!(
                    "Mã hồ sơ của ông/bà: {}. Mã tra cứu: {pin} (hãy ghi lại: cần cả hai để tra cứu và đánh giá). Hồ sơ sẽ được cán bộ {} tiếp nhận và hẹn ngày trả kết quả.",
                    d.code,
                    unit_name(&d.receiving_unit)
                ),
                link: Some((format!("/tra-cuu?code={}&pin={pin}", d.code), "Tra cứu tiến độ hồ sơ".into())),
            })
        }
        Err(e) => {
            let status = crate::error::status_of(e.0.kind);
            submit_error(&web, &code, e.0.message, status)
        }
    }
}

fn submit_error(web: &Web, code: &str, message: String, status: StatusCode) -> Response {
    match submit_form(web, code, Some(message)) {
        Some(p) => (status, render(&p)).into_response(),
        None => not_online(),
    }
}

/// A stored document, shown in the browser (never sniffed into something else).
pub(crate) fn file_response(a: &app::blobs::Attachment, bytes: Vec<u8>) -> Response {
    let ext = match a.content_type.as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        _ => "jpg",
    };
    (
        [
            (axum::http::header::CONTENT_TYPE, a.content_type.clone()),
            (axum::http::header::CONTENT_DISPOSITION, format!("inline; filename=\"tep-{}.{ext}\"", a.seq)),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

async fn download(
    State(web): State<Arc<Web>>,
    u: PageUser,
    Path((code, seq)): Path<(String, u32)>,
) -> Response {
    let app = web.app.clone();
    let actor = Actor::of(&u.session.user);
    match blocking(move || app.attachment(&code, seq, &actor)).await {
        Ok((a, bytes)) => file_response(&a, bytes),
        Err(e) => page_error(e),
    }
}
