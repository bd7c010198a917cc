/**
 * `batch.maxBytes`: the API's batch limit is "256 MB", not stated to be 2^28 bytes, so the default
 * and the cap are the decimal 256,000,000 (a batch of that size cannot be refused).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { defaultConfig } from '../../src/config/schema.js';
import { HarnessError } from '../../src/shared/errors.js';

const withConfig = async (text: string) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'harness-config-'));
  await writeFile(path.join(dir, 'harness.config.mjs'), text);
  return dir;
};

it('defaults to 256,000,000 bytes', () => {
  expect(defaultConfig.batch.maxBytes).toBe(256_000_000);
});

it('takes 256,000,000 and less', async () => {
  for (const n of [1, 10_000_000, 256_000_000]) {
    const { config } = await loadConfig(await withConfig(`export default { batch: { maxBytes: ${n} } };\n`));
    expect(config.batch.maxBytes).toBe(n);
  }
});

it('refuses more than 256,000,000 (2^28 too) as a config error naming the field and the file (exit 2)', async () => {
  for (const n of [256_000_001, 256 * 1024 * 1024]) {
    const e = (await loadConfig(await withConfig(`export default { batch: { maxBytes: ${n} } };\n`)).catch((x: unknown) => x)) as HarnessError;
    expect(e).toBeInstanceOf(HarnessError);
    expect(e.exitCode).toBe(2);
    expect(e.file).toBe('harness.config.mjs');
    expect(e.message).toMatch(/batch\.maxBytes/);
  }
});
