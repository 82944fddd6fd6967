//! A trial run of a province: realistic arrivals at every commune, mostly online, processed
//! with some supplements, extensions, transfers and lateness, across the real working
//! calendar, through the same use cases as the desks (never raw inserts). Deterministic for a
//! seed: each commune's desk is driven by one thread at a time, in a fixed order.

use crate::{ActionRequest, Actor, App, AppResult, Applicant, IntakeRequest};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use domain::Channel;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone, Copy, Debug)]
pub struct SimOptions {
    pub days: u32,
    pub seed: u64,
    /// Multiplies the arrivals (1.0: about 31 dossiers a working day per commune, as Đà Nẵng's
    /// first quarter: 182,661 dossiers over 94 communes and 62 working days).
    pub scale: f64,
    pub threads: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimReport {
    pub dossiers: usize,
    pub actions: usize,
    pub refused_actions: usize,
}

/// A small deterministic generator (SplitMix64).
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const SURNAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Minh", "Hữu", "Thu", "Đức", "Ngọc", "Quốc", "Thanh", "Hoài"];
const GIVEN: &[&str] = &[
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc",
    "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Vy",
];
const STREETS: &[&str] = &[
    "Trần Phú",
    "Lê Lợi",
    "Hùng Vương",
    "Nguyễn Huệ",
    "Lê Duẩn",
    "Quang Trung",
    "Hai Bà Trưng",
    "Phan Châu Trinh",
];

/// What happens next to a dossier, and when.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Step {
    at: NaiveDateTime,
    desk: usize,
    code: String,
    plan: Vec<&'static str>,
}

/// The steps a dossier will go through (the simulator's idea of a commune's work).
fn plan(rng: &mut Rng, channel: Channel) -> Vec<&'static str> {
    let mut p = vec![];
    if channel != Channel::Direct {
        if rng.chance(0.03) {
            return vec!["refuse"];
        }
        p.push("receive");
    }
    p.push("assign");
    if rng.chance(0.10) {
        p.extend(["request_supplement", "supplement_received"]);
    }
    if rng.chance(0.04) {
        p.push("extend");
    }
    if rng.chance(0.01) {
        return [p, vec!["withdraw"]].concat();
    }
    p.push(if rng.chance(0.03) { "deny" } else { "approve" });
    p.push("return_result");
    p
}

/// How long until the next step, in office minutes (lateness comes from the long tail).
fn delay(rng: &mut Rng, step: &str) -> i64 {
    match step {
        "receive" => 30 + rng.below(240) as i64,
        "assign" => 10 + rng.below(120) as i64,
        "supplement_received" => 480 + rng.below(1440) as i64,
        "approve" | "deny" => {
            if rng.chance(0.06) {
                1440 + rng.below(2880) as i64
            } else {
                60 + rng.below(1200) as i64
            }
        }
        "return_result" => 60 + rng.below(960) as i64,
        _ => 30 + rng.below(240) as i64,
    }
}

/// Moves `t` forward by office minutes (08:00–17:00, working days of the calendar).
fn advance(app: &App, mut t: NaiveDateTime, mut minutes: i64) -> NaiveDateTime {
    while minutes > 0 {
        let working = app.calendar().is_working_day(t.date()).unwrap_or(true);
        let end = t.date().and_hms_opt(17, 0, 0).expect("valid");
        if !working || t >= end {
            t = (t.date() + Duration::days(1)).and_hms_opt(8, 0, 0).expect("valid");
            continue;
        }
        let start = t.max(t.date().and_hms_opt(8, 0, 0).expect("valid"));
        let room = (end - start).num_minutes();
        if minutes <= room {
            return start + Duration::minutes(minutes);
        }
        minutes -= room;
        t = end;
    }
    t
}

