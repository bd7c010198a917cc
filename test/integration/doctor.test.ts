/** `harness doctor` against the emulator: every check passing, and each failing the way it would. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git } from '../helpers/git.js';
import { makeTarget } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

type Row = { name: string; status: string; detail: string };
const byName = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.name, r]));

describe('harness doctor', () => {
  it('all green: a table of checks, exit 0; --json the same rows; nothing spent, nothing committed', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const head = git(repo, 'rev-parse', 'HEAD');
    const r = await h.run(repo, 'doctor');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^doctor: model claude-opus-4-8, max_tokens 300000, betas output-300k-2026-03-24, API http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout).toMatch(/api key\s+ok\s+accepted by/);
    expect(r.stdout).toMatch(/count_tokens\s+ok\s+\d+ input tokens for the first request of the pending tasks/);
    expect(r.stdout).toMatch(/window\s+ok\s+input \d+ \+ max_tokens 300000/);
    expect(r.stdout).toMatch(/long context\s+ok\s+.*the question does not arise/);
    expect(r.stdout).toMatch(/probe batch\s+skip/);
    expect(r.stdout).toMatch(/no check failed/);

    const j = await h.run(repo, 'doctor', '--json');
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ model: 'claude-opus-4-8', max_tokens: 300000, betas: ['output-300k-2026-03-24'], exit_code: 0 });
    const rows = byName(doc.checks);
    expect(Object.keys(rows)).toEqual(['api key', 'model', 'codebase', 'count_tokens', 'window', 'long context', 'probe batch']);
    expect(rows['api key']!.status).toBe('ok');
    expect(rows.model).toMatchObject({ status: 'ok' });
    expect(rows.model!.detail).toMatch(/claude-opus-4-8 active; window 1000000, output 128000 \(Models API\)/);
    expect(rows.window!.detail).toMatch(/\(Models API; input from count_tokens\)/);
    expect(h.emulator.stats().batchesCreated).toBe(0);
    expect(h.emulator.log().some((e) => e.method === 'POST' && /\/v1\/messages$/.test(e.path))).toBe(false);
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(existsSync(path.join(repo, '.harness/journal.jsonl'))).toBe(false);
  });

  it('--probe-batch: a one-request batch with the configured betas and max_tokens, collected, its cost said', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await h.run(repo, 'doctor', '--probe-batch', '--json');
    expect(r.code, r.stderr).toBe(0);
    const probe = byName(JSON.parse(r.stdout).checks)['probe batch']!;
    expect(probe.status).toBe('ok');
    expect(probe.detail).toMatch(/^msgbatch_\w+ accepted max_tokens 300000, betas output-300k-2026-03-24; it cost \$[\d.]+$/);
    expect(h.emulator.stats().batchesCreated).toBe(1);
    const create = h.emulator.log().find((e) => e.method === 'POST' && e.path === '/v1/messages/batches');
    expect(create).toBeDefined();
  });

  it('--probe-batch when the model refuses the beta: the row fails naming it (exit 1)', async () => {
    h = await withEmulator({ models: { 'claude-opus-4-8': { batchBetaMaxTokens: null } } });
    const repo = await makeTarget();
    const r = await h.run(repo, 'doctor', '--probe-batch', '--json');
    expect(r.code).toBe(1);
    const probe = byName(JSON.parse(r.stdout).checks)['probe batch']!;
    expect(probe.status).toBe('fail');
    // As the real API, the emulator takes the batch and errors the request at the end.
    expect(probe.detail).toMatch(
      /^msgbatch_\w+ refused its request \(max_tokens 300000, betas output-300k-2026-03-24\): invalid_request_error: .*output-300k-2026-03-24 beta is not supported for claude-opus-4-8/,
    );
  });

  it('a bad key: the key row fails (exit 1), the checks that need the API are skipped, the key is never printed', async () => {
    h = await withEmulator({ apiKey: 'the-right-key' });
    const repo = await makeTarget();
    const secret = 'sk-ant-wrong-key-1234567890';
    const r = await runCli(['doctor', '--json', '--repo', repo], { env: { ...h.env, ANTHROPIC_API_KEY: secret } });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(secret);
    const doc = JSON.parse(r.stdout);
    expect(doc.exit_code).toBe(1);
    const rows = byName(doc.checks);
    expect(rows['api key']).toMatchObject({ status: 'fail' });
    expect(rows['api key']!.detail).toMatch(/refused by .* \(HTTP 401\)/);
    expect(rows.model!.status).toBe('skip');
    expect(rows.count_tokens!.status).toBe('skip');
    expect(rows.window!.detail).toMatch(/input from a local estimate/);
    const text = await runCli(['doctor', '--repo', repo], { env: { ...h.env, ANTHROPIC_API_KEY: secret } });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/api key\s+FAIL/);
    expect(text.stdout).toMatch(/1 check failed/);
  });

  it('no key at all: the key row says so (exit 1)', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await runCli(['doctor', '--json', '--repo', repo], { env: { ANTHROPIC_BASE_URL: h.emulator.url, ANTHROPIC_API_KEY: undefined } });
    expect(r.code).toBe(1);
    expect(byName(JSON.parse(r.stdout).checks)['api key']!.detail).toBe('ANTHROPIC_API_KEY is not set');
  });

  it('a retired model fails (exit 1); a deprecated one warns, naming its retirement date (exit 0)', async () => {
    h = await withEmulator({ models: { 'claude-opus-4-8': { lifecycle: 'retired', retiresAt: '2026-11-01T00:00:00Z' } } });
    const repo = await makeTarget();
    const r = await h.run(repo, 'doctor', '--json');
    expect(r.code).toBe(1);
    const retired = byName(JSON.parse(r.stdout).checks).model!;
    expect(retired.status).toBe('fail');
    expect(retired.detail).toMatch(/\(claude-opus-4-8\) is retired \(since 2026-11-01T00:00:00Z\)/);
    await h.restart({ models: { 'claude-opus-4-8': { lifecycle: 'deprecated', retiresAt: '2027-03-01T00:00:00Z' } } });
    const d = await h.run(repo, 'doctor', '--json');
    expect(d.code, d.stderr).toBe(0);
    const model = byName(JSON.parse(d.stdout).checks).model!;
    expect(model.status).toBe('warn');
    expect(model.detail).toMatch(
      /^claude-opus-4-8 deprecated; window 1000000, output \d+ \(Models API\); .*is deprecated and retires at 2027-03-01T00:00:00Z/,
    );
  });

  it('a prompt over the window: input + max_tokens above the window fails the window row (exit 1)', async () => {
    const big = Array.from({ length: 400 }, (_, i) => `export const value${i} = ${i}; // a line of the codebase`).join('\n');
    const files = { 'src/big.ts': big, 'harness.config.mjs': 'export default { maxTokens: 69000 };\n' };
    // The Models API's window (the emulator's catalogue, overridden here) is the tighter one. The
    // codebase does not fit beside max_tokens, so requests go in map mode: small, but not small enough.
    h = await withEmulator({ models: { 'claude-opus-4-8': { contextWindow: 70000 } } });
    const repo = await makeTarget({ files });
    const r = await h.run(repo, 'doctor', '--json');
    expect(r.code, r.stderr).toBe(1);
    const rows = byName(JSON.parse(r.stdout).checks);
    expect(rows.count_tokens!.status).toBe('ok');
    expect(rows.window!.status).toBe('fail');
    expect(rows.window!.detail).toMatch(
      /input \d+ \+ max_tokens 69000 = \d+ > window 70000 \(Models API; input from count_tokens\): lower maxTokens to \d+ or less/,
    );
    // The config's own figure for the model counts too, when it is the tighter one.
    await h.restart({ models: {} });
    const own = await makeTarget({
      files: { ...files, 'harness.config.mjs': "export default { maxTokens: 69000, models: { 'claude-opus-4-8': { contextWindow: 70000 } } };\n" },
    });
    const o = await h.run(own, 'doctor', '--json');
    expect(o.code, o.stderr).toBe(1);
    expect(byName(JSON.parse(o.stdout).checks).window!.detail).toMatch(/> window 70000 \(models table; input from count_tokens\)/);
  });

  it('above 200K input tokens: unmeasured without --probe-batch; with it, one streaming call is set against the count', async () => {
    h = await withEmulator();
    const line = (i: number) => `export function f${i}(a: number, b: number): number { return a * ${i} + b - ${i % 7}; }\n`;
    const files: Record<string, string> = {};
    for (let f = 0; f < 40; f++) files[`src/gen/m${f}.ts`] = Array.from({ length: 400 }, (_, i) => line(f * 1000 + i)).join('');
    const repo = await makeTarget({ files: { ...files, 'harness.config.mjs': 'export default { maxTokens: 8000 };\n' } });
    const plain = await h.run(repo, 'doctor', '--json');
    const rows = byName(JSON.parse(plain.stdout).checks);
    expect(Number(/^(\d+) input tokens/.exec(rows.count_tokens!.detail)![1])).toBeGreaterThan(200_000);
    expect(rows['long context']).toMatchObject({ status: 'warn' });
    expect(rows['long context']!.detail).toMatch(/not measured; `harness doctor --probe-batch` makes one streaming call/);
    expect(plain.code).toBe(0);

    const probed = await h.run(repo, 'doctor', '--json', '--probe-batch');
    expect(probed.code, probed.stderr).toBe(0);
    const long = byName(JSON.parse(probed.stdout).checks)['long context']!;
    expect(long.status).toBe('ok');
    expect(long.detail).toMatch(/accepted without a beta; billed \d+ input tokens for a count of \d+/);
    const streamed = h.emulator.log().filter((e) => e.method === 'POST' && e.path === '/v1/messages');
    expect(streamed).toHaveLength(1);
  });
});
