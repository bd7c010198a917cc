/**
 * The repo map: every file of the codebase by path, with the top-level declarations of the files
 * whose language has a grammar, ordered by how much the rest of the repo refers to them. It stands
 * in for the files a request does not see in full (docs/context.md, "The repo map").
 *
 * Two halves so the scan can stream: `outlineFile` parses one file into a small outline (no
 * content kept), `assembleRepoMap` turns all outlines into the graph, the ranking and the rendered
 * text. The result depends only on the set of (path, content) pairs: never on their order, the
 * time or the machine.
 */
import { createHash } from 'node:crypto';
import { estimateTokens } from '../shared/tokens.js';
import { outline } from './outline.js';
import { rankFiles } from './rank-files.js';
import { renderMap } from './render-map.js';
import type { SubpathMap } from './package-json.js';
import type { TsconfigSettings } from './tsconfig-paths.js';

/** One file as the scan read it: repo-relative POSIX path and its text. */
export interface MapSource {
  path: string;
  content: string;
}

/** A top-level declaration: its kind (`function`, `class`, `method`, `type`…), name, one-line signature and 1-based line. */
export interface Declaration {
  kind: string;
  name: string;
  signature: string;
  line: number;
}

/** What one file contributes to the map; small, no content. */
export interface FileOutline {
  path: string;
  /** The grammar's language id (`typescript`, `python`…), `go.mod`, `package.json` or `tsconfig`, or null: no grammar, path only. */
  language: string | null;
  declarations: Declaration[];
  /** Raw import specifiers, as written (`./a.js`, `pkg.mod`, `example.com/m/pkg`). */
  imports: string[];
  /** Identifiers the file uses (for the ranking), sorted, unique. */
  references: string[];
  /** The namespaces a C# file declares (full names, sorted); absent when none. */
  namespaces?: string[];
  /** A package.json's `exports` and `imports` (absent when it has neither). */
  packageJson?: { exports: SubpathMap; imports: SubpathMap };
  /** A `tsconfig`'s module settings (absent when it does not parse). */
  tsconfig?: TsconfigSettings;
}

export interface RepoMap {
  /** The rendered map; byte-identical for the same set of files. */
  text: string;
  /** estimateTokens(text). */
  tokens: number;
  /** sha256 of text, hex. */
  sha256: string;
  /** path -> repo files it imports (resolved), sorted. */
  imports: ReadonlyMap<string, readonly string[]>;
  /** path -> repo files that import it, sorted. */
  importedBy: ReadonlyMap<string, readonly string[]>;
  /** PageRank of each file over the reference graph (sums to 1 over the files). */
  rank: ReadonlyMap<string, number>;
}

/** The outline of one file (outline.ts): parsed when its language has a grammar, else path only. */
export function outlineFile(path: string, content: string): Promise<FileOutline> {
  return outline(path, content);
}

export interface RepoMapOptions {
  /**
   * A budget for `text` (estimateTokens): every path stays, but declarations are kept only for the
   * highest-ranked files whose lines fit; a line in the map says how many files are path-only.
   * Paths alone may exceed it. Default: no budget, every declaration.
   */
  maxTokens?: number;
}

/** The map of a set of outlines: pure, and independent of their order. Two outlines of one path are a caller's bug. */
export function assembleRepoMap(outlines: readonly FileOutline[], options: RepoMapOptions = {}): RepoMap {
  const sorted = [...outlines].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.path === sorted[i - 1]!.path) throw new Error(`assembleRepoMap: two outlines for ${JSON.stringify(sorted[i]!.path)}`);
  }
  const { imports, rank } = rankFiles(sorted);
  const importedBy = new Map<string, string[]>(sorted.map((o) => [o.path, []]));
  for (const o of sorted) for (const target of imports.get(o.path)!) importedBy.get(target)!.push(o.path);
  const byRank = [...sorted].sort((a, b) => rank.get(b.path)! - rank.get(a.path)! || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const text = renderMap(byRank, options.maxTokens);
  return { text, tokens: estimateTokens(text), sha256: createHash('sha256').update(text).digest('hex'), imports, importedBy, rank };
}

/** Convenience: outline every file (one at a time: the parser is shared), then assemble. */
export async function buildRepoMap(files: readonly MapSource[], options: RepoMapOptions = {}): Promise<RepoMap> {
  const outlines: FileOutline[] = [];
  for (const f of files) outlines.push(await outlineFile(f.path, f.content));
  return assembleRepoMap(outlines, options);
}
