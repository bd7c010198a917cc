/** Running git through simple-git: errors as HarnessErrors, literal pathspecs, the commit HEAD points at. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { HarnessError } from '../shared/errors.js';

/**
 * Runs one git call; a failure becomes a `GIT` HarnessError saying `what` failed (the first lines
 * of git's message), or whatever `explain` makes of it.
 */
export async function runGit<T>(fn: () => Promise<T>, what: string, explain?: (msg: string, error: unknown) => HarnessError): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const msg = error instanceof Error ? error.message.trim().split('\n').slice(0, 3).join(' ') : String(error);
    if (explain) throw explain(msg, error);
    throw new HarnessError('GIT', `${what} failed: ${msg}`, { cause: error });
  }
}

/** Literal pathspecs in argv-sized chunks (a file named `*.ts` must not match every .ts file). */
export function literalPathspecChunks(paths: readonly string[], size = 500): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < paths.length; i += size) out.push(paths.slice(i, i + size).map((p) => `:(literal)${p}`));
  return out;
}

/** Calls `fn` with a temporary NUL-separated pathspec file of `paths`, for `--pathspec-from-file`. */
export async function withPathspecFile<T>(paths: readonly string[], fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'harness-git-'));
  const file = path.join(dir, 'pathspec');
  try {
    // Literal pathspecs: a generated file named `*.ts` must not match every .ts file.
    await writeFile(file, paths.map((p) => `:(literal)${p}`).join('\0'));
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The commit HEAD points at, or null before the first commit. */
export const headCommit = (git: SimpleGit): Promise<string | null> =>
  git.raw(['rev-parse', '--verify', '-q', 'HEAD']).then(
    (out) => out.trim() || null,
    () => null,
  );
