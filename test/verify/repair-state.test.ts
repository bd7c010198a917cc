import { describe, expect, it } from 'vitest';
import { zeroUsage } from '../../src/cost/usage.js';
import type { JournalEvent } from '../../src/state/journal-events.js';
import { foldJournal } from '../../src/state/journal-fold.js';
import { repairRounds, repairsPending } from '../../src/verify/repair-state.js';

const verified = (repairs: Record<string, string[]>, at = 't'): JournalEvent => ({
  type: 'verified',
  at,
  command: 'check',
  passed: Object.keys(repairs).length === 0,
  exitCode: 1,
  signal: null,
  timedOut: false,
  output: '',
  repairs,
  failed: {},
  other: [],
});
const collected = (paths: string[]): JournalEvent => ({
  type: 'collected',
  at: 't',
  batchId: 'b',
  files: paths.map((path) => ({ path, sha256: 'x' })),
  taskChanges: {},
  usage: zeroUsage(),
  costUsd: 0,
  counts: {},
  report: [],
});

describe('repairsPending', () => {
  it('is empty without a verification', () => {
    expect(repairsPending(foldJournal([])).size).toBe(0);
  });

  it('holds the tasks the last verification marked, with their lines and round', () => {
    const j = foldJournal([verified({ 'src/a.ts': ['a1'] }), collected(['src/a.ts']), verified({ 'src/a.ts': ['a2'], 'src/b.ts': ['b1'] })]);
    expect([...repairsPending(j).values()]).toEqual([
      { path: 'src/a.ts', diagnostics: ['a2'], round: 2 },
      { path: 'src/b.ts', diagnostics: ['b1'], round: 1 },
    ]);
    expect(repairRounds(j).get('src/a.ts')).toBe(2);
  });

  it('drops a task once a collect or a call rewrote it', () => {
    const j = foldJournal([
      verified({ 'src/a.ts': ['a1'], 'src/b.ts': ['b1'], 'src/c.ts': ['c1'] }),
      collected(['src/a.ts']),
      { type: 'call', at: 't', purpose: 'refine', path: 'src/b.ts', usage: zeroUsage(), costUsd: 0 },
    ]);
    expect([...repairsPending(j).keys()]).toEqual(['src/c.ts']);
  });

  it('a passing verification leaves nothing pending', () => {
    expect(repairsPending(foldJournal([verified({ 'src/a.ts': ['a1'] }), verified({})])).size).toBe(0);
  });
});