/// Runs the trial. `clock` is the app's hand clock (seconds since the epoch, Vietnam time);
/// `progress` is told (day, days, dossiers, actions) after each simulated day.
pub fn simulate(
    app: &App,
    clock: &AtomicI64,
    province: &str,
    start: NaiveDate,
    opts: SimOptions,
    progress: &(dyn Fn(u32, u32, usize, usize) + Sync),
) -> AppResult<SimReport> {
    let reg = units::registry();
    let desks: Vec<(&'static str, &'static str)> = reg
        .communes_of(province)
        .ok_or_else(|| {
            crate::AppError::invalid("unknown_province", format!("không có tỉnh mã \"{province}\""))
        })?
        .map(|c| (c.code, c.name))
        .collect();
    let catalog = app.catalog();
    let commune_level = |p: &&domain::catalog::Procedure| matches!(p.level, domain::catalog::Level::Commune);
    let procedures: Vec<String> = catalog
        .procedures
        .iter()
        .filter(commune_level)
        .filter(|p| {
            p.direct && p.postal && p.terms(Channel::Direct).is_some() && p.terms(Channel::Postal).is_some()
        })
        .map(|p| p.code.clone())
        .collect();
    let online_procedures: Vec<String> = catalog
        .procedures
        .iter()
        .filter(commune_level)
        .filter(|p| p.online && p.terms(Channel::Online).is_some())
        .map(|p| p.code.clone())
        .collect();
    let province_name = reg.province(province).map_or("", |p| p.name);
    let mut rng = Rng::new(opts.seed);
    let mut queue: BinaryHeap<Reverse<Step>> = BinaryHeap::new();
    let dossiers = AtomicUsize::new(0);
    let actions = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    let per_hour = 31.0 * opts.scale / 9.0;
    for day in 0..opts.days {
        let date = start + Duration::days(day as i64);
        let working = app.calendar().is_working_day(date).unwrap_or(true);
        for hour in 8..17 {
            let tick = date.and_hms_opt(hour, 0, 0).expect("valid");
            clock.store(tick.and_utc().timestamp(), Ordering::SeqCst);
            // This hour's work per desk, decided in order on this thread.
            let mut work: Vec<Vec<Work>> = vec![vec![]; desks.len()];
            if working {
                for (i, _) in desks.iter().enumerate() {
                    let mut n = per_hour.floor() as u64;
                    if rng.chance(per_hour.fract()) {
                        n += 1;
                    }
                    for _ in 0..n {
                        // About 90 % online, as Đà Nẵng; the procedure among those offered so.
                        let r = rng.below(100);
                        let channel = if r < 90 {
                            Channel::Online
                        } else if r < 98 {
                            Channel::Direct
                        } else {
                            Channel::Postal
                        };
                        let offered =
                            if channel == Channel::Online { &online_procedures } else { &procedures };
                        let code = rng.pick(offered);
                        let name = format!("{} {} {}", rng.pick(SURNAMES), rng.pick(MIDDLE), rng.pick(GIVEN));
                        let applicant = Applicant {
                            full_name: name,
                            phone: Some(format!("09{:08}", rng.below(100_000_000))),
                            id_number: Some(format!("0{:011}", rng.below(100_000_000_000))),
                            address: Some(format!(
                                "{} {}, {}, {province_name}",
                                rng.below(300) + 1,
                                rng.pick(STREETS),
                                desks[i].1
                            )),
                        };
                        let steps = plan(&mut rng, channel);
                        let first = delay(&mut rng, steps[0]);
                        let req = IntakeRequest {
                            procedure_code: code.clone(),
                            channel,
                            commune_code: Some(desks[i].0.into()),
                            applicant,
                        };
                        work[i].push(Work::Intake(req, steps, first));
                    }
                }
            }
            while queue.peek().is_some_and(|Reverse(s)| s.at <= tick) {
                let Reverse(s) = queue.pop().expect("peeked");
                work[s.desk].push(Work::Act(s.code, s.plan));
            }
            // Desks in parallel, each desk's work in order.
            let next = AtomicUsize::new(0);
            let follow_ups: std::sync::Mutex<Vec<Step>> = std::sync::Mutex::new(vec![]);
            std::thread::scope(|scope| {
                for _ in 0..opts.threads.max(1) {
                    scope.spawn(|| loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= work.len() {
                            break;
                        }
                        let actor = Actor::console(&format!("motcua.{}", desks[i].0));
                        let mut mine = vec![];
                        for w in &work[i] {
                            match w {
                                Work::Intake(req, steps, first) => {
                                    if let Ok(d) = app.receive(req, &actor) {
                                        dossiers.fetch_add(1, Ordering::Relaxed);
                                        let at = advance(app, tick, *first);
                                        mine.push(Step { at, desk: i, code: d.code, plan: steps.clone() });
                                    }
                                }
                                Work::Act(code, plan) => {
                                    let (step, rest) = plan.split_first().expect("plans are not empty");
                                    let req = ActionRequest {
                                        note: Some("mô phỏng".into()),
                                        to: Some(format!("chuyenvien.{}", desks[i].0)),
                                        extra_days: Some(2),
                                        ..ActionRequest::new(step)
                                    };
                                    match app.act(code, &req, &actor) {
                                        Ok(_) => actions.fetch_add(1, Ordering::Relaxed),
                                        Err(_) => refused.fetch_add(1, Ordering::Relaxed),
                                    };
                                    if let Some(next_step) = rest.first() {
                                        let minutes = step_delay(code, next_step);
                                        mine.push(Step {
                                            at: advance(app, tick, minutes),
                                            desk: i,
                                            code: code.clone(),
                                            plan: rest.to_vec(),
                                        });
                                    }
                                }
                            }
                        }
                        follow_ups.lock().unwrap_or_else(|e| e.into_inner()).extend(mine);
                    });
                }
            });
            for s in follow_ups.into_inner().unwrap_or_else(|e| e.into_inner()) {
                queue.push(Reverse(s));
            }
        }
        progress(day + 1, opts.days, dossiers.load(Ordering::Relaxed), actions.load(Ordering::Relaxed));
    }
    Ok(SimReport {
        dossiers: dossiers.into_inner(),
        actions: actions.into_inner(),
        refused_actions: refused.into_inner(),
    })
}

#[derive(Clone)]
enum Work {
    /// A new dossier, its plan, and the office minutes before its first step.
    Intake(IntakeRequest, Vec<&'static str>, i64),
    /// The next step of a dossier's plan.
    Act(String, Vec<&'static str>),
}

/// The delay before a step, derived from the dossier and the step so that it does not depend
/// on which thread runs it.
fn step_delay(code: &str, step: &str) -> i64 {
    let mut h: u64 = 1469598103934665603;
    for b in code.bytes().chain(step.bytes()) {
        h = (h ^ b as u64).wrapping_mul(1099511628211);
    }
    delay(&mut Rng::new(h), step)
}

/// A clock for [`simulate`]: the app reads it, the simulator moves it.
pub fn hand_clock(start: NaiveDateTime) -> (Arc<AtomicI64>, crate::Clock) {
    let t = Arc::new(AtomicI64::new(start.and_utc().timestamp()));
    let read = t.clone();
    let clock: crate::Clock = Arc::new(move || {
        chrono::DateTime::from_timestamp(read.load(Ordering::SeqCst), 0).unwrap_or_default().naive_utc()
    });
    (t, clock)
}
