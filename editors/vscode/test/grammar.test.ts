// Grammar tests, data-driven: every test/grammar/NAME.okite is tokenized with VS Code's own
// tokenizer and compared, token by token, with test/grammar/NAME.okite.tokens.
// `UPDATE=1 npm test` rewrites the expectation files (review the diff before committing).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  FIXTURE_DIR,
  grammarScopes,
  isInsignificant,
  parseExpectations,
  renderExpectations,
  tokenize,
  type Token,
  type TokenizedLine,
} from './helpers/textmate';

const UPDATE = process.env.UPDATE === '1';
const fixtures = fs
  .readdirSync(FIXTURE_DIR)
  .filter((f) => f.endsWith('.okite'))
  .sort();
const seenScopes = new Set<string>();
let assertions = 0;

function show(t: Token | undefined): string {
  return t ? `${JSON.stringify(t.text)} ${t.scopes.join(' ') || '-'}` : '(no token)';
}

function compare(name: string, actual: TokenizedLine[], expected: TokenizedLine[]): string[] {
  const problems: string[] = [];
  if (actual.length !== expected.length) {
    problems.push(`${name}: ${actual.length} source lines, the expectations have ${expected.length} (run UPDATE=1 npm test)`);
  }
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    const a = actual[i];
    const e = expected[i];
    if (a.line !== e.line) {
      problems.push(`${name}:${i + 1}: the fixture line changed (run UPDATE=1 npm test)\n    fixture:  ${a.line}\n    expected: ${e.line}`);
      continue;
    }
    const tokens = a.tokens.filter((t) => !isInsignificant(t));
    const n = Math.max(tokens.length, e.tokens.length);
    for (let j = 0; j < n; j++) {
      assertions++;
      const at = tokens[j];
      const et = e.tokens[j];
      if (!at || !et || at.text !== et.text || at.scopes.join(' ') !== et.scopes.join(' ')) {
        problems.push(`${name}:${i + 1}: token ${j + 1} of \`${a.line.trim()}\`\n    actual:   ${show(at)}\n    expected: ${show(et)}`);
        break; // the rest of the line is shifted: one report per line
      }
    }
  }
  return problems;
}

describe('TextMate grammar', () => {
  test('there are fixtures', () => {
    assert.ok(fixtures.length >= 10, `expected the grammar fixtures in ${FIXTURE_DIR}`);
  });

  for (const fixture of fixtures) {
    test(fixture, async () => {
      const source = fs.readFileSync(path.join(FIXTURE_DIR, fixture), 'utf8');
      const actual = await tokenize(source);
      actual.forEach((l) => l.tokens.forEach((t) => t.scopes.forEach((s) => seenScopes.add(s))));

      // Only the fixture of deliberate mistakes may produce invalid.* scopes.
      if (!fixture.startsWith('invalid')) {
        const invalid = actual.flatMap((l, i) =>
          l.tokens.filter((t) => t.scopes.some((s) => s.startsWith('invalid'))).map((t) => `${i + 1}: ${show(t)}`),
        );
        assert.deepEqual(invalid, [], `${fixture} has tokens scoped invalid.*`);
      }

      const expectedPath = path.join(FIXTURE_DIR, `${fixture}.tokens`);
      const rendered = renderExpectations(fixture, actual);
      if (UPDATE) {
        fs.writeFileSync(expectedPath, rendered);
        return;
      }
      assert.ok(fs.existsSync(expectedPath), `${expectedPath} is missing: run UPDATE=1 npm test`);
      const expected = parseExpectations(fs.readFileSync(expectedPath, 'utf8'));
      const problems = compare(fixture, actual, expected);
      assert.ok(problems.length === 0, `${problems.length} mismatch(es):\n  ${problems.slice(0, 20).join('\n  ')}`);
      // The file is canonical, so a reordering or stray edit of it is noticed too.
      assert.equal(fs.readFileSync(expectedPath, 'utf8'), rendered);
    });
  }

  test('every scope of the grammar appears in some fixture', { skip: UPDATE }, async () => {
    for (const fixture of fixtures) {
      const lines = await tokenize(fs.readFileSync(path.join(FIXTURE_DIR, fixture), 'utf8'));
      lines.forEach((l) => l.tokens.forEach((t) => t.scopes.forEach((s) => seenScopes.add(s))));
    }
    const missing = [...grammarScopes()].filter((s) => !seenScopes.has(s)).sort();
    assert.deepEqual(missing, [], 'scopes the fixtures never produce: add a case to a fixture');
  });

  after(() => {
    if (!UPDATE) {
      console.log(`grammar: ${fixtures.length} fixtures, ${assertions} token assertions`);
    }
  });
});
