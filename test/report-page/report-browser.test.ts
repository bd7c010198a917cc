/// <reference lib="dom" />
/**
 * The report page in a real browser: Debian's headless Chromium driven by playwright-core (no
 * browser download). The page of a real run against the emulator is opened offline from file://
 * with every other request blocked and recorded; every figure on it is held to `status --json`,
 * the search filters the task table, hostile paths stay text, nothing logs an error, and the
 * layout holds at a desktop and a phone size (screenshots kept in the test's temp dir).
 * Without Chromium the tests skip, loudly, unless HARNESS_REQUIRE_BROWSER=1 (CI sets it).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/emulator.js';
import { makeTarget, statusJson } from '../helpers/target.js';
import { makeTempDir } from '../helpers/tmp.js';
import { HOSTILE, makeJob, type Job } from './job.js';
import { evaluateExpr, formatExpected } from './status-expr.js';

const CHROMIUM = process.env.HARNESS_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const REQUIRED = process.env.HARNESS_REQUIRE_BROWSER === '1';
if (!HAVE) {
  console.warn(
    `\n*** SKIPPED: the report page's browser tests: no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run does). Set HARNESS_REQUIRE_BROWSER=1 to make this a failure. ***\n`,
  );
}

/** Holds every `data-status` figure of the page to the status document; returns the names shown. */
// biome-ignore lint/suspicious/noExplicitAny: the status document is read field by field
async function checkFigures(page: Page, status: any): Promise<Set<string>> {
  const shown = await page.$$eval('[data-status]', (els) =>
    els.map((el) => ({ expr: el.getAttribute('data-status')!, fmt: el.getAttribute('data-fmt')!, text: el.textContent ?? '' })),
  );
  expect(shown.length).toBeGreaterThan(10);
  for (const s of shown) expect(s.text, s.expr).toBe(formatExpected(evaluateExpr(status, s.expr), s.fmt));
  return new Set(shown.map((s) => s.expr));
}

/** Texts with a digit that are neither a figure nor marked as a label (ids, paths, times): should be none. */
function unmarkedDigits(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const parent = n.parentElement!;
      if (parent.closest('script, style')) continue;
      if (/\d/.test(n.textContent ?? '') && !parent.closest('[data-status], [data-free]')) out.push(n.textContent!);
    }
    return out;
  });
}

it('Chromium is installed when HARNESS_REQUIRE_BROWSER=1', () => {
  if (REQUIRED) expect(existsSync(CHROMIUM), `HARNESS_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`).toBe(true);
});

