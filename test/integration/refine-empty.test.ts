/**
 * `refine` on an empty codebase: the cached context block must not be empty (the API refuses an
 * empty text block, and so does the emulator); it carries the same placeholder as the batches.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git, makeRepo } from '../helpers/git.js';
import { commitSubjects, taskListText } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

it('refine of a new file in a repo with no files succeeds (exit 0): one message call, the file written and committed', async () => {
  h = await withEmulator();
  // Only the task list, which is never part of the codebase context: the context is empty.
  const repo = await makeRepo({ 'task-list.md': taskListText([{ path: 'src/hello.ts', description: 'a greeting', group: 'App' }]) });
  const r = await h.run(repo, 'refine', 'src/hello.ts', '--message', 'export a function hello() that returns "hi"');
  expect(r.code, r.stderr).toBe(0);
  const calls = h.emulator.log().filter((e) => e.method === 'POST' && e.path === '/v1/messages');
  expect(calls.map((c) => c.status)).toEqual([200]);
  expect((await readFile(path.join(repo, 'src/hello.ts'), 'utf8')).length).toBeGreaterThan(0);
  expect(commitSubjects(repo)[0]).toBe('harness: refine src/hello.ts');
  expect(git(repo, 'status', '--porcelain', '--', 'src/hello.ts')).toBe('');
});

it('a stored snapshot whose context text is empty: refine sends the placeholder, not an empty text block the API refuses', async () => {
  h = await withEmulator();
  const repo = await makeRepo({ 'task-list.md': taskListText([{ path: 'src/hello.ts', description: 'a greeting', group: 'App' }]) });
  expect((await h.run(repo, 'refine', 'src/hello.ts', '--message', 'export hello()')).code).toBe(0); // snapshot stored
  // The stored snapshot made empty, consistently (its digest matches), as an older snapshot could be.
  const metaFile = path.join(repo, '.harness/context.json');
  const meta = JSON.parse(await readFile(metaFile, 'utf8'));
  await writeFile(path.join(repo, '.harness/context.txt'), '');
  await writeFile(metaFile, JSON.stringify({ ...meta, sha256: createHash('sha256').update('').digest('hex'), tokens: 0, bytes: 0 }));
  const r = await h.run(repo, 'refine', 'src/hello.ts', '--message', 'make it return "hello"');
  expect(r.code, r.stderr).toBe(0);
  const calls = h.emulator.log().filter((e) => e.method === 'POST' && e.path === '/v1/messages');
  expect(calls.map((c) => c.status)).toEqual([200, 200]);
});
