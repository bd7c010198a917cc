/** Batches, results, cache and log survive a restart on the same data dir; results stream from disk; the CLI entry point. */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { serveEmulator, startEmulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { clientFor, MODEL, request, results, sleep, tempDir, waitEnded } from './helpers.js';

async function withEmu<T>(options: EmulatorOptions, fn: (e: Awaited<ReturnType<typeof startEmulator>>) => Promise<T>): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

describe('emulator: persistence', () => {
  it('a restarted emulator on the same data dir serves ended batches, their results and the list', async () => {
    const dataDir = await tempDir();
    const id = await withEmu({ dataDir, processingMs: 0 }, async (e) => {
      const client = clientFor(e);
      const b = await client.beta.messages.batches.create({ requests: [request('a'), request('b')] });
      await waitEnded(client, b.id);
      return b.id;
    });
    await withEmu({ dataDir }, async (e) => {
      const client = clientFor(e);
      const b = await client.beta.messages.batches.retrieve(id);
      expect(b.processing_status).toBe('ended');
      expect(b.results_url).toBe(`${e.url}/v1/messages/batches/${id}/results`);
      expect((await results(client, id)).map((l) => l.custom_id).sort()).toEqual(['a', 'b']);
      expect((await client.beta.messages.batches.list()).data.map((x) => x.id)).toEqual([id]);
      // new batches list after the old ones
      const newer = await client.beta.messages.batches.create({ requests: [request('c')] });
      expect((await client.beta.messages.batches.list()).data.map((x) => x.id)).toEqual([newer.id, id]);
    });
  });

  it('a batch whose processing time passed while the emulator was down is ended on first access, at its simulated end', async () => {
    const dataDir = await tempDir();
    const created = await withEmu({ dataDir, processingMs: 150 }, async (e) => {
      const b = await clientFor(e).beta.messages.batches.create({ requests: [request('a'), request('b'), request('c')] });
      expect(b.processing_status).toBe('in_progress');
      return b;
    });
    await sleep(250);
    await withEmu({ dataDir, processingMs: 5_000 }, async (e) => {
      const client = clientFor(e);
      const b = await client.beta.messages.batches.retrieve(created.id);
      expect(b.processing_status).toBe('ended');
      expect(Date.parse(b.ended_at!) - Date.parse(created.created_at)).toBe(150);
      expect(b.request_counts.succeeded).toBe(3);
      expect((await results(client, created.id)).every((l) => l.result.type === 'succeeded')).toBe(true);
    });
  });

  it('a batch in progress across a restart continues by wall-clock time; a cancel before the restart holds', async () => {
    const dataDir = await tempDir();
    const [running, canceled] = await withEmu({ dataDir, processingMs: 3_000, limits: { cancelMs: 4_000 } }, async (e) => {
      const client = clientFor(e);
      const a = await client.beta.messages.batches.create({ requests: [request('a')] });
      const b = await client.beta.messages.batches.create({ requests: [request('b')] });
      await client.beta.messages.batches.cancel(b.id);
      return [a, b] as const;
    });
    await withEmu({ dataDir }, async (e) => {
      const client = clientFor(e);
      expect((await client.beta.messages.batches.retrieve(running.id)).processing_status).toBe('in_progress');
      expect((await client.beta.messages.batches.retrieve(canceled.id)).processing_status).toBe('canceling');
      const ended = await waitEnded(client, running.id);
      expect(ended.request_counts.succeeded).toBe(1);
      const c = await waitEnded(client, canceled.id);
      expect(c.request_counts.succeeded + c.request_counts.canceled).toBe(1);
    });
  });

  it('the cache state and log.jsonl persist; no API key in the log', async () => {
    const dataDir = await tempDir();
    const big = 'cached context line\n'.repeat(800);
    const params = {
      model: MODEL,
      max_tokens: 50,
      messages: [
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: big, cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } },
            { type: 'text' as const, text: 'go' },
          ],
        },
      ],
    };
    await withEmu({ dataDir }, async (e) => {
      const u = (await clientFor(e, { apiKey: 'sk-secret-key-1234' }).messages.create(params)).usage;
      expect(u.cache_creation_input_tokens).toBeGreaterThan(0);
    });
    await withEmu({ dataDir }, async (e) => {
      const u = (await clientFor(e).messages.create(params)).usage;
      expect(u.cache_read_input_tokens).toBeGreaterThan(0);
      expect(u.cache_creation_input_tokens).toBe(0);
    });
    const log = await readFile(path.join(dataDir, 'log.jsonl'), 'utf8');
    const entries = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; status: number });
    expect(entries.map((x) => [x.path, x.status])).toEqual([
      ['/v1/messages', 200],
      ['/v1/messages', 200],
    ]);
    expect(log).not.toContain('sk-secret');
    expect((await readdir(dataDir)).sort()).toEqual(['batches', 'cache.json', 'log.jsonl', 'results']);
  });

  it('a port in use is an error (and leaves nothing running)', async () => {
    const dataDir = await tempDir();
    await withEmu({ dataDir }, async (e) => {
      await expect(startEmulator({ port: e.port, dataDir: await tempDir() })).rejects.toThrow(/EADDRINUSE/);
    });
  });

  it('without a data dir, state lives in a temp dir removed on close', async () => {
    const e = await startEmulator({ processingMs: 0 });
    const client = clientFor(e);
    await waitEnded(client, (await client.beta.messages.batches.create({ requests: [request('a')] })).id);
    await e.close();
    const e2 = await startEmulator({ processingMs: 0 });
    expect((await clientFor(e2).beta.messages.batches.list()).data).toEqual([]);
    await e2.close();
  });
});

