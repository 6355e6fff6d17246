// Sanity of the extension manifest: package.json and every file it references exist and parse,
// the settings and commands are the documented ones, and every snippet body is valid (its
// syntax, its tab stops, and its expansion as Okite: tokenized without invalid scopes, and,
// when an okite binary is at hand, parsed by `okite check` without syntax errors).

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Commands } from '../src/okite';
import { parseSnippet } from './helpers/snippets';
import { EXTENSION_ROOT, tokenize } from './helpers/textmate';

interface Contributes {
  languages: { id: string; extensions: string[]; aliases: string[]; configuration: string }[];
  grammars: { language: string; scopeName: string; path: string }[];
  snippets: { language: string; path: string }[];
  configuration: { properties: Record<string, { type: string; default: unknown; enum?: string[] }> };
  commands: { command: string; title: string; category?: string }[];
  menus?: { commandPalette?: { command: string; when?: string }[] };
}

interface Manifest {
  name: string;
  publisher: string;
  version: string;
  license: string;
  main: string;
  repository: { url: string } | string;
  engines: { vscode: string };
  activationEvents: string[];
  contributes: Contributes;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description: string;
}

const file = (rel: string) => path.join(EXTENSION_ROOT, rel);
const readJson = <T>(rel: string): T => JSON.parse(fs.readFileSync(file(rel), 'utf8')) as T;
const manifest = readJson<Manifest>('package.json');
const contributes = manifest.contributes;

