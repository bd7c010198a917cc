/**
 * A group's own context in `map` mode (docs/context.md, "Map mode"): the files the group's tasks
 * rewrite, in full, then the files those import and the files that import them (by the map's rank,
 * highest first), then the other files of the same directories (by rank), each added while the
 * budget has room for it. The block lists its files sorted by path, so two groups that select the
 * same files send the same bytes and share one cached prefix.
 */
import { posix } from 'node:path';
import { comparePaths } from '../repo/scan.js';
import { fileSections } from '../repo/context.js';
import { estimateTokens } from '../shared/tokens.js';

/** The map's graph, as far as the selection needs it. */
export interface RelatedGraph {
  imports: ReadonlyMap<string, readonly string[]>;
  importedBy: ReadonlyMap<string, readonly string[]>;
  rank: ReadonlyMap<string, number>;
}

export interface GroupSelectionInput {
  /** Repo paths of the group's tasks (files that do not exist yet are allowed: they add their directory only). */
  own: readonly string[];
  /** Tokens of each codebase file's section in the block (`sectionTokens`). */
  tokens: ReadonlyMap<string, number>;
  /** Codebase paths by directory (`byDirectory`). */
  dirs: ReadonlyMap<string, readonly string[]>;
  graph: RelatedGraph;
  /** Most tokens of the selected files' sections; the own files are always selected. */
  budget: number;
  /** Files sent in full elsewhere in the request (the earlier stages' block): never selected. */
  skip?: ReadonlySet<string>;
}

export interface GroupSelection {
  /** Every selected path, sorted (the block's order). */
  paths: string[];
  /** The own files among them (tasks' files that exist in the codebase), in task order. */
  own: string[];
  /** Sum of the selected sections' tokens. */
  tokens: number;
  /** Sum of the own sections' tokens. */
  ownTokens: number;
}

export function selectGroupContext(input: GroupSelectionInput): GroupSelection {
  const skip = input.skip ?? new Set<string>();
  const chosen = new Set<string>();
  const own: string[] = [];
  let tokens = 0;
  for (const p of input.own) {
    const t = input.tokens.get(p);
    if (t === undefined || skip.has(p) || chosen.has(p)) continue;
    chosen.add(p);
    own.push(p);
    tokens += t;
  }
  const ownTokens = tokens;
  const rank = (p: string) => input.graph.rank.get(p) ?? 0;
  const byRank = (a: string, b: string) => rank(b) - rank(a) || comparePaths(a, b);
  const take = (candidates: Iterable<string>) => {
    const fresh = [...new Set(candidates)].filter((p) => !chosen.has(p) && !skip.has(p) && input.tokens.has(p)).sort(byRank);
    for (const p of fresh) {
      const t = input.tokens.get(p)!;
      if (tokens + t > input.budget) continue;
      chosen.add(p);
      tokens += t;
    }
  };
  take(own.flatMap((p) => [...(input.graph.imports.get(p) ?? []), ...(input.graph.importedBy.get(p) ?? [])]));
  take(input.own.flatMap((p) => input.dirs.get(posix.dirname(p)) ?? []));
  return { paths: [...chosen].sort(comparePaths), own, tokens, ownTokens };
}

/** Tokens of each file's section (`fileSections` of that file alone): their sum bounds the block's files from above. */
export function sectionTokens(files: readonly { path: string; content: string }[]): Map<string, number> {
  return new Map(files.map((f) => [f.path, estimateTokens(fileSections([f]))]));
}

/** Paths by their directory (`.` for the root). */
export function byDirectory(paths: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of paths) {
    const dir = posix.dirname(p);
    const list = out.get(dir);
    if (list) list.push(p);
    else out.set(dir, [p]);
  }
  return out;
}

/** The header of a group's block; its tokens count against the window, not the budget. */
export const GROUP_CONTEXT_HEADER =
  "# Files of this group\n\nThe files this request's tasks rewrite and the files most related to them (what they import, what imports them, " +
  'files of the same directories), each in full as <file path="PATH">…</file>, framed like the earlier blocks. ' +
  'Every other file of the repository is in the repo map above only: its path and top-level declarations.\n';

/** The block of a group's selected files, in path order. */
export function groupContextText(files: readonly { path: string; content: string }[]): string {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  return GROUP_CONTEXT_HEADER + fileSections(sorted);
}

/** The header before the repo map's text. */
export const REPO_MAP_HEADER =
  '# Repo map\n\nThe codebase is larger than one request can hold, so every file of the repository is listed here by path, ' +
  'with its top-level declarations where its language is known, the most referred-to first. ' +
  "The files of this request's group follow in full in their own block.\n\n";
