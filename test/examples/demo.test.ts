/**
 * `npm run demo` as the README promises it: the whole job offline against the emulator, in stages,
 * with one verify-and-repair round (scripts/demo.js on the build the global set-up made).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

function runDemo(): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'demo.js')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('npm run demo', () => {
  it('runs the whole job offline: four stages, one repair round that makes tsc pass, the costs', async () => {
    const { code, out } = await runDemo();
    expect(code, out.slice(-3000)).toBe(0);
    expect(out).toMatch(/src\/models\/user\.ts\(4,14\): error TS2322/);
    expect(out).toMatch(/repair round: 1 batch \(1 task: src\/models\/user\.ts, type-checks now\), \$\d+\.\d{4} of the \$\d+\.\d{4} in all/);
    expect(out).toMatch(/harness: verify \(1 to repair\)/);
    expect(out).toMatch(/tsc --noEmit: passed/);
    expect(out).not.toMatch(/sk-ant-/);
  }, 240_000);
});
