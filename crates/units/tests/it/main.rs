//! The unit registry's integration tests, in one binary: the address forms people write
//! (`forms`), and every unit and lineage read back through the parser (`roundtrip`).

mod forms;
mod roundtrip;
