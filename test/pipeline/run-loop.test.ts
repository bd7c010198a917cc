/**
 * The run loop, branch by branch, with every stage a fake over an in-memory task list, journal and
 * batch server (run-fakes.ts): what it calls, in what order, and what it returns. The subprocess
 * tests (test/integration) cover the real stages, their wiring and crashes.
 */
import { describe, expect, it } from 'vitest';
import { runLoop } from '../../src/pipeline/run-loop.js';
import { isStopRequested } from '../../src/shared/signals.js';
import { inFlight } from '../../src/state/journal.js';
import { world } from './run-fakes.js';

const statuses = (w: ReturnType<typeof world>) => Object.fromEntries(w.list().tasks.map((t) => [t.path, t.status]));

describe('run loop', () => {
  it('recovers, then submits every planned batch, waits, collects, until nothing is left (exit 0)', async () => {
    const w = world({ a: 'pending', b: 'pending', c: 'pending', d: 'done' });
    const result = await runLoop(w.ws, {}, w.deps);
    expect(w.log).toEqual([
      'preflight',
      'recover',
      'refresh mirror',
      'check clean',
      'check targets a,b,c',
      'snapshot',
      'plan a+b c',
      'budget $0 committed $0',
      'submit b1 a,b',
      'budget $1 committed $1',
      'submit b2 c',
      'wait any b1,b2',
      'collect b1',
      'collect b2',
    ]);
    expect(result).toMatchObject({ exitCode: 0, submitted: ['b1', 'b2'], dryRun: null, counts: { pending: 0, submitted: 0, done: 4, failed: 0 } });
    expect(result.collected.map((c) => c.batchId)).toEqual(['b1', 'b2']);
  });

  it('waits for any batch, collects it, and submits what went back to pending in the next cycle', async () => {
    const w = world({ a: 'pending', b: 'pending' });
    w.batchSize = 1;
    let collects = 0;
    w.fate = (p) => (p === 'a' && collects++ === 0 ? 'pending' : 'done');
    const result = await runLoop(w.ws, { fresh: true }, w.deps);
    expect(w.log.slice(3)).toEqual([
      'plan a b',
      'budget $0 committed $0',
      'submit b1 a',
      'budget $1 committed $1',
      'submit b2 b',
      'wait any b1,b2',
      'collect b1',
      'collect b2',
      'check targets a',
      'plan a',
      'budget $2 committed $2',
      'submit b3 a',
      'wait any b3',
      'collect b3',
    ]);
    expect(result.exitCode).toBe(0);
  });

  it('recovery: a plain run waits for candidates; --detach does not; fresh (init) and --dry-run skip recovery, refresh and the dirty check', async () => {
    const runs: [Parameters<typeof runLoop>[1], string[]][] = [
      [{}, ['preflight', 'recover', 'refresh mirror', 'check clean']],
      [{ detach: true }, ['preflight', 'recover (no waiting)', 'refresh mirror', 'check clean']],
      [{ allowDirty: true }, ['preflight', 'recover', 'refresh mirror']],
      [{ fresh: true }, ['preflight']],
      [{ dryRun: true }, ['preflight', 'dry run 0']],
      [{ retryFailed: true }, ['preflight', 'retry failed', 'recover', 'refresh mirror', 'check clean']],
    ];
    for (const [options, setup] of runs) {
      const w = world({ a: 'done' });
      await runLoop(w.ws, options, w.deps);
      expect(w.log, JSON.stringify(options)).toEqual(setup);
    }
  });

  it('--retry-failed puts failed tasks back before the pass; a failed task left makes exit 3', async () => {
    const w = world({ a: 'failed', b: 'pending' });
    expect((await runLoop(w.ws, { retryFailed: true, fresh: true }, w.deps)).exitCode).toBe(0);
    expect(w.log).toContain('submit b1 a,b');
    const w2 = world({ a: 'failed' });
    expect((await runLoop(w2.ws, { fresh: true }, w2.deps)).exitCode).toBe(3);
    expect(w2.log).toEqual(['preflight']);
  });

  it('a mirror refresh that added tasks takes a fresh snapshot', async () => {
    const w = world({ a: 'pending' });
    w.refreshed = { added: 1, requeued: [], edited: [] };
    await runLoop(w.ws, {}, w.deps);
    expect(w.log).toContain('snapshot (fresh)');
  });

  it('--once: one submit-wait-collect cycle, nothing submitted after it; exit 3 while work is left', async () => {
    const w = world({ a: 'pending', b: 'pending', c: 'pending' });
    w.fate = (p) => (p === 'c' ? 'pending' : 'done');
    const result = await runLoop(w.ws, { once: true, fresh: true }, w.deps);
    expect(w.log.slice(-5)).toEqual(['submit b2 c', 'wait all b1,b2', 'collect b1', 'collect b2', 'check targets c']);
    expect(result).toMatchObject({ exitCode: 3, submitted: ['b1', 'b2'], counts: { pending: 1, done: 2 } });
  });

  it('--detach: submits and returns without waiting (exit 3); a later run collects what has ended (exit 0)', async () => {
    const w = world({ a: 'pending', b: 'pending' });
    const first = await runLoop(w.ws, { detach: true }, w.deps);
    expect(first).toMatchObject({ exitCode: 3, submitted: ['b1'], collected: [] });
    expect(w.log.at(-1)).toBe('submit b1 a,b');
    w.log.length = 0;
    expect((await runLoop(w.ws, { detach: true }, w.deps)).exitCode).toBe(3);
    expect(w.log.slice(4)).toEqual(['look b1: running']);
    w.clock += w.durationMs;
    w.log.length = 0;
    const third = await runLoop(w.ws, { detach: true }, w.deps);
    expect(w.log.slice(4)).toEqual(['collect b1']);
    expect(third).toMatchObject({ exitCode: 0, submitted: [], counts: { done: 2 } });
  });

  it('budget: every batch is checked against what this run committed before it; a refusal stops the run before that batch', async () => {
    const w = world({ a: 'pending', b: 'pending', c: 'pending' });
    w.perRunUsd = 1.5;
    await expect(runLoop(w.ws, { fresh: true }, w.deps)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(w.log.slice(-2)).toEqual(['submit b1 a,b', 'budget $1 committed $1']);
    expect(w.log.filter((l) => l.startsWith('submit'))).toEqual(['submit b1 a,b']);
  });

  it('the budget starts from what the journal has spent and has in flight', async () => {
    const w = world({ a: 'pending', b: 'pending', c: 'pending' });
    await runLoop(w.ws, { detach: true }, w.deps); // b1 (a, b) and b2 (c) in flight, $1 each
    w.clock += w.durationMs;
    w.log.length = 0;
    w.fate = (p) => (p === 'a' ? 'pending' : 'done');
    await runLoop(w.ws, { detach: true }, w.deps);
    expect(w.log.slice(4)).toEqual(['collect b1', 'collect b2', 'check targets a', 'snapshot', 'plan a', 'budget $0 committed $2', 'submit b3 a']);
  });

  it('warm-up: submitted, waited for and collected before its batch', async () => {
    const w = world({ a: 'pending', b: 'pending' });
    w.cache = 'warm-up';
    const result = await runLoop(w.ws, { fresh: true }, w.deps);
    const maxS = w.ws.config.cache.warmupMaxWaitMs / 1000;
    expect(w.log.slice(4)).toEqual([
      'budget $0 committed $0',
      'submit b1 warm-up',
      `wait all b1 (at most ${maxS} s)`,
      'collect b1',
      'submit b2 a,b',
      'wait any b2',
      'collect b2',
    ]);
    expect(result).toMatchObject({ exitCode: 0, submitted: ['b2'] });
    expect(result.collected.map((c) => c.batchId)).toEqual(['b1', 'b2']);
  });

  it('warm-up: a batch goes ahead without it once cache.warmupMaxWaitMs has passed; it is collected later', async () => {
    const w = world({ a: 'pending' });
    w.cache = 'warm-up';
    w.durationMs = w.ws.config.cache.warmupMaxWaitMs * 2;
    await runLoop(w.ws, { fresh: true }, w.deps);
    expect(w.messages).toContainEqual(expect.stringMatching(/^warn: cache warm-up b1 still running after \d+ s: submitting without waiting longer/));
    expect(w.log.slice(5)).toEqual([
      'submit b1 warm-up',
      `wait all b1 (at most ${w.ws.config.cache.warmupMaxWaitMs / 1000} s)`,
      'submit b2 a',
      'wait any b1,b2',
      'collect b1',
      'look b2: running',
      'wait any b2',
      'collect b2',
    ]);
  });

  it('warm-up with --detach: the warm-up is submitted and its batch left to a later run, which submits it once the warm-up has ended', async () => {
    const w = world({ a: 'pending' });
    w.cache = 'warm-up';
    expect(await runLoop(w.ws, { detach: true }, w.deps)).toMatchObject({ exitCode: 3, submitted: [] });
    expect(w.log.at(-1)).toBe('submit b1 warm-up');
    expect(w.messages.at(-1)).toMatch(/^info: cache warm-up b1 submitted; the next `harness run` \(or --detach\) submits the batch/);
    // Still running, still within the longest wait: the batch waits on.
    w.clock += 1_000;
    w.log.length = 0;
    expect(await runLoop(w.ws, { detach: true }, w.deps)).toMatchObject({ exitCode: 3, submitted: [] });
    const budget = expect.stringMatching(/^budget \$0 committed \$0\.\d+$/); // the warm-up's estimate is in flight
    expect(w.log.slice(4)).toEqual(['look b1: running', 'check targets a', 'snapshot', 'plan a', budget]);
    expect(w.messages.at(-1)).toMatch(/^info: cache warm-up b1 still running; the batch waits for it \(at most \d+ s more/);
    // Ended: collected first; planning then finds the cache warm.
    w.clock += w.durationMs;
    w.cache = 'warm';
    w.log.length = 0;
    expect(await runLoop(w.ws, { detach: true }, w.deps)).toMatchObject({ exitCode: 3, submitted: ['b2'] });
    expect(w.log.slice(4)).toEqual(['collect b1', 'check targets a', 'snapshot', 'plan a', budget, 'submit b2 a']);
  });

  it('warm-up with --detach, past the longest wait: the batch is submitted without it', async () => {
    const w = world({ a: 'pending' });
    w.cache = 'warm-up';
    w.durationMs = w.ws.config.cache.warmupMaxWaitMs * 2;
    await runLoop(w.ws, { detach: true }, w.deps);
    w.clock += w.ws.config.cache.warmupMaxWaitMs + 1;
    w.log.length = 0;
    expect(await runLoop(w.ws, { detach: true }, w.deps)).toMatchObject({ submitted: ['b2'] });
    expect(w.log.slice(-2)).toEqual([expect.stringMatching(/^budget \$0 committed \$0\.\d+$/), 'submit b2 a']);
    expect(w.messages).toContainEqual(expect.stringMatching(/^warn: cache warm-up b1 still running after/));
  });

  it('a stop request is honoured at the next safe point: before a collect, before a submit, in a wait', async () => {
    const before = world({ a: 'pending' });
    before.stop.request('SIGINT');
    await expect(runLoop(before.ws, {}, before.deps)).rejects.toSatisfy(isStopRequested);
    expect(before.log).toEqual(['preflight']);

    const collecting = world({ a: 'pending', b: 'pending', c: 'pending' });
    collecting.batchSize = 1;
    await runLoop(collecting.ws, { detach: true }, collecting.deps);
    collecting.clock += collecting.durationMs;
    collecting.log.length = 0;
    collecting.after = (s) => s === 'collect b1' && collecting.stop.request('SIGTERM');
    await expect(runLoop(collecting.ws, {}, collecting.deps)).rejects.toMatchObject({ reason: 'SIGTERM' });
    expect(collecting.log.slice(4)).toEqual(['collect b1']);
    expect(inFlight(await collecting.journal.read()).map((b) => b.batchId)).toEqual(['b2', 'b3']);

    const submitting = world({ a: 'pending', b: 'pending' });
    submitting.batchSize = 1;
    submitting.after = (s) => s.startsWith('submit b1') && submitting.stop.request('SIGINT');
    await expect(runLoop(submitting.ws, {}, submitting.deps)).rejects.toSatisfy(isStopRequested);
    expect(submitting.log.slice(-2)).toEqual(['submit b1 a', 'budget $1 committed $1']);

    const waiting = world({ a: 'pending' });
    waiting.after = (s) => s.startsWith('submit') && waiting.stop.request('SIGINT');
    await expect(runLoop(waiting.ws, {}, waiting.deps)).rejects.toSatisfy(isStopRequested);
    expect(waiting.log.at(-1)).toBe('submit b1 a');
  });

  it('--dry-run: plans and writes the requests, collects and submits nothing (exit 0)', async () => {
    const w = world({ a: 'pending', b: 'failed' });
    const result = await runLoop(w.ws, { dryRun: true }, w.deps);
    expect(w.log).toEqual(['preflight', 'check targets a', 'snapshot', 'plan a', 'dry run 1']);
    expect(result).toMatchObject({ exitCode: 0, submitted: [], collected: [], dryRun: { dir: '.harness/dry-run' } });
    const none = world({ a: 'done' });
    expect((await runLoop(none.ws, { dryRun: true }, none.deps)).dryRun).not.toBeNull();
    expect(none.log).toEqual(['preflight', 'dry run 0']);
  });

  it('--once and --detach together are a usage error before anything runs', async () => {
    const w = world({ a: 'pending' });
    await expect(runLoop(w.ws, { once: true, detach: true }, w.deps)).rejects.toMatchObject({ code: 'BAD_USAGE' });
    expect(w.log).toEqual([]);
    expect(statuses(w)).toEqual({ a: 'pending' });
  });
});
