/**
 * TypeScript's own module resolution settings, for the repo map's import edges: `tsconfig.json`,
 * `tsconfig.*.json` and `jsconfig.json` files give `compilerOptions.paths` and `baseUrl`, which a
 * monorepo's bare specifiers (`@app/orders`, `~/lib/x`) go through.
 *
 * The outline keeps a config's settings as written (`tsconfigSettings`: JSON with comments and
 * trailing commas; a file that does not parse contributes nothing). At map build the settings are
 * made effective once per config (`indexTsconfigs`), as TypeScript does: `extends` chains within
 * the repo are followed (relative paths, `.json` appended when the path names no file; a package
 * name is not followed), a later config's `baseUrl` or `paths` replaces the earlier one wholesale,
 * `baseUrl` is relative to the config that sets it, and `paths` targets are relative to the
 * effective `baseUrl`, else to the directory of the config that sets `paths` (`${configDir}`: the
 * directory of the config in use, wherever in the chain it is written). The config of a file
 * is the nearest `tsconfig.json` (else `jsconfig.json`) in its directory or above, or, when that
 * only lists projects (`references`), the referenced project whose `include` covers the file.
 */
import { type ParseError, parse } from 'jsonc-parser';
import { dirOf, type FileSet, firstFile, join, normalize, SCRIPT_EXTENSIONS } from './import-paths.js';
import type { FileOutline } from './repo-map.js';
import { globBase } from '../shared/glob.js';
import { detach } from './signature.js';

/** A config's module settings as written. `paths` null: not set (an empty one is set, and clears the parent's). */
export interface TsconfigSettings {
  extends: string[];
  baseUrl: string | null;
  paths: [string, string[]][] | null;
  /** `references[].path` (a solution-style config lists its projects there). */
  references: string[];
  /** `include` patterns, or null: not set. */
  include: string[] | null;
}

