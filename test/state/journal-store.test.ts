import { existsSync } from 'node:fs';
import { appendFile, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChunk } from '../../src/state/journal-file.js';
import {
  appendJournal,
  foldJournal,
  JOURNAL_FILE,
  type JournalEventInput,
  journalStore,
  memoryJournal,
  readJournal,
  repairJournal,
} from '../../src/state/journal.js';
import { makeTempDir } from '../helpers/tmp.js';

const intent = (id: string): JournalEventInput => ({
  type: 'intent',
  at: '2026-01-01T00:00:00.000Z',
  intentId: id,
  model: 'claude-opus-4-8',
  betas: [],
  fingerprint: 'f',
  requests: [{ customId: 'r1', paths: [`${id}.ts`] }],
  estimateUsd: 1,
});
const submitted = (id: string, batchId: string): JournalEventInput => ({ type: 'submitted', at: 'x', intentId: id, batchId });
const line = (e: JournalEventInput) => JSON.stringify(e) + '\n';

/** The journal as a fresh process reads it: the whole file, parsed (the oracle). */
async function fromScratch(dir: string) {
  const file = path.join(dir, JOURNAL_FILE);
  if (!existsSync(file)) return foldJournal([]);
  const chunk = parseChunk(await readFile(file), 1);
  return foldJournal(chunk.tail ? [...chunk.events, chunk.tail] : chunk.events);
}