describe('emulator: results streaming', () => {
  it('serves a results file of tens of MB from disk with flat memory (no copy of the file in memory)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const mb = Number(process.env.EMULATOR_RESULTS_MB ?? 64);
    const lineChars = 256 * 1024;
    const text = 'abcdefgh\n'.repeat(lineChars / 9);
    const n = Math.ceil((mb * 1024 * 1024) / lineChars);
    await withEmu({ processingMs: 0, responder: () => text }, async (e) => {
      const client = clientFor(e);
      const requests = Array.from({ length: n }, (_, i) => ({
        custom_id: `r${i}`,
        params: { model: 'claude-opus-4-6', max_tokens: 300_000, messages: [{ role: 'user' as const, content: 'x' }] },
      }));
      const b = await client.beta.messages.batches.create({ requests, betas: ['output-300k-2026-03-24'] });
      await waitEnded(client, b.id, 60_000);
      gc();
      const base = process.memoryUsage();
      let peak = 0;
      let count = 0;
      let bytes = 0;
      const t0 = Date.now();
      for await (const line of await client.beta.messages.batches.results(b.id)) {
        count++;
        if (line.result.type === 'succeeded') bytes += (line.result.message.content[0] as { text: string }).text.length;
        if (count % 16 === 0) {
          gc();
          const m = process.memoryUsage();
          peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
        }
      }
      const secs = (Date.now() - t0) / 1000;
      expect(count).toBe(n);
      expect(bytes).toBe(n * text.length);
      // A buffered file would stay alive during the whole download (≥ its size); what is measured is
      // the read-ahead of the HTTP client and the socket: about 10–20 MB whatever the file size,
      // up to ~35 MB when the reader is starved of CPU (other test files running beside this one).
      const fileBytes = n * lineChars;
      expect(peak).toBeLessThan(Math.min(48 * 1024 * 1024, fileBytes * 0.75));
      if (process.env.EMULATOR_RESULTS_MB)
        console.log(
          `results: ${((n * lineChars) / 1e6).toFixed(0)} MB in ${secs.toFixed(2)} s (${((n * lineChars) / 1e6 / secs).toFixed(0)} MB/s), peak live memory +${(peak / 1e6).toFixed(1)} MB`,
        );
    });
  });
});

describe('serveEmulator (the `harness emulator` command)', () => {
  it('prints the URL and the export line, writes DATA/port, serves, and stops cleanly on its signal', async () => {
    const data = await tempDir();
    const lines: string[] = [];
    const stop = new AbortController();
    const done = serveEmulator({ port: 0, data, processingMs: 0, print: (l) => lines.push(l), signal: stop.signal });
    let port = '';
    for (let i = 0; i < 200 && !port; i++) {
      port = await readFile(path.join(data, 'port'), 'utf8').then(
        (s) => s.trim(),
        () => '',
      );
      if (!port) await sleep(10);
    }
    expect(port).toMatch(/^\d+$/);
    expect(lines).toEqual([`emulator listening on http://127.0.0.1:${port}`, `export ANTHROPIC_BASE_URL=http://127.0.0.1:${port}`]);
    const e = { url: `http://127.0.0.1:${port}` };
    const res = await fetch(`${e.url}/v1/messages/batches`, { headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' } });
    expect(res.status).toBe(200);
    stop.abort();
    await done;
    await expect(fetch(`${e.url}/v1/messages/batches`)).rejects.toThrow();
  });

  it('a bad --faults file fails before listening', async () => {
    const data = await tempDir();
    await expect(serveEmulator({ port: 0, data, faults: path.join(data, 'nope.json') })).rejects.toThrow(/cannot read the emulator fault file/);
  });
});
