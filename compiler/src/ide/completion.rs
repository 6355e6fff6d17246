//! Completion. The editor's text is taken as it is (usually broken: the user is typing), a
//! marker identifier is put at the cursor, and the item around it is type-checked; the checker
//! reports what it expected there (a field of some record, a value of some type, a type).
//! Where even that fails (a statement keyword is being typed), the surrounding tokens decide.

use std::collections::BTreeSet;

use super::hover::{describe, fn_signature};
use super::lexer::{Token, TokenKind, tokenize};
use super::{clause_text, item_file, short, text};
use crate::db::{Db, SourceFile};
use crate::names::{DefKind, file_scope};
use crate::sema::{COMPLETION_MARKER, CompletionContext, Symbol, Ty, completion_context, signatures};
use crate::span::Span;

/// What a completion inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A language keyword.
    Keyword,
    /// A record field.
    Field,
    /// An enum variant.
    Variant,
    /// A variable.
    Variable,
    /// A constant.
    Constant,
    /// A function (user or built-in).
    Function,
    /// A record type or the facts root.
    Type,
    /// An enum.
    Enum,
    /// A rule.
    Rule,
    /// A guideline clause id.
    Clause,
    /// A snippet (a construct with placeholders).
    Snippet,
}

/// One completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What the list shows (and what is inserted when there is no `insert`).
    pub label: String,
    /// Its kind.
    pub kind: CompletionKind,
    /// A one-line detail (a type, a signature).
    pub detail: Option<String>,
    /// Markdown documentation.
    pub documentation: Option<String>,
    /// The text to insert, as an LSP snippet (with `$1` placeholders) when `snippet`.
    pub insert: Option<String>,
    /// Whether `insert` is a snippet.
    pub snippet: bool,
    /// The text the completion replaces (the partial word before the cursor).
    pub replace: Span,
    /// Sorts before items with a larger key.
    pub sort: u8,
}

impl CompletionItem {
    fn new(label: impl Into<String>, kind: CompletionKind, replace: Span, sort: u8) -> CompletionItem {
        CompletionItem {
            label: label.into(),
            kind,
            detail: None,
            documentation: None,
            insert: None,
            snippet: false,
            replace,
            sort,
        }
    }

    fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    fn doc(mut self, d: Option<String>) -> Self {
        self.documentation = d.filter(|d| !d.is_empty());
        self
    }

    fn snippet(mut self, s: impl Into<String>) -> Self {
        self.insert = Some(s.into());
        self.snippet = true;
        self
    }
}

const RULE_KEYWORDS: &[(&str, &str)] = &[
    ("clause", "clause \"$1\""),
    ("title", "title \"$1\""),
    ("severity", "severity ${1|critical,high,medium,low,info|}"),
    ("tags", "tags \"$1\""),
    ("when", "when $1"),
    ("for", "for ${1:x} in $2"),
    ("unless", "unless $1"),
    ("let", "let ${1:name} = $2"),
    ("require", "require $1\n    else \"$2\""),
    ("attest", "attest every ${1:1y} by ${2:security_officer}"),
];

const ITEM_KEYWORDS: &[(&str, &str)] = &[
    (
        "rule",
        "/// ${1:clause text}\nrule ${2:name} {\n  clause \"$3\"\n  title \"$4\"\n  severity ${5|high,medium,low|}\n  for ${6:x} in facts.$7\n  require $8\n    else \"$9\"\n}",
    ),
    (
        "test",
        "test \"${1:description}\" {\n  given facts from \"${2:../fixtures/compliant.json}\" with {\n    $3\n  }\n  expect ${4:rule} ${5|passes,fails,not_applicable,manual,errors|}\n}",
    ),
    ("type", "/// ${1:説明}\ntype ${2:Name} {\n  /// ${3:説明}\n  ${4:field}: ${5:string}\n}"),
    ("enum", "/// ${1:説明}\nenum ${2:Name} {\n  ${3:variant}\n}"),
    ("fn", "/// ${1:説明}\nfn ${2:name}(${3:x}: ${4:int}) -> ${5:bool} = $6"),
    ("const", "const ${1:NAME} = $2"),
    ("import", "import ${1:package}"),
    ("package", "package ${1:name}"),
    ("facts", "facts ${1:Facility} {\n  $2\n}"),
    ("section", "section \"${1:id}\" \"${2:title}\" {\n  clause \"${3:id}\" \"${4:text}\"\n}"),
];

const EXPR_KEYWORDS: &[&str] =
    &["and", "or", "not", "in", "if", "then", "else", "true", "false", "none", "facts", "as_of"];

