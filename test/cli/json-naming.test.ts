/**
 * One naming convention for every JSON document the harness prints or writes for people and
 * scripts to read: snake_case keys, as the API's own documents (docs/json.md). The test finds the
 * commands that take --json from their --help, runs each against the emulator in several states
 * (nothing done, work pending, all done, failing), and walks every key of every document. The
 * dry-run request files are walked too. Keys of maps keyed by data are checked as data (below).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { makeTarget } from '../helpers/target.js';

const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/**
 * Maps whose keys are data, not names, by their place in a document (`[]` = any array item):
 * the key's check replaces the naming check. A new map keyed by paths or ids goes here.
 */
const DATA_KEYED: Record<string, (key: string) => boolean> = {
  // status: tasks per task status.
  counts: (k) => ['pending', 'submitted', 'done', 'failed'].includes(k),
};

/** Every key in `doc` that is neither snake_case nor a key of a data-keyed map, as `place.key`. */
function badKeys(doc: unknown, place = ''): string[] {
  const bad: string[] = [];
  if (Array.isArray(doc)) {
    for (const item of doc) bad.push(...badKeys(item, `${place}[]`));
    return bad;
  }
  if (doc === null || typeof doc !== 'object') return bad;
  const dataKey = DATA_KEYED[place];
  for (const [key, value] of Object.entries(doc)) {
    const ok = dataKey ? dataKey(key) : SNAKE.test(key);
    if (!ok) bad.push(place ? `${place}.${key}` : key);
    bad.push(...badKeys(value, dataKey ? `${place}.*` : place ? `${place}.${key}` : key));
  }
  return bad;
}

/**
 * Every key of `doc` as a documentation path (`batches[].usage`); the keys of a token-usage object
 * as bare names (docs/json.md describes that shape once); data-keyed maps by their own place only.
 */
function keyPaths(doc: unknown, place = ''): string[] {
  if (Array.isArray(doc)) return doc.flatMap((item) => keyPaths(item, `${place}[]`));
  if (doc === null || typeof doc !== 'object') return [];
  if (DATA_KEYED[place]) return [];
  const isUsage = 'input_tokens' in doc && 'cache_read_input_tokens' in doc;
  return Object.entries(doc).flatMap(([key, value]) => {
    const here = isUsage ? key : place ? `${place}.${key}` : key;
    return [here, ...keyPaths(value, here)];
  });
}

/** The commands whose --help offers --json. */
async function jsonCommands(): Promise<string[]> {
  const top = await runCli(['--help']);
  const names = [...top.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
  const withJson: string[] = [];
  for (const name of names) {
    const r = await runCli([name, '--help']);
    if (/^\s+--json\b/m.test(r.stdout)) withJson.push(name);
  }
  return withJson;
}

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('JSON naming', () => {
  it('the walker: flags camelCase and other names at any depth, takes data keys as data', () => {
    expect(badKeys({ a_b: 1, nested: [{ okKey: 1 }], counts: { pending: 1, bogus: 2 }, deep: { x: { y_z: { Bad: 1 } } } })).toEqual([
      'nested[].okKey',
      'counts.bogus',
      'deep.x.y_z.Bad',
    ]);
    expect(badKeys({ cost_usd: 1, cache_read_input_tokens: 2, input_source: 'count_tokens', usage: null })).toEqual([]);
  });

  it('every --json document of every command, in every state, and the dry-run files, are snake_case and documented', async () => {
    const commands = await jsonCommands();
    // The commands this test knows how to drive; a new --json command must be added here.
    const driven = ['status', 'estimate', 'run', 'doctor'];
    expect(commands.sort()).toEqual(driven.sort());

    h = await withEmulator();
    // A verify command, so that the documents that show the last verification have one.
    const repo = await makeTarget({ files: { 'harness.config.mjs': "export default { verify: { command: 'node --version' } };\n" } });
    const docs: { what: string; doc: unknown }[] = [];
    const json = async (what: string, args: string[], env: Record<string, string> = {}) => {
      const r = await runCli([...args, '--json', '--repo', repo], { env: { ...h!.env, ...env } });
      if (r.code !== 0 && r.stdout.trim() === '') return r; // a failure that prints no document
      expect(() => JSON.parse(r.stdout), `${what}: stdout is one JSON document`).not.toThrow();
      docs.push({ what, doc: JSON.parse(r.stdout) });
      return r;
    };

    // Nothing done yet: every task pending, an estimate with figures; run as a dry run (what it would send).
    for (const c of commands) expect((await json(`${c} (pending)`, c === 'run' ? [c, '--dry-run'] : [c])).code).toBe(0);
    // The exact requests, as a dry run writes them.
    expect((await h.run(repo, 'run', '--dry-run')).code).toBe(0);
    const dryDir = path.join(repo, '.harness', 'dry-run');
    for (const f of await readdir(dryDir)) {
      const lines = (await readFile(path.join(dryDir, f), 'utf8')).split('\n').filter(Boolean);
      for (const [i, l] of lines.entries()) docs.push({ what: `.harness/dry-run/${f}:${i + 1}`, doc: JSON.parse(l) });
    }
    // All done: batches with usage, estimate vs bill, nothing pending.
    const run = await json('run (the whole job)', ['run']);
    expect(run.code, run.stderr).toBe(0);
    expect(docs.at(-1)!.doc).toMatchObject({ exit_code: 0, verify: { command: 'node --version', passed: true, failing: [] } });
    for (const c of commands) expect((await json(`${c} (done)`, [c])).code).toBe(0);
    // A failing command: a broken config (a document with its error, where the command prints one).
    await writeFile(path.join(repo, 'harness.config.mjs'), 'export default { maxTokens: "many" };\n');
    for (const c of commands) expect((await json(`${c} (bad config)`, [c])).code).not.toBe(0);

    expect(docs.length).toBeGreaterThanOrEqual(2 * commands.length + 1);
    const problems = docs.flatMap(({ what, doc }) => badKeys(doc).map((k) => `${what}: ${k}`));
    expect(problems).toEqual([]);

    // docs/json.md names every key of them (of the dry-run lines, their own keys: params are the API's).
    const reference = await readFile(path.join(ROOT, 'docs', 'json.md'), 'utf8');
    const undocumented = new Set<string>();
    for (const { what, doc } of docs) {
      const dryRun = what.startsWith('.harness/dry-run/');
      for (const p of keyPaths(doc)) {
        if (dryRun && p.includes('.')) continue;
        if (!reference.includes(`\`${p}\``)) undocumented.add(p);
      }
    }
    expect([...undocumented], 'keys missing from docs/json.md').toEqual([]);
    // Some twenty CLI runs, a whole job among them: more than the default on a loaded machine.
  }, 180_000);
});
