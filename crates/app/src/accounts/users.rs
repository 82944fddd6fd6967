//! Accounts: a username, a role, a unit, and an argon2id hash of the password.

use crate::{Accounts, AppError, AppResult};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::NaiveDateTime;
use domain::roles::Role;
use errors::Code;
use serde::Serialize;
use store::{StoreError, Val};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub username: String,
    pub full_name: Option<String>,
    pub role: Role,
    pub unit_code: String,
    pub province_code: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    /// For department staff: which department (`domain::proposal::DEPARTMENTS`).
    pub department_code: Option<String>,
    /// Chức vụ, as the unit writes it.
    pub position: Option<String>,
}

fn check_username(u: &str) -> AppResult<String> {
    let u = u.trim().to_lowercase();
    let ok = (3..=32).contains(&u.len())
        && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && u.starts_with(|c: char| c.is_ascii_alphanumeric());
    if !ok {
        return Err(AppError::new(
            Code::InvalidUsername,
            "tên đăng nhập gồm 3 đến 32 ký tự: chữ không dấu, số, dấu chấm, gạch nối, gạch dưới",
        ));
    }
    Ok(u)
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes).
pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::new(Code::InvalidPassword, format!("không băm được mật khẩu: {e}")))
}

impl Accounts<'_> {
    /// Disables an account (an official who left or moved) or enables it again. A disabled
    /// account cannot sign in and is never assigned work; its sessions end at once, here and,
    /// within the 30 seconds after which every server re-reads a session's account, on the
    /// others. For the console, or an administrator of the account's unit or province.
    pub fn set_active(&self, username: &str, active: bool, actor: &crate::Actor) -> AppResult<User> {
        let Some((user, _)) = self.user(username)? else {
            return Err(AppError::new(
                Code::UserNotFound,
                format!("không có tài khoản \"{}\"", username.trim()),
            ));
        };
        let console = actor.role.is_none();
        let admin_here =
            actor.role == Some(Role::Admin) && crate::accounts::staff::sees_unit(actor, &user.unit_code);
        if !(console || admin_here) || user.username == actor.username {
            return Err(AppError::new(
                Code::AdminOnly,
                "chỉ quản trị của đơn vị (hoặc tại máy chủ) được khoá hay mở tài khoản, và không khoá chính mình",
            ));
        }
        let name = user.username.clone();
        self.app.store.write(move |c| {
            c.exec("UPDATE users SET active = $1 WHERE username = $2", &[active.into(), (&name).into()])?;
            if !active {
                c.exec("DELETE FROM sessions WHERE username = $1", &[(&name).into()])?;
            }
            Ok(())
        })?;
        if !active {
            self.forget_sessions_of(&user.username);
        }
        let action = if active { "account_enabled" } else { "account_disabled" };
        self.log(&actor.username, action, Some(&user.username), None, None);
        Ok(User { active, ..user })
    }

    pub fn add_user(
        &self,
        username: &str,
        role: Role,
        unit_code: &str,
        password: &str,
        full_name: Option<&str>,
    ) -> AppResult<User> {
        let username = check_username(username)?;
        let reg = units::registry();
        let unit = unit_code.trim();
        let province = match (reg.commune(unit), reg.province(unit)) {
            (Some(c), _) => reg.province_of(c).code,
            (None, Some(p)) => p.code,
            // A national account belongs to no province: its scope holds no dossier.
            _ if unit == domain::roles::NATION => domain::roles::NATION,
            _ => {
                return Err(AppError::new(
                    Code::UnknownUnit,
                    format!("không có xã, phường hay tỉnh mã \"{unit}\""),
                ))
            }
        };
        let unit = reg.commune(unit).map(|c| c.code).or(reg.province(unit).map(|p| p.code)).unwrap_or(unit);
        if !role.fits_unit(unit) {
            return Err(AppError::new(
                Code::RoleUnitMismatch,
                format!("vai trò {} ({}) không thuộc đơn vị mã {unit}", role.code(), role.label()),
            ));
        }
        if password.chars().count() < 8 || password.len() > 1024 {
            return Err(AppError::new(Code::WeakPassword, "mật khẩu cần từ 8 ký tự trở lên"));
        }
        let hash = hash_password(password)?;
        let user = User {
            username,
            full_name: full_name.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string),
            role,
            unit_code: unit.to_string(),
            province_code: province.to_string(),
            active: true,
            created_at: self.app.now(),
            department_code: None,
            position: None,
        };
        let u = user.clone();
        let r = self.app.store.write(move |c| {
            c.exec(
                "INSERT INTO users (username, full_name, role, unit_code, province_code, password_hash, active, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    (&u.username).into(),
                    u.full_name.clone().into(),
                    u.role.code().into(),
                    (&u.unit_code).into(),
                    (&u.province_code).into(),
                    (&hash).into(),
                    true.into(),
                    u.created_at.into(),
                ],
            )
        });
        match r {
            Ok(_) => Ok(user),
            Err(StoreError::Constraint(_)) => {
                Err(AppError::new(Code::UserExists, format!("tên đăng nhập \"{}\" đã có", user.username)))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Accounts that cannot sign in (no password hash matches): the staff a simulated trial
    /// assigns dossiers to. Existing accounts are left as they are.
    pub(crate) fn add_accounts_without_login(&self, accounts: &[(String, Role, String)]) -> AppResult<()> {
        let reg = units::registry();
        let now = self.app.now();
        let rows: Vec<Vec<Val>> = accounts
            .iter()
            .filter_map(|(name, role, unit)| {
                let province = reg
                    .commune(unit)
                    .map(|c| reg.province_of(c).code)
                    .or(reg.province(unit).map(|p| p.code))?;
                Some(vec![
                    name.into(),
                    role.code().into(),
                    unit.into(),
                    province.into(),
                    "!".into(),
                    true.into(),
                    now.into(),
                ])
            })
            .collect();
        self.app.store.write(move |c| {
            for r in &rows {
                c.exec(
                    "INSERT INTO users (username, role, unit_code, province_code, password_hash, active, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING",
                    r,
                )?;
            }
            Ok(())
        })?;
        Ok(())
    }

    pub fn user(&self, username: &str) -> AppResult<Option<(User, String)>> {
        let name = username.trim().to_lowercase();
        let row = self.app.store.read(|c| {
            c.query_one(
                "SELECT username, full_name, role, unit_code, province_code, active, created_at, password_hash, department_code, position FROM users WHERE username = $1",
                &[Val::Text(name.clone())],
            )
        })?;
        let Some(r) = row else { return Ok(None) };
        let role: String = r.col("role")?;
        let user = User {
            username: r.col("username")?,
            full_name: r.col("full_name")?,
            role: role.parse().map_err(|_| {
                AppError::internal(Code::CorruptRecord, format!("vai trò \"{role}\" không có"))
            })?,
            unit_code: r.col("unit_code")?,
            province_code: r.col("province_code")?,
            active: r.col("active")?,
            created_at: r.col("created_at")?,
            department_code: r.col("department_code")?,
            position: r.col("position")?,
        };
        Ok(Some((user, r.col("password_hash")?)))
    }

    /// Checks a username and password. The same answer for an unknown user and a wrong
    /// password, so that accounts cannot be discovered.
    pub fn authenticate(&self, username: &str, password: &str) -> AppResult<User> {
        let denied = || AppError::new(Code::InvalidCredentials, "sai tên đăng nhập hoặc mật khẩu");
        let Some((user, hash)) = self.user(username)? else {
            // Spend the same time as a real check.
            let _ = hash_password(password);
            return Err(denied());
        };
        let parsed = PasswordHash::new(&hash).map_err(|_| denied())?;
        if !user.active || Argon2::default().verify_password(password.as_bytes(), &parsed).is_err() {
            return Err(denied());
        }
        Ok(user)
    }
}
