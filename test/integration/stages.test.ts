/**
 * Stages end to end (docs/task-list.md#stages), against the emulator: one stage per batch, a later
 * stage submitted only after the earlier one was collected and reading its files (the placeholder
 * files name the earlier stages' files their request carried), a failed stage-1 task holding
 * stage 2 back (exit 3, named), lists without stages unchanged, and SIGKILL between stages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { placeholderFile, placeholderResponder, type ResponderRequest } from '../../src/emulator/index.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git } from '../helpers/git.js';
import { commitSubjects, commitsPerPath, makeTarget, statusJson, TASKS, type TaskSpec } from '../helpers/target.js';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const STAGE_OF: Record<string, string> = { Models: 'Stage 1: Models', Services: 'Stage 2: Services', Tests: 'Stage 3: Tests' };
const STAGED: TaskSpec[] = TASKS.map((t) => ({ ...t, group: STAGE_OF[t.group]! }));
const stageNumber = (p: string) => Number(/^Stage (\d+)/.exec(STAGED.find((t) => t.path === p)!.group)![1]);
const NO_WARMUP = { 'harness.config.mjs': 'export default { cache: { warmup: false } };\n' };

/** What the offline model writes for a task of the staged list: its file names every earlier stage's file. */
function expected(t: TaskSpec): string {
  const earlier = STAGED.filter((e) => stageNumber(e.path) < stageNumber(t.path))
    .map((e) => e.path)
    .sort();
  return placeholderFile(t.path, t.description, { earlier });
}

async function filesOk(repo: string, tasks: readonly TaskSpec[], want: (t: TaskSpec) => string): Promise<string[]> {
  const bad: string[] = [];
  for (const t of tasks) if ((await readFile(path.join(repo, t.path), 'utf8').catch(() => null)) !== want(t)) bad.push(t.path);
  return bad;
}

/** Each batch's paths from the journal, in submit order. */
async function batchPaths(repo: string): Promise<string[][]> {
  const lines = (await readFile(path.join(repo, '.harness', 'journal.jsonl'), 'utf8')).trim().split('\n');
  const events = lines.map((l) => JSON.parse(l) as { type: string; purpose?: string; requests?: { paths: string[] }[] });
  return events.filter((e) => e.type === 'intent' && e.purpose !== 'warmup').map((e) => e.requests!.flatMap((r) => r.paths));
}

/** Submit and collect subjects in the order they were committed. */
const flow = (repo: string) =>
  commitSubjects(repo)
    .reverse()
    .filter((s) => /^harness: (submit|collect) /.test(s))
    .map((s) => s.split(' ').slice(1, 2)[0]);

async function expectStagedWhole(repo: string, harness: Harness): Promise<void> {
  expect(await filesOk(repo, STAGED, expected)).toEqual([]);
  expect(harness.emulator.stats().batchesCreated).toBe(3);
  const perPath = commitsPerPath(repo);
  for (const t of STAGED) expect(perPath.get(t.path), t.path).toBe(1);
  expect(flow(repo)).toEqual(['submit', 'collect', 'submit', 'collect', 'submit', 'collect']);
  for (const paths of await batchPaths(repo)) expect(new Set(paths.map(stageNumber)).size, paths.join(',')).toBe(1);
  expect(git(repo, 'status', '--porcelain')).toBe('');
}

