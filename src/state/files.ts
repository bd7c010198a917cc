/** Files the harness keeps in `.harness/`, and the ignore file that keeps local ones out of git. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HARNESS_STATE_DIR } from '../shared/paths.js';

export const STATE_GITIGNORE = `${HARNESS_STATE_DIR}/.gitignore`;

/** The journal is committed; the lock, the context snapshot and dry-run output are local. */
export async function ensureStateGitignore(repoDir: string): Promise<void> {
  const file = path.join(repoDir, STATE_GITIGNORE);
  if (existsSync(file)) return;
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '# codegen-harness: the journal is committed; this local state is not.\nlock\ncontext.txt\ncontext.json\ndry-run/\n');
}
