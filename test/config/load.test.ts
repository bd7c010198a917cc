import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { defaultConfig } from '../../src/config/schema.js';
import { planOutput, resolveModel } from '../../src/models/models.js';
import { HarnessError } from '../../src/shared/errors.js';

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'harness-config-'));
const schemaUrl = new URL('../../src/config/schema.ts', import.meta.url).pathname;

describe('config loading', () => {
  it('uses built-in defaults when there is no config file', async () => {
    const dir = await tmp();
    const { config, file } = await loadConfig(dir);
    expect(file).toBeNull();
    expect(config).toEqual(defaultConfig);
    expect(config.model).toBe('claude-opus-4-8');
  });

  it('loads a TypeScript config with defineConfig through jiti, and flags override it', async () => {
    const dir = await tmp();
    await writeFile(
      path.join(dir, 'harness.config.ts'),
      `import { defineConfig } from ${JSON.stringify(schemaUrl)};\nconst n: number = 42;\nexport default defineConfig({ model: 'claude-sonnet-4-6', attempts: n, poll: { initialMs: 1000 } });\n`,
    );
    const { config, file } = await loadConfig(dir, { overrides: { attempts: 5 } });
    expect(file).toBe(path.join(dir, 'harness.config.ts'));
    expect(config.model).toBe('claude-sonnet-4-6');
    expect(config.attempts).toBe(5);
    expect(config.poll).toEqual({ initialMs: 1000, maxMs: 300_000, factor: 1.5 });
  });

  it('loads .mjs and takes --config explicitly', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'other.mjs'), `export default { maxTokens: 64000 };\n`);
    const { config } = await loadConfig(dir, { file: 'other.mjs' });
    expect(config.maxTokens).toBe(64000);
    await expect(loadConfig(dir, { file: 'missing.ts' })).rejects.toThrow(/not found/);
  });

  it('names the field and the file for a bad value (exit 2)', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'harness.config.mjs'), `export default { attempts: -1, budget: { perRunUsd: 'ten' }, nope: 1 };\n`);
    const error = await loadConfig(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    const e = error as HarnessError;
    expect(e.exitCode).toBe(2);
    expect(e.file).toBe('harness.config.mjs');
    expect(e.message).toMatch(/attempts/);
    expect(e.message).toMatch(/budget\.perRunUsd/);
    expect(e.message).toMatch(/nope/);
  });

  it('reports a syntax error in the config file as exit 2 with the file', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'harness.config.ts'), `export default { model: 'x' ;\n`);
    const e = (await loadConfig(dir).catch((x: unknown) => x)) as HarnessError;
    expect(e).toBeInstanceOf(HarnessError);
    expect(e.exitCode).toBe(2);
    expect(e.file).toBe('harness.config.ts');
  });

  it('rejects a config that does not export an object', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'harness.config.mjs'), `export default 3;\n`);
    await expect(loadConfig(dir)).rejects.toThrow(/must export an object/);
  });

  it('leaves maxTokens and syncMaxTokens to the chosen model when unset, and keeps given values', async () => {
    const dir = await tmp();
    // The default model: the 300K beta ceiling for batches, the standard ceiling for sync calls.
    expect(defaultConfig.maxTokens).toBe(300_000);
    expect(defaultConfig.syncMaxTokens).toBe(128_000);
    // --model claude-haiku-4-5 with nothing else: values the model accepts (it has no beta).
    const haiku = (await loadConfig(dir, { overrides: { model: 'claude-haiku-4-5' } })).config;
    expect([haiku.maxTokens, haiku.syncMaxTokens]).toEqual([64_000, 64_000]);
    const model = resolveModel(haiku.model, haiku.models);
    expect(() => planOutput(model, haiku.maxTokens, 'batch')).not.toThrow();
    expect(() => planOutput(model, haiku.syncMaxTokens, 'sync')).not.toThrow();
    const sonnet = (await loadConfig(dir, { overrides: { model: 'claude-sonnet-4-6' } })).config;
    expect([sonnet.maxTokens, sonnet.syncMaxTokens]).toEqual([300_000, 128_000]);
    // A model described in the config gets its own ceilings.
    await writeFile(
      path.join(dir, 'harness.config.mjs'),
      "export default { model: 'tiny', models: { tiny: { contextWindow: 60000, maxOutput: 4000, extendedMaxOutput: null, prices: { input: 1, output: 5 } } } };\n",
    );
    const tiny = (await loadConfig(dir)).config;
    expect([tiny.maxTokens, tiny.syncMaxTokens]).toEqual([4_000, 4_000]);
    // Given values are kept as given (and checked against the model when the workspace opens).
    const given = (await loadConfig(dir, { overrides: { model: 'claude-haiku-4-5', maxTokens: 6_000, syncMaxTokens: 5_000 } })).config;
    expect([given.maxTokens, given.syncMaxTokens]).toEqual([6_000, 5_000]);
  });

  it('rejects an outputRoot outside the repo (absolute, or leading out with ..), naming the field and the file', async () => {
    for (const root of ['/tmp/out', '../sibling', 'gen/../../x', 'C:\\\\out', '.git/hooks']) {
      const dir = await tmp();
      await writeFile(path.join(dir, 'harness.config.mjs'), `export default { outputRoot: ${JSON.stringify(root)} };\n`);
      const e = (await loadConfig(dir).catch((x: unknown) => x)) as HarnessError;
      expect(e, root).toBeInstanceOf(HarnessError);
      expect(e.exitCode).toBe(2);
      expect(e.file).toBe('harness.config.mjs');
      expect(e.message).toMatch(/outputRoot: must /);
    }
    const dir = await tmp();
    await writeFile(path.join(dir, 'harness.config.mjs'), "export default { outputRoot: './generated/src' };\n");
    expect((await loadConfig(dir)).config.outputRoot).toBe('./generated/src');
  });
});
