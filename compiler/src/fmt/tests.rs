//! Fixtures (unformatted → formatted, `UPDATE_EXPECT=1` to refresh), and the formatter run
//! over every `.okite` file of the repository.

use std::path::{Path, PathBuf};

use expect_test::{Expect, expect};

use super::*;

/// Formats `input`, compares with `expected`, and checks what every result must satisfy.
fn check(input: &str, expected: Expect) {
    let out = format(input).unwrap_or_else(|e| panic!("not formatted: {e}"));
    expected.assert_eq(&out);
    assert_stable("fixture", input, &out);
}

/// A fixed point, the same tree, the same comments.
fn assert_stable(what: &str, input: &str, out: &str) {
    let again = format(out).unwrap_or_else(|e| panic!("{what}: the output does not format: {e}\n{out}"));
    assert_eq!(again, out, "{what}: not idempotent");
    let before = parse_clean(input).expect("the input parses");
    let after = parse_clean(out).expect("the output parses");
    assert_eq!(fingerprint(&before), fingerprint(&after), "{what}: the tree changed");
    let input = input.replace("\r\n", "\n");
    let texts = |text: &str, file: &ast::File| -> Vec<String> {
        comments::scan(text, file).iter().map(|c| c.text(text).to_string()).collect()
    };
    assert_eq!(texts(&input, &before), texts(out, &after), "{what}: the comments changed");
}

fn check_error(input: &str, expected: Expect) {
    match format(input) {
        Ok(out) => panic!("formatted a broken file:\n{out}"),
        Err(e) => expected.assert_eq(&e.to_string()),
    }
}

