/** `harness emulator`: the local Anthropic API emulator on loopback. */
import path from 'node:path';
import type { CommandSpec } from './command-spec.js';
import { intArg } from './flags.js';

export const emulatorCommand: CommandSpec = {
  name: 'emulator',
  description: 'the local Anthropic API emulator (loopback), for the demo, tests and offline work',
  options: [
    { flags: '--port <n>', description: 'port (0 = any free port)', parse: intArg('--port') },
    { flags: '--data <dir>', description: 'keep batches and results here (they survive a restart)' },
    { flags: '--processing-ms <n>', description: 'simulated processing time of a batch', parse: intArg('--processing-ms') },
    { flags: '--faults <file>', description: 'fault injection config (JSON)' },
    { flags: '--batch-cache-hit-rate <r>', description: 'share (0..1) of batch requests whose prompt-cache read hits' },
    { flags: '--responder <module>', description: 'module whose default export answers requests' },
  ],
  async run(ctx) {
    const { serveEmulator } = await import('../../emulator/index.js');
    const o = ctx.opts;
    await serveEmulator({
      ...(typeof o.port === 'number' ? { port: o.port } : {}),
      ...(typeof o.data === 'string' ? { data: path.resolve(o.data) } : {}),
      ...(typeof o.processingMs === 'number' ? { processingMs: o.processingMs } : {}),
      ...(typeof o.faults === 'string' ? { faults: path.resolve(o.faults) } : {}),
      ...(typeof o.batchCacheHitRate === 'string' ? { batchCacheHitRate: o.batchCacheHitRate } : {}),
      ...(typeof o.responder === 'string' ? { responder: path.resolve(o.responder) } : {}),
    });
    return 0;
  },
};