const QUANTIFIERS: &[(&str, &str)] = &[
    ("any", "any(${1:x} in ${2:xs}: $3)"),
    ("all", "all(${1:x} in ${2:xs}: $3)"),
    ("none", "none(${1:x} in ${2:xs}: $3)"),
    ("count", "count(${1:x} in ${2:xs} where $3)"),
    ("sum", "sum(${1:x} in ${2:xs}: $3)"),
    ("min", "min(${1:x} in ${2:xs}: $3)"),
    ("max", "max(${1:x} in ${2:xs}: $3)"),
    ("filter", "filter(${1:x} in ${2:xs}: $3)"),
    ("map", "map(${1:x} in ${2:xs}: $3)"),
];

/// Completions at `offset` in `file`.
pub fn completions(db: &dyn Db, file: SourceFile, offset: u32) -> Vec<CompletionItem> {
    let src = text(db, file);
    let offset = (offset as usize).min(src.len());
    let tokens = tokenize(&src);
    // Inside a string: clause ids after `clause`, nothing otherwise.
    if let Some(t) = tokens
        .iter()
        .find(|t| t.kind == TokenKind::Str && (t.span.start as usize) < offset && offset <= t.span.end as usize)
    {
        return clause_completions(db, &src, &tokens, t, offset);
    }
    // The partial word before the cursor is replaced by the completion.
    // (The character before the word may be wider than one byte: `「`, a full-width space.)
    let word_start = src[..offset]
        .char_indices()
        .rfind(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let replace = Span::new(word_start, offset);
    let only = only_the_item_at(db, file, &src, word_start, offset);
    let marked = format!("{}{COMPLETION_MARKER}{}", &only[..word_start], &only[offset..]);
    let before: Vec<&Token> = tokens.iter().filter(|t| (t.span.end as usize) <= word_start).collect();
    let prev_word =
        |k: usize| before.iter().rev().filter(|t| t.kind != TokenKind::Comment).nth(k).map(|t| &src[t.span.range()]);
    match completion_context(db, file, &marked, word_start as u32) {
        Some(CompletionContext::Field { record }) => field_completions(db, &record, replace),
        Some(CompletionContext::Value { expected, locals }) => {
            value_completions(db, file, expected.as_ref(), &locals, replace)
        }
        Some(CompletionContext::Type) => type_completions(db, file, replace),
        None => {
            // Not an expression: a keyword of the statement being written, or special places.
            match (prev_word(0), prev_word(1)) {
                (Some("severity"), _) => ["critical", "high", "medium", "low", "info"]
                    .iter()
                    .map(|s| CompletionItem::new(*s, CompletionKind::Keyword, replace, 0))
                    .collect(),
                (Some("expect"), _) => rule_completions(db, file, replace),
                (_, Some("expect")) => ["passes", "fails", "not_applicable", "manual", "errors"]
                    .iter()
                    .map(|s| CompletionItem::new(*s, CompletionKind::Keyword, replace, 0))
                    .collect(),
                (Some(":" | "<" | "->"), _) => type_completions(db, file, replace),
                _ => keyword_completions(&src, &tokens, word_start, replace),
            }
        }
    }
}

/// `src` with every item blanked but the header (`package`, `import`) and the item being
/// written at `word_start..offset`: same byte offsets and lines, so the checker's view of that
/// item is unchanged, but re-parsing the marked text costs that item, not the whole file (a
/// completion runs on every keystroke).
fn only_the_item_at(db: &dyn Db, file: SourceFile, src: &str, word_start: usize, offset: usize) -> String {
    use crate::syntax::ast::ItemKind;
    let items = &crate::parse(db, file).file.items;
    let Some(current) = items.iter().rfind(|i| i.span.start as usize <= word_start) else { return src.to_string() };
    let line_end = |at: usize| src.get(at..).and_then(|rest| rest.find('\n')).map_or(src.len(), |i| at + i);
    let mut kept: Vec<(usize, usize)> = items
        .iter()
        .filter(|i| matches!(i.kind, ItemKind::Package(_) | ItemKind::Import(_)))
        .map(|i| (i.span.start as usize, i.span.end as usize))
        .collect();
    kept.push((current.span.start as usize, line_end((current.span.end as usize).max(offset))));
    let mut bytes: Vec<u8> = src.bytes().map(|b| if b == b'\n' { b } else { b' ' }).collect();
    for (start, end) in kept {
        if let (Some(to), Some(from)) = (bytes.get_mut(start..end), src.as_bytes().get(start..end)) {
            to.copy_from_slice(from);
        }
    }
    // Whole characters are blanked (item spans lie on character boundaries), so this is UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| src.to_string())
}

fn field_completions(db: &dyn Db, record: &str, replace: Span) -> Vec<CompletionItem> {
    let Some(f) = item_file(db, record) else { return Vec::new() };
    let Some(sig) = signatures(db, f).record(record) else { return Vec::new() };
    sig.fields
        .iter()
        .map(|fd| {
            CompletionItem::new(&*fd.name, CompletionKind::Field, replace, 0)
                .detail(fd.ty.to_string())
                .doc(Some(fd.doc.clone()))
        })
        .collect()
}

fn value_completions(
    db: &dyn Db,
    file: SourceFile,
    expected: Option<&Ty>,
    locals: &[(std::sync::Arc<str>, Ty)],
    replace: Span,
) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    // Variants of the expected enum first: the likeliest thing to write.
    let enum_q = expected.map(Ty::strip_optional).and_then(|t| match t {
        Ty::Enum(q) => Some(q.clone()),
        Ty::Set(el) | Ty::List(el) => match &**el {
            Ty::Enum(q) => Some(q.clone()),
            _ => None,
        },
        _ => None,
    });
    if let Some(q) = enum_q
        && let Some(f) = item_file(db, &q)
        && let Some(e) = signatures(db, f).enum_(&q)
    {
        for (v, doc) in &e.variants {
            out.push(
                CompletionItem::new(&**v, CompletionKind::Variant, replace, 0)
                    .detail(short(&q).to_string())
                    .doc(Some(doc.clone())),
            );
        }
    }
    for (name, ty) in locals.iter().rev() {
        if seen.insert(name.to_string()) {
            out.push(CompletionItem::new(&**name, CompletionKind::Variable, replace, 1).detail(ty.to_string()));
        }
    }
    for (name, defs) in &file_scope(db, file).names {
        let [def] = defs.as_slice() else { continue };
        if !seen.insert(name.to_string()) {
            continue;
        }
        let symbol = Symbol::Item { qname: def.qname.clone(), kind: def.kind };
        let doc = describe(db, &symbol);
        let item = match def.kind {
            DefKind::Const => CompletionItem::new(&**name, CompletionKind::Constant, replace, 2),
            DefKind::Fn => {
                let sig = item_file(db, &def.qname).and_then(|f| signatures(db, f).func(&def.qname).cloned());
                let detail = sig.as_ref().map(|s| fn_signature(name, &s.params, &s.ret)).unwrap_or_default();
                CompletionItem::new(&**name, CompletionKind::Function, replace, 2)
                    .detail(detail)
                    .snippet(format!("{name}($1)"))
            }
            DefKind::Enum => CompletionItem::new(&**name, CompletionKind::Enum, replace, 4),
            DefKind::Record | DefKind::Facts => {
                CompletionItem::new(&**name, CompletionKind::Type, replace, 4).snippet(format!("{name} {{ $1 }}"))
            }
            DefKind::Rule | DefKind::Broken => continue,
        };
        out.push(item.doc(doc));
    }
    for (name, snippet) in QUANTIFIERS {
        out.push(
            CompletionItem::new(*name, CompletionKind::Function, replace, 3).detail("quantifier").snippet(*snippet),
        );
    }
    for name in crate::sema::BUILTIN_NAMES {
        if seen.insert(name.to_string()) && !QUANTIFIERS.iter().any(|(q, _)| q == name) {
            let (sig, doc) = super::signature_help::builtin_signature(name).unwrap_or(("", ""));
            out.push(
                CompletionItem::new(*name, CompletionKind::Function, replace, 3)
                    .detail(sig)
                    .doc(Some(doc.to_string()))
                    .snippet(format!("{name}($1)")),
            );
        }
    }
    for k in EXPR_KEYWORDS {
        out.push(CompletionItem::new(*k, CompletionKind::Keyword, replace, 5));
    }
    out
}

