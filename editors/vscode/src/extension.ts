// The Okite extension: starts `okite lsp` (the language server, over stdio) and registers the
// commands that run the okite CLI: tests and evaluations in a terminal, an evaluation of a
// chosen snapshot in an output channel.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type Middleware,
  RevealOutputChannelOn,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  Commands,
  clientCommandFor,
  displayCommand,
  evalArgs,
  findExecutable,
  findPolicyRoot,
  resolveBinary,
  resolveSampleFacility,
  testArgs,
  uriToPath,
} from './okite';

const LANGUAGE = 'okite';
const TASK_TYPE = 'okite';

let client: LanguageClient | undefined;
let serverOutput: vscode.OutputChannel | undefined;
let evalOutput: vscode.OutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  serverOutput = vscode.window.createOutputChannel('Okite Language Server');
  evalOutput = vscode.window.createOutputChannel('Okite Evaluation');
  context.subscriptions.push(
    serverOutput,
    evalOutput,
    vscode.commands.registerCommand(Commands.restartServer, () => restartServer()),
    vscode.commands.registerCommand(Commands.runTests, () => runWorkspaceTests()),
    vscode.commands.registerCommand(Commands.evaluate, () => evaluateChosenSnapshot()),
    vscode.commands.registerCommand(Commands.runTest, (uri?: unknown, name?: unknown) => runTest(uri, name)),
    vscode.commands.registerCommand(Commands.evaluateRule, (rule?: unknown, uri?: unknown) => evaluateRule(rule, uri)),
    vscode.tasks.registerTaskProvider(TASK_TYPE, { provideTasks, resolveTask }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('okite.path')) {
        void restartServer();
      }
    }),
  );
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}

// ---------------------------------------------------------------------------------------------
// The language server

function workspaceRoot(uri?: vscode.Uri): string | undefined {
  const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

function binary(uri?: vscode.Uri): string {
  return resolveBinary(vscode.workspace.getConfiguration('okite', uri).get<string>('path'), workspaceRoot(uri));
}

/** Code lenses from the server may name `okite/runTests` or `okite/evaluate`: run them here. */
function rewriteLens(lens: vscode.CodeLens): vscode.CodeLens {
  const target = lens.command && clientCommandFor(lens.command.command);
  if (lens.command && target) {
    lens.command = { ...lens.command, command: target };
  }
  return lens;
}

const middleware: Middleware = {
  provideCodeLenses: async (document, token, next) => {
    const lenses = await next(document, token);
    return lenses?.map(rewriteLens);
  },
  resolveCodeLens: async (lens, token, next) => {
    const resolved = await next(lens, token);
    return resolved ? rewriteLens(resolved) : resolved;
  },
};

async function missingBinary(command: string, setting: string): Promise<void> {
  const choice = await vscode.window.showErrorMessage(
    `Okite: cannot find \`${command}\`. Install okite and put it on PATH, or set "okite.path".`,
    'Open Settings',
  );
  if (choice === 'Open Settings') {
    void vscode.commands.executeCommand('workbench.action.openSettings', setting);
  }
}

async function startServer(): Promise<void> {
  const command = binary();
  if (!findExecutable(command)) {
    serverOutput?.appendLine(`Not starting the language server: cannot find \`${command}\` (okite.path).`);
    await missingBinary(command, 'okite.path');
    return;
  }
  const serverOptions: ServerOptions = {
    // No `transport`: with TransportKind.stdio the client would append `--stdio`.
    command,
    args: ['lsp'],
    options: { cwd: workspaceRoot() },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: LANGUAGE },
      { scheme: 'untitled', language: LANGUAGE },
    ],
    synchronize: {
      // workspace/didChangeConfiguration carries { okite: { path, sampleFacility, trace } }.
      configurationSection: 'okite',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.okite'),
    },
    initializationOptions: {
      sampleFacility: vscode.workspace.getConfiguration('okite').get<string>('sampleFacility') || null,
    },
    outputChannel: serverOutput,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    middleware,
  };
  // The client id `okite` makes the `okite.trace.server` setting apply.
  const c = new LanguageClient('okite', 'Okite Language Server', serverOptions, clientOptions);
  client = c;
  try {
    await c.start();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    serverOutput?.appendLine(`Could not start \`${command} lsp\`: ${message}`);
    const choice = await vscode.window.showErrorMessage(
      `Okite: the language server \`${command} lsp\` did not start: ${message}`,
      'Show Output',
    );
    if (choice === 'Show Output') {
      serverOutput?.show(true);
    }
  }
}

