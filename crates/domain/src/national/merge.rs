//! A procedure known twice (compiled by hand, and imported from the portal) keeps, field by
//! field, the value with the better provenance.

use serde_json::{Map, Value};

/// Fields that go with another's provenance: taken, or kept, together with it.
const COMPANIONS: [(&str, &str); 3] = [
    ("documents_detail", "required_documents"),
    ("levels", "competent_level"),
    ("decision_announcing", "name"),
];

/// How sure a provenance is, for comparing two: high, medium, low, then nothing known.
fn rank(provenance: Option<&Value>) -> u8 {
    match provenance.and_then(|p| p.get("confidence")).and_then(Value::as_str) {
        Some("high") => 3,
        Some("medium") => 2,
        Some("low") => 1,
        _ => 0,
    }
}

fn source_of(provenance: Option<&Value>) -> &str {
    provenance.and_then(|p| p.get("source")).and_then(Value::as_str).unwrap_or_default()
}

/// Whether a value says something (not null, not an empty text, list or object).
fn says(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    }
}

/// `imported` laid over `existing` (both in the catalog's format): for each field the
/// imported record has a provenance for, its value is taken when it says something and its
/// provenance is better than the existing one's, or as good and from the same origin (a
/// fresher copy of the same source: `origin` is that source's name, "Cổng Dịch vụ công quốc
/// gia"). What only the existing record has (aliases, notes, province-specific facts) stays.
/// Answers the merged record and the fields that took the imported value.
pub fn merge(existing: &Value, imported: &Value, origin: &str) -> (Value, Vec<String>) {
    let (Some(old), Some(new)) = (existing.as_object(), imported.as_object()) else {
        return (imported.clone(), vec![]);
    };
    let empty = Map::new();
    let old_prov = old.get("provenance").and_then(Value::as_object).unwrap_or(&empty);
    let new_prov = new.get("provenance").and_then(Value::as_object).unwrap_or(&empty);
    let mut out = old.clone();
    let mut prov = old_prov.clone();
    let mut taken = vec![];
    for (field, p) in new_prov {
        if !says(new.get(field)) {
            continue;
        }
        let (theirs, ours) = (rank(Some(p)), rank(old_prov.get(field)));
        let same_origin = !origin.is_empty() && source_of(old_prov.get(field)).starts_with(origin);
        let take = !says(old.get(field)) || theirs > ours || (theirs == ours && same_origin);
        if !take {
            continue;
        }
        out.insert(field.clone(), new[field].clone());
        prov.insert(field.clone(), p.clone());
        for (companion, of) in COMPANIONS {
            if of == field {
                match new.get(companion) {
                    Some(v) => out.insert(companion.into(), v.clone()),
                    None => out.remove(companion),
                };
            }
        }
        taken.push(field.clone());
    }
    // Fields of the import without a provenance of their own, that nothing compiled by hand
    // says (the conditions, the citation of the record).
    // A companion comes too where nothing says it and the field it goes with agrees.
    for (field, v) in new {
        if field == "provenance" || new_prov.contains_key(field) || taken.contains(field) {
            continue;
        }
        let fits = match COMPANIONS.iter().find(|(c, _)| c == field) {
            Some((_, of)) => out.get(*of) == new.get(*of),
            None => true,
        };
        let fresh = !says(out.get(field)) && says(Some(v)) && fits;
        if fresh || (field == "source_record" && !taken.is_empty()) {
            out.insert(field.clone(), v.clone());
        }
    }
    out.insert("provenance".into(), Value::Object(prov));
    (Value::Object(out), taken)
}

