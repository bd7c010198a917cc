/** The run loop with stages (fakes of run-fakes.ts): one stage per batch, a later stage only after the earlier one is collected. */
import { describe, expect, it } from 'vitest';
import { runLoop } from '../../src/pipeline/run-loop.js';
import { world } from './run-fakes.js';

const STAGES = { m1: 1, m2: 1, s1: 2, r1: 3 };
const allPending = { m1: 'pending', m2: 'pending', s1: 'pending', r1: 'pending' } as const;

describe('run loop: stages', () => {
  it('submits stage by stage, each after the one before it is collected', async () => {
    const w = world(allPending, {}, STAGES);
    w.batchSize = 5;
    const result = await runLoop(w.ws, { fresh: true }, w.deps);
    expect(w.log.slice(1)).toEqual([
      'check targets m1,m2',
      'snapshot',
      'plan m1+m2',
      'budget $0 committed $0',
      'submit b1 m1,m2',
      'wait any b1',
      'collect b1',
      'check targets s1',
      'plan s1',
      'budget $1 committed $1',
      'submit b2 s1',
      'wait any b2',
      'collect b2',
      'check targets r1',
      'plan r1',
      'budget $2 committed $2',
      'submit b3 r1',
      'wait any b3',
      'collect b3',
    ]);
    expect(result).toMatchObject({ exitCode: 0, held: null, stage: null, counts: { done: 4 } });
  });

  it('a failed stage-1 task stops the run before stage 2 with exit 3 naming it', async () => {
    const w = world(allPending, {}, STAGES);
    w.fate = (p) => (p === 'm2' ? 'failed' : 'done');
    const result = await runLoop(w.ws, { fresh: true }, w.deps);
    expect(w.log.filter((l) => l.startsWith('submit'))).toEqual(['submit b1 m1,m2']);
    expect(result.exitCode).toBe(3);
    expect(result.held).toBe('stage 2 waits for stage 1: m2 failed; fix it and run `harness retry m2`, then `harness run`');
    expect(result.stage).toMatchObject({ current: 2, waiting: 1 });
  });

  it('--detach submits stage 1 and leaves; the next --detach submits stage 2 only once stage 1 is collected', async () => {
    const w = world(allPending, {}, STAGES);
    w.batchSize = 5;
    const first = await runLoop(w.ws, { detach: true, fresh: true }, w.deps);
    expect(first).toMatchObject({ exitCode: 3, submitted: ['b1'], stage: { current: 1, waiting: 2 } });
    w.log.length = 0;
    await runLoop(w.ws, { detach: true, allowDirty: true }, w.deps);
    expect(w.log.filter((l) => /^(submit|look|collect)/.test(l))).toEqual(['look b1: running']);
    w.clock += 60_000;
    w.log.length = 0;
    const third = await runLoop(w.ws, { detach: true, allowDirty: true }, w.deps);
    expect(w.log.filter((l) => /^(submit|look|collect)/.test(l))).toEqual(['collect b1', 'submit b2 s1']);
    expect(third.stage).toMatchObject({ current: 2, waiting: 1 });
  });

  it('--once: one cycle of stage 1, the later stages left pending (exit 3)', async () => {
    const w = world(allPending, {}, STAGES);
    w.batchSize = 5;
    const result = await runLoop(w.ws, { once: true, fresh: true }, w.deps);
    expect(w.log.filter((l) => /^(submit|collect)/.test(l))).toEqual(['submit b1 m1,m2', 'collect b1']);
    expect(result).toMatchObject({ exitCode: 3, held: null, stage: { current: 2 } });
  });

  it('--dry-run writes the requests of the stage in progress only', async () => {
    const w = world(allPending, {}, STAGES);
    await runLoop(w.ws, { dryRun: true }, w.deps);
    expect(w.log).toEqual(['preflight', 'check targets m1,m2', 'snapshot', 'plan m1+m2', 'dry run 1']);
    expect(w.messages).toEqual(['info: dry run of stage 1 only: 2 pending task(s) of later stages wait for it']);
  });
});
