//! Incrementality: what salsa re-executes after an edit.
//!
//! Editing a rule's body must re-check only its own file: other files depend on span-free
//! summaries and signatures, which the edit leaves equal, so salsa backdates them. Conversely,
//! editing what other files do depend on (a type in the model, its doc comment) must re-check
//! those files, or they would keep stale answers.

use std::collections::BTreeMap;

use okite_compiler::sema::check_file;
use okite_compiler::{Database, FileInput};

const MODEL: &str = r#"package hachioji.model

facts Facility {
  key name: string
  systems: list<System> = []
  staff: list<Staff> = []
  trainings: list<Training> = []
}

/// 情報システム
type System {
  key id: string
  name: string
  min_password_length: int
  accounts: list<Account> = []
}

/// 利用者ID
type Account {
  key id: string
  kind: AccountKind
  last_password_change: date?
}

/// IDの種別
enum AccountKind {
  personal
  shared
  privileged
}

/// 職員
type Staff {
  key id: string
  name: string
}

/// 研修の実施記録
type Training {
  key title: string
  held_on: date
  attendees: list<string> = []
}
"#;

const S14: &str = r#"package hachioji.s14_id_password

import hachioji.model

/// 14(8) パスワードは8桁以上とすること。
rule password_length {
  clause "14(8)"
  for system in facts.systems
  require system.min_password_length >= 8
    else "{system.name}: 最小桁数 {system.min_password_length} 桁"
}

/// 14(5) 特権IDは必要最小限とすること。
rule few_privileged_ids {
  clause "14(5)"
  for system in facts.systems
  require count(a in system.accounts where a.kind == privileged) <= 2
}
"#;

const S12: &str = r#"package hachioji.s12_training

import hachioji.model

/// 12(1) 職員は年に一度研修を受講すること。
rule staff_trained {
  clause "12(1)"
  for person in facts.staff
  require any(t in facts.trainings: person.id in t.attendees and within(t.held_on, 1y))
    else "{person.name}: 1年以内の受講がありません"
}
"#;

const PATHS: [&str; 3] = ["model.okite", "s12.okite", "s14.okite"];

fn workspace() -> Database {
    Database::new(vec![
        FileInput::new("model.okite", MODEL),
        FileInput::new("s12.okite", S12),
        FileInput::new("s14.okite", S14),
    ])
}

/// The salsa id of each file, as log entries show it (`Id(3)`), found by parsing each file
/// alone with the log on.
fn ids(db: &Database) -> BTreeMap<String, &'static str> {
    let mut out = BTreeMap::new();
    for path in PATHS {
        let file = db.file(path).expect("file in workspace");
        db.execution_log().start();
        okite_compiler::parse(db, file);
        let log = db.execution_log().take();
        let [entry] = log.as_slice() else { panic!("parsing {path} alone executed {log:?}") };
        let id = entry.strip_prefix("parse").expect("a parse entry").to_string();
        out.insert(id, path);
    }
    assert_eq!(out.len(), PATHS.len(), "files share an id: {out:?}");
    out
}

fn check_all(db: &Database) {
    for path in PATHS {
        let file = db.file(path).expect("file in workspace");
        let checked = check_file(db, file);
        assert!(checked.diagnostics.iter().all(|d| !d.is_error()), "{path}: {:?}", checked.diagnostics);
    }
}

/// Which files `query` ran for, by path, in `log`.
fn ran(log: &[String], query: &str, ids: &BTreeMap<String, &'static str>) -> Vec<&'static str> {
    let mut files: Vec<&'static str> =
        log.iter().filter_map(|e| e.strip_prefix(query)).filter_map(|id| ids.get(id).copied()).collect();
    files.sort_unstable();
    files.dedup();
    files
}

/// Checks every file of a warm database, replaces `from` by `to` in `path`, checks every file
/// again, and returns the files that `check_file` and `parse` ran for the second time.
fn after_edit(path: &str, from: &str, to: &str) -> Reran {
    let mut db = workspace();
    let ids = ids(&db);
    check_all(&db);
    let text = db.source_text(path).expect("file exists").to_string();
    assert!(text.contains(from), "{from:?} is not in {path}");
    db.set_file_text(path, &text.replacen(from, to, 1));
    db.execution_log().start();
    check_all(&db);
    let log = db.execution_log().take();
    Reran { check_file: ran(&log, "check_file", &ids), parse: ran(&log, "parse", &ids), log }
}

#[derive(Debug)]
struct Reran {
    check_file: Vec<&'static str>,
    parse: Vec<&'static str>,
    log: Vec<String>,
}

#[test]
fn a_warm_database_runs_nothing_again() {
    let db = workspace();
    check_all(&db);
    db.execution_log().start();
    check_all(&db);
    assert_eq!(db.execution_log().take(), Vec::<String>::new());
}

#[test]
fn editing_a_rule_body_rechecks_only_its_file() {
    let r = after_edit("s14.okite", "min_password_length >= 8", "min_password_length >= 12");
    assert_eq!(r.check_file, ["s14.okite"], "{:#?}", r.log);
    assert_eq!(r.parse, ["s14.okite"], "{:#?}", r.log);
    // Not even the other files' span-free queries run again.
    assert!(r.log.iter().all(|e| !e.starts_with("file_scope")), "{:#?}", r.log);
}

#[test]
fn editing_a_message_in_another_file_rechecks_only_that_file() {
    let r = after_edit("s12.okite", "1年以内の受講がありません", "直近1年の受講記録がありません");
    assert_eq!(r.check_file, ["s12.okite"], "{:#?}", r.log);
}

#[test]
fn moving_a_rule_down_rechecks_only_its_file() {
    // Every span after the edit shifts; signatures carry no spans, so nothing else notices.
    let r = after_edit("s14.okite", "import hachioji.model\n", "import hachioji.model\n\n// 14 ID及びパスワード\n\n");
    assert_eq!(r.check_file, ["s14.okite"], "{:#?}", r.log);
}

#[test]
fn editing_a_rule_doc_comment_rechecks_only_its_file() {
    let r = after_edit(
        "s14.okite",
        "/// 14(5) 特権IDは必要最小限とすること。",
        "/// 14(5) 特権IDは必要最小限とし、保有者を限定すること。",
    );
    assert_eq!(r.check_file, ["s14.okite"], "{:#?}", r.log);
}

#[test]
fn editing_a_type_in_the_model_rechecks_its_dependents() {
    let r = after_edit("model.okite", "min_password_length: int", "min_password_length: decimal");
    assert_eq!(r.check_file, ["model.okite", "s12.okite", "s14.okite"], "{:#?}", r.log);
    assert_eq!(r.parse, ["model.okite"], "{:#?}", r.log);
}

#[test]
fn editing_a_doc_comment_in_the_model_rechecks_its_dependents() {
    let r = after_edit("model.okite", "/// 職員\n", "/// 職員 (指定管理業務従事者)\n");
    assert_eq!(r.check_file, ["model.okite", "s12.okite", "s14.okite"], "{:#?}", r.log);
}
