//! The two-tier unit registry and address conversion.
//!
//! Units are keyed by official code, never by name: names and kinds still change. The 2025
//! units (34 provinces, 3,321 communes) and the legacy ones (63 provinces, 696 districts,
//! 10,035 communes) are compiled into the binary from `data/units/`; nothing is read at run
//! time.

pub mod address;
mod gazetteer;
mod kinds;
mod registry;

pub use address::{AddressForm, AddressParser, AltReason, Alternative, Conversion, LegacyMatch};
pub use kinds::{CommuneKind, DistrictKind, ProvinceKind};
pub use registry::{
    registry, Commune, LegacyCommune, LegacyDistrict, LegacyProvince, Province, Registry, Stats, UnitRef,
};
