/** A copy of git's index file taken before a commit, to put the person's index back after a failed one. */
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { runGit } from './git-command.js';

interface IndexSnapshot {
  /** Puts the index back byte for byte (or removes it, when there was none). */
  restore(): Promise<void>;
  /** Deletes the copy. */
  discard(): Promise<void>;
}

/** A copy of the index file (or the fact that there is none), to put back after a failed commit. */
export async function saveIndex(git: SimpleGit, dir: string): Promise<IndexSnapshot> {
  const indexFile = path.resolve(dir, (await runGit(() => git.raw(['rev-parse', '--git-path', 'index']), 'git rev-parse')).trim());
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'harness-index-'));
  const copy = path.join(tmpDir, 'index');
  const existed = await copyFile(indexFile, copy).then(
    () => true,
    (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
  );
  return {
    async restore() {
      if (!existed) return rm(indexFile, { force: true });
      await writeFileAtomic(indexFile, await readFile(copy), { createParents: false });
    },
    discard: () => rm(tmpDir, { recursive: true, force: true }),
  };
}
