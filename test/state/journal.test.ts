import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zeroUsage } from '../../src/cost/usage.js';
import { appendJournal, JOURNAL_FILE, readJournal, spentUsd } from '../../src/state/journal.js';
import { acquireLock } from '../../src/state/lock.js';
import { makeRepo } from '../helpers/git.js';

const intent = (id: string) => ({
  type: 'intent' as const,
  at: '2026-01-01T00:00:00.000Z',
  intentId: id,
  model: 'claude-opus-4-8',
  betas: [],
  fingerprint: 'f',
  requests: [{ customId: 'r1', paths: ['a.ts'] }],
  estimateUsd: 1,
});

describe('journal', () => {
  it('folds events into batch records', async () => {
    const dir = await makeRepo({}, { git: false });
    await appendJournal(dir, intent('i1'));
    await appendJournal(dir, { type: 'submitted', at: 'x', intentId: 'i1', batchId: 'b1', adopted: false });
    await appendJournal(dir, intent('i2'));
    await appendJournal(dir, { type: 'abandoned', at: 'x', intentId: 'i2', reason: 'r' });
    await appendJournal(dir, { type: 'collect', at: 'x', batchId: 'b1' });
    await appendJournal(dir, { type: 'collected', at: 'x', batchId: 'b1', files: [], taskChanges: {}, usage: zeroUsage(), costUsd: 0.5, counts: {}, report: [] });
    const j = await readJournal(dir);
    expect(j.batches).toHaveLength(2);
    expect(j.batches[0]).toMatchObject({ batchId: 'b1', collectStarted: true, abandoned: false });
    expect(j.batches[0]!.collected?.costUsd).toBe(0.5);
    expect(j.batches[1]).toMatchObject({ batchId: null, abandoned: true });
    expect(spentUsd(j)).toBe(0.5);
  });

  it('drops a torn last line (crash mid-append) but not corruption elsewhere', async () => {
    const dir = await makeRepo({}, { git: false });
    await appendJournal(dir, intent('i1'));
    await appendFile(path.join(dir, JOURNAL_FILE), '{"type":"subm');
    expect((await readJournal(dir)).batches).toHaveLength(1);
    expect(await readFile(path.join(dir, JOURNAL_FILE), 'utf8')).not.toContain('subm');
    await appendFile(path.join(dir, JOURNAL_FILE), 'garbage\n');
    await appendJournal(dir, intent('i3'));
    await expect(readJournal(dir)).rejects.toMatchObject({ file: '.harness/journal.jsonl', line: 2 });
  });
});

describe('lock', () => {
  it('keeps a second holder out with exit 1 and takes over a stale lock', async () => {
    const dir = await makeRepo({}, { git: false });
    const first = await acquireLock(dir, 'run');
    const err = await acquireLock(dir, 'run').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LOCKED', exitCode: 1 });
    expect(String((err as Error).message)).toMatch(/pid \d+/);
    await first.release();
    const again = await acquireLock(dir, 'run');
    await again.release();
    // A lock of a dead process on this host is stale.
    const { writeFile } = await import('node:fs/promises');
    const { hostname } = await import('node:os');
    await writeFile(path.join(dir, '.harness/lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: new Date().toISOString(), command: 'run' }));
    const taken = await acquireLock(dir, 'run');
    await taken.release();
    // An old lock from another host is stale by age only.
    await writeFile(path.join(dir, '.harness/lock'), JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: new Date().toISOString(), command: 'run' }));
    await expect(acquireLock(dir, 'run')).rejects.toMatchObject({ code: 'LOCKED' });
    await expect(acquireLock(dir, 'run', { now: () => Date.now() + 25 * 3600_000 })).resolves.toBeDefined();
  });
});
