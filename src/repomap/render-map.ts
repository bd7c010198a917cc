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
import { estimateTokens } from '../shared/tokens.js';
import type { FileOutline } from './repo-map.js';

const LEGEND =
  'Every file of the repository, the ones the rest of the code refers to most first. Under a file, indented: its top-level declarations in source order, one line each, bodies left out (methods one step further in).';

const UNSAFE_IN_PATH = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|^\s+/gu;

function escapePath(p: string): string {
  return p.replace(UNSAFE_IN_PATH, (s) => [...s].map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join(''));
}

/**
 * The map of `outlines` in the order given (the caller sorts them by rank). With `maxTokens`, every
 * path is still there, but declarations only for the first files whose lines fit the budget (a
 * prefix of the order: the highest-ranked files), and a line says how many files are path-only.
 * Paths alone can exceed the budget: every file's path is always listed.
 */
export function renderMap(outlines: readonly FileOutline[], maxTokens = Number.POSITIVE_INFINITY): string {
  const paths = outlines.map((o) => escapePath(o.path));
  const declared = outlines.map((o) => o.declarations.map((d) => `${d.kind === 'method' || d.kind === 'field' ? '    ' : '  '}${d.signature}`));
  // estimateTokens is additive over lines joined by newlines (a newline is a token of its own, no run spans one).
  const lineCost = (l: string) => estimateTokens(l) + 1;
  const frame = 2 * lineCost('<repo_map_99 files="9999999">') + lineCost(LEGEND) + lineCost(cutNote(outlines.length, outlines.length, maxTokens));
  let used = frame + paths.reduce((sum, p) => sum + lineCost(p), 0);
  let shown = 0;
  for (; shown < outlines.length; shown++) {
    const cost = declared[shown]!.reduce((sum, l) => sum + lineCost(l), 0);
    if (used + cost > maxTokens) break;
    used += cost;
  }
  const withDeclarations = outlines.slice(shown).some((o) => o.declarations.length) ? shown : outlines.length;
  const lines: string[] = [LEGEND];
  if (withDeclarations < outlines.length) lines.push(cutNote(withDeclarations, outlines.length, maxTokens));
  outlines.forEach((_, i) => {
    lines.push(paths[i]!);
    if (i < withDeclarations) lines.push(...declared[i]!);
  });
  const body = `${lines.join('\n')}\n`;
  let tag = 'repo_map';
  for (let k = 2; body.includes(`</${tag}>`) || body.includes(`<${tag} `); k++) tag = `repo_map_${k}`;
  return `<${tag} files="${outlines.length}">\n${body}</${tag}>\n`;
}

const cutNote = (shown: number, total: number, maxTokens: number) =>
  `(To fit ${maxTokens} tokens, declarations are shown for the first ${shown} files only; the other ${total - shown} are listed by path.)`;
