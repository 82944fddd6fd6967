//! For tests (feature `test-support`): a SoftHSM2 token and a test CA made in the test. The
//! token's key pair is generated inside it, its request is signed by a CA made with openssl,
//! and the certificate is enrolled back: the same steps an official's enrolment takes.

use crate::{Certificate, TokenConfig};
use chrono::NaiveDate;
use domain::papers::{Block, Paper};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// Whether the tools are here; without them the test says so and passes, unless CI requires
/// them (HAICAP_REQUIRE_HSM=1).
pub fn tools_present() -> bool {
    let present = Path::new(MODULE).exists() && which("softhsm2-util") && which("openssl") && which("pdfsig");
    if !present {
        assert!(
            std::env::var("HAICAP_REQUIRE_HSM").is_err(),
            "HAICAP_REQUIRE_HSM is set but softhsm2, openssl, pdfsig (poppler-utils) or certutil (libnss3-tools) is missing"
        );
        eprintln!("softhsm2, openssl, pdfsig or certutil missing: signing test skipped");
    }
    present
}

fn which(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success())
}

/// Points SoftHSM2 at `dir`'s configuration. Call it before the first token is opened in this
/// process, from one thread; a process uses one directory.
pub fn use_token_dir(dir: &Path) {
    // SAFETY: set before any thread reads the environment for the module (tests call it first).
    unsafe { std::env::set_var("SOFTHSM2_CONF", dir.join("softhsm2.conf")) };
}

pub fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("SOFTHSM2_CONF", dir.join("softhsm2.conf"))
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A certificate authority made with openssl: its key and self-signed certificate.
pub struct Ca {
    pub key: PathBuf,
    pub cert: PathBuf,
}

pub fn make_ca(dir: &Path, name: &str) -> Ca {
    let key = dir.join(format!("{name}.key"));
    let cert = dir.join(format!("{name}.pem"));
    run(
        dir,
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha256",
            "-days",
            "3650",
            "-keyout",
            key.to_str().unwrap(),
            "-out",
            cert.to_str().unwrap(),
            "-subj",
            &format!("/CN={name}/O=haicap test/C=VN"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    Ca { key, cert }
}

pub fn certs(path: &Path) -> Vec<Certificate> {
    crate::load_pem_chain(&std::fs::read(path).unwrap()).unwrap()
}

/// A token initialised in `dir` (SOFTHSM2_CONF must point at `dir/softhsm2.conf`, which this
/// writes), with a key made in it and enrolled with a certificate `ca` issues.
pub fn enrolled_token(dir: &Path, ca: &Ca, subject: &str) -> TokenConfig {
    std::fs::create_dir_all(dir.join("tokens")).unwrap();
    std::fs::write(
        dir.join("softhsm2.conf"),
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
            dir.join("tokens").display()
        ),
    )
    .unwrap();
    // SoftHSM2 reads SOFTHSM2_CONF when a process first loads it: the caller's process uses
    // one token directory (see `use_token_dir`).
    use_token_dir(dir);
    run(
        dir,
        "softhsm2-util",
        &["--init-token", "--free", "--label", "haicap-test", "--pin", "1234", "--so-pin", "5678"],
    );
    enroll_key(dir, ca, "chu-tich", subject)
}

/// A second (or further) key made in the token `enrolled_token` initialised, labelled `key`,
/// certified by `ca` for `subject`; its certificate is written to `dir/KEY.pem`.
pub fn enroll_key(dir: &Path, ca: &Ca, key: &str, subject: &str) -> TokenConfig {
    let config = TokenConfig {
        module: MODULE.into(),
        token: "haicap-test".into(),
        key: key.into(),
        pin: "1234".into(),
    };
    // The first key's certificate keeps the name the tests read ("official.pem").
    let (request_file, cert_file) = match key {
        "chu-tich" => ("request.pem".to_string(), "official.pem".to_string()),
        _ => (format!("{key}.request.pem"), format!("{key}.pem")),
    };
    let request = crate::Token::generate(&config, subject).unwrap();
    std::fs::write(dir.join(&request_file), request).unwrap();
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n",
    )
    .unwrap();
    run(
        dir,
        "openssl",
        &[
            "x509",
            "-req",
            "-in",
            &request_file,
            "-CA",
            ca.cert.to_str().unwrap(),
            "-CAkey",
            ca.key.to_str().unwrap(),
            "-CAcreateserial",
            "-days",
            "365",
            "-sha256",
            "-extfile",
            "leaf.ext",
            "-out",
            &cert_file,
        ],
    );
    let cert = certs(&dir.join(&cert_file)).remove(0);
    crate::Token::enroll(&config, &cert).unwrap();
    config
}