async function stopServer(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop();
    } catch {
      // The server was not running (it failed to start, or exited): nothing to stop.
    }
  }
}

async function restartServer(): Promise<void> {
  await stopServer();
  await startServer();
}

// ---------------------------------------------------------------------------------------------
// Running the CLI

function okiteTask(folder: vscode.WorkspaceFolder | undefined, name: string, args: string[], cwd: string | undefined): vscode.Task {
  const bin = binary(folder?.uri);
  const task = new vscode.Task(
    { type: TASK_TYPE, args },
    folder ?? vscode.TaskScope.Workspace,
    name,
    'okite',
    new vscode.ProcessExecution(bin, args, cwd ? { cwd } : {}),
  );
  task.detail = displayCommand(bin, args);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  return task;
}

/** Runs `okite ARGS` in a terminal (a task, so that no shell quoting is involved). */
async function runInTerminal(folder: vscode.WorkspaceFolder | undefined, name: string, args: string[]): Promise<void> {
  const bin = binary(folder?.uri);
  if (!findExecutable(bin)) {
    await missingBinary(bin, 'okite.path');
    return;
  }
  await vscode.tasks.executeTask(okiteTask(folder, name, args, folder?.uri.fsPath));
}

function provideTasks(): vscode.Task[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => okiteTask(f, 'test', workspaceTestArgs(f), f.uri.fsPath));
}

function resolveTask(task: vscode.Task): vscode.Task | undefined {
  const args = (task.definition as { args?: unknown }).args;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    return undefined;
  }
  const folder = typeof task.scope === 'object' ? task.scope : undefined;
  const resolved = okiteTask(folder, task.name, args as string[], folder?.uri.fsPath);
  resolved.definition = task.definition;
  return resolved;
}

/** `okite test` (its default, policies/) when the folder has policies/, else `okite test .`. */
function workspaceTestArgs(folder: vscode.WorkspaceFolder): string[] {
  return fs.existsSync(path.join(folder.uri.fsPath, 'policies')) ? ['test'] : ['test', '.'];
}

function activeOkiteDocument(): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  return doc && doc.languageId === LANGUAGE ? doc : undefined;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const doc = activeOkiteDocument();
  const folder = doc && vscode.workspace.getWorkspaceFolder(doc.uri);
  if (folder) {
    return folder;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) {
    return folders[0];
  }
  return vscode.window.showWorkspaceFolderPick({ placeHolder: 'Run the Okite tests of which folder?' });
}

/** okite.runTests: `okite test` on the workspace folder. */
async function runWorkspaceTests(): Promise<void> {
  const folder = await pickFolder();
  if (!folder) {
    void vscode.window.showErrorMessage('Okite: open a folder to run its tests.');
    return;
  }
  await runInTerminal(folder, 'test', workspaceTestArgs(folder));
}

/** The file a command is about: its URI argument, else the active Okite editor's file. */
function targetFile(uri: unknown): string | undefined {
  if (uri instanceof vscode.Uri) {
    return uri.scheme === 'file' ? uri.fsPath : undefined;
  }
  return uriToPath(uri) ?? (activeOkiteDocument()?.uri.scheme === 'file' ? activeOkiteDocument()?.uri.fsPath : undefined);
}

function folderOf(file: string | undefined): vscode.WorkspaceFolder | undefined {
  return (file && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))) || vscode.workspace.workspaceFolders?.[0];
}

