import { describe, expect, it } from 'vitest';
import { descriptionHash } from '../../src/tasks/bookkeeping.js';
import { parseTaskList, pendingTasks, writeTaskList } from '../../src/tasks/task-list.js';

const only = (src: string) => {
  const list = parseTaskList(src);
  expect(list.tasks).toHaveLength(1);
  return list.tasks[0]!;
};

describe('parseTaskList: task lines', () => {
  it('reads the minimal hand-written line with defaults', () => {
    const list = parseTaskList('- [ ] `src/auth/user.model.ts` — User entity with a zod schema\n');
    expect(list).toEqual({
      file: 'task-list.md',
      source: '- [ ] `src/auth/user.model.ts` — User entity with a zod schema\n',
      frontMatter: {},
      tasks: [
        {
          id: 't1',
          status: 'pending',
          attempts: 0,
          batch: null,
          reason: null,
          path: 'src/auth/user.model.ts',
          description: 'User entity with a zod schema',
          group: '',
          stage: 1,
          checked: false,
          skipped: false,
          line: 1,
        },
      ],
    });
  });

  it.each([
    ['`a.ts` — em dash', 'em dash'],
    ['`a.ts` – en dash', 'en dash'],
    ['`a.ts` - hyphen', 'hyphen'],
    ['`a.ts` -- double hyphen', 'double hyphen'],
    ['`a.ts`: colon', 'colon'],
    ['`a.ts` no separator', 'no separator'],
    ['`a.ts` — - starts with a dash', '- starts with a dash'],
    ['`a.ts` —   spaced   out  ', 'spaced out'],
    ['`a.ts` — with `code` and **bold**', 'with `code` and **bold**'],
    ['`a.ts` — returns Promise<void>', 'returns Promise<void>'],
    ['`a.ts`', ''],
    ['`a.ts` —', ''],
    ['`a.ts`:', ''],
  ])('description of %j is %j', (rest, description) => {
    expect(only(`- [ ] ${rest}\n`).description).toBe(description);
  });

  it('takes the first inline code as the path, wherever it is, and the text after it', () => {
    expect(only('- [ ] Create `src/a.ts` — the model, see `src/b.ts`\n')).toMatchObject({
      path: 'src/a.ts',
      description: 'the model, see `src/b.ts`',
    });
    expect(only('- [ ] **`src/a.ts`** — bold path\n')).toMatchObject({ path: 'src/a.ts', description: 'bold path' });
    expect(only('- [ ] `` src/we`ird.ts `` — backtick in the path\n')).toMatchObject({ path: 'src/we`ird.ts' });
    expect(only('- [ ] `src/my file.ts` — a space is allowed\n').path).toBe('src/my file.ts');
  });

  it('joins a description that continues on the next lines', () => {
    expect(only('- [ ] `a.ts` — first line\n  second line\nlazy third\n').description).toBe('first line second line lazy third');
    expect(only('> - [ ] `a.ts` — in a quote\n>   continued\n').description).toBe('in a quote continued');
  });

  it('reads [x] and [X] as done, whatever the comment says', () => {
    expect(only('- [x] `a.ts` — x\n')).toMatchObject({ checked: true, status: 'done' });
    expect(only('- [X] `a.ts` — x <!-- harness: id=t1 status=failed attempts=2 reason="r" -->\n')).toMatchObject({
      checked: true,
      status: 'done',
      attempts: 2,
      reason: 'r',
    });
  });

  it('accepts *, + and ordered markers, tabs and a task list in a block quote', () => {
    const list = parseTaskList(
      '* [ ] `a.ts` — star\n\n+ [x] `b.ts` — plus\n\n1. [ ] `c.ts` — ordered\n\n> - [ ] `d.ts` — quoted\n\n-\t[ ]\t`e.ts`\t—\ttabs\n',
    );
    expect(list.tasks.map((t) => [t.path, t.description, t.checked, t.line])).toEqual([
      ['a.ts', 'star', false, 1],
      ['b.ts', 'plus', true, 3],
      ['c.ts', 'ordered', false, 5],
      ['d.ts', 'quoted', false, 7],
      ['e.ts', 'tabs', false, 9],
    ]);
  });

  it('treats task items at any depth as tasks (a nested item is a task of its own)', () => {
    const list = parseTaskList(
      '## G\n\n- [ ] `parent.ts` — parent\n  - [x] `child.ts` — child\n    - [ ] `grandchild.ts` — deeper\n- plain item\n  - [ ] `under-plain.ts` — under a plain item\n',
    );
    expect(list.tasks.map((t) => [t.path, t.description, t.group, t.line, t.checked])).toEqual([
      ['parent.ts', 'parent', 'G', 3, false],
      ['child.ts', 'child', 'G', 4, true],
      ['grandchild.ts', 'deeper', 'G', 5, false],
      ['under-plain.ts', 'under a plain item', 'G', 7, false],
    ]);
  });

  it('keeps prose, plain list items and code out of the tasks', () => {
    const src = [
      '# Tasks',
      '',
      'Some prose about `src/not-a-task.ts`.',
      '',
      '- a plain item with `src/plain.ts`',
      '- [ ]',
      '',
      '```md',
      '- [ ] `src/in-fence.ts` — example only',
      '```',
      '',
      '<!--',
      '- [ ] `src/commented-out.ts` — hidden',
      '-->',
      '',
      '    - [ ] `src/indented-code.ts` — code block',
      '',
      '- [ ] `src/real.ts` — the one task',
      '',
    ].join('\n');
    expect(parseTaskList(src).tasks.map((t) => [t.path, t.line])).toEqual([['src/real.ts', 18]]);
  });
});

