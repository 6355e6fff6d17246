//! How long `okite check` takes on a realistic policy set, cold and after an edit.
//!
//! The policy set is generated: a model file and 14 rule files, 300 rules in all, in the
//! shapes real guideline rules take (nested loops with filters, quantifiers, optionals with
//! `?.` and `??`, sets, dates and durations, interpolated messages, helper functions,
//! attestations).
//!
//! - `cold`: a new database and every file's diagnostics, as `okite check` does once.
//! - `recheck_after_body_edit`: a warm database, one rule's body edited, every file's
//!   diagnostics again, as the language server does on each keystroke.
//!
//! Run with `cargo bench -p okite-compiler --bench check`. Targets: cold under 50 ms, re-check
//! under 5 ms.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use okite_compiler::{Database, FileInput};

const RULE_FILES: usize = 14;
const RULES: usize = 300;

const MODEL: &str = r#"package hachioji.model

/// 施設の事実 (facility snapshot)
facts Facility {
  /// 施設名
  key name: string
  operator: string
  uses_cloud: bool = false
  systems: list<System> = []
  staff: list<Staff> = []
  trainings: list<Training> = []
  devices: list<Device> = []
  cloud_services: list<CloudService> = []
  incidents: list<Incident> = []
  attestations: list<Attestation> = []
}

/// 情報システム
type System {
  key id: string
  name: string
  kind: SystemKind
  accounts: list<Account> = []
  /// none = パスワードを設定していない
  password_policy: PasswordPolicy?
  password_exemption: Approval?
  access_control: bool?
  servers_redundant: bool?
  last_reviewed: date?
}

/// 情報システムの種類
enum SystemKind {
  business
  file_server
  email
  web_cms
  cloud
}

/// 利用者ID
type Account {
  key id: string
  holder: string?
  kind: AccountKind
  initial_password_changed: bool = false
  last_password_change: date?
  last_used: date?
}

/// IDの種別
enum AccountKind {
  personal
  shared
  privileged
  development
}

/// パスワードの設定
type PasswordPolicy {
  min_length: int
  required_classes: set<CharClass> = {}
  max_age: duration?
  history: int = 0
}

/// 承認
type Approval {
  approver: Role
  on: date
}

/// 役割
enum Role {
  security_officer
  deputy_security_officer
  information_system_manager
  staff_member
}

/// 職員
type Staff {
  key id: string
  name: string
  roles: set<Role> = {}
  joined_on: date
  left_on: date?
}

/// 研修
type Training {
  key title: string
  held_on: date
  attendees: list<string> = []
  hours: decimal = 1.0
}

/// 機器・外部記憶媒体
type Device {
  key id: string
  kind: DeviceKind
  count: int = 1
  encrypted: bool = false
  owner_id: string?
  last_inspected: date?
  labels: set<string> = {}
}

/// 機器の種類
enum DeviceKind {
  pc
  tablet
  usb_memory
  external_disk
  server
}

/// クラウドサービス
type CloudService {
  key name: string
  max_confidentiality: int
  free: bool = false
  contract_reviewed_on: date?
  data_location: string?
}

/// 情報セキュリティインシデント
type Incident {
  key id: string
  occurred_on: date
  reported_on: date?
  severity: int
}

/// 証明
type Attestation {
  clause: string
  on: date
  by: Role
}
"#;

