/** `harness emulator`: run the emulator in the foreground until SIGINT/SIGTERM. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HarnessError } from '../shared/errors.js';
import { hitRateFlag } from './cache-hit-rate.js';
import { loadFaultsFile } from './faults.js';
import { startEmulator } from './server.js';
import type { Emulator, Responder } from './types.js';

export interface ServeOptions {
  port?: number;
  /** Data dir: batches survive a restart; the port is written to DATA/port. */
  data?: string;
  processingMs?: number;
  /** `--batch-cache-hit-rate`: share 0..1 of batch requests whose cache read hits (else the env, else 1). */
  batchCacheHitRate?: string;
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
  const fn =
    typeof m.default === 'function'
      ? m.default
      : typeof m.responder === 'function'
        ? m.responder
        : (m.default as { default?: unknown } | undefined)?.default;
  if (typeof fn !== 'function') {
    throw new HarnessError('BAD_USAGE', `the responder module ${file} has no default export function`, {
      file,
      hint: 'export default (req) => "the model\'s text" (req: { params, customId, mode })',
    });
  }
  return fn as Responder;
}

/** The highest TCP port. */
const MAX_PORT = 65_535;

/** `--port` out of range: a usage error naming the flag, before anything starts. */
function checkPort(port: number | undefined): void {
  if (port === undefined) return;
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    throw new HarnessError('BAD_USAGE', `--port must be a whole number from 0 to ${MAX_PORT}, got ${port}`, {
      hint: 'pick a port from 1024 to 65535, or --port 0 for any free port',
    });
  }
}

/**
 * A port the server cannot listen on is the user's to fix (exit 2 with what to do), not an internal
 * error: taken by another process (EADDRINUSE) or needing privileges (EACCES, ports below 1024).
 */
function listenError(error: unknown, port: number | undefined): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const shown = port ?? 0;
  if (code === 'EADDRINUSE') {
    return new HarnessError('BAD_USAGE', `port ${shown} is in use`, {
      hint: 'pick another with --port, or --port 0 for any free port',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new HarnessError('BAD_USAGE', `port ${shown} needs privileges this process does not have`, {
      hint: 'pick a port from 1024 to 65535 with --port, or --port 0 for any free port',
      cause: error,
    });
  }
  if (code === 'ERR_SOCKET_BAD_PORT') {
    return new HarnessError('BAD_USAGE', `--port must be a whole number from 0 to ${MAX_PORT}, got ${shown}`, {
      hint: 'pick a port from 1024 to 65535, or --port 0 for any free port',
      cause: error,
    });
  }
  return error;
}

export async function serveEmulator(options: ServeOptions): Promise<void> {
  checkPort(options.port);
  const hitRate = options.batchCacheHitRate !== undefined ? hitRateFlag(options.batchCacheHitRate) : undefined;
  const faults = options.faults !== undefined ? loadFaultsFile(options.faults) : undefined;
  const responder = options.responder !== undefined ? await loadResponder(options.responder) : undefined;
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.data !== undefined ? { dataDir: options.data } : {}),
      ...(options.processingMs !== undefined ? { processingMs: options.processingMs } : {}),
      ...(hitRate !== undefined ? { batchCacheHitRate: hitRate } : {}),
      ...(faults ? { faults } : {}),
      ...(responder ? { responder } : {}),
    });
  } catch (error) {
    throw listenError(error, options.port);
  }
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
