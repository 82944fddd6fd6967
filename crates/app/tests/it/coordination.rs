//! Coordination between the tiers, on SQLite and PostgreSQL: a commune's proposal routed to the
//! responsible department with a working-day deadline, answered, sent back, forwarded,
//! escalated and flagged when overdue, each party seeing only its own; the province's tasks to
//! communes with reports and lateness; the load of each official and the officer to suggest.

use crate::common::{at, each_backend, open, HandClock};
use app::accounts::staff::{NewLeave, StaffingUpdate};
use app::blobs::{FsBlobs, Upload};
use app::coordination::directives::{DirectiveFilter, NewDirective, NewReport};
use app::coordination::proposals::{NewProposal, ProposalFilter, ProposalResponse};
use app::{ActionRequest, Actor, App, Applicant, ErrorKind, IntakeRequest};
use domain::roles::{Role, Scope};
use domain::Channel;
use std::sync::Arc;

const HAI_CHAU: &str = "20242";
const HOA_CUONG: &str = "20257";
const LAND_PROCEDURE: &str = "1.012786"; // field "Đất đai"

fn commune(name: &str, role: Role, code: &str) -> Actor {
    Actor {
        username: name.into(),
        role: Some(role),
        scope: Scope::Commune { province: "48".into(), commune: code.into() },
        department: None,
    }
}

fn department(name: &str, code: &str) -> Actor {
    Actor {
        username: name.into(),
        role: Some(Role::Department),
        scope: Scope::Province("48".into()),
        department: Some(code.into()),
    }
}

fn leader(province: &str) -> Actor {
    Actor {
        username: format!("lanhdao.{province}"),
        role: Some(Role::ProvinceLeader),
        scope: Scope::Province(province.into()),
        department: None,
    }
}

fn respond(
    app: &App,
    id: i64,
    action: &str,
    body: &str,
    to: Option<&str>,
    who: &Actor,
) -> app::AppResult<app::coordination::proposals::ProposalDetail> {
    let r = ProposalResponse { body: body.into(), action: Some(action.into()), to: to.map(str::to_string) };
    app.coordination().respond_to_proposal(id, &r, who)
}

fn proposal(title: &str, category: &str, procedure: Option<&str>) -> NewProposal {
    NewProposal {
        title: title.into(),
        category: category.into(),
        body: "Nội dung chi tiết của kiến nghị".into(),
        procedure_code: procedure.map(str::to_string),
        ..NewProposal::default()
    }
}