describe('stages', () => {
  it('one batch per stage, each submitted after the one before was collected; stage 2 and 3 requests read the earlier files', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ tasks: STAGED, files: NO_WARMUP });
    const est = JSON.parse((await h.run(repo, 'estimate', '--json')).stdout);
    expect(est).toMatchObject({ pending_tasks: 2, stage: 1, waiting_tasks: 4, stage_held: null });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect((await batchPaths(repo)).map((p) => p.map(stageNumber))).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    await expectStagedWhole(repo, h);
    expect(await readFile(path.join(repo, 'src/services/user.service.ts'), 'utf8')).toContain(
      '// Read from earlier stages (2 files): src/models/order.ts, src/models/user.ts\n',
    );
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.tasks.map((t: { stage: number }) => t.stage)).toEqual([1, 1, 2, 2, 3, 3]);
    expect(s.stage).toBeNull();
  });

  it('run --detach submits one stage per call, the next only once the earlier one is collected', async () => {
    h = await withEmulator({ processingMs: 300 });
    const repo = await makeTarget({ tasks: STAGED, files: NO_WARMUP });
    const first = await h.run(repo, 'run', '--detach', '--max-tokens', '8000');
    expect(first.code, first.stderr).toBe(3);
    expect((await statusJson((...a) => h!.run(repo, ...a))).stage).toBe(1);
    for (let i = 0; i < 40 && (await statusJson((...a) => h!.run(repo, ...a))).stage !== null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await h.run(repo, 'run', '--detach', '--max-tokens', '8000');
    }
    await expectStagedWhole(repo, h);
  });

  it('a failed stage-1 task stops the run before stage 2 with exit 3 naming it; retry, and the run goes on', async () => {
    const inner = placeholderResponder();
    const dropOrder = async (req: ResponderRequest) => {
      const out = await inner(req);
      return out.replace(/<<<FILE src\/models\/order\.ts>>>\n[\s\S]*?<<<END src\/models\/order\.ts>>>\n/, '');
    };
    h = await withEmulator({ responder: dropOrder });
    const repo = await makeTarget({ tasks: STAGED, files: { 'harness.config.mjs': 'export default { attempts: 1, cache: { warmup: false } };\n' } });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(
      /stage 2 waits for stage 1: src\/models\/order\.ts failed \(.+\); fix it and run `harness retry src\/models\/order\.ts`/,
    );
    expect(h.emulator.stats().batchesCreated).toBe(1);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.stage).toBe(2);
    expect(s.stage_held).toMatch(/^stage 2 waits for stage 1: src\/models\/order\.ts failed/);
    expect(s.counts).toEqual({ pending: 4, submitted: 0, done: 1, failed: 1 });

    await h.restart({ responder: placeholderResponder() });
    expect((await h.run(repo, 'retry', 'src/models/order.ts')).code).toBe(0);
    const again = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(again.code, again.stderr).toBe(0);
    expect((await statusJson((...a) => h!.run(repo, ...a))).counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
  });

  it('a stage-1 file unticked after stage 1 was done: stage 2 waits for the regenerated file', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ tasks: STAGED, files: NO_WARMUP });
    const once = await h.run(repo, 'run', '--once', '--max-tokens', '8000');
    expect(once.code, once.stderr).toBe(3);
    const list = path.join(repo, 'task-list.md');
    await writeFile(list, (await readFile(list, 'utf8')).replace('- [x] `src/models/user.ts`', '- [ ] `src/models/user.ts`'));
    git(repo, 'commit', '-qam', 'untick the user model');
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect(await batchPaths(repo)).toEqual([
      ['src/models/user.ts', 'src/models/order.ts'],
      ['src/models/user.ts'],
      ['src/services/user.service.ts', 'src/services/order.service.ts'],
      ['test/user.test.ts', 'test/order.test.ts'],
    ]);
    expect(await filesOk(repo, STAGED, expected)).toEqual([]);
  });

  it('a task list without Stage headings runs as before: one batch, plain placeholder files, stage 1 everywhere', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: NO_WARMUP });
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect(h.emulator.stats().batchesCreated).toBe(1);
    expect(await filesOk(repo, TASKS, (t) => placeholderFile(t.path, t.description))).toEqual([]);
    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(new Set(s.tasks.map((t: { stage: number }) => t.stage))).toEqual(new Set([1]));
    expect(r.stdout).not.toMatch(/stage/i);
  });

  for (const point of [
    'collect:task-list-written#1',
    'submit:intent-recorded#2',
    'submit:created#2',
    'collect:file-written#3',
    'collect:recorded#2',
  ]) {
    it(`SIGKILL at ${point} (between stages, stage 2's submit or collect): the resume keeps the order and pays nothing twice`, async () => {
      h = await withEmulator({ processingMs: 150 });
      const repo = await makeTarget({ tasks: STAGED, files: NO_WARMUP });
      const killed = await h.start(repo, ['run', '--max-tokens', '8000'], { HARNESS_FAILPOINT: point }).done;
      expect(killed.signal).toBe('SIGKILL');
      const resumed = await h.run(repo, 'run', '--max-tokens', '8000');
      expect(resumed.code, resumed.stderr).toBe(0);
      await expectStagedWhole(repo, h);
      // What the journal says was paid is exactly what the emulator billed.
      const s = await statusJson((...a) => h!.run(repo, ...a));
      expect(s.usage.output_tokens).toBe(h.emulator.stats().usage.output_tokens);
    });
  }
});
