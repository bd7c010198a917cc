// Reading .cpuprofile files (node --cpu-prof): where the samples fall, by function and by module.
import { readFileSync } from 'node:fs';

const shortUrl = (u) =>
  u
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\/((?:@[^/]+\/)?[^/]+)\/.*/, 'node_modules/$1')
    .replace(/.*\/(dist|bench|src)\//, '$1/');

/** Self time (ms) grouped by `key(callFrame)`, largest first, with the profile's total. */
export function summarize(file, { by = 'module', top = 12 } = {}) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const dt = new Map();
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  let total = 0;
  const groups = new Map();
  for (const n of p.nodes) {
    const t = dt.get(n.id) ?? 0;
    if (!t) continue;
    total += t;
    const cf = n.callFrame;
    let key;
    if (by === 'module') {
      key = cf.url ? shortUrl(cf.url) : `(${cf.functionName || 'native'})`;
      if (key.startsWith('node:internal/modules') || key.startsWith('node:internal/bootstrap')) key = 'node: module loading (resolve, compile)';
      else if (key.startsWith('node:')) key = 'node: other built-ins';
    } else key = `${cf.functionName || '(anonymous)'} ${cf.url ? shortUrl(cf.url) : ''}:${cf.lineNumber + 1}`;
    groups.set(key, (groups.get(key) ?? 0) + t);
  }
  const list = [...groups]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => ({ key, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, list };
}

/** Which modules were loaded and the time until each was first sampled is not available; instead: inclusive time under each module's top-level code. */
export function moduleInclusive(file, { top = 12 } = {}) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const dt = new Map();
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Each sample is charged to every package (node_modules/<pkg> or dist/<dir>) on its stack, once.
  const incl = new Map();
  let total = 0;
  for (const [id, t] of dt) {
    total += t;
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)?.callFrame.url ?? '';
      if (!url || url.startsWith('node:')) continue;
      const key = shortUrl(url).replace(/^(dist\/[^/]+)\/.*/, '$1/');
      seen.add(key);
    }
    for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + t);
  }
  return {
    totalMs: total / 1000,
    list: [...incl]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => ({ key, ms: us / 1000, share: us / total })),
  };
}
