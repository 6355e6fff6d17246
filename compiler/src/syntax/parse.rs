//! From source text to [`ast::File`], never failing: every problem becomes a diagnostic and
//! the rest of the file is still parsed.

use std::sync::{Arc, Mutex, Once, PoisonError};

use okite_ir::{Date, Decimal, Duration};
use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::guard;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/okite.pest"]
struct OkiteParser;

/// Expression trees deeper than this are rejected (E0003), whatever their shape.
pub const MAX_EXPR_HEIGHT: u32 = guard::MAX_NESTING as u32;

/// The parse of one file: a tree and the problems found.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Parsed {
    /// The items that could be read.
    pub file: File,
    /// Syntax errors and invalid literals.
    pub errors: Vec<Diagnostic>,
}

/// Parses `text`, the contents of `path`.
pub fn parse(path: &Arc<str>, text: &str) -> Parsed {
    static SETUP: Once = Once::new();
    SETUP.call_once(|| {
        // A call budget so that no input can make the parser backtrack for minutes.
        pest::set_call_limit(std::num::NonZeroUsize::new(200_000_000));
    });

    let mut b = Builder { path: path.clone(), errors: Vec::new(), depth: 0 };
    let too_deep = guard::find_too_deep(text);
    for deep in &too_deep {
        let (message, label) = match deep.what {
            guard::Nesting::Brackets => ("expression nested too deeply", "levels of brackets"),
            guard::Nesting::Types => ("type nested too deeply", "levels of `list<…>` and `set<…>`"),
            guard::Nesting::Comments => ("comments nested too deeply", "levels of `/*`"),
        };
        let chunk_start = deep.chunk.start as usize;
        b.errors.push(
            Diagnostic::error(Code::TOO_DEEP, path, Span::new(deep.at, deep.at + 1), message)
                .with_label(format!("more than {} {label}", guard::MAX_NESTING))
                .with_secondary(Span::new(chunk_start, chunk_start), "in this item, which is skipped")
                .with_help(match deep.what {
                    guard::Nesting::Brackets => "split the expression with `let` bindings or functions",
                    guard::Nesting::Types => "wrap the inner collections in a record `type`",
                    guard::Nesting::Comments => "close the comments, or use line comments (`//`)",
                }),
        );
    }
    let blanked;
    let source = if too_deep.is_empty() {
        text
    } else {
        blanked = guard::blank_out(text, &too_deep);
        &blanked
    };

    let mut file = File::default();
    match OkiteParser::parse(Rule::file, source) {
        Ok(mut pairs) => {
            let Some(top) = pairs.next() else { return Parsed { file, errors: b.errors } };
            for pair in top.into_inner() {
                match pair.as_rule() {
                    Rule::item => {
                        if let Some(item) = b.item(pair) {
                            file.items.push(item);
                        }
                    }
                    Rule::junk => {
                        if let Some(item) = b.junk(pair, source) {
                            file.items.push(item);
                        }
                    }
                    _ => {}
                }
            }
        }
        Err(e) => {
            // Only resource limits can fail the recovering grammar as a whole.
            let at = match e.location {
                InputLocation::Pos(p) => p,
                InputLocation::Span((s, _)) => s,
            };
            b.errors.push(
                Diagnostic::error(Code::TOO_DEEP, path, Span::new(at, at + 1), "file too complex to parse")
                    .with_label("the parser gave up here")
                    .with_note(e.variant.message().to_string()),
            );
        }
    }
    Parsed { file, errors: b.errors }
}

/// Parses one junk chunk as an item, recording the expected tokens that error messages list.
///
/// Recording them slows pest down severalfold, so it is off for the parse of whole files and on
/// only here. pest reads the switch, a process-wide flag, when a parse starts: a lock keeps every
/// re-parse of junk inside the window where it is on, so messages never depend on timing. A
/// whole-file parse that starts in the window merely records detail it does not use.
fn parse_with_detail(chunk: &str) -> Result<Pairs<'_, Rule>, pest::error::Error<Rule>> {
    static DETAIL: Mutex<()> = Mutex::new(());
    let _window = DETAIL.lock().unwrap_or_else(PoisonError::into_inner);
    pest::set_error_detail(true);
    let result = OkiteParser::parse(Rule::item_only, chunk);
    pest::set_error_detail(false);
    result
}

struct Builder {
    path: Arc<str>,
    errors: Vec<Diagnostic>,
    /// How many expressions (or types) enclose the one being built.
    // INVARIANT (bounded-trees): never more than `MAX_EXPR_HEIGHT + 1`: deeper pest subtrees
    // (nesting the bracket guard cannot see, such as `if … else if …` chains) become one
    // `Error` node, so no tree handed on, walked or dropped is deeper than that.
    depth: u32,
}

/// The span of a pair, without trailing whitespace and comments.
///
/// pest skips trivia between the elements of a sequence even when what follows is an optional
/// or repeated element that then matches nothing (`require x` then `(else …)?`), so such a
/// pair's own span runs on over the blank lines and comments after it. Diagnostics would then
/// underline them.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    // Trivia ends in whitespace or `*/`, or runs to the end of the input (a line comment
    // there); anything else is the pair's own last token. Most pairs are tokens: no look inside.
    let ends_in_token = span.end() < pair.get_input().len()
        && span.as_str().as_bytes().last().is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'/'));
    let end = if ends_in_token { span.end() } else { trimmed_end(pair) };
    Span::new(span.start(), end)
}

/// Where the last token of `pair` ends: while only trivia follows the last child, the end is
/// the last child's. (A pair never ends inside a comment, so trivia up to the child's end and
/// trivia after it are trivia together.) A loop, not recursion: pest trees can be deep.
fn trimmed_end(pair: &Pair<'_, Rule>) -> usize {
    let input = pair.get_input();
    let mut end = pair.as_span().end();
    let mut current = pair.clone();
    while let Some(last) = current.into_inner().last() {
        let last_end = last.as_span().end();
        if !input.get(last_end..end).is_some_and(is_trivia) {
            break;
        }
        end = last_end;
        current = last;
    }
    end
}

