import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/shared/errors.js';
import { readTaskListFile, writeTaskList, writeTaskListFile } from '../../src/tasks/task-list.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tasklist-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readTaskListFile', () => {
  it('reads and parses <repo>/task-list.md', async () => {
    await writeFile(path.join(dir, 'task-list.md'), '# T\n\n- [ ] `a.ts` — a\n');
    const list = await readTaskListFile(dir);
    expect(list.file).toBe('task-list.md');
    expect(list.tasks.map((t) => [t.path, t.group])).toEqual([['a.ts', 'T']]);
  });

  it('reads another file name and uses it in errors', async () => {
    await writeFile(path.join(dir, 'plan.md'), '- [ ] no path\n');
    await expect(readTaskListFile(dir, 'plan.md')).rejects.toMatchObject({ code: 'BAD_TASK_LIST', file: 'plan.md', line: 1 });
  });

  it('a missing file is BAD_TASK_LIST "no task-list.md (run harness init)"', async () => {
    const e = await readTaskListFile(dir).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(HarnessError);
    expect(e).toMatchObject({ code: 'BAD_TASK_LIST', message: 'no task-list.md (run harness init)', file: 'task-list.md' });
    expect((e as HarnessError).exitCode).toBe(2);
  });
});

describe('writeTaskListFile', () => {
  it('replaces the file atomically, keeps its mode and leaves no temporary file', async () => {
    const file = path.join(dir, 'task-list.md');
    await writeFile(path.join(dir, 'task-list.md'), '- [ ] `a.ts` — a\n');
    await chmod(file, 0o640);
    const list = await readTaskListFile(dir);
    const text = writeTaskList(list, new Map([['a.ts', { status: 'submitted' as const, batch: 'b1' }]]));
    await writeTaskListFile(dir, text);
    expect(await readFile(file, 'utf8')).toBe('- [ ] `a.ts` — a <!-- harness: id=t1 status=submitted attempts=0 batch=b1 -->\n');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['task-list.md']);
  });

  it('creates the file when there is none', async () => {
    await writeTaskListFile(dir, '# Tasks\n');
    expect(await readFile(path.join(dir, 'task-list.md'), 'utf8')).toBe('# Tasks\n');
    expect(await readdir(dir)).toEqual(['task-list.md']);
  });

  it('fails cleanly (no temporary file left) when the directory does not exist', async () => {
    await expect(writeTaskListFile(path.join(dir, 'missing'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });
});
