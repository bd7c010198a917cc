/**
 * docs/exit-codes.md lists every error code the harness has, each with the exit code it gives, and
 * every exit code the CLI can end with.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessError, type ErrorCode } from '../../src/shared/errors.js';
import { stopExitCode } from '../../src/shared/signals.js';
import { ROOT } from '../helpers/cli.js';

/** The members of the ErrorCode union, read from its source. */
async function errorCodes(): Promise<ErrorCode[]> {
  const source = await readFile(path.join(ROOT, 'src', 'shared', 'errors.ts'), 'utf8');
  const union = /export type ErrorCode =([^;]*);/.exec(source)![1]!;
  return [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1] as ErrorCode);
}

describe('docs/exit-codes.md', () => {
  it('lists every error code with its exit code', async () => {
    const doc = await readFile(path.join(ROOT, 'docs', 'exit-codes.md'), 'utf8');
    const documented = new Map([...doc.matchAll(/^\| `([A-Z_]+)` \| (\d+) \|/gm)].map((m) => [m[1]!, Number(m[2])]));
    const codes = await errorCodes();
    expect(codes.length).toBeGreaterThan(10);
    const wrong = codes.filter((c) => documented.get(c) !== new HarnessError(c, '').exitCode).map((c) => `${c}: docs say ${documented.get(c)}`);
    expect(wrong).toEqual([]);
    expect([...documented.keys()].filter((c) => !codes.includes(c as ErrorCode))).toEqual([]);
  });

  it('lists every exit code: 0-3 and the signal codes', async () => {
    const doc = await readFile(path.join(ROOT, 'docs', 'exit-codes.md'), 'utf8');
    for (const code of [0, 1, 2, 3, stopExitCode('SIGINT'), stopExitCode('SIGTERM')]) expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });
});
