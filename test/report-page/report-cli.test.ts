/**
 * `harness report` through the real CLI after a real run against the emulator: the page every run
 * leaves, `--out`, the Markdown summary appended to a step-summary file, and bad paths (exit 2).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEmulator } from '../helpers/emulator.js';
import { git } from '../helpers/git.js';
import { makeTarget, statusJson } from '../helpers/target.js';
import { makeTempDir } from '../helpers/tmp.js';
import { HOSTILE, makeJob, type Job } from './job.js';

let job: Job;
beforeAll(async () => {
  job = await makeJob();
}, 120_000);
afterAll(async () => {
  await job?.h.close();
});

describe('harness report', () => {
  it('every run leaves .harness/report.html, kept out of git', async () => {
    expect(job.code).toBe(3);
    const page = await readFile(path.join(job.repo, '.harness/report.html'), 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(git(job.repo, 'status', '--porcelain')).toBe('');
    expect(git(job.repo, 'check-ignore', '.harness/report.html').trim()).toBe('.harness/report.html');
  });

  it('--out writes a self-contained page: nothing loaded, hostile paths escaped, commit links on GitHub', async () => {
    const dir = await makeTempDir('report-out-');
    const r = await job.h.run(job.repo, 'report', '--out', path.join(dir, 'page.html'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('report written to');
    const page = await readFile(path.join(dir, 'page.html'), 'utf8');
    // No URL the browser would fetch: no src/href to http(s), no @import, no url().
    expect(page).not.toMatch(/\s(?:src|href)="(?!https:\/\/github\.com\/acme\/widgets\/commit\/[0-9a-f]{40}")/);
    expect(page).not.toMatch(/@import|url\(/);
    expect(page).toContain('content="default-src &#39;none&#39;;');
    for (const t of HOSTILE) expect(page).not.toContain(t.path);
    expect(page).toContain('src/&lt;script&gt;window.__pwned=1&lt;/script&gt;.ts');
    expect(page).toMatch(/href="https:\/\/github\.com\/acme\/widgets\/commit\/[0-9a-f]{40}"/);
    expect(page).not.toContain('test-key');
    // Only paths and short diagnostics: no generated file's content.
    const user = await readFile(path.join(job.repo, 'src/models/user.ts'), 'utf8');
    const longest = user.split('\n').sort((a, b) => b.length - a.length)[0]!;
    expect(longest.length).toBeGreaterThan(10);
    expect(page).not.toContain(longest);
  });

  it('--markdown appends the summary to a step-summary file: counts, cost, cache share, failed tasks with reasons', async () => {
    const dir = await makeTempDir('report-md-');
    const summary = path.join(dir, 'step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const r = await job.h.run(job.repo, 'report', '--markdown', summary);
    expect(r.code, r.stderr).toBe(0);
    const s = await statusJson((...a) => job.h.run(job.repo, ...a));
    const md = await readFile(summary, 'utf8');
    expect(md.startsWith('# earlier step\n## codegen-harness: ')).toBe(true);
    const files = s.batches.reduce((n: number, b: { files: number | null }) => n + (b.files ?? 0), 0);
    const share = `${(s.cache_read_share * 100).toFixed(1)}%`;
    expect(md).toContain(
      `| ${s.counts.done} | ${s.counts.submitted} | ${s.counts.pending} | ${s.counts.failed} | ${files} | $${s.cost_usd.toFixed(4)} |`,
    );
    expect(md).toContain(share);
    expect(md).toContain('**Verify failed**');
    const failed = s.tasks.filter((t: { status: string }) => t.status === 'failed');
    expect(failed.length).toBe(2);
    for (const t of failed) expect(md).toContain(`| ${t.id} |`);
    expect(md).toMatch(/invalid request/);
    expect(md).toContain("error TS1005: ';' expected.");
    expect(md).not.toMatch(/<script>/);
  });

  it('--markdown - prints the summary alone on stdout', async () => {
    const r = await job.h.run(job.repo, 'report', '--markdown', '-');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('## codegen-harness: ')).toBe(true);
    expect(r.stderr).toContain('report written to');
  });

  it('a page it cannot write is exit 2 naming the path, and changes nothing', async () => {
    const before = git(job.repo, 'status', '--porcelain');
    const r = await job.h.run(job.repo, 'report', '--out', path.join(job.repo, 'check.mjs', 'page.html'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write the report to .*check\.mjs/);
    expect(git(job.repo, 'status', '--porcelain')).toBe(before);
  });
});

describe('the page at the end of a run', () => {
  it('a page the run cannot write is a warning: the run and its exit code stand', async () => {
    const h = await withEmulator();
    try {
      const repo = await makeTarget();
      await mkdir(path.join(repo, '.harness/report.html'), { recursive: true }); // a directory where the page goes
      await writeFile(path.join(repo, '.harness/report.html/keep'), '');
      const r = await h.run(repo, 'run');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: the report page was not written: cannot write the report to .*report\.html/);
      expect((await statusJson((...a) => h.run(repo, ...a))).counts.done).toBe(6);
    } finally {
      await h.close();
    }
  });
});
