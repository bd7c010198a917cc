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
  /** The grammar's language id (`typescript`, `python`…), or null: no grammar, path only. */
  language: string | null;
  declarations: Declaration[];
  /** Raw import specifiers, as written (`./a.js`, `pkg.mod`, `example.com/m/pkg`). */
  imports: string[];
  /** Identifiers the file uses (for the ranking), sorted, unique. */
  references: string[];
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

/** The outline of one file. Interface commit: every file is path-only until the parser lands. */
export async function outlineFile(path: string, _content: string): Promise<FileOutline> {
  return { path, language: null, declarations: [], imports: [], references: [] };
}

/** The map of a set of outlines: pure, and independent of their order. */
export function assembleRepoMap(outlines: readonly FileOutline[]): RepoMap {
  const paths = [...new Set(outlines.map((o) => o.path))].sort();
  const text = `<repo_map files="${paths.length}">\n${paths.map((p) => `${p}\n`).join('')}</repo_map>\n`;
  const empty: readonly string[] = [];
  return {
    text,
    tokens: estimateTokens(text),
    sha256: createHash('sha256').update(text).digest('hex'),
    imports: new Map(paths.map((p) => [p, empty])),
    importedBy: new Map(paths.map((p) => [p, empty])),
    rank: new Map(paths.map((p) => [p, 1 / paths.length])),
  };
}

/** Convenience: outline every file, then assemble. */
export async function buildRepoMap(files: readonly MapSource[]): Promise<RepoMap> {
  const outlines: FileOutline[] = [];
  for (const f of files) outlines.push(await outlineFile(f.path, f.content));
  return assembleRepoMap(outlines);
}
