//! A commune's node works without its link and its province takes that work when the link
//! returns (issue #25): the same dossiers, chains, statuses and statistics on both sides,
//! each day's digest intact on both, every event taken once however often it is delivered,
//! and one writer per dossier.

use crate::common::{at, backends, open, sqlite, HandClock};
use app::blobs::Upload;
use app::nodes::Node;
use app::replication::{Push, Taken};
use app::{ActionRequest, Actor, App, Applicant, IntakeRequest};
use domain::roles::Role;
use domain::Channel;

const COMMUNE: &str = "20242";

fn intake(i: usize) -> IntakeRequest {
    IntakeRequest {
        procedure_code: "1.004873".into(),
        channel: Channel::Direct,
        commune_code: Some(COMMUNE.into()),
        applicant: Applicant {
            full_name: format!("Nguyễn Văn {i}"),
            id_number: Some(format!("0482000{i:05}")),
            ..Applicant::default()
        },
    }
}

fn act(app: &App, code: &str, req: ActionRequest) {
    app.dossiers().act(code, &req, &Actor::console("test")).unwrap_or_else(|e| panic!("{code}: {e:?}"));
}

/// Pushes everything pending, in batches, as the node's sync does; returns what the province
/// answered.
fn sync(node: &App, province: &App, at_province: &Node) -> Vec<Taken> {
    let mut all = vec![];
    loop {
        let push = node.pending_push(7).unwrap();
        if push.dossiers.is_empty() {
            return all;
        }
        let hashes: Vec<String> = push.dossiers.iter().flat_map(|d| d.files().map(str::to_string)).collect();
        for h in province.missing_documents(&hashes).unwrap() {
            province.take_document(&node.document(&h).unwrap()).unwrap();
        }
        let taken = province.take_push(at_province, push).unwrap();
        assert!(taken.iter().all(|t| t.refused.is_none()), "{taken:?}");
        node.acknowledge(&taken).unwrap();
        all.extend(taken);
    }
}

/// What both sides must agree on: each dossier's status, chain head and count.
fn heads(app: &App) -> Vec<(String, i64, String, String)> {
    let rows = app
        .store()
        .read(|c| {
            c.query(
                "SELECT code, event_count, head_hash, status FROM dossiers WHERE receiving_unit = $1 ORDER BY code",
                &[COMMUNE.into()],
            )
        })
        .unwrap();
    rows.iter()
        .map(|r| (r.string(0), r.int(1).unwrap(), r.string(2), r.int(3).unwrap().to_string()))
        .collect()
}

fn stats(app: &App) -> Vec<String> {
    let rows = app
        .store()
        .read(|c| {
            c.query(
                "SELECT procedure_code, day, channel, registered, received, refused, transferred, resolved_early, \
                 resolved_on_time, resolved_late, returned, digitised, rated, satisfied FROM stats_daily WHERE unit_code = $1 \
                 ORDER BY procedure_code, day, channel",
                &[COMMUNE.into()],
            )
        })
        .unwrap();
    rows.iter()
        .map(|r| {
            let counts: Vec<String> = (2..14).map(|i| r.int(i).unwrap().to_string()).collect();
            format!("{} {} {}", r.string(0), r.col::<chrono::NaiveDate>("day").unwrap(), counts.join(","))
        })
        .collect()
}