describe('parseTaskList: groups', () => {
  it('uses the nearest heading above, of any level, or "" before the first', () => {
    const src =
      '- [ ] `a.ts` — before any heading\n\n# Title\n\n- [ ] `b.ts` — b\n\n## Auth `module`\n\n- [ ] `c.ts` — c\n\n### Deep *one* ###\n- [ ] `d.ts` — d\n\nSetext\n======\n\n- [ ] `e.ts` — e\n';
    expect(parseTaskList(src).tasks.map((t) => t.group)).toEqual(['', 'Title', 'Auth module', 'Deep one', 'Setext']);
  });
});

describe('parseTaskList: bookkeeping', () => {
  it('reads the harness comment and keeps it out of the description', () => {
    expect(only('- [ ] `src/a.ts` — User model <!-- harness: id=t3 status=submitted attempts=1 batch=msgbatch_01abc -->\n')).toEqual({
      id: 't3',
      status: 'submitted',
      attempts: 1,
      batch: 'msgbatch_01abc',
      reason: null,
      path: 'src/a.ts',
      description: 'User model',
      group: '',
      stage: 1,
      checked: false,
      skipped: false,
      line: 1,
    });
    expect(only('- [ ] `src/a.ts` — x <!-- harness: id=t4 status=failed attempts=3 reason="output truncated 3 times" -->\n')).toMatchObject({
      status: 'failed',
      attempts: 3,
      reason: 'output truncated 3 times',
    });
  });

  it('applies the effective status rules', () => {
    const src = [
      '- [x] `a.ts` — ticked, recorded pending <!-- harness: id=t1 status=pending attempts=0 -->',
      '- [ ] `b.ts` — unticked by the person <!-- harness: id=t2 status=done attempts=2 -->',
      '- [ ] `c.ts` — in flight <!-- harness: id=t3 status=submitted attempts=1 batch=b1 -->',
      '- [ ] `d.ts` — failed <!-- harness: id=t4 status=failed attempts=3 reason="r" -->',
      '- [ ] `e.ts` — pending <!-- harness: id=t5 status=pending attempts=0 -->',
      '- [ ] `f.ts` — no comment',
      '',
    ].join('\n');
    const list = parseTaskList(src);
    expect(list.tasks.map((t) => [t.path, t.status, t.attempts])).toEqual([
      ['a.ts', 'done', 0],
      ['b.ts', 'pending', 2],
      ['c.ts', 'submitted', 1],
      ['d.ts', 'failed', 3],
      ['e.ts', 'pending', 0],
      ['f.ts', 'pending', 0],
    ]);
    expect(pendingTasks(list).map((t) => t.path)).toEqual(['b.ts', 'e.ts', 'f.ts']);
  });

  it('assigns missing ids after the largest one, in file order, the same way every time', () => {
    const src = '- [ ] `a.ts` — a\n- [ ] `b.ts` — b <!-- harness: id=t7 -->\n- [ ] `c.ts` — c\n- [ ] `d.ts` — d <!-- harness: id=t2 -->\n';
    const ids = parseTaskList(src).tasks.map((t) => t.id);
    expect(ids).toEqual(['t8', 't7', 't9', 't2']);
    expect(parseTaskList(src).tasks.map((t) => t.id)).toEqual(ids);
  });

  it('gives a duplicated id to the first line and a fresh one to the later line (keeping its other bookkeeping)', () => {
    const src =
      '- [ ] `a.ts` — a <!-- harness: id=t1 status=submitted attempts=1 batch=b1 -->\n- [ ] `b.ts` — copied line <!-- harness: id=t1 status=failed attempts=2 reason="x" -->\n- [ ] `c.ts` — c\n';
    expect(parseTaskList(src).tasks.map((t) => [t.path, t.id, t.status, t.attempts])).toEqual([
      ['a.ts', 't1', 'submitted', 1],
      ['b.ts', 't2', 'failed', 2],
      ['c.ts', 't3', 'pending', 0],
    ]);
  });

  it('reads partial comments with defaults, quoted batch values and ignores other HTML comments', () => {
    expect(only('- [ ] `a.ts` — a <!-- harness: status=submitted -->\n')).toMatchObject({ id: 't1', status: 'submitted', attempts: 0, batch: null });
    expect(only('- [ ] `a.ts` — a <!--harness:batch="with space" attempts=4-->\n')).toMatchObject({ batch: 'with space', attempts: 4 });
    expect(only('- [ ] `a.ts` — a <!-- a note --> <!-- harness: id=t9 -->\n')).toMatchObject({ id: 't9', description: 'a <!-- a note -->' });
    expect(only('- [ ] `a.ts` <!-- harness: id=t5 --> — comment before the separator\n')).toMatchObject({
      id: 't5',
      description: 'comment before the separator',
    });
  });
});

