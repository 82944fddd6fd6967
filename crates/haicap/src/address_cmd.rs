//! `haicap address convert`: old or new addresses in, 2025 units out, streaming.

use crate::error::CliError;
use crate::lines::{next_line, Line};
use crate::CmdResult;
use clap::{Args, Subcommand, ValueEnum};
use errors::Code;
use serde::Serialize;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use units::{registry, AddressParser, Conversion, UnitRef};

#[derive(Args)]
pub struct AddressArgs {
    #[command(subcommand)]
    cmd: AddressCmd,
}

#[derive(Subcommand)]
enum AddressCmd {
    /// Chuyển từng dòng địa chỉ (cũ 3 cấp hoặc mới 2 cấp) sang tỉnh và xã/phường 2025.
    Convert(ConvertArgs),
}

#[derive(Args)]
struct ConvertArgs {
    /// Tệp đầu vào, mỗi dòng một địa chỉ; "-" hoặc bỏ trống để đọc từ stdin.
    file: Option<String>,
    /// Dạng kết quả.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Với --format csv: tên cột chứa địa chỉ.
    #[arg(long, default_value = "address")]
    column: String,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    /// `province_code,commune_code` mỗi dòng.
    Codes,
    /// Một đối tượng JSON đầy đủ mỗi dòng.
    Jsonl,
    /// Đọc CSV có dòng tiêu đề, thêm các cột kết quả.
    Csv,
}

pub fn run(a: AddressArgs) -> CmdResult {
    match a.cmd {
        AddressCmd::Convert(c) => convert(c),
    }
}

#[derive(Default)]
struct Tally {
    lines: u64,
    resolved: u64,
    uncertain: u64,
    failed: u64,
}

/// Below this confidence a line is counted (and flagged) as uncertain.
const UNCERTAIN: f32 = 0.5;

/// Whether a line is flagged for a person to check (summary, jsonl and csv alike).
fn uncertain(c: &Conversion) -> bool {
    c.confidence < UNCERTAIN
}

struct Progress {
    on: bool,
    last: Instant,
}

impl Progress {
    fn new() -> Self {
        Progress { on: io::stderr().is_terminal(), last: Instant::now() }
    }
    fn tick(&mut self, n: u64) {
        if self.on && n.is_multiple_of(1024) && self.last.elapsed() > Duration::from_millis(200) {
            self.last = Instant::now();
            eprint!("\rđã xử lý {n} dòng…");
        }
    }
}

fn open_input(file: Option<&str>) -> Result<(Box<dyn Read>, bool), CliError> {
    match file {
        None | Some("-") => Ok((Box::new(io::stdin().lock()), io::stdin().is_terminal())),
        Some(path) => File::open(path)
            .map(|f| (Box::new(f) as Box<dyn Read>, false))
            .map_err(|e| CliError::new(Code::InputNotFound, format!("không mở được tệp '{path}': {e}"))),
    }
}

