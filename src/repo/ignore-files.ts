/**
 * `.gitignore` and `.harnessignore` files as git applies them: each file's patterns are relative to
 * its own directory, a deeper file takes precedence over a shallower one, within one file the last
 * matching pattern wins (`!pattern` re-includes), and nothing under an ignored directory can be
 * re-included (the walk never enters one). `.gitignore` files of the directories above the repo,
 * up to the enclosing git work tree's root, apply as well (`.harnessignore` files only inside the
 * repo). Pattern syntax is the `ignore` package's, the reference implementation of gitignore
 * matching that globby and most tools use.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Ignore } from 'ignore';
import { lazy } from '../shared/lazy.js';

// Required, not imported: an ES module's import of a CommonJS one has Node run its lexer over the
// module's text for its export names, and on this 50 KB module that lexer gets hot enough for V8
// to compile it (~60 ms of a background thread) while the scan has started (bench/README.md, case 1).
const ignore = lazy<typeof import('ignore')>('ignore');

/** The names of the ignore files read in every directory, in the order their patterns apply. */
export const IGNORE_FILE_NAMES = ['.gitignore', '.harnessignore'] as const;

/** The patterns of one directory's ignore files. */
export interface IgnoreLayer {
  /** Repo-relative directory of the files, with a trailing `/` ('' for the repo root). */
  dir: string;
  /** For a directory above the repo: what to put before a repo-relative path (`repo/`). */
  prefix: string;
  matcher: Ignore;
  /** Some pattern is a negation (`!pattern`): it may re-include. */
  negates: boolean;
  /**
   * Every pattern is a name pattern: no `/` but a trailing one, no `**`, no escape, no negation,
   * and the layer is inside the repo. Such a layer says the same of `a/b/name` as of `name` when
   * it ignores none of `a/` and `a/b/` (`isFileIgnored`).
   */
  byName: boolean;
  /**
   * Of a layer of name patterns: the literal start and end (lower case) of each pattern that can
   * match a file (not one that ends with `/`). A name that starts and ends as none does is not
   * ignored by the layer, without asking the `ignore` package (~1 µs a name it has not seen).
   */
  fileNames: readonly NameEnds[] | null;
}

interface NameEnds {
  start: string;
  end: string;
}

/**
 * A name pattern's literal start and end, in lower case: the text before its first wildcard or
 * class, and after its last ('' when a class could end it). The `ignore` package ignores case as a
 * regexp's `i` flag does, where an ASCII letter matches only itself in either case; a pattern with
 * a character outside ASCII is not narrowed.
 */
function nameEnds(pattern: string): NameEnds {
  const p = pattern.replace(/ +$/, '').toLowerCase();
  if (/[^\x00-\x7f]/.test(p)) return { start: '', end: '' };
  const first = p.search(/[*?[\]]/);
  const lastWild = Math.max(p.lastIndexOf('*'), p.lastIndexOf('?'));
  const end = p.slice(lastWild + 1);
  return { start: first === -1 ? p : p.slice(0, first), end: /[[\]]/.test(end) ? '' : end };
}

/** A layer from ignore-file texts, or null when they hold no pattern. */
function layerOf(dir: string, texts: readonly string[], prefix = ''): IgnoreLayer | null {
  const patterns = texts.join('\n');
  const lines = patterns.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
  if (lines.length === 0) return null;
  const negates = lines.some((line) => line.startsWith('!'));
  const byName =
    prefix === '' &&
    !negates &&
    lines.every((line) => !line.includes('\\') && !line.includes('**') && !line.trimEnd().replace(/\/+$/, '').includes('/'));
  const fileNames = byName ? lines.filter((line) => !line.replace(/ +$/, '').endsWith('/')).map(nameEnds) : null;
  return { dir, prefix, matcher: ignore()({ allowRelativePaths: true }).add(patterns), negates, byName, fileNames };
}

/** True when `rel` (repo-relative; a directory ends with `/`) is ignored by `layers` (shallowest first). */
export function isIgnored(rel: string, layers: readonly IgnoreLayer[]): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const r = layer.matcher.test(layer.prefix + rel.slice(layer.dir.length));
    if (r.ignored) return true;
    if (r.unignored) return false;
  }
  return false;
}

/**
 * `isIgnored(rel)` for a file `rel` named `name` in a directory the walk entered, where no layer
 * negates: a layer of name patterns is asked about the name alone (its cache then serves every
 * file of that name, and no parent path is cut and looked up). Exact: with no negation anywhere,
 * the walk entered the directory only if no layer ignores it or any directory above it, so each
 * layer's answer is its patterns' on the file itself, and a name pattern sees only the last segment.
 */
export function isFileIgnored(rel: string, name: string, layers: readonly IgnoreLayer[], negates: boolean): boolean {
  if (negates) return isIgnored(rel, layers);
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    if (layer.fileNames !== null) {
      const lower = name.toLowerCase();
      if (!layer.fileNames.some((p) => lower.startsWith(p.start) && lower.endsWith(p.end))) continue;
    }
    if (layer.matcher.test(layer.byName ? name : layer.prefix + rel.slice(layer.dir.length)).ignored) return true;
  }
  return false;
}

/** Reads the ignore files in `absDir` (only regular files, as text); `names` are the entries present. */
export function readLayer(absDir: string, dir: string, present: (name: string) => boolean): IgnoreLayer | null {
  const texts: string[] = [];
  for (const name of IGNORE_FILE_NAMES) {
    if (!present(name)) continue;
    try {
      texts.push(readFileSync(path.join(absDir, name), 'utf8'));
    } catch {
      // unreadable ignore file: as if absent (globby suppressed these too)
    }
  }
  return texts.length > 0 ? layerOf(dir, texts) : null;
}

/**
 * The `.gitignore` layers of the directories above `root`, shallowest first, when `root` is inside
 * a git work tree (a directory above it holds `.git`); none otherwise, or when `root` is the work
 * tree's root itself.
 */
export function parentLayers(root: string): IgnoreLayer[] {
  if (existsSync(path.join(root, '.git'))) return [];
  const above: string[] = [];
  let gitRoot: string | null = null;
  for (let dir = path.dirname(root); ; dir = path.dirname(dir)) {
    above.push(dir);
    if (existsSync(path.join(dir, '.git'))) {
      gitRoot = dir;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  if (gitRoot === null) return [];
  const layers: IgnoreLayer[] = [];
  for (const dir of above.reverse()) {
    const file = path.join(dir, '.gitignore');
    if (!existsSync(file)) continue;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const prefix = `${path.relative(dir, root).split(path.sep).join('/')}/`;
    const layer = layerOf('', [text], prefix);
    if (layer) layers.push(layer);
  }
  return layers;
}
