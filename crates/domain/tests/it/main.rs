//! The domain's integration tests, in one binary: the workflow's invariants under random
//! actions (`properties`), and the national records read into the catalog (`national`).

mod national;
mod properties;
