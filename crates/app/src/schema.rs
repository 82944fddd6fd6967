//! Schemas of the API description for fields whose values come from a list of the domain's
//! (so that the description lists exactly what the code accepts).

use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
use utoipa::openapi::Object;

/// A string that is one of `values`.
pub fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).build()
}

/// A dossier's action (`domain::dossier::ACTIONS`).
pub fn action() -> Object {
    one_of(domain::dossier::ACTIONS.iter().copied())
}

/// A proposed result: approve or deny (or nothing).
pub fn verdict() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some([Some("approve"), Some("deny"), None]))
        .build()
}
