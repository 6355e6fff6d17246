//! Editor features, driven by fixtures in the rust-analyzer style: files separated by
//! `//- path` lines, the cursor marked with `$0`, results rendered as text and compared with
//! inline snapshots (`UPDATE_EXPECT=1` refreshes them).

use expect_test::{Expect, expect};
use okite_compiler::ide;
use okite_compiler::{Database, FileInput, SourceFile};

const MODEL: &str = r#"
package demo.model

/// 役割 (role)
enum Role {
  /// 情報セキュリティ対策責任者
  security_officer
  information_system_manager
}

/// 承認 (approval)
type Approval {
  approver: Role
  on: date
}

enum CharKind { digit, upper }

/// 情報システム (system)
type System {
  /// システム名
  key name: string
  /// 最小桁数
  min_length: int
  exemption: Approval?
}

type Attestation {
  clause: string
  by: Role
  on: date
}

facts Facility {
  key name: string
  systems: list<System> = []
  attestations: list<Attestation> = []
}

/// 承認済みか
fn approved(a: Approval?, by: Role) -> bool = a?.approver == by
"#;

const GUIDELINE: &str = r#"
package demo.guideline

section "14" "ID及びパスワード等の取扱い" {
  clause "14(8)" "パスワードは8桁以上とし…"
  clause "14(9)" "パスワードは他者に知られないよう留意し…"
}
"#;

