//! The assistant as a service, on SQLite and PostgreSQL: questions logged, hand-off to an
//! officer and the answer read by code, suggestions reviewed into the catalog's search, the
//! index kept in the data directory and rebuilt when the catalog changes, usage per official.

use crate::common::{at, each_backend, open, HandClock};
use app::assistant::Feedback;
use app::{Actor, ErrorKind, RuleUpdate};
use domain::roles::{Role, Scope};

fn staff(name: &str, role: Role, province: &str, commune: Option<&str>) -> Actor {
    let scope = match commune {
        Some(c) => Scope::Commune { province: province.into(), commune: c.into() },
        None => Scope::Province(province.into()),
    };
    Actor { username: name.into(), role: Some(role), scope, department: None }
}

#[test]
fn a_question_is_answered_logged_and_handed_off_to_an_officer() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let asked = app.assistant().ask("xin giay xac nhan doc than o dau", Some("48"), None).unwrap();
        assert!(asked.reply.confident);
        assert_eq!(asked.reply.matches[0].code, "1.004873");
        assert!(asked.id > 0);
        let again = app.assistant().ask("giá vàng hôm nay bao nhiêu", None, None).unwrap();
        assert!(!again.reply.confident);
        assert!(again.id > asked.id, "every question is logged");

        assert_eq!(app.assistant().ask("   ", None, None).unwrap_err().code, "invalid_question");
        assert_eq!(app.assistant().ask(&"a".repeat(1001), None, None).unwrap_err().code, "invalid_question");
        assert_eq!(app.assistant().ask("khai sinh", Some("99"), None).unwrap_err().code, "unknown_province");

        // The citizen hands the question over and later reads the answer by code.
        let h = app
            .assistant()
            .hand_off(Some(again.id), "Ông bà tôi ở Đà Nẵng muốn hỏi về trợ cấp", Some("0905"), Some("48"))
            .unwrap();
        assert!(h.code.starts_with("HD-") && h.status == "open");
        assert_eq!(app.assistant().handoff(&h.code.to_lowercase()).unwrap().status, "open");
        let citizen = Actor {
            username: "citizen".into(),
            role: None,
            scope: Scope::Province("48".into()),
            department: None,
        };
        assert_eq!(app.assistant().open_handoffs(&citizen).unwrap_err().kind, ErrorKind::Forbidden);
        // An officer of another province neither sees nor answers it.
        let hue = staff("hue.officer", Role::Officer, "46", Some("19753"));
        assert!(app.assistant().open_handoffs(&hue).unwrap().is_empty());
        // Junk sent to one province does not hide another's questions (scoped, then cut).
        for i in 0..510 {
            app.assistant().hand_off(None, &format!("câu hỏi rác {i}"), None, Some("46")).unwrap();
        }
        let danang = staff("dn.officer", Role::Officer, "48", Some("20242"));
        assert!(app.assistant().open_handoffs(&danang).unwrap().iter().any(|x| x.code == h.code));
        assert_eq!(app.assistant().answer_handoff(&h.code, "…", &hue).unwrap_err().kind, ErrorKind::NotFound);
        let officer = staff("dn.officer", Role::Officer, "48", Some("20242"));
        assert_eq!(app.assistant().open_handoffs(&officer).unwrap().len(), 1);
        clock.set(at(2026, 5, 11, 9, 30));
        let done = app
            .assistant()
            .answer_handoff(&h.code, "Xem thủ tục 1.014027, nộp tại UBND xã.", &officer)
            .unwrap();
        assert_eq!(done.status, "answered");
        assert_eq!(done.answered_at, Some(at(2026, 5, 11, 9, 30)));
        let seen = app.assistant().handoff(&h.code).unwrap();
        assert_eq!(seen.answer.as_deref(), Some("Xem thủ tục 1.014027, nộp tại UBND xã."));
        assert_eq!(
            app.assistant().answer_handoff(&h.code, "lần hai", &officer).unwrap_err().code,
            "already_answered"
        );
        assert!(app.assistant().open_handoffs(&officer).unwrap().is_empty());
        // The answer waits for review as a handbook entry, titled by the citizen's question.
        let admin = staff("admin", Role::NationalAdmin, "VN", None);
        let pending = app.assistant().pending_suggestions(&admin).unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].kind, "handbook");
        assert_eq!(pending[0].text, "Xem thủ tục 1.014027, nộp tại UBND xã.");
        assert_eq!(pending[0].question.as_deref(), Some("giá vàng hôm nay bao nhiêu"));
        assert_eq!(app.assistant().handoff("HD-NOPE").unwrap_err().kind, ErrorKind::NotFound);
    });
}

