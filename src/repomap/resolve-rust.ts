/**
 * Rust module paths to repo files, as rustc finds a crate's modules:
 *
 * - `mod foo;` -> `foo.rs` or `foo/mod.rs` in the declaring file's module directory: its own
 *   directory for a crate root or a `mod.rs` (`lib.rs`, `main.rs`, `src/bin/x.rs`, `tests/x.rs`…),
 *   `bar/` for `bar.rs`; inside inline modules (`mod a { mod foo; }`), one directory further each;
 * - `use crate::a::b::C` -> the file of the longest module path of it that is a file under the
 *   crate's `src/` (the directory of the nearest `Cargo.toml`, then `src`): `a/b/C.rs`, else
 *   `a/b.rs` (or `a/b/mod.rs`), else `a.rs`, else the crate root (`lib.rs`, `main.rs`), where an
 *   inline module or a re-export would hold it;
 * - `self::`/`super::` likewise from the file's own module (`src/a/b.rs` is `a::b`); a path that
 *   starts with a name: a child module of the file's module, else a crate of the repo by its
 *   `Cargo.toml` name (`[lib] name`, else `[package] name`, `-` read as `_`);
 * - use trees (`crate::a::{b, c::D as E, self}`) are every path they name.
 *
 * External crates and the standard library resolve to nothing.
 */
import { dirOf, join } from './import-paths.js';
import type { FileOutline } from './repo-map.js';

interface RustFile {
  /** Directory of the nearest Cargo.toml, or null. */
  crate: string | null;
  /** Module path within the crate's `src/` tree, or null (no crate, or a root of its own: tests/, examples/, src/bin/). */
  module: string[] | null;
  /** Where its `mod x;` files are. */
  modDir: string;
}

export interface RustIndex {
  files: ReadonlyMap<string, RustFile>;
  /** `crate dir \0 a::b` -> the module's file ('' is the crate root: lib.rs, else main.rs). */
  modules: ReadonlyMap<string, string>;
  /** Crate name (as `use` spells it) -> crate directory. */
  crates: ReadonlyMap<string, string>;
}

