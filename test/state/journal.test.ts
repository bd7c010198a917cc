import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zeroUsage } from '../../src/cost/usage.js';
import { appendJournal, busyPaths, inFlight, JOURNAL_FILE, readJournal, repairJournal, spentUsd, unresolved } from '../../src/state/journal.js';
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
    await appendJournal(dir, {
      type: 'collected',
      at: 'x',
      batchId: 'b1',
      files: [],
      taskChanges: {},
      usage: zeroUsage(),
      costUsd: 0.5,
      counts: {},
      report: [],
    });
    const j = await readJournal(dir);
    expect(j.batches).toHaveLength(2);
    expect(j.batches[0]).toMatchObject({ batchId: 'b1', collectStarted: true, abandoned: false });
    expect(j.batches[0]!.collected?.costUsd).toBe(0.5);
    expect(j.batches[1]).toMatchObject({ batchId: null, abandoned: true });
    expect(spentUsd(j)).toBe(0.5);
  });

  it('reads never write: a torn last line is left out of the read and left in the file; corruption elsewhere is an error', async () => {
    const dir = await makeRepo({}, { git: false });
    const file = path.join(dir, JOURNAL_FILE);
    await appendJournal(dir, intent('i1'));
    await appendFile(file, '{"type":"subm');
    const before = await readFile(file, 'utf8');
    expect((await readJournal(dir)).batches).toHaveLength(1);
    expect(await readFile(file, 'utf8')).toBe(before);
    await appendFile(file, 'garbage\n');
    await appendFile(file, JSON.stringify(intent('i3')) + '\n');
    await expect(readJournal(dir)).rejects.toMatchObject({ file: '.harness/journal.jsonl', line: 2 });
  });

  it('a reader (status) during an append loses nothing: the half-written event is skipped, then read whole', async () => {
    // What happens when `status` reads while a run appends: it sees part of the last line. Before,
    // the read "repaired" the file by cutting that part off, and the rest of the line then landed
    // on its own: the event was lost and the journal corrupt.
    const dir = await makeRepo({}, { git: false });
    const file = path.join(dir, JOURNAL_FILE);
    await appendJournal(dir, intent('i1'));
    const line = JSON.stringify({ type: 'submitted', at: 'x', intentId: 'i1', batchId: 'b1', adopted: false }) + '\n';
    for (const cut of [1, 10, line.length - 2, line.length - 1]) {
      const dir2 = await makeRepo({}, { git: false });
      const file2 = path.join(dir2, JOURNAL_FILE);
      await appendJournal(dir2, intent('i1'));
      await appendFile(file2, line.slice(0, cut)); // the writer's first part
      const during = await readJournal(dir2); // the reader
      expect(during.batches[0]!.batchId).toBe(cut === line.length - 1 ? 'b1' : null);
      await appendFile(file2, line.slice(cut)); // the writer's rest
      const after = await readJournal(dir2);
      expect(after.batches[0]!.batchId, `cut at ${cut}`).toBe('b1');
      expect(after.events).toHaveLength(2);
    }
    expect((await readJournal(dir)).events).toHaveLength(1);
    expect(await readFile(file, 'utf8')).toBe(JSON.stringify(intent('i1')) + '\n');
  });

  it('the lock holder repairs: an append after a torn line never glues two events; a whole event missing its newline is kept', async () => {
    const dir = await makeRepo({}, { git: false });
    const file = path.join(dir, JOURNAL_FILE);
    await appendJournal(dir, intent('i1'));
    await appendFile(file, '{"type":"submitted","at":"x","intentId":"i1","bat');
    await appendJournal(dir, { type: 'abandoned', at: 'y', intentId: 'i1', reason: 'r' });
    const j = await readJournal(dir);
    expect(j.events.map((e) => e.type)).toEqual(['intent', 'abandoned']);
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(3);

    const dir2 = await makeRepo({}, { git: false });
    const file2 = path.join(dir2, JOURNAL_FILE);
    await appendJournal(dir2, intent('i1'));
    await appendFile(file2, JSON.stringify({ type: 'submitted', at: 'x', intentId: 'i1', batchId: 'b1', adopted: false }));
    expect(await repairJournal(dir2)).toBe('completed');
    expect(await repairJournal(dir2)).toBe('none');
    await appendFile(file2, '{"type":"coll');
    expect(await repairJournal(dir2)).toBe('cut');
    const j2 = await readJournal(dir2);
    expect(j2.events.map((e) => e.type)).toEqual(['intent', 'submitted']);
    expect((await readFile(file2, 'utf8')).endsWith('}\n')).toBe(true);
    expect(await repairJournal(await makeRepo({}, { git: false }))).toBe('none');
  });

  it('an intent with no batch is unresolved and holds its tasks until adopted or abandoned; candidates and foreign batches fold per intent', async () => {
    const dir = await makeRepo({}, { git: false });
    await appendJournal(dir, intent('i1'));
    await appendJournal(dir, { type: 'candidates', at: 'x', intentId: 'i1', batchIds: ['b1', 'b2'] });
    await appendJournal(dir, { type: 'candidates', at: 'x', intentId: 'i1', batchIds: ['b2', 'b3'] });
    await appendJournal(dir, { type: 'foreign', at: 'x', intentId: 'i1', batchId: 'b1', reason: 'not ours' });
    let j = await readJournal(dir);
    expect(j.batches[0]).toMatchObject({ batchId: null, candidates: ['b1', 'b2', 'b3'], foreign: ['b1'] });
    expect(unresolved(j)).toHaveLength(1);
    expect(inFlight(j)).toHaveLength(0);
    expect([...busyPaths(j)]).toEqual(['a.ts']);
    await appendJournal(dir, { type: 'submitted', at: 'x', intentId: 'i1', batchId: 'b2', adopted: true });
    j = await readJournal(dir);
    expect(unresolved(j)).toHaveLength(0);
    expect(inFlight(j)[0]).toMatchObject({ batchId: 'b2', adopted: true });
    await appendJournal(dir, intent('i2'));
    await appendJournal(dir, { type: 'abandoned', at: 'x', intentId: 'i2', reason: 'no batch was created' });
    j = await readJournal(dir);
    expect(unresolved(j)).toHaveLength(0);
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
    await writeFile(
      path.join(dir, '.harness/lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: new Date().toISOString(), command: 'run' }),
    );
    const taken = await acquireLock(dir, 'run');
    await taken.release();
    // An old lock from another host is stale by age only.
    await writeFile(
      path.join(dir, '.harness/lock'),
      JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: new Date().toISOString(), command: 'run' }),
    );
    await expect(acquireLock(dir, 'run')).rejects.toMatchObject({ code: 'LOCKED' });
    await expect(acquireLock(dir, 'run', { now: () => Date.now() + 25 * 3600_000 })).resolves.toBeDefined();
  });
});
