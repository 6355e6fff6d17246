// A parser of VS Code's snippet syntax (the TextMate snippet grammar as VS Code implements it):
// tab stops `$1` `${1}`, placeholders `${1:default}` (nestable), choices `${1|a,b|}`,
// variables `$NAME` `${NAME:default}`, escapes `\$` `\}` `\\`. It rejects what VS Code would
// insert literally by mistake (an unclosed `${`) and expands a body with its defaults.

export interface SnippetInfo {
  /** The text inserted when every placeholder keeps its default (choices: the first). */
  expansion: string;
  tabStops: Set<number>;
  variables: Set<string>;
}

/** VS Code's snippet variables (a body naming another one inserts its name). */
const KNOWN_VARIABLES = new Set([
  'TM_SELECTED_TEXT', 'TM_CURRENT_LINE', 'TM_CURRENT_WORD', 'TM_LINE_INDEX', 'TM_LINE_NUMBER',
  'TM_FILENAME', 'TM_FILENAME_BASE', 'TM_DIRECTORY', 'TM_FILEPATH', 'RELATIVE_FILEPATH',
  'CLIPBOARD', 'WORKSPACE_NAME', 'WORKSPACE_FOLDER', 'CURSOR_INDEX', 'CURSOR_NUMBER',
  'CURRENT_YEAR', 'CURRENT_YEAR_SHORT', 'CURRENT_MONTH', 'CURRENT_MONTH_NAME', 'CURRENT_MONTH_NAME_SHORT',
  'CURRENT_DATE', 'CURRENT_DAY_NAME', 'CURRENT_DAY_NAME_SHORT', 'CURRENT_HOUR', 'CURRENT_MINUTE',
  'CURRENT_SECOND', 'CURRENT_SECONDS_UNIX', 'CURRENT_TIMEZONE_OFFSET', 'RANDOM', 'RANDOM_HEX', 'UUID',
  'BLOCK_COMMENT_START', 'BLOCK_COMMENT_END', 'LINE_COMMENT',
]);

export function parseSnippet(body: string): SnippetInfo {
  let i = 0;
  const tabStops = new Set<number>();
  const variables = new Set<string>();
  const defaults = new Map<number, string>();
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i} of ${JSON.stringify(body)}`);
  };

  // Parses text until `stop` (a closing `}` inside a placeholder) or the end; returns its expansion.
  function parseSeq(inside: boolean): string {
    let out = '';
    while (i < body.length) {
      const ch = body[i];
      if (ch === '\\') {
        const next = body[i + 1];
        if (next === '$' || next === '}' || next === '\\') {
          out += next;
          i += 2;
        } else {
          out += ch;
          i += 1;
        }
      } else if (ch === '}' && inside) {
        return out;
      } else if (ch === '$') {
        out += parseDollar();
      } else {
        out += ch;
        i += 1;
      }
    }
    if (inside) {
      fail('unclosed ${');
    }
    return out;
  }

  function parseDollar(): string {
    i += 1; // $
    const int = /^\d+/.exec(body.slice(i));
    if (int) {
      i += int[0].length;
      return useTabStop(Number(int[0]), undefined);
    }
    const name = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(body.slice(i));
    if (name) {
      i += name[0].length;
      return useVariable(name[0], undefined);
    }
    if (body[i] !== '{') {
      return '$'; // a lone dollar is text
    }
    i += 1; // {
    const id = /^(\d+|[_a-zA-Z][_a-zA-Z0-9]*)/.exec(body.slice(i));
    if (!id) {
      return fail('expected a tab stop number or a variable name after ${');
    }
    i += id[0].length;
    const isTab = /^\d/.test(id[0]);
    const next = body[i];
    if (next === '}') {
      i += 1;
      return isTab ? useTabStop(Number(id[0]), undefined) : useVariable(id[0], undefined);
    }
    if (next === ':') {
      i += 1;
      const inner = parseSeq(true);
      i += 1; // }
      return isTab ? useTabStop(Number(id[0]), inner) : useVariable(id[0], inner);
    }
    if (next === '|' && isTab) {
      const end = body.indexOf('|}', i + 1);
      if (end < 0) {
        return fail('unclosed choice');
      }
      const choices = body.slice(i + 1, end).split(/(?<!\\),/).map((c) => c.replace(/\\([,|\\])/g, '$1'));
      if (choices.length === 0 || choices.some((c) => c === '')) {
        return fail('empty choice');
      }
      i = end + 2;
      return useTabStop(Number(id[0]), choices[0]);
    }
    if (next === '/' && !isTab) {
      return fail('variable transforms are not used in these snippets');
    }
    return fail(`unexpected ${JSON.stringify(next)} in \${${id[0]}`);
  }

  function useTabStop(n: number, def: string | undefined): string {
    tabStops.add(n);
    if (def !== undefined && !defaults.has(n)) {
      defaults.set(n, def);
    }
    return defaults.get(n) ?? def ?? '';
  }

  function useVariable(name: string, def: string | undefined): string {
    if (!KNOWN_VARIABLES.has(name)) {
      fail(`unknown snippet variable ${name}`);
    }
    variables.add(name);
    return def ?? '';
  }

  const expansion = parseSeq(false);
  return { expansion, tabStops, variables };
}
