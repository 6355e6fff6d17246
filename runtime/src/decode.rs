//! Decoding snapshots: JSON or YAML, guided by the schema, straight into a [`Heap`].
//!
//! The decoder is a serde `DeserializeSeed` that knows the type it expects at every point, so
//! facts are read once, without an intermediate `serde_json::Value`. A value of the wrong shape
//! is recorded as an [`InputIssue`] (with its JSON Pointer) and skipped, so one snapshot
//! reports all its problems at once rather than the first.

use std::fmt;

use okite_ir::{Date, Decimal, Duration, RecordId, Type, TypeId};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::engine::Prepared;
use crate::heap::{Heap, Seg};
use crate::word::{self, NONE, Word};

/// A problem with one value of a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InputIssue {
    /// JSON Pointer of the value (`/systems/2/password_policy/min_length`).
    pub path: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for InputIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            // The whole document (a syntax error, or a root of the wrong shape).
            return f.write_str(&self.message);
        }
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// How to decode.
#[derive(Clone, Copy, Debug, Default)]
pub struct DecodeOptions {
    /// Unknown fields are errors rather than warnings.
    pub strict: bool,
}

/// At most this many issues are recorded per snapshot.
const MAX_ISSUES: usize = 100;

pub(crate) struct Decoder<'e> {
    eng: &'e Prepared,
    pub heap: Heap,
    path: Vec<PathPart>,
    pub errors: Vec<InputIssue>,
    pub warnings: Vec<InputIssue>,
    pub as_of: Option<Date>,
    stack: Vec<Word>,
    strict: bool,
}

/// A step of the path being decoded; fields are kept as indices so that the happy path
/// allocates nothing for them.
#[derive(Clone, Debug)]
enum PathPart {
    Field(RecordId, u32),
    Key(String),
    Index(usize),
}

