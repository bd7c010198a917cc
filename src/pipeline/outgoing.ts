/**
 * The secret check of the task list, which every batch request carries (its descriptions, and the
 * plan: title, headings, every task). Called where requests are built, so nothing built from a
 * task list with a secret in it is sent, estimated (count_tokens sends too) or written as a dry run.
 * Findings are `task-list.md:LINE: kind`; `secrets.allow` entries such as `task-list.md:12` apply.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { findSecrets, secretsError, type SecretFinding } from '../repo/secrets.js';
import { TASK_LIST_FILE } from '../shared/paths.js';
import type { Task } from '../tasks/task.js';
import type { Workspace } from './workspace.js';

/**
 * Checks task-list.md as it is on disk and, line by line, the `tasks` about to be sent (they may
 * not be on disk yet: `init --dry-run` plans without writing the list).
 */
export async function assertTaskListClean(ws: Workspace, tasks: readonly Pick<Task, 'path' | 'description' | 'line'>[]): Promise<void> {
  const file = path.join(ws.repoDir, TASK_LIST_FILE);
  const texts = [];
  if (existsSync(file)) texts.push({ path: TASK_LIST_FILE, content: await readFile(file, 'utf8') });
  // The tasks at their own lines (blank lines between), so findings name the task's line.
  const lines: string[] = [];
  for (const t of tasks) {
    while (lines.length < t.line - 1) lines.push('');
    lines[t.line - 1] = `- [ ] \`${t.path}\` — ${t.description}`;
  }
  if (lines.length > 0) texts.push({ path: TASK_LIST_FILE, content: lines.join('\n') + '\n' });
  const found = await findSecrets(texts, { allow: ws.config.secrets.allow, env: ws.env });
  const seen = new Set<string>();
  const findings: SecretFinding[] = [];
  for (const f of found) {
    const key = `${f.line}:${f.ruleId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(f);
  }
  if (findings.length > 0) throw secretsError(findings, { source: TASK_LIST_FILE });
}
