//! Differential testing of the native tier: random well-typed policies over random facts,
//! evaluated by the interpreter and by native code, must give byte-identical reports (JSON,
//! with and without explanations).
//!
//! The generator writes Okite source over a fixed schema (records, nested lists, optionals,
//! enums, sets, dates, durations, strings) with rules of every shape the language has: `when`,
//! nested `for … where`, `let`, `unless`, several `require`s with interpolated messages,
//! quantifiers and aggregates, calls of generated functions, index and optional access,
//! arithmetic that can overflow or divide by zero, and attestations. Facts are random too,
//! including values at the edges of `int`.
//!
//! Each case is a `u64` seed; proptest records a failing seed in
//! `tests/jit_differential.proptest-regressions`, and every failure found is kept as a fixture
//! in `tests/jit_regressions/` (policy and snapshot), replayed by `regressions_found_so_far`.
//! `PROPTEST_CASES` sets the number of cases (CI uses the default below).

#![cfg(feature = "jit")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "tests")]

use std::fmt::Write as _;

use okite_runtime::{DecodeOptions, Engine, EngineOptions, EvalOptions, Tier};
use proptest::prelude::*;

/// Seeds of failures found with the current generator, until each is saved as a fixture in
/// `tests/jit_regressions/` (a seed means another case once the generator changes).
const FOUND: &[u64] = &[];

/// Cases per run when `PROPTEST_CASES` is not set: about 15 s of a debug build here.
const CASES: u32 = 1_500;

const SCHEMA: &str = r#"package gen

enum Kind {
  alpha
  beta
  gamma
}

type Sub {
  key s: string
  v: int
  due: date?
}

type Item {
  key name: string
  n: int
  d: date
  opt: int? = none
  kind: Kind
  flag: bool = false
  tags: set<Kind> = {}
  span: duration = 30d
  subs: list<Sub> = []
}

type Att {
  clause: string
  on: date
}

facts Root {
  key name: string
  limit: int = 10
  since: date = 2024-04-01
  names: list<string> = []
  items: list<Item> = []
  attestations: list<Att> = []
}
"#;

/// SplitMix64: small, deterministic and good enough to drive a generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

/// What a generated expression may refer to.
#[derive(Clone, Default)]
struct Scope {
    /// Variables bound to an `Item`.
    items: Vec<String>,
    /// Variables bound to a `Sub`.
    subs: Vec<String>,
    /// `int` locals (lets and function parameters).
    ints: Vec<String>,
    /// `bool` locals.
    bools: Vec<String>,
    /// `date` locals.
    dates: Vec<String>,
    /// `string` locals.
    strs: Vec<String>,
    /// Whether `facts` may be used (not in functions).
    facts: bool,
    /// Functions that may be called: (name, parameter types, result type).
    fns: Vec<(String, Vec<Ty>, Ty)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Bool,
    Int,
    Date,
    Str,
    Kind,
    /// Only as a function parameter.
    Item,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::Int => "int",
            Ty::Date => "date",
            Ty::Str => "string",
            Ty::Kind => "Kind",
            Ty::Item => "Item",
        }
    }
}

struct Gen {
    rng: Rng,
    fresh: u32,
}

impl Gen {
    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn expr(&mut self, ty: Ty, sc: &Scope, depth: u32) -> String {
        match ty {
            Ty::Bool => self.bool(sc, depth),
            Ty::Int => self.int(sc, depth),
            Ty::Date => self.date(sc, depth),
            Ty::Str => self.str(sc, depth),
            Ty::Kind => self.kind(sc),
            Ty::Item => self.item(sc).unwrap_or_else(|| "facts.items[0]".into()),
        }
    }

    fn item(&mut self, sc: &Scope) -> Option<String> {
        (!sc.items.is_empty()).then(|| self.rng.pick(&sc.items).clone())
    }

    fn sub(&mut self, sc: &Scope) -> Option<String> {
        (!sc.subs.is_empty()).then(|| self.rng.pick(&sc.subs).clone())
    }

    /// A list of items the scope can reach.
    fn items_list(&mut self, sc: &Scope) -> Option<String> {
        sc.facts.then(|| "facts.items".to_string())
    }

