// The one helper of the grammar tests: loads syntaxes/okite.tmLanguage.json into VS Code's own
// tokenizer (vscode-textmate + vscode-oniguruma), tokenizes text, and renders/parses the
// expectation files (`NAME.okite.tokens`) that sit beside each fixture in test/grammar/.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

/** editors/vscode (this file is compiled to out/test/helpers/). */
export const EXTENSION_ROOT = path.resolve(__dirname, '..', '..', '..');
export const GRAMMAR_PATH = path.join(EXTENSION_ROOT, 'syntaxes', 'okite.tmLanguage.json');
export const FIXTURE_DIR = path.join(EXTENSION_ROOT, 'test', 'grammar');
export const ROOT_SCOPE = 'source.okite';

export interface Token {
  text: string;
  /** Scopes below the root `source.okite`, outermost first. */
  scopes: string[];
}

export interface TokenizedLine {
  line: string;
  tokens: Token[];
}

let grammarPromise: Promise<vsctm.IGrammar> | undefined;

/** The Okite grammar, loaded once per process. */
export function loadGrammar(): Promise<vsctm.IGrammar> {
  grammarPromise ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) =>
        scopeName === ROOT_SCOPE ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null,
    });
    const grammar = await registry.loadGrammar(ROOT_SCOPE);
    if (!grammar) {
      throw new Error(`cannot load ${GRAMMAR_PATH}`);
    }
    return grammar;
  })();
  return grammarPromise;
}

/** Splits text into lines (LF or CRLF); a final newline does not make an extra line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/** Tokenizes text line by line, carrying the rule stack across lines as VS Code does. */
export async function tokenize(text: string): Promise<TokenizedLine[]> {
  const grammar = await loadGrammar();
  let stack = vsctm.INITIAL;
  const out: TokenizedLine[] = [];
  for (const line of splitLines(text)) {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    const tokens: Token[] = [];
    for (const t of r.tokens) {
      const text = line.substring(t.startIndex, Math.min(t.endIndex, line.length));
      if (text === '') {
        continue;
      }
      const [root, ...scopes] = t.scopes;
      if (root !== ROOT_SCOPE) {
        throw new Error(`unexpected root scope ${root}`);
      }
      tokens.push({ text, scopes });
    }
    out.push({ line, tokens });
  }
  return out;
}

/**
 * Whether a token is left out of expectation files: whitespace outside comments and strings
 * (scoped by nothing but `meta.*` regions) says nothing about the grammar.
 */
export function isInsignificant(t: Token): boolean {
  return t.text.trim() === '' && t.scopes.every((s) => s.startsWith('meta.'));
}

const HEADER = '# Expected tokens of NAME: `> line` is a source line, then one `"token" scopes…` per token';
const HEADER2 = '# (the root scope source.okite left out). Regenerate: UPDATE=1 npm test';

/** The expectation file of a fixture. */
export function renderExpectations(fixtureName: string, lines: TokenizedLine[]): string {
  const out = [HEADER.replace('NAME', fixtureName), HEADER2];
  for (const l of lines) {
    out.push(l.line === '' ? '>' : `> ${l.line}`);
    for (const t of l.tokens) {
      if (!isInsignificant(t)) {
        out.push(`  ${JSON.stringify(t.text)} ${t.scopes.length ? t.scopes.join(' ') : '-'}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

/** Parses an expectation file back into lines and their significant tokens. */
export function parseExpectations(text: string): TokenizedLine[] {
  const out: TokenizedLine[] = [];
  splitLines(text).forEach((raw, i) => {
    if (raw.startsWith('#')) {
      return;
    }
    if (raw === '>' || raw.startsWith('> ')) {
      out.push({ line: raw.slice(2), tokens: [] });
      return;
    }
    const m = /^ {2}("(?:[^"\\]|\\.)*") (.+)$/.exec(raw);
    if (!m || out.length === 0) {
      throw new Error(`line ${i + 1}: not a source line (\`> …\`) or a token line (\`  "text" scopes\`): ${raw}`);
    }
    out[out.length - 1].tokens.push({ text: JSON.parse(m[1]) as string, scopes: m[2] === '-' ? [] : m[2].split(' ') });
  });
  return out;
}

/** Every scope name the grammar file can assign (names, content names and capture names). */
export function grammarScopes(): Set<string> {
  const scopes = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if ((k === 'name' || k === 'contentName') && typeof x === 'string') {
          x.split(/\s+/).forEach((s) => scopes.add(s));
        } else {
          visit(x);
        }
      }
    }
  };
  const g = JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8')) as { repository: unknown; patterns: unknown };
  visit(g.patterns);
  visit(g.repository);
  return scopes;
}