#[test]
fn items_and_spacing() {
    check(
        r#"package   demo.model
import demo.base
import   demo.other.{ A,B , }
type Account{key id:string,holder:string ?, kind:AccountKind=personal
  tags:list< string >=[ ]   , seen:set<Tag>?=none}
enum AccountKind{personal,shared
privileged}
const MAX=8
const KINDS:set<AccountKind>={ personal,shared }
fn age(a:Account,at:date)->duration=at-(a.created ?? at)
fn label(a:Account)->string{let k=a.kind
  let n=length(a.id)
  "{a.id} ({k})"}
facts Facility{accounts:list<Account>=[]}
extern  fn score( a:Account ,)->int  from   "plugins/score.wasm"
"#,
        expect![[r#"
            package demo.model

            import demo.base
            import demo.other.{A, B}

            type Account {
              key id: string
              holder: string?
              kind: AccountKind = personal
              tags: list<string> = []
              seen: set<Tag>? = none
            }

            enum AccountKind {
              personal
              shared
              privileged
            }

            const MAX = 8

            const KINDS: set<AccountKind> = {personal, shared}

            fn age(a: Account, at: date) -> duration = at - (a.created ?? at)

            fn label(a: Account) -> string {
              let k = a.kind
              let n = length(a.id)
              "{a.id} ({k})"
            }

            facts Facility {
              accounts: list<Account> = []
            }

            extern fn score(a: Account) -> int from "plugins/score.wasm"
        "#]],
    );
}

#[test]
fn expressions_get_canonical_spacing() {
    check(
        r#"package p
fn f(a:A,xs:list<int>,s:set<K>)->bool=not a.b?.c[0]>=-1 and(a.d+1)*2%3!=4 or a.e not in s
  and any(x in xs where x>1:x<9)and count(x in xs)==0 and g(a,by:a.r)and{k1,k2}<=s
  and A{f:1,g:[1,2]}==a.h and if a.x then true else false and a.y??0==1
"#,
        expect![[r#"
            package p

            fn f(a: A, xs: list<int>, s: set<K>) -> bool =
              not a.b?.c[0] >= -1 and (a.d + 1) * 2 % 3 != 4
                or a.e not in s
                  and any(x in xs where x > 1: x < 9)
                  and count(x in xs) == 0
                  and g(a, by: a.r)
                  and {k1, k2} <= s
                  and A { f: 1, g: [1, 2] } == a.h
                  and if a.x then true else false and a.y ?? 0 == 1
        "#]],
    );
}

#[test]
fn literals_and_strings_are_kept_as_written() {
    check(
        r#"package p
const BIG = 1_000_000
const HALF = 0.50
const START = 2025-04-01
const SPAN = 6m
const MSG = "情報資産\u{3042} {{braces}} \"quoted\"\t{BIG + 1}"
const URL = "https://example.invalid/a//b/*c*/"
"#,
        expect![[r#"
            package p

            const BIG = 1_000_000

            const HALF = 0.50

            const START = 2025-04-01

            const SPAN = 6m

            const MSG = "情報資産\u{3042} {{braces}} \"quoted\"\t{BIG + 1}"

            const URL = "https://example.invalid/a//b/*c*/"
        "#]],
    );
}

#[test]
fn rules_tests_and_sections() {
    check(
        r#"package p
/// 14(8) パスワードは8桁以上とし
rule password_strength{clause "14(8)","14(9)" title "パスワードの強度" severity high
  tags "password","id"
  when facts.scope.uses_systems
  for system in facts.systems
  unless approved(system.exemption,by:information_system_manager)
  let min=system.policy.min_length


  require min>=8 else "{system.name}: 最小桁数 {min}"
  attest every 1y by security_officer}
rule empty{}
test "a 6-character minimum fails 14(8)"{given facts from "fixtures/small.json" with{systems[0].policy.min_length=6
  systems[0].accounts+=Account{id:"tmp",kind:shared}
  as_of=2026-04-01}
  expect password_strength fails with "最小桁数 6"
  expect other passes}
test "no edits" { given facts from "f.json" with { } expect r passes }
section "14" "ID及びパスワード等の取扱い"{
/// 見出し
clause "14" informative "指定管理者は、次のとおり取り扱うこと。" clause "14(1)" "必ず設定すること。"}
"#,
        expect![[r#"
            package p

            /// 14(8) パスワードは8桁以上とし
            rule password_strength {
              clause "14(8)", "14(9)"
              title "パスワードの強度"
              severity high
              tags "password", "id"
              when facts.scope.uses_systems
              for system in facts.systems
                unless approved(system.exemption, by: information_system_manager)
              let min = system.policy.min_length

              require min >= 8 else "{system.name}: 最小桁数 {min}"
              attest every 1y by security_officer
            }

            rule empty {}

            test "a 6-character minimum fails 14(8)" {
              given facts from "fixtures/small.json" with {
                systems[0].policy.min_length = 6
                systems[0].accounts += Account { id: "tmp", kind: shared }
                as_of = 2026-04-01
              }
              expect password_strength fails with "最小桁数 6"
              expect other passes
            }

            test "no edits" {
              given facts from "f.json"
              expect r passes
            }

            section "14" "ID及びパスワード等の取扱い" {
              /// 見出し
              clause "14" informative "指定管理者は、次のとおり取り扱うこと。"
              clause "14(1)" "必ず設定すること。"
            }
        "#]],
    );
}

#[test]
fn long_statements_break_at_their_clauses() {
    check(
        r#"package p
rule r {
  for account in system.accounts where account.kind == privileged and account.holder != none and live(account)
  require account.last_password_change != none else "{account.id}: パスワードを変更した記録がありません"
  require short else "短い"
  require account.kind == personal or account.kind == privileged or account.kind == development or shared(account)
    else "{account.id}: 種別が不明です"
  let stale = filter(a in system.accounts where account_live(a) and (a.kind == personal or a.kind == privileged): a.id)
  let nested = a.first_condition_is_long or a.second_condition_is_long and a.third_condition_is_even_longer_than_that_one_and_then_some_more
}
"#,
        expect![[r#"
            package p

            rule r {
              for account in system.accounts
                where account.kind == privileged and account.holder != none and live(account)
              require account.last_password_change != none
                else "{account.id}: パスワードを変更した記録がありません"
              require short else "短い"
              require account.kind == personal
                  or account.kind == privileged
                  or account.kind == development
                  or shared(account)
                else "{account.id}: 種別が不明です"
              let stale = filter(a in system.accounts
                  where account_live(a) and (a.kind == personal or a.kind == privileged): a.id)
              let nested = a.first_condition_is_long
                  or a.second_condition_is_long
                    and a.third_condition_is_even_longer_than_that_one_and_then_some_more
            }
        "#]],
    );
}

#[test]
fn long_definitions_and_literals() {
    check(
        r#"package p
fn kind_label(k: AssetKind) -> string = if k == hardware then "ハードウェア" else if k == software then "ソフトウェア" else "その他"
fn short(d: date?) -> bool = if d == none then false else true
fn grade(n: int) -> string = if n > 2 then "high" else if n > 1 then "medium" else "low"
const UNKNOWN_CLASS: Classification = Classification { confidentiality: 3, integrity: 2, availability: 2 }
const ROLES: set<Role> = {cio, chief_information_security_officer, information_security_director, information_security_manager, city}
fn covers(registers: list<Register>, kind: RegisterKind, d: date) -> bool = any(r in registers: r.kind == kind and on_or_before(r.oldest_entry_on, d) and r.latest_entry_on_or_after >= d)
test "t" {
  given facts from "f.json" with {
    accounts = [Account { id: "a-very-long-account-id", kind: shared, holder: "情報システム管理者", created: 2024-01-01 }]
  }
}
"#,
        expect![[r#"
            package p

            fn kind_label(k: AssetKind) -> string =
              if k == hardware then "ハードウェア"
              else if k == software then "ソフトウェア"
              else "その他"

            fn short(d: date?) -> bool = if d == none then false else true

            fn grade(n: int) -> string =
              if n > 2 then "high"
              else if n > 1 then "medium"
              else "low"

            const UNKNOWN_CLASS: Classification =
              Classification { confidentiality: 3, integrity: 2, availability: 2 }

            const ROLES: set<Role> = {
              cio, chief_information_security_officer, information_security_director,
              information_security_manager, city,
            }

            fn covers(registers: list<Register>, kind: RegisterKind, d: date) -> bool =
              any(r in registers:
                r.kind == kind and on_or_before(r.oldest_entry_on, d) and r.latest_entry_on_or_after >= d)

            test "t" {
              given facts from "f.json" with {
                accounts = [Account {
                  id: "a-very-long-account-id",
                  kind: shared,
                  holder: "情報システム管理者",
                  created: 2024-01-01,
                }]
              }
            }
        "#]],
    );
}

#[test]
fn comments_are_kept_in_place() {
    check(
        r#"// file header

package p // the package
import a.b
// about c
import c.d

// ---- section ----

/// 利用者ID
type Account { // opened
  /// ID
  key id: string, // trailing
  /* block */ kind: Kind
  // dangling at the end
}

/// doc
// and a comment between doc and item
enum Kind { a /* after a */, b
  // before c
  c }

rule r {
  // before the first statement
  clause "1"   // spaced trailing

  /* multi
     line */
  require x
}
type Empty { /* nothing */ }
test "t" { given facts from "f.json" with {
    // no edits yet
  } }
// at the end
"#,
        expect![[r#"
            // file header

            package p // the package

            import a.b
            // about c
            import c.d

            // ---- section ----

            /// 利用者ID
            type Account { // opened
              /// ID
              key id: string // trailing
              /* block */
              kind: Kind
              // dangling at the end
            }

            /// doc
            // and a comment between doc and item
            enum Kind {
              a /* after a */
              b
              // before c
              c
            }

            rule r {
              // before the first statement
              clause "1" // spaced trailing

              /* multi
                 line */
              require x
            }

            type Empty { /* nothing */
            }

            test "t" {
              given facts from "f.json" with {
                // no edits yet
              }
            }
            // at the end
        "#]],
    );
}

#[test]
fn a_comment_inside_a_statement_keeps_it_as_written() {
    check(
        r#"package p
rule r {
    require a and   // why a
          b
    else "m"
  require  c ==  d
}
fn f(x: int, // the x
  y: int) -> int = x+y
const  X = 1 + /* one */ 2
type T {
  a:   int = 1 + /* c */ 2
  b:int
}
const S = "{a /* inside a string */ + 1}"
"#,
        expect![[r#"
            package p

            rule r {
              require a and   // why a
                      b
                else "m"
              require c == d
            }

            fn f(x: int, // the x
              y: int) -> int = x+y

            const  X = 1 + /* one */ 2

            type T {
              a:   int = 1 + /* c */ 2
              b: int
            }

            const S = "{a /* inside a string */ + 1}"
        "#]],
    );
}

#[test]
fn comments_in_headers_and_odd_places() {
    check(
        r#"package p
import a.{X, // the X
  Y}
rule r /* why */ {
  require x
}
type T {
  key /* the key */ id: string
  a: int /// doc of b, written after a
  b: int
}
/* outer /* nested */ still outer */
//// four slashes is a plain comment
const A = 1 /// doc of B
const B = 2
test "t" {
  given facts from /* fixture */ "f.json" with { a = 1 }
  expect r passes // trailing
}
"#,
        expect![[r#"
            package p

            import a.{X, // the X
              Y}

            rule r /* why */ {
              require x
            }

            type T {
              key /* the key */ id: string
              a: int /// doc of b, written after a
              b: int
            }

            /* outer /* nested */ still outer */
            //// four slashes is a plain comment
            const A = 1 /// doc of B

            const B = 2

            test "t" {
              given facts from /* fixture */ "f.json" with { a = 1 }
              expect r passes // trailing
            }
        "#]],
    );
}

#[test]
fn provisos_follow_their_subjects() {
    check(
        r#"package p
rule r {
  unless a
  for s in facts.systems where s.live
  unless exempt(s)
  unless other(s)
  for x in s.xs
  // about the proviso
  unless x.ok
  for y in x.ys
  let a = y.a
  unless a.ok
  let b = a.b
  require s.ok
}
"#,
        expect![[r#"
            package p

            rule r {
              unless a
              for s in facts.systems where s.live
                unless exempt(s)
                unless other(s)
              for x in s.xs
                // about the proviso
                unless x.ok
              for y in x.ys
                let a = y.a
                unless a.ok
              let b = a.b
              require s.ok
            }
        "#]],
    );
}

#[test]
fn blank_lines_between_items_are_one() {
    check(
        "package p\n\n\n\nconst A = 1\nconst B = 2\n\n\n// about C\n\n\nconst C = 3\n\n\n",
        expect![[r#"
            package p

            const A = 1

            const B = 2

            // about C

            const C = 3
        "#]],
    );
}

#[test]
fn crlf_and_empty_files() {
    check(
        "package p\r\n\r\nconst A = 1 // one\r\n",
        expect![[r#"
        package p

        const A = 1 // one
    "#]],
    );
    check("", expect![[r#""#]]);
    check(
        "// only a comment",
        expect![[r#"
        // only a comment
    "#]],
    );
}

#[test]
fn broken_files_are_not_formatted() {
    check_error("package p\nrule r {\n  require x ==\n}\n", expect!["4:1: expected an expression, found `}`"]);
    check_error("package p\nconst D = 2025-02-30\n", expect!["2:11: `2025-02-30` is not a date"]);
    check_error("package p\nTODO\n", expect!["2:1: expected an item, found `TODO`"]);
}

#[test]
fn spans_are_erased_outside_strings_only() {
    assert_eq!(
        erase_spans(r#"Ident { name: "a 1..2", span: 3..4 }, Int(5)"#),
        r#"Ident { name: "a 1..2", span: _ }, Int(5)"#
    );
    assert_eq!(erase_spans(r#"Index(3, 10..11) "\"12..13""#), r#"Index(3, _) "\"12..13""#);
}

// ---------------------------------------------------------------------------------------------
// The repository's own sources

/// Every `.okite` file under the directories the formatter is meant for.
fn repository_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root");
    let mut files = Vec::new();
    for dir in ["policies", "stdlib", "tests/data", "compiler/tests/diagnostics"] {
        walk(&root.join(dir), &mut files);
    }
    files.sort();
    files
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|x| x == "okite") {
            out.push(path);
        }
    }
}

#[test]
fn repository_sources_format_stably() {
    let mut checked = 0;
    let mut skipped = Vec::new();
    for path in repository_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            skipped.push(path);
            continue;
        };
        if parse_clean(&text).is_err() {
            skipped.push(path);
            continue;
        }
        let out = format(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_stable(&path.display().to_string(), &text, &out);
        checked += 1;
    }
    eprintln!("formatted {checked} repository files twice; skipped {} that do not parse", skipped.len());
    // The policy set alone has more than sixty files: a walk that finds few has gone wrong.
    assert!(checked > 60, "only {checked} files found");
}

/// `text` with every run of whitespace between tokens replaced by another, chosen by `seed`,
/// and, with `comments`, a comment put in every fifth run.
fn shuffle_layout(text: &str, seed: u64, comments: bool) -> String {
    let file = parse_clean(text).expect("the input parses");
    let mut kept: Vec<(usize, usize, bool)> =
        comments::string_spans(&file).into_iter().map(|(s, e)| (s, e, false)).collect();
    kept.extend(comments::scan(text, &file).iter().map(|c| (c.start, c.end, !c.block)));
    kept.sort_unstable();
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() * 2);
    let mut i = 0;
    let mut k = 0;
    let mut after_line_comment = false;
    let mut inserted = 0;
    while i < bytes.len() {
        while kept.get(k).is_some_and(|&(s, _, _)| s < i) {
            k += 1;
        }
        if let Some(&(s, e, line)) = kept.get(k)
            && s == i
        {
            out.push_str(&text[s..e]);
            after_line_comment = line;
            i = e;
            continue;
        }
        if !bytes[i].is_ascii_whitespace() {
            out.push(bytes[i] as char);
            after_line_comment = false;
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() && kept.get(k).is_none_or(|&(s, _, _)| s != i) {
            i += 1;
        }
        let in_not_in = text[..start].ends_with("not") && text[i..].starts_with("in");
        let lead = if after_line_comment { "\n" } else { "" };
        if comments && !in_not_in && next(5) == 0 {
            inserted += 1;
            if next(2) == 0 {
                out.push_str(&format!("{lead} /* c{inserted} */ "));
            } else {
                out.push_str(&format!("{lead}\n// c{inserted}\n"));
            }
            continue;
        }
        let choices = [" ", "\n", "\n\n", "\t ", "  \n  "];
        out.push_str(lead);
        out.push_str(choices[next(choices.len() as u64) as usize]);
    }
    out
}

#[test]
fn repository_sources_in_other_layouts_format_stably() {
    let mut checked = 0;
    for (n, path) in repository_files().iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let Ok(original) = parse_clean(&text) else { continue };
        for (seed, comments) in [(n as u64, false), (n as u64 + 1000, true)] {
            let shuffled = shuffle_layout(&text, seed, comments);
            let what = format!("{} (seed {seed})", path.display());
            let parsed =
                parse_clean(&shuffled).unwrap_or_else(|e| panic!("{what}: the shuffled text does not parse: {e}"));
            assert_eq!(fingerprint(&original), fingerprint(&parsed), "{what}: shuffling changed the tree");
            let out = format(&shuffled).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_stable(&what, &shuffled, &out);
        }
        checked += 1;
    }
    assert!(checked > 60, "only {checked} files found");
}