    /// A list of subs the scope can reach.
    fn subs_list(&mut self, sc: &Scope) -> Option<String> {
        let item = self.item(sc)?;
        Some(format!("{item}.subs"))
    }

    fn call(&mut self, ty: Ty, sc: &Scope, depth: u32) -> Option<String> {
        let reachable = |p: &Ty| *p != Ty::Item || !sc.items.is_empty();
        let fns: Vec<_> = sc.fns.iter().filter(|f| f.2 == ty && f.1.iter().all(reachable)).cloned().collect();
        if fns.is_empty() {
            return None;
        }
        let (name, params, _) = self.rng.pick(&fns).clone();
        let args: Vec<String> = params.iter().map(|p| self.expr(*p, sc, depth + 1)).collect();
        Some(format!("{name}({})", args.join(", ")))
    }

    fn bool(&mut self, sc: &Scope, depth: u32) -> String {
        let leaf = depth >= 3;
        for _ in 0..8 {
            let choice = if leaf { self.rng.below(6) } else { self.rng.below(24) };
            let e = match choice {
                0 => Some(if self.rng.chance(50) { "true" } else { "false" }.to_string()),
                1 => self.item(sc).map(|i| format!("{i}.flag")),
                2 => (!sc.bools.is_empty()).then(|| self.rng.pick(&sc.bools).clone()),
                3..=5 => {
                    let op = *self.rng.pick(&["==", "!=", "<", "<=", ">", ">="]);
                    let ty = *self.rng.pick(&[Ty::Int, Ty::Int, Ty::Date, Ty::Str]);
                    let (a, b) = (self.expr(ty, sc, depth + 1), self.expr(ty, sc, depth + 1));
                    Some(format!("{a} {op} {b}"))
                }
                6 => Some(format!("{} and {}", self.bool(sc, depth + 1), self.bool(sc, depth + 1))),
                7 => Some(format!("({} or {})", self.bool(sc, depth + 1), self.bool(sc, depth + 1))),
                8 => Some(format!("not ({})", self.bool(sc, depth + 1))),
                9 => {
                    let k = self.kind(sc);
                    let set = self.kind_set(sc);
                    let op = if self.rng.chance(70) { "in" } else { "not in" };
                    Some(format!("{k} {op} {set}"))
                }
                10 => {
                    let a = self.kind(sc);
                    let b = self.kind(sc);
                    Some(format!("{a} == {b}"))
                }
                11 => self.subs_list(sc).map(|list| {
                    let q = *self.rng.pick(&["any", "all", "none"]);
                    let v = self.fresh("s");
                    let mut inner = sc.clone();
                    inner.subs.push(v.clone());
                    let body = self.bool(&inner, depth + 1);
                    format!("{q}({v} in {list}: {body})")
                }),
                12 => self.items_list(sc).map(|list| {
                    let q = *self.rng.pick(&["any", "all", "none"]);
                    let v = self.fresh("i");
                    let mut inner = sc.clone();
                    inner.items.push(v.clone());
                    let body = self.bool(&inner, depth + 1);
                    let filter = if self.rng.chance(30) {
                        format!(" where {}", self.bool(&inner, depth + 2))
                    } else {
                        String::new()
                    };
                    format!("{q}({v} in {list}{filter}: {body})")
                }),
                13 => {
                    let s = self.str(sc, depth + 1);
                    let f = *self.rng.pick(&["has_digit", "has_upper", "has_lower", "has_symbol"]);
                    Some(format!("{f}({s})"))
                }
                14 => {
                    let s = self.str(sc, depth + 1);
                    let f = *self.rng.pick(&["contains", "starts_with", "ends_with"]);
                    let p = *self.rng.pick(&["\"a\"", "\"-\"", "\"\"", "\"施設\""]);
                    Some(format!("{f}({s}, {p})"))
                }
                15 => self.item(sc).map(|i| {
                    let op = *self.rng.pick(&["== none", "!= none"]);
                    format!("{i}.opt {op}")
                }),
                16 => sc.facts.then(|| {
                    let s = self.str(sc, depth + 1);
                    format!("{s} in facts.names")
                }),
                17 => Some(format!(
                    "(if {} then {} else {})",
                    self.bool(sc, depth + 1),
                    self.bool(sc, depth + 1),
                    self.bool(sc, depth + 1)
                )),
                18 => self.call(Ty::Bool, sc, depth),
                19 => self.item(sc).map(|i| {
                    let set = self.kind_set(sc);
                    let op = *self.rng.pick(&["<=", ">=", "==", "!="]);
                    format!("{i}.tags {op} {set}")
                }),
                20 => self.sub(sc).map(|s| format!("{s}.due != none and {s}.due ?? as_of <= as_of")),
                21 => self.item(sc).map(|i| {
                    let d = *self.rng.pick(&["30d", "1m", "1y", "12m", "90d", "3m"]);
                    let op = *self.rng.pick(&["<", ">=", "=="]);
                    format!("{i}.span {op} {d}")
                }),
                22 => self.item(sc).map(|i| {
                    let d = *self.rng.pick(&["30d", "1m", "1y", "2w"]);
                    format!("within({i}.d, {d})")
                }),
                _ => self.call(Ty::Bool, sc, depth),
            };
            if let Some(e) = e {
                return e;
            }
        }
        "true".into()
    }

