/**
 * Verify and repair under SIGKILL, against the emulator: the harness is killed after the
 * verification was recorded but before its commit, while the verify command runs, and between the
 * create of a repair batch and its record. The resume neither loses the verification result (the
 * broken file is repaired, the command is not run again for a result already recorded) nor pays
 * twice (batches counted at the emulator, each task asked exactly as often as it must be).
 *
 * The emulator answers `src/models/user.ts` with a defect line until a request quotes the check's
 * diagnostic (defectResponder); the check (a node script in the repo) fails naming the file while
 * the defect is in it.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defectResponder } from '../../src/emulator/index.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { git } from '../helpers/git.js';
import { commitSubjects, makeTarget, statusJson } from '../helpers/target.js';
import { makeTempDir } from '../helpers/tmp.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const USER = 'src/models/user.ts';
const DIAGNOSTIC = `${USER}(3,1): error TS1005: ';' expected.`;
/** The check prints DIAGNOSTIC, built from two halves: the check is in the codebase every request carries, and a request that quotes DIAGNOSTIC gets the clean file. */
const [HEAD, TAIL] = [DIAGNOSTIC.slice(0, 20), DIAGNOSTIC.slice(20)];

interface Check {
  /** One line per run of the check (appended when it starts). */
  log: string;
  /** While this file exists, the check sleeps 20 s before it judges. */
  slow: string;
  files: Record<string, string>;
}

async function checkRepo(): Promise<Check> {
  const dir = await makeTempDir('verify-crash-');
  const log = path.join(dir, 'runs');
  const slow = path.join(dir, 'slow');
  const script = `import { appendFileSync, existsSync, readFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(log)}, 'run\\n');
if (existsSync(${JSON.stringify(slow)})) await new Promise((r) => setTimeout(r, 20_000));
if (readFileSync(${JSON.stringify(USER)}, 'utf8').includes('DEFECT')) { console.log(${JSON.stringify(HEAD)} + ${JSON.stringify(TAIL)}); process.exit(2); }
console.log('ok');
`;
  const config = `export default { cache: { warmup: false }, verify: { command: 'node check.mjs' } };\n`;
  return { log, slow, files: { 'harness.config.mjs': config, 'check.mjs': script } };
}

const runsOf = async (c: Check): Promise<number> => (existsSync(c.log) ? (await readFile(c.log, 'utf8')).split('\n').filter(Boolean).length : 0);

/** Each tasks batch's paths from the journal, in submit order. */
async function intents(repo: string): Promise<{ purpose: string; paths: string[] }[]> {
  const lines = (await readFile(path.join(repo, '.harness', 'journal.jsonl'), 'utf8')).trim().split('\n');
  return lines
    .map((l) => JSON.parse(l) as { type: string; purpose?: string; requests?: { paths: string[] }[] })
    .filter((e) => e.type === 'intent')
    .map((e) => ({ purpose: e.purpose ?? 'tasks', paths: e.requests!.flatMap((r) => r.paths) }));
}

