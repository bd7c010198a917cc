/**
 * Scan the target repo for the files that form the codebase context (docs/context.md).
 *
 * One globby walk over the repo with `.gitignore` files and `.harnessignore` files (gitignore
 * syntax, at any depth) honoured, dot files included, config `include`/`exclude` applied, and
 * the default excludes below. What the walk returns is classified without reading anything that
 * is excluded by default; the remaining files are read `concurrency` per turn of the event loop.
 *
 * What lands in `skipped` (always sorted by path):
 * - default-excluded files, with the class (`default exclude: lock file`), never opened;
 * - default-excluded directories, once each as `dir/`: the walk never enters them. One is listed
 *   when the directory holding it was walked, even if a .gitignore also hides it (`node_modules/`);
 * - symlinks: never followed nor read. A link to a file outside the repo could pull in anything
 *   (`~/.aws/credentials`); a link inside the repo would duplicate its target, or smuggle an
 *   excluded file (`.env`) in under an innocent name. The target, when it is in the repo and
 *   included, is read under its own path. Files are also opened with O_NOFOLLOW, so a file
 *   swapped for a link after the walk is refused too;
 * - binaries (a NUL byte in the first 8 KiB, or not valid UTF-8), files over `maxFileBytes`
 *   (seen by fstat, never read), unreadable files, and paths the caller `omit`s.
 * Files hidden by `.gitignore`, `.harnessignore` or config `exclude` are not listed: the scan
 * never sees them.
 */
import { isUtf8 } from 'node:buffer';
import fs, { constants as fsConstants, type Dirent } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { globby, isIgnoredByIgnoreFiles, type Options as GlobbyOptions } from 'globby';
import { globToRegExp } from '../shared/glob.js';
import { HARNESS_STATE_DIR, TASK_LIST_FILE } from '../shared/paths.js';

export interface RepoFile {
  /** Repo-relative POSIX path. */
  path: string;
  /** Size in bytes on disk. */
  size: number;
  /** The file's text, byte for byte (a BOM and CRLF line ends are kept). */
  content: string;
}

export interface SkippedFile {
  /** Repo-relative POSIX path; directories end with `/`. */
  path: string;
  /** Why it is not in the context, e.g. `binary`, `too large (N bytes)`, `default exclude: lock file`. */
  reason: string;
}

export interface ScanResult {
  /** Sorted by path (plain code-unit order). */
  files: RepoFile[];
  /** Sorted by path (plain code-unit order). */
  skipped: SkippedFile[];
}

export interface ScanOptions {
  /** Globs of files to consider (globby syntax, relative to the repo). */
  include: string[];
  /** Globs to leave out, on top of .gitignore, .harnessignore and the default excludes. */
  exclude: string[];
  /** Files larger than this are skipped without being read. */
  maxFileBytes: number;
  /** Files read at once. */
  concurrency: number;
  /** Paths the caller leaves out (listed in `skipped` as `omitted`, never read). */
  omit?: (path: string) => boolean;
}

interface DirRule {
  reason: string;
  /** Only at the repo root: names that are also plausible source directories (`src/build/`). */
  rootOnly: boolean;
}

const dirs = (names: readonly string[], reason: string, rootOnly = false) => names.map((d) => [d, { reason, rootOnly }] as const);

/** Directory names never walked, with the class reported in `skipped`. */
const EXCLUDED_DIRS: ReadonlyMap<string, DirRule> = new Map([
  ...dirs(['.git', '.hg', '.svn', '.jj'], 'version control'),
  ...dirs(['node_modules', 'bower_components', 'jspm_packages', '.venv', 'venv', '.yarn', '.pnpm-store'], 'dependencies'),
  ...dirs(['vendor'], 'dependencies', true),
  ...dirs(
    [
      'dist',
      '.nyc_output',
      '.next',
      '.nuxt',
      '.svelte-kit',
      '.output',
      '.turbo',
      '.parcel-cache',
      '.cache',
      '.vercel',
      '.serverless',
      '.angular',
      '.docusaurus',
      'storybook-static',
      '__pycache__',
      '.pytest_cache',
      '.mypy_cache',
      '.ruff_cache',
      '.tox',
      '.gradle',
      '.terraform',
    ],
    'build output',
  ),
  ...dirs(['build', 'out', 'target', 'coverage'], 'build output', true),
  ...dirs([HARNESS_STATE_DIR], 'harness state'),
]);

