//! The interpreter: evaluates plan nodes over the stacked heaps.
//!
//! It never panics: a malformed reference reads as `none`, arithmetic is checked, and every
//! loop iteration spends from a step budget, so no snapshot can make an evaluation run away.

use std::cmp::Ordering;

use okite_ir::{BinOp, Builtin, Date, OrdKind, Program, QuantKind, Type, TypeId, UnOp};

use crate::engine::Prepared;
use crate::heap::{Heap, Heaps, NO_ORIGIN};
use crate::plan::{Node, Part};
use crate::render::render;
use crate::word::{self, NONE, Word};

/// Why an evaluation stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Arithmetic overflowed.
    Overflow(&'static str),
    /// Division or remainder by zero.
    DivisionByZero,
    /// The step budget ran out.
    Budget(u64),
    /// A date left the supported range (years 1–9999).
    DateRange,
    /// The program is inconsistent (only possible with a hand-made bundle).
    Malformed(&'static str),
    /// A plugin trapped, ran out of fuel, memory or time, or broke the ABI.
    Plugin(String),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Overflow(op) => write!(f, "arithmetic overflow in `{op}`"),
            Fault::DivisionByZero => f.write_str("division by zero"),
            Fault::Budget(n) => write!(f, "evaluation exceeded its budget of {n} steps"),
            Fault::DateRange => f.write_str("date arithmetic left the supported range (years 1–9999)"),
            Fault::Malformed(what) => write!(f, "malformed policy program: {what}"),
            Fault::Plugin(why) => f.write_str(why),
        }
    }
}

/// The result of evaluating a node.
pub type EvalResult = Result<Word, Fault>;

/// An evaluation in progress.
pub struct Machine<'a> {
    /// The prepared policy set.
    pub eng: &'a Prepared,
    /// The engine's heap (or an empty heap while constants are being evaluated).
    pub stat: &'a Heap,
    /// The snapshot's heap.
    pub snap: &'a Heap,
    /// The snapshot root.
    pub root: Word,
    /// `as_of`.
    pub as_of: Word,
    /// Values computed during this evaluation.
    pub scratch: Heap,
    frames: Vec<Word>,
    fp: usize,
    steps: u64,
    budget: u64,
    /// Equality indexes over snapshot and engine lists, built on first use:
    /// (list, field) → field value → element positions, ascending.
    indexes: rustc_hash::FxHashMap<(u32, u32), EqIndex>,
    /// The keys of `indexes` in the order they were built, so that a rule the native tier
    /// gives back to the interpreter can be re-run from the same state.
    index_log: Vec<(u32, u32)>,
}

/// Lists shorter than this are scanned rather than indexed.
pub const INDEX_FROM: usize = 32;

impl std::fmt::Debug for Machine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine").field("steps", &self.steps).finish_non_exhaustive()
    }
}

impl<'a> Machine<'a> {
    /// A machine evaluating over `snap` (whose scratch heap stacks above it).
    pub fn new(eng: &'a Prepared, stat: &'a Heap, snap: &'a Heap, root: Word, as_of: Date, budget: u64) -> Machine<'a> {
        Machine {
            eng,
            stat,
            snap,
            root,
            as_of: word::from_date(as_of),
            scratch: Heap::above(Some(snap)),
            frames: Vec::new(),
            fp: 0,
            steps: 0,
            budget,
            indexes: Default::default(),
            index_log: Vec::new(),
        }
    }

    /// A machine whose scratch heap is `scratch` (used to build the engine's heap itself).
    pub fn with_scratch(eng: &'a Prepared, empty: &'a Heap, scratch: Heap, budget: u64) -> Machine<'a> {
        Machine {
            eng,
            stat: empty,
            snap: empty,
            root: NONE,
            as_of: 0,
            scratch,
            frames: Vec::new(),
            fp: 0,
            steps: 0,
            budget,
            indexes: Default::default(),
            index_log: Vec::new(),
        }
    }