#[test]
fn a_proposal_goes_to_the_right_department_and_each_party_sees_its_own() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 3, 2, 9, 0));
        let app = open(db, &clock);
        let chairman = commune("chutich.haichau", Role::CommuneLeader, HAI_CHAU);
        let officer = commune("motcua.haichau", Role::Officer, HAI_CHAU);
        let neighbour = commune("chutich.hoacuong", Role::CommuneLeader, HOA_CUONG);
        let land = department("so.nnmt", "SNNMT");
        let justice = department("so.tuphap", "STP");
        let home = department("so.noivu", "SNV");

        let req = proposal(
            "Vướng mắc cấp giấy chứng nhận đất do chưa có bản đồ mới",
            "legal",
            Some(LAND_PROCEDURE),
        );
        assert_eq!(app.coordination().file_proposal(&req, &officer).unwrap_err().code, "commune_leader_only");
        assert_eq!(app.coordination().file_proposal(&req, &land).unwrap_err().kind, ErrorKind::Forbidden);
        assert_eq!(
            app.coordination().file_proposal(&proposal("", "legal", None), &chairman).unwrap_err().code,
            "invalid_title"
        );
        assert_eq!(
            app.coordination().file_proposal(&proposal("x", "nhan_su", None), &chairman).unwrap_err().code,
            "invalid_category"
        );
        assert_eq!(
            app.coordination()
                .file_proposal(&proposal("x", "legal", Some("9.999999")), &chairman)
                .unwrap_err()
                .code,
            "unknown_procedure"
        );

        let p = app.coordination().file_proposal(&req, &chairman).unwrap();
        assert_eq!(p.handler, "SNNMT", "a land procedure goes to Agriculture and Environment");
        assert_eq!(p.status, "open");
        // 10 working days from Monday 02/03/2026: Monday 16/03.
        assert_eq!(p.due_at.date(), chrono::NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
        let staff = app
            .coordination()
            .file_proposal(&proposal("Thiếu 5 công chức địa chính", "staff", None), &chairman)
            .unwrap();
        assert_eq!(staff.handler, "SNV");

        // Who sees what.
        let all = ProposalFilter::default();
        assert_eq!(
            app.coordination().proposals(&all, &officer).unwrap().total,
            2,
            "the commune sees its own"
        );
        assert_eq!(app.coordination().proposals(&all, &neighbour).unwrap().total, 0);
        assert_eq!(app.coordination().proposal(p.id, &neighbour).unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(
            app.coordination().proposals(&all, &land).unwrap().total,
            1,
            "a department sees what is routed to it"
        );
        assert_eq!(app.coordination().proposals(&all, &home).unwrap().items[0].id, staff.id);
        assert_eq!(app.coordination().proposal(p.id, &home).unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(app.coordination().proposals(&all, &leader("48")).unwrap().total, 2);
        assert_eq!(app.coordination().proposals(&all, &leader("46")).unwrap().total, 0);
        assert!(
            app.coordination().proposal(p.id, &officer).unwrap().allowed.is_empty(),
            "an officer reads but does not act"
        );

        // The department asks for more: the clock stops until the commune answers.
        clock.set(at(2026, 3, 4, 9, 0));
        assert_eq!(
            respond(&app, p.id, "answer", "đã rõ", None, &justice).unwrap_err().kind,
            ErrorKind::NotFound
        );
        let d = respond(&app, p.id, "request_info", "Đề nghị gửi danh sách thửa đất vướng mắc", None, &land)
            .unwrap();
        assert_eq!(d.proposal.status, "info_requested");
        assert_eq!(
            respond(&app, p.id, "supplement", "x", None, &neighbour).unwrap_err().kind,
            ErrorKind::NotFound
        );
        assert_eq!(
            respond(&app, p.id, "supplement", "x", None, &officer).unwrap_err().code,
            "commune_leader_only"
        );
        clock.set(at(2026, 3, 11, 9, 0));
        let d = app
            .coordination()
            .respond_to_proposal(
                p.id,
                &ProposalResponse { body: "Danh sách 42 thửa".into(), ..Default::default() },
                &chairman,
            )
            .unwrap();
        assert_eq!(d.proposal.status, "open", "the commune's default step answers the request");
        assert_eq!(
            d.proposal.due_at.date(),
            chrono::NaiveDate::from_ymd_opt(2026, 3, 23).unwrap(),
            "5 working days paused"
        );

        // Forwarded: the first department no longer sees it, the second does; same promised date.
        assert_eq!(respond(&app, p.id, "forward", "", Some("STP"), &land).unwrap_err().code, "invalid_body");
        assert_eq!(respond(&app, p.id, "forward", "x", None, &land).unwrap_err().code, "missing_department");
        let d = respond(&app, p.id, "forward", "Thuộc lĩnh vực tư pháp", Some("STP"), &land)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.proposal.handler, "STP");
        assert_eq!(app.coordination().proposal(p.id, &land).unwrap_err().kind, ErrorKind::NotFound);
        let d =
            respond(&app, p.id, "answer", "Hướng dẫn theo Nghị định 151/2025/NĐ-CP", None, &justice).unwrap();
        assert_eq!(
            (d.proposal.status.as_str(), d.allowed.len()),
            ("answered", 0),
            "the answer ends the department's part"
        );
        assert_eq!(app.coordination().proposal(p.id, &chairman).unwrap().allowed, vec!["close", "reopen"]);
        let d = respond(&app, p.id, "close", "", None, &chairman).unwrap();
        assert_eq!(d.proposal.status, "closed");
        let kinds: Vec<&str> = d.history.iter().map(|h| h.kind.as_str()).collect();
        assert_eq!(kinds, ["filed", "info_requested", "supplemented", "forwarded", "answered", "closed"]);
        assert_eq!(
            respond(&app, p.id, "reopen", "x", None, &chairman).unwrap_err().code,
            "invalid_transition"
        );

        // The record cannot be rewritten.
        let sql = format!("UPDATE proposal_events SET body = 'x' WHERE proposal_id = {}", p.id);
        assert!(app.store().write(move |c| c.exec(&sql, &[])).is_err());

        let s = app.coordination().proposal_summary(&leader("48")).unwrap();
        assert_eq!((s.total.total, s.total.closed, s.total.open), (2, 1, 1));
        assert_eq!(s.lines.iter().find(|l| l.category == "staff").unwrap().open, 1);
    });
}

