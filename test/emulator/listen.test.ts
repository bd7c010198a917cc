/**
 * `harness emulator` on a port it cannot have: a usage error (exit 2) that says what to do, never
 * "internal error … please report it".
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let blocker: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = null;
});

/** A port taken by another listener on the same address the emulator uses. */
async function takenPort(): Promise<number> {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

describe('harness emulator: ports', () => {
  it('a busy port: exit 2, names the port and the fix (--port, --port 0)', async () => {
    const port = await takenPort();
    const r = await runCli(['emulator', '--port', String(port)]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`port ${port} is in use`);
    expect(r.stderr).toContain('--port 0 for any free port');
    expect(r.stderr).not.toMatch(/internal error|please report/);
    expect(r.stdout).toBe('');
  });

  it('a port out of range: exit 2, names the flag and the range', async () => {
    const r = await runCli(['emulator', '--port', '99999']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--port must be a whole number from 0 to 65535, got 99999');
    expect(r.stderr).not.toMatch(/internal error|please report/);
  });
});
