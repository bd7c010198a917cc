/**
 * A worker thread of the outline pool (pipeline/outline-pool.ts): outlines the files it is sent,
 * one message at a time, with its own parser. Runs from the built code only (dist/); the sources
 * under test outline on the calling thread.
 */
import { parentPort } from 'node:worker_threads';
import { type MapSource, outlineFile } from './repo-map.js';

parentPort?.on('message', async (m: { id: number; files: MapSource[] }) => {
  try {
    const outlines = [];
    for (const f of m.files) outlines.push(await outlineFile(f.path, f.content));
    parentPort!.postMessage({ id: m.id, outlines });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: String((e as Error)?.stack ?? e) });
  }
});