    fn kind_set(&mut self, sc: &Scope) -> String {
        if self.rng.chance(25)
            && let Some(i) = self.item(sc)
        {
            return format!("{i}.tags");
        }
        let all = ["alpha", "beta", "gamma"];
        let picked: Vec<&str> = all.iter().copied().filter(|_| self.rng.chance(50)).collect();
        if picked.is_empty() {
            // `{}` is not a set literal; a one-element set is.
            return "{alpha}".into();
        }
        format!("{{{}}}", picked.join(", "))
    }

    fn kind(&mut self, sc: &Scope) -> String {
        if self.rng.chance(60)
            && let Some(i) = self.item(sc)
        {
            return format!("{i}.kind");
        }
        format!("Kind.{}", self.rng.pick(&["alpha", "beta", "gamma"]))
    }

    fn int(&mut self, sc: &Scope, depth: u32) -> String {
        let leaf = depth >= 3;
        for _ in 0..8 {
            let choice = if leaf { self.rng.below(5) } else { self.rng.below(20) };
            let e = match choice {
                0 => Some(self.int_literal()),
                1 => self.item(sc).map(|i| format!("{i}.n")),
                2 => self.sub(sc).map(|s| format!("{s}.v")),
                3 => sc.facts.then(|| "facts.limit".to_string()),
                4 => (!sc.ints.is_empty()).then(|| self.rng.pick(&sc.ints).clone()),
                5..=7 => {
                    let op = *self.rng.pick(&["+", "-", "*", "/", "%"]);
                    Some(format!("({} {op} {})", self.int(sc, depth + 1), self.int(sc, depth + 1)))
                }
                8 => self.subs_list(sc).map(|list| {
                    let v = self.fresh("s");
                    let mut inner = sc.clone();
                    inner.subs.push(v.clone());
                    match self.rng.below(4) {
                        0 => format!("count({v} in {list} where {})", self.bool(&inner, depth + 1)),
                        1 => format!("sum({v} in {list}: {})", self.int(&inner, depth + 1)),
                        2 => format!("(min({v} in {list}: {v}.v) ?? {})", self.int_literal()),
                        _ => format!("(max({v} in {list}: {}) ?? 0)", self.int(&inner, depth + 1)),
                    }
                }),
                9 => self.items_list(sc).map(|list| {
                    let v = self.fresh("i");
                    let mut inner = sc.clone();
                    inner.items.push(v.clone());
                    if self.rng.chance(50) {
                        format!("count({v} in {list} where {})", self.bool(&inner, depth + 1))
                    } else {
                        format!("sum({v} in {list}: {})", self.int(&inner, depth + 1))
                    }
                }),
                10 => self.item(sc).map(|i| format!("({i}.opt ?? {})", self.int(sc, depth + 1))),
                11 => Some(format!("length({})", self.str(sc, depth + 1))),
                12 => self.item(sc).map(|i| format!("length({i}.subs)")),
                13 => Some(format!("days(as_of - {})", self.date(sc, depth + 1))),
                14 => Some(format!("year({})", self.date(sc, depth + 1))),
                15 => Some(format!(
                    "(if {} then {} else {})",
                    self.bool(sc, depth + 1),
                    self.int(sc, depth + 1),
                    self.int(sc, depth + 1)
                )),
                16 => self.call(Ty::Int, sc, depth),
                17 => self.item(sc).map(|i| {
                    if self.rng.chance(50) {
                        format!("({i}.subs[{}]?.v ?? -1)", self.int(sc, depth + 1))
                    } else {
                        // The first element of a filter, as policies look records up.
                        let v = self.fresh("s");
                        let mut inner = sc.clone();
                        inner.subs.push(v.clone());
                        let at = if self.rng.chance(80) { "0" } else { "1" };
                        format!("(filter({v} in {i}.subs: {})[{at}]?.v ?? -2)", self.bool(&inner, depth + 1))
                    }
                }),
                18 => Some(format!("-({})", self.int(sc, depth + 1))),
                _ => self.item(sc).map(|i| format!("abs({i}.n)")),
            };
            if let Some(e) = e {
                return e;
            }
        }
        self.int_literal()
    }

