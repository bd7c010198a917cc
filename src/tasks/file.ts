/** Reading and (atomically) writing <repo>/task-list.md. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { HarnessError } from '../shared/errors.js';
import { TASK_LIST_FILE } from '../shared/paths.js';

/** The file's text, or a BAD_TASK_LIST error when it does not exist. */
export async function readTaskListText(repoDir: string, file: string = TASK_LIST_FILE): Promise<string> {
  try {
    return await readFile(path.join(repoDir, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HarnessError('BAD_TASK_LIST', `no ${file} (run harness init)`, { file, cause: e });
    }
    throw e;
  }
}

/**
 * Replaces the task list atomically and durably (src/shared/atomic-write.ts), keeping its mode. The
 * directory must exist: no repo, no task list.
 */
export const writeTextAtomic = (target: string, text: string): Promise<void> => writeFileAtomic(target, text, { createParents: false });
