//! Who may see what: every account belongs to a unit, and its role says at which tier it works.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// One-stop desk officer of a commune (tiếp nhận và trả kết quả).
    Officer,
    /// Commune specialist who processes dossiers (công chức chuyên môn).
    Specialist,
    /// Chairman or vice-chairman of a commune (lãnh đạo UBND xã).
    CommuneLeader,
    /// Staff of a provincial department (sở, ngành).
    Department,
    /// Provincial leadership (lãnh đạo UBND tỉnh).
    ProvinceLeader,
    /// Administrator of the unit's installation.
    Admin,
    /// Administrator of the country's shared data (the assistant's handbook, the aliases
    /// accepted into the catalog's search): of the nation ([`NATION`]), seeing no dossier.
    NationalAdmin,
    /// Who follows every province from the national instance (Văn phòng Chính phủ, the
    /// Government's leaders): of the nation, reading figures and status records, never a
    /// citizen's personal data, acting on no dossier.
    NationalLeader,
}

/// The "unit" of national accounts: no province's, no commune's.
pub const NATION: &str = "VN";

/// The tier a unit code names: the nation ([`NATION`]), a province (its two digits) or a
/// commune (its five). The one place that tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Nation,
    Province,
    Commune,
}

impl Tier {
    /// None for a code of no tier.
    pub fn of(code: &str) -> Option<Tier> {
        let digits = code.bytes().all(|b| b.is_ascii_digit());
        match code.len() {
            _ if code == NATION => Some(Tier::Nation),
            2 if digits => Some(Tier::Province),
            5 if digits => Some(Tier::Commune),
            _ => None,
        }
    }
}

/// Whether the code is a province's.
pub fn is_province(code: &str) -> bool {
    Tier::of(code) == Some(Tier::Province)
}

/// Whether the code is a commune's.
pub fn is_commune(code: &str) -> bool {
    Tier::of(code) == Some(Tier::Commune)
}

pub const ALL_ROLES: [Role; 8] = [
    Role::Officer,
    Role::Specialist,
    Role::CommuneLeader,
    Role::Department,
    Role::ProvinceLeader,
    Role::Admin,
    Role::NationalAdmin,
    Role::NationalLeader,
];

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Specialist => "specialist",
            Role::CommuneLeader => "commune_leader",
            Role::Department => "department",
            Role::ProvinceLeader => "province_leader",
            Role::Admin => "admin",
            Role::NationalAdmin => "national_admin",
            Role::NationalLeader => "national_leader",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Officer => "Cán bộ một cửa",
            Role::Specialist => "Công chức chuyên môn",
            Role::CommuneLeader => "Lãnh đạo UBND cấp xã",
            Role::Department => "Cán bộ sở, ngành",
            Role::ProvinceLeader => "Lãnh đạo UBND cấp tỉnh",
            Role::Admin => "Quản trị hệ thống",
            Role::NationalAdmin => "Quản trị dữ liệu dùng chung toàn quốc",
            Role::NationalLeader => "Lãnh đạo, chuyên viên theo dõi toàn quốc",
        }
    }

    /// Whether the role processes dossiers (the specialist's seat: a commune's công chức
    /// chuyên môn, a province department's chuyên viên): who a dossier may be assigned to.
    pub fn processes(self) -> bool {
        matches!(self, Role::Specialist | Role::Department)
    }

    /// Commune roles need a commune; province roles a province; one-stop officers and
    /// administrators either (a province has its own one-stop desk, the Trung tâm Phục vụ
    /// hành chính công).
    pub fn fits_unit(self, unit_code: &str) -> bool {
        let (commune, province) = (is_commune(unit_code), is_province(unit_code));
        match self {
            Role::Specialist | Role::CommuneLeader => commune,
            Role::Department | Role::ProvinceLeader => province,
            Role::Officer | Role::Admin => commune || province,
            Role::NationalAdmin | Role::NationalLeader => unit_code == NATION,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ALL_ROLES.into_iter().find(|r| r.code() == s).ok_or_else(|| {
            let all: Vec<_> = ALL_ROLES.iter().map(|r| r.code()).collect();
            format!("vai trò \"{s}\" không có; các vai trò: {}", all.join(", "))
        })
    }
}

