/**
 * Writing generated files (docs/sections.md): only through the path guard, and atomically
 * (a temporary file in the target's directory, flushed, then renamed over the target), so a crash
 * leaves the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeTarget } from './guard.js';

export type WriteResult = { ok: true; repoRelPath: string } | { ok: false; reason: string };

/**
 * Creates the parent directories, writes `content` to a uniquely named temporary file next to
 * `absPath`, syncs it and renames it over `absPath` (keeping an existing file's mode). The
 * temporary file is removed when anything fails. No path checks: use writeSafe for model output.
 */
export async function writeFileAtomic(absPath: string, content: string | Uint8Array): Promise<void> {
  const dir = path.dirname(absPath);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `${tempPrefix(absPath)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = await stat(absPath).then(
    (s) => s.mode & 0o7777,
    () => 0o666,
  );
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, absPath);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Temporary files of `absPath` are named `<this><pid>.<12 hex>.tmp`, next to it. */
const tempPrefix = (absPath: string): string => `.${path.basename(absPath).slice(0, 100)}.`;
const TEMP_SUFFIX = /^(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temporary files writeFileAtomic left next to any of `absPaths` when a process died
 * mid-write (SIGKILL, power loss): regular files named for one of those targets by a process other
 * than this one. Missing directories are skipped. Returns how many were removed.
 */
export async function removeStaleTemps(absPaths: readonly string[]): Promise<number> {
  const byDir = new Map<string, Set<string>>();
  for (const p of absPaths) {
    const dir = path.dirname(p);
    const prefixes = byDir.get(dir) ?? new Set<string>();
    prefixes.add(tempPrefix(p));
    byDir.set(dir, prefixes);
  }
  let removed = 0;
  for (const [dir, prefixes] of byDir) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith('.tmp') || !name.startsWith('.')) continue;
      // The target's basename may itself contain dots: try each split point that leaves a prefix we know.
      let stale = false;
      for (let i = name.indexOf('.', 1); i !== -1 && !stale; i = name.indexOf('.', i + 1)) {
        const m = prefixes.has(name.slice(0, i + 1)) ? TEMP_SUFFIX.exec(name.slice(i + 1)) : null;
        if (m && Number(m[1]) !== process.pid) stale = true;
      }
      if (!stale) continue;
      const abs = path.join(dir, name);
      const st = await lstat(abs).catch(() => null);
      if (!st?.isFile()) continue;
      await unlink(abs).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}

/**
 * Writes one file of model output at `relPath` under the output root, if the guard allows it.
 * The guard runs again after the directories are created, so a symbolic link swapped in
 * meanwhile cannot redirect the write. Unsafe paths are results, not exceptions.
 */
export async function writeSafe(repoDir: string, outputRoot: string, relPath: string, content: string): Promise<WriteResult> {
  const target = await resolveSafeTarget(repoDir, outputRoot, relPath);
  if (!target.ok) return target;
  await mkdir(path.dirname(target.absPath), { recursive: true });
  const again = await resolveSafeTarget(repoDir, outputRoot, relPath);
  if (!again.ok) return again;
  if (again.absPath !== target.absPath) return { ok: false, reason: 'the target changed while its directory was created' };
  await writeFileAtomic(target.absPath, content);
  return { ok: true, repoRelPath: target.repoRelPath };
}

/** Writes each file with writeSafe, in order; unsafe ones are listed, not written. */
export async function writeFiles(
  repoDir: string,
  outputRoot: string,
  files: readonly { path: string; content: string }[],
): Promise<{ written: string[]; rejected: { path: string; reason: string }[] }> {
  const written: string[] = [];
  const rejected: { path: string; reason: string }[] = [];
  for (const f of files) {
    const result = await writeSafe(repoDir, outputRoot, f.path, f.content);
    if (result.ok) written.push(result.repoRelPath);
    else rejected.push({ path: f.path, reason: result.reason });
  }
  return { written, rejected };
}
