//! The fact schema: record and enum definitions and the table of types built from them.

use serde::{Deserialize, Serialize};

use crate::expr::Const;

/// Index of a type in [`TypeTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TypeId(pub u32);

/// Index of a record definition in [`crate::Program::records`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RecordId(pub u32);

/// Index of an enum definition in [`crate::Program::enums`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EnumId(pub u32);

/// A type of the language. Composite types refer to their parts by [`TypeId`], so that the
/// whole table is flat and every type has one id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Type {
    /// `bool`
    Bool,
    /// `int`: a signed 64-bit integer.
    Int,
    /// `decimal`: see [`crate::Decimal`].
    Decimal,
    /// `string`: Unicode text.
    String,
    /// `date`: see [`crate::Date`].
    Date,
    /// `duration`: see [`crate::Duration`].
    Duration,
    /// A declared enum.
    Enum(EnumId),
    /// A declared record type.
    Record(RecordId),
    /// `list<T>`: ordered, duplicates allowed.
    List(TypeId),
    /// `set<T>`: unordered, no duplicates; elements are scalars.
    Set(TypeId),
    /// `T?`: a `T` or `none`. Never nested: `T??` does not exist.
    Optional(TypeId),
    /// The type of `none`, `[]` and `{}` before they meet a context; never in a schema.
    Never,
}

impl Type {
    /// Whether values of this type are a single machine word compared by identity
    /// (everything but collections and records).
    pub fn is_scalar(self) -> bool {
        matches!(
            self,
            Type::Bool | Type::Int | Type::Decimal | Type::String | Type::Date | Type::Duration | Type::Enum(_)
        )
    }
}

/// The interned table of every type a program mentions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeTable {
    types: Vec<Type>,
}

impl TypeTable {
    /// Returns the id of `ty`, adding it if it is new.
    pub fn intern(&mut self, ty: Type) -> TypeId {
        if let Some(i) = self.types.iter().position(|t| *t == ty) {
            return TypeId(i as u32);
        }
        self.types.push(ty);
        TypeId((self.types.len() - 1) as u32)
    }

    /// Looks `ty` up without adding it.
    pub fn find(&self, ty: Type) -> Option<TypeId> {
        self.types.iter().position(|t| *t == ty).map(|i| TypeId(i as u32))
    }

    /// The type with this id, or `None` for an id from another table.
    pub fn get(&self, id: TypeId) -> Option<Type> {
        self.types.get(id.0 as usize).copied()
    }

    /// The type with this id; [`Type::Never`] for an id from another table (validated
    /// programs never contain one).
    pub fn ty(&self, id: TypeId) -> Type {
        self.get(id).unwrap_or(Type::Never)
    }

    /// All types, indexed by [`TypeId`].
    pub fn all(&self) -> &[Type] {
        &self.types
    }

    /// The type inside `T?`, or the type itself when it is not optional.
    pub fn strip_optional(&self, id: TypeId) -> TypeId {
        match self.ty(id) {
            Type::Optional(inner) => inner,
            _ => id,
        }
    }
}

/// A record type: a named tuple of typed fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDef {
    /// Qualified name, e.g. `hachioji.model.Account`.
    pub name: String,
    /// The doc comment, Markdown.
    pub doc: String,
    /// Fields in declaration order; field `i` is stored at slot `i`.
    pub fields: Vec<FieldDef>,
    /// The field that names a value of this type in reports (declared with `key`).
    pub key: Option<u32>,
}

impl RecordDef {
    /// The index of the field called `name`.
    pub fn field_index(&self, name: &str) -> Option<u32> {
        self.fields.iter().position(|f| f.name == name).map(|i| i as u32)
    }
}

/// One field of a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDef {
    /// The field's name, also its key in snapshots.
    pub name: String,
    /// Its type.
    pub ty: TypeId,
    /// The doc comment, Markdown.
    pub doc: String,
    /// The value taken when a snapshot omits the field.
    pub default: Option<Const>,
}

/// An enum: a closed set of named variants, stored as the variant's index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumDef {
    /// Qualified name.
    pub name: String,
    /// The doc comment.
    pub doc: String,
    /// Variants in declaration order.
    pub variants: Vec<VariantDef>,
}

impl EnumDef {
    /// The index of the variant called `name`.
    pub fn variant_index(&self, name: &str) -> Option<u32> {
        self.variants.iter().position(|v| v.name == name).map(|i| i as u32)
    }
}

/// One variant of an enum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantDef {
    /// The variant's name, also its spelling in snapshots.
    pub name: String,
    /// The doc comment.
    pub doc: String,
}
