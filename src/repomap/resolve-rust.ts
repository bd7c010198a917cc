/**
 * Rust module paths to repo files, as rustc builds a crate's module tree from its `mod`
 * declarations (not from where the files are: a crate root can be `crates/core/main.rs`):
 *
 * - `mod foo;` -> `foo.rs` or `foo/mod.rs` in the declaring file's module directory: its own
 *   directory for a crate root or a `mod.rs`, `bar/` for a module `bar.rs`; one directory further
 *   per inline module (`mod a { mod foo; }`); `#[path = "x.rs"] mod foo;` -> `x.rs` next to the
 *   declaring file. A crate root is a file no `mod` declares (`lib.rs`, `main.rs`, `src/bin/x.rs`,
 *   `tests/x.rs`…); since that depends on the other files' directories, the declarations are
 *   resolved until they settle (twice in practice, at most four times);
 * - each file's module path follows from its root down the `mod` declarations;
 * - `use crate::a::b::C` -> the file of the longest module path of it in the file's crate
 *   (`a::b::C`, else `a::b`, else `a`), else the crate root itself (an inline module or a
 *   re-export holds it); `self::`/`super::` likewise from the file's own module; a path that
 *   starts with a name: a child module of the file's module, else a crate of the repo by its
 *   `Cargo.toml` name (`[lib] name`, else `[package] name`, `-` read as `_`; its `src/lib.rs`);
 * - use trees (`crate::a::{b, c::D as E, self}`) are every path they name.
 *
 * External crates and the standard library resolve to nothing.
 */
import { dirOf, join, normalize } from './import-paths.js';
import type { FileOutline } from './repo-map.js';

interface RustFile {
  /** The root file of its crate, or null (only in a cycle of `mod`s no root reaches). */
  root: string | null;
  /** Its module path in that crate ([] for the root). */
  module: string[];
  /** Where its `mod x;` files are. */
  modDir: string;
}

export interface RustIndex {
  files: ReadonlyMap<string, RustFile>;
  /** `root file \0 a::b` -> the module's file. */
  modules: ReadonlyMap<string, string>;
  /** Crate name (as `use` spells it) -> the crate's directory (its Cargo.toml's). */
  crates: ReadonlyMap<string, string>;
}

