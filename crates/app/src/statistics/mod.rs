//! What leaders read: the figures of a unit over a period, the service index, trends and
//! per-procedure cuts, and the period report as a workbook.

pub mod breakdown;
pub mod figures;
pub mod report;
pub mod spreadsheet;

crate::capability! {
    /// Statistics: figures, index, trend, breakdowns and reports.
    Statistics, statistics
}
