/** Map-mode planning (pipeline/plan-map.ts), pure: groups packed apart, block order, shared prefixes, budget, errors. */
import { describe, expect, it } from 'vitest';
import { pendingTask } from '../helpers/tasks.js';
import { planMapRequests, type MapPlanInput } from '../../src/pipeline/plan-map.js';
import { buildRequest, requestText } from '../../src/requests/build.js';
import { packTasks } from '../../src/requests/pack.js';
import { loadTemplates } from '../../src/requests/templates.js';
import { HarnessError } from '../../src/shared/errors.js';
import type { Task } from '../../src/tasks/task.js';

const templates = await loadTemplates();
const task = (n: number, path: string, group: string): Task => pendingTask(n, path, group);

const FILES = [
  { path: 'src/a/one.ts', content: 'export const one = 1;\n'.repeat(20) },
  { path: 'src/a/two.ts', content: 'export const two = 2;\n'.repeat(20) },
  { path: 'src/b/three.ts', content: 'export const three = 3;\n'.repeat(20) },
  { path: 'lib/far.ts', content: 'export const far = 0;\n'.repeat(400) },
];
const MAP = {
  text: `<repo_map files="4">\n${FILES.map((f) => f.path).join('\n')}\n</repo_map>\n`,
  imports: new Map([['src/a/one.ts', ['src/b/three.ts']]]),
  importedBy: new Map([['src/b/three.ts', ['src/a/one.ts']]]),
  rank: new Map([['src/b/three.ts', 0.5]]),
};

function input(tasks: Task[], more: Partial<MapPlanInput> = {}): MapPlanInput {
  const existing = new Set(tasks.filter((t) => FILES.some((f) => f.path === t.path)).map((t) => t.path));
  return {
    tasks,
    files: FILES,
    map: MAP,
    repoPath: (p) => p,
    pack: (some) => packTasks(some, { maxTokens: 10_000, safetyMargin: 0, estimate: () => 1_000 }),
    requestText: (p) => requestText(p.tasks, templates, existing),
    build: (p, prefix) => buildRequest(p, { context: { text: '' }, templates, model: 'm', maxTokens: 2_000, existingPaths: existing, prefix }),
    system: templates.system,
    plan: '# The plan\n\n<plan>\n</plan>\n',
    window: 100_000,
    maxTokens: 2_000,
    ...more,
  };
}

type Block = { text: string; cache_control?: unknown };
const blocksOf = (r: { params: { messages: { content: unknown }[] } }) => r.params.messages[0]!.content as Block[];

describe('planMapRequests', () => {
  it('packs group by group; blocks run map, plan, group files, request; the group holds its rewrites and their related files', () => {
    const tasks = [task(1, 'src/a/one.ts', 'A'), task(2, 'src/b/new.ts', 'B'), task(3, 'src/a/new.ts', 'A')];
    const plan = planMapRequests(input(tasks));
    expect(plan.requests.map((r) => r.custom_id)).toEqual(['t1-2', 't2-1']);
    expect(plan.packed.map((p) => p.tasks.map((t) => t.group))).toEqual([['A', 'A'], ['B']]);
    const b = blocksOf(plan.requests[0]!);
    expect(b.map((k) => k.text.split('\n', 1)[0])).toEqual(['# Repo map', '# The plan', '# Files of this group', expect.any(String)]);
    expect(b.slice(0, 3).every((k) => k.cache_control)).toBe(true);
    expect(b[3]!.cache_control).toBeUndefined();
    expect(b[0]!.text).toContain('lib/far.ts');
    // Its rewrite, what that imports, the other file of its directory; not the unrelated lib/far.ts (in the map only).
    expect(plan.contexts[0]).toMatchObject({ mode: 'map', inFull: ['src/a/one.ts', 'src/a/two.ts', 'src/b/three.ts'] });
    expect(plan.contexts[1]!.inFull).toEqual(['src/b/three.ts']);
    expect(b[2]!.text).toContain(`<file path="src/a/one.ts">\n${FILES[0]!.content}</file>`);
  });

  it('a budget keeps the group to its own files; groups selecting the same files send the same block (one cached prefix)', () => {
    const tasks = [task(1, 'src/a/one.ts', 'A'), task(2, 'src/a/one.ts', 'B')];
    const plan = planMapRequests(input(tasks, { budget: 1 }));
    expect(plan.contexts.map((c) => c.inFull)).toEqual([['src/a/one.ts'], ['src/a/one.ts']]);
    const [x, y] = plan.requests.map(blocksOf);
    expect(x!.slice(0, 3)).toEqual(y!.slice(0, 3));
  });

  it("the earlier stages' block comes after the map; its files are not repeated in the group's block", () => {
    const tasks = [task(1, 'src/a/one.ts', 'A')];
    const plan = planMapRequests(input(tasks, { earlier: { text: '# Files written by earlier stages\n\n…\n', paths: new Set(['src/b/three.ts']) } }));
    const b = blocksOf(plan.requests[0]!);
    expect(b.map((k) => k.text.split('\n', 1)[0]).slice(0, 3)).toEqual(['# Repo map', '# Files written by earlier stages', '# The plan']);
    expect(b[3]!.text).not.toContain('src/b/three.ts');
    expect(plan.contexts[0]!.inFull).toContain('src/b/three.ts');
  });

  it('a group whose own files do not fit: CONTEXT_TOO_LARGE naming the group and its largest files', () => {
    const tasks = [task(1, 'lib/far.ts', 'Big'), task(2, 'src/a/one.ts', 'Big')];
    expect(() => planMapRequests(input(tasks, { window: 50_000 }))).not.toThrow();
    let err: unknown;
    try {
      planMapRequests(input(tasks, { window: 7_000 }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('CONTEXT_TOO_LARGE');
    expect((err as HarnessError).message).toMatch(/group "Big"[\s\S]*lib\/far\.ts\s+~[\d,]+ tokens\n\s+src\/a\/one\.ts/);
  });
});