const IDENT = /^(?:r#)?[A-Za-z_][A-Za-z0-9_]*$/;
const key = (root: string, module: readonly string[]) => `${root}\0${module.join('::')}`;

/** The name a Cargo.toml gives its library crate (`[lib] name`, else `[package] name`, `-` as `_`), or null. */
export function cargoCrateName(content: string): string | null {
  let section = '';
  const names: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const header = /^\s*(\[\[?)\s*([\w.-]+)\s*\]\]?\s*(?:#.*)?$/.exec(line);
    if (header) section = header[1] === '[[' ? `[[${header[2]}]]` : header[2]!; // [[bin]], [[test]]: not the library
    const name = /^\s*name\s*=\s*["']([A-Za-z0-9_-]+)["']\s*(?:#.*)?$/.exec(line);
    if (name && (section === 'package' || section === 'lib') && !names[section]) names[section] = name[1]!;
  }
  const name = names.lib ?? names.package;
  return name ? name.replace(/-/g, '_') : null;
}

/** A `mod` import as the outline writes it: `mod a::b` (inline modules, then the name), `mod a @ x.rs` (a #[path]). */
function parseMod(spec: string): { chain: string[]; path: string | null } | null {
  const [names, path] = spec.slice(4).split(' @ ');
  const chain = names!.split('::');
  return chain.every((p) => IDENT.test(p)) ? { chain, path: path ?? null } : null;
}

/** The file a `mod` of `from` declares, given its module directory. */
function modTarget(
  files: { has(path: string): boolean },
  from: string,
  modDir: string,
  mod: { chain: string[]; path: string | null },
): string | null {
  if (mod.path !== null) {
    const file = /^(?:\/|[A-Za-z]:)/.test(mod.path) ? null : normalize(join(dirOf(from), mod.path));
    return file !== null && files.has(file) ? file : null;
  }
  const base = join(modDir, mod.chain.join('/'));
  return [`${base}.rs`, `${base}/mod.rs`].find((c) => files.has(c)) ?? null;
}

export function indexRust(outlines: readonly FileOutline[]): RustIndex {
  const crates = new Map<string, string>();
  for (const o of outlines) {
    const name = o.language === 'cargo.toml' ? o.declarations[0]?.name : undefined;
    // Two crates of one name (fixtures, templates): the one in the shorter directory, as package-json.ts picks (path order is not depth order).
    const dir = dirOf(o.path);
    const known = name ? crates.get(name) : undefined;
    if (name && (known === undefined || dir.length < known.length)) crates.set(name, dir);
  }
  const rs = outlines.filter((o) => o.path.endsWith('.rs'));
  const paths = new Set(rs.map((o) => o.path));
  const mods = rs.map((o) => o.imports.flatMap((s) => (s.startsWith('mod ') ? (parseMod(s) ?? []) : [])));
  const modDirOf = (path: string, declared: ReadonlySet<string>) => {
    const dir = dirOf(path);
    const stem = path.slice(dir ? dir.length + 1 : 0, -3);
    return stem === 'lib' || stem === 'main' || stem === 'mod' || !declared.has(path) ? dir : join(dir, stem);
  };
  let declared = new Set<string>();
  let children = new Map<string, { child: string; chain: string[] }[]>();
  for (let pass = 0; pass < 4; pass++) {
    const next = new Set<string>();
    const edges = new Map<string, { child: string; chain: string[] }[]>();
    rs.forEach((o, i) => {
      const modDir = modDirOf(o.path, declared);
      for (const mod of mods[i]!) {
        const child = modTarget(paths, o.path, modDir, mod);
        if (child === null || child === o.path) continue;
        next.add(child);
        const list = edges.get(o.path) ?? [];
        list.push({ child, chain: mod.chain });
        edges.set(o.path, list);
      }
    });
    children = edges;
    const settled = next.size === declared.size && [...next].every((p) => declared.has(p));
    declared = next;
    if (settled) break;
  }
  const files = new Map<string, RustFile>();
  const modules = new Map<string, string>();
  // module paths: breadth first from each root (path order), the first parent to reach a file wins
  for (const root of rs.map((o) => o.path).filter((p) => !declared.has(p))) {
    const queue: { path: string; module: string[] }[] = [{ path: root, module: [] }];
    for (let q = 0; q < queue.length; q++) {
      const { path, module } = queue[q]!;
      if (files.has(path)) continue;
      files.set(path, { root, module, modDir: modDirOf(path, declared) });
      if (!modules.has(key(root, module))) modules.set(key(root, module), path);
      for (const { child, chain } of children.get(path) ?? []) if (!files.has(child)) queue.push({ path: child, module: [...module, ...chain] });
    }
  }
  for (const p of paths) if (!files.has(p)) files.set(p, { root: null, module: [], modDir: modDirOf(p, declared) });
  return { files, modules, crates };
}

/** The repo files a Rust `mod` or `use` of `from` names. */
export function resolveRust(index: RustIndex, from: string, spec: string): readonly string[] {
  const file = index.files.get(from);
  if (!file) return [];
  if (spec.startsWith('mod ')) {
    const mod = parseMod(spec);
    const hit = mod && modTarget(index.files, from, file.modDir, mod);
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
  if (head === 'crate' || head === 'self' || head === 'super') {
    if (file.root === null) return null;
    let base = head === 'crate' ? [] : file.module;
    let i = head === 'super' ? 0 : 1;
    for (; rest[i] === 'super'; i++) {
      if (!base.length) return null; // above the crate root
      base = base.slice(0, -1);
    }
    return longest(index, file.root, base, rest.slice(i), true);
  }
  if (!rest.every((s) => IDENT.test(s))) return null;
  const local = file.root === null ? null : longest(index, file.root, file.module, rest, false);
  if (local) return local;
  const crate = index.crates.get(head);
  const lib = crate === undefined ? undefined : index.files.get(join(crate, 'src/lib.rs'));
  return lib?.root ? longest(index, lib.root, lib.module, rest.slice(1), true) : null;
}

/** The file of the longest module path `base + rest[..n]` (n ≥ 1), else (with `fallback`) of `base` itself. */
function longest(index: RustIndex, root: string, base: readonly string[], rest: readonly string[], fallback: boolean): string | null {
  for (let n = rest.length; n >= 1; n--) {
    const hit = index.modules.get(key(root, [...base, ...rest.slice(0, n)]));
    if (hit) return hit;
  }
  return fallback ? (index.modules.get(key(root, base)) ?? null) : null;
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
