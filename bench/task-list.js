// Times parse and write of a 10,000-task task-list.md (run `npm run build` first):
//   node bench/task-list.js [tasks]
// Prints the median of several runs for: a generated list (plain lines, the common case), the same
// list with bookkeeping on every line, a hand-edited list (prose, a code fence, nested items every
// so often), and the remark-only reference scan for comparison.
import { parseTaskList, renderTaskList, writeTaskList } from '../dist/tasks/taskList.js';
import { parseSource } from '../dist/tasks/parse.js';

const N = Number(process.argv[2] ?? 10_000);
const RUNS = 7;

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
function time(fn) {
  const ms = [];
  let out;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    out = fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), out };
}

function report(name, text) {
  const parsed = time(() => parseTaskList(text));
  const list = parsed.out;
  const changes = new Map(list.tasks.filter((_, k) => k % 3 === 0).map((t) => [t.path, { status: 'submitted', attempts: t.attempts + 1, batch: 'msgbatch_bench' }]));
  const written = time(() => writeTaskList(list, changes));
  const unchanged = time(() => writeTaskList(list));
  if (unchanged.out !== text) throw new Error('round trip is not byte-identical');
  console.log(
    `${name.padEnd(28)} ${String(list.tasks.length).padStart(6)} tasks ${(text.length / 1024).toFixed(0).padStart(5)} KiB` +
      `  parse ${parsed.ms.toFixed(1).padStart(7)} ms  write(${changes.size} changes) ${written.ms.toFixed(1).padStart(6)} ms` +
      `  write(none) ${unchanged.ms.toFixed(2)} ms`,
  );
}

report('generated (no bookkeeping)', plain);
report('generated + bookkeeping', bookkept);
report('hand-edited', edited);
const reference = time(() => parseSource(bookkept, 'task-list.md', 'remark'));
console.log(`${'remark-only reference'.padEnd(28)} ${String(reference.out.list.tasks.length).padStart(6)} tasks  parse ${reference.ms.toFixed(1)} ms`);
