/**
 * Runs the shell blocks of a README as written: every ```sh block, in order, in one bash process
 * started in the checkout's root (where the READMEs say to start). Nothing in the commands is
 * substituted; the only additions are around them: after each command line, its exit code is
 * recorded, and at the end anything still running in the script's process group is stopped.
 *
 * A line's expected exit code is 0 unless its comment says `exits N`.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gitEnv } from '../helpers/git.js';

export interface ReadmeLine {
  block: number;
  /** 1-based line in the README. */
  line: number;
  command: string;
  expected: number;
}

export interface ReadmeRun {
  lines: ReadmeLine[];
  /** Exit code per command line (same order as `lines`); null when the line never ran. */
  codes: (number | null)[];
  stdout: string;
  stderr: string;
  script: string;
}

const MARK = '@@readme-rc';

/** The command lines of the README's ```sh blocks. */
export function readmeLines(readme: string): ReadmeLine[] {
  const out: ReadmeLine[] = [];
  const lines = readme.split('\n');
  let block = -1;
  let inside = false;
  lines.forEach((text, i) => {
    if (!inside && /^```(sh|bash|shell)\s*$/.test(text)) {
      inside = true;
      block++;
      return;
    }
    if (inside && /^```\s*$/.test(text)) {
      inside = false;
      return;
    }
    if (!inside || text.trim() === '' || text.trim().startsWith('#')) return;
    const { command, comment } = splitComment(text);
    const expected = /\bexits? (\d+)\b/.exec(comment)?.[1];
    out.push({ block, line: i + 1, command, expected: expected === undefined ? 0 : Number(expected) });
  });
  return out;
}

/** `command   # comment` → its parts (a comment starts at two or more spaces and a `#`). */
function splitComment(text: string): { command: string; comment: string } {
  const m = /\s{2,}#\s/.exec(text);
  return m ? { command: text.slice(0, m.index).trimEnd(), comment: text.slice(m.index) } : { command: text.trimEnd(), comment: '' };
}

/** The script: each command as written, then (unless it runs in the background) its exit code. */
export function readmeScript(lines: readonly ReadmeLine[]): string {
  const body = lines.map((l, i) => (/&\s*$/.test(l.command) ? l.command : `${l.command}\necho "${MARK} ${i} $?" >&2`));
  return [...body, ''].join('\n');
}

export async function runReadme(
  file: string,
  options: { cwd: string; tmpdir: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<ReadmeRun> {
  const lines = readmeLines(await readFile(file, 'utf8'));
  const script = readmeScript(lines);
  const env: NodeJS.ProcessEnv = { ...process.env, ...gitEnv, NO_COLOR: '1', TMPDIR: options.tmpdir, ...options.env };
  for (const k of ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'HARNESS_POLL_MS', 'HARNESS_EMULATOR_FAULTS']) delete env[k];
  const child = spawn('bash', ['-c', script, path.basename(file)], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, options.timeoutMs ?? 120_000);
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  clearTimeout(timer);
  // Whatever the script left running in its process group (a background job) goes with it.
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // nothing left
  }
  await closed;
  const codes: (number | null)[] = lines.map(() => null);
  for (const m of stderr.matchAll(new RegExp(`^${MARK} (\\d+) (\\d+)$`, 'gm'))) codes[Number(m[1])] = Number(m[2]);
  return { lines, codes, stdout, stderr: stderr.replace(new RegExp(`^${MARK} .*\\n`, 'gm'), ''), script };
}

/** `README.md:LINE: command → got X, expected Y` for every line whose exit code is not the one written. */
export function wrongCodes(run: ReadmeRun, name: string): string[] {
  return run.lines.flatMap((l, i) => {
    if (/&\s*$/.test(l.command)) return [];
    const got = run.codes[i];
    return got === l.expected ? [] : [`${name}:${l.line}: ${l.command} → ${got === null ? 'did not run' : `exit ${got}`}, README says ${l.expected}`];
  });
}