interface FileRule {
  reason: string;
  /** Basename globs (`*` only), matched case-insensitively. */
  names: readonly string[];
}

/** File names never read, at any depth. */
const FILE_RULES: readonly FileRule[] = [
  {
    reason: 'lock file',
    names: [
      'package-lock.json',
      'npm-shrinkwrap.json',
      'yarn.lock',
      'pnpm-lock.yaml',
      'bun.lockb',
      'bun.lock',
      'deno.lock',
      'Cargo.lock',
      'poetry.lock',
      'Pipfile.lock',
      'pdm.lock',
      'uv.lock',
      'Gemfile.lock',
      'composer.lock',
      'go.sum',
      'mix.lock',
      'pubspec.lock',
      'Podfile.lock',
      'packages.lock.json',
      'gradle.lockfile',
      'flake.lock',
      '.terraform.lock.hcl',
    ],
  },
  { reason: 'environment file', names: ['.env', '.env.*', '*.env', '.envrc'] },
  {
    reason: 'private key',
    names: ['*.pem', '*.key', '*.p12', '*.pfx', '*.jks', '*.keystore', '*.ppk', 'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*'],
  },
  {
    reason: 'credentials',
    names: [
      '.npmrc',
      '.netrc',
      '_netrc',
      '.pypirc',
      '.git-credentials',
      '.htpasswd',
      '.pgpass',
      '.dockercfg',
      // `credentials`, `credentials.json`, `.aws/credentials`... but not a `credentials.ts` module.
      'credentials',
      ...['json', 'yaml', 'yml', 'xml', 'ini', 'toml', 'txt', 'csv', 'cfg', 'conf', 'enc'].map((e) => `credentials*.${e}`),
      'client_secret*.json',
      '*.tfstate',
      '*.tfstate.*',
    ],
  },
  { reason: 'version control', names: ['.git'] }, // a worktree's or submodule's `.git` file
];

/**
 * The default excludes as globs (for documentation and for `init` summaries): dependency, build
 * and VCS directories (at any depth, except names that are also plausible source directories,
 * `build/ out/ target/ coverage/ vendor/`, only at the root), sensitive and generated file names
 * at any depth, and the root task list. Config cannot re-include them.
 */
export const DEFAULT_EXCLUDES: readonly string[] = [
  ...[...EXCLUDED_DIRS].map(([d, r]) => (r.rootOnly ? `${d}/**` : `**/${d}/**`)),
  ...FILE_RULES.flatMap((r) => r.names.map((n) => `**/${n}`)),
  TASK_LIST_FILE,
];

const FILE_MATCHERS = FILE_RULES.map((r) => ({
  reason: r.reason,
  re: new RegExp(`^(?:${r.names.map((n) => n.split('*').map(escapeRegExp).join('.*')).join('|')})$`, 'i'),
}));

/** Why `relPath` (a file) is excluded by default, or null. */
export function defaultExcludeReason(relPath: string): string | null {
  if (relPath === TASK_LIST_FILE) return 'task list';
  const segments = relPath.split('/');
  for (let i = 0; i < segments.length - 1; i++) {
    const reason = excludedDirReason(segments[i]!, i === 0);
    if (reason) return reason;
  }
  const base = segments[segments.length - 1]!;
  for (const m of FILE_MATCHERS) if (m.re.test(base)) return m.reason;
  return null;
}

/** Patterns handed to the walk: excluded directories are not entered at all. */
const WALK_IGNORES: readonly string[] = [...EXCLUDED_DIRS].map(([d, r]) => (r.rootOnly ? `${d}/**` : `**/${d}/**`));

function excludedDirReason(name: string, atRoot: boolean): string | null {
  const rule = EXCLUDED_DIRS.get(name);
  return rule && (atRoot || !rule.rootOnly) ? rule.reason : null;
}

const BINARY_SNIFF_BYTES = 8192;
/** O_NOFOLLOW: a file swapped for a symlink after the walk is refused; O_NONBLOCK: one swapped for a FIFO cannot hang the read. */
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);

