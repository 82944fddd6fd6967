//! Kinds of units and the type words that name them ("Phường", "Huyện", "Tỉnh"...).

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProvinceKind {
    /// Tỉnh
    Tinh,
    /// Thành phố trực thuộc trung ương
    ThanhPho,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DistrictKind {
    Quan,
    Huyen,
    ThiXa,
    ThanhPho,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CommuneKind {
    Phuong,
    Xa,
    DacKhu,
    /// Thị trấn: only before 2025.
    ThiTran,
}

/// Splits an official full name into its type word and its proper name:
/// "Thành phố Hồ Chí Minh" → ("Thành phố", "Hồ Chí Minh"). Unknown prefixes give ("", name).
pub fn split_type(name: &str) -> (&str, &str) {
    const PREFIXES: [&str; 11] = [
        "Thành phố ",
        "Thành Phố ",
        "Thị trấn ",
        "Thị xã ",
        "Thị Xã ",
        "Đặc khu ",
        "Phường ",
        "Huyện ",
        "Tỉnh ",
        "Quận ",
        "Xã ",
    ];
    for p in PREFIXES {
        if let Some(rest) = name.strip_prefix(p) {
            return (p.trim_end(), rest);
        }
    }
    ("", name)
}

pub(crate) fn commune_kind(type_word: &str) -> Option<CommuneKind> {
    Some(match type_word {
        "Phường" => CommuneKind::Phuong,
        "Xã" => CommuneKind::Xa,
        "Đặc khu" => CommuneKind::DacKhu,
        "Thị trấn" => CommuneKind::ThiTran,
        _ => return None,
    })
}

pub(crate) fn district_kind(type_word: &str) -> Option<DistrictKind> {
    Some(match type_word {
        "Quận" => DistrictKind::Quan,
        "Huyện" => DistrictKind::Huyen,
        "Thị xã" | "Thị Xã" => DistrictKind::ThiXa,
        "Thành phố" | "Thành Phố" => DistrictKind::ThanhPho,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_type_words() {
        assert_eq!(split_type("Thành phố Hồ Chí Minh"), ("Thành phố", "Hồ Chí Minh"));
        assert_eq!(split_type("Phường 12"), ("Phường", "12"));
        assert_eq!(split_type("Bà Rịa"), ("", "Bà Rịa"));
    }
}
