//! Semantic types, as the checker reasons about them.
//!
//! Unlike [`okite_ir::Type`], a [`Ty`] names records and enums by qualified name, so it means
//! the same thing in every file and can be compared across salsa revisions without any id
//! table. The checker converts to IR type ids only when it emits IR.

use std::fmt;
use std::sync::Arc;

/// A qualified name such as `hachioji.model.Account`.
pub type QName = Arc<str>;

/// A type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `decimal`
    Decimal,
    /// `string`
    String,
    /// `date`
    Date,
    /// `duration`
    Duration,
    /// An enum.
    Enum(QName),
    /// A record.
    Record(QName),
    /// `list<T>`
    List(Box<Ty>),
    /// `set<T>`
    Set(Box<Ty>),
    /// `T?`
    Optional(Box<Ty>),
    /// The element type of `[]`, `{}` and the inner type of `none`: fits anything.
    Never,
    /// The type of an expression that already has an error: fits anything, reports nothing.
    Error,
}

impl Ty {
    /// `T?`, not nesting optionals.
    pub fn optional(self) -> Ty {
        match self {
            Ty::Optional(_) | Ty::Error => self,
            t => Ty::Optional(Box::new(t)),
        }
    }

    /// The type inside an optional, or the type itself.
    pub fn strip_optional(&self) -> &Ty {
        match self {
            Ty::Optional(inner) => inner,
            t => t,
        }
    }

    /// Whether it is `T?`.
    pub fn is_optional(&self) -> bool {
        matches!(self, Ty::Optional(_))
    }

    /// Whether an error is involved (so no further error should be reported).
    pub fn is_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::List(t) | Ty::Set(t) | Ty::Optional(t) => t.is_error(),
            _ => false,
        }
    }

    /// Whether values are single scalar words that sets may hold.
    pub fn is_scalar(&self) -> bool {
        matches!(self, Ty::Bool | Ty::Int | Ty::Decimal | Ty::String | Ty::Date | Ty::Duration | Ty::Enum(_))
    }

    /// The element type of a list or set.
    pub fn element(&self) -> Option<&Ty> {
        match self {
            Ty::List(t) | Ty::Set(t) => Some(t),
            _ => None,
        }
    }

    /// Whether `self` can be used where `expected` is required, and how.
    pub fn fits(&self, expected: &Ty) -> Fit {
        if self == expected || self.is_error() || expected.is_error() {
            return Fit::Same;
        }
        match (self, expected) {
            (Ty::Never, _) => Fit::Same,
            (Ty::Int, Ty::Decimal) => Fit::IntToDecimal,
            (t, Ty::Optional(inner)) if !t.is_optional() => match t.fits(inner) {
                Fit::Same => Fit::Same,
                _ => Fit::No,
            },
            (Ty::Optional(a), Ty::Optional(b)) => match a.fits(b) {
                Fit::Same => Fit::Same,
                _ => Fit::No,
            },
            (Ty::List(a), Ty::List(b)) | (Ty::Set(a), Ty::Set(b)) => match a.fits(b) {
                Fit::Same => Fit::Same,
                _ => Fit::No,
            },
            _ => Fit::No,
        }
    }

    /// The least type both fit, for `if` branches and collection literals.
    pub fn join(&self, other: &Ty) -> Option<Ty> {
        if other.fits(self) == Fit::Same {
            return Some(if self == &Ty::Never { other.clone() } else { self.refine(other) });
        }
        if self.fits(other) == Fit::Same {
            return Some(other.clone());
        }
        match (self, other) {
            (Ty::Int, Ty::Decimal) | (Ty::Decimal, Ty::Int) => Some(Ty::Decimal),
            (a, Ty::Optional(b)) | (Ty::Optional(b), a) => a.strip_optional().join(b).map(Ty::optional),
            _ => None,
        }
    }

    /// Replaces `Never` parts of `self` by the corresponding parts of `other`.
    fn refine(&self, other: &Ty) -> Ty {
        match (self, other) {
            (Ty::Never, o) => o.clone(),
            (Ty::List(a), Ty::List(b)) => Ty::List(Box::new(a.refine(b))),
            (Ty::Set(a), Ty::Set(b)) => Ty::Set(Box::new(a.refine(b))),
            (Ty::Optional(a), Ty::Optional(b)) => Ty::Optional(Box::new(a.refine(b))),
            (s, _) => s.clone(),
        }
    }
}

/// How a value of one type is used where another is expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// As is (identical representation).
    Same,
    /// Widened from `int` to `decimal`.
    IntToDecimal,
    /// Not at all.
    No,
}

/// The last segment of a qualified name: `Account` of `hachioji.model.Account`.
pub fn short(q: &str) -> &str {
    q.rsplit('.').next().unwrap_or(q)
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("bool"),
            Ty::Int => f.write_str("int"),
            Ty::Decimal => f.write_str("decimal"),
            Ty::String => f.write_str("string"),
            Ty::Date => f.write_str("date"),
            Ty::Duration => f.write_str("duration"),
            Ty::Enum(q) | Ty::Record(q) => f.write_str(short(q)),
            Ty::List(t) => write!(f, "list<{t}>"),
            Ty::Set(t) => write!(f, "set<{t}>"),
            Ty::Optional(t) => write!(f, "{t}?"),
            Ty::Never => f.write_str("none"),
            Ty::Error => f.write_str("{unknown}"),
        }
    }
}

/// The built-in scalar type called `name`.
pub fn builtin_type(name: &str) -> Option<Ty> {
    Some(match name {
        "bool" => Ty::Bool,
        "int" => Ty::Int,
        "decimal" => Ty::Decimal,
        "string" => Ty::String,
        "date" => Ty::Date,
        "duration" => Ty::Duration,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_and_joins() {
        let acct = Ty::Record("m.Account".into());
        assert_eq!(Ty::Int.fits(&Ty::Decimal), Fit::IntToDecimal);
        assert_eq!(acct.fits(&acct.clone().optional()), Fit::Same);
        assert_eq!(Ty::Never.optional().fits(&Ty::Date.optional()), Fit::Same);
        assert_eq!(Ty::List(Box::new(Ty::Never)).fits(&Ty::List(Box::new(acct.clone()))), Fit::Same);
        assert_eq!(Ty::Date.optional().fits(&Ty::Date), Fit::No);
        assert_eq!(Ty::Int.join(&Ty::Decimal), Some(Ty::Decimal));
        assert_eq!(Ty::Never.optional().join(&Ty::Date), Some(Ty::Date.optional()));
        assert_eq!(Ty::Date.join(&Ty::String), None);
        assert_eq!(Ty::Set(Box::new(Ty::Never)).join(&Ty::Set(Box::new(Ty::Int))), Some(Ty::Set(Box::new(Ty::Int))));
        assert_eq!(acct.optional().to_string(), "Account?");
    }
}
