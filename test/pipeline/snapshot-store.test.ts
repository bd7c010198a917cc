/**
 * The stored snapshot (.harness/context.txt and context.json): a later snapshot reuses it while the
 * text is the one its digest was taken of, and builds it again when the text was cut or edited.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { takeSnapshot } from '../../src/pipeline/snapshot.js';
import { openWorkspace } from '../../src/pipeline/workspace.js';
import { git, makeRepo } from '../helpers/git.js';

async function workspace(repo: string) {
  const { config, file } = await loadConfig(repo);
  return openWorkspace({ repoDir: repo, config, configFile: file, env: {} });
}

describe('the stored snapshot', () => {
  it('is reused while intact, and taken again when its text was cut or edited (a file too large is in the tree and named at the end)', async () => {
    const files: Record<string, string> = { 'harness.config.mjs': 'export default { scan: { maxFileBytes: 200 } };\n' };
    for (let i = 0; i < 300; i++) files[`src/m${String(i).padStart(3, '0')}.ts`] = `export const v${i} = ${i}; // é\n`;
    files['src/m150-big.ts'] = `export const big = '${'x'.repeat(400)}';\n`; // over maxFileBytes: left out after it is read
    const repo = await makeRepo(files);
    const first = await takeSnapshot(await workspace(repo), { reuse: true });
    expect(first.fresh).toBe(true);
    expect(first.skipped).toBeGreaterThanOrEqual(1);
    const stored = path.join(repo, '.harness/context.txt');
    expect(await readFile(stored, 'utf8')).toBe(first.context.text);
    expect(first.context.text).toContain('  m150-big.ts\n');
    expect(first.context.text).toContain('\n<omitted>\nIn the tree but not included above:\nsrc/m150-big.ts: too large (');
    expect(first.paths.has('src/m150-big.ts')).toBe(false);

    const again = await takeSnapshot(await workspace(repo), { reuse: true });
    expect(again.fresh).toBe(false);
    expect(again.context.sha256).toBe(first.context.sha256);
    expect(again.context.text).toBe(first.context.text); // decoded from the stored bytes when read

    for (const damage of [
      (t: string) => t.replace('v7 = 7', 'v7 = 8'),
      (t: string) => t.slice(0, -10),
      (t: string) => t.replace('<tree>', '<tree> '),
      (t: string) => t.replace('src/m150-big.ts: too large', 'src/m150-big.ts: too big'),
    ]) {
      await writeFile(stored, damage(first.context.text));
      const rebuilt = await takeSnapshot(await workspace(repo), { reuse: true });
      expect(rebuilt.fresh).toBe(true);
      expect(rebuilt.context.sha256).toBe(first.context.sha256);
      expect(await readFile(stored, 'utf8')).toBe(first.context.text);
    }
  });

  it('a context a killed process was writing is ignored by git, and removed by the next snapshot', async () => {
    const repo = await makeRepo({ 'src/a.ts': 'export const a = 1;\n' });
    await takeSnapshot(await workspace(repo), { reuse: true });
    const left = path.join(repo, '.harness', `.context.txt.${process.pid + 1}.0123456789ab.tmp`);
    await writeFile(left, 'half a context');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).not.toContain('.context.txt');
    await takeSnapshot(await workspace(repo), { reuse: false });
    expect(existsSync(left)).toBe(false);
    expect((await readdir(path.join(repo, '.harness'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