describe('journal store', () => {
  it('folds what it appends: a read after an append is the appended state, and the same object until the file changes', async () => {
    const dir = await makeTempDir('journal-store-');
    expect((await readJournal(dir)).events).toEqual([]);
    await appendJournal(dir, intent('i1'));
    const first = await readJournal(dir);
    expect(first.batches).toHaveLength(1);
    await appendJournal(dir, submitted('i1', 'b1'));
    const second = await readJournal(dir);
    expect(second.batches[0]).toMatchObject({ batchId: 'b1', adopted: false });
    expect(await readJournal(dir)).toBe(second);
    // A state handed out earlier never changes.
    expect(first.batches[0]!.batchId).toBeNull();
    expect(first.events).toHaveLength(1);
    expect(second).toEqual(await fromScratch(dir));
  });

  it('reads what another process appended (whole lines, a line in progress) without losing line numbers', async () => {
    const dir = await makeTempDir('journal-store-');
    const file = path.join(dir, JOURNAL_FILE);
    await appendJournal(dir, intent('i1'));
    await readJournal(dir);
    await appendFile(file, '\n' + line(intent('i2')));
    expect((await readJournal(dir)).batches.map((b) => b.intent.intentId)).toEqual(['i1', 'i2']);
    const next = line(submitted('i2', 'b2'));
    await appendFile(file, next.slice(0, 20));
    expect((await readJournal(dir)).batches[1]!.batchId).toBeNull();
    await appendFile(file, next.slice(20, -1));
    expect((await readJournal(dir)).batches[1]!.batchId).toBe('b2'); // a whole event, newline still to come
    await appendFile(file, '\nnot json\n');
    // Line 1 intent, 2 blank, 3 intent, 4 submitted, 5 the bad one.
    await expect(readJournal(dir)).rejects.toMatchObject({ code: 'STATE', line: 5 });
    await expect(readJournal(dir)).rejects.toMatchObject({ line: 5 });
  });

  it('reads a file that was rewritten rather than appended to again, whole', async () => {
    const dir = await makeTempDir('journal-store-');
    const file = path.join(dir, JOURNAL_FILE);
    await appendJournal(dir, intent('i1'));
    await appendJournal(dir, submitted('i1', 'b1'));
    expect(inFlightIds(await readJournal(dir))).toEqual(['b1']);
    // Replaced by another file (git checkout of an older version, then new events).
    await writeFile(`${file}.new`, line(intent('i1')) + line(submitted('i1', 'b9')) + line(intent('i3')));
    await rename(`${file}.new`, file);
    expect(inFlightIds(await readJournal(dir))).toEqual(['b9']);
    // Rewritten in place, longer than before, the folded part changed.
    await writeFile(file, line(intent('i1')) + line(submitted('i1', 'b7')) + line(intent('i3')) + line(intent('i4')));
    expect(await readJournal(dir)).toEqual(await fromScratch(dir));
    // Shorter than before.
    await truncate(file, 0);
    expect((await readJournal(dir)).events).toEqual([]);
    await writeFile(file, line(intent('i5')));
    expect((await readJournal(dir)).batches.map((b) => b.intent.intentId)).toEqual(['i5']);
  });

  it('an append after a repair, or after a torn line, folds what the file holds', async () => {
    const dir = await makeTempDir('journal-store-');
    const file = path.join(dir, JOURNAL_FILE);
    await appendJournal(dir, intent('i1'));
    await readJournal(dir);
    await appendFile(file, JSON.stringify(submitted('i1', 'b1'))); // whole, no newline: completed
    await appendJournal(dir, { type: 'cancel', at: 'x', batchId: 'b1' });
    expect((await readJournal(dir)).batches[0]).toMatchObject({ batchId: 'b1', cancelRequested: true });
    await appendFile(file, '{"type":"coll'); // torn: cut
    expect(await repairJournal(dir)).toBe('cut');
    await appendJournal(dir, { type: 'collect', at: 'x', batchId: 'b1' });
    const state = await readJournal(dir);
    expect(state.events.map((e) => e.type)).toEqual(['intent', 'submitted', 'cancel', 'collect']);
    expect(state).toEqual(await fromScratch(dir));
  });

  it('an event the schema refuses is written as before, and the next read reports it', async () => {
    const dir = await makeTempDir('journal-store-');
    await appendJournal(dir, intent('i1'));
    await readJournal(dir);
    await appendJournal(dir, { type: 'cancel', at: 'x' } as unknown as JournalEventInput);
    await expect(readJournal(dir)).rejects.toMatchObject({ code: 'STATE', line: 2 });
  });

  it('concurrent appends and reads keep every event once', async () => {
    const dir = await makeTempDir('journal-store-');
    const store = journalStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? store.read() : store.append(intent(`i${i}`)))));
    const state = await store.read();
    expect(state.events).toHaveLength(13);
    expect(state).toEqual(await fromScratch(dir));
  });

  it('agrees with a fresh read of the file after any sequence of appends, outside writes, repairs and rewrites', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), n: fc.nat(5) }),
      fc.record({ kind: fc.constant('outside' as const), n: fc.nat(5), cut: fc.nat(80) }),
      fc.record({ kind: fc.constant('repair' as const) }),
      fc.record({ kind: fc.constant('read' as const) }),
      fc.record({ kind: fc.constant('rewrite' as const), keep: fc.nat(4), change: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 14 }), async (ops) => {
        const dir = await makeTempDir('journal-prop-');
        const file = path.join(dir, JOURNAL_FILE);
        const event = (n: number) => (n % 2 === 0 ? intent(`i${n}`) : submitted(`i${n - 1}`, `b${n}`));
        for (const o of ops) {
          if (o.kind === 'append') await appendJournal(dir, event(o.n));
          else if (o.kind === 'repair') await repairJournal(dir);
          else if (o.kind === 'read') await readJournal(dir).catch(() => null);
          else if (o.kind === 'outside') {
            if (!existsSync(file)) continue;
            const text = line(event(o.n));
            await appendFile(file, text.slice(0, Math.min(text.length, o.cut + 1)));
          } else if (existsSync(file)) {
            // In place (same inode): the first lines kept, or one of them changed.
            const lines = (await readFile(file, 'utf8')).split('\n').slice(0, o.keep);
            if (o.change && lines.length > 0) lines[0] = JSON.stringify(intent('changed'));
            await writeFile(file, lines.map((l) => `${l}\n`).join('') + line(submitted('changed', 'bc')));
          }
          const expected = await fromScratch(dir).catch((e: unknown) => e);
          const got = await readJournal(dir).catch((e: unknown) => e);
          expect(got).toEqual(expected);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('memoryJournal folds as the file does, and refuses what the schema refuses', async () => {
    const store = memoryJournal([intent('i1')]);
    await store.append(submitted('i1', 'b1'));
    const events = [intent('i1'), submitted('i1', 'b1')];
    const dir = await makeTempDir('journal-store-');
    for (const e of events) await appendJournal(dir, e);
    expect(await store.read()).toEqual(await readJournal(dir));
    await expect(store.append({ type: 'cancel' } as unknown as JournalEventInput)).rejects.toMatchObject({ code: 'STATE', line: 3 });
    expect(await store.repair()).toBe('none');
    expect((await stat(path.join(dir, JOURNAL_FILE))).size).toBeGreaterThan(0);
  });
});

const inFlightIds = (s: Awaited<ReturnType<typeof readJournal>>) =>
  s.batches.filter((b) => b.batchId !== null && !b.abandoned && !b.collected).map((b) => b.batchId);
