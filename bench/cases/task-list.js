// Case 3: a task list of 10,000 tasks: parse + write (a third of the tasks changed, as after a
// collect) under 1 s, and the round trip byte-identical. Runs in a fresh process (peak RSS).
import path from 'node:path';
import { child, log, ROOT } from '../lib/util.js';

export default {
  id: 'task-list',
  title: 'task list of 10,000 tasks',
  async run({ scale, runs }) {
    const n = Math.max(100, Math.round(10_000 * scale));
    const res = await child(path.join(ROOT, 'bench', 'cases', 'task-list-child.js'), [String(n), String(Math.max(3, runs * 2 + 1))]);
    const rows = [];
    const worst = Object.entries(res.results).reduce((a, b) => (a[1].parseMs + a[1].writeMs >= b[1].parseMs + b[1].writeMs ? a : b));
    for (const [name, r] of Object.entries(res.results)) {
      log(
        `  ${name}: ${r.tasks} tasks, parse ${r.parseMs.toFixed(0)} ms + write ${r.writeMs.toFixed(0)} ms; from disk and back ${r.fileRoundTripMs.toFixed(0)} ms; round trip ${r.identical ? 'identical' : 'DIFFERENT'}`,
      );
    }
    const [name, w] = worst;
    rows.push({
      key: 'task-list.parse-write',
      case: `3 task list ${w.tasks.toLocaleString('en-US')} tasks (${name})`,
      vs: '1 s',
      unit: 'ms',
      ours: w.parseMs + w.writeMs,
      baseline: 1000,
      ratio: (w.parseMs + w.writeMs) / 1000,
      rss: res.maxRss,
      target: '< 1 s',
      pass: w.parseMs + w.writeMs < 1000,
      details: res.results,
    });
    rows.push({
      key: 'task-list.round-trip',
      case: `3 task list round trip (3 shapes)`,
      vs: 'input bytes',
      unit: 'text',
      ours: res.identical ? 'identical' : 'different',
      baseline: null,
      ratio: null,
      rss: null,
      target: 'identical',
      pass: res.identical,
    });
    return rows;
  },
};