#[test]
fn the_province_settings_reach_the_answer() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let fee = RuleUpdate { fee_vnd: Some(Some(15_000)), ..RuleUpdate::default() };
        app.set_rule("48", "1.004873", fee).unwrap();
        let asked =
            app.assistant().ask("xin giấy xác nhận độc thân mất bao nhiêu tiền", Some("48"), None).unwrap();
        assert!(asked.reply.answer.contains("Thành phố Đà Nẵng: 15.000 đồng"), "{}", asked.reply.answer);
        // An official's own province applies when the question names none.
        let officer = staff("dn.officer", Role::Officer, "48", Some("20242"));
        let asked = app
            .assistant()
            .ask("xin giấy xác nhận độc thân mất bao nhiêu tiền", None, Some(&officer))
            .unwrap();
        assert_eq!(asked.province_code.as_deref(), Some("48"));
        assert!(asked.reply.answer.contains("15.000 đồng"));
        let elsewhere =
            app.assistant().ask("xin giấy xác nhận độc thân mất bao nhiêu tiền", Some("46"), None).unwrap();
        assert!(!elsewhere.reply.answer.contains("15.000 đồng"));
    });
}

#[test]
fn an_accepted_suggestion_teaches_the_assistant_and_survives_a_restart() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        let q = "làm bìa vàng cho ông bà";
        let before = app.assistant().ask(q, None, None).unwrap();
        assert_ne!(before.reply.matches.first().map(|m| m.code.as_str()), Some("1.014027"));
        let officer = staff("dn.officer", Role::Officer, "48", Some("20242"));
        let fb = |kind: &str, code: Option<&str>, text: &str| Feedback {
            question_id: Some(before.id),
            helpful: Some(false),
            kind: Some(kind.into()),
            procedure_code: code.map(str::to_string),
            text: Some(text.into()),
        };
        assert_eq!(
            app.assistant().feedback(&fb("alias", None, q), Some(&officer)).unwrap_err().code,
            "invalid_feedback"
        );
        assert_eq!(
            app.assistant().feedback(&fb("alias", Some("9.999"), q), Some(&officer)).unwrap_err().code,
            "unknown_procedure"
        );
        assert_eq!(
            app.assistant().feedback(&fb("poem", None, q), None).unwrap_err().code,
            "invalid_feedback"
        );
        let bad_id = Feedback { question_id: Some(999_999), helpful: Some(true), ..Feedback::default() };
        assert_eq!(app.assistant().feedback(&bad_id, None).unwrap_err().code, "unknown_question");
        let id = app.assistant().feedback(&fb("alias", Some("1.014027"), q), Some(&officer)).unwrap();
        let note = app
            .assistant()
            .feedback(
                &fb("handbook", None, "Cụ từ 75 tuổi không có lương hưu: trợ cấp hưu trí xã hội."),
                None,
            )
            .unwrap();
        let rating = Feedback { question_id: Some(before.id), helpful: Some(true), ..Feedback::default() };
        app.assistant().feedback(&rating, None).unwrap();

        assert_eq!(app.assistant().pending_suggestions(&officer).unwrap_err().kind, ErrorKind::Forbidden);
        let admin = staff("admin", Role::NationalAdmin, "VN", None);
        let pending = app.assistant().pending_suggestions(&admin).unwrap();
        assert_eq!(pending.iter().map(|s| s.id).collect::<Vec<_>>(), [id, note], "ratings are not queued");
        assert_eq!(pending[0].question.as_deref(), Some(q));

        let articles = app.assistant().handbook().unwrap().len();
        assert_eq!(articles, 22, "the handbook is seeded from its topics");
        // The assistant's data is the country's: neither a commune's nor a province's
        // administrator reviews it.
        for local in [
            staff("qt.haichau", Role::Admin, "48", Some("20242")),
            staff("qt.danang", Role::Admin, "48", None),
        ] {
            assert_eq!(app.assistant().pending_suggestions(&local).unwrap_err().kind, ErrorKind::Forbidden);
            assert_eq!(
                app.assistant().review_suggestion(id, true, &local).unwrap_err().kind,
                ErrorKind::Forbidden
            );
        }
        assert_eq!(app.assistant().review_suggestion(id, true, &admin).unwrap().status, "accepted");
        assert_eq!(app.assistant().review_suggestion(note, true, &admin).unwrap().status, "accepted");
        assert_eq!(
            app.assistant().review_suggestion(id, true, &admin).unwrap_err().kind,
            ErrorKind::NotFound
        );
        assert_eq!(app.assistant().handbook().unwrap().len(), articles + 1);

        let after = app.assistant().ask(q, None, None).unwrap();
        assert_eq!(after.reply.matches[0].code, "1.014027");
        assert!(after.reply.confident);

        // A new server on the same data reuses the saved index, which already has the alias.
        drop(app);
        let app = open(db, &clock);
        let r = app.assistant().reindex_assistant(false).unwrap();
        assert!(!r.rebuilt, "the saved index matches the database");
        assert_eq!(r.aliases, 1);
        assert_eq!(app.assistant().ask(q, None, None).unwrap().reply.matches[0].code, "1.014027");
    });
}