/// A revocation list `ca` signs, naming `revoked` (certificate PEM files) as revoked, made
/// with `openssl ca`; written to `dir/name`.
pub fn make_crl(dir: &Path, ca: &Ca, name: &str, revoked: &[&Path]) -> PathBuf {
    let db = dir.join(format!("{name}.index"));
    std::fs::write(&db, "").unwrap();
    std::fs::write(dir.join(format!("{name}.crlnumber")), "01\n").unwrap();
    let config = dir.join(format!("{name}.cnf"));
    std::fs::write(
        &config,
        format!(
            "[ca]\ndefault_ca = test\n[test]\ndatabase = {}\ncrlnumber = {}\ndefault_md = sha256\ndefault_crl_days = 30\n",
            db.display(),
            dir.join(format!("{name}.crlnumber")).display()
        ),
    )
    .unwrap();
    let (key, cert, cnf) = (ca.key.to_str().unwrap(), ca.cert.to_str().unwrap(), config.to_str().unwrap());
    for r in revoked {
        run(
            dir,
            "openssl",
            &["ca", "-config", cnf, "-keyfile", key, "-cert", cert, "-revoke", r.to_str().unwrap()],
        );
    }
    let out = dir.join(name);
    run(
        dir,
        "openssl",
        &["ca", "-config", cnf, "-keyfile", key, "-cert", cert, "-gencrl", "-out", out.to_str().unwrap()],
    );
    out
}

/// What poppler's pdfsig says of `file` (in `dir`).
pub fn pdfsig(dir: &std::path::Path, file: &str) -> String {
    let out = Command::new("pdfsig").arg(file).current_dir(dir).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// A result document as a commune issues it.
pub fn result_paper() -> Paper {
    let at = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap().and_hms_opt(9, 30, 0).unwrap();
    Paper {
        form_no: None,
        agency: "UBND PHƯỜNG HẢI CHÂU".into(),
        reference: "20242-261205-0042".into(),
        place_date: "Hải Châu, ngày 05 tháng 12 năm 2026".into(),
        dated: at,
        title: "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN".into(),
        subject: Some("Về việc cấp Giấy xác nhận tình trạng hôn nhân".into()),
        body: vec![
            Block::Text("Ủy ban nhân dân Phường Hải Châu trả kết quả giải quyết hồ sơ sau:".into()),
            Block::Field("Thủ tục".into(), "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân".into()),
            Block::Field("Mã hồ sơ".into(), "20242-261205-0042".into()),
            Block::Field("Người nộp hồ sơ".into(), "Nguyễn Thị Ánh Tuyết".into()),
            Block::Field("Ngày tiếp nhận".into(), "02/12/2026".into()),
            Block::Field("Ngày phê duyệt".into(), "05/12/2026".into()),
        ],
        signer_title: "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH".into(),
        signer_name: Some("Trần Văn Bình".into()),
        digital: true,
        file_stem: "20242-261205-0042-ket-qua".into(),
        landscape: false,
    }
}

/// The PDF/A-2b rules each file breaks, by their identifiers, as the independent validator
/// `page-validation` (PyPI) finds them: None when no Python with it is given
/// (HAICAP_PDFA_PYTHON; required when HAICAP_REQUIRE_PDFA is set, as in CI).
pub fn pdfa_failures(files: &[&Path]) -> Option<Vec<Vec<String>>> {
    let python = std::env::var("HAICAP_PDFA_PYTHON").ok().filter(|p| !p.is_empty());
    let Some(python) = python else {
        assert!(
            std::env::var("HAICAP_REQUIRE_PDFA").is_err(),
            "HAICAP_REQUIRE_PDFA is set but HAICAP_PDFA_PYTHON (a Python with page-validation) is not"
        );
        eprintln!("HAICAP_PDFA_PYTHON not set: PDF/A validation skipped");
        return None;
    };
    // The profile is the one each file claims in its XMP (PDF/A-2b for haicap's papers).
    const SCRIPT: &str = "import page, sys\n\
        for f in sys.argv[1:]:\n    \
        r = page.validate_pdf(f)\n    \
        print(r.profile.value, ' '.join(x.rule_id for x in r.failures) or '-')";
    let out = Command::new(&python).arg("-c").arg(SCRIPT).args(files).output().unwrap();
    assert!(out.status.success(), "validator failed: {}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<Vec<String>> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let mut words = l.split_whitespace();
            assert_eq!(words.next(), Some("2b"), "not read as PDF/A-2b: {l}");
            words.filter(|w| *w != "-").map(str::to_string).collect()
        })
        .collect();
    assert_eq!(lines.len(), files.len());
    Some(lines)
}
