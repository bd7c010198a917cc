/**
 * What a repo's `package.json` files say about module resolution: the package `name` (a
 * workspace package is imported by it), its `exports` (which file a subpath such as
 * `@acme/db/client` is) and its `imports` (Node's subpath imports, `#db/*`, private to the
 * package). Conditions (`{ "types": …, "import": …, "default": … }`) are flattened to every
 * relative target in the order written: the resolver takes the first that names a repo file.
 */
import { dirOf, type FileSet, firstFile, join, normalize, SCRIPT_EXTENSIONS } from './import-paths.js';
import type { FileOutline } from './repo-map.js';
import { detach } from './signature.js';

/** A subpath map: key (`.`, `./client`, `./utils/*`, `#db/*`) -> relative targets in order. */
export type SubpathMap = [string, string[]][];

export interface PackageJsonSettings {
  name: string | null;
  exports: SubpathMap;
  imports: SubpathMap;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every relative target of an export/import value (a string, an array of fallbacks, or conditions), in order; at most 16. */
function targets(value: unknown, out: string[] = [], depth = 0): string[] {
  if (out.length >= 16 || depth > 8) return out;
  if (typeof value === 'string') {
    if (value.startsWith('./') && !out.includes(value)) out.push(detach(value));
  } else if (Array.isArray(value)) for (const v of value) targets(v, out, depth + 1);
  else if (isObject(value)) for (const v of Object.values(value)) targets(v, out, depth + 1);
  return out;
}

/** The settings of a package.json's text, or null when it is not a JSON object. */
export function packageJsonSettings(content: string): PackageJsonSettings | null {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return null;
  }
  if (!isObject(json)) return null;
  const name = typeof json.name === 'string' && /^(?:@[\w.-]+\/)?[\w.-]+$/.test(json.name) ? detach(json.name) : null;
  const { exports: ex, imports: im } = json;
  // `exports` is one target (`"./index.js"`, or conditions without subpath keys) or a map of subpaths
  const subpaths = isObject(ex) && Object.keys(ex).some((k) => k.startsWith('.'));
  const exports: SubpathMap = subpaths
    ? Object.entries(ex).flatMap(([k, v]): SubpathMap => (k.startsWith('.') ? [[detach(k), targets(v)]] : []))
    : ex === undefined
      ? []
      : [['.', targets(ex)]];
  const imports: SubpathMap = isObject(im)
    ? Object.entries(im).flatMap(([k, v]): SubpathMap => (k.startsWith('#') ? [[detach(k), targets(v)]] : []))
    : [];
  return { name, exports: exports.filter(([, t]) => t.length), imports: imports.filter(([, t]) => t.length) };
}

/**
 * The targets `key` maps to in `map`, as Node matches it: an exact key, else the pattern (one `*`)
 * with the longest prefix, its `*` replaced in each target by what it matched. Empty: no match.
 */
function matchSubpath(map: SubpathMap, key: string): string[] {
  const exact = map.find(([k]) => k === key && !k.includes('*'));
  if (exact) return exact[1];
  let best: { prefix: string; star: string; targets: string[] } | null = null;
  for (const [k, ts] of map) {
    const star = k.indexOf('*');
    if (star < 0 || k.indexOf('*', star + 1) >= 0) continue;
    const prefix = k.slice(0, star);
    const suffix = k.slice(star + 1);
    if (key.length < k.length || !key.startsWith(prefix) || !key.endsWith(suffix)) continue;
    if (!best || prefix.length > best.prefix.length) best = { prefix, star: key.slice(prefix.length, key.length - suffix.length), targets: ts };
  }
  return best ? best.targets.map((t) => t.replaceAll('*', best.star)) : [];
}

export interface PackageIndex {
  /** Workspace packages: name -> directory and `exports`, longest name first, one directory per name. */
  packages: readonly { name: string; dir: string; exports: SubpathMap }[];
  /** Directory of every package.json (a package scope) -> its `imports` (empty when none). */
  scopes: ReadonlyMap<string, SubpathMap>;
  /** Directory -> its package scope's directory (the nearest package.json at or above), filled on demand. */
  nearest: Map<string, string | null>;
}

export function indexPackages(outlines: readonly FileOutline[]): PackageIndex {
  const packages: { name: string; dir: string; exports: SubpathMap }[] = [];
  const scopes = new Map<string, SubpathMap>();
  for (const o of outlines) {
    if (o.path !== 'package.json' && !o.path.endsWith('/package.json')) continue;
    scopes.set(dirOf(o.path), o.packageJson?.imports ?? []);
    const name = o.language === 'package.json' ? o.declarations[0]?.name : undefined;
    if (name) packages.push({ name, dir: dirOf(o.path), exports: o.packageJson?.exports ?? [] });
  }
  // one directory per name: with two package.json files of one name (fixtures, templates), the shallower
  packages.sort(
    (a, b) =>
      b.name.length - a.name.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || a.dir.length - b.dir.length || (a.dir < b.dir ? -1 : 1),
  );
  return { packages: packages.filter((p, i) => i === 0 || packages[i - 1]!.name !== p.name), scopes, nearest: new Map() };
}

/** The first of `targets` (relative to `dir`) that names a repo file. */
function firstTarget(files: FileSet, dir: string, targets: readonly string[]): string | null {
  for (const t of targets) {
    const base = normalize(join(dir, t));
    const hit = base === null ? null : firstFile(files, base, SCRIPT_EXTENSIONS);
    if (hit) return hit;
  }
  return null;
}

/**
 * A bare specifier naming a package of the repo (a workspace: `@acme/db`, `@acme/db/client`):
 * through its `exports` when they map the subpath to a repo file, else its directory's
 * `src/index`, `index`, `lib/index` (or, with a subpath, that path under `src/`, the package root
 * or `lib/`). Packages from the registry are not in the repo and resolve to nothing.
 */
export function resolveWorkspacePackage(index: PackageIndex, files: FileSet, spec: string): readonly string[] {
  const pkg = index.packages.find((p) => spec === p.name || spec.startsWith(`${p.name}/`));
  if (!pkg) return [];
  const sub = spec.slice(pkg.name.length + 1);
  const exported = firstTarget(files, pkg.dir, matchSubpath(pkg.exports, sub ? `./${sub}` : '.'));
  if (exported) return [exported];
  for (const root of ['src', '', 'lib']) {
    const hit = firstFile(files, [pkg.dir, root, sub || 'index'].filter(Boolean).join('/'), SCRIPT_EXTENSIONS);
    if (hit) return [hit];
  }
  return [];
}

/** A `#subpath` import through the `imports` of the importing file's package scope (its nearest package.json). */
export function resolveSubpathImport(index: PackageIndex, files: FileSet, from: string, spec: string): readonly string[] {
  const scope = scopeOf(index, dirOf(from));
  if (scope === null) return [];
  const hit = firstTarget(files, scope, matchSubpath(index.scopes.get(scope)!, spec));
  return hit ? [hit] : [];
}

function scopeOf(index: PackageIndex, dir: string): string | null {
  let found = index.nearest.get(dir);
  if (found === undefined) {
    found = index.scopes.has(dir) ? dir : dir === '' ? null : scopeOf(index, dirOf(dir));
    index.nearest.set(dir, found);
  }
  return found;
}
