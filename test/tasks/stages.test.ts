import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../src/shared/errors.js';
import { parseSource } from '../../src/tasks/parse.js';
import { parseTaskList } from '../../src/tasks/task-list.js';

const stagesOf = (src: string, engine?: 'remark'): Record<string, number> => {
  const list = engine ? parseSource(src, undefined, engine).list : parseTaskList(src);
  return Object.fromEntries(list.tasks.map((t) => [t.path, t.stage]));
};

function located(src: string): string {
  try {
    parseTaskList(src);
  } catch (e) {
    if (!(e instanceof HarnessError)) throw e;
    expect(e.code).toBe('BAD_TASK_LIST');
    expect(e.exitCode).toBe(2);
    return e.located;
  }
  throw new Error('expected parseTaskList to throw');
}

const STAGED = [
  '# Shop',
  '',
  '- [ ] `README.md` — above every heading',
  '',
  '## Stage 1: Models',
  '',
  '- [ ] `src/models/user.ts` — User',
  '',
  '### Orders',
  '',
  '- [ ] `src/models/order.ts` — Order',
  '',
  '## Helpers',
  '',
  '- [ ] `src/util.ts` — belongs to the stage of the heading before it',
  '',
  '## Stage 3: Routes',
  '',
  '- [ ] `src/routes/user.ts` — numbers may skip',
  '',
].join('\n');

describe('stages', () => {
  it('a `## Stage N:` heading starts stage N; other headings keep the stage before them', () => {
    const expected = { 'README.md': 1, 'src/models/user.ts': 1, 'src/models/order.ts': 1, 'src/util.ts': 1, 'src/routes/user.ts': 3 };
    expect(stagesOf(STAGED)).toEqual(expected);
  });

  it('the remark engine reads the same stages', () => {
    expect(stagesOf(STAGED, 'remark')).toEqual(stagesOf(STAGED));
  });

  it('a list without Stage headings is one stage', () => {
    expect(stagesOf('# T\n\n## A\n\n- [ ] `a.ts`\n\n## B\n\n- [ ] `b.ts`\n')).toEqual({ 'a.ts': 1, 'b.ts': 1 });
  });

  it('only a level-2 heading whose text starts with `Stage N:` counts', () => {
    const src =
      '# Stage 5: title\n\n- [ ] `a.ts`\n\n### Stage 4: deep\n\n- [ ] `b.ts`\n\n## The Stage 3: no\n\n- [ ] `c.ts`\n\n## Stage 2 no colon\n\n- [ ] `d.ts`\n\n## Stage 2: yes\n\n- [ ] `e.ts`\n';
    expect(stagesOf(src)).toEqual({ 'a.ts': 1, 'b.ts': 1, 'c.ts': 1, 'd.ts': 1, 'e.ts': 2 });
  });

  it('a stage heading may repeat its number', () => {
    expect(stagesOf('## Stage 2: a\n\n- [ ] `a.ts`\n\n## Stage 2: b\n\n- [ ] `b.ts`\n')).toEqual({ 'a.ts': 2, 'b.ts': 2 });
  });

  it('stages must not go backwards: file:line: reason, exit 2', () => {
    const src = '## Stage 2: Services\n\n- [ ] `a.ts`\n\n## Stage 1: Models\n\n- [ ] `b.ts`\n';
    expect(located(src)).toBe('task-list.md:5: stage 1 comes after stage 2 (line 1): stages must not go backwards');
  });

  it('stage 0 is refused', () => {
    expect(located('## Stage 0: x\n\n- [ ] `a.ts`\n')).toBe('task-list.md:1: "Stage 0: x": stages are numbered from 1');
  });

  it('a backwards stage heading after the last task is still refused', () => {
    expect(located('## Stage 2: a\n\n- [ ] `a.ts`\n\n## Stage 1: b\n')).toMatch(/^task-list\.md:5: stage 1 comes after stage 2/);
  });
});
