/**
 * Finds and loads `harness.config.{ts,mts,js,mjs}`, validates it with the zod schema and merges
 * CLI overrides on top. A bad config is exit 2 naming the file and the field.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { HarnessError } from '../shared/errors.js';
import { escapeRegExp } from '../shared/regexp.js';
import { configSchema, resolveConfig, type HarnessConfig, type HarnessConfigInput } from './schema.js';

const CONFIG_FILES = ['harness.config.ts', 'harness.config.mts', 'harness.config.js', 'harness.config.mjs'];

export interface LoadedConfig {
  config: HarnessConfig;
  /** The file it came from (absolute), or null for built-in defaults. */
  file: string | null;
}

/** Imports a config module; injected so tests (and later Node's native TS) can replace jiti. */
export type ConfigImporter = (absPath: string) => Promise<unknown>;

const jitiImporter: ConfigImporter = async (absPath) => {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false });
  return jiti.import(absPath, { default: true });
};

export async function loadConfig(
  repoDir: string,
  options: {
    file?: string;
    overrides?: HarnessConfigInput;
    /** The command-line flag each override came from (`maxTokens` → `--max-tokens`), to blame the flag, not the file. */
    flags?: Partial<Record<keyof HarnessConfigInput, string>>;
    importer?: ConfigImporter;
  } = {},
): Promise<LoadedConfig> {
  const file = findConfigFile(repoDir, options.file);
  let raw: unknown = {};
  if (file) {
    try {
      raw = await (options.importer ?? jitiImporter)(file);
    } catch (error) {
      throw new HarnessError('BAD_CONFIG', `cannot load the config: ${firstLine(error)}`, {
        file: rel(repoDir, file),
        ...lineOf(error, file),
        cause: error,
      });
    }
    if (typeof raw === 'function') raw = await (raw as () => unknown)();
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new HarnessError('BAD_CONFIG', 'the config must export an object (export default defineConfig({...}))', {
        file: rel(repoDir, file),
      });
    }
  }
  const merged = deepMerge(raw as Record<string, unknown>, (options.overrides ?? {}) as Record<string, unknown>);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const flags = options.flags ?? {};
    const given = options.overrides ?? {};
    const fromFlag = parsed.error.issues.find((issue) => {
      const key = issue.path[0] as keyof HarnessConfigInput | undefined;
      return key !== undefined && flags[key] !== undefined && given[key] !== undefined;
    });
    if (fromFlag) {
      const flag = flags[fromFlag.path[0] as keyof HarnessConfigInput]!;
      throw new HarnessError('BAD_USAGE', `${flag}: ${fromFlag.message}`, { hint: `pass a valid value to ${flag} (see \`harness --help\`)` });
    }
    throw configError(parsed.error, file ? rel(repoDir, file) : 'command line');
  }
  return { config: resolveConfig(parsed.data), file };
}

function findConfigFile(repoDir: string, explicit: string | undefined): string | null {
  if (explicit) {
    const abs = path.resolve(repoDir, explicit);
    if (!existsSync(abs)) {
      throw new HarnessError('BAD_USAGE', `config file not found: ${explicit}`, {
        hint: `pass an existing file to --config, or omit it to use ${CONFIG_FILES.join(' / ')} in the repo`,
      });
    }
    return abs;
  }
  for (const name of CONFIG_FILES) {
    const abs = path.join(repoDir, name);
    if (existsSync(abs)) return abs;
  }
  return null;
}

function configError(error: z.ZodError, file: string): HarnessError {
  const lines = error.issues.slice(0, 10).map((issue) => {
    const at = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${at}: ${issue.message}`;
  });
  return new HarnessError('BAD_CONFIG', `invalid config: ${lines.join('; ')}`, {
    file,
    hint: 'every field, with its type and default, is in docs/configuration.md',
  });
}

/** Objects merge key by key; arrays and scalars from `over` replace. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const rel = (repoDir: string, file: string) => path.relative(repoDir, file) || file;

function firstLine(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error);
  return msg.split('\n')[0] ?? msg;
}

function lineOf(error: unknown, file: string): { line?: number } {
  const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : '';
  const m = new RegExp(`${escapeRegExp(path.basename(file))}:(\\d+)`).exec(text) ?? /\((\d+):\d+\)/.exec(text);
  return m ? { line: Number(m[1]) } : {};
}
