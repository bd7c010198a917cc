/**
 * Properties of task-list.md handling on random lists built from a model: what is read, the byte-
 * identical round trip, edits a person makes, the harness's own changes, unsafe paths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/shared/errors.js';
import { unsafePathReason } from '../../src/shared/paths.js';
import { normaliseTaskPath } from '../../src/tasks/parse.js';
import { codeSpan } from '../../src/tasks/render-task-list.js';
import type { Task, TaskStatus } from '../../src/tasks/task.js';
import { parseTaskList, renderTaskList, writeTaskList, type TaskChange } from '../../src/tasks/task-list.js';

const RUNS = Number(process.env.TASKS_FC_RUNS ?? 300);
const STATUSES: TaskStatus[] = ['pending', 'submitted', 'done', 'failed'];

// ---- the model ------------------------------------------------------------------------------

interface Recorded {
  id: number | null;
  status: TaskStatus | null;
  attempts: number | null;
  batch: string | null;
  reason: string | null;
}
interface TaskModel {
  path: string;
  description: string;
  checked: boolean;
  recorded: Recorded | null;
}
interface DocModel {
  frontMatter: Record<string, string> | null;
  title: string | null;
  groups: { heading: string | null; tasks: TaskModel[] }[];
  eol: '\n' | '\r\n';
  finalNewline: boolean;
}

const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
const safePath = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.constantFrom('.ts', '.md', '.json', ''))
  .map(([s, ext]) => s.join('/') + ext)
  .filter((p) => unsafePathReason(p) === null);
/** Any unicode, single line, without backticks, control characters, `<!` or `<?`. */
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength }).filter((s) => !/[`\u0000-\u001f\u007f]|<[!?]/.test(s));
const word = fc.stringMatching(/^[A-Za-zéü中0-9]{1,8}$/);
const headingText = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
const reasonText = fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !/[<>`]/.test(s));

const recorded: fc.Arbitrary<Recorded | null> = fc.option(
  fc.record({
    id: fc.option(fc.constant(0)), // replaced by a unique number below
    status: fc.option(fc.constantFrom(...STATUSES)),
    attempts: fc.option(fc.nat(9)),
    batch: fc.option(fc.stringMatching(/^msgbatch_[A-Za-z0-9]{1,10}$/)),
    reason: fc.option(reasonText),
  }),
);

const docModel: fc.Arbitrary<DocModel> = fc
  .record({
    frontMatter: fc.option(fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[A-Za-z0-9 ]{0,10}$/), { maxKeys: 3 })),
    title: fc.option(headingText),
    groups: fc.array(
      fc.record({
        heading: fc.option(headingText),
        tasks: fc.array(fc.record({ path: safePath, description: text(30), checked: fc.boolean(), recorded }), { maxLength: 6 }),
      }),
      { maxLength: 5 },
    ),
    eol: fc.constantFrom('\n' as const, '\r\n' as const),
    finalNewline: fc.boolean(),
    idBase: fc.nat(50),
  })
  .map(({ idBase, ...doc }) => {
    // Unique paths, unique recorded ids.
    const seen = new Set<string>();
    let n = idBase;
    for (const g of doc.groups) {
      g.tasks = g.tasks.filter((t) => !seen.has(t.path) && seen.add(t.path));
      for (const t of g.tasks) if (t.recorded?.id !== null && t.recorded) t.recorded.id = ++n;
    }
    return doc;
  });

function comment(r: Recorded): string {
  const parts: string[] = [];
  if (r.id !== null) parts.push(`id=t${r.id}`);
  if (r.status !== null) parts.push(`status=${r.status}`);
  if (r.attempts !== null) parts.push(`attempts=${r.attempts}`);
  if (r.batch !== null) parts.push(`batch=${r.batch}`);
  if (r.reason !== null) parts.push(`reason=${JSON.stringify(r.reason)}`);
  return `<!-- harness: ${parts.join(' ')} -->`;
}