#[test]
fn a_day_worked_offline_reaches_the_province_whole_once_and_verified() {
    for db in backends() {
        eprintln!("province on {}", db.url);
        let node_db = sqlite();
        let (node_clock, clock) =
            (HandClock::at(at(2026, 6, 1, 7, 30)), HandClock::at(at(2026, 6, 1, 7, 30)));
        let province = open(&db, &clock);
        let node = open(&node_db, &node_clock);
        let (at_province, _token) = province.add_node(COMMUNE).unwrap();
        node.attach_upstream("https://dichvucong.danang.gov.vn", COMMUNE, "48").unwrap();
        for a in [&province, &node] {
            a.accounts().add_user("lan", Role::Specialist, COMMUNE, "mat-khau-dai", None).unwrap();
        }

        // The province works too, and seals each day it worked before the node's arrive.
        let own = |day| {
            clock.set(at(2026, 6, day, 10, 0));
            let req = IntakeRequest { commune_code: Some("20257".into()), ..intake(900 + day as usize) };
            province.dossiers().receive(&req, &Actor::console("tinh")).unwrap().code
        };
        let provinces = [own(1), own(2)];

        // Two days without the link: dossiers received, assigned, resolved, returned; one
        // sent up to the province's department; documents filed with some.
        let mut codes = vec![];
        for day in [1, 2] {
            for i in 0..12 {
                node_clock.set(at(2026, 6, day, 8, i as u32 * 3));
                let n = codes.len();
                let d = if i % 4 == 3 {
                    let req = IntakeRequest { channel: Channel::Online, ..intake(n) };
                    node.dossiers()
                        .submit_online(&req, &[Upload::new("don.pdf", format!("%PDF-1.4 đơn số {n}"))])
                        .unwrap()
                } else {
                    node.dossiers().receive(&intake(n), &Actor::console("motcua")).unwrap()
                };
                codes.push(d.code);
            }
            for (k, code) in codes.iter().enumerate().skip((day as usize - 1) * 12) {
                node_clock.set(at(2026, 6, day, 14, k as u32 % 60));
                if k % 4 == 3 {
                    act(&node, code, ActionRequest::new("receive"));
                }
                act(&node, code, ActionRequest { to: Some("lan".into()), ..ActionRequest::new("assign") });
                match k % 3 {
                    0 => {
                        act(&node, code, ActionRequest::new("approve"));
                        act(&node, code, ActionRequest::new("return_result"));
                    }
                    1 if k == 1 => act(
                        &node,
                        code,
                        ActionRequest { to: Some("48".into()), ..ActionRequest::new("transfer") },
                    ),
                    _ => {}
                }
            }
        }
        assert!(codes.iter().all(|c| c.contains("-N")), "a node numbers apart: {codes:?}");
        let status = node.sync_status().unwrap();
        assert_eq!(status.pending_dossiers, 24);
        let events: i64 = heads(&node).iter().map(|h| h.1).sum();
        assert_eq!(status.pending_events, events as u64);
        assert_eq!(status.oldest_pending, Some(at(2026, 6, 1, 8, 0)));

        // The province feeds the national portal: its own open dossiers first.
        assert_eq!(province.portal_round().unwrap().queued, provinces.len());

        // The link returns on the third day: the province takes both days.
        clock.set(at(2026, 6, 3, 9, 0));
        node_clock.set(at(2026, 6, 3, 9, 0));
        let taken = sync(&node, &province, &at_province);
        assert_eq!(taken.iter().map(|t| u64::from(t.new)).sum::<u64>(), events as u64);
        // The node's two days reach the portal through the province, by when they arrived.
        assert_eq!(province.portal_round().unwrap().queued, codes.len());
        assert_eq!(node.portal_round().unwrap().queued, 0, "the node reports through its province");
        assert_eq!(heads(&province), heads(&node));
        assert_eq!(stats(&province), stats(&node));
        let after = node.sync_status().unwrap();
        assert_eq!((after.pending_dossiers, after.pending_events), (0, 0));
        assert_eq!(after.upstream.last_push_at, Some(at(2026, 6, 3, 9, 0)));

        // Delivered again (an answer lost on the way): nothing new, nothing changed.
        let mut again = Push::default();
        for code in &codes[..5] {
            let d = node.dossiers().dossier(code, &Actor::console("test")).unwrap();
            let run = domain::replication::chained(code, &d.events);
            again.dossiers.push(app::replication::PushedDossier {
                code: code.clone(),
                particulars: app::replication::Particulars::of(&d),
                documents: vec![],
                signed: vec![],
                events: run,
                rating: None,
            });
        }
        let taken = province.take_push(&at_province, again).unwrap();
        assert!(taken.iter().all(|t| t.new == 0 && t.refused.is_none()), "{taken:?}");
        assert_eq!(heads(&province), heads(&node));

        // A citizen rates the service at the node's desk after the push: the rating follows
        // alone, is counted once at the province, and nothing stays pending.
        node_clock.set(at(2026, 6, 3, 10, 0));
        let returned = &codes[0];
        let pin = node.dossiers().dossier(returned, &Actor::console("x")).unwrap().tracking_pin.unwrap();
        node.dossiers().rate(returned, &pin, "203.0.113.9", 5, Some("Nhanh, chu đáo")).unwrap();
        assert_eq!(node.sync_status().unwrap().pending_dossiers, 1);
        let rated = node.pending_push(10).unwrap();
        let taken = sync(&node, &province, &at_province);
        assert_eq!(
            taken.iter().map(|t| (t.code.as_str(), t.new, t.rated)).collect::<Vec<_>>(),
            [(returned.as_str(), 0, true)]
        );
        assert_eq!(stats(&province), stats(&node), "rated and satisfied counted as at the node");
        assert_eq!(node.sync_status().unwrap().pending_dossiers, 0);
        // Delivered again: counted once.
        assert!(province.take_push(&at_province, rated).unwrap()[0].rated);
        assert_eq!(stats(&province), stats(&node));
        let score = province
            .store()
            .read(|c| {
                c.query_one(
                    "SELECT score, at, arrived_at FROM ratings WHERE dossier_code = $1",
                    &[returned.into()],
                )
            })
            .unwrap()
            .unwrap();
        assert_eq!(score.int(0).unwrap(), 5);
        // Given at the node's time; arrived at the province's (the nation's feed sends the day).
        assert_eq!(score.col::<chrono::NaiveDateTime>("at").unwrap(), at(2026, 6, 3, 10, 0));
        assert_eq!(
            score.col::<Option<chrono::NaiveDateTime>>("arrived_at").unwrap(),
            Some(at(2026, 6, 3, 9, 0))
        );

        // One writer per dossier: the province refuses to write what the node holds; the one
        // sent up is the province's now, and the node refuses it.
        let held = &codes[0];
        let e =
            province.dossiers().act(held, &ActionRequest::new("stop"), &Actor::console("tinh")).unwrap_err();
        assert_eq!(e.code.as_str(), "written_elsewhere", "{e:?}");
        assert!(e.message.contains("máy trạm"), "{}", e.message);
        let up = &codes[1];
        let e = node.dossiers().act(up, &ActionRequest::new("approve"), &Actor::console("xa")).unwrap_err();
        assert_eq!(e.code.as_str(), "written_elsewhere", "{e:?}");
        act(&province, up, ActionRequest::new("approve"));

        // The province seals the day the node's work arrived; every digest holds on both.
        clock.set(at(2026, 6, 4, 7, 0));
        node_clock.set(at(2026, 6, 4, 7, 0));
        province.dossiers().seal().unwrap();
        node.dossiers().seal().unwrap();
        for (who, a) in [("province", &province), ("node", &node)] {
            let report = a.dossiers().verify().unwrap();
            assert!(report.ok(), "{who}: {:?}", report.problems);
            assert!(report.days >= 1, "{who}");
        }
        // The node's two days arrived on the third: the province sealed them there.
        let sealed: Vec<chrono::NaiveDate> = province
            .store()
            .read(|c| c.query("SELECT day FROM day_digests ORDER BY day", &[]))
            .unwrap()
            .iter()
            .map(|r| r.col("day").unwrap())
            .collect();
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
        assert_eq!(sealed, [day(1), day(2), day(3)]);
        let sealed_on = |d: chrono::NaiveDate| -> Vec<String> {
            let rows = province
                .store()
                .read(|c| {
                    c.query(
                        "SELECT dossier_code FROM day_heads WHERE day = $1 ORDER BY dossier_code",
                        &[d.into()],
                    )
                })
                .unwrap();
            rows.iter().map(|r| r.string(0)).collect()
        };
        assert_eq!(sealed_on(day(1)), [provinces[0].clone()]);
        assert_eq!(sealed_on(day(2)), [provinces[1].clone()]);
        let mut third = codes.clone();
        third.sort();
        assert_eq!(sealed_on(day(3)), third);

        // Past its retention the node erases a returned dossier's personal data: the province
        // takes the erasure, and its copy of the documents goes too.
        let filed = codes[3].clone(); // filed online with a document, then approved and returned
        let doc = province.dossiers().dossier(&filed, &Actor::console("tinh")).unwrap();
        assert_eq!(doc.status, domain::Status::Returned);
        let sha = province
            .store()
            .read(|c| {
                c.query_one(
                    "SELECT sha256 FROM attachments WHERE dossier_code = $1",
                    &[filed.as_str().into()],
                )
            })
            .unwrap()
            .unwrap()
            .string(0);
        assert!(province.missing_documents(std::slice::from_ref(&sha)).unwrap().is_empty());
        node_clock.set(at(2026, 6, 20, 7, 0));
        clock.set(at(2026, 6, 20, 7, 0));
        assert!(node.dossiers().erase_expired(chrono::Duration::days(10)).unwrap().erased > 0);
        sync(&node, &province, &at_province);
        let erased = province.dossiers().dossier(&filed, &Actor::console("tinh")).unwrap();
        assert!(erased.erased_at.is_some() && erased.applicant_name.is_empty(), "{erased:?}");
        let missing = province.missing_documents(std::slice::from_ref(&sha)).unwrap();
        assert_eq!(missing.as_slice(), std::slice::from_ref(&sha), "the province's copy is gone");
        // The same histories, but for the dossier handed up (the province wrote on it since).
        let but_handed = |a: &App| heads(a).into_iter().filter(|h| h.0 != *up).collect::<Vec<_>>();
        assert_eq!(but_handed(&province), but_handed(&node));
        province.dossiers().seal().unwrap();
        let report = province.dossiers().verify().unwrap();
        assert!(report.ok(), "{:?}", report.problems);
    }
}

