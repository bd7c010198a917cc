/**
 * Outlines many files on every core: parsing (tree-sitter, ~1 ms a file) is the repo map's cost,
 * and files are parsed independently, so a cold map of 50,000 files is spread over worker threads
 * (repomap/outline-worker.ts), each with its own parser, handed slices of files as they finish
 * one. The outlines come back in the files' order: the same as outlining them one by one.
 *
 * Few files (under POOL_MIN), a machine of one core, or code run from its sources (the tests: the
 * worker is a built file, dist/repomap/outline-worker.js) outline on this thread.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type FileOutline, type MapSource, outlineFile } from '../repomap/repo-map.js';

const WORKER = new URL('../repomap/outline-worker.js', import.meta.url);
/** Below this many files a pool costs more than it saves (each worker loads its grammars). */
const POOL_MIN = 400;
/** Files per message: small enough to balance the workers, large enough to keep messages few. */
const SLICE = 100;
const MAX_WORKERS = 8;

type Reply = { id: number; outlines: FileOutline[] } | { id: number; error: string };

/**
 * The outlines of `files`, in order. `one`: outline them one by one with it on this thread instead
 * (tests count the files it is called for).
 */
export async function outlineMany(
  files: readonly MapSource[],
  one?: (path: string, content: string) => Promise<FileOutline>,
): Promise<FileOutline[]> {
  const workers = Math.min(MAX_WORKERS, os.availableParallelism(), Math.ceil(files.length / SLICE));
  if (one || files.length < POOL_MIN || workers < 2 || !existsSync(fileURLToPath(WORKER))) return outlineHere(files, one ?? outlineFile);
  // Outlining is pure: a pool that fails (a worker that does not start, or dies) is done again here.
  return inPool(files, workers).catch(() => outlineHere(files, outlineFile));
}

async function inPool(files: readonly MapSource[], workers: number): Promise<FileOutline[]> {
  const out: FileOutline[] = new Array(files.length);
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(WORKER));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= files.length) {
                resolve();
                return;
              }
              const id = next;
              next += SLICE;
              worker.postMessage({ id, files: files.slice(id, id + SLICE) });
            };
            worker.on('message', (m: Reply) => {
              if ('error' in m) {
                reject(new Error(`an outline worker failed: ${m.error}`));
                return;
              }
              for (const [i, o] of m.outlines.entries()) out[m.id + i] = o;
              send();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => reject(new Error(`an outline worker exited (${code})`)));
            send();
          }),
      ),
    );
    return out;
  } finally {
    for (const w of pool) w.removeAllListeners('exit');
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

async function outlineHere(files: readonly MapSource[], one: (path: string, content: string) => Promise<FileOutline>): Promise<FileOutline[]> {
  const out: FileOutline[] = [];
  for (const f of files) out.push(await one(f.path, f.content));
  return out;
}