describe('parseTaskList: front matter and text shapes', () => {
  it('keeps YAML front matter as data and counts its lines', () => {
    const list = parseTaskList('---\nproject: demo\nlimits:\n  tasks: 3\nwhen: 2026-01-02\n---\n# Tasks\n\n- [ ] `a.ts` — a\n');
    expect(list.frontMatter).toEqual({ project: 'demo', limits: { tasks: 3 }, when: new Date('2026-01-02T00:00:00Z') });
    expect(list.tasks[0]!.line).toBe(9);
  });

  it('gives every parse its own copy of the front matter (gray-matter caches by content)', () => {
    const src = '---\na:\n  b: 1\n---\n- [ ] `a.ts` — a\n';
    const first = parseTaskList(src);
    (first.frontMatter.a as { b: number }).b = 2;
    expect(parseTaskList(src).frontMatter).toEqual({ a: { b: 1 } });
  });

  it('reads empty and comment-only front matter as {} and a missing one as {}', () => {
    expect(parseTaskList('---\n---\n- [ ] `a.ts`\n').frontMatter).toEqual({});
    expect(parseTaskList('---\n# just a comment\n---\n- [ ] `a.ts`\n').frontMatter).toEqual({});
    expect(parseTaskList('---- \n\n- [ ] `a.ts`\n').tasks[0]!.line).toBe(3);
  });

  it('reads CRLF files, a BOM, a missing final newline and the empty file', () => {
    const crlf = parseTaskList('\uFEFF---\r\nx: 1\r\n---\r\n# T\r\n\r\n- [ ] `a.ts` — a\r\n- [x] `b.ts` — b');
    expect(crlf.frontMatter).toEqual({ x: 1 });
    expect(crlf.tasks.map((t) => [t.path, t.description, t.group, t.line, t.checked])).toEqual([
      ['a.ts', 'a', 'T', 6, false],
      ['b.ts', 'b', 'T', 7, true],
    ]);
    expect(parseTaskList('').tasks).toEqual([]);
  });

  it('uses the given file name', () => {
    expect(parseTaskList('- [ ] `a.ts`\n', 'plans/list.md').file).toBe('plans/list.md');
  });
});