    fn int_literal(&mut self) -> String {
        match self.rng.below(10) {
            0 => "9223372036854775807".into(),
            1 => "0".into(),
            _ => format!("{}", self.rng.below(20)),
        }
    }

    fn date(&mut self, sc: &Scope, depth: u32) -> String {
        for _ in 0..8 {
            let e = match self.rng.below(if depth >= 3 { 4 } else { 8 }) {
                0 => Some("as_of".to_string()),
                1 => self.item(sc).map(|i| format!("{i}.d")),
                2 => sc.facts.then(|| "facts.since".to_string()),
                3 => Some(self.rng.pick(&["2024-02-29", "2025-04-01", "2026-03-31"]).to_string()),
                4 => {
                    let op = *self.rng.pick(&["+", "-"]);
                    let d = *self.rng.pick(&["30d", "1m", "1y", "2w", "6m"]);
                    Some(format!("({} {op} {d})", self.date(sc, depth + 1)))
                }
                5 => (!sc.dates.is_empty()).then(|| self.rng.pick(&sc.dates).clone()),
                6 => self.sub(sc).map(|s| format!("({s}.due ?? {})", self.date(sc, depth + 1))),
                _ => self.call(Ty::Date, sc, depth),
            };
            if let Some(e) = e {
                return e;
            }
        }
        "as_of".into()
    }

    fn str(&mut self, sc: &Scope, depth: u32) -> String {
        for _ in 0..8 {
            let e = match self.rng.below(if depth >= 3 { 4 } else { 8 }) {
                0 => Some(self.rng.pick(&["\"a\"", "\"Ab1\"", "\"\"", "\"施設\""]).to_string()),
                1 => self.item(sc).map(|i| format!("{i}.name")),
                2 => self.sub(sc).map(|s| format!("{s}.s")),
                3 => (!sc.strs.is_empty()).then(|| self.rng.pick(&sc.strs).clone()),
                4 => Some(format!("lower({})", self.str(sc, depth + 1))),
                5 => Some(format!("({} + {})", self.str(sc, depth + 1), self.str(sc, depth + 1))),
                6 => Some(format!("\"{{{}}}-x\"", self.int(sc, depth + 1))),
                _ => self.call(Ty::Str, sc, depth),
            };
            if let Some(e) = e {
                return e;
            }
        }
        "\"a\"".into()
    }

    /// A `let` of a random type into the scope; returns the statement.
    fn let_(&mut self, sc: &mut Scope, depth: u32) -> String {
        let ty = *self.rng.pick(&[Ty::Int, Ty::Bool, Ty::Date, Ty::Str]);
        let name = self.fresh("v");
        let value = self.expr(ty, sc, depth);
        match ty {
            Ty::Int => sc.ints.push(name.clone()),
            Ty::Bool => sc.bools.push(name.clone()),
            Ty::Date => sc.dates.push(name.clone()),
            _ => sc.strs.push(name.clone()),
        }
        format!("let {name} = {value}")
    }

