//! The native tier against the interpreter and against hand-written Rust, on the large
//! synthetic facility of `benches/evaluate.rs` (the compliant fixture scaled to 10k assets,
//! 2k accounts, 1k devices, 100k entry-log records), facts already decoded:
//!
//! - `full/interp` vs `full/jit`: the whole Hachioji set (target: JIT ≥ 3× faster);
//! - `subset/interp`, `subset/jit` vs `subset/rust`: seven rules of different shapes, and the
//!   same seven written by hand in Rust over structs deserialized from the same JSON — the
//!   floor (target: JIT within 1.5× of it);
//! - `small/interp` vs `small/jit`: the whole set over the (small) compliant fixture, which
//!   with the compile time gives the break-even of `Tier::Auto`;
//! - `compile/jit` vs `compile/interp`: creating an engine with and without compiling the full
//!   set (target: compiling < 100 ms).
//!
//! The hand-written rules must agree with the engine: the setup compares their subject counts
//! with the report's before anything is timed, so the floor cannot be fast by being wrong.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark that cannot set up must stop loudly"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::{HashMap, HashSet};

use criterion::{Criterion, criterion_group, criterion_main};
use okite_runtime::synth::scale;
use okite_runtime::{DecodeOptions, Engine, EngineOptions, EvalOptions, Tier};
use serde::Deserialize;

/// The seven rules of the subset, by short name, with the shape each stands for.
const SUBSET: [&str; 7] = [
    "password_strength",             // 14(8) password policy per system, with an exemption
    "privileged_id_two_holders",     // 14(5) count of distinct privileged holders per system
    "yearly_security_training",      // 12(2) training within a year per staff member
    "antivirus_definitions_current", // 17(2) definitions age per PC
    "no_unsupported_os",             // 15(6)ウ end-of-support OS, a ledger look-up, an exemption
    "free_cloud_no_confidential",    // 20(2) free cloud holding classified assets
    "confidential_documents_locked", // 7(6)イ locked storage by classification
];

fn engine(program: &okite_ir::Program, tier: Tier) -> Engine {
    Engine::with_options(program.clone(), EngineOptions { tier, ..EngineOptions::default() }).unwrap()
}