export async function scanRepo(repoDir: string, options: ScanOptions): Promise<ScanResult> {
  const root = path.resolve(repoDir);
  const walk = recordingFs();
  const entries = await globby(options.include, {
    cwd: root,
    fs: walk.fs,
    gitignore: true,
    ignoreFiles: ['**/.harnessignore'],
    ignore: [...options.exclude, ...WALK_IGNORES],
    dot: true,
    onlyFiles: false,
    objectMode: true,
    followSymbolicLinks: false,
  });

  const skipped: SkippedFile[] = [];
  const toRead: string[] = [];
  const links: string[] = [];
  const keptDirs = new Set<string>(); // directories the walk kept something in ('.' for the root)
  for (const entry of entries) {
    const rel = entry.path;
    const dirent = entry.dirent;
    keptDirs.add(path.posix.dirname(rel));
    if (dirent.isDirectory()) {
      keptDirs.add(rel);
      continue;
    }
    if (dirent.isSymbolicLink()) {
      links.push(rel);
      continue;
    }
    const excluded = defaultExcludeReason(rel);
    if (excluded) skipped.push({ path: rel, reason: `default exclude: ${excluded}` });
    else if (!dirent.isFile()) skipped.push({ path: rel, reason: 'not a regular file' });
    else if (options.omit?.(rel)) skipped.push({ path: rel, reason: 'omitted' });
    else toRead.push(rel);
  }

  // Excluded directories were never entered; each is listed once, as seen in the listing of a
  // directory the walk kept something in (so not outside `include`, nor under an ignored one).
  for (const [abs, dirent] of walk.seen) {
    if (!dirent.isDirectory() || !EXCLUDED_DIRS.has(dirent.name)) continue;
    const rel = path.relative(root, abs).split(path.sep).join('/');
    const parent = path.posix.dirname(rel);
    if (rel.startsWith('..') || !keptDirs.has(parent)) continue;
    const reason = excludedDirReason(dirent.name, parent === '.');
    if (reason) skipped.push({ path: `${rel}/`, reason: `default exclude: ${reason}` });
  }

  const realRoot = await realpath(root);
  for (const rel of links) skipped.push({ path: rel, reason: await symlinkReason(realRoot, path.join(root, rel)) });

  // Files are read with synchronous calls, `concurrency` of them per turn of the event loop: for
  // the small files of a codebase a sync read costs a few syscalls while an async one adds a
  // thread-pool round trip per call (50,000 files: ~1 s against ~2.7 s measured), and yielding
  // between slices keeps the process responsive.
  const files: RepoFile[] = [];
  const slice = Math.max(1, Math.floor(options.concurrency));
  const buffer = { bytes: Buffer.allocUnsafe(64 * 1024) }; // reused: the text is copied out of it
  for (let i = 0; i < toRead.length; i += slice) {
    if (i > 0) await nextTurn();
    for (const rel of toRead.slice(i, i + slice)) {
      const r = readRepoFile(path.join(root, rel), options.maxFileBytes, buffer);
      if (typeof r === 'string') skipped.push({ path: rel, reason: r });
      else files.push({ path: rel, size: r.size, content: r.content });
    }
  }

  files.sort((a, b) => comparePaths(a.path, b.path));
  skipped.sort((a, b) => comparePaths(a.path, b.path));
  return { files, skipped };
}

/**
 * One file as the scan would see it: its content when `scanRepo` would put it in the context, else
 * why not (the same rules: default excludes, `.gitignore` and `.harnessignore` files, config
 * `include`/`exclude`, symlinks on the way, size, binary), or `missing` when there is no such file.
 * For callers that send one file outside the snapshot (`refine`). Config globs are matched as the
 * walk applies them: an `exclude` glob leaves out a file it matches and everything under a
 * directory it matches; the file must match an `include` glob.
 */