    fn function(&mut self, k: usize, earlier: &[(String, Vec<Ty>, Ty)]) -> (String, (String, Vec<Ty>, Ty)) {
        let name = format!("f{k}");
        let result = *self.rng.pick(&[Ty::Bool, Ty::Int, Ty::Date, Ty::Str, Ty::Bool]);
        let mut sc = Scope { fns: earlier.to_vec(), ..Scope::default() };
        let mut params = Vec::new();
        let mut types = Vec::new();
        for p in 0..self.rng.below(3) + 1 {
            let ty = *self.rng.pick(&[Ty::Int, Ty::Bool, Ty::Date, Ty::Str, Ty::Int]);
            let pname = format!("p{p}");
            match ty {
                Ty::Int => sc.ints.push(pname.clone()),
                Ty::Bool => sc.bools.push(pname.clone()),
                Ty::Date => sc.dates.push(pname.clone()),
                _ => sc.strs.push(pname.clone()),
            }
            params.push(format!("{pname}: {}", ty.name()));
            types.push(ty);
        }
        // Items reach functions as parameters too, so functions see records.
        if self.rng.chance(50) {
            sc.items.push("it".into());
            params.push("it: Item".into());
            types.push(Ty::Item);
        }
        let body = if self.rng.chance(40) {
            let l = self.let_(&mut sc, 1);
            // The result is bound first: a result line opening with `(` would continue the
            // `let` above as a call.
            format!("{{\n  {l}\n  let result = {}\n  result\n}}", self.expr(result, &sc, 1))
        } else {
            format!("= {}", self.expr(result, &sc, 1))
        };
        let text = format!("fn {name}({}) -> {} {body}\n", params.join(", "), result.name());
        (text, (name, types, result))
    }

    fn rule(&mut self, k: usize, fns: &[(String, Vec<Ty>, Ty)]) -> String {
        let mut sc = Scope { facts: true, fns: fns.to_vec(), ..Scope::default() };
        let mut out = String::new();
        writeln!(out, "/// generated rule {k}").unwrap();
        writeln!(out, "rule r{k} {{").unwrap();
        writeln!(out, "  clause \"{}\"", k + 1).unwrap();
        writeln!(out, "  severity {}", self.rng.pick(&["high", "medium", "low"])).unwrap();
        if self.rng.chance(10) {
            writeln!(out, "  attest every {}", self.rng.pick(&["1y", "6m", "30d"])).unwrap();
            writeln!(out, "}}").unwrap();
            return out;
        }
        if self.rng.chance(25) {
            writeln!(out, "  when {}", self.bool(&sc, 1)).unwrap();
        }
        if self.rng.chance(20) {
            writeln!(out, "  {}", self.let_(&mut sc, 1)).unwrap();
        }
        let loops = self.rng.below(3);
        if loops >= 1 {
            let v = self.fresh("x");
            sc.items.push(v.clone());
            let filter = if self.rng.chance(30) { format!(" where {}", self.bool(&sc, 1)) } else { String::new() };
            writeln!(out, "  for {v} in facts.items{filter}").unwrap();
            if self.rng.chance(20) {
                writeln!(out, "  {}", self.let_(&mut sc, 1)).unwrap();
            }
            if loops >= 2 {
                let s = self.fresh("y");
                let filter = if self.rng.chance(30) {
                    let mut inner = sc.clone();
                    inner.subs.push(s.clone());
                    format!(" where {}", self.bool(&inner, 1))
                } else {
                    String::new()
                };
                writeln!(out, "  for {s} in {v}.subs{filter}").unwrap();
                sc.subs.push(s);
            }
        }
        if self.rng.chance(25) {
            writeln!(out, "  unless {}", self.bool(&sc, 1)).unwrap();
        }
        for _ in 0..self.rng.below(3) + 1 {
            if self.rng.chance(20) {
                writeln!(out, "  {}", self.let_(&mut sc, 1)).unwrap();
            }
            let cond = self.bool(&sc, 0);
            if self.rng.chance(70) {
                let ty = *self.rng.pick(&[Ty::Int, Ty::Str, Ty::Date, Ty::Kind]);
                let shown = self.expr(ty, &sc, 2);
                writeln!(out, "  require {cond}\n    else \"r{k}: {{{shown}}}\"").unwrap();
            } else {
                writeln!(out, "  require {cond}").unwrap();
            }
        }
        writeln!(out, "}}").unwrap();
        out
    }

