//! The Vietnamese working calendar of the public service. Pure: no IO, no async.
//!
//! - [`lunar`]: the lunisolar calendar for UTC+7, computed from astronomy;
//! - [`holidays`]: statutory holidays as rules, compensatory days, and each year's decided
//!   days as data;
//! - [`WorkCalendar`]: which days and hours are working time;
//! - [`deadline`]: legal time limits (working days, days, working hours, same day), pauses and
//!   extensions, each computation explained step by step in Vietnamese.

mod astro;
pub mod lunar;

pub use lunar::{to_lunar, to_solar, LunarDate};
mod error;
pub mod holidays;
mod hours;
mod workcal;

pub use error::CalendarError;
pub use holidays::{DayKind, DecidedDay, DecidedDays};
pub use hours::OfficeHours;
pub use workcal::{weekday_vi, DayInfo, Reason, WorkCalendar};
pub mod deadline;

pub use deadline::{Deadline, Pause, TimeLimit};