/// The top-level fields whose values differ between two versions of a record; a field whose
/// value is the same but whose provenance changed is named with " (nguồn)".
pub fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let empty = Map::new();
    let (a, b) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    let prov = |o: &Map<String, Value>, k: &str| o.get("provenance").and_then(|p| p.get(k)).cloned();
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| *k != "provenance")
        .filter_map(|k| {
            if a.get(k) != b.get(k) {
                Some(k.clone())
            } else if prov(a, k) != prov(b, k) {
                Some(format!("{k} (nguồn)"))
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prov(source: &str, confidence: &str) -> Value {
        json!({"source": source, "confidence": confidence})
    }

    #[test]
    fn each_field_keeps_the_better_provenance() {
        let hand = json!({
            "code": "1.001193", "name": "Thủ tục đăng ký khai sinh",
            "fee": {"summary": "Miễn lệ phí (Luật Hộ tịch Điều 11)"},
            "processing_time": {"summary": "Trong ngày"},
            "aliases_colloquial": ["làm giấy khai sinh"],
            "result": null,
            "provenance": {
                "name": prov("S1", "high"),
                "fee": prov("S1 Cổng DVCQG 6/2026", "medium"),
                "processing_time": prov("S1", "low"),
            }
        });
        let portal = json!({
            "code": "1.001193", "name": "Đăng ký khai sinh",
            "fee": {"summary": "Miễn phí"},
            "processing_time": {"summary": "1"},
            "result": "Giấy khai sinh",
            "levels": ["commune"],
            "provenance": {
                "name": prov("Cổng Dịch vụ công quốc gia, cập nhật 07/2026", "medium"),
                "fee": prov("Cổng Dịch vụ công quốc gia, cập nhật 07/2026", "medium"),
                "processing_time": prov("Cổng Dịch vụ công quốc gia, cập nhật 07/2026", "medium"),
                "result": prov("Cổng Dịch vụ công quốc gia, cập nhật 07/2026", "medium"),
            }
        });
        let (m, taken) = merge(&hand, &portal, "Cổng Dịch vụ công quốc gia");
        // High beats medium; medium against medium from another source keeps what was there.
        assert_eq!(m["name"], "Thủ tục đăng ký khai sinh");
        assert_eq!(m["fee"]["summary"], "Miễn lệ phí (Luật Hộ tịch Điều 11)");
        // Medium beats low; a value beats nothing; hand-made aliases stay.
        assert_eq!(m["processing_time"]["summary"], "1");
        assert_eq!(m["result"], "Giấy khai sinh");
        assert_eq!(m["aliases_colloquial"][0], "làm giấy khai sinh");
        assert_eq!(taken, ["processing_time", "result"]);
        assert_eq!(m["provenance"]["processing_time"]["confidence"], "medium");
        assert_eq!(m["provenance"]["name"]["confidence"], "high");
        // A field nothing by hand says comes with the import.
        assert_eq!(m["levels"], json!(["commune"]));

        // Merged again with the same import: nothing changes.
        let (again, _) = merge(&m, &portal, "Cổng Dịch vụ công quốc gia");
        assert_eq!(again, m);
        assert!(changed_fields(&m, &again).is_empty());

        // A fresher copy of the same origin replaces a value of the same confidence.
        let newer = json!({
            "fee": {"summary": "20.000 đồng"},
            "provenance": {"fee": prov("Cổng Dịch vụ công quốc gia, cập nhật 09/2026", "medium")}
        });
        let (m2, taken) = merge(&again, &newer, "Cổng Dịch vụ công quốc gia");
        assert_eq!(taken, Vec::<String>::new(), "the fee was compiled by hand (S1): kept");
        let (m3, taken) = merge(&portal, &newer, "Cổng Dịch vụ công quốc gia");
        assert_eq!((m3["fee"]["summary"].as_str(), taken.len()), (Some("20.000 đồng"), 1));
        assert_eq!(changed_fields(&portal, &m3), ["fee"]);
        assert_eq!(m2, again);
    }

    #[test]
    fn an_empty_import_never_erases() {
        let hand = json!({"result": "Giấy khai sinh", "provenance": {"result": prov("S1", "low")}});
        let portal = json!({"result": "", "provenance": {"result": prov("Cổng", "medium")}});
        assert_eq!(merge(&hand, &portal, "Cổng").0["result"], "Giấy khai sinh");
    }
}
