//! Who carries what: the load of each official, the officer to suggest for a new dossier, and
//! the figures that compare communes' staffing.

use crate::roles::Role;
use serde::Serialize;

/// An official as the workload sees them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Official {
    pub username: String,
    pub full_name: Option<String>,
    pub role: Role,
    pub position: Option<String>,
    /// Procedure fields the official handles (empty: any).
    pub fields: Vec<String>,
    pub on_leave: bool,
    pub open: u32,
    pub overdue: u32,
    /// Dossiers finished in the last 30 days, and their mean processing time in hours.
    pub finished_30d: u32,
    pub mean_hours: Option<f64>,
}

/// The officer to assign a dossier of `field` to: an available specialist, preferring those
/// who declared that field, with the fewest open dossiers (then fewest overdue, then name).
pub fn suggest<'a>(officials: &'a [Official], field: Option<&str>) -> Option<&'a Official> {
    let available: Vec<&Official> = officials.iter().filter(|o| o.role.processes() && !o.on_leave).collect();
    let field = field.map(str::to_lowercase);
    let declared: Vec<&Official> = match &field {
        Some(f) => {
            available.iter().copied().filter(|o| o.fields.iter().any(|x| x.to_lowercase() == *f)).collect()
        }
        None => vec![],
    };
    let pool = if declared.is_empty() {
        available.into_iter().filter(|o| o.fields.is_empty() || field.is_none()).collect::<Vec<_>>()
    } else {
        declared
    };
    pool.into_iter().min_by(|a, b| (a.open, a.overdue, &a.username).cmp(&(b.open, b.overdue, &b.username)))
}

/// Officials per 10,000 residents, when the population is known.
pub fn staff_per_10k(staff: u32, population: Option<u64>) -> Option<f64> {
    population.filter(|p| *p > 0).map(|p| staff as f64 * 10_000.0 / p as f64)
}

/// Dossiers per official present (not on leave).
pub fn per_official(count: u64, present: u32) -> Option<f64> {
    (present > 0).then(|| count as f64 / present as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(name: &str, role: Role, open: u32, leave: bool, fields: &[&str]) -> Official {
        Official {
            username: name.into(),
            full_name: None,
            role,
            position: None,
            fields: fields.iter().map(|f| f.to_string()).collect(),
            on_leave: leave,
            open,
            overdue: 0,
            finished_30d: 0,
            mean_hours: None,
        }
    }

    #[test]
    fn suggests_the_least_loaded_available_qualified_specialist() {
        let staff = vec![
            o("a", Role::Specialist, 5, false, &[]),
            o("b", Role::Specialist, 1, true, &[]),
            o("c", Role::Specialist, 3, false, &[]),
            o("d", Role::Officer, 0, false, &[]),
            o("e", Role::Specialist, 9, false, &["Đất đai"]),
        ];
        assert_eq!(suggest(&staff, None).unwrap().username, "c", "b is on leave, d is not a specialist");
        assert_eq!(suggest(&staff, Some("đất đai")).unwrap().username, "e", "the one who declared the field");
        assert_eq!(suggest(&staff, Some("Hộ tịch")).unwrap().username, "c", "e handles land only");
        assert!(suggest(&staff[1..2], None).is_none());
        assert_eq!(staff_per_10k(12, Some(30_000)), Some(4.0));
        assert_eq!(staff_per_10k(12, None), None);
        assert_eq!(per_official(30, 0), None);
    }
}
