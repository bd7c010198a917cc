/**
 * What a result line decides (collect-fates.ts), branch by branch, without a file, a repo or an
 * API: each row is one result line and the fates, files to write and report lines it decides.
 */
import { describe, expect, it } from 'vitest';
import type { BatchResultLine } from '../../src/batch/api.js';
import { decideMissing, decideResult, type Fate, type FateContext } from '../../src/pipeline/collect-fates.js';
import { context, ended, errored, failed, generated, pending, section, succeeded, task } from './collect-fixtures.js';

const A = 'src/a.ts';
const B = 'src/b.ts';
const C = 'src/c.ts';
const REFUSED = 'the model refused (stop_reason refusal)';
const NOTE = 'ambiguous section: the content shows the section format (a line like <<<END src/a.ts>>>), so where the file ends cannot be told';

/** A decision in a form a table can spell: a file to write is `{ write: path, content }`. */
function decide(line: BatchResultLine, ctx: FateContext, seen: string[] = []) {
  const d = decideResult(line, ctx, new Set(seen));
  return {
    counted: d.counted?.type ?? null,
    report: d.report,
    steps: d.steps.map((s) => ('write' in s ? { write: s.write.task.path, content: s.write.content } : s)),
  };
}

/** The splitter's warning about a stray END marker of src/a.ts. */
const STRAY = expect.stringMatching(/^r1: END src\/a\.ts after its section had closed/);

