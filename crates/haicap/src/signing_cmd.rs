//! `haicap signing` (a leader's key in a token: made, enrolled, listed) and `haicap verify-pdf`
//! (a signed file checked against the trusted roots, and the history where a database is given).

use crate::db::DbArgs;
use crate::error::CliError;
use crate::CmdResult;
use app::dossiers::results::SigningSetup;
use clap::{Args, Subcommand};
use errors::Code;
use signing::{Certificate, Token, TokenConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the tokens are and which roots are trusted: shared by `serve`, `signing` and
/// `verify-pdf`.
#[derive(Args, Clone, Debug, Default)]
pub struct SigningArgs {
    /// Thư viện PKCS#11 của thiết bị ký số (token USB, dịch vụ ký số từ xa hoặc SoftHSM2, ví
    /// dụ /usr/lib/softhsm/libsofthsm2.so). Không ghi: máy chủ không ký kết quả.
    #[arg(long, env = "HAICAP_SIGNING_MODULE", global = true)]
    pub signing_module: Option<PathBuf>,
    /// Tệp PEM các chứng thư gốc được tin cậy (chứng thư gốc quốc gia khi vận hành thật).
    #[arg(long, env = "HAICAP_TRUST_ROOTS", global = true)]
    pub trust_roots: Option<PathBuf>,
    /// Tệp PEM các chứng thư trung gian của tổ chức cung cấp dịch vụ chứng thực (đính kèm vào
    /// chữ ký khi thiết bị không giữ chúng).
    #[arg(long, env = "HAICAP_SIGNING_CHAIN", global = true)]
    pub signing_chain: Option<PathBuf>,
    /// Tệp danh sách chứng thư bị thu hồi (CRL, PEM hoặc DER) của tổ chức chứng thực; chứng thư
    /// có tên trong đó không được tin cậy. Không ghi: không kiểm tra thu hồi.
    #[arg(long, env = "HAICAP_TRUST_CRLS", global = true)]
    pub trust_crls: Option<PathBuf>,
}

fn pem_file(path: &Path) -> Result<Vec<Certificate>, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::new(Code::IoError, format!("không đọc được {}: {e}", path.display())))?;
    signing::load_pem_chain(&bytes).map_err(sign_error)
}

pub(crate) fn sign_error(e: signing::SignError) -> CliError {
    CliError::new(e.code, format!("{} ({})", e.message, e.detail))
}

impl SigningArgs {
    pub fn setup(&self) -> Result<SigningSetup, CliError> {
        Ok(SigningSetup {
            module: self.signing_module.clone(),
            roots: self.trust_roots.as_deref().map(pem_file).transpose()?.unwrap_or_default(),
            intermediates: self.signing_chain.as_deref().map(pem_file).transpose()?.unwrap_or_default(),
            crls: match &self.trust_crls {
                Some(path) => signing::load_crls(&std::fs::read(path).map_err(|e| {
                    CliError::new(Code::IoError, format!("không đọc được {}: {e}", path.display()))
                })?)
                .map_err(sign_error)?,
                None => vec![],
            },
        })
    }

    fn module(&self) -> Result<PathBuf, CliError> {
        self.signing_module.clone().ok_or_else(|| {
            CliError::new(
                Code::SigningNotConfigured,
                "cần --signing-module (thư viện PKCS#11 của thiết bị ký số)",
            )
        })
    }
}

#[derive(Args)]
pub struct SigningCmd {
    #[command(subcommand)]
    command: SigningCommand,
    #[command(flatten)]
    signing: SigningArgs,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand)]
