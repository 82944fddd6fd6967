//! `haicap bench coordination`: a province of 100 communes, 5,000 officials and 20,000
//! proposals and tasks, and how fast the commune's and the province's coordination pages answer
//! through the web app's router (sessions, scope, queries, templates; no network).

use crate::error::CliError;
use app::coordination::directives::NewDirective;
use app::coordination::proposals::{NewProposal, ProposalResponse};
use app::{Actor, App};
use axum::body::Body;
use axum::http::{header, Request};
use domain::roles::{Role, Scope};
use errors::Code;
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

pub struct Figures {
    pub page: String,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

const PROVINCE: &str = "01";
const CATEGORIES: [&str; 6] = ["staff", "premises", "digital", "legal", "finance", "other"];

fn leader_of(commune: &str) -> Actor {
    Actor {
        username: format!("ct.{commune}"),
        role: Some(Role::CommuneLeader),
        scope: Scope::Commune { province: PROVINCE.into(), commune: commune.into() },
        department: None,
    }
}

/// Fills the database: officials (one password hash shared, to spare 5,000 argon2 runs),
/// proposals in every state, and directives to all communes.
pub fn seed(
    app: &App,
    communes: usize,
    officials: usize,
    proposals: usize,
    directives: usize,
) -> Result<(), CliError> {
    let reg = units::registry();
    let mut list: Vec<&str> =
        reg.communes_of(PROVINCE).map(|it| it.map(|c| c.code).collect()).unwrap_or_default();
    list.sort();
    list.truncate(communes);
    let hash = app::hash_password("haicap2025")?;
    let now = app.now();
    let per = officials / list.len().max(1);
    let mut rows = vec![];
    for c in &list {
        rows.push((format!("ct.{c}"), "commune_leader", c.to_string(), None));
        for i in 1..per {
            let role = if i % 3 == 0 { "officer" } else { "specialist" };
            rows.push((format!("cb{i}.{c}"), role, c.to_string(), None));
        }
    }
    rows.push(("lanhdao.bench".into(), "province_leader", PROVINCE.into(), None));
    rows.push(("sotuphap.bench".into(), "department", PROVINCE.into(), Some("STP")));
    for chunk in rows.chunks(500) {
        let chunk: Vec<_> = chunk.to_vec();
        let hash = hash.clone();
        app.store().write(move |c| {
            for (name, role, unit, dept) in &chunk {
                c.exec(
                    "INSERT INTO users (username, full_name, role, unit_code, province_code, password_hash, active, created_at, department_code)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    &[
                        name.into(),
                        name.into(),
                        (*role).into(),
                        unit.into(),
                        PROVINCE.into(),
                        (&hash).into(),
                        true.into(),
                        now.into(),
                        dept.map(str::to_string).into(),
                    ],
                )?;
            }
            Ok(())
        })
        .map_err(app::AppError::from)?;
    }
    let justice = Actor {
        username: "sotuphap.bench".into(),
        role: Some(Role::Department),
        scope: Scope::Province(PROVINCE.into()),
        department: Some("STP".into()),
    };
    for i in 0..proposals {
        let commune = list[i % list.len()];
        let who = leader_of(commune);
        let category = CATEGORIES[i % CATEGORIES.len()];
        let p = app.coordination().file_proposal(
            &NewProposal {
                title: format!("Kiến nghị số {i} của {commune}"),
                category: category.into(),
                body: "Nội dung kiến nghị dùng để đo tốc độ trang".into(),
                urgent: i % 7 == 0,
                procedure_code: None,
                dossier_code: None,
            },
            &who,
        )?;
        // A third answered, some sent back for more.
        if category == "legal" && i % 3 != 0 {
            let action = if i % 2 == 0 { "answer" } else { "request_info" };
            let r = ProposalResponse { body: "Trả lời".into(), action: Some(action.into()), to: None };
            app.coordination().respond_to_proposal(p.id, &r, &justice)?;
        }
    }
    let leader = Actor {
        username: "lanhdao.bench".into(),
        role: Some(Role::ProvinceLeader),
        scope: Scope::Province(PROVINCE.into()),
        department: None,
    };
    for i in 0..directives {
        let due = (now + chrono::Duration::days(30 + i as i64)).format("%d/%m/%Y").to_string();
        app.coordination().issue_directive(
            &NewDirective {
                title: format!("Nhiệm vụ số {i}"),
                body: "Báo cáo kết quả".into(),
                due_date: due,
                commune_codes: list.iter().map(|c| c.to_string()).collect(),
                all_communes: false,
            },
            &leader,
        )?;
    }
    Ok(())
}

