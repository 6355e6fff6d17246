// Unit tests of the extension's VS Code-free logic (src/okite.ts).

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  clientCommandFor,
  Commands,
  displayCommand,
  evalArgs,
  findExecutable,
  findPolicyRoot,
  resolveBinary,
  resolveSampleFacility,
  testArgs,
  uriToPath,
} from '../src/okite';

const ws = path.resolve('/work/repo');
const j = (...p: string[]) => path.join(ws, ...p);
const existing = (...paths: string[]) => {
  const set = new Set(paths);
  return (p: string) => set.has(p);
};

describe('server command ids', () => {
  test('the server ids of code lenses map to client commands', () => {
    assert.equal(clientCommandFor('okite/runTests'), Commands.runTest);
    assert.equal(clientCommandFor('okite/evaluate'), Commands.evaluateRule);
    assert.equal(clientCommandFor('okite.runTest'), undefined, 'client ids pass through');
    assert.equal(clientCommandFor('toString'), undefined);
  });
});

describe('findPolicyRoot', () => {
  const exists = existing(j('policies', 'hachioji', 'fixtures'), j('policies'));

  test('the nearest directory with fixtures/ (a test file in tests/)', () => {
    assert.equal(findPolicyRoot(j('policies', 'hachioji', 'tests', 's14_test.okite'), ws, exists), j('policies', 'hachioji'));
    assert.equal(findPolicyRoot(j('policies', 'hachioji', 'guideline.okite'), ws, exists), j('policies', 'hachioji'));
  });

  test('else policies/ of the workspace folder, else the folder itself', () => {
    assert.equal(findPolicyRoot(j('policies', 'other', 'a.okite'), ws, exists), j('policies'));
    assert.equal(findPolicyRoot(undefined, ws, exists), j('policies'));
    assert.equal(findPolicyRoot(j('x', 'a.okite'), ws, existing()), ws);
  });

  test('does not look above the workspace folder', () => {
    const above = existing(path.join(path.dirname(ws), 'fixtures'));
    assert.equal(findPolicyRoot(j('a', 'b.okite'), ws, above), ws);
  });

  test('without a workspace folder: the file directory', () => {
    assert.equal(findPolicyRoot(j('a', 'b.okite'), undefined, existing()), j('a'));
    assert.equal(findPolicyRoot(undefined, undefined, existing()), undefined);
  });
});

describe('settings', () => {
  test('okite.path: bare names stay for PATH, relative paths are from the workspace folder', () => {
    assert.equal(resolveBinary(undefined, ws), 'okite');
    assert.equal(resolveBinary('  ', ws), 'okite');
    assert.equal(resolveBinary('okite-dev', ws), 'okite-dev');
    assert.equal(resolveBinary('target/debug/okite', ws), j('target', 'debug', 'okite'));
    assert.equal(resolveBinary('${workspaceFolder}/target/debug/okite', ws), `${ws}/target/debug/okite`);
    assert.equal(resolveBinary('/usr/local/bin/okite', ws), '/usr/local/bin/okite');
  });

  test('okite.sampleFacility: empty means fixtures/compliant.json beside the policies', () => {
    const root = j('policies', 'hachioji');
    assert.equal(resolveSampleFacility('', root, ws), path.join(root, 'fixtures', 'compliant.json'));
    assert.equal(resolveSampleFacility(undefined, root, ws), path.join(root, 'fixtures', 'compliant.json'));
    assert.equal(resolveSampleFacility('examples/museum.json', root, ws), j('examples', 'museum.json'));
    assert.equal(resolveSampleFacility('/data/f.yaml', root, ws), '/data/f.yaml');
  });
});

describe('command lines', () => {
  test('okite test and okite eval', () => {
    assert.deepEqual(testArgs('/p'), ['test', '/p']);
    assert.deepEqual(testArgs('/p', '14(8)'), ['test', '/p', '--filter', '14(8)']);
    assert.deepEqual(evalArgs('/p', 's.json', false, 'a.b.c'), ['eval', '--policy', '/p', 's.json', '--explain', '--rule', 'a.b.c', '--verbose', '--color', 'never']);
    assert.deepEqual(evalArgs('/p', '/p/fixtures/compliant.json'), ['eval', '--policy', '/p', '/p/fixtures/compliant.json', '--explain']);
    assert.deepEqual(evalArgs('/p', '/s.json', false).slice(-2), ['--color', 'never']);
  });

  test('displayed with quoting', () => {
    assert.equal(displayCommand('okite', ['test', '/a b/c']), "okite test '/a b/c'");
    assert.equal(displayCommand('okite', ["it's"]), `okite 'it'\\''s'`);
  });

  test('URIs from the server', () => {
    const file = path.resolve('/tmp/a b/x.okite');
    assert.equal(uriToPath(pathToFileURL(file).href), file);
    assert.equal(uriToPath('/plain/path.okite'), '/plain/path.okite');
    assert.equal(uriToPath('untitled:Untitled-1'), undefined);
    assert.equal(uriToPath(42), undefined);
  });

  test('findExecutable looks on PATH', () => {
    const exists = existing('/opt/okite/bin/okite', '/abs/okite');
    assert.equal(findExecutable('okite', { PATH: '/usr/bin:/opt/okite/bin' }, exists, 'linux'), '/opt/okite/bin/okite');
    assert.equal(findExecutable('okite', { PATH: '/usr/bin' }, exists, 'linux'), undefined);
    assert.equal(findExecutable('/abs/okite', {}, exists, 'linux'), '/abs/okite');
    const win = existing('C:\\okite\\okite.EXE');
    assert.equal(findExecutable('okite', { Path: 'C:\\okite', PATHEXT: '.EXE' }, win, 'win32'), 'C:\\okite\\okite.EXE');
  });
});
