/**
 * The earlier stages' block: when the requests of stage N > 1 are planned, the
 * current content of every file the tasks of stages before N wrote, in full, in the cached prefix
 * after the codebase (before the plan), with its own cache breakpoint. Files are sorted by path
 * and framed like the codebase block (`<file path="…">…</file>`, `<file_2 …>` when the content
 * holds `</file>`), so the codebase block stays byte-identical across stages and keeps its cache;
 * only this block is written, once per stage.
 */
import { fileSections } from '../repo/context.js';
import { comparePaths } from '../repo/scan.js';

export interface StageFile {
  /** Repo-relative path, as the codebase block shows it. */
  path: string;
  content: string;
}

/** The block's text for the files of stages before `stage`; pure: the same files give the same bytes. */
export function stageBlockText(stage: number, files: readonly StageFile[]): string {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  const n = sorted.length;
  const earlier = stage === 2 ? 'stage 1' : `stages 1 to ${stage - 1}`;
  return (
    `# Files written by earlier stages\n\n` +
    `The job runs in stages, and this request belongs to stage ${stage}. ` +
    `These ${n} ${n === 1 ? 'file was' : 'files were'} written by ${earlier}, shown here as they are now, in full, in the same framing as the codebase. ` +
    `Where a file is also in the codebase above, this version replaces that one. Import from them and keep to what they export.\n` +
    fileSections(sorted)
  );
}
