//! The dashboard's charts: SVG drawn on the server (no script, no CDN). The geometry is
//! computed here; the markup, and the escaping of names, is the templates' (`charts/`).

use super::pages::percent;
use crate::view::fragment;
use app::statistics::breakdown::Trend;
use askama::Template;

const ONLINE: &str = "#1f6f43";
const DIRECT: &str = "#2b59a8";
const POSTAL: &str = "#b35c00";

struct Segment {
    x: f64,
    w: f64,
    color: &'static str,
    label: &'static str,
    n: i64,
}

#[derive(Template)]
#[template(path = "charts/channel_bar.html")]
struct ChannelBar {
    segments: Vec<Segment>,
}

/// A stacked bar of received dossiers by channel.
pub(super) fn channel_bar(f: &app::statistics::figures::Figures) -> String {
    let total = f.received.total.max(1) as f64;
    let mut x = 0.0;
    let mut segments = vec![];
    for (n, color, label) in [
        (f.received.online, ONLINE, "Trực tuyến"),
        (f.received.direct, DIRECT, "Trực tiếp"),
        (f.received.postal, POSTAL, "Bưu chính"),
    ] {
        let w = n as f64 / total * 600.0;
        segments.push(Segment { x, w, color, label, n });
        x += w;
    }
    fragment(&ChannelBar { segments })
}

struct Dot {
    code: String,
    name: String,
    x: f64,
    y: f64,
    color: String,
    rate: String,
}

#[derive(Template)]
#[template(path = "charts/commune_map.html")]
struct CommuneMap {
    w: f64,
    h: f64,
    dots: Vec<Dot>,
}

/// The communes as dots at their coordinates, coloured from red (late) to green (on time).
pub(super) fn unit_map(lines: &[app::statistics::figures::RankedUnit], radius: f64) -> String {
    // Bounds from the units within `radius` degrees of the middle; the others are drawn at
    // the edge.
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mlat, mlon) =
        (median(lines.iter().map(|l| l.lat).collect()), median(lines.iter().map(|l| l.lon).collect()));
    let near = |l: &&app::statistics::figures::RankedUnit| {
        (l.lat - mlat).abs() < radius && (l.lon - mlon).abs() < radius
    };
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for l in lines.iter().filter(near) {
        lat0 = lat0.min(l.lat);
        lat1 = lat1.max(l.lat);
        lon0 = lon0.min(l.lon);
        lon1 = lon1.max(l.lon);
    }
    // Colours spread over the rates actually seen, so that differences show.
    let rates: Vec<f64> = lines.iter().filter_map(|l| l.on_time_rate).collect();
    let (rmin, rmax) = (rates.iter().copied().fold(1.0, f64::min), rates.iter().copied().fold(0.0, f64::max));
    let (w, h) = (600.0, 420.0);
    let sx = w / (lon1 - lon0).max(1e-6);
    let sy = h / (lat1 - lat0).max(1e-6);
    let s = sx.min(sy) * 0.9;
    let dots = lines
        .iter()
        .map(|l| Dot {
            code: l.code.clone(),
            name: l.name.clone(),
            x: (30.0 + (l.lon - lon0) * s).clamp(8.0, w - 8.0),
            y: (h - 20.0 - (l.lat - lat0) * s).clamp(8.0, h - 8.0),
            color: match l.on_time_rate {
                None => "#9aa3ad".to_string(),
                Some(r) => {
                    let t = if rmax > rmin { ((r - rmin) / (rmax - rmin)).clamp(0.0, 1.0) } else { 1.0 };
                    format!("rgb({},{},60)", (200.0 * (1.0 - t)) as u8 + 30, (150.0 * t) as u8 + 40)
                }
            },
            rate: percent(l.on_time_rate),
        })
        .collect();
    fragment(&CommuneMap { w, h, dots })
}

struct Bar {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    color: &'static str,
}

struct Slot {
    x: f64,
    title: String,
}

struct Label {
    x: f64,
    text: String,
}

#[derive(Template)]
#[template(path = "charts/trend.html")]
struct TrendChart {
    w: f64,
    h: f64,
    left: f64,
    base: f64,
    top: i64,
    slot: f64,
    bars: Vec<Bar>,
    slots: Vec<Slot>,
    line: String,
    labels: Vec<Label>,
}

/// Received dossiers per point as stacked bars (online, direct, postal) with the resolved
/// ones as a line.
pub(super) fn trend_chart(t: &Trend) -> String {
    let (w, h, left, bottom) = (640.0, 220.0, 40.0, 24.0);
    let n = t.points.len().max(1) as f64;
    let top = t
        .points
        .iter()
        .map(|p| (p.received_online + p.received_direct + p.received_postal).max(p.resolved))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = (w - left) / n;
    let y = |v: i64| (h - bottom) - v as f64 / top as f64 * (h - bottom - 10.0);
    let (mut bars, mut slots, mut line) = (vec![], vec![], vec![]);
    for (i, p) in t.points.iter().enumerate() {
        let x = left + i as f64 * slot;
        let bw = (slot * 0.7).max(1.0);
        let mut base = 0;
        for (v, color) in
            [(p.received_online, ONLINE), (p.received_direct, DIRECT), (p.received_postal, POSTAL)]
        {
            if v > 0 {
                let (y0, y1) = (y(base), y(base + v));
                bars.push(Bar { x, y: y1, w: bw, h: y0 - y1, color });
            }
            base += v;
        }
        slots.push(Slot {
            x,
            title: format!(
                "{}: tiếp nhận {} (trực tuyến {}, trực tiếp {}, bưu chính {}); giải quyết {} (quá hạn {})",
                p.start.format("%d/%m/%Y"),
                p.received_online + p.received_direct + p.received_postal,
                p.received_online,
                p.received_direct,
                p.received_postal,
                p.resolved,
                p.resolved_late
            ),
        });
        line.push(format!("{:.1},{:.1}", x + bw / 2.0, y(p.resolved)));
    }
    // A date label at the first point and about every sixth.
    let every = (t.points.len() / 6).max(1);
    let labels = t
        .points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, p)| Label { x: left + i as f64 * slot, text: p.start.format("%d/%m").to_string() })
        .collect();
    fragment(&TrendChart {
        w,
        h,
        left,
        base: h - bottom,
        top,
        slot,
        bars,
        slots,
        line: line.join(" "),
        labels,
    })
}
