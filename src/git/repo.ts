/**
 * The git port: the few things the harness asks of git, over simple-git. It stages only the
 * paths it is given (never `add -A`) and commits only them, so changes the person staged stay out
 * of harness commits: when nothing but those paths is staged, a plain commit of the index; when the
 * person has staged changes of their own, `commit --only` with the paths.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { HarnessError } from '../shared/errors.js';

export interface GitRepo {
  readonly dir: string;
  /** Paths (repo-relative) among `paths` with uncommitted changes (modified, staged or untracked). */
  dirtyPaths(paths: readonly string[]): Promise<string[]>;
  /**
   * Stages exactly `paths` and commits only them. Returns the new commit hash, or null if nothing
   * changed. Paths git ignores (untracked and matched by .gitignore, .git/info/exclude or the global
   * excludes file) are left out: they stay written but uncommitted. When the commit fails, the
   * index is put back as it was before the call: nothing is left staged.
   */
  commit(paths: readonly string[], message: string, trailers?: Record<string, string>): Promise<string | null>;
  /**
   * The paths among `paths` (relative to `dir`) that git ignores and would refuse to add, each with
   * the rule that ignores it; one `git check-ignore` for all of them. Tracked files are never
   * ignored. Outside a repository: none.
   */
  checkIgnored(paths: readonly string[]): Promise<IgnoredPath[]>;
  /** Hash of the newest commit whose message has trailer `key: value`, or null. */
  findCommitWithTrailer(key: string, value: string): Promise<string | null>;
  log(max?: number): Promise<string[]>;
}

export interface IgnoredPath {
  path: string;
  /** The file holding the rule (`.gitignore`, `sub/.gitignore`, `.git/info/exclude`, a global excludes file). */
  source: string;
  /** 1-based line of the rule in `source`. */
  line: number;
  pattern: string;
}

export interface OpenRepoOptions {
  /** Run `git init` when `dir` is not in a repository. */
  init?: boolean;
  /**
   * Run the repository's hooks (pre-commit, commit-msg...) on harness commits. Off by default
   * (`--no-verify`): see `git.hooks` in the config schema.
   */
  hooks?: boolean;
}

/** Opens the repo at `dir`; with `init`, runs `git init` when it is not one. */
export async function openRepo(dir: string, options: OpenRepoOptions = {}): Promise<GitRepo> {
  const git = simpleGit({ baseDir: dir, trimmed: false });
  let top: string | null = null;
  try {
    top = (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    top = null;
  }
  if (top === null || path.resolve(top) !== path.resolve(await realpathOf(dir))) {
    if (top !== null && !options.init) return makeRepo(git, dir, options); // a subfolder of a repo: fine
    // Not a repo and not asked to make one: reads still work; the first git call says what is wrong.
    if (!options.init) return makeRepo(git, dir, options);
    if (top === null) {
      await wrap(() => git.init(['--initial-branch=main']), 'git init');
    }
  }
  return makeRepo(git, dir, options);
}

function makeRepo(git: SimpleGit, dir: string, options: OpenRepoOptions): GitRepo {
  const hooks = options.hooks === true;
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

  const repo: GitRepo = {
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
        const verify = hooks ? [] : ['--no-verify'];
        await wrap(() => git.raw([...args, 'commit', ...verify, '--quiet', '-F', msgFile, ...only]), 'git commit', hooks ? hookRejection : undefined);
      });
      return (await git.revparse(['HEAD'])).trim();
    },
    async findCommitWithTrailer(key, value) {
      const hasHead = await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).then(
        () => true,
        () => false,
      );
      if (!hasHead) return null;
      const out = await wrap(() => git.raw(['log', '--format=%H', '-n', '1', '--fixed-strings', `--grep=${key}: ${value}`]), 'git log');
      return out.trim() || null;
    },
    checkIgnored: (paths) => checkIgnored(dir, paths),
    async log(max = 50) {
      const hasHead = await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).then(
        () => true,
        () => false,
      );
      if (!hasHead) return [];
      const out = await git.raw(['log', '--oneline', '-n', String(max)]);
      return out.split('\n').filter(Boolean);
    },
  };
  return withCleanFailures(git, repo);
}

