/**
 * The names the report page gives its figures (`data-status`), read here on their own (not with the
 * page's code): a dotted path into `status --json`, `sum:LIST.FIELD[?k=v]`, `count:LIST?k=v&k=v` (`k=*`: not null).
 */
// biome-ignore lint/suspicious/noExplicitAny: the status document is walked by name
type Json = any;

export function evaluateExpr(status: Json, expr: string): number | null {
  if (expr.startsWith('sum:')) {
    const [what, query] = expr.slice(4).split('?') as [string, string | undefined];
    const [list, field] = what.split('.') as [string, string];
    return matching(status[list], query).reduce((s: number, x: Json) => s + (x[field] ?? 0), 0);
  }
  if (expr.startsWith('count:')) {
    const [list, query] = expr.slice(6).split('?') as [string, string];
    return matching(status[list], query).length;
  }
  let v: Json = status;
  for (const part of expr.split('.')) {
    if (v === null) return null; // a figure of something the status has not yet (a batch's usage before its bill)
    v = v[part];
  }
  if (v !== null && typeof v !== 'number') throw new Error(`${expr} is not a number in the status: ${JSON.stringify(v)}`);
  return v;
}

/** The items of `list` matching every `k=v` of `query` (`k=*`: k is not null). */
function matching(list: Json[], query: string | undefined): Json[] {
  const pairs = (query ? query.split('&') : []).map((p) => p.split('=') as [string, string]);
  return list.filter((x) => pairs.every(([k, v]) => (v === '*' ? x[k] !== null && x[k] !== undefined : String(x[k]) === v)));
}

export function formatExpected(value: number | null, fmt: string): string {
  if (value === null) return '—';
  if (fmt === 'usd') return `$${value.toFixed(value < 1 ? 4 : 2)}`;
  if (fmt === 'pct') return `${(value * 100).toFixed(1)}%`;
  if (fmt === 'int') return String(value);
  throw new Error(`unknown format ${fmt}`);
}
