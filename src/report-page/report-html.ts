/**
 * The report page: one self-contained HTML document (its style and script inline, allowed by hash;
 * nothing loaded from anywhere). Every figure is a field of `status --json`, written in a
 * `<span data-status="…" data-fmt="…">` that names it (docs/report.md says how to read the names), so
 * a test can hold each one to the JSON. Every text is escaped: paths, reasons and ids are untrusted.
 */
import type { StatusReport } from '../pipeline/status.js';
import { REPORT_CSP, REPORT_CSS, REPORT_JS } from './report-assets.js';
import type { ReportCommit, ReportData } from './report-data.js';
import { escapeHtml as e, formatNumber, type NumberFormat } from './report-format.js';
import { costBarsSvg, costLegend, timelineSvg } from './report-svg.js';

const STATUSES = ['done', 'submitted', 'pending', 'failed'] as const;

/**
 * A figure of the status document: `path` is a dotted path into it (`batches.0.cost_usd`),
 * `sum:LIST.FIELD` a sum over a list (nulls as 0), `count:LIST?k=v&k=v` the items matching; a
 * sum may be filtered the same way (`sum:LIST.FIELD?k=v`), `k=*` meaning "k is not null".
 */
function num(expr: string, value: number | null, format: NumberFormat): string {
  const text = value === null ? '—' : formatNumber(value, format);
  return `<span class="num" data-status="${e(expr)}" data-fmt="${format}">${e(text)}</span>`;
}

/** Text that is not a figure of the status (ids, paths, times): marked so the test knows. */
const free = (text: string, tag = 'span', cls = '') => `<${tag} data-free${cls ? ` class="${cls}"` : ''}>${e(text)}</${tag}>`;

