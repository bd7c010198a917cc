import type { Task } from '../../src/tasks/task.js';

/** A pending task of stage 1 as the task-list parser makes it: `t<n>` at line n, "file n". */
export const pendingTask = (n: number, path: string, group = 'g', more: Partial<Task> = {}): Task => ({
  id: `t${n}`,
  status: 'pending',
  attempts: 0,
  batch: null,
  reason: null,
  path,
  description: `file ${n}`,
  group,
  stage: 1,
  checked: false,
  line: n,
  ...more,
});
