import { describe, expect, it } from 'vitest';
import { planFromSpec } from '../../src/planners/list.js';
import { parseTaskList, renderTaskList } from '../../src/tasks/task-list.js';
import { caught } from '../helpers/errors.js';

describe('planFromSpec (list planner)', () => {
  it('turns a task list into a plan: title, groups by heading, descriptions; ticks and bookkeeping dropped', () => {
    const spec = [
      '# Blog API',
      '',
      'Some prose about the project.',
      '',
      '## Models',
      '',
      '- [ ] `src/user.ts` — User entity',
      '- [x] `src/post.ts` — Post entity <!-- harness: id=t9 status=done -->',
      '',
      '## Routes',
      '',
      '- [ ] `src/routes.ts`',
      '',
    ].join('\n');
    const plan = planFromSpec(spec, 'spec.md');
    expect(plan).toEqual({
      title: 'Blog API',
      groups: [
        {
          heading: 'Models',
          tasks: [
            { path: 'src/user.ts', description: 'User entity' },
            { path: 'src/post.ts', description: 'Post entity' },
          ],
        },
        { heading: 'Routes', tasks: [{ path: 'src/routes.ts', description: '' }] },
      ],
    });
    const rendered = parseTaskList(renderTaskList(plan));
    expect(rendered.tasks.map((t) => [t.path, t.group, t.status])).toEqual([
      ['src/user.ts', 'Models', 'pending'],
      ['src/post.ts', 'Models', 'pending'],
      ['src/routes.ts', 'Routes', 'pending'],
    ]);
  });

  it('tasks directly under the title render back under it (no duplicate heading)', () => {
    const plan = planFromSpec('# Plan\n\n- [ ] `a.ts` — A\n\n## More\n\n- [ ] `b.ts` — B\n', 'spec.md');
    expect(plan.groups.map((g) => g.heading)).toEqual(['', 'More']);
    expect(renderTaskList(plan)).toBe('# Plan\n\n- [ ] `a.ts` — A\n\n## More\n\n- [ ] `b.ts` — B\n');
  });

  it('tasks without any heading form one group with an empty heading', () => {
    expect(planFromSpec('- [ ] `a.ts`\n- [ ] `b.ts` — B\n', 'spec.md')).toEqual({
      groups: [
        {
          heading: '',
          tasks: [
            { path: 'a.ts', description: '' },
            { path: 'b.ts', description: 'B' },
          ],
        },
      ],
    });
  });

  it('invalid content is BAD_SPEC with the spec file and line (exit 2)', () => {
    const dup = caught(() => planFromSpec('# T\n\n- [ ] `a.ts`\n- [ ] `b.ts`\n- [ ] `a.ts`\n', 'specs/plan.md'));
    expect(dup.code).toBe('BAD_SPEC');
    expect(dup.exitCode).toBe(2);
    expect(dup.located).toMatch(/^specs\/plan\.md:5: duplicate path/);

    const unsafe = caught(() => planFromSpec('- [ ] `ok.ts`\n- [ ] `../out.ts`\n', 'spec.md'));
    expect(unsafe.code).toBe('BAD_SPEC');
    expect([unsafe.file, unsafe.line]).toEqual(['spec.md', 2]);

    const noPath = caught(() => planFromSpec('\n\n- [ ] no path here\n', 'spec.md'));
    expect([noPath.code, noPath.line]).toEqual(['BAD_SPEC', 3]);
  });

  it('a spec with no task line is BAD_SPEC naming the file', () => {
    const e = caught(() => planFromSpec('# Just prose\n\nBuild me a blog.\n', 'spec.md'));
    expect(e.code).toBe('BAD_SPEC');
    expect(e.file).toBe('spec.md');
    expect(e.message).toContain('no task');
    expect(e.hint).toContain('llm');
  });
});
