//! Runs the FTP listing parsers over a corpus of real-world `LIST` and `MLSD` lines (tests/data/listings.tsv),
//! checking every parsed field, and makes sure no mangled version of those lines can make them panic.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use ferry::backend::ftp_listing::{parse_list_line, parse_listing, parse_mlsd_line};
use ferry::model::{Entry, EntryKind};

/// The corpus needs at least this many cases to be worth its name.
const MIN_CASES: usize = 80;

/// The "now" that resolves year-less dates, as the comment at the top of the TSV says.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).single().expect("a valid date")
}

/// Which parser a line is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    List,
    Mlsd,
}

/// The fields of an entry the corpus pins down (owner and group are not part of it).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fields {
    name: String,
    kind: EntryKind,
    size: Option<u64>,
    modified: Option<DateTime<Utc>>,
    permissions: Option<u32>,
    link_target: Option<String>,
}

impl Fields {
    fn of(entry: Entry) -> Fields {
        Fields {
            name: entry.name,
            kind: entry.kind,
            size: entry.size,
            modified: entry.modified,
            permissions: entry.permissions,
            link_target: entry.link_target,
        }
    }
}

/// One line of the corpus.
#[derive(Debug)]
struct Case {
    /// 1-based line number in the TSV file.
    line_no: usize,
    format: Format,
    line: String,
    /// `None` when the line must give no entry.
    expected: Option<Fields>,
}

/// Reads the corpus, panicking with every malformed line at once.
fn load_corpus() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/listings.tsv");
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {path}: {error}"));
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        match parse_case(raw) {
            Ok((format, line, expected)) => {
                // EPLF separates the facts from the name with a TAB, which the TSV cannot hold.
                let line = line.replace("\\t", "\t");
                cases.push(Case { line_no, format, line, expected })
            }
            Err(error) => errors.push(format!("{path}:{line_no}: {error}: {raw:?}")),
        }
    }
    assert!(errors.is_empty(), "malformed corpus lines:\n{}", errors.join("\n"));
    cases
}

/// Parses one TSV row: format, line, name, kind, size, modified, permissions, link_target.
fn parse_case(raw: &str) -> Result<(Format, String, Option<Fields>), String> {
    let fields: Vec<&str> = raw.split('\t').collect();
    let [format, line, name, kind, size, modified, permissions, link_target] = fields[..] else {
        return Err(format!("expected 8 tab-separated fields, found {}", fields.len()));
    };
    let format = match format {
        "list" => Format::List,
        "mlsd" => Format::Mlsd,
        other => return Err(format!("unknown format {other:?}")),
    };
    let kind = match kind {
        "file" => EntryKind::File,
        "dir" => EntryKind::Dir,
        "symlink" => EntryKind::Symlink,
        "other" => EntryKind::Other,
        "none" => {
            if [name, size, modified, permissions, link_target].iter().any(|field| *field != "-") {
                return Err("a `none` case must have - in every later field".to_string());
            }
            return Ok((format, line.to_string(), None));
        }
        other => return Err(format!("unknown kind {other:?}")),
    };
    let optional = |field: &str| (field != "-").then(|| field.to_string());
    let size = optional(size).map(|size| size.parse::<u64>().map_err(|e| format!("size {size:?}: {e}"))).transpose()?;
    let modified = optional(modified)
        .map(|text| {
            if !text.ends_with('Z') {
                return Err(format!("modified {text:?} must be UTC, ending in Z"));
            }
            DateTime::parse_from_rfc3339(&text)
                .map(|time| time.with_timezone(&Utc))
                .map_err(|e| format!("modified {text:?}: {e}"))
        })
        .transpose()?;
    let permissions = optional(permissions)
        .map(|text| u32::from_str_radix(&text, 8).map_err(|e| format!("permissions {text:?}: {e}")))
        .transpose()?;
    let expected =
        Fields { name: name.to_string(), kind, size, modified, permissions, link_target: optional(link_target) };
    Ok((format, line.to_string(), Some(expected)))
}