    fn program(&mut self) -> String {
        let mut out = String::from(SCHEMA);
        let mut fns: Vec<(String, Vec<Ty>, Ty)> = Vec::new();
        for k in 0..self.rng.below(4) {
            let (text, sig) = self.function(k as usize, &fns);
            out.push('\n');
            out.push_str(&text);
            fns.push(sig);
        }
        for k in 0..self.rng.below(6) + 1 {
            out.push('\n');
            out.push_str(&self.rule(k as usize, &fns));
        }
        out
    }

    fn facts(&mut self) -> serde_json::Value {
        use serde_json::json;
        let int = |g: &mut Gen| -> serde_json::Value {
            match g.rng.below(12) {
                0 => json!(i64::MAX),
                1 => json!(i64::MIN + 1),
                2 => json!(-(g.rng.below(5) as i64)),
                _ => json!(g.rng.below(25)),
            }
        };
        let date = |g: &mut Gen| -> String {
            format!("{}-{:02}-{:02}", 2023 + g.rng.below(4), 1 + g.rng.below(12), 1 + g.rng.below(28))
        };
        let string = |g: &mut Gen| -> String { g.rng.pick(&["a", "Ab1", "", "施設", "x-y", "ABC!"]).to_string() };
        let kinds = ["alpha", "beta", "gamma"];
        let mut items = Vec::new();
        for i in 0..self.rng.below(6) {
            let mut subs = Vec::new();
            for j in 0..self.rng.below(4) {
                let mut sub = json!({ "s": format!("s{j}{}", string(self)), "v": int(self) });
                if self.rng.chance(50) {
                    sub["due"] = json!(date(self));
                }
                subs.push(sub);
            }
            let mut item = json!({
                "name": format!("{}{i}", string(self)),
                "n": int(self),
                "d": date(self),
                "kind": self.rng.pick(&kinds),
                "subs": subs,
            });
            if self.rng.chance(50) {
                item["opt"] = int(self);
            }
            if self.rng.chance(70) {
                item["flag"] = json!(self.rng.chance(50));
            }
            if self.rng.chance(60) {
                let tags: Vec<&str> = kinds.iter().copied().filter(|_| self.rng.chance(50)).collect();
                item["tags"] = json!(tags);
            }
            if self.rng.chance(50) {
                item["span"] = json!(self.rng.pick(&["30d", "1m", "1y", "2w", "400d"]));
            }
            items.push(item);
        }
        let names: Vec<String> = (0..self.rng.below(4)).map(|_| string(self)).collect();
        let attestations: Vec<serde_json::Value> = (0..self.rng.below(3))
            .map(|_| json!({ "clause": format!("{}", 1 + self.rng.below(4)), "on": date(self) }))
            .collect();
        json!({
            "as_of": date(self),
            "name": "facility",
            "limit": int(self),
            "since": date(self),
            "names": names,
            "items": items,
            "attestations": attestations,
        })
    }
}

/// The errors among `diagnostics`, with the source they point at.
fn errors(diagnostics: &[okite_compiler::Diagnostic]) -> String {
    diagnostics
        .iter()
        .filter(|d| d.level == okite_compiler::Level::Error)
        .map(|d| format!("{:?} {} at {:?}: {}\n", d.code, d.message, d.primary.span, d.primary.message))
        .collect()
}

/// Generates the case of `seed`, evaluates it with both tiers and compares the reports.
fn agree(seed: u64) -> Result<(), TestCaseError> {
    let mut g = Gen { rng: Rng(seed), fresh: 0 };
    let source = g.program();
    let facts: Vec<Vec<u8>> = (0..3).map(|_| serde_json::to_vec(&g.facts()).unwrap()).collect();
    compare(&format!("seed {seed:#x}"), &source, &facts)
}