fn bench(c: &mut Criterion) {
    let program = common::hachioji();
    let small = common::compliant_fixture();
    let base: serde_json::Value = serde_json::from_slice(&small).unwrap();
    let large = serde_json::to_vec(&scale(&program, &base, &common::LARGE)).unwrap();
    let options = EvalOptions::default();

    let mut subset = program.clone();
    subset.rules.retain(|r| SUBSET.iter().any(|s| r.name.rsplit('.').next() == Some(s)));
    // The policy tests name rules the subset no longer has; evaluation does not need them.
    subset.tests.clear();
    assert_eq!(subset.rules.len(), SUBSET.len(), "every rule of the subset exists");

    let mut g = c.benchmark_group("jit");
    g.sample_size(20);
    for (name, program, facts) in [("full", &program, &large), ("subset", &subset, &large), ("small", &program, &small)]
    {
        for (tier, label) in [(Tier::Interp, "interp"), (Tier::Jit, "jit")] {
            let e = engine(program, tier);
            let snap = e.decode_json(facts, DecodeOptions::default()).unwrap();
            g.bench_function(format!("{name}/{label}"), |b| b.iter(|| e.evaluate(&snap, &options)));
        }
    }

    // The floor: the same seven rules by hand, checked against the engine first.
    let facility: Facility = serde_json::from_slice(&large).unwrap();
    let e = engine(&subset, Tier::Jit);
    let report = e.evaluate(&e.decode_json(&large, DecodeOptions::default()).unwrap(), &options);
    let by_hand = hand_written(&facility);
    for (rule, counts) in SUBSET.iter().zip(by_hand.iter()) {
        let r = report.results.iter().find(|r| r.rule.rsplit('.').next() == Some(rule)).unwrap();
        let engine_counts = Counts { pass: r.subjects.pass, fail: r.subjects.fail, exempt: r.subjects.exempt };
        assert_eq!(&engine_counts, counts, "{rule}: the hand-written rule agrees with the engine");
    }
    g.bench_function("subset/rust", |b| b.iter(|| hand_written(std::hint::black_box(&facility))));

    // The compile time the engine itself measures (`JitInfo::compile_time`), without
    // preparing the engine: the median of 15.
    let mut times: Vec<_> =
        (0..15).filter_map(|_| engine(&program, Tier::Jit).jit_info()).map(|i| i.compile_time).collect();
    times.sort();
    let info = engine(&program, Tier::Jit).jit_info().unwrap();
    eprintln!(
        "jit: {} rules compiled ({} fully native), compile time median {:?} (min {:?}, max {:?})",
        info.compiled,
        info.fully_native,
        times.get(times.len() / 2).copied().unwrap_or_default(),
        times.first().copied().unwrap_or_default(),
        times.last().copied().unwrap_or_default(),
    );

    g.sample_size(10);
    g.bench_function("compile/interp", |b| b.iter(|| engine(&program, Tier::Interp)));
    g.bench_function("compile/jit", |b| b.iter(|| engine(&program, Tier::Jit)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

// ---- The hand-written floor -------------------------------------------------------------

/// Subjects per outcome, as the report counts them.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    pass: u32,
    fail: u32,
    exempt: u32,
}

impl Counts {
    fn add(&mut self, ok: bool) {
        if ok {
            self.pass += 1;
        } else {
            self.fail += 1;
        }
    }
}

/// A calendar day as a day number (days since 1970-01-01), parsed from `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Day(i64);

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let s = String::deserialize(d)?;
        let p = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i64>().ok());
        match (p(0..4), p(5..7), p(8..10)) {
            (Some(y), Some(m), Some(d)) => Ok(Day(days_from_civil(y, m, d))),
            _ => Err(serde::de::Error::custom(format!("bad date {s}"))),
        }
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

impl Day {
    /// Calendar arithmetic: `months` later, the day clamped to the month's length.
    fn add_months(self, months: i64) -> Day {
        let (y, m, d) = civil_from_days(self.0);
        let total = y * 12 + (m - 1) + months;
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        let last = days_from_civil(if m == 12 { y + 1 } else { y }, if m == 12 { 1 } else { m + 1 }, 1)
            - days_from_civil(y, m, 1);
        Day(days_from_civil(y, m, d.min(last)))
    }
}

#[derive(Deserialize)]
struct Facility {
    as_of: Day,
    scope: Scope,
    #[serde(default)]
    systems: Vec<System>,
    #[serde(default)]
    staff: Vec<Staff>,
    #[serde(default)]
    trainings: Vec<Training>,
    #[serde(default)]
    devices: Vec<Device>,
    #[serde(default)]
    assets: Vec<Asset>,
    #[serde(default)]
    cloud_services: Vec<Cloud>,
}

#[derive(Deserialize)]
struct Scope {
    uses_cloud: bool,
}

#[derive(Deserialize)]
struct Approval {
    approver: String,
    on: Day,
    valid_until: Option<Day>,
}

impl Approval {
    fn valid(a: Option<&Approval>, roles: &[&str], on: Day) -> bool {
        a.is_some_and(|a| roles.contains(&a.approver.as_str()) && a.on <= on && a.valid_until.unwrap_or(on) >= on)
    }
}

#[derive(Deserialize)]
struct System {
    operated_by: String,
    #[serde(default)]
    accounts: Vec<Account>,
    password_policy: Option<PasswordPolicy>,
    password_exemption: Option<Approval>,
}

#[derive(Deserialize)]
struct PasswordPolicy {
    min_length: i64,
    required_classes: Vec<String>,
}

#[derive(Deserialize)]
struct Account {
    kind: String,
    holder: Option<String>,
    revoked_on: Option<Day>,
}

#[derive(Deserialize)]
struct Staff {
    id: String,
    assigned_on: Day,
    departure: Option<Departure>,
}

#[derive(Deserialize)]
struct Departure {
    on: Day,
}

#[derive(Deserialize)]
struct Training {
    held_on: Day,
    topics: Vec<String>,
    #[serde(default)]
    attendees: Vec<String>,
}

#[derive(Deserialize)]
struct Device {
    asset_id: String,
    kind: String,
    os: Option<Os>,
    antivirus: Option<Antivirus>,
}

#[derive(Deserialize)]
struct Os {
    support_ends_on: Option<Day>,
    end_of_support_approval: Option<Approval>,
}

#[derive(Deserialize)]
struct Antivirus {
    definitions_updated_on: Option<Day>,
}

#[derive(Deserialize)]
struct Asset {
    id: String,
    kind: String,
    classification: Classification,
    status: String,
    locked_storage: Option<bool>,
}

#[derive(Deserialize)]
struct Classification {
    confidentiality: i64,
    integrity: i64,
    availability: i64,
}

#[derive(Deserialize)]
struct Cloud {
    paid: bool,
    #[serde(default)]
    asset_ids: Vec<String>,
}

fn held(a: &Asset) -> bool {
    a.status == "in_use" || a.status == "stored"
}

/// The seven rules of `SUBSET`, in order.
fn hand_written(f: &Facility) -> [Counts; 7] {
    let as_of = f.as_of;
    let mut out: [Counts; 7] = Default::default();
    let [password, privileged, training, definitions, os, cloud, locked] = &mut out;

    for s in &f.systems {
        if Approval::valid(s.password_exemption.as_ref(), &["information_system_manager"], as_of) {
            password.exempt += 1;
            continue;
        }
        password.add(s.password_policy.as_ref().is_some_and(|p| {
            p.min_length >= 8
                && ["digit", "upper", "lower", "symbol"].iter().all(|c| p.required_classes.iter().any(|x| x == c))
        }));
    }

    let live = |a: &Account| a.revoked_on.is_none_or(|r| r > as_of);
    for s in &f.systems {
        let operated = s.operated_by == "designated_manager" || s.operated_by == "contractor";
        if !operated || !s.accounts.iter().any(|a| a.kind == "privileged" && live(a)) {
            continue;
        }
        let holders: HashSet<&str> = s
            .accounts
            .iter()
            .filter(|a| a.kind == "privileged" && live(a))
            .filter_map(|a| a.holder.as_deref())
            .collect();
        privileged.add(holders.len() >= 2);
    }

    let year_ago = as_of.add_months(-12);
    for p in f.staff.iter().filter(|p| p.departure.as_ref().is_none_or(|d| d.on > as_of)) {
        let new = p.assigned_on.add_months(1) >= as_of;
        training.add(
            new || f.trainings.iter().any(|t| {
                t.held_on >= year_ago
                    && t.topics.iter().any(|x| x == "guideline" || x == "information_security")
                    && t.attendees.contains(&p.id)
            }),
        );
    }

    for d in f.devices.iter().filter(|d| matches!(d.kind.as_str(), "desktop_pc" | "laptop_pc" | "server")) {
        let on = d.antivirus.as_ref().and_then(|a| a.definitions_updated_on);
        definitions.add(on.is_some_and(|on| on <= as_of && on.0 > as_of.0 - 7));
    }

    let mut held_ids: HashSet<&str> = HashSet::with_capacity(f.assets.len());
    for a in f.assets.iter().filter(|a| held(a)) {
        held_ids.insert(&a.id);
    }
    for d in &f.devices {
        let Some(o) = &d.os else { continue };
        if !held_ids.contains(d.asset_id.as_str()) {
            continue;
        }
        let roles = ["information_security_manager", "information_system_manager"];
        if Approval::valid(o.end_of_support_approval.as_ref(), &roles, as_of) {
            os.exempt += 1;
            continue;
        }
        os.add(o.support_ends_on.is_some_and(|e| e > as_of));
    }

    if f.scope.uses_cloud {
        let mut confidentiality: HashMap<&str, i64> = HashMap::with_capacity(f.assets.len());
        for a in &f.assets {
            let c = confidentiality.entry(&a.id).or_insert(i64::MIN);
            *c = (*c).max(a.classification.confidentiality);
        }
        for s in f.cloud_services.iter().filter(|s| !s.paid) {
            let max = s.asset_ids.iter().filter_map(|id| confidentiality.get(id.as_str())).max().copied().unwrap_or(1);
            cloud.add(max < 2);
        }
    }

    for a in f.assets.iter().filter(|a| held(a) && a.kind == "document") {
        let c = &a.classification;
        if c.confidentiality >= 2 || c.integrity >= 2 || c.availability >= 2 {
            locked.add(a.locked_storage == Some(true));
        }
    }
    out
}
