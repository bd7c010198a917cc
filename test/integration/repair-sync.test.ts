/**
 * `verify.repairWith: 'sync'` (issue 15 item 4): repairSync asks each file under repair again with
 * one streaming call carrying its current content and diagnostics, writes it and commits
 * `harness: repair <path>`. Driven here through a tiny harness (a workspace opened in-process after
 * a `harness run` against the emulator and a `verified` event as the verify step would record it).
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defectResponder, placeholderFile, placeholderResponder, type ResponderRequest } from '../../src/emulator/index.js';
import { loadConfig } from '../../src/config/load.js';
import { repairSync } from '../../src/pipeline/repair-sync.js';
import { openWorkspace } from '../../src/pipeline/workspace.js';
import { readJournal } from '../../src/state/journal.js';
import { repairsPending } from '../../src/verify/repair-state.js';
import { git } from '../helpers/git.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { commitSubjects, makeTarget } from '../helpers/target.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const FILE = 'src/models/user.ts';
const DIAGNOSTIC = "src/models/user.ts(9,14): error TS2322: Type 'string' is not assignable to type 'number'.";
const DEFECT = "export const broken: number = 'defect';";

/** What the verify step records when the check names FILE (tsc's diagnostic): a `verified` event. */
async function recordFailedCheck(repo: string): Promise<void> {
  const verified = {
    type: 'verified',
    at: new Date().toISOString(),
    command: 'tsc --noEmit',
    passed: false,
    exitCode: 2,
    signal: null,
    timedOut: false,
    output: DIAGNOSTIC,
    repairs: { [FILE]: [DIAGNOSTIC] },
    failed: {},
    other: [],
  };
  await appendFile(path.join(repo, '.harness/journal.jsonl'), `${JSON.stringify(verified)}\n`);
}

describe('repairSync', () => {
  it('repairs a broken file with one streaming call quoting its content and diagnostics, commits `harness: repair <path>`, and nothing else is asked', async () => {
    const seen: ResponderRequest[] = [];
    const inner = defectResponder({ path: FILE, diagnostic: DIAGNOSTIC, defect: DEFECT });
    h = await withEmulator({
      responder: (req) => {
        seen.push(req);
        return inner(req);
      },
    });
    const repo = await makeTarget();
    const run = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(run.code, run.stderr).toBe(0);
    const broken = await readFile(path.join(repo, FILE), 'utf8');
    expect(broken).toContain(DEFECT);

    await recordFailedCheck(repo);
    const needs = [...repairsPending(await readJournal(repo)).values()];
    expect(needs.map((n) => n.path)).toEqual([FILE]);

    const { config, file } = await loadConfig(repo);
    const ws = await openWorkspace({ repoDir: repo, config, configFile: file, env: { ...process.env, ...h.env } });
    const asked = seen.length;
    const posts = h.emulator.log().filter((e) => e.method === 'POST').length;
    const result = await repairSync(ws, needs);

    expect(result.repaired).toEqual([FILE]);
    expect(result.costUsd).toBeGreaterThan(0);
    const fixed = await readFile(path.join(repo, FILE), 'utf8');
    expect(fixed).toBe(placeholderFile(FILE, 'User entity with validation'));
    // One synchronous streaming call, nothing else.
    const calls = h.emulator.log().filter((e) => e.method === 'POST');
    expect(calls.slice(posts).map((e) => e.path)).toEqual(['/v1/messages']);
    expect(seen.length).toBe(asked + 1);
    const request = seen.at(-1)!;
    expect(request.mode).toBe('sync');
    const blocks = request.params.messages[0]!.content as { text: string; cache_control?: unknown }[];
    const last = blocks.at(-1)!.text;
    expect(last).toContain(DIAGNOSTIC);
    expect(last).toContain(broken);
    expect(last).toMatch(/without breaking what the plan promises/);
    expect(blocks.at(-1)!.cache_control).toBeUndefined();
    expect(blocks.slice(0, -1).every((b) => b.cache_control)).toBe(true);
    // Committed like refine: the file, the journal and the task list, with the cost trailer.
    expect(commitSubjects(repo)[0]).toBe(`harness: repair ${FILE}`);
    expect(git(repo, 'log', '-1', '--format=%B')).toMatch(/Harness-Cost-USD: /);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const journal = await readJournal(repo);
    expect(repairsPending(journal).size).toBe(0);
    const call = journal.events.at(-1)!;
    // Counted apart from refine: purpose `repair`.
    expect(call).toMatchObject({ type: 'call', purpose: 'repair', path: FILE });
    expect(await readFile(path.join(repo, 'task-list.md'), 'utf8')).toMatch(/- \[x\] `src\/models\/user\.ts`/);
  });

  it('a reply without the file leaves it under repair (the call is journaled without the path, the journal committed)', async () => {
    h = await withEmulator({ responder: placeholderResponder() });
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--max-tokens', '8000')).code).toBe(0);
    await recordFailedCheck(repo);
    const { config, file } = await loadConfig(repo, { overrides: { syncMaxTokens: 5 } });
    const ws = await openWorkspace({ repoDir: repo, config, configFile: file, env: { ...process.env, ...h.env } });
    const result = await repairSync(ws, [...repairsPending(await readJournal(repo)).values()]);
    expect(result.repaired).toEqual([]);
    expect(commitSubjects(repo)[0]).toMatch(/^harness: repair src\/models\/user\.ts \(no complete section \(stop_reason max_tokens\)\)$/);
    expect([...repairsPending(await readJournal(repo)).keys()]).toEqual([FILE]);
  });
});