/// Whether `text` is only whitespace and comments.
fn is_trivia(mut text: &str) -> bool {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("//") {
            text = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if text.starts_with("/*") {
            let mut depth = 0usize;
            let mut i = 0;
            let bytes = text.as_bytes();
            while i < bytes.len() {
                if bytes[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if bytes[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            if depth > 0 {
                return false;
            }
            text = &text[i..];
        } else {
            return text.is_empty();
        }
    }
}

/// Children of a pair, for destructuring with `next()`.
fn kids<'i>(pair: Pair<'i, Rule>) -> Pairs<'i, Rule> {
    pair.into_inner()
}

impl Builder {
    fn error(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, &self.path, span, message)
    }

    fn report(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    // -----------------------------------------------------------------------------------------
    // Recovery

    /// Reports a chunk that is not an item and salvages what it can of it.
    fn junk(&mut self, pair: Pair<'_, Rule>, source: &str) -> Option<Item> {
        let span = span_of(&pair);
        let chunk = pair.as_str();
        if chunk.lines().all(|l| l.trim_start().starts_with("///") || l.trim().is_empty()) {
            // A doc comment whose item failed to parse; the item's own error says why.
            return None;
        }
        let diag = self.diagnose_chunk(chunk, span.start as usize, source);
        self.errors.push(diag);
        let salvaged = salvage(chunk, span.start as usize);
        Some(Item { doc: String::new(), kind: ItemKind::Error(salvaged), span })
    }

    fn diagnose_chunk(&self, chunk: &str, offset: usize, source: &str) -> Diagnostic {
        let err = match parse_with_detail(chunk) {
            Ok(_) => {
                return Diagnostic::error(
                    Code::SYNTAX,
                    &self.path,
                    Span::new(offset, offset + chunk.len()),
                    "expected an item",
                )
                .with_label("this text is not part of any item");
            }
            Err(e) => e,
        };
        let pos = match err.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
        let at = offset + pos;
        let rest = source.get(at..).unwrap_or("");
        if let Some(start) = unterminated_string_start(chunk, pos) {
            return Diagnostic::error(
                Code::UNTERMINATED_STRING,
                &self.path,
                Span::new(offset + start, offset + start + 1),
                "unterminated string",
            )
            .with_label("this string is never closed")
            .with_help("close it with `\"` on the same line; write a line break as `\\n`");
        }
        if rest.starts_with("/*") || chunk_has_unclosed_comment(chunk) {
            let start = chunk.find("/*").map_or(at, |i| offset + i);
            return Diagnostic::error(
                Code::UNTERMINATED_COMMENT,
                &self.path,
                Span::new(start, start + 2),
                "unterminated block comment",
            )
            .with_label("this comment is never closed")
            .with_help("close it with `*/`; block comments nest, so every `/*` needs its own `*/`");
        }
        if let ErrorVariant::CustomError { message } = &err.variant {
            return Diagnostic::error(Code::TOO_DEEP, &self.path, Span::new(at, at + 1), "expression too complex")
                .with_label(message.clone())
                .with_help("split the expression with `let` bindings or functions");
        }
        let mut expected: Vec<String> = Vec::new();
        if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
            for r in positives {
                if let Some(d) = describe_rule(*r) {
                    expected.push(d.to_string());
                }
            }
        }
        if let Some(attempts) = err.parse_attempts() {
            for tok in attempts.expected_tokens() {
                // Punctuation only: keywords and names are described through their rules.
                let token = tok.to_string();
                let punctuation =
                    !token.trim().is_empty() && !token.contains("..") && token.chars().all(|c| !c.is_alphanumeric());
                if punctuation {
                    expected.push(format!("`{token}`"));
                }
            }
        }
        // Tokens that only start something already described ("an expression", "a name") or
        // that are never what the user meant (comment openers) would only add noise.
        let describes_expr = expected.iter().any(|e| e == "an expression");
        expected.retain(|e| {
            let starter =
                matches!(e.as_str(), "`\"`" | "`(`" | "`-`" | "`[`" | "`{`" | "a name" | "a string" | "an integer")
                    || e.starts_with("a duration");
            let noise = matches!(e.as_str(), "`/*`" | "`//`" | "`///`" | "`_`");
            !(noise || describes_expr && starter)
        });
        // After an operand, every operator would do: say so once rather than list a dozen
        // symbols (of which only the first few would fit).
        let operators = expected.iter().filter(|e| is_operator_token(e)).count();
        let after_operand = operators >= 3;
        if after_operand {
            expected.retain(|e| !is_operator_token(e) && !matches!(e.as_str(), "`.`" | "`?.`" | "`[`"));
            expected.push("an operator".to_string());
        }
        // `clause` also starts a rule statement.
        if expected.iter().any(|e| e == "a rule statement") {
            expected.retain(|e| e != "`clause`");
        }
        expected.sort();
        expected.dedup();
        let found = describe_found(rest);
        let message = match expected.len() {
            0 => format!("unexpected {found}"),
            _ => format!("expected {}, found {found}", join_or(&expected)),
        };
        let len = found_len(rest);
        let mut diag = Diagnostic::error(Code::SYNTAX, &self.path, Span::new(at, at + len), message)
            .with_label("unexpected here")
            .with_note("parsing resumes at the next line that starts an item; the rest of the file is still checked");
        if after_operand && rest.starts_with('=') && !rest.starts_with("==") {
            diag = diag.with_help("to compare two values, write `==`");
        }
        if expected.iter().any(|e| e == "`)`")
            && let Some(open) = unclosed_paren(chunk, pos)
        {
            diag = diag.with_secondary(Span::new(offset + open, offset + open + 1), "this `(` is not closed");
        }
        diag
    }

    // -----------------------------------------------------------------------------------------
    // Items

    fn item(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        let mut doc_lines = Vec::new();
        let mut kind = None;
        let mut span = span_of(&pair);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::doc => doc_lines.push(doc_line(&p)),
                _ => {
                    span = span_of(&p);
                    kind = Some(self.item_kind(p));
                }
            }
        }
        Some(Item { doc: doc_lines.join("\n"), kind: kind?, span })
    }

    fn item_kind(&mut self, pair: Pair<'_, Rule>) -> ItemKind {
        let rule = pair.as_rule();
        let mut it = kids(pair).filter(|p| !is_keyword(p.as_rule()));
        match rule {
            Rule::package_decl => ItemKind::Package(self.path_of(it.next())),
            Rule::import_decl => {
                let package = self.path_of(it.next());
                let names = it.next().map(|list| kids(list).map(|p| ident(&p)).collect());
                ItemKind::Import(Import { package, names })
            }
            Rule::type_decl | Rule::facts_decl => {
                let name = ident_of(it.next());
                let fields = it.map(|p| self.field_decl(p)).collect();
                let decl = RecordDecl { name, fields };
                if rule == Rule::type_decl { ItemKind::Type(decl) } else { ItemKind::Facts(decl) }
            }
            Rule::enum_decl => {
                let name = ident_of(it.next());
                let variants = it
                    .map(|v| {
                        let mut doc = Vec::new();
                        let mut name = None;
                        for p in kids(v) {
                            match p.as_rule() {
                                Rule::doc => doc.push(doc_line(&p)),
                                _ => name = Some(ident(&p)),
                            }
                        }
                        (doc.join("\n"), name.unwrap_or_else(empty_ident))
                    })
                    .collect();
                ItemKind::Enum(EnumDecl { name, variants })
            }
            Rule::const_decl => {
                let name = ident_of(it.next());
                let mut ty = None;
                let mut value = None;
                for p in it {
                    match p.as_rule() {
                        Rule::type_expr => ty = Some(self.type_expr(p)),
                        _ => value = Some(self.expr(p)),
                    }
                }
                ItemKind::Const(ConstDecl { name, ty, value: value.unwrap_or_else(error_expr) })
            }
            Rule::fn_decl => {
                let name = ident_of(it.next());
                let mut params = Vec::new();
                let mut ret = None;
                let mut lets = Vec::new();
                let mut body = None;
                for p in it {
                    match p.as_rule() {
                        Rule::param => params.push(self.param(p)),
                        Rule::type_expr => ret = Some(self.type_expr(p)),
                        Rule::fn_body => {
                            for b in kids(p) {
                                match b.as_rule() {
                                    Rule::block => {
                                        for s in kids(b) {
                                            match s.as_rule() {
                                                Rule::let_stmt => lets.push(self.let_stmt(s)),
                                                _ => body = Some(self.expr(s)),
                                            }
                                        }
                                    }
                                    _ => body = Some(self.expr(b)),
                                }
                            }
                        }
                        _ => {}
                    }
                }
                ItemKind::Fn(FnDecl {
                    name,
                    params,
                    ret: ret.unwrap_or_else(error_type),
                    lets,
                    body: body.unwrap_or_else(error_expr),
                })
            }
            Rule::extern_decl => {
                let name = ident_of(it.next());
                let mut params = Vec::new();
                let mut ret = None;
                let mut from = None;
                for p in it {
                    match p.as_rule() {
                        Rule::param => params.push(self.param(p)),
                        Rule::type_expr => ret = Some(self.type_expr(p)),
                        Rule::plain_string => from = Some(self.plain_string(p)),
                        _ => {}
                    }
                }
                ItemKind::Extern(ExternDecl {
                    name,
                    params,
                    ret: ret.unwrap_or_else(error_type),
                    from: from.unwrap_or_else(empty_plain),
                })
            }
            Rule::rule_decl => {
                let name = ident_of(it.next());
                let stmts = it.map(|s| self.rule_stmt(s)).collect();
                ItemKind::Rule(RuleDecl { name, stmts })
            }
            Rule::test_decl => {
                let name = plain_string_of(self, it.next());
                let mut givens = Vec::new();
                let mut expects = Vec::new();
                for s in it {
                    let span = span_of(&s);
                    match s.as_rule() {
                        Rule::given_stmt => {
                            let mut gk = kids(s).filter(|p| !is_keyword(p.as_rule()));
                            let file = plain_string_of(self, gk.next());
                            let patches = gk.map(|p| self.patch(p)).collect();
                            givens.push(Given { file, patches, span });
                        }
                        _ => {
                            let mut ek = kids(s).filter(|p| !is_keyword(p.as_rule()));
                            let rule = ident_of(ek.next());
                            let outcome = ident_of(ek.next());
                            let message = ek.next().map(|p| self.plain_string(p));
                            expects.push(Expect { rule, outcome, message, span });
                        }
                    }
                }
                ItemKind::Test(TestDecl { name, givens, expects })
            }
            Rule::section_decl => {
                let id = plain_string_of(self, it.next());
                let title = plain_string_of(self, it.next());
                let clauses = it
                    .map(|c| {
                        let mut doc = Vec::new();
                        let mut strings = Vec::new();
                        let mut informative = false;
                        for p in kids(c) {
                            match p.as_rule() {
                                Rule::doc => doc.push(doc_line(&p)),
                                Rule::informative => informative = true,
                                Rule::plain_string => strings.push(self.plain_string(p)),
                                _ => {}
                            }
                        }
                        let mut s = strings.into_iter();
                        let id = s.next().unwrap_or_else(empty_plain);
                        let text = s.next().unwrap_or_else(empty_plain);
                        ClauseDecl { doc: doc.join("\n"), id, informative, text }
                    })
                    .collect();
                ItemKind::Section(SectionDecl { id, title, clauses })
            }
            _ => ItemKind::Error(ErrorItem { keyword: None, name: None }),
        }
    }

    fn path_of(&mut self, pair: Option<Pair<'_, Rule>>) -> Path {
        match pair {
            Some(p) => {
                let span = span_of(&p);
                Path { segments: kids(p).map(|s| ident(&s)).collect(), span }
            }
            None => Path { segments: Vec::new(), span: Span::default() },
        }
    }

    fn field_decl(&mut self, pair: Pair<'_, Rule>) -> FieldDecl {
        let mut doc = Vec::new();
        let mut key = false;
        let mut name = None;
        let mut ty = None;
        let mut default = None;
        for p in kids(pair) {
            match p.as_rule() {
                Rule::doc => doc.push(doc_line(&p)),
                Rule::key_mark => key = true,
                Rule::ident => name = Some(ident(&p)),
                Rule::type_expr => ty = Some(self.type_expr(p)),
                Rule::expr => default = Some(self.expr(p)),
                _ => {}
            }
        }
        FieldDecl {
            doc: doc.join("\n"),
            key,
            name: name.unwrap_or_else(empty_ident),
            ty: ty.unwrap_or_else(error_type),
            default,
        }
    }

    fn type_expr(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        if self.depth > MAX_EXPR_HEIGHT {
            // Only a file the guard miscounted gets here (see `guard::find_too_deep`).
            let span = span_of(&pair);
            if self.depth == MAX_EXPR_HEIGHT + 1 {
                self.report(
                    self.error(
                        Code::TOO_DEEP,
                        Span::new(span.start as usize, span.start as usize + 1),
                        "type nested too deeply",
                    )
                    .with_label(format!("more than {MAX_EXPR_HEIGHT} levels of `list<…>` and `set<…>`"))
                    .with_help("wrap the inner collections in a record `type`"),
                );
            }
            return error_type();
        }
        self.depth += 1;
        let t = self.type_expr_inner(pair);
        self.depth -= 1;
        t
    }

    fn type_expr_inner(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = span_of(&pair);
        let mut kind = None;
        let mut optional = false;
        for p in kids(pair) {
            match p.as_rule() {
                Rule::list_type | Rule::set_type => {
                    let is_list = p.as_rule() == Rule::list_type;
                    let inner = kids(p).find(|c| c.as_rule() == Rule::type_expr).map(|c| self.type_expr(c));
                    let inner = Box::new(inner.unwrap_or_else(error_type));
                    kind = Some(if is_list { TypeExprKind::List(inner) } else { TypeExprKind::Set(inner) });
                }
                Rule::path => kind = Some(TypeExprKind::Named(self.path_of(Some(p)))),
                Rule::optional => optional = true,
                _ => {}
            }
        }
        TypeExpr { kind: kind.unwrap_or_else(|| error_type().kind), optional, span }
    }

    /// `name: type` of a function's parameter list.
    fn param(&mut self, p: Pair<'_, Rule>) -> (Ident, TypeExpr) {
        let mut pk = kids(p);
        let n = ident_of(pk.next());
        let t = pk.next().map(|t| self.type_expr(t));
        (n, t.unwrap_or_else(error_type))
    }

    fn let_stmt(&mut self, pair: Pair<'_, Rule>) -> LetStmt {
        let span = span_of(&pair);
        let mut name = None;
        let mut ty = None;
        let mut value = None;
        for p in kids(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(ident(&p)),
                Rule::type_expr => ty = Some(self.type_expr(p)),
                Rule::expr => value = Some(self.expr(p)),
                _ => {}
            }
        }
        LetStmt { name: name.unwrap_or_else(empty_ident), ty, value: value.unwrap_or_else(error_expr), span }
    }

    fn rule_stmt(&mut self, pair: Pair<'_, Rule>) -> RuleStmt {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        if rule == Rule::let_stmt {
            return RuleStmt { kind: RuleStmtKind::Let(self.let_stmt(pair)), span };
        }
        let mut it = kids(pair).filter(|p| !is_keyword(p.as_rule()));
        let kind = match rule {
            Rule::clause_stmt => RuleStmtKind::Clause(it.map(|p| self.plain_string(p)).collect()),
            Rule::title_stmt => RuleStmtKind::Title(plain_string_of(self, it.next())),
            Rule::severity_stmt => RuleStmtKind::Severity(ident_of(it.next())),
            Rule::tags_stmt => RuleStmtKind::Tags(it.map(|p| self.plain_string(p)).collect()),
            Rule::when_stmt => RuleStmtKind::When(self.expr_of(it.next())),
            Rule::unless_stmt => RuleStmtKind::Unless(self.expr_of(it.next())),
            Rule::for_stmt => {
                let var = ident_of(it.next());
                let source = self.expr_of(it.next());
                let filter = it.next().map(|w| {
                    let inner = kids(w).find(|p| p.as_rule() == Rule::expr);
                    self.expr_of(inner)
                });
                RuleStmtKind::For { var, source, filter }
            }
            Rule::require_stmt => {
                let cond = self.expr_of(it.next());
                let message = it.next().map(|s| self.string(s));
                RuleStmtKind::Require { cond, message }
            }
            Rule::attest_stmt => {
                let every = ident_of(it.next());
                let by = it.next().map(|e| self.expr(e));
                RuleStmtKind::Attest { every, by }
            }
            _ => RuleStmtKind::When(error_expr()),
        };
        RuleStmt { kind, span }
    }

    fn patch(&mut self, pair: Pair<'_, Rule>) -> PatchDecl {
        let span = span_of(&pair);
        let mut path = Vec::new();
        let mut append = false;
        let mut value = None;
        for p in kids(pair) {
            match p.as_rule() {
                Rule::patch_path => {
                    for seg in kids(p) {
                        match seg.as_rule() {
                            Rule::patch_head | Rule::ident => path.push(PatchSegDecl::Field(ident(&seg))),
                            Rule::int_lit => {
                                let s = span_of(&seg);
                                match seg.as_str().replace('_', "").parse::<u32>() {
                                    Ok(n) => path.push(PatchSegDecl::Index(n, s)),
                                    Err(_) => {
                                        self.report(self.error(Code::INVALID_LITERAL, s, "list index out of range"));
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Rule::patch_op => append = p.as_str() == "+=",
                Rule::expr => value = Some(self.expr(p)),
                _ => {}
            }
        }
        PatchDecl { path, append, value: value.unwrap_or_else(error_expr), span }
    }

    // -----------------------------------------------------------------------------------------
    // Strings

    fn plain_string(&mut self, pair: Pair<'_, Rule>) -> PlainString {
        let span = span_of(&pair);
        let mut value = String::new();
        for p in kids(pair) {
            match p.as_rule() {
                Rule::escape => self.unescape(&p, &mut value),
                _ => value.push_str(p.as_str()),
            }
        }
        PlainString { value, span }
    }

    fn unescape(&mut self, p: &Pair<'_, Rule>, out: &mut String) {
        let s = p.as_str();
        match s {
            "\\\"" => out.push('"'),
            "\\\\" => out.push('\\'),
            "\\n" => out.push('\n'),
            "\\t" => out.push('\t'),
            "\\r" => out.push('\r'),
            "\\{" => out.push('{'),
            "\\}" => out.push('}'),
            _ => {
                let hex = s.trim_start_matches("\\u{").trim_end_matches('}');
                match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => {
                        self.report(
                            self.error(
                                Code::INVALID_LITERAL,
                                span_of(p),
                                format!("`{s}` is not a Unicode scalar value"),
                            )
                            .with_help("write a code point such as `\\u{3042}`"),
                        );
                    }
                }
            }
        }
    }

    fn string(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let built = self.string_h(pair);
        self.within_height(built)
    }

    fn string_h(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = span_of(&pair);
        let mut parts: Vec<StrPart> = Vec::new();
        let mut height = 1;
        let push_text = |parts: &mut Vec<StrPart>, t: &str| match parts.last_mut() {
            Some(StrPart::Text(prev)) => prev.push_str(t),
            _ => parts.push(StrPart::Text(t.to_string())),
        };
        for p in kids(pair) {
            match p.as_rule() {
                Rule::text => push_text(&mut parts, p.as_str()),
                Rule::brace_escape => push_text(&mut parts, &p.as_str()[..1]),
                Rule::escape => {
                    let mut s = String::new();
                    self.unescape(&p, &mut s);
                    push_text(&mut parts, &s);
                }
                Rule::interp => {
                    if let Some(e) = kids(p).next() {
                        let (e, h) = self.expr_h(e);
                        height = height.max(h + 1);
                        parts.push(StrPart::Expr(e));
                    }
                }
                _ => {}
            }
        }
        (Expr { kind: ExprKind::Str(parts), span }, height)
    }

    // -----------------------------------------------------------------------------------------
    // Expressions

    fn expr_of(&mut self, pair: Option<Pair<'_, Rule>>) -> Expr {
        match pair {
            Some(p) => self.expr(p),
            None => error_expr(),
        }
    }

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let built = self.expr_h(pair);
        self.within_height(built)
    }

    /// A top-level expression, or an error node if it is higher than [`MAX_EXPR_HEIGHT`].
    fn within_height(&mut self, (e, h): (Expr, u32)) -> Expr {
        if h > MAX_EXPR_HEIGHT {
            let span = e.span;
            self.report(
                self.error(Code::TOO_DEEP, span, "expression nested too deeply")
                    .with_label(format!("more than {MAX_EXPR_HEIGHT} levels of operators"))
                    .with_help("split the expression with `let` bindings or functions"),
            );
            return Expr { kind: ExprKind::Error, span };
        }
        e
    }

    /// Builds an expression and its height. Heights are tracked during construction so that
    /// no recursive walk ever visits a tree deeper than [`MAX_EXPR_HEIGHT`].
    fn expr_h(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        if self.depth > MAX_EXPR_HEIGHT {
            // The caller's height check reports it; see INVARIANT (bounded-trees).
            let s = pair.as_span();
            return (Expr { kind: ExprKind::Error, span: Span::new(s.start(), s.end()) }, MAX_EXPR_HEIGHT + 1);
        }
        self.depth += 1;
        let built = self.expr_h_inner(pair);
        self.depth -= 1;
        built
    }

    fn expr_h_inner(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        if pair.as_rule() != Rule::expr {
            return self.primary(pair);
        }
        let mut tokens: Vec<Tok> = Vec::new();
        let mut pending: Option<(Expr, u32)> = None;
        for p in kids(pair) {
            let rule = p.as_rule();
            match rule {
                Rule::op_not | Rule::op_neg => {
                    let op = if rule == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
                    tokens.push(Tok::Prefix(op, span_of(&p)));
                }
                Rule::field | Rule::opt_field | Rule::index => {
                    let Some((base, h)) = pending.take() else { continue };
                    let pspan = span_of(&p);
                    let span = base.span.cover(pspan);
                    let (kind, h) = match rule {
                        Rule::index => {
                            let (i, ih) = match kids(p).next() {
                                Some(x) => self.expr_h(x),
                                None => (error_expr(), 1),
                            };
                            (ExprKind::Index(Box::new(base), Box::new(i)), h.max(ih) + 1)
                        }
                        _ => {
                            let name = ident_of(kids(p).next());
                            let k = if rule == Rule::field {
                                ExprKind::Field(Box::new(base), name)
                            } else {
                                ExprKind::OptField(Box::new(base), name)
                            };
                            (k, h + 1)
                        }
                    };
                    // A long postfix chain (`x.a.a.a…`) is flat in the grammar but deep as a
                    // tree: cut it at the limit, see INVARIANT (bounded-trees).
                    pending = Some(if h > MAX_EXPR_HEIGHT {
                        (Expr { kind: ExprKind::Error, span }, MAX_EXPR_HEIGHT + 1)
                    } else {
                        (Expr { kind, span }, h)
                    });
                }
                _ if is_infix(rule) => {
                    if let Some(x) = pending.take() {
                        tokens.push(Tok::Operand(x));
                    }
                    tokens.push(Tok::Infix(infix_op(rule), span_of(&p)));
                }
                _ => {
                    if let Some(x) = pending.take() {
                        tokens.push(Tok::Operand(x));
                    }
                    pending = Some(self.primary(p));
                }
            }
        }
        if let Some(x) = pending.take() {
            tokens.push(Tok::Operand(x));
        }
        let mut climber = Climber { tokens: tokens.into_iter().peekable() };
        climber.expr_bp(0, 0)
    }

    /// One operand. A dispatcher only: each form has its own function, so that the frames on
    /// the recursive path (`expr_h` → `primary` → form → `expr_h`) stay small even unoptimised,
    /// where a frame holds every temporary of its function.
    fn primary(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        match pair.as_rule() {
            Rule::int_lit | Rule::decimal_lit | Rule::date_lit | Rule::duration_lit => self.literal(pair),
            Rule::string => self.string_h(pair),
            Rule::paren => self.paren(pair),
            Rule::list_lit | Rule::set_lit => self.collection(pair),
            Rule::if_expr => self.if_expr(pair),
            Rule::quant => self.quant(pair),
            Rule::call => self.call(pair),
            Rule::record_lit => self.record_lit(pair),
            Rule::expr => self.expr_h(pair),
            rule => {
                let kind = match rule {
                    Rule::bool_lit => ExprKind::Bool(pair.as_str() == "true"),
                    Rule::none_lit => ExprKind::None,
                    Rule::facts_kw => ExprKind::Facts,
                    Rule::as_of_kw => ExprKind::AsOf,
                    Rule::name_ref => ExprKind::Name(ident_of(kids(pair.clone()).next())),
                    _ => ExprKind::Error,
                };
                (Expr { kind, span: span_of(&pair) }, 1)
            }
        }
    }

    fn literal(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = span_of(&pair);
        let text = pair.as_str();
        let kind = match pair.as_rule() {
            Rule::int_lit => match text.replace('_', "").parse::<i64>() {
                Ok(v) => ExprKind::Int(v),
                Err(_) => {
                    self.report(
                        self.error(Code::INVALID_LITERAL, span, "integer literal out of range")
                            .with_label(format!("`{text}` does not fit in 64 bits")),
                    );
                    ExprKind::Error
                }
            },
            Rule::decimal_lit => match Decimal::parse(text) {
                Some(d) => ExprKind::Decimal(d),
                None => {
                    self.report(
                        self.error(Code::INVALID_LITERAL, span, "invalid decimal literal")
                            .with_label("decimals have at most 6 fractional digits and 12 integer digits"),
                    );
                    ExprKind::Error
                }
            },
            Rule::date_lit => match Date::parse_iso(text) {
                Some(d) => ExprKind::Date(d),
                None => {
                    self.report(
                        self.error(Code::INVALID_LITERAL, span, format!("`{text}` is not a date"))
                            .with_label("no such day in the calendar"),
                    );
                    ExprKind::Error
                }
            },
            _ => match Duration::parse_literal(text) {
                Some(d) => ExprKind::Duration(d),
                None => {
                    self.report(self.error(Code::INVALID_LITERAL, span, "duration literal out of range"));
                    ExprKind::Error
                }
            },
        };
        (Expr { kind, span }, 1)
    }

    fn paren(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = span_of(&pair);
        let (inner, h) = match kids(pair).next() {
            Some(p) => self.expr_h(p),
            None => (error_expr(), 1),
        };
        (Expr { kind: ExprKind::Paren(Box::new(inner)), span }, h + 1)
    }

    fn collection(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = span_of(&pair);
        let is_list = pair.as_rule() == Rule::list_lit;
        let mut items = Vec::new();
        let mut h = 1;
        for p in kids(pair) {
            let (e, eh) = self.expr_h(p);
            h = h.max(eh + 1);
            items.push(e);
        }
        let kind = if is_list { ExprKind::List(items) } else { ExprKind::Set(items) };
        (Expr { kind, span }, h)
    }

    fn if_expr(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = span_of(&pair);
        let mut parts = Vec::new();
        let mut h = 1;
        for p in kids(pair).filter(|p| !is_keyword(p.as_rule())) {
            let (e, eh) = self.expr_h(p);
            h = h.max(eh + 1);
            parts.push(e);
        }
        let mut it = parts.into_iter();
        let c = it.next().unwrap_or_else(error_expr);
        let t = it.next().unwrap_or_else(error_expr);
        let e = it.next().unwrap_or_else(error_expr);
        (Expr { kind: ExprKind::If(Box::new(c), Box::new(t), Box::new(e)), span }, h)
    }

    fn quant(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = span_of(&pair);
        let mut it = kids(pair).filter(|p| !is_keyword(p.as_rule()));
        let name = ident_of(it.next());
        let var = ident_of(it.next());
        let mut h = 1;
        let mut source = None;
        let mut filter = None;
        let mut body = None;
        for p in it {
            match p.as_rule() {
                Rule::where_clause => {
                    if let Some(e) = kids(p).find(|c| c.as_rule() == Rule::expr) {
                        let (e, eh) = self.expr_h(e);
                        h = h.max(eh + 1);
                        filter = Some(Box::new(e));
                    }
                }
                _ => {
                    let (e, eh) = self.expr_h(p);
                    h = h.max(eh + 1);
                    if source.is_none() {
                        source = Some(e);
                    } else {
                        body = Some(Box::new(e));
                    }
                }
            }
        }
        let source = Box::new(source.unwrap_or_else(error_expr));
        (Expr { kind: ExprKind::Quant { name, var, source, filter, body }, span }, h)
    }

    fn call(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = span_of(&pair);
        let mut it = kids(pair);
        let name = ident_of(it.next());
        let mut args = Vec::new();
        let mut h = 1;
        for a in it {
            let mut arg_name = None;
            let mut value = None;
            for p in kids(a) {
                match p.as_rule() {
                    Rule::ident => arg_name = Some(ident(&p)),
                    _ => {
                        let (e, eh) = self.expr_h(p);
                        h = h.max(eh + 1);
                        value = Some(e);
                    }
                }
            }
            args.push(Arg { name: arg_name, value: value.unwrap_or_else(error_expr) });
        }
        (Expr { kind: ExprKind::Call(name, args), span }, h)
    }

    fn record_lit(&mut self, pair: Pair<'_, Rule>) -> (Expr, u32) {
        let span = span_of(&pair);
        let mut it = kids(pair);
        let ty = match it.next() {
            Some(t) => {
                let tspan = span_of(&t);
                let mut offset = tspan.start as usize;
                let mut segments = Vec::new();
                for seg in t.as_str().split('.') {
                    segments.push(Ident { name: seg.to_string(), span: Span::new(offset, offset + seg.len()) });
                    offset += seg.len() + 1;
                }
                Path { segments, span: tspan }
            }
            None => Path { segments: Vec::new(), span },
        };
        let mut fields = Vec::new();
        let mut h = 1;
        for f in it {
            let mut fk = kids(f);
            let name = ident_of(fk.next());
            let (value, eh) = match fk.next() {
                Some(p) => self.expr_h(p),
                None => (error_expr(), 1),
            };
            h = h.max(eh + 1);
            fields.push((name, value));
        }
        (Expr { kind: ExprKind::Record(ty, fields), span }, h)
    }
}

enum Tok {
    Prefix(UnaryOp, Span),
    Operand((Expr, u32)),
    Infix(BinaryOp, Span),
}

/// Precedence climbing over the flat operator sequence the grammar produces. Recursion is
/// bounded by the number of precedence levels plus the prefix operators in a row, and the
/// latter by [`MAX_EXPR_HEIGHT`].
struct Climber<I: Iterator<Item = Tok>> {
    tokens: std::iter::Peekable<I>,
}

/// Binding power of an infix operator (higher binds tighter).
fn precedence(op: BinaryOp) -> u8 {
    use BinaryOp::*;
    match op {
        Or => 1,
        And => 2,
        Eq | Ne | Lt | Le | Gt | Ge | In | NotIn => 4,
        Coalesce => 5,
        Add | Sub | Union => 6,
        Mul | Div | Rem | Inter => 7,
    }
}

const NOT_OPERAND_BP: u8 = 4;
const NEG_OPERAND_BP: u8 = 9;

impl<I: Iterator<Item = Tok>> Climber<I> {
    fn expr_bp(&mut self, min_bp: u8, depth: u32) -> (Expr, u32) {
        let (mut lhs, mut lh) = match self.tokens.next() {
            Some(Tok::Operand(x)) => x,
            Some(Tok::Prefix(op, span)) => {
                if depth > MAX_EXPR_HEIGHT {
                    // Swallow the rest: the caller reports the height.
                    for _ in self.tokens.by_ref() {}
                    return (Expr { kind: ExprKind::Error, span }, MAX_EXPR_HEIGHT + 1);
                }
                let bp = if op == UnaryOp::Not { NOT_OPERAND_BP } else { NEG_OPERAND_BP };
                let (arg, h) = self.expr_bp(bp, depth + 1);
                let span = span.cover(arg.span);
                (Expr { kind: ExprKind::Unary(op, Box::new(arg)), span }, h + 1)
            }
            Some(Tok::Infix(_, span)) => return (Expr { kind: ExprKind::Error, span }, 1),
            None => return (error_expr(), 1),
        };
        while let Some(Tok::Infix(op, _)) = self.tokens.peek() {
            let op = *op;
            let bp = precedence(op);
            if bp < min_bp {
                break;
            }
            self.tokens.next();
            let (rhs, rh) = self.expr_bp(bp + 1, depth + 1);
            let span = lhs.span.cover(rhs.span);
            lh = lh.max(rh) + 1;
            lhs = Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span };
            if lh > MAX_EXPR_HEIGHT {
                for _ in self.tokens.by_ref() {}
                break;
            }
        }
        (lhs, lh)
    }
}

fn is_infix(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::op_or
            | Rule::op_and
            | Rule::op_in
            | Rule::op_not_in
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_coalesce
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_union
            | Rule::op_mul
            | Rule::op_div
            | Rule::op_rem
            | Rule::op_inter
    )
}

fn infix_op(rule: Rule) -> BinaryOp {
    use BinaryOp::*;
    match rule {
        Rule::op_or => Or,
        Rule::op_and => And,
        Rule::op_in => In,
        Rule::op_not_in => NotIn,
        Rule::op_eq => Eq,
        Rule::op_ne => Ne,
        Rule::op_le => Le,
        Rule::op_ge => Ge,
        Rule::op_lt => Lt,
        Rule::op_gt => Gt,
        Rule::op_coalesce => Coalesce,
        Rule::op_add => Add,
        Rule::op_sub => Sub,
        Rule::op_union => Union,
        Rule::op_mul => Mul,
        Rule::op_div => Div,
        Rule::op_rem => Rem,
        _ => Inter,
    }
}

fn is_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_package
            | Rule::kw_extern
            | Rule::kw_import
            | Rule::kw_type
            | Rule::kw_enum
            | Rule::kw_facts
            | Rule::kw_const
            | Rule::kw_fn
            | Rule::kw_rule
            | Rule::kw_test
            | Rule::kw_section
            | Rule::kw_key
            | Rule::kw_clause
            | Rule::kw_title
            | Rule::kw_severity
            | Rule::kw_tags
            | Rule::kw_when
            | Rule::kw_for
            | Rule::kw_where
            | Rule::kw_unless
            | Rule::kw_let
            | Rule::kw_require
            | Rule::kw_else
            | Rule::kw_attest
            | Rule::kw_every
            | Rule::kw_by
            | Rule::kw_given
            | Rule::kw_from
            | Rule::kw_with
            | Rule::kw_expect
            | Rule::kw_in
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_list
            | Rule::kw_set
    )
}

