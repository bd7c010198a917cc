import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MapSource } from '../../src/repomap/repo-map.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/repomap');

/** Every file of test/fixtures/repomap as a MapSource (repo-relative POSIX paths, sorted). */
export function fixtureSources(): MapSource[] {
  return readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(path.join(ROOT, p)).isFile())
    .map((p) => p.split(path.sep).join('/'))
    .sort()
    .map((p) => ({ path: p, content: fixture(p) }));
}

export const fixture = (p: string): string => readFileSync(path.join(ROOT, p), 'utf8');
