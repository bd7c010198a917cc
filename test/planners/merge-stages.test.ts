/** mergePlan with stages: a new task of an earlier stage goes into its stage, not after the last one. */
import { describe, expect, it } from 'vitest';
import { mergePlan } from '../../src/planners/merge.js';
import { parseTaskList } from '../../src/tasks/task-list.js';

const EXISTING = [
  '# Shop',
  '',
  '## Stage 1: Models',
  '',
  '- [x] `src/models/user.ts` — User',
  '',
  '## Stage 2: Services',
  '',
  '- [ ] `src/services/user.service.ts` — UserService',
  '',
].join('\n');

describe('mergePlan and stages', () => {
  it('a new stage-1 group goes before stage 2; a new later stage and plain groups go at the end; the list is kept byte for byte', () => {
    const text = mergePlan(parseTaskList(EXISTING), {
      groups: [
        {
          heading: 'Stage 1: Models',
          tasks: [
            { path: 'src/models/user.ts', description: 'User' },
            { path: 'src/models/order.ts', description: 'Order' },
          ],
        },
        { heading: 'Stage 3: Routes', tasks: [{ path: 'src/routes/user.ts', description: 'routes' }] },
        { heading: 'Docs', tasks: [{ path: 'docs/api.md', description: 'API' }] },
      ],
    });
    const list = parseTaskList(text);
    expect(list.tasks.map((t) => [t.path, t.stage])).toEqual([
      ['src/models/user.ts', 1],
      ['src/models/order.ts', 1],
      ['src/services/user.service.ts', 2],
      ['src/routes/user.ts', 3],
      ['docs/api.md', 3],
    ]);
    expect(text.startsWith(EXISTING.slice(0, EXISTING.indexOf('## Stage 2')))).toBe(true);
    expect(text).toContain(EXISTING.slice(EXISTING.indexOf('## Stage 2')));
  });

  it('without stage headings nothing changes: new groups are appended', () => {
    const plain = '# T\n\n## A\n\n- [ ] `a.ts`\n';
    expect(mergePlan(parseTaskList(plain), { groups: [{ heading: 'B', tasks: [{ path: 'b.ts', description: 'b' }] }] })).toBe(
      `${plain}\n## B\n\n- [ ] \`b.ts\` — b\n`,
    );
  });
});