export async function scanOne(
  repoDir: string,
  relPath: string,
  options: Pick<ScanOptions, 'include' | 'exclude' | 'maxFileBytes'>,
): Promise<{ file: RepoFile } | { reason: string } | { missing: true }> {
  const root = path.resolve(repoDir);
  const rel = relPath.split(path.sep).join('/').replace(/^\.\//, '');
  const abs = path.join(root, rel);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(abs);
  } catch {
    return { missing: true };
  }
  const byDefault = defaultExcludeReason(rel);
  if (byDefault) return { reason: `default exclude: ${byDefault}` };
  const segments = rel.split('/');
  const globs = (list: readonly string[]) => list.map((g) => globToRegExp(g.replace(/^\.\//, '').replace(/\/+$/, '')));
  const excluded = globs(options.exclude);
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i).join('/');
    if (excluded.some((re) => re.test(prefix))) return { reason: 'excluded by the config (`exclude`)' };
  }
  if (!globs(options.include).some((re) => re.test(rel))) return { reason: 'not matched by the config (`include`)' };
  const ignored = await isIgnoredByIgnoreFiles(['**/.gitignore', '**/.harnessignore'], {
    cwd: root,
    dot: true,
    ignore: [...WALK_IGNORES],
  });
  if (ignored(rel)) return { reason: 'ignored by .gitignore or .harnessignore' };
  if (st.isSymbolicLink()) return { reason: await symlinkReason(await realpath(root), abs) };
  // A directory on the way that is a symlink: the walk does not follow it either.
  const realDir = await realpath(path.dirname(abs)).catch(() => null);
  if (realDir !== path.join(await realpath(root), ...segments.slice(0, -1))) return { reason: 'under a symlinked directory (not followed)' };
  if (!st.isFile()) return { reason: 'not a regular file' };
  const r = readRepoFile(abs, options.maxFileBytes, { bytes: Buffer.allocUnsafe(0) });
  return typeof r === 'string' ? { reason: r } : { file: { path: rel, size: r.size, content: r.content } };
}

/** Plain code-unit order: the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function symlinkReason(realRoot: string, abs: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(abs);
  } catch {
    return 'symlink (broken, not followed)';
  }
  const inside = target === realRoot || target.startsWith(realRoot + path.sep);
  return inside ? 'symlink (not followed; its target is scanned under its own path)' : 'symlink to outside the repo (not followed)';
}

/** The file's text, or the reason it is skipped. Never reads more than `maxBytes`. */
function readRepoFile(abs: string, maxBytes: number, buffer: { bytes: Buffer }): { size: number; content: string } | string {
  let fd: number;
  try {
    fd = fs.openSync(abs, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ELOOP' ? 'symlink (not followed)' : `unreadable (${code})`;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return 'not a regular file';
    if (st.size > maxBytes) return `too large (${st.size} bytes)`;
    if (buffer.bytes.length < st.size) buffer.bytes = Buffer.allocUnsafe(st.size);
    const buf = buffer.bytes;
    let n = 0;
    while (n < st.size) {
      const bytesRead = fs.readSync(fd, buf, n, st.size - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    const data = buf.subarray(0, n);
    if (data.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return 'binary';
    if (!isUtf8(data)) return 'binary (not valid UTF-8)';
    return { size: st.size, content: data.toString('utf8') };
  } catch (e) {
    return `unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The file system globby walks with: node's, except that the entries the walk lists are kept.
 * globby's gitignore filter asks `fs.promises.stat` whether each result is a directory; it is
 * answered from them instead of by one more stat per file (50,000 files: about half of the walk's
 * time). Symlinks are not answered from them (stat follows links). The scan also finds the
 * excluded directories it did not enter in them.
 */
function recordingFs(): { fs: GlobbyOptions['fs']; seen: ReadonlyMap<string, Dirent> } {
  const seen = new Map<string, Dirent>();
  const keep = (dir: string, entries: Dirent[]) => {
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep; // walk paths are absolute and normalised
    for (const e of entries) seen.set(prefix + e.name, e);
  };
  type Callback = (err: NodeJS.ErrnoException | null, entries: unknown) => void;
  const nodeReaddir = fs.readdir as (dir: string, opts: unknown, cb?: Callback) => void;
  const readdir = (dir: string, opts: unknown, cb?: Callback) => {
    if (typeof opts === 'function' || cb === undefined) return nodeReaddir(dir, opts, cb);
    nodeReaddir(dir, opts, (err, entries) => {
      if (!err && (opts as { withFileTypes?: boolean } | null)?.withFileTypes) keep(dir, entries as Dirent[]);
      cb(err, entries);
    });
  };
  const stat = async (p: string) => {
    const known = seen.get(p);
    return known && !known.isSymbolicLink() ? known : fs.promises.stat(p);
  };
  return { fs: { ...fs, readdir, promises: { ...fs.promises, stat } } as unknown as GlobbyOptions['fs'], seen };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
