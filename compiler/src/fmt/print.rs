//! Items, bodies and statements: where lines begin and end, and where comments go.
//!
//! Every body (the file itself, a record, an enum, a rule, a `fn` block, a test, a `with`
//! block, a section) is printed by [`Printer::seq`]: its entries one a line, each with the
//! comments that belong to it (see the module documentation of `fmt`).

use super::comments::Comment;
use super::expr::{Exprs, Place, always_breaks, fits, width};
use crate::span::Span;
use crate::syntax::ast::*;

/// Formats a parsed file whose comments are `comments`.
pub(super) fn file(text: &str, file: &File, comments: &[Comment]) -> String {
    let mut p = Printer { text, comments, exprs: Exprs { text }, out: String::new() };
    let items: Vec<Entry<'_>> = file.items.iter().map(Entry::Item).collect();
    p.seq(&items, 0, text.len(), 0, true);
    p.out
}

/// An entry of a body.
#[derive(Clone, Copy, Debug)]
enum Entry<'a> {
    Item(&'a Item),
    /// A field and its span (from `key` or the name to the type or default).
    Field(&'a FieldDecl, Span),
    Variant(&'a Ident),
    /// A rule statement and how much deeper than its siblings it is printed.
    Stmt(&'a RuleStmt, usize),
    Let(&'a LetStmt),
    /// The result expression of a `fn` block.
    Result(&'a Expr),
    Given(&'a Given),
    Expect(&'a Expect),
    Patch(&'a PatchDecl),
    /// A clause of a section and its span (from `clause` to the text).
    Clause(&'a ClauseDecl, Span),
}

impl Entry<'_> {
    fn span(&self) -> Span {
        match self {
            Entry::Item(i) => i.span,
            Entry::Field(_, s) | Entry::Clause(_, s) => *s,
            Entry::Variant(v) => v.span,
            Entry::Stmt(s, _) => s.span,
            Entry::Let(l) => l.span,
            Entry::Result(e) => e.span,
            Entry::Given(g) => g.span,
            Entry::Expect(e) => e.span,
            Entry::Patch(p) => p.span,
        }
    }

    fn extra_indent(&self) -> usize {
        match self {
            Entry::Stmt(_, extra) => *extra,
            _ => 0,
        }
    }

    fn is_import(&self) -> bool {
        matches!(self, Entry::Item(Item { kind: ItemKind::Import(_), .. }))
    }
}

struct Printer<'t> {
    text: &'t str,
    comments: &'t [Comment],
    exprs: Exprs<'t>,
    out: String,
}

impl<'t> Printer<'t> {
    // -----------------------------------------------------------------------------------------
    // Source queries

    fn source(&self, span: Span) -> &'t str {
        self.text.get(span.range()).unwrap_or_default()
    }

    /// The comments that start in `from..to`.
    fn comments_in(&self, from: usize, to: usize) -> &'t [Comment] {
        let lo = self.comments.partition_point(|c| c.start < from);
        let hi = self.comments.partition_point(|c| c.start < to);
        self.comments.get(lo..hi.max(lo)).unwrap_or_default()
    }

    fn has_comment(&self, from: usize, to: usize) -> bool {
        !self.comments_in(from, to).is_empty()
    }

    fn has_comment_in(&self, span: Span) -> bool {
        self.has_comment(span.start as usize, span.end as usize)
    }

    /// Whether no line break lies between `from` and `to`.
    fn same_line(&self, from: usize, to: usize) -> bool {
        !self.text.get(from..to).unwrap_or_default().contains('\n')
    }

    /// Whether a blank line lies between `from` and `to` (only whitespace and separators may).
    fn blank_between(&self, from: usize, to: usize) -> bool {
        self.text.get(from..to).unwrap_or_default().matches('\n').count() >= 2
    }

    /// The first position at or after `pos` that is neither whitespace nor in a comment.
    fn skip_trivia(&self, mut pos: usize) -> usize {
        let bytes = self.text.as_bytes();
        loop {
            while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
                pos += 1;
            }
            let i = self.comments.partition_point(|c| c.start < pos);
            match self.comments.get(i) {
                Some(c) if c.start == pos => pos = c.end,
                _ => return pos,
            }
        }
    }

    /// The last position at or before `pos` that follows a token (not whitespace or comment).
    fn skip_trivia_back(&self, mut pos: usize) -> usize {
        let bytes = self.text.as_bytes();
        loop {
            while pos > 0 && bytes.get(pos - 1).is_some_and(u8::is_ascii_whitespace) {
                pos -= 1;
            }
            let i = self.comments.partition_point(|c| c.start < pos);
            match i.checked_sub(1).and_then(|i| self.comments.get(i)) {
                Some(c) if pos <= c.end => pos = c.start,
                _ => return pos,
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Output

    /// The display column the output is at.
    fn col(&self) -> usize {
        width(self.out.rsplit('\n').next().unwrap_or_default())
    }

    fn indent(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn verbatim(&mut self, span: Span) {
        let s = self.source(span);
        self.push(s);
    }

    // -----------------------------------------------------------------------------------------
    // Bodies

    /// Prints `entries`, the body between `lo` and `hi`, at `indent`, with the comments of the
    /// body. Inside a `{ … }` body (`top` false) the output is on the line of the `{` when
    /// called; the line is always ended on return.
    fn seq(&mut self, entries: &[Entry<'_>], lo: usize, hi: usize, indent: usize, top: bool) {
        let mut line_open = !top;
        let mut prev_end = lo;
        let mut prev: Option<Entry<'_>> = None;
        let mut gap_start = lo;
        for entry in entries {
            let span = entry.span();
            let at = indent + entry.extra_indent();
            let mut separated = false;
            for c in self.comments_in(gap_start, span.start as usize) {
                if line_open && self.same_line(prev_end, c.start) {
                    self.push(" ");
                    self.push(c.text(self.text));
                } else {
                    self.end_line(&mut line_open);
                    if separated {
                        self.blank_if(prev_end, c.start);
                    } else {
                        self.separate(prev, entry, prev_end, c.start, top);
                        separated = true;
                    }
                    self.indent(at);
                    self.push(c.text(self.text));
                    line_open = true;
                }
                prev_end = c.end;
            }
            self.end_line(&mut line_open);
            if separated {
                self.blank_if(prev_end, span.start as usize);
            } else {
                self.separate(prev, entry, prev_end, span.start as usize, top);
            }
            self.indent(at);
            self.entry(*entry, at);
            line_open = true;
            prev_end = span.end as usize;
            gap_start = prev_end;
            prev = Some(*entry);
        }
        // Comments after the last entry: trailing it, or on their own lines before the end.
        let mut first = prev.is_none();
        for c in self.comments_in(gap_start, hi) {
            if line_open && self.same_line(prev_end, c.start) {
                self.push(" ");
                self.push(c.text(self.text));
            } else {
                self.end_line(&mut line_open);
                if !first {
                    self.blank_if(prev_end, c.start);
                }
                self.indent(indent);
                self.push(c.text(self.text));
                line_open = true;
            }
            first = false;
            prev_end = c.end;
        }
        self.end_line(&mut line_open);
    }

    fn end_line(&mut self, line_open: &mut bool) {
        if *line_open {
            self.out.push('\n');
            *line_open = false;
        }
    }

    fn blank_if(&mut self, from: usize, to: usize) {
        if self.blank_between(from, to) {
            self.out.push('\n');
        }
    }

    /// The blank line (or none) before `next`'s first line, `prev` being the entry before it.
    fn separate(&mut self, prev: Option<Entry<'_>>, next: &Entry<'_>, from: usize, to: usize, top: bool) {
        let Some(prev) = prev else { return };
        if top && !(prev.is_import() && next.is_import()) {
            self.out.push('\n');
        } else {
            self.blank_if(from, to);
        }
    }

    /// `header { entries }` for a body whose `{` is the first token after `header_end`; printed
    /// as written if a comment sits in the header.
    fn body(&mut self, span: Span, header_end: usize, header: &str, entries: &[Entry<'_>], indent: usize) {
        let open = self.skip_trivia(header_end);
        let close = (span.end as usize).saturating_sub(1);
        let bytes = self.text.as_bytes();
        if bytes.get(open) != Some(&b'{')
            || bytes.get(close) != Some(&b'}')
            || self.has_comment(span.start as usize, open)
        {
            self.verbatim(span);
            return;
        }
        self.push(header);
        if entries.is_empty() && !self.has_comment(open + 1, close) {
            self.push(" {}");
            return;
        }
        self.push(" {");
        self.seq(entries, open + 1, close, indent + 2, false);
        self.indent(indent);
        self.push("}");
    }

    /// Prints `line` unless a comment sits in `span`, which is then printed as written.
    fn simple(&mut self, span: Span, line: impl FnOnce(&mut Self)) {
        if self.has_comment_in(span) {
            self.verbatim(span);
        } else {
            line(self);
        }
    }

    fn entry(&mut self, entry: Entry<'_>, indent: usize) {
        match entry {
            Entry::Item(item) => self.item(item, indent),
            Entry::Field(f, span) => self.simple(span, |p| p.field(f, indent)),
            Entry::Variant(v) => self.push(&v.name),
            Entry::Stmt(s, _) => self.simple(s.span, |p| p.rule_stmt(s, indent)),
            Entry::Let(l) => self.simple(l.span, |p| p.let_stmt(l, indent)),
            Entry::Result(e) => self.simple(e.span, |p| {
                let s = p.exprs.layout(e, Place::line(indent));
                p.push(&s);
            }),
            Entry::Given(g) => self.given(g, indent),
            Entry::Expect(e) => self.simple(e.span, |p| {
                let mut s = format!("expect {} {}", e.rule.name, e.outcome.name);
                if let Some(m) = &e.message {
                    s.push_str(" with ");
                    s.push_str(p.source(m.span));
                }
                p.push(&s);
            }),
            Entry::Patch(patch) => self.simple(patch.span, |p| p.patch(patch, indent)),
            Entry::Clause(c, span) => self.simple(span, |p| {
                let mut s = format!("clause {} ", p.source(c.id.span));
                if c.informative {
                    s.push_str("informative ");
                }
                s.push_str(p.source(c.text.span));
                p.push(&s);
            }),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Items

    fn item(&mut self, item: &Item, indent: usize) {
        let span = item.span;
        match &item.kind {
            ItemKind::Package(path) => self.simple(span, |p| p.push(&format!("package {}", path.joined()))),
            ItemKind::Import(import) => self.simple(span, |p| {
                let mut s = format!("import {}", import.package.joined());
                if let Some(names) = &import.names {
                    let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
                    s.push_str(&format!(".{{{}}}", names.join(", ")));
                }
                p.push(&s);
            }),
            ItemKind::Type(r) | ItemKind::Facts(r) => {
                let keyword = if matches!(item.kind, ItemKind::Type(_)) { "type" } else { "facts" };
                let entries: Vec<Entry<'_>> = r.fields.iter().map(|f| Entry::Field(f, self.field_span(f))).collect();
                self.body(span, r.name.span.end as usize, &format!("{keyword} {}", r.name.name), &entries, indent);
            }
            ItemKind::Enum(e) => {
                let entries: Vec<Entry<'_>> = e.variants.iter().map(|(_, v)| Entry::Variant(v)).collect();
                self.body(span, e.name.span.end as usize, &format!("enum {}", e.name.name), &entries, indent);
            }
            ItemKind::Const(c) => self.simple(span, |p| {
                let mut head = format!("const {}", c.name.name);
                if let Some(t) = &c.ty {
                    head.push_str(": ");
                    head.push_str(&type_expr(t));
                }
                p.definition(&head, &c.value, indent);
            }),
            ItemKind::Fn(f) => self.function(f, span, indent),
            ItemKind::Extern(x) => self.simple(span, |p| {
                let line = format!("extern {} from {}", signature(&x.name, &x.params, &x.ret), p.source(x.from.span));
                p.push(&line);
            }),
            ItemKind::Rule(r) => {
                let extra = proviso_indents(&r.stmts);
                let entries: Vec<Entry<'_>> = r.stmts.iter().zip(extra).map(|(s, x)| Entry::Stmt(s, x)).collect();
                self.body(span, r.name.span.end as usize, &format!("rule {}", r.name.name), &entries, indent);
            }
            ItemKind::Test(t) => {
                let mut entries: Vec<Entry<'_>> =
                    t.givens.iter().map(Entry::Given).chain(t.expects.iter().map(Entry::Expect)).collect();
                entries.sort_by_key(|e| e.span().start);
                let header = format!("test {}", self.source(t.name.span));
                self.body(span, t.name.span.end as usize, &header, &entries, indent);
            }
            ItemKind::Section(s) => {
                let entries: Vec<Entry<'_>> = s.clauses.iter().map(|c| Entry::Clause(c, self.clause_span(c))).collect();
                let header = format!("section {} {}", self.source(s.id.span), self.source(s.title.span));
                self.body(span, s.title.span.end as usize, &header, &entries, indent);
            }
            ItemKind::Error(_) => self.verbatim(span),
        }
    }

    /// `head = value`. When that does not fit, the value moves to the next line (rule 2),
    /// unless it does not fit there either and is a literal that breaks in place (rule 6).
    fn definition(&mut self, head: &str, value: &Expr, indent: usize) {
        let flat = self.exprs.flat(value);
        let col = self.col();
        if fits(col, &format!("{head} = {flat}"), 0) && !always_breaks(value) {
            self.push(&format!("{head} = {flat}"));
            return;
        }
        let literal = matches!(value.kind, ExprKind::Record(..) | ExprKind::List(_) | ExprKind::Set(_));
        if literal && !fits(indent + 2, &flat, 0) {
            self.push(head);
            self.push(" = ");
            let s = self.exprs.layout(value, Place::after(self.col(), indent));
            self.push(&s);
            return;
        }
        self.push(head);
        self.push(" =\n");
        self.indent(indent + 2);
        let s = self.exprs.layout(value, Place::line(indent + 2));
        self.push(&s);
    }

    fn function(&mut self, f: &FnDecl, span: Span, indent: usize) {
        let head = signature(&f.name, &f.params, &f.ret);
        let after_ret = f.ret.span.end as usize;
        if self.text.as_bytes().get(self.skip_trivia(after_ret)) == Some(&b'{') {
            let entries: Vec<Entry<'_>> = f.lets.iter().map(Entry::Let).chain([Entry::Result(&f.body)]).collect();
            self.body(span, after_ret, &head, &entries, indent);
        } else {
            self.simple(span, |p| p.definition(&head, &f.body, indent));
        }
    }

    fn field_span(&self, f: &FieldDecl) -> Span {
        let mut start = f.name.span.start as usize;
        if f.key {
            start = self.skip_trivia_back(start).saturating_sub("key".len());
        }
        let end = f.default.as_ref().map_or(f.ty.span.end, |d| d.span.end);
        Span::new(start, end as usize)
    }

    fn clause_span(&self, c: &ClauseDecl) -> Span {
        let start = self.skip_trivia_back(c.id.span.start as usize).saturating_sub("clause".len());
        Span::new(start, c.text.span.end as usize)
    }

    fn field(&mut self, f: &FieldDecl, indent: usize) {
        let mut head = String::new();
        if f.key {
            head.push_str("key ");
        }
        head.push_str(&f.name.name);
        head.push_str(": ");
        head.push_str(&type_expr(&f.ty));
        self.push(&head);
        if let Some(d) = &f.default {
            self.push(" = ");
            let s = self.exprs.layout(d, Place::after(self.col(), indent));
            self.push(&s);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Statements

    fn let_stmt(&mut self, l: &LetStmt, indent: usize) {
        let mut head = format!("let {}", l.name.name);
        if let Some(t) = &l.ty {
            head.push_str(": ");
            head.push_str(&type_expr(t));
        }
        head.push_str(" = ");
        self.push(&head);
        let s = self.exprs.layout(&l.value, Place::after(self.col(), indent));
        self.push(&s);
    }

    /// `keyword expr` with the expression breaking by rule 3 if it must.
    fn keyword_expr(&mut self, keyword: &str, e: &Expr, indent: usize) {
        self.push(keyword);
        self.push(" ");
        let s = self.exprs.layout(e, Place::after(self.col(), indent));
        self.push(&s);
    }

    fn rule_stmt(&mut self, s: &RuleStmt, indent: usize) {
        let strings = |p: &Self, v: &[PlainString]| v.iter().map(|s| p.source(s.span)).collect::<Vec<_>>().join(", ");
        match &s.kind {
            RuleStmtKind::Clause(ids) => {
                let line = format!("clause {}", strings(self, ids));
                self.push(&line);
            }
            RuleStmtKind::Title(t) => {
                let line = format!("title {}", self.source(t.span));
                self.push(&line);
            }
            RuleStmtKind::Severity(level) => self.push(&format!("severity {}", level.name)),
            RuleStmtKind::Tags(tags) => {
                let line = format!("tags {}", strings(self, tags));
                self.push(&line);
            }
            RuleStmtKind::When(e) => self.keyword_expr("when", e, indent),
            RuleStmtKind::Unless(e) => self.keyword_expr("unless", e, indent),
            RuleStmtKind::Let(l) => self.let_stmt(l, indent),
            RuleStmtKind::For { var, source, filter } => {
                let head = format!("for {} in ", var.name);
                let mut flat = format!("{head}{}", self.exprs.flat(source));
                if let Some(f) = filter {
                    flat.push_str(" where ");
                    flat.push_str(&self.exprs.flat(f));
                }
                let breaks = always_breaks(source) || filter.as_ref().is_some_and(always_breaks);
                if fits(self.col(), &flat, 0) && !breaks {
                    self.push(&flat);
                    return;
                }
                self.push(&head);
                let s = self.exprs.layout(source, Place::after(self.col(), indent));
                self.push(&s);
                if let Some(f) = filter {
                    self.push("\n");
                    self.indent(indent + 2);
                    self.push("where ");
                    let place =
                        Place { col: indent + 8, indent: indent + 2, cont: indent + 4, trail: 0, starts_line: false };
                    let s = self.exprs.layout(f, place);
                    self.push(&s);
                }
            }
            RuleStmtKind::Require { cond, message } => {
                let mut flat = format!("require {}", self.exprs.flat(cond));
                if let Some(m) = message {
                    flat.push_str(" else ");
                    flat.push_str(self.source(m.span));
                }
                if fits(self.col(), &flat, 0) && !always_breaks(cond) {
                    self.push(&flat);
                    return;
                }
                self.keyword_expr("require", cond, indent);
                if let Some(m) = message {
                    self.push("\n");
                    self.indent(indent + 2);
                    self.push("else ");
                    self.verbatim(m.span);
                }
            }
            RuleStmtKind::Attest { every, by } => {
                let mut line = format!("attest every {}", every.name);
                if let Some(b) = by {
                    line.push_str(" by ");
                    line.push_str(&self.exprs.flat(b));
                }
                self.push(&line);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Tests

    fn given(&mut self, g: &Given, indent: usize) {
        let header = format!("given facts from {}", self.source(g.file.span));
        let after_file = self.skip_trivia(g.file.span.end as usize);
        let has_with = after_file < g.span.end as usize && self.text[after_file..].starts_with("with");
        if !has_with {
            self.simple(g.span, |p| p.push(&header));
            return;
        }
        let with_end = after_file + "with".len();
        if g.patches.is_empty() && !self.has_comment_in(g.span) {
            // `with {}` edits nothing: the same test without it.
            self.push(&header);
            return;
        }
        let entries: Vec<Entry<'_>> = g.patches.iter().map(Entry::Patch).collect();
        self.body(g.span, with_end, &format!("{header} with"), &entries, indent);
    }

    fn patch(&mut self, patch: &PatchDecl, indent: usize) {
        let mut s = String::new();
        for (i, seg) in patch.path.iter().enumerate() {
            match seg {
                PatchSegDecl::Field(name) => {
                    if i > 0 {
                        s.push('.');
                    }
                    s.push_str(&name.name);
                }
                PatchSegDecl::Index(_, span) => {
                    s.push('[');
                    s.push_str(self.source(*span));
                    s.push(']');
                }
            }
        }
        s.push_str(if patch.append { " += " } else { " = " });
        self.push(&s);
        let v = self.exprs.layout(&patch.value, Place::after(self.col(), indent));
        self.push(&v);
    }
}

/// How much deeper than the rule's other statements each statement is printed: two for the
/// `unless` statements that follow a `for`, and for the `let`s among and before them.
fn proviso_indents(stmts: &[RuleStmt]) -> Vec<usize> {
    let mut extra = vec![0; stmts.len()];
    for (i, s) in stmts.iter().enumerate() {
        if !matches!(s.kind, RuleStmtKind::For { .. }) {
            continue;
        }
        let run = stmts[i + 1..]
            .iter()
            .take_while(|s| matches!(s.kind, RuleStmtKind::Let(_) | RuleStmtKind::Unless(_)))
            .count();
        let last_unless = stmts[i + 1..i + 1 + run].iter().rposition(|s| matches!(s.kind, RuleStmtKind::Unless(_)));
        if let Some(last) = last_unless {
            extra[i + 1..=i + 1 + last].fill(2);
        }
    }
    extra
}

/// `fn name(a: T, b: U) -> R`
fn signature(name: &Ident, params: &[(Ident, TypeExpr)], ret: &TypeExpr) -> String {
    let params: Vec<String> = params.iter().map(|(n, t)| format!("{}: {}", n.name, type_expr(t))).collect();
    format!("fn {}({}) -> {}", name.name, params.join(", "), type_expr(ret))
}

/// A type as written, canonically spaced.
fn type_expr(t: &TypeExpr) -> String {
    let mut s = match &t.kind {
        TypeExprKind::Named(p) => p.joined(),
        TypeExprKind::List(inner) => format!("list<{}>", type_expr(inner)),
        TypeExprKind::Set(inner) => format!("set<{}>", type_expr(inner)),
    };
    if t.optional {
        s.push('?');
    }
    s
}
