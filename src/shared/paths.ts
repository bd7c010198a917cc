/**
 * The pure half of the path guard (docs/sections.md): is a path that came from a task list or
 * from model output one the harness may ever write? The I/O half (real paths through symlinks)
 * lives in output/guard.ts.
 */
import path from 'node:path';

/** Paths the harness owns and never writes from model output or task lines. */
export const HARNESS_STATE_DIR = '.harness';
export const TASK_LIST_FILE = 'task-list.md';

/**
 * Returns the reason `p` is unsafe, or null when it is a relative, normalised POSIX path that
 * stays inside the root and touches neither `.git/` nor the harness's own files.
 */
export function unsafePathReason(p: string): string | null {
  if (p.length === 0) return 'empty path';
  if (p.includes('\0')) return 'path contains a NUL byte';
  if (p.length > 4096) return 'path is longer than 4096 characters';
  if (/[\u0000-\u001f\u007f]/.test(p)) return 'path contains a control character';
  if (p.includes('\\')) return 'path contains a backslash (use / as the separator)';
  if (p.startsWith('/')) return 'absolute path';
  if (/^[a-zA-Z]:/.test(p)) return 'drive path';
  if (p.startsWith('~')) return 'home-relative path';
  const segments = p.split('/');
  if (segments.some((s) => s === '..')) return 'path leaves the output root (..)';
  if (segments.some((s) => s === '' || s === '.')) return 'path is not normalised (empty or . segment)';
  if (path.posix.normalize(p) !== p) return 'path is not normalised';
  const first = segments[0]!.toLowerCase();
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'path is inside .git/';
  if (first === HARNESS_STATE_DIR) return `path is inside the harness state (${HARNESS_STATE_DIR}/)`;
  if (segments.length === 1 && first === TASK_LIST_FILE) return `path is the task list (${TASK_LIST_FILE})`;
  return null;
}
