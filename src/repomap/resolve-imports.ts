/**
 * Import specifiers to repo files. Only what can be resolved from the repo's paths and its own
 * config files (tsconfig, go.mod, package.json, Cargo.toml), indexed once per map build:
 *
 * - relative specifiers (`./a`, `../b/c.js`; TS/JS, and C/C++ `#include "x.h"`, Ruby
 *   `require_relative`, shell `source`): the path itself, then with a TypeScript source extension
 *   in place of a `.js`-family one, then with each known extension appended, then as a directory's
 *   `index` file;
 * - Python dotted modules (`a.b`, `.sibling`, `..pkg.mod`): `a/b.py` or `a/b/__init__.py`, found
 *   under any source root (the shortest matching path wins), relative ones from the importing
 *   file's package;
 * - Go import paths: the directory under a `go.mod` whose module path prefixes the import; every
 *   non-test `.go` file of that directory;
 * - TS/JS bare specifiers: through the `paths` of the nearest tsconfig/jsconfig (an exact key, else
 *   the longest matching prefix; each target in order, with the relative rules above), then
 *   relative to its `baseUrl` (tsconfig-paths.ts), then as a workspace package of the repo (a
 *   `package.json` `name`, a subpath through its `exports`); `#subpath` imports through the
 *   `imports` of the file's nearest package.json (package-json.ts);
 * - Java classes and packages: files whose path ends with the dotted name (resolve-java.ts);
 * - Rust `mod a;` and `use crate::…`/`self::`/`super::`/`other_crate::` paths: module files
 *   under the crate's `src/` (resolve-rust.ts);
 * - C# `using` a namespace: the files that declare it; `using static`/an alias of a type: the
 *   files of its namespace that declare the type (resolve-csharp.ts).
 *
 * Packages and anything else that does not name a file of the repo resolve to nothing.
 */
import { dirOf, type FileSet, fileSet, firstFile, join, normalize, SCRIPT_EXTENSIONS } from './import-paths.js';
import { indexPackages, type PackageIndex, resolveSubpathImport, resolveWorkspacePackage } from './package-json.js';
import type { FileOutline } from './repo-map.js';
import { type CsharpIndex, indexCsharp, resolveCsharp } from './resolve-csharp.js';
import { indexJava, type JavaIndex, resolveJava } from './resolve-java.js';
import { indexRust, type RustIndex, resolveRust } from './resolve-rust.js';
import { indexTsconfigs, resolveTsconfigPaths, type TsconfigIndex } from './tsconfig-paths.js';

const RELATIVE_EXTENSIONS: Record<string, readonly string[]> = { ruby: ['.rb'], bash: ['.sh', '.bash'], cpp: [] };

/** The repo's files, indexed once for every resolution. */
export interface ResolveIndex extends FileSet {
  /** Python module name -> the files it can be (`a.b` -> `src/a/b.py`, `a/b/__init__.py`…), shortest path first. */
  pythonModules: ReadonlyMap<string, readonly string[]>;
  /** go.mod directory ('' at the root) and module path, longest module path first. */
  goModules: readonly { dir: string; module: string }[];
  /** directory -> its non-test .go files. */
  goDirs: ReadonlyMap<string, readonly string[]>;
  /** package.json files: workspace packages by name, package scopes' `imports`. */
  packages: PackageIndex;
  /** tsconfig/jsconfig `paths` and `baseUrl`. */
  tsconfig: TsconfigIndex;
  java: JavaIndex;
  rust: RustIndex;
  csharp: CsharpIndex;
}