#[test]
fn overdue_proposals_are_flagged_once_and_escalated_ones_reach_the_central_list() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 3, 2, 9, 0));
        let app = open(db, &clock);
        let chairman = commune("chutich.haichau", Role::CommuneLeader, HAI_CHAU);
        // A title typed as a spreadsheet formula: it must stay text in the CSV for the centre.
        let req = NewProposal { urgent: true, ..proposal("=Máy chủ một cửa hỏng", "digital", None) };
        let p = app.coordination().file_proposal(&req, &chairman).unwrap();
        assert_eq!(p.handler, "SKHCN");
        assert_eq!(
            p.due_at.date(),
            chrono::NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
            "urgent: 3 working days"
        );
        assert_eq!(app.coordination().flag_overdue_proposals().unwrap().len(), 0);
        clock.set(at(2026, 3, 6, 9, 0));
        assert_eq!(app.coordination().flag_overdue_proposals().unwrap().len(), 1);
        assert_eq!(
            app.coordination().flag_overdue_proposals().unwrap().len(),
            0,
            "each lapse is flagged once"
        );
        let overdue = ProposalFilter { overdue: true, ..ProposalFilter::default() };
        let l = app.coordination().proposals(&overdue, &leader("48")).unwrap();
        assert_eq!((l.total, l.overdue), (1, 1));
        assert!(l.items[0].overdue);
        let d = app.coordination().proposal(p.id, &leader("48")).unwrap();
        assert_eq!(d.history.last().unwrap().kind, "overdue_flagged");

        // The department escalates; the leader marks it for the central government.
        let it = department("so.khcn", "SKHCN");
        respond(&app, p.id, "escalate", "Cần kinh phí ngoài dự toán", None, &it).unwrap();
        assert!(app.coordination().proposals(&ProposalFilter::default(), &it).unwrap().items.is_empty());
        assert_eq!(
            respond(&app, p.id, "to_central", "x", None, &chairman).unwrap_err().code,
            "invalid_transition"
        );
        let d =
            respond(&app, p.id, "to_central", "Kiến nghị Bộ Tài chính bổ sung kinh phí", None, &leader("48"))
                .unwrap();
        assert!(d.proposal.to_central && d.proposal.escalated && d.proposal.handler == "LEADER");
        let csv = app.coordination().central_proposals_csv(&leader("48")).unwrap();
        assert!(
            csv.starts_with('\u{feff}')
                && csv.contains(",'=Máy chủ một cửa hỏng,")
                && csv.contains("Phường Hải Châu"),
            "{csv}"
        );
        assert!(!app.coordination().central_proposals_csv(&leader("46")).unwrap().contains("Máy chủ"));
    });
}