describe('a succeeded result', () => {
  const two = context([task(A), task(B)], { r1: [A, B] });
  const rows: { name: string; text: string; stop?: string; ctx?: FateContext; steps: unknown[]; report?: unknown[] }[] = [
    {
      name: 'complete sections: each file is to be written (the write decides the fate)',
      text: `intro\n${section(A)}${section(B)}`,
      steps: [
        { write: A, content: generated(A) },
        { write: B, content: generated(B) },
      ],
    },
    {
      name: 'a section not closed: an attempt used, pending again',
      text: `${section(A)}<<<FILE ${B}>>>\nexport const`,
      steps: [
        { write: A, content: generated(A) },
        { ...pending(B, 1), report: `${B}: section not closed` },
      ],
    },
    {
      name: 'a section not closed at max_tokens: the output was cut',
      text: `${section(A)}<<<FILE ${B}>>>\nexport const`,
      stop: 'max_tokens',
      steps: [
        { write: A, content: generated(A) },
        { ...pending(B, 1), report: `${B}: output cut at max_tokens` },
      ],
    },
    {
      name: 'no section at max_tokens: not reached',
      text: section(A),
      stop: 'max_tokens',
      steps: [
        { write: A, content: generated(A) },
        { ...pending(B, 1), report: `${B}: not reached before max_tokens` },
      ],
    },
    {
      name: 'no section at all',
      text: section(B),
      steps: [
        { ...pending(A, 1), report: `${A}: no section in the output` },
        { write: B, content: generated(B) },
      ],
    },
    {
      name: 'model_context_window_exceeded is read like max_tokens, naming the window',
      text: `<<<FILE ${A}>>>\nexport const`,
      stop: 'model_context_window_exceeded',
      steps: [
        { ...pending(A, 1), report: `${A}: output cut at the context window` },
        { ...pending(B, 1), report: `${B}: not reached before the context window` },
      ],
    },
    {
      name: 'a refusal: not a cut output; no file is written from it, complete sections included; an attempt used, pending again',
      text: `${section(A)}<<<FILE ${B}>>>\nexport const`,
      stop: 'refusal',
      steps: [
        { ...pending(A, 1), report: `${A}: ${REFUSED}` },
        { ...pending(B, 1), report: `${B}: ${REFUSED}` },
      ],
      report: [`r1: ${REFUSED}: none of its 2 tasks are written from it`],
    },
    {
      name: 'a refusal at the last attempt: failed, the reason says the model refused',
      text: section(A),
      stop: 'refusal',
      ctx: context([task(A, { attempts: 2 })], { r1: [A] }),
      steps: [{ ...failed(A, 3, `${REFUSED} (after 3 attempts)`), report: `${A}: ${REFUSED}` }],
      report: [`r1: ${REFUSED}: its task is not written from it`],
    },
    {
      name: 'attempts used up: failed with the reason and the count',
      text: '',
      ctx: context([task(A, { attempts: 1 }), task(B, { attempts: 0 })], { r1: [A, B] }, { attemptsCap: 2 }),
      steps: [
        { ...failed(A, 2, 'no section in the output (after 2 attempts)'), report: `${A}: no section in the output` },
        { ...pending(B, 1), report: `${B}: no section in the output` },
      ],
    },
    {
      name: 'an ambiguous section, the first time: not written, nor one closed after it; pending with a note for the next request',
      text: `${section(A)}${section(B)}<<<END ${A}>>>\n`,
      steps: [
        { ...pending(A, 1), retry: { ambiguous: true }, report: `${A}: ${NOTE}; not written` },
        { ...pending(B, 1), retry: { ambiguous: true }, report: `${B}: ${NOTE.replace(A, B)}; not written` },
      ],
      report: [STRAY],
    },
    {
      name: 'an ambiguous section again after the note: failed',
      text: `${section(A)}<<<END ${A}>>>\n`,
      ctx: context([task(A, { attempts: 1 })], { r1: [A] }, { history: { [A]: { ambiguous: true } } }),
      steps: [
        {
          ...failed(A, 2, `${NOTE}, again after a note to the model; write the file by hand, or change its description and retry`),
          report: `${A}: ${NOTE}; not written`,
        },
      ],
      report: [STRAY],
    },
    {
      name: 'an ambiguous section at the last attempt: failed',
      text: `${section(A)}<<<END ${A}>>>\n`,
      ctx: context([task(A, { attempts: 2 })], { r1: [A] }),
      steps: [{ ...failed(A, 3, `${NOTE} (after 3 attempts)`), report: `${A}: ${NOTE}; not written` }],
      report: [STRAY],
    },
    {
      name: 'a section for a path not asked: reported, not written',
      text: `${section(A)}${section('src/z.ts')}${section(B)}`,
      steps: [
        { write: A, content: generated(A) },
        { write: B, content: generated(B) },
      ],
      report: ['r1: section for unrequested path "src/z.ts" not written'],
    },
  ];
  it.each(rows)('$name', ({ text, stop, ctx, steps, report }) => {
    const d = decide(succeeded('r1', text, stop), ctx ?? two);
    expect(d.counted).toBe('succeeded');
    expect(d.steps).toEqual(steps);
    expect(d.report).toEqual(report ?? []);
  });

  it('reports the splitter warnings under the custom_id, and counts the usage', () => {
    const d = decideResult(succeeded('r1', `${section(A, 'first\n')}${section(A)}`, 'end_turn', 42), context([task(A)], { r1: [A] }), new Set());
    expect(d.report).toHaveLength(1);
    expect(d.report[0]).toMatch(/^r1: /);
    expect(d.steps).toEqual([{ write: { task: task(A), content: generated(A) } }]);
    expect(d.usage).toMatchObject({ input_tokens: 1_000, output_tokens: 42 });
  });

  it('a refused answer is still billed: its usage is counted', () => {
    const d = decideResult(succeeded('r1', section(A), 'refusal', 17), context([task(A)], { r1: [A] }), new Set());
    expect(d.counted).toEqual({ customId: 'r1', type: 'succeeded' });
    expect(d.usage).toMatchObject({ output_tokens: 17 });
    expect(d.steps.some((s) => 'write' in s)).toBe(false);
  });

  it('a thinking block first in the content is not part of the answer: only text blocks are split', () => {
    const line = succeeded('r1', `intro\n${section(A)}${section(B)}`);
    const message = (line.result as { message: { content: unknown[] } }).message;
    // A thinking block that even looks like a section must not be read as one.
    message.content.unshift({ type: 'thinking', thinking: `let me draft it\n${section(A, 'draft\n')}`, signature: 'sig' });
    const d = decide(line, two);
    expect(d.steps).toEqual([
      { write: A, content: generated(A) },
      { write: B, content: generated(B) },
    ]);
    expect(d.report).toEqual([]);
  });
});