/**
 * The commit every caller gets: ignored paths left out (they would make `git add` fail and leave
 * the rest staged), and the person's index restored byte for byte when staging or committing fails,
 * so a failed harness commit never leaves its files staged in the person's index.
 */
function withCleanFailures(git: SimpleGit, repo: GitRepo): GitRepo {
  return {
    ...repo,
    async commit(paths, message, trailers) {
      if (paths.length === 0) return null;
      const ignored = new Set((await repo.checkIgnored(paths)).map((i) => i.path));
      const kept = ignored.size === 0 ? paths : paths.filter((p) => !ignored.has(p));
      if (kept.length === 0) return null;
      const head = await headCommit(git);
      const saved = await saveIndex(git, repo.dir);
      try {
        return await repo.commit(kept, message, trailers);
      } catch (error) {
        // Only when no commit was made: after one, the index matches it and stays.
        if ((await headCommit(git)) === head) await saved.restore();
        throw error;
      } finally {
        await saved.discard();
      }
    },
  };
}

const headCommit = (git: SimpleGit): Promise<string | null> =>
  git.raw(['rev-parse', '--verify', '-q', 'HEAD']).then(
    (out) => out.trim() || null,
    () => null,
  );

/** A copy of the index file (or the fact that there is none), to put back after a failed commit. */
async function saveIndex(git: SimpleGit, dir: string): Promise<{ restore(): Promise<void>; discard(): Promise<void> }> {
  const indexFile = path.resolve(dir, (await wrap(() => git.raw(['rev-parse', '--git-path', 'index']), 'git rev-parse')).trim());
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'harness-index-'));
  const copy = path.join(tmpDir, 'index');
  const existed = await copyFile(indexFile, copy).then(
    () => true,
    (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
  );
  return {
    async restore() {
      if (!existed) return rm(indexFile, { force: true });
      const next = `${indexFile}.harness-restore`;
      await copyFile(copy, next);
      await rename(next, indexFile);
    },
    discard: () => rm(tmpDir, { recursive: true, force: true }),
  };
}

/** `git check-ignore -v` over stdin, for any number of paths in one process. */
async function checkIgnored(dir: string, paths: readonly string[]): Promise<IgnoredPath[]> {
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

async function wrap<T>(fn: () => Promise<T>, what: string, explain?: (msg: string, error: unknown) => HarnessError): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const msg = error instanceof Error ? error.message.trim().split('\n').slice(0, 3).join(' ') : String(error);
    if (explain) throw explain(msg, error);
    throw new HarnessError('GIT', `${what} failed: ${msg}`, { cause: error });
  }
}

/** A commit that failed while the person's hooks run: most likely a hook said no. */
function hookRejection(msg: string, error: unknown): HarnessError {
  const full = error instanceof Error ? error.message.trim().split('\n').slice(0, 12).join('\n  ') : msg;
  return new HarnessError(
    'GIT',
    `git commit failed with the repository's hooks on (git.hooks: true); a pre-commit or commit-msg hook probably rejected it:\n  ${full}`,
    {
      cause: error,
      hint:
        'nothing of this commit is left staged. Fix what the hook reports, or set `git: { hooks: false }` in the config to commit without hooks, ' +
        'then run `harness run` again: the journal finishes the interrupted step',
    },
  );
}

async function realpathOf(dir: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  return existsSync(dir) ? realpath(dir) : dir;
}

/** An operation git is in the middle of, which harness commits must not be mixed into. */
export type GitOperation = 'merge' | 'rebase' | 'cherry-pick' | 'revert' | 'bisect';

export interface GitState {
  /** False when `dir` is in no git repository (init will create one). */
  isRepo: boolean;
  /** The work tree's top directory, or null outside a repository. */
  top: string | null;
  operation: GitOperation | null;
  /** Paths with unresolved conflicts in the index. */
  unmerged: string[];
  /** The short commit HEAD points at when it is detached, else null. */
  detachedAt: string | null;
  /** The commit HEAD points at, or null before the first commit. */
  head: string | null;
}

const OPERATION_MARKERS: [GitOperation, string][] = [
  ['merge', 'MERGE_HEAD'],
  ['rebase', 'rebase-merge'],
  ['rebase', 'rebase-apply'],
  ['cherry-pick', 'CHERRY_PICK_HEAD'],
  ['revert', 'REVERT_HEAD'],
  ['bisect', 'BISECT_LOG'],
];

