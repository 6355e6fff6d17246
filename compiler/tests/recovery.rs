//! Error recovery: a broken rule between two good ones costs only itself. The good rules are
//! still parsed, checked (their own type errors are reported where they are) and usable by name,
//! and the broken rule's name still resolves, so nothing cascades from it.

use okite_compiler::syntax::ast::ItemKind;
use okite_compiler::{Database, FileInput, span::LineIndex};

const SOURCE: &str = r#"package hachioji.s14_id_password

facts Facility {
  key name: string
  systems: list<System> = []
}

type System {
  key id: string
  name: string
  min_password_length: int
  reviewed_on: date
}

/// 14(8) パスワードは8桁以上とすること。
rule password_length {
  clause "14(8)"
  for system in facts.systems
  require system.min_password_length >= "8"
}

/// 14(7) 壊れた規則: 括弧が閉じていない。
rule initial_password_changed {
  clause "14(7)"
  for system in facts.systems
  require (system.min_password_length > 0
    else "{system.name}: 初期パスワード"
}

/// 14(10) パスワードの設定を定期的に見直すこと。
rule password_review {
  clause "14(10)"
  for system in facts.systems
  require system.reviewed_on
}

test "the broken rule's name still resolves" {
  given facts from "fixtures/library.json"
  expect initial_password_changed passes
  expect password_review fails
}
"#;

const PATH: &str = "s14.okite";

/// Each diagnostic as `CODE line:column`.
fn located(db: &Database) -> Vec<String> {
    let index = LineIndex::new(SOURCE);
    db.diagnostics()
        .iter()
        .map(|d| {
            assert_eq!(&*d.file, PATH);
            let (line, col) = index.line_col(SOURCE, d.primary.span.start);
            format!("{} {line}:{col}", d.code)
        })
        .collect()
}

#[test]
fn a_broken_rule_between_two_good_ones_costs_only_itself() {
    let db = Database::new(vec![FileInput::new(PATH, SOURCE)]);
    // One syntax error for the broken rule, where the `else` is met without the `)`; the type
    // errors of the good rules on either side, at their own lines; nothing else (no unknown
    // rule in the test, no unused variable in the broken rule).
    assert_eq!(located(&db), ["E0020 19:11", "E0002 27:5", "E0020 34:11"]);

    let file = db.file(PATH).expect("the file is in the workspace");
    let parsed = okite_compiler::parse(&db, file);
    let kinds: Vec<String> = parsed
        .file
        .items
        .iter()
        .map(|item| match &item.kind {
            ItemKind::Rule(r) => format!("rule {} ({} statements)", r.name.name, r.stmts.len()),
            ItemKind::Error(e) => format!("broken {:?} {:?}", e.keyword, e.name.as_ref().map(|n| &n.name)),
            ItemKind::Package(_) => "package".into(),
            ItemKind::Facts(_) => "facts".into(),
            ItemKind::Type(_) => "type".into(),
            ItemKind::Test(t) => format!("test ({} expectations)", t.expects.len()),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "package",
            "facts",
            "type",
            "rule password_length (3 statements)",
            r#"broken Some("rule") Some("initial_password_changed")"#,
            "rule password_review (3 statements)",
            "test (2 expectations)",
        ]
    );
}

#[test]
fn fixing_the_broken_rule_leaves_only_the_type_errors() {
    let mut db = Database::new(vec![FileInput::new(PATH, SOURCE)]);
    let fixed = SOURCE.replace("require (system.min_password_length > 0", "require (system.min_password_length > 0)");
    db.set_file_text(PATH, &fixed);
    let index = LineIndex::new(&fixed);
    let found: Vec<String> = db
        .diagnostics()
        .iter()
        .map(|d| {
            let (line, col) = index.line_col(&fixed, d.primary.span.start);
            format!("{} {line}:{col}", d.code)
        })
        .collect();
    assert_eq!(found, ["E0020 19:11", "E0020 34:11"]);
}
