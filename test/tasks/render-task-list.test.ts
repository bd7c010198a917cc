import { describe, expect, it } from 'vitest';
import { parseTaskList, renderTaskList } from '../../src/tasks/task-list.js';

describe('renderTaskList', () => {
  it('writes a title, the groups in order and one minimal line per task', () => {
    const text = renderTaskList({
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
    expect(text).toBe(
      '# Tasks\n\n## Models\n\n- [ ] `src/user.ts` — User entity\n- [ ] `src/post.ts` — Post entity\n\n## Routes\n\n- [ ] `src/routes.ts`\n',
    );
    expect(parseTaskList(text).tasks.map((t) => [t.id, t.path, t.description, t.group, t.status, t.line])).toEqual([
      ['t1', 'src/user.ts', 'User entity', 'Models', 'pending', 5],
      ['t2', 'src/post.ts', 'Post entity', 'Models', 'pending', 6],
      ['t3', 'src/routes.ts', '', 'Routes', 'pending', 10],
    ]);
  });

  it('writes front matter and a given title', () => {
    const text = renderTaskList({ title: 'Migration plan', frontMatter: { planner: 'mirror', rules: ['a', 'b'] }, groups: [] });
    expect(text).toBe('---\nplanner: mirror\nrules:\n  - a\n  - b\n---\n\n# Migration plan\n');
    expect(parseTaskList(text).frontMatter).toEqual({ planner: 'mirror', rules: ['a', 'b'] });
    expect(renderTaskList({ frontMatter: {}, groups: [] })).toBe('# Tasks\n');
  });

  it('keeps awkward paths, descriptions and headings readable back exactly', () => {
    const plan = {
      groups: [
        {
          heading: 'C #',
          tasks: [
            { path: 'src/we`ird.ts', description: 'has\na line break' },
            { path: '`edge`.ts', description: 'a <!-- harness: id=t9 --> lookalike' },
          ],
        },
        { heading: '', tasks: [{ path: 'src/plain.ts', description: '- starts with a dash' }] },
      ],
    };
    const text = renderTaskList(plan);
    expect(parseTaskList(text).tasks.map((t) => [t.id, t.path, t.description, t.group])).toEqual([
      ['t1', 'src/we`ird.ts', 'has a line break', 'C #'],
      ['t2', '`edge`.ts', 'a \\<!-- harness: id=t9 --> lookalike', 'C #'],
      ['t3', 'src/plain.ts', '- starts with a dash', 'C #'],
    ]);
  });

  it('starts with "# " when there is no front matter (planners strip the title to append)', () => {
    const text = renderTaskList({ groups: [{ heading: 'New', tasks: [{ path: 'a.ts', description: 'a' }] }] });
    expect(text.replace(/^# .*\n+/, '')).toBe('## New\n\n- [ ] `a.ts` — a\n');
  });
});
