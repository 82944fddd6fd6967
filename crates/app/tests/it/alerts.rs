//! Alerts reach the officer and the commune's leaders once per dossier, kind and due date; the
//! outbox delivers them through the configured sender, retrying with pauses, then giving up.

use crate::common::{at, backends, open, HandClock};
use app::alerts::{AlertKind, CommandSender, Message, Sender, Senders};
use app::{ActionRequest, Actor, Applicant, IntakeRequest};
use chrono::Duration;
use domain::roles::{Role, Scope};
use domain::Channel;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Fails its first `fail` calls, then succeeds; remembers what it sent.
struct Flaky {
    fail: usize,
    calls: Arc<AtomicUsize>,
}

impl Sender for Flaky {
    fn send(&self, _m: &Message) -> Result<(), String> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        if n < self.fail {
            Err(format!("máy chủ thư bận ({n})"))
        } else {
            Ok(())
        }
    }
}

fn actor(name: &str, commune: &str) -> Actor {
    Actor {
        username: name.into(),
        role: None,
        department: None,
        scope: Scope::Commune { province: "48".into(), commune: commune.into() },
    }
}

fn outbox(app: &app::App) -> Vec<(String, String, String, i64)> {
    let rows = app
        .store()
        .read(|c| c.query("SELECT recipient, channel, status, attempts FROM outbox ORDER BY id", &[]))
        .unwrap();
    rows.iter().map(|r| (r.string(0), r.string(1), r.string(2), r.int(3).unwrap())).collect()
}

#[test]
fn alerts_go_once_to_the_officer_and_the_leaders_and_the_outbox_retries() {
    for db in backends() {
        let start = at(2026, 3, 2, 8, 0);
        let clock = HandClock::at(start);
        let app = open(&db, &clock);
        let console = Actor::console("test");
        for (name, role, unit) in [
            ("lan", Role::Specialist, "20242"),
            ("chutich", Role::CommuneLeader, "20242"),
            ("chutich2", Role::CommuneLeader, "20257"),
        ] {
            app.accounts().add_user(name, role, unit, "mat-khau-dai", None).unwrap();
        }
        app.alerts()
            .set_contact("chutich", Some("chutich@haichau.danang.gov.vn"), Some("0905 123 456"), &console)
            .unwrap();
        assert_eq!(
            app.alerts().set_contact("lan", Some("không phải thư"), None, &console).unwrap_err().code,
            "invalid_email"
        );
        assert_eq!(
            app.alerts().set_contact("lan", None, Some("12ab"), &console).unwrap_err().code,
            "invalid_phone"
        );
        let req = IntakeRequest {
            procedure_code: "1.004873".into(),
            channel: Channel::Direct,
            commune_code: Some("20242".into()),
            applicant: Applicant { full_name: "Nguyễn Văn A".into(), ..Applicant::default() },
        };
        let d = app.dossiers().receive(&req, &console).unwrap();
        app.dossiers()
            .act(&d.code, &ActionRequest { to: Some("lan".into()), ..ActionRequest::new("assign") }, &console)
            .unwrap();
        let due = app.dossiers().dossier(&d.code, &console).unwrap().due_at.unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let senders =
            Senders { email: Some(Box::new(Flaky { fail: 2, calls: calls.clone() })), ..Senders::default() };

        // Far from the due date: nothing.
        assert!(app.alerts().raise_alerts(&senders).unwrap().is_empty(), "due {due}");
        // The working day before: near due, to the officer and the leader (not another commune's).
        clock.set(due - Duration::hours(3));
        let raised = app.alerts().raise_alerts(&senders).unwrap();
        let mut who: Vec<_> = raised.iter().map(|a| (a.username.as_str(), a.kind)).collect();
        who.sort_by_key(|w| w.0);
        assert_eq!(who, [("chutich", AlertKind::NearDue), ("lan", AlertKind::NearDue)]);
        assert!(app.alerts().raise_alerts(&senders).unwrap().is_empty(), "a second sweep raises nothing");
        // An e-mail or a text message leaves the system: it names the dossier, never the applicant.
        let bodies = app.store().read(|c| c.query("SELECT subject, body FROM outbox", &[])).unwrap();
        assert!(!bodies.is_empty());
        for b in &bodies {
            let text = format!("{} {}", b.string(0), b.string(1));
            assert!(text.contains(&d.code) && !text.contains("Nguyễn Văn A"), "{text}");
        }
        // The leader has an e-mail and e-mail is configured; SMS is not: e-mail only. The officer: the log.
        assert_eq!(
            outbox(&app),
            [
                ("lan".into(), "log".into(), "pending".into(), 0),
                ("chutich".into(), "email".into(), "pending".into(), 0)
            ]
        );
        let r = app.alerts().deliver_outbox(&senders, 100).unwrap();
        assert_eq!((r.sent, r.retrying, r.failed), (1, 1, 0));
        // Not yet time to retry; then the second attempt fails, the third goes.
        assert_eq!(app.alerts().deliver_outbox(&senders, 100).unwrap().retrying, 0);
        clock.set(due - Duration::hours(3) + Duration::minutes(1));
        assert_eq!(app.alerts().deliver_outbox(&senders, 100).unwrap().retrying, 1);
        clock.set(due - Duration::hours(3) + Duration::minutes(7));
        assert_eq!(app.alerts().deliver_outbox(&senders, 100).unwrap().sent, 1);
        assert_eq!(outbox(&app)[1], ("chutich".into(), "email".into(), "sent".into(), 3));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        // Past the due date: an overdue alert, once.
        clock.set(due + Duration::minutes(10));
        assert_eq!(app.alerts().raise_alerts(&senders).unwrap().len(), 2);
        assert!(app.alerts().raise_alerts(&senders).unwrap().is_empty());
        let mine = app.alerts().list(&actor("lan", "20242"), false, 50).unwrap();
        assert_eq!(mine.iter().map(|a| a.kind).collect::<Vec<_>>(), [AlertKind::Overdue, AlertKind::NearDue]);
        assert!(app.alerts().list(&actor("chutich2", "20257"), false, 50).unwrap().is_empty());
        assert_eq!(
            app.alerts().mark_alert_read(mine[0].id, &actor("chutich", "20242")).unwrap_err().code,
            "alert_not_found"
        );
        app.alerts().mark_alert_read(mine[0].id, &actor("lan", "20242")).unwrap();
        assert_eq!(app.alerts().list(&actor("lan", "20242"), true, 50).unwrap().len(), 1);

        // A sender that never works: tried six times with growing pauses, then marked failed.
        let dead = Senders {
            email: Some(Box::new(Flaky { fail: 99, calls: Arc::new(AtomicUsize::new(0)) })),
            ..Senders::default()
        };
        let mut t = due + Duration::minutes(10);
        let mut failed = 0;
        for _ in 0..8 {
            failed += app.alerts().deliver_outbox(&dead, 100).unwrap().failed;
            t += Duration::hours(13);
            clock.set(t);
        }
        assert_eq!(failed, 1);
        let last = outbox(&app).into_iter().rfind(|(w, c, ..)| w == "chutich" && c == "email").unwrap();
        assert_eq!((last.2.as_str(), last.3), ("failed", 6));
    }
}