    /// The program.
    pub fn program(&self) -> &'a Program {
        &self.eng.program
    }

    /// Starts a fresh frame of `n` slots (for a rule or constant).
    pub fn enter_frame(&mut self, n: usize) {
        self.frames.clear();
        self.frames.resize(n, NONE);
        self.fp = 0;
    }

    /// Sets a slot of the current frame.
    pub fn set_local(&mut self, slot: u32, w: Word) {
        if let Some(s) = self.frames.get_mut(self.fp + slot as usize) {
            *s = w;
        }
    }

    /// Reads a slot of the current frame.
    pub fn local(&self, slot: u32) -> Word {
        self.frames.get(self.fp + slot as usize).copied().unwrap_or(NONE)
    }

    /// Opens a frame of `n` slots for a call; returns what [`Machine::pop_frame`] needs.
    pub fn push_frame(&mut self, n: usize) -> (usize, usize) {
        let saved = self.fp;
        let fp = self.frames.len();
        self.frames.resize(fp + n, NONE);
        self.fp = fp;
        (saved, fp)
    }

    /// Closes a frame opened by [`Machine::push_frame`].
    pub fn pop_frame(&mut self, (saved, fp): (usize, usize)) {
        self.frames.truncate(fp);
        self.fp = saved;
    }

    /// Starts a new budget (each rule has its own).
    pub fn reset_budget(&mut self) {
        self.steps = 0;
    }

    /// Steps spent by the current rule.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Sets the steps spent (the native tier keeps its own count while it runs).
    pub fn set_steps(&mut self, steps: u64) {
        self.steps = steps;
    }

    /// The step budget of one rule.
    pub fn budget(&self) -> u64 {
        self.budget
    }

    /// How many equality indexes exist (see [`Machine::forget_indexes`]).
    pub fn index_mark(&self) -> usize {
        self.index_log.len()
    }

    /// Drops the indexes built since `mark`, so that re-running a rule spends the same steps
    /// building them as its first run did.
    pub fn forget_indexes(&mut self, mark: usize) {
        for key in self.index_log.drain(mark..) {
            self.indexes.remove(&key);
        }
    }

    /// Spends one step of the budget.
    pub fn step(&mut self) -> Result<(), Fault> {
        self.steps += 1;
        if self.steps > self.budget { Err(Fault::Budget(self.budget)) } else { Ok(()) }
    }

    // -----------------------------------------------------------------------------------------
    // Heap access across the three layers

    fn heap_of_record(&self, r: u32) -> Option<&Heap> {
        [&self.scratch, self.snap, self.stat].into_iter().find(|h| h.has_record(r))
    }

    /// Field `i` of record `r`.
    pub fn field(&self, r: Word, i: u32) -> Word {
        let r32 = r as u32;
        if self.snap.has_record(r32) {
            return self.snap.words.get((r32 - self.snap.word_base) as usize + 1 + i as usize).copied().unwrap_or(NONE);
        }
        match self.heap_of_record(r32) {
            Some(h) => h.words.get((r32 - h.word_base) as usize + 1 + i as usize).copied().unwrap_or(NONE),
            None => NONE,
        }
    }

    /// The elements of a list that lives in the snapshot or engine heap (borrowed for the
    /// machine's lifetime), or `None` for a scratch list.
    pub fn stable_elems(&self, l: Word) -> Option<&'a [Word]> {
        let l32 = l as u32;
        for h in [self.snap, self.stat] {
            if h.has_list(l32) {
                let hdr = h.lists.get((l32 - h.list_base) as usize)?;
                return h.elems.get(hdr.start as usize..(hdr.start + hdr.len) as usize);
            }
        }
        None
    }

    /// The elements of any list, copied when it is a scratch list.
    pub fn elems(&self, l: Word) -> std::borrow::Cow<'a, [Word]> {
        if let Some(s) = self.stable_elems(l) {
            return std::borrow::Cow::Borrowed(s);
        }
        let l32 = l as u32;
        let h = &self.scratch;
        let out = h
            .lists
            .get(l32.wrapping_sub(h.list_base) as usize)
            .and_then(|hdr| h.elems.get(hdr.start as usize..(hdr.start + hdr.len) as usize))
            .map(<[Word]>::to_vec)
            .unwrap_or_default();
        std::borrow::Cow::Owned(out)
    }

    /// The text of a string word.
    pub fn str(&self, w: Word) -> &str {
        let sym = w as u32;
        for h in [&self.scratch, self.snap, self.stat] {
            if sym >= h.strings.base() && sym < h.strings.end() {
                return h.strings.get(sym).unwrap_or("");
            }
        }
        ""
    }

    /// A read-only view of the three heaps.
    pub fn with_view<R>(&self, f: impl FnOnce(Heaps<'_>) -> R) -> R {
        let layers = [self.stat, self.snap, &self.scratch];
        f(Heaps { layers: &layers })
    }

    /// Interns a computed string.
    pub fn intern(&mut self, s: &str) -> Word {
        let below = [&self.stat.strings, &self.snap.strings];
        Word::from(self.scratch.strings.intern(&below, s))
    }

    /// Makes a list of computed elements.
    pub fn make_list(&mut self, items: &[Word]) -> Word {
        self.scratch.push_list(items, NO_ORIGIN)
    }

    /// Makes a set: sorted and de-duplicated (strings are compared by symbol, which is what
    /// membership tests use).
    pub fn make_set(&mut self, mut items: Vec<Word>) -> Word {
        items.sort_unstable();
        items.dedup();
        self.scratch.push_list(&items, NO_ORIGIN)
    }

    fn ty(&self, t: TypeId) -> Type {
        self.eng.program.types.ty(t)
    }

    // -----------------------------------------------------------------------------------------
    // Evaluation

    /// Evaluates a node to a word.
    pub fn eval(&mut self, n: &Node) -> EvalResult {
        match n {
            Node::Const(w) => Ok(*w),
            Node::Local(i) => Ok(self.local(*i)),
            Node::Facts => Ok(self.root),
            Node::AsOf => Ok(self.as_of),
            Node::Field(base, i) => {
                let b = self.eval(base)?;
                Ok(if b == NONE { NONE } else { self.field(b, *i) })
            }
            Node::OptField(base, i) => {
                let b = self.eval(base)?;
                Ok(if b == NONE { NONE } else { self.field(b, *i) })
            }
            Node::Index(base, index) => {
                let b = self.eval(base)?;
                let i = self.eval(index)?;
                if b == NONE || i == NONE {
                    return Ok(NONE);
                }
                let i = word::to_int(i);
                let elems = self.elems(b);
                Ok(usize::try_from(i).ok().and_then(|i| elems.get(i).copied()).unwrap_or(NONE))
            }
            Node::Unary(op, arg) => {
                let a = self.eval(arg)?;
                self.unary(*op, a)
            }
            Node::Binary(op, l, r, ty) => self.binary(*op, l, r, *ty),
            Node::If(c, t, e) => {
                if self.eval(c)? == 1 {
                    self.eval(t)
                } else {
                    self.eval(e)
                }
            }
            Node::Let(slot, value, body) => {
                let v = self.eval(value)?;
                self.set_local(*slot, v);
                self.eval(body)
            }
            Node::Call(f, args) => self.call(*f, args),
            Node::Builtin(b, args) => self.builtin(*b, args),
            Node::Extern(plugin, func, args) => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(a)?);
                }
                self.step()?;
                crate::plugins::call(self, *plugin, *func, &values)
            }
            Node::Quant { kind, var, source, filter, body, source_ty, index } => {
                self.quant(*kind, *var, source, filter.as_deref(), body.as_deref(), *source_ty, index.as_ref())
            }
            Node::List(items) => {
                let mut ws = Vec::with_capacity(items.len());
                for i in items {
                    ws.push(self.eval(i)?);
                }
                Ok(self.make_list(&ws))
            }
            Node::Set(items) => {
                let mut ws = Vec::with_capacity(items.len());
                for i in items {
                    ws.push(self.eval(i)?);
                }
                Ok(self.make_set(ws))
            }
            Node::Record(fields) => {
                let mut ws = Vec::with_capacity(fields.len());
                for f in fields {
                    ws.push(self.eval(f)?);
                }
                let r = self.scratch.alloc_record(ws.len(), NO_ORIGIN);
                for (i, w) in ws.into_iter().enumerate() {
                    self.scratch.set_field(r, i as u32, w);
                }
                Ok(r)
            }
            Node::Interp(_) => {
                let text = self.eval_text(n)?;
                Ok(self.intern(&text))
            }
        }
    }

    /// Evaluates a string-valued node to text without interning it (messages are read once).
    pub fn eval_text(&mut self, n: &Node) -> Result<String, Fault> {
        match n {
            Node::Interp(parts) => {
                let mut out = String::new();
                for p in parts {
                    match p {
                        Part::Text(t) => out.push_str(t),
                        Part::Value(node, ty) => {
                            let w = self.eval(node)?;
                            let text = self.with_view(|v| render(&self.eng.program, v, w, *ty));
                            out.push_str(&text);
                        }
                    }
                }
                Ok(out)
            }
            other => {
                let w = self.eval(other)?;
                Ok(self.str(w).to_string())
            }
        }
    }

    /// Calls function plan `f` with the values of `args`.
    pub fn call(&mut self, f: u32, args: &[Node]) -> EvalResult {
        let Some(plan) = self.eng.fns.get(f as usize) else {
            return Err(Fault::Malformed("call of an undefined function"));
        };
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.eval(a)?);
        }
        self.step()?;
        let frame = self.push_frame(plan.nlocals);
        for (slot, v) in plan.params.iter().zip(values) {
            self.set_local(*slot, v);
        }
        let result = self.eval(&plan.body);
        self.pop_frame(frame);
        result
    }

    /// Applies a unary operator.
    pub fn unary(&mut self, op: UnOp, a: Word) -> EvalResult {
        match op {
            UnOp::Not => Ok(word::from_bool(a != 1)),
            UnOp::IntNeg | UnOp::DecNeg => {
                word::to_int(a).checked_neg().and_then(word::from_int).ok_or(Fault::Overflow("-"))
            }
            UnOp::DurNeg => {
                let d = word::to_duration(a);
                let n = okite_ir::Duration {
                    months: d.months.checked_neg().ok_or(Fault::Overflow("-"))?,
                    days: d.days.checked_neg().ok_or(Fault::Overflow("-"))?,
                };
                word::from_duration(n).ok_or(Fault::Overflow("-"))
            }
            UnOp::IntToDec => {
                if a == NONE {
                    return Ok(NONE);
                }
                okite_ir::Decimal::from_int(word::to_int(a))
                    .and_then(word::from_decimal)
                    .ok_or(Fault::Overflow("decimal"))
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &Node, r: &Node, ty: TypeId) -> EvalResult {
        // Short-circuit operators evaluate the right side only when needed.
        match op {
            BinOp::And => return Ok(word::from_bool(self.eval(l)? == 1 && self.eval(r)? == 1)),
            BinOp::Or => return Ok(word::from_bool(self.eval(l)? == 1 || self.eval(r)? == 1)),
            BinOp::Coalesce => {
                let a = self.eval(l)?;
                return if a != NONE { Ok(a) } else { self.eval(r) };
            }
            _ => {}
        }
        let a = self.eval(l)?;
        let b = self.eval(r)?;
        self.apply(op, a, b, ty)
    }

    /// Applies a (non-short-circuit) binary operator to two values.
    pub fn apply(&mut self, op: BinOp, a: Word, b: Word, ty: TypeId) -> EvalResult {
        use BinOp::*;
        let int = |x: Word| word::to_int(x);
        let ovf = |name: &'static str| Fault::Overflow(name);
        let some_int = |v: Option<i64>, name| v.and_then(word::from_int).ok_or(ovf(name));
        Ok(match op {
            And | Or | Coalesce => return Err(Fault::Malformed("short-circuit operator applied eagerly")),
            Eq => word::from_bool(a == b),
            Ne => word::from_bool(a != b),
            EqDeep => word::from_bool(self.deep_eq(a, b, ty)),
            NeDeep => word::from_bool(!self.deep_eq(a, b, ty)),
            Lt(k) => word::from_bool(self.cmp(k, a, b) == Ordering::Less),
            Le(k) => word::from_bool(self.cmp(k, a, b) != Ordering::Greater),
            Gt(k) => word::from_bool(self.cmp(k, a, b) == Ordering::Greater),
            Ge(k) => word::from_bool(self.cmp(k, a, b) != Ordering::Less),
            IntAdd | DecAdd => some_int(int(a).checked_add(int(b)), "+")?,
            IntSub | DecSub => some_int(int(a).checked_sub(int(b)), "-")?,
            IntMul => some_int(int(a).checked_mul(int(b)), "*")?,
            IntDiv => {
                if int(b) == 0 {
                    return Err(Fault::DivisionByZero);
                }
                some_int(int(a).checked_div(int(b)), "/")?
            }
            IntRem => {
                if int(b) == 0 {
                    return Err(Fault::DivisionByZero);
                }
                some_int(int(a).checked_rem(int(b)), "%")?
            }
            DecMul => {
                word::to_decimal(a).checked_mul(word::to_decimal(b)).and_then(word::from_decimal).ok_or(ovf("*"))?
            }
            DecDiv => {
                if int(b) == 0 {
                    return Err(Fault::DivisionByZero);
                }
                word::to_decimal(a).checked_div(word::to_decimal(b)).and_then(word::from_decimal).ok_or(ovf("/"))?
            }
            DateAddDur => word::from_date(word::to_date(a).checked_add(word::to_duration(b)).ok_or(Fault::DateRange)?),
            DateSubDur => word::from_date(word::to_date(a).checked_sub(word::to_duration(b)).ok_or(Fault::DateRange)?),
            DateSubDate => {
                let days = word::to_date(a).0.checked_sub(word::to_date(b).0).ok_or(ovf("-"))?;
                word::from_duration(okite_ir::Duration::days(days)).ok_or(ovf("-"))?
            }
            DurAdd | DurSub => {
                let (x, y) = (word::to_duration(a), word::to_duration(b));
                let (m, d) = if op == DurAdd {
                    (x.months.checked_add(y.months), x.days.checked_add(y.days))
                } else {
                    (x.months.checked_sub(y.months), x.days.checked_sub(y.days))
                };
                let d = okite_ir::Duration { months: m.ok_or(ovf("+"))?, days: d.ok_or(ovf("+"))? };
                word::from_duration(d).ok_or(ovf("+"))?
            }
            DurMulInt => {
                let x = word::to_duration(a);
                let k = i32::try_from(int(b)).map_err(|_| ovf("*"))?;
                let d = okite_ir::Duration {
                    months: x.months.checked_mul(k).ok_or(ovf("*"))?,
                    days: x.days.checked_mul(k).ok_or(ovf("*"))?,
                };
                word::from_duration(d).ok_or(ovf("*"))?
            }
            StrConcat => {
                let s = format!("{}{}", self.str(a), self.str(b));
                self.intern(&s)
            }
            ListConcat => {
                let mut v = self.elems(a).into_owned();
                v.extend_from_slice(&self.elems(b));
                self.make_list(&v)
            }
            SetUnion | SetIntersect | SetDiff => {
                let (x, y) = (self.elems(a), self.elems(b));
                let out: Vec<Word> = match op {
                    SetUnion => {
                        let mut v = x.into_owned();
                        v.extend_from_slice(&y);
                        v
                    }
                    SetIntersect => x.iter().copied().filter(|w| y.binary_search(w).is_ok()).collect(),
                    _ => x.iter().copied().filter(|w| y.binary_search(w).is_err()).collect(),
                };
                self.make_set(out)
            }
            SetSubset => {
                let (x, y) = (self.elems(a), self.elems(b));
                word::from_bool(x.iter().all(|w| y.binary_search(w).is_ok()))
            }
            SetSuperset => {
                let (x, y) = (self.elems(a), self.elems(b));
                word::from_bool(y.iter().all(|w| x.binary_search(w).is_ok()))
            }
            InList => word::from_bool(a != NONE && self.elems(b).contains(&a)),
            NotInList => word::from_bool(a == NONE || !self.elems(b).contains(&a)),
            InSet => word::from_bool(a != NONE && self.elems(b).binary_search(&a).is_ok()),
            NotInSet => word::from_bool(a == NONE || self.elems(b).binary_search(&a).is_err()),
        })
    }

    /// Orders two present values of an ordered type.
    pub fn cmp(&self, k: OrdKind, a: Word, b: Word) -> Ordering {
        match k {
            OrdKind::Int => word::to_int(a).cmp(&word::to_int(b)),
            OrdKind::Duration => {
                word::to_duration(a).nominal_sixteenths().cmp(&word::to_duration(b).nominal_sixteenths())
            }
            OrdKind::String => {
                if a == b {
                    Ordering::Equal
                } else {
                    self.str(a).cmp(self.str(b))
                }
            }
        }
    }

    /// Structural equality of two values of type `ty`.
    pub fn deep_eq(&self, a: Word, b: Word, ty: TypeId) -> bool {
        if a == b {
            return true;
        }
        if a == NONE || b == NONE {
            return false;
        }
        match self.ty(ty) {
            Type::Optional(inner) => self.deep_eq(a, b, inner),
            Type::List(el) | Type::Set(el) => {
                let (x, y) = (self.elems(a), self.elems(b));
                x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| self.deep_eq(*p, *q, el))
            }
            Type::Record(rid) => {
                let Some(def) = self.eng.program.records.get(rid.0 as usize) else { return false };
                def.fields
                    .iter()
                    .enumerate()
                    .all(|(i, f)| self.deep_eq(self.field(a, i as u32), self.field(b, i as u32), f.ty))
            }
            _ => false,
        }
    }

    fn builtin(&mut self, b: Builtin, args: &[Node]) -> EvalResult {
        let mut v = [NONE; 2];
        for (slot, a) in v.iter_mut().zip(args) {
            *slot = self.eval(a)?;
        }
        let [a, c] = v;
        self.apply_builtin(b, a, c)
    }

    /// Applies a built-in to the values of its (at most two) arguments.
    pub fn apply_builtin(&mut self, b: Builtin, a: Word, c: Word) -> EvalResult {
        let int = |i: i64| word::from_int(i).ok_or(Fault::Overflow("int"));
        Ok(match b {
            Builtin::StrLen => int(self.str(a).chars().count() as i64)?,
            Builtin::CollectionLen => int(self.elems(a).len() as i64)?,
            Builtin::Contains => word::from_bool(self.str(a).contains(self.str(c))),
            Builtin::StartsWith => word::from_bool(self.str(a).starts_with(self.str(c))),
            Builtin::EndsWith => word::from_bool(self.str(a).ends_with(self.str(c))),
            Builtin::Lower => {
                let s = self.str(a).to_lowercase();
                self.intern(&s)
            }
            Builtin::Upper => {
                let s = self.str(a).to_uppercase();
                self.intern(&s)
            }
            Builtin::Trim => {
                let s = self.str(a).trim().to_string();
                self.intern(&s)
            }
            Builtin::HasDigit => word::from_bool(self.str(a).chars().any(char::is_numeric)),
            Builtin::HasUpper => word::from_bool(self.str(a).chars().any(char::is_uppercase)),
            Builtin::HasLower => word::from_bool(self.str(a).chars().any(char::is_lowercase)),
            Builtin::HasSymbol => {
                word::from_bool(self.str(a).chars().any(|ch| !ch.is_alphanumeric() && !ch.is_whitespace()))
            }
            Builtin::Year => int(i64::from(word::to_date(a).ymd().0))?,
            Builtin::Month => int(i64::from(word::to_date(a).ymd().1))?,
            Builtin::Day => int(i64::from(word::to_date(a).ymd().2))?,
            Builtin::FiscalYear => int(i64::from(word::to_date(a).fiscal_year()))?,
            Builtin::DurationDays => int(word::to_duration(a).nominal_sixteenths().div_euclid(16))?,
            Builtin::DaysBetween => int(i64::from(word::to_date(c).0) - i64::from(word::to_date(a).0))?,
            Builtin::IntAbs | Builtin::DecAbs => {
                word::to_int(a).checked_abs().and_then(word::from_int).ok_or(Fault::Overflow("abs"))?
            }
            Builtin::Min2(k) => {
                if self.cmp(k, a, c) == Ordering::Greater {
                    c
                } else {
                    a
                }
            }
            Builtin::Max2(k) => {
                if self.cmp(k, a, c) == Ordering::Less {
                    c
                } else {
                    a
                }
            }
            Builtin::ToSet => {
                let items = self.elems(a).into_owned();
                self.make_set(items)
            }
            Builtin::IsEmpty => word::from_bool(self.elems(a).is_empty()),
            Builtin::IsNone => word::from_bool(a == NONE),
            Builtin::IsSome => word::from_bool(a != NONE),
        })
    }

    /// The elements of `list` that may satisfy a gating `x.field == key`: all of them, or,
    /// for a long list that lives outside the scratch heap, those found in its index (in list
    /// order, so results and explanations are the same as with a scan).
    pub fn candidates(
        &mut self,
        list: Word,
        index: Option<&(u32, Box<Node>)>,
    ) -> Result<std::borrow::Cow<'a, [Word]>, Fault> {
        let all = self.elems(list);
        let Some((field, key)) = index else { return Ok(all) };
        if all.len() < INDEX_FROM || !matches!(all, std::borrow::Cow::Borrowed(_)) {
            return Ok(all);
        }
        let key = self.eval(key)?;
        self.indexed(&all, list, *field, key).map(std::borrow::Cow::Owned)
    }

    /// The elements `all` of the stable `list` whose `field` is `key`, in list order, from an
    /// index built on first use.
    pub fn indexed(&mut self, all: &[Word], list: Word, field: u32, key: Word) -> Result<Vec<Word>, Fault> {
        let entry = (list as u32, field);
        if !self.indexes.contains_key(&entry) {
            let mut keys = Vec::with_capacity(all.len());
            for &r in all {
                self.step()?;
                keys.push(self.field(r, field));
            }
            self.indexes.insert(entry, EqIndex::new(&keys));
            self.index_log.push(entry);
        }
        let positions = self.indexes.get(&entry).map_or(&[][..], |idx| idx.positions(key));
        Ok(positions.iter().filter_map(|&i| all.get(i as usize).copied()).collect())
    }

    #[allow(clippy::too_many_arguments)]
    fn quant(
        &mut self,
        kind: QuantKind,
        var: u32,
        source: &Node,
        filter: Option<&Node>,
        body: Option<&Node>,
        source_ty: TypeId,
        index: Option<&(u32, Box<Node>)>,
    ) -> EvalResult {
        let src = self.eval(source)?;
        if src == NONE {
            return Err(Fault::Malformed("quantifier over none"));
        }
        let items = self.candidates(src, index)?;
        let mut count: i64 = 0;
        let mut acc: Option<Word> = None;
        let mut sum: i64 = 0;
        let mut dur = okite_ir::Duration::default();
        let mut out: Vec<Word> = Vec::new();
        for &x in items.iter() {
            self.step()?;
            self.set_local(var, x);
            if let Some(f) = filter
                && self.eval(f)? != 1
            {
                continue;
            }
            match kind {
                QuantKind::Any | QuantKind::All | QuantKind::None => {
                    let v = match body {
                        Some(b) => self.eval(b)? == 1,
                        None => x == 1,
                    };
                    match (kind, v) {
                        (QuantKind::Any, true) => return Ok(word::from_bool(true)),
                        (QuantKind::All, false) | (QuantKind::None, true) => return Ok(word::from_bool(false)),
                        _ => {}
                    }
                }
                QuantKind::Count => {
                    let v = match body {
                        Some(b) => self.eval(b)? == 1,
                        None => true,
                    };
                    if v {
                        count += 1;
                    }
                }
                QuantKind::SumInt | QuantKind::SumDec => {
                    let v = match body {
                        Some(b) => self.eval(b)?,
                        None => x,
                    };
                    sum = sum.checked_add(word::to_int(v)).ok_or(Fault::Overflow("sum"))?;
                }
                QuantKind::SumDur => {
                    let v = word::to_duration(match body {
                        Some(b) => self.eval(b)?,
                        None => x,
                    });
                    dur = okite_ir::Duration {
                        months: dur.months.checked_add(v.months).ok_or(Fault::Overflow("sum"))?,
                        days: dur.days.checked_add(v.days).ok_or(Fault::Overflow("sum"))?,
                    };
                }
                QuantKind::Min(k) | QuantKind::Max(k) => {
                    let v = match body {
                        Some(b) => self.eval(b)?,
                        None => x,
                    };
                    if v == NONE {
                        continue;
                    }
                    let better = match acc {
                        None => true,
                        Some(best) => {
                            let o = self.cmp(k, v, best);
                            if matches!(kind, QuantKind::Min(_)) { o == Ordering::Less } else { o == Ordering::Greater }
                        }
                    };
                    if better {
                        acc = Some(v);
                    }
                }
                QuantKind::Filter => {
                    let keep = match body {
                        Some(b) => self.eval(b)? == 1,
                        None => true,
                    };
                    if keep {
                        out.push(x);
                    }
                }
                QuantKind::Map => {
                    let v = match body {
                        Some(b) => self.eval(b)?,
                        None => x,
                    };
                    out.push(v);
                }
            }
        }
        match kind {
            QuantKind::Any => Ok(word::from_bool(false)),
            QuantKind::All | QuantKind::None => Ok(word::from_bool(true)),
            QuantKind::Count => word::from_int(count).ok_or(Fault::Overflow("count")),
            QuantKind::SumInt | QuantKind::SumDec => word::from_int(sum).ok_or(Fault::Overflow("sum")),
            QuantKind::SumDur => word::from_duration(dur).ok_or(Fault::Overflow("sum")),
            QuantKind::Min(_) | QuantKind::Max(_) => Ok(acc.unwrap_or(NONE)),
            QuantKind::Filter => {
                if matches!(self.ty(source_ty), Type::Set(_)) {
                    Ok(self.make_set(out))
                } else {
                    Ok(self.make_list(&out))
                }
            }
            QuantKind::Map => Ok(self.make_list(&out)),
        }
    }
}

