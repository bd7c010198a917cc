/**
 * The `list` planner: the spec is itself a task list (the task-list.md format: headings and
 * `- [ ] \`path\` — description` lines). It is validated exactly like task-list.md.
 */
import { HarnessError, isHarnessError } from '../shared/errors.js';
import { parseTaskList, type TaskList } from '../tasks/task-list.js';
import { planFromTaskList, type Plan } from './index.js';

/**
 * Invalid content is HarnessError BAD_SPEC with `specFile` and the line (exit 2); a spec with no
 * task line is BAD_SPEC naming the file.
 */
export function planFromSpec(specText: string, specFile: string): Plan {
  let list: TaskList;
  try {
    list = parseTaskList(specText, specFile);
  } catch (error) {
    if (!isHarnessError(error)) throw error;
    throw new HarnessError('BAD_SPEC', error.message, {
      file: error.file ?? specFile,
      ...(error.line === undefined ? {} : { line: error.line }),
      hint: error.hint ?? 'with the list planner the spec is a task list: lines like - [ ] `src/a.ts` — what it is',
      cause: error,
    });
  }
  if (list.tasks.length === 0) {
    throw new HarnessError('BAD_SPEC', 'the spec has no task lines', {
      file: specFile,
      hint: 'with the list planner the spec is a task list: lines like - [ ] `src/a.ts` — what it is (or use --planner llm to plan from prose)',
    });
  }
  return planFromTaskList(list);
}