/// Loads a fixture; returns the database, the file holding `$0`, and the cursor offset.
fn load(fixture: &str) -> (Database, Option<SourceFile>, u32) {
    let mut files = vec![FileInput::new("model.okite", MODEL), FileInput::new("guideline.okite", GUIDELINE)];
    let mut cursor = None;
    let mut current: Option<(String, String)> = None;
    let flush = |cur: Option<(String, String)>, files: &mut Vec<FileInput>, cursor: &mut Option<(String, u32)>| {
        if let Some((path, text)) = cur {
            let text = match text.find("$0") {
                Some(i) => {
                    *cursor = Some((path.clone(), i as u32));
                    text.replacen("$0", "", 1)
                }
                None => text,
            };
            files.push(FileInput::new(path, text));
        }
    };
    for line in fixture.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            flush(current.take(), &mut files, &mut cursor);
            current = Some((path.trim().to_string(), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    flush(current.take(), &mut files, &mut cursor);
    let db = Database::new(files);
    let (file, offset) = match cursor {
        Some((path, offset)) => (db.file(&path), offset),
        None => (None, 0),
    };
    (db, file, offset)
}

fn snippet(db: &Database, path: &str, span: okite_compiler::span::Span) -> String {
    db.source_text(path).and_then(|t| t.get(span.range())).unwrap_or("").to_string()
}

fn check_hover(fixture: &str, expect: Expect) {
    let (db, file, offset) = load(fixture);
    let h = ide::hover(&db, file.expect("a cursor"), offset);
    expect.assert_eq(&h.map_or("(none)".to_string(), |h| h.markdown));
}

const RULES: &str = r#"
//- rules.okite
package demo.rules

import demo.model

/// 14(8) パスワードは8桁以上
rule password_strength {
  clause "14(8)"
  for system in facts.systems
    unless approved(system.exemption, by: information_system_manager)
  require system.min_length >= 8 else "{system.name}: {system.min_length} 桁"
}
"#;

fn at(fixture: &str, needle: &str) -> String {
    // Puts `$0` at the first occurrence of `needle` (on its first character).
    fixture.replacen(needle, &format!("$0{needle}"), 1)
}

#[test]
fn hover_shows_fields_functions_rules_clauses_and_locals() {
    check_hover(
        &at(RULES, "min_length >="),
        expect![[r#"
            ```okite
            System.min_length: int
            ```

            最小桁数"#]],
    );
    check_hover(
        &at(RULES, "approved("),
        expect![[r#"
            ```okite
            fn approved(a: Approval?, by: Role) -> bool
            ```

            承認済みか"#]],
    );
    check_hover(
        &at(RULES, "password_strength"),
        expect![[r#"
            ```okite
            rule password_strength
            clause "14(8)"
            severity medium
            ```

            14(8) パスワードは8桁以上

            ---
            **14(8)** (14 ID及びパスワード等の取扱い)

            パスワードは8桁以上とし…"#]],
    );
    check_hover(
        &at(RULES, "\"14(8)\""),
        expect![[r#"
            **14(8)** (14 ID及びパスワード等の取扱い)

            パスワードは8桁以上とし…"#]],
    );
    check_hover(
        &at(RULES, "system.exemption"),
        expect![[r#"
            ```okite
            system: System
            ```"#]],
    );
    check_hover(
        &at(RULES, "information_system_manager"),
        expect![[r#"
            ```okite
            Role.information_system_manager
            ```"#]],
    );
}

#[test]
fn definition_and_references_cross_files() {
    let (db, file, offset) = load(&at(RULES, "min_length >="));
    let file = file.expect("a cursor");
    let def = ide::definition(&db, file, offset).expect("a definition");
    assert_eq!(&*def.path, "model.okite");
    assert_eq!(snippet(&db, "model.okite", def.span), "min_length");
    let refs: Vec<String> = ide::references(&db, file, offset, true)
        .into_iter()
        .map(|l| format!("{}:{}", l.path, snippet(&db, &l.path, l.span)))
        .collect();
    assert_eq!(refs, ["model.okite:min_length", "rules.okite:min_length", "rules.okite:min_length"]);

    let (db, file, offset) = load(&at(RULES, "system.exemption"));
    let def = ide::definition(&db, file.expect("a cursor"), offset).expect("a definition");
    assert_eq!(&*def.path, "rules.okite");
    assert_eq!(snippet(&db, "rules.okite", def.span), "system");
}

#[test]
fn rename_edits_every_use_and_refuses_bad_names() {
    let (db, file, offset) = load(&at(RULES, "system.min_length >="));
    let file = file.expect("a cursor");
    let edits = ide::rename(&db, file, offset, "s").expect("renamed");
    let spans: Vec<String> = edits.iter().map(|e| format!("{}:{}", e.path, snippet(&db, &e.path, e.span))).collect();
    assert_eq!(spans, ["rules.okite:system"; 5], "the declaration and its four uses");
    assert!(edits.iter().all(|e| e.new_text == "s"));
    assert!(ide::rename(&db, file, offset, "not").is_err());
    assert!(ide::rename(&db, file, offset, "名前").is_err());
}

fn check_completion(fixture: &str, expect: Expect) {
    let (db, file, offset) = load(fixture);
    let items = ide::completions(&db, file.expect("a cursor"), offset);
    let mut shown: Vec<String> = items
        .iter()
        .filter(|i| i.sort <= 2)
        .map(|i| {
            format!("{:?} {}{}", i.kind, i.label, i.detail.as_ref().map(|d| format!(" — {d}")).unwrap_or_default())
        })
        .collect();
    shown.sort();
    expect.assert_eq(&shown.join("\n"));
}

#[test]
fn completion_after_a_dot_lists_the_record_fields() {
    check_completion(
        r#"
//- rules.okite
package demo.rules
import demo.model
rule r {
  clause "14(8)"
  for system in facts.systems
  require system.$0
}
"#,
        expect![[r#"
            Field exemption — Approval?
            Field min_length — int
            Field name — string"#]],
    );
}

#[test]
fn completion_offers_variants_of_the_expected_enum_first() {
    check_completion(
        r#"
//- rules.okite
package demo.rules
import demo.model
rule r {
  clause "14(8)"
  for system in facts.systems
  require system.exemption?.approver == info$0
}
"#,
        expect![[r#"
            Function approved — fn approved(a: Approval?, by: Role) -> bool
            Function char_classes — fn char_classes(s: string) -> set<CharClass>
            Function older_than — fn older_than(d: date, period: duration) -> bool
            Function this_fiscal_year — fn this_fiscal_year(d: date) -> bool
            Function within — fn within(d: date, period: duration) -> bool
            Function within_opt — fn within_opt(d: date?, period: duration) -> bool
            Variable system — System
            Variant information_system_manager — Role
            Variant security_officer — Role"#]],
    );
}

#[test]
fn completion_of_clause_ids_and_statement_keywords() {
    let (db, file, offset) = load(
        r#"
//- rules.okite
package demo.rules
rule r {
  clause "14($0"
}
"#,
    );
    let items = ide::completions(&db, file.expect("a cursor"), offset);
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels, ["14(8)", "14(9)"]);

    let (db, file, offset) = load(
        r#"
//- rules.okite
package demo.rules
rule r {
  clause "14(8)"
  req$0
}
"#,
    );
    let items = ide::completions(&db, file.expect("a cursor"), offset);
    assert!(items.iter().any(|i| i.label == "require" && i.snippet), "{items:?}");
    assert!(items.iter().any(|i| i.label == "attest"));
}

#[test]
fn signature_help_tracks_the_argument() {
    let (db, file, offset) = load(&at(RULES, "information_system_manager"));
    let h = ide::signature_help(&db, file.expect("a cursor"), offset).expect("in a call");
    assert_eq!(h.label, "fn approved(a: Approval?, by: Role) -> bool");
    assert_eq!(h.active, 1);
    let (db, file, offset) = load(
        r#"
//- rules.okite
package demo.rules
rule r { require contains("a", $0) }
"#,
    );
    let h = ide::signature_help(&db, file.expect("a cursor"), offset).expect("in a call");
    assert_eq!(h.params, ["s: string", "part: string"]);
    assert_eq!(h.active, 1);
}

#[test]
fn outline_groups_rules_by_guideline_section() {
    let (db, _, _) = load(RULES);
    let file = db.file("rules.okite").expect("loaded");
    let outline: Vec<String> = ide::document_symbols(&db, file)
        .iter()
        .flat_map(|s| {
            std::iter::once(format!("{:?} {}", s.kind, s.name)).chain(
                s.children
                    .iter()
                    .map(|c| format!("  {:?} {} ({})", c.kind, c.name, c.detail.clone().unwrap_or_default())),
            )
        })
        .collect();
    assert_eq!(
        outline,
        ["Section 14 ID及びパスワード等の取扱い", "  Rule password_strength (14(8))", "Package demo.rules"]
    );
    let found = ide::workspace_symbols(&db, "approv");
    assert!(found.iter().any(|s| s.name == "approved" && &*s.path == "model.okite"));
    assert!(found.iter().any(|s| s.name == "Approval"));
}

#[test]
fn semantic_tokens_classify_resolved_names() {
    let (db, _, _) = load(RULES);
    let file = db.file("rules.okite").expect("loaded");
    let text = db.source_text("rules.okite").unwrap_or("").to_string();
    let tokens: Vec<String> =
        ide::semantic_tokens(&db, file).iter().map(|t| format!("{:?}:{}", t.ty, &text[t.span.range()])).collect();
    let line: Vec<&str> = tokens.iter().map(String::as_str).skip_while(|t| *t != "Keyword:unless").take(9).collect();
    assert_eq!(
        line,
        [
            "Keyword:unless",
            "Function:approved",
            "Variable:system",
            "Property:exemption",
            "Keyword:by",
            "EnumMember:information_system_manager",
            "Keyword:require",
            "Variable:system",
            "Property:min_length"
        ]
        .map(String::from)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
    );
}

#[test]
fn quick_fixes_repair_typos_and_add_imports() {
    let (db, _, _) = load(
        r#"
//- rules.okite
package demo.rules
rule r {
  clause "14(8)"
  for system in facts.systems
  require approved(system.exemption, by: information_system_manager) and system.min_lenght > 0
}
"#,
    );
    let file = db.file("rules.okite").expect("loaded");
    let len = db.source_text("rules.okite").map_or(0, str::len);
    let actions = ide::code_actions(&db, file, okite_compiler::span::Span::new(0, len));
    let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
    assert!(titles.contains(&"import `approved` from `demo.model`"), "{titles:?}");
    // Only after the import can the field be checked; fix it in the imported version.
    let (db, _, _) = load(
        r#"
//- rules.okite
package demo.rules
import demo.model
rule r {
  clause "14(8)"
  for system in facts.systems
  require system.min_lenght > 0
}
"#,
    );
    let file = db.file("rules.okite").expect("loaded");
    let actions = ide::code_actions(&db, file, okite_compiler::span::Span::new(0, 1000));
    let fix = actions.iter().find(|a| a.preferred).expect("a quick fix");
    assert_eq!(fix.title, "replace with `min_length`");
    assert_eq!(fix.edits[0].new_text, "min_length");
}

#[test]
fn code_lenses_on_rules_and_tests() {
    let (db, _, _) = load(&format!(
        "{RULES}\n//- tests.okite\npackage demo.rules\ntest \"strong passwords\" {{\n  given facts from \"f.json\"\n  expect password_strength passes\n}}\n"
    ));
    let lenses: Vec<String> = ["rules.okite", "tests.okite"]
        .iter()
        .flat_map(|p| ide::code_lenses(&db, db.file(p).expect("loaded")))
        .map(|l| format!("{:?}", l.kind))
        .collect();
    assert_eq!(
        lenses,
        [r#"Evaluate { rule: "demo.rules.password_strength" }"#, r#"RunTest { name: "strong passwords" }"#]
    );
}
