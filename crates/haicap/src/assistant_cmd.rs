//! `haicap assistant`: ask the digital assistant, measure it on a question file, rebuild its
//! index.

use crate::error::CliError;
use crate::CmdResult;
use assistant::Assistant;
use clap::{Args, Subcommand, ValueEnum};
use errors::Code;
use serde::Deserialize;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct AssistantArgs {
    #[command(flatten)]
    db: crate::db::DbArgs,
    #[command(subcommand)]
    cmd: AssistantCmd,
}

#[derive(Subcommand)]
enum AssistantCmd {
    /// Hỏi trợ lý một câu (câu trả lời chỉ lấy từ danh mục thủ tục).
    Ask {
        question: String,
        /// Mã tỉnh, để trả lời theo phí, ủy quyền riêng của tỉnh.
        #[arg(long)]
        province: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Đo độ chính xác trên một tệp câu hỏi JSONL (định dạng questions_dev.jsonl).
    Eval {
        #[arg(required_unless_present = "names")]
        file: Option<String>,
        /// Thay cho tệp: hỏi từng thủ tục của danh mục bằng chính tên của nó (có dấu hoặc không
        /// dấu), để đo việc phân biệt các thủ tục gần nhau ("cấp", "cấp lại", "điều chỉnh").
        #[arg(long, value_enum, conflicts_with = "file")]
        names: Option<NamesAsked>,
        /// Dùng danh mục đóng gói sẵn thay vì cơ sở dữ liệu.
        #[arg(long)]
        builtin: bool,
        /// Số lần lặp cả tệp khi đo độ trễ.
        #[arg(long, default_value_t = 20)]
        repeat: usize,
        /// In từng câu trả lời sai hoặc từ chối sai.
        #[arg(long)]
        verbose: bool,
        #[arg(long)]
        json: bool,
    },
    /// Dựng lại chỉ mục tìm kiếm của trợ lý từ cơ sở dữ liệu (lưu trong thư mục dữ liệu).
    Reindex,
}

/// How the catalog's own names are asked (`eval --names`).
#[derive(Clone, Copy, ValueEnum)]
enum NamesAsked {
    /// As published, with marks.
    Marked,
    /// Without marks, as many type.
    Plain,
}

/// Each procedure asked by its own name as a citizen would type it: lower case, without the
/// "Thủ tục" some names open with. Every procedure of the same name is a right answer.
fn name_questions(procedures: &[domain::catalog::Procedure], asked: NamesAsked) -> Vec<Question> {
    let typed = |name: &str| {
        let lower = name.trim().trim_end_matches('.').to_lowercase();
        let lower = lower.strip_prefix("thủ tục ").unwrap_or(&lower).trim().to_string();
        match asked {
            NamesAsked::Marked => lower,
            NamesAsked::Plain => vi_text::fold(&lower),
        }
    };
    let mut codes: std::collections::HashMap<String, Vec<String>> = Default::default();
    for p in procedures {
        codes.entry(typed(&p.name)).or_default().push(p.code.clone());
    }
    procedures
        .iter()
        .map(|p| {
            let question = typed(&p.name);
            Question { id: p.code.clone(), labels: codes[&question].clone(), question, part: None }
        })
        .collect()
}

#[derive(Deserialize)]
struct Question {
    #[serde(default)]
    id: String,
    question: String,
    #[serde(default)]
    labels: Vec<String>,
    /// The part asked about, where the file says ("which", "documents", "time", "fee",
    /// "where", "online", "eligibility"; questions_dev.jsonl calls it `asks` and spells
    /// "which_procedure", "how_online", and "general" or "oos" where no one part is asked).
    #[serde(default, alias = "asks")]
    part: Option<String>,
}

/// A question file's name for a part asked about, as [`assistant::intent::Asks::code`] writes it.
fn part_code(part: &str) -> &str {
    match part {
        "which" => "which_procedure",
        "online" => "how_online",
        other => other,
    }
}

/// The p-th percentile (0..=100) of sorted values, nearest rank.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[derive(Debug, Default, serde::Serialize)]
struct EvalReport {
    questions: usize,
    answerable: usize,
    top1: usize,
    top3: usize,
    no_match: usize,
    abstained_no_match: usize,
    abstained_answerable: usize,
    /// Questions whose part asked about the file names, and those where it was read right.
    with_part: usize,
    part_right: usize,
    part_rate: f64,
    top1_rate: f64,
    top3_rate: f64,
    abstention_no_match: f64,
    false_abstention: f64,
    latency_us_p50: f64,
    latency_us_p90: f64,
    latency_us_p99: f64,
}

fn eval(a: &Assistant, qs: &[Question], repeat: usize, verbose: bool) -> EvalReport {
    let mut r = EvalReport { questions: qs.len(), ..EvalReport::default() };
    for q in qs {
        let reply = a.ask(&q.question, |_| None);
        let codes: Vec<&str> = reply.matches.iter().map(|m| m.code.as_str()).collect();
        let hit = |n: usize| codes.iter().take(n).any(|c| q.labels.iter().any(|l| l == c));
        if q.labels.is_empty() {
            r.no_match += 1;
            r.abstained_no_match += !reply.confident as usize;
            if verbose && reply.confident {
                eprintln!("trả lời nhầm câu ngoài danh mục {}: {} → {:?}", q.id, q.question, codes.first());
            }
            continue;
        }
        r.answerable += 1;
        if let Some(part) = q.part.as_ref().filter(|p| !["general", "oos"].contains(&p.as_str())) {
            r.with_part += 1;
            r.part_right += (reply.asks.code() == part_code(part)) as usize;
            if verbose && reply.asks.code() != part_code(part) {
                eprintln!("phần hỏi {}: {} → {} (cần {part})", q.id, q.question, reply.asks.code());
            }
        }
        r.top1 += hit(1) as usize;
        r.top3 += hit(3) as usize;
        r.abstained_answerable += !reply.confident as usize;
        if verbose && (!hit(1) || !reply.confident) {
            eprintln!(
                "{} {}: {} → {:?} (cần {:?}){}",
                if hit(3) { "top3" } else { "SAI " },
                q.id,
                q.question,
                &codes[..codes.len().min(3)],
                q.labels,
                if reply.confident { "" } else { " [từ chối]" }
            );
        }
    }
    let mut times = Vec::with_capacity(qs.len() * repeat);
    for _ in 0..repeat {
        for q in qs {
            let t = Instant::now();
            std::hint::black_box(a.ask(&q.question, |_| None));
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
    }
    times.sort_by(f64::total_cmp);
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    r.top1_rate = ratio(r.top1, r.answerable);
    r.part_rate = ratio(r.part_right, r.with_part);
    r.top3_rate = ratio(r.top3, r.answerable);
    r.abstention_no_match = ratio(r.abstained_no_match, r.no_match);
    r.false_abstention = ratio(r.abstained_answerable, r.answerable);
    r.latency_us_p50 = percentile(&times, 50.0);
    r.latency_us_p90 = percentile(&times, 90.0);
    r.latency_us_p99 = percentile(&times, 99.0);
    r
}

pub fn run(a: AssistantArgs) -> CmdResult {
    match a.cmd {
        AssistantCmd::Ask { question, province, json } => {
            let app = a.db.open()?;
            let actor = a.db.as_user.as_ref().map(|_| a.db.actor(&app)).transpose()?;
            let asked = app.assistant().ask(&question, province.as_deref(), actor.as_ref())?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&asked).expect("serialize"));
            } else {
                outln!("{}", asked.reply.answer);
                if !asked.reply.confident {
                    return Ok(ExitCode::from(2));
                }
            }
        }
        AssistantCmd::Eval { file, names, builtin, repeat, verbose, json } => {
            let mut qs = vec![];
            if let Some(file) = &file {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| CliError::new(Code::IoError, format!("không đọc được {file}: {e}")))?;
                for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
                    let q: Question = serde_json::from_str(line).map_err(|e| {
                        CliError::new(
                            Code::InvalidQuestions,
                            format!("dòng {} của {file} không hợp lệ: {e}", i + 1),
                        )
                    })?;
                    qs.push(q);
                }
            }
            let assistant = if builtin {
                std::sync::Arc::new(Assistant::new(
                    domain::catalog::Catalog::builtin().procedures,
                    &[],
                    vec![],
                ))
            } else {
                a.db.open()?.assistant().engine()?
            };
            if let Some(asked) = names {
                qs = name_questions(assistant.procedures(), asked);
            }
            let r = eval(&assistant, &qs, repeat.max(1), verbose);
            if json {
                outln!("{}", serde_json::to_string_pretty(&r).expect("serialize"));
            } else {
                outln!(
                    "câu hỏi: {} ({} có thủ tục, {} ngoài danh mục)",
                    r.questions,
                    r.answerable,
                    r.no_match
                );
                outln!("top-1: {}/{} = {:.1}%", r.top1, r.answerable, 100.0 * r.top1_rate);
                outln!("top-3: {}/{} = {:.1}%", r.top3, r.answerable, 100.0 * r.top3_rate);
                if r.with_part > 0 {
                    outln!(
                        "phần được hỏi đọc đúng: {}/{} = {:.1}%",
                        r.part_right,
                        r.with_part,
                        100.0 * r.part_rate
                    );
                }
                outln!(
                    "từ chối đúng (ngoài danh mục): {}/{} = {:.1}%",
                    r.abstained_no_match,
                    r.no_match,
                    100.0 * r.abstention_no_match
                );
                outln!(
                    "từ chối sai (có thủ tục): {}/{} = {:.1}%",
                    r.abstained_answerable,
                    r.answerable,
                    100.0 * r.false_abstention
                );
                outln!(
                    "độ trễ (µs, {} lần hỏi): p50 {:.0}, p90 {:.0}, p99 {:.0}",
                    r.questions * repeat.max(1),
                    r.latency_us_p50,
                    r.latency_us_p90,
                    r.latency_us_p99
                );
            }
        }
        AssistantCmd::Reindex => {
            let app = a.db.open()?;
            let r = app.assistant().reindex_assistant(true)?;
            outln!(
                "Đã dựng chỉ mục: {} thủ tục, {} cách gọi bổ sung, {} bài sổ tay, {} ms → {}",
                r.procedures,
                r.aliases,
                r.articles,
                r.millis,
                r.path
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::catalog::Catalog;

    #[test]
    fn the_part_asked_is_read_under_either_name_and_none_is_not_scored() {
        let assistant = Assistant::new(Catalog::builtin().procedures, &[], vec![]);
        let qs: Vec<Question> = [
            r#"{"question": "đăng ký khai sinh mất bao lâu", "labels": ["1.001193"], "part": "time"}"#,
            r#"{"question": "lệ phí đăng ký khai sinh", "labels": ["1.001193"], "asks": "time"}"#,
            r#"{"question": "khai sinh cho con", "labels": ["1.001193"], "asks": "general"}"#,
        ]
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
        let r = eval(&assistant, &qs, 1, false);
        // The second asks the fee, not the time its label says: read, and scored wrong.
        assert_eq!((r.with_part, r.part_right), (2, 1));
    }

    #[test]
    fn each_procedure_is_asked_by_its_own_name_and_found_by_it() {
        let mut procedures = Catalog::builtin().procedures;
        let mut twin = procedures[0].clone();
        twin.code = "9.999999".into();
        twin.name = format!("{}.", procedures[0].name.to_uppercase());
        procedures.push(twin);
        let marked = name_questions(&procedures, NamesAsked::Marked);
        assert_eq!(marked.len(), procedures.len());
        // "Thủ tục", the case and the full stop left out: one name, two right answers.
        let (first, last) = (&marked[0], marked.last().unwrap());
        assert_eq!(procedures[0].name, "Thủ tục đăng ký khai sinh");
        assert_eq!(first.question, "đăng ký khai sinh");
        assert_eq!(last.question, first.question);
        assert_eq!(last.labels, [procedures[0].code.clone(), "9.999999".into()]);
        let plain = name_questions(&procedures, NamesAsked::Plain);
        assert_eq!(plain[0].question, vi_text::fold(&first.question));
        // The shipped catalog tells every procedure from its neighbours by its name alone.
        let assistant = Assistant::new(Catalog::builtin().procedures, &[], vec![]);
        for asked in [NamesAsked::Marked, NamesAsked::Plain] {
            let qs = name_questions(assistant.procedures(), asked);
            let r = eval(&assistant, &qs, 1, false);
            assert_eq!((r.top1, r.abstained_answerable), (qs.len(), 0));
        }
    }
}
