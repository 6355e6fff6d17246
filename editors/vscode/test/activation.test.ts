// Loads the bundled extension (dist/extension.js) with a stand-in for the `vscode` module and
// activates it. VS Code itself cannot run here; this checks that the bundle loads, that
// activation registers every command and the task provider, and that a missing okite binary
// is reported (with the setting to fix it) instead of failing activation.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Commands } from '../src/okite';
import { EXTENSION_ROOT } from './helpers/textmate';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module') as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };

interface Recorded {
  commands: Map<string, (...args: unknown[]) => unknown>;
  taskProviders: string[];
  errors: string[];
  channels: string[];
}

function fakeVscode(rec: Recorded, okitePath: string): unknown {
  const disposable = { dispose() {} };
  const event = () => disposable;
  // The client library extends and reads VS Code's classes and enums when it loads: any name
  // not given below is a stand-in class.
  const stubs = new Map<string | symbol, unknown>();
  const api: Record<string | symbol, unknown> = {
    Uri: class {
      static file(p: string) {
        return { scheme: 'file', fsPath: p };
      }
    },
    window: {
      createOutputChannel: (name: string) => {
        rec.channels.push(name);
        return { appendLine() {}, append() {}, show() {}, clear() {}, dispose() {} };
      },
      showErrorMessage: async (msg: string) => {
        rec.errors.push(msg);
        return undefined;
      },
      activeTextEditor: undefined,
    },
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        rec.commands.set(id, fn);
        return disposable;
      },
      executeCommand: async () => undefined,
    },
    tasks: {
      registerTaskProvider: (type: string) => {
        rec.taskProviders.push(type);
        return disposable;
      },
    },
    workspace: {
      workspaceFolders: undefined,
      onDidChangeConfiguration: event,
      getConfiguration: () => ({ get: (key: string) => (key === 'path' ? okitePath : undefined) }),
      getWorkspaceFolder: () => undefined,
    },
  };
  return new Proxy(api, {
    get(target, name) {
      if (name in target) {
        return target[name];
      }
      if (!stubs.has(name)) {
        stubs.set(name, class {});
      }
      return stubs.get(name);
    },
  });
}

describe('the bundled extension', () => {
  test('activates, registers its commands, and reports a missing okite binary', async () => {
    const rec: Recorded = { commands: new Map(), taskProviders: [], errors: [], channels: [] };
    const missing = path.join(EXTENSION_ROOT, 'no-such-okite-binary');
    const vscode = fakeVscode(rec, missing);
    const load = Module._load;
    Module._load = (request, parent, isMain) => (request === 'vscode' ? vscode : load(request, parent, isMain));
    try {
      const ext = require(path.join(EXTENSION_ROOT, 'dist', 'extension.js')) as {
        activate: (ctx: { subscriptions: unknown[] }) => Promise<void>;
        deactivate: () => Promise<void>;
      };
      const ctx = { subscriptions: [] as unknown[] };
      await ext.activate(ctx);
      assert.deepEqual([...rec.commands.keys()].sort(), [...Object.values(Commands)].sort());
      assert.deepEqual(rec.taskProviders, ['okite']);
      assert.deepEqual(rec.channels.sort(), ['Okite Evaluation', 'Okite Language Server']);
      assert.equal(rec.errors.length, 1);
      assert.match(rec.errors[0], /cannot find `.*no-such-okite-binary`.*okite\.path/);
      assert.ok(ctx.subscriptions.length >= Object.keys(Commands).length);
      await ext.deactivate();
    } finally {
      Module._load = load;
    }
  });
});
