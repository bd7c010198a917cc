/**
 * Writing generated files (CONTRACT section 6): only through the path guard, and atomically
 * (a temporary file in the target's directory, flushed, then renamed over the target), so a crash
 * leaves the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
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
  const tmp = path.join(dir, `.${path.basename(absPath).slice(0, 100)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
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