/// The codes of the refusals a push got, in its order (None: taken).
/// A province on `db` and its commune's node (on SQLite), attached. Bind `node_db` first when
/// destructuring: it is dropped last, after the node that uses it.
struct Attached {
    province: App,
    node: App,
    at_province: Node,
    node_db: crate::common::TestDb,
}

fn attached(db: &crate::common::TestDb, clock: &HandClock) -> Attached {
    let node_db = sqlite();
    let province = open(db, clock);
    let node = open(&node_db, clock);
    let (at_province, _) = province.add_node(COMMUNE).unwrap();
    node.attach_upstream("https://tinh.example", COMMUNE, "48").unwrap();
    Attached { province, node, at_province, node_db }
}

fn refusals(taken: &[Taken]) -> Vec<Option<String>> {
    taken.iter().map(|t| t.refused.as_ref().map(|r| r.code.clone())).collect()
}

#[test]
fn what_was_changed_moved_or_forked_on_the_way_is_refused_and_named() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let Attached { node_db: _node_db, province, node, at_province } = attached(&db, &clock);
        let desk = Actor::console("motcua");
        for i in 0..3 {
            node.dossiers().receive(&intake(i), &desk).unwrap();
        }
        let with_file = node
            .dossiers()
            .submit_online(
                &IntakeRequest { channel: Channel::Online, ..intake(3) },
                &[Upload::new("don.pdf", "%PDF-1.4 đơn")],
            )
            .unwrap();
        let push = node.pending_push(10).unwrap();
        assert_eq!(push.dossiers.len(), 4);
        let (a, b, c, f) = (0, 1, 2, 3);
        assert_eq!(push.dossiers[f].code, with_file.code);

        // An event changed, two swapped, the first left out, another commune's dossier, and
        // a document the province never received: each refused, nothing of it taken.
        let mut bad = push.clone();
        bad.dossiers[a].events[1].event.actor = "ai-do".into();
        bad.dossiers[b].events.swap(0, 1);
        bad.dossiers[c].events.remove(0);
        let mut other = push.dossiers[a].clone();
        other.particulars.receiving_unit = "20257".into();
        bad.dossiers.push(other);
        let taken = province.take_push(&at_province, bad).unwrap();
        assert_eq!(
            refusals(&taken),
            [
                Some("replication_tampered".to_string()),
                Some("replication_order".to_string()),
                Some("replication_gap".to_string()),
                Some("replication_documents".to_string()),
                Some("replication_writer".to_string()),
            ]
        );
        assert!(taken[0].refused.as_ref().unwrap().message.contains(&push.dossiers[a].code));
        let count = |app: &App| {
            app.store()
                .read(|c| {
                    c.count("SELECT COUNT(*) FROM dossiers WHERE receiving_unit = $1", &[COMMUNE.into()])
                })
                .unwrap()
        };
        assert_eq!(count(&province), 0, "nothing refused was written");
        // The node learns of each refusal; they stay pending, to be sent right.
        let ack = node.acknowledge(&taken[..4]).unwrap();
        assert_eq!(ack.refused.len(), 4);
        assert!(node.sync_status().unwrap().upstream.last_error.is_some());
        assert_eq!(node.sync_status().unwrap().pending_dossiers, 4);

        // Sent right, with the document first: all taken.
        let doc = &push.dossiers[f].documents[0].sha256;
        let missing = province.missing_documents(std::slice::from_ref(doc)).unwrap();
        assert_eq!(missing.as_slice(), std::slice::from_ref(doc));
        province.take_document(&node.document(doc).unwrap()).unwrap();
        assert!(province.missing_documents(std::slice::from_ref(doc)).unwrap().is_empty());
        let taken = province.take_push(&at_province, node.pending_push(10).unwrap()).unwrap();
        assert_eq!(refusals(&taken), [None, None, None, None]);
        node.acknowledge(&taken).unwrap();
        assert_eq!(count(&province), 4);

        // The particulars changed on the way (who the dossier is for) no longer match what
        // the registration sealed: refused, though every event is intact.
        let late = node.dossiers().receive(&intake(5), &desk).unwrap();
        let mut p = node.pending_push(10).unwrap();
        assert_eq!(p.dossiers.len(), 1);
        p.dossiers[0].particulars.applicant_name = "Người khác".into();
        let taken = province.take_push(&at_province, p).unwrap();
        assert_eq!(refusals(&taken), [Some("replication_tampered".to_string())]);
        assert!(taken[0].refused.as_ref().unwrap().message.contains("niêm phong"), "{taken:?}");
        let taken = province.take_push(&at_province, node.pending_push(10).unwrap()).unwrap();
        assert_eq!((refusals(&taken), taken[0].code.as_str()), (vec![None], late.code.as_str()));
        node.acknowledge(&taken).unwrap();

        // A node restored from a backup older than its first dossier numbers it again, for
        // someone else: the province keeps its history and names the fork.
        let restored_db = sqlite();
        let restored = open(&restored_db, &clock);
        restored.attach_upstream("https://tinh.example", COMMUNE, "48").unwrap();
        let again = restored.dossiers().receive(&intake(7), &desk).unwrap();
        assert_eq!(again.code, push.dossiers[a].code, "the same number, given twice");
        let taken = province.take_push(&at_province, restored.pending_push(10).unwrap()).unwrap();
        assert_eq!(refusals(&taken), [Some("replication_fork".to_string())]);
        assert_eq!(heads(&province), heads(&node), "the province's history is the first node's");
        let ack = restored.acknowledge(&taken).unwrap();
        assert_eq!(ack.refused.len(), 1);
        let status = restored.sync_status().unwrap();
        assert_eq!(status.pending_dossiers, 0, "a fork is not sent again");
        assert!(status.upstream.last_error.unwrap().contains("replication_fork"));

        // Told by the province how much of its work the province holds, the restored node
        // knows it is behind and writes nothing more; the first node is not behind.
        let taken = province.node(COMMUNE).unwrap().unwrap().events_taken;
        assert_eq!(taken, heads(&province).iter().map(|h| h.1).sum::<i64>());
        assert!(!node.compare_with_province(taken).unwrap());
        assert!(restored.compare_with_province(taken).unwrap());
        let e = restored.dossiers().receive(&intake(9), &desk).unwrap_err();
        assert_eq!(e.code.as_str(), "node_behind", "{e:?}");
        let e = restored.dossiers().act(&again.code, &ActionRequest::new("stop"), &desk).unwrap_err();
        assert_eq!(e.code.as_str(), "node_behind");
        assert!(restored.sync_status().unwrap().upstream.behind.unwrap().contains("bản sao lưu cũ"));

        // A dossier the province registered itself is not a node's to write, even if a node
        // sends a history under its code.
        let own = province
            .dossiers()
            .receive(&IntakeRequest { channel: Channel::Online, ..intake(8) }, &Actor::console("tinh"))
            .unwrap();
        let mut p = node.pending_push(10).unwrap();
        let mut forged = push.dossiers[c].clone();
        forged.code = own.code.clone();
        p.dossiers.push(forged);
        let taken = province.take_push(&at_province, p).unwrap();
        assert_eq!(refusals(&taken), [Some("replication_writer".to_string())]);

        // The node revoked: the dossiers it held are the province's to write from now on.
        let held = heads(&province).len() as u64 - 1;
        let (_, handed) = province.revoke_node(COMMUNE).unwrap();
        assert_eq!(handed, held, "every dossier the node registered, not the province's own");
        let mut stop = ActionRequest::new("stop");
        stop.note = Some("Người nộp đề nghị".into());
        province.dossiers().act(&push.dossiers[a].code, &stop, &Actor::console("tinh")).unwrap();
        let report = province.dossiers().verify().unwrap();
        assert!(report.ok(), "{:?}", report.problems);
    }
}

