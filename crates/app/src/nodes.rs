//! The commune nodes a province's server accepts histories from (issue #25, docs/nodes.md):
//! added by an administrator for one commune, each known by its token, revocable. The token
//! is shown once and only its SHA-256 is kept, as for sessions.

use crate::accounts::sessions::{random_hex, token_hash};
use crate::{App, AppError, AppResult, Code};
use chrono::NaiveDateTime;
use serde::Serialize;
use store::{Row, StoreError};

/// A commune's node, as the province's server knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Node {
    pub commune_code: String,
    pub province_code: String,
    pub added_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// When its token last opened a request.
    pub last_seen_at: Option<NaiveDateTime>,
    /// How many events its pushes added here.
    pub events_taken: i64,
}

const COLUMNS: &str = "commune_code, province_code, added_at, revoked_at, last_seen_at, events_taken";

/// What a node's token starts with: tells it apart from a session's in logs and forms.
const TOKEN_PREFIX: &str = "hcn_";

fn from_row(r: &Row) -> Result<Node, StoreError> {
    Ok(Node {
        commune_code: r.col("commune_code")?,
        province_code: r.col("province_code")?,
        added_at: r.col("added_at")?,
        revoked_at: r.col("revoked_at")?,
        last_seen_at: r.col("last_seen_at")?,
        events_taken: r.col("events_taken")?,
    })
}

impl App {
    /// Adds the node of `commune` and returns it with its token (shown this once). A commune
    /// has one node: adding it again while it is active is refused (revoke it first). At the
    /// national instance, a province's server is added the same way, by the province's code
    /// (it feeds the nation: [`crate::national`]).
    pub fn add_node(&self, commune: &str) -> AppResult<(Node, String)> {
        let reg = units::registry();
        let commune = commune.trim().to_string();
        // Each by its own code, as written (the registry also reads codes without their
        // leading zeros: "4" would be commune 00004).
        let province = match (reg.commune(&commune), reg.province(&commune)) {
            (Some(c), _) if c.code == commune => reg.province_of(c).code.to_string(),
            (_, Some(p)) if p.code == commune => p.code.to_string(),
            _ => {
                return Err(AppError::new(
                    Code::UnknownCommune,
                    format!("không có xã, phường (hay tỉnh, cho máy chủ quốc gia) mã \"{commune}\""),
                ))
            }
        };
        let token = format!("{TOKEN_PREFIX}{}", random_hex(32));
        let (hash, now, code) = (token_hash(&token), self.now(), commune.clone());
        let added = self.store.write(move |c| {
            let active = c.query_one(
                "SELECT 1 FROM nodes WHERE commune_code = $1 AND revoked_at IS NULL",
                &[(&code).into()],
            )?;
            if active.is_some() {
                return Ok(false);
            }
            c.exec("DELETE FROM nodes WHERE commune_code = $1", &[(&code).into()])?;
            c.exec(
                "INSERT INTO nodes (commune_code, province_code, token_sha256, added_at) VALUES ($1, $2, $3, $4)",
                &[(&code).into(), (&province).into(), (&hash).into(), now.into()],
            )?;
            Ok(true)
        })?;
        if !added {
            return Err(AppError::new(
                Code::NodeExists,
                format!("xã, phường {commune} đã có máy trạm đang hoạt động: thu hồi (haicap node revoke) trước khi cấp lại"),
            ));
        }
        self.accounts().log("console", "node_added", Some(&commune), None, None);
        let node = self
            .node(&commune)?
            .ok_or_else(|| AppError::internal(Code::DbError, "máy trạm vừa ghi không đọc lại được"))?;
        Ok((node, token))
    }