fn describe_rule(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::ident | Rule::name_ref | Rule::path | Rule::patch_head | Rule::patch_path => "a name",
        Rule::type_expr | Rule::list_type | Rule::set_type => "a type",
        Rule::expr
        | Rule::paren
        | Rule::list_lit
        | Rule::set_lit
        | Rule::call
        | Rule::quant
        | Rule::record_lit
        | Rule::if_expr
        | Rule::op_not
        | Rule::op_neg
        | Rule::bool_lit
        | Rule::none_lit
        | Rule::facts_kw
        | Rule::as_of_kw
        | Rule::quant_name
        | Rule::type_name
        | Rule::decimal_lit
        | Rule::date_lit
        | Rule::kw_if => "an expression",
        Rule::int_lit => "an integer",
        Rule::duration_lit => "a duration such as `1y` or `90d`",
        Rule::string | Rule::plain_string => "a string",
        Rule::item
        | Rule::package_decl
        | Rule::import_decl
        | Rule::type_decl
        | Rule::enum_decl
        | Rule::facts_decl
        | Rule::const_decl
        | Rule::fn_decl
        | Rule::rule_decl
        | Rule::test_decl
        | Rule::section_decl => "an item",
        Rule::clause_stmt
        | Rule::title_stmt
        | Rule::severity_stmt
        | Rule::tags_stmt
        | Rule::when_stmt
        | Rule::for_stmt
        | Rule::unless_stmt
        | Rule::let_stmt
        | Rule::require_stmt
        | Rule::attest_stmt
        | Rule::kw_title
        | Rule::kw_severity
        | Rule::kw_tags
        | Rule::kw_when
        | Rule::kw_for
        | Rule::kw_unless
        | Rule::kw_let
        | Rule::kw_require
        | Rule::kw_attest => "a rule statement",
        Rule::given_stmt | Rule::expect_stmt => "`given` or `expect`",
        Rule::field_decl => "a field",
        Rule::variant => "a variant",
        Rule::clause_def => "`clause`",
        Rule::param => "a parameter",
        Rule::arg => "an argument",
        Rule::field_init => "a field",
        Rule::outcome => "an outcome (`passes`, `fails`, `not_applicable`, `manual`, `errors`)",
        Rule::patch | Rule::patch_op => "an edit (`path = value`)",
        Rule::where_clause | Rule::kw_where => "`where`",
        Rule::op_or
        | Rule::op_and
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_coalesce
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_union
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_rem
        | Rule::op_inter => "an operator",
        Rule::field | Rule::opt_field | Rule::index => "`.`",
        Rule::kw_clause => "`clause`",
        Rule::kw_else => "`else`",
        Rule::kw_in => "`in`",
        Rule::kw_then => "`then`",
        Rule::kw_every => "`every`",
        Rule::kw_by => "`by`",
        Rule::kw_facts => "`facts`",
        Rule::kw_from => "`from`",
        Rule::kw_with => "`with`",
        Rule::informative => "`informative`",
        Rule::EOI => "end of file",
        _ => return None,
    })
}