/// The `k`-th rule of file `f`, rule number `n` overall. `limit` is unique per rule, so an edit
/// can find exactly one body.
fn rule(out: &mut String, f: usize, k: usize, n: usize) {
    let clause = format!("{}({})", f + 5, k + 1);
    let limit = 1000 + n;
    let name = format!("rule_{f:02}_{k:02}");
    let _ = match n % 10 {
        0 => writeln!(
            out,
            r#"/// {clause} 特権IDは保有者を限定すること。
rule {name} {{
  clause "{clause}"
  title "特権IDの保有者 {n}"
  severity high
  for system in facts.systems
  for account in system.accounts where account.kind == privileged
  require account.holder != none
    else "{{system.name}}: 特権ID {{account.id}} の保有者が登録されていません"
  require days_since(account.last_used) <= {limit}
    else "{{system.name}}/{{account.id}}: {{days_since(account.last_used)}} 日使われていません"
}}
"#
        ),
        1 => writeln!(
            out,
            r#"/// {clause} パスワードは8桁以上とし、文字種を混ぜること。
rule {name} {{
  clause "{clause}"
  title "パスワードの強度 {n}"
  for system in facts.systems
    unless approved(system.password_exemption)
  let policy = system.password_policy
  require (policy?.min_length ?? 0) >= {}
    else "{{system.name}}: 最小桁数が {{policy?.min_length ?? 0}} 桁です (上限 {limit})"
  require (policy?.required_classes ?? {{}}) >= {{digit, upper, lower}}
    else "{{system.name}}: 必須の文字種が不足しています"
}}
"#,
            8 + n % 4
        ),
        2 => writeln!(
            out,
            r#"/// {clause} 共用IDは利用者を限定すること。
rule {name} {{
  clause "{clause}"
  title "共用IDの数 {n}"
  for system in facts.systems where system.kind != cloud
  require count(a in system.accounts where a.kind == shared) <= {limit}
    else "{{system.name}}: 共用IDが {{count(a in system.accounts where a.kind == shared)}} 個あります"
}}
"#
        ),
        3 => writeln!(
            out,
            r#"/// {clause} 在籍者は毎年度研修を受講すること。
rule {name} {{
  clause "{clause}"
  title "研修の受講 {n}"
  when not is_empty(facts.trainings)
  for person in facts.staff where person.left_on == none
  let last = max(t in facts.trainings where person.id in t.attendees: t.held_on)
  require within_opt(last, 1y) and sum(t in facts.trainings where person.id in t.attendees: t.hours) >= 1
    else "{{person.name}} ({{person.id}}): 最後の受講 {{last ?? person.joined_on}} (基準 {limit})"
}}
"#
        ),
        4 => writeln!(
            out,
            r#"/// {clause} 外部記憶媒体は暗号化し、定期的に点検すること。
rule {name} {{
  clause "{clause}"
  title "外部記憶媒体 {n}"
  severity medium
  tags "device", "media"
  for d in facts.devices where d.kind in {{usb_memory, external_disk}}
  require d.encrypted else "{{d.id}}: 暗号化されていません"
  require (d.last_inspected ?? 1970-01-01) >= as_of - 6m
    else "{{d.id}}: 最終点検 {{d.last_inspected ?? 1970-01-01}} (番号 {limit})"
}}
"#
        ),
        5 => writeln!(
            out,
            r#"/// {clause} クラウドサービスは機密性に応じて選定すること。
rule {name} {{
  clause "{clause}"
  title "クラウドの選定 {n}"
  when facts.uses_cloud
  for s in facts.cloud_services
  require not (s.free and s.max_confidentiality >= 2)
    else "{{s.name}}: 機密性 {{s.max_confidentiality}} の情報を無償サービスで扱っています"
  require is_some(s.contract_reviewed_on) and within(s.contract_reviewed_on ?? as_of, {limit}d)
    else "{{s.name}}: 契約の確認がありません"
}}
"#
        ),
        6 => writeln!(
            out,
            r#"/// {clause} インシデントは速やかに報告すること。
rule {name} {{
  clause "{clause}"
  title "インシデントの報告 {n}"
  for i in facts.incidents where i.severity >= 2
  let delay = days_between(i.occurred_on, i.reported_on ?? as_of)
  require i.reported_on != none and delay <= 3
    else "{{i.id}}: 発生 {{i.occurred_on}} から {{delay}} 日経っても報告されていません ({limit})"
}}
"#
        ),
        7 => writeln!(
            out,
            r#"/// {clause} 情報セキュリティ対策責任者を置くこと。
rule {name} {{
  clause "{clause}"
  title "責任者の配置 {n}"
  require any(s in facts.staff: security_officer in s.roles and s.left_on == none)
    else "{{facts.name}}: 情報セキュリティ対策責任者がいません"
  require count(s in facts.staff where s.left_on == none) <= {limit}
}}
"#
        ),
        8 => writeln!(
            out,
            r#"/// {clause} パスワードの照会等には一切応じてはならない。
rule {name} {{
  clause "{clause}"
  title "照会への対応 {n}"
  when count(facts.systems) <= {limit}
  attest every 1y by security_officer
}}
"#
        ),
        _ => writeln!(
            out,
            r#"/// {clause} 機器の台帳を最新に保つこと。
rule {name} {{
  clause "{clause}"
  title "機器の台帳 {n}"
  for d in facts.devices
  let owner = filter(s in facts.staff: s.id == (d.owner_id ?? ""))
  require d.owner_id == none or not is_empty(owner)
    else "{{d.id}}: 管理者 {{d.owner_id ?? "-"}} が職員にいません"
  require sum(x in facts.devices where x.kind == d.kind: x.count) <= {limit}
    and all(l in d.labels: length(l) > 0)
}}
"#
        ),
    };
}