#[test]
fn a_node_takes_its_communes_accounts_its_provinces_settings_and_a_changed_catalog() {
    for db in backends() {
        let node_db = sqlite();
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let province = open(&db, &clock);
        let node = open(&node_db, &clock);
        let (at_province, _) = province.add_node(COMMUNE).unwrap();
        // Accounts are managed at the province: the commune's, and another commune's.
        province.accounts().add_user("lan", Role::Officer, COMMUNE, "mat-khau-cua-lan", None).unwrap();
        province.accounts().add_user("hoa", Role::Officer, "20257", "mat-khau-cua-hoa", None).unwrap();
        province.set_code_pattern("48", "{unit}/{yyyy}/{seq:5}").unwrap();
        // A node's own account for the commune is the province's to decide: replaced.
        node.accounts().add_user("tu.dat", Role::Officer, COMMUNE, "mat-khau-tu-dat", None).unwrap();
        node.attach_upstream("https://tinh.example", COMMUNE, "48").unwrap();

        let first = province.pull_for(&at_province, Some(&node.catalog_fingerprint().unwrap())).unwrap();
        assert!(
            first.tables.iter().all(|t| !t.table.starts_with("procedure") && t.table != "catalog_meta"),
            "the same catalog does not travel"
        );
        node.take_pulled(first).unwrap();
        assert!(
            node.accounts().login("lan", "mat-khau-cua-lan", "127.0.0.1").is_ok(),
            "the province's password"
        );
        assert!(node.accounts().login("hoa", "mat-khau-cua-hoa", "127.0.0.1").is_err(), "another commune's");
        assert!(node.accounts().login("tu.dat", "mat-khau-tu-dat", "127.0.0.1").is_err(), "replaced");
        let d = node.dossiers().receive(&intake(1), &Actor::console("lan")).unwrap();
        assert!(
            d.code.starts_with(&format!("{COMMUNE}/2026/N")),
            "the province's pattern, a node's mark: {}",
            d.code
        );
        assert!(node.upstream().unwrap().last_pull_at.is_some());

        // The catalog changes at the province: the node's fingerprint differs, the catalog travels.
        province
            .store()
            .write(|c| {
                c.exec(
                    "INSERT INTO catalog_aliases (procedure_code, alias, added_by, added_at) VALUES ('1.004873', 'xin dấu xác nhận', 'quantri', '2026-06-01 08:00:00')",
                    &[],
                )
            })
            .unwrap();
        let mine = node.catalog_fingerprint().unwrap();
        let second = province.pull_for(&at_province, Some(&mine)).unwrap();
        assert_ne!(second.catalog, mine);
        assert!(second.tables.iter().any(|t| t.table == "procedure_versions"));
        node.take_pulled(second).unwrap();
        assert_eq!(node.catalog_fingerprint().unwrap(), province.catalog_fingerprint().unwrap());

        // A province that sends another commune's rows sends nothing the node takes.
        let mut bad = province.pull_for(&at_province, Some(&mine)).unwrap();
        let users = bad.tables.iter_mut().find(|t| t.table == "users").unwrap();
        let mut other = users.rows[0].clone();
        other[0] = app::pulled::Cell::Text("ke.la".into());
        other[3] = app::pulled::Cell::Text("20257".into());
        users.rows.push(other);
        assert!(node.take_pulled(bad).is_err());
        assert!(node.accounts().login("lan", "mat-khau-cua-lan", "127.0.0.1").is_ok(), "nothing half-taken");
    }
}