/// Writes `fields` the way the TSV does, so a reviewed result can be pasted into the corpus.
fn describe(fields: Option<&Fields>) -> String {
    let Some(fields) = fields else {
        return "-\tnone\t-\t-\t-\t-".to_string();
    };
    let kind = match fields.kind {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "symlink",
        EntryKind::Other => "other",
    };
    let dash = || "-".to_string();
    [
        fields.name.clone(),
        kind.to_string(),
        fields.size.map_or_else(dash, |size| size.to_string()),
        fields.modified.map_or_else(dash, |time| time.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        fields.permissions.map_or_else(dash, |mode| format!("{mode:04o}")),
        fields.link_target.clone().unwrap_or_else(dash),
    ]
    .join("\t")
}

/// The names of the fields that differ between `expected` and `actual`.
fn differing_fields(expected: Option<&Fields>, actual: Option<&Fields>) -> Vec<&'static str> {
    let (Some(expected), Some(actual)) = (expected, actual) else {
        return vec!["entry"];
    };
    [
        ("name", expected.name != actual.name),
        ("kind", expected.kind != actual.kind),
        ("size", expected.size != actual.size),
        ("modified", expected.modified != actual.modified),
        ("permissions", expected.permissions != actual.permissions),
        ("link_target", expected.link_target != actual.link_target),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect()
}

#[test]
fn corpus_lines_parse_as_expected() {
    let cases = load_corpus();
    assert!(cases.len() >= MIN_CASES, "the corpus has {} cases, fewer than {MIN_CASES}", cases.len());

    let mut report = String::new();
    let mut failures = 0;
    for case in &cases {
        let entry = match case.format {
            Format::List => parse_list_line(&case.line, now()),
            Format::Mlsd => parse_mlsd_line(&case.line),
        };
        let actual = entry.map(Fields::of);
        if actual == case.expected {
            continue;
        }
        failures += 1;
        let differing = differing_fields(case.expected.as_ref(), actual.as_ref()).join(", ");
        let format = if case.format == Format::List { "list" } else { "mlsd" };
        let _ = writeln!(report, "line {} ({format}, {differing} differ): {:?}", case.line_no, case.line);
        let _ = writeln!(report, "    expected: {:?}", describe(case.expected.as_ref()));
        let _ = writeln!(report, "    actual:   {:?}", describe(actual.as_ref()));
    }
    assert!(failures == 0, "{failures} of {} corpus cases failed:\n{report}", cases.len());
}

/// Calls every parser on `input` and reports whether any of them panicked.
fn panics(input: &str) -> bool {
    let now = now();
    catch_unwind(AssertUnwindSafe(|| {
        let _ = parse_list_line(input, now);
        let _ = parse_mlsd_line(input);
        let lines = [input.to_string()];
        let _ = parse_listing(&lines, false, now);
        let _ = parse_listing(&lines, true, now);
    }))
    .is_err()
}

#[test]
fn mangled_corpus_lines_never_panic() {
    let cases = load_corpus();
    let mut panicked = Vec::new();
    let mut inputs = 0;
    for case in &cases {
        let line = case.line.as_str();
        let boundaries = line.char_indices().map(|(index, _)| index).chain([line.len()]);
        for at in boundaries {
            let (head, tail) = line.split_at(at);
            let mut variants = vec![head.to_string()];
            variants.extend(['\r', '\n', ' ', '\t', '\0'].map(|inserted| format!("{head}{inserted}{tail}")));
            for input in variants {
                inputs += 1;
                if panics(&input) {
                    panicked.push(format!("line {}: {input:?}", case.line_no));
                }
            }
        }
    }
    assert!(
        panicked.is_empty(),
        "{} of {inputs} mangled inputs made a parser panic:\n{}",
        panicked.len(),
        panicked.join("\n")
    );
}
