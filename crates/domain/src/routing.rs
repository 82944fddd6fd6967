//! Which agency handles a dossier received at a commune's desk.

use crate::catalog::Level;
use crate::dossier::DomainError;
use errors::Code;

/// What a province has published about a procedure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProvinceRule {
    /// Delegated (ủy quyền) by the province to its communes.
    pub delegated_to_commune: bool,
    /// Accepted at any commune of the province, regardless of administrative boundary.
    pub boundary_free: bool,
}

/// A unit as routing needs it: its code and its province's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place<'a> {
    pub code: &'a str,
    pub province: &'a str,
    pub name: &'a str,
}

/// Where the dossier goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub receiving: String,
    pub handling: String,
    pub province: String,
}

/// Routes a dossier received at `desk` for an applicant living in `home` (when the address
/// was resolved with confidence). Commune-level procedures belong to the home commune unless
/// the province accepts them regardless of boundary; province-level ones are received at the
/// commune and handled by the province, unless delegated to the commune.
pub fn route(
    level: Level,
    rule: ProvinceRule,
    desk: Place,
    home: Option<Place>,
) -> Result<Route, DomainError> {
    let at_desk =
        Route { receiving: desk.code.into(), handling: desk.code.into(), province: desk.province.into() };
    let commune_level =
        matches!(level, Level::Commune | Level::CommuneAndProvince) || rule.delegated_to_commune;
    if !commune_level && level == Level::Province {
        return Ok(Route { handling: desk.province.into(), ..at_desk });
    }
    let Some(home) = home else { return Ok(at_desk) };
    if !commune_level || home.code == desk.code || (rule.boundary_free && home.province == desk.province) {
        return Ok(at_desk);
    }
    let message = if home.province == desk.province {
        format!(
            "thủ tục này thuộc thẩm quyền của {} (nơi cư trú của người nộp) và tỉnh chưa công bố tiếp nhận không phụ thuộc địa giới hành chính; hãy nộp tại {} hoặc chọn đúng xã",
            home.name, home.name
        )
    } else {
        format!(
            "người nộp cư trú tại {} (tỉnh khác); thủ tục cấp xã này không tiếp nhận ngoài tỉnh",
            home.name
        )
    };
    Err(DomainError { code: Code::NotCompetent, message, allowed: vec![] })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESK: Place = Place { code: "20194", province: "48", name: "Phường Hải Châu" };
    const NEIGHBOUR: Place = Place { code: "20197", province: "48", name: "Phường Hòa Cường" };
    const HUE: Place = Place { code: "19753", province: "46", name: "Phường Thuận Hóa" };

    #[test]
    fn commune_procedures_go_to_the_home_commune_unless_boundary_free() {
        let strict = ProvinceRule::default();
        assert_eq!(route(Level::Commune, strict, DESK, Some(DESK)).unwrap().handling, "20194");
        assert_eq!(route(Level::Commune, strict, DESK, None).unwrap().handling, "20194");
        assert_eq!(route(Level::Commune, strict, DESK, Some(NEIGHBOUR)).unwrap_err().code, "not_competent");
        let free = ProvinceRule { boundary_free: true, ..strict };
        assert_eq!(route(Level::Commune, free, DESK, Some(NEIGHBOUR)).unwrap().handling, "20194");
        // Boundary-free stops at the province's border.
        assert_eq!(route(Level::Commune, free, DESK, Some(HUE)).unwrap_err().code, "not_competent");
    }

    #[test]
    fn province_procedures_go_up_unless_delegated() {
        let r = route(Level::Province, ProvinceRule::default(), DESK, Some(NEIGHBOUR)).unwrap();
        assert_eq!((r.receiving.as_str(), r.handling.as_str()), ("20194", "48"));
        let delegated = ProvinceRule { delegated_to_commune: true, boundary_free: false };
        assert_eq!(route(Level::Province, delegated, DESK, Some(DESK)).unwrap().handling, "20194");
    }
}
