//! Signatures of the built-in functions (docs/language.md, "Built-in functions").

use okite_ir::{Builtin, OrdKind};

use super::ty::Ty;

/// Every built-in function name, for suggestions and completion.
pub const NAMES: &[&str] = &[
    "length",
    "count",
    "contains",
    "starts_with",
    "ends_with",
    "lower",
    "upper",
    "trim",
    "has_digit",
    "has_upper",
    "has_lower",
    "has_symbol",
    "year",
    "month",
    "day",
    "fiscal_year",
    "days",
    "days_between",
    "abs",
    "min",
    "max",
    "sum",
    "to_set",
    "is_empty",
    "is_none",
    "is_some",
];

/// Whether `name` is a built-in function.
pub fn is_builtin(name: &str) -> bool {
    NAMES.contains(&name)
}

/// A resolved built-in call: which built-in, the parameter types to coerce to, the result.
pub struct BuiltinSig {
    pub builtin: Builtin,
    pub params: Vec<Ty>,
    pub ret: Ty,
}

/// Why a call does not fit.
pub struct Mismatch {
    /// What the function takes.
    pub expected: &'static str,
    /// What it was given.
    pub found: String,
}

fn ord_kind(t: &Ty) -> Option<OrdKind> {
    match t {
        Ty::Int | Ty::Decimal | Ty::Date => Some(OrdKind::Int),
        Ty::Duration => Some(OrdKind::Duration),
        Ty::String => Some(OrdKind::String),
        _ => None,
    }
}

/// Resolves a call of built-in `name` with argument types `args`.
pub fn resolve(name: &str, args: &[Ty]) -> Result<BuiltinSig, Mismatch> {
    let sig = |builtin, params: Vec<Ty>, ret| Ok(BuiltinSig { builtin, params, ret });
    let found = || {
        let list: Vec<String> = args.iter().map(|t| format!("`{t}`")).collect();
        if list.is_empty() { "no arguments".to_string() } else { format!("given {}", list.join(", ")) }
    };
    let fail = |expected: &'static str| Err(Mismatch { expected, found: found() });
    use Ty as T;
    match (name, args) {
        ("length", [T::String]) => sig(Builtin::StrLen, vec![T::String], T::Int),
        ("length" | "count", [c @ (T::List(_) | T::Set(_))]) => sig(Builtin::CollectionLen, vec![c.clone()], T::Int),
        ("length", _) => fail("a string, list or set"),
        ("count", _) => fail("a list or set (or `count(x in xs where …)`)"),
        ("contains" | "starts_with" | "ends_with", [T::String, T::String]) => {
            let b = match name {
                "contains" => Builtin::Contains,
                "starts_with" => Builtin::StartsWith,
                _ => Builtin::EndsWith,
            };
            sig(b, vec![T::String, T::String], T::Bool)
        }
        ("contains" | "starts_with" | "ends_with", _) => fail("two strings"),
        ("lower" | "upper" | "trim", [T::String]) => {
            let b = match name {
                "lower" => Builtin::Lower,
                "upper" => Builtin::Upper,
                _ => Builtin::Trim,
            };
            sig(b, vec![T::String], T::String)
        }
        ("has_digit" | "has_upper" | "has_lower" | "has_symbol", [T::String]) => {
            let b = match name {
                "has_digit" => Builtin::HasDigit,
                "has_upper" => Builtin::HasUpper,
                "has_lower" => Builtin::HasLower,
                _ => Builtin::HasSymbol,
            };
            sig(b, vec![T::String], T::Bool)
        }
        ("lower" | "upper" | "trim" | "has_digit" | "has_upper" | "has_lower" | "has_symbol", _) => fail("a string"),
        ("year" | "month" | "day" | "fiscal_year", [T::Date]) => {
            let b = match name {
                "year" => Builtin::Year,
                "month" => Builtin::Month,
                "day" => Builtin::Day,
                _ => Builtin::FiscalYear,
            };
            sig(b, vec![T::Date], T::Int)
        }
        ("year" | "month" | "day" | "fiscal_year", _) => fail("a date"),
        ("days", [T::Duration]) => sig(Builtin::DurationDays, vec![T::Duration], T::Int),
        ("days", _) => fail("a duration"),
        ("days_between", [T::Date, T::Date]) => sig(Builtin::DaysBetween, vec![T::Date, T::Date], T::Int),
        ("days_between", _) => fail("two dates"),
        ("abs", [T::Int]) => sig(Builtin::IntAbs, vec![T::Int], T::Int),
        ("abs", [T::Decimal]) => sig(Builtin::DecAbs, vec![T::Decimal], T::Decimal),
        ("abs", _) => fail("an int or a decimal"),
        ("min" | "max", [a, b]) => {
            let Some(joined) = a.join(b) else { return fail("two values of one ordered type") };
            let Some(kind) = ord_kind(&joined) else { return fail("two ints, decimals, dates, durations or strings") };
            let b = if name == "min" { Builtin::Min2(kind) } else { Builtin::Max2(kind) };
            sig(b, vec![joined.clone(), joined.clone()], joined)
        }
        ("min" | "max", _) => fail("two values, or one list or set"),
        ("sum", _) => fail("a list or set of ints, decimals or durations"),
        ("to_set", [T::List(el)]) if el.is_scalar() || **el == T::Never => {
            sig(Builtin::ToSet, vec![T::List(el.clone())], T::Set(el.clone()))
        }
        ("to_set", _) => fail("a list of scalars"),
        ("is_empty", [c @ (T::List(_) | T::Set(_))]) => sig(Builtin::IsEmpty, vec![c.clone()], T::Bool),
        ("is_empty", _) => fail("a list or set"),
        ("is_none" | "is_some", [o @ T::Optional(_)]) => {
            let b = if name == "is_none" { Builtin::IsNone } else { Builtin::IsSome };
            sig(b, vec![o.clone()], T::Bool)
        }
        ("is_none" | "is_some", _) => fail("an optional value"),
        _ => fail("other arguments"),
    }
}