/// Compiles `source`, evaluates every snapshot of `facts` with both tiers, with and without
/// explanations, and compares the reports.
fn compare(case: &str, source: &str, facts: &[Vec<u8>]) -> Result<(), TestCaseError> {
    let db = okite_compiler::Database::new(vec![okite_compiler::FileInput::new("gen.okite", source)]);
    let program = match db.compile() {
        Ok(p) => (*p).clone(),
        Err(d) => return Err(TestCaseError::fail(format!("{case}: an ill-typed policy:\n{source}\n{}", errors(&d)))),
    };
    let engine =
        |tier| Engine::with_options(program.clone(), EngineOptions { tier, ..EngineOptions::default() }).unwrap();
    let (interp, jit) = (engine(Tier::Interp), engine(Tier::Jit));
    let info = jit.jit_info().unwrap();
    prop_assert_eq!(info.compiled, program.rules.len(), "{}: every rule compiles: {:?}\n{}", case, info.notes, source);
    for facts in facts {
        for explain in [false, true] {
            let options = EvalOptions { explain, ..EvalOptions::default() };
            let run = |e: &Engine| match e.decode_json(facts, DecodeOptions::default()) {
                Ok(snap) => serde_json::to_string_pretty(&e.evaluate(&snap, &options)).unwrap(),
                Err(err) => panic!("{case}: the facts do not decode: {err:?}\n{}", String::from_utf8_lossy(facts)),
            };
            let (a, b) = (run(&interp), run(&jit));
            if a != b {
                let facts = String::from_utf8_lossy(facts);
                let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
                let around = |s: &str| s.lines().skip(line.saturating_sub(6)).take(14).collect::<Vec<_>>().join("\n");
                return Err(TestCaseError::fail(format!(
                    "{case}: reports differ (explain: {explain}) at line {line}\n--- policy\n{source}\n--- facts\n{facts}\n--- interpreter\n{}\n--- native\n{}",
                    around(&a),
                    around(&b)
                )));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(CASES),
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn native_code_agrees_with_the_interpreter(seed in any::<u64>()) {
        agree(seed)?;
    }
}

/// Every failure found so far, as a fixture: `tests/jit_regressions/NAME.okite` and the
/// snapshot `NAME.json` (fixtures outlive changes to the generator, which re-map seeds).
#[test]
fn regressions_found_so_far() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jit_regressions");
    let mut cases: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    cases.retain(|p| p.extension().is_some_and(|x| x == "okite"));
    cases.sort();
    assert!(!cases.is_empty(), "the fixtures are in {}", dir.display());
    for policy in cases {
        let source = std::fs::read_to_string(&policy).unwrap();
        let facts = std::fs::read(policy.with_extension("json")).unwrap();
        if let Err(e) = compare(&policy.display().to_string(), &source, &[facts]) {
            panic!("{e}");
        }
    }
    for &seed in FOUND {
        if let Err(e) = agree(seed) {
            panic!("{e}");
        }
    }
}

#[test]
fn the_generator_writes_policies_that_compile() {
    // The generator is half of the test: if it wrote only trivial or rejected policies, the
    // comparison would prove nothing. Every seed must compile and the rules must vary.
    let mut shapes = std::collections::BTreeSet::new();
    for seed in 0..40u64 {
        let mut g = Gen { rng: Rng(seed), fresh: 0 };
        let source = g.program();
        let db = okite_compiler::Database::new(vec![okite_compiler::FileInput::new("gen.okite", source.clone())]);
        if let Err(d) = db.compile() {
            panic!("seed {seed}:\n{source}\n{}", errors(&d));
        }
        for word in ["for", "unless", "when", "any(", "count(", "sum(", "attest", "?.v", "let", "/", "filter("] {
            if source.contains(word) {
                shapes.insert(word);
            }
        }
    }
    assert_eq!(shapes.len(), 11, "shapes seen: {shapes:?}");
}
