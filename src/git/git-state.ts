/**
 * What git is in the middle of in the repository (merge, rebase, conflicts, a detached HEAD), and
 * the refusal or warning the harness gives for it before touching anything.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import { HarnessError } from '../shared/errors.js';
import { runGit } from './git-command.js';

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
  const markers = (await runGit(() => git.raw(['rev-parse', ...args]), 'git rev-parse')).split('\n').filter(Boolean);
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
