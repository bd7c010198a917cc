/**
 * Scan the target repo for the files that form the codebase context (docs/context.md).
 *
 * One walk over the repo (walk-repo.ts) with `.gitignore` files and `.harnessignore` files (gitignore
 * syntax, at any depth, as git applies them: ignore-files.ts) honoured, dot files included, config
 * `include`/`exclude` applied, and the default excludes (default-excludes.ts). What the walk returns
 * is classified without reading anything that is excluded by default; the remaining files are read
 * once each, `concurrency` per turn of the event loop (read-files.ts). The snapshot does the scan,
 * the secret scan and the context in one pass over the same reads (scan-pack.ts: `scanAndPack`).
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
import fs from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { isIgnored, type IgnoreLayer, parentLayers, readLayer } from './ignore-files.js';
import { scanFramed } from './scan-pack.js';
import { filesOf, readJob, readRanges } from './read-files.js';
import { configGlobs, defaultExcludeReason, symlinkReason } from './walk-repo.js';

export { comparePaths, defaultExcludeReason } from './walk-repo.js';

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
  /**
   * Of `skipped`, the files the walk found and the reads left out (binary, too large, unreadable):
   * the context's tree names them, and a list after its files says why (context.ts). Sorted by path.
   */
  omitted: SkippedFile[];
}

/** The scan options a harness config gives (what snapshot, mirror refresh and refine all use). */
export function scanOptionsOf(config: { include: string[]; exclude: string[]; scan: { maxFileBytes: number; concurrency: number } }): ScanOptions {
  return { include: config.include, exclude: config.exclude, maxFileBytes: config.scan.maxFileBytes, concurrency: config.scan.concurrency };
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

export async function scanRepo(repoDir: string, options: ScanOptions): Promise<ScanResult> {
  return scanFramed(repoDir, options);
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
  const globs = configGlobs(options);
  for (let i = 1; i <= segments.length; i++) {
    if (globs.excluded(segments.slice(0, i).join('/'))) return { reason: 'excluded by the config (`exclude`)' };
  }
  if (!globs.included(rel)) return { reason: 'not matched by the config (`include`)' };
  if (ignoredOnTheWay(root, segments)) return { reason: 'ignored by .gitignore or .harnessignore' };
  if (st.isSymbolicLink()) return { reason: await symlinkReason(await realpath(root), abs) };
  // A directory on the way that is a symlink: the walk does not follow it either.
  const realDir = await realpath(path.dirname(abs)).catch(() => null);
  if (realDir !== path.join(await realpath(root), ...segments.slice(0, -1))) return { reason: 'under a symlinked directory (not followed)' };
  if (!st.isFile()) return { reason: 'not a regular file' };
  const [range] = await readRanges(readJob(root, [rel], options.maxFileBytes, 1));
  const [file] = filesOf([rel], range!);
  if (file === undefined) return { reason: range!.skipped[0]?.[1] ?? 'unreadable' };
  return { file: { path: rel, size: file.size, content: file.content } };
}

/** The ignore files of every directory from the root to the file's, applied as the walk applies them. */
function ignoredOnTheWay(root: string, segments: readonly string[]): boolean {
  let layers: IgnoreLayer[] = parentLayers(root);
  for (let i = 0; i < segments.length; i++) {
    const dir = segments.slice(0, i).join('/');
    const abs = path.join(root, dir);
    const own = readLayer(
      abs,
      dir === '' ? '' : `${dir}/`,
      (name) => fs.existsSync(path.join(abs, name)) && fs.statSync(path.join(abs, name)).isFile(),
    );
    if (own) layers = [...layers, own];
    const rel = segments.slice(0, i + 1).join('/');
    if (isIgnored(i === segments.length - 1 ? rel : `${rel}/`, layers)) return true;
  }
  return false;
}
