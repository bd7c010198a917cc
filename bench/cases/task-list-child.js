// Case 3's worker (also usable alone, after `npm run build`):
//   node bench/cases/task-list-child.js [tasks] [runs] [remark]
// Times parse and write of a 10,000-task task-list.md: a generated list (plain lines, the common
// case), the same list with bookkeeping on every line, a hand-edited list (prose, a code fence,
// nested items every so often), and the remark-only reference scan. Detail lines go to stderr; the
// last stdout line is JSON for bench/run.js.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSource } from '../../dist/tasks/parse.js';
import { parseTaskList, readTaskListFile, renderTaskList, writeTaskList, writeTaskListFile } from '../../dist/tasks/task-list.js';

const N = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 7);

const groups = [];
for (let g = 0; g * 100 < N; g++) {
  const tasks = [];
  for (let i = g * 100; i < Math.min(N, (g + 1) * 100); i++) {
    tasks.push({ path: `src/module${g}/file${i}.ts`, description: `Implements part ${i} of module ${g} with a zod schema and tests` });
  }
  groups.push({ heading: `Module ${g}`, tasks });
}
const plain = renderTaskList({ frontMatter: { project: 'bench' }, groups });
const bookkept = writeTaskList(parseTaskList(plain), undefined, { normalize: true });
const edited = bookkept
  .split('\n')
  .map((line, k) =>
    k % 500 === 7
      ? `${line}\n\nSome notes a person wrote, with a <b>tag</b>.\n\n\`\`\`ts\nconst example = 1;\n\`\`\`\n`
      : k % 300 === 11 && line.startsWith('- [')
        ? `${line}\n  - [ ] \`nested/n${k}.ts\` — a nested task`
        : line,
  )
  .join('\n');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const ms = [];
  let out;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    out = await fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), out };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'harness-bench-tasklist-'));
const results = {};
let identical = true;
async function report(name, text) {
  const parsed = await time(() => parseTaskList(text));
  const list = parsed.out;
  // A collect's worth of changes: a third of the tasks change status.
  const changes = new Map(
    list.tasks.filter((_, k) => k % 3 === 0).map((t) => [t.path, { status: 'submitted', attempts: t.attempts + 1, batch: 'msgbatch_bench' }]),
  );
  const written = await time(() => writeTaskList(list, changes));
  const unchanged = await time(() => writeTaskList(list));
  const same = unchanged.out === text;
  identical &&= same;
  // The harness's file path: read task-list.md from disk, parse, apply the changes, write it back.
  await writeTaskListFile(dir, text);
  const file = await time(async () => {
    const l = await readTaskListFile(dir);
    await writeTaskListFile(dir, writeTaskList(l, changes));
    await writeTaskListFile(dir, text);
  });
  results[name] = {
    tasks: list.tasks.length,
    kib: text.length / 1024,
    parseMs: parsed.ms,
    writeMs: written.ms,
    writeNoneMs: unchanged.ms,
    fileRoundTripMs: file.ms,
    identical: same,
  };
  console.error(
    `${name.padEnd(28)} ${String(list.tasks.length).padStart(6)} tasks ${(text.length / 1024).toFixed(0).padStart(5)} KiB` +
      `  parse ${parsed.ms.toFixed(1).padStart(7)} ms  write(${changes.size} changes) ${written.ms.toFixed(1).padStart(6)} ms` +
      `  write(none) ${unchanged.ms.toFixed(2)} ms  file read+parse+write ${file.ms.toFixed(1)} ms  round trip ${same ? 'identical' : 'DIFFERENT'}`,
  );
}

await report('generated (no bookkeeping)', plain);
await report('generated + bookkeeping', bookkept);
await report('hand-edited', edited);
const maxRss = process.resourceUsage().maxRSS * 1024;
let remarkParseMs = null;
if (process.argv[4] === 'remark') {
  // The remark-only reference scan (slow: seconds, and hundreds of MB), for comparison only.
  const t = performance.now();
  const reference = parseSource(bookkept, 'task-list.md', 'remark');
  remarkParseMs = performance.now() - t;
  console.error(
    `${'remark-only reference'.padEnd(28)} ${String(reference.list.tasks.length).padStart(6)} tasks  parse ${remarkParseMs.toFixed(1)} ms`,
  );
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ results, identical, remarkParseMs, maxRss }));