#[test]
fn directives_reach_the_communes_and_the_province_sees_who_is_late() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 3, 2, 9, 0));
        let app = open(db, &clock).with_blobs(Arc::new(FsBlobs { root: db.data.path().join("blobs") }));
        let chief = leader("48");
        let req = NewDirective {
            title: "Rà soát trụ sở dôi dư".into(),
            body: "Báo cáo danh sách trụ sở không sử dụng".into(),
            due_date: "13/03/2026".into(),
            commune_codes: vec![HAI_CHAU.into(), HOA_CUONG.into(), HAI_CHAU.into()],
            all_communes: false,
        };
        let mine = commune("chutich.haichau", Role::CommuneLeader, HAI_CHAU);
        assert_eq!(app.coordination().issue_directive(&req, &mine).unwrap_err().kind, ErrorKind::Forbidden);
        let bad = NewDirective { commune_codes: vec!["19753".into()], ..req.clone() };
        assert_eq!(
            app.coordination().issue_directive(&bad, &chief).unwrap_err().code,
            "unknown_commune",
            "Huế is not Đà Nẵng's"
        );
        let past = NewDirective { due_date: "01/03/2026".into(), ..req.clone() };
        assert_eq!(app.coordination().issue_directive(&past, &chief).unwrap_err().code, "due_in_past");
        let wrong = NewDirective { due_date: "31/02/2026".into(), ..req.clone() };
        assert_eq!(app.coordination().issue_directive(&wrong, &chief).unwrap_err().code, "invalid_date");
        let d = app.coordination().issue_directive(&req, &chief).unwrap();
        assert_eq!(d.targets, 2, "duplicates counted once");
        let all =
            NewDirective { commune_codes: vec!["all".into()], due_date: "2026-04-30".into(), ..req.clone() };
        let everyone = app.coordination().issue_directive(&all, &chief).unwrap();
        assert_eq!(everyone.targets as usize, units::registry().communes_of("48").unwrap().count());

        // Each commune sees its own task only; a commune not assigned sees nothing.
        let detail = app.coordination().directive(d.id, &mine).unwrap();
        assert_eq!(detail.tasks.len(), 1);
        assert!(detail.may_report);
        let other = commune("motcua.other", Role::Officer, "20209");
        assert_eq!(app.coordination().directive(d.id, &other).unwrap_err().kind, ErrorKind::NotFound);
        assert_eq!(
            app.coordination().directives(&DirectiveFilter::default(), &other).unwrap().total,
            1,
            "only the all-communes one"
        );
        assert_eq!(app.coordination().directive(d.id, &leader("46")).unwrap_err().kind, ErrorKind::NotFound);

        clock.set(at(2026, 3, 5, 10, 0));
        let progress =
            NewReport { status: "in_progress".into(), body: "Đã rà soát 3/5 trụ sở".into() };
        app.coordination().report_on_directive(d.id, &progress, &[], &mine).unwrap();
        let pdf = Upload::new("bao-cao.pdf", b"%PDF-1.4 bao cao".to_vec());
        let exe = Upload::new("virus.pdf", b"MZ\x90\x00".to_vec());
        let done = NewReport { status: "done".into(), body: "Hoàn thành, gửi kèm danh sách".into() };
        assert!(
            app.coordination().report_on_directive(d.id, &done, &[exe], &mine).is_err(),
            "only real documents"
        );
        let after = app.coordination().report_on_directive(d.id, &done, &[pdf], &mine).unwrap();
        assert_eq!(after.tasks[0].status, "done");
        assert_eq!(after.reports.len(), 2, "the refused report left nothing behind");
        let (a, bytes) = app.coordination().directive_attachment(d.id, HAI_CHAU, 2, 1, &chief).unwrap();
        assert_eq!((a.content_type.as_str(), bytes.len()), ("application/pdf", 16));
        assert_eq!(
            app.coordination().report_on_directive(d.id, &progress, &[], &mine).unwrap_err().code,
            "task_done"
        );
        let bogus = NewReport { status: "assigned".into(), body: "x".into() };
        let hoa_cuong = commune("chutich.hoacuong", Role::CommuneLeader, HOA_CUONG);
        assert_eq!(
            app.coordination().report_on_directive(d.id, &bogus, &[], &hoa_cuong).unwrap_err().code,
            "invalid_report_status"
        );

        // After the date: Hòa Cường, which never reported, is late; Hải Châu is not.
        clock.set(at(2026, 3, 16, 8, 0));
        let view = app.coordination().directive(d.id, &chief).unwrap();
        assert_eq!((view.directive.done, view.directive.late), (1, 1));
        let late: Vec<&str> =
            view.tasks.iter().filter(|t| t.timeliness.is_late()).map(|t| t.commune_code.as_str()).collect();
        assert_eq!(late, [HOA_CUONG]);
        let late_list = app
            .coordination()
            .directives(&DirectiveFilter { late: true, ..Default::default() }, &chief)
            .unwrap();
        assert_eq!(late_list.items.iter().map(|d| d.id).collect::<Vec<_>>(), [d.id]);
        assert_eq!(
            app.coordination().directives(&DirectiveFilter::default(), &mine).unwrap().items[1]
                .mine
                .as_ref()
                .unwrap()
                .status,
            "done"
        );
    });
}