#[test]
fn the_command_sender_writes_a_mail_the_way_sendmail_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mail.txt");
    let s = CommandSender {
        program: "sh".into(),
        args: vec!["-c".into(), format!("cat > {}", out.display())],
        email_from: Some("haicap@danang.gov.vn".into()),
    };
    let m = Message {
        id: 1,
        recipient: "chutich".into(),
        channel: "email".into(),
        address: Some("chutich@haichau.danang.gov.vn".into()),
        subject: "Hồ sơ X: quá hạn".into(),
        body: "Hồ sơ X quá hạn.".into(),
        attempts: 0,
    };
    s.send(&m).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with(
        "From: haicap@danang.gov.vn\r\nTo: chutich@haichau.danang.gov.vn\r\nSubject: =?UTF-8?B?"
    ));
    assert!(text.ends_with("\r\n\r\nHồ sơ X quá hạn.\r\n"), "{text}");
    let failing = CommandSender { program: "false".into(), args: vec![], email_from: None };
    assert!(failing.send(&m).unwrap_err().contains("false"));
    let missing = CommandSender { program: "/khong/co".into(), args: vec![], email_from: None };
    assert!(missing.send(&m).is_err());
}

/// Counts what it sent, by message, slowly enough that two servers would overlap.
struct Counting(Arc<std::sync::Mutex<Vec<i64>>>);

impl Sender for Counting {
    fn send(&self, m: &Message) -> Result<(), String> {
        std::thread::sleep(std::time::Duration::from_millis(2));
        self.0.lock().unwrap().push(m.id);
        Ok(())
    }
}

