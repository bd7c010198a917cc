/**
 * The walk of the scan (scan.ts, scan-pack.ts): which files of the repo are candidates for the context,
 * and what is left out before anything is read. One `readdir` per directory entered, nothing else:
 * no stat per file (the directory listing says what each entry is), no second walk to find the
 * ignore files (each directory's are read when the walk enters it), no pattern test per file
 * beyond the ignore layers in force there and the config globs.
 *
 * - Ignore files: `.gitignore` and `.harnessignore` at any depth, as git applies them
 *   (ignore-files.ts); an ignored directory is not entered.
 * - Default-excluded directories (default-excludes.ts) are never entered, and are listed in
 *   `skipped` once each, as `dir/`, when the directory holding them has something kept (so not
 *   outside `include`), even if a .gitignore also hides them (`node_modules/`).
 * - Config `exclude`: a glob leaves out a file it matches and everything under a directory it
 *   matches; `include`: a file must match one (directories outside every include glob's fixed
 *   leading part are not entered). A leading `!` makes an include glob an exclude.
 * - Symlinks are never followed (their reasons are given by `symlinkReason`); other non-regular
 *   entries are listed as such.
 */
import fs, { type Dirent } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { globBase, globToRegExp } from '../shared/glob.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { EXCLUDED_DIRS, FILE_RULES } from './default-excludes.js';
import { IGNORE_FILE_NAMES, type IgnoreLayer, isFileIgnored, isIgnored, parentLayers, readLayer } from './ignore-files.js';
import type { ScanOptions, SkippedFile } from './scan.js';

/** Plain code-unit order: the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One RegExp per rule (its names' globs as alternatives, any case): a file name is tested against a handful, not against each name. */
const FILE_MATCHERS = FILE_RULES.map((r) => ({
  reason: r.reason,
  re: new RegExp(r.names.map((n) => globToRegExp(n).source).join('|'), 'i'),
}));

/** Why `relPath` (a file) is excluded by default, or null. */
export function defaultExcludeReason(relPath: string): string | null {
  if (relPath === TASK_LIST_FILE) return 'task list';
  const segments = relPath.split('/');
  for (let i = 0; i < segments.length - 1; i++) {
    const reason = excludedDirReason(segments[i]!, i === 0);
    if (reason) return reason;
  }
  return fileRuleReason(segments[segments.length - 1]!);
}

/**
 * Every rule's globs as one RegExp: most names fall under none, and are told so by one native test
 * (~0.2 µs). (A hand-written prefilter on the globs' literal ends saved ~10 ms of CPU on 50,000
 * names and cost ~40 ms of V8's compiling it on a helper thread, on two busy cores.)
 */
const ANY_FILE_RULE = new RegExp(FILE_MATCHERS.map((m) => m.re.source).join('|'), 'i');

/** The default-exclude rule a file name falls under, or null. */
function fileRuleReason(name: string): string | null {
  if (!ANY_FILE_RULE.test(name)) return null;
  for (const m of FILE_MATCHERS) if (m.re.test(name)) return m.reason;
  return null;
}

function excludedDirReason(name: string, atRoot: boolean): string | null {
  const rule = EXCLUDED_DIRS.get(name);
  return rule && (atRoot || !rule.rootOnly) ? rule.reason : null;
}

