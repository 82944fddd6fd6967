//! What a writer's jobs write through: the writer's connection, plus two things that keep a
//! transaction's hold on its hot rows short.
//!
//! Every intake at a desk takes the desk's next dossier number and adds to the same rows of
//! statistics; a row written in a transaction stays locked until its commit. Written in place,
//! those rows are locked from a batch's first write to its commit, and the writers' batches
//! (several connections, several servers) run one after the other, each waiting for the
//! other's commit (measured on PostgreSQL: two fifths of the writers' time went to that wait).
//! So:
//! - additions to statistics ([`Conn::add_at_commit`]) are summed in memory per row and
//!   written just before the COMMIT, in one order (so that two writers never wait for each
//!   other in a circle), one statement per row and batch;
//! - on PostgreSQL the numbers ([`Conn::next_number`]) that a batch's writes said they would
//!   take are taken together just before its transaction, in a transaction of their own
//!   committed at once ([`Conn::begin_tracked_after`]): the counters' rows are held for
//!   microseconds.
//!   That commit need not wait for the disk: the batch that uses the numbers commits after it
//!   on the same connection, and PostgreSQL's log is written in order, so the numbers are on
//!   disk whenever a dossier carrying one is. A number is never given twice; when a batch
//!   fails, its writes run again one by one with the same numbers, and the number of a write
//!   refused is skipped.

use crate::conn::{Conn, Outcome};
use crate::value::{Row, Val};
use crate::{Dialect, StoreError};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Additions waiting for the commit: per statement and key, the sums so far, kept in the order
/// they are written (by statement, then key: one order for every writer).
#[derive(Default)]
struct Sums(BTreeMap<(String, Vec<Val>), Vec<Val>>);

impl Sums {
    fn add(&mut self, sql: &str, mut params: Vec<Val>, keys: usize) -> Result<(), StoreError> {
        let counts = params.split_off(keys.min(params.len()));
        let have = match self.0.entry((sql.to_string(), params)) {
            Entry::Vacant(e) => {
                e.insert(counts);
                return Ok(());
            }
            Entry::Occupied(e) => e.into_mut(),
        };
        if have.len() != counts.len() {
            return Err(StoreError::Database(format!("số tham số cộng dồn không khớp: {sql}")));
        }
        for (have, add) in have.iter_mut().zip(&counts) {
            match (have, add) {
                (Val::Int(a), Val::Int(b)) => *a += b,
                _ => return Err(StoreError::Database(format!("chỉ cộng dồn được số nguyên: {sql}"))),
            }
        }
        Ok(())
    }

    /// Each row's statement and parameters (its key, then its sums), in the order to write.
    fn into_ordered(self) -> impl Iterator<Item = (String, Vec<Val>)> {
        self.0.into_iter().map(|((sql, mut params), counts)| {
            params.extend(counts);
            (sql, params)
        })
    }
}

/// Numbers taken for a batch's writes before its transaction (PostgreSQL), per counter, in
/// the order they are to be given. A transaction that fails gives back what it drew (see the
/// writer), so that the batch's writes run again one by one take the same numbers.
#[derive(Clone, Default)]
pub(crate) struct Reserved(HashMap<String, VecDeque<i64>>);

impl Reserved {
    /// Takes the numbers `counters` asks (a counter's key once per number) beyond what is
    /// held, in a transaction of its own (see the module's note) and one statement, then begins
    /// the writer's transaction (on PostgreSQL in the same round trip); returns its id
    /// ([`Conn::begin_tracked`]). SQLite takes its numbers in the transaction: nothing is
    /// reserved.
    pub(crate) fn top_up_and_begin<'k>(
        &mut self,
        conn: &mut dyn Conn,
        counters: impl Iterator<Item = &'k str>,
    ) -> Result<Option<i64>, StoreError> {
        if conn.dialect() != Dialect::Postgres {
            return conn.begin_tracked();
        }
        let mut missing: Vec<(&str, i64)> = vec![];
        for key in counters {
            match missing.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => missing.push((key, 1)),
            }
        }
        for (key, n) in &mut missing {
            *n -= self.0.get(*key).map_or(0, |q| q.len() as i64);
        }
        missing.retain(|(_, n)| *n > 0);
        if missing.is_empty() {
            return conn.begin_tracked();
        }
        // In one order for every writer: two reservations never wait for each other in a circle.
        missing.sort_unstable();
        let keys: Vec<&str> = missing.iter().map(|(k, _)| *k).collect();
        let counts: Vec<String> = missing.iter().map(|(_, n)| n.to_string()).collect();
        let params = [Val::Text(keys.join("\n")), Val::Text(counts.join(","))];
        let (rows, id) = conn.begin_tracked_after(RESERVE_NUMBERS, &params)?;
        for r in rows {
            let (key, last): (String, i64) = (r.col("key")?, r.col("value")?);
            let n = missing.iter().find(|(k, _)| *k == key).map_or(0, |(_, n)| *n);
            self.0.entry(key.to_string()).or_default().extend(last - n + 1..=last);
        }
        Ok(id)
    }

    fn next(&mut self, key: &str) -> Option<i64> {
        self.0.get_mut(key)?.pop_front()
    }
}

/// Adds to several counters at once: `$1` their keys (one per line), `$2` how much to each
/// (comma-separated); answers each counter's new value.
const RESERVE_NUMBERS: &str = "INSERT INTO counters (key, value) \
     SELECT k, CAST(n AS BIGINT) FROM unnest(string_to_array($1, E'\\n'), string_to_array($2, ',')) AS t(k, n) \
     ON CONFLICT (key) DO UPDATE SET value = counters.value + excluded.value RETURNING key, value";