#[test]
fn the_workload_shows_who_carries_what_and_suggests_the_least_loaded() {
    each_backend(|db| {
        let clock = HandClock::at(at(2026, 3, 2, 8, 0));
        let app = open(db, &clock);
        for (name, role) in [
            ("cv.an", Role::Specialist),
            ("cv.binh", Role::Specialist),
            ("cv.chau", Role::Specialist),
            ("motcua", Role::Officer),
            ("chutich", Role::CommuneLeader),
        ] {
            app.accounts().add_user(name, role, HAI_CHAU, "mat-khau-dai", None).unwrap();
        }
        app.accounts().add_user("so.tuphap", Role::Department, "48", "mat-khau-dai", None).unwrap();
        let console = Actor::console("admin");
        app.accounts().set_profile("so.tuphap", Some("stp"), Some("Chuyên viên"), &[], &console).unwrap();
        assert_eq!(
            app.accounts().user("so.tuphap").unwrap().unwrap().0.department_code.as_deref(),
            Some("STP")
        );
        assert_eq!(
            app.accounts().set_profile("cv.an", Some("STP"), None, &[], &console).unwrap_err().code,
            "not_department_staff"
        );
        app.accounts()
            .set_profile("cv.chau", None, Some("Công chức địa chính"), &["Đất đai".into()], &console)
            .unwrap();

        let desk = commune("motcua", Role::Officer, HAI_CHAU);
        let chairman = commune("chutich", Role::CommuneLeader, HAI_CHAU);
        let mut codes = vec![];
        for i in 0..3 {
            let req = IntakeRequest {
                procedure_code: "1.004873".into(),
                channel: Channel::Direct,
                commune_code: None,
                applicant: Applicant {
                    full_name: format!("Người nộp {i}"),
                    phone: None,
                    id_number: None,
                    address: None,
                },
            };
            codes.push(app.dossiers().receive(&req, &desk).unwrap().code);
        }
        let assign = |code: &str, to: &str| {
            // The leader of the unit assigns (the desk receives; docs/roles.md).
            app.dossiers()
                .act(code, &ActionRequest { to: Some(to.into()), ..ActionRequest::new("assign") }, &chairman)
                .unwrap();
        };
        assign(&codes[0], "cv.an");
        assign(&codes[1], "cv.an");
        assign(&codes[2], "cv.binh");
        // An Hải Châu leader puts Bình on leave; the neighbour's leader may not.
        let leave = NewLeave {
            username: "cv.binh".into(),
            from_date: "01/03/2026".into(),
            to_date: "06/03/2026".into(),
            reason: Some("Nghỉ phép năm".into()),
        };
        let other = commune("chutich.hoacuong", Role::CommuneLeader, HOA_CUONG);
        let theirs = app.accounts().add_leave(&leave, &other).unwrap_err();
        let nobody = app
            .accounts()
            .add_leave(&NewLeave { username: "khong.co.ai".into(), ..leave.clone() }, &other)
            .unwrap_err();
        assert_eq!((theirs.kind, theirs.code.as_str()), (ErrorKind::NotFound, "user_not_found"));
        assert_eq!(
            (theirs.kind, theirs.code.as_str(), theirs.message.replace("cv.binh", "?")),
            (nobody.kind, nobody.code.as_str(), nobody.message.replace("khong.co.ai", "?")),
            "another unit's official and nobody answer alike"
        );
        assert_eq!(
            app.accounts().add_leave(&leave, &desk).unwrap_err().kind,
            ErrorKind::Forbidden,
            "an officer does not manage leave"
        );
        let backwards =
            NewLeave { from_date: "06/03/2026".into(), to_date: "01/03/2026".into(), ..leave.clone() };
        assert_eq!(app.accounts().add_leave(&backwards, &chairman).unwrap_err().code, "invalid_period");
        app.accounts().add_leave(&leave, &chairman).unwrap();
        app.accounts()
            .set_staffing(HAI_CHAU, &StaffingUpdate { quota: Some(8), population: Some(25_000) }, &chairman)
            .unwrap();
        assert_eq!(
            app.accounts()
                .set_staffing(HAI_CHAU, &StaffingUpdate { quota: Some(-1), population: None }, &chairman)
                .unwrap_err()
                .code,
            "invalid_number"
        );

        let w = app.accounts().workload(HAI_CHAU, &desk).unwrap();
        assert_eq!((w.headcount, w.present, w.on_leave, w.quota), (5, 4, 1, Some(8)));
        assert_eq!(w.open_dossiers, 3);
        let an = w.officials.iter().find(|o| o.username == "cv.an").unwrap();
        assert_eq!(an.open, 2);
        assert!(w.officials.iter().find(|o| o.username == "cv.binh").unwrap().on_leave);
        assert_eq!(w.staff_per_10k, Some(2.0));
        assert_eq!(app.accounts().workload(HAI_CHAU, &other).unwrap_err().kind, ErrorKind::Forbidden);
        assert_eq!(app.accounts().workload("99999", &desk).unwrap_err().code, "unknown_unit");

        // Bình (1 open) is on leave; Châu (none open) declared land only, and this is civil
        // status: An, with 2, is the one.
        let s = app.accounts().suggest_assignee(&codes[0], &desk).unwrap().unwrap();
        assert_eq!(s.username, "cv.an", "Bình on leave, Châu declared land only");
        clock.set(at(2026, 3, 9, 8, 0));
        assert_eq!(
            app.accounts().suggest_assignee(&codes[0], &desk).unwrap().unwrap().username,
            "cv.binh",
            "back from leave, 1 open"
        );

        let cmp = app.accounts().staff_comparison("48", &leader("48")).unwrap();
        let hc = cmp.iter().find(|l| l.unit_code == HAI_CHAU).unwrap();
        assert_eq!((hc.headcount, hc.open_dossiers, hc.received_30d), (5, 3, 3));
        assert_eq!(hc.open_per_official, Some(0.6));
        assert_eq!(cmp.len(), units::registry().communes_of("48").unwrap().count());
        assert_eq!(
            app.accounts().staff_comparison("48", &leader("46")).unwrap_err().kind,
            ErrorKind::Forbidden
        );
        assert_eq!(
            app.accounts().staff_comparison("48", &chairman).unwrap_err().kind,
            ErrorKind::Forbidden,
            "a commune does not read its neighbours' headcount and load"
        );
    });
}
