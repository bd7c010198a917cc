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
 * The map of `outlines` in the order given (the caller sorts them by rank). With a `maxTokens` the
 * full map exceeds, the first files (a prefix of the order: the highest-ranked) keep their path line
 * and declarations while they fit, and every other file is listed by path only, grouped one line per
 * directory (`dir/: a.ts b.ts`, names with blanks escaped), which costs a fraction of a line per
 * file. Paths alone can exceed the budget: every file's path is always listed.
 */
export function renderMap(outlines: readonly FileOutline[], maxTokens = Number.POSITIVE_INFINITY): string {
  const paths = outlines.map((o) => escapePath(o.path));
  const declared = outlines.map((o) => o.declarations.map((d) => `${d.kind === 'method' || d.kind === 'field' ? '    ' : '  '}${d.signature}`));
  const full = frame([LEGEND, ...paths.flatMap((p, i) => [p, ...declared[i]!])], outlines.length);
  if (estimateTokens(full) <= maxTokens) return full;

  // estimateTokens is additive over lines joined by newlines and over names joined by one space
  // (a newline or a run of blanks is a token of its own; no run spans one; names hold no blank).
  const lineCost = (l: string) => estimateTokens(l) + 1;
  const groups = new Map<string, { head: string; names: { name: string; i: number }[] }>();
  outlines.forEach((o, i) => {
    const cut = o.path.lastIndexOf('/');
    const dir = cut < 0 ? '' : o.path.slice(0, cut);
    let g = groups.get(dir);
    if (!g) {
      g = { head: `${dir ? noBlanks(escapePath(dir)) : '.'}/:`, names: [] };
      groups.set(dir, g);
    }
    g.names.push({ name: noBlanks(escapePath(o.path.slice(cut + 1))), i });
  });
  const dirOf = outlines.map(() => '');
  const nameOf = outlines.map(() => '');
  const left = new Map<string, number>();
  let used = 2 * lineCost('<repo_map_99 files="9999999">') + lineCost(LEGEND) + lineCost(cutNote(outlines.length, outlines.length, maxTokens));
  for (const [dir, g] of groups) {
    used += lineCost(g.head) + g.names.reduce((sum, n) => sum + 1 + estimateTokens(n.name), 0);
    left.set(dir, g.names.length);
    for (const n of g.names) {
      dirOf[n.i] = dir;
      nameOf[n.i] = n.name;
    }
  }
  let shown = 0;
  for (; shown < outlines.length; shown++) {
    const dir = dirOf[shown]!;
    const g = groups.get(dir)!;
    const saved = 1 + estimateTokens(nameOf[shown]!) + (left.get(dir) === 1 ? lineCost(g.head) : 0);
    const cost = lineCost(paths[shown]!) + declared[shown]!.reduce((sum, l) => sum + lineCost(l), 0) - saved;
    if (used + cost > maxTokens) break;
    used += cost;
    left.set(dir, left.get(dir)! - 1);
  }
  const lines = [LEGEND, cutNote(shown, outlines.length, maxTokens)];
  for (let i = 0; i < shown; i++) lines.push(paths[i]!, ...declared[i]!);
  for (const dir of [...groups.keys()].sort()) {
    const names = groups
      .get(dir)!
      .names.filter((n) => n.i >= shown)
      .map((n) => n.name);
    if (names.length) lines.push(`${groups.get(dir)!.head} ${names.sort().join(' ')}`);
  }
  return frame(lines, outlines.length);
}

/** The lines between the opening and closing tag, whose name no line can close. */
function frame(lines: readonly string[], files: number): string {
  const body = `${lines.join('\n')}\n`;
  let tag = 'repo_map';
  for (let k = 2; body.includes(`</${tag}>`) || body.includes(`<${tag} `); k++) tag = `repo_map_${k}`;
  return `<${tag} files="${files}">\n${body}</${tag}>\n`;
}

const noBlanks = (s: string) => s.replace(/\s/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);

const cutNote = (shown: number, total: number, maxTokens: number) =>
  `(To fit ${maxTokens} tokens: the first ${shown} files with their declarations; then the other ${total - shown} by path only, one line per directory: the directory, a colon, the names of its files.)`;
