//! End-to-end tests of the `okite` binary: each case runs the binary from `tests/` and compares
//! its exit status, stdout and stderr with `tests/expected/NAME.txt`
//! (`UPDATE_EXPECT=1 cargo test --test cli` refreshes them after a reviewed change).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use expect_test::expect_file;

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Runs `okite ARGS` in `tests/`, feeding `stdin`; returns (status, stdout, stderr).
fn okite(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_okite"));
    cmd.args(args)
        .current_dir(tests_dir())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the okite binary runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().expect("stdin is piped").write_all(input).expect("stdin accepts the input");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("okite finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The one shape every case shares: run, render, compare with the expected file.
fn check(name: &str, args: &[&str]) {
    check_with_stdin(name, args, None);
}

fn check_with_stdin(name: &str, args: &[&str], stdin: Option<&[u8]>) {
    let (status, stdout, stderr) = okite(args, stdin);
    let rendered = format!("$ okite {}\nexit: {status}\n--- stdout\n{stdout}--- stderr\n{stderr}", args.join(" "));
    expect_file![format!("expected/{name}.txt")].assert_eq(&rendered);
}

const POLICY: &str = "data/policy";

#[test]
fn eval_human_with_explanations() {
    check("eval_human_explain", &["eval", "--policy", POLICY, "--explain", "data/snapshots/library.json"]);
}

#[test]
fn eval_compliant_facility_exits_zero() {
    check("eval_compliant", &["eval", "--policy", POLICY, "--verbose", "data/snapshots/compliant.json"]);
}

#[test]
fn eval_json_report() {
    check("eval_json", &["eval", "--policy", POLICY, "--format", "json", "--explain", "data/snapshots/library.json"]);
}

#[test]
fn eval_junit_report() {
    check(
        "eval_junit",
        &[
            "eval",
            "--policy",
            POLICY,
            "--format",
            "junit",
            "data/snapshots/library.json",
            "data/snapshots/compliant.json",
        ],
    );
}

#[test]
fn eval_sarif_report() {
    check("eval_sarif", &["eval", "--policy", POLICY, "--format", "sarif", "data/snapshots/library.json"]);
}

#[test]
fn a_batch_reports_broken_snapshots_and_evaluates_the_rest() {
    check("eval_batch", &["eval", "--policy", POLICY, "data/snapshots/batch"]);
}

#[test]
fn strict_mode_turns_unknown_fields_into_errors() {
    check(
        "eval_strict",
        &["eval", "--policy", POLICY, "--strict", "--format", "json", "data/snapshots/batch/c-broken.json"],
    );
}

#[test]
fn ndjson_is_one_snapshot_per_line() {
    check("eval_ndjson", &["eval", "--policy", POLICY, "--format", "json", "data/snapshots/three.ndjson"]);
}

#[test]
fn standard_input_is_a_snapshot() {
    let bytes = std::fs::read(tests_dir().join("data/snapshots/compliant.json")).expect("fixture exists");
    check_with_stdin("eval_stdin", &["eval", "--policy", POLICY, "-"], Some(&bytes));
}

#[test]
fn as_of_comes_from_the_snapshot_or_the_flag() {
    check("eval_no_as_of", &["eval", "--policy", POLICY, "data/snapshots/no-as-of.json"]);
    check("eval_as_of_flag", &["eval", "--policy", POLICY, "--as-of", "2027-06-01", "data/snapshots/no-as-of.json"]);
}

#[test]
fn waivers_waive_and_expired_waivers_say_so() {
    check(
        "eval_waivers",
        &[
            "eval",
            "--policy",
            POLICY,
            "--waivers",
            "data/waivers.yaml",
            "--format",
            "json",
            "data/snapshots/library.json",
        ],
    );
}

#[test]
fn usage_errors_exit_two() {
    check("usage_missing_snapshot", &["eval", "--policy", POLICY, "data/snapshots/nope.json"]);
    check("usage_bad_date", &["eval", "--policy", POLICY, "--as-of", "2026-02-30", "data/snapshots/library.json"]);
}

#[test]
fn reports_are_identical_for_any_number_of_jobs() {
    let base = ["eval", "--policy", POLICY, "--format", "json", "--explain", "data/snapshots"];
    let (s1, one, _) = okite(&[&base[..], &["--jobs", "1"]].concat(), None);
    let (s4, four, _) = okite(&[&base[..], &["--jobs", "4"]].concat(), None);
    assert_eq!(s1, 2, "the batch has unreadable snapshots");
    assert_eq!(s1, s4);
    assert_eq!(one, four);
}

#[test]
fn every_engine_gives_the_same_reports() {
    // The sample facilities and the test data's batch (with its broken snapshots), in every
    // format, with explanations: the native tier must not change a byte.
    for format in ["json", "sarif", "junit", "human"] {
        for input in [&["../examples"][..], &["--policy", POLICY, "data/snapshots"][..]] {
            let run = |engine: &str| {
                okite(&[&["eval", "--explain", "--format", format, "--engine", engine][..], input].concat(), None)
            };
            let interp = run("interp");
            assert!(!interp.1.is_empty(), "{format} {input:?}: {}", interp.2);
            assert_eq!(interp, run("jit"), "{format} {input:?}: --engine jit");
            assert_eq!(interp, run("auto"), "{format} {input:?}: --engine auto");
        }
    }
}

#[test]
fn a_bundle_evaluates_like_its_sources() {
    let dir = std::env::temp_dir().join(format!("okite-bundle-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bundle = dir.join("demo.okb");
    let bundle_arg = bundle.to_string_lossy().into_owned();
    let (status, _, err) = okite(&["build", POLICY, "-o", &bundle_arg], None);
    assert_eq!(status, 0, "{err}");
    let (a_status, from_sources, _) =
        okite(&["eval", "--policy", POLICY, "--format", "json", "data/snapshots/library.json"], None);
    let (b_status, from_bundle, _) =
        okite(&["eval", "--policy", &bundle_arg, "--format", "json", "data/snapshots/library.json"], None);
    assert_eq!(a_status, b_status);
    assert_eq!(from_sources.replace(POLICY, "POLICY"), from_bundle.replace(&bundle_arg, "POLICY"));

    // A bundle from another format version is refused with a clear message.
    let mut bytes = std::fs::read(&bundle).expect("bundle written");
    bytes[8] = 99;
    std::fs::write(&bundle, &bytes).expect("bundle rewritten");
    let (status, _, err) = okite(&["eval", "--policy", &bundle_arg, "data/snapshots/library.json"], None);
    assert_eq!(status, 2);
    assert!(err.contains("bundle format version 99 is not supported") && err.contains("okite build"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_reports_diagnostics_and_exit_codes() {
    check("check_clean", &["check", POLICY]);
    check("check_errors", &["check", "data/broken_policy"]);
    check("check_errors_json", &["check", "--format", "json", "data/broken_policy"]);
    check("check_deny_warnings", &["check", "--deny", "warnings", "data/warning_policy"]);
}

#[test]
fn explain_prints_the_long_explanation() {
    check("explain_e0020", &["explain", "E0020"]);
    check("explain_unknown", &["explain", "E9999"]);
}

#[test]
fn policy_tests_run() {
    check("test_pass", &["test", "--coverage", POLICY]);
    check("test_fail", &["test", "data/failing_tests"]);
}

#[test]
fn schema_and_clauses() {
    check("schema", &["schema", "--policy", POLICY]);
    check("clauses_missing", &["clauses", "--policy", "data/indexed_policy"]);
}

/// The built-in policy set is clean: it compiles without warnings, every policy test passes
/// and exercises every rule, and every normative clause of the guideline has a rule.
#[test]
fn the_hachioji_policy_set_is_complete_and_tested() {
    let (status, _, err) = okite(&["check", "--deny", "warnings", "../policies"], None);
    assert_eq!(status, 0, "okite check:\n{err}");
    let (status, out, _) = okite(&["test", "--coverage", "--threshold", "100", "../policies"], None);
    assert_eq!(status, 0, "okite test:\n{out}");
    assert!(out.contains("0 failed"), "{out}");
    let (status, out, _) = okite(&["clauses", "--format", "json"], None);
    assert_eq!(status, 0, "okite clauses:\n{out}");
    let clauses: serde_json::Value = serde_json::from_str(&out).expect("clauses JSON");
    assert_eq!(clauses["summary"]["without_rule"], 0);
    assert!(clauses["summary"]["normative"].as_u64().unwrap_or(0) > 200);
}

/// The sample facilities' reports, as officers read them (reviewed clause by clause in
/// examples/README.md).
#[test]
fn sample_facility_reports() {
    for name in ["community-centre", "library", "sports-centre", "compliant-museum"] {
        let path = format!("../examples/{name}.json");
        check(&format!("example_{name}"), &["eval", "--explain", &path]);
    }
    check(
        "example_library_waived",
        &["eval", "--waivers", "../examples/library.waivers.yaml", "../examples/library.json"],
    );
    check("example_directory_json", &["eval", "--format", "json", "../examples"]);
}

#[test]
fn the_plugins_pass_their_own_policy_tests() {
    check("plugin_tests", &["test", "../plugins/tests"]);
}

#[test]
fn a_plugin_out_of_fuel_is_an_error_outcome_and_the_rest_is_evaluated() {
    check(
        "plugin_out_of_fuel",
        &[
            "eval",
            "--plugin-fuel",
            "50",
            "--rule",
            "16(8)カ",
            "--rule",
            "22(18)",
            "--rule",
            "22(8)",
            "../examples/library.json",
        ],
    );
}
