/**
 * task-list.md: the plan, hand-editable. This module is the whole API of src/tasks; the format is
 * in docs/task-list.md and in the comments of bookkeeping.ts, parse.ts and write.ts.
 */
import path from 'node:path';
import { TASK_LIST_FILE } from '../shared/paths.js';
import { readTaskListText, writeTextAtomic } from './file.js';
import { DEFAULT_FILE, parseSource, type ParsedTaskList, type TaskList } from './parse.js';
import type { Task } from './task.js';
import { writeParsed, type TaskChange, type WriteOptions } from './write-task-list.js';

export type { TaskList } from './parse.js';
export type { TaskChange, WriteOptions } from './write-task-list.js';
export { renderTaskList } from './render-task-list.js';

/** Where each task sits in the source, kept for the list objects this module handed out. */
const parsedLists = new WeakMap<TaskList, ParsedTaskList>();

/**
 * Parses task-list.md text. Throws HarnessError BAD_TASK_LIST with `file` and the 1-based `line`
 * (in the whole file, front matter included) for a task without a path, an unsafe or duplicate
 * path, broken front matter or a malformed harness comment.
 */
export function parseTaskList(source: string, file: string = DEFAULT_FILE): TaskList {
  const parsed = parseSource(source, file);
  parsedLists.set(parsed.list, parsed);
  return parsed.list;
}

/**
 * New file text: `changes` keyed by task path; only the lines of changed tasks are rewritten
 * (their checkbox and their bookkeeping comment), every other byte is kept. With no changes the
 * result is byte-identical to `list.source`. `normalize: true` additionally writes full
 * bookkeeping on every task line that lacks it (so ids become fixed). status 'done' ⇒ checked
 * true unless overridden (any other status ⇒ unchecked). Changes for paths not in the list and
 * changes that change nothing are ignored.
 */
export function writeTaskList(list: TaskList, changes?: ReadonlyMap<string, TaskChange>, options?: WriteOptions): string {
  let parsed = parsedLists.get(list);
  if (!parsed || parsed.list.source !== list.source) parsed = parseSource(list.source, list.file);
  return writeParsed(parsed, changes, options);
}

/** Tasks still to generate (status pending), in file order. */
export function pendingTasks(list: TaskList): Task[] {
  return list.tasks.filter((t) => t.status === 'pending');
}

/**
 * Reads and parses <repoDir>/<file>; a missing file is BAD_TASK_LIST "no task-list.md (run harness
 * init)". `earlier`, a list this module parsed before, is returned as it is when the file still
 * holds its text byte for byte (no second parse).
 */
export async function readTaskListFile(repoDir: string, file: string = TASK_LIST_FILE, earlier?: TaskList): Promise<TaskList> {
  const source = await readTaskListText(repoDir, file);
  if (earlier && earlier.file === file && earlier.source === source && parsedLists.has(earlier)) return earlier;
  return parseTaskList(source, file);
}

/** Writes <repoDir>/task-list.md atomically (temporary file in the same directory, then rename). */
export async function writeTaskListFile(repoDir: string, text: string): Promise<void> {
  await writeTextAtomic(path.join(repoDir, TASK_LIST_FILE), text);
}