fn type_completions(db: &dyn Db, file: SourceFile, replace: Span) -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = ["bool", "int", "decimal", "string", "date", "duration"]
        .iter()
        .map(|t| CompletionItem::new(*t, CompletionKind::Type, replace, 0))
        .collect();
    out.push(CompletionItem::new("list", CompletionKind::Type, replace, 0).snippet("list<$1>"));
    out.push(CompletionItem::new("set", CompletionKind::Type, replace, 0).snippet("set<$1>"));
    for (name, defs) in &file_scope(db, file).names {
        if let [def] = defs.as_slice()
            && def.kind.is_type()
        {
            let kind = if def.kind == DefKind::Enum { CompletionKind::Enum } else { CompletionKind::Type };
            let doc = describe(db, &Symbol::Item { qname: def.qname.clone(), kind: def.kind });
            out.push(CompletionItem::new(&**name, kind, replace, 1).doc(doc));
        }
    }
    out
}

fn rule_completions(db: &dyn Db, file: SourceFile, replace: Span) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    for (name, defs) in &file_scope(db, file).names {
        if let [def] = defs.as_slice()
            && def.kind == DefKind::Rule
        {
            let doc = describe(db, &Symbol::Item { qname: def.qname.clone(), kind: def.kind });
            out.push(CompletionItem::new(&**name, CompletionKind::Rule, replace, 0).doc(doc));
        }
    }
    out
}