#[test]
fn a_node_attached_to_a_database_already_in_use_sends_only_its_communes_dossiers() {
    let node_db = sqlite();
    let clock = HandClock::at(at(2026, 6, 1, 8, 0));
    let node = open(&node_db, &clock);
    let desk = Actor::console("motcua");
    let own = node.dossiers().receive(&intake(1), &desk).unwrap();
    let other = IntakeRequest { commune_code: Some("20257".into()), ..intake(2) };
    node.dossiers().receive(&other, &desk).unwrap();
    node.attach_upstream("https://tinh.example", COMMUNE, "48").unwrap();
    let push = node.pending_push(10).unwrap();
    assert_eq!(push.dossiers.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), [own.code.as_str()]);
    assert_eq!(node.sync_status().unwrap().pending_dossiers, 1);
}

#[test]
fn a_node_counts_deadlines_in_its_provinces_calendar_and_keeps_it() {
    for db in backends() {
        let node_db = sqlite();
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        // The province's administrator gave the third of June off and opens on Saturday mornings.
        let mut days = calendar::DecidedDays::builtin();
        days.merge(
            calendar::DecidedDays::parse_csv(
                "date,kind,name,basis\n2026-06-03,off,Nghỉ theo quyết định của tỉnh,QĐ 99/QĐ-UBND\n",
            )
            .unwrap(),
        );
        let hours = calendar::OfficeHours::parse("mon-fri 07:30-11:30,13:00-17:00; sat 07:30-11:30").unwrap();
        let province = App::open(&db.url, calendar::WorkCalendar::new(days, hours.clone()), clock.clock())
            .unwrap()
            .with_places(app::Places::in_dir(db.data.path()));
        let node = open(&node_db, &clock);
        let (at_province, _) = province.add_node(COMMUNE).unwrap();
        node.attach_upstream("https://tinh.example", COMMUNE, "48").unwrap();
        let june = |d| chrono::NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
        let due =
            |app: &App, i| app.dossiers().receive(&intake(i), &Actor::console("motcua")).unwrap().due_at;

        // Before its first pull the node counts in its own calendar, and differs.
        assert!(node.calendar().is_working_day(june(3)).unwrap());
        let (own, provinces) = (due(&node, 1), due(&province, 2));
        assert_ne!(own, provinces, "the day off moves the province's deadline");

        // After it, the node's deadlines are the province's.
        let pulled = province.pull_for(&at_province, None).unwrap();
        node.take_pulled(pulled).unwrap();
        assert!(!node.calendar().is_working_day(june(3)).unwrap());
        assert_eq!(node.calendar().hours(), &hours);
        assert_eq!(due(&node, 3), provinces);

        // Kept across a restart, before anyone is served.
        drop(node);
        let node = open(&node_db, &clock);
        assert!(!node.calendar().is_working_day(june(3)).unwrap());
        assert_eq!(due(&node, 4), provinces);

        // A calendar that cannot be read takes nothing of the pull.
        province.accounts().add_user("lan", Role::Officer, COMMUNE, "mat-khau-cua-lan", None).unwrap();
        let mut bad = province.pull_for(&at_province, None).unwrap();
        bad.calendar.as_mut().unwrap().hours = "thứ Hai 8h".into();
        let e = node.take_pulled(bad).unwrap_err();
        assert_eq!(e.code.as_str(), "replication_order", "{}", e.message);
        assert!(node.accounts().login("lan", "mat-khau-cua-lan", "127.0.0.1").is_err(), "nothing taken");
        assert!(!node.calendar().is_working_day(june(3)).unwrap());
    }
}