/// A transaction of the writer, as its jobs see it.
pub(crate) struct Tx<'a> {
    conn: &'a mut dyn Conn,
    reserved: &'a mut Reserved,
    sums: Sums,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(conn: &'a mut dyn Conn, reserved: &'a mut Reserved) -> Tx<'a> {
        Tx { conn, reserved, sums: Sums::default() }
    }

    /// Writes the summed additions; the COMMIT follows (on PostgreSQL in the same round trip).
    pub(crate) fn write_sums(self) -> Result<(), StoreError> {
        let conn = self.conn;
        self.sums.into_ordered().try_for_each(|(sql, params)| conn.exec_later(&sql, params))
    }
}

impl Conn for Tx<'_> {
    fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.conn.batch(sql)
    }
    fn exec(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError> {
        self.conn.exec(sql, params)
    }
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError> {
        self.conn.query(sql, params)
    }
    fn is_broken(&self) -> bool {
        self.conn.is_broken()
    }
    fn exec_later(&mut self, sql: &str, params: Vec<Val>) -> Result<(), StoreError> {
        self.conn.exec_later(sql, params)
    }
    fn exec_later_expecting(&mut self, sql: &str, params: Vec<Val>, rows: u64) -> Result<(), StoreError> {
        self.conn.exec_later_expecting(sql, params, rows)
    }
    fn add_at_commit(&mut self, sql: &str, params: Vec<Val>, keys: usize) -> Result<(), StoreError> {
        self.sums.add(sql, params, keys)
    }
    fn next_number(&mut self, key: &str) -> Result<i64, StoreError> {
        // A number not reserved is taken in the transaction (SQLite; a write that did not
        // say it would take one).
        match self.reserved.next(key) {
            Some(n) => Ok(n),
            None => self.conn.next_number(key),
        }
    }
    fn begin_tracked(&mut self) -> Result<Option<i64>, StoreError> {
        self.conn.begin_tracked()
    }
    fn transaction_outcome(&mut self, id: i64) -> Result<Outcome, StoreError> {
        self.conn.transaction_outcome(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Val {
        Val::Text(s.into())
    }

    #[test]
    fn additions_to_one_row_are_summed_and_rows_come_out_in_key_order() {
        let mut s = Sums::default();
        s.add("B", vec![text("u2"), Val::Int(1), Val::Int(0)], 1).unwrap();
        s.add("A", vec![text("u9"), Val::Int(1)], 1).unwrap();
        s.add("B", vec![text("u1"), Val::Int(1), Val::Int(2)], 1).unwrap();
        s.add("B", vec![text("u2"), Val::Int(3), Val::Int(4)], 1).unwrap();
        let rows: Vec<(String, Vec<Val>)> = s.into_ordered().collect();
        assert_eq!(
            rows,
            vec![
                ("A".to_string(), vec![text("u9"), Val::Int(1)]),
                ("B".to_string(), vec![text("u1"), Val::Int(1), Val::Int(2)]),
                ("B".to_string(), vec![text("u2"), Val::Int(4), Val::Int(4)]),
            ]
        );
    }

    #[test]
    fn an_addition_that_is_not_a_number_is_refused() {
        let mut s = Sums::default();
        s.add("A", vec![text("u"), text("x")], 1).unwrap();
        assert!(s.add("A", vec![text("u"), text("y")], 1).is_err());
        assert!(s.add("A", vec![text("u")], 1).is_err());
    }

    /// A PostgreSQL connection that answers reservations and records what it was asked.
    struct Counters {
        asked: Vec<Vec<Val>>,
        values: HashMap<String, i64>,
    }

    impl Conn for Counters {
        fn dialect(&self) -> Dialect {
            Dialect::Postgres
        }
        fn batch(&mut self, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
        fn exec(&mut self, _: &str, _: &[Val]) -> Result<u64, StoreError> {
            Ok(0)
        }
        fn query(&mut self, _: &str, _: &[Val]) -> Result<Vec<Row>, StoreError> {
            Ok(vec![])
        }
        fn begin_tracked_after(
            &mut self,
            sql: &str,
            params: &[Val],
        ) -> Result<(Vec<Row>, Option<i64>), StoreError> {
            assert_eq!(sql, RESERVE_NUMBERS);
            self.asked.push(params.to_vec());
            let (Val::Text(keys), Val::Text(counts)) = (&params[0], &params[1]) else { panic!("{params:?}") };
            Ok(keys
                .split('\n')
                .zip(counts.split(','))
                .map(|(k, n)| {
                    let v = self.values.entry(k.to_string()).or_default();
                    *v += n.parse::<i64>().unwrap();
                    Row(vec![text(k), Val::Int(*v)], crate::Columns::new(["key", "value"]))
                })
                .collect::<Vec<_>>())
            .map(|rows| (rows, None))
        }
    }

    #[test]
    fn numbers_are_reserved_in_key_order_and_only_what_is_missing() {
        let mut c = Counters { asked: vec![], values: HashMap::from([("b".to_string(), 7)]) };
        let mut r = Reserved::default();
        r.top_up_and_begin(&mut c, ["c", "b", "a", "b"].into_iter()).unwrap();
        // Every writer locks the counters' rows in one order.
        assert_eq!(c.asked, [vec![text("a\nb\nc"), text("1,2,1")]]);
        assert_eq!((r.next("b"), r.next("b"), r.next("b")), (Some(8), Some(9), None));
        // What is still held is not asked again.
        r.top_up_and_begin(&mut c, ["a", "c", "a"].into_iter()).unwrap();
        assert_eq!(c.asked[1], vec![text("a"), text("1")]);
        assert_eq!((r.next("a"), r.next("a"), r.next("c")), (Some(1), Some(2), Some(1)));
    }

    #[test]
    fn numbers_order_as_numbers() {
        assert!(Val::Int(9) < Val::Int(10));
    }
}
