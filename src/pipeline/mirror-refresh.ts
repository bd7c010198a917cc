/**
 * The effect half of the mirror refresh (the decision is src/planners/mirror-decide.ts): scan
 * today's sources, decide, then write task-list.md and `.harness/mirror.json` and commit them
 * (`harness: mirror refresh (...)`). Runs at the start of every `run` when the config's planner is
 * `mirror` and `mirror.refresh` is not `off`, so a nightly job picks up new and changed sources
 * without a second `init`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { mergePlan } from '../planners/merge.js';
import { planMirrorWithSources } from '../planners/mirror.js';
import { decideMirrorRefresh } from '../planners/mirror-decide.js';
import { scanOptionsOf, scanRepo } from '../repo/scan.js';
import { HARNESS_STATE_DIR, TASK_LIST_FILE } from '../shared/paths.js';
import { ensureStateGitignore, STATE_GITIGNORE } from '../state/files.js';
import { readJournal } from '../state/journal.js';
import { parseTaskList, readTaskListFile, writeTaskList, writeTaskListFile, type TaskChange } from '../tasks/task-list.js';
import type { Workspace } from './workspace.js';

const MIRROR_RECORD_FILE = `${HARNESS_STATE_DIR}/mirror.json`;

const recordSchema = z.object({ version: z.literal(1), sources: z.record(z.string(), z.string()) });

export interface MirrorRefreshResult {
  added: number;
  requeued: string[];
  edited: string[];
}

type RefreshWorkspace = Pick<Workspace, 'repoDir' | 'config' | 'configLabel' | 'git' | 'reporter' | 'repoPath'>;

export async function refreshMirror(ws: RefreshWorkspace): Promise<MirrorRefreshResult | null> {
  const { config } = ws;
  if (config.planner !== 'mirror' || config.mirror.refresh === 'off' || config.mirror.rules.length === 0) return null;
  if (!existsSync(path.join(ws.repoDir, TASK_LIST_FILE))) return null;
  const scan = await scanRepo(ws.repoDir, scanOptionsOf(config));
  const { plan, sourceOf } = planMirrorWithSources(
    scan.files.map((f) => f.path),
    config.mirror.rules,
    ws.configLabel,
  );
  // Every scanned file's hash: the sources', and the targets' own (to see whether they were edited).
  const sourceSha = new Map(scan.files.map((f) => [f.path, sha256(f.content)]));
  const list = await readTaskListFile(ws.repoDir);
  const recorded = await readRecord(ws.repoDir);
  const written = await lastWritten(ws.repoDir);
  const decision = decideMirrorRefresh({
    plan,
    sourceOf,
    tasks: list.tasks,
    sourceSha,
    recorded,
    mode: config.mirror.refresh,
    generatedIntact: (target) => {
      const expected = written.get(ws.repoPath(target));
      if (expected === undefined) return false;
      return sourceSha.get(ws.repoPath(target)) === expected;
    },
  });

  const changes = new Map<string, TaskChange>(
    decision.requeue.map((p) => [p, { checked: false, status: 'pending', attempts: 0, batch: null, reason: null }]),
  );
  const requeued = changes.size > 0 ? writeTaskList(list, changes) : list.source;
  const text = mergePlan(parseTaskList(requeued, list.file), decision.additions);
  const added = decision.additions.groups.reduce((n, g) => n + g.tasks.length, 0);
  const recordText = `${JSON.stringify({ version: 1, sources: sortKeys(decision.record) }, null, 2)}\n`;
  const recordPath = path.join(ws.repoDir, MIRROR_RECORD_FILE);
  const recordBefore = existsSync(recordPath) ? await readFile(recordPath, 'utf8') : null;
  if (text === list.source && recordText === recordBefore) return { added, requeued: [], edited: decision.edited };

  if (text !== list.source) await writeTaskListFile(ws.repoDir, text);
  await mkdir(path.dirname(recordPath), { recursive: true });
  await writeFile(recordPath, recordText);
  await ensureStateGitignore(ws.repoDir);
  const what = text === list.source ? 'source hashes recorded' : `${added} new, ${decision.requeue.length} re-queued`;
  await ws.git.commit([TASK_LIST_FILE, MIRROR_RECORD_FILE, STATE_GITIGNORE], `harness: mirror refresh (${what})`);
  if (added > 0) ws.reporter.info(`mirror: ${added} new task(s) for new sources`);
  for (const p of decision.requeue) ws.reporter.info(`mirror: ${p} re-queued: its source changed`);
  for (const p of decision.edited) {
    ws.reporter.warn(`mirror: the source of ${p} changed, but ${p} was edited since it was generated: left as it is (untick it to regenerate)`);
  }
  return { added, requeued: decision.requeue, edited: decision.edited };
}

async function readRecord(repoDir: string): Promise<Record<string, string>> {
  const file = path.join(repoDir, MIRROR_RECORD_FILE);
  if (!existsSync(file)) return {};
  const parsed = recordSchema.safeParse(JSON.parse(await readFile(file, 'utf8').catch(() => '{}')));
  // An unreadable record only costs a first look again (nothing is re-queued on a first look).
  return parsed.success ? parsed.data.sources : {};
}

/** Repo path → sha256 of what the harness last wrote there (the latest collect that wrote it). */
async function lastWritten(repoDir: string): Promise<Map<string, string>> {
  const journal = await readJournal(repoDir);
  const out = new Map<string, string>();
  for (const e of journal.events) if (e.type === 'collected') for (const f of e.files) out.set(f.path, f.sha256);
  return out;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

const sortKeys = (r: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
