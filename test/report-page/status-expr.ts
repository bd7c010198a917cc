/**
 * The names the report page gives its figures (`data-status`), read here on their own (not with the
 * page's code): a dotted path into `status --json`, `sum:LIST.FIELD`, `count:LIST?k=v&k=v`.
 */
// biome-ignore lint/suspicious/noExplicitAny: the status document is walked by name
type Json = any;

export function evaluateExpr(status: Json, expr: string): number | null {
  if (expr.startsWith('sum:')) {
    const [list, field] = expr.slice(4).split('.') as [string, string];
    return (status[list] as Json[]).reduce((s: number, x: Json) => s + (x[field] ?? 0), 0);
  }
  if (expr.startsWith('count:')) {
    const [list, query] = expr.slice(6).split('?') as [string, string];
    const pairs = query.split('&').map((p) => p.split('=') as [string, string]);
    return (status[list] as Json[]).filter((x) => pairs.every(([k, v]) => String(x[k]) === v)).length;
  }
  let v: Json = status;
  for (const part of expr.split('.')) v = v?.[part];
  if (v !== null && typeof v !== 'number') throw new Error(`${expr} is not a number in the status: ${JSON.stringify(v)}`);
  return v;
}

export function formatExpected(value: number | null, fmt: string): string {
  if (value === null) return '—';
  if (fmt === 'usd') return `$${value.toFixed(value < 1 ? 4 : 2)}`;
  if (fmt === 'pct') return `${(value * 100).toFixed(1)}%`;
  if (fmt === 'int') return String(value);
  throw new Error(`unknown format ${fmt}`);
}
