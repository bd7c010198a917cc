/** `harness emulator`: run the emulator in the foreground until SIGINT/SIGTERM. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HarnessError } from '../shared/errors.js';
import { loadFaultsFile } from './faults.js';
import { startEmulator } from './server.js';
import type { Responder } from './types.js';

export interface ServeOptions {
  port?: number;
  /** Data dir: batches survive a restart; the port is written to DATA/port. */
  data?: string;
  processingMs?: number;
  /** A JSON fault config file (else HARNESS_EMULATOR_FAULTS, else none). */
  faults?: string;
  /** A module whose default export is a Responder (.js/.mjs natively; .ts/.mts through jiti). */
  responder?: string;
  /** Stops the server like SIGTERM does (for tests and embedding). */
  signal?: AbortSignal;
  /** Where the two start-up lines go (default: stdout). */
  print?: (line: string) => void;
}

/** Imports a responder module; its default export (or a named `responder`) must be a function. */
export async function loadResponder(file: string): Promise<Responder> {
  const abs = path.resolve(file);
  let mod: unknown;
  try {
    if (/\.[mc]?ts$/.test(abs)) {
      const { createJiti } = await import('jiti');
      mod = await createJiti(import.meta.url, { moduleCache: false, fsCache: false }).import(abs);
    } else {
      mod = await import(pathToFileURL(abs).href);
    }
  } catch (error) {
    throw new HarnessError('BAD_USAGE', `cannot load the responder module ${file}: ${(error as Error).message}`, { file });
  }
  const m = mod as { default?: unknown; responder?: unknown };
  const fn = typeof m.default === 'function' ? m.default : typeof m.responder === 'function' ? m.responder : (m.default as { default?: unknown } | undefined)?.default;
  if (typeof fn !== 'function') {
    throw new HarnessError('BAD_USAGE', `the responder module ${file} has no default export function`, {
      file,
      hint: 'export default (req) => "the model\'s text" (req: { params, customId, mode })',
    });
  }
  return fn as Responder;
}

export async function serveEmulator(options: ServeOptions): Promise<void> {
  const faults = options.faults !== undefined ? loadFaultsFile(options.faults) : undefined;
  const responder = options.responder !== undefined ? await loadResponder(options.responder) : undefined;
  const emulator = await startEmulator({
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.data !== undefined ? { dataDir: options.data } : {}),
    ...(options.processingMs !== undefined ? { processingMs: options.processingMs } : {}),
    ...(faults ? { faults } : {}),
    ...(responder ? { responder } : {}),
  });
  if (options.data !== undefined) await writeFile(path.join(options.data, 'port'), `${emulator.port}\n`);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  print(`emulator listening on ${emulator.url}`);
  print(`export ANTHROPIC_BASE_URL=${emulator.url}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop);
  });
  await emulator.close();
}
