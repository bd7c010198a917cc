/**
 * Temporary directories for tests, under the run's root (HARNESS_TEST_TMP, made and removed by the
 * vitest global set-up in test/setup/build.ts), so a test run leaves nothing behind in the system
 * temp dir. Outside vitest (no root set) they go to the system temp dir as before.
 */
import { mkdtempSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The directory temporary test files go under. */
export const tmpRoot = (): string => process.env.HARNESS_TEST_TMP ?? os.tmpdir();

/** A new empty directory `<root>/<prefix>XXXXXX`. */
export const makeTempDir = (prefix: string): Promise<string> => mkdtemp(path.join(tmpRoot(), prefix));

export const makeTempDirSync = (prefix: string): string => mkdtempSync(path.join(tmpRoot(), prefix));