fn convert(a: ConvertArgs) -> CmdResult {
    let (input, interactive) = open_input(a.file.as_deref())?;
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 16, stdout);
    let mut parser =
        if a.format == Format::Codes { AddressParser::codes_only() } else { AddressParser::new() };
    let mut tally = Tally::default();
    let mut progress = Progress::new();
    if a.format == Format::Csv {
        convert_csv(input, &mut out, &a.column, &mut parser, &mut tally, &mut progress)?;
    } else {
        let mut reader = BufReader::with_capacity(1 << 16, input);
        let mut buf = Vec::with_capacity(256);
        let mut json = Vec::with_capacity(512);
        let mut conv = parser.convert("");
        while let Some(line) = next_line(&mut reader, &mut buf)? {
            tally.lines += 1;
            let res = match line {
                Line::Text(s) => {
                    parser.convert_into(s, &mut conv);
                    Ok((s, &conv))
                }
                Line::InvalidUtf8 => Err(("invalid_utf8", "dòng không phải UTF-8 hợp lệ")),
                Line::TooLong => Err(("line_too_long", "dòng quá dài (trên 64 KiB)")),
            };
            match &res {
                Ok((_, c)) => tally.count(c),
                Err(_) => tally.failed += 1,
            }
            match a.format {
                Format::Codes => write_codes(&mut out, res.as_ref().ok().map(|r| r.1))?,
                _ => {
                    json.clear();
                    match &res {
                        Ok((s, c)) => serde_json::to_writer(&mut json, &Output::new(s, c)),
                        Err((code, message)) => serde_json::to_writer(
                            &mut json,
                            &serde_json::json!({"error": {"code": code, "message": message}}),
                        ),
                    }
                    .map_err(|e| CliError::new(Code::IoError, e.to_string()))?;
                    json.push(b'\n');
                    out.write_all(&json)?;
                }
            }
            if interactive {
                out.flush()?;
            }
            progress.tick(tally.lines);
        }
    }
    out.flush()?;
    drop(out);
    tally.report(progress.on);
    Ok(if tally.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

impl Tally {
    fn count(&mut self, c: &Conversion) {
        if c.commune.is_some() {
            self.resolved += 1;
        }
        if uncertain(c) {
            self.uncertain += 1;
        }
    }

    fn report(&self, progress: bool) {
        if progress {
            eprint!("\r");
        }
        eprintln!(
            "{} dòng: {} xác định được xã/phường, {} chưa chắc chắn (độ tin cậy < {UNCERTAIN}), {} lỗi",
            self.lines, self.resolved, self.uncertain, self.failed
        );
    }
}

fn write_codes(out: &mut impl Write, c: Option<&Conversion>) -> io::Result<()> {
    let r = registry();
    let p = c.and_then(|c| c.province).map_or("", |p| r.provinces[p as usize].code);
    let w = c.and_then(|c| c.commune).map_or("", |w| r.communes[w as usize].code);
    out.write_all(p.as_bytes())?;
    out.write_all(b",")?;
    out.write_all(w.as_bytes())?;
    out.write_all(b"\n")
}

#[derive(Serialize)]
struct UnitOut {
    code: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct AltOut {
    code: &'static str,
    name: &'static str,
    reason: units::AltReason,
}

#[derive(Serialize)]
struct LegacyOut {
    province: Option<UnitOut>,
    district: Option<UnitOut>,
    commune: Option<UnitOut>,
}

/// One line of `--format jsonl`.
#[derive(Serialize)]
pub struct Output<'a> {
    input: &'a str,
    form: units::AddressForm,
    province: Option<UnitOut>,
    commune: Option<UnitOut>,
    confidence: f32,
    uncertain: bool,
    legacy: Option<LegacyOut>,
    street: String,
    alternatives: Vec<AltOut>,
}

fn unit(u: UnitRef) -> UnitOut {
    let (code, name) = registry().code_and_name(u);
    UnitOut { code, name }
}

impl<'a> Output<'a> {
    pub fn new(input: &'a str, c: &Conversion) -> Self {
        let lg = &c.legacy;
        let legacy = (lg.province.is_some() || lg.district.is_some()).then(|| LegacyOut {
            province: lg.province.map(|i| unit(UnitRef::LegacyProvince(i))),
            district: lg.district.map(|i| unit(UnitRef::LegacyDistrict(i))),
            commune: lg.commune.map(|i| unit(UnitRef::LegacyCommune(i))),
        });
        Output {
            input,
            form: c.form,
            province: c.province.map(|i| unit(UnitRef::Province(i))),
            commune: c.commune.map(|i| unit(UnitRef::Commune(i))),
            confidence: c.confidence,
            uncertain: uncertain(c),
            legacy,
            street: c.street(input),
            alternatives: c
                .alternatives
                .iter()
                .map(|a| {
                    let UnitOut { code, name } = unit(UnitRef::Commune(a.commune));
                    AltOut { code, name, reason: a.reason }
                })
                .collect(),
        }
    }
}

const CSV_COLUMNS: [&str; 10] = [
    "new_province_code",
    "new_province",
    "new_commune_code",
    "new_commune",
    "form",
    "confidence",
    "uncertain",
    "alternatives",
    "street",
    "error",
];

fn convert_csv(
    input: Box<dyn Read>,
    out: &mut impl Write,
    column: &str,
    parser: &mut AddressParser,
    tally: &mut Tally,
    progress: &mut Progress,
) -> Result<(), CliError> {
    let bad = |e: csv::Error| CliError::new(Code::InvalidCsv, format!("tệp CSV không đọc được: {e}"));
    let mut input = BufReader::with_capacity(1 << 16, input);
    // A file saved by Excel as "CSV UTF-8" starts with a byte-order mark; the reader skips it,
    // and the output keeps one so that Excel shows the Vietnamese names it adds.
    if input.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let mut w = csv::Writer::from_writer(out);
    let headers = rdr.byte_headers().map_err(bad)?.clone();
    let Some(col) = headers.iter().position(|h| h == column.as_bytes()) else {
        let names: Vec<String> = headers.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect();
        return Err(CliError::new(
            Code::ColumnNotFound,
            format!("không có cột '{column}' trong tệp CSV (các cột: {})", names.join(", ")),
        ));
    };
    let mut head = headers.clone();
    for c in CSV_COLUMNS {
        head.push_field(c.as_bytes());
    }
    w.write_byte_record(&head).map_err(bad)?;
    let r = registry();
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // A broken record is reported in place; the batch goes on.
                tally.lines += 1;
                tally.failed += 1;
                let mut row = csv::ByteRecord::new();
                for _ in 0..headers.len() {
                    row.push_field(b"");
                }
                for _ in 0..CSV_COLUMNS.len() - 1 {
                    row.push_field(b"");
                }
                row.push_field(format!("invalid_csv: {e}").as_bytes());
                w.write_byte_record(&row).map_err(bad)?;
                continue;
            }
        }
        tally.lines += 1;
        let field = rec.get(col).unwrap_or(b"");
        let mut extra: [String; CSV_COLUMNS.len()] = Default::default();
        match std::str::from_utf8(field) {
            Ok(s) if s.len() <= crate::lines::MAX_LINE => {
                let c = parser.convert(s);
                tally.count(&c);
                if let Some(p) = c.province {
                    let u = unit(UnitRef::Province(p));
                    (extra[0], extra[1]) = (u.code.into(), u.name.into());
                }
                if let Some(x) = c.commune {
                    let u = unit(UnitRef::Commune(x));
                    (extra[2], extra[3]) = (u.code.into(), u.name.into());
                }
                extra[4] = serde_json::to_value(c.form)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                extra[5] = format!("{:.2}", c.confidence);
                extra[6] = uncertain(&c).to_string();
                extra[7] = c
                    .alternatives
                    .iter()
                    .map(|a| r.communes[a.commune as usize].code)
                    .collect::<Vec<_>>()
                    .join(";");
                extra[8] = c.street(s);
            }
            Ok(_) => {
                tally.failed += 1;
                extra[9] = "line_too_long".into();
            }
            Err(_) => {
                tally.failed += 1;
                extra[9] = "invalid_utf8".into();
            }
        }
        for e in &extra {
            rec.push_field(e.as_bytes());
        }
        w.write_byte_record(&rec).map_err(bad)?;
        progress.tick(tally.lines);
    }
    w.flush()?;
    Ok(())
}
