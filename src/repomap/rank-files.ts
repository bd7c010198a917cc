/**
 * The file graph and its PageRank. The idea is aider's repo map (aider/repomap.py, Aider-AI/aider:
 * files are nodes, an edge runs from a file that uses an identifier to each file that defines it,
 * and PageRank over that graph says which files the rest of the repo leans on); the code and the
 * weights here are our own:
 *
 * - a resolved import A -> B weighs 1 (spread over the files of a Go package);
 * - an identifier r used by A and defined at the top level of D (D ≠ A) adds w(r) / (number of
 *   files defining r) to A -> D (in TS/JS, Python and Go only when A imports D or, in Go, shares
 *   its package), where w(r) is 2 for a long, distinctive name (8+ characters with
 *   an inner capital or underscore), 0.1 for a private-looking one (`_x`), 1 otherwise, and a name
 *   defined in more than 5 files counts a tenth (a generic name says little about which file is
 *   meant);
 * - PageRank with damping 0.85, uniform teleport, dangling files' rank spread uniformly, at most
 *   100 iterations or until the L1 change is below 1e-10.
 *
 * Deterministic: files are numbered in path order and every sum runs in that order, so the same
 * set of outlines gives the same floats whatever order they came in.
 */
import { DEFINING_KINDS } from './outline.js';
import type { Declaration, FileOutline } from './repo-map.js';
import { indexFiles, resolveImport } from './resolve-imports.js';

const DAMPING = 0.85;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-10;

export interface FileGraph {
  /** path -> resolved repo files it imports, sorted, without itself. */
  imports: Map<string, string[]>;
  /** path -> its PageRank (the ranks sum to 1). */
  rank: Map<string, number>;
}

/** `outlines` sorted by path, one per path. */
export function rankFiles(outlines: readonly FileOutline[]): FileGraph {
  const n = outlines.length;
  const id = new Map(outlines.map((o, i) => [o.path, i]));
  const index = indexFiles(outlines);
  const edges: Map<number, number>[] = outlines.map(() => new Map());
  const link = (from: number, to: number, w: number) => {
    if (from !== to && w > 0) edges[from]!.set(to, (edges[from]!.get(to) ?? 0) + w);
  };

  const imports = new Map<string, string[]>();
  outlines.forEach((o, i) => {
    const targets = new Set<string>();
    for (const spec of o.imports) {
      const files = resolveImport(index, o, spec).filter((f) => f !== o.path);
      for (const f of files) {
        targets.add(f);
        link(i, id.get(f)!, 1 / files.length);
      }
    }
    imports.set(o.path, [...targets].sort());
  });

  const definers = new Map<string, number[]>();
  outlines.forEach((o, i) => {
    for (const d of o.declarations) {
      if (!visibleElsewhere(o, d)) continue;
      // `export { a, b as c }` defines each name it lists
      for (const name of d.kind === 'export' ? d.name.split(', ') : [d.name]) {
        if (name === 'default' || !/^[A-Za-z_$][\w$]*$/.test(name)) continue;
        const list = definers.get(name);
        if (!list) definers.set(name, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    }
  });
  outlines.forEach((o, i) => {
    const precise = o.language !== null && RESOLVED.has(o.language);
    const imported = precise ? new Set(imports.get(o.path)!.map((p) => id.get(p)!)) : null;
    for (const r of o.references) {
      const defs = definers.get(r);
      if (!defs) continue;
      const w = nameWeight(r) * (defs.length > 5 ? 0.1 : 1);
      for (const d of defs)
        if (!imported || imported.has(d) || (o.language === 'go' && sameDir(o.path, outlines[d]!.path))) link(i, d, w / defs.length);
    }
  });

  const ranks = pageRank(
    n,
    edges.map((m) => [...m.entries()].sort((a, b) => a[0] - b[0])),
  );
  return { imports, rank: new Map(outlines.map((o, i) => [o.path, ranks[i]!])) };
}

/**
 * Languages whose imports resolve to files: there a name counts only towards the files the user
 * imports (or, in Go, the files of its own package), since a word that merely matches a name
 * exported somewhere else (`parse`, `config`) says nothing. Elsewhere (Java, C#, Rust…) any file
 * defining the name counts, as in aider.
 */
const RESOLVED = new Set(['typescript', 'tsx', 'javascript', 'python', 'go']);

const sameDir = (a: string, b: string) => a.slice(0, a.lastIndexOf('/') + 1) === b.slice(0, b.lastIndexOf('/') + 1);

/**
 * Whether a declaration can be what another file's identifier refers to: in a TS/JS module only
 * what it exports (or declares globally), in Python names without a leading underscore, in Go
 * anything (files of one package see each other's names), elsewhere any top-level name.
 */
function visibleElsewhere(o: FileOutline, d: Declaration): boolean {
  if (o.language === 'go.mod' || o.language === 'package.json' || o.language === 'cargo.toml') return false;
  if (!DEFINING_KINDS(d.kind)) return d.kind === 'export' && o.language !== 'python';
  if (o.language === 'typescript' || o.language === 'tsx' || o.language === 'javascript') return /^(?:export|declare)\b/.test(d.signature);
  if (o.language === 'python') return !d.name.startsWith('_');
  return true;
}

function nameWeight(name: string): number {
  if (name.startsWith('_')) return 0.1;
  if (name.length >= 8 && /[a-z][A-Z]|[a-zA-Z]_[a-zA-Z]/.test(name)) return 2;
  return 1;
}

/** PageRank over weighted out-edges (`out[i]`: [target, weight] sorted by target). */
function pageRank(n: number, out: readonly (readonly [number, number])[][]): Float64Array {
  let rank = new Float64Array(n).fill(n ? 1 / n : 0);
  const totals = out.map((es) => es.reduce((s, [, w]) => s + w, 0));
  for (let iter = 0; iter < MAX_ITERATIONS && n > 0; iter++) {
    const next = new Float64Array(n);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      const total = totals[i]!;
      if (total === 0) {
        dangling += rank[i]!;
        continue;
      }
      const share = rank[i]! / total;
      for (const [j, w] of out[i]!) next[j]! += share * w;
    }
    const base = (1 - DAMPING) / n + (DAMPING * dangling) / n;
    let delta = 0;
    for (let j = 0; j < n; j++) {
      const v = base + DAMPING * next[j]!;
      delta += Math.abs(v - rank[j]!);
      next[j] = v;
    }
    rank = next;
    if (delta < TOLERANCE) break;
  }
  return rank;
}
