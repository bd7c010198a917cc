/** Target repos for integration tests: a small codebase and a task list, committed. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { placeholderFile } from '../../src/emulator/index.js';
import { git, makeRepo } from './git.js';

export interface TaskSpec {
  path: string;
  description: string;
  group: string;
}

export const TASKS: TaskSpec[] = [
  { path: 'src/models/user.ts', description: 'User entity with validation', group: 'Models' },
  { path: 'src/models/order.ts', description: 'Order entity with validation', group: 'Models' },
  { path: 'src/services/user.service.ts', description: 'in-memory user service', group: 'Services' },
  { path: 'src/services/order.service.ts', description: 'in-memory order service', group: 'Services' },
  { path: 'test/user.test.ts', description: 'tests for the user service', group: 'Tests' },
  { path: 'test/order.test.ts', description: 'tests for the order service', group: 'Tests' },
];

export function taskListText(tasks: readonly TaskSpec[] = TASKS): string {
  let out = '# Tasks\n';
  let group: string | null = null;
  for (const t of tasks) {
    if (t.group !== group) {
      out += `\n## ${t.group}\n\n`;
      group = t.group;
    }
    out += `- [ ] \`${t.path}\` — ${t.description}\n`;
  }
  return out;
}

export async function makeTarget(options: { tasks?: readonly TaskSpec[]; files?: Record<string, string> } = {}): Promise<string> {
  return makeRepo({
    'package.json': '{ "name": "target", "type": "module" }\n',
    'src/app.ts': 'export function route(path: string) {\n  return path;\n}\n',
    ...options.files,
    'task-list.md': taskListText(options.tasks ?? TASKS),
  });
}

/** Asserts every task's file holds exactly the offline responder's content. */
export async function expectedFiles(repo: string, tasks: readonly TaskSpec[] = TASKS): Promise<{ path: string; ok: boolean }[]> {
  return Promise.all(
    tasks.map(async (t) => {
      const actual = await readFile(path.join(repo, t.path), 'utf8').catch(() => null);
      return { path: t.path, ok: actual === placeholderFile(t.path, t.description) };
    }),
  );
}

export const commitSubjects = (repo: string): string[] => git(repo, 'log', '--format=%s').trim().split('\n');

/** How many commits touched each path. */
export function commitsPerPath(repo: string): Map<string, number> {
  const out = git(repo, 'log', '--format=', '--name-only');
  const m = new Map<string, number>();
  for (const line of out.split('\n')) if (line.trim()) m.set(line, (m.get(line) ?? 0) + 1);
  return m;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read the status document field by field
export async function statusJson(run: (...args: string[]) => Promise<{ code: number | null; stdout: string }>): Promise<any> {
  const r = await run('status', '--json');
  if (r.code !== 0) throw new Error(`status exited ${r.code}`);
  return JSON.parse(r.stdout);
}

/** A codebase big enough to be cached (above every model's shortest cached prefix): `files` modules of 30 small functions. */
export function cacheableCodebase(files = 24): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < files; i++) {
    out[`src/lib/module${String(i).padStart(2, '0')}.ts`] = Array.from(
      { length: 30 },
      (_, j) => `export function handler${i}_${j}(input: number): number {\n  return input * ${j} + ${i};\n}\n`,
    ).join('\n');
  }
  return out;
}
