/** Live model facts: the pure judgement (table × Models API) and the fetch with its day-long cache, against the emulator. */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { fetchModelFacts, judgeModelFacts, type LiveModelFacts } from '../../src/models/live-facts.js';
import { resolveModel } from '../../src/models/models.js';
import { makeTempDir } from '../helpers/tmp.js';

const opus = resolveModel('claude-opus-4-8');
const live = (more: Partial<LiveModelFacts> = {}): LiveModelFacts => ({
  id: 'claude-opus-4-8',
  displayName: 'Claude Opus 4.8',
  contextWindow: 1_000_000,
  maxOutput: 128_000,
  lifecycle: 'active',
  deprecatedAt: null,
  retiresAt: null,
  batch: true,
  thinking: { budget: true, adaptive: true },
  ...more,
});

describe('judgeModelFacts', () => {
  it('no live facts: the table as it is, nothing to say', () => {
    expect(judgeModelFacts(opus, null)).toEqual({ use: opus, problems: [], warnings: [] });
  });

  it('agreeing facts: the table, with the live thinking types', () => {
    const j = judgeModelFacts(opus, live());
    expect(j.problems).toEqual([]);
    expect(j.warnings).toEqual([]);
    expect(j.use).toEqual({ ...opus, thinking: { budget: 'yes', adaptive: 'yes' } });
  });

  it('a retired model is a problem; so is a model without batch support, in batch mode only', () => {
    expect(judgeModelFacts(opus, live({ lifecycle: 'retired', retiresAt: '2026-11-01T00:00:00Z' })).problems).toEqual([
      'Claude Opus 4.8 (claude-opus-4-8) is retired (since 2026-11-01T00:00:00Z): the API refuses every request naming it',
    ]);
    expect(judgeModelFacts(opus, live({ batch: false })).problems[0]).toMatch(/does not support the Message Batches API/);
    expect(judgeModelFacts(opus, live({ batch: false }), { mode: 'sync' }).problems).toEqual([]);
    const unknown = judgeModelFacts(opus, null, { notFound: true });
    expect(unknown.problems).toEqual([]); // a config-described model or a gateway may still serve it
    expect(unknown.warnings[0]).toMatch(/does not know model "claude-opus-4-8" \(404\)/);
  });

  it('a deprecated model is a warning naming retires_at (or saying none is announced)', () => {
    const j = judgeModelFacts(opus, live({ lifecycle: 'deprecated', retiresAt: '2027-02-01T00:00:00Z' }));
    expect(j.problems).toEqual([]);
    expect(j.warnings).toEqual([expect.stringMatching(/is deprecated and retires at 2027-02-01T00:00:00Z/)]);
    expect(judgeModelFacts(opus, live({ lifecycle: 'deprecated' })).warnings[0]).toMatch(/no retirement date announced/);
  });

  it('the live window and ceiling win over the table, and the difference is said', () => {
    const j = judgeModelFacts(opus, live({ contextWindow: 500_000, maxOutput: 64_000 }));
    expect(j.use).toMatchObject({ contextWindow: 500_000, maxOutput: 64_000, extendedMaxOutput: 300_000 });
    expect(j.warnings).toEqual([
      "the Models API gives claude-opus-4-8 a window of 500000 tokens (the table: 1000000); using the API's",
      "the Models API gives claude-opus-4-8 an output ceiling of 64000 tokens (the table: 128000); using the API's",
    ]);
    // a live ceiling above the table's beta ceiling drops the beta (it would lower the ceiling)
    expect(judgeModelFacts(opus, live({ maxOutput: 400_000 })).use.extendedMaxOutput).toBeNull();
  });
});

describe('judgeModelFacts with figures the config sets', () => {
  const pinned = resolveModel('claude-opus-4-8', { 'claude-opus-4-8': { contextWindow: 70_000 } });
  it("a window the config sets below the API's is kept (a person's own limit), silently", () => {
    const j = judgeModelFacts(pinned, live(), { configured: { contextWindow: 70_000 } });
    expect(j.use.contextWindow).toBe(70_000);
    expect(j.warnings).toEqual([]);
  });
  it("the API's window wins when it is the lower one", () => {
    const j = judgeModelFacts(pinned, live({ contextWindow: 50_000 }), { configured: { contextWindow: 70_000 } });
    expect(j.use.contextWindow).toBe(50_000);
    expect(j.warnings[0]).toMatch(/window of 50000 tokens/);
  });
  it('without the config figure the API corrects the table', () => {
    expect(judgeModelFacts(pinned, live()).use.contextWindow).toBe(1_000_000);
  });
});

