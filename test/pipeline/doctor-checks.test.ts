/** `harness doctor`'s rows, decided from what each call came to. */
import { describe, expect, it } from 'vitest';
import { countRow, doctorExit, keyRow, longContextRow, type ModelCheck, modelRow, probeRow, windowRow } from '../../src/pipeline/doctor-checks.js';

const URL = 'https://api.example';
const check = (m: Partial<ModelCheck> = {}): ModelCheck => ({
  source: 'live',
  error: null,
  lifecycle: 'active',
  window: 1_000_000,
  output: 128_000,
  problems: [],
  warnings: [],
  ...m,
});

describe('key', () => {
  it.each([
    [false, null, 'fail', /ANTHROPIC_API_KEY is not set/],
    [true, { ok: true as const, value: {} }, 'ok', /accepted by https:\/\/api\.example/],
    [true, { ok: false as const, status: 401, message: 'invalid x-api-key' }, 'fail', /refused by .* \(HTTP 401\): invalid x-api-key/],
    [true, { ok: false as const, status: 403, message: 'no' }, 'fail', /HTTP 403/],
    [true, { ok: false as const, status: null, message: 'ECONNREFUSED' }, 'fail', /cannot reach .*ECONNREFUSED/],
    [true, { ok: false as const, status: 529, message: 'overloaded' }, 'fail', /answered HTTP 529/],
  ])('key set %s, call %j → %s', (set, call, status, detail) => {
    const row = keyRow(set, call, URL);
    expect(row.status).toBe(status);
    expect(row.detail).toMatch(detail);
  });
});

describe('model', () => {
  it.each([
    [check(), 'ok', /^m active; window 1000000, output 128000 \(Models API\)$/],
    [
      check({ lifecycle: 'deprecated', warnings: ['m is deprecated and retires at 2027-01-05'] }),
      'warn',
      /m deprecated; .*; m is deprecated and retires at 2027-01-05/,
    ],
    [check({ problems: ['m is retired (since 2026-10-01)', 'no batches'] }), 'fail', /^m is retired \(since 2026-10-01\); no batches$/],
    [check({ source: 'cache', error: 'ECONNRESET' }), 'warn', /an earlier answer: now ECONNRESET/],
    [
      check({ source: 'table', error: 'HTTP 500', lifecycle: null }),
      'warn',
      /the Models API did not answer \(HTTP 500\); the table's figures are used: window 1000000/,
    ],
  ])('%j → %s', (m, status, detail) => {
    const row = modelRow('m', m);
    expect(row.status).toBe(status);
    expect(row.detail).toMatch(detail);
  });
});

describe('count, window, long context', () => {
  it('count_tokens: the count, and a note when the local estimate is far off; a failed count warns', () => {
    expect(countRow('the prefix', 1000, { ok: true, value: 1050 })).toEqual({
      name: 'count_tokens',
      status: 'ok',
      detail: '1050 input tokens for the prefix',
    });
    expect(countRow('the prefix', 1000, { ok: true, value: 1500 }).detail).toMatch(/the local estimate, 1000, is -50% off/);
    expect(countRow('the prefix', 1000, { ok: false, status: 400, message: 'bad' })).toMatchObject({ status: 'warn' });
  });

  it('the window holds input and max_tokens together', () => {
    expect(windowRow(700_000, 300_000, 1_000_000, 'Models API').status).toBe('ok');
    const over = windowRow(700_001, 300_000, 1_000_000, 'Models API');
    expect(over.status).toBe('fail');
    expect(over.detail).toMatch(/input 700001 \+ max_tokens 300000 = 1000001 > window 1000000 \(Models API\): lower maxTokens to 299999 or less/);
    expect(windowRow(1_200_000, 1, 1_000_000, 'table').detail).not.toMatch(/lower maxTokens/);
  });

  it('long context: below 200K it does not arise; above, unmeasured warns with the price of measuring', () => {
    expect(longContextRow(200_000, null, 1).detail).toMatch(/does not arise/);
    const unmeasured = longContextRow(250_000, null, 1.25);
    expect(unmeasured.status).toBe('warn');
    expect(unmeasured.detail).toMatch(/--probe-batch.*about \$1\.25/);
  });

  it('long context measured: billed ≈ count is ok; billed well above warns; a 400 says a beta seems needed', () => {
    const probe = (billedInput: number) => ({
      counted: 250_000,
      outcome: { ok: true as const, value: { billedInput, costUsd: 1.25, requestId: 'req_1' } },
    });
    const same = longContextRow(250_000, probe(250_100), 1);
    expect(same.status).toBe('ok');
    expect(same.detail).toMatch(/accepted without a beta; billed 250100 input tokens for a count of 250000; .*request req_1/);
    expect(longContextRow(250_000, probe(300_000), 1).status).toBe('warn');
    const refused = longContextRow(250_000, { counted: 250_000, outcome: { ok: false, status: 400, message: 'prompt is too long' } }, 1);
    expect(refused.status).toBe('fail');
    expect(refused.detail).toMatch(/seems to need a long-context beta/);
  });
});

describe('probe batch', () => {
  it.each([
    [null, 'skip', /--probe-batch/],
    [
      { kind: 'succeeded' as const, batchId: 'b1', costUsd: 0.0002 },
      'ok',
      /b1 accepted max_tokens 300000, betas output-300k-2026-03-24; it cost \$0\.0002/,
    ],
    [{ kind: 'errored' as const, batchId: 'b1', message: 'invalid_request_error: max_tokens' }, 'fail', /refused its request/],
    [{ kind: 'refused' as const, status: 400, message: 'bad beta' }, 'fail', /creating the batch failed .*HTTP 400: bad beta/],
    [
      { kind: 'not-ended' as const, batchId: 'b1', waitedMs: 600_000, canceled: true },
      'warn',
      /had not ended after 600 s .*; canceled; nothing proven/,
    ],
  ])('%j → %s', (outcome, status, detail) => {
    const row = probeRow(outcome, ['output-300k-2026-03-24'], 300_000);
    expect(row.status).toBe(status);
    expect(row.detail).toMatch(detail);
  });

  it('exit 1 when any check failed; warnings and skips do not fail', () => {
    expect(
      doctorExit([
        { name: 'a', status: 'ok', detail: '' },
        { name: 'b', status: 'warn', detail: '' },
        { name: 'c', status: 'skip', detail: '' },
      ]),
    ).toBe(0);
    expect(
      doctorExit([
        { name: 'a', status: 'ok', detail: '' },
        { name: 'b', status: 'fail', detail: '' },
      ]),
    ).toBe(1);
  });
});
