import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/shared/errors.js';
import { parseTaskList } from '../../src/tasks/task-list.js';

function failure(src: string, file?: string): HarnessError {
  try {
    parseTaskList(src, file);
  } catch (e) {
    if (e instanceof HarnessError) return e;
    throw e;
  }
  throw new Error('expected parseTaskList to throw');
}

/** The error as the CLI prints it (`task-list.md:LINE: reason`), plus its code and exit code. */
const located = (src: string, file?: string): string => {
  const e = failure(src, file);
  expect(e.code).toBe('BAD_TASK_LIST');
  expect(e.exitCode).toBe(2);
  return e.located;
};

describe('parseTaskList: errors name the file and the line', () => {
  it('a task with no path', () => {
    expect(located('# Tasks\n\n- [ ] `src/a.ts` — a\n- [ ] no path here\n')).toBe(
      'task-list.md:4: task has no path (put the file path in backticks: - [ ] `src/a.ts` — what it is)',
    );
    expect(located('---\na: 1\n---\n\n- [x] done but no path\n', 'plan.md')).toMatch(/^plan\.md:5: task has no path/);
    expect(located('- [ ] `a.ts` — a\n  - [ ] nested without a path\n')).toMatch(/^task-list\.md:2: task has no path/);
  });

  it.each([
    ['../escape.ts', 'path leaves the output root (..)'],
    ['/etc/passwd', 'absolute path'],
    ['C:/x.ts', 'drive path'],
    ['~/x.ts', 'home-relative path'],
    ['src\\a.ts', 'path contains a backslash (use / as the separator)'],
    ['src//a.ts', 'path is not normalised (empty or . segment)'],
    ['./', 'path is not normalised (empty or . segment)'],
    ['.//a.ts', 'path is not normalised (empty or . segment)'],
    ['./../a.ts', 'path leaves the output root (..)'],
    ['./.git/config', 'path is inside .git/'],
    ['.git/config', 'path is inside .git/'],
    ['.harness/state.json', 'path is inside the harness state (.harness/)'],
    ['task-list.md', 'path is the task list (task-list.md)'],
  ])('an unsafe path %j', (p, reason) => {
    expect(located(`# T\n- [ ] \`${p}\` — x\n`)).toBe(`task-list.md:2: unsafe path ${JSON.stringify(p)}: ${reason}`);
  });

  it('a path with a control character, odd whitespace, or split across lines', () => {
    expect(located('- [ ] `a\u0007.ts` — x\n')).toBe('task-list.md:1: unsafe path "a\\u0007.ts": path contains a control character');
    expect(located('- [ ] `a\tb.ts` — x\n')).toBe('task-list.md:1: the path "a\\tb.ts" contains a whitespace character other than a space');
    expect(located('- [ ] `a\u00a0b.ts` — x\n')).toMatch(
      /^task-list\.md:1: the path "a\u00a0b\.ts" contains a whitespace character other than a space$/,
    );
    expect(located('- [ ] ``  a.ts`` — x\n')).toBe('task-list.md:1: the path "  a.ts" starts or ends with whitespace');
    expect(located('- [ ] `   ` — x\n')).toBe('task-list.md:1: the path is empty or only whitespace');
    expect(located('text\n\n- [ ] `src/a\n  .ts` — x\n')).toBe('task-list.md:3: the path "src/a\\n.ts" is split across lines');
  });

  it('a duplicate path names both lines', () => {
    expect(located('# T\n\n- [ ] `src/a.ts` — a\n- [ ] `src/b.ts` — b\n\n## U\n\n- [x] `src/a.ts` — again\n')).toBe(
      'task-list.md:8: duplicate path "src/a.ts" (first on line 3)',
    );
  });

  it('broken front matter: a YAML error at its line', () => {
    expect(located('---\ntitle: x\n  bad: indentation\n---\n- [ ] `a.ts`\n')).toBe(
      'task-list.md:3: broken front matter: bad indentation of a mapping entry',
    );
    expect(located('---\na: 1\na: 2\n---\n')).toBe('task-list.md:3: broken front matter: duplicated mapping key');
    expect(located('---\nlist: [1, 2\n---\n- [ ] `a.ts`\n')).toMatch(/^task-list\.md:[23]: broken front matter: /);
  });

  it('broken front matter: unclosed, not YAML, not a mapping, a bad closing line', () => {
    expect(located('---\ntitle: x\n\n- [ ] `a.ts` — a\n')).toBe(
      'task-list.md:1: broken front matter: it is never closed (add a line with --- after it)',
    );
    expect(located('---js\n{ a: 1 }\n---\n')).toBe(
      'task-list.md:1: broken front matter: the first line must be --- alone (only YAML front matter is read)',
    );
    expect(located('---\n- a\n- b\n---\n')).toBe('task-list.md:2: broken front matter: it must be a YAML mapping (key: value lines)');
    expect(located('---\njust text\n---\n')).toBe('task-list.md:2: broken front matter: it must be a YAML mapping (key: value lines)');
    expect(located('---\na: 1\n---x\n- [ ] `a.ts`\n')).toBe('task-list.md:3: broken front matter: the line that closes it must be --- alone');
  });

  it.each([
    ['status=bogus', 'unknown status "bogus" (expected pending, submitted, done or failed)'],
    ['attempts=-1', 'bad attempts "-1" (expected a whole number)'],
    ['attempts=1.5', 'bad attempts "1.5" (expected a whole number)'],
    ['attempts=many', 'bad attempts "many" (expected a whole number)'],
    ['id=7', 'bad id "7" (expected t1, t2, …)'],
    ['id=t', 'bad id "t" (expected t1, t2, …)'],
    ['stauts=done', 'unknown key "stauts" (known: id, status, attempts, batch, reason, desc)'],
    ['id=t1 id=t2', 'id is given twice'],
    ['reason="unterminated', 'cannot read "reason=\\"unterminated" (expected key=value pairs)'],
    ['reason="bad \\q escape"', 'reason is not a valid JSON string: "bad \\q escape"'],
    ['just words', 'cannot read "just words" (expected key=value pairs)'],
  ])('a malformed harness comment: %s', (body, reason) => {
    expect(located(`# T\n\n- [ ] \`a.ts\` — a <!-- harness: ${body} -->\n`)).toBe(`task-list.md:3: bad harness comment: ${reason}`);
  });

  it('two harness comments on one task', () => {
    expect(located('- [ ] `a.ts` — a <!-- harness: id=t1 --> <!-- harness: id=t2 -->\n')).toBe(
      'task-list.md:1: the task has more than one harness comment',
    );
  });

  it('a NUL byte anywhere', () => {
    expect(located('- [ ] `a.ts` — a\n- [ ] `b.ts` — \0\n')).toBe('task-list.md:2: the file contains a NUL byte');
  });

  it('reports the first problem in file order', () => {
    expect(located('- [ ] `a.ts` — a\n- [ ] `../b.ts`\n- [ ] no path\n')).toMatch(/^task-list\.md:2: unsafe path/);
  });
});

