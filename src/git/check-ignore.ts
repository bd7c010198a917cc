/** Which paths git ignores, and by which rule: `git check-ignore -v` over stdin. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { HarnessError } from '../shared/errors.js';

export interface IgnoredPath {
  path: string;
  /** The file holding the rule (`.gitignore`, `sub/.gitignore`, `.git/info/exclude`, a global excludes file). */
  source: string;
  /** 1-based line of the rule in `source`. */
  line: number;
  pattern: string;
}

/** `git check-ignore -v` over stdin, for any number of paths in one process. */
export async function checkIgnored(dir: string, paths: readonly string[]): Promise<IgnoredPath[]> {
  if (paths.length === 0) return [];
  const { code, stdout, stderr } = await gitWithInput(dir, ['check-ignore', '--stdin', '-z', '-v'], paths.join('\0') + '\0');
  // 0: some paths are ignored; 1: none is.
  if (code === 1) return [];
  if (code !== 0) {
    if (/not a git repository/i.test(stderr)) return [];
    throw new HarnessError('GIT', `git check-ignore failed: ${stderr.trim().split('\n').slice(0, 3).join(' ')}`);
  }
  const fields = stdout.split('\0');
  const out: IgnoredPath[] = [];
  for (let i = 0; i + 3 < fields.length; i += 4) {
    const [source, line, pattern, p] = [fields[i]!, fields[i + 1]!, fields[i + 2]!, fields[i + 3]!];
    // -v also reports paths a negated rule (`!x`) matched: those are not ignored.
    if (source === '' || pattern.startsWith('!')) continue;
    out.push({
      path: p,
      source: path.isAbsolute(source) ? source : path.relative(dir, path.resolve(dir, source)).split(path.sep).join('/') || source,
      line: Number(line),
      pattern,
    });
  }
  return out;
}

function gitWithInput(dir: string, args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new HarnessError('GIT', `git ${args[0]} failed: ${e.message}`, { cause: e })));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => undefined); // git may exit before reading everything (it reports why)
    child.stdin.end(input);
  });
}
