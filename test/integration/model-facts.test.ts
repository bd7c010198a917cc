/**
 * Live model facts through the real CLI against the emulator: a retired model (or one without batch
 * support) is exit 2 before any spend; a deprecated one is a warning naming its retirement date; the
 * API's window is used over the table's; offline, the table's figures, said once.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, makeTarget } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const MODEL = 'claude-opus-4-8';

describe('live model facts', () => {
  it('a retired model: run is exit 2 before anything is sent or changed', async () => {
    h = await withEmulator({ models: { [MODEL]: { lifecycle: 'retired', retiresAt: '2026-11-01T00:00:00Z' } } });
    const repo = await makeTarget();
    const before = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/Claude Opus 4\.8 \(claude-opus-4-8\) is retired \(since 2026-11-01T00:00:00Z\)/);
    expect(r.stderr).toMatch(/nothing was sent/);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    expect(h.emulator.stats().messages).toBe(0);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    // estimate refuses it too
    const e = await h.run(repo, 'estimate');
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/is retired/);
  });

  it('a model without batch support: run is exit 2 before any batch', async () => {
    h = await withEmulator({ models: { [MODEL]: { batch: false } } });
    const repo = await makeTarget();
    const r = await h.run(repo, 'run');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/does not support the Message Batches API/);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    // refine is one synchronous call: it does not need batch support
    const refine = await h.run(repo, 'refine', 'src/models/user.ts', '--message', 'validate the email');
    expect(refine.code, refine.stderr).toBe(0);
    expect(h.emulator.stats().messages).toBe(1);
  });

  it('a deprecated model: a warning naming retires_at, once, and the run goes on; the answer is cached for the next command', async () => {
    h = await withEmulator({ models: { [MODEL]: { lifecycle: 'deprecated', retiresAt: '2027-03-01T00:00:00Z' } } });
    const repo = await makeTarget();
    const r = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/is deprecated and retires at 2027-03-01T00:00:00Z/g)).toHaveLength(1);
    expect(commitSubjects(repo).length).toBeGreaterThan(1);
    const calls = () => h!.emulator.log().filter((e) => e.path.startsWith('/v1/models/')).length;
    expect(calls()).toBe(1);
    // The first run asked before `.harness/` existed (asking never creates it); the next command caches.
    expect((await h.run(repo, 'estimate')).code).toBe(0);
    expect(calls()).toBe(2);
    const cache = JSON.parse(await readFile(path.join(repo, '.harness', 'model-facts.json'), 'utf8'));
    expect(Object.keys(cache.entries)).toEqual([`${h.emulator.url} ${MODEL}`]);
    expect(git(repo, 'status', '--porcelain', '--', '.harness/model-facts.json')).toBe(''); // local, ignored
    const e = await h.run(repo, 'estimate', '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).model_facts).toMatchObject({ source: 'cache', lifecycle: 'deprecated', retires_at: '2027-03-01T00:00:00Z' });
    expect(calls()).toBe(2);
  });

  it("estimate uses the API's window and ceiling over the table's, and says where they differ", async () => {
    h = await withEmulator({ models: { [MODEL]: { contextWindow: 700_000, maxTokens: 100_000 } } });
    const repo = await makeTarget();
    const e = await h.run(repo, 'estimate', '--json');
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).model_facts).toEqual({
      source: 'live',
      fetched_at: expect.any(String),
      lifecycle: 'active',
      retires_at: null,
      context_window: 700_000,
      max_output: 100_000,
      error: null,
    });
    expect(e.stderr).toMatch(/the Models API gives claude-opus-4-8 a window of 700000 tokens \(the table: 1000000\); using the API's/);
  });

  it("offline: estimate falls back to the table's figures and says so once", async () => {
    const repo = await makeTarget();
    const env = { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', ANTHROPIC_API_KEY: 'test-key' };
    const e = await runCli(['estimate', '--json', '--repo', repo], { env });
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr.match(/could not ask the Models API about claude-opus-4-8 \(.*\): using the models table's figures/g)).toHaveLength(1);
    expect(JSON.parse(e.stdout).model_facts).toMatchObject({ source: 'table', lifecycle: null, context_window: 1_000_000, max_output: 128_000 });
    expect(existsSync(path.join(repo, '.harness', 'model-facts.json'))).toBe(false);
  });
});
