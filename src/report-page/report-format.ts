/**
 * How the report page and the Markdown summary write text and numbers: HTML escaping (every text
 * on the page is untrusted: paths and reasons come from the task list and the model) and the
 * number formats the terminal report uses, so the same figure reads the same everywhere.
 */
import { formatUsd } from '../cost/usage.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in an HTML text node and in a quoted attribute value. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);

export type NumberFormat = 'usd' | 'pct' | 'int';

/** `usd`: `$0.1234` (4 places under a dollar, else 2); `pct`: `12.3%` of a 0–1 share; `int`: `1234`. */
export function formatNumber(value: number, format: NumberFormat): string {
  if (format === 'usd') return `$${formatUsd(value)}`;
  if (format === 'pct') return `${(value * 100).toFixed(1)}%`;
  return String(Math.round(value));
}

/** `850 ms`, `12.4 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
