//! `haicap node`: the commune nodes a province's server accepts histories from (issue #25,
//! docs/nodes.md): added with a token shown once, revoked, listed; and, at a node, where it
//! stands with its province.

use crate::db::DbArgs;
use crate::CmdResult;
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Args)]
pub struct NodeCmd {
    #[command(subcommand)]
    command: NodeCommand,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Subcommand)]
enum NodeCommand {
    /// Cấp máy trạm cho một xã, phường; dòng cuối in mã máy trạm (chỉ hiện một lần: chép vào
    /// máy của xã).
    Add {
        /// Mã xã, phường (5 chữ số).
        #[arg(long)]
        commune: String,
    },
    /// Thu hồi máy trạm của một xã, phường: mã của nó không còn dùng được.
    Revoke {
        #[arg(long)]
        commune: String,
    },
    /// Các máy trạm: xã, tỉnh, ngày cấp, thu hồi, lần liên lạc cuối.
    List {
        /// In dạng JSON.
        #[arg(long)]
        json: bool,
    },
    /// Tại máy trạm: số hồ sơ, sự kiện chưa gửi lên tỉnh, lần gửi thành công cuối, độ trễ,
    /// lỗi kết nối gần nhất.
    Status {
        /// In dạng JSON.
        #[arg(long)]
        json: bool,
    },
}

fn when(t: Option<chrono::NaiveDateTime>) -> String {
    t.map_or("—".into(), |t| t.format("%H:%M %d/%m/%Y").to_string())
}

pub fn run(a: NodeCmd) -> CmdResult {
    let app = a.db.open()?;
    match a.command {
        NodeCommand::Add { commune } => {
            let (node, token) = app.add_node(&commune)?;
            let name = units::registry().unit_name(&node.commune_code).unwrap_or_default().to_string();
            outln!("đã cấp máy trạm cho {name} ({}), tỉnh {}", node.commune_code, node.province_code);
            outln!("mã máy trạm (chỉ hiện một lần; thu hồi bằng haicap node revoke):");
            outln!("{token}");
        }
        NodeCommand::Revoke { commune } => {
            let (node, handed) = app.revoke_node(&commune)?;
            outln!("đã thu hồi máy trạm của {} lúc {}", node.commune_code, when(node.revoked_at));
            if handed > 0 {
                outln!("{handed} hồ sơ máy trạm đang giữ nay do máy chủ của tỉnh cập nhật");
            }
        }
        NodeCommand::List { json } => {
            let nodes = app.nodes()?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&nodes).unwrap_or_default());
            } else {
                for n in nodes {
                    let state = if n.revoked_at.is_some() { "đã thu hồi" } else { "hoạt động" };
                    outln!(
                        "{}\t{}\t{state}\tcấp {}\tliên lạc cuối {}",
                        n.commune_code,
                        n.province_code,
                        when(Some(n.added_at)),
                        when(n.last_seen_at)
                    );
                }
            }
        }
        NodeCommand::Status { json } => {
            let s = app.sync_status()?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
            } else {
                let u = &s.upstream;
                let name = units::registry().unit_name(&u.commune_code).unwrap_or_default().to_string();
                outln!("máy trạm của {name} ({}), gửi lên {}", u.commune_code, u.url);
                outln!(
                    "chưa gửi: {} hồ sơ, {} sự kiện (sớm nhất {})",
                    s.pending_dossiers,
                    s.pending_events,
                    when(s.oldest_pending)
                );
                outln!("gửi thành công lần cuối: {} (cách đây {} giây)", when(u.last_push_at), s.lag_seconds);
                if let Some(e) = &u.last_error {
                    outln!("lỗi gần nhất ({}): {e}", when(u.last_error_at));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
