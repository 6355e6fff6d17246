//! The registry of diagnostic codes and their long explanations (`okite explain E0020`).
//!
//! Codes are stable: once published, a code keeps its meaning forever, and a retired code is
//! never reused. Every code has a fixture under `compiler/tests/diagnostics/` that produces it.

use std::fmt;

/// A stable diagnostic code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(&'static CodeInfo);

/// A code's identity and documentation.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeInfo {
    /// `E0020`
    pub id: &'static str,
    /// A short title.
    pub title: &'static str,
    /// The long explanation, Markdown.
    pub explanation: &'static str,
}

impl Code {
    /// `E0020`
    pub fn id(self) -> &'static str {
        self.0.id
    }

    /// The short title.
    pub fn title(self) -> &'static str {
        self.0.title
    }

    /// The long explanation.
    pub fn explanation(self) -> &'static str {
        self.0.explanation
    }

    /// The code with this id (case-insensitive).
    pub fn lookup(id: &str) -> Option<Code> {
        ALL_CODES.iter().copied().find(|c| c.id().eq_ignore_ascii_case(id))
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
    }
}

macro_rules! codes {
    ($($name:ident = $id:literal, $title:literal, $expl:literal;)*) => {
        impl Code {
            $(
                #[doc = $title]
                pub const $name: Code = Code(&CodeInfo { id: $id, title: $title, explanation: $expl });
            )*
        }
        /// Every code, in order.
        pub const ALL_CODES: &[Code] = &[$(Code::$name),*];
    };
}