export function renderReportHtml(data: ReportData): string {
  const s = data.status;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${e(REPORT_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(`harness report: ${data.repo}`)}</title>`,
    `<style>${REPORT_CSS}</style></head><body>`,
    `<header><h1>Harness report: ${free(data.repo)}</h1>`,
    `<p class="sub">model ${free(s.model, 'code')} · generated ${free(data.generated_at, 'time')}</p></header>`,
    '<main>',
    glance(data),
    stagesTable(data),
    '<section id="timeline"><h2>Batches over time</h2>',
    '<p class="note">times in UTC; <code>#n</code> is the batch of that row in the batch table below</p>',
    '<ul class="legend"><li><span class="swatch wait"></span>created → ended (waiting for the API)</li><li><span class="swatch collect"></span>ended → collected (written and committed)</li><li><span class="swatch running"></span>still running</li></ul>',
    timelineSvg(data),
    '</section>',
    '<section id="costs"><h2>Cost per batch</h2>',
    costLegend(),
    costBarsSvg(data),
    batchTable(data),
    callsTable(s),
    '</section>',
    taskTable(data),
    '</main>',
    `<footer>Written by <code>harness report</code> from task-list.md, the journal and git; the figures are those of <code>harness status --json</code>.</footer>`,
    `<script>${REPORT_JS}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function glance(data: ReportData): string {
  const s = data.status;
  const skipped = s.tasks.filter((t) => t.skipped).length;
  const verify = s.verify
    ? `<span class="big ${s.verify.passed ? 'ok">passed' : 'bad">failed'}</span><p><code data-free>${e(s.verify.command)}</code></p><p>${free(s.verify.at, 'time')}</p>${
        s.verify.failing.length > 0 ? `<p>failing: ${s.verify.failing.map((p) => free(p, 'code')).join(', ')}</p>` : ''
      }`
    : '<span class="big">not run</span>';
  const billed = s.batches.filter((b) => b.cost_usd !== null);
  const collected = billed.length > 0;
  return [
    '<section id="glance"><h2>The job at a glance</h2><div class="cards">',
    card(
      'Tasks',
      `<dl>${STATUSES.map((k) => `<dt>${k}</dt><dd>${num(`counts.${k}`, s.counts[k], 'int')}</dd>`).join('')}${
        skipped > 0 ? `<dt>skipped (ticked by hand)</dt><dd>${num('count:tasks?skipped=true', skipped, 'int')}</dd>` : ''
      }</dl>${s.stage !== null ? `<p>stage in progress: ${num('stage', s.stage, 'int')}</p>` : ''}${s.stage_held ? `<p class="bad">${free(s.stage_held)}</p>` : ''}`,
    ),
    card('Files written', `<span class="big">${num('sum:batches.files', sum(s.batches.map((b) => b.files)), 'int')}</span>`),
    card(
      'Cost',
      `<span class="big">${num('cost_usd', s.cost_usd, 'usd')}</span><dl>${
        s.repair_cost_usd > 0 ? `<dt>of which repairs</dt><dd>${num('repair_cost_usd', s.repair_cost_usd, 'usd')}</dd>` : ''
      }<dt>naive</dt><dd>${num('naive_sync_cost_usd', s.naive_sync_cost_usd, 'usd')}</dd></dl><p class="note">naive: the same files as one synchronous uncached call each</p>`,
    ),
    card(
      'Estimate vs bill',
      collected
        ? `<dl><dt>estimated at submit</dt><dd>${num('sum:batches.estimate_usd?cost_usd=*', sum(billed.map((b) => b.estimate_usd)), 'usd')}</dd><dt>billed</dt><dd>${num(
            'sum:batches.cost_usd',
            sum(billed.map((b) => b.cost_usd)),
            'usd',
          )}</dd></dl><p class="note">batches collected so far${s.calls.length > 0 ? '; synchronous calls below' : ''}</p>`
        : '<p class="note">known once a batch is collected</p>',
    ),
    card(
      'Cache reads',
      `<span class="big">${num('cache_read_share', s.cache_read_share, 'pct')}</span><p class="note">of the context tokens (cache write + cache read)</p>`,
    ),
    card(
      'Tokens',
      `<dl><dt>input</dt><dd>${num('usage.input_tokens', s.usage.input_tokens, 'int')}</dd><dt>cache write</dt><dd>${num(
        'usage.cache_creation_input_tokens',
        s.usage.cache_creation_input_tokens,
        'int',
      )}</dd><dt>cache read</dt><dd>${num('usage.cache_read_input_tokens', s.usage.cache_read_input_tokens, 'int')}</dd><dt>output</dt><dd>${num(
        'usage.output_tokens',
        s.usage.output_tokens,
        'int',
      )}</dd></dl>${
        s.context
          ? `<p class="note">codebase context (${e(s.context.mode)}): ${num('context.files', s.context.files, 'int')} files, ${num('context.tokens', s.context.tokens, 'int')} tokens</p>`
          : ''
      }`,
    ),
    card('Verify', verify),
    '</div></section>',
  ].join('');
}

const card = (title: string, body: string) => `<div class="card"><h3>${e(title)}</h3>${body}</div>`;
const sum = (xs: (number | null)[]) => xs.reduce<number>((a, x) => a + (x ?? 0), 0);

function stagesTable(data: ReportData): string {
  const s = data.status;
  if (s.tasks.length === 0) return '<section id="stages"><h2>Tasks by stage</h2><p class="empty">The task list has no task.</p></section>';
  const rows = data.stages.map((stage) => {
    const cells = STATUSES.map((k) => {
      const n = s.tasks.filter((t) => t.stage === stage && t.status === k).length;
      return `<td class="n">${num(`count:tasks?stage=${stage}&status=${k}`, n, 'int')}</td>`;
    });
    return `<tr><th>stage ${free(String(stage))}</th>${cells.join('')}</tr>`;
  });
  return `<section id="stages"><h2>Tasks by stage</h2><div class="scroll"><table><thead><tr><th>stage</th>${STATUSES.map((k) => `<th class="n">${k}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function commitCell(c: ReportCommit | null): string {
  if (!c) return '';
  const short = c.sha.slice(0, 7);
  return c.url ? `<a data-free href="${e(c.url)}" rel="noreferrer"><code>${e(short)}</code></a>` : free(short, 'code');
}

function batchTable(data: ReportData): string {
  const s = data.status;
  if (s.batches.length === 0) return '';
  const head = [
    '#',
    'batch',
    'purpose',
    'status',
    'requests',
    'tasks',
    'files',
    'input',
    'cache write',
    'cache read',
    'output',
    'estimate',
    'billed',
    'commit',
  ];
  const numeric = new Set(['requests', 'tasks', 'files', 'input', 'cache write', 'cache read', 'output', 'estimate', 'billed']);
  const rows = data.batches.map((b) => {
    const x = s.batches[b.index]!;
    const p = `batches.${b.index}`;
    const u = (k: 'input_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens' | 'output_tokens') =>
      `<td class="n">${num(`${p}.usage.${k}`, x.usage ? x.usage[k] : null, 'int')}</td>`;
    return `<tr><td>${free(`#${b.index + 1}`)}</td><td><code data-free>${e(x.id)}</code></td><td>${e(x.purpose)}</td><td>${e(x.status)}</td><td class="n">${num(`${p}.requests`, x.requests, 'int')}</td><td class="n">${num(`${p}.tasks`, x.tasks, 'int')}</td><td class="n">${num(`${p}.files`, x.files, 'int')}</td>${u('input_tokens')}${u('cache_creation_input_tokens')}${u('cache_read_input_tokens')}${u('output_tokens')}<td class="n">${num(`${p}.estimate_usd`, x.estimate_usd, 'usd')}</td><td class="n">${num(`${p}.cost_usd`, x.cost_usd, 'usd')}</td><td>${commitCell(b.commit)}</td></tr>`;
  });
  return `<div class="scroll"><table id="batch-table"><thead><tr>${head.map((h) => `<th${numeric.has(h) ? ' class="n"' : ''}>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function callsTable(s: StatusReport): string {
  if (s.calls.length === 0) return '';
  const rows = s.calls.map(
    (c, i) =>
      `<tr><td>${e(c.purpose)}</td><td class="path">${c.path ? free(c.path, 'code') : ''}</td><td>${free(c.at, 'time')}</td><td class="n">${num(`calls.${i}.cost_usd`, c.cost_usd, 'usd')}</td></tr>`,
  );
  return `<h2>Synchronous calls</h2><p class="note">refine and the llm planner, at standard (non-batch) rates</p><div class="scroll"><table id="call-table"><thead><tr><th>purpose</th><th>path</th><th>at</th><th class="n">cost</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function taskTable(data: ReportData): string {
  const s = data.status;
  const staged = data.stages.some((n) => n > 1);
  const rows = data.tasks.map((r) => {
    const t = s.tasks[r.index]!;
    const status = t.skipped ? 'skipped' : t.status;
    const search = [t.id, t.path, status, t.group, t.batch ?? '', r.repaired ? 'repair' : '', ...r.diagnostics].join(' ').toLowerCase();
    const reasons = r.diagnostics.length > 0 ? `<ul>${r.diagnostics.map((d) => `<li>${free(d)}</li>`).join('')}</ul>` : '';
    return `<tr data-search="${e(search)}"><td>${free(t.id, 'code')}</td>${staged ? `<td class="n">${num(`tasks.${r.index}.stage`, t.stage, 'int')}</td>` : ''}<td class="path"><code data-free>${e(t.path)}</code></td><td class="status-${e(t.status)}">${e(status)}${r.repaired ? ' (under repair)' : ''}</td><td class="n">${num(`tasks.${r.index}.attempts`, t.attempts, 'int')}</td><td class="reasons">${reasons}</td><td>${commitCell(r.commit)}</td></tr>`;
  });
  const head = ['id', ...(staged ? ['stage'] : []), 'path', 'status', 'attempts', 'reasons', 'commit'];
  return [
    '<section id="tasks"><h2>Tasks</h2>',
    '<div class="search"><label for="task-search">Search</label><input id="task-search" type="search" placeholder="path, status, reason…" autocomplete="off"><span id="task-shown" data-free class="note"></span></div>',
    `<div class="scroll"><table id="task-table"><thead><tr>${head.map((h) => `<th${h === 'stage' || h === 'attempts' ? ' class="n"' : ''}>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
    data.verify_other.length > 0
      ? `<p class="note">verify also named files no task generates: ${data.verify_other.map((p) => free(p, 'code')).join(', ')}</p>`
      : '',
    '</section>',
  ].join('');
}
