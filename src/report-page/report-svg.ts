/**
 * The page's two charts as inline SVG written here (no charting library: two charts of rectangles
 * need no dependency, and every text in them goes through the same escaping as the rest of the
 * page). Horizontal positions are percentages and heights pixels, so a chart fills any width and
 * its text keeps its size on a phone. Every label is marked `data-free` (times, ids, durations:
 * not figures of `status --json`; those are in the tables next to the charts).
 */
import type { ReportBatch, ReportData } from './report-data.js';
import { escapeHtml, formatDuration, formatNumber } from './report-format.js';

const ROW = 36;
const TOP = 8;
const AXIS = 28;

const pc = (x: number) => `${(x * 100).toFixed(3)}%`;
const label = (x: string, y: number, text: string, extra = '') => `<text data-free x="${x}" y="${y}"${extra}>${escapeHtml(text)}</text>`;

/** Batches over time: created → ended (waiting) → collected; a batch still running reaches the page's time. */
export function timelineSvg(data: ReportData): string {
  const rows = data.batches.filter((b) => b.created_at !== null);
  if (rows.length === 0) return '<p class="empty">No batch was submitted yet.</p>';
  const now = Date.parse(data.generated_at);
  const t = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);
  const start = Math.min(...rows.map((b) => t(b.created_at)));
  const end = Math.max(start + 1000, ...rows.map((b) => t(b.collected_at ?? b.ended_at ?? data.generated_at)).filter(Number.isFinite), now);
  const x = (ms: number) => (ms - start) / (end - start);
  const height = TOP + rows.length * ROW + AXIS;
  const parts = rows.map((b, i) => {
    const y = TOP + i * ROW;
    const created = t(b.created_at);
    const ended = b.ended_at ? t(b.ended_at) : null;
    const collected = b.collected_at ? t(b.collected_at) : null;
    const waitEnd = ended ?? collected ?? now;
    const status = data.status.batches[b.index]!.status;
    const bars = [
      rect(
        x(created),
        x(waitEnd),
        y + 18,
        ended === null && collected === null ? 'bar-running' : 'bar-wait',
        `waiting: ${durationText(waitEnd - created)}`,
      ),
      collected !== null ? rect(x(waitEnd), x(collected), y + 18, 'bar-collect', `collecting: ${durationText(collected - waitEnd)}`) : '',
    ];
    const note =
      ended === null && collected === null ? `${status}, ${durationText(now - created)} so far` : `waited ${durationText(waitEnd - created)}`;
    return [
      `<g class="batch-row" data-batch="${escapeHtml(b.id)}"><title data-free>${escapeHtml(b.id)}</title>`,
      label('0', y + 12, `#${b.index + 1} · ${purposeOf(data, b)} · ${note}`, ' class="row-label"'),
      ...bars,
      '</g>',
    ].join('');
  });
  const axisY = TOP + rows.length * ROW + 16;
  return [
    `<svg class="chart timeline" role="img" aria-label="batches over time" width="100%" height="${height}">`,
    ...parts,
    `<line class="axis" x1="0" x2="100%" y1="${axisY - 12}" y2="${axisY - 12}"/>`,
    label('0', axisY, clock(start)),
    label('100%', axisY, clock(end), ' text-anchor="end"'),
    '</svg>',
  ].join('');
}

function rect(from: number, to: number, y: number, cls: string, title: string): string {
  const w = Math.max(0.002, to - from);
  return `<rect class="${cls}" x="${pc(from)}" width="${pc(w)}" y="${y}" height="10" rx="2"><title data-free>${escapeHtml(title)}</title></rect>`;
}

/** `2026-01-31 02:17:05` (UTC). */
const clock = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const durationText = (ms: number) => formatDuration(Math.max(0, ms));
const PURPOSE = { tasks: 'tasks', warmup: 'cache warm-up', repair: 'repair' } as const;
const purposeOf = (data: ReportData, b: ReportBatch) => PURPOSE[data.status.batches[b.index]!.purpose];

const KINDS = [
  ['input', 'input'],
  ['cache_write', 'cache write'],
  ['cache_read', 'cache read'],
  ['output', 'output'],
] as const;

const CHART_H = 200;
/** Room above the cost bars for the scale's label. */
const CTOP = 22;

/** Cost per collected batch as stacked bars by token kind, with the naive cost of the same files as a marker. */
export function costBarsSvg(data: ReportData): string {
  const bars = data.batches.filter((b) => b.segments !== null);
  if (bars.length === 0) return '<p class="empty">No batch was collected yet.</p>';
  const total = (b: ReportBatch) => KINDS.reduce((s, [k]) => s + b.segments![k], 0);
  const max = Math.max(...bars.map((b) => Math.max(total(b), b.naive ?? 0)), Number.MIN_VALUE);
  const y = (v: number) => (v / max) * CHART_H;
  const fmt = (v: number) => (data.unit === 'usd' ? formatNumber(v, 'usd') : `${formatNumber(v, 'int')} tokens`);
  const slot = 1 / bars.length;
  const parts = bars.map((b, i) => {
    const left = i * slot + slot * 0.2;
    const width = slot * 0.6;
    let top = CTOP + CHART_H;
    const stack = KINDS.map(([k, name]) => {
      const h = y(b.segments![k]);
      top -= h;
      return h <= 0
        ? ''
        : `<rect class="seg-${k.replace('_', '-')}" x="${pc(left)}" width="${pc(width)}" y="${top.toFixed(2)}" height="${h.toFixed(2)}"><title data-free>${escapeHtml(`${b.id} ${name}: ${fmt(b.segments![k])}`)}</title></rect>`;
    }).join('');
    const naive =
      b.naive === null
        ? ''
        : `<line class="naive" x1="${pc(i * slot + slot * 0.1)}" x2="${pc(i * slot + slot * 0.9)}" y1="${(CTOP + CHART_H - y(b.naive)).toFixed(2)}" y2="${(CTOP + CHART_H - y(b.naive)).toFixed(2)}"><title data-free>${escapeHtml(`${b.id} naive: ${fmt(b.naive)}`)}</title></line>`;
    return `<g class="cost-bar" data-batch="${escapeHtml(b.id)}">${stack}${naive}${label(pc(i * slot + slot / 2), CTOP + CHART_H + 18, `#${b.index + 1}`, ' text-anchor="middle"')}</g>`;
  });
  return [
    `<svg class="chart cost" role="img" aria-label="cost per batch by token kind" width="100%" height="${CTOP + CHART_H + AXIS}">`,
    `<line class="axis" x1="0" x2="100%" y1="${CTOP + CHART_H}" y2="${CTOP + CHART_H}"/>`,
    label('0', 12, `max ${fmt(max)}`),
    ...parts,
    '</svg>',
  ].join('');
}

/** The legend of the cost chart, as HTML (it wraps on a narrow screen). */
export const costLegend = (): string =>
  `<ul class="legend">${KINDS.map(([k, name]) => `<li><span class="swatch seg-${k.replace('_', '-')}"></span>${name}</li>`).join('')}<li><span class="swatch naive"></span>naive: one synchronous uncached call per file</li></ul>`;
