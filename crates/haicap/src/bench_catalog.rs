//! `haicap bench catalog`: search as one types over the catalog in the database (the desk's
//! choice of procedure at intake, through the router, and the search itself), one prefix of a
//! few everyday names after another.

use crate::bench_coordination::{time_pages, token, Figures};
use crate::error::CliError;
use app::App;
use domain::roles::Role;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

/// What a desk types, keystroke by keystroke (folded or not, as people type).
const TYPED: [&str; 4] = ["khai sinh", "cap doi the bao hiem y te", "giấy phép xây dựng", "chứng thực"];

/// Each prefix of `s` that ends a word or is a word's first letters (every keystroke).
fn prefixes(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    (1..=chars.len()).map(|n| chars[..n].iter().collect::<String>()).filter(|p| !p.ends_with(' ')).collect()
}

/// Medians and 99th percentiles of each keystroke's search, in milliseconds: through the
/// intake's fragment for an officer of `commune`, and the search alone.
pub fn measure(app: Arc<App>, commune: &str, repeat: usize) -> Result<(String, Vec<Figures>), CliError> {
    let user = format!("tiepnhan.bench{commune}");
    if app.accounts().user(&user)?.is_none() {
        app.accounts().add_user(&user, Role::Officer, commune, "haicap2025", None)?;
    }
    let procedures = app.catalog().procedures.len();
    let offered = app.offered(commune)?;
    let about = format!(
        "{procedures} thủ tục trong danh mục; xã {commune} cung cấp {} thủ tục; {} lần mỗi phím gõ",
        offered.len(),
        repeat
    );
    let keystrokes: Vec<String> = TYPED.iter().flat_map(|t| prefixes(t)).collect();
    let mut figures = vec![];
    // The search itself, as the public catalog and the API run it.
    for (label, first) in
        [("tìm (không danh sách xã)", HashSet::new()), ("tìm (danh sách của xã trước)", offered)]
    {
        let mut t = Vec::with_capacity(repeat * keystrokes.len());
        for _ in 0..repeat {
            for k in &keystrokes {
                let started = Instant::now();
                std::hint::black_box(app.search_procedures(k, &first));
                t.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        t.sort_by(f64::total_cmp);
        let p = |q: f64| t[((t.len() as f64 * q).ceil() as usize).saturating_sub(1).min(t.len() - 1)];
        figures.push(Figures { page: label.into(), p50_ms: p(0.5), p99_ms: p(0.99) });
    }
    // The desk's choices, through the router: every keystroke one request.
    let rt = crate::bench_coordination::runtime()?;
    let through_router = rt.block_on(async move {
        let router = web::router(Arc::new(web::Web::new(app, false)));
        let tok = token(&router, &user).await?;
        let pages: Vec<(String, String, &str)> = ["k", "khai", "khai sinh", "cap doi the bao hiem y te"]
            .iter()
            .map(|q| {
                (
                    format!("tiếp nhận: /ui/thu-tuc?q={q}"),
                    format!("/ui/thu-tuc?q={}", q.replace(' ', "+")),
                    tok.as_str(),
                )
            })
            .collect();
        time_pages(&router, pages, repeat).await
    })?;
    figures.extend(through_router);
    Ok((about, figures))
}
