/** A task: one file to generate, as `task-list.md` holds it. */
import { z } from 'zod';

export const taskStatusSchema = z.enum(['pending', 'submitted', 'done', 'failed']);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

/** What the harness writes back onto a task line (the person never has to). */
export const bookkeepingSchema = z.object({
  /** Stable id, `t1`, `t2`…; assigned by the harness when missing. */
  id: z.string().regex(/^t[0-9]+$/),
  status: taskStatusSchema,
  attempts: z.number().int().nonnegative(),
  /** Batch the task is (or was last) submitted in. */
  batch: z.string().nullable(),
  /** Why the task failed (only with status `failed`). */
  reason: z.string().nullable(),
});
export type Bookkeeping = z.infer<typeof bookkeepingSchema>;

export interface Task extends Bookkeeping {
  /** Path of the file to write, relative to the output root (normalised, safe). */
  path: string;
  /** Text after the path's dash: what the file should contain. */
  description: string;
  /** The text of the nearest heading above the task ('' when none). */
  group: string;
  /** `- [x]` (done or skipped by the person) vs `- [ ]`. */
  checked: boolean;
  /** 1-based line of the task in task-list.md. */
  line: number;
}
