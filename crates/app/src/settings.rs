//! Each province's own settings: its dossier code pattern and what it published about each
//! procedure (delegation to communes, its own fee, intake regardless of boundary). Kept in
//! memory, written through to the database.

use crate::{App, AppError, AppResult};
use domain::code::CodePattern;
use domain::routing::ProvinceRule;
use errors::Code;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::RwLock;
use store::{Store, Val};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RuleSetting {
    pub procedure_code: String,
    pub delegated_to_commune: bool,
    pub boundary_free: bool,
    pub fee_vnd: Option<i64>,
    pub fee_note: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProvinceSettings {
    pub province_code: String,
    pub code_pattern: String,
    pub rules: Vec<RuleSetting>,
}

/// A change to one procedure's rule; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct RuleUpdate {
    pub delegated_to_commune: Option<bool>,
    pub boundary_free: Option<bool>,
    /// `Some(None)` clears the province's fee.
    pub fee_vnd: Option<Option<i64>>,
    pub fee_note: Option<Option<String>>,
}

#[derive(Default)]
pub(crate) struct Cache {
    patterns: RwLock<HashMap<String, CodePattern>>,
    rules: RwLock<HashMap<(String, String), RuleSetting>>,
}

impl Cache {
    pub(crate) fn load(store: &Store) -> AppResult<Cache> {
        let (patterns, rules) = store.read(|c| {
            Ok((
                c.query("SELECT province_code, code_pattern FROM province_settings", &[])?,
                c.query(
                    "SELECT province_code, procedure_code, delegated_to_commune, boundary_free, fee_vnd, fee_note FROM province_procedure_rules",
                    &[],
                )?,
            ))
        })?;
        let cache = Cache::default();
        for r in patterns {
            // A pattern stored by this code was checked when it was set.
            if let Ok(p) = CodePattern::parse(&r.col::<String>("code_pattern")?) {
                cache.patterns.write().unwrap_or_else(|e| e.into_inner()).insert(r.col("province_code")?, p);
            }
        }
        for r in rules {
            let rule = RuleSetting {
                procedure_code: r.col("procedure_code")?,
                delegated_to_commune: r.col("delegated_to_commune")?,
                boundary_free: r.col("boundary_free")?,
                fee_vnd: r.col("fee_vnd")?,
                fee_note: r.col("fee_note")?,
            };
            let key = (r.col("province_code")?, rule.procedure_code.clone());
            cache.rules.write().unwrap_or_else(|e| e.into_inner()).insert(key, rule);
        }
        Ok(cache)
    }

    /// Reads the settings again (after a node took its province's).
    pub(crate) fn reload(&self, store: &Store) -> AppResult<()> {
        let fresh = Cache::load(store)?;
        *self.patterns.write().unwrap_or_else(|e| e.into_inner()) =
            std::mem::take(&mut *fresh.patterns.write().unwrap_or_else(|e| e.into_inner()));
        *self.rules.write().unwrap_or_else(|e| e.into_inner()) =
            std::mem::take(&mut *fresh.rules.write().unwrap_or_else(|e| e.into_inner()));
        Ok(())
    }

    pub(crate) fn pattern(&self, province: &str) -> CodePattern {
        self.patterns.read().unwrap_or_else(|e| e.into_inner()).get(province).cloned().unwrap_or_default()
    }

    /// The province's own setting for a procedure, if it has one.
    pub(crate) fn setting(&self, province: &str, procedure: &str) -> Option<RuleSetting> {
        let rules = self.rules.read().unwrap_or_else(|e| e.into_inner());
        rules.get(&(province.to_string(), procedure.to_string())).cloned()
    }

    pub(crate) fn rule(&self, province: &str, procedure: &str) -> ProvinceRule {
        let rules = self.rules.read().unwrap_or_else(|e| e.into_inner());
        rules.get(&(province.to_string(), procedure.to_string())).map_or_else(ProvinceRule::default, |r| {
            ProvinceRule { delegated_to_commune: r.delegated_to_commune, boundary_free: r.boundary_free }
        })
    }
}

