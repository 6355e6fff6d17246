//! Untrusted snapshots: every malformed input is a clear error naming the JSON Pointer, never
//! a panic, a stack overflow or a hang.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use okite_compiler::{Database, FileInput};
use okite_runtime::{DecodeOptions, Engine, EvalOptions, InputError, Outcome};

const POLICY: &str = r#"
package t

enum Kind { personal, shared, privileged }

type Account {
  key id: string
  kind: Kind
  created: date?
}

type System {
  key name: string
  min_length: int
  rate: decimal = 0
  accounts: list<Account> = []
  tags: set<string> = {}
}

facts Facility {
  key name: string
  systems: list<System> = []
}

rule strong {
  clause "14(8)"
  for s in facts.systems
  require s.min_length >= 8 else "{s.name}: {s.min_length}"
}

rule big_sum {
  for s in facts.systems
  require s.min_length * 1000000000000 > 0
}
"#;

fn engine() -> Engine {
    let db = Database::new(vec![FileInput::new("t.okite", POLICY)]);
    let program = db.compile().unwrap_or_else(|d| panic!("{d:#?}"));
    Engine::new((*program).clone()).unwrap()
}

fn issues(e: &Engine, json: &str) -> Vec<String> {
    match e.decode_json(json.as_bytes(), DecodeOptions::default()) {
        Ok(_) => Vec::new(),
        Err(InputError::Schema(issues)) => issues.iter().map(ToString::to_string).collect(),
        Err(other) => vec![other.to_string()],
    }
}

#[test]
fn wrong_types_name_the_json_pointer_and_what_was_found() {
    let e = engine();
    let got = issues(
        &e,
        r#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":"8","accounts":[{"id":"r","kind":"admin","created":"2024/01/01"}]}]}"#,
    );
    assert_eq!(
        got,
        [
            r#"/systems/0/min_length: expected int, found string "8""#,
            r#"/systems/0/accounts/0/kind: expected one of personal, shared, privileged, found string "admin""#,
            r#"/systems/0/accounts/0/created: expected date (YYYY-MM-DD) or null, found string "2024/01/01", which is not a calendar date"#,
        ]
    );
}

