//! secdesk's fuzz targets (see `targets.rs`); `src/bin/*` hands each one to
//! AFL++, `tests/fuzz.rs` in the main crate replays the saved inputs.

#[path = "targets.rs"]
pub mod targets;
