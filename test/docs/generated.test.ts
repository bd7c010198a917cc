/**
 * The generated parts of docs/ match the code: `node scripts/docs.js --check` (what `npm run docs`
 * writes) finds the configuration reference and the models table up to date.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('generated docs', () => {
  it('docs/configuration.md and docs/costs.md hold exactly what `npm run docs` generates (run it when this fails)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'docs.js'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('docs/configuration.md: the configuration reference up to date');
    expect(r.stdout).toContain('docs/costs.md: the models table up to date');
  });

  it('the models table lists every model with its limits, says where beta support is unknown, and which have no prices', async () => {
    const script = pathToFileURL(path.join(ROOT, 'scripts', 'docs.js')).href;
    const { renderModelsTable } = (await import(script)) as { renderModelsTable: (models?: unknown[]) => string };
    const { MODELS, resolveModel } = await import('../../src/models/models.js');
    const table = renderModelsTable();
    for (const m of MODELS) expect(table).toContain(`| \`${m.id}\` |`);
    expect(table).toContain('| Claude Opus 4.8 | `claude-opus-4-8` | 1,000,000 | 128,000 | 300,000 | $5 | $25 | $2.5 / $12.5 |');
    expect(table).toContain('| Claude Opus 5 | `claude-opus-5` | 1,000,000 | 128,000 | unknown | $5 | $25 |');
    expect(table).toContain('| Claude Haiku 4.5 | `claude-haiku-4-5` | 200,000 | 64,000 | no | $1 | $5 |');
    const custom = resolveModel('tiny', { tiny: { contextWindow: 1000, maxOutput: 100 } });
    expect(renderModelsTable([custom])).toMatch(/`tiny` .* not known: set `models\.tiny\.prices`/);
  });
});