/// The part of the country a caller may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Operators at the server's console.
    Everything,
    /// A national leader: the figures of every unit, and of dossiers only the status records
    /// the provinces feed the nation ([`Scope::status_records_only`]).
    Nation,
    Province(String),
    Commune {
        province: String,
        commune: String,
    },
}

impl Scope {
    /// Whether a dossier received at `receiving` (a commune, or a province's own desk) and now
    /// handled by `handling`, in `province`, is visible. A commune keeps seeing a dossier it
    /// sent up to the province: it returns the result.
    pub fn sees(&self, province: &str, receiving: &str, handling: &str) -> bool {
        match self {
            Scope::Everything | Scope::Nation => true,
            Scope::Province(p) => p == province,
            Scope::Commune { commune, .. } => commune == receiving || commune == handling,
        }
    }

    /// Whether the scope reads dossiers only as the status records provinces feed a national
    /// instance (which hold no personal data): a national account on a province's server
    /// finds none of that province's citizens.
    pub fn status_records_only(&self) -> bool {
        matches!(self, Scope::Nation)
    }

    /// Whether the scope reads the figures of every province (the nation's own unit).
    pub fn sees_nation(&self) -> bool {
        matches!(self, Scope::Everything | Scope::Nation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_codes_tier() {
        assert_eq!(Tier::of("48"), Some(Tier::Province));
        assert_eq!(Tier::of("20242"), Some(Tier::Commune));
        assert_eq!(Tier::of(NATION), Some(Tier::Nation));
        for bad in ["", "4", "482", "2024", "202420", "4a", "2024x"] {
            assert_eq!(Tier::of(bad), None, "{bad}");
        }
        assert!(!Role::Officer.fits_unit(NATION) && !Role::Admin.fits_unit("4a"));
    }

    #[test]
    fn roles_round_trip_and_fit_their_tier() {
        for r in ALL_ROLES {
            assert_eq!(r.code().parse::<Role>(), Ok(r));
        }
        assert!("mayor".parse::<Role>().unwrap_err().contains("commune_leader"));
        assert!(Role::Officer.fits_unit("20194") && Role::Officer.fits_unit("48"));
        assert!(Role::Specialist.fits_unit("20194") && !Role::Specialist.fits_unit("48"));
        assert!(Role::ProvinceLeader.fits_unit("48") && !Role::ProvinceLeader.fits_unit("20194"));
        assert!(Role::Admin.fits_unit("48") && Role::Admin.fits_unit("20194"));
        assert!(Role::NationalAdmin.fits_unit(NATION) && !Role::NationalAdmin.fits_unit("48"));
        assert!(!Role::Admin.fits_unit(NATION) && !Role::Officer.fits_unit(NATION));
        assert!(Role::NationalLeader.fits_unit(NATION) && !Role::NationalLeader.fits_unit("48"));
    }

    #[test]
    fn a_commune_sees_its_own_dossiers_only() {
        let s = Scope::Commune { province: "48".into(), commune: "20194".into() };
        assert!(s.sees("48", "20194", "20194"));
        assert!(s.sees("48", "20194", "48"), "sent up to the province, still its own");
        assert!(!s.sees("48", "20197", "20197"));
        assert!(Scope::Province("48".into()).sees("48", "20197", "20197"));
        assert!(!Scope::Province("46".into()).sees("48", "20197", "20197"));
        // The nation's figures, and its dossiers as status records only.
        assert!(Scope::Nation.sees("48", "20197", "20197") && Scope::Nation.status_records_only());
        assert!(Scope::Nation.sees_nation() && !Scope::Province("48".into()).sees_nation());
        assert!(!Scope::Everything.status_records_only());
    }
}