impl<'e> Decoder<'e> {
    pub fn new(eng: &'e Prepared, options: DecodeOptions) -> Decoder<'e> {
        Decoder {
            eng,
            heap: Heap::above(Some(&eng.heap)),
            path: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            as_of: None,
            stack: Vec::new(),
            strict: options.strict,
        }
    }

    /// The current JSON Pointer.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for p in &self.path {
            out.push('/');
            match p {
                PathPart::Field(r, i) => {
                    let name = self
                        .eng
                        .records
                        .get(r.0 as usize)
                        .and_then(|r| r.fields.get(*i as usize))
                        .map_or("?", |f| f.name.as_str());
                    out.push_str(&name.replace('~', "~0").replace('/', "~1"));
                }
                PathPart::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                PathPart::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }

    fn issue(&mut self, message: String) {
        if self.errors.len() < MAX_ISSUES {
            let path = self.pointer();
            self.errors.push(InputIssue { path, message });
        }
    }

    fn warn(&mut self, message: String) {
        if self.warnings.len() < MAX_ISSUES {
            let path = self.pointer();
            self.warnings.push(InputIssue { path, message });
        }
    }

    /// Decodes the root record from `de`.
    pub fn root<'de, D: Deserializer<'de>>(&mut self, root: RecordId, de: D) -> Result<Word, D::Error> {
        let origin = self.heap.push_origin(0, Seg::Root);
        let root_ty = self.eng.program.types.find(Type::Record(root));
        let Some(ty) = root_ty else {
            self.issue("the policy's facts root type is missing".into());
            return Ok(NONE);
        };
        TypedSeed { d: self, ty, parent: origin, seg: Seg::Root, root: true }.deserialize(de)
    }

    fn describe_expected(&self, ty: TypeId) -> String {
        let p = &self.eng.program;
        match p.types.ty(ty) {
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Decimal => "decimal".into(),
            Type::String => "string".into(),
            Type::Date => "date (YYYY-MM-DD)".into(),
            Type::Duration => "duration (such as \"90d\" or \"1y\")".into(),
            Type::Enum(e) => match p.enums.get(e.0 as usize) {
                Some(def) => {
                    let names: Vec<&str> = def.variants.iter().map(|v| v.name.as_str()).collect();
                    if names.len() <= 8 {
                        format!("one of {}", names.join(", "))
                    } else {
                        format!("a `{}`", short(&def.name))
                    }
                }
                None => "enum".into(),
            },
            Type::Record(r) => match p.records.get(r.0 as usize) {
                Some(def) => format!("object (`{}`)", short(&def.name)),
                None => "object".into(),
            },
            Type::List(_) | Type::Set(_) => "array".into(),
            Type::Optional(inner) => format!("{} or null", self.describe_expected(inner)),
            Type::Never => "nothing".into(),
        }
    }
}

fn short(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

/// What a JSON/YAML value is, for "found …".
fn found_str(s: &str) -> String {
    let shown: String = s.chars().take(40).collect();
    let ell = if s.chars().count() > 40 { "…" } else { "" };
    format!("string {:?}", format!("{shown}{ell}"))
}

struct TypedSeed<'a, 'e> {
    d: &'a mut Decoder<'e>,
    ty: TypeId,
    /// Origin of the container this value is in.
    parent: u32,
    /// Step from that container to this value.
    seg: Seg,
    /// The snapshot root (accepts `as_of` and `$schema`).
    root: bool,
}

impl<'de> DeserializeSeed<'de> for TypedSeed<'_, '_> {
    type Value = Word;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Word, D::Error> {
        de.deserialize_any(self)
    }
}

impl TypedSeed<'_, '_> {
    /// The expected type with optionality removed, and whether `null` is allowed.
    fn target(&self) -> (Type, TypeId, bool) {
        let types = &self.d.eng.program.types;
        match types.ty(self.ty) {
            Type::Optional(inner) => (types.ty(inner), inner, true),
            t => (t, self.ty, false),
        }
    }

    fn mismatch(self, found: String) -> Word {
        let expected = self.d.describe_expected(self.ty);
        self.d.issue(format!("expected {expected}, found {found}"));
        NONE
    }
}

impl<'de> Visitor<'de> for TypedSeed<'_, '_> {
    type Value = Word;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.describe_expected(self.ty))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Word, E> {
        match self.target().0 {
            Type::Bool => Ok(word::from_bool(v)),
            _ => Ok(self.mismatch(format!("bool {v}"))),
        }
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Word, E> {
        match self.target().0 {
            Type::Int => match word::from_int(v) {
                Some(w) => Ok(w),
                None => Ok(self.mismatch(format!("{v}, which is out of range"))),
            },
            Type::Decimal => match Decimal::from_int(v).and_then(word::from_decimal) {
                Some(w) => Ok(w),
                None => Ok(self.mismatch(format!("{v}, which is out of range"))),
            },
            _ => Ok(self.mismatch(format!("integer {v}"))),
        }
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Word, E> {
        match i64::try_from(v) {
            Ok(i) => self.visit_i64(i),
            Err(_) => Ok(self.mismatch(format!("{v}, which is out of range"))),
        }
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Word, E> {
        match self.target().0 {
            Type::Decimal => match Decimal::from_f64(v).and_then(word::from_decimal) {
                Some(w) => Ok(w),
                None => Ok(self.mismatch(format!("{v}, which is out of range"))),
            },
            Type::Int if v.fract() == 0.0 && v.abs() < 9.0e18 => {
                Ok(self.mismatch(format!("{v}, a number beyond int precision or written with a fraction")))
            }
            Type::Int => Ok(self.mismatch(format!("decimal {v}"))),
            _ => Ok(self.mismatch(format!("number {v}"))),
        }
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Word, E> {
        let (t, _, _) = self.target();
        match t {
            Type::String => {
                let below = [&self.d.eng.heap.strings];
                Ok(Word::from(self.d.heap.strings.intern(&below, v)))
            }
            Type::Date => match Date::parse_iso(v) {
                Some(d) => Ok(word::from_date(d)),
                None => Ok(self.mismatch(format!("{}, which is not a calendar date", found_str(v)))),
            },
            Type::Duration => match parse_duration(v).and_then(word::from_duration) {
                Some(w) => Ok(w),
                None => Ok(self.mismatch(found_str(v))),
            },
            Type::Decimal => match Decimal::parse(v.trim()).and_then(word::from_decimal) {
                Some(w) => Ok(w),
                None => Ok(self.mismatch(found_str(v))),
            },
            Type::Enum(e) => {
                let info = self.d.eng.enums.get(e.0 as usize);
                match info.and_then(|i| i.variants.get(v)) {
                    Some(&idx) => Ok(Word::from(idx)),
                    None => {
                        let hint = info
                            .and_then(|i| closest(v, i.names.iter().map(String::as_str)))
                            .map(|c| format!(" (did you mean \"{c}\"?)"))
                            .unwrap_or_default();
                        let found = found_str(v);
                        Ok(self.mismatch(format!("{found}{hint}")))
                    }
                }
            }
            _ => Ok(self.mismatch(found_str(v))),
        }
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Word, E> {
        if self.target().2 {
            return Ok(NONE);
        }
        let expected = self.d.describe_expected(self.ty);
        self.d.issue(format!("expected {expected}, found null"));
        Ok(NONE)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Word, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Word, D::Error> {
        de.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Word, A::Error> {
        let (t, _, _) = self.target();
        let (el, is_set) = match t {
            Type::List(el) => (el, false),
            Type::Set(el) => (el, true),
            _ => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(self.mismatch("array".into()));
            }
        };
        let d = self.d;
        let origin = d.heap.push_origin(self.parent, self.seg);
        let mark = d.stack.len();
        let mut i = 0usize;
        loop {
            d.path.push(PathPart::Index(i));
            let seed = TypedSeed { d: &mut *d, ty: el, parent: origin, seg: Seg::Index(i as u32), root: false };
            let next = seq.next_element_seed(seed);
            d.path.pop();
            match next? {
                Some(w) => d.stack.push(w),
                None => break,
            }
            i += 1;
        }
        let mut items: Vec<Word> = d.stack.drain(mark..).collect();
        if is_set {
            items.sort_unstable();
            items.dedup();
        }
        Ok(d.heap.push_list(&items, origin))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Word, A::Error> {
        let (t, _, _) = self.target();
        let Type::Record(rid) = t else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(self.mismatch("object".into()));
        };
        let root = self.root;
        let d = self.d;
        let Some(info) = d.eng.records.get(rid.0 as usize) else { return Ok(NONE) };
        let nfields = info.fields.len();
        let origin = if root { self.parent } else { d.heap.push_origin(self.parent, self.seg) };
        let rec = d.heap.alloc_record(nfields, origin);
        let mut seen = vec![false; nfields];
        while let Some(key) = map.next_key_seed(KeySeed { info, root })? {
            match key {
                Key::Field(i) => {
                    d.path.push(PathPart::Field(rid, i));
                    if seen.get(i as usize).copied().unwrap_or(false) {
                        d.issue("field given twice".into());
                        map.next_value::<IgnoredAny>()?;
                        d.path.pop();
                        continue;
                    }
                    let ty = info.fields.get(i as usize).map_or(TypeId(0), |f| f.ty);
                    let seed = TypedSeed {
                        d: &mut *d,
                        ty,
                        parent: origin,
                        seg: Seg::Field { record: rid, field: i },
                        root: false,
                    };
                    let w = map.next_value_seed(seed)?;
                    d.path.pop();
                    d.heap.set_field(rec, i, w);
                    if let Some(s) = seen.get_mut(i as usize) {
                        *s = true;
                    }
                }
                Key::AsOf => {
                    d.path.push(PathPart::Key("as_of".into()));
                    let v: serde_json::Value = map.next_value()?;
                    match v.as_str().and_then(Date::parse_iso) {
                        Some(date) => d.as_of = Some(date),
                        None => d.issue(format!("expected date (YYYY-MM-DD), found {v}")),
                    }
                    d.path.pop();
                }
                Key::Schema => {
                    map.next_value::<IgnoredAny>()?;
                }
                Key::Unknown(key) => {
                    let hint = closest(&key, info.fields.iter().map(|f| f.name.as_str()))
                        .map(|c| format!(" (did you mean `{c}`?)"))
                        .unwrap_or_default();
                    let msg = format!("unknown field `{key}` in `{}`{hint}", short(&info.name));
                    d.path.push(PathPart::Key(key));
                    if d.strict {
                        d.issue(msg);
                    } else {
                        d.warn(msg);
                    }
                    d.path.pop();
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        for (i, f) in info.fields.iter().enumerate() {
            if seen.get(i).copied().unwrap_or(true) {
                continue;
            }
            match f.default {
                Some(w) => d.heap.set_field(rec, i as u32, w),
                None if f.optional => {}
                None => {
                    let expected = d.describe_expected(f.ty);
                    d.path.push(PathPart::Field(rid, i as u32));
                    d.issue(format!("missing field `{}` (expected {expected})", f.name));
                    d.path.pop();
                }
            }
        }
        Ok(rec)
    }
}

/// A key of a JSON object, resolved against the record's fields without allocating.
enum Key {
    Field(u32),
    AsOf,
    Schema,
    Unknown(String),
}

struct KeySeed<'i> {
    info: &'i crate::engine::RecordInfo,
    root: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Key, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(match self.info.field_index.get(v) {
            Some(&i) => Key::Field(i),
            None if self.root && v == "as_of" => Key::AsOf,
            None if self.root && v == "$schema" => Key::Schema,
            None => Key::Unknown(v.to_string()),
        })
    }
}

/// Parses `90d`, `1y`, `6m`, `2w` and compounds such as `1y30d` (the canonical output form).
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = Duration::default();
    let mut rest = s;
    while !rest.is_empty() {
        let (neg, body) = match rest.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let unit_end = digits + 1;
        let part = Duration::parse_literal(body.get(..unit_end)?)?;
        let part =
            if neg { Duration { months: part.months.checked_neg()?, days: part.days.checked_neg()? } } else { part };
        total = Duration { months: total.months.checked_add(part.months)?, days: total.days.checked_add(part.days)? };
        rest = body.get(unit_end..)?;
    }
    Some(total)
}

/// The candidate closest to `name` within a third of its length (for "did you mean").
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_all_forms() {
        assert_eq!(parse_duration("90d"), Some(Duration::days(90)));
        assert_eq!(parse_duration("1y30d"), Some(Duration { months: 12, days: 30 }));
        assert_eq!(parse_duration("2w"), Some(Duration::days(14)));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_duration("9"), None);
        assert_eq!(parse_duration(""), None);
    }
}