/** The config globs as the walk applies them (scanOne applies them the same way to one path). */
export function configGlobs(options: Pick<ScanOptions, 'include' | 'exclude'>): {
  included: (rel: string) => boolean;
  excluded: (rel: string) => boolean;
  /** False for a directory under which no include glob can match. */
  mayHold: (dir: string) => boolean;
} {
  const clean = (g: string) => g.replace(/^\.\//, '').replace(/\/+$/, '');
  const include = options.include.filter((g) => !g.startsWith('!')).map(clean);
  const exclude = [...options.exclude, ...options.include.filter((g) => g.startsWith('!')).map((g) => g.slice(1))].map(clean);
  const inc = include.map((g) => globToRegExp(g));
  const exc = exclude.map((g) => globToRegExp(g));
  // The fixed leading directories of each include glob ('' when it starts with a wildcard).
  const bases = include.map(globBase);
  // `**` and `**/*` hold every path (the default include): no test needed.
  const everything = include.some((g) => g === '**' || g === '**/*');
  return {
    included: (rel) => everything || inc.some((re) => re.test(rel)),
    excluded: (rel) => exc.some((re) => re.test(rel)),
    mayHold: (dir) => bases.some((b) => b === '' || b === dir || b.startsWith(`${dir}/`) || dir.startsWith(`${b}/`)),
  };
}

export interface WalkResult {
  /** Regular files to read, sorted by path (the walk finds them in that order). */
  toRead: string[];
  /** Symlinks the walk kept (not followed): their reasons come from `symlinkReason`. */
  links: string[];
  /** Default excludes, excluded directories, non-regular files, omitted paths (unsorted). */
  skipped: SkippedFile[];
}

/** Directories listed per turn of the event loop. */
const DIRS_PER_TURN = 256;

/** A directory being walked: its entries in path order (a directory sorts as its name + `/`), and how far the walk is. */
interface Frame {
  dir: string;
  layers: readonly IgnoreLayer[];
  /** Some layer in force negates (re-includes): the files are asked about by their whole paths. */
  negates: boolean;
  entries: Dirent[];
  next: number;
}

/**
 * The walk goes depth first, each directory's entries sorted by name, a directory's name as if it
 * ended with `/`: so the files come out in the code-unit order of their whole paths (`a-b` before
 * `a/`, as `-` < `/`), and `found`, when given, is told after each directory how many there are so
 * far (those are final: a caller may start reading them while the walk goes on).
 */
export async function walkRepo(root: string, options: ScanOptions, found?: (toRead: readonly string[]) => void): Promise<WalkResult> {
  const globs = configGlobs(options);
  const toRead: string[] = [];
  const links: string[] = [];
  const skipped: SkippedFile[] = [];
  const keptDirs = new Set<string>(); // directories something was kept in ('' for the root)
  const excludedDirs: { rel: string; parent: string; reason: string }[] = [];
  const keep = (dir: string) => keptDirs.add(dir);
  let listed = 0;

  /** Lists a directory (its ignore files read), or null when it cannot be read. */
  const list = (dir: string, above: readonly IgnoreLayer[]): Frame | null => {
    const abs = dir === '' ? root : path.join(root, dir);
    let entries: Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      if (dir === '') throw e;
      skipped.push({ path: `${dir}/`, reason: `unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})` });
      return null;
    }
    const hasIgnoreFile = entries.some((e) => e.isFile() && (IGNORE_FILE_NAMES as readonly string[]).includes(e.name));
    const own = hasIgnoreFile ? readLayer(abs, dir === '' ? '' : `${dir}/`, (n) => entries.some((e) => e.name === n && e.isFile())) : null;
    const keyed = entries.map((e) => ({ e, key: e.isDirectory() ? `${e.name}/` : e.name }));
    keyed.sort((x, y) => comparePaths(x.key, y.key));
    const layers = own ? [...above, own] : above;
    return { dir, layers, negates: layers.some((l) => l.negates), entries: keyed.map((k) => k.e), next: 0 };
  };

  const stack: Frame[] = [list('', parentLayers(root))!];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { dir, layers, entries } = frame;
    const prefix = dir === '' ? '' : `${dir}/`;
    let entered: string | null = null;
    while (frame.next < entries.length && entered === null) {
      const entry = entries[frame.next++]!;
      const rel = prefix + entry.name;
      if (entry.isDirectory()) {
        const reason = excludedDirReason(entry.name, dir === '');
        if (reason) {
          excludedDirs.push({ rel, parent: dir, reason });
          continue;
        }
        if (globs.excluded(rel) || !globs.mayHold(rel) || isIgnored(`${rel}/`, layers)) continue;
        if (globs.included(rel)) {
          keep(dir);
          keep(rel);
        }
        entered = rel;
        continue;
      }
      if (globs.excluded(rel) || !globs.included(rel) || isFileIgnored(rel, entry.name, layers, frame.negates)) continue;
      keep(dir);
      if (entry.isSymbolicLink()) {
        links.push(rel);
        continue;
      }
      // The directories on the way were checked as the walk entered them: only the name is left.
      const excluded = rel === TASK_LIST_FILE ? 'task list' : fileRuleReason(entry.name);
      if (excluded) skipped.push({ path: rel, reason: `default exclude: ${excluded}` });
      else if (!entry.isFile()) skipped.push({ path: rel, reason: 'not a regular file' });
      else if (options.omit?.(rel)) skipped.push({ path: rel, reason: 'omitted' });
      else toRead.push(rel);
    }
    if (entered === null) {
      stack.pop();
      continue;
    }
    found?.(toRead);
    if (++listed % DIRS_PER_TURN === 0) await nextTurn();
    const child = list(entered, layers);
    if (child) stack.push(child);
  }
  found?.(toRead);
  for (const d of excludedDirs) if (keptDirs.has(d.parent)) skipped.push({ path: `${d.rel}/`, reason: `default exclude: ${d.reason}` });
  return { toRead, links, skipped };
}

/** Why a symlink is skipped: it is never followed, whether its target is in the repo or not. */
export async function symlinkReason(realRoot: string, abs: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(abs);
  } catch {
    return 'symlink (broken, not followed)';
  }
  const inside = target === realRoot || target.startsWith(realRoot + path.sep);
  return inside ? 'symlink (not followed; its target is scanned under its own path)' : 'symlink to outside the repo (not followed)';
}
