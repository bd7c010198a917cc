/**
 * Synchronous, on-first-use loading of heavy dependencies (remark, gray-matter): most task lists
 * never need them, and every command would otherwise pay ~200 ms to import them at start-up.
 * Node >= 20.19 can `require` ES modules, so the callers stay synchronous.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export function lazy<T>(specifier: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(specifier) as T);
}