#[test]
fn the_saved_index_is_rebuilt_when_the_catalog_changes() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 11, 8, 0));
        let app = open(db, &clock);
        assert!(app.assistant().reindex_assistant(false).unwrap().rebuilt, "first start builds it");
        assert!(!app.assistant().reindex_assistant(false).unwrap().rebuilt);
        let json = domain::catalog::BUILTIN_CATALOG_JSON.replacen(
            "\"lên thổ cư\"",
            "\"lên thổ cư\", \"xin lên đất ở cho mảnh ruộng\"",
            1,
        );
        app.import_catalog(&json).unwrap();
        assert!(app.assistant().reindex_assistant(false).unwrap().rebuilt, "a new catalog makes a new index");
        let path = db.data.path().join("assistant-index.json");
        assert!(path.exists());
        // A damaged file is only a rebuild, never an error.
        std::fs::write(&path, b"{not json").unwrap();
        assert!(app.assistant().reindex_assistant(false).unwrap().rebuilt);
    });
}

#[test]
fn usage_counts_officials_and_the_weekly_rule() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 5, 4, 8, 0)); // a Monday
        let app = open(db, &clock);
        app.accounts().add_user("lan", Role::Officer, "20242", "mat-khau-dai", None).unwrap();
        app.accounts().add_user("minh", Role::Officer, "20257", "mat-khau-dai", None).unwrap();
        app.accounts().add_user("hoa", Role::Officer, "19753", "mat-khau-dai", None).unwrap(); // Huế
        let lan = staff("lan", Role::Officer, "48", Some("20242"));
        let minh = staff("minh", Role::Officer, "48", Some("20257"));
        for day in [4, 11] {
            clock.set(at(2026, 5, day, 9, 0));
            app.assistant().ask("đăng ký khai sinh cần gì", None, Some(&lan)).unwrap();
        }
        clock.set(at(2026, 5, 5, 9, 0));
        app.assistant().ask("đăng ký khai sinh cần gì", None, Some(&minh)).unwrap();
        app.assistant().ask("giá vàng hôm nay", Some("48"), None).unwrap();
        let leader = staff("leader", Role::ProvinceLeader, "48", None);
        let from = chrono::NaiveDate::from_ymd_opt(2026, 5, 4).unwrap();
        let to = chrono::NaiveDate::from_ymd_opt(2026, 5, 17).unwrap();
        let u = app.assistant().assistant_usage(from, to, &leader).unwrap();
        assert_eq!((u.weeks, u.questions, u.answered), (2, 4, 3));
        let names: Vec<(&str, i64, usize, bool)> = u
            .officials
            .iter()
            .map(|o| (o.username.as_str(), o.questions, o.weeks_used, o.meets_weekly_rule))
            .collect();
        assert_eq!(
            names,
            [("lan", 2, 2, true), ("minh", 1, 1, false)],
            "Huế's official is not Đà Nẵng's business"
        );
        assert_eq!(u.top_questions[0].key, "đăng ký khai sinh cần gì");
        assert_eq!(u.top_questions[0].count, 3);
        assert_eq!(u.unanswered.len(), 1);
        assert_eq!(
            u.communes.iter().map(|c| (c.key.as_str(), c.count)).collect::<Vec<_>>(),
            [("20242", 2), ("20257", 1)]
        );
        assert_eq!(app.assistant().assistant_usage(to, from, &leader).unwrap_err().code, "invalid_period");
    });
}
