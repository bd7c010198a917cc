/** Planners and stages: a staged plan keeps its stages through render and parse; planner.md asks for stages and signatures. */
import { describe, expect, it } from 'vitest';
import { planFromTaskList } from '../../src/planners/index.js';
import { extractTaskList } from '../../src/planners/llm.js';
import { loadTemplates } from '../../src/requests/templates.js';
import { parseTaskList, renderTaskList } from '../../src/tasks/task-list.js';

const REPLY = [
  'Here is the plan:',
  '',
  '# Shop API',
  '',
  '## Stage 1: Models',
  '',
  '- [ ] `src/models/user.ts` — `userSchema`, `type User = { id: string; name: string }`',
  '',
  '### Orders',
  '',
  '- [ ] `src/models/order.ts` — `type Order = { id: string; userId: string }`',
  '',
  '## Stage 2: Services',
  '',
  '- [ ] `src/services/user.service.ts` — `class UserService`: `create(input: NewUser): Promise<User>`',
  '',
].join('\n');

describe('staged plans', () => {
  it('an llm reply with stages becomes a task list with the same stages', () => {
    const plan = planFromTaskList(parseTaskList(extractTaskList(REPLY).text));
    const list = parseTaskList(renderTaskList(plan));
    expect(list.tasks.map((t) => [t.path, t.stage])).toEqual([
      ['src/models/user.ts', 1],
      ['src/models/order.ts', 1],
      ['src/services/user.service.ts', 2],
    ]);
    expect(list.tasks[2]!.description).toBe('`class UserService`: `create(input: NewUser): Promise<User>`');
  });

  it('planner.md asks for stage headings and signature-style descriptions', async () => {
    const { planner } = await loadTemplates();
    expect(planner).toContain('## Stage 1: Models');
    expect(planner).toMatch(/signatures/);
    expect(planner).toMatch(/names the file it covers/);
  });
});
