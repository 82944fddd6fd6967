//! A trial run of a province: realistic arrivals at every commune, mostly online, processed
//! with some supplements, extensions, transfers and lateness, across the real working
//! calendar, through the same use cases as the desks and citizens (never raw inserts).
//! Deterministic for a seed: what happens is decided on one thread; a desk's new dossiers are
//! received in order (their codes count up), and each dossier's steps follow one another.

pub mod demo;

use crate::blobs::Upload;
use crate::{ActionRequest, Actor, App, AppResult, Applicant, IntakeRequest};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use domain::roles::Role;
use domain::Channel;
use errors::Code;
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
    /// Transferred to the province: assigned there, to its staff.
    sent_up: bool,
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
    // Some dossiers need another agency: sent to the province's desk, then assigned there.
    if rng.chance(0.02) {
        p.extend(["transfer", "assign"]);
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

/// A commune's one-stop desk in the trial.
struct Desk {
    code: &'static str,
    name: &'static str,
    province: &'static str,
    province_name: &'static str,
    officer: Actor,
    /// Who its dossiers are assigned to, and who the province's are.
    assignee: String,
    province_assignee: String,
}

/// The communes of `spec`: a province code, several separated by commas, or `all`.
fn desks_of(spec: &str) -> AppResult<Vec<Desk>> {
    let reg = units::registry();
    let codes: Vec<&str> = if spec.trim() == "all" {
        reg.provinces.iter().map(|p| p.code).collect()
    } else {
        spec.split(',').map(str::trim).collect()
    };
    let mut desks = vec![];
    for code in codes {
        let province = reg.province(code).ok_or_else(|| {
            crate::AppError::new(Code::UnknownProvince, format!("không có tỉnh mã \"{code}\""))
        })?;
        for c in reg.communes_of(province.code).into_iter().flatten() {
            desks.push(Desk {
                code: c.code,
                name: c.name,
                province: province.code,
                province_name: province.name,
                officer: Actor::console(&format!("motcua.{}", c.code)),
                assignee: format!("chuyenvien.{}", c.code),
                province_assignee: format!("chuyenvien.{}", province.code),
            });
        }
    }
    Ok(desks)
}

/// A citizen's scanned form: one of a few small documents (stored once each, by content).
fn scanned_form(n: u64) -> Upload {
    Upload::new(format!("to-khai-{n}.pdf"), format!("%PDF-1.4\n% haicap mô phỏng {n}\n%%EOF\n"))
}

/// Runs the trial over the communes of `provinces` (see [`desks_of`]). `clock` is the app's
/// hand clock (seconds since the epoch, Vietnam time); `progress` is told (day, days,
/// dossiers, actions) after each simulated day.
pub fn simulate(
    app: &App,
    clock: &AtomicI64,
    provinces: &str,
    start: NaiveDate,
    opts: SimOptions,
    progress: &(dyn Fn(u32, u32, usize, usize) + Sync),
) -> AppResult<SimReport> {
    let mut desks = desks_of(provinces)?;
    // Dossiers are assigned to accounts of their handling unit that process dossiers: the
    // unit's own where it has one (a demo's), else one per commune and per province (accounts
    // that cannot sign in).
    let existing: std::collections::HashMap<String, String> = app
        .store()
        .read(|c| {
            c.query(
                "SELECT unit_code, username, role FROM users WHERE active = TRUE ORDER BY username DESC",
                &[],
            )
        })?
        .iter()
        .map(|r| {
            Ok((
                r.col::<Option<String>>("unit_code")?,
                r.col::<String>("username")?,
                r.col::<String>("role")?,
            ))
        })
        .collect::<Result<Vec<_>, store::StoreError>>()?
        .into_iter()
        .filter_map(|(unit, name, role)| {
            Some((unit?, name)).filter(|_| role.parse::<Role>().is_ok_and(Role::processes))
        })
        .collect();
    let mut staff: Vec<(String, Role, String)> = vec![];
    for d in desks.iter_mut() {
        match existing.get(d.code) {
            Some(u) => d.assignee = u.clone(),
            None => staff.push((d.assignee.clone(), Role::Specialist, d.code.to_string())),
        }
        match existing.get(d.province) {
            Some(u) => d.province_assignee = u.clone(),
            None if !staff.iter().any(|s| s.0 == d.province_assignee) => {
                staff.push((d.province_assignee.clone(), Role::Department, d.province.to_string()))
            }
            None => {}
        }
    }
    app.accounts().add_accounts_without_login(&staff)?;
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
    // A large trial (a few hundred MB of SQLite and up) writes faster into a file already past
    // its first gibibyte (see `Store::reserve_past_lock_page`); a small one is not worth it.
    let expected = desks.len() as f64 * 31.0 * opts.scale * opts.days as f64 * 5.0 / 7.0;
    if expected >= 100_000.0 {
        app.store().reserve_past_lock_page()?;
    }
    let mut rng = Rng::new(opts.seed);
    let mut queue: BinaryHeap<Reverse<Step>> = BinaryHeap::new();
    let tally = Tally::default();
    let per_hour = 31.0 * opts.scale / 9.0;
    for day in 0..opts.days {
        let date = start + Duration::days(day as i64);
        let working = app.calendar().is_working_day(date).unwrap_or(true);
        for hour in 8..17 {
            let tick = date.and_hms_opt(hour, 0, 0).expect("valid");
            clock.store(tick.and_utc().timestamp(), Ordering::SeqCst);
            // This hour's work, decided in order on this thread: each desk's new dossiers as
            // one chain (their codes follow the order of arrival), each follow-up on its own.
            let mut work: Vec<Work> = vec![];
            if working {
                for (i, desk) in desks.iter().enumerate() {
                    let mut n = per_hour.floor() as u64;
                    if rng.chance(per_hour.fract()) {
                        n += 1;
                    }
                    let arrivals: Vec<Arrival> =
                        (0..n).map(|_| arrival(&mut rng, desk, &procedures, &online_procedures)).collect();
                    if !arrivals.is_empty() {
                        work.push(Work::Arrivals(i, arrivals));
                    }
                }
            }
            while queue.peek().is_some_and(|Reverse(s)| s.at <= tick) {
                let Reverse(s) = queue.pop().expect("peeked");
                work.push(Work::Act(s));
            }
            // Many callers at once, so that the writer commits large batches; the chains first,
            // so that no long chain is left to run alone at the end of the hour.
            let next = AtomicUsize::new(0);
            let follow_ups: std::sync::Mutex<Vec<Step>> = std::sync::Mutex::new(vec![]);
            std::thread::scope(|scope| {
                for _ in 0..opts.threads.clamp(1, work.len().max(1)) {
                    scope.spawn(|| {
                        give_way_to_the_writer();
                        let mut mine = vec![];
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(w) = work.get(i) else { break };
                            match w {
                                Work::Arrivals(desk, arrivals) => {
                                    for a in arrivals {
                                        mine.extend(take_in(app, &desks[*desk], *desk, a, tick, &tally));
                                    }
                                }
                                Work::Act(step) => {
                                    mine.extend(act(app, &desks[step.desk], step, tick, &tally))
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
        progress(
            day + 1,
            opts.days,
            tally.dossiers.load(Ordering::Relaxed),
            tally.actions.load(Ordering::Relaxed),
        );
    }
    Ok(SimReport {
        dossiers: tally.dossiers.into_inner(),
        actions: tally.actions.into_inner(),
        refused_actions: tally.refused.into_inner(),
    })
}

#[derive(Default)]
struct Tally {
    dossiers: AtomicUsize,
    actions: AtomicUsize,
    refused: AtomicUsize,
}

/// A new dossier: the request, whether documents come with it, its plan, and the office
/// minutes before its first step.
struct Arrival {
    req: IntakeRequest,
    documents: Option<u64>,
    plan: Vec<&'static str>,
    first: i64,
}

fn arrival(rng: &mut Rng, desk: &Desk, procedures: &[String], online: &[String]) -> Arrival {
    // About 90 % online, as Đà Nẵng; the procedure among those offered so.
    let r = rng.below(100);
    let channel = if r < 90 {
        Channel::Online
    } else if r < 98 {
        Channel::Direct
    } else {
        Channel::Postal
    };
    let offered = if channel == Channel::Online { online } else { procedures };
    let procedure_code = rng.pick(offered).clone();
    let full_name = format!("{} {} {}", rng.pick(SURNAMES), rng.pick(MIDDLE), rng.pick(GIVEN));
    let applicant = Applicant {
        full_name,
        phone: Some(format!("09{:08}", rng.below(100_000_000))),
        id_number: Some(format!("0{:011}", rng.below(100_000_000_000))),
        address: Some(format!(
            "{} {}, {}, {}",
            rng.below(300) + 1,
            rng.pick(STREETS),
            desk.name,
            desk.province_name
        )),
    };
    // Most online filings carry their scanned forms (the index's digitisation group).
    let documents = (channel == Channel::Online && rng.chance(0.85)).then(|| rng.below(5));
    let plan = plan(rng, channel);
    let first = delay(rng, plan[0]);
    let req = IntakeRequest { procedure_code, channel, commune_code: Some(desk.code.into()), applicant };
    Arrival { req, documents, plan, first }
}

fn take_in(
    app: &App,
    desk: &Desk,
    i: usize,
    a: &Arrival,
    tick: NaiveDateTime,
    tally: &Tally,
) -> Option<Step> {
    let received = match a.documents {
        Some(n) => app.dossiers().submit_online(&a.req, &[scanned_form(n)]),
        None => app.dossiers().receive(&a.req, &desk.officer),
    };
    let d = received.ok()?;
    tally.dossiers.fetch_add(1, Ordering::Relaxed);
    Some(Step {
        at: advance(app, tick, a.first),
        desk: i,
        code: d.code,
        plan: a.plan.clone(),
        sent_up: false,
    })
}

fn act(app: &App, desk: &Desk, s: &Step, tick: NaiveDateTime, tally: &Tally) -> Option<Step> {
    let (step, rest) = s.plan.split_first().expect("plans are not empty");
    let to = match *step {
        "transfer" => desk.province.to_string(),
        _ if s.sent_up => desk.province_assignee.clone(),
        _ => desk.assignee.clone(),
    };
    let req = ActionRequest {
        note: Some("mô phỏng".into()),
        to: Some(to),
        extra_days: Some(2),
        ..ActionRequest::new(step)
    };
    match app.dossiers().act(&s.code, &req, &desk.officer) {
        Ok(d) => {
            tally.actions.fetch_add(1, Ordering::Relaxed);
            // About a third of citizens rate the service once they have their result.
            let mut rng = Rng::new(seed_of(&s.code, "rate"));
            if *step == "return_result" && rng.chance(0.3) {
                // With the PIN printed on their receipt, each from their own address.
                let pin = d.tracking_pin.as_deref().unwrap_or_default();
                let score = *rng.pick(&[5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 3, 2]);
                if app.dossiers().rate(&s.code, pin, &format!("citizen:{}", s.code), score, None).is_ok() {
                    tally.actions.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        Err(_) => {
            tally.refused.fetch_add(1, Ordering::Relaxed);
        }
    }
    let next_step = rest.first()?;
    let minutes = delay(&mut Rng::new(seed_of(&s.code, next_step)), next_step);
    Some(Step {
        at: advance(app, tick, minutes),
        desk: s.desk,
        code: s.code.clone(),
        plan: rest.to_vec(),
        sent_up: s.sent_up || *step == "transfer",
    })
}

enum Work {
    /// A desk's new dossiers of the hour, in order of arrival.
    Arrivals(usize, Vec<Arrival>),
    /// The next step of a dossier's plan.
    Act(Step),
}

/// Lowers the calling thread's priority (nice 10), so that the database's writer, the one
/// thread all the callers wait for, is not preempted by them: at normal priority the writer
/// of a national trial spent a third of its time runnable but off the processor, the
/// scheduler sharing the two cores fairly among some thirty callers and it (`perf`, sched
/// switches). Linux keeps nice values per thread; elsewhere this does nothing.
fn give_way_to_the_writer() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority has no memory effects; `who` 0 is the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// A seed derived from the dossier and the step, so that what happens to a dossier does not
/// depend on which thread runs it.
fn seed_of(code: &str, step: &str) -> u64 {
    let mut h: u64 = 1469598103934665603;
    for b in code.bytes().chain(step.bytes()) {
        h = (h ^ b as u64).wrapping_mul(1099511628211);
    }
    h
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
