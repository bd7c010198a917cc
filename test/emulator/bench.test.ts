/**
 * A small bench of the emulator (skipped unless EMULATOR_BENCH=1):
 *   EMULATOR_BENCH=1 npx vitest run test/emulator/bench.test.ts
 * Prints create throughput (requests/s inside big batches, and small batches/s) and results MB/s
 * served (raw HTTP and through the SDK's JSONL decoder). EMULATOR_BENCH_MB sets the results size.
 */
import { describe, expect, it } from 'vitest';
import { clientFor, MODEL, request, start, waitEnded } from './helpers.js';

const bench = process.env.EMULATOR_BENCH === '1';

describe.skipIf(!bench)('emulator bench', () => {
  it('create: requests/s', async () => {
    const { client } = await start({ processingMs: 60_000 });
    const n = 10_000;
    const requests = Array.from({ length: n }, (_, i) => request(`r${i}`, `Write file number ${i} of the project.`));
    let t0 = Date.now();
    for (let k = 0; k < 3; k++) await client.beta.messages.batches.create({ requests });
    let secs = (Date.now() - t0) / 1000;
    console.log(`create: ${(3 * n / secs).toFixed(0)} requests/s (3 batches of ${n})`);
    t0 = Date.now();
    for (let k = 0; k < 200; k++) await client.beta.messages.batches.create({ requests: [request('one')] });
    secs = (Date.now() - t0) / 1000;
    console.log(`create: ${(200 / secs).toFixed(0)} one-request batches/s`);
  });

  it('results: MB/s served', async () => {
    const mb = Number(process.env.EMULATOR_BENCH_MB ?? 256);
    const lineChars = 256 * 1024;
    const text = 'abcdefgh\n'.repeat(lineChars / 9);
    const n = Math.ceil((mb * 1024 * 1024) / lineChars);
    const { emulator } = await start({ processingMs: 0, responder: () => text });
    const client = clientFor(emulator);
    const t0 = Date.now();
    const b = await client.beta.messages.batches.create({
      requests: Array.from({ length: n }, (_, i) => ({ custom_id: `r${i}`, params: { model: 'claude-opus-4-6', max_tokens: 300_000, messages: [{ role: 'user' as const, content: 'x' }] } })),
      betas: ['output-300k-2026-03-24'],
    });
    const ended = await waitEnded(client, b.id, 300_000);
    console.log(`results: ${n} requests processed and written in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    let t = Date.now();
    const res = await fetch(ended.results_url!, { headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' } });
    let bytes = 0;
    for await (const chunk of res.body!) bytes += (chunk as Uint8Array).length;
    let secs = (Date.now() - t) / 1000;
    console.log(`results: ${(bytes / 1e6).toFixed(0)} MB raw HTTP in ${secs.toFixed(2)} s = ${(bytes / 1e6 / secs).toFixed(0)} MB/s`);

    t = Date.now();
    let count = 0;
    for await (const _ of await client.beta.messages.batches.results(b.id)) count++;
    secs = (Date.now() - t) / 1000;
    console.log(`results: ${(bytes / 1e6).toFixed(0)} MB through the SDK decoder in ${secs.toFixed(2)} s = ${(bytes / 1e6 / secs).toFixed(0)} MB/s`);
    expect(count).toBe(n);
    expect(MODEL).toBeTruthy();
  });
});
