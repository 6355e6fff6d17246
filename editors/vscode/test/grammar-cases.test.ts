// Hand-written checks of the grammar's tricky cases, stated as intent rather than as a snapshot
// (the fixtures in test/grammar/ hold the full token-by-token expectations).

import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tokenize, type Token } from './helpers/textmate';

/** The tokens of a snippet of source, flattened over its lines. */
async function tokens(source: string): Promise<Token[]> {
  return (await tokenize(source)).flatMap((l) => l.tokens);
}

/** The scopes of the `nth` token whose text is `text`. */
async function scopesOf(source: string, text: string, nth = 0): Promise<string[]> {
  const found = (await tokens(source)).filter((t) => t.text === text);
  assert.ok(found.length > nth, `no token ${JSON.stringify(text)} (#${nth}) in ${JSON.stringify(source)}`);
  return found[nth].scopes;
}

function has(scopes: string[], prefix: string): boolean {
  return scopes.some((s) => s === prefix || s.startsWith(prefix + '.'));
}

describe('grammar: tricky cases', () => {
  test('`//` inside a string is string text, not a comment', async () => {
    const s = await scopesOf('const A = "x // y"', 'x // y');
    assert.ok(has(s, 'string.quoted.double'));
    assert.ok(!has(s, 'comment'));
    const after = await scopesOf('const A = "x // y" + B', 'B');
    assert.ok(!has(after, 'comment'), 'the code after the string is not commented out');
  });

  test('`/*` inside a string does not open a comment', async () => {
    const s = await scopesOf('const A = "/*" + B', 'B');
    assert.ok(!has(s, 'comment'));
  });

  test('`///` is a doc comment, `////` an ordinary one', async () => {
    assert.ok(has(await scopesOf('/// doc', ' doc'), 'comment.line.documentation'));
    const four = await scopesOf('//// not doc', '//');
    assert.ok(has(four, 'comment.line.double-slash'));
    assert.ok(!(await tokens('//// not doc')).some((t) => has(t.scopes, 'comment.line.documentation')));
  });

  test('block comments nest', async () => {
    const src = '/* a /* b */ still a comment */ const X = 1';
    assert.ok(has(await scopesOf(src, ' still a comment '), 'comment.block'));
    assert.ok(has(await scopesOf(src, 'const'), 'storage.type.const'));
    assert.ok(!has(await scopesOf(src, 'X'), 'comment'));
  });

  test('a `{` inside an interpolation opens a nested brace, not the end of the interpolation', async () => {
    const src = 'const A = "{ {digit} - x } tail"';
    const x = await scopesOf(src, 'x');
    assert.ok(has(x, 'meta.embedded.line'), 'x is still inside the interpolation');
    const tail = await scopesOf(src, ' tail');
    assert.ok(has(tail, 'string.quoted.double') && !has(tail, 'meta.interpolation'));
  });

  test('`{{` and `}}` are literal braces, not interpolation', async () => {
    const src = 'const A = "{{x}}"';
    assert.ok(has(await scopesOf(src, '{{'), 'constant.character.escape'));
    assert.ok(!has(await scopesOf(src, 'x'), 'meta.interpolation'));
  });

  test('a string inside an interpolation ends there, and the outer string resumes', async () => {
    const src = 'const A = "{x ?? "none"} after"';
    assert.ok(has(await scopesOf(src, 'none'), 'meta.embedded.line'));
    const after = await scopesOf(src, ' after');
    assert.ok(has(after, 'string.quoted.double') && !has(after, 'meta.embedded'));
  });

  test('metadata strings are not interpolated', async () => {
    const s = await scopesOf('  title "a {b} c"', 'a {b} c');
    assert.ok(has(s, 'string.quoted.double') && !has(s, 'meta.interpolation'));
  });

  test('clause ids are marked in rules and sections', async () => {
    assert.ok(has(await scopesOf('  clause "14(8)", "14(9)"', '14(9)'), 'constant.other.clause-id'));
    const def = '  clause "14(1)" informative "text"';
    assert.ok(has(await scopesOf(def, '14(1)'), 'constant.other.clause-id'));
    assert.ok(!has(await scopesOf(def, 'text'), 'constant.other.clause-id'));
  });

  test('contextual keywords are fields before a colon and after a dot', async () => {
    assert.ok(has(await scopesOf('  clause: string', 'clause'), 'variable.other.property'));
    assert.ok(has(await scopesOf('  type: string', 'type'), 'variable.other.property'));
    assert.ok(has(await scopesOf('x = a.title', 'title'), 'variable.other.property'));
    assert.ok(has(await scopesOf('f(a, by: b)', 'by'), 'variable.other.property'));
    assert.ok(has(await scopesOf('  attest every 1y by officer', 'by'), 'keyword.other.by'));
  });

  test('quantifiers bind a variable; min/max/count with plain arguments are functions', async () => {
    assert.ok(has(await scopesOf('min(t in ts: t.on)', 'min'), 'keyword.other.quantifier'));
    assert.ok(has(await scopesOf('min(t in ts: t.on)', 't'), 'variable.parameter'));
    assert.ok(has(await scopesOf('min(a, b)', 'min'), 'support.function.builtin'));
    assert.ok(has(await scopesOf('none(x in xs: x)', 'none'), 'keyword.other.quantifier'));
    assert.ok(has(await scopesOf('x == none', 'none'), 'constant.language.none'));
  });

  test('dates, durations, decimals and integers', async () => {
    assert.ok(has(await scopesOf('2024-03-31 - 1m', '2024-03-31'), 'constant.numeric.date'));
    assert.ok(has(await scopesOf('2024-03-31 - 1m', '1m'), 'constant.numeric.duration'));
    assert.ok(has(await scopesOf('x = 1.25', '1.25'), 'constant.numeric.decimal'));
    assert.ok(has(await scopesOf('x = 1_000', '1_000'), 'constant.numeric.integer'));
  });
});
