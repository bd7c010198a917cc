/**
 * The Markdown summary of a job (what a CI run shows on its page, e.g. GitHub's step summary):
 * counts, files, cost against the naive way, cache-read share, verify, and the failed tasks and
 * those under repair with their reasons. The same figures as the page and `status --json`.
 */
import type { ReportData } from './report-data.js';
import { formatNumber } from './report-format.js';

/** Failed or repaired tasks listed; the rest are counted. */
const MAX_LISTED = 50;

/** Text safe in a Markdown table cell: no HTML, no pipe, no line break, no emphasis or link syntax. */
export function markdownCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()#+!|<>~]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;');
}

export function renderReportMarkdown(data: ReportData): string {
  const s = data.status;
  const files = s.batches.reduce((n, b) => n + (b.files ?? 0), 0);
  const skipped = s.tasks.filter((t) => t.skipped).length;
  const lines = [
    `## codegen-harness: ${markdownCell(data.repo)}`,
    '',
    '| tasks done | submitted | pending | failed | files written | cost | naive | cache-read share |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${s.counts.done}${skipped > 0 ? ` (${skipped} skipped)` : ''} | ${s.counts.submitted} | ${s.counts.pending} | ${s.counts.failed} | ${files} | ${formatNumber(
      s.cost_usd,
      'usd',
    )} | ${formatNumber(s.naive_sync_cost_usd, 'usd')} | ${formatNumber(s.cache_read_share, 'pct')} |`,
    '',
    `model \`${markdownCell(s.model)}\`, ${s.batches.length} ${s.batches.length === 1 ? 'batch' : 'batches'}${
      s.repair_cost_usd > 0 ? `; repairs cost ${formatNumber(s.repair_cost_usd, 'usd')} of it` : ''
    }; naive: the same files as one synchronous uncached call each.`,
  ];
  if (s.stage_held) lines.push('', `**Stage held:** ${markdownCell(s.stage_held)}`);
  if (s.verify) {
    lines.push(
      '',
      s.verify.passed
        ? `**Verify passed** (${markdownCell(s.verify.command)})`
        : `**Verify failed** (${markdownCell(s.verify.command)})${s.verify.failing.length > 0 ? `: ${s.verify.failing.length} failing` : ''}`,
    );
  }
  const listed = data.tasks.filter((r) => s.tasks[r.index]!.status === 'failed' || r.repaired);
  if (listed.length > 0) {
    lines.push('', '### Failed and repaired tasks', '', '| task | path | status | reason |', '|---|---|---|---|');
    for (const r of listed.slice(0, MAX_LISTED)) {
      const t = s.tasks[r.index]!;
      lines.push(
        `| ${markdownCell(t.id)} | ${markdownCell(t.path)} | ${t.status}${r.repaired ? ' (under repair)' : ''} | ${markdownCell(r.diagnostics.join(' · ') || '—')} |`,
      );
    }
    if (listed.length > MAX_LISTED) lines.push('', `…and ${listed.length - MAX_LISTED} more (see the HTML report).`);
  }
  lines.push('', `Report generated ${data.generated_at}.`, '');
  return lines.join('\n');
}