export function indexFiles(outlines: readonly FileOutline[]): ResolveIndex {
  const { files, dirs } = fileSet(outlines.map((o) => o.path));
  const pythonModules = new Map<string, string[]>();
  const goModules: { dir: string; module: string }[] = [];
  const goDirs = new Map<string, string[]>();
  for (const o of outlines) {
    const p = o.path;
    if (p.endsWith('.py')) {
      const parts = p.slice(0, -3).split('/');
      if (parts[parts.length - 1] === '__init__') parts.pop();
      // A file is importable as the dotted path below any directory that is not itself a package
      // (a source root: the repo root, src/, lib/…): src/pkg/mod.py is `pkg.mod`, not `mod`.
      for (let i = 0; i < parts.length; i++) {
        if (i > 0 && files.has(`${parts.slice(0, i).join('/')}/__init__.py`)) continue;
        const name = parts.slice(i).join('.');
        const list = pythonModules.get(name) ?? [];
        list.push(p);
        pythonModules.set(name, list);
      }
    } else if (o.language === 'go.mod') {
      const module = o.declarations[0]?.name;
      if (module) goModules.push({ dir: dirOf(p), module });
    } else if (p.endsWith('.go') && !p.endsWith('_test.go')) {
      const list = goDirs.get(dirOf(p)) ?? [];
      list.push(p);
      goDirs.set(dirOf(p), list);
    }
  }
  for (const list of pythonModules.values()) list.sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  for (const list of goDirs.values()) list.sort();
  goModules.sort((a, b) => b.module.length - a.module.length || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  return {
    files,
    dirs,
    pythonModules,
    goModules,
    goDirs,
    packages: indexPackages(outlines),
    tsconfig: indexTsconfigs(outlines),
    java: indexJava(outlines),
    rust: indexRust(outlines),
    csharp: indexCsharp(outlines),
  };
}

/** The repo files that `spec`, imported by `from`, names (none, one, or a Go package's files). */
export function resolveImport(index: ResolveIndex, from: FileOutline, spec: string): readonly string[] {
  switch (from.language) {
    case 'python':
      return resolvePython(index, from.path, spec);
    case 'go':
      return resolveGo(index, spec);
    case 'java':
      return resolveJava(index.java, spec);
    case 'rust':
      return resolveRust(index.rust, from.path, spec);
    case 'csharp':
      return resolveCsharp(index.csharp, spec);
    default: {
      if (from.language === 'typescript' || from.language === 'tsx' || from.language === 'javascript') {
        if (!spec.startsWith('.') && !spec.startsWith('/')) {
          const hit = resolveTsconfigPaths(index.tsconfig, index, from.path, spec);
          if (hit) return [hit];
          return spec.startsWith('#')
            ? resolveSubpathImport(index.packages, index, from.path, spec)
            : resolveWorkspacePackage(index.packages, index, spec);
        }
      }
      if (!spec.startsWith('./') && !spec.startsWith('../') && !(from.language === 'cpp' && !spec.startsWith('/'))) return [];
      const base = normalize(join(dirOf(from.path), spec));
      if (base === null) return [];
      const extensions = RELATIVE_EXTENSIONS[from.language ?? ''] ?? SCRIPT_EXTENSIONS;
      const hit = firstFile(index, base, extensions);
      return hit ? [hit] : [];
    }
  }
}

function resolvePython(index: ResolveIndex, from: string, spec: string): readonly string[] {
  const dots = /^\.*/.exec(spec)![0].length;
  if (dots > 0) {
    let dir = dirOf(from);
    for (let i = 1; i < dots; i++) {
      if (!dir) return [];
      dir = dirOf(dir);
    }
    const rest = spec.slice(dots).replace(/\./g, '/');
    const base = rest ? join(dir, rest) : dir;
    for (const c of [`${base}.py`, `${base}/__init__.py`]) if (index.files.has(c)) return [c];
    return [];
  }
  const hit = index.pythonModules.get(spec)?.[0];
  return hit ? [hit] : [];
}

function resolveGo(index: ResolveIndex, spec: string): readonly string[] {
  for (const { dir, module } of index.goModules) {
    if (spec !== module && !spec.startsWith(`${module}/`)) continue;
    return index.goDirs.get(normalize(join(dir, spec.slice(module.length))) ?? '') ?? [];
  }
  return [];
}
