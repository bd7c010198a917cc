import { describe, expect, it } from 'vitest';
import { decideMirrorRefresh, type MirrorRefreshInput } from '../../src/planners/mirror-decide.js';
import type { Task } from '../../src/tasks/task.js';

const task = (path: string, over: Partial<Task> = {}): Task => ({
  id: 't1',
  path,
  description: `tests for ${path}`,
  group: 'Tests',
  stage: 1,
  checked: false,
  line: 1,
  status: 'pending',
  attempts: 0,
  batch: null,
  reason: null,
  ...over,
});
const done = (path: string) => task(path, { status: 'done', checked: true, attempts: 1, batch: 'msgbatch_1' });

function input(over: Partial<MirrorRefreshInput>): MirrorRefreshInput {
  return {
    plan: {
      title: 'Mirror plan',
      groups: [
        {
          heading: 'Tests',
          tasks: [
            { path: 'test/a.test.ts', description: 'tests for src/a.ts' },
            { path: 'test/b.test.ts', description: 'tests for src/b.ts' },
          ],
        },
      ],
    },
    sourceOf: new Map([
      ['test/a.test.ts', 'src/a.ts'],
      ['test/b.test.ts', 'src/b.ts'],
    ]),
    tasks: [],
    sourceSha: new Map([
      ['src/a.ts', 'A1'],
      ['src/b.ts', 'B1'],
    ]),
    recorded: {},
    mode: 'new-and-changed',
    generatedIntact: () => true,
    ...over,
  };
}

describe('decideMirrorRefresh', () => {
  it('a source without a task gets one; the others are left as they are', () => {
    const d = decideMirrorRefresh(input({ tasks: [done('test/a.test.ts')], recorded: { 'test/a.test.ts': 'A1' } }));
    expect(d.additions.groups).toEqual([{ heading: 'Tests', tasks: [{ path: 'test/b.test.ts', description: 'tests for src/b.ts' }] }]);
    expect(d.requeue).toEqual([]);
    expect(d.record).toEqual({ 'test/a.test.ts': 'A1', 'test/b.test.ts': 'B1' });
  });

  it('a done target whose source changed since the last look is re-queued', () => {
    const d = decideMirrorRefresh(
      input({ tasks: [done('test/a.test.ts'), done('test/b.test.ts')], recorded: { 'test/a.test.ts': 'A0', 'test/b.test.ts': 'B1' } }),
    );
    expect(d.requeue).toEqual(['test/a.test.ts']);
    expect(d.edited).toEqual([]);
    expect(d.record['test/a.test.ts']).toBe('A1');
  });

  it('a first look records, never re-queues', () => {
    const d = decideMirrorRefresh(input({ tasks: [done('test/a.test.ts'), done('test/b.test.ts')], recorded: {} }));
    expect(d.requeue).toEqual([]);
    expect(d.record).toEqual({ 'test/a.test.ts': 'A1', 'test/b.test.ts': 'B1' });
  });

  it('a target edited since it was generated is reported and left alone, once', () => {
    const first = decideMirrorRefresh(
      input({ tasks: [done('test/a.test.ts')], recorded: { 'test/a.test.ts': 'A0' }, generatedIntact: (p) => p !== 'test/a.test.ts' }),
    );
    expect(first.requeue).toEqual([]);
    expect(first.edited).toEqual(['test/a.test.ts']);
    const second = decideMirrorRefresh(
      input({ tasks: [done('test/a.test.ts')], recorded: first.record, generatedIntact: (p) => p !== 'test/a.test.ts' }),
    );
    expect(second.edited).toEqual([]);
  });

  it("mode 'new' adds tasks but re-queues nothing", () => {
    const d = decideMirrorRefresh(input({ mode: 'new', tasks: [done('test/a.test.ts')], recorded: { 'test/a.test.ts': 'A0' } }));
    expect(d.requeue).toEqual([]);
    expect(d.additions.groups[0]!.tasks.map((t) => t.path)).toEqual(['test/b.test.ts']);
  });

  it('pending, failed and ticked-by-hand tasks are recorded, not re-queued', () => {
    const d = decideMirrorRefresh(
      input({
        tasks: [task('test/a.test.ts', { status: 'failed' }), task('test/b.test.ts', { checked: true })],
        recorded: { 'test/a.test.ts': 'A0', 'test/b.test.ts': 'B0' },
      }),
    );
    expect(d.requeue).toEqual([]);
    expect(d.record).toEqual({ 'test/a.test.ts': 'A1', 'test/b.test.ts': 'B1' });
  });

  it('a task whose source is gone keeps its record and is not touched', () => {
    const d = decideMirrorRefresh(input({ tasks: [done('test/gone.test.ts')], recorded: { 'test/gone.test.ts': 'G0' } }));
    expect(d.requeue).toEqual([]);
    expect(d.record['test/gone.test.ts']).toBe('G0');
  });
});
