/** The run loop with verify and repair (fakes of run-fakes.ts: the verify fake decides with decideVerify). */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { runLoop } from '../../src/pipeline/run-loop.js';
import { world } from './run-fakes.js';

const verify = (repairs = 2) => ({ verify: { ...defaultConfig.verify, command: 'check', repairs } });

describe('run loop: verify and repair', () => {
  it('no verify.command: nothing runs', async () => {
    const w = world({ a: 'pending' });
    const result = await runLoop(w.ws, { fresh: true }, w.deps);
    expect(w.log.some((l) => l.startsWith('verify'))).toBe(false);
    expect(result.exitCode).toBe(0);
    expect(result.verify).toBeNull();
  });

  it('after a collect that wrote files: verify, resubmit the named task, verify again, exit 0', async () => {
    const w = world({ a: 'pending', b: 'pending' }, verify());
    w.verifyRuns = [['a']];
    const result = await runLoop(w.ws, { fresh: true }, w.deps);
    expect(w.log.slice(w.log.indexOf('collect b1'))).toEqual([
      'collect b1',
      'verify repair a failed ',
      'check targets a',
      'plan a',
      'budget $1 committed $1',
      'submit b2 a',
      'wait any b2',
      'collect b2',
      'verify passed',
    ]);
    expect(result).toMatchObject({ exitCode: 0, counts: { done: 2 }, verify: { command: 'check', passed: true, failing: [] } });
  });

  it('a task out of repairs fails with exit 3, and the loop ends', async () => {
    const w = world({ a: 'pending' }, verify(1));
    w.verifyRuns = [['a'], ['a'], ['a']];
    const result = await runLoop(w.ws, { fresh: true }, w.deps);
    expect(w.log.filter((l) => l.startsWith('verify') || l.startsWith('submit'))).toEqual([
      'submit b1 a',
      'verify repair a failed ',
      'submit b2 a',
      'verify repair  failed a',
    ]);
    expect(result).toMatchObject({ exitCode: 3, counts: { failed: 1 }, verify: { passed: false, failing: ['a'] } });
    expect(w.list().tasks[0]?.reason).toContain('a(1,1): error');
  });

  it('a failure naming no task or a timeout ends the run with exit 3; a new run verifies again first', async () => {
    for (const found of ['none', 'timeout'] as const) {
      const w = world({ a: 'pending' }, verify());
      w.verifyRuns = [found];
      const result = await runLoop(w.ws, { fresh: true }, w.deps);
      expect(w.log.filter((l) => l.startsWith('verify'))).toEqual(['verify repair  failed ']);
      expect(result.exitCode).toBe(3);
      const again = await runLoop(w.ws, { fresh: true }, w.deps);
      expect(w.log.filter((l) => l.startsWith('verify'))).toEqual(['verify repair  failed ', 'verify passed']);
      expect(again.exitCode).toBe(0);
    }
  });

  it("repairWith 'sync': the named task is asked again synchronously, then verified; no second batch", async () => {
    const w = world({ a: 'pending', b: 'pending' }, { verify: { ...verify().verify, repairWith: 'sync' } });
    w.verifyRuns = [['a']];
    const result = await runLoop(w.ws, { fresh: true }, w.deps);
    expect(w.log.slice(w.log.indexOf('collect b1'))).toEqual(['collect b1', 'verify repair a failed ', 'repair-sync a', 'verify passed']);
    expect(result).toMatchObject({ exitCode: 0, counts: { done: 2 } });
  });

  it('--dry-run never verifies', async () => {
    const w = world({ a: 'pending' }, verify());
    await runLoop(w.ws, { dryRun: true }, w.deps);
    expect(w.log.some((l) => l.startsWith('verify'))).toBe(false);
  });
});