describe('parseTaskList: every bad line is reported, not only the first', () => {
  it('lists each problem as file:line: reason, in file order', () => {
    const e = failure(
      '# T\n\n- [ ] no path\n- [ ] `ok.ts` — fine\n- [ ] `../up.ts` — x\n- [ ] `ok.ts` — again\n- [ ] `a.ts` — x <!-- harness: bogus=1 -->\n',
    );
    expect(e.code).toBe('BAD_TASK_LIST');
    expect([e, ...e.more].map((x) => x.located)).toEqual([
      'task-list.md:3: task has no path (put the file path in backticks: - [ ] `src/a.ts` — what it is)',
      'task-list.md:5: unsafe path "../up.ts": path leaves the output root (..)',
      'task-list.md:6: duplicate path "ok.ts" (first on line 4)',
      'task-list.md:7: bad harness comment: unknown key "bogus" (known: id, status, attempts, batch, reason, desc)',
    ]);
    expect(e.omitted).toBe(0);
  });

  it('lists at most 50 and counts the rest', () => {
    const lines = Array.from({ length: 120 }, (_, k) => `- [ ] \`../f${k}.ts\` — x`);
    const e = failure(lines.join('\n') + '\n');
    expect(1 + e.more.length).toBe(50);
    expect(e.omitted).toBe(70);
    expect(e.more.at(-1)!.line).toBe(50);
  });
});