/// Whether an expected-token description is an infix operator symbol.
fn is_operator_token(e: &str) -> bool {
    matches!(
        e,
        "`==`"
            | "`!=`"
            | "`<`"
            | "`<=`"
            | "`>`"
            | "`>=`"
            | "`??`"
            | "`+`"
            | "`-`"
            | "`|`"
            | "`*`"
            | "`/`"
            | "`%`"
            | "`&`"
    )
}

/// The position in `chunk` of the innermost `(` still open at `pos`, skipping strings and
/// comments.
fn unclosed_paren(chunk: &str, pos: usize) -> Option<usize> {
    let bytes = chunk.as_bytes();
    let end = pos.min(bytes.len());
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < end && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes[i..].starts_with(b"//") => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes[i..].starts_with(b"/*") => {
                let mut depth = 0usize;
                while i < end {
                    if bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'(' => open.push(i),
            b')' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open.pop()
}

fn join_or(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().map(String::as_str).take(8).collect();
    match shown.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe_found(rest: &str) -> String {
    let Some(c) = rest.chars().next() else { return "end of file".into() };
    if c.is_ascii_alphanumeric() || c == '_' {
        let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        return format!("`{word}`");
    }
    if c == '\n' || c == '\r' {
        return "end of line".into();
    }
    if c == '\u{3000}' {
        return "a full-width space (U+3000)".into();
    }
    format!("`{c}`")
}

fn found_len(rest: &str) -> usize {
    let word = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').map(char::len_utf8).sum::<usize>();
    if word > 0 { word } else { rest.chars().next().map_or(0, char::len_utf8) }
}

/// If the error is inside a string literal that runs to the end of its line, the position of
/// its opening quote.
fn unterminated_string_start(chunk: &str, pos: usize) -> Option<usize> {
    let line_start = chunk.get(..pos)?.rfind('\n').map_or(0, |i| i + 1);
    let line = chunk.get(line_start..)?;
    let line = line.split('\n').next()?;
    let mut in_string = None;
    let mut escaped = false;
    let mut in_comment = false;
    for (i, c) in line.char_indices() {
        if in_comment {
            break;
        }
        match (in_string, c) {
            (Some(_), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(_), '"') if !escaped => in_string = None,
            (None, '"') => in_string = Some(i),
            (None, '/') if line[i..].starts_with("//") => in_comment = true,
            _ => {}
        }
        escaped = false;
    }
    in_string.map(|i| line_start + i)
}

fn chunk_has_unclosed_comment(chunk: &str) -> bool {
    let mut depth = 0i32;
    let bytes = chunk.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        if depth == 0 && bytes[i] == b'"' {
            in_string = !in_string;
        } else if !in_string && bytes[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
            continue;
        } else if !in_string && depth > 0 && bytes[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            continue;
        } else if bytes[i] == b'\n' {
            in_string = false;
        }
        i += 1;
    }
    depth > 0
}

/// Reads `keyword name` from the start of a broken item so references to it still resolve.
fn salvage(chunk: &str, offset: usize) -> ErrorItem {
    let mut pos = 0;
    for line in chunk.split_inclusive('\n') {
        if line.trim_start().starts_with("///") || line.trim().is_empty() {
            pos += line.len();
        } else {
            break;
        }
    }
    let rest = &chunk[pos..];
    let lead = rest.len() - rest.trim_start().len();
    let rest = rest.trim_start();
    let kw: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    if !["type", "enum", "facts", "const", "fn", "extern", "rule"].contains(&kw.as_str()) {
        return ErrorItem { keyword: (!kw.is_empty()).then_some(kw), name: None };
    }
    let after = &rest[kw.len()..];
    let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
    let name: String = after[gap..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    let start = offset + pos + lead + kw.len() + gap;
    let name = (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .then(|| Ident { span: Span::new(start, start + name.len()), name });
    ErrorItem { keyword: Some(kw), name }
}

fn doc_line(p: &Pair<'_, Rule>) -> String {
    let text = p.as_str().trim_start_matches("///");
    text.strip_prefix(' ').unwrap_or(text).trim_end().to_string()
}

fn ident(p: &Pair<'_, Rule>) -> Ident {
    Ident { name: p.as_str().to_string(), span: span_of(p) }
}

fn ident_of(p: Option<Pair<'_, Rule>>) -> Ident {
    p.map_or_else(empty_ident, |p| ident(&p))
}

fn plain_string_of(b: &mut Builder, p: Option<Pair<'_, Rule>>) -> PlainString {
    p.map_or_else(empty_plain, |p| b.plain_string(p))
}

fn empty_ident() -> Ident {
    Ident { name: String::new(), span: Span::default() }
}

fn empty_plain() -> PlainString {
    PlainString { value: String::new(), span: Span::default() }
}

fn error_expr() -> Expr {
    Expr { kind: ExprKind::Error, span: Span::default() }
}

fn error_type() -> TypeExpr {
    TypeExpr {
        kind: TypeExprKind::Named(Path { segments: Vec::new(), span: Span::default() }),
        optional: false,
        span: Span::default(),
    }
}