describe('parseTaskList: paths written with ./', () => {
  it('reads ./src/a.ts as src/a.ts (the line itself is kept as written)', () => {
    const src = '- [ ] `./src/a.ts` — a\n- [ ] `././b.ts` — b\n';
    const list = parseTaskList(src);
    expect(list.tasks.map((t) => t.path)).toEqual(['src/a.ts', 'b.ts']);
    expect(writeTaskList(list)).toBe(src);
    const written = writeTaskList(list, new Map([['src/a.ts', { status: 'submitted' as const, batch: 'x' }]]));
    expect(written.split('\n')[0]).toBe('- [ ] `./src/a.ts` — a <!-- harness: id=t1 status=submitted attempts=0 batch=x -->');
  });

  it('a path and the same path with ./ are duplicates', () => {
    expect(() => parseTaskList('- [ ] `src/a.ts` — a\n- [ ] `./src/a.ts` — again\n')).toThrow('duplicate path "src/a.ts" (first on line 1)');
  });
});

describe('parseTaskList: ticked by hand vs generated', () => {
  it('a ticked task is done; it is skipped unless its bookkeeping records status=done', () => {
    const list = parseTaskList(
      [
        '- [x] `a.ts` — ticked, no comment',
        '- [x] `b.ts` — ticked pending <!-- harness: id=t7 status=pending attempts=0 -->',
        '- [x] `c.ts` — generated <!-- harness: id=t8 status=done attempts=1 batch=msgbatch_1 -->',
        '- [ ] `d.ts` — open',
        '',
      ].join('\n'),
    );
    expect(list.tasks.map((t) => [t.path, t.status, t.skipped])).toEqual([
      ['a.ts', 'done', true],
      ['b.ts', 'done', true],
      ['c.ts', 'done', false],
      ['d.ts', 'pending', false],
    ]);
  });
});

describe('parseTaskList: a failed task whose description changed', () => {
  const failed = (description: string, desc: string) =>
    `- [ ] \`a.ts\` — ${description} <!-- harness: id=t1 status=failed attempts=3 batch=msgbatch_1 desc=${desc} reason="invalid request: x" -->\n`;

  it('stays failed while the description is the one it failed with', () => {
    expect(only(failed('User model', descriptionHash('User model')))).toMatchObject({ status: 'failed', attempts: 3, reason: 'invalid request: x' });
  });

  it('is pending again, attempts from zero, once the description is changed', () => {
    expect(only(failed('User model with zod', descriptionHash('User model')))).toMatchObject({
      status: 'pending',
      attempts: 0,
      reason: null,
      batch: 'msgbatch_1',
    });
  });

  it('a failure recorded by the writer carries the hash of the description, and the list still round-trips', () => {
    const src = '- [ ] `a.ts` — User model\n';
    const out = writeTaskList(parseTaskList(src), new Map([['a.ts', { status: 'failed' as const, attempts: 3, reason: 'r' }]]));
    expect(out).toBe(
      `- [ ] \`a.ts\` — User model <!-- harness: id=t1 status=failed attempts=3 desc=${descriptionHash('User model')} reason="r" -->\n`,
    );
    expect(writeTaskList(parseTaskList(out))).toBe(out);
    expect(only(out)).toMatchObject({ status: 'failed' });
    expect(only(out.replace('User model', 'User model, now with roles'))).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('a failed task recorded without a hash stays failed whatever its description', () => {
    expect(only('- [ ] `a.ts` — anything <!-- harness: id=t1 status=failed attempts=3 -->\n')).toMatchObject({ status: 'failed' });
  });
});
