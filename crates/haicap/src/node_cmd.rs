//! `haicap node`: the commune nodes a province's server accepts histories from (issue #25,
//! docs/nodes.md): added with a token shown once, revoked, listed.

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
            let node = app.revoke_node(&commune)?;
            outln!("đã thu hồi máy trạm của {} lúc {}", node.commune_code, when(node.revoked_at));
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
    }
    Ok(ExitCode::SUCCESS)
}