/// An equality index over a list: the positions of the elements with each value of a field.
/// Two allocations whatever the number of distinct values (a lookup on a unique `id` is the
/// common case, where a vector per value would be one allocation per element).
#[derive(Debug)]
struct EqIndex {
    /// Value → (start, length) of its positions in `positions`.
    buckets: rustc_hash::FxHashMap<Word, (u32, u32)>,
    /// Element positions grouped by value, ascending within a group.
    positions: Vec<u32>,
}

impl EqIndex {
    /// The index of a list whose elements have the field values `keys`.
    fn new(keys: &[Word]) -> EqIndex {
        let mut buckets: rustc_hash::FxHashMap<Word, (u32, u32)> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(keys.len(), Default::default());
        for &k in keys {
            buckets.entry(k).or_insert((0, 0)).1 += 1;
        }
        // Counts become starts (lengths are counted again while placing).
        let mut next = 0u32;
        for b in buckets.values_mut() {
            let count = b.1;
            *b = (next, 0);
            next += count;
        }
        let mut positions = vec![0u32; keys.len()];
        for (i, k) in keys.iter().enumerate() {
            if let Some(b) = buckets.get_mut(k) {
                if let Some(slot) = positions.get_mut((b.0 + b.1) as usize) {
                    *slot = i as u32;
                }
                b.1 += 1;
            }
        }
        EqIndex { buckets, positions }
    }

    /// The positions of the elements whose value is `key`, ascending.
    fn positions(&self, key: Word) -> &[u32] {
        self.buckets
            .get(&key)
            .and_then(|&(start, len)| self.positions.get(start as usize..(start + len) as usize))
            .unwrap_or(&[])
    }
}