#[test]
fn two_servers_on_one_database_raise_each_alert_once_and_send_each_message_once() {
    let Some(db) = crate::common::postgres() else { return };
    let start = at(2026, 3, 2, 8, 0);
    let clock = HandClock::at(start);
    let (a, b) = (Arc::new(open(&db, &clock)), Arc::new(open(&db, &clock)));
    let console = Actor::console("test");
    for (name, role) in [("lan", Role::Specialist), ("chutich", Role::CommuneLeader)] {
        a.accounts().add_user(name, role, "20242", "mat-khau-dai", None).unwrap();
    }
    a.alerts().set_contact("chutich", Some("chutich@haichau.danang.gov.vn"), None, &console).unwrap();
    let mut due = None;
    for i in 0..40 {
        let req = IntakeRequest {
            procedure_code: "1.004873".into(),
            channel: Channel::Direct,
            commune_code: Some("20242".into()),
            applicant: Applicant { full_name: format!("Người nộp {i}"), ..Applicant::default() },
        };
        let d = a.dossiers().receive(&req, &console).unwrap();
        let d = a
            .dossiers()
            .act(&d.code, &ActionRequest { to: Some("lan".into()), ..ActionRequest::new("assign") }, &console)
            .unwrap();
        due = due.max(d.due_at);
    }
    clock.set(due.unwrap() + Duration::minutes(10));

    // Both servers sweep at once, twice.
    let sweep = |app: Arc<app::App>| {
        std::thread::spawn(move || {
            (0..2).map(|_| app.alerts().raise_alerts(&Senders::default()).unwrap().len()).sum::<usize>()
        })
    };
    let (ta, tb) = (sweep(a.clone()), sweep(b.clone()));
    let raised = ta.join().unwrap() + tb.join().unwrap();
    assert_eq!(raised, 80, "40 overdue dossiers, each alerting the officer and the leader once");
    let alerts = a.store().read(|c| c.query_one("SELECT COUNT(*) FROM alerts", &[])).unwrap().unwrap().int(0);
    assert_eq!(alerts, Some(80));

    // Both deliver at once: each message once.
    let sent = Arc::new(std::sync::Mutex::new(vec![]));
    let deliver = |app: Arc<app::App>, sent: Arc<std::sync::Mutex<Vec<i64>>>| {
        std::thread::spawn(move || {
            let senders = Senders {
                log: Box::new(Counting(sent.clone())),
                email: Some(Box::new(Counting(sent))),
                ..Senders::default()
            };
            for _ in 0..3 {
                app.alerts().deliver_outbox(&senders, 7).unwrap();
            }
        })
    };
    let (da, dbb) = (deliver(a.clone(), sent.clone()), deliver(b.clone(), sent.clone()));
    da.join().unwrap();
    dbb.join().unwrap();
    let mut sent = sent.lock().unwrap().clone();
    let n = sent.len();
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), n, "a message was sent twice");
    assert_eq!(n, 42, "two servers, three rounds of seven each");
}

#[test]
fn a_silent_node_is_told_to_the_provinces_administrators_once_per_silence() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let app = open(&db, &clock);
        app.accounts().add_user("quantri", Role::Admin, "48", "mat-khau-dai", None).unwrap();
        app.accounts().add_user("quantri.hue", Role::Admin, "46", "mat-khau-dai", None).unwrap();
        app.accounts().add_user("lan", Role::Officer, "20242", "mat-khau-dai", None).unwrap();
        let (_, token) = app.add_node("20242").unwrap();
        app.add_node("20257").unwrap();
        let silence = Duration::minutes(30);
        let senders = Senders::default();
        // Heard from a minute ago: nothing. Silent past the limit: each silent node, once.
        clock.set(at(2026, 6, 1, 8, 20));
        app.node_for_token(&token).unwrap();
        assert!(app.alerts().raise_node_alerts(silence, &senders).unwrap().is_empty());
        clock.set(at(2026, 6, 1, 8, 45));
        let raised = app.alerts().raise_node_alerts(silence, &senders).unwrap();
        let seen: Vec<_> =
            raised.iter().map(|a| (a.username.as_str(), a.dossier_code.as_str(), a.kind)).collect();
        assert_eq!(
            seen,
            [("quantri", "20257", AlertKind::NodeSilent)],
            "the other province's admin is not told"
        );
        assert_eq!(raised[0].due_at, at(2026, 6, 1, 8, 0), "silent since it was added");
        assert!(app.alerts().raise_node_alerts(silence, &senders).unwrap().is_empty(), "once");
        // The other falls silent too; heard again and silent again, it is told anew.
        clock.set(at(2026, 6, 1, 9, 0));
        let raised = app.alerts().raise_node_alerts(silence, &senders).unwrap();
        assert_eq!(raised.iter().map(|a| a.dossier_code.as_str()).collect::<Vec<_>>(), ["20242"]);
        app.node_for_token(&token).unwrap();
        clock.set(at(2026, 6, 1, 9, 45));
        let raised = app.alerts().raise_node_alerts(silence, &senders).unwrap();
        assert_eq!(raised.len(), 1);
        assert_eq!(raised[0].due_at, at(2026, 6, 1, 9, 0));
        // The message names the commune and its last contact, never a dossier's applicant.
        let bodies =
            app.store().read(|c| c.query("SELECT subject, body FROM outbox ORDER BY id", &[])).unwrap();
        assert_eq!(bodies.len(), 3);
        assert!(
            bodies[0].string(0).contains("Máy trạm của")
                && bodies[0].string(1).contains("08:00 ngày 01/06/2026")
        );
        // Heard once more, then revoked: silent for good, and nobody is told (the other was
        // told of its silence already).
        clock.set(at(2026, 6, 1, 10, 0));
        app.node_for_token(&token).unwrap();
        app.revoke_node("20242").unwrap();
        clock.set(at(2026, 6, 2, 9, 0));
        assert!(app.alerts().raise_node_alerts(silence, &senders).unwrap().is_empty());
    }
}
