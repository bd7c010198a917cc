/**
 * Failed tasks can be tried again, the three ways the failure message names: `harness run
 * --retry-failed` (all of them), `harness retry PATH…` (some), and changing a task's description.
 * Before, a failed task stayed failed whatever the person did short of deleting the hidden comment.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Responder } from '../../src/emulator/index.js';
import { placeholderResponder } from '../../src/emulator/index.js';
import { filesToWrite, lastUserText } from '../../src/emulator/prompt.js';
import { sectionsFor } from '../../src/emulator/responder.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { expectedFiles, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** The placeholder model, except that it leaves out the files in `failing` (their tasks fail: attempts is 1). */
function leavingOut(failing: Set<string>): Responder {
  const base = placeholderResponder();
  return (req) => {
    const files = filesToWrite(lastUserText(req.params));
    return files ? sectionsFor(files.filter((f) => !failing.has(f.path))) : base(req);
  };
}

const ONE_ATTEMPT = { 'harness.config.mjs': 'export default { attempts: 1, maxTokens: 8000 };\n' };
const ORDER = 'src/models/order.ts';
const USER = 'src/models/user.ts';

type TaskRow = { path: string; status: string; attempts: number; reason: string | null };
const byPath = async (repo: string): Promise<Map<string, TaskRow>> =>
  new Map((await statusJson((...a) => h!.run(repo, ...a))).tasks.map((t: TaskRow) => [t.path, t]));

describe('trying failed tasks again', () => {
  it('run --retry-failed puts every failed task back to pending before the pass; the failure message names the ways', async () => {
    const failing = new Set([ORDER]);
    h = await withEmulator({ responder: leavingOut(failing) });
    const repo = await makeTarget({ files: ONE_ATTEMPT });
    const first = await h.run(repo, 'run');
    expect(first.code, first.stderr).toBe(3);
    expect(first.stdout).toMatch(/1 task(\(s\))? failed/);
    expect(first.stdout).toContain('`harness run --retry-failed`');
    expect(first.stdout).toContain('`harness retry PATH…`');
    expect(first.stdout).toContain("change a task's description");
    expect((await byPath(repo)).get(ORDER)).toMatchObject({ status: 'failed', attempts: 1 });

    // A plain run does not try it again.
    const batches = h.emulator.stats().batchesCreated;
    expect((await h.run(repo, 'run')).code).toBe(3);
    expect(h.emulator.stats().batchesCreated).toBe(batches);

    failing.clear();
    const again = await h.run(repo, 'run', '--retry-failed');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`1 failed task(s) back to pending: ${ORDER}`);
    expect((await byPath(repo)).get(ORDER)).toMatchObject({ status: 'done', attempts: 1, reason: null });
    expect((await expectedFiles(repo)).every((f) => f.ok)).toBe(true);
  });

  it('retry PATH… puts those tasks back to pending (failed or done); a path that is no task is exit 2', async () => {
    const failing = new Set([ORDER, USER]);
    h = await withEmulator({ responder: leavingOut(failing) });
    const repo = await makeTarget({ files: ONE_ATTEMPT });
    expect((await h.run(repo, 'run')).code).toBe(3);
    const listBefore = await readFile(path.join(repo, 'task-list.md'), 'utf8');

    const unknown = await h.run(repo, 'retry', 'nope.ts', ORDER);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('not a task in task-list.md: nope.ts');
    expect(await readFile(path.join(repo, 'task-list.md'), 'utf8')).toBe(listBefore);

    failing.clear();
    const one = await h.run(repo, 'retry', `./${ORDER}`);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain(`back to pending: ${ORDER}`);
    let tasks = await byPath(repo);
    expect(tasks.get(ORDER)).toMatchObject({ status: 'pending', attempts: 0, reason: null });
    expect(tasks.get(USER)).toMatchObject({ status: 'failed' });

    expect((await h.run(repo, 'run')).code).toBe(3); // user.ts is still failed
    tasks = await byPath(repo);
    expect(tasks.get(ORDER)).toMatchObject({ status: 'done' });

    // A done task can be retried too (generated again), with the failed one.
    const both = await h.run(repo, 'retry', USER, ORDER);
    expect(both.code, both.stderr).toBe(0);
    tasks = await byPath(repo);
    expect([tasks.get(USER)!.status, tasks.get(ORDER)!.status]).toEqual(['pending', 'pending']);
    const last = await h.run(repo, 'run');
    expect(last.code, last.stderr).toBe(0);
    expect((await expectedFiles(repo)).every((f) => f.ok)).toBe(true);
  });

  it('a failed task whose description the person changes is pending again', async () => {
    const failing = new Set([ORDER]);
    h = await withEmulator({ responder: leavingOut(failing) });
    const repo = await makeTarget({ files: ONE_ATTEMPT });
    expect((await h.run(repo, 'run')).code).toBe(3);
    const file = path.join(repo, 'task-list.md');
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/`src\/models\/order\.ts` — Order entity with validation <!-- harness: [^>]*status=failed [^>]*desc=[0-9a-f]+/);

    await writeFile(file, text.replace('Order entity with validation', 'Order entity with validation and a total'));
    expect((await byPath(repo)).get(ORDER)).toMatchObject({ status: 'pending', attempts: 0, reason: null });
    failing.clear();
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(0);
    expect((await byPath(repo)).get(ORDER)).toMatchObject({ status: 'done' });
  });
});
