/**
 * The page's style sheet and its one script, inline (the page loads nothing). The script filters
 * the task table as the person types; the Content-Security-Policy allows these two by hash only.
 */
import { createHash } from 'node:crypto';

export const REPORT_CSS = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --card: #f6f8fa;
  --wait: #9a6700; --collect: #1a7f37; --running: #bf8700; --input: #0969da; --cache-write: #8250df;
  --cache-read: #1a7f37; --output: #cf222e; --naive: #1f2328; --ok: #1a7f37; --bad: #cf222e; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: var(--bg); color: var(--fg); }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sub, .empty, .note { color: var(--muted); margin: 0 0 8px; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
.card h3 { font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 6px; }
.card .big { font-size: 22px; font-weight: 600; display: block; }
.card dl { margin: 0; display: grid; grid-template-columns: auto auto; gap: 2px 10px; }
.card dt { color: var(--muted); }
.card dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
.card p { margin: 4px 0 0; overflow-wrap: anywhere; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: var(--card); white-space: nowrap; }
td.n, th.n { text-align: right; }
td.path { overflow-wrap: anywhere; min-width: 12ch; }
td.reasons { min-width: 24ch; }
td.reasons ul { margin: 0; padding-left: 16px; }
td.reasons li { overflow-wrap: anywhere; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.status-failed { color: var(--bad); font-weight: 600; } .status-done { color: var(--ok); }
.chart { display: block; overflow: visible; font-size: 12px; }
.chart text { fill: var(--fg); } .chart .row-note { fill: var(--muted); }
.axis { stroke: var(--line); }
.bar-wait { fill: var(--wait); } .bar-collect { fill: var(--collect); } .bar-running { fill: var(--running); opacity: .5; }
.seg-input { fill: var(--input); background: var(--input); } .seg-cache-write { fill: var(--cache-write); background: var(--cache-write); }
.seg-cache-read { fill: var(--cache-read); background: var(--cache-read); } .seg-output { fill: var(--output); background: var(--output); }
line.naive { stroke: var(--naive); stroke-width: 2; stroke-dasharray: 5 3; }
.legend { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
.legend li { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; }
.swatch.naive { height: 0; border-top: 2px dashed var(--naive); border-radius: 0; }
.swatch.wait { background: var(--wait); } .swatch.collect { background: var(--collect); } .swatch.running { background: var(--running); opacity: .5; }
.search { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 0 0 8px; }
.search input { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; width: min(320px, 100%); }
footer { color: var(--muted); padding-top: 24px; padding-bottom: 24px; }
`;

export const REPORT_JS = `(() => {
  const input = document.getElementById('task-search');
  const shown = document.getElementById('task-shown');
  const rows = Array.from(document.querySelectorAll('#task-table tbody tr'));
  if (!input || !shown) return;
  input.addEventListener('input', () => {
    const words = input.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    let n = 0;
    for (const row of rows) {
      const text = row.getAttribute('data-search') || '';
      const hit = words.every((w) => text.includes(w));
      row.hidden = !hit;
      if (hit) n++;
    }
    shown.textContent = words.length === 0 ? '' : n + ' of ' + rows.length + ' tasks shown';
  });
})();`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Nothing from anywhere: only this style sheet and this script (by hash), images only inline. */
export const REPORT_CSP = `default-src 'none'; style-src ${sha256(REPORT_CSS)}; script-src ${sha256(REPORT_JS)}; img-src data:; base-uri 'none'; form-action 'none'`;