describe('an errored result', () => {
  const three = context([task(A), task(B, { attempts: 2 }), task(C)], { r1: [A, B, C], r2: [A] });
  it('invalid_request_error with several tasks: split, all back to pending with no attempt used, at most half as many next time', () => {
    expect(decide(errored('r1', 'invalid_request_error', 'too long'), three)).toEqual({
      counted: 'errored',
      report: [
        'r1: errored: invalid_request_error: too long',
        'r1: its 3 tasks go back to pending, in requests of at most 2, to find the one the API refuses',
      ],
      steps: [A, B, C].map((p) => ({ ...pending(p), retry: { maxTasks: 2 } })),
    });
  });

  it('invalid_request_error with one task: that task fails with the API message', () => {
    expect(decide(errored('r2', 'invalid_request_error', 'too long'), three)).toEqual({
      counted: 'errored',
      report: ['r2: errored: invalid_request_error: too long'],
      steps: [failed(A, 1, 'invalid request: too long')],
    });
  });

  it.each([
    { name: 'a transient error', type: 'overloaded_error', report: 'r1: errored: overloaded_error: overloaded_error message' },
    { name: 'an error without its body', type: undefined, report: 'r1: errored: api_error: ' },
  ])('$name: an attempt used; failed at the cap', ({ type, report }) => {
    const reason = `errored: ${type ?? 'api_error'}`;
    expect(decide(errored('r1', type), three)).toEqual({
      counted: 'errored',
      report: [report],
      steps: [pending(A, 1), failed(B, 3, `${reason} (after 3 attempts)`), pending(C, 1)],
    });
  });
});

describe('a result not processed', () => {
  it.each(['canceled', 'expired'] as const)('%s: back to pending, no attempt used, nothing reported', (type) => {
    const ctx = context([task(A, { attempts: 2 }), task(B)], { r1: [A, B] });
    expect(decide(ended('r1', type), ctx)).toEqual({ counted: type, report: [], steps: [pending(A), pending(B)] });
  });
});

describe('which tasks a result decides', () => {
  const tasks = [
    task(A),
    task(B, { checked: true }),
    task(C, { status: 'done', checked: true }),
    task('src/d.ts', { batch: 'b2' }),
    task('src/e.ts', { status: 'pending', batch: null }),
    task('src/f.ts', { status: 'failed', attempts: 3, batch: 'b0' }),
  ];
  const ctx = context(tasks, { r1: [A, B, C, 'src/d.ts', 'src/e.ts', 'src/f.ts', 'src/renamed.ts'] });
  it('a ticked, done or resubmitted task, or one no longer in the list, is left alone; a pending or failed one is decided', () => {
    expect(decide(ended('r1', 'expired'), ctx).steps.map((s) => (s as Fate).path)).toEqual([A, 'src/e.ts', 'src/f.ts']);
  });

  it('a line for a custom_id the batch does not have is reported and ignored; a repeated line is ignored', () => {
    expect(decide(ended('r9', 'expired'), ctx)).toEqual({ counted: null, report: ['result for unknown custom_id r9 ignored'], steps: [] });
    expect(decide(ended('r1', 'expired'), ctx, ['r1'])).toEqual({ counted: null, report: [], steps: [] });
  });

  it('requests with no result line: reported; their tasks back to pending, no attempt used', () => {
    const d = decideMissing(context(tasks, { r1: [A, B], r2: ['src/e.ts'], r3: [C] }), new Set(['r2']));
    expect(d.report).toEqual(['r1: no result line', 'r3: no result line']);
    expect(d.steps).toEqual([pending(A)]);
  });
});

describe('what the decisions read of a task', () => {
  it('its path and state only: the same fates from those five fields as from the parsed tasks', () => {
    const tasks = [task(A, { attempts: 2 }), task(B), task(C, { checked: true })];
    const full = context(tasks, { r1: [A, B, C] });
    const states = new Map(tasks.map((t) => [t.path, { path: t.path, status: t.status, checked: t.checked, batch: t.batch, attempts: t.attempts }]));
    const slim: FateContext = { ...full, tasks: states };
    const line = succeeded('r1', `${section(A)}<<<FILE ${B}>>>\nopen`);
    const a = decide(line, full);
    expect(decide(line, slim)).toEqual(a);
    expect(a.steps).toEqual([
      { write: A, content: generated(A) },
      { ...pending(B, 1), report: `${B}: section not closed` },
    ]);
    expect(decideMissing(slim, new Set()).steps).toEqual(decideMissing(full, new Set()).steps);
  });
});