describe('fetchModelFacts', () => {
  let emulator: Emulator | null = null;
  afterEach(async () => {
    await emulator?.close();
    emulator = null;
  });
  const setUp = async (options: EmulatorOptions = {}) => {
    emulator = await startEmulator({ processingMs: 50, ...options });
    const client = new Anthropic({ baseURL: emulator.url, apiKey: 'test', maxRetries: 0 });
    const stateDir = path.join(await makeTempDir('live-facts-'), '.harness');
    await mkdir(stateDir);
    return { client, stateDir };
  };
  const modelCalls = () => emulator!.log().filter((e) => e.path.startsWith('/v1/models')).length;

  it('asks the Models API once, then answers from the cache for a day (keyed by base URL and id)', async () => {
    const { client, stateDir } = await setUp({ models: { 'claude-opus-4-6': { lifecycle: 'deprecated', retiresAt: '2027-01-05T00:00:00Z' } } });
    let t = Date.parse('2026-11-27T12:00:00Z');
    const now = () => t;
    const first = await fetchModelFacts(client, 'claude-opus-4-6', { stateDir, now });
    expect(first).toMatchObject({ source: 'live', fetchedAt: '2026-11-27T12:00:00.000Z', error: null, notFound: false });
    expect(first.facts).toMatchObject({
      lifecycle: 'deprecated',
      retiresAt: '2027-01-05T00:00:00Z',
      contextWindow: 1_000_000,
      maxOutput: 128_000,
      batch: true,
    });
    t += 23 * 3600_000;
    expect(await fetchModelFacts(client, 'claude-opus-4-6', { stateDir, now })).toMatchObject({
      source: 'cache',
      fetchedAt: '2026-11-27T12:00:00.000Z',
    });
    expect(modelCalls()).toBe(1);
    t += 2 * 3600_000;
    expect((await fetchModelFacts(client, 'claude-opus-4-6', { stateDir, now })).source).toBe('live');
    expect(modelCalls()).toBe(2);
    const file = JSON.parse(await readFile(path.join(stateDir, 'model-facts.json'), 'utf8'));
    expect(Object.keys(file.entries)).toEqual([`${emulator!.url} claude-opus-4-6`]);
    expect(JSON.stringify(file)).not.toContain('test'); // never the key
  });

  it('never creates the state dir: without one, every call asks the API', async () => {
    const { client, stateDir } = await setUp();
    const missing = path.join(path.dirname(stateDir), 'none', '.harness');
    expect((await fetchModelFacts(client, 'claude-opus-4-8', { stateDir: missing })).source).toBe('live');
    expect((await fetchModelFacts(client, 'claude-opus-4-8', { stateDir: missing })).source).toBe('live');
    expect(existsSync(path.dirname(missing))).toBe(false);
  });

  it('a 404 says the API does not know the model', async () => {
    const { client, stateDir } = await setUp();
    expect(await fetchModelFacts(client, 'claude-nope-1', { stateDir })).toMatchObject({ source: 'table', facts: null, notFound: true });
  });

  it('offline: falls back to a stale cache entry, else to the table, saying why', async () => {
    const { client, stateDir } = await setUp();
    let t = Date.parse('2026-11-27T12:00:00Z');
    const now = () => t;
    expect((await fetchModelFacts(client, 'claude-opus-4-8', { stateDir, now })).source).toBe('live');
    await emulator!.close();
    emulator = null;
    t += 3 * 24 * 3600_000;
    const stale = await fetchModelFacts(client, 'claude-opus-4-8', { stateDir, now });
    expect(stale).toMatchObject({ source: 'cache', fetchedAt: '2026-11-27T12:00:00.000Z', notFound: false });
    expect(stale.error).toMatch(/connection/i);
    const none = await fetchModelFacts(client, 'claude-opus-4-7', { stateDir, now });
    expect(none).toMatchObject({ source: 'table', facts: null, notFound: false });
    expect(none.error).toMatch(/connection/i);
  });

  it('a server error falls back to the table', async () => {
    const { client, stateDir } = await setUp({ faults: { http: [{ path: '^/v1/models', kind: 'status', status: 500, times: 0 }] } });
    const r = await fetchModelFacts(client, 'claude-opus-4-8', { stateDir });
    expect(r).toMatchObject({ source: 'table', facts: null, notFound: false });
    expect(r.error).toMatch(/500/);
  });
});
