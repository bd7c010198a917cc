/**
 * Runs the verify command: with the system shell in the repo root, the environment
 * as it is, stdout and stderr interleaved as they arrive. What is kept of the output is bounded
 * (its head and its tail); past the timeout the whole process group is killed, and so it is when
 * `signal` aborts (a Ctrl-C or SIGTERM of the harness: the command's own process group does not get
 * the terminal's signal, and a stop must not wait for a long test suite).
 */
import { spawn } from 'node:child_process';

export interface VerifyRun {
  /** Exit code 0, no timeout, no signal. */
  passed: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Killed because `signal` aborted: the result says nothing about the code. */
  aborted?: boolean;
  /** stdout and stderr interleaved; when longer than the bound, its head and tail around a marker. */
  output: string;
}

export interface VerifyRunOptions {
  command: string;
  cwd: string;
  timeoutMs: number;
  maxOutputBytes: number;
  /** When it aborts, the command's process group is killed and the run resolves with `aborted`. */
  signal?: AbortSignal;
}

/** Keeps the first half and the last half of at most `max` bytes of a stream. */
class BoundedOutput {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;
  constructor(private readonly max: number) {}

  add(chunk: Buffer): void {
    const headMax = Math.floor(this.max / 2);
    if (this.headBytes < headMax) {
      const part = chunk.subarray(0, headMax - this.headBytes);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    const tailMax = this.max - headMax;
    if (this.tailBytes > tailMax) {
      const all = Buffer.concat(this.tail);
      const cut = all.length - tailMax;
      this.dropped += cut;
      this.tail = [all.subarray(cut)];
      this.tailBytes = tailMax;
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped > 0 ? `${head}\n[... ${this.dropped} bytes of output left out ...]\n${tail}` : head + tail;
  }
}

export function runVerify(options: VerifyRunOptions): Promise<VerifyRun> {
  return new Promise((resolve) => {
    const output = new BoundedOutput(options.maxOutputBytes);
    const child = spawn(options.command, {
      cwd: options.cwd,
      shell: true,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that a timeout kills what the shell started too.
      detached: process.platform !== 'win32',
    });
    let timedOut = false;
    let aborted = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killGroup(child.pid);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => output.add(c));
    child.stderr.on('data', (c: Buffer) => output.add(c));
    const finish = (exitCode: number | null, signal: string | null, extra = ''): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const text = output.text() + extra;
      const passed = exitCode === 0 && signal === null && !timedOut && !aborted;
      resolve({ passed, exitCode, signal, timedOut, ...(aborted ? { aborted } : {}), output: text });
    };
    child.on('error', (err) => finish(null, null, `${err.message}\n`));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