/** Reads what git is in the middle of in the repository holding `dir`. Never writes. */
export async function readGitState(dir: string): Promise<GitState> {
  const git = simpleGit({ baseDir: dir, trimmed: false });
  let top: string;
  try {
    top = (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    return { isRepo: false, top: null, operation: null, unmerged: [], detachedAt: null, head: null };
  }
  const args = OPERATION_MARKERS.flatMap(([, marker]) => ['--git-path', marker]);
  const markers = (await wrap(() => git.raw(['rev-parse', ...args]), 'git rev-parse')).split('\n').filter(Boolean);
  let operation: GitOperation | null = null;
  for (const [i, [op]] of OPERATION_MARKERS.entries()) {
    if (markers[i] && existsSync(path.resolve(dir, markers[i]!))) {
      operation = op;
      break;
    }
  }
  const unmergedOut = await git.raw(['ls-files', '--unmerged', '-z']).catch(() => '');
  const unmerged = [
    ...new Set(
      unmergedOut
        .split('\0')
        .filter(Boolean)
        .map((l) => l.slice(l.indexOf('\t') + 1)),
    ),
  ];
  // simple-git resolves a failed command that printed nothing: judge by the output, not the exit.
  const symbolic = (await git.raw(['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim() !== '';
  const head = (await git.raw(['rev-parse', '-q', '--verify', 'HEAD']).catch(() => '')).trim() || null;
  const detachedAt = symbolic ? null : (head?.slice(0, 12) ?? 'HEAD');
  return { isRepo: true, top, operation, unmerged, detachedAt, head };
}

/** How to finish or leave each operation. */
const WAY_OUT: Record<GitOperation, string> = {
  merge: 'finish it (resolve, then `git commit`) or abort it (`git merge --abort`)',
  rebase: 'finish it (`git rebase --continue`) or abort it (`git rebase --abort`)',
  'cherry-pick': 'finish it (`git cherry-pick --continue`) or abort it (`git cherry-pick --abort`)',
  revert: 'finish it (`git revert --continue`) or abort it (`git revert --abort`)',
  bisect: 'end it with `git bisect reset`',
};

/**
 * Refuses to work in a repository in the middle of a merge, rebase, cherry-pick, revert or bisect,
 * or with unresolved conflicts: harness commits would land inside the person's operation. Exit 2,
 * before anything is read or written.
 */
export function assertNoGitOperation(state: GitState): void {
  if (state.operation) {
    throw new HarnessError(
      'BAD_USAGE',
      `a ${state.operation} is in progress in ${state.top}: harness commits would be mixed into it; nothing was changed`,
      {
        hint: `${WAY_OUT[state.operation]}, then run the harness again`,
      },
    );
  }
  if (state.unmerged.length > 0) {
    const shown = state.unmerged.slice(0, 5).join(', ') + (state.unmerged.length > 5 ? ` and ${state.unmerged.length - 5} more` : '');
    throw new HarnessError('BAD_USAGE', `unresolved conflicts in ${shown}: nothing was changed`, {
      hint: 'resolve them and commit (or `git checkout -m`/`git restore` them), then run the harness again',
    });
  }
}

/** The warning for a detached HEAD: harness commits go onto no branch. */
export const detachedHeadWarning = (at: string): string =>
  `HEAD is detached (at ${at}): the harness's commits will be on no branch and can be lost when you switch away. ` +
  'To keep them, create a branch now (`git switch -c harness-work`) or after the run (`git switch -c NAME` while still on the last commit)';

/** Hooks that run on `git commit`, installed (executable, not a sample) in the repository at `dir`. */
export async function commitHooks(dir: string): Promise<string[]> {
  const git = simpleGit({ baseDir: dir, trimmed: false });
  const hooksDir = await git.raw(['rev-parse', '--git-path', 'hooks']).then(
    (s) => path.resolve(dir, s.trim()),
    () => null,
  );
  if (!hooksDir) return [];
  const { access, constants } = await import('node:fs/promises');
  const found: string[] = [];
  for (const name of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit']) {
    const ok = await access(path.join(hooksDir, name), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) found.push(name);
  }
  return found;
}
