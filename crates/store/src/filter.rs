//! The conditions of a query built from a user's filters: each written with `?` for its
//! values, numbered `$1, $2…` in the order they are added, joined by AND.

use crate::value::Val;

/// `sql` with its `?`s numbered `$first, $first+1…` in order.
pub fn numbered(sql: &str, first: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    for (i, part) in sql.split('?').enumerate() {
        if i > 0 {
            out.push_str(&format!("${}", first + i - 1));
        }
        out.push_str(part);
    }
    out
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    conds: Vec<String>,
    params: Vec<Val>,
}

impl Filter {
    /// Adds a condition whose `?`s take `vals`, in order. A count that does not match is a
    /// bug of the caller's: the condition is then not added and the filter matches nothing,
    /// so that a mistake never widens what a query returns.
    pub fn and(&mut self, cond: &str, vals: impl IntoIterator<Item = Val>) {
        let vals: Vec<Val> = vals.into_iter().collect();
        if cond.matches('?').count() != vals.len() {
            tracing::error!(condition = cond, values = vals.len(), "điều kiện lọc không khớp số giá trị");
            self.conds.push("1 = 0".into());
            return;
        }
        self.conds.push(numbered(cond, self.params.len() + 1));
        self.params.extend(vals);
    }

    /// The conditions joined by AND (`TRUE` without any), for after a `WHERE`.
    pub fn conditions(&self) -> String {
        if self.conds.is_empty() {
            return "TRUE".into();
        }
        self.conds.join(" AND ")
    }

    /// The values of the conditions, in order.
    pub fn params(&self) -> &[Val] {
        &self.params
    }

    /// The values, then `more` (a page's limit and offset), with the placeholder of the first
    /// of `more` (`$n`).
    pub fn params_then(&self, more: impl IntoIterator<Item = Val>) -> (Vec<Val>, usize) {
        let mut all = self.params.clone();
        let next = all.len() + 1;
        all.extend(more);
        (all, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_numbered_in_the_order_they_are_added() {
        let mut f = Filter::default();
        assert_eq!(f.conditions(), "TRUE");
        f.and("province_code = ?", [Val::from("48")]);
        f.and("(receiving_unit = ? OR handling_unit = ?)", [Val::from("20242"), Val::from("20242")]);
        f.and("status IN (2, 4)", []);
        assert_eq!(
            f.conditions(),
            "province_code = $1 AND (receiving_unit = $2 OR handling_unit = $3) AND status IN (2, 4)"
        );
        assert_eq!(f.params().len(), 3);
        let (all, next) = f.params_then([Val::Int(50), Val::Int(0)]);
        assert_eq!((all.len(), next), (5, 4));
    }

    #[test]
    fn a_condition_whose_values_do_not_match_matches_nothing() {
        let mut f = Filter::default();
        f.and("province_code = ?", [Val::from("48")]);
        f.and("unit = ? OR unit = ?", [Val::from("1")]);
        assert_eq!(f.conditions(), "province_code = $1 AND 1 = 0");
        assert_eq!(f.params().len(), 1);
    }
}
