/**
 * The I/O half of the path guard (docs/sections.md): where, on disk, a model-given path may be
 * written. The pure half (shared/paths.ts) rejects unsafe path text; this module resolves real
 * paths so that no symbolic link in the repo leads a write outside the output root, into `.git/`,
 * the harness state or the task list, or through a link at the target itself.
 *
 * The returned paths are the resolved ones: `absPath` has no symbolic link in it, and
 * `repoRelPath` is relative to the repo's real path (git refuses paths "beyond a symbolic link",
 * so a file reached through a link inside the root is committed under its real path).
 */
import type { Stats } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { unsafePathReason } from '../shared/paths.js';

export type GuardResult = { ok: true; absPath: string; repoRelPath: string } | { ok: false; reason: string };

const reject = (reason: string): GuardResult => ({ ok: false, reason });

/** File-system errors that say the path cannot be resolved safely, not that I/O failed. */
const PATH_ERRORS: Record<string, string> = {
  ENAMETOOLONG: 'path is too long for the file system',
  ELOOP: 'too many levels of symbolic links',
  ENOENT: 'a symbolic link on the path points nowhere',
};

/**
 * Checks `relPath` (relative to `outputRoot`, itself relative to `repoDir`) and resolves it.
 * Rejections are results; only real I/O errors (permissions, a missing repo) throw.
 */
export async function resolveSafeTarget(repoDir: string, outputRoot: string, relPath: string): Promise<GuardResult> {
  const text = checkPathText(repoDir, outputRoot, relPath);
  if (typeof text !== 'string') return text;
  const rootRel = text;
  const realRepo = await realpath(repoDir);
  try {
    const root = await resolveExisting(path.join(realRepo, rootRel));
    if (typeof root !== 'string') return root;
    if (root !== realRepo && !isInside(realRepo, root)) return reject(`the output root ${JSON.stringify(outputRoot)} resolves outside the repo`);
    const target = await resolveExisting(path.join(root, ...relPath.split('/')), true);
    if (typeof target !== 'string') return target;
    if (!isInside(root, target)) return reject('the path leads outside the output root through a symbolic link');
    const repoRelPath = toPosix(path.relative(realRepo, target));
    const unsafeReal = unsafePathReason(repoRelPath);
    if (unsafeReal) return reject(`the path resolves to ${repoRelPath}: ${unsafeReal}`);
    return { ok: true, absPath: target, repoRelPath };
  } catch (e) {
    const known = PATH_ERRORS[(e as NodeJS.ErrnoException).code ?? ''];
    if (known) return reject(known);
    throw e;
  }
}

/** The checks on the path text alone (no I/O): the output root relative to the repo, or why not. */
function checkPathText(repoDir: string, outputRoot: string, relPath: string): string | GuardResult {
  const unsafe = unsafePathReason(relPath);
  if (unsafe) return reject(unsafe);
  const rootRel = toPosix(path.relative(path.resolve(repoDir), path.resolve(repoDir, outputRoot)));
  if (rootRel !== '' && !isInside('', rootRel)) return reject(`the output root ${JSON.stringify(outputRoot)} is outside the repo`);
  const repoRel = rootRel === '' ? relPath : `${rootRel}/${relPath}`;
  const unsafeInRepo = unsafePathReason(repoRel);
  if (unsafeInRepo) return reject(`${repoRel}: ${unsafeInRepo}`);
  return rootRel;
}

/** Where a target resolveSafeTarget accepted lies: the repo's real path and the target's real directory. */
export interface ResolvedDir {
  realRepo: string;
  realDir: string;
}

/**
 * resolveSafeTarget for `relPath` when a path in the same directory (`relPath`'s dirname, same
 * repo and output root) resolved to `dir` already: the path text is checked again, the directory
 * is taken as resolved, and the target itself must be a regular file or nothing (one lstat
 * instead of a walk and real paths). The caller answers for `dir` still being what it was.
 */
export async function resolveInDir(dir: ResolvedDir, repoDir: string, outputRoot: string, relPath: string): Promise<GuardResult> {
  const text = checkPathText(repoDir, outputRoot, relPath);
  if (typeof text !== 'string') return text;
  const target = path.join(dir.realDir, path.posix.basename(relPath));
  try {
    const stats = await lstat(target).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
    if (stats?.isSymbolicLink()) return reject('the target is a symbolic link');
    if (stats?.isDirectory()) return reject('the target is a directory');
    if (stats && !stats.isFile()) return reject('the target is not a regular file');
  } catch (e) {
    const known = PATH_ERRORS[(e as NodeJS.ErrnoException).code ?? ''];
    if (known) return reject(known);
    throw e;
  }
  const repoRelPath = toPosix(path.relative(dir.realRepo, target));
  const unsafeReal = unsafePathReason(repoRelPath);
  if (unsafeReal) return reject(`the path resolves to ${repoRelPath}: ${unsafeReal}`);
  return { ok: true, absPath: target, repoRelPath };
}

/**
 * The real path `p` would have: the real path of its deepest existing ancestor (which must be a
 * directory) plus the segments that do not exist yet. With `isTarget`, an existing `p` itself
 * must be a regular file (never a link or a directory).
 */
async function resolveExisting(p: string, isTarget = false): Promise<string | GuardResult> {
  const { existing, stats, rest } = await deepestExisting(p);
  if (rest.length === 0 && isTarget) {
    if (stats.isSymbolicLink()) return reject('the target is a symbolic link');
    if (stats.isDirectory()) return reject('the target is a directory');
    if (!stats.isFile()) return reject('the target is not a regular file');
  }
  const real = await realpath(existing);
  if (rest.length > 0 && !(await stat(real)).isDirectory()) return reject(`${path.basename(existing)} is not a directory`);
  return path.join(real, ...rest);
}

/** The deepest path among `p` and its ancestors that exists (by lstat), and the names below it. */
async function deepestExisting(p: string): Promise<{ existing: string; stats: Stats; rest: string[] }> {
  const missing: string[] = [];
  let current = p;
  for (;;) {
    try {
      return { existing: current, stats: await lstat(current), rest: missing.reverse() };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const parent = path.dirname(current);
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === current) throw e;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/** True when `child` is strictly below `parent` ('' for a relative `child`). */
function isInside(parent: string, child: string): boolean {
  const rel = parent === '' ? child : path.relative(parent, child);
  return rel !== '' && !path.isAbsolute(rel) && rel.split(/[\\/]/)[0] !== '..';
}

const toPosix = (p: string): string => p.split(path.sep).join('/');