fn clause_completions(db: &dyn Db, src: &str, tokens: &[Token], string: &Token, offset: usize) -> Vec<CompletionItem> {
    let is_clause_arg = tokens
        .iter()
        .filter(|t| t.span.end <= string.span.start && t.kind != TokenKind::Comment)
        .rev()
        .take_while(|t| t.kind == TokenKind::Str || &src[t.span.range()] == "," || &src[t.span.range()] == "clause")
        .any(|t| &src[t.span.range()] == "clause");
    if !is_clause_arg {
        return Vec::new();
    }
    // Replace the string's contents (between the quotes) up to its end.
    let start = string.span.start as usize + 1;
    let end = if src[..string.span.end as usize].ends_with('"') && string.span.end as usize > start {
        string.span.end as usize - 1
    } else {
        string.span.end as usize
    };
    let replace = Span::new(start, end.max(offset));
    let ws = db.workspace();
    let mut out = Vec::new();
    for &f in ws.files(db) {
        for s in &signatures(db, f).sections {
            for (i, c) in s.clauses.iter().enumerate() {
                let mut item =
                    CompletionItem::new(&c.id, CompletionKind::Clause, replace, if c.normative { 0 } else { 1 })
                        .detail(format!("{} {}", s.id, s.title));
                item.documentation = clause_text(db, &c.id).map(|(_, t)| t);
                // Keep guideline order in the list.
                item.sort = item.sort.saturating_add((i / 256) as u8);
                out.push(item);
            }
        }
    }
    out
}

fn keyword_completions(src: &str, tokens: &[Token], at: usize, replace: Span) -> Vec<CompletionItem> {
    // Brace depth at the cursor and the keyword of the enclosing item.
    let mut depth = 0i32;
    let mut item_kw: Option<&str> = None;
    for t in tokens.iter().filter(|t| (t.span.end as usize) <= at) {
        let s = &src[t.span.range()];
        match (t.kind, s) {
            (TokenKind::Punct, "{") => depth += 1,
            (TokenKind::Punct, "}") => depth -= 1,
            (TokenKind::Word, "rule" | "test" | "type" | "facts" | "enum" | "section" | "fn" | "const")
                if depth == 0 =>
            {
                item_kw = Some(s)
            }
            _ => {}
        }
    }
    let pick = |list: &[(&str, &str)], kind| -> Vec<CompletionItem> {
        list.iter().map(|(k, snippet)| CompletionItem::new(*k, kind, replace, 0).snippet(*snippet)).collect()
    };
    if depth <= 0 {
        return pick(ITEM_KEYWORDS, CompletionKind::Snippet);
    }
    match item_kw {
        Some("rule") => pick(RULE_KEYWORDS, CompletionKind::Keyword),
        Some("test") => pick(
            &[
                ("given", "given facts from \"${1:../fixtures/compliant.json}\" with {\n  $2\n}"),
                ("expect", "expect ${1:rule} ${2|passes,fails,not_applicable,manual,errors|}"),
            ],
            CompletionKind::Keyword,
        ),
        Some("section") => pick(&[("clause", "clause \"${1:id}\" \"${2:text}\"")], CompletionKind::Keyword),
        Some("type" | "facts") => pick(&[("key", "key ${1:id}: ${2:string}")], CompletionKind::Keyword),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Database, FileInput};

    const TEXT: &str = "package p\n\ntype T {\n  /// 名前\n  name: string\n}\n\nfacts F {\n  ts: list<T> = []\n}\n\n/// 壊れた規則\nrule broken {\n  require (((\n}\n\nrule r {\n  for t in facts.ts\n  require t.\n    else \"理由\"\n}\n";

    #[test]
    fn only_the_item_being_written_is_reparsed() {
        let db = Database::new(vec![FileInput::new("p.okite", TEXT)]);
        let file = db.file("p.okite").unwrap();
        let offset = TEXT.find("t.\n").unwrap() + 2;
        let only = only_the_item_at(&db, file, TEXT, offset, offset);
        assert_eq!((only.len(), only.lines().count()), (TEXT.len(), TEXT.lines().count()), "same offsets and lines");
        assert!(only.starts_with("package p\n"));
        let rule = TEXT.find("rule r {").unwrap();
        assert_eq!(only[rule..], TEXT[rule..]);
        assert!(!only.contains("broken") && !only.contains("type T") && !only.contains("名前"), "{only}");
        // Fields still come from the schema: the rest of the file is blanked only for the re-parse.
        let labels: Vec<String> = completions(&db, file, offset as u32).into_iter().map(|c| c.label).collect();
        assert_eq!(labels, ["name"]);
    }
}
