/**
 * The one atomic write of the harness and its emulator: a crash or a power cut leaves the old
 * file or the new one, never half of one, and once the promise resolves the new one stays.
 *
 * The strongest durability any caller needs, for every caller: the content goes to a uniquely
 * named temporary file next to the target, which is fsynced, renamed over the target, and then
 * the directory is fsynced so that the rename itself survives a power cut. Callers that need it:
 * task-list.md and the generated files (the journal, fsynced too, records them as written), the
 * git index put back after a failed commit. The emulator's store is a test double and would do
 * without the fsyncs, but it writes a few small files per batch: one behaviour for all is simpler
 * than a knob, and a long-lived emulator (`harness emulator --data DIR`) keeps its batches too.
 *
 * Temporary files are named `.<target's name>.<pid>.<12 hex>.tmp`, so that `removeStaleTemps`
 * finds the ones a killed process left behind.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, lstat, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Create the missing parent directories first (default true); false: fail with ENOENT instead. */
  createParents?: boolean;
  /**
   * Fsync the directory after the rename (default true). false: the caller syncs it (syncDir)
   * before it relies on the rename, as a collect does once per directory for all its files.
   */
  syncDir?: boolean;
}

/**
 * Writes `content` to `file` atomically and durably (above), keeping an existing file's mode (a
 * new file gets 0o666 less the umask). The temporary file is removed when anything fails.
 */
export async function writeFileAtomic(
  file: string,
  content: string | Uint8Array | readonly Uint8Array[],
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = path.dirname(file);
  if (options.createParents ?? true) await mkdir(dir, { recursive: true });
  const tmp = tempFileOf(file);
  const mode = await stat(file).then(
    (s) => s.mode & 0o7777,
    () => 0o666,
  );
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      if (Array.isArray(content)) await writeAllAt(handle, content, 0);
      else await handle.writeFile(content as string | Uint8Array);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  if (options.syncDir ?? true) await syncDir(dir);
}

/**
 * Writes `chunks` one after the other at `position` of `handle`: one writev, then plain writes for
 * whatever a short write left.
 */
export async function writeAllAt(handle: FileHandle, chunks: readonly Uint8Array[], position: number): Promise<void> {
  if (chunks.length === 0) return;
  let written = (await handle.writev(chunks as Uint8Array[], position)).bytesWritten;
  let pos = position;
  for (const c of chunks) {
    let off = Math.min(written, c.length);
    written -= off;
    pos += off;
    while (off < c.length) {
      const { bytesWritten } = await handle.write(c, off, c.length - off, pos);
      off += bytesWritten;
      pos += bytesWritten;
    }
  }
}

/** Makes a rename in `dir` durable where the platform allows it (not on Windows, nor on every file system): best effort. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

/**
 * A new temporary file for `file`, next to it, named so that `removeStaleTemps` finds it when the
 * process dies before it is renamed or removed (for a caller that fills one itself).
 */
export function tempFileOf(file: string): string {
  return path.join(path.dirname(file), `${tempPrefix(file)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Temporary files of `file` are named `<this><pid>.<12 hex>.tmp`, next to it. */
const tempPrefix = (file: string): string => `.${path.basename(file).slice(0, 100)}.`;
const TEMP_SUFFIX = /^(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temporary files writeFileAtomic left next to any of `files` when a process died
 * mid-write (SIGKILL, power loss): regular files named for one of those targets by a process other
 * than this one. Missing directories are skipped. Returns how many were removed.
 */
export async function removeStaleTemps(files: readonly string[]): Promise<number> {
  const byDir = new Map<string, Set<string>>();
  for (const p of files) {
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