fn check_province(code: &str) -> AppResult<String> {
    let code = code.trim();
    units::registry().province(code).map(|p| p.code.to_string()).ok_or_else(|| {
        AppError::new(Code::UnknownProvince, format!("không có tỉnh, thành phố mã \"{code}\""))
    })
}

impl App {
    pub fn province_settings(&self, province: &str) -> AppResult<ProvinceSettings> {
        let province = check_province(province)?;
        let mut rules: Vec<RuleSetting> = self
            .settings
            .rules
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|((p, _), _)| *p == province)
            .map(|(_, r)| r.clone())
            .collect();
        rules.sort_by(|a, b| a.procedure_code.cmp(&b.procedure_code));
        let code_pattern = self.settings.pattern(&province).as_str().to_string();
        Ok(ProvinceSettings { province_code: province, code_pattern, rules })
    }

    pub fn set_code_pattern(&self, province: &str, pattern: &str) -> AppResult<()> {
        let province = check_province(province)?;
        let parsed =
            CodePattern::parse(pattern.trim()).map_err(|e| AppError::new(Code::InvalidCodePattern, e.0))?;
        let (p, text, now) = (province.clone(), parsed.as_str().to_string(), self.now());
        self.store.write(move |c| {
            c.exec(
                "INSERT INTO province_settings (province_code, code_pattern, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (province_code) DO UPDATE SET code_pattern = excluded.code_pattern, updated_at = excluded.updated_at",
                &[(&p).into(), (&text).into(), now.into()],
            )
        })?;
        self.settings.patterns.write().unwrap_or_else(|e| e.into_inner()).insert(province, parsed);
        Ok(())
    }

    pub fn set_rule(&self, province: &str, procedure: &str, update: RuleUpdate) -> AppResult<RuleSetting> {
        let province = check_province(province)?;
        let procedure = procedure.trim().to_string();
        if self.catalog().get(&procedure).is_none() {
            return Err(AppError::new(
                Code::UnknownProcedure,
                format!("không có thủ tục mã \"{procedure}\""),
            ));
        }
        if let Some(Some(fee)) = update.fee_vnd {
            if !(0..=1_000_000_000_000).contains(&fee) {
                return Err(AppError::new(Code::InvalidFee, "mức phí phải từ 0 đến 1.000.000.000.000 đồng"));
            }
        }
        let key = (province.clone(), procedure.clone());
        let mut rule = self
            .settings
            .rules
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned()
            .unwrap_or(RuleSetting { procedure_code: procedure.clone(), ..RuleSetting::default() });
        if let Some(v) = update.delegated_to_commune {
            rule.delegated_to_commune = v;
        }
        if let Some(v) = update.boundary_free {
            rule.boundary_free = v;
        }
        if let Some(v) = update.fee_vnd {
            rule.fee_vnd = v;
        }
        if let Some(v) = update.fee_note {
            rule.fee_note = v;
        }
        let (r, p, now) = (rule.clone(), province.clone(), self.now());
        self.store.write(move |c| {
            c.exec(
                "INSERT INTO province_procedure_rules (province_code, procedure_code, delegated_to_commune, boundary_free, fee_vnd, fee_note, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (province_code, procedure_code) DO UPDATE SET delegated_to_commune = excluded.delegated_to_commune,
                 boundary_free = excluded.boundary_free, fee_vnd = excluded.fee_vnd, fee_note = excluded.fee_note, updated_at = excluded.updated_at",
                &[
                    (&p).into(),
                    (&r.procedure_code).into(),
                    r.delegated_to_commune.into(),
                    r.boundary_free.into(),
                    r.fee_vnd.map(Val::Int).unwrap_or(Val::Null),
                    r.fee_note.clone().into(),
                    now.into(),
                ],
            )
        })?;
        self.settings.rules.write().unwrap_or_else(|e| e.into_inner()).insert(key, rule.clone());
        Ok(rule)
    }
}