describe('package.json', () => {
  test('publishing fields (vsce packages without prompts)', () => {
    assert.equal(manifest.name, 'okite');
    assert.equal(manifest.publisher, 'okite');
    assert.equal(manifest.license, 'MIT');
    assert.ok(manifest.repository, 'repository is set');
    assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
    assert.equal(manifest.engines.vscode, '^1.85.0');
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', '.vscodeignore']) {
      assert.ok(fs.existsSync(file(f)), `${f} exists`);
    }
    assert.match(fs.readFileSync(file('LICENSE'), 'utf8'), /MIT License/);
  });

  test('@types/vscode is not newer than engines.vscode (vsce refuses that)', () => {
    const engine = manifest.engines.vscode.replace(/^\^/, '').split('.').map(Number);
    const types = manifest.devDependencies['@types/vscode'].replace(/^[\^~]/, '').split('.').map(Number);
    assert.ok(types[0] < engine[0] || (types[0] === engine[0] && types[1] <= engine[1]), `${types.join('.')} <= ${engine.join('.')}`);
  });

  test('pinned tool versions', () => {
    assert.equal(manifest.devDependencies['@vscode/vsce'], '3.9.2', 'vsce 4.x needs node 22');
    assert.match(manifest.dependencies['vscode-languageclient'], /^\^?9\./);
    assert.match(manifest.devDependencies['vscode-textmate'], /^\^?9\./);
    assert.match(manifest.devDependencies['vscode-oniguruma'], /^\^?2\./);
  });

  test('the entry point is bundled', () => {
    assert.equal(manifest.main, './dist/extension.js');
    assert.ok(fs.existsSync(file(manifest.main)), `${manifest.main} exists (npm run compile)`);
    const bundle = fs.readFileSync(file(manifest.main), 'utf8');
    assert.ok(!/require\(["']vscode-languageclient/.test(bundle), 'vscode-languageclient is bundled in, not required at run time');
  });

  test('activates on the language', () => {
    assert.ok(manifest.activationEvents.includes('onLanguage:okite'));
  });

  test('the okite language and its .okite files', () => {
    assert.equal(contributes.languages.length, 1);
    const lang = contributes.languages[0];
    assert.equal(lang.id, 'okite');
    assert.deepEqual(lang.extensions, ['.okite']);
    assert.ok(lang.aliases.includes('Okite'));
  });

  test('settings: okite.path, okite.sampleFacility, okite.trace.server', () => {
    const p = contributes.configuration.properties;
    assert.deepEqual(Object.keys(p).sort(), ['okite.path', 'okite.sampleFacility', 'okite.trace.server']);
    assert.equal(p['okite.path'].default, 'okite');
    assert.equal(p['okite.sampleFacility'].default, '');
    assert.deepEqual(p['okite.trace.server'].enum, ['off', 'messages', 'verbose']);
    assert.equal(p['okite.trace.server'].default, 'off');
  });

  test('the commands the extension registers are the contributed ones', () => {
    const contributed: string[] = contributes.commands.map((c) => c.command).sort();
    assert.deepEqual([...contributed], [...Object.values(Commands)].sort());
    for (const c of contributes.commands) {
      assert.ok(c.title && c.category === 'Okite', `${c.command} has a title in the Okite category`);
    }
    for (const m of contributes.menus?.commandPalette ?? []) {
      assert.ok(contributed.includes(m.command), `menu entry ${m.command} is a contributed command`);
    }
    // Every command is registered in src/extension.ts.
    const source = fs.readFileSync(file('src/extension.ts'), 'utf8');
    for (const key of Object.keys(Commands)) {
      assert.ok(source.includes(`registerCommand(Commands.${key},`), `Commands.${key} is registered`);
    }
  });
});

describe('language configuration', () => {
  const rel = contributes.languages[0].configuration;
  const config = readJson<{
    comments: { lineComment: string; blockComment: [string, string] };
    brackets: [string, string][];
    autoClosingPairs: { open: string; close: string }[];
    surroundingPairs: [string, string][];
    folding: { markers: { start: string; end: string } };
    indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
    onEnterRules: { beforeText: string; afterText?: string }[];
    wordPattern: string;
  }>(rel);

  test('exists and parses, with comments, brackets and pairs', () => {
    assert.equal(config.comments.lineComment, '//');
    assert.deepEqual(config.comments.blockComment, ['/*', '*/']);
    assert.deepEqual(config.brackets.map((b) => b[0]).sort(), ['(', '[', '{']);
    assert.ok(config.autoClosingPairs.some((p) => p.open === '"' && p.close === '"'), 'quotes auto-close');
    assert.ok(config.surroundingPairs.some((p) => p[0] === '"'));
  });

  test('its regular expressions compile and behave', () => {
    const re = (s: string) => new RegExp(s);
    const start = re(config.folding.markers.start);
    const end = re(config.folding.markers.end);
    assert.ok(start.test('rule password_strength {'));
    assert.ok(start.test('// #region accounts'));
    assert.ok(end.test('  }'));
    assert.ok(!start.test('  require x >= {digit, upper}'));
    const inc = re(config.indentationRules.increaseIndentPattern);
    const dec = re(config.indentationRules.decreaseIndentPattern);
    assert.ok(inc.test('rule x {'));
    assert.ok(inc.test('  given facts from "f.json" with {  // edits'));
    assert.ok(inc.test('fn holders('));
    assert.ok(!inc.test('  require x >= {digit}'));
    assert.ok(!inc.test('  else "{system.name}: x"'));
    assert.ok(dec.test('}'));
    config.onEnterRules.forEach((r) => {
      re(r.beforeText);
      if (r.afterText) {
        re(r.afterText);
      }
    });
    assert.ok(re(config.onEnterRules[0].beforeText).test('/// doc'), 'doc comments continue');
    assert.ok(!re(config.onEnterRules[0].beforeText).test('//// not doc'));
    const word = new RegExp(`^(?:${config.wordPattern})$`);
    for (const w of ['password_strength', 'Account', '2025-04-01', '90d', '1.5', '1_000']) {
      assert.ok(word.test(w), `${w} is one word`);
    }
    assert.ok(!word.test('情報'), 'identifiers are ASCII');
  });
});

describe('grammar file', () => {
  test('is referenced, exists, parses, and has the language scope', () => {
    assert.equal(contributes.grammars.length, 1);
    const g = contributes.grammars[0];
    assert.equal(g.language, 'okite');
    assert.equal(g.scopeName, 'source.okite');
    const grammar = readJson<{ scopeName: string; patterns: unknown[]; repository: Record<string, unknown> }>(g.path);
    assert.equal(grammar.scopeName, g.scopeName);
    assert.ok(grammar.patterns.length > 0);
    // Every #include names a repository entry.
    const includes = [...JSON.stringify(grammar).matchAll(/"include":"#([^"]+)"/g)].map((m) => m[1]);
    for (const name of includes) {
      assert.ok(name in grammar.repository, `#${name} is defined`);
    }
  });
});

describe('snippets', () => {
  assert.equal(contributes.snippets.length, 1);
  assert.equal(contributes.snippets[0].language, 'okite');
  const snippets = readJson<Record<string, Snippet>>(contributes.snippets[0].path);
  const bodyOf = (s: Snippet) => (Array.isArray(s.body) ? s.body.join('\n') : s.body);

  test('cover rules, attestation rules, tests, types, enums, functions and sections', () => {
    const prefixes = Object.values(snippets).flatMap((s) => (Array.isArray(s.prefix) ? s.prefix : [s.prefix]));
    for (const p of ['rule', 'attest', 'test', 'type', 'enum', 'fn', 'section', 'clause']) {
      assert.ok(prefixes.includes(p), `a snippet with prefix ${p}`);
    }
    assert.equal(new Set(prefixes).size, prefixes.length, 'prefixes are unique');
  });

  for (const [name, s] of Object.entries(snippets)) {
    test(`"${name}" is a valid snippet`, async () => {
      assert.ok(s.prefix && s.body && s.description, 'prefix, body and description');
      const info = parseSnippet(bodyOf(s));
      assert.deepEqual([...info.variables], [], 'no editor variables');
      const stops = [...info.tabStops].filter((n) => n > 0).sort((a, b) => a - b);
      assert.deepEqual(stops, stops.map((_, k) => k + 1), 'tab stops are numbered 1, 2, 3… without gaps');
      assert.ok(!bodyOf(s).includes('    '), 'indented with tabs (VS Code converts them to the editor setting)');
      const invalid = (await tokenize(info.expansion)).flatMap((l) => l.tokens).filter((t) => t.scopes.some((sc) => sc.startsWith('invalid')));
      assert.deepEqual(invalid, [], 'the expansion has no invalid tokens');
    });
  }

  // The expansions as Okite source, each wrapped so that it stands where it is used.
  function asSource(s: Snippet): string {
    const text = parseSnippet(bodyOf(s)).expansion;
    const first = text.trimStart().split(/\s/)[0];
    if (first === 'expect') {
      return `test "snippet" {\n${text}\n}`;
    }
    if (first === 'clause') {
      return `section "0" "snippet" {\n${text}\n}`;
    }
    if (/^(\/\/\/|type|enum|facts|const|fn|rule|test|section)$/.test(first)) {
      return text;
    }
    return `const SNIPPET_${Math.random().toString(36).slice(2, 8).toUpperCase()} = ${text}`;
  }

  const okite =
    process.env.OKITE_BIN ??
    ['target/debug/okite', 'target/release/okite'].map((p) => path.resolve(EXTENSION_ROOT, '..', '..', p)).find((p) => fs.existsSync(p));
  test('expansions parse with okite check (no syntax errors)', { skip: okite ? false : 'no okite binary (set OKITE_BIN or build target/debug/okite)' }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'okite-snippets-'));
    try {
      const names = Object.keys(snippets);
      names.forEach((n, k) => {
        fs.writeFileSync(path.join(dir, `s${k}.okite`), `package snippets${k}\n\n${asSource(snippets[n])}\n`);
      });
      let out: string;
      try {
        out = execFileSync(okite!, ['check', '--format', 'json', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        out = (e as { stdout?: string }).stdout ?? '';
      }
      const diagnostics = JSON.parse(out) as { code: string; message: string; location: { file: string; line: number } }[];
      const syntax = diagnostics
        .filter((d) => ['E0002', 'E0004', 'E0005', 'E0006'].includes(d.code))
        .map((d) => `${names[Number(/s(\d+)\.okite$/.exec(d.location.file)?.[1])]}:${d.location.line}: ${d.code} ${d.message}`);
      assert.deepEqual(syntax, [], 'syntax errors in snippet expansions');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
