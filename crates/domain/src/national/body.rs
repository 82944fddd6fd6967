//! A record written in the catalog's own format (the shipped `procedures.json`'s fields), each
//! field with its provenance.

use super::{level_summary, Document, LegalDoc, Limit, Record};
use crate::status::Channel;
use serde_json::{json, Map, Value};

impl Record {
    /// The record in the catalog's format (the shipped `procedures.json`'s fields), each field
    /// with its provenance: `medium` where read cleanly, `low` where a doubt was noted.
    pub fn to_catalog(&self, origin: &str) -> Value {
        let doubtful = |key: &str| self.doubts.iter().any(|(k, _)| k == key);
        let prov = |key: &str| {
            let confidence = if doubtful(key) { "low" } else { "medium" };
            let mut note = origin.to_string();
            let why: Vec<&str> =
                self.doubts.iter().filter(|(k, _)| k == key).map(|(_, w)| w.as_str()).collect();
            if !why.is_empty() {
                note.push_str(" — ");
                note.push_str(&why.join("; "));
            }
            json!({"source": note, "confidence": confidence})
        };
        let mut by_channel = Map::new();
        let mut fees = Map::new();
        for o in &self.offers {
            if let Some(l) = &o.limit {
                by_channel.insert(o.channel.code().into(), json!([l.published()]));
            }
            fees.insert(
                o.channel.code().into(),
                json!({
                    "summary": o.fee.summary(),
                    "free": o.fee.free,
                    "amounts": o.fee.amounts,
                    "set_elsewhere": o.fee.set_elsewhere,
                    "note": o.fee.note,
                    "published": o.fee.text,
                }),
            );
        }
        let time_summary =
            summary_of(self.offers.iter().map(|o| (o.channel, o.limit.as_ref().map(Limit::published))));
        let fee_summary = summary_of(self.offers.iter().map(|o| (o.channel, Some(o.fee.summary()))));
        let offered = |c: Channel| self.offers.iter().any(|o| o.channel == c);
        let mut provenance = Map::new();
        for key in [
            "name",
            "field",
            "competent_level",
            "competent_authority",
            "result",
            "processing_time",
            "fee",
            "required_documents",
            "submission_channels",
            "legal_basis",
            "portal_url",
        ] {
            let p = match key {
                "submission_channels" => prov("channels"),
                other => prov(other),
            };
            provenance.insert(key.into(), p);
        }
        json!({
            "code": self.code,
            "name": self.name,
            "field": self.field,
            "decision_announcing": self.decision,
            "competent_level": level_summary(&self.levels).code(),
            "levels": self.levels.iter().map(|l| l.code()).collect::<Vec<_>>(),
            "competent_authority": self.authority.as_ref().or(self.agency.as_ref()),
            "result": self.result,
            "processing_time": {"summary": time_summary, "by_channel_portal": by_channel},
            "fee": {"summary": fee_summary, "by_channel": fees},
            "required_documents": self.documents.iter().map(document_line).collect::<Vec<_>>(),
            "documents_detail": self.documents,
            "submission_channels": {
                "online": offered(Channel::Online),
                "postal": offered(Channel::Postal),
                "direct": offered(Channel::Direct),
            },
            "legal_basis": self.legal.iter().map(legal_line).collect::<Vec<_>>(),
            "portal_url": self.url,
            "conditions": self.conditions,
            "provenance": provenance,
            "source_record": self.source,
        })
    }
}

/// "Trực tuyến: 7 Ngày làm việc; Trực tiếp: 7 Ngày làm việc", or one value when every channel
/// has the same.
fn summary_of(items: impl Iterator<Item = (Channel, Option<String>)>) -> String {
    let items: Vec<(Channel, Option<String>)> = items.collect();
    let values: Vec<&Option<String>> = items.iter().map(|(_, v)| v).collect();
    if let Some(Some(first)) = values.first() {
        if values.iter().all(|v| v.as_deref() == Some(first.as_str())) {
            return first.clone();
        }
    }
    items
        .iter()
        .map(|(c, v)| format!("{}: {}", c.label(), v.as_deref().unwrap_or("chưa có thông tin")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn document_line(d: &Document) -> String {
    let mut count = vec![];
    if d.originals > 0 {
        count.push(format!("{} bản chính", d.originals));
    }
    if d.copies > 0 {
        count.push(format!("{} bản sao", d.copies));
    }
    let mut line = match &d.case {
        Some(c) => format!("{}: {}", c.trim_end_matches(':'), d.name),
        None => d.name.clone(),
    };
    if !count.is_empty() {
        line.push_str(&format!(" ({})", count.join(", ")));
    }
    line
}

fn legal_line(l: &LegalDoc) -> String {
    if l.number.is_empty() || l.title.contains(&l.number) {
        l.title.clone()
    } else {
        format!("{} ({})", l.title, l.number)
    }
}
