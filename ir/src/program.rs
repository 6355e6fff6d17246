//! A whole compiled policy set.

use serde::{Deserialize, Serialize};

use crate::expr::{Expr, LocalId};
use crate::guideline::SectionDef;
use crate::rule::{Rule, SourceLocation};
use crate::test::TestDef;
use crate::types::{EnumDef, RecordDef, RecordId, TypeId, TypeTable};

/// Index of a constant in [`Program::consts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConstId(pub u32);

/// Index of a function in [`Program::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FnId(pub u32);

/// Index of a rule in [`Program::rules`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RuleId(pub u32);

/// A slot of a frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalDef {
    /// The variable's name in source.
    pub name: String,
    /// Its type.
    pub ty: TypeId,
}

/// A named constant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstDef {
    /// Qualified name.
    pub name: String,
    /// Its type.
    pub ty: TypeId,
    /// Slots used by quantifiers inside the value.
    pub locals: Vec<LocalDef>,
    /// The value: an expression over literals and earlier constants only (no facts, no
    /// `as_of`), so it can be evaluated once when a policy set is loaded.
    pub value: Expr,
    /// The doc comment.
    pub doc: String,
}

/// A pure, non-recursive function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FnDef {
    /// Qualified name.
    pub name: String,
    /// Slots of the parameters, in order.
    pub params: Vec<LocalId>,
    /// The frame: parameters first, then `let` and quantifier slots.
    pub locals: Vec<LocalDef>,
    /// Return type.
    pub ret: TypeId,
    /// The body.
    pub body: Expr,
    /// The doc comment.
    pub doc: String,
    /// Where it is declared.
    pub location: SourceLocation,
}

/// A WebAssembly plugin: its module and the functions the policy set calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginDef {
    /// Where the module came from (for messages), e.g. `plugins/free_mail.wat`.
    pub name: String,
    /// The module, as WebAssembly binary.
    pub wasm: Vec<u8>,
    /// The functions called, with the types the module declares for them.
    pub functions: Vec<ExternFnDef>,
}

/// A function exported by a plugin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternFnDef {
    /// The export's name.
    pub name: String,
    /// Parameter types.
    pub params: Vec<TypeId>,
    /// Result type.
    pub ret: TypeId,
}

/// A compiled policy set: schema, constants, functions, rules, tests and the guideline index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// Every type used.
    pub types: TypeTable,
    /// Record definitions.
    pub records: Vec<RecordDef>,
    /// Enum definitions.
    pub enums: Vec<EnumDef>,
    /// The root record of a snapshot (`facts`), if the policy set declares one.
    pub root: Option<RecordId>,
    /// Constants, in dependency order: each refers only to earlier ones.
    pub consts: Vec<ConstDef>,
    /// Functions.
    pub functions: Vec<FnDef>,
    /// Rules, in a stable order (by file, then position).
    pub rules: Vec<Rule>,
    /// Policy tests.
    pub tests: Vec<TestDef>,
    /// The guideline's sections and clauses, if the policy set carries an index.
    pub sections: Vec<SectionDef>,
    /// WebAssembly plugins.
    pub plugins: Vec<PluginDef>,
}

impl Program {
    /// The rule with this qualified name.
    pub fn rule_by_name(&self, name: &str) -> Option<(RuleId, &Rule)> {
        self.rules.iter().enumerate().find(|(_, r)| r.name == name).map(|(i, r)| (RuleId(i as u32), r))
    }

    /// The section a clause id belongs to: the longest section id that prefixes the clause
    /// id at a boundary (`14(8)` belongs to `14`).
    pub fn section_of(&self, clause: &str) -> Option<&SectionDef> {
        self.sections
            .iter()
            .filter(|s| clause == s.id || clause.strip_prefix(s.id.as_str()).is_some_and(|rest| rest.starts_with('(')))
            .max_by_key(|s| s.id.len())
    }
}