/// The policy set: the model and the rule files, and which file and text the edit changes.
fn policy_set() -> Vec<FileInput> {
    let mut files = vec![FileInput::new("policies/model.okite", MODEL)];
    let mut n = 0;
    for f in 0..RULE_FILES {
        let count = RULES / RULE_FILES + usize::from(f < RULES % RULE_FILES);
        let mut text = format!(
            r#"package hachioji.s{f:02}

import hachioji.model

/// 承認済みか
fn approved(a: Approval?) -> bool = a?.approver == information_system_manager and (a?.on ?? as_of) <= as_of

/// 最後の日付からの日数 (none は長い間)
fn days_since(d: date?) -> int = days_between(d ?? 1970-01-01, as_of)

"#
        );
        for k in 0..count {
            rule(&mut text, f, k, n);
            n += 1;
        }
        files.push(FileInput::new(format!("policies/s{f:02}.okite"), text));
    }
    assert_eq!(n, RULES);
    files
}

/// The file the edit touches, in the middle of the set.
const EDITED: &str = "policies/s07.okite";

/// `original` with the first rule limit (`<= 1157`) changed: an edit of one rule's body.
fn edited_text(original: &str) -> String {
    let at = original.find("<= 1").expect("a limit in the edited file");
    let end = at + original[at..].find(['\n', ')']).unwrap_or(original.len() - at);
    format!("{}<= 99999{}", &original[..at], &original[end..])
}

fn bench(c: &mut Criterion) {
    let inputs = policy_set();
    let bytes: usize = inputs.iter().map(|f| f.bytes.len()).sum();
    let db = Database::new(inputs.clone());
    let diagnostics = db.diagnostics();
    assert!(diagnostics.is_empty(), "the generated policy set has diagnostics: {diagnostics:#?}");
    let program = db.compile().expect("the generated policy set compiles");
    assert_eq!(program.rules.len(), RULES);
    let original = db.source_text(EDITED).expect("edited file").to_string();
    let edited = edited_text(&original);
    eprintln!("policy set: {} files, {} rules, {bytes} bytes", inputs.len(), program.rules.len());

    c.bench_function("cold", |b| {
        b.iter(|| {
            let db = Database::new(black_box(inputs.clone()));
            black_box(db.diagnostics())
        })
    });

    c.bench_function("recheck_after_body_edit", |b| {
        b.iter_batched_ref(
            || {
                let db = Database::new(inputs.clone());
                db.diagnostics();
                db
            },
            |db| {
                db.set_file_text(EDITED, &edited);
                black_box(db.diagnostics())
            },
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