#[test]
fn a_node_holds_its_communes_directives_and_the_answers_to_its_proposals() {
    use app::coordination::directives::{DirectiveFilter, NewDirective, NewReport};
    use app::coordination::proposals::{NewProposal, ProposalResponse};
    for db in backends() {
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let Attached { node_db: _node_db, province, node, at_province } = attached(&db, &clock);
        let add = |name: &str, role, unit: &str| {
            Actor::of(&province.accounts().add_user(name, role, unit, "mat-khau-dai-du", None).unwrap())
        };
        let (leader, chairman) =
            (add("lanhdao", Role::ProvinceLeader, "48"), add("chutich", Role::CommuneLeader, COMMUNE));
        let neighbour = add("chutich.hoacuong", Role::CommuneLeader, "20257");

        // The province assigns a task to two communes; the commune files a proposal (at the
        // province's server) and the province answers it; the neighbour files one too.
        let task = NewDirective {
            title: "Rà soát hộ nghèo".into(),
            body: "Báo cáo danh sách trước ngày 15/6".into(),
            due_date: "15/06/2026".into(),
            commune_codes: vec![COMMUNE.into(), "20257".into()],
            all_communes: false,
        };
        let d = province.coordination().issue_directive(&task, &leader).unwrap();
        let ask = |title: &str| NewProposal {
            title: title.into(),
            category: "staff".into(),
            body: "Thiếu công chức địa chính".into(),
            ..NewProposal::default()
        };
        let p = province.coordination().file_proposal(&ask("Bổ sung biên chế"), &chairman).unwrap();
        province.coordination().file_proposal(&ask("Của xã bên cạnh"), &neighbour).unwrap();
        let answer = ProposalResponse {
            body: "Tỉnh bố trí 2 biên chế từ quý III".into(),
            ..Default::default()
        };
        province.coordination().respond_to_proposal(p.id, &answer, &leader).unwrap();

        // The node takes them with its pull: its own task and proposal, not the neighbour's.
        node.take_pulled(province.pull_for(&at_province, None).unwrap()).unwrap();
        let list = node.coordination().directives(&DirectiveFilter::default(), &chairman).unwrap();
        assert_eq!(list.items.iter().map(|x| x.id).collect::<Vec<_>>(), [d.id]);
        let detail = node.coordination().directive(d.id, &chairman).unwrap();
        assert_eq!(detail.tasks.iter().map(|t| t.commune_code.as_str()).collect::<Vec<_>>(), [COMMUNE]);
        assert!(!detail.may_report, "reports are written at the province");
        let seen = node.coordination().proposal(p.id, &chairman).unwrap();
        assert!(seen.history.iter().any(|h| h.text.contains("2 biên chế")), "{:?}", seen.history);
        assert!(seen.allowed.is_empty());
        let all = node.coordination().proposals(&Default::default(), &Actor::console("x")).unwrap();
        assert_eq!(all.total, 1, "the neighbour's proposal stays at the province");

        // Written at the province only: the node refuses, saying where.
        let report = NewReport { status: "done".into(), body: "Đã rà soát xong".into() };
        let e = node.coordination().report_on_directive(d.id, &report, &[], &chairman).unwrap_err();
        assert_eq!(e.code.as_str(), "coordination_at_province");
        assert!(e.message.contains("https://tinh.example"), "{}", e.message);
        let e = node.coordination().file_proposal(&ask("Ở máy trạm"), &chairman).unwrap_err();
        assert_eq!(e.code.as_str(), "coordination_at_province");

        // Reported at the province: the next pull brings the report and the task done.
        clock.set(at(2026, 6, 2, 9, 0));
        province.coordination().report_on_directive(d.id, &report, &[], &chairman).unwrap();
        node.take_pulled(province.pull_for(&at_province, None).unwrap()).unwrap();
        let detail = node.coordination().directive(d.id, &chairman).unwrap();
        assert_eq!(detail.tasks[0].status, "done");
        assert_eq!(detail.reports.iter().map(|r| r.body.as_str()).collect::<Vec<_>>(), ["Đã rà soát xong"]);
        // Pulled again, the histories hold each row once.
        node.take_pulled(province.pull_for(&at_province, None).unwrap()).unwrap();
        assert_eq!(node.coordination().directive(d.id, &chairman).unwrap().reports.len(), 1);
        assert_eq!(
            node.coordination().proposal(p.id, &chairman).unwrap().history.len(),
            province.coordination().proposal(p.id, &chairman).unwrap().history.len()
        );
        // The node flags no overdue proposal of its own: the province's flags come down.
        clock.set(at(2026, 7, 30, 9, 0));
        assert!(node.coordination().flag_overdue_proposals().unwrap().is_empty());
    }
}