const verifiedEvents = async (repo: string) =>
  (await readFile(path.join(repo, '.harness', 'journal.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; passed?: boolean; repairs?: Record<string, string[]> })
    .filter((e) => e.type === 'verified');

/** The end every scenario must reach: one repair batch of user.ts alone, the check passing, all committed. */
async function expectRepairedOnce(repo: string, harness: Harness): Promise<void> {
  expect(await readFile(path.join(repo, USER), 'utf8')).not.toContain('DEFECT');
  const batches = await intents(repo);
  expect(harness.emulator.stats().batchesCreated).toBe(batches.length);
  expect(batches.map((b) => b.paths.filter((p) => p === USER).length)).toEqual([1, 1]);
  expect(batches[1]!.paths).toEqual([USER]);
  expect(batches.map((b) => b.purpose)).toEqual(['tasks', 'repair']);
  const events = await verifiedEvents(repo);
  expect(events.map((e) => e.passed)).toEqual([false, true]);
  expect(Object.keys(events[0]!.repairs!)).toEqual([USER]);
  expect(git(repo, 'status', '--porcelain')).toBe('');
  const s = await statusJson((...a) => harness.run(repo, ...a));
  expect(s.counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
  expect(s.verify).toMatchObject({ command: 'node check.mjs', passed: true, failing: [] });
  // The repair batch's cost is counted apart, and is part of the whole.
  const repair = s.batches.find((b: { purpose: string }) => b.purpose === 'repair');
  expect(repair.cost_usd).toBeGreaterThan(0);
  expect(s.repair_cost_usd).toBeCloseTo(repair.cost_usd, 6);
  expect(s.cost_usd).toBeGreaterThan(s.repair_cost_usd);
  expect((await harness.run(repo, 'status')).stdout).toContain(`of which repairs (verify): $`);
  // What the journal says was paid is what the emulator billed.
  const billed = harness.emulator.stats().usage;
  for (const k of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
    expect(s.usage[k], k).toBe(billed[k]);
  }
}

const RUN = ['run', '--max-tokens', '8000'];

/** The emulator (answers the defect until a request quotes the diagnostic), the check and a target repo. */
async function setUp(): Promise<{ harness: Harness; c: Check; repo: string }> {
  h = await withEmulator({ responder: defectResponder({ path: USER, diagnostic: DIAGNOSTIC }) });
  const c = await checkRepo();
  return { harness: h, c, repo: await makeTarget({ files: c.files }) };
}

/** `run`, SIGKILLed by the harness itself at `failpoint`. */
async function killedAt(harness: Harness, repo: string, failpoint: string): Promise<void> {
  const killed = await harness.start(repo, RUN, { HARNESS_FAILPOINT: failpoint }).done;
  expect(killed.signal).toBe('SIGKILL');
}

/** `run` started with the check made slow, once the check is running: the CLI to stop. */
async function whileTheCheckRuns(harness: Harness, repo: string, c: Check) {
  await writeFile(c.slow, '');
  const cli = harness.start(repo, RUN);
  const deadline = Date.now() + 30_000;
  while ((await runsOf(c)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(await runsOf(c)).toBe(1);
  return cli;
}

/** The next `run`, which must end 0. */
async function resume(harness: Harness, repo: string) {
  const resumed = await harness.run(repo, ...RUN);
  expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
  return resumed;
}

describe('verify and repair under SIGKILL', () => {
  for (const point of ['verify:recorded', 'verify:task-list-written']) {
    it(`SIGKILL at ${point}: the resume writes the repair marks the crash lost, without running the check again for it`, async () => {
      const { harness, c, repo } = await setUp();
      await killedAt(harness, repo, point);
      expect(await runsOf(c)).toBe(1);
      const resumed = await resume(harness, repo);
      expect(resumed.stderr).toContain('finishing the interrupted verification');
      // The failing run recorded before the crash, then the one after the repair: no third.
      expect(await runsOf(c)).toBe(2);
      expect(commitSubjects(repo)).toContain('harness: verify (1 to repair) (recovered after a crash)');
      await expectRepairedOnce(repo, harness);
    });
  }

  it('a task list edited by hand after the crash is not written over: the marks are not replayed, the run says so and ends with 3', async () => {
    const { harness, c, repo } = await setUp();
    await killedAt(harness, repo, 'verify:recorded');
    const file = path.join(repo, 'task-list.md');
    const edited = (await readFile(file, 'utf8')).replace('User entity with validation', 'User entity with validation (accepted as it is)');
    await writeFile(file, edited);
    const resumed = await harness.run(repo, ...RUN);
    expect(resumed.code, resumed.stderr).toBe(3);
    expect(resumed.stderr).toContain('its marks are not written over your edit');
    expect(await readFile(file, 'utf8')).toBe(edited);
    expect(harness.emulator.stats().batchesCreated).toBe(1);
    expect(await runsOf(c)).toBe(1);
  });

  it('SIGKILL while the verify command runs: the resume runs it again, repairs once, and pays for no other batch', async () => {
    const { harness, c, repo } = await setUp();
    const cli = await whileTheCheckRuns(harness, repo, c);
    cli.child.kill('SIGKILL');
    expect((await cli.done).signal).toBe('SIGKILL');
    await rm(c.slow);
    // Nothing was recorded of the killed run: the collect that wrote the files is committed, the check is due.
    expect(await verifiedEvents(repo)).toEqual([]);
    expect(commitSubjects(repo)[0]).toMatch(/^harness: collect msgbatch_\w+ \(6 files\)$/);
    await resume(harness, repo);
    expect(await runsOf(c)).toBe(3); // the killed run, the one that found the defect, the one that passed
    await expectRepairedOnce(repo, harness);
  });

  it('Ctrl-C while the verify command runs: the harness stops at once (exit 130, the command killed), records nothing, and the next run verifies', async () => {
    const { harness, c, repo } = await setUp();
    const cli = await whileTheCheckRuns(harness, repo, c);
    const asked = Date.now();
    cli.child.kill('SIGINT');
    const stopped = await cli.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(Date.now() - asked).toBeLessThan(15_000); // not the check's 20 s
    expect(await verifiedEvents(repo)).toEqual([]);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    await rm(c.slow);
    await resume(harness, repo);
    expect(await runsOf(c)).toBe(3);
    await expectRepairedOnce(repo, harness);
  });

  it('SIGKILL between the create of the repair batch and its record: the resume adopts that batch instead of paying another', async () => {
    const { harness, c, repo } = await setUp();
    await killedAt(harness, repo, 'submit:created#2');
    expect(harness.emulator.stats().batchesCreated).toBe(2);
    expect((await verifiedEvents(repo)).map((e) => e.passed)).toEqual([false]);
    await resume(harness, repo);
    expect(await runsOf(c)).toBe(2);
    await expectRepairedOnce(repo, harness);
  });
});
