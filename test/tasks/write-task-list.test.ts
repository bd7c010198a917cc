import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/shared/errors.js';
import { parseTaskList, writeTaskList, type TaskChange } from '../../src/tasks/task-list.js';

const changes = (entries: Record<string, TaskChange>): Map<string, TaskChange> => new Map(Object.entries(entries));

const SOURCE = [
  '---',
  'project: demo',
  '---',
  '# Tasks',
  '',
  'Prose stays as it is.   ',
  '',
  '## Auth',
  '',
  '- [ ] `src/a.ts` — User model',
  '- [ ] `src/b.ts` — Session <!-- harness: id=t9 status=submitted attempts=1 batch=msgbatch_old -->',
  '- [x] `src/c.ts` — Done by hand',
  '',
].join('\n');

describe('writeTaskList', () => {
  it('with no changes returns the source byte for byte (also for a copied list object)', () => {
    const list = parseTaskList(SOURCE);
    expect(writeTaskList(list)).toBe(SOURCE);
    expect(writeTaskList(list, new Map())).toBe(SOURCE);
    expect(writeTaskList({ ...list, tasks: [] })).toBe(SOURCE);
  });

  it('appends a comment to a line without one and rewrites only that line', () => {
    const out = writeTaskList(parseTaskList(SOURCE), changes({ 'src/a.ts': { status: 'submitted', attempts: 1, batch: 'msgbatch_01abc' } }));
    expect(out).toBe(
      SOURCE.replace(
        '- [ ] `src/a.ts` — User model\n',
        '- [ ] `src/a.ts` — User model <!-- harness: id=t10 status=submitted attempts=1 batch=msgbatch_01abc -->\n',
      ),
    );
  });

  it('replaces an existing comment in place', () => {
    const out = writeTaskList(parseTaskList(SOURCE), changes({ 'src/b.ts': { status: 'failed', attempts: 3, reason: 'output truncated 3 times' } }));
    expect(out.split('\n')[10]).toBe(
      '- [ ] `src/b.ts` — Session <!-- harness: id=t9 status=failed attempts=3 batch=msgbatch_old desc=6959b4159575 reason="output truncated 3 times" -->',
    );
    expect(out.split('\n').filter((_, k) => k !== 10)).toEqual(SOURCE.split('\n').filter((_, k) => k !== 10));
  });

  it("status 'done' ticks the box; other statuses untick it; checked overrides", () => {
    const list = parseTaskList(SOURCE);
    const done = writeTaskList(list, changes({ 'src/b.ts': { status: 'done', batch: null } }));
    expect(done.split('\n')[10]).toBe('- [x] `src/b.ts` — Session <!-- harness: id=t9 status=done attempts=1 -->');
    const stillOpen = writeTaskList(list, changes({ 'src/a.ts': { status: 'done', checked: false } }));
    expect(stillOpen.split('\n')[9]).toBe('- [ ] `src/a.ts` — User model <!-- harness: id=t10 status=done attempts=0 -->');
    expect(parseTaskList(stillOpen).tasks[0]!.status).toBe('pending');
    const again = writeTaskList(list, changes({ 'src/c.ts': { status: 'pending' } }));
    expect(again.split('\n')[11]).toBe('- [ ] `src/c.ts` — Done by hand <!-- harness: id=t11 status=pending attempts=0 -->');
  });

  it('checked alone: ticking makes the task done (skipped: the comment keeps its status), unticking a done one makes it pending and keeps attempts', () => {
    const src = '- [ ] `a.ts` — a\n- [x] `b.ts` — b <!-- harness: id=t2 status=done attempts=2 batch=x -->\n- [X] `c.ts` — c\n';
    const out = writeTaskList(parseTaskList(src), changes({ 'a.ts': { checked: true }, 'b.ts': { checked: false } }));
    expect(out).toBe(
      '- [x] `a.ts` — a <!-- harness: id=t3 status=pending attempts=0 -->\n- [ ] `b.ts` — b <!-- harness: id=t2 status=pending attempts=2 batch=x -->\n- [X] `c.ts` — c\n',
    );
    expect(parseTaskList(out).tasks.map((t) => [t.path, t.status, t.skipped])).toEqual([
      ['a.ts', 'done', true],
      ['b.ts', 'pending', false],
      ['c.ts', 'done', true],
    ]);
  });

  it('keeps [X] when the box stays ticked, and keeps a hand-ticked task skipped', () => {
    const out = writeTaskList(parseTaskList('- [X] `c.ts` — c\n'), changes({ 'c.ts': { attempts: 5 } }));
    expect(out).toBe('- [X] `c.ts` — c <!-- harness: id=t1 status=pending attempts=5 -->\n');
    expect(parseTaskList(out).tasks[0]).toMatchObject({ status: 'done', checked: true, skipped: true });
  });

  it("records status=done only when the harness generated the task (a change to status 'done')", () => {
    const src =
      '- [x] `a.ts` — a\n- [x] `b.ts` — b <!-- harness: id=t2 status=failed attempts=3 -->\n- [x] `c.ts` — c <!-- harness: id=t3 status=done attempts=1 -->\n';
    const list = parseTaskList(src);
    expect(list.tasks.map((t) => [t.status, t.skipped])).toEqual([
      ['done', true],
      ['done', true],
      ['done', false],
    ]);
    // Bookkeeping written on the skipped tasks keeps them skipped; a generated one stays generated.
    const touched = writeTaskList(list, changes({ 'a.ts': { attempts: 1 }, 'b.ts': { batch: 'x' }, 'c.ts': { attempts: 2 } }));
    expect(parseTaskList(touched).tasks.map((t) => [t.status, t.skipped])).toEqual([
      ['done', true],
      ['done', true],
      ['done', false],
    ]);
    expect(parseTaskList(writeTaskList(list, undefined, { normalize: true })).tasks[0]).toMatchObject({ skipped: true });
    // The harness generating one makes it done for real.
    const generated = writeTaskList(list, changes({ 'a.ts': { status: 'done', attempts: 1, batch: 'msgbatch_1' } }));
    expect(generated.split('\n')[0]).toBe('- [x] `a.ts` — a <!-- harness: id=t4 status=done attempts=1 batch=msgbatch_1 -->');
    expect(parseTaskList(generated).tasks[0]).toMatchObject({ status: 'done', skipped: false });
  });

  it('quotes the reason as a JSON string that cannot close the comment or open code', () => {
    const reason = 'bad "quote" --> `tick` <tag>\nnew line';
    const out = writeTaskList(parseTaskList('- [ ] `a.ts` — a\n'), changes({ 'a.ts': { status: 'failed', reason, batch: 'odd batch' } }));
    expect(out).toBe(
      '- [ ] `a.ts` — a <!-- harness: id=t1 status=failed attempts=0 batch="odd batch" desc=ca978112ca1b reason="bad \\"quote\\" --\\u003e \\u0060tick\\u0060 \\u003ctag\\u003e\\nnew line" -->\n',
    );
    expect(parseTaskList(out).tasks[0]).toMatchObject({ status: 'failed', reason, batch: 'odd batch', description: 'a' });
  });

  it('keeps CRLF, a missing final newline and trailing blanks', () => {
    const src = '# T\r\n\r\n- [ ] `a.ts` — a  \r\n- [ ] `b.ts` — b\t';
    const out = writeTaskList(parseTaskList(src), changes({ 'a.ts': { status: 'submitted' }, 'b.ts': { status: 'done' } }));
    expect(out).toBe(
      '# T\r\n\r\n- [ ] `a.ts` — a <!-- harness: id=t1 status=submitted attempts=0 -->  \r\n- [x] `b.ts` — b <!-- harness: id=t2 status=done attempts=0 -->\t',
    );
  });

  it('puts the comment at the end of a description that spans lines', () => {
    const src = '- [ ] `a.ts` — first\n  second\n- [ ] `b.ts` — b\n';
    const out = writeTaskList(parseTaskList(src), changes({ 'a.ts': { status: 'submitted' } }));
    expect(out).toBe('- [ ] `a.ts` — first\n  second <!-- harness: id=t1 status=submitted attempts=0 -->\n- [ ] `b.ts` — b\n');
    expect(parseTaskList(out).tasks[0]).toMatchObject({ description: 'first second', status: 'submitted', line: 1 });
  });

  it('puts the comment right after the path when the text after it would swallow it', () => {
    const src = '- [ ] `a.ts` — Parses <!DOCTYPE html\n- [ ] `b.ts` — keeps <!-- an open comment\n';
    const out = writeTaskList(parseTaskList(src), changes({ 'a.ts': { status: 'submitted' }, 'b.ts': { attempts: 1 } }));
    expect(out).toBe(
      '- [ ] `a.ts` <!-- harness: id=t1 status=submitted attempts=0 --> — Parses <!DOCTYPE html\n- [ ] `b.ts` <!-- harness: id=t2 status=pending attempts=1 --> — keeps <!-- an open comment\n',
    );
    expect(parseTaskList(out).tasks.map((t) => [t.description, t.status, t.attempts])).toEqual([
      ['Parses <!DOCTYPE html', 'submitted', 0],
      ['keeps <!-- an open comment', 'pending', 1],
    ]);
  });

  it('refuses, naming the line, when no place on the line can hold the comment', () => {
    const src = '# T\n- [ ] Make <!X `a.ts` — y\n';
    const e = (() => {
      try {
        writeTaskList(parseTaskList(src), changes({ 'a.ts': { status: 'submitted' } }));
      } catch (err) {
        return err as HarnessError;
      }
      throw new Error('expected an error');
    })();
    expect(e).toBeInstanceOf(HarnessError);
    expect(e.located).toBe('task-list.md:2: cannot record the harness bookkeeping on this task: the text around it would hide it');
  });

  it('leaves a line alone when the change changes nothing, and ignores unknown paths', () => {
    const list = parseTaskList(SOURCE);
    expect(
      writeTaskList(
        list,
        changes({ 'src/b.ts': { status: 'submitted', attempts: 1 }, 'src/c.ts': { checked: true }, 'nope.ts': { status: 'done' } }),
      ),
    ).toBe(SOURCE);
  });

  it('rejects impossible changes', () => {
    const list = parseTaskList(SOURCE);
    expect(() => writeTaskList(list, changes({ 'src/a.ts': { attempts: -1 } }))).toThrow(/bad change for "src\/a\.ts": attempts -1/);
    expect(() => writeTaskList(list, changes({ 'src/a.ts': { attempts: 1.5 } }))).toThrow(/attempts 1\.5/);
    expect(() => writeTaskList(list, changes({ 'src/a.ts': { status: 'later' as never } }))).toThrow(/status "later"/);
  });

  it('normalize writes full bookkeeping on every line without it, so ids become fixed', () => {
    const src =
      '- [ ] `a.ts` — a\n- [x] `b.ts` — b\n- [ ] `c.ts` — c <!-- harness: id=t1 status=failed attempts=2 reason="r" -->\n- [ ] `d.ts` — d <!-- harness: id=t1 -->\n- [ ] `e.ts` — e <!-- harness: status=submitted -->\n';
    const list = parseTaskList(src);
    const out = writeTaskList(list, undefined, { normalize: true });
    expect(out).toBe(
      [
        '- [ ] `a.ts` — a <!-- harness: id=t2 status=pending attempts=0 -->',
        '- [x] `b.ts` — b <!-- harness: id=t3 status=pending attempts=0 -->',
        '- [ ] `c.ts` — c <!-- harness: id=t1 status=failed attempts=2 reason="r" -->',
        '- [ ] `d.ts` — d <!-- harness: id=t4 status=pending attempts=0 -->',
        '- [ ] `e.ts` — e <!-- harness: id=t5 status=submitted attempts=0 -->',
        '',
      ].join('\n'),
    );
    const again = parseTaskList(out);
    expect(again.tasks.map((t) => t.id)).toEqual(list.tasks.map((t) => t.id));
    expect(writeTaskList(again, undefined, { normalize: true })).toBe(out);
  });

  it('normalize together with changes', () => {
    const out = writeTaskList(parseTaskList('- [ ] `a.ts` — a\n- [ ] `b.ts` — b\n'), changes({ 'b.ts': { status: 'submitted', batch: 'x' } }), {
      normalize: true,
    });
    expect(out).toBe(
      '- [ ] `a.ts` — a <!-- harness: id=t1 status=pending attempts=0 -->\n- [ ] `b.ts` — b <!-- harness: id=t2 status=submitted attempts=0 batch=x -->\n',
    );
  });

  it('writes nested and quoted task items in place', () => {
    const src = '- [ ] `p.ts` — parent\n  - [ ] `c.ts` — child\n\n> - [ ] `q.ts` — quoted\n';
    const out = writeTaskList(
      parseTaskList(src),
      changes({ 'p.ts': { status: 'done' }, 'c.ts': { status: 'submitted' }, 'q.ts': { status: 'done' } }),
    );
    expect(out).toBe(
      '- [x] `p.ts` — parent <!-- harness: id=t1 status=done attempts=0 -->\n  - [ ] `c.ts` — child <!-- harness: id=t2 status=submitted attempts=0 -->\n\n> - [x] `q.ts` — quoted <!-- harness: id=t3 status=done attempts=0 -->\n',
    );
  });
});