#[test]
fn an_online_dossier_for_a_communes_node_is_handed_down_worked_there_and_comes_back() {
    for db in backends() {
        let clock = HandClock::at(at(2026, 6, 1, 8, 0));
        let Attached { node_db: _node_db, province, node, at_province } = attached(&db, &clock);
        // Citizens submit online to the province: one for the commune with a node, with a
        // document; one for its neighbour.
        let req = IntakeRequest { channel: Channel::Online, ..intake(1) };
        let online =
            province.dossiers().submit_online(&req, &[Upload::new("don.pdf", "%PDF-1.4 đơn xin")]).unwrap();
        let neighbour =
            IntakeRequest { channel: Channel::Online, commune_code: Some("20257".into()), ..intake(2) };
        province.dossiers().submit_online(&neighbour, &[]).unwrap();

        // The pull hands it down; from then on the province does not write it.
        let handed = province.pull_for(&at_province, None).unwrap().handed_down;
        assert_eq!(handed.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), [online.code.as_str()]);
        let e = province
            .dossiers()
            .act(&online.code, &ActionRequest::new("receive"), &Actor::console("tinh"))
            .unwrap_err();
        assert_eq!(e.code.as_str(), "written_elsewhere");
        // Until its document arrives the node leaves it for the next pull; then takes it once.
        assert_eq!(node.take_handed_down(handed.clone()).unwrap(), 0);
        let hashes: Vec<String> = handed[0].files().map(str::to_string).collect();
        for h in node.missing_documents(&hashes).unwrap() {
            node.take_document(&province.document_for_node(&at_province, &h).unwrap()).unwrap();
        }
        assert_eq!(node.take_handed_down(handed.clone()).unwrap(), 1);
        assert_eq!(node.take_handed_down(handed).unwrap(), 0, "once");
        assert_eq!(node.sync_status().unwrap().pending_dossiers, 0, "nothing of it pending");
        assert_eq!(heads(&node), heads(&province));
        // Handed again while the node has not moved it on; a document of another dossier is not given.
        assert_eq!(province.pull_for(&at_province, None).unwrap().handed_down.len(), 1);
        let stranger = "0".repeat(64);
        assert_eq!(
            province.document_for_node(&at_province, &stranger).unwrap_err().code.as_str(),
            "attachment_not_found"
        );

        // The commune's desk accepts it at the node and works on it; the push brings it back.
        clock.set(at(2026, 6, 1, 9, 0));
        act(&node, &online.code, ActionRequest::new("receive"));
        act(&node, &online.code, ActionRequest::new("approve"));
        let taken = sync(&node, &province, &at_province);
        let at_node = node.dossiers().dossier(&online.code, &Actor::console("x")).unwrap().event_count;
        assert_eq!(
            i64::from(taken.iter().map(|t| t.new).sum::<u32>()),
            at_node - 1,
            "all but the registration"
        );
        assert_eq!(heads(&province), heads(&node));
        assert_eq!(stats(&province), stats(&node));
        assert!(
            province.pull_for(&at_province, None).unwrap().handed_down.is_empty(),
            "moved on: not handed again"
        );
        for (who, a) in [("province", &province), ("node", &node)] {
            let report = a.dossiers().verify().unwrap();
            assert!(report.ok(), "{who}: {:?}", report.problems);
        }
    }
}
