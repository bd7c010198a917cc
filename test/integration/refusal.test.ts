/**
 * `stop_reason: "refusal"` in a batch result, end to end against the emulator's refusal fault: no
 * file is written from a refused answer; its task uses an attempt, and fails at the cap with a
 * reason that says the model refused.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { expectedFiles, makeTarget, statusJson, TASKS } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

type StatusTask = { path: string; status: string; attempts: number; reason: string | null };
const task = async (repo: string, p: string): Promise<StatusTask> =>
  ((await statusJson((...a) => h!.run(repo, ...a))).tasks as StatusTask[]).find((t) => t.path === p)!;

async function withAttempts(repo: string, attempts: number): Promise<void> {
  await writeFile(path.join(repo, 'harness.config.mjs'), `export default { attempts: ${attempts} };\n`);
  git(repo, 'add', 'harness.config.mjs');
  git(repo, 'commit', '-qm', 'config');
}

const ONE = TASKS.slice(0, 1);
const P = ONE[0]!.path;

it('a request refused every time: its task is not written and fails after its attempts, the reason says the model refused', async () => {
  h = await withEmulator({ faults: { results: [{ kind: 'refusal', times: 0 }] } });
  const repo = await makeTarget({ tasks: ONE });
  await withAttempts(repo, 2);
  const r = await h.run(repo, 'run');
  expect(r.code, r.stderr).toBe(3);
  expect(r.stdout + r.stderr).toMatch(/the model refused \(stop_reason refusal\): its task is not written from it/);
  expect(await task(repo, P)).toMatchObject({ status: 'failed', attempts: 2, reason: 'the model refused (stop_reason refusal) (after 2 attempts)' });
  expect(existsSync(path.join(repo, P))).toBe(false);
});

it('a request refused once: the task uses an attempt, and the next answer is written', async () => {
  h = await withEmulator({ faults: { results: [{ kind: 'refusal', times: 1 }] } });
  const repo = await makeTarget({ tasks: ONE });
  const r = await h.run(repo, 'run');
  expect(r.code, r.stderr).toBe(0);
  expect(await task(repo, P)).toMatchObject({ status: 'done', attempts: 2 });
  expect((await expectedFiles(repo, ONE)).every((f) => f.ok)).toBe(true);
});
