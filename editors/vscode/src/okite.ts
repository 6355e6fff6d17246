// What the extension decides without VS Code: command ids shared with the language server,
// where a policy set's root is, and the okite command lines it runs. Kept free of the `vscode`
// module so that the unit tests run under plain Node.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Commands the extension registers. */
export const Commands = {
  restartServer: 'okite.restartServer',
  runTests: 'okite.runTests',
  evaluate: 'okite.evaluate',
  /** Arguments: the test file's URI (string), the test's name (string, optional). */
  runTest: 'okite.runTest',
  /** Arguments: the rule's qualified name (string), the rule file's URI (string, optional). */
  evaluateRule: 'okite.evaluateRule',
} as const;

/**
 * Command ids the language server may put in code lenses, and the client command that runs
 * each. The client rewrites them (see `clientCommandFor`), so the server need not implement
 * `workspace/executeCommand` for them; the arguments are passed on unchanged.
 */
export const ServerCommands: Readonly<Record<string, string>> = {
  'okite/runTests': Commands.runTest,
  'okite/runTest': Commands.runTest,
  'okite/evaluate': Commands.evaluateRule,
  'okite/evaluateRule': Commands.evaluateRule,
};

/** The client command that runs a code lens's command id, or undefined to leave it alone. */
export function clientCommandFor(id: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(ServerCommands, id) ? ServerCommands[id] : undefined;
}

/** The subdirectory whose presence marks a policy set's root (`fixtures/compliant.json`). */
export const FIXTURES_DIR = 'fixtures';
/** The sample facility looked for when `okite.sampleFacility` is empty. */
export const DEFAULT_SAMPLE = path.join(FIXTURES_DIR, 'compliant.json');
/** The CLI's default policy directory, relative to the workspace folder. */
export const DEFAULT_POLICY_DIR = 'policies';

export type Exists = (p: string) => boolean;
export const fsExists: Exists = (p) => fs.existsSync(p);

function isWithin(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The root directory of the policy set a file belongs to: the nearest directory, from the
 * file's own up to the workspace folder, that has a `fixtures/` subdirectory (Hachioji:
 * policies/hachioji). Otherwise the workspace folder's `policies/` when there is one (the
 * CLI's default), else the workspace folder, else the file's directory.
 */
export function findPolicyRoot(file: string | undefined, workspaceRoot: string | undefined, exists: Exists = fsExists): string | undefined {
  if (file) {
    let dir = path.dirname(file);
    for (;;) {
      if (exists(path.join(dir, FIXTURES_DIR))) {
        return dir;
      }
      const parent = path.dirname(dir);
      if (parent === dir || (workspaceRoot !== undefined && (dir === workspaceRoot || !isWithin(parent, workspaceRoot)))) {
        break;
      }
      dir = parent;
    }
  }
  if (workspaceRoot !== undefined) {
    const policies = path.join(workspaceRoot, DEFAULT_POLICY_DIR);
    return exists(policies) ? policies : workspaceRoot;
  }
  return file ? path.dirname(file) : undefined;
}

/**
 * The okite binary from the `okite.path` setting: `${workspaceFolder}` is replaced; a bare
 * name (no slash) is left for PATH lookup; a relative path is taken from the workspace folder.
 */
export function resolveBinary(setting: string | undefined, workspaceRoot: string | undefined): string {
  let p = (setting ?? '').trim() || 'okite';
  if (workspaceRoot !== undefined) {
    p = p.split('${workspaceFolder}').join(workspaceRoot);
  }
  if (p.startsWith('~/') && process.env.HOME) {
    p = path.join(process.env.HOME, p.slice(2));
  }
  const bare = !p.includes('/') && !p.includes('\\');
  if (bare || path.isAbsolute(p) || workspaceRoot === undefined) {
    return p;
  }
  return path.resolve(workspaceRoot, p);
}

/**
 * The snapshot the Evaluate code lens uses: `okite.sampleFacility` (absolute, or relative to
 * the workspace folder, `${workspaceFolder}` replaced), else `fixtures/compliant.json` in the
 * policy set's root.
 */
export function resolveSampleFacility(setting: string | undefined, policyRoot: string, workspaceRoot: string | undefined): string {
  let p = (setting ?? '').trim();
  if (p === '') {
    return path.join(policyRoot, DEFAULT_SAMPLE);
  }
  if (workspaceRoot !== undefined) {
    p = p.split('${workspaceFolder}').join(workspaceRoot);
  }
  return path.isAbsolute(p) ? p : path.resolve(workspaceRoot ?? policyRoot, p);
}

/** A file path from a URI string (`file:///…`) or a plain path; undefined for other schemes. */
export function uriToPath(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || uri === '') {
    return undefined;
  }
  if (uri.startsWith('file:')) {
    return fileURLToPath(uri);
  }
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri) && !/^[a-zA-Z]:[\\/]/.test(uri) ? undefined : uri;
}

/**
 * `okite test` over a policy set, optionally only the tests whose name contains `name`. A test
 * file is run with its whole policy set (its rules live in other files).
 */
export function testArgs(policyRoot: string, name?: string): string[] {
  return name ? ['test', policyRoot, '--filter', name] : ['test', policyRoot];
}

/**
 * `okite eval --policy ROOT SNAPSHOT --explain` (the human report, every finding explained),
 * optionally reporting only one rule.
 */
export function evalArgs(policyRoot: string, snapshot: string, color = true, rule?: string): string[] {
  return [
    'eval',
    '--policy',
    policyRoot,
    snapshot,
    '--explain',
    ...(rule ? ['--rule', rule, '--verbose'] : []),
    ...(color ? [] : ['--color', 'never']),
  ];
}

/** A command line for showing to people (POSIX-shell quoting). */
export function displayCommand(binary: string, args: readonly string[]): string {
  const q = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [binary, ...args].map(q).join(' ');
}

/**
 * Where a command would be found: a path with a slash must exist; a bare name is looked up on
 * PATH (with PATHEXT on Windows). Undefined when it cannot be found.
 */
export function findExecutable(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  exists: Exists = (p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  },
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (command.includes('/') || command.includes('\\')) {
    return exists(command) ? command : undefined;
  }
  const windows = platform === 'win32';
  const sep = windows ? ';' : ':';
  const exts = windows ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)] : [''];
  const pathVar = env.PATH ?? env.Path ?? '';
  for (const dir of pathVar.split(sep).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = (windows ? path.win32 : path.posix).join(dir, command + ext);
      if (exists(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}
