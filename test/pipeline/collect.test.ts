/**
 * The collect's effects, run with fakes for its ports: results from a list, an in-memory journal,
 * a git that records its commits, a fixed clock. Files and task-list.md are real, in a temporary
 * directory (no git repository, no API, no subprocess).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BatchResultLine } from '../../src/batch/api.js';
import { defaultConfig } from '../../src/config/schema.js';
import type { GitRepo } from '../../src/git/repo.js';
import { resolveModel } from '../../src/models/models.js';
import { collectBatch, type CollectDeps, type CollectWorkspace } from '../../src/pipeline/collect.js';
import { sha256 } from '../../src/pipeline/targets.js';
import { STATE_GITIGNORE } from '../../src/state/files.js';
import { foldJournal, JOURNAL_FILE, journalEventSchema, type JournalEvent, type JournalEventInput } from '../../src/state/journal.js';
import { parseTaskList } from '../../src/tasks/task-list.js';
import { makeTempDir } from '../helpers/tmp.js';
import { ended, errored, generated, NOW, section, submittedEvents, succeeded, writeSubmittedList } from './collect-fixtures.js';

class MemoryJournal {
  readonly events: JournalEvent[] = [];
  append = async (_repoDir: string, event: JournalEventInput): Promise<void> => {
    this.events.push(journalEventSchema.parse(event));
  };
  read = async () => foldJournal([...this.events]);
}

class FakeGit implements GitRepo {
  readonly commits: { paths: readonly string[]; message: string; trailers?: Record<string, string> }[] = [];
  constructor(readonly dir: string) {}
  async commit(paths: readonly string[], message: string, trailers?: Record<string, string>): Promise<string> {
    this.commits.push({ paths, message, ...(trailers ? { trailers } : {}) });
    return `c${this.commits.length}`;
  }
  async dirtyPaths(): Promise<string[]> {
    return [];
  }
  async checkIgnored(): Promise<[]> {
    return [];
  }
  async findCommitWithTrailer(): Promise<null> {
    return null;
  }
  async log(): Promise<string[]> {
    return [];
  }
}

let repo: string;
let journal: MemoryJournal;
let git: FakeGit;
let messages: string[];
let ws: CollectWorkspace;

beforeEach(async () => {
  repo = await makeTempDir('harness-collect-');
  journal = new MemoryJournal();
  git = new FakeGit(repo);
  messages = [];
  ws = {
    repoDir: repo,
    config: { ...defaultConfig, attempts: 2 },
    configLabel: 'defaults',
    model: resolveModel(defaultConfig.model, defaultConfig.models, 'defaults'),
    git,
    reporter: { info: (m) => messages.push(`info: ${m}`), warn: (m) => messages.push(`warn: ${m}`), progress() {} },
    repoPath: (p) => p,
  };
});

/** task-list.md with `paths`, each submitted in b1; the journal with b1's intent and its submit. */
async function submitted(paths: string[], requests: Record<string, string[]>, targets: Record<string, string | null>): Promise<void> {
  await writeSubmittedList(repo, paths);
  for (const e of submittedEvents(requests, targets)) await journal.append(repo, e);
}

function deps(lines: BatchResultLine[]): CollectDeps {
  return {
    results: async () =>
      (async function* () {
        yield* lines;
      })(),
    appendJournal: journal.append,
    readJournal: journal.read,
    now: () => NOW,
  };
}

const record = async () => (await journal.read()).batches.find((b) => b.batchId === 'b1')!;
const tasksNow = async () => new Map(parseTaskList(await readFile(path.join(repo, 'task-list.md'), 'utf8')).tasks.map((t) => [t.path, t]));
const read = (p: string) => readFile(path.join(repo, p), 'utf8');

