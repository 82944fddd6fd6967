//! `haicap units`: the registry of both tiers.

use crate::error::CliError;
use crate::CmdResult;
use clap::{Args, Subcommand};
use errors::Code;
use serde_json::json;
use std::process::ExitCode;
use units::{registry, Commune, Registry, UnitRef};

#[derive(Args)]
pub struct UnitsArgs {
    #[command(subcommand)]
    cmd: UnitsCmd,
}

#[derive(Subcommand)]
enum UnitsCmd {
    /// Số lượng đơn vị hành chính.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Một đơn vị theo mã (2 chữ số: tỉnh; 3: huyện cũ; 5: xã/phường), kèm nguồn gốc.
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Tìm đơn vị theo tên (không phân biệt dấu, hoa thường, "Phường", "Tỉnh"...).
    Find {
        name: String,
        /// Chỉ trong tỉnh/thành phố này (mã 2025).
        #[arg(long)]
        province: Option<String>,
    },
    /// Danh sách tỉnh, hoặc các xã/phường của một tỉnh.
    List {
        #[arg(long)]
        province: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(a: UnitsArgs) -> CmdResult {
    let r = registry();
    match a.cmd {
        UnitsCmd::Stats { json } => {
            let s = r.stats();
            if json {
                outln!("{}", serde_json::to_string_pretty(&s).expect("stats serialize"));
            } else {
                outln!("Tỉnh, thành phố (2025): {}", s.provinces);
                outln!(
                    "Xã, phường, đặc khu (2025): {} ({} phường, {} xã, {} đặc khu)",
                    s.communes,
                    s.communes_by_kind.phuong,
                    s.communes_by_kind.xa,
                    s.communes_by_kind.dac_khu
                );
                outln!(
                    "Trước 01/07/2025: {} tỉnh, {} huyện, {} xã ({} xã cũ được chia cho nhiều xã mới)",
                    s.legacy.provinces,
                    s.legacy.districts,
                    s.legacy.communes,
                    s.split_legacy_communes
                );
            }
        }
        UnitsCmd::Show { code, json } => show(r, &code, json)?,
        UnitsCmd::Find { name, province } => {
            if let Some(p) = &province {
                r.province(p).ok_or_else(|| unknown_province(p))?;
            }
            let hits = r.find_by_name(&name, province.as_deref());
            if hits.is_empty() {
                eprintln!("Không tìm thấy đơn vị nào tên '{name}'.");
                return Ok(ExitCode::from(1));
            }
            for h in hits {
                outln!("{}", describe(r, h));
            }
        }
        UnitsCmd::List { province, json } => match province {
            None => {
                for p in &r.provinces {
                    outln!("{}\t{}\t{} xã/phường", p.code, p.name, p.communes.len());
                }
            }
            Some(code) => {
                let list: Vec<&Commune> =
                    r.communes_of(&code).ok_or_else(|| unknown_province(&code))?.collect();
                if json {
                    outln!("{}", serde_json::to_string_pretty(&list).expect("serialize"));
                } else {
                    for c in list {
                        outln!("{}\t{}", c.code, c.name);
                    }
                }
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn unknown_province(code: &str) -> CliError {
    CliError::new(Code::UnknownProvince, format!("không có tỉnh/thành phố mã '{code}'"))
}

fn describe(r: &Registry, u: UnitRef) -> String {
    match u {
        UnitRef::Province(i) => format!("{}\t{}", r.provinces[i as usize].code, r.provinces[i as usize].name),
        UnitRef::Commune(i) => {
            let c = &r.communes[i as usize];
            format!("{}\t{}, {}", c.code, c.name, r.province_of(c).name)
        }
        UnitRef::LegacyProvince(i) => {
            let p = &r.legacy_provinces[i as usize];
            format!("{}\t{} (trước 01/07/2025)", p.code, p.name)
        }
        UnitRef::LegacyDistrict(i) => {
            let d = &r.legacy_districts[i as usize];
            format!("{}\t{}, {} (trước 01/07/2025)", d.code, d.name, r.legacy_province_of(d).name)
        }
        UnitRef::LegacyCommune(i) => {
            let c = &r.legacy_communes[i as usize];
            let d = r.district_of(c);
            let n = &r.communes[c.new_default as usize];
            format!(
                "{}\t{}, {}, {} (trước 01/07/2025) → {} {}",
                c.code,
                c.name,
                d.name,
                r.legacy_province_of(d).name,
                n.code,
                n.name
            )
        }
    }
}

fn show(r: &Registry, code: &str, as_json: bool) -> Result<(), CliError> {
    let code = code.trim();
    let bad = || CliError::new(Code::UnknownUnit, format!("không có đơn vị nào mã '{code}'"));
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CliError::new(
            Code::InvalidCode,
            format!("mã đơn vị '{code}' không hợp lệ: mã chỉ gồm chữ số"),
        ));
    }
    let value = match code.len() {
        1 | 2 => {
            let p = r.province(code);
            let old = r.legacy_province(code);
            if p.is_none() && old.is_none() {
                return Err(bad());
            }
            let merged: Vec<_> = p
                .map(|p| {
                    let pi = r.province_index(p.code).expect("own index");
                    r.legacy_provinces
                        .iter()
                        .filter(|lp| lp.new_provinces.contains(&pi))
                        .map(|lp| json!({"code": lp.code, "name": lp.name}))
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "province": p.map(|p| json!({"code": p.code, "name": p.name, "kind": p.kind, "lat": p.lat, "lon": p.lon, "communes": p.communes.len()})),
                "formed_from": merged,
                "legacy_province": old.map(|o| json!({"code": o.code, "name": o.name,
                    "districts": o.districts.len(),
                    "now_in": o.new_provinces.iter().map(|&i| json!({"code": r.provinces[i as usize].code, "name": r.provinces[i as usize].name})).collect::<Vec<_>>()})),
            })
        }
        3 => {
            let d = r.legacy_district(code).ok_or_else(bad)?;
            let communes: Vec<_> = d
                .communes
                .iter()
                .map(|&i| {
                    let c = &r.legacy_communes[i as usize];
                    let n = &r.communes[c.new_default as usize];
                    json!({"code": c.code, "name": c.name, "now": {"code": n.code, "name": n.name}, "split": !c.split.is_empty()})
                })
                .collect();
            json!({"legacy_district": {"code": d.code, "name": d.name, "province": r.legacy_province_of(d).name, "communes": communes}})
        }
        4 | 5 => {
            let c = r.commune(code);
            let old = r.legacy_commune(code);
            if c.is_none() && old.is_none() {
                return Err(bad());
            }
            let lineage: Vec<_> = c
                .map(|c| {
                    c.legacy
                        .iter()
                        .map(|&i| {
                            let o = &r.legacy_communes[i as usize];
                            let d = r.district_of(o);
                            json!({"code": o.code, "name": o.name, "district": d.name,
                                "province": r.legacy_province_of(d).name, "whole": o.split.is_empty()})
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "commune": c.map(|c| json!({"code": c.code, "name": c.name, "kind": c.kind,
                    "province": {"code": r.province_of(c).code, "name": r.province_of(c).name},
                    "lat": c.lat, "lon": c.lon, "area_km2": c.area_km2})),
                "formed_from": lineage,
                "legacy_commune": old.map(|o| {
                    let d = r.district_of(o);
                    let n = &r.communes[o.new_default as usize];
                    json!({"code": o.code, "name": o.name, "district": {"code": d.code, "name": d.name},
                        "province": r.legacy_province_of(d).name,
                        "now": {"code": n.code, "name": n.name},
                        "split_into": o.split.iter().map(|&i| json!({"code": r.communes[i as usize].code, "name": r.communes[i as usize].name})).collect::<Vec<_>>()})
                }),
            })
        }
        _ => return Err(bad()),
    };
    if as_json {
        outln!("{}", serde_json::to_string_pretty(&value).expect("serialize"));
    } else {
        print_tree(&value, 0)?;
    }
    Ok(())
}

/// A readable indented view of the JSON, with Vietnamese labels for the keys people read.
fn print_tree(v: &serde_json::Value, depth: usize) -> Result<(), CliError> {
    let label = |k: &str| -> String {
        match k {
            "province" => "Tỉnh/thành phố",
            "commune" => "Xã/phường",
            "legacy_province" => "Tỉnh cũ (trước 01/07/2025)",
            "legacy_district" => "Huyện cũ (trước 01/07/2025)",
            "legacy_commune" => "Xã cũ cùng mã (trước 01/07/2025)",
            "formed_from" => "Hình thành từ",
            "now" => "Nay thuộc",
            "now_in" => "Nay thuộc",
            "split_into" => "Được chia cho",
            "communes" => "Xã/phường",
            "district" => "Huyện",
            "whole" => "Toàn bộ",
            "split" => "Bị chia",
            "name" => "Tên",
            "code" => "Mã",
            "kind" => "Loại",
            "districts" => "Số huyện",
            "area_km2" => "Diện tích (km²)",
            other => other,
        }
        .to_string()
    };
    let pad = "  ".repeat(depth);
    match v {
        serde_json::Value::Object(m) => {
            for (k, val) in m {
                match val {
                    serde_json::Value::Null => {}
                    serde_json::Value::Array(a) if a.is_empty() => {}
                    serde_json::Value::Object(_) | serde_json::Value::Array(_) => {
                        outln!("{pad}{}:", label(k));
                        print_tree(val, depth + 1)?;
                    }
                    serde_json::Value::String(s) => outln!("{pad}{}: {s}", label(k)),
                    serde_json::Value::Bool(b) => {
                        outln!("{pad}{}: {}", label(k), if *b { "có" } else { "không" })
                    }
                    other => outln!("{pad}{}: {other}", label(k)),
                }
            }
        }
        serde_json::Value::Array(a) => {
            for item in a {
                match item {
                    serde_json::Value::Object(m) if m.contains_key("code") => {
                        let mut line = format!(
                            "{pad}- {} {}",
                            m["code"].as_str().unwrap_or(""),
                            m.get("name").and_then(|n| n.as_str()).unwrap_or("")
                        );
                        for (k, val) in m {
                            if k != "code" && k != "name" {
                                let shown = match val {
                                    serde_json::Value::String(s) => s.clone(),
                                    serde_json::Value::Bool(b) => {
                                        (if *b { "có" } else { "không" }).to_string()
                                    }
                                    serde_json::Value::Object(o) => format!(
                                        "{} {}",
                                        o.get("code").and_then(|x| x.as_str()).unwrap_or(""),
                                        o.get("name").and_then(|x| x.as_str()).unwrap_or("")
                                    ),
                                    other => other.to_string(),
                                };
                                line.push_str(&format!("; {}: {shown}", label(k)));
                            }
                        }
                        outln!("{line}");
                    }
                    other => print_tree(other, depth)?,
                }
            }
        }
        other => outln!("{pad}{other}"),
    }
    Ok(())
}
