/**
 * Canary: the secretlint internals the profiler patch in src/repo/secrets.ts relies on. The patch
 * replaces `secretLintProfiler.mark` with a no-op, because the profiler keeps every mark and
 * searches them all at each one (quadratic in the files linted, memory never released). It works
 * only while @secretlint/core marks through that one method of that one instance. @secretlint/core
 * and @secretlint/profiler are pinned exactly in package.json; these tests fail with a message
 * saying what changed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { lintSource } from '@secretlint/core';
import { SecretLintProfiler, secretLintProfiler } from '@secretlint/profiler';
import { creator as preset } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../src/repo/secrets.js';
import { ROOT } from '../helpers/cli.js';

const versionOf = (pkg: string): string =>
  (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const INSTALLED = `@secretlint/core ${versionOf('@secretlint/core')}, @secretlint/profiler ${versionOf('@secretlint/profiler')}`;
const CHECKED = '@secretlint/core 11.7.1, @secretlint/profiler 11.7.1';
const changed = (what: string) =>
  `UPSTREAM CHANGE (${INSTALLED}; the patch was checked with ${CHECKED}): ${what}. ` +
  'Read the profiler patch in src/repo/secrets.ts, adapt it (or drop it if upstream no longer keeps every mark), then update the versions in its comment and here.';

const lint = (content: string) =>
  lintSource({
    source: { content, filePath: 'a.ts', ext: '.ts', contentType: 'text' },
    options: { config: { rules: [{ id: preset.meta.id, rule: preset }] }, maskSecrets: true, noPhysicFilePath: true },
  });

describe('canary: @secretlint/core marks through the one secretLintProfiler instance the harness silences', () => {
  it('@secretlint/core resolves @secretlint/profiler to the same file as the harness does (one instance)', () => {
    const fromHarness = createRequire(path.join(ROOT, 'src', 'repo', 'secrets.ts')).resolve('@secretlint/profiler');
    const fromCore = createRequire(createRequire(path.join(ROOT, 'package.json')).resolve('@secretlint/core')).resolve('@secretlint/profiler');
    expect(fromCore, changed('@secretlint/core uses another copy of @secretlint/profiler (pin both to the same exact version)')).toBe(fromHarness);
  });

  it('mark is a prototype method, so the own property set by the patch overrides it', () => {
    expect(typeof SecretLintProfiler.prototype.mark, changed('SecretLintProfiler has no prototype method `mark`')).toBe('function');
    expect(Object.hasOwn(secretLintProfiler, 'mark'), changed('importing src/repo/secrets.ts did not set its no-op `mark`')).toBe(true);
  });

  it('linting calls secretLintProfiler.mark (the method the patch replaces), with marks the profiler would record', async () => {
    const patched = secretLintProfiler.mark;
    const marks: unknown[] = [];
    secretLintProfiler.mark = (marker) => {
      marks.push(marker);
    };
    try {
      await lint('const a = 1;\n');
    } finally {
      secretLintProfiler.mark = patched;
    }
    expect(
      marks.length,
      changed('linting no longer calls secretLintProfiler.mark: the patch silences nothing (drop it, or find the new hot path)'),
    ).toBeGreaterThan(0);
  });

  it('with the patch, linting leaves no marks in performance and none in the profiler', async () => {
    performance.clearMarks();
    const before = (await secretLintProfiler.getEntries()).length;
    await findSecrets(
      Array.from({ length: 20 }, (_, i) => ({ path: `f${i}.json`, content: `{"k": ${i}}\n` })), // .json: always linted
      { allow: [], env: {} },
    );
    await lint('const b = 2;\n');
    const left = performance.getEntriesByType('mark').map((m) => m.name);
    expect(left, changed('secretlint still leaves marks in performance: it marks by another route than secretLintProfiler.mark')).toEqual([]);
    expect((await secretLintProfiler.getEntries()).length, changed('the profiler still records entries')).toBe(before);
  });
});
