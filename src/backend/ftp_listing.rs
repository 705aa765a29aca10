//! TEMPORARY STUB (replaced by the real parser).
use chrono::{DateTime, Utc};
use crate::model::Entry;
pub fn parse_list_line(_line: &str, _now: DateTime<Utc>) -> Option<Entry> { None }
pub fn parse_mlsd_line(_line: &str) -> Option<Entry> { None }
pub fn parse_listing(_lines: &[String], _mlsd: bool, _now: DateTime<Utc>) -> Vec<Entry> { Vec::new() }
