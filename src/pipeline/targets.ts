/**
 * The files a batch will write, as they were when it was submitted, so that collect never
 * overwrites an edit a person made while the batch ran:
 *
 * - at submit, each task's target is recorded in the intent: sha256 of its bytes, null when there
 *   is no file (anything that is not a regular file, a directory say, records `not-a-file`);
 * - at collect, a target that differs from that record (and is not already the generated content:
 *   a collect redone after a crash finds its own earlier write) is a conflict (targetConflicts in
 *   collect-fates.ts): it is left as it is, and the generated file is kept under
 *   `.harness/conflicts/<batch>/<path>`, a directory git ignores (it holds its own `.gitignore`),
 *   so it stays out of the person's commits.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeTarget } from '../output/guard.js';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import type { Workspace } from './workspace.js';

/** Where the outputs a collect could not write (their target had changed) are kept. */
const CONFLICTS_DIR = `${HARNESS_STATE_DIR}/conflicts`;

/** Recorded for a target that exists but is not a regular file. */
const NOT_A_FILE = 'not-a-file';

export const sha256 = (s: string | Uint8Array): string => createHash('sha256').update(s).digest('hex');

type Where = Pick<Workspace, 'repoDir'> & { config: Pick<Workspace['config'], 'outputRoot'> };

/**
 * The state of a task's target now: sha256 of the file, null when absent, NOT_A_FILE; undefined
 * when the path guard refuses the path (nothing will be written there, so nothing to compare).
 */
export async function targetState(ws: Where, taskPath: string): Promise<string | null | undefined> {
  const target = await resolveSafeTarget(ws.repoDir, ws.config.outputRoot, taskPath).catch(() => null);
  if (!target?.ok) return undefined;
  const st = await stat(target.absPath).catch((error: NodeJS.ErrnoException) =>
    error.code === 'ENOENT' || error.code === 'ENOTDIR' ? null : Promise.reject(error),
  );
  if (st === null) return null;
  if (!st.isFile()) return NOT_A_FILE;
  return sha256(await readFile(target.absPath));
}

/** The targets of a batch's tasks as they are now, for its intent (`targets`). */
export async function targetsAtSubmit(ws: Where, packed: readonly { tasks: readonly { path: string }[] }[]): Promise<Record<string, string | null>> {
  const paths = packed.flatMap((p) => p.tasks.map((t) => t.path));
  const states: (string | null | undefined)[] = [];
  for (let i = 0; i < paths.length; i += 32) states.push(...(await Promise.all(paths.slice(i, i + 32).map((p) => targetState(ws, p)))));
  const out: Record<string, string | null> = {};
  paths.forEach((p, i) => {
    if (states[i] !== undefined) out[p] = states[i]!;
  });
  return out;
}

/**
 * Keeps `content`, the output for `repoRelPath` that was not written over the person's version,
 * under CONFLICTS_DIR/<batch>/; returns the path it was kept at, relative to the repo.
 */
export async function keepConflict(repoDir: string, batchId: string, repoRelPath: string, content: string): Promise<string> {
  const dir = path.join(repoDir, CONFLICTS_DIR);
  const ignore = path.join(dir, '.gitignore');
  if (!existsSync(ignore)) {
    await mkdir(dir, { recursive: true });
    await writeFile(ignore, '# codegen-harness: generated files not written over your edits; never committed.\n*\n');
  }
  const kept = path.posix.join(CONFLICTS_DIR, batchId.replace(/[^A-Za-z0-9_-]/g, '_'), repoRelPath);
  await writeFileAtomic(path.join(repoDir, kept), content);
  return kept;
}