pub(crate) async fn get(router: &axum::Router, uri: &str, token: &str) -> Result<f64, CliError> {
    let req = Request::builder()
        .uri(uri)
        .header(header::COOKIE, format!("haicap_session={token}"))
        .body(Body::empty())
        .map_err(|e| CliError::new(Code::Bench, e.to_string()))?;
    let t = Instant::now();
    let res = router.clone().oneshot(req).await.map_err(|e| CliError::new(Code::Bench, e.to_string()))?;
    let status = res.status();
    let _ = axum::body::to_bytes(res.into_body(), 64 << 20).await;
    if !status.is_success() {
        return Err(CliError::new(Code::Bench, format!("{uri}: {status}")));
    }
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

pub(crate) async fn token(router: &axum::Router, user: &str) -> Result<String, CliError> {
    let body = serde_json::json!({"username": user, "password": "haicap2025"}).to_string();
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .map_err(|e| CliError::new(Code::Bench, e.to_string()))?;
    let res = router.clone().oneshot(req).await.map_err(|e| CliError::new(Code::Bench, e.to_string()))?;
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .map_err(|e| CliError::new(Code::Bench, e.to_string()))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    v["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| CliError::new(Code::Bench, format!("đăng nhập {user}: {v}")))
}

/// The runtime the benches drive the router on.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(Code::Runtime, e.to_string()))
}

/// Each page `repeat` times, one after another; medians and p99 in milliseconds.
pub fn measure(app: Arc<App>, repeat: usize) -> Result<Vec<Figures>, CliError> {
    let rt = runtime()?;
    rt.block_on(async move {
        let reg = units::registry();
        let mut list: Vec<&str> =
            reg.communes_of(PROVINCE).map(|it| it.map(|c| c.code).collect()).unwrap_or_default();
        list.sort();
        let commune = list[0];
        let router = web::router(Arc::new(web::Web::new(app, false)));
        let ct = token(&router, &format!("ct.{commune}")).await?;
        let leader = token(&router, "lanhdao.bench").await?;
        let dept = token(&router, "sotuphap.bench").await?;
        let pages: Vec<(String, String, &str)> = vec![
            ("xã: /kien-nghi".into(), "/kien-nghi".into(), ct.as_str()),
            ("xã: /chi-dao".into(), "/chi-dao".into(), ct.as_str()),
            ("xã: /can-bo".into(), "/can-bo".into(), ct.as_str()),
            ("tỉnh: /kien-nghi (tổng hợp + danh sách)".into(), "/kien-nghi".into(), leader.as_str()),
            ("tỉnh: /kien-nghi?overdue=true".into(), "/kien-nghi?overdue=true".into(), leader.as_str()),
            ("tỉnh: /chi-dao".into(), "/chi-dao".into(), leader.as_str()),
            ("tỉnh: /chi-dao/1 (100 xã)".into(), "/chi-dao/1".into(), leader.as_str()),
            ("tỉnh: /can-bo/so-sanh".into(), "/can-bo/so-sanh".into(), leader.as_str()),
            ("sở: /kien-nghi".into(), "/kien-nghi".into(), dept.as_str()),
            (
                "API: /api/v1/staff/workload".into(),
                format!("/api/v1/staff/workload?unit={commune}"),
                leader.as_str(),
            ),
        ];
        time_pages(&router, pages, repeat).await
    })
}

/// Calls each (name, URI, session token) once to warm up, then `repeat` times, and gives
/// its median and 99th percentile.
pub(crate) async fn time_pages(
    router: &axum::Router,
    pages: Vec<(String, String, &str)>,
    repeat: usize,
) -> Result<Vec<Figures>, CliError> {
    let mut out = vec![];
    for (name, uri, tok) in pages {
        get(router, &uri, tok).await?;
        let mut t = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            t.push(get(router, &uri, tok).await?);
        }
        t.sort_by(f64::total_cmp);
        let p = |q: f64| t[((t.len() as f64 * q).ceil() as usize).saturating_sub(1).min(t.len() - 1)];
        out.push(Figures { page: name, p50_ms: p(0.5), p99_ms: p(0.99) });
    }
    Ok(out)
}

/// The figures as the bench prints them: a tab-separated table.
pub(crate) fn print(figures: &[Figures]) -> Result<(), CliError> {
    outln!("trang\tp50 ms\tp99 ms");
    for f in figures {
        outln!("{}\t{:.2}\t{:.2}", f.page, f.p50_ms, f.p99_ms);
    }
    Ok(())
}