#[test]
fn out_of_range_numbers_and_impossible_dates_are_errors() {
    let e = engine();
    for (json, want) in [
        (
            r#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":99999999999999999999}]}"#,
            "/systems/0/min_length: expected int",
        ),
        (
            r#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":-9223372036854775808}]}"#,
            "out of range",
        ),
        (
            r#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":1.5}]}"#,
            "expected int, found decimal 1.5",
        ),
        (
            r#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":8,"rate":1e300}]}"#,
            "/systems/0/rate",
        ),
        (r#"{"as_of":"2026-02-30","name":"x"}"#, "/as_of: expected date"),
        (
            r#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":8,"accounts":[{"id":"r","kind":"shared","created":"2023-02-29"}]}]}"#,
            "not a calendar date",
        ),
    ] {
        let got = issues(&e, json).join("\n");
        assert!(got.contains(want), "{json}\n→ {got}");
    }
}

#[test]
fn truncated_and_invalid_json_report_line_and_column() {
    let e = engine();
    for json in [
        r#"{"as_of":"2026-04-01","name":"x","systems":[{"#,
        "",
        "{",
        r#"{"as_of":"2026-04-01","name":"x"} trailing"#,
        "\u{0}\u{1}",
    ] {
        match e.decode_json(json.as_bytes(), DecodeOptions::default()) {
            Err(InputError::Syntax { message, .. }) => assert!(!message.is_empty()),
            other => panic!("{json:?} → {other:?}"),
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let e = engine();
    for depth in [200, 10_000, 100_000] {
        let json =
            format!(r#"{{"as_of":"2026-04-01","name":"x","systems":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
        assert!(e.decode_json(json.as_bytes(), DecodeOptions::default()).is_err(), "depth {depth}");
        let yaml = format!("as_of: 2026-04-01\nname: x\nsystems: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        let started = std::time::Instant::now();
        assert!(e.decode_yaml(&yaml, DecodeOptions::default()).is_err(), "yaml depth {depth}");
        // Refused up front: the YAML scanner is quadratic in flow nesting.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "yaml depth {depth} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn random_bytes_never_panic() {
    let e = engine();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let valid = br#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":8,"accounts":[{"id":"r","kind":"shared"}],"tags":["a","b"]}]}"#;
    for round in 0..3000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut bytes = valid.to_vec();
        // Mutate a few bytes of a valid snapshot, or use pure noise.
        if round % 3 == 0 {
            bytes = (0..(seed % 200)).map(|i| (seed.rotate_left(i as u32) & 0xff) as u8).collect();
        } else {
            for k in 0..(1 + seed % 4) {
                let at = (seed.rotate_left(k as u32 * 7) as usize) % bytes.len();
                bytes[at] = (seed >> (k * 8)) as u8;
            }
        }
        if let Ok(s) = e.decode_json(&bytes, DecodeOptions::default()) {
            let _ = e.evaluate(&s, &EvalOptions::default());
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = e.decode_yaml(text, DecodeOptions::default());
        }
    }
}

#[test]
fn arithmetic_overflow_is_an_error_outcome_and_other_rules_still_run() {
    let e = engine();
    let s = e
        .decode_json(
            br#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":9223372036854775}]}"#,
            DecodeOptions::default(),
        )
        .unwrap();
    let r = e.evaluate(&s, &EvalOptions::default());
    let by_name = |n: &str| r.results.iter().find(|x| x.rule.ends_with(n)).unwrap();
    assert_eq!(by_name("strong").outcome, Outcome::Pass);
    assert_eq!(by_name("big_sum").outcome, Outcome::Error);
    assert!(by_name("big_sum").reason.as_deref().unwrap_or("").contains("overflow"), "{:?}", by_name("big_sum").reason);
}

#[test]
fn a_runaway_evaluation_is_stopped_by_the_step_budget() {
    let e = engine();
    let systems: Vec<String> = (0..2000).map(|i| format!(r#"{{"name":"s{i}","min_length":8}}"#)).collect();
    let json = format!(r#"{{"as_of":"2026-04-01","name":"x","systems":[{}]}}"#, systems.join(","));
    let s = e.decode_json(json.as_bytes(), DecodeOptions::default()).unwrap();
    let r = e.evaluate(&s, &EvalOptions { step_budget: 500, ..EvalOptions::default() });
    assert!(
        r.results.iter().all(|x| x.outcome == Outcome::Error),
        "{:?}",
        r.results.iter().map(|x| x.outcome).collect::<Vec<_>>()
    );
    assert!(r.results[0].reason.as_deref().unwrap_or("").contains("budget"));
}

#[test]
fn a_ten_megabyte_snapshot_decodes() {
    let e = engine();
    let systems: Vec<String> = (0..40_000)
        .map(|i| format!(r#"{{"name":"system-{i}","min_length":{},"accounts":[{{"id":"a{i}","kind":"personal"}}],"tags":["t{i}"]}}"#, i % 12))
        .collect();
    let json = format!(r#"{{"as_of":"2026-04-01","name":"big","systems":[{}]}}"#, systems.join(","));
    assert!(json.len() > 4_000_000);
    let s = e.decode_json(json.as_bytes(), DecodeOptions::default()).unwrap();
    let r = e.evaluate(&s, &EvalOptions::default());
    let strong = r.results.iter().find(|x| x.rule.ends_with("strong")).unwrap();
    assert_eq!(strong.findings.len(), (0..40_000).filter(|i| i % 12 < 8).count());
    assert_eq!(strong.findings[0].path, "/systems/0/min_length");
}

#[test]
fn one_engine_serves_many_threads_with_identical_results() {
    let e = engine();
    let json =
        br#"{"as_of":"2026-04-01","name":"x","systems":[{"name":"a","min_length":6},{"name":"b","min_length":9}]}"#;
    let expected = e.evaluate(&e.decode_json(json, DecodeOptions::default()).unwrap(), &EvalOptions::default());
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..50 {
                    let s = e.decode_json(json, DecodeOptions::default()).unwrap();
                    assert_eq!(e.evaluate(&s, &EvalOptions::default()), expected);
                }
            });
        }
    });
}