function taskLine(t: TaskModel): string {
  return `- [${t.checked ? 'x' : ' '}] \`${t.path}\` — ${t.description}${t.recorded ? ` ${comment(t.recorded)}` : ''}`;
}

function renderDoc(doc: DocModel): { text: string; lines: string[] } {
  const lines: string[] = [];
  if (doc.frontMatter) lines.push('---', ...Object.entries(doc.frontMatter).map(([k, v]) => `${k}: ${JSON.stringify(v)}`), '---');
  if (doc.title !== null) lines.push(`# ${doc.title}`, '');
  for (const g of doc.groups) {
    if (g.heading !== null) lines.push(`## ${g.heading}`, '');
    for (const t of g.tasks) lines.push(taskLine(t));
    lines.push('');
  }
  const text = lines.join(doc.eol) + (doc.finalNewline && lines.length > 0 ? doc.eol : '');
  return { text, lines };
}

const squash = (s: string): string => s.replace(/ +/g, ' ').replace(/^ | $/g, '');

/** The tasks the spec says the model holds. */
function expectedTasks(doc: DocModel, lines: string[]): Task[] {
  const all = doc.groups.flatMap((g) => g.tasks);
  let max = Math.max(0, ...all.map((t) => t.recorded?.id ?? 0));
  const out: Task[] = [];
  let group = doc.title === null ? '' : squash(doc.title);
  let line = 0;
  for (const g of doc.groups) {
    if (g.heading !== null) group = squash(g.heading);
    for (const t of g.tasks) {
      line = lines.indexOf(taskLine(t), line) + 1;
      const r = t.recorded;
      const recordedStatus = r?.status ?? 'pending';
      out.push({
        id: r?.id != null ? `t${r.id}` : `t${++max}`,
        status: t.checked ? 'done' : recordedStatus === 'done' ? 'pending' : recordedStatus,
        attempts: r?.attempts ?? 0,
        batch: r?.batch ?? null,
        reason: r?.reason ?? null,
        path: t.path,
        description: squash(t.description),
        group,
        stage: 1,
        checked: t.checked,
        skipped: t.checked && recordedStatus !== 'done',
        line,
      });
    }
  }
  return out;
}

const bookkeeping = (t: Task) => ({ status: t.status, attempts: t.attempts, batch: t.batch, reason: t.reason, checked: t.checked });

// ---- properties -----------------------------------------------------------------------------

