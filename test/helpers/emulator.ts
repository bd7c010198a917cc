/** An emulator per test (port 0, own data dir), and a target repo wired to it through the env. */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { runCli, startCli, type CliResult } from './cli.js';
import { makeTempDir } from './tmp.js';

export interface Harness {
  emulator: Emulator;
  dataDir: string;
  env: Record<string, string>;
  /** Runs `harness ...args --repo repo` against this emulator. */
  run(repo: string, ...args: string[]): Promise<CliResult>;
  start(repo: string, args: string[], extraEnv?: Record<string, string>): ReturnType<typeof startCli>;
  /** Restarts the emulator on the same port and data dir (batches survive). */
  restart(options?: EmulatorOptions): Promise<void>;
  close(): Promise<void>;
}

export async function withEmulator(options: EmulatorOptions = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? (await makeTempDir('harness-emu-'));
  let emulator = await startEmulator({ processingMs: 100, ...options, dataDir });
  const env = () => ({ ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'test-key' });
  const h: Harness = {
    get emulator() {
      return emulator;
    },
    dataDir,
    get env() {
      return env();
    },
    run: (repo, ...args) => runCli([...args, '--repo', repo], { env: env() }),
    start: (repo, args, extraEnv = {}) => startCli([...args, '--repo', repo], { env: { ...env(), ...extraEnv } }),
    async restart(more = {}) {
      const port = emulator.port;
      await emulator.close();
      emulator = await startEmulator({ processingMs: 100, ...options, ...more, dataDir, port });
    },
    close: () => emulator.close(),
  };
  return h;
}