/** Whether a repo path is a TypeScript/JavaScript project config. */
export function isTsconfig(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === 'jsconfig.json' || /^tsconfig(?:\..+)?\.json$/.test(base);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The settings of a config's text, or null when it does not parse as an object. */
export function tsconfigSettings(content: string): TsconfigSettings | null {
  const errors: ParseError[] = [];
  const json: unknown = parse(content, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length || !isObject(json)) return null;
  const ext = json.extends;
  const options = isObject(json.compilerOptions) ? json.compilerOptions : {};
  const paths = isObject(options.paths)
    ? Object.entries(options.paths).flatMap(([key, targets]): [string, string[]][] =>
        Array.isArray(targets) ? [[detach(key), targets.filter((t): t is string => typeof t === 'string').map(detach)]] : [],
      )
    : null;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string').map(detach) : []);
  return {
    extends: typeof ext === 'string' ? [detach(ext)] : strings(ext),
    baseUrl: typeof options.baseUrl === 'string' ? detach(options.baseUrl) : null,
    paths,
    references: strings(Array.isArray(json.references) ? json.references.map((r) => (isObject(r) ? r.path : undefined)) : []),
    include: Array.isArray(json.include) ? strings(json.include) : null,
  };
}

/** One `paths` entry made effective: `prefix*suffix` (or an exact key) and its targets, repo-relative. */
interface PathPattern {
  star: boolean;
  prefix: string;
  suffix: string;
  targets: string[];
}

/** The effective settings of one config: `baseUrl` as a repo directory (or null), its `paths`. */
interface Effective {
  /** The config's directory, its project references (config paths) and `include` patterns (repo-relative; null: all its directory). */
  dir: string;
  references: string[];
  include: string[] | null;
  baseUrl: string | null;
  exact: Map<string, PathPattern>;
  /** Patterns with a `*`, longest prefix first (source order among equals). */
  patterns: PathPattern[];
}

export interface TsconfigIndex {
  /** Config path -> its effective settings (every config of the repo, parsed or not). */
  configs: ReadonlyMap<string, Effective>;
  /** Directory -> the effective settings of its nearest config, filled on demand. */
  nearest: Map<string, Effective | null>;
  /** File -> the project of a solution-style config that includes it, filled on demand. */
  projects: Map<string, Effective | null>;
}

const NONE: Effective = { dir: '', references: [], include: null, baseUrl: null, exact: new Map(), patterns: [] };

const CONFIG_DIR = '${configDir}';

/** `rel` under `dir`, left for normalize() to settle; an absolute path names nothing in the repo (`..` normalizes to null). */
const under = (dir: string, rel: string) => (/^(?:\/|[A-Za-z]:[\\/])/.test(rel) ? '..' : join(dir, rel));

export function indexTsconfigs(outlines: readonly FileOutline[]): TsconfigIndex {
  const settings = new Map<string, TsconfigSettings | null>();
  for (const o of outlines) if (o.language === 'tsconfig') settings.set(o.path, o.tsconfig ?? null);
  /** The raw chain result: baseUrl (a repo directory, not yet normalized) and paths with the directory they are relative to when no baseUrl is set. */
  type Raw = { baseUrl: string | null; paths: [string, string[]][] | null; pathsDir: string; include: string[] | null };
  const raw = new Map<string, Raw>();
  const visiting = new Set<string>();
  const resolve = (path: string): Raw => {
    const done = raw.get(path);
    if (done) return done;
    const own = settings.get(path);
    const dir = dirOf(path);
    const out: Raw = { baseUrl: null, paths: null, pathsDir: dir, include: null };
    if (!own || visiting.has(path)) return out;
    visiting.add(path);
    for (const ext of own.extends) {
      if (!ext.startsWith('./') && !ext.startsWith('../')) continue; // a package (`@tsconfig/node20/tsconfig.json`): not in the repo
      const target = normalize(join(dir, ext));
      if (target === null) continue;
      const file = settings.has(target) ? target : `${target}.json`;
      if (!settings.has(file)) continue;
      const parent = resolve(file);
      if (parent.baseUrl !== null) out.baseUrl = parent.baseUrl;
      if (parent.paths !== null) {
        out.paths = parent.paths;
        out.pathsDir = parent.pathsDir;
      }
      if (parent.include !== null) out.include = parent.include;
    }
    visiting.delete(path);
    if (own.baseUrl !== null) out.baseUrl = own.baseUrl.startsWith(CONFIG_DIR) ? own.baseUrl : under(dir, own.baseUrl);
    if (own.paths !== null) {
      out.paths = own.paths;
      out.pathsDir = dir;
    }
    if (own.include !== null) out.include = own.include.map((p) => under(dir, p));
    raw.set(path, out);
    return out;
  };
  const configs = new Map<string, Effective>();
  for (const path of [...settings.keys()].sort()) {
    const references = (settings.get(path)?.references ?? []).flatMap((ref) => {
      const target = normalize(under(dirOf(path), ref));
      return target === null ? [] : [target.endsWith('.json') ? target : join(target, 'tsconfig.json')];
    });
    configs.set(path, { ...effective(resolve(path), dirOf(path)), dir: dirOf(path), references });
  }
  return { configs, nearest: new Map(), projects: new Map() };

  /** `r` for the config in `configDir`: `${configDir}` (TypeScript 5.5) is that config's directory, wherever in the chain it is written. */
  function effective(r: Raw, configDir: string): Omit<Effective, 'dir' | 'references'> {
    const at = (p: string, dir: string) => (p.startsWith(CONFIG_DIR) ? under(configDir, `.${p.slice(CONFIG_DIR.length)}`) : under(dir, p));
    const baseUrl = r.baseUrl === null ? null : at(r.baseUrl, '');
    const base = baseUrl ?? r.pathsDir;
    const exact = new Map<string, PathPattern>();
    const patterns: PathPattern[] = [];
    for (const [key, targets] of r.paths ?? []) {
      const stars = key.split('*').length - 1;
      if (stars > 1) continue; // TypeScript rejects a key with two `*`
      const p: PathPattern = {
        star: stars === 1,
        prefix: key.split('*')[0]!,
        suffix: stars ? key.split('*')[1]! : '',
        targets: targets.map((t) => at(t, base)),
      };
      if (p.star) patterns.push(p);
      else if (!exact.has(key)) exact.set(key, p);
    }
    patterns.sort((a, b) => b.prefix.length - a.prefix.length); // stable: source order among equal prefixes
    return { include: r.include, baseUrl, exact, patterns };
  }
}

/** The effective settings of the nearest `tsconfig.json`/`jsconfig.json` at or above `dir`. */
function nearestConfig(index: TsconfigIndex, dir: string): Effective | null {
  const known = index.nearest.get(dir);
  if (known !== undefined) return known;
  const here = index.configs.get(join(dir, 'tsconfig.json')) ?? index.configs.get(join(dir, 'jsconfig.json'));
  const found = here ?? (dir === '' ? null : nearestConfig(index, dirOf(dir)));
  index.nearest.set(dir, found);
  return found;
}

const hasModuleSettings = (e: Effective) => e.baseUrl !== null || e.exact.size > 0 || e.patterns.length > 0;

/** Whether a file is under one of a config's `include` patterns (their part before the first wildcard), or under its directory without any. */
function includes(config: Effective, file: string): boolean {
  if (config.include === null) return config.dir === '' || file.startsWith(`${config.dir}/`);
  return config.include.some((pattern) => {
    const glob = pattern.search(/[*?[{]/);
    if (glob < 0) {
      const path = normalize(pattern); // a file, or a directory and everything under it
      return path !== null && (file === path || file.startsWith(`${path}/`));
    }
    const dir = normalize(globBase(pattern)); // `src/**/*.ts` -> src
    return dir !== null && (dir === '' || file.startsWith(`${dir}/`));
  });
}

/**
 * The settings that apply to a file: its nearest config's, or, when that is a solution-style
 * config (no `paths` or `baseUrl` of its own, `references` to projects: Vite's `tsconfig.json` ->
 * `tsconfig.app.json`), those of the first referenced project with `paths` or `baseUrl` whose
 * `include` covers the file.
 */
function configOf(index: TsconfigIndex, file: string): Effective {
  const nearest = nearestConfig(index, dirOf(file));
  if (!nearest || hasModuleSettings(nearest) || !nearest.references.length) return nearest ?? NONE;
  let project = index.projects.get(file);
  if (project === undefined) {
    project = null;
    for (const ref of nearest.references) {
      const candidate = index.configs.get(ref);
      if (candidate && hasModuleSettings(candidate) && includes(candidate, file)) {
        project = candidate;
        break;
      }
    }
    index.projects.set(file, project);
  }
  return project ?? nearest;
}

/**
 * A bare TS/JS specifier through the importing file's config: the `paths` entry TypeScript would
 * pick (an exact key, else the pattern with the longest prefix; each target in order), then the
 * specifier relative to `baseUrl`. Null when neither names a repo file.
 */
export function resolveTsconfigPaths(index: TsconfigIndex, files: FileSet, from: string, spec: string): string | null {
  const config = configOf(index, from);
  const match =
    config.exact.get(spec) ??
    config.patterns.find((p) => spec.length >= p.prefix.length + p.suffix.length && spec.startsWith(p.prefix) && spec.endsWith(p.suffix));
  if (match) {
    const star = match.star ? spec.slice(match.prefix.length, spec.length - match.suffix.length) : '';
    for (const target of match.targets) {
      const base = normalize(match.star ? target.replace('*', star) : target);
      const hit = base === null ? null : firstFile(files, base, SCRIPT_EXTENSIONS);
      if (hit) return hit;
    }
  }
  if (config.baseUrl === null) return null;
  const base = normalize(under(config.baseUrl, spec));
  return base === null ? null : firstFile(files, base, SCRIPT_EXTENSIONS);
}
