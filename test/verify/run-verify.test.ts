import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVerify } from '../../src/verify/run-verify.js';

const cwd = mkdtempSync(join(tmpdir(), 'run-verify-'));
const run = (command: string, more: { timeoutMs?: number; maxOutputBytes?: number } = {}) =>
  runVerify({ command, cwd, timeoutMs: more.timeoutMs ?? 10_000, maxOutputBytes: more.maxOutputBytes ?? 65_536 });

describe('runVerify', () => {
  it('passes on exit 0, in the repo root, with stdout and stderr', async () => {
    const r = await run('node -e "console.log(process.cwd()); console.error(\'err\')"');
    expect(r).toMatchObject({ passed: true, exitCode: 0, signal: null, timedOut: false });
    expect(r.output).toContain(cwd.split('/').at(-1));
    expect(r.output).toContain('err');
  });

  it('fails on another exit code', async () => {
    expect(await run('echo broken; exit 2')).toMatchObject({ passed: false, exitCode: 2, output: 'broken\n' });
  });

  it('kills the process group on timeout', async () => {
    const start = Date.now();
    const r = await run('sleep 5; echo late', { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.passed).toBe(false);
    expect(r.output).not.toContain('late');
    expect(Date.now() - start).toBeLessThan(3_000);
  });

  it('an abort (the harness asked to stop) kills the process group at once and says so', async () => {
    const abort = new AbortController();
    const start = Date.now();
    const pending = runVerify({ command: 'sleep 30; echo late', cwd, timeoutMs: 60_000, maxOutputBytes: 1_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    const r = await pending;
    expect(r).toMatchObject({ passed: false, aborted: true, timedOut: false });
    expect(r.output).not.toContain('late');
    expect(Date.now() - start).toBeLessThan(10_000);
    // Aborted before it starts: killed as soon as it is spawned.
    const again = await runVerify({ command: 'sleep 30', cwd, timeoutMs: 60_000, maxOutputBytes: 1_000, signal: abort.signal });
    expect(again).toMatchObject({ passed: false, aborted: true });
  });

  it('keeps the head and the tail of a long output', async () => {
    const r = await run('node -e "for (let i = 0; i < 1000; i++) console.log(\'line \' + i)"', { maxOutputBytes: 200 });
    expect(r.output).toContain('line 0\n');
    expect(r.output).toContain('line 999\n');
    expect(r.output).toContain('bytes of output left out');
    expect(r.output.length).toBeLessThan(300);
  });
});