describe.skipIf(!HAVE)('the report page in headless Chromium', () => {
  let job: Job;
  let context: BrowserContext;
  let page: Page;
  // biome-ignore lint/suspicious/noExplicitAny: the status document is read field by field
  let status: any;
  let dir: string;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    job = await makeJob();
    status = await statusJson((...a) => job.h.run(job.repo, ...a));
    dir = await makeTempDir('report-browser-');
    context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1280, height: 800 },
      offline: true,
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      requests.push(url);
      return url.startsWith('file://') ? route.continue() : route.abort();
    });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(path.join(job.repo, '.harness/report.html')).href, { waitUntil: 'load' });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await job?.h.close();
  });

  it('loads nothing but itself, and logs no error', async () => {
    expect(requests.map((u) => u.replace(/^file:\/\/.*\//, 'file://…/'))).toEqual(['file://…/report.html']);
    expect(problems).toEqual([]);
  });

  it('every figure on the page is the one of status --json, and no other number is shown as one', async () => {
    const exprs = await checkFigures(page, status);
    const required = [
      ...['done', 'submitted', 'pending', 'failed'].map((k) => `counts.${k}`),
      'cost_usd',
      'naive_sync_cost_usd',
      'cache_read_share',
      'repair_cost_usd',
      'context.files',
      'context.tokens',
      'sum:batches.files',
      'sum:batches.estimate_usd?cost_usd=*',
      'sum:batches.cost_usd',
      ...['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'output_tokens'].map((k) => `usage.${k}`),
      ...status.batches.flatMap((_: unknown, i: number) =>
        ['requests', 'tasks', 'files', 'estimate_usd', 'cost_usd'].map((k) => `batches.${i}.${k}`),
      ),
      ...status.tasks.map((_: unknown, i: number) => `tasks.${i}.attempts`),
      ...['done', 'failed'].map((k) => `count:tasks?stage=1&status=${k}`),
    ];
    for (const r of required) expect(exprs.has(r), r).toBe(true);
    expect(status.batches.length).toBeGreaterThanOrEqual(3); // the refused request was split over several batches
    expect(await unmarkedDigits(page)).toEqual([]);
  });

  it("a job with a batch still running: its bar reaches the page's time, its bill is a dash, the figures still match", async () => {
    const slow = await withEmulator({ processingMs: 600_000 });
    try {
      const repo = await makeTarget();
      const r = await slow.run(repo, 'run', '--detach');
      expect(r.code, r.stderr).toBe(3);
      const running = await statusJson((...a) => slow.run(repo, ...a));
      expect(running.batches.map((b: { status: string }) => b.status)).toEqual(['in_progress']);
      const file = path.join(dir, 'running.html');
      expect((await slow.run(repo, 'report', '--out', file)).code).toBe(0);
      const second = await context.newPage();
      second.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      second.on('console', (m) => problems.push(`console ${m.type()}: ${m.text()}`));
      await second.goto(pathToFileURL(file).href);
      const exprs = await checkFigures(second, running);
      expect(exprs.has('batches.0.cost_usd')).toBe(true);
      expect(await second.locator('[data-status="batches.0.cost_usd"]').textContent()).toBe('—');
      expect(await second.locator('svg.timeline rect.bar-running').count()).toBe(1);
      expect(await second.locator('#costs').textContent()).toContain('No batch was collected yet.');
      expect(await unmarkedDigits(second)).toEqual([]);
      expect(problems).toEqual([]);
      await second.close();
    } finally {
      await slow.close();
    }
  });

  it('shows failed tasks with their reasons and the verify result', async () => {
    const text = await page.locator('#task-table').textContent();
    expect(text).toMatch(/invalid request/);
    expect(text).toContain("error TS1005: ';' expected.");
    expect(await page.locator('#glance').textContent()).toMatch(/Verify\s*failed/);
    expect(await page.locator('#task-table a[href^="https://github.com/acme/widgets/commit/"]').count()).toBe(status.counts.done);
  });

  it('hostile task paths are shown as text and never run', async () => {
    const cells = await page.$$eval('#task-table td.path', (els) => els.map((el) => el.textContent));
    for (const t of HOSTILE) expect(cells).toContain(t.path);
    await page.hover('#task-table tbody tr:last-child td.path');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#task-table script, [onmouseover]').count()).toBe(0);
  });

  it('the search filters the task rows', async () => {
    const visible = () => page.locator('#task-table tbody tr:visible').count();
    const all = status.tasks.length;
    expect(await visible()).toBe(all);
    await page.fill('#task-search', 'models/');
    expect(await visible()).toBe(status.tasks.filter((t: { path: string }) => t.path.includes('models/')).length);
    await page.fill('#task-search', 'failed invalid');
    expect(await visible()).toBe(1);
    expect(await page.locator('#task-shown').textContent()).toBe(`1 of ${all} tasks shown`);
    await page.fill('#task-search', 'no task is called this');
    expect(await visible()).toBe(0);
    await page.fill('#task-search', '');
    expect(await visible()).toBe(all);
    expect(problems).toEqual([]);
  });

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    it(`lays out within a ${width}×${height} viewport: nothing overflows or overlaps; screenshot kept`, async () => {
      await page.setViewportSize({ width, height });
      const layout = await page.evaluate(() => {
        const box = (el: Element) => {
          const r = el.getBoundingClientRect();
          return {
            left: r.left,
            right: r.right,
            top: r.top + window.scrollY,
            bottom: r.bottom + window.scrollY,
            name: el.tagName + (el.id ? `#${el.id}` : ''),
          };
        };
        return {
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          blocks: Array.from(document.querySelectorAll('header, main > section, footer')).map(box),
          cards: Array.from(document.querySelectorAll('.card')).map(box),
          charts: Array.from(document.querySelectorAll('svg.chart')).map((svg) => ({
            texts: Array.from(svg.querySelectorAll('text')).map(box),
            rects: Array.from(svg.querySelectorAll('rect')).map(box),
          })),
          inner: Array.from(document.querySelectorAll('.card, .scroll, .chart, h1, h2, .legend, .search, .chart text')).map(box),
        };
      });
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      for (const b of layout.inner) {
        expect(b.left, b.name).toBeGreaterThanOrEqual(-0.5);
        expect(b.right, b.name).toBeLessThanOrEqual(width + 0.5);
      }
      const overlap = (a: (typeof layout.cards)[number], b: (typeof layout.cards)[number]) =>
        a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      for (const group of [layout.blocks, layout.cards])
        for (let i = 0; i < group.length; i++)
          for (let j = i + 1; j < group.length; j++) expect(overlap(group[i]!, group[j]!), `${group[i]!.name} / ${group[j]!.name}`).toBe(false);
      expect(layout.cards.length).toBe(7);
      // In the charts no label runs into another label or into a bar.
      expect(layout.charts.length).toBe(2);
      for (const chart of layout.charts) {
        for (let i = 0; i < chart.texts.length; i++) {
          for (let j = i + 1; j < chart.texts.length; j++) expect(overlap(chart.texts[i]!, chart.texts[j]!), 'two labels').toBe(false);
          for (const r of chart.rects) expect(overlap(chart.texts[i]!, r), 'a label and a bar').toBe(false);
        }
      }
      const shot = path.join(dir, `report-${width}x${height}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      const png = await readFile(shot);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.readUInt32BE(16)).toBe(width); // the IHDR width
      expect(problems).toEqual([]);
    });
  }
});
