/**
 * The git port: the few things the harness asks of git, over simple-git. It stages only the
 * paths it is given (never `add -A`) and commits only them, so changes the person staged stay out
 * of harness commits (see commit.ts).
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { checkIgnored, type IgnoredPath } from './check-ignore.js';
import { stagedCommit, withCleanFailures } from './commit.js';
import { literalPathspecChunks, runGit } from './git-command.js';

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
      await runGit(() => git.init(['--initial-branch=main']), 'git init');
    }
  }
  return makeRepo(git, dir, options);
}

function makeRepo(git: SimpleGit, dir: string, options: OpenRepoOptions): GitRepo {
  const repo: GitRepo = {
    dir,
    async dirtyPaths(paths) {
      const dirty: string[] = [];
      for (const chunk of literalPathspecChunks(paths)) {
        const out = await runGit(() => git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...chunk]), 'git status');
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
    commit: stagedCommit(git, options.hooks === true),
    async findCommitWithTrailer(key, value) {
      const hasHead = await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).then(
        () => true,
        () => false,
      );
      if (!hasHead) return null;
      const out = await runGit(() => git.raw(['log', '--format=%H', '-n', '1', '--fixed-strings', `--grep=${key}: ${value}`]), 'git log');
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

async function realpathOf(dir: string): Promise<string> {
  return existsSync(dir) ? realpath(dir) : dir;
}