describe('collectBatch with fake ports', () => {
  it('writes, keeps a conflict aside, records every fate, updates task-list.md and commits once', async () => {
    await mkdir(path.join(repo, 'src'), { recursive: true });
    await writeFile(path.join(repo, 'src/f.ts'), 'mine\n'); // created by the person while the batch ran
    await submitted(
      ['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'src/e.ts', 'src/f.ts', 'src/renamed.ts'],
      {
        r1: ['src/a.ts', 'src/b.ts', 'src/f.ts'],
        r2: ['src/c.ts'],
        r3: ['src/d.ts'],
        r4: ['src/e.ts'],
      },
      { 'src/a.ts': null, 'src/f.ts': null },
    );

    const lines = [
      succeeded('r1', `${section('src/a.ts')}${section('src/f.ts')}<<<FILE src/b.ts>>>\nexport`, 'max_tokens'),
      errored('r2', 'invalid_request_error', 'prompt is too long'),
      ended('r3', 'canceled'),
    ];
    const outcome = await collectBatch(ws, await record(), deps(lines));

    expect(await read('src/a.ts')).toBe(generated('src/a.ts'));
    expect(await read('src/f.ts')).toBe('mine\n');
    expect(await read('.harness/conflicts/b1/src/f.ts')).toBe(generated('src/f.ts'));
    expect(existsSync(path.join(repo, 'src/b.ts'))).toBe(false);

    expect(journal.events.map((e) => e.type)).toEqual(['intent', 'submitted', 'collect', 'collected']);
    const collected = journal.events[3]!;
    expect(collected).toMatchObject({
      at: NOW,
      batchId: 'b1',
      files: [{ path: 'src/a.ts', sha256: sha256(generated('src/a.ts')) }],
      counts: { succeeded: 1, errored: 1, canceled: 1, expired: 0 },
      conflicts: [{ path: 'src/f.ts', kept: '.harness/conflicts/b1/src/f.ts' }],
      // A write's outcome is recorded once it and every earlier write have finished: after the
      // fates decided without a write that came in the meantime.
      report: [
        'src/b.ts: output cut at max_tokens',
        'r2: errored: invalid_request_error: prompt is too long',
        'src/f.ts: changed since b1 was submitted: left as it is; the generated version is in .harness/conflicts/b1/src/f.ts',
        'r4: no result line',
      ],
    });

    const tasks = await tasksNow();
    const fate = (p: string) => {
      const t = tasks.get(p)!;
      return [t.status, t.checked, t.attempts];
    };
    expect(fate('src/a.ts')).toEqual(['done', true, 1]);
    expect(fate('src/b.ts')).toEqual(['pending', false, 1]);
    expect(fate('src/c.ts')).toEqual(['failed', false, 1]);
    expect(tasks.get('src/c.ts')?.reason).toBe('invalid request: prompt is too long');
    expect(fate('src/d.ts')).toEqual(['pending', false, 0]);
    expect(fate('src/e.ts')).toEqual(['pending', false, 0]);
    expect(fate('src/f.ts')).toEqual(['failed', false, 1]);
    expect(fate('src/renamed.ts')).toEqual(['pending', false, 0]);

    expect(git.commits).toEqual([
      {
        paths: ['src/a.ts', 'task-list.md', JOURNAL_FILE, STATE_GITIGNORE],
        message: 'harness: collect b1 (1 files)',
        trailers: { 'Harness-Batch': 'b1', 'Harness-Cost-USD': expect.stringMatching(/^0\.\d{4}$/) },
      },
    ]);
    expect(messages).toContain('warn: 1 task marked submitted in b1 had no result (renamed since?): back to pending');
    expect(messages.at(-1)).toMatch(/^info: collected b1: 1 file, 1 task done, 1 conflict, \$0\.\d{4}$/);
    expect(outcome).toMatchObject({ batchId: 'b1', files: 1, counts: { succeeded: 1, errored: 1, canceled: 1, expired: 0 } });
    expect(outcome.costUsd).toBeGreaterThan(0);
  });

  it('redone after a crash: no second `collect` event, the temporary files of the killed writes go, its own earlier write is no conflict', async () => {
    await submitted(['src/a.ts'], { r1: ['src/a.ts'] }, { 'src/a.ts': null });
    await journal.append(repo, { type: 'collect', at: NOW, batchId: 'b1' });
    await mkdir(path.join(repo, 'src'), { recursive: true });
    await writeFile(path.join(repo, 'src/a.ts'), generated('src/a.ts')); // written before the crash
    await writeFile(path.join(repo, 'src/.a.ts.99999.0123456789ab.tmp'), 'half');

    await collectBatch(ws, await record(), deps([succeeded('r1', section('src/a.ts'))]));

    expect(journal.events.map((e) => e.type)).toEqual(['intent', 'submitted', 'collect', 'collected']);
    expect(existsSync(path.join(repo, 'src/.a.ts.99999.0123456789ab.tmp'))).toBe(false);
    expect(messages[0]).toBe('info: removed 1 temporary file(s) left by the interrupted collect of b1');
    expect((await tasksNow()).get('src/a.ts')).toMatchObject({ status: 'done', checked: true });
    expect(git.commits.map((c) => c.message)).toEqual(['harness: collect b1 (1 files)']);
  });
});