const IDENT = /^(?:r#)?[A-Za-z_][A-Za-z0-9_]*$/;
const key = (crate: string, module: readonly string[]) => `${crate}\0${module.join('::')}`;

/** The name a Cargo.toml gives its library crate (`[lib] name`, else `[package] name`, `-` as `_`), or null. */
export function cargoCrateName(content: string): string | null {
  let section = '';
  const names: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const header = /^\s*\[\s*([\w.-]+)\s*\]\s*(?:#.*)?$/.exec(line);
    if (header) section = header[1]!;
    const name = /^\s*name\s*=\s*["']([A-Za-z0-9_-]+)["']\s*(?:#.*)?$/.exec(line);
    if (name && (section === 'package' || section === 'lib') && !names[section]) names[section] = name[1]!;
  }
  const name = names.lib ?? names.package;
  return name ? name.replace(/-/g, '_') : null;
}

export function indexRust(outlines: readonly FileOutline[]): RustIndex {
  const crateDirs = new Set<string>();
  const crates = new Map<string, string>();
  for (const o of outlines) {
    if (o.path !== 'Cargo.toml' && !o.path.endsWith('/Cargo.toml')) continue;
    crateDirs.add(dirOf(o.path));
    const name = o.language === 'cargo.toml' ? o.declarations[0]?.name : undefined;
    if (name && !crates.has(name)) crates.set(name, dirOf(o.path)); // sorted by path: the shallower of two of one name
  }
  const nearest = new Map<string, string | null>();
  const crateOf = (dir: string): string | null => {
    let found = nearest.get(dir);
    if (found === undefined) {
      found = crateDirs.has(dir) ? dir : dir === '' ? null : crateOf(dirOf(dir));
      nearest.set(dir, found);
    }
    return found;
  };
  const files = new Map<string, RustFile>();
  const modules = new Map<string, string>();
  for (const { path } of outlines) {
    if (!path.endsWith('.rs')) continue;
    const dir = dirOf(path);
    const crate = crateOf(dir);
    const module = crate === null ? null : moduleOf(path, join(crate, 'src'));
    const base = path.slice(dir.length ? dir.length + 1 : 0, -3);
    const root = base === 'lib' || base === 'main' || base === 'mod' || (crate !== null && module === null);
    files.set(path, { crate, module, modDir: root ? dir : join(dir, base) });
    if (crate === null || module === null) continue;
    const k = key(crate, module);
    // the crate root is lib.rs before main.rs; of a.rs and a/mod.rs (both: a compile error), the first by path
    if (!modules.has(k) || (module.length === 0 && base === 'lib')) modules.set(k, path);
  }
  return { files, modules, crates };
}

/** `src/a/b.rs`, `src/a/b/mod.rs` -> [a, b]; `src/lib.rs`, `src/main.rs` -> []; null outside the module tree (or `src/bin/`). */
function moduleOf(path: string, src: string): string[] | null {
  if (!path.startsWith(`${src}/`)) return null;
  const parts = path.slice(src.length + 1, -3).split('/');
  if (parts.length === 1 && (parts[0] === 'lib' || parts[0] === 'main')) return [];
  if (parts[0] === 'bin') return null;
  if (parts[parts.length - 1] === 'mod') parts.pop();
  return parts.length && parts.every((p) => IDENT.test(p)) ? parts : null;
}

/** The repo files a Rust `mod` or `use` of `from` names. */
export function resolveRust(index: RustIndex, from: string, spec: string): readonly string[] {
  const file = index.files.get(from);
  if (!file) return [];
  if (spec.startsWith('mod ')) {
    const parts = spec.slice(4).split('::');
    if (!parts.every((p) => IDENT.test(p))) return [];
    const base = join(file.modDir, parts.join('/'));
    const hit = [`${base}.rs`, `${base}/mod.rs`].find((c) => index.files.has(c));
    return hit ? [hit] : [];
  }
  const out = new Set<string>();
  for (const path of useTreePaths(spec)) {
    const hit = resolvePath(index, file, path.split('::'));
    if (hit) out.add(hit);
  }
  return [...out].sort();
}

function resolvePath(index: RustIndex, file: RustFile, segments: string[]): string | null {
  const rest = segments.filter((s) => s !== '*');
  const head = rest[0];
  if (!head) return null;
  const inTree = file.crate !== null && file.module !== null;
  if (head === 'crate' || head === 'self' || head === 'super') {
    if (!inTree) return null;
    let base = head === 'crate' ? [] : file.module!;
    let i = head === 'super' ? 0 : 1;
    for (; rest[i] === 'super'; i++) {
      if (!base.length) return null; // above the crate root
      base = base.slice(0, -1);
    }
    return longest(index, file.crate!, base, rest.slice(i), true);
  }
  if (!rest.every((s) => IDENT.test(s))) return null;
  const local = inTree ? longest(index, file.crate!, file.module!, rest, false) : null;
  if (local) return local;
  const crate = index.crates.get(head);
  return crate === undefined ? null : longest(index, crate, [], rest.slice(1), true);
}

/** The file of the longest module path `base + rest[..n]` (n ≥ 1), else (with `fallback`) of `base` itself. */
function longest(index: RustIndex, crate: string, base: readonly string[], rest: readonly string[], fallback: boolean): string | null {
  for (let n = rest.length; n >= 1; n--) {
    const hit = index.modules.get(key(crate, [...base, ...rest.slice(0, n)]));
    if (hit) return hit;
  }
  return fallback ? (index.modules.get(key(crate, base)) ?? null) : null;
}

/** Every path a use tree names: `a::{b, c::{d as e}, self}` -> a::b, a::c::d, a (at most 256). */
function useTreePaths(tree: string, prefix = '', out: string[] = []): string[] {
  if (out.length >= 256) return out;
  const open = tree.indexOf('{');
  if (open < 0) {
    const leaf = (prefix + tree.trim().replace(/\s+as\s+[\w#]+$/, '')).replace(/\s+/g, '');
    if (leaf) out.push(leaf);
    return out;
  }
  const head = (prefix + tree.slice(0, open)).replace(/\s+/g, '');
  let depth = 1;
  let start = open + 1;
  for (let i = open + 1; i < tree.length && depth > 0; i++) {
    const c = tree[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    if (depth === 0 || (c === ',' && depth === 1)) {
      const item = tree.slice(start, i).trim();
      if (item === 'self') out.push(head.replace(/::$/, ''));
      else if (item) useTreePaths(item, head, out);
      start = i + 1;
    }
  }
  return out;
}