enum SigningCommand {
    /// Tạo cặp khoá RSA-2048 trong thiết bị ký số và in yêu cầu cấp chứng thư (PKCS#10, PEM)
    /// để gửi tổ chức cung cấp dịch vụ chứng thực. Mã PIN đọc từ biến HAICAP_SIGNING_PIN.
    Keygen {
        /// Nhãn của thiết bị (token).
        #[arg(long)]
        token: String,
        /// Nhãn đặt cho khoá.
        #[arg(long)]
        key: String,
        /// Chủ thể, ví dụ "CN=Trần Văn Bình,O=UBND Phường Hải Châu,L=Đà Nẵng,C=VN".
        #[arg(long)]
        subject: String,
        /// Ghi yêu cầu vào tệp này (mặc định: in ra màn hình).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Đăng ký khoá ký số cho tài khoản lãnh đạo (--user), hoặc khoá của cơ quan để đóng dấu
    /// số kết quả (--unit): nạp chứng thư được cấp vào thiết bị, cạnh khoá của nó, và ghi nhận
    /// vào cơ sở dữ liệu. Mã PIN đọc từ biến HAICAP_SIGNING_PIN.
    #[command(group(clap::ArgGroup::new("holder").required(true).args(["user", "unit"])))]
    Enroll {
        /// Tài khoản lãnh đạo sẽ ký kết quả.
        #[arg(long)]
        user: Option<String>,
        /// Mã xã, phường hoặc tỉnh có khoá của cơ quan (chứng thư số của tổ chức).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        token: String,
        #[arg(long)]
        key: String,
        /// Tệp PEM chứng thư đã được cấp cho khoá.
        #[arg(long)]
        cert: PathBuf,
    },
    /// Các khoá ký số đã đăng ký.
    List,
}

fn pin() -> Result<String, CliError> {
    // Never a flag: a command line is visible to every user of the machine.
    std::env::var("HAICAP_SIGNING_PIN").ok().filter(|p| !p.is_empty()).ok_or_else(|| {
        CliError::new(Code::MissingPin, "cần mã PIN của thiết bị ký số trong biến HAICAP_SIGNING_PIN")
    })
}

pub fn run(a: SigningCmd) -> CmdResult {
    match a.command {
        SigningCommand::Keygen { token, key, subject, out } => {
            let config = TokenConfig { module: a.signing.module()?, token, key, pin: pin()? };
            let request = Token::generate(&config, &subject).map_err(sign_error)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, &request)?;
                    outln!("đã tạo khoá \"{}\"; yêu cầu cấp chứng thư: {}", config.key, path.display());
                }
                None => outln!("{}", request.trim_end()),
            }
        }
        SigningCommand::Enroll { user, unit, token, key, cert } => {
            let pem = std::fs::read_to_string(&cert).map_err(|e| {
                CliError::new(Code::IoError, format!("không đọc được {}: {e}", cert.display()))
            })?;
            let certs = signing::load_pem_chain(pem.as_bytes()).map_err(sign_error)?;
            let app = a.db.open()?;
            // Checked before the token is touched: the account must exist, the unit too.
            if let Some(user) = &user {
                if app.accounts().user(user)?.is_none() {
                    return Err(CliError::new(Code::UnknownUser, format!("không có tài khoản \"{user}\"")));
                }
            }
            if let Some(unit) = &unit {
                if units::registry().unit_name(unit).is_none() {
                    return Err(CliError::new(
                        Code::UnknownUnit,
                        format!("không có xã, phường hoặc tỉnh mã \"{unit}\""),
                    ));
                }
            }
            let config = TokenConfig {
                module: a.signing.module()?,
                token: token.clone(),
                key: key.clone(),
                pin: pin()?,
            };
            Token::enroll(&config, &certs[0]).map_err(sign_error)?;
            let (holder, who, sha) = match (user, unit) {
                (Some(user), _) => {
                    let k = app.enroll_signing_key(&user, &token, &key, &pem)?;
                    (k.username, k.holder, k.certificate_sha256)
                }
                // clap requires one of the two.
                (None, unit) => {
                    let k = app.enroll_agency_key(&unit.unwrap_or_default(), &token, &key, &pem)?;
                    (format!("đơn vị {}", k.unit_code), k.holder, k.certificate_sha256)
                }
            };
            outln!("đã đăng ký khoá \"{key}\" (thiết bị \"{token}\") cho {holder}: {who} — chứng thư SHA-256 {sha}");
        }
        SigningCommand::List => {
            let app = a.db.open()?;
            for k in app.signing_keys()? {
                outln!(
                    "{}\t{}\t{}/{}\t{}\t{}",
                    k.username,
                    k.holder,
                    k.token_label,
                    k.key_label,
                    k.certificate_sha256,
                    k.enrolled_at.format("%d/%m/%Y")
                );
            }
            for k in app.agency_keys()? {
                outln!(
                    "đơn vị {}\t{}\t{}/{}\t{}\t{}",
                    k.unit_code,
                    k.holder,
                    k.token_label,
                    k.key_label,
                    k.certificate_sha256,
                    k.enrolled_at.format("%d/%m/%Y")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Tệp PDF cần xác minh.
    file: PathBuf,
    /// In kết quả dạng JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    signing: SigningArgs,
    /// Đối chiếu với lịch sử hồ sơ trong cơ sở dữ liệu này (sqlite://… hoặc postgres://…).
    #[arg(long, env = "HAICAP_DB")]
    db: Option<String>,
}

/// Exit 0 when the file is signed, intact, trusted (and, with a database, the result its
/// dossier's history records); 1 when it is not; 2 when it cannot be read.
pub fn run_verify(a: VerifyArgs) -> CmdResult {
    let bytes = std::fs::read(&a.file)
        .map_err(|e| CliError::new(Code::IoError, format!("không đọc được {}: {e}", a.file.display())))?;
    let setup = a.signing.setup()?;
    let verification = match &a.db {
        Some(url) => {
            let db = DbArgs { db: Some(url.clone()), ..DbArgs::default() };
            db.open()?.with_signing(setup).verify_result(&bytes)?
        }
        None => setup.check(&bytes)?,
    };
    let valid = if a.db.is_some() { verification.matches_history() } else { verification.report.valid() };
    if a.json {
        let mut value =
            serde_json::to_value(&verification).map_err(|e| CliError::new(Code::Internal, e.to_string()))?;
        value["valid"] = valid.into();
        outln!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
    } else {
        let r = &verification.report;
        outln!("Tệp: {} (SHA-256 {})", a.file.display(), r.file_sha256);
        if r.signatures.is_empty() {
            outln!("Không có chữ ký số.");
        }
        for (i, s) in r.signatures.iter().enumerate() {
            outln!(
                "Chữ ký {}: {}{}",
                i + 1,
                s.signer,
                s.organization.as_ref().map_or(String::new(), |o| format!(" ({o})"))
            );
            outln!("  thời điểm ký: {}", s.signed_at_text());
            outln!(
                "  nội dung: {}",
                if s.intact {
                    "không bị thay đổi sau khi ký"
                } else {
                    "ĐÃ BỊ THAY ĐỔI hoặc chữ ký không khớp"
                }
            );
            outln!(
                "  phạm vi: {}",
                if s.covers_whole_file {
                    "toàn bộ tệp"
                } else if s.signed_later {
                    "phiên bản được ký; phần thêm sau đó được chữ ký kế tiếp bảo đảm"
                } else {
                    "tệp có phần được thêm sau khi ký"
                }
            );
            outln!(
                "  chứng thư: {}",
                match (&s.root, s.trusted) {
                    (Some(root), true) => format!("tin cậy (gốc: {root})"),
                    _ => "KHÔNG thuộc chuỗi tin cậy đã cấu hình".into(),
                }
            );
            outln!(
                "  thu hồi: {}",
                if s.revocation_checked {
                    "đã đối chiếu danh sách thu hồi: chưa bị thu hồi"
                } else {
                    "chưa kiểm tra (không có danh sách thu hồi của nơi cấp)"
                }
            );
            outln!("  chứng thư SHA-256: {}", s.certificate_sha256);
            for p in &s.problems {
                outln!("  ! {p}");
            }
        }
        if !verification.roots_configured {
            outln!("(chưa cấu hình chứng thư gốc tin cậy: --trust-roots)");
        }
        match &verification.history {
            Some(h) => outln!(
                "Lịch sử hồ sơ {} ghi nhận tệp này lúc {} (người ký {}{}); chứng thư {}; lịch sử {}",
                h.dossier_code,
                h.signed_at.format("%H:%M %d/%m/%Y"),
                h.signer,
                h.sealed_by.as_ref().map_or(String::new(), |a| format!(", đóng dấu số của {a}")),
                if h.certificate_matches { "khớp" } else { "KHÁC chứng thư được ghi" },
                if h.history_intact { "nguyên vẹn" } else { "KHÔNG nguyên vẹn" }
            ),
            None if a.db.is_some() => outln!("Không hồ sơ nào ghi nhận tệp này là kết quả đã ký số."),
            None => {}
        }
        outln!("{}", if valid { "HỢP LỆ" } else { "KHÔNG HỢP LỆ" });
    }
    Ok(if valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
