/**
 * One harness process per repo: `.harness/lock` holds {pid, host, startedAt}. A lock is stale when
 * its process is gone (same host), or it is older than `staleAfterMs` (another host that died).
 * The lock is released only when the command ends (never from a signal handler while work goes on:
 * see cli/commands.ts `locked`).
 */
import { hostname } from 'node:os';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../shared/errors.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';

export const LOCK_FILE = `${HARNESS_STATE_DIR}/lock`;

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface Lock {
  release(): Promise<void>;
}

export async function acquireLock(repoDir: string, command: string, options: { staleAfterMs?: number; now?: () => number } = {}): Promise<Lock> {
  const file = path.join(repoDir, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date((options.now ?? Date.now)()).toISOString(), command };
  for (let attempt = 0; attempt < 3; attempt++) {
    await mkdir(path.dirname(file), { recursive: true });
    // Written whole to a temporary file, then linked into place (fails when a lock exists): another
    // process never reads a half-written lock and takes it for a stale one.
    const temp = `${file}.${process.pid}.${attempt}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(me));
      await link(temp, file);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await rm(file, { force: true });
        },
      };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // the folder went (a failed init cleaning up) between mkdir and the write: try again
      if (code !== 'EEXIST') throw error;
    } finally {
      await rm(temp, { force: true });
    }
    const holder = await readLock(file);
    if (holder && !isStale(holder, options.staleAfterMs ?? 24 * 3600_000, options.now ?? Date.now)) {
      throw new HarnessError(
        'LOCKED',
        `another harness process (${holder.command}, pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}) is working on this repo`,
        { hint: `wait for it to finish; if it is gone, delete ${LOCK_FILE}` },
      );
    }
    await rm(file, { force: true });
  }
  throw new HarnessError('LOCKED', `could not take ${LOCK_FILE}`, { hint: `delete ${LOCK_FILE} if no harness is running` });
}

async function readLock(file: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : null;
  } catch {
    return null; // unreadable or half-written: stale
  }
}

function isStale(info: LockInfo, staleAfterMs: number, now: () => number): boolean {
  const age = now() - Date.parse(info.startedAt);
  if (!(age < staleAfterMs)) return true;
  if (info.host !== hostname()) return false;
  if (info.pid === process.pid) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
