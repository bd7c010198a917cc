/**
 * The git port: the few things the harness asks of git, over simple-git. It stages only the
 * paths it is given (never `add -A`) and commits only them, so changes the person staged stay out
 * of harness commits: when nothing but those paths is staged, a plain commit of the index; when the
 * person has staged changes of their own, `commit --only` with the paths.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { HarnessError } from '../shared/errors.js';

export interface GitRepo {
  readonly dir: string;
  /** Paths (repo-relative) among `paths` with uncommitted changes (modified, staged or untracked). */
  dirtyPaths(paths: readonly string[]): Promise<string[]>;
  /** Stages exactly `paths` and commits only them. Returns the new commit hash, or null if nothing changed. */
  commit(paths: readonly string[], message: string, trailers?: Record<string, string>): Promise<string | null>;
  /** Hash of the newest commit whose message has trailer `key: value`, or null. */
  findCommitWithTrailer(key: string, value: string): Promise<string | null>;
  log(max?: number): Promise<string[]>;
}

/** Opens the repo at `dir`; with `init`, runs `git init` when it is not one. */
export async function openRepo(dir: string, options: { init?: boolean } = {}): Promise<GitRepo> {
  const git = simpleGit({ baseDir: dir, trimmed: false });
  let top: string | null = null;
  try {
    top = (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    top = null;
  }
  if (top === null || path.resolve(top) !== path.resolve(await realpathOf(dir))) {
    if (top !== null && !options.init) return makeRepo(git, dir); // a subfolder of a repo: fine
    // Not a repo and not asked to make one: reads still work; the first git call says what is wrong.
    if (!options.init) return makeRepo(git, dir);
    if (top === null) {
      await wrap(() => git.init(['--initial-branch=main']), 'git init');
    }
  }
  return makeRepo(git, dir);
}

function makeRepo(git: SimpleGit, dir: string): GitRepo {
  let identity: string[] | null = null;
  /** The repo-relative path of `dir` (`sub/dir/`, or '' at the top), from git. */
  let prefix: string | null = null;
  const identityArgs = async (): Promise<string[]> => {
    if (identity) return identity;
    const email = await git.raw(['config', 'user.email']).catch(() => '');
    const name = await git.raw(['config', 'user.name']).catch(() => '');
    identity = [];
    if (!email.trim()) identity.push('-c', 'user.email=harness@localhost');
    if (!name.trim()) identity.push('-c', 'user.name=codegen-harness');
    return identity;
  };

  return {
    dir,
    async dirtyPaths(paths) {
      const dirty: string[] = [];
      for (const chunk of chunks(paths)) {
        const out = await wrap(() => git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...chunk]), 'git status');
        const parts = out.split('\0');
        for (let i = 0; i < parts.length; i++) {
          const entry = parts[i]!;
          if (entry.length < 4) continue;
          dirty.push(entry.slice(3));
          if (entry[0] === 'R' || entry[0] === 'C') i++; // the next field is the source path
        }
      }
      return dirty;
    },
    async commit(paths, message, trailers = {}) {
      if (paths.length === 0) return null;
      await withPathspecFile(paths, (file) =>
        wrap(() => git.raw(['add', '--all', `--pathspec-from-file=${file}`, '--pathspec-file-nul']), 'git add'),
      );
      // Everything staged, in one call (git diff takes no pathspec file: argv-sized chunks of
      // pathspecs cost one git process per 500 paths, ~1.2 s for 10,000), sorted into ours and
      // the person's. Paths from the top of the work tree: `dir` may be a subfolder.
      prefix ??= (await wrap(() => git.revparse(['--show-prefix']), 'git rev-parse')).trim();
      const ours = new Set(paths.map((p) => path.posix.normalize(prefix + p)));
      const isOurs = (name: string): boolean => {
        // A path given may be a directory: a staged file below it is ours too.
        for (let p = name; ; ) {
          if (ours.has(p)) return true;
          const slash = p.lastIndexOf('/');
          if (slash < 0) return false;
          p = p.slice(0, slash);
        }
      };
      const out = await wrap(() => git.raw(['diff', '--cached', '--name-only', '--no-renames', '-z']), 'git diff');
      let staged = false;
      let othersStaged = false;
      for (const name of out.split('\0')) {
        if (name === '') continue;
        if (isOurs(name)) staged = true;
        else othersStaged = true;
      }
      if (!staged) return null;
      const body = Object.entries(trailers).map(([k, v]) => `${k}: ${v}`);
      const full = body.length > 0 ? `${message}\n\n${body.join('\n')}\n` : `${message}\n`;
      const args = await identityArgs();
      await withPathspecFile(paths, async (file) => {
        const msgFile = path.join(path.dirname(file), 'message');
        await writeFile(msgFile, full);
        // Only our paths are staged (the usual case): the index is exactly the commit, and a plain
        // commit writes it (10,000 files: ~0.3 s). Otherwise `--only` leaves the person's staged
        // changes out; it rebuilds a temporary index from HEAD and hashes every path again
        // (10,000 files: ~1.6 s).
        const only = othersStaged ? ['--only', `--pathspec-from-file=${file}`, '--pathspec-file-nul'] : [];
        await wrap(() => git.raw([...args, 'commit', '--no-verify', '--quiet', '-F', msgFile, ...only]), 'git commit');
      });
      return (await git.revparse(['HEAD'])).trim();
    },
    async findCommitWithTrailer(key, value) {
      const hasHead = await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).then(() => true, () => false);
      if (!hasHead) return null;
      const out = await wrap(
        () => git.raw(['log', '--format=%H', '-n', '1', '--fixed-strings', `--grep=${key}: ${value}`]),
        'git log',
      );
      return out.trim() || null;
    },
    async log(max = 50) {
      const hasHead = await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).then(() => true, () => false);
      if (!hasHead) return [];
      const out = await git.raw(['log', '--oneline', '-n', String(max)]);
      return out.split('\n').filter(Boolean);
    },
  };
}

/** Literal pathspecs in argv-sized chunks (a file named `*.ts` must not match every .ts file). */
function chunks(paths: readonly string[], size = 500): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < paths.length; i += size) out.push(paths.slice(i, i + size).map((p) => `:(literal)${p}`));
  return out;
}

async function withPathspecFile<T>(paths: readonly string[], fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'harness-git-'));
  const file = path.join(dir, 'pathspec');
  try {
    // Literal pathspecs: a generated file named `*.ts` must not match every .ts file.
    await writeFile(file, paths.map((p) => `:(literal)${p}`).join('\0'));
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function wrap<T>(fn: () => Promise<T>, what: string): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const msg = error instanceof Error ? error.message.trim().split('\n').slice(0, 3).join(' ') : String(error);
    throw new HarnessError('GIT', `${what} failed: ${msg}`, { cause: error });
  }
}

async function realpathOf(dir: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  return existsSync(dir) ? realpath(dir) : dir;
}
