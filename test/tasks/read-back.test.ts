/**
 * A list whose every line reads on its own (headings, plain task lines, blank lines) is written
 * back without a second parse of the whole text: each written task is read from its own line
 * (readTaskLine). That reading must be exactly what a parse of the whole list says, and a list
 * with any other line must be parsed whole.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { descriptionHash } from '../../src/tasks/bookkeeping.js';
import { parseSource, readTaskLine } from '../../src/tasks/parse.js';
import { parseTaskList, readTaskListFile, writeTaskList, type TaskChange } from '../../src/tasks/task-list.js';
import type { TaskStatus } from '../../src/tasks/task.js';
import { makeTempDir } from '../helpers/tmp.js';

const RUNS = Number(process.env.TASKS_FC_RUNS ?? 200);
const STATUSES: TaskStatus[] = ['pending', 'submitted', 'done', 'failed'];

/** Where each line starts. */
const lineStarts = (s: string): number[] => {
  const starts = [0];
  for (let at = s.indexOf('\n'); at !== -1; at = s.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
};

describe('lineBased', () => {
  it('is true for headings, plain task lines and blank lines (CRLF too), false once any other line is there', () => {
    const plain = '# Tasks\n\n## Auth\n\n- [ ] `src/a.ts` — a\n- [x] `src/b.ts` — b <!-- harness: id=t2 status=done attempts=1 -->\n';
    expect(parseSource(plain).lineBased).toBe(true);
    expect(parseSource(plain.replace(/\n/g, '\r\n')).lineBased).toBe(true);
    expect(parseSource(`---\nproject: x\n---\n${plain}`).lineBased).toBe(true);
    for (const other of ['Some prose.', '```\ncode\n```', '> quoted', '  continued text', '<div>', '1. item']) {
      expect(parseSource(`${plain}${other}\n`).lineBased, other).toBe(false);
    }
  });
});

// Random line-based lists: headings, blank lines, task lines with descriptions made of characters
// Markdown and the harness comment care about, with or without a harness comment.
const descChar = fc.constantFrom('a', 'b', ' ', ' ', '-', '—', '<', '>', '*', '_', '\\', '&', '#', '"', "'", '!', 'é', '中', '\t', '=');
const description = fc.array(descChar, { maxLength: 16 }).map((cs) => cs.join(''));
const comment = fc.record({
  id: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
  attempts: fc.option(fc.nat(5), { nil: undefined }),
  batch: fc.option(fc.constantFrom('msgbatch_a', 'msgbatch_b'), { nil: undefined }),
  reason: fc.option(fc.constantFrom('no section', 'a "quoted" <reason>', 'cut `here`'), { nil: undefined }),
  staleDesc: fc.boolean(),
});
const taskLine = fc.record({ checked: fc.boolean(), upper: fc.boolean(), description, comment: fc.option(comment, { nil: null }) });
const line = fc.oneof(
  { weight: 6, arbitrary: taskLine },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('## Auth', '## Stage 2: Services', '# Title', '### Deep') },
);
const doc = fc.record({ lines: fc.array(line, { minLength: 1, maxLength: 24 }), crlf: fc.boolean() }).map(({ lines, crlf }) => {
  let n = 0;
  const out = lines.map((l) => {
    if (typeof l === 'string') return l;
    n++;
    const box = l.checked ? (l.upper ? 'X' : 'x') : ' ';
    let text = `- [${box}] \`src/f${n}.ts\`${l.description ? ` ${l.description}` : ''}`;
    const c = l.comment;
    if (c) {
      const pairs: string[] = [];
      if (c.id !== undefined) pairs.push(`id=t${c.id}`);
      if (c.status !== undefined) pairs.push(`status=${c.status}`);
      if (c.attempts !== undefined) pairs.push(`attempts=${c.attempts}`);
      if (c.batch !== undefined) pairs.push(`batch=${c.batch}`);
      if (c.status === 'failed') pairs.push(`desc=${c.staleDesc ? 'abc' : descriptionHash(l.description.trim())}`);
      if (c.reason !== undefined)
        pairs.push(`reason=${JSON.stringify(c.reason).replace(/[<>`]/g, (x) => `\\u${x.charCodeAt(0).toString(16).padStart(4, '0')}`)}`);
      text += ` <!-- harness: ${pairs.join(' ')} -->`;
    }
    return text;
  });
  return `${out.join(crlf ? '\r\n' : '\n')}\n`;
});

describe('readTaskLine', () => {
  it('on a line-based list, reads each task with a recorded id exactly as the parse of the whole list does', () => {
    fc.assert(
      fc.property(doc, (source) => {
        let parsed: ReturnType<typeof parseSource>;
        try {
          parsed = parseSource(source);
        } catch {
          return; // a list the parser refuses (a duplicate id is fine; a bad comment is not): nothing to compare
        }
        if (!parsed.lineBased) return;
        const starts = lineStarts(source);
        for (const site of parsed.sites) {
          const t = site.task;
          const alone = readTaskLine(source, starts[t.line - 1]!, t.line, t.group, t.stage);
          if (site.recordedId === null) continue; // no id of its own on the line (or a duplicate the parse renumbered)
          expect(alone).toEqual(t);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('is null for a line that is no plain task line, or records no id', () => {
    const source = '# T\n\n- [ ] `a.ts` — a\n- [ ] `b.ts` — b <!-- harness: id=t3 status=pending attempts=0 -->\nprose\n';
    const starts = lineStarts(source);
    expect(readTaskLine(source, starts[0]!, 1, '', 1)).toBeNull();
    expect(readTaskLine(source, starts[2]!, 3, 'T', 1)).toBeNull();
    expect(readTaskLine(source, starts[3]!, 4, 'T', 1)).toMatchObject({ id: 't3', path: 'b.ts', description: 'b', status: 'pending' });
    expect(readTaskLine(source, starts[4]!, 5, 'T', 1)).toBeNull();
  });
});

describe('writing a line-based list back', () => {
  it('gives the list a whole parse reads back with exactly the changes made', () => {
    const change = fc.record({
      status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
      attempts: fc.option(fc.nat(5), { nil: undefined }),
      reason: fc.option(fc.constantFrom(null, 'why <!-- not --> here', 'a `code` reason'), { nil: undefined }),
    });
    fc.assert(
      fc.property(doc, fc.array(fc.tuple(fc.nat(30), change), { maxLength: 30 }), (source, picks) => {
        let list: ReturnType<typeof parseTaskList>;
        try {
          list = parseTaskList(source);
        } catch {
          return;
        }
        if (list.tasks.length === 0) return;
        const changes = new Map<string, TaskChange>();
        for (const [k, c] of picks) {
          const t = list.tasks[k % list.tasks.length]!;
          const clean = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as TaskChange;
          changes.set(t.path, clean);
        }
        const out = writeTaskList(list, changes);
        const back = new Map(parseTaskList(out).tasks.map((t) => [t.path, t]));
        for (const t of list.tasks) {
          const c = changes.get(t.path);
          const now = back.get(t.path)!;
          expect(now.description).toBe(t.description);
          expect(now.group).toBe(t.group);
          if (c?.status !== undefined) expect(now.status).toBe(c.status);
          if (c?.attempts !== undefined) expect(now.attempts).toBe(c.attempts);
          if (c?.reason !== undefined && (c.status ?? t.status) !== 'done') expect(now.reason).toBe(c.reason);
          if (!c) expect(now).toMatchObject({ status: t.status, attempts: t.attempts, checked: t.checked, reason: t.reason });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('readTaskListFile with the list read before', () => {
  it('returns that list when the file holds the same text, and parses the file anew once it changed', async () => {
    const dir = await makeTempDir('read-back-');
    await writeFile(path.join(dir, 'task-list.md'), '# T\n\n- [ ] `a.ts` — a\n');
    const first = await readTaskListFile(dir);
    expect(await readTaskListFile(dir, 'task-list.md', first)).toBe(first);
    // A list object made elsewhere (not parsed by the module) is not trusted.
    const copy = { ...first };
    expect(await readTaskListFile(dir, 'task-list.md', copy)).not.toBe(copy);
    await writeFile(path.join(dir, 'task-list.md'), '# T\n\n- [ ] `a.ts` — a, edited\n');
    const again = await readTaskListFile(dir, 'task-list.md', first);
    expect(again).not.toBe(first);
    expect(again.tasks[0]!.description).toBe('a, edited');
  });
});