describe('repairSync and a refusal', () => {
  it('a reply the model refused after a complete section writes nothing from it: the file stays under repair, the reason says the model refused', async () => {
    // The section for the file closes within the first 2,000 characters; then the stream stops with a refusal.
    h = await withEmulator({ responder: placeholderResponder() });
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--max-tokens', '8000')).code).toBe(0);
    await recordFailedCheck(repo);
    const before = await readFile(path.join(repo, FILE), 'utf8');
    h.emulator.setFaults({ http: [{ kind: 'refusal', afterChars: 2000 }] });
    const { config, file } = await loadConfig(repo);
    const ws = await openWorkspace({ repoDir: repo, config, configFile: file, env: { ...process.env, ...h.env } });
    const result = await repairSync(ws, [...repairsPending(await readJournal(repo)).values()]);
    expect(result.repaired).toEqual([]);
    expect(result.costUsd).toBeGreaterThan(0); // billed all the same
    expect(await readFile(path.join(repo, FILE), 'utf8')).toBe(before);
    expect(commitSubjects(repo)[0]).toBe(`harness: repair ${FILE} (the model refused (stop_reason refusal))`);
    expect([...repairsPending(await readJournal(repo)).keys()]).toEqual([FILE]);
    expect(h.emulator.log().filter((e) => e.fault === 'refusal')).toHaveLength(1);
  });
});

describe('repair requests in a batch (repairWith: batch)', () => {
  it('a task under repair that is pending again goes out in a batch whose request carries its content and diagnostics; nothing else is asked again', async () => {
    const seen: ResponderRequest[] = [];
    const inner = defectResponder({ path: FILE, diagnostic: DIAGNOSTIC, defect: DEFECT });
    h = await withEmulator({
      responder: (req) => {
        seen.push(req);
        return inner(req);
      },
    });
    const repo = await makeTarget();
    expect((await h.run(repo, 'run', '--max-tokens', '8000')).code).toBe(0);
    const broken = await readFile(path.join(repo, FILE), 'utf8');
    const first = seen.filter((r) => r.mode === 'batch').at(-1)!;
    await recordFailedCheck(repo);
    // The verify step puts the task back to pending (here: unticked by hand).
    const list = path.join(repo, 'task-list.md');
    await writeFile(list, (await readFile(list, 'utf8')).replace(`- [x] \`${FILE}\``, `- [ ] \`${FILE}\``));
    git(repo, 'commit', '-qam', 'verify: src/models/user.ts back to pending');
    const asked = seen.length;
    const again = await h.run(repo, 'run', '--max-tokens', '8000');
    expect(again.code, again.stderr).toBe(0);
    const repairs = seen.slice(asked).filter((r) => r.mode === 'batch' && JSON.stringify(r.params).includes(`Repair of \`${FILE}\``));
    expect(repairs).toHaveLength(1);
    const blocks = repairs[0]!.params.messages[0]!.content as { text: string; cache_control?: unknown }[];
    const last = blocks.at(-1)!.text;
    expect(last).toContain(DIAGNOSTIC);
    expect(last).toContain(broken);
    expect(blocks.at(-1)!.cache_control).toBeUndefined();
    // Only the file under repair was asked again, and it came back clean.
    expect(seen.slice(asked).filter((r) => r.mode === 'batch' && JSON.stringify(r.params).includes('## Files to write'))).toHaveLength(1);
    expect(await readFile(path.join(repo, FILE), 'utf8')).toBe(placeholderFile(FILE, 'User entity with validation'));
    // The same system prompt as every batch request (the cached blocks are held byte for byte by test/requests/repair-request.test.ts).
    expect(repairs[0]!.params.system).toEqual(first.params.system);
    // A batch of its own, journaled with purpose `repair`: its cost is shown apart.
    const intents = (await readJournal(repo)).batches.map((b) => b.intent.purpose);
    expect(intents).toEqual(['tasks', 'repair']);
  });
});
