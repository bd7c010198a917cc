/** The pure halves of the report: the data (times, commits, diagnostics), the cost split, escaping, the Markdown cells. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costUsd, usageSchema, zeroUsage } from '../../src/cost/usage.js';
import type { StatusReport } from '../../src/pipeline/status.js';
import { githubBase, reportData, segmentsOf } from '../../src/report-page/report-data.js';
import { collectCommits, openerFor } from '../../src/report-page/report-effect.js';
import { escapeHtml } from '../../src/report-page/report-format.js';
import { renderReportHtml } from '../../src/report-page/report-html.js';
import { markdownCell, renderReportMarkdown } from '../../src/report-page/report-markdown.js';
import { foldJournal, type JournalEvent } from '../../src/state/journal.js';

const prices = { input: 3, output: 15 };
const usage = usageSchema.parse({
  input_tokens: 1200,
  output_tokens: 900,
  cache_creation_input_tokens: 5000,
  cache_creation_1h_input_tokens: 5000,
  cache_read_input_tokens: 20000,
});
const KEY = 'sk-ant-api03-' + 'x'.repeat(40);

function status(reason: string): StatusReport {
  return {
    tasks: [
      { id: 'T1', path: 'src/a.ts', status: 'done', attempts: 1, batch: 'msgbatch_1', reason: null, group: 'G', stage: 1, skipped: false },
      { id: 'T2', path: 'src/<b>.ts', status: 'failed', attempts: 3, batch: null, reason, group: 'G', stage: 2, skipped: false },
    ],
    counts: { pending: 0, submitted: 0, done: 1, failed: 1 },
    stage: null,
    stage_held: null,
    verify: { command: 'npm test', passed: false, failing: ['src/a.ts'], at: '2026-01-01T00:10:00.000Z' },
    batches: [
      {
        id: 'msgbatch_1',
        status: 'collected',
        requests: 1,
        tasks: 2,
        created_at: '2026-01-01T00:00:00.000Z',
        expires_at: null,
        results_expire_at: null,
        estimate_usd: 0.1,
        estimate_usage: null,
        estimate_usd_low: null,
        estimate_usd_high: null,
        estimate_hit_rate: null,
        bill_in_range: null,
        cache_read_share: null,
        hit_rate: null,
        cost_usd: costUsd(usage, prices, 'batch'),
        files: 1,
        usage,
        adopted: false,
        purpose: 'tasks',
      },
    ],
    calls: [],
    usage,
    cost_usd: costUsd(usage, prices, 'batch'),
    repair_cost_usd: 0,
    naive_sync_cost_usd: 0.5,
    context: { mode: 'full', files: 3, tokens: 1200 },
    cache_read_share: 0.8,
    cache_hit_rate: null,
    warmups: [],
    model: 'claude-test',
  };
}

const events = [
  {
    type: 'intent',
    at: '2026-01-01T00:00:00.000Z',
    intentId: 'i1',
    model: 'm',
    betas: [],
    fingerprint: 'f',
    requests: [{ customId: 'c', paths: ['src/a.ts', 'src/<b>.ts'] }],
    estimateUsd: 0.1,
    purpose: 'tasks',
  },
  { type: 'submitted', at: '2026-01-01T00:00:01.000Z', intentId: 'i1', batchId: 'msgbatch_1', adopted: false },
  { type: 'collect', at: '2026-01-01T00:05:01.000Z', batchId: 'msgbatch_1' },
  { type: 'collected', at: '2026-01-01T00:05:03.500Z', batchId: 'msgbatch_1', files: [], taskChanges: {}, usage, costUsd: 0, counts: {}, report: [] },
  {
    type: 'verified',
    at: '2026-01-01T00:10:00.000Z',
    command: 'npm test',
    passed: false,
    exitCode: 1,
    signal: null,
    timedOut: false,
    output: '',
    repairs: { 'src/a.ts': [`src/a.ts:1 uses ${KEY}`] },
    failed: {},
    other: ['lib/<x>.js'],
  },
] as JournalEvent[];

const data = (reason = 'invalid request: too long', remote: string | null = 'https://github.com/acme/widgets.git') =>
  reportData({
    status: status(reason),
    journal: foldJournal(events),
    prices,
    commits: new Map([['msgbatch_1', 'a'.repeat(40)]]),
    remote,
    repo: 'widgets',
    env: { ANTHROPIC_API_KEY: KEY },
    now: '2026-01-01T01:00:00.000Z',
  });

describe('reportData', () => {
  it('times each batch from the journal: created → ended (collect began) → collected', () => {
    const [b] = data().batches;
    expect(b).toMatchObject({ ended_at: '2026-01-01T00:05:01.000Z', collected_at: '2026-01-01T00:05:03.500Z', wait_ms: 301_000, collect_ms: 2500 });
    expect(b!.commit).toEqual({ sha: 'a'.repeat(40), url: `https://github.com/acme/widgets/commit/${'a'.repeat(40)}` });
  });

  it('the cost split by token kind adds up to the bill, and the naive figure is the status one’s per batch', () => {
    const s = segmentsOf(usage, prices);
    expect(s.input + s.cache_write + s.cache_read + s.output).toBeCloseTo(costUsd(usage, prices, 'batch'), 12);
    expect(segmentsOf(usage, null)).toEqual({ input: 1200, cache_write: 5000, cache_read: 20000, output: 900 });
    expect(data().batches[0]!.naive).toBeGreaterThan(costUsd(usage, prices, 'batch'));
  });

  it('diagnostics: the reason and the verify lines, secrets redacted, bounded, one line each', () => {
    const d = data(`line one\nline two ${'y'.repeat(400)}`);
    const [t1, t2] = d.tasks;
    expect(t1!.repaired).toBe(true);
    expect(t1!.diagnostics).toEqual(['src/a.ts:1 uses [redacted]']);
    expect(t2!.diagnostics[0]!.startsWith('line one line two yyy')).toBe(true);
    expect([...t2!.diagnostics[0]!].length).toBe(300);
    expect(t2!.commit).toBeNull(); // failed: no commit of its own
    expect(JSON.stringify(d)).not.toContain(KEY.slice(15));
    expect(renderReportHtml(d)).not.toContain(KEY.slice(15));
    expect(renderReportMarkdown(d)).not.toContain(KEY.slice(15));
  });

  it('without a GitHub remote: short shas, no links', () => {
    const d = data(undefined, 'https://gitlab.com/acme/widgets.git');
    expect(d.batches[0]!.commit).toEqual({ sha: 'a'.repeat(40), url: null });
    const html = renderReportHtml(d);
    expect(html).toContain(`<code data-free>${'a'.repeat(7)}</code>`);
    expect(html).not.toContain('href="http');
  });

  it('a job with nothing submitted yet renders, with empty charts said as such', () => {
    const empty = reportData({
      ...{ status: { ...status('x'), batches: [], tasks: [], usage: zeroUsage() } },
      journal: foldJournal([]),
      prices: null,
      commits: new Map(),
      remote: null,
      repo: 'r',
      env: {},
      now: '2026-01-01T00:00:00.000Z',
    });
    const html = renderReportHtml(empty);
    expect(html).toContain('No batch was submitted yet.');
    expect(html).toContain('No batch was collected yet.');
  });
});

describe('openerFor', () => {
  it.each([
    ['linux', 'xdg-open', ['/r/report.html']],
    ['darwin', 'open', ['/r/report.html']],
    ['win32', 'cmd', ['/c', 'start', '""', '/r/report.html']],
  ] as const)('%s: %s', (platform, command, args) => {
    const o = openerFor(platform);
    expect(o.command).toBe(command);
    expect(o.args('/r/report.html')).toEqual(args);
  });
});

describe('githubBase and collectCommits', () => {
  it.each([
    ['https://github.com/acme/widgets.git', 'https://github.com/acme/widgets'],
    ['https://github.com/acme/widgets', 'https://github.com/acme/widgets'],
    ['https://token@github.com/acme/widgets.git', 'https://github.com/acme/widgets'],
    ['git@github.com:acme/widgets.git', 'https://github.com/acme/widgets'],
    ['ssh://git@github.com/acme/wid.gets.git', 'https://github.com/acme/wid.gets'],
    ['https://github.com.evil.example/acme/widgets', null],
    ['https://gitlab.com/acme/widgets.git', null],
    ['https://github.com/acme/widgets/"><script>', null],
    [null, null],
  ])('%s → %s', (remote, base) => expect(githubBase(remote)).toBe(base));

  it('reads the collect commits from the log, the newest of a batch kept', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const log = `${a}\tharness: collect msgbatch_1 (3 files)\n${b}\tharness: collect msgbatch_1 (3 files)\n${b}\tharness: submit msgbatch_2 (1 tasks)\n`;
    expect([...collectCommits(log)]).toEqual([['msgbatch_1', a]]);
  });
});

describe('escaping', () => {
  it('escapeHtml leaves no markup character, and the browser reads back the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const out = escapeHtml(s);
        expect(out).not.toMatch(/[<>"']/);
        expect(out.replace(/&(lt|gt|quot|#39|amp);/g, (_, n: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[n]!)).toBe(s);
      }),
    );
  });

  it('whatever a task path or reason holds, the page keeps one script (its own) and no event handler', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (p, reason) => {
        const st = status(reason);
        st.tasks[1] = { ...st.tasks[1]!, path: p, id: p };
        const html = renderReportHtml(
          reportData({
            status: st,
            journal: foldJournal(events),
            prices,
            commits: new Map(),
            remote: null,
            repo: p,
            env: {},
            now: '2026-01-01T01:00:00.000Z',
          }),
        );
        expect(html.match(/<script/gi)).toHaveLength(1);
        expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
        expect(html).toContain(`<code data-free>${escapeHtml(p)}</code>`);
      }),
      { numRuns: 200 },
    );
  });

  it('markdownCell keeps a cell one cell: no line break, no bare pipe, no markup', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const out = markdownCell(s);
        expect(out).not.toMatch(/[\r\n]/);
        expect(out).not.toMatch(/(?<!\\)[|<>`]/);
      }),
    );
  });
});
