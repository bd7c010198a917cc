/**
 * writeSafe for the thousands of files of one collect: the same guard, the same atomic write, the
 * same results, at a fraction of the system calls (measured: the guard's walk and real paths, twice
 * per file, and a directory fsync per file were most of a collect's time besides git).
 *
 * - The first file of a directory goes through writeSafe's steps (guard, mkdir, guard again, the
 *   two must agree); the directory it resolved to is then kept for the collect, and later files in
 *   it have their path text checked and their target lstat'ed (a regular file or nothing), no walk.
 *   A directory is only kept once a file in it passed: a refused target is checked afresh next time.
 *   What this gives up is the re-check of a directory a concurrent process swaps for a symbolic
 *   link while the collect runs (the guard is against model output and links already in the repo).
 * - Each file's temporary file is fsynced before its rename (old or new content after a crash,
 *   never half), but the directories are fsynced once each, by sync(), which the collect calls
 *   before it records the files as written.
 * - The content is encoded once, piece by piece (file-pieces.ts: no buffer over ~96 KB): its bytes
 *   are hashed (the journal's sha256) and written with one writev.
 */
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { syncDir, writeFileAtomic } from '../shared/atomic-write.js';
import { encodeAndHash, type FilePieces } from './file-pieces.js';
import { type GuardResult, type ResolvedDir, resolveInDir, resolveSafeTarget } from './guard.js';

export type SafeWrite = { ok: true; repoRelPath: string; sha256: string } | { ok: false; reason: string };

/** Directories fsynced at once by sync(). */
const SYNC_CONCURRENCY = 8;

export class SafeWriter {
  /** Directory of a task path (as given) → where it resolved, once a file in it passed the full guard. */
  private readonly dirs = new Map<string, Promise<ResolvedDir | null>>();
  /** Real directories a rename happened in since the last sync(). */
  private readonly unsynced = new Set<string>();
  private realRepo: Promise<string> | null = null;

  constructor(
    private readonly repoDir: string,
    private readonly outputRoot: string,
  ) {}

  /** Writes `content` (whole or in pieces) at `relPath` under the output root if the guard allows it; unsafe paths are results. */
  async write(relPath: string, content: string | FilePieces): Promise<SafeWrite> {
    const key = path.posix.dirname(relPath);
    const known = await this.dirs.get(key);
    const target = known ? await resolveInDir(known, this.repoDir, this.outputRoot, relPath) : await this.firstIn(key, relPath);
    if (!target.ok) return target;
    const { buffers, sha256 } = encodeAndHash(content);
    await writeFileAtomic(target.absPath, buffers, { createParents: false, syncDir: false });
    this.unsynced.add(path.dirname(target.absPath));
    return { ok: true, repoRelPath: target.repoRelPath, sha256 };
  }

  /** Makes every rename done so far durable: each directory written in is fsynced once. */
  async sync(): Promise<void> {
    const dirs = [...this.unsynced];
    this.unsynced.clear();
    for (let i = 0; i < dirs.length; i += SYNC_CONCURRENCY) await Promise.all(dirs.slice(i, i + SYNC_CONCURRENCY).map((d) => syncDir(d)));
  }

  /** writeSafe's checks for the first file of directory `key`; other files of it wait for the outcome. */
  private async firstIn(key: string, relPath: string): Promise<GuardResult> {
    let settle!: (dir: ResolvedDir | null) => void;
    this.dirs.set(key, new Promise((resolve) => (settle = resolve)));
    let result: GuardResult = { ok: false, reason: 'not checked' };
    try {
      result = await this.fullCheck(relPath);
      return result;
    } finally {
      if (result.ok) settle({ realRepo: await this.repoRealPath(), realDir: path.dirname(result.absPath) });
      else {
        this.dirs.delete(key);
        settle(null);
      }
    }
  }

  /** The guard, the parent directories, the guard again: both must agree (as writeSafe). */
  private async fullCheck(relPath: string): Promise<GuardResult> {
    const target = await resolveSafeTarget(this.repoDir, this.outputRoot, relPath);
    if (!target.ok) return target;
    await mkdir(path.dirname(target.absPath), { recursive: true });
    const again = await resolveSafeTarget(this.repoDir, this.outputRoot, relPath);
    if (!again.ok) return again;
    if (again.absPath !== target.absPath) return { ok: false, reason: 'the target changed while its directory was created' };
    return again;
  }

  private repoRealPath(): Promise<string> {
    this.realRepo ??= realpath(this.repoDir);
    return this.realRepo;
  }
}
