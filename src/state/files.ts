/** Files the harness keeps in `.harness/`, and the ignore file that keeps local ones out of git. */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HARNESS_STATE_DIR } from '../shared/paths.js';

export const STATE_GITIGNORE = `${HARNESS_STATE_DIR}/.gitignore`;

/**
 * The journal is committed; the lock (and the temporary file it is written through), the context snapshot (the file it is written to first; in map mode with its files, repo map and the outlines it is built from), dry-run output, the Models API cache and downloaded results
 * (`results/`, deleted once collected) and the report page (`report.html`) are local.
 */
const LOCAL_ENTRIES = [
  'lock',
  'lock.*.tmp',
  'context.txt',
  '.context.txt.*.tmp',
  'context.json',
  'context-files.json',
  'repo-map.json',
  'outlines.json',
  '.outlines.json.*.tmp',
  'dry-run/',
  'results/',
  'model-facts.json',
  '.model-facts.json.*.tmp',
  'report.html',
];

/** Writes `.harness/.gitignore`, or adds the entries an older one lacks (leaving the rest as it is). */
export async function ensureStateGitignore(repoDir: string): Promise<void> {
  const file = path.join(repoDir, STATE_GITIGNORE);
  if (!existsSync(file)) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `# codegen-harness: the journal is committed; this local state is not.\n${LOCAL_ENTRIES.join('\n')}\n`);
    return;
  }
  const text = await readFile(file, 'utf8');
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = LOCAL_ENTRIES.filter((e) => !have.has(e));
  if (missing.length === 0) return;
  await appendFile(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${missing.join('\n')}\n`);
}
