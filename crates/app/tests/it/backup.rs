//! The restore drill: a deployment backed up while it works, documents included, restored into
//! an empty database of either kind, reads the same, verifies, and goes on.

use app::blobs::{FsBlobs, Upload};
use app::simulation::{hand_clock, simulate, SimOptions};
use app::{Actor, App, Applicant, IntakeRequest};
use calendar::WorkCalendar;
use chrono::NaiveDate;
use domain::Channel;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

fn dossiers(app: &App) -> Vec<String> {
    app.store()
        .read(|c| {
            c.query(
                "SELECT code, status, applicant_name, head_hash, event_count FROM dossiers ORDER BY code",
                &[],
            )
        })
        .unwrap()
        .iter()
        .map(|r| format!("{:?} {:?} {:?} {:?} {:?}", r.text(0), r.int(1), r.text(2), r.text(3), r.int(4)))
        .collect()
}

fn with_blobs(app: App, dir: &std::path::Path) -> App {
    app.with_blobs(Arc::new(FsBlobs { root: dir.join("blobs") }))
}

fn online(i: usize) -> (IntakeRequest, Vec<Upload>) {
    let req = IntakeRequest {
        procedure_code: "1.004873".into(),
        channel: Channel::Online,
        commune_code: Some("19753".into()),
        applicant: Applicant { full_name: format!("Người nộp {i}"), ..Applicant::default() },
    };
    (req, vec![Upload::new("don.pdf", format!("%PDF-1.4 đơn số {i}"))])
}

#[test]
fn a_backup_taken_while_serving_restores_into_either_database_whole_and_verified() {
    for source in crate::common::backends() {
        let files = tempfile::tempdir().unwrap();
        let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let (clock, read) = hand_clock(start.and_hms_opt(7, 30, 0).unwrap());
        let from = Arc::new(with_blobs(
            App::open(&source.url, WorkCalendar::default(), read.clone()).unwrap(),
            &files.path().join("from"),
        ));
        let opts = SimOptions { days: 3, seed: 5, scale: 0.1, threads: 2 };
        simulate(&from, &clock, "46", start, opts, &|_, _, _, _| {}).unwrap();
        for i in 0..5 {
            let (req, docs) = online(i);
            from.dossiers().submit_online(&req, &docs).unwrap();
        }

        // Officers keep working while the backup is taken.
        let stop = Arc::new(AtomicBool::new(false));
        let busy = {
            let (from, stop) = (from.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut i = 100;
                while !stop.load(Ordering::Relaxed) {
                    let (req, docs) = online(i);
                    from.dossiers().submit_online(&req, &docs).unwrap();
                    i += 1;
                }
                i - 100
            })
        };
        let file = files.path().join("sao-luu.haicap");
        let report = from.backup(&file, &mut |_, _| {}).unwrap();
        stop.store(true, Ordering::Relaxed);
        let during = busy.join().unwrap();
        assert!(report.missing.is_empty());
        assert!(report.documents >= 5, "{report:?}");
        let backed_up = |t: &str| report.tables.iter().find(|(n, _)| n == t).map_or(0, |(_, n)| *n);
        assert!(backed_up("dossiers") > 50 && backed_up("events") > backed_up("dossiers"), "{report:?}");
        // A backup cannot overwrite a file.
        assert!(from.backup(&file, &mut |_, _| {}).is_err());

        let mut targets = vec![crate::common::sqlite()];
        targets.extend(crate::common::postgres());
        let mut first = None;
        for target in targets {
            let tables = app::backup::restore_tables(&file, &target.url, &mut |_, _| {}).unwrap();
            let restored = with_blobs(
                App::open(&target.url, WorkCalendar::default(), read.clone()).unwrap(),
                &files.path().join(format!("to-{}", target.url.dialect_name())),
            );
            assert_eq!(restored.restore_documents(&file).unwrap(), report.documents);
            let restored_rows = |t: &str| tables.iter().find(|(n, _)| n == t).map_or(0, |(_, n)| *n);
            assert_eq!(restored_rows("dossiers"), backed_up("dossiers"));
            assert_eq!(restored_rows("events"), backed_up("events"));
            // Whole: every history verifies against the sealed days, and each document is there.
            let v = restored.dossiers().verify().unwrap();
            assert!(
                v.ok(),
                "{:?} -> {:?}: {:?}",
                source.url.dialect_name(),
                target.url.dialect_name(),
                v.problems
            );
            assert_eq!(v.dossiers, backed_up("dossiers"));
            let console = Actor::console("test");
            let last = restored
                .store()
                .read(|c| {
                    c.query_one(
                        "SELECT dossier_code, seq FROM attachments ORDER BY dossier_code DESC LIMIT 1",
                        &[],
                    )
                })
                .unwrap()
                .unwrap();
            let (_, bytes) = restored
                .dossiers()
                .attachment(&last.string(0), last.int(1).unwrap() as u32, &console)
                .unwrap();
            assert!(bytes.starts_with(b"%PDF-1.4"));
            // The same dossiers, field for field, whichever the database restored into.
            let these = dossiers(&restored);
            match &first {
                None => first = Some(these),
                Some(f) => assert_eq!(f, &these),
            }
            // And it goes on: a new dossier is received on the restored copy.
            let (req, docs) = online(9_999);
            restored.dossiers().submit_online(&req, &docs).unwrap();
            // A restore into a database that now holds data is refused.
            let e = app::backup::restore_tables(&file, &target.url, &mut |_, _| {}).unwrap_err();
            assert_eq!(e.code.as_str(), "restore_refused");
        }
        assert!(during > 0, "dossiers were received while the backup ran");
    }
}
