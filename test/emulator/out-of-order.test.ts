/**
 * The harness collects a batch whose results file lists the requests out of their order (as the
 * emulator, like the API, returns them): through the real CLI, one task per request.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, withEmulator } from '../helpers/emulator.js';
import { commitSubjects, expectedFiles, makeTarget, statusJson } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('results out of order', () => {
  it('run collects every file right although the results come back in another order than the requests', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code).toBe(0);
    expect((await expectedFiles(repo)).filter((f) => !f.ok)).toEqual([]);

    // The order the harness sent its requests in (its journal) and the order of the results file.
    const journal = await readFile(path.join(repo, '.harness', 'journal.jsonl'), 'utf8');
    const sent = [...journal.matchAll(/"customId":"([^"]+)"/g)].map((m) => m[1]!);
    const batchId = /msgbatch_\w+/.exec(commitSubjects(repo)[0]!)![0];
    const client = new Anthropic({ baseURL: h.emulator.url, apiKey: 'test', maxRetries: 0 });
    const got: string[] = [];
    for await (const line of await client.beta.messages.batches.results(batchId)) got.push(line.custom_id);
    const unique = [...new Set(sent)];
    expect(unique.length).toBeGreaterThan(1);
    expect([...got].sort()).toEqual([...unique].sort());
    expect(got).not.toEqual(unique);

    const s = await statusJson((...a) => h!.run(repo, ...a));
    expect(s.counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
  });
});