codes! {
    INVALID_UTF8 = "E0001", "file is not valid UTF-8",
"An Okite source file must be UTF-8 text. The file contains a byte sequence that is not
UTF-8, often because it was saved as Shift_JIS or is not a text file at all.

Re-save the file as UTF-8 (in VS Code: \"Reopen with Encoding\", then \"Save with
Encoding → UTF-8\").";

    SYNTAX = "E0002", "syntax error",
"The parser expected something else at this point. The message lists what would have been
accepted. Parsing resumes at the next line that starts an item (`rule`, `type`, `fn`, …), so
the other items of the file are still checked.

```okite
rule r {
  require facts.x >= (1 + 2
}
```

Here the parenthesis is never closed. Close it, or remove it.";

    TOO_DEEP = "E0003", "nesting too deep",
"Expressions may nest at most 128 levels deep, so that no policy can exhaust the compiler's
or the evaluator's stack. Split the expression with `let` bindings or functions.";

    UNTERMINATED_STRING = "E0004", "unterminated string",
"A string literal must end with `\"` on the same line. To put a line break in a message, write
`\\n`.

```okite
require x else \"missing quote
```";

    UNTERMINATED_COMMENT = "E0005", "unterminated block comment",
"A `/*` comment must be closed by `*/`. Block comments nest: every `/*` inside needs its own
`*/`.";

    INVALID_LITERAL = "E0006", "invalid literal",
"A literal does not denote a value: an integer beyond 64 bits, a date that does not exist
(`2023-02-29`), a decimal with more than six fractional digits, or an unknown escape in a
string.

```okite
const DUE = 2025-02-30   // February has no 30th
```";

    PACKAGE = "E0010", "missing or misplaced package declaration",
"Every file starts with `package NAME` (before any other item), and declares it once.

```okite
package hachioji.s14_id_password
```";

    DUPLICATE = "E0011", "duplicate definition",
"Two items of the same package, or two fields, variants, parameters or variables in the same
scope, have the same name. Rename one of them.";

    UNRESOLVED_IMPORT = "E0012", "unresolved import",
"An `import` names a package no file declares, or a name the package does not define. Check
the spelling, and that the file declaring the package is part of the policy set being
compiled.";

    UNKNOWN_NAME = "E0013", "unknown name",
"A name is not a variable, constant, function, rule or enum variant in scope. Variables are
in scope after their `let`, `for` or quantifier; package items need an `import` when they
live in another package.

```okite
for system in facts.systems
require sytem.enabled   // did you mean `system`?
```";

    UNKNOWN_TYPE = "E0014", "unknown type",
"A type name is neither a built-in type (`bool`, `int`, `decimal`, `string`, `date`,
`duration`) nor a `type` or `enum` in scope.";

    AMBIGUOUS = "E0015", "ambiguous name",
"The name is imported from more than one package. Import it from one package only, with a
selective import: `import a.b.{Name}`.";

    FACTS_ROOT = "E0016", "facts root declared more than once",
"A policy set has exactly one `facts` declaration: the type of a snapshot's root. Merge the
fields into one declaration.";

    NO_FACTS_ROOT = "E0017", "no facts root",
"The policy uses `facts` (or attestations), but no file declares `facts NAME { … }`. Add the
declaration, or compile together with the files that contain it.";

    MISMATCH = "E0020", "mismatched types",
"A value has a different type than its context requires.

```okite
require system.password_policy.min_length >= \"8\"   // int compared with string
```

Write a value of the expected type. A `T` is accepted where `T?` is expected, and an `int`
where a `decimal` is; no other conversion is implicit.";

    UNKNOWN_FIELD = "E0021", "unknown field",
"The record type has no field of that name. The message lists the closest field names, and
the editor offers to replace it.";

    BAD_OPERANDS = "E0022", "operator cannot be applied to these types",
"The operator is not defined for the operand types. For example `<` needs two ints, decimals,
dates, durations or strings; `+` does not add a duration to an int. See the operator table in
docs/language.md.";

    OPTIONAL_MISUSE = "E0023", "optional value used as a value",
"A `T?` may be `none`, so it cannot be used where a `T` is required. Say what `none` means:

```okite
require (p.last_changed ?? 1970-01-01) >= as_of - 90d   // none counts as never changed
require p.holder?.active == true                        // none.active is none, not true
```";

    ARGUMENTS = "E0024", "wrong arguments",
"A call passes the wrong number of arguments, a named argument the function does not have,
or the same argument twice.";

    NOT_CALLABLE = "E0025", "not a function",
"Only functions can be called. A rule, type, constant or variable cannot.";

    QUANTIFIER = "E0026", "malformed quantifier",
"Quantifiers take `name(x in collection where filter: body)`. `any`, `all` and `none` need a
predicate (after `:` or `where`); `sum`, `min`, `max` and `map` need a body after `:`;
`count` and `filter` take a predicate. The collection must be a list or a set.";

    SET_ELEMENT = "E0027", "invalid set element type",
"Sets hold scalars: `bool`, `int`, `decimal`, `string`, `date`, `duration` or an enum. Use a
list for records or collections.";

    RECORD_LITERAL = "E0028", "invalid record literal",
"A record literal must give every field that has no default and is not optional, and may give
each field only once.";

    BAD_TYPE = "E0029", "invalid type",
"The type cannot exist: an optional of an optional (`T??`), a `list` or `set` without its
element type, or a type argument on a type that takes none.";

    UNKNOWN_VARIANT = "E0030", "unknown enum variant",
"The enum has no variant of that name. The message lists the closest ones.";

    RECURSION = "E0031", "recursive function",
"Functions may not call themselves, directly or through other functions. This is what
guarantees that every Okite program terminates. Rewrite the computation with a quantifier
(`any`, `count`, `sum`, …) over the facts instead.";

    CALL_DEPTH = "E0032", "call chain too deep",
"A chain of function calls is more than 32 functions deep. Flatten the helper functions.";

    CONST_VALUE = "E0033", "invalid constant",
"A constant's value must be computable once, when the policy set is loaded: it may use
literals and other constants, but not `facts`, `as_of` or functions, and constants may not
refer to each other in a cycle. A constant without a type annotation must be a literal.";

    RULE_ORDER = "E0040", "rule statements out of order",
"A rule reads top to bottom as: metadata, `when`/`let`, `for` loops, `unless`, then `require`
and `let`. A `for` after a `require`, or an `unless` before a `for`, does not fit that shape.";

    RULE_SHAPE = "E0041", "rule checks nothing",
"A rule must either `require` something of its subjects or be an attestation (`attest every
…`), not both and not neither.";

    DUPLICATE_META = "E0042", "metadata given twice",
"`title` and `severity` may be given once per rule; list several clause ids in one `clause`
statement: `clause \"7(6)イ\", \"7(6)ウ\"`.";

    UNKNOWN_SEVERITY = "E0043", "unknown severity",
"Severity is one of `critical`, `high`, `medium`, `low`, `info`.";

    ATTESTATION_SHAPE = "E0044", "attestations are not declared",
"An `attest` rule is decided by the snapshot's attestation records, so the facts root needs a
field `attestations: list<R>` where `R` has `clause: string` and `on: date`, and a `by` field
of the role's enum type when the rule says `by ROLE`.";

    UNKNOWN_CLAUSE = "E0045", "unknown clause id",
"The policy set carries a guideline index (`section` declarations) and it has no clause with
this id. Ids are written in the guideline's numbering: `14(8)`, `7(6)カ`, `15(2)タ(ア)`.";

    ATTEST_PERIOD = "E0046", "invalid attestation period",
"The period of `attest every …` must be a positive duration such as `1y` or `6m`.";

    TEST_GIVEN = "E0050", "test needs one fixture",
"A test starts from exactly one `given facts from \"file.json\"`.";

    UNKNOWN_RULE = "E0051", "unknown rule",
"`expect` names a rule that is not defined in the test's package or imported.";

    PATCH_PATH = "E0052", "invalid patch",
"A `with` edit must follow the schema: each `.name` a field of the record at that point, each
`[n]` applied to a list, `+=` only on a list, and the value of the type found at the path.";

    DUPLICATE_CLAUSE_DEF = "E0055", "clause defined twice in the guideline index",
"Each clause id appears once in the guideline index.";

    PLUGIN_NOT_FOUND = "E0060", "plugin module not found",
"An `extern fn … from \"path\"` names a WebAssembly module (`.wasm`, or `.wat` text) by a path
relative to the declaring file, and no such file could be read. Check the path; `okite check`
reads the module from disk, the language server from the workspace.";

    PLUGIN_INVALID = "E0061", "invalid plugin module",
"The module named by `extern fn … from` is not valid WebAssembly (or WAT), or it lacks the
`okite` custom section that declares its functions, or that section cannot be read. The section
holds `abi 1` and one line per function: `name(param: type, …) -> type` (docs/plugins.md).";

    PLUGIN_SIGNATURE = "E0062", "extern function does not match its plugin",
"An `extern fn` must declare exactly the signature the module declares for the function of the
same name in its `okite` section: the same parameter types in the same order and the same
result type. The module's own declaration is what its code was written against, so the policy
must follow it (or the module be rebuilt).";

    UNUSED_FUNCTION = "W0001", "unused function",
"The function is never called by a rule, constant, test or other function of the policy set.
Remove it, or use it.";

    NO_CLAUSE = "W0002", "rule without clause",
"Every rule should name the guideline clause it implements (`clause \"14(8)\"`), so that reports
and audits trace each verdict to the guideline.";

    DUPLICATE_CLAUSE = "W0003", "rules indistinguishable in reports",
"Two rules implement the same clause with the same title (or no title), so an officer reading a
report cannot tell their findings apart. Several rules per clause are fine: give each a
distinct `title`.";

    UNUSED_VARIABLE = "W0004", "unused variable",
"A `let` or `for` variable is never used. Prefix it with `_` if that is intended.";
}
