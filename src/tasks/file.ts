/** Reading and (atomically) writing <repo>/task-list.md. */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
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
 * Writes a temporary file next to the task list, flushes it, then renames it over the list, so a
 * crash leaves either the old or the new list, never half of one. Keeps the file's mode.
 */
export async function writeTextAtomic(target: string, text: string): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let mode = 0o666;
  try {
    mode = (await stat(target)).mode & 0o7777;
  } catch {
    // no file yet: default mode (umask applies)
  }
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dir);
}

/** Makes the rename durable where the platform allows it (not on Windows). */
async function syncDir(dir: string): Promise<void> {
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