    /// Revokes the node of `commune`: its token opens nothing from now on, and the dossiers it
    /// held are the province's to write (the commune's officers work on them at the province:
    /// the way back for a node lost, or restored from an old backup). Returns the node and how
    /// many dossiers were handed over.
    pub fn revoke_node(&self, commune: &str) -> AppResult<(Node, u64)> {
        let (commune, now) = (commune.trim().to_string(), self.now());
        let code = commune.clone();
        let writer = crate::replication::node_writer(&commune);
        let (changed, handed) = self.store.write(move |c| {
            let changed = c.exec(
                "UPDATE nodes SET revoked_at = $1 WHERE commune_code = $2 AND revoked_at IS NULL",
                &[now.into(), (&code).into()],
            )?;
            let handed = if changed > 0 {
                c.exec("UPDATE dossiers SET writer = NULL WHERE writer = $1", &[(&writer).into()])?
            } else {
                0
            };
            Ok((changed, handed))
        })?;
        if changed == 0 {
            return Err(AppError::new(
                Code::UnknownNode,
                format!("xã, phường {commune} không có máy trạm đang hoạt động"),
            ));
        }
        // No cached copy to forget: this server caches only dossiers it wrote, never one a
        // node held.
        let detail = format!("{handed} hồ sơ chuyển về tỉnh ghi");
        self.accounts().log("console", "node_revoked", Some(&commune), None, Some(&detail));
        let node = self
            .node(&commune)?
            .ok_or_else(|| AppError::internal(Code::DbError, "máy trạm vừa thu hồi không đọc lại được"))?;
        Ok((node, handed))
    }

    /// The node of `commune`, active or revoked, if one was ever added.
    pub fn node(&self, commune: &str) -> AppResult<Option<Node>> {
        let code = commune.trim().to_string();
        let row = self.store.read(move |c| {
            c.query_one(&format!("SELECT {COLUMNS} FROM nodes WHERE commune_code = $1"), &[(&code).into()])
        })?;
        Ok(row.map(|r| from_row(&r)).transpose()?)
    }

    /// The nodes an administrator looks after: a province's administrators see their
    /// province's, a commune's its own, the console every one; nobody else.
    pub fn nodes_seen_by(&self, actor: &crate::Actor) -> AppResult<Vec<Node>> {
        use domain::roles::{Role, Scope};
        let mut nodes = self.nodes()?;
        match (&actor.role, &actor.scope) {
            (None, _) | (Some(Role::Admin), Scope::Everything) => {}
            (Some(Role::Admin), Scope::Province(p)) => nodes.retain(|n| n.province_code == *p),
            (Some(Role::Admin), Scope::Commune { commune, .. }) => {
                nodes.retain(|n| n.commune_code == *commune)
            }
            _ => return Err(AppError::new(Code::AdminOnly, "chỉ quản trị của tỉnh xem các máy trạm của xã")),
        }
        Ok(nodes)
    }

    /// How many dossiers each node holds (writes there, not here), by commune.
    pub fn dossiers_held_by_nodes(&self) -> AppResult<std::collections::HashMap<String, i64>> {
        let rows = self.store.read(|c| {
            c.query(
                "SELECT writer, COUNT(*) AS n FROM dossiers WHERE writer IS NOT NULL GROUP BY writer",
                &[],
            )
        })?;
        let mut held = std::collections::HashMap::new();
        for r in rows {
            let writer: String = r.col("writer")?;
            if let Some(commune) = writer.strip_prefix("node:") {
                held.insert(commune.to_string(), r.col::<i64>("n")?);
            }
        }
        Ok(held)
    }

    /// Every node, by commune.
    pub fn nodes(&self) -> AppResult<Vec<Node>> {
        let rows = self
            .store
            .read(|c| c.query(&format!("SELECT {COLUMNS} FROM nodes ORDER BY commune_code"), &[]))?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// The active node a token belongs to (its last contact recorded); a revoked node's token
    /// is told so, any other is not recognised.
    pub fn node_for_token(&self, token: &str) -> AppResult<Node> {
        let unknown = || AppError::new(Code::Unauthenticated, "mã máy trạm không hợp lệ");
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
            return Err(unknown());
        }
        let (hash, now) = (token_hash(token), self.now());
        let row = self.store.write(move |c| {
            c.exec(
                "UPDATE nodes SET last_seen_at = $1 WHERE token_sha256 = $2 AND revoked_at IS NULL",
                &[now.into(), (&hash).into()],
            )?;
            c.query_one(&format!("SELECT {COLUMNS} FROM nodes WHERE token_sha256 = $1"), &[(&hash).into()])
        })?;
        let node = row.map(|r| from_row(&r)).transpose()?.ok_or_else(unknown)?;
        if node.revoked_at.is_some() {
            return Err(AppError::new(
                Code::NodeRevoked,
                format!("máy trạm của xã, phường {} đã bị thu hồi", node.commune_code),
            ));
        }
        Ok(node)
    }
}
