/**
 * Packed requests → Message Batches requests, exactly as sent:
 *
 *   system: system.md (constant)
 *   user:   [ codebase context, cache_control ephemeral 1h ]  ← byte-identical in every request
 *           [ earlier stages' files, cache_control 1h ]        ← stage N > 1 only (stage-block.ts)
 *           [ the plan, cache_control 1h ]                     ← the whole task list (plan-block.ts)
 *           [ request.md filled with this request's file list ]
 *
 * The order goes from the least to the most often changed: a new stage rewrites its block and the
 * small plan after it; an edited description rewrites the plan only. Three breakpoints of the
 * API's four.
 *
 * In `map` mode (`options.prefix`, docs/context.md) the cached blocks are given: the repo map, the
 * earlier stages' files, the plan, then the group's own files, from the most shared to the least;
 * breakpoints.ts places at most four breakpoints on them.
 *
 * and the split of many requests into batches within the API's limits.
 */
import { createHash } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import { HarnessError } from '../shared/errors.js';
import { codeSpan } from '../tasks/render-task-list.js';
import type { Task } from '../tasks/task.js';
import { MAX_CACHE_BREAKPOINTS, placeBreakpoints } from './breakpoints.js';
import type { PackedRequest } from './pack.js';
import { type RepairInput, repairNote } from './repair-note.js';
import { fillTemplate, type Templates } from './templates.js';
import type { ThinkingParam } from '../models/thinking.js';

type SdkRequestParams = Anthropic.Beta.Messages.Batches.BatchCreateParams.Request['params'];

/**
 * The SDK's batch request params (so every field is checked against the API), narrowed to what
 * the harness sends: a plain-string system prompt and user/assistant messages only.
 */
export type BatchRequestParams = Omit<SdkRequestParams, 'system' | 'messages'> & {
  system: string;
  messages: (Anthropic.Beta.Messages.BetaUserMessageParam | Anthropic.Beta.Messages.BetaAssistantMessageParam)[];
};

export interface BatchRequest {
  custom_id: string;
  params: BatchRequestParams;
}

export interface BuildOptions {
  context: { text: string };
  templates: Templates;
  model: string;
  maxTokens: number;
  /** Task paths that exist in the codebase snapshot: their lines say they are rewrites. */
  existingPaths: ReadonlySet<string>;
  /** Task paths whose last answer was ambiguous (it showed the section format): the request says so. */
  ambiguousBefore?: ReadonlySet<string>;
  /**
   * Task paths under repair (the last verification failed on them): each gets a note after the file
   * list with its current content and diagnostics (repair-note.ts). The cached blocks are unchanged.
   */
  repairs?: ReadonlyMap<string, RepairInput>;
  /** The earlier stages' block (stageBlockText), sent after the codebase with its own breakpoint. */
  earlier?: string;
  /** The plan block (planBlockText), sent after the codebase and the earlier stages with its own breakpoint. */
  plan?: string;
  /** `thinking` as the API takes it (models/thinking.ts); absent: left out. */
  thinking?: ThinkingParam;
  /**
   * `map` mode: the cached blocks, in order, each with the number of requests that share it (and
   * everything before it); replaces `context`, `earlier` and `plan`.
   */
  prefix?: readonly { text: string; shared: number; tokens: number }[];
}

/** Appended to the line of a task whose file is already in the codebase. */
const REWRITE_NOTE = ' (rewrite: the current version is in the codebase above)';
/** Stands in for an empty codebase: the API refuses empty text blocks. */
export const EMPTY_CONTEXT_TEXT = '(The codebase is empty: no files yet.)\n';

/** The cached codebase block: the same bytes for the same context, whatever the request. */
export function contextBlock(context: { text: string }): Anthropic.Beta.Messages.BetaTextBlockParam & {
  cache_control: { type: 'ephemeral'; ttl: '1h' };
} {
  return cachedBlock(context.text.trim() === '' ? EMPTY_CONTEXT_TEXT : context.text);
}

/** A text block that ends a cached prefix (a 1-hour breakpoint). */
function cachedBlock(text: string): Anthropic.Beta.Messages.BetaTextBlockParam & { cache_control: { type: 'ephemeral'; ttl: '1h' } } {
  return { type: 'text', text, cache_control: { type: 'ephemeral', ttl: '1h' } };
}

/**
 * One line per task, in order: ``- `PATH` — DESCRIPTION`` (``- `PATH` `` when the description is
 * empty), plus REWRITE_NOTE for a path in `existingPaths`. The description is put on one line.
 */