/** okite.runTest (code lens): the tests of the file's policy set. */
async function runTest(uri: unknown, name: unknown): Promise<void> {
  const file = targetFile(uri);
  const folder = folderOf(file);
  const root = findPolicyRoot(file, folder?.uri.fsPath);
  if (!root) {
    void vscode.window.showErrorMessage('Okite: no policy set to test (open a .okite file or a folder).');
    return;
  }
  const label = typeof name === 'string' && name !== '' ? `test: ${name}` : 'test';
  await runInTerminal(folder, label, testArgs(root, typeof name === 'string' && name !== '' ? name : undefined));
}

/** okite.evaluateRule (code lens): the rule's policy set against the sample facility. */
async function evaluateRule(rule: unknown, uri: unknown): Promise<void> {
  const file = targetFile(uri);
  const folder = folderOf(file);
  const ws = folder?.uri.fsPath;
  const root = findPolicyRoot(file, ws);
  if (!root) {
    void vscode.window.showErrorMessage('Okite: no policy set to evaluate (open a .okite file or a folder).');
    return;
  }
  const setting = vscode.workspace.getConfiguration('okite', folder?.uri).get<string>('sampleFacility');
  let snapshot = resolveSampleFacility(setting, root, ws);
  if (!fs.existsSync(snapshot)) {
    const choice = await vscode.window.showErrorMessage(
      `Okite: the sample facility ${snapshot} does not exist. Set "okite.sampleFacility" or choose a snapshot.`,
      'Choose Snapshot…',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'okite.sampleFacility');
      return;
    }
    const chosen = choice === 'Choose Snapshot…' ? await chooseSnapshot(root) : undefined;
    if (!chosen) {
      return;
    }
    snapshot = chosen;
  }
  const label = typeof rule === 'string' && rule !== '' ? `eval: ${rule}` : 'eval';
  await runInTerminal(folder, label, evalArgs(root, snapshot, true, typeof rule === 'string' && rule !== '' ? rule : undefined));
}

async function chooseSnapshot(root: string): Promise<string | undefined> {
  const fixtures = path.join(root, 'fixtures');
  const picked = await vscode.window.showOpenDialog({
    title: 'Evaluate which fact snapshot?',
    defaultUri: vscode.Uri.file(fs.existsSync(fixtures) ? fixtures : root),
    canSelectMany: false,
    openLabel: 'Evaluate',
    filters: { 'Fact snapshots': ['json', 'yaml', 'yml', 'ndjson'], 'All files': ['*'] },
  });
  return picked?.[0]?.fsPath;
}

/** okite.evaluate: `okite eval --explain` on a chosen snapshot; the report in an output channel. */
async function evaluateChosenSnapshot(): Promise<void> {
  const doc = activeOkiteDocument();
  const file = doc?.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
  const folder = folderOf(file);
  const root = findPolicyRoot(file, folder?.uri.fsPath);
  if (!root) {
    void vscode.window.showErrorMessage('Okite: no policy set to evaluate (open a .okite file or a folder).');
    return;
  }
  const snapshot = await chooseSnapshot(root);
  if (!snapshot) {
    return;
  }
  const bin = binary(folder?.uri);
  const args = evalArgs(root, snapshot, false);
  const out = evalOutput!;
  out.clear();
  out.show(true);
  out.appendLine(`$ ${displayCommand(bin, args)}`);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Okite: evaluating…' },
    () =>
      new Promise<void>((resolve) => {
        execFile(bin, args, { cwd: folder?.uri.fsPath, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
          out.append(stdout);
          if (stderr) {
            out.append(stderr);
          }
          const code = error && typeof error.code === 'number' ? error.code : error ? undefined : 0;
          if (code === 0) {
            out.appendLine('\nNo rule fails.');
          } else if (code === 1) {
            out.appendLine('\nSome rules fail (exit 1).');
          } else {
            out.appendLine(`\nokite eval failed: ${error?.message ?? 'unknown error'}`);
            void vscode.window.showErrorMessage(
              code === undefined
                ? `Okite: could not run \`${bin}\`. Install okite and put it on PATH, or set "okite.path".`
                : `Okite: okite eval failed (exit ${code}); see the "Okite Evaluation" output.`,
            );
          }
          resolve();
        });
      }),
  );
}
