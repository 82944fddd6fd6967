//! `haicap bench dashboard`: how fast the leaders' pages and the figures API answer on a
//! database filled by `haicap simulate`, for a province and its busiest commune over the last
//! 30 simulated days. Each request goes through the web app's router (session, scope,
//! queries, template), with no network in between.

use crate::bench_coordination::{time_pages, token, Figures};
use crate::error::CliError;
use app::App;
use chrono::{Duration, NaiveDate};
use domain::roles::Role;
use errors::Code;
use std::sync::Arc;

/// The national leader of the benchmark.
const NATIONAL: &str = "lanhdao.benchvn";

/// The province's leader and the busiest commune's leader of the benchmark (created once).
fn accounts(app: &App, province: &str) -> Result<(String, String, String), CliError> {
    let busiest = app
        .store()
        .read(|c| {
            c.query_one(
                "SELECT receiving_unit, COUNT(*) FROM dossiers WHERE province_code = $1 AND length(receiving_unit) = 5 \
                 GROUP BY receiving_unit ORDER BY 2 DESC, 1 LIMIT 1",
                &[province.into()],
            )
        })
        .map_err(app::AppError::from)?
        .map(|r| r.col::<String>("receiving_unit"))
        .transpose()
        .map_err(app::AppError::from)?
        .ok_or_else(|| {
            CliError::new(Code::NoData,
                format!("chưa có hồ sơ nào của tỉnh {province}: chạy haicap simulate trước"),
            )
        })?;
    let leader = format!("lanhdao.bench{province}");
    let commune_leader = format!("chutich.bench{busiest}");
    let national = NATIONAL.to_string();
    for (name, role, unit) in [
        (&leader, Role::ProvinceLeader, province),
        (&commune_leader, Role::CommuneLeader, busiest.as_str()),
        (&national, Role::NationalLeader, domain::roles::NATION),
    ] {
        if app.accounts().user(name)?.is_none() {
            app.accounts().add_user(name, role, unit, "haicap2025", None)?;
        }
    }
    Ok((leader, commune_leader, busiest))
}

/// The last 30 days with dossiers.
fn period(app: &App, province: &str) -> Result<(NaiveDate, NaiveDate), CliError> {
    let last = app
        .store()
        .read(|c| {
            c.query_one(
                "SELECT MAX(day) AS day FROM stats_unit_daily WHERE province_code = $1",
                &[province.into()],
            )?
            .map_or(Ok(None), |r| r.col::<Option<NaiveDate>>("day"))
        })
        .map_err(app::AppError::from)?
        .ok_or_else(|| CliError::new(Code::NoData, format!("chưa có số liệu của tỉnh {province}")))?;
    Ok((last - Duration::days(29), last))
}

pub fn measure(app: Arc<App>, province: &str, repeat: usize) -> Result<(String, Vec<Figures>), CliError> {
    let (leader, commune_leader, commune) = accounts(&app, province)?;
    let (from, to) = period(&app, province)?;
    let dossiers =
        app.store().read(|c| c.count("SELECT COUNT(*) FROM dossiers", &[])).map_err(app::AppError::from)?;
    let about = format!(
        "{dossiers} hồ sơ trong cơ sở dữ liệu; tỉnh {province}, xã {commune}, từ {} đến {}",
        from.format("%d/%m/%Y"),
        to.format("%d/%m/%Y")
    );
    let rt = crate::bench_coordination::runtime()?;
    let figures = rt.block_on(async move {
        let router = web::router(Arc::new(web::Web::new(app, false)));
        let lead = token(&router, &leader).await?;
        let ct = token(&router, &commune_leader).await?;
        let vn = token(&router, NATIONAL).await?;
        let q = |unit: &str| format!("unit={unit}&from={from}&to={to}");
        let pages: Vec<(String, String, &str)> = vec![
            ("toàn quốc: /bang-dieu-hanh".into(), format!("/bang-dieu-hanh?{}", q("VN")), vn.as_str()),
            ("toàn quốc: GET /api/v1/stats".into(), format!("/api/v1/stats?{}", q("VN")), vn.as_str()),
            (
                "toàn quốc: GET /api/v1/stats/units".into(),
                format!("/api/v1/stats/units?{}", q("VN")),
                vn.as_str(),
            ),
            (
                "toàn quốc → tỉnh: GET /api/v1/stats/units".into(),
                format!("/api/v1/stats/units?{}", q(province)),
                vn.as_str(),
            ),
            ("tỉnh: /bang-dieu-hanh".into(), format!("/bang-dieu-hanh?{}", q(province)), lead.as_str()),
            ("tỉnh: /chi-so-phuc-vu".into(), format!("/chi-so-phuc-vu?{}", q(province)), lead.as_str()),
            ("tỉnh: GET /api/v1/stats".into(), format!("/api/v1/stats?{}", q(province)), lead.as_str()),
            (
                "tỉnh: GET /api/v1/service-index".into(),
                format!("/api/v1/service-index?{}", q(province)),
                lead.as_str(),
            ),
            (
                "tỉnh: GET /api/v1/stats/trend".into(),
                format!("/api/v1/stats/trend?{}", q(province)),
                lead.as_str(),
            ),
            ("xã: /bang-dieu-hanh".into(), format!("/bang-dieu-hanh?{}", q(&commune)), ct.as_str()),
            ("xã: GET /api/v1/stats".into(), format!("/api/v1/stats?{}", q(&commune)), ct.as_str()),
            (
                "xã: GET /api/v1/stats/procedures".into(),
                format!("/api/v1/stats/procedures?{}", q(&commune)),
                ct.as_str(),
            ),
            (
                "xã: GET /api/v1/dossiers?behind=overdue".into(),
                format!("/api/v1/dossiers?commune={commune}&behind=overdue&from={from}&to={to}"),
                ct.as_str(),
            ),
        ];
        time_pages(&router, pages, repeat).await
    })?;
    Ok((about, figures))
}
