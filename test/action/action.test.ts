/**
 * The GitHub Action: action.yml and the example workflow are valid against SchemaStore's schemas
 * (vendored in schemas/), the workflow passes only inputs the action has, and the action's run step
 * is executed here as a runner would (its inputs as INPUT_* variables, $GITHUB_OUTPUT and
 * $GITHUB_STEP_SUMMARY temp files) against the emulator.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { cliEnv, ROOT } from '../helpers/cli.js';
import { withEmulator, type Harness } from '../helpers/emulator.js';
import { makeTarget, statusJson } from '../helpers/target.js';
import { makeTempDir } from '../helpers/tmp.js';

// biome-ignore lint/suspicious/noExplicitAny: YAML documents are read field by field
type Doc = any;
const readYaml = async (file: string): Promise<Doc> => parse(await readFile(path.join(ROOT, file), 'utf8'));
const schema = async (name: string) => JSON.parse(await readFile(path.join(ROOT, 'test/action/schemas', name), 'utf8'));

async function validator(name: string) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(await schema(name));
}

const WORKFLOW = 'examples/nightly-tests/.github/workflows/nightly.yml';

describe('schemas', () => {
  it("the vendored schemas are SchemaStore's, unchanged (the blob ids of schemas/README.md)", async () => {
    const readme = await readFile(path.join(ROOT, 'test/action/schemas/README.md'), 'utf8');
    for (const name of ['github-action.json', 'github-workflow.json']) {
      const bytes = await readFile(path.join(ROOT, 'test/action/schemas', name));
      const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
      expect(readme).toMatch(new RegExp(`\\| \`${name.replace('.', '\\.')}\` \\| [^|]+ \\| \`${blob}\` \\|`));
    }
  });

  it('action.yml is a valid action (and the validator does reject a broken one)', async () => {
    const validate = await validator('github-action.json');
    const action = await readYaml('action.yml');
    expect(validate(action), JSON.stringify(validate.errors)).toBe(true);
    expect(action.runs.using).toBe('composite');
    expect(validate({ ...action, runs: { using: 'composite', steps: [{ run: 'echo no shell' }] } })).toBe(false);
    expect(validate({ ...action, colour: 'red' })).toBe(false);
  });

  it('the nightly workflow is a valid workflow, uses the action with inputs it has', async () => {
    const validate = await validator('github-workflow.json');
    const workflow = await readYaml(WORKFLOW);
    expect(validate(workflow), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...workflow, jobs: { harness: { steps: [] } } })).toBe(false); // no runs-on
    const action = await readYaml('action.yml');
    const steps = Object.values(workflow.jobs as Record<string, { steps: Doc[] }>).flatMap((j) => j.steps);
    const ours = steps.filter((s) => typeof s.uses === 'string' && /\/codegen-harness@v1$/.test(s.uses));
    expect(ours.length).toBeGreaterThan(0);
    for (const step of ours) for (const key of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), key).toContain(key);
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact') || s.uses?.endsWith('codegen-harness@v1'))).toBe(true);
  });
});

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

interface StepRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Runs action.yml's `harness` step with bash, as the runner does, in `repo`. */
async function runStep(repo: string, inputs: { command?: string; budget?: string; config?: string }): Promise<StepRun> {
  const action = await readYaml('action.yml');
  const step = action.runs.steps.find((s: Doc) => s.id === 'harness');
  const tmp = await makeTempDir('action-runner-');
  const outputFile = path.join(tmp, 'output');
  const summaryFile = path.join(tmp, 'summary.md');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env = cliEnv({
    ...h!.env,
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: tmp,
    INPUT_COMMAND: inputs.command ?? action.inputs.command.default,
    INPUT_BUDGET: inputs.budget ?? '',
    INPUT_CONFIG: inputs.config ?? '',
  });
  const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run], {
    cwd: repo,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stdout, stderr, outputs: parseOutputs(await readFile(outputFile, 'utf8')), summary: await readFile(summaryFile, 'utf8') };
}

/** $GITHUB_OUTPUT's two forms: `name=value` and `name<<DELIMITER` … `DELIMITER`. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) out[lines[i]!.slice(0, lines[i]!.indexOf('='))] = lines[i]!.slice(lines[i]!.indexOf('=') + 1);
  }
  return out;
}

describe('the run step', () => {
  it('runs the command, outputs its exit code and status --json, writes the step summary and the report', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await runStep(repo, {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs['exit-code']).toBe('0');
    const status = JSON.parse(r.outputs['status-json']!);
    expect(status).toEqual(await statusJson((...a) => h!.run(repo, ...a)));
    expect(status.counts).toEqual({ pending: 0, submitted: 0, done: 6, failed: 0 });
    expect(r.summary).toMatch(/^## codegen-harness: /);
    expect(r.summary).toContain(`| 6 | 0 | 0 | 0 | 6 | $${status.cost_usd.toFixed(4)} |`);
    expect(r.outputs.report).toMatch(/codegen-harness\/report\.html$/);
    expect(await readFile(r.outputs.report!, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('budget: a per-run cap over the repo config (its other settings kept); too small a cap stops the run with exit 2, and the summary is still written', async () => {
    h = await withEmulator();
    const repo = await makeTarget({ files: { 'harness.config.mjs': 'export default { attempts: 1, budget: { totalUsd: 100 } };\n' } });
    const r = await runStep(repo, { command: 'run', budget: '0.000001' });
    expect(r.code, r.stderr).toBe(0); // the step itself passes; the last step judges the exit code
    expect(r.outputs['exit-code']).toBe('2');
    expect(r.stderr).toMatch(/budget/i);
    expect(r.stderr).toMatch(/perRunUsd|per run/);
    expect(JSON.parse(r.outputs['status-json']!).counts.pending).toBe(6);
    expect(r.summary).toContain('| 0 | 0 | 6 | 0 | 0 |');
    const wrapper = await readFile(path.join(path.dirname(r.outputs.report!), 'budget.config.mjs'), 'utf8');
    expect(wrapper).toContain('harness.config.mjs');
    const loaded = await loadConfig(repo, { file: path.join(path.dirname(r.outputs.report!), 'budget.config.mjs') });
    expect(loaded.config.attempts).toBe(1);
    expect(loaded.config.budget).toEqual({ perRunUsd: 0.000001, totalUsd: 100 });
  });

  it('a budget that is not an amount is exit 2 before anything runs', async () => {
    h = await withEmulator();
    const repo = await makeTarget();
    const r = await runStep(repo, { budget: '5 USD; rm -rf /' });
    expect(r.outputs['exit-code']).toBe('2');
    expect(r.stderr).toContain('::error::budget: a positive amount of USD is needed');
    expect(existsSync(path.join(repo, '.harness', 'journal.jsonl'))).toBe(false);
  });

  it('the last step passes only the success codes', async () => {
    const action = await readYaml('action.yml');
    const last = action.runs.steps.at(-1);
    const judge = (code: string, codes: string) =>
      new Promise<number | null>((done) =>
        spawn('bash', ['-c', last.run], { env: { ...process.env, CODE: code, SUCCESS_CODES: codes }, stdio: 'ignore' }).on('close', done),
      );
    expect(await judge('0', '0')).toBe(0);
    expect(await judge('3', '0')).toBe(1);
    expect(await judge('3', '0 3')).toBe(0);
    expect(await judge('1', '0 3')).toBe(1);
  });
});
