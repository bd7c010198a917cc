/**
 * Writing generated files (docs/sections.md): only through the path guard, and atomically with
 * the harness's one atomic write (src/shared/atomic-write.ts: a temporary file in the target's
 * directory, fsynced, renamed over the target, the directory fsynced), so a crash leaves the old
 * file or the new one, never half of one.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { encodePieces, type FilePieces } from './file-pieces.js';
import { resolveSafeTarget } from './guard.js';

// The pipeline imports these from here (generated files and their temporary files).

export type WriteResult = { ok: true; repoRelPath: string } | { ok: false; reason: string };

/**
 * Writes one file of model output at `relPath` under the output root, if the guard allows it.
 * The guard runs again after the directories are created, so a symbolic link swapped in
 * meanwhile cannot redirect the write. Unsafe paths are results, not exceptions.
 */
export async function writeSafe(repoDir: string, outputRoot: string, relPath: string, content: string | FilePieces): Promise<WriteResult> {
  const target = await resolveSafeTarget(repoDir, outputRoot, relPath);
  if (!target.ok) return target;
  await mkdir(path.dirname(target.absPath), { recursive: true });
  const again = await resolveSafeTarget(repoDir, outputRoot, relPath);
  if (!again.ok) return again;
  if (again.absPath !== target.absPath) return { ok: false, reason: 'the target changed while its directory was created' };
  await writeFileAtomic(target.absPath, typeof content === 'string' ? content : encodePieces(content));
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