export function fileListLines(tasks: readonly Pick<Task, 'path' | 'description'>[], existingPaths: ReadonlySet<string>): string {
  return tasks
    .map((t) => {
      const description = t.description.replace(/\s+/g, ' ').trim();
      return `- ${codeSpan(t.path)}${description ? ` — ${description}` : ''}${existingPaths.has(t.path) ? REWRITE_NOTE : ''}`;
    })
    .join('\n');
}

/**
 * The note for a file whose previous answer showed the section format in its content: a line that
 * looked like its END marker (or a FILE marker that closed it), so where the file ended could not
 * be told and nothing was written.
 */
export function ambiguousNote(taskPath: string): string {
  return (
    `Note on ${codeSpan(taskPath)}: your previous answer for this file contained a line that looks like a section marker ` +
    `(such as ${codeSpan(`<<<END ${taskPath}>>>`)}) inside its content, so where the file ends could not be told and it was not written. ` +
    "Write it again, completely. Inside a file's content, never start a line with `<<<FILE ` or `<<<END `: " +
    'where the file must show the section format, indent such lines or write them another way.'
  );
}

/**
 * The `{{files}}` value: the file list lines, then, after a blank line, a note for each file whose
 * previous answer was ambiguous and for each file under repair (in the value itself, so a custom
 * request.md carries them too).
 */
function filesValue(
  tasks: readonly Pick<Task, 'path' | 'description'>[],
  existingPaths: ReadonlySet<string>,
  ambiguousBefore: ReadonlySet<string> = new Set(),
  repairs: ReadonlyMap<string, RepairInput> = new Map(),
): string {
  const notes = tasks.flatMap((t) => {
    const repair = repairs.get(t.path);
    return [...(ambiguousBefore.has(t.path) ? [ambiguousNote(t.path)] : []), ...(repair ? [repairNote(t.path, repair)] : [])];
  });
  const lines = fileListLines(tasks, existingPaths);
  return notes.length === 0 ? lines : `${lines}\n\n${notes.join('\n\n')}`;
}

/** The filled request.md of one request (the block after the cache breakpoint). */
export function requestText(
  tasks: readonly Pick<Task, 'path' | 'description'>[],
  templates: Templates,
  existingPaths: ReadonlySet<string>,
  ambiguousBefore?: ReadonlySet<string>,
  repairs?: ReadonlyMap<string, RepairInput>,
): string {
  return fillTemplate(
    templates.request,
    { files: filesValue(tasks, existingPaths, ambiguousBefore, repairs), count: String(tasks.length) },
    'request.md',
  );
}

export function buildRequest(packed: PackedRequest, options: BuildOptions): BatchRequest {
  const text = requestText(packed.tasks, options.templates, options.existingPaths, options.ambiguousBefore, options.repairs);
  const missing = packed.tasks.find((t) => !text.includes(t.path));
  if (missing) {
    throw new HarnessError('BAD_CONFIG', `request.md does not show the path ${missing.path} verbatim`, {
      file: 'request.md',
      hint: 'keep {{files}} in your request.md as it is',
    });
  }
  let cached: Anthropic.Beta.Messages.BetaTextBlockParam[];
  if (options.prefix) {
    const on = placeBreakpoints(options.prefix);
    cached = options.prefix.map((b, i) => (on[i] ? cachedBlock(b.text) : { type: 'text' as const, text: b.text }));
  } else {
    cached = [contextBlock(options.context)];
    if (options.earlier) cached.push(cachedBlock(options.earlier));
    if (options.plan) cached.push(cachedBlock(options.plan));
  }
  if (cached.filter((b) => b.cache_control).length > MAX_CACHE_BREAKPOINTS)
    throw new Error(`a request would carry ${cached.length} cache breakpoints (the API takes ${MAX_CACHE_BREAKPOINTS})`);
  return {
    custom_id: packed.customId,
    params: {
      model: options.model,
      max_tokens: options.maxTokens,
      system: options.templates.system,
      messages: [{ role: 'user', content: [...cached, { type: 'text', text }] }],
      ...(options.thinking ? { thinking: options.thinking } : {}),
    },
  };
}

/** sha256 (hex) of the requests as canonical JSON (object keys sorted at every level). */
export function requestFingerprint(requests: readonly BatchRequest[]): string {
  const hash = createHash('sha256');
  hash.update(canonicalJson(requests));
  return hash.digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Compile-time check: a BatchRequest is what the SDK's batch create accepts. */
type Assert<T extends true> = T;
type _SdkCompatible = Assert<BatchRequest extends Anthropic.Beta.Messages.Batches.BatchCreateParams.Request ? true : false>;
