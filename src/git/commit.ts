/**
 * Harness commits: stage exactly the paths given (never `add -A`) and commit only them, so changes
 * the person staged stay out; when nothing but those paths is staged, a plain commit of the index;
 * when the person has staged changes of their own, `commit --only` with the paths. Ignored paths
 * are left out, and a failed commit puts the person's index back as it was.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { headCommit, runGit, withPathspecFile } from './git-command.js';
import { hookRejection } from './hooks.js';
import { saveIndex } from './index-snapshot.js';
import type { GitRepo } from './repo.js';

type Commit = GitRepo['commit'];

/**
 * The bare commit of `dir`'s repository: stages `paths`, commits them if any is staged, and returns
 * the new HEAD (or null). Runs the repository's hooks only with `hooks`.
 */
export function stagedCommit(git: SimpleGit, hooks: boolean): Commit {
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

  return async (paths, message, trailers = {}) => {
    if (paths.length === 0) return null;
    await withPathspecFile(paths, (file) =>
      runGit(() => git.raw(['add', '--all', `--pathspec-from-file=${file}`, '--pathspec-file-nul']), 'git add'),
    );
    // Everything staged, in one call (git diff takes no pathspec file: argv-sized chunks of
    // pathspecs cost one git process per 500 paths, ~1.2 s for 10,000), sorted into ours and
    // the person's. Paths from the top of the work tree: `dir` may be a subfolder.
    prefix ??= (await runGit(() => git.revparse(['--show-prefix']), 'git rev-parse')).trim();
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
    const out = await runGit(() => git.raw(['diff', '--cached', '--name-only', '--no-renames', '-z']), 'git diff');
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
      await runGit(() => git.raw([...args, 'commit', ...verify, '--quiet', '-F', msgFile, ...only]), 'git commit', hooks ? hookRejection : undefined);
    });
    return (await git.revparse(['HEAD'])).trim();
  };
}

/**
 * The commit every caller gets: ignored paths left out (they would make `git add` fail and leave
 * the rest staged), and the person's index restored byte for byte when staging or committing fails,
 * so a failed harness commit never leaves its files staged in the person's index.
 */
export function withCleanFailures(git: SimpleGit, repo: GitRepo): GitRepo {
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
