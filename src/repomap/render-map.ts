/**
 * The map as text (layout in docs/context.md, "The repo map"):
 *
 *     <repo_map files="3">
 *     (one line saying how to read it)
 *     src/shared/tokens.ts
 *       export function estimateTokens(text: string): number
 *     src/cli/main.ts
 *       export class Cli
 *         run(argv: string[]): Promise<number>
 *     docs/notes.txt
 *     </repo_map>
 *
 * Files most referred-to first (ties by path), each file's declarations in source order, methods
 * and fields one step further in. A path is a line of its own at the left margin: control and
 * line-separator characters in it, and leading blanks, are written as `\u{…}` escapes; signatures
 * are already one line (signature.ts) and always indented, so no file's text can fake a path line
 * or end the map: when a signature holds `</repo_map>`, the tag becomes `repo_map_2` (then `_3`…),
 * as the codebase context does for `</file>`.
 */
import type { FileOutline } from './repo-map.js';

const LEGEND =
  'Every file of the repository, the ones the rest of the code refers to most first. Under a file, indented: its top-level declarations in source order, one line each, bodies left out (methods one step further in).';

const UNSAFE_IN_PATH = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|^\s+/gu;

function escapePath(p: string): string {
  return p.replace(UNSAFE_IN_PATH, (s) => [...s].map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join(''));
}

/** The map of `outlines` in the order given (the caller sorts them by rank). */
export function renderMap(outlines: readonly FileOutline[]): string {
  const lines: string[] = [LEGEND];
  for (const o of outlines) {
    lines.push(escapePath(o.path));
    for (const d of o.declarations) lines.push(`${d.kind === 'method' || d.kind === 'field' ? '    ' : '  '}${d.signature}`);
  }
  const body = `${lines.join('\n')}\n`;
  let tag = 'repo_map';
  for (let k = 2; body.includes(`</${tag}>`) || body.includes(`<${tag} `); k++) tag = `repo_map_${k}`;
  return `<${tag} files="${outlines.length}">\n${body}</${tag}>\n`;
}