describe('task-list.md properties', () => {
  it('reads what the model says; writing without changes gives the same bytes; normalize fixes ids', () => {
    fc.assert(
      fc.property(docModel, (doc) => {
        const { text, lines } = renderDoc(doc);
        const list = parseTaskList(text);
        expect(list.tasks).toEqual(expectedTasks(doc, lines));
        expect(list.frontMatter).toEqual(doc.frontMatter ?? {});
        expect(writeTaskList(list)).toBe(text);

        const normalized = writeTaskList(list, undefined, { normalize: true });
        const again = parseTaskList(normalized);
        expect(again.tasks.map((t) => ({ ...t, line: 0 }))).toEqual(list.tasks.map((t) => ({ ...t, line: 0 })));
        expect(writeTaskList(again, undefined, { normalize: true })).toBe(normalized);
        expect(normalized.split(doc.eol).length).toBe(text.split(doc.eol).length);
      }),
      { numRuns: RUNS },
    );
  });

  it("a person's edits elsewhere (prose, headings, moved lines, new tasks) keep every task's bookkeeping", () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('prose' as const), at: fc.nat(), text: headingText }),
      fc.record({ kind: fc.constant('heading' as const), at: fc.nat(), text: headingText }),
      fc.record({ kind: fc.constant('blank' as const), at: fc.nat(), text: fc.constant('') }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
      fc.record({ kind: fc.constant('task' as const), at: fc.nat(), path: safePath }),
    );
    fc.assert(
      fc.property(docModel, fc.array(edit, { maxLength: 8 }), (doc, edits) => {
        const { text } = renderDoc(doc);
        const before = parseTaskList(text);
        const lines = text.split(doc.eol);
        const bodyStart = doc.frontMatter ? Object.keys(doc.frontMatter).length + 2 : 0;
        const known = new Set(before.tasks.map((t) => t.path));
        for (const e of edits) {
          const at = bodyStart + (e.at % (lines.length - bodyStart + 1));
          if (e.kind === 'prose') lines.splice(at, 0, `Note ${e.text}`);
          else if (e.kind === 'heading') lines.splice(at, 0, `## ${e.text}`);
          else if (e.kind === 'blank') lines.splice(at, 0, '');
          else if (e.kind === 'task' && !known.has(e.path)) {
            known.add(e.path);
            lines.splice(at, 0, `- [ ] \`${e.path}\` — added by hand`);
          } else if (e.kind === 'swap' && lines.length > bodyStart) {
            const i = bodyStart + (e.at % (lines.length - bodyStart));
            const j = bodyStart + (e.to % (lines.length - bodyStart));
            [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          }
        }
        const after = parseTaskList(lines.join(doc.eol));
        const byPath = new Map(after.tasks.map((t) => [t.path, t]));
        const recordedIds = new Set(
          doc.groups
            .flatMap((g) => g.tasks)
            .filter((t) => t.recorded?.id != null)
            .map((t) => t.path),
        );
        for (const t of before.tasks) {
          const now = byPath.get(t.path);
          expect(now && bookkeeping(now)).toEqual(bookkeeping(t));
          if (recordedIds.has(t.path)) expect(now!.id).toBe(t.id);
        }
        expect(new Set(after.tasks.map((t) => t.id)).size).toBe(after.tasks.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('writeTaskList with random changes, read back, gives exactly those changes and touches no other line', () => {
    const change: fc.Arbitrary<TaskChange> = fc
      .record(
        {
          status: fc.constantFrom(...STATUSES),
          attempts: fc.nat(20),
          batch: fc.option(fc.string({ unit: 'binary', maxLength: 20 })),
          reason: fc.option(fc.string({ unit: 'binary', maxLength: 40 })),
          checked: fc.boolean(),
        },
        { requiredKeys: [] },
      )
      .map((c) => (c.status !== undefined && c.checked !== undefined ? { ...c, checked: c.status === 'done' } : c));
    fc.assert(
      fc.property(docModel, fc.array(fc.tuple(fc.nat(), change), { maxLength: 10 }), fc.boolean(), (doc, picks, normalize) => {
        const { text } = renderDoc(doc);
        const list = parseTaskList(text);
        fc.pre(list.tasks.length > 0);
        const changes = new Map<string, TaskChange>();
        for (const [k, c] of picks) changes.set(list.tasks[k % list.tasks.length]!.path, c);

        const out = writeTaskList(list, changes, { normalize });
        const back = parseTaskList(out);
        expect(back.tasks.map((t) => t.path)).toEqual(list.tasks.map((t) => t.path));
        const touched = new Set<number>();
        list.tasks.forEach((t, k) => {
          const now = back.tasks[k]!;
          const c = changes.get(t.path);
          const checked = c?.checked ?? (c?.status !== undefined ? c.status === 'done' : t.checked);
          const status = c?.status ?? (c?.checked === undefined ? t.status : checked ? 'done' : t.status === 'done' ? 'pending' : t.status);
          expect(bookkeeping(now)).toEqual({
            status,
            attempts: c?.attempts ?? t.attempts,
            batch: c?.batch !== undefined ? c.batch : t.batch,
            reason: c?.reason !== undefined ? c.reason : t.reason,
            checked,
          });
          expect(now.description).toBe(t.description);
          expect(now.group).toBe(t.group);
          const written = c !== undefined && JSON.stringify(bookkeeping(now)) !== JSON.stringify(bookkeeping(t));
          if (written || normalize) touched.add(t.line);
          if (written || /<!-- harness: id=/.test(text.split(doc.eol)[t.line - 1]!)) expect(now.id).toBe(t.id);
        });
        const inLines = text.split(doc.eol);
        const outLines = out.split(doc.eol);
        expect(outLines.length).toBe(inLines.length);
        inLines.forEach((l, k) => {
          if (!touched.has(k + 1)) expect(outLines[k]).toBe(l);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('an unsafe path is always rejected, at its line; a safe one is read back exactly', () => {
    const unsafe = fc.oneof(
      safePath.map((p) => `../${p}`),
      safePath.map((p) => `${p}/..`),
      safePath.map((p) => `/${p}`),
      safePath.map((p) => `C:/${p}`),
      safePath.map((p) => `~/${p}`),
      safePath.map((p) => p.replace(/\//g, '\\') + '\\x'),
      safePath.map((p) => `${p}//x`),
      safePath.map((p) => `./../${p}`),
      safePath.map((p) => `./${p}/./x`),
      safePath.map((p) => `${p}/./x`),
      safePath.map((p) => `.git/${p}`),
      safePath.map((p) => `${p}/.GIT/x`),
      safePath.map((p) => `.harness/${p}`),
      fc.constant('task-list.md'),
      fc.tuple(safePath, fc.integer({ min: 1, max: 31 })).map(([p, c]) => `${p}${String.fromCharCode(c)}x`),
    );
    fc.assert(
      fc.property(fc.array(safePath, { maxLength: 4 }), unsafe, (before, bad) => {
        const paths = [...new Set(before)];
        const src = ['# T', '', ...paths.map((p) => `- [ ] \`${p}\` — ok`), `- [ ] ${codeSpan(bad)} — bad`, ''].join('\n');
        const line = paths.length + 3;
        let error: unknown;
        try {
          parseTaskList(src);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(HarnessError);
        expect(error).toMatchObject({ code: 'BAD_TASK_LIST', line });
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/[\r\n]/.test(s)),
        (p) => {
          const src = `# T\n\n- [ ] ${codeSpan(p)} — any\n`;
          const fine = unsafePathReason(normaliseTaskPath(p)) === null && p.trim() === p && !/[^\S ]/.test(p);
          if (fine) {
            expect(parseTaskList(src).tasks.map((t) => t.path)).toEqual([normaliseTaskPath(p)]);
          } else {
            expect(() => parseTaskList(src)).toThrow(HarnessError);
            try {
              parseTaskList(src);
            } catch (e) {
              expect(e).toMatchObject({ code: 'BAD_TASK_LIST', line: 3 });
            }
          }
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('a safe path written with leading ./ reads as the path, and the line round-trips unchanged', () => {
    fc.assert(
      fc.property(safePath, fc.integer({ min: 1, max: 3 }), (p, n) => {
        const src = `# T\n\n- [ ] \`${'./'.repeat(n)}${p}\` — x\n`;
        const list = parseTaskList(src);
        expect(list.tasks.map((t) => t.path)).toEqual([p]);
        expect(writeTaskList(list)).toBe(src);
      }),
      { numRuns: RUNS },
    );
  });

  it('renderTaskList reads back as the plan', () => {
    const plan = fc.record({
      title: fc.option(headingText, { nil: undefined }),
      groups: fc.array(fc.record({ heading: headingText, tasks: fc.array(fc.record({ path: safePath, description: text(30) }), { maxLength: 5 }) }), {
        maxLength: 5,
      }),
    });
    fc.assert(
      fc.property(plan, (p) => {
        const seen = new Set<string>();
        for (const g of p.groups) g.tasks = g.tasks.filter((t) => !seen.has(t.path) && seen.add(t.path));
        const list = parseTaskList(renderTaskList(p));
        expect(list.tasks.map((t) => [t.path, t.description, t.group, t.status])).toEqual(
          p.groups.flatMap((g) => g.tasks.map((t) => [t.path, squash(t.description.replace(/\s+/g, ' ')), squash(g.heading), 'pending'])),
        );
      }),
      { numRuns: RUNS },
    );
  });
});
